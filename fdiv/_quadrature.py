"""Vectorised, globally adaptive Gauss–Kronrod (G10/K21) quadrature for batches of 1-D integrals.

Every integral is split into *pieces* at breakpoints; each piece is an interval of a map variable
``t ∈ [0, 1]`` with one of seven maps (so infinite ranges and integrable endpoint singularities
become well-behaved):

====  ===========================================  ==========================================
kind  x(t)                                          use
====  ===========================================  ==========================================
0     a + w t                                      a finite piece
1     a + w t/(1 − t)                              [a, ∞)
2     a − w t/(1 − t)                              (−∞, a]
3     a + w exp(−t/(1 − t))                        [a, a + w], a a support end (δ^P singularity)
4     a − w exp(−t/(1 − t))                        [a − w, a], a a support end
5     a + w (exp(t/(1 − t)) − 1)                   [a, ∞), reaching every float (divergences)
6     a − w (exp(t/(1 − t)) − 1)                   (−∞, a], likewise
====  ===========================================  ==========================================

Kinds 1 and 2 stop near ``a ± w·2^53``, where ``t`` rounds to 1; beyond, an integrand decaying
like ``|x|^{−β}`` with ``1 < β < 2`` (a t density with ν < 1, or ``p^k q^{1−k}`` of a power
member between t laws) still holds a fraction ``~2^{−53(β−1)}`` of its tail, 1e-8 at β = 1.5,
which no error estimate sees.  Kinds 5 and 6, exponential in ``u = t/(1 − t)``, turn that tail
into ``e^{−(β−1)u}`` and reach the largest float; where a light tail has its mass they are the
same map (``e^u − 1 ≈ u``).  The divergence engine uses them where both densities are compiled
(the batch kernel, and the known families and their mixtures on the general path); generic
densities and :func:`fdiv.integrate` keep 1 and 2, so that a user's function is not asked for
values at ``x ~ 10^300``.

Points are produced as ``anchor + offset`` (see :mod:`fdiv._families`).  Each round evaluates the
21-point Kronrod rule on every live interval of every unfinished integral in one pass, then
bisects, for each unfinished integral, the intervals whose error estimate exceeds its share of the
tolerance.  The error estimate is the plain ``|K21 − G10|`` (no QUADPACK rescaling, which is what
lets ``quad`` claim 4e-15 on a result wrong at 1e-7), so it is conservative.

Reference: R. Piessens et al., *QUADPACK* (1983), rule qk21 — the constants below.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["XK", "WK", "WG", "X21", "WK21", "WG21", "X7", "WK7", "WG7", "Pieces", "adaptive", "nodes",
           "map_point", "rule_weighed", "weigh", "tail_width"]

_OPTS = dict(cache=True, error_model="numpy")

XK = np.array([
    0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
    0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
    0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
    0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
    0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0.0])
WK = np.array([
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077958109831074, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821])
# Gauss weights at XK[1], XK[3], …, XK[9] (the odd entries)
WG = np.array([
    0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
    0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
    0.295524224714752870173892994651338])

# the 21 abscissae on [−1, 1] and their weights (Kronrod; Gauss, zero off the Gauss nodes)
X21 = np.concatenate([-XK[:-1], [0.0], XK[-2::-1]])
WK21 = np.concatenate([WK[:-1], [WK[-1]], WK[-2::-1]])
WG21 = np.zeros(21)
WG21[1:10:2] = WG
WG21[11:20:2] = WG[::-1]
N_NODES = 21

# G3/K7 (Kronrod's extension of the 3-point Gauss rule), for pieces expected to be negligible:
# the tails beyond every landmark in the batch kernel, upgraded to K21 when their estimate is not.
# Solved from the moment equations in mpmath (40 digits); tests/test_engine.py checks exactness.
_XK7 = np.array([0.96049126870802028342, 0.77459666924148337704, 0.43424374934680255800])
_WK7 = np.array([0.10465622602646726519, 0.26848808986833344073, 0.40139741477596222291])
X7 = np.concatenate([-_XK7, [0.0], _XK7[::-1]])
WK7 = np.concatenate([_WK7, [0.45091653865847414235], _WK7[::-1]])
WG7 = np.array([0.0, 5.0 / 9.0, 0.0, 8.0 / 9.0, 0.0, 5.0 / 9.0, 0.0])


@njit(**_OPTS)
def map_point(kind, w, t):
    """``(offset, dx/dt)`` of the map of ``kind`` (see the module table) at ``t``."""
    if kind == 0:
        return w * t, w
    s = 1.0 - t
    if kind == 1 or kind == 2:
        off = w * t / s
        if off == math.inf:  # bisected down to t within an ulp of 1: no weight left there
            return 0.0, 0.0
        return (off if kind == 1 else -off), w / (s * s)
    if kind >= 5:
        e = math.exp(t / s)  # one exponential: e − 1 is off by an ulp of 1 near t = 0, i.e. by
        off = w * (e - 1.0)  # ~1e-16·w in x, where the rule is exact to far less anyway
        dxdt = w * e / (s * s)
        if dxdt == math.inf:  # x at the end of the floats (the Jacobian overflows first)
            return 0.0, 0.0
        return (off if kind == 5 else -off), dxdt
    e = w * math.exp(-t / s)
    return (e if kind == 3 else -e), e / (s * s)


@njit(**_OPTS)
def tail_width(scale, span):
    """Length scale of the tail maps (kinds 1, 2, 5, 6): the larger of the densities' scale
    and half the span of the breakpoints, so that a heavy (power-law) tail, which decays on the
    scale of its distance from the centre, is spread over the map variable instead of being
    squeezed against t = 1 where the first Kronrod nodes cannot see it."""
    return max(scale, 0.5 * span)


@njit(**_OPTS)
def nodes(kind, anchor, width, t0, t1, x21, a_out, o_out, j_out):
    """Anchors, offsets and Jacobians ``|dx/dt|·(t1 − t0)/2`` of the 21 nodes of every interval."""
    for i in range(kind.size):
        h = 0.5 * (t1[i] - t0[i])
        c = 0.5 * (t1[i] + t0[i])
        for j in range(21):
            base = i * 21 + j
            off, dxdt = map_point(kind[i], width[i], c + h * x21[j])
            a_out[base] = anchor[i]
            o_out[base] = off
            j_out[base] = dxdt * h


@njit(**_OPTS, fastmath={"contract"})
def weigh(vals, jac, n):
    """``vals[:n] *= jac[:n]``, 0 where the Jacobian is 0 (the map sent the node onto an end:
    its offset underflowed; it has no weight, whatever its value): the integrand times the
    map's Jacobian, for :func:`rule_weighed`."""
    for j in range(n):
        jj = jac[j]
        vals[j] = vals[j] * jj if jj != 0.0 else 0.0


