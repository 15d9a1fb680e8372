"""The batch path fused into one numba kernel: for every integral, breakpoints from the two
densities' landmarks, then adaptive G10/K21 (or the trapezoidal window below) with the log
densities and the member's integrand evaluated a block of nodes at a time (all initial pieces and
the tails in one block, the two halves of a bisection in another), as SIMD loops where the
family and the member allow (:func:`fdiv._families.logpdf_block`, :mod:`fdiv._blocks`).  The
work arrays are passed between the stages as views without a reference count
(:mod:`fdiv._borrow`).

Same rule, maps, error estimate and stopping test as :func:`fdiv._quadrature.adaptive` (the
building blocks are shared); here each integral is refined by bisecting its worst interval, one
at a time, as QUADPACK's QAG does.

Breakpoints
-----------
The union of the two densities' *core* landmarks (``Family.landmarks`` without its ``guards``),
with points closer than the smaller scale merged (but a density's kinks, ``Family.kinks``, put
back: a kink inside a piece is what ``|K − G|`` misjudges), then the tails ``(−∞, first]`` and
``[last, ∞)`` by the rational maps.  A *guard* landmark (a point beyond which the density is below
~e^{-100} of its peak, ``Family.guards``) is added only where it falls inside a finite piece wider
than its distance to that density's outermost core landmark: there a piece reaching to the other
density's landmarks could otherwise hide this density's tail between two nodes.  Where the
densities overlap the guards lie inside pieces of the other density's core, which already resolve
them, and are left out.  For two normals and a member whose ``φ`` grows exponentially (pearson,
neyman, alpha outside [0, 1]; ``k > 0`` in ``growth_lo``/``growth_hi``) the integrand is, where
one density dominates, ``p^{1+k} q^{−k}`` (or ``q^{1+k} p^{−k}``): a Gaussian that can peak
outside both cores, so its own core ``c + σ·{0, ±3, ±9}`` is added (without it, 1% of
far-apart pairs were certified while wrong by up to 27 times rtol).  Last, the *crossings* of
the densities (``log p = log q``: the roots of a quadratic for two normals, a bisection search
for the other families) inside the hull, where the integrand's dip to 0 there is narrower than
the smaller scale (``|r′| σ > 1``, ``r = log p − log q``).  Far out in each other's tails
``|r′|`` is large and ``q φ(p/q)`` has a dip a few hundredths of a scale wide that no landmark
resolves: G10 and K21 then step over it alike and ``|K − G|`` does not see it (a triangular
value wrong by 7e-9 was certified at 1e-10 before).  The two tails start with the G3/K7 pair
(they are usually negligible) and get K21 when their estimate asks for it.  By K21 alone the benchmark's Gaussian KL pairs take about 245
evaluations per certified integral.

The trapezoidal window
----------------------
Where both families allow it (``Family.trapezoid``: the normal) and the member's ``φ(e^r)`` is
entire with polynomial growth (``div.entire``, ``k = 0`` in ``growth_lo``/``growth_hi``: kl,
reverse_kl, jeffreys, squared_hellinger, alpha and t_power for powers in [0, 1]), the finite part
between the first and the last breakpoint — the *window* — is integrated by the trapezoidal rule
instead of by K21 on its pieces: first with the step :func:`fdiv._trapezoid.step` of the smaller
scale, then with half of it, ``|T(h/2) − T(h)|`` being the error of the returned ``T(h/2)``.
Those conditions make the integrand a sum of Gaussians of scale at least the smaller one times
polynomials, bounded by ``(p + q)·poly(r)``, so negligible at the window's ends (see
:mod:`fdiv._trapezoid` for why the estimate is then reliable).  Members whose ``φ`` is singular at
``r = ±iπ`` (js, gan, triangular, weighted_js, modified_gan, arithmetic_geometric) or grows
exponentially in ``r`` (pearson, neyman, alpha outside [0, 1]: integrands such as ``p²/q``
peak outside both densities) are excluded: there ``|T(h/2) − T(h)|`` was seen to certify
results wrong by up to 300 times rtol.

The window is tried where its first two levels cost no more than the K21 block they replace (the
scales differ by less than about 3:1).  While it is the worst interval and the whole estimate is
over the tolerance, its step is halved again, as long as it has then cost under twice the K21
block; after that its pieces are integrated by K21 as above.  The tails are the same in both
cases.  On the benchmark's Gaussian KL pairs the window takes 110 evaluations per certified
integral where K21 takes 245.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._blocks import integrand_block
from ._borrow import borrow
from ._families import NORM, logpdf_block, logpdf_member
from ._quadrature import WG7, WG21, WK7, WK21, X7, X21, map_point, rule_weighed, tail_width, weigh
from ._trapezoid import halved, rule, step

__all__ = ["adaptive_pairs", "breakpoints", "core_and_guards", "window_allowed"]

_OPTS = dict(cache=True, error_model="numpy")
_EPS = float(np.finfo(float).eps)
#: most breakpoints per integral: both densities' landmarks and guards, and the crossings
MAX_POINTS = 64
#: most crossings of p and q added as breakpoints (two normals cross at most twice)
MAX_CROSSINGS = 8
#: sub-intervals per piece searched for a sign change of log p − log q (other families)
_SEARCH = 8
#: standard core landmarks of the Gaussian an exponentially growing integrand peaks on
_GROWTH_CORE = (-9.0, -3.0, 0.0, 3.0, 9.0)
# interval counts as int64 values, not integer literals: numba compiles a separate
# specialisation of a callee for every literal argument (seconds of first-call compile each)
_ONE, _TWO = np.int64(1), np.int64(2)


@njit(**_OPTS, inline="always")
def _integrand_nodes(P, Q, lo, hi, blk, has_blk, theta, g, S, n):
    """The integrand at the ``n`` points ``A[:n] + O[:n]`` into ``F[:n]`` (``S`` as in
    :func:`_evaluate`)."""
    A, O, J, LP, LQ, F, R, V = S
    logpdf_block(P, A, O, LP, n)
    logpdf_block(Q, A, O, LQ, n)
    integrand_block(lo, hi, blk, has_blk, theta, g[0], g[1], g[2], g[3], LP, LQ, F, n, R, V)


@njit(**_OPTS, inline="always")
def _fill(I, idx, cnt, xs, S, n):
    """Anchors, offsets and Jacobians of the nodes ``xs`` (K21 or K7) of the intervals
    ``idx[:cnt]`` of ``I = (kind, anchor, width, t0, t1)`` into the scratch ``S`` from position
    ``n``; returns the position after them."""
    A, O, J = S[0], S[1], S[2]
    kind, anchor, width, t0, t1 = I
    m = xs.size
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
    return n


@njit(**_OPTS, inline="always")
def _finish(E, idx, cnt, wk, wg, S, n):
    """``(K, |K − G|, K of |f|)`` into ``E = (est, err, ab)`` for the intervals ``idx[:cnt]``
    whose integrand values :func:`_fill` placed from position ``n`` of ``S``."""
    J, F = S[2], S[5]
    est, err, ab = E
    m = wk.size
    weigh(F[n:], J[n:], cnt * m)
    for a in range(cnt):
        i = idx[a]
        est[i], err[i], ab[i] = rule_weighed(F, n + a * m, wk, wg)


@njit(**_OPTS)
def _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, cnt, xs, wk, wg):
    """``(K, |K − G|, K of |f|)`` into ``E = (est, err, ab)`` for the intervals ``idx[:cnt]`` of
    ``I = (kind, anchor, width, t0, t1)``, all by the Kronrod pair with nodes ``xs`` (K21 or K7),
    evaluated as one block of nodes; returns the number of nodes.

    ``P``, ``Q``: ``(log weight, code, loc, scale, s1, s2, c)`` of the two densities; ``lo``,
    ``hi``, ``blk``, ``has_blk``, ``theta``, ``g``: the member's kernels and constants (separate
    arguments: numba would try to unify function types packed in a tuple); ``S``: scratch
    arrays ``(A, O, J, LP, LQ, F, R, V)``: anchors, offsets, Jacobians, log densities, integrand
    values and the block kernel's scratch (see :func:`_adaptive_pairs`).
    """
    n = _fill(I, idx, cnt, xs, S, np.int64(0))
    _integrand_nodes(P, Q, lo, hi, blk, has_blk, theta, g, S, n)
    _finish(E, idx, cnt, wk, wg, S, np.int64(0))
    return n


@njit(**_OPTS, inline="always")
def _fill_grid(S, a, h, shift, count, n):
    """The ``count`` nodes ``a + h (j + shift)`` into ``S`` from position ``n``; returns the
    position after them."""
    A, O = S[0], S[1]
    for j in range(count):
        A[n + j] = a
        O[n + j] = h * (j + shift)
    return n + count


@njit(**_OPTS)
def _find(pts, n, x):
    """The index of the first of the sorted ``pts[:n]`` that is ``≥ x`` (``n`` if none)."""
    i = 0
    while i < n and pts[i] < x:
        i += 1
    return i


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
        i = _find(pts, n, x)
        if pts[i] - pts[i - 1] > gap and pts[i] != x:
            n = _insert_sorted(pts, n, x)
    return n


@njit(**_OPTS)
def _log_ratio(P, Q, x):
    """``log p(x) − log q(x)`` for the table rows ``P``, ``Q``."""
    lp = P[0] + logpdf_member(int(P[1]), P[2], P[3], P[4], P[5], P[6], x, 0.0)
    lq = Q[0] + logpdf_member(int(Q[1]), Q[2], Q[3], Q[4], Q[5], Q[6], x, 0.0)
    return lp - lq


@njit(**_OPTS)
def _normal_crossings(P, Q, out):
    """The (at most two) points where two normal rows have ``log p = log q``, into ``out``;
    returns their count.  With ``y = x − loc_p`` and ``d = loc_q − loc_p``, ``log p − log q``
    is ``a y² + b y + c`` (solved without cancellation)."""
    s1, s2, d = P[3], Q[3], Q[2] - P[2]
    a = 0.5 / (s2 * s2) - 0.5 / (s1 * s1)
    b = -d / (s2 * s2)
    c = (P[0] + P[6]) - (Q[0] + Q[6]) + 0.5 * d * d / (s2 * s2)
    if a == 0.0:
        if b == 0.0:
            return 0
        out[0] = P[2] - c / b
        return 1
    disc = b * b - 4.0 * a * c
    if not disc >= 0.0:
        return 0
    qq = -0.5 * (b + math.copysign(math.sqrt(disc), b))
    out[0] = P[2] + qq / a
    if qq == 0.0:
        return 1
    out[1] = P[2] + c / qq
    return 2


@njit(**_OPTS)
def _searched_crossings(P, Q, pts, n, out):
    """Points where ``log p = log q`` inside the pieces ``pts[:n]``: a sample where it holds, or
    a sign change among ``_SEARCH + 1`` samples per piece, then bisection to the last bit;
    returns their count (at most ``MAX_CROSSINGS``)."""
    k = 0
    for i in range(n - 1):
        x0 = pts[i]
        r0 = _log_ratio(P, Q, x0)
        for j in range(1, _SEARCH + 1):
            x1 = pts[i] + (pts[i + 1] - pts[i]) * (j / _SEARCH)
            r1 = _log_ratio(P, Q, x1)
            if r1 == 0.0 and j < _SEARCH and k < MAX_CROSSINGS:  # a sample on the crossing
                out[k] = x1
                k += 1
            elif r0 * r1 < 0.0 and k < MAX_CROSSINGS:
                a, b, ra = x0, x1, r0
                for _ in range(200):
                    m = 0.5 * (a + b)
                    if not (a < m < b):
                        break
                    rm = _log_ratio(P, Q, m)
                    if rm == 0.0:
                        a = b = m
                        break
                    if (rm < 0.0) == (ra < 0.0):
                        a, ra = m, rm
                    else:
                        b = m
                out[k] = 0.5 * (a + b)
                k += 1
            x0, r0 = x1, r1
    return k


@njit(**_OPTS)
def _add_crossings(P, Q, pts, n, buf):
    """Add the points inside the hull of ``pts[:n]`` where ``p = q`` and the dip of the
    integrand there is narrower than the smaller scale (module notes)."""
    if int(P[1]) == NORM and int(Q[1]) == NORM:
        k = _normal_crossings(P, Q, buf)
    else:
        k = _searched_crossings(P, Q, pts, n, buf)
    smin = min(P[3], Q[3])
    for j in range(k):
        x = buf[j]
        dx = 1e-6 * smin
        slope = (_log_ratio(P, Q, x + dx) - _log_ratio(P, Q, x - dx)) / (2.0 * dx)
        if pts[0] < x < pts[n - 1] and abs(slope) * smin > 1.0 and pts[_find(pts, n, x)] != x:
            n = _insert_sorted(pts, n, x)
    return n


@njit(**_OPTS)
def breakpoints(P, Q, core_p, guard_p, kink_p, core_q, guard_q, kink_q, g, pts, buf):
    """The breakpoints of one integral (module notes) into ``pts``; returns their count
    (``g``: the member's growth ``(k_lo, m_lo, k_hi, m_hi)``; ``buf``: scratch for
    ``MAX_CROSSINGS`` crossings)."""
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
    m = _add_kinks(pts, np.int64(m), P[2], P[3], kink_p)
    m = _add_kinks(pts, m, Q[2], Q[3], kink_q)
    m = _add_guards(pts, m, P[2], P[3], core_p, guard_p)
    m = _add_guards(pts, m, Q[2], Q[3], core_q, guard_q)
    if int(P[1]) == NORM and int(Q[1]) == NORM:
        if g[2] > 0.0:  # where p ≫ q the integrand is ~ p^{1+k} q^{−k}
            m = _add_gaussian_core(pts, m, P, Q, g[2])
        if g[0] > 0.0:  # where q ≫ p, ~ q^{1+k} p^{−k}
            m = _add_gaussian_core(pts, m, Q, P, g[0])
    return _add_crossings(P, Q, pts, m, buf)


@njit(**_OPTS)
def _add_gaussian_core(pts, n, A, B, k):
    """Two normal rows ``A``, ``B``: add the core landmarks ``c + σ·{0, ±3, ±9}`` of the
    Gaussian ``a^{1+k} b^{−k}`` (precision ``λ = (1+k)/σ_A² − k/σ_B²``), which peaks outside
    both densities' cores (module notes); none when ``λ ≤ 0`` (the integral is then infinite,
    decided before)."""
    lam = (1.0 + k) / (A[3] * A[3]) - k / (B[3] * B[3])
    if not lam > 0.0:
        return n
    c = A[2] - k * (B[2] - A[2]) / (B[3] * B[3]) / lam
    sig = 1.0 / math.sqrt(lam)
    near = 0.5 * min(sig, A[3], B[3])
    for z in _GROWTH_CORE:
        x = c + sig * z
        i = _find(pts, n, x)
        if (i == n or pts[i] - x >= near) and (i == 0 or x - pts[i - 1] >= near):
            n = _insert_sorted(pts, n, x)
    return n


@njit(**_OPTS)
def _add_kinks(pts, n, loc, scale, kinks):
    """Put back the kinks of one density that merging removed."""
    for k in kinks:
        x = loc + scale * k
        i = _find(pts, n, x)
        if i == n or pts[i] != x:
            n = _insert_sorted(pts, n, x)
    return n


@njit(**_OPTS)
def _adaptive_pairs(lo, hi, blk, has_blk, theta, g, TP, TQ, core_p, guard_p, kink_p, core_q,
                    guard_q, kink_q, trapezoid, rtol, atol, x21, wk21, wg21, x7, wk7, wg7, value,
                    error, ok, evaluations, coarse, kind, intervals, results, pts, crossings, idx,
                    scratch):
    """The loop over the integrals of :func:`adaptive_pairs`, which owns the work arrays
    (``coarse``: evaluated by K7 so far, i.e. a tail until refined; ``kind``; ``intervals``:
    anchor, width, t0, t1; ``results``: est, err, ab; ``pts``; ``crossings``; ``idx``;
    ``scratch``: see :func:`_evaluate`).  Every array is used through a view without a reference
    count (:mod:`fdiv._borrow`): they are passed to a function call per block of nodes."""
    m = kind.size
    nb = scratch.shape[1]
    coarse, kind, pts, idx = borrow(coarse), borrow(kind), borrow(pts), borrow(idx)
    buf = borrow(crossings)
    anchor, width, t0, t1 = (borrow(intervals[0]), borrow(intervals[1]), borrow(intervals[2]),
                             borrow(intervals[3]))
    est, err, ab = borrow(results[0]), borrow(results[1]), borrow(results[2])
    S = (borrow(scratch[0]), borrow(scratch[1]), borrow(scratch[2]), borrow(scratch[3]),
         borrow(scratch[4]), borrow(scratch[5]), borrow(scratch[6]), borrow(scratch[7]))
    x21, wk21, wg21, x7, wk7, wg7 = (borrow(x21), borrow(wk21), borrow(wg21), borrow(x7),
                                     borrow(wk7), borrow(wg7))
    core_p, guard_p = borrow(core_p), borrow(guard_p)
    core_q, guard_q = borrow(core_q), borrow(guard_q)
    g, kink_p, kink_q = borrow(g), borrow(kink_p), borrow(kink_q)
    I = (kind, anchor, width, t0, t1)
    E = (est, err, ab)
    for b in range(TP.shape[0]):
        P = (TP[b, 1], TP[b, 0], TP[b, 2], TP[b, 3], TP[b, 4], TP[b, 5], TP[b, 6])
        Q = (TQ[b, 1], TQ[b, 0], TQ[b, 2], TQ[b, 3], TQ[b, 4], TQ[b, 5], TQ[b, 6])
        npts = breakpoints(P, Q, core_p, guard_p, kink_p, core_q, guard_q, kink_q, g, pts,
                           buf)
        lo_x, span = pts[0], pts[npts - 1] - pts[0]
        tail = tail_width(max(P[3], Q[3]), span)
        n = 0
        for i in range(npts - 1):
            kind[n], anchor[n], width[n] = 0, pts[i], pts[i + 1] - pts[i]
            n += 1
        kind[n], anchor[n], width[n] = 6, pts[0], tail  # exponential tail maps: they reach
        kind[n + 1], anchor[n + 1], width[n + 1] = 5, pts[npts - 1], tail  # every float
        n += 2
        for i in range(n):
            t0[i], t1[i] = 0.0, 1.0
            coarse[i] = kind[i] != 0
            idx[i] = i
        # the window between the outermost breakpoints: by the trapezoidal rule where it costs
        # no more than the K21 block it replaces (module notes), else the K21 block
        nfin = npts - 1  # the finite pieces: slots 0 … nfin − 1 (then the tails)
        block = 21 * nfin
        steps = span / step(min(P[3], Q[3]), rtol)
        trap = trapezoid and 2.0 * steps + 3.0 <= block
        # one block: the window (trapezoid nodes of step ht, then the midpoints) or the finite
        # pieces by K21, and the two tails by K7 (they are usually negligible)
        nt, ht = np.int64(0), 0.0
        if trap:
            nt = np.int64(math.ceil(steps))
            ht = span / nt
            pos = _fill_grid(S, lo_x, ht, 0.0, nt + _ONE, np.int64(0))
            pos = _fill_grid(S, lo_x, ht, 0.5, nt, pos)
        else:
            pos = _fill(I, idx, nfin, x21, S, np.int64(0))
        tails = pos
        pos = _fill(I, idx[nfin:], _TWO, x7, S, pos)
        _integrand_nodes(P, Q, lo, hi, blk, has_blk, theta, g, S, pos)
        _finish(E, idx[nfin:], _TWO, wk7, wg7, S, tails)
        evals = pos
        if trap:
            for i in range(nfin):  # the window's result is kept in slot 0
                est[i], err[i], ab[i] = 0.0, 0.0, 0.0
            F = S[5]
            tr, tra = rule(F, nt + _ONE, ht)
            est[0], err[0], ab[0] = halved(tr, tra, ht, F[nt + 1:], nt)
            ht, nt = 0.5 * ht, 2 * nt
        else:
            _finish(E, idx, nfin, wk21, wg21, S, np.int64(0))
        halve = False
        while True:
            if halve:  # the midpoints of the window's nodes: T(h/2), and T(h) as its estimate
                pos = _fill_grid(S, lo_x, ht, 0.5, nt, np.int64(0))
                _integrand_nodes(P, Q, lo, hi, blk, has_blk, theta, g, S, pos)
                est[0], err[0], ab[0] = halved(est[0], ab[0], ht, S[5], nt)
                evals += nt
                ht, nt = 0.5 * ht, 2 * nt
                halve = False
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
            if trap and worst == 0:
                # halve again while the window has cost under twice the K21 block, else
                # replace it by the K21 block
                if 2 * nt + 1 <= 2 * block and nt <= nb:
                    halve = True
                else:
                    trap = False
                    for i in range(nfin):
                        idx[i] = i
                    evals += _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, nfin,
                                       x21, wk21, wg21)
                continue
            idx[0] = worst
            if coarse[worst]:  # first K21 on it, then bisections
                coarse[worst] = False
                evals += _evaluate(P, Q, lo, hi, blk, has_blk, theta, g, S, I, E, idx, _ONE, x21,
                                   wk21, wg21)
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


def window_allowed(div, fam_p, fam_q):
    """May the trapezoidal window be used for ``div`` between members of these families?
    (module notes: ``Family.trapezoid`` for both, ``div.entire``, no exponential growth)."""
    return bool(div.entire and div.growth_lo[0] == 0.0 and div.growth_hi[0] == 0.0
                and fam_p.trapezoid and fam_q.trapezoid)


def adaptive_pairs(div, TP, TQ, fam_p, fam_q, rtol, atol=0.0, max_intervals=2000,
                   trapezoid=None):
    """Integrate ``q φ(p/q)`` over ℝ for integral ``b`` between the one-row tables ``TP[b]``,
    ``TQ[b]`` of members of the families ``fam_p``, ``fam_q`` (landmarks independent of the
    shape parameters).

    ``trapezoid``: whether the window may be integrated by the trapezoidal rule (module notes);
    by default where both families and the member allow it (:func:`window_allowed`).  False
    forces G10/K21 everywhere; True is refused where not allowed.

    Returns ``value, error, converged, evaluations`` arrays (``evaluations``: integrand
    evaluations per integral).
    """
    allowed = window_allowed(div, fam_p, fam_q)
    if trapezoid and not allowed:
        raise ValueError("trapezoid=True: the trapezoidal window needs a member with an entire "
                         "φ of polynomial growth (div.entire, k = 0 in growth_lo/growth_hi) and "
                         "two families with Family.trapezoid (e.g. norm); pass None or False")
    return _run(div, TP, TQ, fam_p, fam_q, rtol, atol, max_intervals,
                allowed if trapezoid is None else bool(trapezoid))


def _run(div, TP, TQ, fam_p, fam_q, rtol, atol, max_intervals, trapezoid):
    """:func:`adaptive_pairs` without its check that the window applies (a test forces the
    window where it does not apply, to exercise its halving and its handover to K21)."""
    from ._blocks import block_kernel
    from ._kernels import scalar_kernels

    (core_p, guard_p), (core_q, guard_q) = core_and_guards(fam_p), core_and_guards(fam_q)
    size = sum(len(x) for x in (core_p, guard_p, core_q, guard_q, fam_p.kinks, fam_q.kinks))
    if size + MAX_CROSSINGS + 2 * len(_GROWTH_CORE) > MAX_POINTS:  # one core per side
        raise ValueError("too many landmarks for the batch kernel")  # a Family definition bug
    n = TP.shape[0]
    lo, hi = scalar_kernels(div)
    blk, has_blk = block_kernel(div)
    g = np.array([*div.growth_lo, *div.growth_hi], dtype=np.float64)
    value, error = np.empty(n), np.empty(n)
    ok, evaluations = np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.int64)
    m, nb = int(max_intervals), (MAX_POINTS + 1) * 21  # nb: the most nodes in one block
    kink_p, kink_q = (np.asarray(fam.kinks, dtype=np.float64) for fam in (fam_p, fam_q))
    _adaptive_pairs(lo, hi, blk, has_blk, float(div.theta), g, np.ascontiguousarray(TP),
                    np.ascontiguousarray(TQ), core_p, guard_p, kink_p, core_q, guard_q, kink_q,
                    trapezoid,
                    float(rtol), float(atol), X21, WK21, WG21, X7, WK7, WG7, value, error, ok,
                    evaluations, np.empty(m, np.bool_), np.empty(m, np.int64), np.empty((4, m)),
                    np.empty((3, m)), np.empty(MAX_POINTS), np.empty(MAX_CROSSINGS),
                    np.empty(MAX_POINTS + 1, np.int64),
                    np.empty((8, nb)))
    return value, error, ok, evaluations
