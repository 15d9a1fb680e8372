"""Shared machinery of the three EBM trainers: data batches, Adam, learning-rate schedule, RNG,
and a complete ``state_dict`` so that a resumed run continues bit-identically.

A trainer owns one ``numpy.random.Generator`` (from ``seed``); every random draw of a step
(minibatch indices, sampler noise, Langevin noise) comes from it in a fixed order, so the same
seed gives the same bits, and restoring the generator state resumes the same stream.
"""
from __future__ import annotations

import math

import numpy as np

from ..nn import Adam, as_generator

__all__ = ["Trainer", "as_samples"]

_SCHEDULES = ("constant", "cosine")


def as_samples(x, dim=None, name="data"):
    """``x`` as a finite float64 (n, d) array (1-D input becomes a column)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or len(x) == 0 or (dim is not None and x.shape[1] != dim):
        want = f"(n, {dim})" if dim is not None else "(n, d)"
        raise ValueError(f"{name} has shape {x.shape}; expected a non-empty {want} array")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or inf; drop those rows first")
    return x


class Trainer:
    """Base class: ``step()`` performs one φ update (plus whatever the method needs).

    Parameters
    ----------
    energy : EnergyNet or QuadraticEnergy
    data : array (n, d)
        Training samples from ``P_d``.
    lr : float
        Adam learning rate for φ.
    batch_size : int or None
        Data minibatch (drawn with replacement); None uses all the data every step.
    seed : int or numpy.random.Generator
    total_steps : int or None
        Length of the run (needed by the cosine schedule).
    schedule : {'constant', 'cosine'}
        ``lr_t = lr · ½(1 + cos(π t / T))`` for cosine (decays to 0 at ``T = total_steps``).
    betas : pair of float
        Adam's β₁, β₂.
    """

    method = "base"

    def __init__(self, energy, data, *, lr=1e-3, batch_size=256, seed=0, total_steps=None,
                 schedule="constant", betas=(0.9, 0.999)):
        self.energy = energy
        self.data = as_samples(data, energy.dim)
        if batch_size is not None and int(batch_size) < 1:
            raise ValueError(f"batch_size={batch_size}: need a positive int or None (full data)")
        if schedule not in _SCHEDULES:
            raise ValueError(f"schedule={schedule!r}: choose one of {', '.join(_SCHEDULES)}")
        if schedule == "cosine" and not total_steps:
            raise ValueError("schedule='cosine' needs total_steps (the length of the run)")
        self.batch_size = None if batch_size is None else int(batch_size)
        self.rng = as_generator(seed)
        self.lr, self.schedule = float(lr), schedule
        self.total_steps = None if total_steps is None else int(total_steps)
        self.opt = Adam(energy.params, lr=lr, betas=betas)
        self.step_count = 0

    # -- helpers -----------------------------------------------------------------------
    def _factor(self):
        if self.schedule == "constant":
            return 1.0
        t = min(self.step_count, self.total_steps) / self.total_steps
        return 0.5 * (1.0 + math.cos(math.pi * t))

    def batch(self):
        """A data minibatch (uses the trainer's generator)."""
        n = len(self.data)
        if self.batch_size is None:
            return self.data
        return self.data[self.rng.integers(0, n, self.batch_size)]

    def step(self) -> dict:
        """One training step; returns the step's scalar diagnostics."""
        self.opt.lr = self.lr * self._factor()
        info = self._step()
        self.step_count += 1
        return info

    def _step(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- state -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything a bit-identical resume needs (arrays copied)."""
        return {"method": self.method, "step": self.step_count,
                "rng": self.rng.bit_generator.state,
                "energy": [p.copy() for p in self.energy.params],
                "opt": self.opt.state_dict(), **self._extra_state()}

    def load_state_dict(self, state):
        if state["method"] != self.method:
            raise ValueError(f"checkpoint is for method {state['method']!r}, not {self.method!r}")
        self.step_count = int(state["step"])
        self.rng.bit_generator.state = state["rng"]
        for p, a in zip(self.energy.params, state["energy"]):
            p[...] = a
        self.opt.load_state_dict(state["opt"])
        self._load_extra(state)

    def _extra_state(self) -> dict:
        return {}

    def _load_extra(self, state):
        pass