@njit(**_OPTS, fastmath={"contract", "reassoc"})
def _sums(f, base, wk, wg):
    k = 0.0
    g = 0.0
    a = 0.0
    for j in range(wk.size):
        v = f[base + j]
        k += wk[j] * v
        g += wg[j] * v
        a += wk[j] * abs(v)
    return k, g, a


@njit(**_OPTS)
def rule_weighed(f, base, wk, wg):
    """``(K21, |K21 − G10|, K21 of |f|)`` of one interval from its 21 values already multiplied
    by their Jacobians (:func:`weigh`), or the same for any Kronrod pair (the weights' length is
    the number of nodes).  A NaN value gives ``(nan, inf, inf)``.

    The three sums are SIMD reductions (``fastmath={'reassoc'}`` lets LLVM split them into
    partial sums; the order is fixed by the compiled code, not by the data).
    """
    k, g, a = _sums(f, base, wk, wg)
    if k != k:
        if a == a:  # +inf and −inf values, no NaN: the sum is undefined
            return k, np.nan, a
        return np.nan, np.inf, np.inf
    if math.isinf(k):
        return k, 0.0, a
    return k, abs(k - g), a


@njit(**_OPTS)
def _reduce(vals, jac, wk21, wg21, est, err, absest):
    weigh(vals, jac, vals.size)
    for i in range(est.size):
        est[i], err[i], absest[i] = rule_weighed(vals, i * 21, wk21, wg21)


class Pieces:
    """Initial intervals: parallel arrays (one row per interval) + owning integral index."""

    def __init__(self):
        self.owner, self.kind, self.anchor, self.width = [], [], [], []

    def extend(self, owner, kind, anchor, width):
        """Add intervals: ``owner`` an integral index (or one per interval), the rest arrays."""
        kind = np.asarray(kind, dtype=np.int64)
        self.owner.append(np.full(kind.shape, owner, dtype=np.int64))
        self.kind.append(kind)
        self.anchor.append(np.asarray(anchor, dtype=np.float64))
        self.width.append(np.asarray(width, dtype=np.float64))

    def arrays(self):
        return tuple(np.concatenate(v) for v in (self.owner, self.kind, self.anchor, self.width))


