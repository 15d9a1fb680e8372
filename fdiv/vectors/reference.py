"""Independent high-precision references (mpmath) for the test vectors and for ``fdiv check``.

Nothing here calls fdiv's numeric code.  Every value is computed from the registry member's
``formula`` string (``f(u)`` in sympy syntax) and its ``params``:

* ``f`` and ``f′`` are the sympy expression and its derivative, lambdified to mpmath;
* ``f(0+)``, ``f′(0+)`` and ``f′(∞) = lim f(u)/u`` are sympy limits;
* the conjugate ``f*(t) = sup_{u ≥ 0} (t u − f(u))`` is maximised afresh: the concave objective
  is maximised where ``f′(u)`` crosses ``t``, found by bisection in ``log u`` (so kinks, as in
  ``|u − 1|``, are handled); ``t < f′(0+)`` gives ``−f(0+)``, ``t > f′(∞)`` gives ``+inf`` and
  ``t = f′(∞)`` the limit of ``t u − f(u)``;
* the f-GAN activation ``g_f`` is the member's ``activation_form`` (its definition, sympy syntax
  over ``v``);
* discrete divergences follow Csiszár's conventions (``p = 0 < q`` contributes ``q f(0+)``,
  ``q = 0 < p`` contributes ``p f′(∞)``); continuous ones are ``mpmath.quad`` with breakpoints at
  the locations, support ends and crossings ``p = q``, tails decided by a probe far out.

:func:`precise` evaluates any of these at increasing working precision (60, 120, 240 … digits)
until two successive results agree to 45 significant digits, so cancellation (``f`` near
``u = 1``, ``|log u| ≈ 700``, α near 0 or 1) cannot go unnoticed.

Reference: F. Johansson et al., mpmath (https://mpmath.org); I. Csiszár (1967), Studia Sci. Math.
Hungar. 2, 299–318 (conventions at zeros); Nowozin, Cseke & Tomioka (2016), f-GAN (activations).
"""
from __future__ import annotations

import math
from functools import lru_cache

import mpmath as mp
import sympy as sp

__all__ = [
    "Generator", "generator", "precise", "to_mpf", "fmt", "extends_to_reals", "tail_finite",
    "divergence_discrete", "divergence_continuous", "conjugate", "conjugate_over_reals",
    "optimal_discriminator", "log_sigmoid", "gan_discriminator_loss", "gan_generator_loss",
    "gan_generator_loss_nonsaturating", "fgan_objective", "Family",
]

INF = mp.inf
DIGITS = 45                       # agreement required between two working precisions
_LEVELS = (60, 120, 240, 480, 960, 1920)

_U = sp.Symbol("u", positive=True)
_V = sp.Symbol("v", real=True)
_X = sp.Symbol("u", real=True)


class PrecisionError(ArithmeticError):
    """Raised when successive working precisions never agree."""


# ----------------------------------------------------------------------------- precision
def to_mpf(x):
    """An exact mpmath number from a float (``'inf'``/``'nan'`` strings allowed).

    Parameters
    ----------
    x : float-like or str or mpmath number
        A float is converted exactly (its binary value, at any precision); a string is parsed at
        the current precision; mpmath numbers pass through.

    Returns
    -------
    mpmath.mpf or mpmath.mpc
    """
    if isinstance(x, str):
        return mp.mpf(x)
    return mp.mpf(float(x)) if not isinstance(x, (mp.mpf, mp.mpc)) else x


def _agree(a, b, digits):
    if mp.isnan(a) or mp.isnan(b):
        return mp.isnan(a) and mp.isnan(b)
    if mp.isinf(a) or mp.isinf(b):
        return a == b
    if a == b:
        return True
    return abs(a - b) <= mp.mpf(10) ** (-digits) * max(abs(a), abs(b))


