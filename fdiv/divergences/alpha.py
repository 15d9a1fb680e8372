"""The α family (Amari), ``f(u) = (u^a − 1 − a(u − 1)) / (a(a − 1))``, parameter ``a`` (real).

``f(1) = f′(1) = 0``, so ``φ = f``; continuous in ``a``: ``a → 1`` gives ``u log u − u + 1`` (KL) and
``a → 0`` gives ``u − 1 − log u`` (reverse KL); ``a = 2`` is ½ Pearson χ², ``a = −1`` is ½ Neyman χ²,
``a = ½`` is 2 × squared Hellinger.  With ``f_a(u) = u f_{1−a}(1/u)`` one scalar function
``alpha_phi(r, a, b) = φ_a(e^r)`` (``r ≤ 0``, ``b = 1 − a``) gives both kernels:
``phi_lo(r) = alpha_phi(r, a, 1 − a)`` and ``phi_hi(r) = alpha_phi(−r, 1 − a, a)``.  It uses

* the series ``Σ_{k≥2} (1 + a + … + a^{k−2}) r^k/k!`` when ``|r| max(1, |a|) < 1`` (no cancellation
  in r, none in a),
* for ``|1 − a| < ½``: ``[e^{r}·expm1(−b r)/b + expm1(r)]/(b − 1)`` (``expm1(bs)/b → s`` as b → 0),
* for ``|a| < ½``: ``[expm1(a r)/a − expm1(r)]/(a − 1)``,
* otherwise ``(expm1(a r) − a expm1(r))/(a(a − 1))``,

so nothing cancels catastrophically as ``a → 0`` or ``a → 1`` (``1 − a`` is exact for a in [½, 2]).

Conjugate over ``u ≥ 0``: ``f*(t) = expm1(a L)/a`` with ``L = log1p((a − 1)t)/(a − 1)``, where
``1 + (a − 1)t > 0``; ``−1/a = −f(0)`` for ``a > 1`` and ``t ≤ −1/(a − 1)``; for ``a < 0`` also
``f*(1/(1 − a)) = −1/a``; ``+∞`` elsewhere.  Activation ``g(v) = f′(e^v) = expm1((a − 1)v)/(a − 1)``
(``v`` at a = 1), for which ``f*(g(v)) = expm1(a v)/a`` exactly.
"""
import math

import numpy as np
from numba import njit

from .._generator import FDivergence
from .._registry import register
from ._special import centred_f_log

_OPTS = dict(cache=True, error_model="numpy")


@njit(**_OPTS)
def alpha_phi(r, a, b):
    """``φ_a(e^r)`` for ``r ≤ 0``; ``b`` is ``1 − a`` (passed exactly where a is near 1)."""
    if r == -math.inf:
        return 1.0 / a if a > 0.0 else math.inf
    amax = max(1.0, abs(a))
    if abs(r) * amax < 1.0:
        term = 1.0
        h = 0.0
        ak = 1.0
        bound = 1.0  # ≥ |1 + a + … + a^{k−2}| / (k − 1)
        acc = 0.0
        for k in range(1, 60):
            term *= r / k  # r^k/k!
            if k >= 2:
                h += ak  # 1 + a + … + a^{k−2} (may vanish, e.g. a = −1, k odd)
                ak *= a
                acc += term * h
                if k > 2:
                    bound *= amax
                if abs(term) * bound * k <= 1e-17 * abs(acc):
                    break
        return acc
    if abs(b) < 0.5:
        s = -r
        if b == 0.0:
            q = s * math.exp(-s)
        elif b * s < 700.0:
            q = math.exp(-s) * math.expm1(b * s) / b
        else:
            q = math.exp((b - 1.0) * s) / b
        return (q + math.expm1(-s)) / (b - 1.0)
    if abs(a) < 0.5:
        q = r if a == 0.0 else math.expm1(a * r) / a
        return (q - math.expm1(r)) / (-b)
    return (math.expm1(a * r) - a * math.expm1(r)) / (a * (-b))


def phi_lo(r, theta):
    return alpha_phi(r, theta, 1.0 - theta)


def phi_hi(r, theta):
    return alpha_phi(-r, 1.0 - theta, theta)


def _em1_over(x, c):
    """``expm1(c x)/c`` (``x`` at c = 0), vectorised over x."""
    x = np.asarray(x, dtype=np.float64)
    if c == 0.0:
        return x * 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return np.expm1(c * x) / c


def f_prime_log_a(logu, a):
    """``f′(e^r) = expm1((a − 1) r)/(a − 1)``."""
    return _em1_over(logu, a - 1.0)


