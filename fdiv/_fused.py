"""The batch path fused into one numba kernel: for every integral, breakpoints from the two
densities' landmarks, then adaptive G10/K21 with the log densities and the member's integrand
evaluated a block of nodes at a time (all initial pieces in one block, the two halves of a
bisection in another), as SIMD loops where the family and the member allow
(:func:`fdiv._families.logpdf_block`, :mod:`fdiv._blocks`).

Same rule, maps, error estimate and stopping test as :func:`fdiv._quadrature.adaptive` (the
building blocks are shared); here each integral is refined by bisecting its worst interval, one
at a time, as QUADPACK's QAG does.

Breakpoints
-----------
The union of the two densities' *core* landmarks (``Family.landmarks`` without its ``guards``),
with points closer than the smaller scale merged, then the tails ``(−∞, first]`` and
``[last, ∞)`` by the rational maps.  A *guard* landmark (a point beyond which the density is below
~e^{-100} of its peak, ``Family.guards``) is added only where it falls inside a finite piece wider
than its distance to that density's outermost core landmark: there a piece reaching to the other
density's landmarks could otherwise hide this density's tail between two nodes.  Where the
densities overlap the guards lie inside pieces of the other density's core, which already resolve
them, and are left out.  The two tails start with the G3/K7 pair (they are usually negligible) and
get K21 when their estimate asks for it.  For the benchmark's Gaussian pairs this takes 224
evaluations per certified integral where the plain union of all landmarks took 317.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._blocks import integrand_block
from ._families import logpdf_block
from ._quadrature import WG7, WG21, WK7, WK21, X7, X21, map_point, rule_weighed, tail_width, weigh

__all__ = ["adaptive_pairs", "breakpoints", "core_and_guards"]

_OPTS = dict(cache=True, error_model="numpy")
_EPS = float(np.finfo(float).eps)
#: most breakpoints per integral: both densities' landmarks and guards
MAX_POINTS = 64
# interval counts as int64 values, not integer literals: numba compiles a separate
# specialisation of a callee for every literal argument (seconds of first-call compile each)
_ONE, _TWO = np.int64(1), np.int64(2)


@njit(**_OPTS)
def _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, cnt, xs, wk, wg):
    """``(K, |K − G|, K of |f|)`` into ``E = (est, err, ab)`` for the intervals ``idx[:cnt]`` of
    ``I = (kind, anchor, width, t0, t1)``, all by the Kronrod pair with nodes ``xs`` (K21 or K7),
    evaluated as one block of nodes; returns the number of nodes.

    ``P``, ``Q``: ``(log weight, code, loc, scale, s1, s2, c)`` of the two densities; ``lo``,
    ``hi``, ``blk``, ``has_blk``, ``theta``, ``g``: the member's kernels and constants (separate
    arguments: numba would try to unify function types packed in a tuple); ``S``: scratch
    arrays (see :func:`_adaptive_pairs`).
    """
    A, O, J, LP, LQ, F, R, V = S
    kind, anchor, width, t0, t1 = I
    est, err, ab = E
    m = xs.size
    n = 0
    for a in range(cnt):
        i = idx[a]
        h = 0.5 * (t1[i] - t0[i])
        c = 0.5 * (t1[i] + t0[i])
        a0, w = anchor[i], width[i]
        if kind[i] == 0:  # map_point's affine case, as a loop that vectorises
            for j in range(m):
                A[n + j] = a0
                O[n + j] = w * (c + h * xs[j])
                J[n + j] = w * h
        else:
            for j in range(m):
                off, dxdt = map_point(kind[i], w, c + h * xs[j])
                A[n + j] = a0
                O[n + j] = off
                J[n + j] = dxdt * h
        n += m
    logpdf_block(P, A, O, LP, np.int64(n))
    logpdf_block(Q, A, O, LQ, np.int64(n))
    integrand_block(lo, hi, blk, has_blk, theta, g[0], g[1], g[2], g[3], LP, LQ, F, np.int64(n),
                    R, V)
    weigh(F, J, n)
    for a in range(cnt):
        i = idx[a]
        est[i], err[i], ab[i] = rule_weighed(F, a * m, wk, wg)
    return n


@njit(**_OPTS)
def _insert_sorted(pts, n, x):
    """Insert ``x`` into the sorted ``pts[:n]``; returns the new count."""
    i = n
    while i > 0 and pts[i - 1] > x:
        pts[i] = pts[i - 1]
        i -= 1
    pts[i] = x
    return n + 1


@njit(**_OPTS)
def _add_guards(pts, n, loc, scale, core, guards):
    """Add the guards of one density that fall inside a piece wider than their distance to its
    outermost core landmark on their side (see the module notes)."""
    cmin = cmax = core[0]
    for z in core:  # (a loop: numba's ndarray.min() alone costs 0.4 s of first-call compile)
        cmin = min(cmin, z)
        cmax = max(cmax, z)
    for gz in guards:
        x = loc + scale * gz
        if not (pts[0] < x < pts[n - 1]):
            continue  # beyond the hull: inside a tail piece, which reaches to infinity
        gap = scale * (gz - cmax if gz > 0.0 else cmin - gz)
        i = 1
        while pts[i] < x:
            i += 1
        if pts[i] - pts[i - 1] > gap and pts[i] != x:
            n = _insert_sorted(pts, n, x)
    return n


@njit(**_OPTS)
def breakpoints(P, Q, core_p, guard_p, core_q, guard_q, pts):
    """The breakpoints of one integral (module notes) into ``pts``; returns their count."""
    n = 0
    for z in core_p:
        n = _insert_sorted(pts, n, P[2] + P[3] * z)
    for z in core_q:
        n = _insert_sorted(pts, n, Q[2] + Q[3] * z)
    delta = min(P[3], Q[3])
    m = 1
    for i in range(1, n):
        if pts[i] - pts[m - 1] >= delta:
            pts[m] = pts[i]
            m += 1
    m = _add_guards(pts, np.int64(m), P[2], P[3], core_p, guard_p)
    return _add_guards(pts, m, Q[2], Q[3], core_q, guard_q)


@njit(**_OPTS)
def _adaptive_pairs(lo, hi, blk, has_blk, theta, g, TP, TQ, core_p, guard_p, core_q, guard_q,
                    rtol, atol, max_intervals, x21, wk21, wg21, x7, wk7, wg7, value, error, ok,
                    evaluations):
    m = max_intervals
    coarse = np.empty(m, np.bool_)  # evaluated by K7 so far (the tails, until refined)
    kind = np.empty(m, np.int64)
    anchor = np.empty(m)
    width = np.empty(m)
    t0 = np.empty(m)
    t1 = np.empty(m)
    est = np.empty(m)
    err = np.empty(m)
    ab = np.empty(m)
    pts = np.empty(MAX_POINTS)
    idx = np.empty(MAX_POINTS + 1, np.int64)
    nb = (MAX_POINTS + 1) * 21  # the most nodes in one block: every initial piece by K21
    S = (np.empty(nb), np.empty(nb), np.empty(nb), np.empty(nb), np.empty(nb), np.empty(nb),
         np.empty(nb), np.empty(nb))
    I = (kind, anchor, width, t0, t1)
    E = (est, err, ab)
    for b in range(TP.shape[0]):
        P = (TP[b, 1], TP[b, 0], TP[b, 2], TP[b, 3], TP[b, 4], TP[b, 5], TP[b, 6])
        Q = (TQ[b, 1], TQ[b, 0], TQ[b, 2], TQ[b, 3], TQ[b, 4], TQ[b, 5], TQ[b, 6])
        npts = breakpoints(P, Q, core_p, guard_p, core_q, guard_q, pts)
        tail = tail_width(max(P[3], Q[3]), pts[npts - 1] - pts[0])
        n = 0
        for i in range(npts - 1):
            kind[n], anchor[n], width[n] = 0, pts[i], pts[i + 1] - pts[i]
            n += 1
        kind[n], anchor[n], width[n] = 2, pts[0], tail
        kind[n + 1], anchor[n + 1], width[n + 1] = 1, pts[npts - 1], tail
        n += 2
        for i in range(n):
            t0[i], t1[i] = 0.0, 1.0
            coarse[i] = kind[i] != 0
            idx[i] = i
        # the finite pieces by K21 in one block, the two tails by K7 in another
        evals = _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, n - 2,
                          x21, wk21, wg21)
        evals += _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx[n - 2:], _TWO,
                           x7, wk7, wg7)
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
            idx[0] = worst
            if coarse[worst]:  # first K21 on it, then bisections
                coarse[worst] = False
                evals += _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, _ONE, x21, wk21,
                                   wg21)
                continue
            # bisect the worst interval: left half in place, right half appended
            mid = 0.5 * (t0[worst] + t1[worst])
            kind[n], anchor[n], width[n], t0[n], t1[n] = kind[worst], anchor[worst], width[worst], mid, t1[worst]
            coarse[n] = False
            t1[worst] = mid
            idx[1] = n
            evals += _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, _TWO,
                               x21, wk21, wg21)
            n += 1
        if math.isinf(tot):
            terr = 0.0
        value[b] = tot
        error[b] = terr
        ok[b] = math.isinf(tot) or terr <= max(atol, rtol * abs(tot))
        evaluations[b] = evals


def core_and_guards(fam):
    """A family's standard landmarks split into its core and its guards (module notes)."""
    lm = np.asarray(fam.landmarks(()), dtype=np.float64)
    guards = np.asarray(fam.guards, dtype=np.float64)
    return lm[~np.isin(lm, guards)], guards


