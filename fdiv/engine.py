"""The divergence engine: ``divergence``, ``integrate`` and the certified quadrature behind them.

``D_f(P‖Q) = f(1) + ∫ q φ(p/q) dx`` with the centred generator ``φ ≥ 0`` (see
:mod:`fdiv._generator`), integrated over the union of the supports by
:func:`fdiv._quadrature.adaptive`, after finiteness has been decided by :mod:`fdiv._tails`
(batches of one family each: by the compiled kernel of :mod:`fdiv._fused`, with its trapezoidal
window for Gaussian pairs).
Integrating ``φ`` rather than ``f`` makes the integrand non-negative (a relative tolerance means
something) and free of the cancellation ``p log p − p log q`` suffers where ``p ≈ q``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from numba import njit

from . import _tails
from ._families import logpdf_rows
from ._kernels import integrand
from ._fused import adaptive_pairs
from ._quadrature import Pieces, adaptive, tail_width
from ._registry import resolve
from .discrete import divergence_discrete, is_discrete
from .distributions import FamilyBatch, as_batch, as_normal

__all__ = ["divergence", "integrate", "IntegrationWarning"]


#: Absolute floor of the divergence tolerance: ``φ(e^r) ≈ φ″(1) r²/2`` near ``p = q``, so the
#: rounding of ``r = log p − log q`` (a few ulps) leaves noise of order eps² in the integral;
#: divergences below ~3e-30 are not resolved in double precision (``D(P‖P)`` is 0 to this).
DIVERGENCE_ATOL = 64 * np.finfo(float).eps ** 2

#: The smallest tolerance asked of the quadrature when the value ``f(1) + ∫ q φ`` of a member with
#: ``f(1) < 0`` cancels (see :func:`_refine_cancelled`).
RTOL_FLOOR = 1e-15


class IntegrationWarning(UserWarning):
    """The quadrature's error estimate exceeds the requested tolerance.

    Attributes
    ----------
    error : float
        The absolute error estimate of the returned value.
    """

    def __init__(self, message, error=math.nan):
        super().__init__(message)
        self.error = error


@njit(cache=True, error_model="numpy")
def _logpdf_batch(tables, start, count, owner, anchor, offset, out):
    for i in range(owner.size):
        o = owner[i]
        out[i] = logpdf_rows(tables, start[o], count[o], anchor[i], offset[i])


class _Batch:
    """Packed numba tables of a list of Normal1D (all with tables)."""

    def __init__(self, dists):
        self.dists = dists
        counts = np.array([d.table.shape[0] for d in dists], dtype=np.int64)
        self.count = counts
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.tables = np.ascontiguousarray(np.vstack([d.table for d in dists]))

    def logpdf(self, owner, anchor, offset):
        out = np.empty(owner.size)
        _logpdf_batch(self.tables, self.start, self.count, owner, anchor, offset, out)
        return out


def _checked_logpdf(nm, x, where):
    out = nm.logpdf(x)
    if np.isnan(out).any():
        raise ValueError(f"{where}.logpdf returned NaN at x = {x[np.isnan(out)][0]!r}: it must return "
                         "a log density (−inf outside the support) for every real x")
    return out


def _generic_logpdf(dists, owner, anchor, offset, where):
    out = np.empty(owner.size)
    x = anchor + offset
    for o in np.unique(owner):
        sel = owner == o
        out[sel] = _checked_logpdf(dists[o], x[sel], where)
    return out


def _logpdf_many(dists, where):
    if all(d.table is not None for d in dists):
        return _Batch(dists).logpdf
    for d in dists:
        if d.table is None:
            _check_normalised(d, where)
    return lambda owner, anchor, offset: _generic_logpdf(dists, owner, anchor, offset, where)


def _check_normalised(nm, where):
    """A generic density must integrate to 1: an unnormalised logpdf gives a wrong divergence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        mass, err = integrate(lambda x: np.exp(_checked_logpdf(nm, x, where)), nm, rtol=1e-9,
                              return_error=True)
    if not abs(mass - 1.0) <= max(1e-6, 2 * err):
        raise ValueError(f"{where}.logpdf integrates to {mass!r}, not 1 (±{err:.2g}) over its "
                         f"support {nm.support}: pass a normalised density")


