"""Centred finite-difference gradient checker (float64).

For every parameter entry θ_j, ``(ℓ(θ + h e_j) − ℓ(θ − h e_j)) / 2h`` (error O(h²)) is compared
with the analytic gradient.  The per-tensor relative error is

    max_j |g_j − ĝ_j| / max(max_j |g_j|, max_j |ĝ_j|, tiny)

(an ∞-norm relative error, so entries that are exactly zero do not blow it up); the checker
returns the maximum over tensors.  With h = 1e-5 in float64 a correct gradient scores ≲ 1e-8;
float32 cannot resolve better than ~1e-2 and proves nothing.

Reference: Goodfellow, Bengio & Courville (2016), *Deep Learning*, §11.5 (debugging strategies).
"""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "numerical_gradient"]


def numerical_gradient(loss, params, eps=1e-5):
    """Centred-difference gradients of ``loss()`` (a scalar) w.r.t. each array in ``params``.

    The arrays are perturbed in place and restored exactly.
    """
    out = []
    for p in params:
        if p.dtype != np.float64:
            raise TypeError("gradcheck needs float64 parameters (float32 gives ~1e-2 and proves "
                            "nothing); build the network with dtype=np.float64")
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            up = float(loss())
            flat[j] = old - eps
            down = float(loss())
            flat[j] = old
            gflat[j] = (up - down) / (2.0 * eps)
        out.append(g)
    return out


def gradcheck(fun, params, eps=1e-5, return_all=False):
    """Max relative error between analytic and centred-difference gradients.

    Parameters
    ----------
    fun : callable
        ``fun() -> (loss, grads)``: the scalar loss at the current ``params`` and its analytic
        gradients (a list matching ``params``).  ``fun`` must be deterministic (fix any noise).
    params : list of float64 ndarray
        Arrays that ``fun`` reads; perturbed in place, restored afterwards.
    eps : float
        Finite-difference step h.
    return_all : bool
        Also return the list of per-tensor errors.

    Returns
    -------
    float (and list of float)
    """
    params = list(params)
    _, analytic = fun()
    analytic = [np.array(a, dtype=np.float64) for a in analytic]
    if len(analytic) != len(params):
        raise ValueError(f"fun returned {len(analytic)} gradients for {len(params)} params")
    numeric = numerical_gradient(lambda: fun()[0], params, eps)
    errs = []
    for a, n, p in zip(analytic, numeric, params):
        if a.shape != p.shape:
            raise ValueError(f"analytic gradient of shape {a.shape} for a parameter {p.shape}")
        scale = max(np.max(np.abs(a)), np.max(np.abs(n)), np.finfo(np.float64).tiny)
        errs.append(float(np.max(np.abs(a - n)) / scale))
    worst = max(errs) if errs else 0.0
    return (worst, errs) if return_all else worst
