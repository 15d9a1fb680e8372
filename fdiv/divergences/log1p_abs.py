"""TensorFlow Probability's log1p-abs Csiszár function, ``f(u) = u^{sign(u − 1)} − 1 = max(u, 1/u) − 1``.

Built from ``log(1 + f(u)) = |log u|``.  Convex with a kink at u = 1 (left slope −1, right slope +1;
``smooth=False``, subgradient ``f′(1) = 0``), so ``φ = f``:

* ``φ(e^r) = expm1(−r)`` for ``r ≤ 0`` (grows like ``e^{|r|}``: f(0) = ∞),
* ``e^{−r} φ(e^r) = −expm1(−r)`` for ``r ≥ 0`` (→ 1 = f′(∞)).

Conjugate over ``u ≥ 0``: ``1 − 2√(−t)`` for ``t < −1``, ``t`` for ``−1 ≤ t ≤ 1``, ``+∞`` for
``t > 1``.  Activation ``g(v) = 1 − e^{−v}``; ``f*(g(v)) = 1 − 2√(expm1(−v))`` below ``v = −log 2``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import one_minus_exp


def phi_lo(r, theta):
    return math.expm1(-r)


def phi_hi(r, theta):
    return -math.expm1(-r)


def f_log(logu):
    with np.errstate(over="ignore"):
        return np.expm1(np.abs(np.asarray(logu, dtype=np.float64)))


def f_prime_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.where(r > 0.0, 1.0, np.where(r < 0.0, -np.exp(-2.0 * r), np.where(r == 0, 0.0, np.nan)))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = np.where(t < -1.0, 1.0 - 2.0 * np.sqrt(-t), t)
        return np.where(t <= 1.0, out, np.where(np.isnan(t), np.nan, np.inf))


def conjugate_activation(v):
    v = np.asarray(v, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.expm1(-v)
        # √expm1(−v) = e^{−v/2} √(−expm1(v)) (no overflow for v > −1400)
        return np.where(e > 1.0, 1.0 - 2.0 * np.exp(-0.5 * v) * np.sqrt(-np.expm1(v)), -e)


LOG1P_ABS = register(FDivergence(
    name="log1p_abs",
    formula="Max(u, 1/u) - 1",
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
    growth_lo=(1.0, 0.0),
    growth_hi=(0.0, 0.0),
    smooth=False,
    conjugate_form="Piecewise((1 - 2*sqrt(-t), t < -1), (t, t <= 1), (oo, True))",
    activation_form="1 - exp(-v)",
    conjugate_table_form="(not in the f-GAN table)",
    references=(
        "TensorFlow Probability, tfp.vi.log1p_abs (csiszar_divergence.py)",
    ),
    conventions="Same f as TFP's log1p_abs. D_f(P||Q) = int_{p<q} q^2/p - q + int_{p>q} p - q.",
))
