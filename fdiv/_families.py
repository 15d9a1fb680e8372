"""Closed-form log densities of the supported continuous families, compiled by numba.

Every family is a location–scale family with up to two shape parameters, exactly as in
``scipy.stats`` (``z = (x − loc)/scale``, ``logpdf = logpdf_std(z; shapes) − log scale``).  A
1-D distribution is a *table* of rows ``[code, log weight, loc, scale, s1, s2, c]`` (one row per
mixture component, ``c`` the precomputed normalising constant), evaluated by one kernel.

Points are passed as ``anchor + offset`` so that a point within a few ulps of a support end
keeps its distance to that end exactly (Beta densities singular at 0 or 1 need it).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["FAMILIES", "Family", "row", "rows", "logpdf_member", "logpdf_block", "logpdf_table", "logpdf_points"]

_OPTS = dict(cache=True, error_model="numpy")
_LOG2PI = math.log(2.0 * math.pi)
_NEG_INF = -math.inf

# family codes (stable: they are stored in tables)
NORM, T, LAPLACE, LOGISTIC, CAUCHY, GUMBEL_R, EXPON, GAMMA, LOGNORM, BETA, UNIFORM = range(11)


class Family:
    """Static facts about one family: scipy name, shapes, standard support and tail classes.

    ``landmarks`` are breakpoints for the quadrature.  They must resolve the density: gaps no
    wider than a few standard scales where it has mass, and (for light tails) an outermost
    point beyond which the density is below ~e^{-100} of its peak — otherwise a finite piece
    that starts there and ends at another distribution's landmark could hide the whole tail
    between two quadrature nodes, where no error estimate sees it.

    ``tail`` describes the log density of the *standard* member far out on each infinite side
    as coefficients of ``(e^{|z|}, z², |z|, (log|z|)², log|z|)`` (see :mod:`fdiv._tails`);
    ``end_power`` the exponent ``α − 1`` of ``δ^{α−1}`` at finite support ends (δ the distance).
    ``guards`` are the standard landmarks (among ``landmarks``) that only guard the far tail (the
    e^{-100} points); the batch kernel adds them only where a piece would otherwise span them
    widely (:mod:`fdiv._fused`).
    ``kinks`` are the standard landmarks where the log density is not differentiable (laplace's
    centre): the batch kernel keeps them as breakpoints even where it merges close landmarks.
    ``trapezoid``: the density is a Gaussian (entire, with scale ``scale``) and, at its outermost
    core landmarks, below e^{-40} of its peak: between two members' landmarks the integrand of a
    member with an entire ``φ`` of polynomial growth is then a sum of Gaussians times polynomials,
    negligible at the ends, on which the batch kernel's trapezoidal window is reliable
    (:mod:`fdiv._trapezoid`, :mod:`fdiv._fused`).
    """

    def __init__(self, code, name, shapes, support, landmarks, tail, end_power=None, guards=(),
                 trapezoid=False, kinks=()):
        self.code, self.name, self.shapes = code, name, shapes
        self.support = support  # standard support (lo, hi)
        self.landmarks = landmarks  # callable(shapes) -> standard landmark points
        self.tail = tail  # callable(shapes) -> {side: vector}
        self.end_power = end_power  # callable(shapes) -> {side: power}
        self.guards = tuple(guards)  # standard points, a subset of landmarks(shapes)
        self.trapezoid = trapezoid
        self.kinks = tuple(kinks)  # standard points, a subset of landmarks(shapes)


def _sym(points):
    pts = np.asarray(points, dtype=float)
    return np.concatenate([-pts[::-1], [0.0], pts])


def _norm_tail(s):
    v = (0.0, -0.5, 0.0, 0.0, 0.0)
    return {-1: v, 1: v}


def _t_tail(s):
    v = (0.0, 0.0, 0.0, 0.0, -(s[0] + 1.0))
    return {-1: v, 1: v}


def _exp_tail(s):
    v = (0.0, 0.0, -1.0, 0.0, 0.0)
    return {-1: v, 1: v}


def _cauchy_tail(s):
    v = (0.0, 0.0, 0.0, 0.0, -2.0)
    return {-1: v, 1: v}


FAMILIES = {
    "norm": Family(NORM, "norm", (), (-math.inf, math.inf),
                   lambda s: _sym([3.0, 9.0, 15.0]), _norm_tail, guards=(-15.0, 15.0),
                   trapezoid=True),
    "t": Family(T, "t", ("df",), (-math.inf, math.inf),
                lambda s: _sym([0.5, 1.5, 3, 6, 12, 30, 100, 1e3, 1e4]), _t_tail),
    "laplace": Family(LAPLACE, "laplace", (), (-math.inf, math.inf),
                      lambda s: _sym([1, 3, 8, 20, 40, 80]), _exp_tail, kinks=(0.0,)),
    "logistic": Family(LOGISTIC, "logistic", (), (-math.inf, math.inf),
                       lambda s: _sym([1, 3, 8, 20, 40, 80]), _exp_tail),
    "cauchy": Family(CAUCHY, "cauchy", (), (-math.inf, math.inf),
                     lambda s: _sym([0.5, 1.5, 4, 12, 40, 200, 1e3, 1e4]), _cauchy_tail),
    "gumbel_r": Family(GUMBEL_R, "gumbel_r", (), (-math.inf, math.inf),
                       lambda s: np.array([-4.0, -2.5, -1.5, -0.5, 0, 0.5, 1.5, 3, 6, 12, 25, 50, 90]),
                       lambda s: {-1: (1.0, 0.0, 0.0, 0.0, 0.0), 1: (0.0, 0.0, -1.0, 0.0, 0.0)}),
    "expon": Family(EXPON, "expon", (), (0.0, math.inf),
                    lambda s: np.array([0.0, 0.5, 1.5, 4, 10, 25, 50, 100]),
                    lambda s: {1: (0.0, 0.0, -1.0, 0.0, 0.0)}, lambda s: {1: 0.0}),
    "gamma": Family(GAMMA, "gamma", ("a",), (0.0, math.inf),
                    lambda s: np.concatenate([
                        [0.0, 1e-6, 1e-3, 0.01, 0.1],
                        s[0] + math.sqrt(s[0]) * np.array([-3, -2, -1, -0.5, 0, 0.5, 1, 2, 4, 8, 16, 32, 64]),
                        s[0] + np.array([40.0, 100.0])]),
                    lambda s: {1: (0.0, 0.0, -1.0, 0.0, s[0] - 1.0)}, lambda s: {1: s[0] - 1.0}),
    "lognorm": Family(LOGNORM, "lognorm", ("s",), (0.0, math.inf),
                      lambda s: np.exp(s[0] * _sym([0.5, 1.5, 3, 5, 8, 12, 20])),
                      lambda s: {1: (0.0, 0.0, 0.0, -0.5 / s[0] ** 2, -1.0)},
                      # δ → 0 at the left end: log p ≈ −(log δ)²/(2s²): faster than any power
                      lambda s: {1: math.inf}),
    "beta": Family(BETA, "beta", ("a", "b"), (0.0, 1.0),
                   lambda s: np.array([0.0, 1e-6, 1e-3, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98, 0.999, 1 - 1e-6, 1.0]),
                   lambda s: {}, lambda s: {1: s[0] - 1.0, -1: s[1] - 1.0}),
    "uniform": Family(UNIFORM, "uniform", (), (0.0, 1.0),
                      lambda s: np.array([0.0, 0.5, 1.0]), lambda s: {}, lambda s: {1: 0.0, -1: 0.0}),
}


@njit(**_OPTS)
def _rows_kernel(code, logw, loc, scale, s1, s2, out):
    for i in range(loc.size):
        ls = math.log(scale[i])
        a, b = s1[i], s2[i]
        if code == NORM:
            c = -0.5 * _LOG2PI - ls
        elif code == T:
            x = 0.5 * a
            if x > 100.0:
                # lgamma(x + ½) − lgamma(x) cancels for large ν (t(1e15) lost the constant):
                # = ½ log x − 1/(8x) + 1/(192x³) − 1/(640x⁵) + O(x⁻⁷), so c tends to −½ log 2π
                ix = 1.0 / x
                ix2 = ix * ix
                c = -0.5 * _LOG2PI + ix * (-0.125 + ix2 * (1.0 / 192.0 - ix2 / 640.0)) - ls
            else:
                c = math.lgamma(x + 0.5) - math.lgamma(x) - 0.5 * math.log(a * math.pi) - ls
        elif code == LAPLACE:
            c = -math.log(2.0) - ls
        elif code == CAUCHY:
            c = -math.log(math.pi) - ls
        elif code == GAMMA:
            c = -math.lgamma(a) - ls
        elif code == LOGNORM:
            c = -math.log(a) - 0.5 * _LOG2PI - ls
        elif code == BETA:
            c = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) - ls
        else:  # logistic, gumbel_r, expon, uniform
            c = -ls
        out[i, 0] = code
        out[i, 1] = logw[i]
        out[i, 2] = loc[i]
        out[i, 3] = scale[i]
        out[i, 4] = a
        out[i, 5] = b
        out[i, 6] = c


def rows(family: Family, loc, scale, shapes, logw=0.0) -> np.ndarray:
    """Table rows ``[code, logw, loc, scale, s1, s2, c]`` (normalising constant ``c``), one per
    element of the broadcast parameter arrays: shape ``(n, 7)``."""
    zero = np.zeros(())
    s1 = shapes[0] if len(shapes) > 0 else zero
    s2 = shapes[1] if len(shapes) > 1 else zero
    arrs = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (logw, loc, scale, s1, s2)))
    flat = [np.array(a, dtype=np.float64).ravel() for a in arrs]
    out = np.empty((flat[0].size, 7))
    _rows_kernel(family.code, *flat, out)
    return out


def row(family: Family, loc: float, scale: float, shapes, logw: float = 0.0) -> np.ndarray:
    """One table row (see :func:`rows`)."""
    return rows(family, loc, scale, shapes, logw)[0]


@njit(**_OPTS)
def logpdf_member(code, loc, scale, s1, s2, c, anchor, offset):
    """log density of one family member (the fields of a table row) at ``anchor + offset``."""
    z = ((anchor - loc) + offset) / scale
    if code == NORM:
        return c - 0.5 * z * z
    if code == T:
        a = abs(z)
        w = a / math.sqrt(s1)
        if w < 1e100:
            return c - 0.5 * (s1 + 1.0) * math.log1p(w * w)
        # w² would overflow far short of the largest float, where a t law with small ν still
        # has mass (and w itself near it, for ν < 1): log(1 + w²) = 2 log w + log1p(1/w²)
        lw = math.log(a) - 0.5 * math.log(s1)
        return c - 0.5 * (s1 + 1.0) * (2.0 * lw + math.log1p(math.exp(-2.0 * lw)))
    if code == LAPLACE:
        return c - abs(z)
    if code == LOGISTIC:
        a = abs(z)
        return c - a - 2.0 * math.log1p(math.exp(-a))
    if code == CAUCHY:
        a = abs(z)
        if a < 1e100:
            return c - math.log1p(z * z)
        return c - 2.0 * math.log(a) - math.log1p(1.0 / (a * a))  # as for t
    if code == GUMBEL_R:
        return c - z - math.exp(-z)
    if z < 0.0:
        return _NEG_INF
    if code == EXPON:
        return c - z
    if code == GAMMA:
        if z == 0.0:
            return math.inf if s1 < 1.0 else (c if s1 == 1.0 else _NEG_INF)
        return c + (s1 - 1.0) * math.log(z) - z
    if code == LOGNORM:
        if z == 0.0:
            return _NEG_INF
        lz = math.log(z)
        return c - lz - 0.5 * lz * lz / (s1 * s1)
    # finite support [0, 1]: the distance to the right end, kept exact near it
    zc = ((loc + scale - anchor) - offset) / scale
    if zc < 0.0:
        return _NEG_INF
    if code == UNIFORM:
        return c
    # BETA
    if z == 0.0:
        return math.inf if s1 < 1.0 else (c if s1 == 1.0 else _NEG_INF)
    if zc == 0.0:
        return math.inf if s2 < 1.0 else (c if s2 == 1.0 else _NEG_INF)
    return c + (s1 - 1.0) * math.log(z) + (s2 - 1.0) * math.log(zc)


@njit(**_OPTS)
def logpdf_block(T, anchor, offset, out, n):
    """``out[:n]`` = log weight + log density of the member ``T = (log weight, code, loc, scale,
    s1, s2, c)`` at ``anchor[:n] + offset[:n]``.  The normal family's loop is branch-free, so it
    vectorises; the others call :func:`logpdf_member` per point."""
    logw, code, loc, scale, s1, s2, c = T[0], int(T[1]), T[2], T[3], T[4], T[5], T[6]
    if code == NORM:
        for j in range(n):
            z = ((anchor[j] - loc) + offset[j]) / scale
            out[j] = logw + (c - 0.5 * z * z)
        return
    for j in range(n):
        out[j] = logw + logpdf_member(code, loc, scale, s1, s2, c, anchor[j], offset[j])


@njit(**_OPTS)
def _logpdf_row(tab, k, anchor, offset):
    return logpdf_member(int(tab[k, 0]), tab[k, 2], tab[k, 3], tab[k, 4], tab[k, 5], tab[k, 6],
                         anchor, offset)


@njit(**_OPTS)
def logpdf_rows(tab, start, count, anchor, offset):
    """log density of the mixture in rows ``start … start+count−1`` of ``tab`` at
    ``anchor + offset`` (log-sum-exp over the rows)."""
    if count == 1:
        return tab[start, 1] + _logpdf_row(tab, start, anchor, offset)
    m = _NEG_INF
    for k in range(start, start + count):
        v = tab[k, 1] + _logpdf_row(tab, k, anchor, offset)
        if v > m:
            m = v
    if m == _NEG_INF or m == math.inf:
        return m
    s = 0.0
    for k in range(start, start + count):
        s += math.exp(tab[k, 1] + _logpdf_row(tab, k, anchor, offset) - m)
    return m + math.log(s)


@njit(**_OPTS)
def logpdf_table(table, anchor, offset):
    """log density of the mixture in the whole ``table`` at ``anchor + offset``."""
    return logpdf_rows(table, 0, table.shape[0], anchor, offset)


@njit(**_OPTS)
def logpdf_points(table, x, out):
    """Vectorised :func:`logpdf_table` at plain points ``x``."""
    for i in range(x.size):
        out[i] = logpdf_table(table, x[i], 0.0)
