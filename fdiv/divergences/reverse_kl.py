"""Reverse Kullback–Leibler divergence, ``f(u) = −log u``.

``D_f(P‖Q) = ∫ q log(q/p) = KL(Q‖P)``.  Centred generator ``φ(u) = u − 1 − log u``; with ``u = e^r``:

* ``φ(e^r) = e^r − 1 − r`` for ``r ≤ 0`` (grows like ``|r|``: f(0) = ∞),
* ``e^{−r} φ(e^r) = 1 − e^{−r}(1 + r)`` for ``r ≥ 0`` (→ 1 = f′(∞) − f′(1)),

both through :func:`expm1mx`, which uses a series where ``expm1(r) − r`` would cancel.
"""
import math

import numpy as np

from numba import njit

from .._blocks import block
from .._generator import FDivergence
from .._registry import register
from ._special import expm1mx, kl_factors


def phi_lo(r, theta):
    return expm1mx(r)


def phi_hi(r, theta):
    if r == math.inf:
        return 1.0
    if r < 700.0:
        return math.exp(-r) * expm1mx(r)
    return 1.0 - math.exp(-r) * (1.0 + r)


@njit(cache=True, error_model="numpy", inline="always")
def _phi(r):
    E, L = kl_factors(r)  # φ(e^r) = E for r ≤ 0, e^{−r}φ(e^r) = L for r > 0 (KL mirrored)
    return L if r > 0.0 else E


def phi_block(r, v, n, theta):
    r, v = block(r, n), block(v, n)
    for i in range(n):
        v[i] = _phi(r[i])


def f_log(logu):
    return -np.asarray(logu, dtype=np.float64)


def f_prime_log(logu):
    with np.errstate(over="ignore"):
        return -np.exp(-np.asarray(logu, dtype=np.float64))


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(t < 0.0, -1.0 - np.log(-t), np.where(np.isnan(t), np.nan, np.inf))


def activation(v):
    return -np.exp(-np.asarray(v, dtype=np.float64))


def conjugate_activation(v):
    return np.asarray(v, dtype=np.float64) - 1.0


REVERSE_KL = register(FDivergence(
    name="reverse_kl",
    formula="-log(u)",
    f_log=f_log,
    f_prime_log=f_prime_log,
    conjugate=conjugate,
    conjugate_domain=(-math.inf, 0.0),
    activation=activation,
    conjugate_activation=conjugate_activation,
    f_at_one=0.0,
    f_prime_at_one=-1.0,
    f_at_zero=math.inf,
    f_prime_at_inf=0.0,
    phi_lo=phi_lo,
    phi_hi=phi_hi,
    phi_block=phi_block,
    entire=True,
    growth_lo=(0.0, 1.0),
    growth_hi=(0.0, 0.0),
    conjugate_form="-1 - log(-t)",
    activation_form="-exp(-v)",
    conjugate_table_form="-1 - log(-t)",
    references=(
        "Kullback & Leibler (1951), On information and sufficiency, Ann. Math. Stat. 22(1)",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2 (activation -exp(-v))",
    ),
    conventions="KL(Q||P) in nats. TFP: tfp.vi.kl_reverse (f = -log u, plus (u - 1) when "
                "self_normalized). Equals alpha(a=0) up to the affine term u - 1.",
))
