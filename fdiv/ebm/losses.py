"""The EBM losses, each returned with its exact gradient: ``(value, grads, …)``.

Sign convention ``p_φ = exp(D_φ)/Z(φ)``; every loss is *minimised* (the optimisers descend).

- :func:`nll_grid` — exact negative log-likelihood on a quadrature grid::

      ℓ(φ) = −(1/n) Σ_i D_φ(x_i) + log Z_B(φ),
      ∇ℓ  = −(1/n) Σ_i ∇D_φ(x_i) + Σ_m π_m ∇D_φ(x_m),   π_m = w_m e^{D(x_m)} / Z_B,

  i.e. ``∇ log Z = E_{p_φ}[∇_φ D_φ]`` with the expectation taken on the grid.
- :func:`contrastive` — the φ-player of the lecture's dual (and the Langevin baseline)::

      ℓ(φ) = −(E_{P_d}[D_φ] − E_q[D_φ])   (samples of q held fixed),

  whose gradient equals the NLL gradient when ``q = p_φ``.
- :func:`sampler_loss` — the q-player: ``min_q −E_q[D_φ] − H(q)`` with reparameterised flow
  samples ``x = f_ψ(z)``::

      ℓ(ψ) = (1/n) Σ_j [−D_φ(f_ψ(z_j)) + log q_ψ(f_ψ(z_j))]  →  log Z − ℓ(ψ)-expectation = KL(q‖p_φ) ≥ 0.

References
----------
Lecture 16 (Bo Dai), §16.2.3: ``MLE = max_φ min_q E_{P_d}[D] − E_q[D] − H(q)``.
Hinton (2002), contrastive divergence; Dai et al. (2019), Exponential family estimation via
adversarial dynamics embedding, NeurIPS.
"""
from __future__ import annotations

import numpy as np

from .grid import log_partition

__all__ = ["nll_grid", "contrastive", "sampler_loss"]


def _rows(x, dim):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1 and dim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"samples have shape {x.shape}; expected (n, {dim})")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples contain NaN or inf")
    return x


def nll_grid(energy, x, grid, tol=None, bound=False):
    """``(ℓ, grads, log_partition)``: exact NLL of ``x`` and its gradient (grid expectation).

    ``bound=False`` skips the truncation bound (a training step does not need it)."""
    x = _rows(x, energy.dim)
    n = len(x)
    D, cache = energy.forward(np.concatenate([x, grid.nodes]))
    lp = log_partition(energy, grid, tol=tol, energies=D[n:], bound=bound)
    value = -float(np.mean(D[:n])) + lp.value
    g = np.concatenate([np.full(n, -1.0 / n), lp.probs])
    grads, _ = energy.backward(cache, g)
    return value, grads, lp


def contrastive(energy, x_pos, x_neg):
    """``(ℓ, grads)`` with ``ℓ = −mean D(x_pos) + mean D(x_neg)``."""
    x_pos, x_neg = _rows(x_pos, energy.dim), _rows(x_neg, energy.dim)
    n, m = len(x_pos), len(x_neg)
    D, cache = energy.forward(np.concatenate([x_pos, x_neg]))
    value = -float(np.mean(D[:n])) + float(np.mean(D[n:]))
    g = np.concatenate([np.full(n, -1.0 / n), np.full(m, 1.0 / m)])
    grads, _ = energy.backward(cache, g)
    return value, grads


def sampler_loss(energy, flow, z):
    """``(ℓ, flow grads, x, log q)``: ``ℓ = mean(−D(f(z)) + log q(f(z)))`` ≈ ``−E_q[D] − H(q)``."""
    z = np.asarray(z, dtype=np.float64)
    x, log_q, fcache = flow.forward(z)
    D, ecache = energy.forward(x)
    n = len(z)
    value = float(np.mean(log_q - D))
    _, gx = energy.backward(ecache, np.full(n, -1.0 / n), param_grads=False)
    grads, _ = flow.backward(fcache, gx, np.full(n, 1.0 / n))
    return value, grads, x, log_q
