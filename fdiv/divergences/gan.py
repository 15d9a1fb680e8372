"""The GAN divergence, ``f(u) = u log u − (u + 1) log(u + 1)`` = 2·JS − log 4.

The value of the original GAN objective at the optimal discriminator (Goodfellow et al. 2014):
``D_f(P‖Q) = 2 JS(P‖Q) − log 4``; ``f(1) = −log 4`` is kept (not normalised away), ``f′(1) = −log 2``.
The centred generator is ``2 φ_js``, so the kernels reuse :mod:`weighted_js` at ``π = ½``.
The engine integrates ``D = −∫ q ψ(p/q)`` with ``ψ = −f = u log(1 + 1/u) + log(1 + u) ≥ 0``
instead (:class:`~fdiv._generator.Integrand`): ``−log 4 + ∫ q φ`` cancels as P and Q part and the
value tends to 0⁻, which the direct form keeps to a relative tolerance.  ``ψ(e^r) ~ |r| e^{−|r|}``
on both sides (growth ``(−1, 1)``).
``f(e^r)`` itself is computed directly (the form ``f(1) + f′(1) expm1(r) + φ`` cancels for large r):

* ``r ≤ 0``: ``f = y r − (1 + y) log1p(y)``, ``y = e^r`` (two non-positive terms),
* ``r > 0``: ``f = −r − (1 + x) log1p(x)/x``, ``x = e^{−r}`` (two negative terms).

Conjugate over ``u ≥ 0``: ``f*(t) = −log(1 − e^t)`` for ``t < 0``; activation
``g(v) = −softplus(−v)`` (log-sigmoid), ``f*(g(v)) = softplus(v)``.
"""
import math

import numpy as np

from numba import njit

from .._generator import FDivergence, Integrand
from .._registry import register
from ._special import np_softplus
from .weighted_js import wjs_phi

LOG2 = math.log(2.0)


@njit(cache=True, error_model="numpy")
def _minus_f(r):
    """``−f(e^r) = y log(1 + 1/y) + log(1 + y)``, ``y = e^r``, for ``r ≤ 0``: two terms ≥ 0."""
    if r == -math.inf:
        return 0.0
    y = math.exp(r)
    lg = math.log1p(y)
    return y * (lg - r) + lg


def psi_lo(r, theta):
    return _minus_f(r)


def psi_hi(r, theta):
    return _minus_f(-r)  # −f(u)/u = −f(1/u)


def phi_lo(r, theta):
    return 2.0 * wjs_phi(-r, 0.5, 0.5)


def phi_hi(r, theta):
    return 2.0 * wjs_phi(r, 0.5, 0.5)


def f_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        y = np.exp(np.minimum(r, 0.0))
        lo = np.where(y == 0.0, 0.0, y * r) - (1.0 + y) * np.log1p(y)
        x = np.exp(-np.maximum(r, 0.0))
        ratio = np.where(x == 0.0, 1.0, np.log1p(x) / np.where(x == 0.0, 1.0, x))
        hi = -r - (1.0 + x) * ratio
        return np.where(r <= 0.0, lo, hi)


def f_prime_log(logu):
    return -np_softplus(-np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        near = -np.log1p(-np.exp(t))  # t < −log 2
        edge = -np.log(-np.expm1(t))
        out = np.where(t < -LOG2, near, edge)
        return np.where(t < 0.0, out, np.where(np.isnan(t), np.nan, np.inf))


def activation(v):
    return -np_softplus(-np.asarray(v, dtype=np.float64))


def conjugate_activation(v):
    return np_softplus(v)


GAN = register(FDivergence(
    name="gan",
    formula="u*log(u) - (u + 1)*log(u + 1)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 0.0),
    activation=activation,
    conjugate_activation=conjugate_activation,
    f_at_one=-2.0 * LOG2,
    f_prime_at_one=-LOG2,
    f_at_zero=0.0,
    f_prime_at_inf=0.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 0.0),
    symmetric=True,
    upper_bound=0.0,
    conjugate_form="-log(1 - exp(t))",
    activation_form="-log(1 + exp(-v))",
    conjugate_table_form="-log(1 - exp(t))",
    references=(
        "Goodfellow et al. (2014), Generative adversarial nets, NeurIPS (Theorem 1: C(G) = "
        "-log 4 + 2 JSD)",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2 (GAN row)",
    ),
    integrand=Integrand(psi_lo, psi_hi, sign=-1.0, growth_lo=(-1.0, 1.0), growth_hi=(-1.0, 1.0)),
    conventions="D_f = 2 JS - log 4 in [-log 4, 0]: f(1) = -log 4 is not normalised away, so "
                "D_f(P||P) = -log 4. TFP's tfp.vi.jensen_shannon with self_normalized=False is "
                "this f. fdiv's js is (D_f + log 4)/2.",
))