def _support_ends(dists):
    """Finite support ends: (left ends, right ends) — points where a density may jump or blow up."""
    left, right = set(), set()
    for d in dists:
        for a, b in d.pieces:
            if math.isfinite(a):
                left.add(a)
            if math.isfinite(b):
                right.add(b)
    return left, right


def _crossings(P, Q, points, scale):
    """Points where ``log p = log q`` (kinks of a non-smooth f such as |u − 1|)."""
    from scipy.optimize import brentq

    grid = [np.linspace(a, b, 17) for a, b in zip(points[:-1], points[1:])]
    grid.append(points[-1] + scale * np.exp2(np.arange(0, 12)))
    grid.append(points[0] - scale * np.exp2(np.arange(11, -1, -1)))
    x = np.unique(np.concatenate(grid))
    with np.errstate(invalid="ignore"):
        d = P.logpdf(x) - Q.logpdf(x)
    roots = []
    for i in np.flatnonzero(np.isfinite(d[:-1]) & np.isfinite(d[1:]) & (np.sign(d[:-1]) * np.sign(d[1:]) < 0)):
        def g(t):
            return float(P.logpdf(np.array([t]))[0] - Q.logpdf(np.array([t]))[0])
        roots.append(brentq(g, x[i], x[i + 1], xtol=1e-15 * max(1.0, abs(x[i])), rtol=1e-15))
    roots += [float(v) for v in x[:-1][d[:-1] == 0]]
    return roots


def _add_pieces(pieces, owner, dists, extra_points=(), scale=None, far=False):
    """Split the union of the supports of ``dists`` at their landmarks into mapped intervals.

    A finite interval starting at a left support end uses the log map towards that end (kind 3),
    one ending at a right support end kind 4 (both: split in the middle); tails use kinds 1, 2,
    or with ``far`` the exponential maps 5, 6 that reach every float (see :mod:`fdiv._quadrature`).
    """
    lo = min(d.support[0] for d in dists)
    hi = max(d.support[1] for d in dists)
    scale = scale or max(d.scale for d in dists)
    left, right = _support_ends(dists)
    pts = np.concatenate([*(d.landmarks for d in dists), list(left | right), list(extra_points)])
    pts = np.unique(pts[np.isfinite(pts) & (pts >= lo) & (pts <= hi)])
    if pts.size == 0:
        pts = np.array([0.0 if lo < 0 < hi else (lo if math.isfinite(lo) else hi)])
    a, b = pts[:-1], pts[1:]
    sa = np.isin(a, list(left))
    sb = np.isin(b, list(right))
    both = sa & sb
    m = a + 0.5 * (b - a)
    kind = np.where(sa, 3, np.where(sb, 4, 0))
    anchor = np.where(sb & ~sa, b, a)
    width = np.where(both, m - a, b - a)
    kinds, anchors, widths = [kind], [anchor], [width]
    if both.any():
        kinds.append(np.full(both.sum(), 4))
        anchors.append(b[both])
        widths.append(b[both] - m[both])
    tail = tail_width(float(scale), float(pts[-1] - pts[0]))
    if not math.isfinite(lo):
        kinds.append([6 if far else 2]), anchors.append([pts[0]]), widths.append([tail])
    if not math.isfinite(hi):
        kinds.append([5 if far else 1]), anchors.append([pts[-1]]), widths.append([tail])
    pieces.extend(owner, np.concatenate(kinds), np.concatenate(anchors), np.concatenate(widths))


def _pairs(p, q):
    """``(shape, P, Q, ip, iq)``: the two batches and, per output element, their indices."""
    P, Q = as_batch(p, "p"), as_batch(q, "q")
    shape_p = P.shape if isinstance(P, FamilyBatch) else ()
    shape_q = Q.shape if isinstance(Q, FamilyBatch) else ()
    try:
        shape = np.broadcast_shapes(shape_p, shape_q)
    except ValueError:
        raise ValueError(
            f"p has batch shape {shape_p} and q has {shape_q}: they must broadcast") from None
    n_p = P.size if isinstance(P, FamilyBatch) else 1
    n_q = Q.size if isinstance(Q, FamilyBatch) else 1
    ip = np.broadcast_to(np.arange(n_p).reshape(shape_p), shape).ravel()
    iq = np.broadcast_to(np.arange(n_q).reshape(shape_q), shape).ravel()
    return shape, P, Q, ip, iq


