"""1-D distributions the engine accepts, and their normal form.

Accepted inputs
---------------
* ``scipy.stats`` frozen continuous distributions of the families in :data:`FAMILIES` (scalar or
  array parameters — array parameters give a batch);
* :class:`Mixture` of those;
* any object with ``logpdf(x)`` (vectorised) and ``support()`` returning ``(lo, hi)``: the
  *generic* path (slower; tail finiteness decided by a numeric probe);
* for discrete distributions, see :mod:`fdiv.discrete`.

Everything is normalised to :class:`Normal1D`: a numba table (families) or a Python ``logpdf``
(generic), with its support, landmark points (breakpoints for the quadrature) and tail classes.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

import numpy as np

from ._families import FAMILIES, logpdf_points, row, rows
from ._tails import heavier, tail_vector

__all__ = ["Mixture", "logpdf", "parse_spec", "as_batch", "Normal1D", "FamilyBatch"]


@dataclass
class Normal1D:
    """One 1-D continuous distribution in the engine's normal form."""

    table: np.ndarray | None  # (n_components, 7) numba table, or None for generic
    support: tuple  # hull (lo, hi)
    pieces: list  # component supports [(lo, hi), …]
    landmarks: np.ndarray  # sorted finite points inside the hull
    scale: float  # a natural length (largest component scale)
    tails: dict = field(default_factory=dict)  # side (−1/+1) -> asymptotic vector, families only
    ends: list = field(default_factory=list)  # [(point, side, power)], families only
    generic: object = None  # object with logpdf for the generic path

    def logpdf(self, x):
        x = np.ascontiguousarray(x, dtype=np.float64).ravel()
        if self.table is not None:
            out = np.empty_like(x)
            logpdf_points(self.table, x, out)
            return out
        with np.errstate(divide="ignore"):
            return np.asarray(self.generic.logpdf(x), dtype=np.float64).reshape(x.shape)


