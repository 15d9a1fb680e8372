"""numba kernels shared by every registry member.

Each member supplies two scalar functions of ``r = log u`` (``phi_lo``, ``phi_hi``, see
:mod:`fdiv._generator`).  They are compiled once each as numba ``cfunc`` objects (cached on disk)
and passed as first-class function values to the array kernels below, which are therefore compiled
once for all members (``FunctionType`` arguments keep numba's on-disk cache valid; passing
dispatchers would recompile every process).
"""
from __future__ import annotations

import math
import threading

import numpy as np
from numba import cfunc, njit, types

__all__ = ["scalar_kernels", "f_log_from_phi", "centred_phi", "integrand", "integrand_point", "horner"]

_SIG = types.float64(types.float64, types.float64)
_OPTS = dict(cache=True, error_model="numpy")
_LOCK = threading.Lock()
_COMPILED: dict = {}

#: |r| beyond which a member whose φ grows like e^{k|r|} is extended by its asymptote
#: (the scalar kernel would overflow; the product with the density is formed in log space);
#: for k > 1 the kernel overflows sooner, at |r| ≈ 709/k, so the asymptote starts at
#: :func:`asymptote_start` (k): ``min(R_ASYMPTOTE, 600/k)``, where ``e^{k|r|}`` is at most
#: e^600, leaving room for the member's constant factor.
R_ASYMPTOTE = 700.0


@njit(**_OPTS, inline="always")
def asymptote_start(k):
    """``|r|`` from which a factor growing like ``e^{k|r|}`` is continued by its asymptote."""
    return R_ASYMPTOTE if k <= 1.0 else min(R_ASYMPTOTE, 600.0 / k)


