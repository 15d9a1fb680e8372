"""Pearson χ² divergence, ``f(u) = (u − 1)²`` (the lecture's χ²).

``D_f(P‖Q) = ∫ (p − q)²/q``.  ``f(1) = f′(1) = 0`` so ``φ = f``; with ``u = e^r``:

* ``φ(e^r) = expm1(r)²`` for ``r ≤ 0`` (→ 1 = f(0)),
* ``e^{−r} φ(e^r) = expm1(r)·(−expm1(−r))`` for ``r ≥ 0`` (grows like ``e^r``).

Conjugate over ``u ≥ 0``: ``f*(t) = t²/4 + t`` for ``t ≥ −2`` and ``−1 = −f(0)`` for ``t < −2`` (the
f-GAN table extends f to u < 0 and prints ``t²/4 + t`` everywhere: a looser bound for t < −2).
"""
import math

import numpy as np

from .._generator import FDivergence
from .._registry import register
from ._special import identity


def phi_lo(r, theta):
    e = math.expm1(r)
    return e * e


def phi_hi(r, theta):
    if r == math.inf:
        return math.inf
    return -math.expm1(r) * math.expm1(-r)


def f_log(logu):
    with np.errstate(over="ignore"):
        return np.expm1(np.asarray(logu, dtype=np.float64)) ** 2


def f_prime_log(logu):
    with np.errstate(over="ignore"):
        return 2.0 * np.expm1(np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.where(t >= -2.0, t * (0.25 * t + 1.0), np.where(np.isnan(t), np.nan, -1.0))


PEARSON = register(FDivergence(
    name="pearson",
    formula="(u - 1)**2",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, math.inf),
    activation=identity,
    conjugate_activation=conjugate,
    f_at_one=0.0,
    f_prime_at_one=0.0,
    f_at_zero=1.0,
    f_prime_at_inf=math.inf,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    entire=True,
    growth_lo=(0.0, 0.0),
    growth_hi=(1.0, 0.0),
    conjugate_form="Piecewise((-1, t < -2), (t**2/4 + t, True))",
    activation_form="v",
    conjugate_table_form="t**2/4 + t",
    references=(
        "Pearson (1900), On the criterion that a given system of deviations ..., Phil. Mag. 50",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2 (conjugate over u in R)",
        "Lecture 16 (CSE6243), §16.2.2 (chi-square)",
    ),
    conventions="chi^2(P||Q) = int (p - q)^2 / q. TFP: tfp.vi.pearson (same f); tfp.vi.chi_square "
                "uses u^2 - 1 (same divergence for normalised P, Q). Some texts call this "
                "generator Neyman's: fdiv's neyman is (1 - u)^2/u.",
))
