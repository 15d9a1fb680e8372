"""Is ``∫ q f(p/q)`` finite?  Decided from the asymptotics of the densities.

Quadrature cannot tell a slowly convergent integral from a divergent one (scipy.integrate.quad
returns KL(Cauchy‖Normal) = −2.43), so finiteness is decided *before* integrating:

* at an infinite end, ``log p`` behaves like a combination of ``−c e^{ρ|x|}``, ``x²``, ``|x|``,
  ``(log|x|)²`` and ``log|x|`` (the families' tail classes, see :mod:`fdiv._families`);
* at a finite support end ``e``, ``log p ≈ P log δ`` with ``δ = |x − e|``;
* the member says how its centred generator grows (``growth_lo``/``growth_hi``:
  ``φ(e^r) ~ |r|^m e^{k|r|}`` as ``r → −∞``, ``e^{−r} φ(e^r) ~ r^m e^{kr}`` as ``r → +∞``).

Where ``r = log p − log q → −∞`` the integrand is ``≈ q^{1+k} p^{−k} |r|^m``, where ``r → +∞`` it is
``≈ p^{1+k} q^{−k} r^m``; its leading asymptotic term decides convergence.  The generic path
(densities known only through ``logpdf``) uses :func:`probe`, a numeric look at the same quantity.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._borrow import borrow

__all__ = ["decide", "heavier", "probe", "probe_points", "decay", "tail_vector", "tail_margin",
           "beyond_the_floats"]

# A tail is an array [ρ, d, x2, x1, log2, log1] (any leading batch shape) meaning
#     log p(x) ≈ d e^{ρ|x|} + x2 x² + x1 |x| + log2 (log|x|)² + log1 log|x|     (|x| → ∞).
# The slots after d are in decreasing order of dominance; the e^{ρ|x|} term dominates them all.
RHO, D, X2, X1, LOG2, LOG1 = range(6)
_OPTS = dict(cache=True, error_model="numpy")


def tail_vector(vec, loc, scale, side):
    """The tail array in x of a family member from its standard tail ``vec`` in
    ``z = (x − loc)/scale`` (see :class:`fdiv._families.Family`), on ``side`` (±1).

    Cross terms of the location and scale are kept where they can decide a comparison
    (a Gaussian's ``−2μx/(2σ²)``, a log-normal's ``log σ``).
    """
    dexp, a2, a1, al2, al = vec
    loc = np.asarray(loc, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    out = np.zeros(np.broadcast(loc, scale).shape + (6,))
    if dexp:
        # −e^{−s z} on side s: e^{|x|/σ} e^{s·(−μ)/σ}·… : rate 1/σ, coefficient −e^{−sμ/σ}
        out[..., RHO] = 1.0 / scale
        out[..., D] = -dexp * np.exp(-side * loc / scale)
        return out
    with np.errstate(over="ignore"):  # scale² of a scale near the float limit: a2/inf = 0
        out[..., X2] = a2 / scale**2
        out[..., X1] = a1 / scale - side * 2.0 * a2 * loc / scale**2
    out[..., LOG2] = al2
    out[..., LOG1] = al - 2.0 * al2 * np.log(scale)
    return out


@njit(**_OPTS)
def _combine_row(a, A, b, B, out):
    """``out = a·A + b·B`` for one pair of tail rows (see :func:`combine`); ``out`` may be
    ``A`` or ``B``."""
    for j in range(2, 6):
        lin = a * A[j] + b * B[j]
        mag = abs(a * A[j]) + abs(b * B[j])
        out[j] = 0.0 if abs(lin) <= 1e-12 * mag else lin
    dA, dB = a * A[D], b * B[D]
    rA = A[RHO] if dA != 0 else 0.0
    rB = B[RHO] if dB != 0 else 0.0
    if rA == rB:
        d = dA + dB
        if abs(d) <= 1e-12 * (abs(dA) + abs(dB)):
            d = 0.0
    else:
        d = dA if rA > rB else dB
    out[D] = d
    out[RHO] = max(rA, rB) if d != 0 else 0.0


@njit(**_OPTS)
def _lead_row(T):
    """``(slot, coefficient)`` of the dominant term of one tail row (see :func:`lead`)."""
    if T[D] != 0:
        return D, T[D]
    for j in range(X2, 6):
        if T[j] != 0:
            return j, T[j]
    return 6, 0.0


@njit(**_OPTS)
def _margin_row(Lp, Lq, klo, mlo, khi, mhi, R, E, bump):
    """How integrably ``q φ(p/q)`` decays where the tails ``Lp``, ``Lq`` hold: ``β − 1`` for an
    integrand ``~ |x|^{−β}`` (a power tail), ``+inf`` for a faster decay, ``−1`` when it diverges
    (``R``, ``E``, ``bump``: scratch rows)."""
    _combine_row(1.0, Lp, -1.0, Lq, R)  # the tail of r = log p − log q
    rslot, rcoef = _lead_row(R)
    if rslot == 6:  # p/q tends to a constant: the integrand decays like the densities
        _combine_row(1.0, Lp, 0.0, Lq, E)
        return _decay_margin(E)
    low = rcoef < 0  # r → −∞: q^{1+k} p^{−k} |r|^m;  r → +∞: p^{1+k} q^{−k} r^m
    k, m = (klo, mlo) if low else (khi, mhi)
    front, back = (Lq, Lp) if low else (Lp, Lq)
    _combine_row(1.0 + k, front, -k, back, E)
    # |r|^m with r growing like its leading term
    bump[:] = 0.0
    bump[X1] = m * R[RHO] if rslot == D else 0.0
    bump[LOG1] = 2.0 * m if rslot == X2 else (m if rslot == X1 else 0.0)
    _combine_row(1.0, E, 1.0, bump, E)  # in place: each slot is read before it is written
    return _decay_margin(E)


@njit(**_OPTS)
def _decay_margin(E):
    """``β − 1`` for the tail ``E ≈ −β log|x|``, ``+inf`` for a faster decay, −1 otherwise."""
    eslot, ecoef = _lead_row(E)
    if eslot == LOG1:
        return -ecoef - 1.0 if ecoef < -1.0 else -1.0
    return math.inf if eslot != 6 and ecoef < 0 else -1.0


@njit(**_OPTS)
def _combine_rows(a, A, b, B, out):
    for i in range(out.shape[0]):
        _combine_row(a[i], A[i], b[i], B[i], out[i])


@njit(**_OPTS)
def _lead_rows(T, slot, coef):
    for i in range(T.shape[0]):
        slot[i], coef[i] = _lead_row(T[i])


@njit(**_OPTS)
def _margin_rows(Lp, Lq, klo, mlo, khi, mhi, out, scratch):
    # borrowed views (the caller owns the arrays): no reference counting per row and call
    Lp, Lq, scratch = borrow(Lp), borrow(Lq), borrow(scratch)
    R, E, bump = scratch[0], scratch[1], scratch[2]
    for i in range(out.size):
        out[i] = _margin_row(Lp[i], Lq[i], klo, mlo, khi, mhi, R, E, bump)


def _rows(*arrays):
    """Broadcast tail arrays (``(..., 6)``) to a common shape; return it and ``(n, 6)`` copies."""
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in arrays))
    shape = arrays[0].shape[:-1]
    return shape, [np.ascontiguousarray(x.reshape(-1, 6)) for x in arrays]


def combine(a, A, b, B):
    """``a·A + b·B`` for tail arrays (cancellations to rounding are set to exact zeros)."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)[..., None] * np.ones(6)
    b = np.asarray(b, dtype=np.float64)[..., None] * np.ones(6)
    shape, (A, B, a, b) = _rows(A, B, a, b)
    out = np.empty_like(A)
    _combine_rows(np.ascontiguousarray(a[:, 0]), A, np.ascontiguousarray(b[:, 0]), B, out)
    return out.reshape(shape + (6,))


