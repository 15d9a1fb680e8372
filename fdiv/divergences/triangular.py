"""Triangular discrimination (Le Cam), ``f(u) = (u − 1)²/(u + 1)``.

``D_f(P‖Q) = ∫ (p − q)²/(p + q) ≤ 2``; symmetric.  ``φ = f`` (a quotient: no cancellation):

* ``φ(e^r) = expm1(r)²/(1 + e^r)`` for ``r ≤ 0`` (→ 1 = f(0)),
* ``e^{−r} φ(e^r) = expm1(−r)²/(1 + e^{−r})`` for ``r ≥ 0`` (→ 1 = f′(∞)).

Conjugate over ``u ≥ 0`` (``f = u − 3 + 4/(u + 1)``): with ``s = √(1 − t)``,
``f*(t) = (s − 2)² − 1 = t (3 − s)/(1 + s)`` for ``−3 ≤ t ≤ 1``, ``−1 = −f(0)`` for ``t < −3``,
``+∞`` for ``t > 1``.  Activation ``g(v) = 1 − e^{−v}``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import one_minus_exp


def phi_lo(r, theta):
    e = math.expm1(r)
    return e * e / (1.0 + math.exp(r))


def phi_hi(r, theta):
    e = math.expm1(-r)
    return e * e / (1.0 + math.exp(-r))


def f_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        lo = np.expm1(r) ** 2 / (1.0 + np.exp(r))
        e = np.expm1(-r)
        hi = e * e / (1.0 + np.exp(-r)) * np.exp(r)
        return np.where(r <= 0.0, lo, hi)


def f_prime_log(logu):
    # f′(u) = 1 − s² with s = 2/(1 + u); 1 − s = (u − 1)/(u + 1) = tanh(r/2) (no cancellation)
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore"):
        s = 2.0 / (1.0 + np.exp(r))
        return np.tanh(0.5 * r) * (1.0 + s)


def _conj_from_s(t, s):
    return t * (3.0 - s) / (1.0 + s)


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.sqrt(1.0 - t)
        out = np.where(t < -3.0, -1.0, _conj_from_s(t, s))
        return np.where(t <= 1.0, out, np.where(np.isnan(t), np.nan, np.inf))


def conjugate_activation(v):
    v = np.asarray(v, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        g = -np.expm1(-v)
        s = np.exp(-0.5 * v)  # √(1 − g)
        return np.where(v >= -math.log(4.0), _conj_from_s(g, s), -1.0)


TRIANGULAR = register(FDivergence(
    name="triangular",
    formula="(u - 1)**2/(u + 1)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 1.0),
    activation=one_minus_exp,
    conjugate_activation=conjugate_activation,
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=1.0,
    f_prime_at_inf=1.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 0.0),
    symmetric=True,
    upper_bound=2.0,
    conjugate_form="Piecewise((-1, t < -3), (4 - t - 4*sqrt(1 - t), t <= 1), (oo, True))",
    activation_form="1 - exp(-v)",
    conjugate_table_form="4 - t - 4*sqrt(1 - t) (not in the f-GAN table)",
    references=(
        "Le Cam (1986), Asymptotic Methods in Statistical Decision Theory, Springer, p. 47",
        "Topsøe (2000), Some inequalities for information divergence and related measures of "
        "discrimination, IEEE Trans. Inf. Theory 46(4)",
    ),
    conventions="int (p - q)^2/(p + q) in [0, 2]. TFP tfp.vi.triangular uses the same f. Also "
                "called Vincze–Le Cam divergence; some authors halve it.",
))