def _elements(batch, idx):
    if isinstance(batch, FamilyBatch):
        cache = {}
        return [cache.setdefault(i, batch.element(i)) for i in idx.tolist()]
    return [batch[0]] * idx.size


def divergence(div, p, q, *, rtol=1e-10, return_error=False, normalize=False):
    """The f-divergence ``D_f(P‖Q) = ∫ q f(p/q)`` in nats.

    Parameters
    ----------
    div : str or FDivergence
        A registry name (``fdiv.names()``) or a member.
    p, q : distribution
        Continuous: scipy.stats frozen distributions of the families in
        :data:`fdiv.distributions.FAMILIES` (array parameters give a batch, broadcast together),
        :class:`fdiv.Mixture`, or any object with ``logpdf(x)`` and ``support()``.
        Discrete: 1-D probability arrays of the same length, or scipy.stats frozen discrete
        distributions.
    rtol : float
        Relative tolerance of the certified quadrature (continuous case), relative to the value
        returned, above an absolute floor of ``64 eps² ≈ 3e-30`` (:data:`DIVERGENCE_ATOL`).  A
        user generator with ``f(1) < 0``, whose ``f(1) + ∫ q φ`` cancels as P and Q part, is
        integrated again to ``rtol·|value|/∫`` (at least 1e-15).
    return_error : bool
        Also return the absolute error estimate (0 for discrete inputs and infinite values).
    normalize : bool
        Discrete only: rescale arrays that do not sum to 1 instead of raising.

    Returns
    -------
    float or ndarray (or ``(value, error)``)
        ``inf`` when the divergence is infinite (support mismatch where ``f(0)`` or ``f′(∞)`` is
        infinite, or divergent tails — decided analytically for the known families).

    Warns
    -----
    IntegrationWarning
        When the error estimate exceeds ``rtol·|value|`` (the value is still returned, with
        ``.error``); e.g. gan between nearly disjoint laws, whose value is below the rounding of
        ``−log 4 + ∫ q φ``.

    Notes
    -----
    Csiszár's conventions: a region with ``p = 0 < q`` contributes ``Q(region)·f(0)``, one with
    ``q = 0 < p`` contributes ``P(region)·f′(∞)``.  Computed as ``f(1) + ∫ q φ(p/q)`` with the
    centred generator ``φ(u) = f(u) − f(1) − f′(1)(u − 1) ≥ 0`` evaluated from
    ``r = log p − log q`` with the larger density in front.

    References
    ----------
    I. Csiszár (1967), Information-type measures of difference of probability distributions,
    Studia Sci. Math. Hungar. 2.
    """
    d = resolve(div)
    if not (isinstance(rtol, (int, float)) and 0 < rtol < 1):
        raise ValueError(f"rtol={rtol!r}: pass a tolerance in (0, 1), e.g. 1e-10")
    if is_discrete(p) or is_discrete(q):
        v = divergence_discrete(d, p, q, normalize=normalize)
        return (v, 0.0) if return_error else v
    shape, P, Q, ip, iq = _pairs(p, q)
    # what is integrated: the centred generator, or the member's own Integrand (gan: −f)
    m, sign = (d, 1.0) if d.integrand is None else (d.integrand, d.integrand.sign)
    if (m.compiled and m.smooth and isinstance(P, FamilyBatch) and isinstance(Q, FamilyBatch)
            and P.vectorised and Q.vectorised):
        def run(ip, iq, tol, quiet=False):
            return _continuous_vectorised(m, P, Q, ip, iq, tol)
    else:
        def run(ip, iq, tol, quiet=False):
            return _continuous(m, _elements(P, ip), _elements(Q, iq), tol, quiet)
    values, errors, ok = run(ip, iq, rtol)
    if m.f_at_one < 0.0:
        _refine_cancelled(m, run, ip, iq, rtol, values, errors, ok)
    _warn_uncertified(values, errors, ok, rtol)
    values = sign * values
    if shape == ():
        v, e = float(values[0]), float(errors[0])
    else:
        v, e = values.reshape(shape), errors.reshape(shape)
    return (v, e) if return_error else v