def adaptive(n_integrals, pieces, evaluate, *, rtol, atol=0.0, max_intervals=4000, max_rounds=80):
    """Integrate a batch.

    Parameters
    ----------
    n_integrals : int
    pieces : Pieces
        Initial intervals; each covers ``t ∈ [0, 1]`` of its map.
    evaluate : callable
        ``evaluate(owner_per_node, anchor, offset) -> values`` (1-D arrays, 21 per interval).
    rtol, atol : float
        Stop an integral when its summed error estimate ≤ ``max(atol, rtol·|I|, 64 eps ∫|g|)``.

    Returns
    -------
    value, error, converged : ndarray
    """
    owner, kind, anchor, width = pieces.arrays()
    t0 = np.zeros(owner.size)
    t1 = np.ones(owner.size)
    est = np.empty(0)
    err = np.empty(0)
    absest = np.empty(0)
    # stored intervals (all generations); `live` marks the current leaves
    S_owner = np.empty(0, np.int64)
    S_kind = np.empty(0, np.int64)
    S_anchor = np.empty(0)
    S_width = np.empty(0)
    S_t0 = np.empty(0)
    S_t1 = np.empty(0)
    new = (owner, kind, anchor, width, t0, t1)
    eps = np.finfo(float).eps
    for _ in range(max_rounds):
        o, k, a, w, u0, u1 = new
        m = o.size
        A = np.empty(m * 21)
        O = np.empty(m * 21)
        J = np.empty(m * 21)
        nodes(k, a, w, u0, u1, X21, A, O, J)
        # a fresh array: _reduce weighs it in place (evaluate may return an array it keeps)
        vals = np.array(evaluate(np.repeat(o, 21), A, O), dtype=np.float64)
        e_new = np.empty(m)
        r_new = np.empty(m)
        ab_new = np.empty(m)
        _reduce(vals, J, WK21, WG21, e_new, r_new, ab_new)
        S_owner = np.concatenate([S_owner, o])
        S_kind = np.concatenate([S_kind, k])
        S_anchor = np.concatenate([S_anchor, a])
        S_width = np.concatenate([S_width, w])
        S_t0 = np.concatenate([S_t0, u0])
        S_t1 = np.concatenate([S_t1, u1])
        est = np.concatenate([est, e_new])
        err = np.concatenate([err, r_new])
        absest = np.concatenate([absest, ab_new])
        total = np.bincount(S_owner, weights=est, minlength=n_integrals)
        total_err = np.bincount(S_owner, weights=err, minlength=n_integrals)
        total_abs = np.bincount(S_owner, weights=absest, minlength=n_integrals)
        count = np.bincount(S_owner, minlength=n_integrals)
        with np.errstate(invalid="ignore"):
            tol = np.maximum(np.maximum(atol, rtol * np.abs(total)), 64 * eps * total_abs)
            done = (total_err <= tol) | np.isinf(total) | np.isnan(total)
        if done.all():
            break
        # bisect, in unfinished integrals, every interval above its share of the tolerance
        share = tol / np.maximum(count, 1)
        split = (~done[S_owner]) & (err > share[S_owner])
        over = count[S_owner] >= max_intervals
        split &= ~over
        if not split.any():
            break
        idx = np.flatnonzero(split)
        mid = 0.5 * (S_t0[idx] + S_t1[idx])
        new = (np.concatenate([S_owner[idx]] * 2), np.concatenate([S_kind[idx]] * 2),
               np.concatenate([S_anchor[idx]] * 2), np.concatenate([S_width[idx]] * 2),
               np.concatenate([S_t0[idx], mid]), np.concatenate([mid, S_t1[idx]]))
        keep = ~split
        S_owner, S_kind, S_anchor, S_width = S_owner[keep], S_kind[keep], S_anchor[keep], S_width[keep]
        S_t0, S_t1 = S_t0[keep], S_t1[keep]
        est, err, absest = est[keep], err[keep], absest[keep]
    total = np.bincount(S_owner, weights=est, minlength=n_integrals)
    total_err = np.bincount(S_owner, weights=err, minlength=n_integrals)
    infinite = np.isinf(total)
    total_err[infinite] = 0.0
    # certified only when the estimate meets the *requested* tolerance (the rounding floor above
    # only stops useless refinement; a tolerance below it is reported as not reached)
    with np.errstate(invalid="ignore"):
        converged = infinite | (total_err <= np.maximum(atol, rtol * np.abs(total)))
    return total, total_err, converged
