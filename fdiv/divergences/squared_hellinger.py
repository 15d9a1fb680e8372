"""Squared Hellinger distance, ``f(u) = (√u − 1)²``.

``D_f(P‖Q) = ∫ (√p − √q)² = 2(1 − BC) ≤ 2``.  ``φ = f``; with ``u = e^r``:

* ``φ(e^r) = expm1(r/2)²`` for ``r ≤ 0`` (→ 1 = f(0)),
* ``e^{−r} φ(e^r) = expm1(−r/2)²`` for ``r ≥ 0`` (→ 1 = f′(∞)); symmetric.

Conjugate over ``u ≥ 0``: ``f*(t) = t/(1 − t)`` for ``t < 1``; with ``g(v) = 1 − e^{−v}``,
``f*(g(v)) = e^v − 1``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import one_minus_exp


def phi_lo(r, theta):
    e = math.expm1(0.5 * r)
    return e * e


def phi_hi(r, theta):
    e = math.expm1(-0.5 * r)
    return e * e


def f_log(logu):
    with np.errstate(over="ignore"):
        return np.expm1(0.5 * np.asarray(logu, dtype=np.float64)) ** 2


def f_prime_log(logu):
    with np.errstate(over="ignore"):
        return -np.expm1(-0.5 * np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t < 1.0, t / (1.0 - t), np.where(np.isnan(t), np.nan, np.inf))


def conjugate_activation(v):
    with np.errstate(over="ignore"):
        return np.expm1(np.asarray(v, dtype=np.float64))


SQUARED_HELLINGER = register(FDivergence(
    name="squared_hellinger",
    formula="(sqrt(u) - 1)**2",
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
    entire=True,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 0.0),
    symmetric=True,
    upper_bound=2.0,
    conjugate_form="t/(1 - t)",
    activation_form="1 - exp(-v)",
    conjugate_table_form="t/(1 - t)",
    references=(
        "Hellinger (1909), Neue Begründung der Theorie quadratischer Formen, J. reine angew. Math.",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2",
    ),
    conventions="H^2 = int (sqrt p - sqrt q)^2 = 2(1 - BC) in [0, 2]. Some texts halve it "
                "(H^2 = 1 - BC); dit's hellinger is sqrt(1 - BC); TFP tfp.vi.squared_hellinger uses "
                "the same f as fdiv.",
))