@njit(**_OPTS)
def horner(coeffs, r):
    """Evaluate ``Σ coeffs[i] r^i`` (for Taylor branches of the scalar kernels).

    Four interleaved Horner chains in ``r⁴`` (``Σ_j r^j Σ_i coeffs[4i+j] r^{4i}``): the same
    operations as one chain, but independent, so the latency is a quarter of plain Horner's.
    """
    n = len(coeffs)
    r2 = r * r
    r4 = r2 * r2
    a0 = a1 = a2 = a3 = 0.0
    for i in range((n - 1) // 4 * 4, -1, -4):
        a0 = a0 * r4 + coeffs[i]
        a1 = a1 * r4 + (coeffs[i + 1] if i + 1 < n else 0.0)
        a2 = a2 * r4 + (coeffs[i + 2] if i + 2 < n else 0.0)
        a3 = a3 * r4 + (coeffs[i + 3] if i + 3 < n else 0.0)
    return (a0 + r * a1) + r2 * (a2 + r * a3)


def scalar_kernels(div):
    """The member's (``phi_lo``, ``phi_hi``) compiled as numba cfuncs (memoised, cached on disk)."""
    key = (div.phi_lo, div.phi_hi)
    got = _COMPILED.get(key)
    if got is None:
        with _LOCK:
            got = _COMPILED.get(key)
            if got is None:
                got = (cfunc(_SIG, **_OPTS)(div.phi_lo), cfunc(_SIG, **_OPTS)(div.phi_hi))
                _COMPILED[key] = got
    return got


@njit(**_OPTS)
def _f_log_kernel(lo, hi, theta, f1, fp1, fpinf, r, out):
    for i in range(r.size):
        x = r[i]
        if math.isnan(x):
            out[i] = np.nan
        elif x == np.inf:
            out[i] = np.inf if fpinf > 0 else (-np.inf if fpinf < 0 else np.nan)
        elif x <= 0.0:
            out[i] = f1 + fp1 * math.expm1(x) + lo(x, theta)
        else:
            e = math.exp(x)
            if e == np.inf:  # f(e^x) = f(1) − f′(1) + e^x (φ-part + f′(1)): the sign of the factor
                c = hi(x, theta) + fp1
                out[i] = np.inf if c > 0 else (-np.inf if c < 0 else f1 - fp1)
            else:
                out[i] = f1 + fp1 * math.expm1(x) + e * hi(x, theta)


@njit(**_OPTS)
def _phi_kernel(lo, hi, theta, r, out):
    for i in range(r.size):
        x = r[i]
        if math.isnan(x):
            out[i] = np.nan
        elif x <= 0.0:
            out[i] = lo(x, theta)
        elif x == np.inf:
            out[i] = np.inf if hi(x, theta) != 0.0 else 0.0
        else:
            out[i] = math.exp(x) * hi(x, theta)


def _run(kernel, div, r, *consts):
    lo, hi = scalar_kernels(div)
    r = np.asarray(r, dtype=np.float64)
    flat = np.ascontiguousarray(r).ravel()
    out = np.empty_like(flat)
    kernel(lo, hi, float(div.theta), *consts, flat, out)
    out = out.reshape(r.shape)
    return out[()] if out.ndim == 0 else out


def f_log_from_phi(div, logu):
    """``f(e^logu) = f(1) + f′(1) expm1(logu) + φ(e^logu)`` from the member's scalar kernels."""
    return _run(_f_log_kernel, div, logu, float(div.f_at_one), float(div.f_prime_at_one),
                float(div.f_prime_at_inf))


def centred_phi(div, r):
    """``φ(e^r)``, vectorised (compiled members) or from ``f_log`` (user generators)."""
    if div.compiled:
        return _run(_phi_kernel, div, r)
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return div.f_log(r) - div.f_at_one - div.f_prime_at_one * np.expm1(r)


@njit(**_OPTS)
def integrand_point(lo, hi, theta, klo, mlo, khi, mhi, lp, lq):
    """``q φ(p/q)`` from ``log p``, ``log q`` at one point (see :func:`integrand`)."""
    if lp == -np.inf and lq == -np.inf:
        return 0.0
    r = lp - lq
    if r <= 0.0:
        front = lq
        ra = asymptote_start(klo)
        if klo > 0.0 and -math.inf < r < -ra:  # φ would overflow: continue by its asymptote
            return math.exp(front + math.log(lo(-ra, theta)) + klo * (-r - ra)
                            + mlo * math.log(-r / ra))
        v = lo(r, theta)
    else:
        front = lp
        ra = asymptote_start(khi)
        if khi > 0.0 and ra < r < math.inf:
            return math.exp(front + math.log(hi(ra, theta)) + khi * (r - ra)
                            + mhi * math.log(r / ra))
        v = hi(r, theta)
    w = math.exp(front)
    if v == 0.0:
        return 0.0
    if v == np.inf:
        # p·f′(∞) where q = 0 < p; a front density that underflows (log q = −inf by overflow
        # of a double-exponential tail, far out) carries no representable mass: 0
        return np.inf if w > 0.0 else 0.0
    if w > 1e-290 or v <= 1.0:
        return w * v
    return math.exp(front + math.log(v))  # tiny density times a large factor: in log space


@njit(**_OPTS)
def _integrand_kernel(lo, hi, theta, klo, mlo, khi, mhi, logp, logq, out):
    for i in range(logp.size):
        out[i] = integrand_point(lo, hi, theta, klo, mlo, khi, mhi, logp[i], logq[i])


def integrand(div, logp, logq):
    """``q φ(p/q)`` at points with log densities ``logp``, ``logq`` (1-D float64 arrays).

    The larger density is put in front: ``q·φ(e^r)`` where ``p ≤ q`` and ``p·e^{−r}φ(e^r)`` where
    ``p > q``; the product is formed in log space so neither factor over- or underflows alone.
    """
    out = np.empty_like(logp)
    if div.compiled:
        lo, hi = scalar_kernels(div)
        (klo, mlo), (khi, mhi) = div.growth_lo, div.growth_hi
        _integrand_kernel(lo, hi, float(div.theta), float(klo), float(mlo), float(khi),
                          float(mhi), logp, logq, out)
        return out
    return _integrand_generic(div, logp, logq, out)


def _integrand_generic(div, logp, logq, out):
    """The same integrand for user generators, in NumPy, from ``f_log``."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        both = np.isneginf(logp) & np.isneginf(logq)
        r = np.where(both, 0.0, logp - logq)
        phi = centred_phi(div, r)  # φ(e^r) ≥ 0
        low = r <= 0
        front = np.where(low, logq, logp)
        log_factor = np.log(phi) - np.where(low, 0.0, r)  # log of q φ / (larger density)
        out[:] = np.exp(front + log_factor)
        # φ(e^r) that overflowed in the user's f (or became inf − inf = NaN) is unknown: NaN, so
        # the integral warns, unless the larger density underflows (no representable mass; the
        # compiled kernel forms such products in log space, this one takes them as 0)
        out[~np.isfinite(phi) & np.isfinite(r)] = np.nan  # (r = ±inf: q·f(0), p·f′(∞) below)
        out[np.exp(front) == 0.0] = 0.0
        qzero = np.isposinf(r)
        out[qzero] = np.exp(logp[qzero]) * (div.f_prime_at_inf - div.f_prime_at_one)
        out[both] = 0.0
    return out
