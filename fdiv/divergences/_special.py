"""Scalar special functions shared by the members' numba kernels (``phi_lo``/``phi_hi``).

Each is accurate to a few ulps over the whole real line (including ``±inf``) and compiled with
``@njit(cache=True, error_model='numpy')`` so member kernels can call them:

* ``expm1mx(r) = e^r − 1 − r`` (series for |r| < 1, where ``expm1(r) − r`` cancels),
* ``logcosh(x) = log cosh x`` (``log1p(2 sinh²(x/2))`` near 0, ``|x| − log 2 + log1p(e^{−2|x|})``
  beyond),
* ``softplus(x) = log(1 + e^x)``;

and, for the block kernels (:mod:`fdiv._blocks`), branch-free so that SIMD loops can inline it:

* ``kl_factors(r) = (E, L)`` with ``a = −|r|``: ``E = e^a − 1 − a`` and ``L = 1 − e^a (1 − a)``,
  the two factors from which KL, reverse KL and Jeffreys build both their branches.
"""
import math

import numpy as np
from numba import njit

from .._vmath import exp, polyval

__all__ = ["expm1mx", "kl_factors", "logcosh", "softplus", "LOG2", "np_softplus", "np_logcosh"]

_OPTS = dict(cache=True, error_model="numpy")
LOG2 = math.log(2.0)


@njit(**_OPTS)
def expm1mx(r):
    """``e^r − 1 − r`` (≥ 0), without cancellation near ``r = 0``."""
    if abs(r) < 1.0:
        term = 0.5 * r * r
        acc = term
        for k in range(3, 40):
            term *= r / k
            acc += term
            if abs(term) <= 1e-17 * acc:
                break
        return acc
    if r == math.inf:
        return math.inf
    if r == -math.inf:
        return math.inf
    return math.expm1(r) - r


#: e^a − 1 − a = a² Σ_j a^j/(j+2)!, truncated at a^15 (relative error < 6e-18 for |a| ≤ ½)
_E_SERIES = tuple(1.0 / math.factorial(k) for k in range(2, 16))


@njit(**_OPTS, inline="always")
def kl_factors(r):
    """``(E, L)`` at ``a = −|r|``: ``E = e^a − 1 − a`` and ``L = 1 − e^a (1 − a) = (a − 1)E + a²``,
    both ≥ 0, without branches (see the module notes).

    Near ``a = 0`` both come from one Taylor series of ``E`` (``L``'s form in ``E`` loses one
    bit there); beyond ``|a| = ½`` from the closed forms, each without cancellation.  ``E`` is
    ``+inf`` and ``L`` is 1 at ``r = ±inf``.
    """
    a = max(-abs(r), -746.0)  # e^a underflows to 0 for r = ±inf
    e = exp(a)
    near = a > -0.5
    E = a * a * polyval(_E_SERIES, a) if near else (e - 1.0) + abs(r)
    L = (a - 1.0) * E + a * a if near else 1.0 - e * (1.0 - a)
    return E, L


@njit(**_OPTS)
def logcosh(x):
    """``log cosh x``."""
    ax = abs(x)
    if ax < 1.0:
        s = math.sinh(0.5 * ax)
        return math.log1p(2.0 * s * s)
    return ax - LOG2 + math.log1p(math.exp(-2.0 * ax))


@njit(**_OPTS)
def softplus(x):
    """``log(1 + e^x)``."""
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def np_softplus(x):
    """Vectorised ``log(1 + e^x)`` (``np.logaddexp(0, x)``)."""
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


def np_logcosh(x):
    """Vectorised ``log cosh x``."""
    ax = np.abs(np.asarray(x, dtype=np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        small = np.log1p(2.0 * np.sinh(0.5 * np.minimum(ax, 1.0)) ** 2)
        large = ax - LOG2 + np.log1p(np.exp(-2.0 * ax))
    return np.where(ax < 1.0, small, large)


def centred_f_log(phi_lo, phi_hi, theta=0.0):
    """``f_log`` for a member with ``f(1) = f′(1) = 0`` (then ``f = φ``): ``phi_lo(r)`` for r ≤ 0,
    ``e^r phi_hi(r)`` for r > 0, through the compiled kernels (overflows to ``inf``, never NaN)."""
    from types import SimpleNamespace

    from .._kernels import centred_phi

    kernels = SimpleNamespace(phi_lo=phi_lo, phi_hi=phi_hi, theta=float(theta), compiled=True)
    return lambda logu: centred_phi(kernels, logu)


def identity(v):
    """The f-GAN activation ``g_f(v) = v`` (members whose conjugate domain is all of ℝ)."""
    return np.asarray(v, dtype=np.float64) * 1.0


def one_minus_exp(v):
    """The f-GAN activation ``g_f(v) = 1 − e^{−v}`` onto ``(−∞, 1)``, as ``−expm1(−v)``."""
    return -np.expm1(-np.asarray(v, dtype=np.float64))