def precise(fn, *args, digits=DIGITS, levels=None):
    """``fn(*args)`` at rising precision until two successive levels agree to ``digits``.

    ``fn`` receives ``args`` unchanged and must convert floats with :func:`to_mpf` (exact at any
    precision).  Results that shrink towards zero with the precision (``|x| < 10^(−0.8·dps)`` at
    two successive levels) are exact zeros polluted by rounding and return 0.

    The first level grows with the inputs' magnitude (``|x|`` and ``|log |x||``): an input such
    as ``v = 700`` is exponentiated somewhere, and ``1 + e^{−700}`` must not round to 1 at *both*
    of the first two levels (they would agree on a wrong value).

    Parameters
    ----------
    fn : callable
        ``fn(*args) -> mpmath number`` at the current working precision.
    *args
        Its arguments (floats, lists of floats, …).
    digits : int
        Significant digits two successive levels must share.
    levels : sequence of int, optional
        Working precisions (decimal digits) to try in order; by default six doublings of a start
        that grows with the inputs' magnitude.

    Returns
    -------
    mpmath.mpf
        The value at the first level that agrees with the one before (0 for a vanishing
        value; a complex result with a negligible imaginary part gives its real part, else NaN).

    Raises
    ------
    PrecisionError
        No two successive levels agree.
    """
    if levels is None:
        d0 = _start_dps(args)
        levels = tuple(d0 * 2 ** k for k in range(6))
    prev = prev_dps = None
    for dps in levels:
        with mp.workdps(dps):
            val = fn(*args)
            if isinstance(val, mp.mpc):
                val = val.real if abs(val.imag) <= mp.mpf(10) ** (-dps // 2) * (1 + abs(val.real)) \
                    else mp.nan
            val = +val if isinstance(val, mp.mpf) else mp.mpf(val)
        if prev is not None:
            if _agree(prev, val, digits):
                return val
            if (abs(prev) < mp.mpf(10) ** (-0.8 * prev_dps) and abs(val) < mp.mpf(10) ** (-0.8 * dps)):
                return mp.mpf(0)
        prev, prev_dps = val, dps
    raise PrecisionError(f"{getattr(fn, '__name__', fn)}{args}: no agreement up to {levels[-1]} digits")


_ = _LEVELS  # the default ladder when inputs are moderate: 60, 120, 240 …


def _magnitudes(obj):
    if isinstance(obj, (list, tuple)):
        for o in obj:
            yield from _magnitudes(o)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        x = float(obj)
        if math.isfinite(x) and x != 0:
            # an input up to ~1000 may be exponentiated (a logit, log u); beyond, only its log
            # matters (e^x overflows any sensible formula anyway)
            yield max(abs(x) if abs(x) <= 1000 else 0.0, abs(math.log(abs(x))))


def _start_dps(args):
    m = max(_magnitudes(list(args)), default=0.0)
    return 60 + 20 * math.ceil(1.1 * m / math.log(10) / 20)


def fmt(x, digits=40) -> str:
    """A decimal string for an mpmath value: ``'inf'``, ``'-inf'``, ``'nan'`` or ``digits`` significant.

    Parameters
    ----------
    x : mpmath number or float-like
        The value (converted at ``digits + 10`` digits, so it is not rounded first).
    digits : int
        Significant digits written (trailing zeros stripped; ``'0'`` for zero).

    Returns
    -------
    str
    """
    with mp.workdps(digits + 10):  # convert *inside*: mp.mpf(x) at 15 digits would round x
        x = mp.mpf(x)
        if mp.isnan(x):
            return "nan"
        if mp.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == 0:
            return "0"
        return mp.nstr(x, digits, min_fixed=-5, max_fixed=digits + 5, strip_zeros=True)


# ----------------------------------------------------------------------------- generator f
class Generator:
    """``f`` of one registry member as exact sympy plus mpmath callables.

    Parameters
    ----------
    formula : str
        ``f(u)`` in sympy syntax (a member's ``formula``).
    params : mapping
        Numeric parameter values, substituted exactly (floats become their binary rationals).
    activation_form : str, optional
        ``g_f(v)`` in sympy syntax over ``v`` and the same parameters.
    """

    def __init__(self, formula, params=None, activation_form=None):
        params = dict(params or {})
        syms = {k: sp.Symbol(k) for k in params}
        subs = {syms[k]: sp.Rational(float(v)) if not isinstance(v, (int, sp.Rational)) else v
                for k, v in params.items()}
        self.formula = formula
        self.params = params
        self.expr = sp.sympify(formula, locals={"u": _U, **syms}).subs(subs)
        if self.expr.free_symbols - {_U}:
            raise ValueError(f"formula {formula!r} has unknown symbols "
                             f"{sorted(map(str, self.expr.free_symbols - {_U}))} (params={params})")
        self.dexpr = sp.diff(self.expr, _U)
        self._f = sp.lambdify(_U, self.expr, "mpmath")
        self._fp = sp.lambdify(_U, self.dexpr, "mpmath")
        # the formula's extension to u < 0 (parsed over a real, not positive, symbol)
        ext = sp.sympify(formula, locals={"u": _X, **syms}).subs(subs)
        self._f_ext = sp.lambdify(_X, ext, "mpmath")
        self._fp_ext = sp.lambdify(_X, sp.diff(ext, _X), "mpmath")
        self.f_zero = self._limit(self.expr, 0)
        self.fp_zero = self._limit(self.dexpr, 0)
        self.fp_inf = self._limit(self.expr / _U, sp.oo)
        self.f_one = self.expr.subs(_U, 1)       # f is continuous on (0, ∞) (convex)
        left, right = self._one_sided_derivatives()
        self.fp_one_left, self.fp_one_right = left, right
        self.smooth_at_one = abs(left - right) <= mp.mpf(10) ** -50
        self.fp_one = (left + right) / 2          # a subgradient (the mean at a kink)
        self.activation_form = activation_form
        self._g = None
        if activation_form:
            g = sp.sympify(activation_form, locals={"v": _V, **syms}).subs(subs)
            if g.free_symbols - {_V}:
                raise ValueError(f"activation_form {activation_form!r} has unknown symbols")
            self.gexpr = g
            self._g = sp.lambdify(_V, g, "mpmath")

    def _one_sided_derivatives(self):
        """``f′(1−)`` and ``f′(1+)`` as difference quotients with ``h = 10^-150`` at 400 digits
        (error ~ h·f″: none of the 40-digit results can see it), rounded to 120 digits."""
        with mp.workdps(400):
            h = mp.mpf(10) ** -150
            f1 = self.f(1)
            left = (f1 - self.f(1 - h)) / h
            right = (self.f(1 + h) - f1) / h
        with mp.workdps(120):
            return +left, +right

    # sympy limits as mpmath numbers (±inf allowed)
    def _limit(self, expr, at, direction="+"):
        try:
            if at == sp.oo:
                val = sp.limit(expr, _U, sp.oo)
            else:
                val = sp.limit(expr, _U, at, direction)
            return _sym_to_mp(val)
        except (NotImplementedError, ValueError, TypeError):
            return _numeric_limit(expr, at, direction)

    def _sym_limit_mp(self, expr, at):
        return self._limit(expr, at)

    # -- values at the current precision (floats are converted exactly) ------------------
    def f(self, u):
        """``f(u)`` for ``u ≥ 0`` at the current precision (``f(0+)`` at 0, limit at ``inf``)."""
        u = to_mpf(u)
        if u == 0:
            return _eval_sym(self.f_zero)
        if mp.isinf(u):
            return mp.inf if self.fp_inf > 0 else _sym_limit_value(self.expr, sp.oo)
        return _real(self._f(u))

    def f_prime(self, u):
        """``f′(u)`` for ``u ≥ 0`` at the current precision (``f′(0+)`` at 0, ``f′(∞)`` at inf)."""
        u = to_mpf(u)
        if u == 0:
            return _eval_sym(self.fp_zero)
        if mp.isinf(u):
            return _eval_sym(self.fp_inf)
        return _real(self._fp(u))

    def f_log(self, logu):
        """``f(e^{logu})``, with ``logu = -inf`` giving ``f(0+)``."""
        r = to_mpf(logu)
        if r == -mp.inf:
            return self.f(0)
        return _real(self._f(mp.exp(r)))

    def f_prime_log(self, logu):
        """``f′(e^{logu})``, with ``logu = ∓inf`` giving ``f′(0+)`` and ``f′(∞)``."""
        r = to_mpf(logu)
        if r == -mp.inf:
            return self.f_prime(0)
        if r == mp.inf:
            return self.f_prime(mp.inf)
        return _real(self._fp(mp.exp(r)))

    def f_ext(self, u):
        """``f`` at any real ``u`` through the formula's analytic extension (NaN if not real)."""
        u = to_mpf(u)
        if u >= 0:
            return self.f(u)
        try:
            val = self._f_ext(u)
        except (ValueError, ZeroDivisionError):
            return mp.nan
        return _real(val)

    def fp_ext(self, u):
        """``f′`` at any real ``u`` through the formula's analytic extension (NaN if not real)."""
        u = to_mpf(u)
        if u > 0:
            return self.f_prime(u)
        try:
            return _real(self._fp_ext(u))
        except (ValueError, ZeroDivisionError):
            return mp.nan

    def activation(self, v):
        """``g_f(v)`` from ``activation_form`` (limits at ``v = ±inf``).

        Raises
        ------
        ValueError
            The generator was built without an ``activation_form``.
        """
        if self._g is None:
            raise ValueError(f"no activation_form for f = {self.formula}")
        v = to_mpf(v)
        if mp.isinf(v):
            return _sym_to_mp(sp.limit(self.gexpr, _V, sp.oo if v > 0 else -sp.oo))
        return _real(self._g(v))


def _numeric_limit(expr, at, direction="+"):
    """Fallback when sympy cannot take a limit (``Max``, ``Heaviside`` …): evaluate at
    ``u = 10^{∓k}`` (or ``1 ± 10^{-k}``), ``k = 40, 80, 160``, at 400 digits; three values agreeing to
    30 digits give the limit, magnitudes growing past ``10^30`` with one sign give ``±inf``."""
    fn = sp.lambdify(_U, expr, "mpmath")
    with mp.workdps(400):
        if at == sp.oo:
            pts = [mp.mpf(10) ** k for k in (40, 80, 160)]
        elif at == 0:
            pts = [mp.mpf(10) ** -k for k in (40, 80, 160)]
        else:
            sgn = 1 if direction == "+" else -1
            pts = [mp.mpf(at) + sgn * mp.mpf(10) ** -k for k in (40, 80, 160)]
        vals = [_real(fn(x)) for x in pts]
        a, b, c = vals
        if abs(c - b) <= mp.mpf(10) ** -30 * (1 + abs(c)) and abs(b - a) <= mp.mpf(10) ** -15 * (1 + abs(c)):
            with mp.workdps(120):  # the O(10^-160) remainder rounds away: 1 − 10^-160 → 1
                return +c
        if abs(c) > 10 ** 30 and abs(c) > abs(b) > abs(a) and mp.sign(a) == mp.sign(b) == mp.sign(c):
            return mp.inf if c > 0 else -mp.inf
    raise ValueError(f"limit of {expr} at {at}{direction}: not decided numerically ({vals})")


def _sym_to_mp(val):
    if val == sp.oo:
        return mp.inf
    if val == -sp.oo:
        return -mp.inf
    if val.has(sp.zoo, sp.nan) or isinstance(val, sp.AccumBounds):
        raise ValueError(f"limit {val} is not a number")
    return val  # keep exact; evaluated at the caller's precision by _eval_sym


def _eval_sym(val):
    if isinstance(val, mp.mpf):
        return val
    return mp.mpf(sp.N(val, mp.mp.dps + 5))


def _sym_limit_value(expr, at):
    try:
        return _eval_sym(_sym_to_mp(sp.limit(expr, _U, at)))
    except (NotImplementedError, ValueError, TypeError):
        return _eval_sym(_numeric_limit(expr, at))


def _real(val):
    if isinstance(val, mp.mpc):
        if val.imag == 0:
            return val.real
        return mp.nan
    return mp.mpf(val)


@lru_cache(maxsize=256)
def _cached(formula, params_items, activation_form):
    return Generator(formula, dict(params_items), activation_form)


def generator(member_or_formula, params=None, activation_form=None) -> Generator:
    """A cached :class:`Generator` from a registry member (or a formula string and params).

    Parameters
    ----------
    member_or_formula : FDivergence or str
        A registry member (its ``formula``, ``params`` and ``activation_form`` are used) or
        ``f(u)`` in sympy syntax.
    params : mapping, optional
        Parameter values for a formula string (ignored for a member).
    activation_form : str, optional
        ``g_f(v)`` in sympy syntax (a member's own is used when not given).

    Returns
    -------
    Generator
        Shared between calls with the same formula, parameters and activation.
    """
    if isinstance(member_or_formula, str):
        formula = member_or_formula
    else:
        m = member_or_formula
        formula, params = m.formula, dict(m.params)
        activation_form = activation_form or getattr(m, "activation_form", None) or None
    items = tuple(sorted((k, float(v)) for k, v in (params or {}).items()))
    return _cached(formula, items, activation_form)


# ----------------------------------------------------------------------------- conjugate
def _num(x):
    return _eval_sym(x) if not isinstance(x, mp.mpf) else x


def _bisect_log(h, lo=-1, hi=1, half=False):
    """A root of the nondecreasing ``h(r)`` (sign change, possibly a jump) by bisection in ``r``."""
    lo, hi = mp.mpf(lo), mp.mpf(hi)
    while h(lo) > 0:
        lo *= 2
        if lo < -2 ** 40:
            raise ValueError("no bracket below")
    while h(hi) < 0:
        hi *= 2
        if hi > 2 ** 40:
            raise ValueError("no bracket above")
    eps = mp.mpf(2) ** (-(mp.mp.prec // 2 + 12 if half else mp.mp.prec + 4))
    coarse = mp.mpf(2) ** -20
    while hi - lo > eps * max(1, abs(lo), abs(hi)):
        mid = (lo + hi) / 2
        if mid == lo or mid == hi:
            break
        if h(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < coarse * max(1, abs(lo), abs(hi)) and not getattr(h, "kinked", False):
            # a bracket of relative width 2^-20 around a smooth root: the Illinois method
            # (superlinear, bracketed) finishes; bisection resumes if it strays
            try:
                r = mp.findroot(h, (lo, hi), solver="illinois", tol=eps ** 2, maxsteps=200)
            except (ValueError, ZeroDivisionError):
                coarse = mp.mpf(0)
                continue
            if lo <= r <= hi:
                return r
            coarse = mp.mpf(0)
    return (lo + hi) / 2


def _boundary_limit(gen):
    """``lim_{u→∞} (f′(∞) u − f(u))``, once per generator (sympy, exact when it can)."""
    if not hasattr(gen, "_boundary"):
        ts = gen.fp_inf if isinstance(gen.fp_inf, sp.Basic) else sp.Rational(float(gen.fp_inf))
        expr = ts * _U - gen.expr
        try:
            val = _sym_to_mp(sp.limit(expr, _U, sp.oo))
        except (NotImplementedError, ValueError, TypeError):
            val = _numeric_limit(expr, sp.oo)
        gen._boundary = val
    return gen._boundary


def conjugate(gen: Generator, t):
    """``f*(t) = sup_{u ≥ 0} (t u − f(u))`` at the current precision (``+inf`` outside the domain).

    The convention is the Fenchel conjugate of ``f`` restricted to ``u ≥ 0``: ``t < f′(0+)``
    gives ``−f(0+)``, ``t > f′(∞)`` gives ``+inf``; in between the maximiser solves
    ``f′(u) = t``, found by bisection in ``log u``.

    Parameters
    ----------
    gen : Generator
        The generator ``f``.
    t : float-like
        The argument (NaN gives NaN).

    Returns
    -------
    mpmath.mpf
    """
    t = to_mpf(t)
    if mp.isnan(t):
        return mp.nan
    fp_inf, fp_zero = _num(gen.fp_inf), _num(gen.fp_zero)
    if t > fp_inf:
        return mp.inf
    if t == fp_inf:  # supremum approached as u → ∞
        return _eval_sym(_boundary_limit(gen))
    if t <= fp_zero:  # objective nonincreasing: the supremum sits at u = 0
        return -_num(gen.f(0))
    if not gen.smooth_at_one:  # a kink at u = 1 (tv): the maximiser sits there for a whole t-range
        if gen.fp_one_left <= t <= gen.fp_one_right:
            return t - _num(gen.f_one)
    # smooth at the maximiser: the value is quadratic in the location error, so half the
    # working precision in log u suffices
    r = _bisect_log(lambda r: gen.f_prime(mp.exp(r)) - t, half=True)
    u = mp.exp(r)
    return t * u - gen.f(u)


def conjugate_over_reals(gen: Generator, t):
    """The f-GAN table's conjugate: ``sup_{u ∈ ℝ} (t u − f(u))`` with ``f`` extended by its formula.

    Only meaningful when the formula is real and convex on ``u < 0`` (pearson, tv, …); otherwise
    it equals :func:`conjugate` (the extension is ignored) — callers check :func:`extends_to_reals`.
    """
    t = to_mpf(t)
    if not extends_to_reals(gen):
        return conjugate(gen, t)
    # f′ is nondecreasing over ℝ: solve f′(u) = t over u ∈ ℝ by bisection on u directly
    def h(x):
        return gen.fp_ext(x) - t
    lo, hi = mp.mpf(-1), mp.mpf(2)
    n = 0
    while h(lo) > 0:
        lo *= 2
        n += 1
        if n > 2000:
            return mp.inf  # f′(−∞) > t: sup at u → −∞
    n = 0
    while h(hi) < 0:
        hi *= 2
        n += 1
        if n > 2000:
            return mp.inf
    eps = mp.mpf(2) ** (-mp.mp.prec - 4)
    while hi - lo > eps * max(1, abs(lo), abs(hi)):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if h(mid) < 0:
            lo = mid
        else:
            hi = mid
    u = (lo + hi) / 2
    if abs(u) > mp.mpf(2) ** (mp.mp.prec // 2):
        return mp.inf
    return t * u - gen.f_ext(u)


@lru_cache(maxsize=256)
def _extends(formula, params_items):
    gen = _cached(formula, params_items, None)
    with mp.workdps(30):
        pts = [-mp.mpf(x) for x in ("0.25", "0.5", "1", "2", "4", "8")]
        vals = [gen.f_ext(x) for x in pts]
        if any(mp.isnan(v) or mp.isinf(v) for v in vals):
            return False
        # convex on u < 0 and joined continuously to u ≥ 0: second differences ≥ 0
        grid = [mp.mpf(-8) + k * mp.mpf("0.5") for k in range(25)]  # −8 … 4
        fv = [gen.f_ext(x) for x in grid]
        if any(mp.isnan(v) for v in fv):
            return False
        return all(fv[i - 1] - 2 * fv[i] + fv[i + 1] >= -mp.mpf(10) ** -20 for i in range(1, len(fv) - 1))


def extends_to_reals(gen: Generator) -> bool:
    """Whether ``f``'s formula is real and convex on ``u < 0`` (so the f-GAN table extends it)."""
    return _extends(gen.formula, tuple(sorted((k, float(v)) for k, v in gen.params.items())))


# ----------------------------------------------------------------------------- divergences
def divergence_discrete(gen: Generator, p, q):
    """``Σ q_i f(p_i/q_i)`` with Csiszár's conventions, at the current precision.

    ``p_i = 0 < q_i`` contributes ``q_i f(0+)``, ``q_i = 0 < p_i`` contributes ``p_i f′(∞)``
    and ``p_i = q_i = 0`` nothing.

    Parameters
    ----------
    gen : Generator
        The generator ``f``.
    p, q : sequence of float-like
        Probability vectors of equal length (converted exactly).

    Returns
    -------
    mpmath.mpf
        Possibly ``+inf``.
    """
    total = mp.mpf(0)
    for pi, qi in zip(p, q):
        pi, qi = to_mpf(pi), to_mpf(qi)
        if pi == 0 and qi == 0:
            continue
        if pi == 0:
            term = qi * _num(gen.f(0))
        elif qi == 0:
            fpi = _num(gen.fp_inf)
            term = mp.inf if mp.isinf(fpi) and fpi > 0 else pi * fpi
        else:
            term = qi * gen.f(pi / qi)
        total += term
    return total


class Family:
    """A 1-D distribution from a family name and scipy-style parameters, in mpmath.

    Supported: ``norm(loc, scale)``, ``laplace``, ``logistic``, ``cauchy``, ``t(df, loc, scale)``,
    ``expon(loc, scale)``, ``uniform(loc, scale)`` — the same parametrisation as ``scipy.stats``.

    Parameters
    ----------
    family : str
        One of :attr:`FAMILIES`.
    **params
        ``loc`` (default 0), ``scale`` (default 1) and, for ``t``, ``df``.

    Raises
    ------
    ValueError
        An unsupported family.
    """

    FAMILIES = ("norm", "laplace", "logistic", "cauchy", "t", "expon", "uniform")

    def __init__(self, family, **params):
        if family not in self.FAMILIES:
            raise ValueError(f"family={family!r}: supported are {self.FAMILIES}")
        self.family = family
        self.params = params
        self.loc = to_mpf(params.get("loc", 0.0))
        self.scale = to_mpf(params.get("scale", 1.0))
        self.df = to_mpf(params["df"]) if family == "t" else None

    def spec(self):
        """``{'family': name, **params}``, as written into the vector files."""
        return {"family": self.family, **self.params}

    def support(self):
        """``(lo, hi)`` as mpmath numbers (infinite ends for the families on ℝ)."""
        if self.family == "expon":
            return (self.loc, mp.inf)
        if self.family == "uniform":
            return (self.loc, self.loc + self.scale)
        return (-mp.inf, mp.inf)

    def logpdf(self, x):
        """``log p(x)`` at the current precision (``-inf`` outside the support).

        Parameters
        ----------
        x : mpmath.mpf
            The point.

        Returns
        -------
        mpmath.mpf
        """
        z = (x - self.loc) / self.scale
        ls = mp.log(self.scale)
        fam = self.family
        if fam == "norm":
            return -z * z / 2 - ls - mp.log(2 * mp.pi) / 2
        if fam == "laplace":
            return -abs(z) - ls - mp.log(2)
        if fam == "logistic":
            return -abs(z) - 2 * mp.log1p(mp.exp(-abs(z))) - ls
        if fam == "cauchy":
            return -mp.log(mp.pi) - ls - mp.log1p(z * z)
        if fam == "t":
            nu = self.df
            return (mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2 - ls
                    - (nu + 1) / 2 * mp.log1p(z * z / nu))
        if fam == "expon":
            return -z - ls if z >= 0 else -mp.inf
        if fam == "uniform":
            return -ls if 0 <= z <= 1 else -mp.inf
        raise AssertionError(fam)

    def landmarks(self):
        """Quadrature breakpoints: ``loc``, ``loc ± scale`` and the finite support ends."""
        lo, hi = self.support()
        pts = [self.loc, self.loc - self.scale, self.loc + self.scale]
        return [x for x in pts + [lo, hi] if mp.isfinite(x)]


def _crossings(P, Q, lo, hi):
    """Points in (lo, hi) where log p = log q (sign changes on a grid, refined by bisection)."""
    a = lo if mp.isfinite(lo) else min(P.loc - 60 * P.scale, Q.loc - 60 * Q.scale)
    b = hi if mp.isfinite(hi) else max(P.loc + 60 * P.scale, Q.loc + 60 * Q.scale)
    n = 4000
    xs = [a + (b - a) * k / n for k in range(n + 1)]

    def d(x):
        return P.logpdf(x) - Q.logpdf(x)

    out = []
    prev = d(xs[0])
    for x0, x1 in zip(xs, xs[1:]):
        cur = d(x1)
        if prev == 0:
            out.append(x0)
        elif mp.sign(prev) * mp.sign(cur) < 0:
            l, r, dl = x0, x1, prev
            for _ in range(mp.mp.prec + 10):
                m = (l + r) / 2
                dm = d(m)
                if mp.sign(dm) == mp.sign(dl):
                    l, dl = m, dm
                else:
                    r = m
            out.append((l + r) / 2)
        prev = cur
    return out


def tail_finite(gen: Generator, P: Family, Q: Family, side: int) -> bool:
    """Whether ``∫ q φ(p/q)`` converges in the tail ``side = ±1`` (both densities positive there).

    Probe: ``|x| · q φ(p/q)`` at ``x = ±10^k`` (``k = 4 … 64``, scaled by the parameters) must
    fall below ``10^-30`` and keep decreasing — an integrand that decays no faster than ``1/|x|``
    (or grows) makes the tail, hence the divergence, infinite.
    """
    c = max(abs(P.loc), abs(Q.loc)) + max(P.scale, Q.scale)
    vals = []
    with mp.workdps(max(mp.mp.dps, 60)):
        for k in (4, 8, 16, 32, 64):
            x = side * c * mp.mpf(10) ** k
            lp, lq = P.logpdf(x), Q.logpdf(x)
            vals.append(abs(x) * _centred_term(gen, lp, lq))
    decreasing = all(b <= a for a, b in zip(vals, vals[1:]))
    return decreasing and vals[-1] < mp.mpf(10) ** -30


def _centred_term(gen, lp, lq):
    """``q φ(p/q)`` from log densities, ``φ(u) = f(u) − f(1) − f′(1)(u − 1) ≥ 0``."""
    f1, fp1 = _num(gen.f_one), _num(gen.fp_one)
    if lq == -mp.inf:
        return mp.mpf(0)
    q = mp.exp(lq)
    u = mp.exp(lp - lq)
    return q * (gen.f(u) - f1 - fp1 * (u - 1))


def divergence_continuous(gen: Generator, P: Family, Q: Family, *, error=False):
    """``∫ q f(p/q)`` by ``mpmath.quad`` (breakpoints at landmarks and crossings) at the current dps.

    Regions where only ``p`` (only ``q``) is positive contribute ``P(A) f′(∞)`` (``Q(B) f(0+)``);
    on the common support the centred integrand ``q φ(p/q) ≥ 0`` is integrated, and
    ``D = ∫ q φ + f(1) Q(C) + f′(1)(P(C) − Q(C))`` with ``C`` the common support.

    Parameters
    ----------
    gen : Generator
        The generator ``f``.
    P, Q : Family
        The two distributions.
    error : bool
        Also return the quadrature error estimate.

    Returns
    -------
    mpmath.mpf or (mpmath.mpf, mpmath.mpf)
        ``D_f(P‖Q)`` (possibly ``+inf``, see :func:`tail_finite`), with the error if asked.
    """
    plo, phi_ = P.support()
    qlo, qhi = Q.support()
    clo, chi = max(plo, qlo), min(phi_, qhi)
    f0, fpinf = _num(gen.f(0)), _num(gen.fp_inf)
    f1, fp1 = _num(gen.f_one), _num(gen.fp_one)

    def mass(D, a, b):
        if not a < b:
            return mp.mpf(0)
        pts = sorted(set([a, b] + [x for x in D.landmarks() if a < x < b]))
        return mp.quad(lambda x: mp.exp(D.logpdf(x)), pts)

    total, err = mp.mpf(0), mp.mpf(0)
    # only p positive: outside Q's support
    p_only = mass(P, plo, min(phi_, qlo)) + mass(P, max(plo, qhi), phi_)
    q_only = mass(Q, qlo, min(qhi, plo)) + mass(Q, max(qlo, phi_), qhi)
    if clo >= chi:  # disjoint supports
        pc = qc = mp.mpf(0)
    else:
        pc, qc = mass(P, clo, chi), mass(Q, clo, chi)
    if p_only > 0:
        if mp.isinf(fpinf):
            return (mp.inf, mp.mpf(0)) if error else mp.inf
        total += p_only * fpinf
    if q_only > 0:
        if mp.isinf(f0):
            return (mp.inf, mp.mpf(0)) if error else mp.inf
        total += q_only * f0
    if clo < chi:
        for side, end in ((-1, clo), (1, chi)):
            if mp.isinf(end) and not tail_finite(gen, P, Q, side):
                return (mp.inf, mp.mpf(0)) if error else mp.inf
        pts = set([clo, chi] + _crossings(P, Q, clo, chi))
        pts |= {x for x in P.landmarks() + Q.landmarks() if clo < x < chi}
        pts = sorted(pts)

        def g(x):
            return _centred_term(gen, P.logpdf(x), Q.logpdf(x))

        val, e = mp.quad(g, pts, error=True, maxdegree=10)
        total += val + f1 * qc + fp1 * (pc - qc)
        err += e
    return (total, err) if error else total


# ----------------------------------------------------------------------------- GAN pieces
def log_sigmoid(v):
    """``log σ(v) = −log(1 + e^{−v})`` at the current precision."""
    v = to_mpf(v)
    return -mp.log1p(mp.exp(-v))


def optimal_discriminator(logp, logq):
    """``D* = p/(p + q) = σ(log p − log q)`` (``0/0`` → ½, as for equal densities)."""
    lp, lq = to_mpf(logp), to_mpf(logq)
    if lp == -mp.inf and lq == -mp.inf:
        return mp.mpf(1) / 2
    if lq == -mp.inf:
        return mp.mpf(1)
    if lp == -mp.inf:
        return mp.mpf(0)
    return 1 / (1 + mp.exp(lq - lp))


def _mean(xs):
    xs = list(xs)
    return mp.fsum(xs) / len(xs)


def gan_discriminator_loss(v_real, v_fake):
    """``−(mean log D(x) + mean log(1 − D(G(z))))`` with ``D = σ(v)`` from logits (to minimise)."""
    return -(_mean(log_sigmoid(v) for v in v_real) + _mean(log_sigmoid(-to_mpf(v)) for v in v_fake))


def gan_generator_loss(v_fake):
    """The minimax generator loss ``mean log(1 − D(G(z))) = mean log σ(−v)`` (to minimise)."""
    return _mean(log_sigmoid(-to_mpf(v)) for v in v_fake)


def gan_generator_loss_nonsaturating(v_fake):
    """The non-saturating generator loss ``−mean log D(G(z)) = −mean log σ(v)`` (to minimise)."""
    return -_mean(log_sigmoid(v) for v in v_fake)


def fgan_objective(gen: Generator, v_real, v_fake):
    """The f-GAN critic objective ``mean g_f(v_P) − mean f*(g_f(v_Q))`` (to maximise).

    Parameters
    ----------
    gen : Generator
        The generator ``f``, built with an ``activation_form``.
    v_real, v_fake : sequence of float-like
        Raw critic outputs on data and on generator samples.

    Returns
    -------
    mpmath.mpf
    """
    return (_mean(gen.activation(v) for v in v_real)
            - _mean(conjugate(gen, gen.activation(v)) for v in v_fake))
