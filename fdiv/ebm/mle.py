"""Trainer 1: exact maximum likelihood, ``log Z`` and ``∇ log Z = E_{p_φ}[∇_φ D_φ]`` on a grid.

Each step descends ``ℓ(φ) = −mean_batch D_φ + log Z_B(φ)`` (:func:`fdiv.ebm.losses.nll_grid`).
The grid should hold the model's mass; each step reports ``log Z`` with its error budget.
"""
from __future__ import annotations

from .losses import nll_grid
from .trainer import Trainer

__all__ = ["MLETrainer"]


class MLETrainer(Trainer):
    """Exact-likelihood EBM training on a :class:`fdiv.ebm.Grid` (1-D or 2-D).

    Parameters are those of :class:`fdiv.ebm.trainer.Trainer` plus ``grid``.
    """

    method = "mle"

    def __init__(self, energy, data, grid, **kw):
        super().__init__(energy, data, **kw)
        if grid.dim != energy.dim:
            raise ValueError(f"grid has dim {grid.dim} but the energy has dim {energy.dim}")
        self.grid = grid

    def _step(self):
        value, grads, lp = nll_grid(self.energy, self.batch(), self.grid)
        self.opt.step(grads)
        return {"nll": value, "log_z": lp.value, "log_z_quad_error": lp.quad_error}
