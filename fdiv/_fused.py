"""The batch path fused into one numba kernel: adaptive G10/K21 per integral, log densities from
table rows and the member's scalar kernels evaluated inline (no arrays between the stages).

Same rule, maps, error estimate and stopping test as :func:`fdiv._quadrature.adaptive` (the
building blocks are shared); here each integral is refined by bisecting its worst interval, one
at a time, as QUADPACK's QAG does, which needs no Python between rounds.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._families import logpdf_rows
from ._kernels import integrand_point
from ._quadrature import WG21, WK21, X21, map_point, rule

__all__ = ["adaptive_pairs"]

_OPTS = dict(cache=True, error_model="numpy")
_EPS = float(np.finfo(float).eps)


@njit(**_OPTS)
def _interval(lo, hi, theta, g, TP, TQ, b, kind, anchor, width, t0, t1, x21, wk21, wg21, vals, jac):
    h = 0.5 * (t1 - t0)
    c = 0.5 * (t1 + t0)
    for j in range(21):
        off, dxdt = map_point(kind, width, c + h * x21[j])
        jac[j] = dxdt * h
        if jac[j] == 0.0:
            vals[j] = 0.0
            continue
        lp = logpdf_rows(TP, b, 1, anchor, off)
        lq = logpdf_rows(TQ, b, 1, anchor, off)
        vals[j] = integrand_point(lo, hi, theta, g[0], g[1], g[2], g[3], lp, lq)
    return rule(vals, jac, 0, wk21, wg21)


@njit(**_OPTS)
def _adaptive_pairs(lo, hi, theta, g, TP, TQ, first, count, kind0, anchor0, width0, rtol, atol,
                    max_intervals, x21, wk21, wg21, value, error, ok):
    m = max_intervals
    kind = np.empty(m, np.int64)
    anchor = np.empty(m)
    width = np.empty(m)
    t0 = np.empty(m)
    t1 = np.empty(m)
    est = np.empty(m)
    err = np.empty(m)
    ab = np.empty(m)
    vals = np.empty(21)
    jac = np.empty(21)
    for b in range(first.size):
        n = count[b]
        for i in range(n):
            s = first[b] + i
            kind[i], anchor[i], width[i], t0[i], t1[i] = kind0[s], anchor0[s], width0[s], 0.0, 1.0
            est[i], err[i], ab[i] = _interval(lo, hi, theta, g, TP, TQ, b, kind[i], anchor[i],
                                              width[i], 0.0, 1.0, x21, wk21, wg21, vals, jac)
        while True:
            tot = 0.0
            terr = 0.0
            tab = 0.0
            worst = 0
            for i in range(n):
                tot += est[i]
                terr += err[i]
                tab += ab[i]
                if err[i] > err[worst]:
                    worst = i
            tol = max(atol, rtol * abs(tot), 64.0 * _EPS * tab)
            if terr <= tol or math.isinf(tot) or tot != tot or n >= m:
                break
            # bisect the worst interval: left half in place, right half appended
            mid = 0.5 * (t0[worst] + t1[worst])
            kind[n], anchor[n], width[n], t0[n], t1[n] = kind[worst], anchor[worst], width[worst], mid, t1[worst]
            t1[worst] = mid
            for i in (worst, n):
                est[i], err[i], ab[i] = _interval(lo, hi, theta, g, TP, TQ, b, kind[i], anchor[i],
                                                  width[i], t0[i], t1[i], x21, wk21, wg21, vals, jac)
            n += 1
        if math.isinf(tot):
            terr = 0.0
        value[b] = tot
        error[b] = terr
        ok[b] = math.isinf(tot) or terr <= max(atol, rtol * abs(tot))


def adaptive_pairs(div, TP, TQ, pieces, rtol, atol=0.0, max_intervals=2000):
    """Integrate ``q φ(p/q)`` for integral ``b`` between the one-row tables ``TP[b]``, ``TQ[b]``.

    ``pieces`` are the initial intervals (:class:`fdiv._quadrature.Pieces`) sorted by owner.
    Returns ``value, error, converged`` arrays.
    """
    from ._kernels import scalar_kernels

    owner, kind, anchor, width = pieces.arrays()
    order = np.argsort(owner, kind="stable")
    owner, kind, anchor, width = owner[order], kind[order], anchor[order], width[order]
    n = TP.shape[0]
    count = np.bincount(owner, minlength=n).astype(np.int64)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    lo, hi = scalar_kernels(div)
    g = np.array([*div.growth_lo, *div.growth_hi], dtype=np.float64)
    value, error, ok = np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_)
    _adaptive_pairs(lo, hi, float(div.theta), g, np.ascontiguousarray(TP), np.ascontiguousarray(TQ),
                    first, count, kind, anchor, width, float(rtol), float(atol), int(max_intervals),
                    X21, WK21, WG21, value, error, ok)
    return value, error, ok
