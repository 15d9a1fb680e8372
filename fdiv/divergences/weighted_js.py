"""Weighted (skew) Jensen–Shannon divergence, parameter ``pi`` in (0, 1).

``JS_π(P‖Q) = π KL(P‖M) + (1 − π) KL(Q‖M)`` with ``M = πP + (1 − π)Q``; generator

    f(u) = π u log u − (π u + 1 − π) log(π u + 1 − π),

``f(1) = f′(1) = 0``, ``f(0) = −(1 − π) log(1 − π)``, ``f′(∞) = −π log π``, bounded by the binary
entropy ``H(π)``; ``π = ½`` is :mod:`js`.  Writing ``ρ = 1 − π`` and using ``f_π(u) = u f_ρ(1/u)``,
both kernels come from one function ``wjs_phi(s, A, B) = e^{−s} φ_A(e^s) = φ_B(e^{−s})`` (``s ≥ 0``,
``A + B = 1``):

* closed forms ``−B s e^{−s} − μ log μ`` and ``A s − μ log1p(A expm1(s))`` with ``μ = A + B e^{−s}``;
  of the two, the one whose terms are smaller (less cancellation) is used;
* near ``s = 0`` the series ``A B Σ_{k≥2} |x|^k (1 + B + … + B^{k−2}) / (k(k − 1))`` in
  ``x = expm1(−s)`` (all terms positive).

Conjugate (over u ≥ 0): ``f*(t) = −ρ log((1 − π e^{t/π})/ρ)`` for ``t < −π log π``; with the
activation ``g(v) = −π (log π + softplus(−v))``, ``f*(g(v)) = ρ (softplus(v) + log ρ)``.

The parameter is named ``pi`` as users ask for it; in ``formula`` parse it as a *symbol*
(``sympy.sympify(formula, locals={'pi': sympy.Symbol('pi')})``), not sympy's constant π.
"""
import functools
import math

import numpy as np
from numba import njit

from .._generator import FDivergence
from .._registry import register
from ._special import centred_f_log, np_softplus

_OPTS = dict(cache=True, error_model="numpy")
#: 1/(k(k − 1)) for the series (a multiplication, not a division, per term: the division's
#: throughput bounded the whole kernel)
_INV_K_KM1 = np.array([0.0, 0.0] + [1.0 / (k * (k - 1.0)) for k in range(2, 121)])


@njit(**_OPTS)
def _log_mu(s, A, B):
    """``log(A + B e^{−s})`` for ``s ≥ 0``."""
    mu = A + B * math.exp(-s)
    if mu > 0.5:
        return math.log1p(B * math.expm1(-s))
    return math.log(mu)


@njit(**_OPTS)
def wjs_phi(s, A, B):
    """``e^{−s} φ_A(e^s) = φ_B(e^{−s})`` for ``s ≥ 0`` (``A + B = 1``, both in (0, 1))."""
    if s == math.inf:
        return -A * math.log(A)
    x = math.expm1(-s)
    if x >= -0.5:
        # even and odd k summed in two interleaved chains (half the latency of one):
        # term |x|^k, h_k = 1 + B + … + B^{k−2} (h_{k+2} = h_k + B^{k−1}(1 + B)), bk = B^{k−1}
        ax = -x
        ax2 = ax * ax
        te, to = ax2, ax2 * ax
        he, ho = 1.0, 1.0 + B
        bke, bko = B, B * B
        step = 1.0 + B
        b2 = B * B
        acc_e = 0.0
        acc_o = 0.0
        for k in range(2, 120, 2):
            ce = te * he * _INV_K_KM1[k]
            co = to * ho * _INV_K_KM1[k + 1]
            acc_e += ce
            acc_o += co
            if co <= 1e-17 * (acc_e + acc_o):  # the terms decrease (ratio ≤ 2|x| ≤ 1)
                break
            te *= ax2
            to *= ax2
            he += bke * step
            ho += bko * step
            bke *= b2
            bko *= b2
        acc = acc_e + acc_o
        return A * B * acc
    mu = A + B * math.exp(-s)
    lmu = _log_mu(s, A, B)
    t1 = B * s * math.exp(-s)
    t2 = -mu * lmu
    if s < 700.0:
        lw = math.log1p(A * math.expm1(s))
        u1 = A * s
        u2 = mu * lw
        if max(u1, u2) < max(t1, t2):
            return u1 - u2
    return t2 - t1


