"""Trainer 3: the MCMC baseline — persistent Langevin chains for the negative phase.

Unadjusted Langevin on ``log p_φ = D_φ − log Z``::

    x ← x + ε ∇_x D_φ(x) + σ ξ,   ξ ~ N(0, I),

with ``σ = √(2ε)`` the exact discretisation of the Langevin diffusion (Roberts & Tweedie 1996);
``σ`` is a separate parameter because EBM practice often shrinks the noise (Du & Mordatch 2019),
which biases the stationary law.  The chains persist across φ updates (Tieleman 2008, PCD); a
fraction ``reinit`` of them restarts uniformly in the data's bounding box each step.  Each
step runs ``mcmc_steps`` Langevin moves, then descends ``−(E_{P_d}[D] − E_chains[D])``.
The ULA bias is O(ε): for a Gaussian target with precision Λ the chains' covariance is
``Λ⁻¹ (I − εΛ/2)⁻¹``.
"""
from __future__ import annotations

import math

import numpy as np

from .losses import contrastive
from .trainer import Trainer

__all__ = ["LangevinTrainer", "langevin"]


def langevin(energy, x, n_steps, step_size, noise, rng):
    """Run ``n_steps`` unadjusted Langevin moves from ``x`` (returns a new array).

    Raises ``FloatingPointError`` as soon as a chain stops being finite (step size too large).
    """
    x = np.array(x, dtype=np.float64)
    for _ in range(int(n_steps)):
        with np.errstate(over="ignore", invalid="ignore"):
            _, g = energy.grad_x(x)
            x += step_size * g
        x += noise * rng.standard_normal(x.shape)
        if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 1e150:
            raise FloatingPointError(
                f"Langevin chains diverged (|x| → ∞) with step_size={step_size}: lower it")
    return x


class LangevinTrainer(Trainer):
    """Persistent-chain Langevin EBM training.

    Parameters
    ----------
    energy, data, lr, batch_size, seed, total_steps, schedule, betas
        As in :class:`fdiv.ebm.trainer.Trainer`.
    n_chains : int
        Persistent chains.
    mcmc_steps : int
        Langevin moves per φ update.
    step_size : float
        ε.
    noise : float or None
        σ; None means √(2ε).
    reinit : float
        Fraction of chains restarted uniformly in the data box each step (0 = fully persistent).
    """

    method = "langevin"

    def __init__(self, energy, data, *, n_chains=256, mcmc_steps=20, step_size=1e-2, noise=None,
                 reinit=0.0, **kw):
        super().__init__(energy, data, **kw)
        if not (step_size > 0 and int(n_chains) >= 2 and int(mcmc_steps) >= 1
                and 0.0 <= reinit <= 1.0):
            raise ValueError(f"step_size={step_size}, n_chains={n_chains}, "
                             f"mcmc_steps={mcmc_steps}, reinit={reinit}: need step_size > 0, "
                             "n_chains ≥ 2, mcmc_steps ≥ 1, 0 ≤ reinit ≤ 1")
        self.step_size = float(step_size)
        self.noise = math.sqrt(2.0 * step_size) if noise is None else float(noise)
        if self.noise < 0:
            raise ValueError(f"noise={noise}: need σ ≥ 0")
        self.mcmc_steps, self.reinit = int(mcmc_steps), float(reinit)
        self.box = (self.data.min(axis=0), self.data.max(axis=0))
        self.chains = self.rng.uniform(*self.box, size=(int(n_chains), energy.dim))

    def _step(self):
        if self.reinit > 0:
            k = self.rng.random(len(self.chains)) < self.reinit
            fresh = self.rng.uniform(*self.box, size=self.chains.shape)
            self.chains[k] = fresh[k]
        self.chains = langevin(self.energy, self.chains, self.mcmc_steps, self.step_size,
                               self.noise, self.rng)
        loss, grads = contrastive(self.energy, self.batch(), self.chains)
        self.opt.step(grads)
        return {"contrast": -loss}

    def _extra_state(self):
        return {"chains": self.chains.copy()}

    def _load_extra(self, state):
        self.chains = np.array(state["chains"], dtype=np.float64)
