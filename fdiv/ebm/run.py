"""One EBM training run end to end: data, energy, grids, trainer, live metrics, NaN guard,
checkpoints and bit-identical resume.  Used by ``fdiv train ebm`` and the benchmark.

Seeding: the run's ``seed`` feeds a ``numpy.random.SeedSequence`` whose children seed (in this
order) the training data, the held-out data, the energy network, the flow and the trainer's
generator; the same seed gives the same bits.  The checkpoint stores the trainer's complete state
(parameters, Adam moments, generator state, Langevin chains, flow) and the history, and a resumed
run rebuilds everything else from the configuration.

Box and confinement (when not given): the grid box is ``[−B, B]^d`` with
``B = 1.5 · max |x_train|`` and the quartic confinement scale is ``s = B / 3`` (``x⁴/4s⁴`` is
about 20 nats at the box edge, so the certified truncation error is small).
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from ..gan.loop import TrainingDiverged  # the GAN trainer's: one exception for both
from .checkpoint import load_state, save_state
from .dual import DualTrainer
from .energy import EnergyNet
from .flows import make_flow
from .grid import Grid
from .langevin import LangevinTrainer
from .metrics import evaluate
from .mle import MLETrainer

__all__ = ["EBMConfig", "EBMRun", "TrainingDiverged", "METHODS"]

METHODS = ("mle", "dual", "langevin")


@dataclass
class EBMConfig:
    """Everything that defines a run (JSON-serialisable)."""

    data: str = "8gaussians"
    method: str = "mle"
    steps: int = 2000
    seed: int = 0
    n_train: int = 5000
    n_test: int = 5000
    hidden: tuple = (64, 64)
    activation: str = "tanh"
    lr: float = 5e-3
    batch_size: int = 256
    schedule: str = "cosine"
    beta1: float = 0.9
    box: float | None = None
    confinement: float | None = None
    train_panels: int | None = None
    train_order: int = 4
    eval_panels: int | None = None
    eval_order: int = 8
    # dual
    lr_q: float = 5e-3
    q_steps: int = 2
    n_q: int = 256
    flow_layers: int = 4
    flow_hidden: tuple = (32, 32)
    refine_q: int = 0
    # langevin
    n_chains: int = 256
    mcmc_steps: int = 20
    step_size: float = 5e-3
    noise: float | None = None
    reinit: float = 0.05
    data_params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r}: choose one of {', '.join(METHODS)}")
        self.hidden, self.flow_hidden = tuple(self.hidden), tuple(self.flow_hidden)

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def _child_seeds(seed, n=5):
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(int(seed)).spawn(n)]


class EBMRun:
    """Build and train one configuration; ``train()``, ``metrics()``, ``save()``, ``load()``."""

    def __init__(self, config: EBMConfig):
        from ..datasets import get_dataset

        self.config = c = config
        self.dataset = get_dataset(c.data, **c.data_params)
        d = self.dataset.dim
        if d not in (1, 2):
            raise ValueError(f"dataset {c.data!r} has dim {d}; the grid handles 1-D and 2-D")
        s_train, s_test, s_energy, s_flow, s_trainer = _child_seeds(c.seed)
        self.x_train = self.dataset.sample(c.n_train, s_train)
        self.x_test = self.dataset.sample(c.n_test, s_test)
        box = c.box if c.box is not None else 1.5 * float(np.max(np.abs(self.x_train)))
        conf = c.confinement if c.confinement is not None else box / 3.0
        self.box, self.confinement = float(box), float(conf)
        tp = c.train_panels or (32 if d == 1 else 24)
        ep = c.eval_panels or (64 if d == 1 else 48)
        lo, hi = [-self.box] * d, [self.box] * d
        self.train_grid = Grid(lo, hi, panels=tp, order=c.train_order)
        self.eval_grid = Grid(lo, hi, panels=ep, order=c.eval_order)
        self.energy = EnergyNet(d, hidden=c.hidden, activation=c.activation,
                                confinement=self.confinement, seed=s_energy)
        kw = dict(lr=c.lr, batch_size=c.batch_size, seed=s_trainer, total_steps=c.steps,
                  schedule=c.schedule, betas=(c.beta1, 0.999))
        self.flow = None
        if c.method == "mle":
            self.trainer = MLETrainer(self.energy, self.x_train, self.train_grid, **kw)
        elif c.method == "dual":
            self.flow = make_flow(d, n_layers=c.flow_layers, hidden=c.flow_hidden, seed=s_flow,
                                  mu=self.x_train.mean(0),
                                  log_scale=np.log(self.x_train.std(0)))
            self.trainer = DualTrainer(self.energy, self.x_train, self.flow, lr_q=c.lr_q,
                                       q_steps=c.q_steps, n_q=c.n_q, **kw)
        else:
            self.trainer = LangevinTrainer(self.energy, self.x_train, n_chains=c.n_chains,
                                           mcmc_steps=c.mcmc_steps, step_size=c.step_size,
                                           noise=c.noise, reinit=c.reinit, **kw)
        self.history = {"step": [], "loss": [], "eval_step": [], "heldout_nll": [], "gap": []}
        self.train_seconds = 0.0

    @property
    def step(self):
        return self.trainer.step_count

    # -- training ------------------------------------------------------------------------
    def _loss_of(self, info):
        return info.get("nll", -info.get("contrast", math.nan))

    def live_metrics(self):
        """Held-out NLL (and the dual's gap) on the *training* grid: cheap, for the progress bar."""
        m = evaluate(self.energy, self.train_grid, self.x_test[:1000], flow=None)
        out = {"heldout_nll": m["heldout_nll"], "log_z": m["log_z"]}
        if self.flow is not None:
            from .metrics import flow_terms

            e_d, h = flow_terms(self.energy, self.flow, 16 if self.flow.dim == 2 else 64)
            out["gap"] = m["log_z"] - e_d - h
        return out

    def train(self, callback=None, checkpoint=None, checkpoint_every=500, eval_every=0):
        """Run up to ``config.steps``; raise :class:`TrainingDiverged` on a non-finite loss or
        parameter (the checkpoint on disk is then the last good one)."""
        t0 = time.perf_counter()
        try:
            while self.step < self.config.steps:
                info = self.trainer.step()
                loss = self._loss_of(info)
                bad = not math.isfinite(loss) or not all(
                    np.all(np.isfinite(p)) for p in self._all_params())
                if bad:
                    raise TrainingDiverged(
                        f"step {self.step}: non-finite loss or parameters (loss={loss}); "
                        "lower --lr (or --step-size for langevin)", self.step)
                self.history["step"].append(self.step)
                self.history["loss"].append(loss)
                live = {}
                if eval_every and self.step % eval_every == 0:
                    live = self.live_metrics()
                    self.history["eval_step"].append(self.step)
                    self.history["heldout_nll"].append(live["heldout_nll"])
                    self.history["gap"].append(live.get("gap", math.nan))
                if checkpoint and (self.step % checkpoint_every == 0
                                   or self.step == self.config.steps):
                    self.train_seconds += time.perf_counter() - t0
                    t0 = time.perf_counter()
                    self.save(checkpoint)
                if callback is not None:
                    callback(self, loss, live)
            if (self.flow is not None and self.config.refine_q
                    and not self.history.get("refined_q_steps")):
                # the inner min_q solved at the final φ (reported gap = the flow family's error)
                self.trainer.refine_sampler(self.config.refine_q)
                self.history["refined_q_steps"] = self.config.refine_q
                if checkpoint:
                    self.save(checkpoint)
        except FloatingPointError as exc:       # Langevin chains blew up
            raise TrainingDiverged(f"step {self.step + 1}: {exc}", self.step) from None
        finally:
            self.train_seconds += time.perf_counter() - t0

    def _all_params(self):
        ps = list(self.energy.params)
        if self.flow is not None:
            ps += self.flow.params
        return ps

    # -- evaluation ----------------------------------------------------------------------
    def metrics(self, flow_panels=None):
        """Exact metrics on the evaluation grid (see :func:`fdiv.ebm.metrics.evaluate`)."""
        data = self.dataset if self.dataset.has_logpdf else None
        m = evaluate(self.energy, self.eval_grid, self.x_test, data=data, flow=self.flow,
                     chains=getattr(self.trainer, "chains", None), flow_panels=flow_panels)
        m["step"] = self.step
        if "true_heldout_nll" in m:
            m["excess_nll"] = m["heldout_nll"] - m["true_heldout_nll"]
        m["box"], m["confinement"] = self.box, self.confinement
        m["eval_grid_nodes"] = len(self.eval_grid)
        return m

    def samples(self, n=2000, seed=0):
        """Samples of the sampler: the flow (dual), the chains (langevin), else None."""
        if self.flow is not None:
            return self.flow.sample(n, np.random.default_rng(seed))[0]
        if hasattr(self.trainer, "chains"):
            return self.trainer.chains.copy()
        return None

    # -- persistence ---------------------------------------------------------------------
    def save(self, path):
        save_state(path, {"config": asdict(self.config), "trainer": self.trainer.state_dict(),
                          "history": self.history, "train_seconds": self.train_seconds})

    @classmethod
    def load(cls, path, steps=None):
        """Rebuild a run from its checkpoint (optionally extending ``steps``).

        Resuming with the original ``steps`` continues bit-identically; a longer run also
        stretches the cosine schedule from the resume point on (so it differs from a run that
        was asked for the longer length from the start).
        """
        state = load_state(path)
        cfg = EBMConfig.from_dict(state["config"])
        if steps is not None:
            if steps < state["trainer"]["step"]:
                raise ValueError(f"--steps {steps} is below the checkpoint's step "
                                 f"{state['trainer']['step']}")
            cfg.steps = int(steps)
        run = cls(cfg)
        run.trainer.load_state_dict(state["trainer"])
        run.history = state["history"]
        run.train_seconds = float(state["train_seconds"])
        return run