def adaptive_pairs(div, TP, TQ, fam_p, fam_q, rtol, atol=0.0, max_intervals=2000):
    """Integrate ``q φ(p/q)`` over ℝ for integral ``b`` between the one-row tables ``TP[b]``,
    ``TQ[b]`` of members of the families ``fam_p``, ``fam_q`` (landmarks independent of the
    shape parameters).

    Returns ``value, error, converged, evaluations`` arrays (``evaluations``: integrand
    evaluations per integral).
    """
    from ._blocks import block_kernel
    from ._kernels import scalar_kernels

    (core_p, guard_p), (core_q, guard_q) = core_and_guards(fam_p), core_and_guards(fam_q)
    if core_p.size + guard_p.size + core_q.size + guard_q.size > MAX_POINTS:
        raise ValueError("too many landmarks for the batch kernel")  # a Family definition bug
    n = TP.shape[0]
    lo, hi = scalar_kernels(div)
    blk, has_blk = block_kernel(div)
    g = np.array([*div.growth_lo, *div.growth_hi], dtype=np.float64)
    value, error = np.empty(n), np.empty(n)
    ok, evaluations = np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.int64)
    _adaptive_pairs(lo, hi, blk, has_blk, float(div.theta), g, np.ascontiguousarray(TP),
                    np.ascontiguousarray(TQ), core_p, guard_p, core_q, guard_q, float(rtol), float(atol), int(max_intervals),
                    X21, WK21, WG21, X7, WK7, WG7, value, error, ok, evaluations)
    return value, error, ok, evaluations
