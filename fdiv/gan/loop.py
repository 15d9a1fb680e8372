"""The lecture's GAN training loop (§16.2.1), with checkpoints, resume and a divergence guard.

Each iteration (Goodfellow et al. 2014, Algorithm 1; the lecture's steps 1–4)::

    for k = 1 … K:                                   # discriminator ASCENT
        x ~ P_data (batch_p),  x′ = g_θ(ε), ε ~ N(0, I) (batch_q)
        φ ← φ + η_D ∇_φ L(θ, φ)                      (Adam on −∇)
    ε ~ N(0, I) (batch_q)                            # generator DESCENT
    θ ← θ − η_G ∇_θ L_G(θ, φ)

with ``L`` and ``L_G`` from :mod:`fdiv.gan.objectives`.  With ``pack = m > 1`` (PacGAN, Lin et
al. 2018) the critic takes m samples jointly, ``V(x_1, …, x_m)``: the same objective between the
product distributions P^{⊗m} and Q^{⊗m}, whose divergence penalises missing modes more
sharply (the optimum is unchanged: Q = P).  The step sizes are constant or follow a
cosine schedule from η to ``lr_final``·η over ``steps`` (the lecture's η_k, λ_t).  All randomness (initial weights, data,
noise) comes from one ``numpy.random.Generator`` seeded by ``seed`` and consumed in a fixed order,
so the same configuration gives the same bits; evaluation samples use their own generator
(``seed``, step) so evaluating never perturbs training.  :meth:`GANTrainer.save` stores
parameters, optimiser moments, the generator state and the history: :meth:`GANTrainer.load`
continues bit-identically.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field

import numpy as np

from ..datasets import GaussianMixture, get_dataset
from ..nn import MLP, Adam, blas_threads
from ..nn.checkpoint import savez_atomic
from .metrics import density_metrics, mode_metrics
from .objectives import make_objective

__all__ = ["GANConfig", "GANTrainer", "TrainingDiverged"]


class TrainingDiverged(RuntimeError):
    """Raised when a loss or parameter stops being finite (or explodes); ``step`` says when."""

    def __init__(self, message, step):
        super().__init__(message)
        self.step = step


@dataclass
class GANConfig:
    """Everything that defines a run (JSON-serialisable)."""

    data: str = "ring"
    data_params: dict = field(default_factory=dict)
    divergence: str = "gan"             # 'gan' = the lecture's JS-GAN; else an f-GAN member
    divergence_params: dict = field(default_factory=dict)
    generator_loss: str | None = None   # None: nonsaturating for 'gan', minimax for f-GAN
    steps: int = 2000                   # generator steps
    k: int = 1                          # discriminator steps per generator step
    batch_p: int = 256
    batch_q: int = 256
    latent_dim: int = 2
    d_widths: tuple = (128, 128)
    g_widths: tuple = (128, 128)
    d_activation: str = "tanh"
    g_activation: str = "tanh"
    lr_d: float = 1e-4
    lr_g: float = 1e-3
    betas: tuple = (0.5, 0.999)
    lr_schedule: str = "constant"       # or 'cosine': η_t = η·(f + (1 − f)·½(1 + cos πt/T))
    lr_final: float = 0.01              # f, the final fraction of the cosine schedule
    standardize: bool = False           # train in coordinates (x − m)/s of the data
    pack: int = 1                       # PacGAN: the critic sees `pack` samples jointly
    seed: int = 0
    dtype: str = "float64"
    explode: float = 1e6                # |loss| above this counts as divergence

    def __post_init__(self):
        for name in ("steps", "k", "batch_p", "batch_q", "latent_dim", "pack"):
            val = getattr(self, name)
            if not isinstance(val, (int, np.integer)) or val < (0 if name == "steps" else 1):
                raise ValueError(f"{name}={val!r} must be a positive integer")
        if self.batch_p % self.pack or self.batch_q % self.pack:
            raise ValueError(f"pack={self.pack} must divide batch_p={self.batch_p} and "
                             f"batch_q={self.batch_q}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule={self.lr_schedule!r}: choose 'constant' or 'cosine'")
        if self.lr_d <= 0 or self.lr_g <= 0:
            raise ValueError(f"lr_d={self.lr_d}, lr_g={self.lr_g}: learning rates must be > 0")
        self.d_widths = tuple(int(w) for w in self.d_widths)
        self.g_widths = tuple(int(w) for w in self.g_widths)
        self.betas = tuple(float(b) for b in self.betas)


class GANTrainer:
    """Trains generator ``G: ℝ^latent → ℝ^dim`` against critic ``V: ℝ^dim → ℝ``."""

    def __init__(self, config: GANConfig):
        self.config = c = config
        self.data = get_dataset(c.data, **c.data_params)
        self.objective = make_objective(c.divergence, c.generator_loss, **c.divergence_params)
        self.rng = np.random.default_rng(c.seed)
        dim = self.data.dim
        dtype = np.dtype(c.dtype)
        self.D = MLP([dim * c.pack, *c.d_widths, 1], activation=c.d_activation, seed=self.rng,
                     dtype=dtype)
        self.G = MLP([c.latent_dim, *c.g_widths, dim], activation=c.g_activation, seed=self.rng,
                     dtype=dtype)
        if c.standardize:   # a fixed affine layer in front of D and after G (own seeded sample)
            probe = self.data.sample(20000, np.random.default_rng([c.seed, 99]))
            self.shift, self.scale = probe.mean(axis=0), float(probe.std())
        else:
            self.shift, self.scale = np.zeros(dim), 1.0
        self.opt_d = Adam(self.D.params, lr=c.lr_d, betas=c.betas)
        self.opt_g = Adam(self.G.params, lr=c.lr_g, betas=c.betas)
        self.step = 0
        self.history = {"d_value": [], "g_loss": []}

    # -- one iteration -------------------------------------------------------------------
    def _noise(self, n):
        return self.rng.standard_normal((n, self.config.latent_dim)).astype(self.G.dtype, copy=False)

    def critic_gradients(self, x_p, z):
        """``(value, ∇_φ value)`` of the critic objective on data ``x_p`` and noise ``z``."""
        m, d = self.config.pack, self.data.dim
        x_q = self.G(z)
        x = np.concatenate([x_p.astype(self.D.dtype, copy=False).reshape(-1, m * d),
                            x_q.reshape(-1, m * d)])
        v, cache = self.D.forward(x)
        n_p = x_p.shape[0] // m
        value, g_p, g_q = self.objective.discriminator(v[:n_p, 0], v[n_p:, 0])
        grads, _ = self.D.backward(cache, np.concatenate([g_p, g_q])[:, None], input_grad=False)
        return value, grads

    def generator_gradients(self, z):
        """``(loss, ∇_θ loss)`` of the generator loss on noise ``z`` (through the critic)."""
        x_q, g_cache = self.G.forward(z)
        v, d_cache = self.D.forward(x_q.reshape(-1, self.D.sizes[0]))
        loss, g_v = self.objective.generator(v[:, 0])
        _, grad_x = self.D.backward(d_cache, g_v[:, None], param_grads=False)
        grads, _ = self.G.backward(g_cache, grad_x.reshape(x_q.shape))
        return loss, grads

    def discriminator_step(self):
        """One ascent step on the critic; returns the minibatch value of the objective."""
        c = self.config
        x_p = self.data.sample(c.batch_p, self.rng)
        if c.standardize:
            x_p = (x_p - self.shift) / self.scale
        value, grads = self.critic_gradients(x_p, self._noise(c.batch_q))
        for g in grads:                                     # ascent = descent on −L
            np.negative(g, out=g)
        self.opt_d.step(grads)
        return value

    def generator_step(self):
        """One descent step on the generator; returns its minibatch loss."""
        loss, grads = self.generator_gradients(self._noise(self.config.batch_q))
        self.opt_g.step(grads)
        return loss

    def _diverged(self, what, value):
        c = self.config
        return TrainingDiverged(
            f"training diverged at step {self.step + 1}: {what} {value:.6g} (non-finite or beyond "
            f"±{c.explode:g}); lower the learning rates (--lr-d {c.lr_d:g}, --lr-g {c.lr_g:g}) or "
            "try another divergence", self.step + 1)

    def iteration(self):
        """K critic ascent steps, one generator descent step; raises :class:`TrainingDiverged`.

        Overflow inside a step is not warned about: every value is checked instead (each loss
        and, after the iteration, every parameter); :meth:`train` then restores the last good
        state.
        """
        c = self.config
        lim = c.explode
        if c.lr_schedule == "cosine":       # the lecture's step sizes η_k, λ_t, as a function of t
            frac = c.lr_final + (1.0 - c.lr_final) * 0.5 * (1.0 + math.cos(
                math.pi * min(self.step / max(c.steps, 1), 1.0)))
            self.opt_d.lr, self.opt_g.lr = c.lr_d * frac, c.lr_g * frac
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for _ in range(self.config.k):
                d_value = self.discriminator_step()
                if not (math.isfinite(d_value) and abs(d_value) <= lim):
                    raise self._diverged("critic value", d_value)
            g_loss = self.generator_step()
            if not (math.isfinite(g_loss) and abs(g_loss) <= lim):
                raise self._diverged("generator loss", g_loss)
            if not self.params_finite():
                raise self._diverged("a parameter", math.nan)
        self.step += 1
        self.history["d_value"].append(d_value)
        self.history["g_loss"].append(g_loss)
        return d_value, g_loss

    def params_finite(self) -> bool:
        """Whether every parameter of the critic and the generator is finite."""
        return all(np.all(np.isfinite(p)) for p in self.D.params + self.G.params)

    def train(self, steps=None, callback=None, checkpoint=None, checkpoint_every=500, threads=1):
        """Run until ``steps`` generator steps in total (default ``config.steps``).

        ``callback(trainer, d_value, g_loss)`` after each iteration.  With ``checkpoint`` (a
        path) the state is saved every ``checkpoint_every`` steps and at the end; on divergence
        the last good state is restored (in memory and on disk) and :class:`TrainingDiverged`
        propagates.  ``threads``: BLAS threads (:class:`fdiv.nn.blas_threads`; None: unchanged).
        """
        with blas_threads(threads):
            return self._train(steps, callback, checkpoint, checkpoint_every)

    def _train(self, steps, callback, checkpoint, checkpoint_every):
        total = self.config.steps if steps is None else int(steps)
        good = self.state()
        while self.step < total:
            try:
                d_value, g_loss = self.iteration()
            except TrainingDiverged:
                self.set_state(good)
                if checkpoint is not None:
                    self.save(checkpoint)
                raise
            if callback is not None:
                callback(self, d_value, g_loss)
            if self.step % checkpoint_every == 0 or self.step == total:
                good = self.state()
                if checkpoint is not None:
                    self.save(checkpoint)
        return self

    # -- evaluation ----------------------------------------------------------------------
    def sample(self, n, seed=None):
        """``n`` generator samples, drawn with their own generator (training is untouched)."""
        rng = np.random.default_rng([self.config.seed if seed is None else seed, self.step, 7])
        z = rng.standard_normal((n, self.config.latent_dim)).astype(self.G.dtype, copy=False)
        return np.asarray(self.G(z), dtype=np.float64) * self.scale + self.shift

    def critic(self, x):
        """The critic's raw output ``V(x)`` at data-space points ``x`` (n, dim), float64.

        With ``pack > 1`` the critic judges ``pack`` points jointly; this evaluates it on the
        point repeated ``pack`` times (the diagonal), a picture, not the packed critic itself.
        """
        x = (np.asarray(x, dtype=np.float64) - self.shift) / self.scale
        x = np.tile(x, (1, self.config.pack))
        return np.asarray(self.D(x.astype(self.D.dtype))[:, 0], dtype=np.float64)

    def metrics(self, n=2500, seed=None, density=True):
        """Protocol metrics: mode metrics for 2-D mixtures, KDE JS/KL for 1-D data."""
        x = self.sample(n, seed)
        out = {"step": self.step, "n_samples": n}
        if not np.all(np.isfinite(x)):
            out["error"] = "non-finite samples"
            return out
        if isinstance(self.data, GaussianMixture) and self.data.dim == 2:
            m = mode_metrics(x, self.data.means, self.data.sigmas, self.data.weights)
            out.update(m)
        if self.data.dim == 1 and density and self.data.has_logpdf:
            out.update(density_metrics(x[:, 0], self.data))
        return out

    # -- state, checkpoints --------------------------------------------------------------
    def state(self) -> dict:
        """A deep copy of everything that evolves during training."""
        return {
            "step": self.step,
            "D": [p.copy() for p in self.D.params], "G": [p.copy() for p in self.G.params],
            "opt_d": self.opt_d.state_dict(), "opt_g": self.opt_g.state_dict(),
            "rng": self.rng.bit_generator.state,
            "history": {k: list(v) for k, v in self.history.items()},
        }

    def set_state(self, s):
        """Restore a :meth:`state` (in place: parameters, optimisers, generator state, history)."""
        self.step = int(s["step"])
        for dst, src in zip(self.D.params + self.G.params, list(s["D"]) + list(s["G"])):
            dst[...] = src
        self.opt_d.load_state_dict(s["opt_d"])
        self.opt_g.load_state_dict(s["opt_g"])
        self.rng.bit_generator.state = s["rng"]
        self.history = {k: list(v) for k, v in s["history"].items()}

    def save(self, path):
        """Write the full state to ``path`` (.npz, written atomically)."""
        s = self.state()
        arrays = {}
        for tag in ("D", "G"):
            for i, a in enumerate(s[tag]):
                arrays[f"{tag}_{i}"] = a
            opt = s[f"opt_{tag.lower()}"]
            for i, (m, v) in enumerate(zip(opt["m"], opt["v"])):
                arrays[f"opt_{tag}_m_{i}"] = m
                arrays[f"opt_{tag}_v_{i}"] = v
        for k, v in s["history"].items():
            arrays[f"hist_{k}"] = np.asarray(v, dtype=np.float64)
        meta = {
            "config": asdict(self.config), "step": s["step"], "rng": s["rng"],
            "opt": {t: {k: v for k, v in s[f"opt_{t}"].items() if k not in ("m", "v")}
                    for t in ("d", "g")},
        }
        arrays["meta"] = np.array(json.dumps(meta))
        savez_atomic(path, arrays)

    @classmethod
    def load(cls, path) -> "GANTrainer":
        """A trainer restored from :meth:`save` (continues bit-identically)."""
        with np.load(os.fspath(path), allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            trainer = cls(GANConfig(**meta["config"]))
            s = {"step": meta["step"], "rng": meta["rng"], "history": {}}
            for tag, net in (("D", trainer.D), ("G", trainer.G)):
                n = len(net.params)
                s[tag] = [z[f"{tag}_{i}"] for i in range(n)]
                opt = dict(meta["opt"][tag.lower()])
                opt["m"] = [z[f"opt_{tag}_m_{i}"] for i in range(n)]
                opt["v"] = [z[f"opt_{tag}_v_{i}"] for i in range(n)]
                s[f"opt_{tag.lower()}"] = opt
            for k in trainer.history:
                s["history"][k] = z[f"hist_{k}"].tolist()
        trainer.set_state(s)
        return trainer