def lead(T):
    """``(slot, coefficient)`` of the dominant term (slot 6 and 0.0 when the tail is flat)."""
    shape, (T,) = _rows(T)
    slot, coef = np.empty(T.shape[0], dtype=np.int64), np.empty(T.shape[0])
    _lead_rows(T, slot, coef)
    return slot.reshape(shape), coef.reshape(shape)


def heavier(A, B):
    """The heavier of two tails (a mixture's tail is its heaviest component's)."""
    slot, coef = lead(combine(1.0, A, -1.0, B))
    return np.where((coef >= 0)[..., None], A, B)


def tail_margin(div, Lp, Lq):
    """How integrably the integrand ``q φ(p/q)`` decays where these tails hold: ``β − 1`` where
    it falls like ``|x|^{−β}``, ``+inf`` where faster, ``−1`` where the integral diverges."""
    shape, (Lp, Lq) = _rows(Lp, Lq)
    (klo, mlo), (khi, mhi) = div.growth_lo, div.growth_hi
    out = np.empty(Lp.shape[0])
    _margin_rows(Lp, Lq, float(klo), float(mlo), float(khi), float(mhi), out, np.empty((3, 6)))
    return out.reshape(shape)


#: ``log`` of the largest float: no quadrature node lies beyond ``e^LOG_MAX``
LOG_MAX = math.log(np.finfo(float).max)


def beyond_the_floats(margin, scale, loc=0.0):
    """An estimate, generous by a factor ~100, of the fraction of an integrand's mass beyond the
    largest float, which no node reaches and no error estimate sees.  For an integrand falling
    like ``|x − loc|^{−(1 + margin)}`` (times powers of ``log``) on the length ``scale``, the mass
    beyond ``x_max`` is about ``e^{−margin·L}·L`` of the whole, ``L = log((x_max − |loc|)/scale)``:
    the estimate is ``100·(1 + L)·e^{−margin·L}`` (0 for a faster decay).  It matters for a t law
    with ν ≲ 0.05 or a power member near its finiteness boundary; the engine adds it, times the
    value, to the error estimate."""
    span = np.finfo(float).max - np.abs(np.asarray(loc, dtype=float))
    room = np.log(np.maximum(span, 1.0)) - np.log(np.asarray(scale, dtype=float))
    room = np.maximum(room, 0.0)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(margin), 0.0, 100.0 * (1.0 + room) * np.exp(-np.asarray(margin) * room))


