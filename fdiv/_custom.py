"""User generators: ``fdiv.custom(name, f, ...)`` builds an :class:`FDivergence` from any convex f.

Only ``f`` (vectorised over ``u ≥ 0``) is required.  Whatever is not given is derived numerically:

* ``f′``: central differences in ``r = log u`` with one Richardson step,
  ``f′(e^r) = e^{−r} d f(e^r)/dr`` (relative error ~1e-10; pass ``f_prime`` for full accuracy);
* ``f(0+)`` and ``f′(∞) = lim f(u)/u``: from ``u = 1e∓50, 1e∓100, 1e∓150`` (converged → the last
  value, growing → ``±inf``);
* ``conjugate``: ``f*(t) = sup_{u ≥ 0} (t u − f(u))`` solved pointwise: the root of
  ``f′(e^r) = t`` in ``r = log u`` by :func:`scipy.optimize.brentq` (f′ is monotone for convex f),
  compared with the boundary value ``−f(0+)``; ``+inf`` for ``t > f′(∞)``;
* ``activation``: ``v`` when ``f′(∞) = ∞``, else ``f′(∞) − e^{−v}``; ``conjugate_activation`` is
  ``conjugate(activation(v))``;
* the growth of the centred generator, ``φ(e^r) ~ C |r|^m e^{k|r|}`` as ``r → ±∞`` (which decides
  finiteness in the tails): ``(k, m)`` fitted to ``log φ`` at ``|r| = 25, 50, 100``, k snapped to
  hundredths within 2e-3 and m to an integer within 0.1.

Such members have no numba kernels (``phi_lo = phi_hi = None``): the engine uses its generic NumPy
path.  Pass ``register=True`` to add the member to the registry under ``name``.

Example
-------
>>> import numpy as np, fdiv
>>> chi4 = fdiv.custom("chi4", lambda u: (u - 1.0) ** 4)
>>> round(float(chi4.conjugate(4.0)), 12)          # sup_u 4u - (u-1)^4 at u = 2
7.0
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._generator import FDivergence
from ._registry import register as _register

__all__ = ["custom"]

_R_MIN, _R_MAX = -700.0, 700.0  # the bracket in r = log u (normal doubles, room for differences)


def _limit(values):
    """The limit of a sequence sampled at geometrically spaced points (converged or ±inf)."""
    a, b, c = (float(x) for x in values)
    if math.isinf(c):
        return c
    if any(math.isnan(x) for x in (a, b, c)):
        return math.nan
    if abs(c - b) <= 1e-9 * max(1.0, abs(c)):
        return 0.0 if abs(c) < 1e-200 else c  # e.g. -log(u)/u at u = 1e300 is -7e-298: 0
    return math.copysign(math.inf, c - b)


def _numeric_f_prime_log(f_log, f_prime_at_inf):
    """``f′(e^r) = e^{−r} dF/dr``, ``F(r) = f(e^r)``: central differences + one Richardson step."""

    def derivative(r):
        with np.errstate(all="ignore"):
            h = 1e-3 * np.maximum(1.0, np.abs(r))
            d1 = (f_log(r + h) - f_log(r - h)) / (2 * h)
            d2 = (f_log(r + h / 2) - f_log(r - h / 2)) / h
            return (4 * d2 - d1) / 3 * np.exp(-r)

    def f_prime_log(logu):
        r = np.asarray(logu, dtype=np.float64)
        out = derivative(np.where(np.isfinite(r), r, 0.0))
        if np.any(r == -np.inf):  # f′(0+), from the smallest normal u
            out = np.where(r == -np.inf, derivative(np.float64(-700.0)), out)
        out = np.where(r == np.inf, f_prime_at_inf, np.where(np.isnan(r), np.nan, out))
        return out[()] if out.ndim == 0 else out

    return f_prime_log


def numeric_conjugate(f_log, f_prime_log, f_at_zero, f_prime_at_inf):
    """``t ↦ sup_{u ≥ 0} (t u − f(u))`` solved pointwise (vectorised over t)."""
    boundary = -f_at_zero  # the value at u = 0

    from scipy.optimize import brentq, minimize_scalar  # lazy: ~0.5 s to import

    def scalar(t):
        if math.isnan(t):
            return math.nan
        if t > f_prime_at_inf:
            return math.inf

        def g(r):
            return float(f_prime_log(r)) - t

        lo, hi = -1.0, 1.0
        while not g(lo) <= 0:  # (NaN counts as "not yet below t")
            if lo <= _R_MIN:
                return boundary  # f′ > t down to u = 5e-324: the supremum is at u = 0
            lo = max(2 * lo, _R_MIN)
        while not g(hi) >= 0:
            if hi >= _R_MAX:
                # t ≤ f′(∞) but the maximiser lies beyond e^700: the supremum is the limit of
                # t u − f(u); still growing between e^100 and e^200 means +inf (user f's often
                # overflow beyond u ~ 1e150, so the test stays below)
                far = t * math.exp(200.0) - float(f_log(200.0))
                mid = t * math.exp(100.0) - float(f_log(100.0))
                if not abs(far) > 1e-8 * abs(t) * math.exp(200.0):  # t u − f(u) cancelled
                    warnings.warn(f"numeric conjugate at t = {t!r} (the end of its domain) is "
                                  "not resolved in double precision; pass conjugate= to "
                                  "fdiv.custom", RuntimeWarning, stacklevel=3)
                    return math.nan
                if far - mid > 1e-9 * max(1.0, abs(far)):
                    return math.inf
                return max(far, boundary)
            hi = min(2 * hi, _R_MAX)
        r = brentq(g, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200)
        # f′ may be a finite difference (blurred at kinks): polish by maximising t e^r − f(e^r)
        # itself (bounded Brent) around the root; keep the best value seen.
        def neg(x):
            return -(t * math.exp(x) - float(f_log(x)))

        w = 5e-3 * max(1.0, abs(r))
        best = -neg(r)
        res = minimize_scalar(neg, bounds=(max(r - w, _R_MIN), min(r + w, _R_MAX)),
                              method="bounded", options={"xatol": 1e-13 * max(1.0, abs(r))})
        if res.success and math.isfinite(res.fun):
            best = max(best, -float(res.fun))
        return max(best, boundary)

    def conjugate(t):
        t = np.asarray(t, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = np.array([scalar(float(x)) for x in t.ravel()], dtype=np.float64).reshape(t.shape)
        return out[()] if out.ndim == 0 else out

    return conjugate


def custom(name, f, *, f_prime=None, conjugate=None, conjugate_domain=None, activation=None,
           conjugate_activation=None, f_log=None, f_at_zero=None, f_prime_at_inf=None,
           formula="", smooth=True, symmetric=False, upper_bound=None, references=(),
           conventions="", conjugate_form="", activation_form="", register=False,
           replace=False) -> FDivergence:
    """An f-divergence from a user generator ``f`` (convex on u ≥ 0).

    Parameters
    ----------
    name : str
        A Python identifier (the registry key when ``register=True``).
    f : callable
        ``u ↦ f(u)``, vectorised over float64 arrays, for ``u ≥ 0``.
    f_prime, conjugate, activation, conjugate_activation, f_log : callable, optional
        ``f′(u)``; ``f*(t)`` over ``u ≥ 0`` (``+inf`` outside its domain); the f-GAN activation
        ``v ↦ g(v)``; ``v ↦ f*(g(v))``; ``logu ↦ f(e^logu)``.  Derived numerically when omitted.
    conjugate_domain : (lo, hi), optional
        Where ``f*`` is finite; default ``(−inf, f′(∞))``.
    f_at_zero, f_prime_at_inf : float, optional
        ``f(0+)`` and ``lim f(u)/u``; estimated when omitted.
    formula : str
        ``f`` in sympy syntax over ``u`` (for the symbolic checks; optional).
    register, replace : bool
        Add the member to the registry (``fdiv.get(name)``), optionally replacing one.

    Returns
    -------
    FDivergence
        With ``phi_lo = phi_hi = None`` (the engine's generic NumPy path).

    Raises
    ------
    TypeError
        If ``f`` (or a given function) is not callable.
    ValueError
        If ``name`` is not an identifier, ``f(1)`` is not finite, or ``f`` is visibly not convex.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name={name!r}: use a Python identifier such as 'my_div'")
    for label, fun in (("f", f), ("f_prime", f_prime), ("conjugate", conjugate),
                       ("activation", activation), ("conjugate_activation", conjugate_activation),
                       ("f_log", f_log)):
        if fun is not None and not callable(fun):
            raise TypeError(f"{label} must be a callable u -> value, not {type(fun).__name__}")
    if (activation is None) != (conjugate_activation is None) and conjugate_activation is not None:
        raise ValueError("conjugate_activation needs its activation: pass both or neither")

    def f_arr(u):
        with np.errstate(all="ignore"):
            return np.asarray(f(np.asarray(u, dtype=np.float64)), dtype=np.float64)

    f1 = float(f_arr(1.0))
    if not math.isfinite(f1):
        raise ValueError(f"f(1) = {f1}: a generator must be finite at u = 1")

    if f_at_zero is None:
        f0 = float(f_arr(0.0))
        if math.isnan(f0):
            f0 = _limit(f_arr(np.array([1e-50, 1e-100, 1e-150])))
        f_at_zero = f0
    if f_prime_at_inf is None:
        big = np.array([1e50, 1e100, 1e150])
        with np.errstate(all="ignore"):
            f_prime_at_inf = _limit(f_arr(big) / big)
    f_at_zero, f_prime_at_inf = float(f_at_zero), float(f_prime_at_inf)

    if f_log is None:
        def f_log(logu):
            r = np.asarray(logu, dtype=np.float64)
            with np.errstate(all="ignore"):
                out = f_arr(np.exp(r))
                out = np.where(r == -np.inf, f_at_zero, out)
            return out[()] if out.ndim == 0 else out

    _check_convex(f_log, name)

    if f_prime is not None:
        def f_prime_log(logu):
            with np.errstate(all="ignore"):
                return np.asarray(f_prime(np.exp(np.asarray(logu, dtype=np.float64))),
                                  dtype=np.float64)
    else:
        f_prime_log = _numeric_f_prime_log(f_log, f_prime_at_inf)
    fp1 = float(f_prime_log(0.0))

    if conjugate_domain is None:
        conjugate_domain = (-math.inf, f_prime_at_inf)
    lo, hi = (float(x) for x in conjugate_domain)
    if conjugate is None:
        conjugate = numeric_conjugate(f_log, f_prime_log, f_at_zero, f_prime_at_inf)
        conjugate_form = conjugate_form or "sup_{u >= 0} (t*u - f(u)), solved numerically"
    if activation is None:
        if hi == math.inf:
            activation, activation_form = (lambda v: np.asarray(v, dtype=np.float64) * 1.0), "v"
        else:
            activation = (lambda v, _h=hi: _h - np.exp(-np.asarray(v, dtype=np.float64)))
            activation_form = f"{hi!r} - exp(-v)"
    if conjugate_activation is None:
        def conjugate_activation(v):
            return conjugate(activation(v))

    growth_lo, growth_hi = _numeric_growth(f_log, f1, fp1)
    div = FDivergence(
        name=name, formula=formula, f_log=f_log, f_prime_log=f_prime_log, conjugate=conjugate,
        conjugate_domain=(lo, hi), activation=activation,
        conjugate_activation=conjugate_activation, f_at_one=f1, f_prime_at_one=fp1,
        f_at_zero=f_at_zero, f_prime_at_inf=f_prime_at_inf, growth_lo=growth_lo,
        growth_hi=growth_hi, smooth=smooth, symmetric=symmetric,
        upper_bound=upper_bound, conjugate_form=conjugate_form or "(user supplied)",
        activation_form=activation_form or "(user supplied)",
        conjugate_table_form=conjugate_form or "(user supplied)",
        references=tuple(references) or ("user generator (fdiv.custom)",),
        conventions=conventions or "user supplied generator",
    )
    if register:
        _register(div, replace=replace)
    return div


def _numeric_growth(f_log, f1, fp1):
    """``(growth_lo, growth_hi)``: ``(k, m)`` with ``φ(e^r) ~ C |r|^m e^{k|r|}`` (r → −∞) and
    ``e^{−r} φ(e^r) ~ C r^m e^{kr}`` (r → +∞), fitted at |r| = 25, 50, 100 (the corrections are
    O(1/|r|) in m and O(1/r²) in k), k snapped to hundredths within 2e-3 and m to an integer
    within 0.1; ``(0, 0)`` where φ is not finite and positive there."""
    a = np.array([25.0, 50.0, 100.0])
    design = np.column_stack([np.ones(3), a, np.log(a)])
    out = []
    for side in (-1.0, 1.0):
        r = side * a
        with np.errstate(all="ignore"):
            phi = np.asarray(f_log(r), dtype=np.float64) - f1 - fp1 * np.expm1(r)
            logs = np.log(phi) - (r if side > 0 else 0.0)
        if not np.all(np.isfinite(logs)):
            out.append((0.0, 0.0))
            continue
        _, k, m = np.linalg.solve(design, logs)
        k = float(np.round(k, 2)) if abs(k - np.round(k, 2)) < 2e-3 else float(k)
        m = float(np.round(m)) if abs(m - np.round(m)) < 0.1 else float(m)  # log powers: integers
        out.append((k + 0.0, m + 0.0))
    return out[0], out[1]


def _check_convex(f_log, name):
    r = np.linspace(-20.0, 20.0, 401)
    with np.errstate(all="ignore"):
        val = np.asarray(f_log(r), dtype=np.float64)
    u = np.exp(r)
    ok = np.isfinite(val)
    if ok.sum() < 3:
        raise ValueError(f"custom {name!r}: f is not finite on (e^-20, e^20)")
    s = np.diff(val[ok]) / np.diff(u[ok])
    drop = np.diff(s) < -1e-6 * (np.abs(s[1:]) + np.abs(s[:-1]) + 1.0)
    if np.any(drop):
        where = float(u[ok][1:-1][drop][0])
        raise ValueError(f"custom {name!r}: f is not convex (its slope decreases near u = "
                         f"{where:.4g}); an f-divergence needs a convex generator")