def _continuous(d, Ps, Qs, rtol, quiet=False):
    """``(values, errors, certified)`` of the general path: one integral per pair, pieces at the
    landmarks of both densities (and the crossings of p and q for a non-smooth member); ``quiet``
    leaves out the warning about finiteness left undecided (given already by a first pass)."""
    n = len(Ps)
    values = np.full(n, np.nan)
    errors = np.zeros(n)
    ok = np.ones(n, dtype=bool)
    margin = np.full(n, np.inf)
    todo = []
    undecided = []
    for i, (P, Q) in enumerate(zip(Ps, Qs)):
        finite, why, margin[i] = _tails.decide(d, P, Q)
        if finite is False:
            values[i] = math.inf
        else:
            todo.append(i)
            if finite is None:
                undecided.append(i)
    for i in undecided:
        finite, why = _tails.probe(d, Ps[i], Qs[i], integrand)
        if finite is False:
            values[i] = math.inf
            todo.remove(i)
        elif finite is None and not quiet:
            warnings.warn(IntegrationWarning(
                f"could not decide whether the integral is finite ({why}); the value returned is "
                "the integral over the range the quadrature explored", math.inf), stacklevel=4)
    if not todo:
        return values, errors, ok
    pieces = Pieces()
    for j, i in enumerate(todo):
        P, Q = Ps[i], Qs[i]
        extra = []
        if not d.smooth:
            pts = np.unique(np.concatenate([P.landmarks, Q.landmarks]))
            extra = _crossings(P, Q, pts, max(P.scale, Q.scale))
        # compiled densities take any x; a generic logpdf is not asked for values near 10^300
        _add_pieces(pieces, j, [P, Q], extra, far=P.table is not None and Q.table is not None)
    lp = _logpdf_many([Ps[i] for i in todo], "p")
    lq = _logpdf_many([Qs[i] for i in todo], "q")
    _finish(d, todo, pieces, lp, lq, rtol, values, errors, ok)
    scale, loc, distance = np.ones(n), np.zeros(n), np.zeros(n)
    for i in todo:
        P, Q = Ps[i], Qs[i]
        marks = np.concatenate([P.landmarks, Q.landmarks])
        marks = np.unique(marks[np.isfinite(marks)])
        scale[i] = max(P.scale, Q.scale)
        loc[i] = np.max(np.abs(marks), initial=0.0)  # (conservative)
        # the widest gap between landmarks (mixtures: between components, not only P and Q)
        distance[i] = np.max(np.diff(marks), initial=0.0)
    _add_far_mass(values, errors, margin, scale, loc, np.asarray(todo))
    _unresolved_gap(ok, margin, distance, scale, np.asarray(todo))
    return values, errors, ok


def _finish(d, todo, pieces, lp, lq, rtol, values, errors, ok):
    """Integrate the pieces of the integrals ``todo`` and write ``f(1) + ∫`` into ``values``."""
    def evaluate(owner, anchor, offset):
        with np.errstate(invalid="ignore"):
            return integrand(d, lp(owner, anchor, offset), lq(owner, anchor, offset))

    total, err, conv = adaptive(len(todo), pieces, evaluate, rtol=rtol, atol=DIVERGENCE_ATOL)
    _store(d, todo, total, err, conv, values, errors, ok)


def _store(d, todo, total, err, conv, values, errors, ok):
    """``values[todo] = f(1) + ∫``, its error (with the rounding of the sum when ``f(1) ≠ 0``)
    and whether the quadrature converged."""
    with np.errstate(invalid="ignore"):
        values[todo] = d.f_at_one + total
    errors[todo] = err + (np.finfo(float).eps * (abs(d.f_at_one) + np.abs(total))
                          if d.f_at_one else 0.0)
    ok[todo] = conv