def phi_lo(r, theta):
    return wjs_phi(-r, 1.0 - theta, theta)


def phi_hi(r, theta):
    return wjs_phi(r, theta, 1.0 - theta)


def _np_log_mu(r, A, B):
    """Vectorised ``log(A + B e^{−r})`` for real r (``A + B = 1``), used by ``f′``."""
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.expm1(-r)
        mu = A + B * np.exp(-r)
        near = np.log1p(B * e)
        far = np.log(mu)
        big = -r + np.log(B) + np.log1p(A * np.exp(r) / B)  # r ≪ 0: mu = B e^{−r}(1 + …)
        out = np.where(np.abs(B * e) < 0.5, near, far)
        return np.where(r < -700.0, big, out)


def f_prime_log_pi(logu, pi):
    """``f′(e^r) = −π log(π + ρ e^{−r})``."""
    return -pi * _np_log_mu(logu, pi, 1.0 - pi)


@functools.lru_cache(maxsize=64)
def _log_split(pi):
    """``log π`` as a double-double ``(hi, lo)``: the domain end ``−π log π`` of the conjugate
    is not a double, and a t within ulps of it needs the low part to see which side it is on."""
    import mpmath

    hi = math.log(pi)
    with mpmath.workdps(40):
        lo = float(mpmath.log(mpmath.mpf(pi)) - hi)
    return hi, lo


def _div_dd(t, pi):
    """``t/π`` as ``(q, q_lo)`` with ``q + q_lo`` exact to ~2⁻¹⁰⁶ (Dekker's error-free product)."""
    q = t / pi
    split = 134217729.0  # 2^27 + 1
    qa = split * q
    qh = qa - (qa - q)
    ql = q - qh
    pa = split * pi
    ph = pa - (pa - pi)
    pl = pi - ph
    prod = q * pi
    err = ((qh * ph - prod) + qh * pl + ql * ph) + ql * pl
    lo = ((t - prod) - err) / pi
    # the splitting overflows for |q| near the top of the range, where the low part is moot
    return q, np.where(np.abs(q) < 1e150, lo, 0.0)


def conjugate_pi(t, pi):
    """``f*(t) = −ρ log1p(−π expm1(t/π)/ρ)``; near the end of the domain via ``−expm1(z)`` with
    ``z = t/π + log π < 0`` formed in double-double (finite up to the last double below the end)."""
    rho = 1.0 - pi
    t = np.asarray(t, dtype=np.float64)
    lhi, llo = _log_split(pi)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x = -pi * np.expm1(t / pi) / rho
        near = -rho * np.log1p(x)
        q, q_lo = _div_dd(t, pi)
        z = (q + lhi) + (q_lo + llo)
        edge = -rho * (np.log(-np.expm1(z)) - math.log(rho))
        out = np.where(x >= -0.5, near, edge)
        out = np.where(z < 0, out, np.where(np.isnan(t), np.nan, np.inf))
    return out


def activation_pi(v, pi):
    """``g(v) = π log(σ(v)/π)``; near its zero ``v₀ = log(π/ρ)`` as ``π log1p(expm1(v − v₀)/(1 + e^v))``
    (exact through 0 at π = ½, where v₀ = 0)."""
    v = np.asarray(v, dtype=np.float64)
    v0 = math.log(pi / (1.0 - pi))
    with np.errstate(over="ignore", invalid="ignore"):
        far = -pi * (math.log(pi) + np_softplus(-v))
        x = np.expm1(v - v0) / (1.0 + np.exp(v))
        near = pi * np.log1p(x)
        return np.where((np.abs(v) <= 30.0) & (x > -0.5), near, far)


