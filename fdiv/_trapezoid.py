"""The trapezoidal rule on a window, halving its step, for integrands analytic in a strip.

For an integrand analytic in the strip ``|Im x| < a`` around ℝ and negligible, with its
derivatives, at both ends of the window, the trapezoidal rule with step ``h`` converges
geometrically, like ``e^{−2πa/h}`` (Trefethen & Weideman 2014, Thm 5.1): on a Gaussian of scale
σ its relative error is ``2e^{−2π²σ²/h²}``.  Per node this is far more than Gauss–Legendre on
pieces achieves (on the benchmark's Gaussian KL pairs, about half the nodes of G10/K21 for the
same certified error), because the nodes are not crowded towards piece ends.

Certification, as with G10/K21: the rule with step ``h`` is compared with the rule with step
``h/2``, which reuses every node and adds the midpoints; ``|T(h/2) − T(h)|`` estimates the error
of ``T(h)`` and is reported as the error of the returned ``T(h/2)``.  This is reliable only when
``T(h/2)`` is far more accurate than ``T(h)``.  For an integrand made of Gaussians of scale at
least σ times polynomials it is: the error of ``T(h)`` is a wave in the grid's offset of
amplitude about ``e^{−2π²σ²/h²}``, that of ``T(h/2)`` has about the fourth power of it, so the
two cannot cancel to below ``T(h/2)``'s own error, and :func:`step` makes the first already
rtol/MARGIN.  The batch kernel uses the rule only on such integrands (:mod:`fdiv._fused`).
Where the integrand has a singularity close to the real axis, or is not negligible at the
window's ends (an ``h²`` term), the two errors are of similar size, can cancel, and the estimate
can certify a wrong value: both were measured (js and triangular; pearson and alpha at a = 2.5).

Reference: L. N. Trefethen and J. A. C. Weideman, "The exponentially convergent trapezoidal
rule", *SIAM Review* 56 (2014) 385–458.
"""
from __future__ import annotations

import math

from numba import njit

__all__ = ["MARGIN", "halved", "rule", "step", "sums"]

_OPTS = dict(cache=True, error_model="numpy")

#: the first step is chosen so that ``T(h)``'s relative error on a Gaussian of the smaller scale
#: is ``rtol / MARGIN``: the divergence is usually smaller than the integrand's Gaussian parts
#: (it is their difference), so ``T(h)`` must be more accurate than rtol for its own estimate,
#: ``|T(h/2) − T(h)|``, to certify the result at the first halving
MARGIN = 1e5


@njit(**_OPTS, inline="always")
def step(scale, rtol):
    """The first step: ``h = π σ √(2 / ln(2·MARGIN / rtol))``, where ``2e^{−2π²σ²/h²}``, the
    trapezoidal rule's relative error on a Gaussian of scale ``σ``, equals ``rtol / MARGIN``
    (0.75σ at rtol 1e-10)."""
    return math.pi * scale * math.sqrt(2.0 / math.log(2.0 * MARGIN / rtol))


@njit(**_OPTS, fastmath={"contract", "reassoc"}, inline="always")
def sums(f, n):
    """``(Σ f[:n], Σ |f[:n]|)``, as SIMD reductions (the order of the additions is free)."""
    s = 0.0
    a = 0.0
    for j in range(n):
        s += f[j]
        a += abs(f[j])
    return s, a


@njit(**_OPTS, inline="always")
def rule(f, count, h):
    """``(T(h), T(h) of |f|)`` from the values ``f[:count]`` at ``a, a + h, …, b``: the
    trapezoidal rule ``h (Σ f − ½ (f(a) + f(b)))``."""
    s, sa = sums(f, count)
    f0, f1 = f[0], f[count - 1]
    return h * (s - 0.5 * (f0 + f1)), h * (sa - 0.5 * (abs(f0) + abs(f1)))


@njit(**_OPTS, inline="always")
def halved(t, tabs, h, f, count):
    """``(T(h/2), |T(h/2) − T(h)|, T(h/2) of |f|)`` from ``T(h)``, its ``|f|`` version and the
    values ``f[:count]`` at the midpoints: ``T(h/2) = ½ (T(h) + h Σ f(midpoints))``.  The middle
    entry is the error estimate (module notes)."""
    s, sa = sums(f, count)
    half = 0.5 * (t + h * s)
    return half, abs(half - t), 0.5 * (tabs + h * sa)