def _uncertified(values, errors, ok, rtol):
    """Integrals not converged, or whose error estimate exceeds ``rtol·|value|``: the quadrature
    certifies ``∫ q φ`` to ``rtol``, and for ``f(1) < 0`` the value ``f(1) + ∫`` can be far
    smaller than the integral."""
    with np.errstate(invalid="ignore"):
        short = np.isfinite(values) & (errors > np.maximum(rtol * np.abs(values), DIVERGENCE_ATOL))
    return ~ok | short


def _refine_cancelled(d, run, ip, iq, rtol, values, errors, ok):
    """Integrate again, to ``rtol·|value|/∫`` (at least :data:`RTOL_FLOOR`), the integrals
    certified to ``rtol`` whose value ``f(1) + ∫ q φ`` cancels below it: with ``f(1) < 0``
    (gan: 2·JS − log 4) the value tends to 0 as P and Q move apart while ∫ q φ → −f(1)."""
    rows = np.flatnonzero(ok & _uncertified(values, errors, ok, rtol))
    if rows.size == 0:
        return
    integral = values[rows] - d.f_at_one
    tight = max(float(np.min(rtol * np.abs(values[rows]) / integral)), RTOL_FLOOR)
    if not tight < rtol:
        return
    values[rows], errors[rows], ok[rows] = run(ip[rows], iq[rows], tight, quiet=True)


def _warn_uncertified(values, errors, ok, rtol):
    """One IntegrationWarning for the integrals not certified to ``rtol`` relative to their value."""
    bad = _uncertified(values, errors, ok, rtol)
    if bad.any():
        worst = float(np.max(errors[bad]))
        why = ("; NaN where the integrand could not be evaluated: a user generator's f overflowed "
               "at a large u = p/q where p > 0" if np.isnan(values[bad]).any() else "")
        warnings.warn(IntegrationWarning(
            f"{int(bad.sum())} of {values.size} integrals did not reach rtol={rtol:g}; largest "
            f"error estimate {worst:.3g}{why}", worst), stacklevel=3)


def _continuous_vectorised(d, P, Q, ip, iq, rtol):
    """The batch path for two families on ℝ: tails decided as array operations, then breakpoints
    and quadrature per integral in one compiled kernel (:mod:`fdiv._fused`)."""
    n = ip.size
    values = np.full(n, np.nan)
    errors = np.zeros(n)
    ok = np.ones(n, dtype=bool)
    margin = np.full(n, np.inf)
    for side in (-1, 1):
        margin = np.minimum(margin, _tails.tail_margin(d, P.tails(side)[ip], Q.tails(side)[iq]))
    finite = margin > 0.0
    values[~finite] = math.inf
    todo = np.flatnonzero(finite)
    if todo.size == 0:
        return values, errors, ok
    TP, TQ = P.tables()[ip[todo]], Q.tables()[iq[todo]]
    total, err, conv, _ = adaptive_pairs(d, TP, TQ, P.fam, Q.fam, rtol, atol=DIVERGENCE_ATOL)
    _store(d, todo, total, err, conv, values, errors, ok)
    if np.isfinite(margin[todo]).any():  # power tails (not for light-tailed batches)
        scale = np.maximum(P.scale[ip], Q.scale[iq])
        loc = np.maximum(np.abs(P.loc[ip]), np.abs(Q.loc[iq]))
        _add_far_mass(values, errors, margin, scale, loc, todo)
        _unresolved_gap(ok, margin, np.abs(P.loc[ip] - Q.loc[iq]), scale, todo)
    return values, errors, ok


#: Heavy-tailed densities further apart than this many scales leave one piece between their
#: landmark clusters whose Kronrod nodes never come near its ends, where a power tail holds its
#: mass (KL between cauchy(0, 1) and cauchy(1e12, 1) was 2e-5 off, certified)
GAP_LIMIT = 1e10


def _unresolved_gap(ok, margin, distance, scale, rows):
    """Not certified: power-tailed pairs (finite ``margin``) further apart than ``GAP_LIMIT``
    (``distance``: of the locations, or the widest gap between landmarks on the general path)."""
    far = np.isfinite(margin[rows]) & (distance[rows] > GAP_LIMIT * scale[rows])
    ok[np.asarray(rows)[far]] = False