def conjugate_a(t, a):
    t = np.asarray(t, dtype=np.float64)
    c = a - 1.0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if c == 0.0:
            L = t * 1.0
        else:
            L = np.log1p(c * t) / c
        out = np.asarray(_em1_over(L, a), dtype=np.float64)
        if a > 1.0:
            out = np.where(c * t > -1.0, out, -1.0 / a)
        elif a < 1.0:
            hi = 1.0 / (1.0 - a)
            edge = -1.0 / a if a < 0.0 else np.inf
            out = np.where(t < hi, out, np.where(t == hi, edge, np.inf))
        return np.where(np.isnan(t), np.nan, out)


def activation_a(v, a):
    return _em1_over(v, a - 1.0)


def conjugate_activation_a(v, a):
    return _em1_over(v, a)


def check_param(name, value):
    """``float(value)``; ``TypeError``/``ValueError`` naming the parameter when it is not a finite real."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}={value!r}: the parameter must be finite (e.g. {name}=0.5)")
    return x


def _f_at_zero(a):
    return 1.0 / a if a > 0.0 else math.inf


def _f_prime_at_inf(a):
    return 1.0 / (1.0 - a) if a < 1.0 else math.inf


def _growth(a):
    lo = (0.0, 1.0) if a == 0.0 else ((-a, 0.0) if a < 0.0 else (0.0, 0.0))
    hi = (0.0, 1.0) if a == 1.0 else ((a - 1.0, 0.0) if a > 1.0 else (0.0, 0.0))
    return lo, hi


def _domain(a):
    return (-math.inf, 1.0 / (1.0 - a) if a < 1.0 else math.inf)


def _formula(a, symbol="a"):
    if a == 1.0:
        return "u*log(u) - u + 1"
    if a == 0.0:
        return "u - 1 - log(u)"
    return f"(u**{symbol} - 1 - {symbol}*(u - 1))/({symbol}*({symbol} - 1))"


def alpha(a=0.5):
    """The α-divergence ``f(u) = (u^a − 1 − a(u − 1))/(a(a − 1))`` (continuous at a = 0 and a = 1)."""
    a = check_param("a", a)
    glo, ghi = _growth(a)
    return FDivergence(
        name="alpha",
        formula=_formula(a),
        params={"a": a},
        f_log=centred_f_log(phi_lo, phi_hi, a),
        f_prime_log=lambda logu: f_prime_log_a(logu, a),
        conjugate=lambda t: conjugate_a(t, a),
        conjugate_domain=_domain(a),
        activation=lambda v: activation_a(v, a),
        conjugate_activation=lambda v: conjugate_activation_a(v, a),
        f_at_one=0.0,
        f_prime_at_one=0.0,
        f_at_zero=_f_at_zero(a),
        f_prime_at_inf=_f_prime_at_inf(a),
        phi_lo=phi_lo,
        phi_hi=phi_hi,
        theta=a,
        entire=True,
        growth_lo=glo,
        growth_hi=ghi,
        symmetric=(a == 0.5),
        upper_bound=(_f_at_zero(a) + _f_prime_at_inf(a)) if 0.0 < a < 1.0 else None,
        conjugate_form="(exp(a*log(1 + (a - 1)*t)/(a - 1)) - 1)/a where 1 + (a - 1)*t > 0; "
                       "-1/a for a > 1 and t <= -1/(a - 1); +oo otherwise",
        activation_form="(exp((a - 1)*v) - 1)/(a - 1)",
        conjugate_table_form="(1/a)*(1 + (a - 1)*t)**(a/(a - 1)) - 1/a (same; not in the f-GAN "
                             "Table 2)",
        references=(
            "Amari (1985), Differential-Geometrical Methods in Statistics, Springer LNS 28",
            "Cichocki & Amari (2010), Families of alpha- beta- and gamma-divergences, Entropy 12(6)",
            "Zhu & Rohwer (1995), Information geometric measurements of generalisation, "
            "Aston Univ. tech. report NCRG/4350",
            "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS, Table 1",
        ),
        conventions="D_a(P||Q) = int q f(p/q): a -> 1 is KL(P||Q), a -> 0 is KL(Q||P). TFP: "
                    "tfp.vi.amari_alpha(logu, alpha, self_normalized=True) is this f. The f-GAN "
                    "paper prints the integral with p and q swapped relative to its f; dit swaps "
                    "its alpha = +-1 special cases and mixes bits and nats; Renyi's divergence "
                    "of order a is log(1 + a(a - 1) D_a)/(a - 1).",
    )


register(alpha)
