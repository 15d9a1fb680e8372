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

__all__ = ["decide", "heavier", "probe"]

# growth functions in dominance order (larger index dominates); dexp keys carry their rate
_ORDER = {"log1": 0, "log2": 1, "x1": 2, "x2": 3}


def _terms(vec):
    """Dict {growth key: coefficient} from a tail vector."""
    if vec[0] == "dexp":
        return {("dexp", vec[1]): -vec[2]}
    _, a2, a1, al2, al = vec
    return {k: v for k, v in (("x2", a2), ("x1", a1), ("log2", al2), ("log1", al)) if v != 0.0}


def _rank(key):
    if isinstance(key, tuple):
        return (1, key[1])
    return (0, _ORDER[key])


def _combine(*pairs):
    out = {}
    for coef, terms in pairs:
        for k, v in terms.items():
            out[k] = out.get(k, 0.0) + coef * v
    return {k: v for k, v in out.items() if abs(v) > 1e-14 * (1 + abs(v))}


def _lead(terms):
    if not terms:
        return None, 0.0
    key = max(terms, key=_rank)
    return key, terms[key]


def heavier(a, b):
    """The heavier of two tail vectors (the tail of a mixture is its heaviest component's)."""
    ta, tb = _terms(a), _terms(b)
    key, coef = _lead(_combine((1.0, ta), (-1.0, tb)))
    return a if (key is None or coef >= 0) else b


def _converges_at_infinity(Lp, Lq, div):
    """Convergence of the integrand's tail, both log densities given as term dicts."""
    R = _combine((1.0, Lp), (-1.0, Lq))
    rkey, rcoef = _lead(R)
    if rkey is None:
        return True, "p/q tends to a constant"
    if rcoef < 0:
        (k, m), E = div.growth_lo, None
        E = _combine((1.0 + k, Lq), (-k, Lp))
    else:
        (k, m) = div.growth_hi
        E = _combine((1.0 + k, Lp), (-k, Lq))
    # |r|^m: r grows like the leading term of R
    if m:
        if isinstance(rkey, tuple):
            E = _combine((1.0, E), (m * rkey[1], {"x1": 1.0}))
        elif rkey in ("x2", "x1"):
            E = _combine((1.0, E), (m * (2.0 if rkey == "x2" else 1.0), {"log1": 1.0}))
    ekey, ecoef = _lead(E)
    if ekey is None:
        return False, "the integrand does not decay"
    if ekey == "log1":
        return (ecoef < -1.0), f"the integrand decays like |x|^{ecoef:g}"
    return (ecoef < 0), ("the integrand decays faster than any power" if ecoef < 0
                         else "the integrand grows")


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
        k, m = div.growth_lo
        E = (1.0 + k) * Pq - k * Pp
    else:
        k, m = div.growth_hi
        E = (1.0 + k) * Pp - k * Pq
    return E > -1.0, f"the integrand behaves like δ^{E:g} near the end"


def decide(div, P, Q):
    """``(finite, reason)``: True/False when settled analytically, None for the generic path."""
    if P.table is None or Q.table is None:
        return None, "generic densities: decided by a numeric probe"
    for side in (-1, 1):
        if side in P.tails and side in Q.tails:
            ok, why = _converges_at_infinity(_terms(P.tails[side]), _terms(Q.tails[side]), div)
            if not ok:
                end = "+∞" if side == 1 else "−∞"
                return False, f"diverges at {end}: {why}"
    points = {(pt, sd) for pt, sd, _ in P.ends} | {(pt, sd) for pt, sd, _ in Q.ends}
    for pt, sd in points:
        Pp, Pq = _power_at(P, pt, sd), _power_at(Q, pt, sd)
        if Pp is None or Pq is None:
            continue
        ok, why = _converges_at_end(Pp, Pq, div)
        if not ok:
            return False, f"diverges at the support end x = {pt:g}: {why}"
    return True, "tails and support ends checked analytically"


def probe(div, P, Q, integrand):
    """Numeric tail probe for generic densities: ``(finite or None, reason)``.

    Looks at ``x·g(x)`` (the integrand's mass per unit of log x) at ``x = c ± s·2^j``; decreasing
    by at least a factor 2 per doubling over the last decade of doublings → finite; not
    decreasing at all → infinite; otherwise undecided.
    """
    lo, hi = P.support[0], P.support[1]
    lo, hi = min(lo, Q.support[0]), max(hi, Q.support[1])
    c = float(np.median(np.concatenate([P.landmarks, Q.landmarks])))
    s = max(P.scale, Q.scale)
    verdict, reasons = True, []
    for side, end in ((1, hi), (-1, lo)):
        if math.isfinite(end):
            continue
        j = np.arange(1, 60, dtype=float)
        x = c + side * s * np.exp2(j)
        with np.errstate(all="ignore"):
            lp, lq = P.logpdf(x), Q.logpdf(x)
            # the integrand is homogeneous of degree 1 in (p, q): shift both logs to keep it in range
            M = np.maximum(lp, lq)
            M = np.where(np.isfinite(M), M, 0.0)
            g = integrand(div, lp - M, lq - M)
            m = np.log(g) + M + np.log(np.abs(x - c))
        ok = np.isfinite(m)
        if ok.sum() < 12:
            m = m[ok]
            if m.size and np.all(np.diff(m) < -math.log(2)):
                continue
            if not m.size:
                continue  # both densities vanish in floating point: nothing left to integrate
            verdict, reasons = None, reasons + [f"too few finite tail values at {side:+d}∞"]
            continue
        tail = m[ok][-10:]
        steps = np.diff(tail)
        if np.all(steps < -math.log(2) * 0.5):
            continue
        if np.all(steps > -1e-3):
            return False, f"the integrand's mass does not decay towards {side:+d}∞ (numeric probe)"
        verdict, reasons = None, reasons + [f"slow decay towards {side:+d}∞"]
    return verdict, "; ".join(reasons) or "numeric tail probe: decays"