def _add_far_mass(values, errors, margin, scale, loc, rows):
    """Add to the error of slowly decaying power tails the mass they may hold beyond the largest
    float (:func:`fdiv._tails.beyond_the_floats`; ``scale``, ``loc``: the densities' larger
    scale and distance from 0)."""
    frac = _tails.beyond_the_floats(margin[rows], scale[rows], loc[rows])
    with np.errstate(invalid="ignore"):
        errors[rows] += np.where(frac > 0.0, frac * np.abs(values[rows]), 0.0)


def integrate(func, *dists, rtol=1e-10, atol=0.0, return_error=False, points=()):
    """``∫ func(x) dx`` over the union of the supports of ``dists``, by certified quadrature.

    Parameters
    ----------
    func : callable
        Vectorised over a 1-D float64 array of points.
    *dists : distribution
        One or more distribution objects (see :func:`divergence`); their supports, landmarks and
        support ends define the range and the breakpoints.
    rtol, atol : float
    points : sequence of float
        Extra breakpoints (kinks of ``func``).

    Returns
    -------
    float (or ``(value, error)``)

    Warns
    -----
    IntegrationWarning
        When the error estimate exceeds ``max(atol, rtol·|value|)``.
    """
    if not dists:
        raise TypeError("integrate() needs at least one distribution to define the range")
    nms = [as_normal(dd, f"dists[{k}]") for k, dd in enumerate(dists)]
    pieces = Pieces()
    _add_pieces(pieces, 0, nms, points)

    lost = [0.0]

    def evaluate(owner, anchor, offset):
        x = anchor + offset
        # nodes nearer a support end than one ulp of it (a shifted end, e.g. gamma(0.5, loc=1))
        # collapse onto the end: evaluate beside it, and book the unseen last ulp as error
        collapsed = (x == anchor) & (offset != 0)
        if collapsed.any():
            x = np.where(collapsed, np.nextafter(anchor, np.copysign(np.inf, offset)), x)
        v = np.asarray(func(x), dtype=np.float64)
        if collapsed.any():
            ulp = np.abs(x[collapsed] - anchor[collapsed])
            # ∫_0^h δ^P = h·h^P/(P+1): 10 h |f(h)| covers end singularities down to P = −0.9
            lost[0] = max(lost[0], float(np.max(10.0 * ulp * np.abs(v[collapsed]))))
        return v

    total, err, ok = adaptive(1, pieces, evaluate, rtol=rtol, atol=atol)
    v, e = float(total[0]), float(err[0]) + lost[0]
    # a divergent integral can look converged (the bisection stops while the tail still grows):
    # probe the tails of an infinite range, as for generic densities
    lo = min(n.support[0] for n in nms)
    hi = max(n.support[1] for n in nms)
    centre = float(np.median(np.concatenate([n.landmarks for n in nms])))
    scale = max(n.scale for n in nms)
    for side, end in ((1, hi), (-1, lo)):
        if math.isfinite(end):
            continue
        x = _tails.probe_points(centre, scale, side)
        with np.errstate(all="ignore"):
            try:
                gx = np.asarray(func(x), dtype=np.float64)
            except (ArithmeticError, ValueError):  # func refuses such far points: no evidence
                continue
            verdict = _tails.decay(np.log(np.abs(gx)) + np.log(np.abs(x - centre)))
        if verdict is False:
            warnings.warn(IntegrationWarning(
                f"the integral diverges: |x·func(x)| does not decay towards {side:+d}∞", math.inf),
                stacklevel=2)
            tail = gx[np.isfinite(gx) & (gx != 0)]
            v = math.copysign(math.inf, tail[-1] if tail.size else v)
            return (v, math.inf) if return_error else v
        if verdict is None:
            lost[0] = math.inf  # undecided: not certified
    e = float(err[0]) + lost[0]
    if not (ok[0] and e <= max(atol, rtol * abs(v))):
        why = (" (the integrand is singular at a support end that lies within one ulp of its "
               "neighbours in double precision)") if lost[0] else ""
        warnings.warn(IntegrationWarning(
            f"integral did not reach rtol={rtol:g}, atol={atol:g}: error estimate {e:.3g}{why}", e),
            stacklevel=2)
    return (v, e) if return_error else v