def _power_at(nm, point, side):
    """Exponent P of ``δ^P`` for the density on ``side`` of ``point``; None where it is zero."""
    for pt, sd, pw in nm.ends:
        if pt == point and sd == side:
            return pw
    covered = any((a < point < b) or (side == 1 and a <= point < b) or (side == -1 and a < point <= b)
                  for a, b in nm.pieces)
    return 0.0 if covered else None


def _converges_at_end(Pp, Pq, div):
    if Pp == Pq:
        return True, "p/q tends to a constant"
    if Pp > Pq:  # p vanishes faster: r → −∞
        (k, _), front, back = div.growth_lo, Pq, Pp
    else:
        (k, _), front, back = div.growth_hi, Pp, Pq
    # q^{1+k} p^{−k} (or p^{1+k} q^{−k}); k = 0 drops the other density (even an infinite power)
    E = (1.0 + k) * front - (k * back if k else 0.0)
    return E > -1.0, f"the integrand behaves like δ^{E:g} near the end"


def decide(div, P, Q):
    """``(finite, reason, margin)``: ``finite`` True/False when settled analytically, None for the
    generic path; ``margin`` the smaller :func:`tail_margin` of the infinite ends (``+inf`` when
    there are none, or for generic densities)."""
    if P.table is None or Q.table is None:
        return None, "generic densities: decided by a numeric probe", math.inf
    margin = math.inf
    for side in (-1, 1):
        if side in P.tails and side in Q.tails:
            margin = min(margin, float(tail_margin(div, P.tails[side], Q.tails[side])))
            if not margin > 0.0:
                end = "+∞" if side == 1 else "−∞"
                return False, f"the integrand does not decay integrably towards {end}", margin
    points = {(pt, sd) for pt, sd, _ in P.ends} | {(pt, sd) for pt, sd, _ in Q.ends}
    for pt, sd in points:
        Pp, Pq = _power_at(P, pt, sd), _power_at(Q, pt, sd)
        if Pp is None or Pq is None:
            continue
        ok, why = _converges_at_end(Pp, Pq, div)
        if not ok:
            return False, f"diverges at the support end x = {pt:g}: {why}", margin
    return True, "tails and support ends checked analytically", margin


def probe_points(centre, scale, side):
    """Points ``centre ± scale·2^j``, j = 1 … 59, going out towards ``side`` (±1)."""
    return centre + side * scale * np.exp2(np.arange(1, 60, dtype=float))


def decay(log_mass):
    """Classify ``m_j = log(|x g(x)|)`` along :func:`probe_points` (the mass per unit of log x).

    Returns True (falling by at least a factor √2 per doubling over the last ten doublings:
    finite), False (growing by more than 10% per doubling, or infinite values: divergent) or
    None (undecided).  A mass per doubling that is flat or creeps up this far out (to ~6e17
    scales) may still turn and converge, slowly (KL between t(0.05) and t(0.06), whose log ratio
    grows like 0.01·log x, was called divergent): undecided, and the caller warns.
    """
    m = np.asarray(log_mass, dtype=float)
    if np.any(m == np.inf):
        return False
    m = m[~np.isnan(m)]
    if m.size and m[-1] == -np.inf:
        return True  # the integrand underflows to exactly 0 far out
    m = m[np.isfinite(m)]
    if m.size < 12:
        return None
    steps = np.diff(m[-10:])
    if np.all(steps < -0.5 * math.log(2)):
        return True
    if np.all(steps > 0.1):
        return False
    return None


def probe(div, P, Q, integrand):
    """Numeric tail probe for generic densities: ``(finite or None, reason)`` by :func:`decay`."""
    lo, hi = min(P.support[0], Q.support[0]), max(P.support[1], Q.support[1])
    c = float(np.median(np.concatenate([P.landmarks, Q.landmarks])))
    s = max(P.scale, Q.scale)
    verdict, reasons = True, []
    for side, end in ((1, hi), (-1, lo)):
        if math.isfinite(end):
            continue
        x = probe_points(c, s, side)
        with np.errstate(all="ignore"):
            lp, lq = P.logpdf(x), Q.logpdf(x)
            # beyond |log p| ~ 1e15 (a light tail far out) log p − log q is rounding: stop there
            near = ~(np.abs(np.maximum(lp, lq)) > 1e15) | (np.maximum(lp, lq) == -np.inf)
            x, lp, lq = x[near], lp[near], lq[near]
            # the integrand is homogeneous of degree 1 in (p, q): shift both logs to keep it in range
            M = np.maximum(lp, lq)
            M = np.where(np.isfinite(M), M, 0.0)
            m = np.log(integrand(div, lp - M, lq - M)) + M + np.log(np.abs(x - c))
        d = decay(m)
        if d is False:
            return False, f"the integrand's mass does not decay towards {side:+d}∞ (numeric probe)"
        if d is None:
            verdict, reasons = None, reasons + [f"slow decay towards {side:+d}∞"]
    return verdict, "; ".join(reasons) or "numeric tail probe: decays"
