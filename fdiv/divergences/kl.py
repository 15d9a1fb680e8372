"""Kullback–Leibler divergence, ``f(u) = u log u``.

``D_f(P‖Q) = ∫ p log(p/q)`` (the lecture, §16.2.2).  Centred generator
``φ(u) = u log u − u + 1``; with ``u = e^r``:

* ``φ(e^r) = 1 − e^r (1 − r)`` for ``r ≤ 0`` (→ 1 = f(0) − f(1) + f′(1) as r → −∞),
* ``e^{−r} φ(e^r) = r + expm1(−r)`` for ``r ≥ 0`` (grows like r: f′(∞) = ∞),

each with its Taylor series near r = 0, where the closed forms cancel.  ``phi_block`` computes
both branches for a block of ``r`` without branching, from :func:`~._special.kl_factors`.
"""
import math

import numpy as np

from numba import njit

from .._blocks import block
from .._generator import FDivergence
from .._kernels import horner
from .._registry import register
from ._special import identity, kl_factors

# φ(e^r) = Σ_{k≥2} (k−1) r^k / k!   and   e^{−r}φ(e^r) = Σ_{k≥2} (−r)^k / k!
_LO = tuple([0.0, 0.0] + [(k - 1) / math.factorial(k) for k in range(2, 22)])
_HI = tuple([0.0, 0.0] + [(-1.0) ** k / math.factorial(k) for k in range(2, 22)])


def phi_lo(r, theta):
    if r > -0.5:
        return horner(_LO, r)
    if r == -math.inf:
        return 1.0
    return 1.0 - math.exp(r) * (1.0 - r)


def phi_hi(r, theta):
    if r < 0.5:
        return horner(_HI, r)
    return r + math.expm1(-r)


@njit(cache=True, error_model="numpy", inline="always")
def _phi(r):
    E, L = kl_factors(r)  # e^{−r}φ(e^r) = E for r > 0, φ(e^r) = L for r ≤ 0
    return E if r > 0.0 else L


def phi_block(r, v, n, theta):
    r, v = block(r, n), block(v, n)
    for i in range(n):
        v[i] = _phi(r[i])


def f_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(r == -np.inf, 0.0, r * np.exp(r))


def f_prime_log(logu):
    return 1.0 + np.asarray(logu, dtype=np.float64)


def conjugate(t):
    return np.exp(np.asarray(t, dtype=np.float64) - 1.0)


KL = register(FDivergence(
    name="kl",
    formula="u*log(u)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, math.inf),
    activation=identity,
    conjugate_activation=conjugate,
    f_at_one=0.0,
    f_prime_at_one=1.0,
    f_at_zero=0.0,
    f_prime_at_inf=math.inf,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    phi_block=phi_block,
    entire=True,
    growth_lo=(0.0, 0.0),
    growth_hi=(0.0, 1.0),
    conjugate_form="exp(t - 1)",
    activation_form="v",
    conjugate_table_form="exp(t - 1)",
    references=(
        "Kullback & Leibler (1951), On information and sufficiency, Ann. Math. Stat. 22(1)",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2",
        "Lecture 16 (CSE6243), §16.2.2",
    ),
    conventions="Nats. scipy.stats.entropy(p, q) and scipy.special.rel_entr agree (discrete); "
                "dit reports bits.",
))
