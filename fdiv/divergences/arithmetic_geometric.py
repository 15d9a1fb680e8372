"""Arithmetic–geometric mean divergence, ``f(u) = (1 + u) log((1 + u)/(2√u))``.

``D_f(P‖Q) = KL(M‖P) + KL(M‖Q)``, ``M = (P + Q)/2`` (Taneja's AG divergence; TFP's
``arithmetic_geometric`` with ``self_normalized=True``): the "reverse" of JS, symmetric, unbounded.
``f(1) = f′(1) = 0`` and, with ``u = e^r``, ``(1 + u)/(2√u) = cosh(r/2)``, so (no cancellation)

* ``φ(e^r) = (1 + e^r) log cosh(r/2)`` for ``r ≤ 0`` (grows like ``|r|/2``: f(0) = ∞),
* ``e^{−r} φ(e^r) = (1 + e^{−r}) log cosh(r/2)`` for ``r ≥ 0`` (grows like ``r/2``).

``f′(e^r) = log cosh(r/2) − expm1(−r)/2``.  The conjugate has no closed form:
``f*(t) = u f′(u) − f(u) = expm1(r*)/2 − log cosh(r*/2)`` where ``f′(e^{r*}) = t`` (two terms that do not cancel; ``sinh(r*) − t`` would, for
t ≪ 0), ``r*`` by safeguarded Newton in r; domain all of ℝ, activation ``v``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import centred_f_log, logcosh, np_logcosh, identity


def phi_lo(r, theta):
    if r == -math.inf:
        return math.inf
    return (1.0 + math.exp(r)) * logcosh(0.5 * r)


def phi_hi(r, theta):
    if r == math.inf:
        return math.inf
    return (1.0 + math.exp(-r)) * logcosh(0.5 * r)


def _fp(r):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(r == -np.inf, -np.inf, np_logcosh(0.5 * r) - 0.5 * np.expm1(-r))


def f_prime_log(logu):
    return _fp(np.asarray(logu, dtype=np.float64))


def _solve(t):
    """``r`` with ``f′(e^r) = t`` (f′(e^r) increases from −∞ to ∞), Newton kept inside a bracket."""
    t = np.asarray(t, dtype=np.float64)
    tneg = np.minimum(t, 0.0)
    lo = np.where(t > 0, 0.0, -np.log1p(-2.0 * tneg) - 1.0)
    hi = np.where(t > 0, 2.0 * t + 2.0, 0.0)
    # initial guess from the asymptotes: r ≈ 2(t + log 2 − ½) for t ≫ 1, r ≈ −log(1 − 2t) for t ≪ 0
    r = np.where(t > 1, 2.0 * (t + math.log(2.0) - 0.5), np.where(t < -1, -np.log1p(-2.0 * tneg), t))
    r = np.clip(r, lo, hi)
    for _ in range(100):
        with np.errstate(over="ignore", invalid="ignore"):
            g = _fp(r) - t
            lo = np.where(g < 0, r, lo)
            hi = np.where(g > 0, r, hi)
            dg = 0.5 * np.tanh(0.5 * r) + 0.5 * np.exp(-r)
            step = g / dg
            new = r - step
            bad = ~((new >= lo) & (new <= hi))
            new = np.where(bad, 0.5 * (lo + hi), new)
        done = np.all((np.abs(new - r) <= 1e-15 * np.maximum(1.0, np.abs(r))) | (g == 0))
        r = new
        if done:
            break
    return r


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    finite = np.isfinite(t)
    r = _solve(np.where(finite, t, 0.0))
    with np.errstate(over="ignore"):
        out = 0.5 * np.expm1(r) - np_logcosh(0.5 * r)  # u f′(u) − f(u): no cancellation
    out = np.where(finite, out, np.where(np.isnan(t), np.nan, np.inf))
    return out[()] if out.ndim == 0 else out


ARITHMETIC_GEOMETRIC = register(FDivergence(
    name="arithmetic_geometric",
    formula="(1 + u)*log((1 + u)/(2*sqrt(u)))",
    f_log=centred_f_log(phi_lo, phi_hi),
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, math.inf),
    activation=identity,
    conjugate_activation=conjugate,
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=math.inf,
    f_prime_at_inf=math.inf,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 1.0),
    growth_hi=(0.0, 1.0),
    symmetric=True,
    conjugate_form="(exp(r) - 1)/2 - log(cosh(r/2)) where log(cosh(r/2)) + (1 - exp(-r))/2 = t "
                   "(no closed form)",
    activation_form="v",
    conjugate_table_form="(not in the f-GAN table)",
    references=(
        "Taneja (1995), New developments in generalized information measures, Adv. Imaging "
        "Electron Phys. 91 (arithmetic-geometric mean divergence)",
        "TensorFlow Probability, tfp.vi.arithmetic_geometric (csiszar_divergence.py)",
    ),
    conventions="KL(M||P) + KL(M||Q), M = (P + Q)/2, in nats. TFP's arithmetic_geometric with "
                "self_normalized=True is this f; the default (False) omits -(1 + u) log 2.",
))
