"""Neyman χ² divergence, ``f(u) = (1 − u)²/u``.

``D_f(P‖Q) = ∫ (p − q)²/p`` = Pearson χ²(Q‖P).  ``φ = f``; with ``u = e^r``:

* ``φ(e^r) = e^{−r} expm1(r)² = expm1(r)·(−expm1(−r))`` for ``r ≤ 0`` (grows like ``e^{|r|}``),
* ``e^{−r} φ(e^r) = expm1(−r)²`` for ``r ≥ 0`` (→ 1 = f′(∞)).

Conjugate over ``u ≥ 0``: ``f*(t) = 2 − 2√(1 − t)`` for ``t ≤ 1`` (``f*(1) = 2``, a supremum not
attained), ``+∞`` for ``t > 1``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import one_minus_exp


def phi_lo(r, theta):
    if r == -math.inf:
        return math.inf
    return -math.expm1(r) * math.expm1(-r)


def phi_hi(r, theta):
    e = math.expm1(-r)
    return e * e


def f_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(r <= 0.0, -np.expm1(r) * np.expm1(-r), np.exp(r) * np.expm1(-r) ** 2)


def f_prime_log(logu):
    with np.errstate(over="ignore"):
        return -np.expm1(-2.0 * np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        # 2 − 2√(1 − t) = 2t/(1 + √(1 − t)): no cancellation near t = 0
        return np.where(t <= 1.0, 2.0 * t / (1.0 + np.sqrt(1.0 - t)),
                        np.where(np.isnan(t), np.nan, np.inf))


def conjugate_activation(v):
    with np.errstate(over="ignore"):
        return -2.0 * np.expm1(-0.5 * np.asarray(v, dtype=np.float64))


NEYMAN = register(FDivergence(
    name="neyman",
    formula="(1 - u)**2/u",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 1.0),
    activation=one_minus_exp,
    conjugate_activation=conjugate_activation,
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=math.inf,
    f_prime_at_inf=1.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    entire=True,
    growth_lo=(1.0, 0.0),
    growth_hi=(0.0, 0.0),
    conjugate_form="Piecewise((2 - 2*sqrt(1 - t), t <= 1), (oo, True))",
    activation_form="1 - exp(-v)",
    conjugate_table_form="2 - 2*sqrt(1 - t)",
    references=(
        "Neyman (1949), Contribution to the theory of the chi-square test, Berkeley Symp. 1",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2",
    ),
    conventions="int (p - q)^2 / p = Pearson chi^2(Q||P). Sources attach the names Pearson and "
                "Neyman to opposite generators; fdiv: pearson (u-1)^2, neyman (1-u)^2/u. f-GAN "
                "prints the activation as 1 - exp(v) (decreasing); fdiv uses 1 - exp(-v).",
))