def conjugate_activation_pi(v, pi):
    """``f*(g(v)) = ρ (softplus(v) + log ρ)``; near its zero ``v₀ = log(π/ρ)`` as
    ``ρ log1p(π expm1(v − v₀))`` (``ρ(1 + e^v) − 1 = π expm1(v − v₀)``)."""
    rho = 1.0 - pi
    v = np.asarray(v, dtype=np.float64)
    v0 = math.log(pi / rho)
    with np.errstate(over="ignore", invalid="ignore"):
        far = rho * (np_softplus(v) + math.log(rho))
        x = pi * np.expm1(v - v0)
        near = rho * np.log1p(x)
        return np.where((np.abs(v) <= 30.0) & (x > -0.5), near, far)


def weighted_js(pi=0.5):
    """The weighted Jensen–Shannon divergence ``π KL(P‖M) + (1 − π) KL(Q‖M)``, ``M = πP + (1−π)Q``."""
    try:
        pi = float(pi)
    except (TypeError, ValueError):
        raise TypeError(f"pi must be a real number in (0, 1), not {type(pi).__name__}") from None
    if not (0.0 < pi < 1.0):
        raise ValueError(f"pi={pi!r}: weighted_js needs 0 < pi < 1 (pi = 0.5 is js)")
    rho = 1.0 - pi
    return FDivergence(
        name="weighted_js",
        formula="pi*u*log(u) - (pi*u + 1 - pi)*log(pi*u + 1 - pi)",
        params={"pi": pi},
        f_log=centred_f_log(phi_lo, phi_hi, pi),
        f_prime_log=lambda logu: f_prime_log_pi(logu, pi),
        conjugate=lambda t: conjugate_pi(t, pi),
        conjugate_domain=(-math.inf, -pi * math.log(pi)),
        activation=lambda v: activation_pi(v, pi),
        conjugate_activation=lambda v: conjugate_activation_pi(v, pi),
        f_at_one=0.0,
        f_prime_at_one=0.0,
        f_at_zero=-rho * math.log(rho),
        f_prime_at_inf=-pi * math.log(pi),
        phi_lo=phi_lo,
        phi_hi=phi_hi,
        theta=pi,
        growth_lo=(0.0, 0.0),
        growth_hi=(0.0, 0.0),
        symmetric=(pi == 0.5),
        upper_bound=-pi * math.log(pi) - rho * math.log(rho),
        conjugate_form="-(1 - pi)*log((1 - pi*exp(t/pi))/(1 - pi)) for t < -pi*log(pi)",
        activation_form="-pi*(log(pi) + log(1 + exp(-v)))",
        conjugate_table_form="-(1 - pi)*log((1 - pi*exp(t/pi))/(1 - pi))",
        references=(
            "Lin (1991), Divergence measures based on the Shannon entropy, IEEE Trans. Inf. "
            "Theory 37(1) (weighted JS, the pi-JS)",
            "Huszár (2015), How (not) to train your generative model: scheduled sampling, "
            "likelihood, adversary?, arXiv:1511.05101 (JS_pi interpolating KL and reverse KL)",
            "Nowozin, Cseke & Tomioka (2016), f-GAN, NeurIPS (JS row, pi = 1/2)",
        ),
        conventions="Nats, bounded by the binary entropy H(pi). pi weights P: "
                    "JS_pi(P||Q) = JS_{1-pi}(Q||P); pi = 1/2 gives fdiv's js (not 2 JS, not "
                    "sqrt JS). The parameter is a sympy *symbol* "
                    "named pi in `formula`, not the constant 3.14159.",
    )


register(weighted_js)
