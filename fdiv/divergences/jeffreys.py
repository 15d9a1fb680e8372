"""Jeffreys divergence, ``f(u) = (u − 1) log u`` = KL(P‖Q) + KL(Q‖P).

``φ = f`` (a product: no cancellation); with ``u = e^r``:

* ``φ(e^r) = r·expm1(r)`` for ``r ≤ 0`` (grows like ``|r|``),
* ``e^{−r} φ(e^r) = −r·expm1(−r)`` for ``r ≥ 0`` (grows like ``r``); symmetric.

Conjugate: ``f′(u) = log u + 1 − 1/u = t`` gives ``1/u = z`` with ``z + log z = 1 − t``, i.e.
``z = ω(1 − t)`` (Wright omega, ``W(e^{1−t})``), and ``f*(t) = 1/z − 1 − log z`` for all real t;
near t = 0 it is evaluated through ``d = z − 1`` (``d + log1p(d) = −t``, refined by Newton) as
``−d/(1 + d) − log1p(d)``, which does not cancel.
"""
import math

import numpy as np
from scipy.special import wrightomega

from numba import njit

from .._blocks import block
from .._generator import FDivergence
from .._registry import register
from ._special import identity, kl_factors


def phi_lo(r, theta):
    if r == -math.inf:
        return math.inf
    return r * math.expm1(r)


def phi_hi(r, theta):
    if r == math.inf:
        return math.inf
    return -r * math.expm1(-r)


@njit(cache=True, error_model="numpy", inline="always")
def _phi(r):
    E, L = kl_factors(r)  # φ(e^r) = e^{−r}φ(e^r)|_{−r} = E + L: KL's factor plus reverse KL's
    return E + L


def phi_block(r, v, n, theta):
    r, v = block(r, n), block(v, n)
    for i in range(n):
        v[i] = _phi(r[i])


def f_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(r <= 0.0, r * np.expm1(r), -r * np.expm1(-r) * np.exp(r))


def f_prime_log(logu):
    r = np.asarray(logu, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return r - np.expm1(-r)


def conjugate(t):
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = np.real(wrightomega(1.0 - t))
        far = 1.0 / z - 1.0 - np.log(z)
        d = z - 1.0
        for _ in range(3):  # Newton on h(d) = d + log1p(d) + t, where d is small
            d = d - (d + np.log1p(d) + t) / (1.0 + 1.0 / (1.0 + d))
        near = -d / (1.0 + d) - np.log1p(d)
        out = np.where(np.abs(t) < 0.5, near, far)
        out = np.where(t == np.inf, np.inf, np.where(t == -np.inf, np.inf, out))
    return out


JEFFREYS = register(FDivergence(
    name="jeffreys",
    formula="(u - 1)*log(u)",
    f_log=f_log,
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
    phi_block=phi_block,
    entire=True,
    growth_lo=(0.0, 1.0),
    growth_hi=(0.0, 1.0),
    symmetric=True,
    conjugate_form="1/z - 1 - log(z) with z = LambertW(exp(1 - t))",
    activation_form="v",
    conjugate_table_form="LambertW(exp(1 - t)) + 1/LambertW(exp(1 - t)) + t - 2",
    references=(
        "Jeffreys (1946), An invariant form for the prior probability in estimation problems, "
        "Proc. R. Soc. A 186",
        "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 2",
    ),
    conventions="KL(P||Q) + KL(Q||P) in nats. TFP's tfp.vi.jeffreys is half of this "
                "(f = 0.5 (u - 1) log u).",
))