class Mixture:
    """A finite mixture ``Σ w_k P_k`` of 1-D distributions.

    Parameters
    ----------
    weights : array_like
        Non-negative, summing to 1 (within 1e-9; pass ``normalize=True`` to rescale).
    components : sequence
        scipy.stats frozen continuous distributions of the supported families, or Mixtures.

    Notes
    -----
    ``logpdf`` is computed by log-sum-exp, so far-apart components never underflow together.
    """

    def __init__(self, weights, components, *, normalize=False):
        w = np.asarray(weights, dtype=np.float64)
        comps = list(components)
        if w.ndim != 1 or len(comps) != w.size or w.size == 0:
            raise ValueError(
                f"weights has shape {w.shape} but {len(comps)} components were given: "
                "pass one weight per component"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights must be finite and non-negative")
        total = w.sum()
        if normalize:
            w = w / total
        elif abs(total - 1.0) > 1e-9:
            raise ValueError(f"weights sum to {total!r}, not 1; pass normalize=True to rescale")
        self.weights = w
        self.components = comps
        self._normal = _mixture_normal(w, comps)

    def logpdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return self._normal.logpdf(x).reshape(x.shape)

    def pdf(self, x):
        return np.exp(self.logpdf(x))

    def support(self):
        return self._normal.support

    def rvs(self, size=1, random_state=None):
        """Samples (``random_state``: int seed or ``numpy.random.Generator``)."""
        rng = np.random.default_rng(random_state)
        n = int(np.prod(size))
        k = rng.choice(len(self.components), size=n, p=self.weights)
        out = np.empty(n)
        for j, comp in enumerate(self.components):
            idx = np.flatnonzero(k == j)
            if idx.size:
                out[idx] = np.asarray(comp.rvs(size=idx.size, random_state=rng)).ravel()
        return out.reshape(size)

    def __repr__(self):
        parts = ", ".join(f"{w:g}·{_describe(c)}" for w, c in zip(self.weights, self.components))
        return f"Mixture({parts})"


def _describe(obj):
    dist = getattr(obj, "dist", None)
    if dist is not None:
        args = ", ".join([repr(a) for a in obj.args] + [f"{k}={v!r}" for k, v in obj.kwds.items()])
        return f"{dist.name}({args})"
    return repr(obj)


def _frozen_parts(obj):
    """``(family, shapes, loc, scale)`` arrays of a scipy frozen distribution, or None."""
    dist = getattr(obj, "dist", None)
    name = getattr(dist, "name", None)
    if name is None or not hasattr(obj, "args"):
        return None
    fam = FAMILIES.get(name)
    if fam is None:
        raise TypeError(
            f"scipy.stats.{name} is not a supported family; supported: {', '.join(FAMILIES)} "
            "(or pass any object with logpdf(x) and support())"
        )
    shapes, loc, scale = dist._parse_args(*obj.args, **obj.kwds)
    return fam, shapes, loc, scale


def _check_params(fam, shapes, loc, scale, where="p"):
    arrs = [np.asarray(a, dtype=np.float64) for a in (*shapes, loc, scale)]
    for a in arrs:
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{where}: {fam.name} parameters must be finite, got {a}")
    if np.any(np.asarray(scale) <= 0):
        raise ValueError(f"{where}: {fam.name} scale must be > 0")
    for name, a in zip(fam.shapes, shapes):
        if np.any(np.asarray(a) <= 0):
            raise ValueError(f"{where}: {fam.name} shape {name} must be > 0")


def _family_normal(fam, shapes, loc, scale):
    loc, scale = float(loc), float(scale)
    shapes = tuple(float(s) for s in shapes)
    lo, hi = fam.support
    lo, hi = loc + scale * lo, loc + scale * hi
    lm = loc + scale * np.asarray(fam.landmarks(shapes), dtype=np.float64)
    lm = lm[(lm >= lo) & (lm <= hi)]
    tails = {side: tail_vector(vec, loc, scale, side) for side, vec in fam.tail(shapes).items()}
    ends = []
    if fam.end_power is not None:
        for side, power in fam.end_power(shapes).items():
            point = lo if side == 1 else hi  # side=+1: the end with the support on its right
            ends.append((point, side, power))
    return Normal1D(
        table=row(fam, loc, scale, shapes)[None, :],
        support=(lo, hi), pieces=[(lo, hi)], landmarks=np.unique(lm), scale=scale,
        tails=tails, ends=ends,
    )


def _mixture_normal(w, comps):
    rows, pieces, lms, scales, tails, ends = [], [], [], [], {}, []
    for wk, comp in zip(w, comps):
        nm = as_normal(comp, where="Mixture component")
        if nm.table is None:
            raise TypeError("Mixture components must be scipy.stats frozen families or Mixtures")
        if wk == 0:
            continue
        t = nm.table.copy()
        t[:, 1] += math.log(wk)
        rows.append(t)
        pieces += nm.pieces
        lms.append(nm.landmarks)
        scales.append(nm.scale)
        for side, vec in nm.tails.items():
            tails[side] = vec if side not in tails else heavier(tails[side], vec)
        ends += nm.ends
    lo = min(p[0] for p in pieces)
    hi = max(p[1] for p in pieces)
    # an end power matters only where no other component covers that side of the point
    ends = [(pt, sd, pw) for pt, sd, pw in ends if not any(
        a < pt < b or (sd == 1 and a < pt <= b and a != pt) or (sd == -1 and a <= pt < b and b != pt)
        for a, b in pieces)]
    merged = {}
    for pt, sd, pw in ends:
        key = (pt, sd)
        merged[key] = min(pw, merged.get(key, pw))
    return Normal1D(
        table=np.vstack(rows), support=(lo, hi), pieces=pieces,
        landmarks=np.unique(np.concatenate(lms)), scale=max(scales), tails=tails,
        ends=[(pt, sd, pw) for (pt, sd), pw in merged.items()],
    )


def as_normal(obj, where="p") -> Normal1D:
    """Normal form of one (scalar-parameter) distribution object."""
    if isinstance(obj, Normal1D):
        return obj
    if isinstance(obj, Mixture):
        return obj._normal
    parts = _frozen_parts(obj)
    if parts is not None:
        fam, shapes, loc, scale = parts
        _check_params(fam, shapes, loc, scale, where)
        if any(np.ndim(a) for a in (*shapes, loc, scale)):
            raise ValueError(f"{where} has array parameters; use fdiv.divergence for batches")
        return _family_normal(fam, shapes, loc, scale)
    if callable(getattr(obj, "logpdf", None)) and callable(getattr(obj, "support", None)):
        lo, hi = (float(v) for v in obj.support())
        if not lo < hi:
            raise ValueError(f"{where}.support() returned ({lo}, {hi}); need lo < hi")
        scale = float(obj.std()) if callable(getattr(obj, "std", None)) else 1.0
        if not (math.isfinite(scale) and scale > 0):
            scale = 1.0
        centre = float(obj.median()) if callable(getattr(obj, "median", None)) else (
            0.0 if not (math.isfinite(lo) and math.isfinite(hi)) else 0.5 * (lo + hi))
        lm = centre + scale * np.array([-40, -20, -10, -5, -3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 5, 10, 20, 40])
        lm = np.concatenate([lm[(lm > lo) & (lm < hi)], [v for v in (lo, hi) if math.isfinite(v)]])
        return Normal1D(table=None, support=(lo, hi), pieces=[(lo, hi)], landmarks=np.unique(lm),
                        scale=scale, generic=obj)
    raise TypeError(
        f"{where} must be a scipy.stats frozen continuous distribution, an fdiv.Mixture, an object "
        f"with logpdf(x) and support(), or a 1-D probability array; got {type(obj).__name__}"
    )


#: families whose batches take the fully vectorised path: support ℝ, tails without a
#: double exponential, landmarks independent of the shape parameters
_VECTOR_FAMILIES = frozenset({"norm", "t", "laplace", "logistic", "cauchy"})


class FamilyBatch:
    """A batch of members of one family (a frozen scipy distribution with array parameters),
    kept as flat parameter arrays; :meth:`element` gives one member's :class:`Normal1D`."""

    def __init__(self, fam, shapes, loc, scale):
        arrs = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (*shapes, loc, scale)))
        self.shape = arrs[0].shape
        flat = [np.array(a, dtype=np.float64).ravel() for a in arrs]
        self.fam = fam
        self.shapes = flat[:-2]
        self.loc, self.scale = flat[-2], flat[-1]
        self.size = self.loc.size
        self.vectorised = fam.name in _VECTOR_FAMILIES

    def element(self, i) -> Normal1D:
        return _family_normal(self.fam, [s[i] for s in self.shapes], self.loc[i], self.scale[i])

    def tables(self) -> np.ndarray:
        return rows(self.fam, self.loc, self.scale, self.shapes)

    def tails(self, side):
        """Tail arrays ``(size, 6)`` on ``side`` (vectorised families only)."""
        return tail_vector(self.fam.tail(tuple(self.shapes))[side], self.loc, self.scale, side)


