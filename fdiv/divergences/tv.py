"""Total variation, ``f(u) = |u − 1|`` (the lecture's TV = ∫|p − q| ≤ 2).

Not differentiable at u = 1 (``smooth=False``: the engine splits at the crossings p = q);
``f′(1) = 0`` is the subgradient used for centring, so ``φ = f``:

* ``φ(e^r) = −expm1(r)`` for ``r ≤ 0`` (→ 1 = f(0)),
* ``e^{−r} φ(e^r) = −expm1(−r)`` for ``r ≥ 0`` (→ 1 = f′(∞)).

Conjugate over ``u ≥ 0``: ``f*(t) = max(t, −1)`` for ``t ≤ 1``, ``+∞`` for ``t > 1`` (the f-GAN
table extends f to u < 0: ``t`` on ``|t| ≤ 1``).  Activation ``tanh(v)``, ``f*(tanh v) = tanh v``.
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register


def phi_lo(r, theta):
    return -math.expm1(r)


def phi_hi(r, theta):
    return -math.expm1(-r)


def f_log(logu):
    with np.errstate(over="ignore"):
        return np.abs(np.expm1(np.asarray(logu, dtype=np.float64)))


def f_prime_log(logu):
    return np.sign(np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    return np.where(t <= 1.0, np.maximum(t, -1.0), np.where(np.isnan(t), np.nan, np.inf))


def activation(v):
    return np.tanh(np.asarray(v, dtype=np.float64))


TV = register(FDivergence(
    name="tv",
    formula="Abs(u - 1)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 1.0),
    activation=activation,
    conjugate_activation=activation,
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=1.0,
    f_prime_at_inf=1.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 0.0),
    smooth=False,
    symmetric=True,
    upper_bound=2.0,
    conjugate_form="Piecewise((-1, t < -1), (t, t <= 1), (oo, True))",
    activation_form="tanh(v)",
    conjugate_table_form="t for |t| <= 1 (f extended to u < 0), +oo otherwise; the paper's "
                         "f = |u - 1|/2 gives t on |t| <= 1/2 with activation tanh(v)/2",
    references=(
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2 (TV = half of fdiv's)",
        "Lecture 16 (CSE6243), §16.2.2",
        "Tsybakov (2009), Introduction to Nonparametric Estimation, §2.4",
    ),
    conventions="fdiv: int |p - q| in [0, 2] (the lecture). Probability texts, the f-GAN paper "
                "and TFP's tfp.vi.total_variation use half of it, sup_A |P(A) - Q(A)| in [0, 1].",
))