def as_batch(obj, where="p"):
    """A :class:`FamilyBatch` for scipy frozen distributions (scalar or array parameters), else
    a one-element list ``[Normal1D]``."""
    parts = None if isinstance(obj, (Mixture, Normal1D)) else _frozen_parts(obj)
    if parts is None:
        return [as_normal(obj, where)]
    fam, shapes, loc, scale = parts
    _check_params(fam, shapes, loc, scale, where)
    return FamilyBatch(fam, shapes, loc, scale)


def logpdf(dist, x):
    """Log density of any supported distribution object at ``x`` (array-like)."""
    x = np.asarray(x, dtype=np.float64)
    return as_normal(dist).logpdf(x).reshape(x.shape)


_SPEC_FAMILIES = tuple(FAMILIES)


def parse_spec(text: str):
    """A scipy.stats frozen distribution from text like ``"norm(0, 1)"`` or ``"t(5, loc=0)"``.

    Also ``"mixture([0.3, 0.7], [norm(-1, 1), norm(2, 0.5)])"``.  Parsed with :mod:`ast`
    (literals only; nothing is evaluated).

    Raises
    ------
    ValueError
        Naming the problem and the accepted form.
    """
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ValueError(f"cannot parse distribution {text!r}: write it like 'norm(0, 1)'") from exc
    return _build(node, text)


def _literal(node, text):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"in {text!r}: arguments must be numbers, like 'norm(0, 1)'") from None


def _build(node, text):
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise ValueError(f"cannot parse distribution {text!r}: write it like 'norm(0, 1)'")
    name = node.func.id
    if name == "mixture":
        if len(node.args) != 2 or not isinstance(node.args[1], (ast.List, ast.Tuple)):
            raise ValueError(f"in {text!r}: write mixture([w1, w2], [norm(0, 1), norm(3, 1)])")
        weights = _literal(node.args[0], text)
        comps = [_build(c, text) for c in node.args[1].elts]
        return Mixture(weights, comps)
    if name not in FAMILIES:
        import difflib

        close = difflib.get_close_matches(name, _SPEC_FAMILIES, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown family {name!r} in {text!r}{hint} (supported: {', '.join(FAMILIES)})")
    import scipy.stats

    args = [_literal(a, text) for a in node.args]
    kwargs = {k.arg: _literal(k.value, text) for k in node.keywords}
    try:
        frozen = getattr(scipy.stats, name)(*args, **kwargs)
        _check_params(FAMILIES[name], *frozen.dist._parse_args(*frozen.args, **frozen.kwds), where=text)
    except TypeError as exc:
        raise ValueError(f"in {text!r}: {exc}") from None
    return frozen
