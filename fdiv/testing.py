"""Property-testing machinery for f-divergences: hypothesis strategies and reusable checks.

Use it to property-test your own implementation (a registered :class:`fdiv.FDivergence`, a
conjugate, a critic, a divergence estimator) with the same machinery fdiv tests itself with::

    from hypothesis import given
    import fdiv.testing as ft

    @given(ft.distribution_pairs(), ft.critics())
    def test_my_member(pq, critic):
        ft.check_bound_below_divergence(my_member, critic, *pq, raw=True)

Strategies (``hypothesis`` is imported lazily, so importing this module does not need it):

* :func:`continuous_distributions`, :func:`distribution_pairs` — the supported scipy.stats
  families and :class:`fdiv.Mixture` with sane parameters; :func:`discrete_pairs` — probability
  vectors with zeros;
* :func:`critics` — random polynomials (:class:`PolyCritic`), random small NumPy MLPs
  (:class:`MLPCritic`), and :func:`perturbed_critics` of the optimal critic;
* :func:`divergences`, :func:`alpha_values` — registry members.

Every drawn object has a ``repr`` that is valid Python (``norm(loc=0.5, scale=2.0)``,
``PolyCritic((0.1, -1.0), squash=True)``), so hypothesis' falsifying example is a reproduction;
every ``check_*`` raises :class:`AssertionError` whose message ends with a reproduction line.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ._registry import get, names, resolve

__all__ = [
    # critics
    "PolyCritic", "MLPCritic", "PerturbedCritic", "Float32Critic", "ActivatedCritic",
    # strategies
    "continuous_distributions", "distribution_pairs", "discrete_pairs", "critics",
    "polynomial_critics", "mlp_critics", "perturbed_critics", "discrete_critics",
    "divergences", "alpha_values", "energies", "FAMILY_NAMES",
    # checks
    "check_nonnegative", "check_zero_at_equal", "check_bound_below_divergence",
    "check_tight_at_optimal_critic", "check_gap_identity", "check_fenchel_young",
    "check_conjugate_convex_nondecreasing", "check_bounded_range", "check_symmetric",
    "check_jeffreys_decomposition", "check_gan_js", "check_joint_convexity",
    "check_data_processing", "check_dv_nwj", "check_gan_optimal_discriminator",
    "check_gibbs_identity", "check_mc_unbiased", "describe", "frozen", "mixtures", "LIGHT_TAILED",
]


# ============================================================================================
# reproduction lines
# ============================================================================================
def describe(obj) -> str:
    """Python source that rebuilds ``obj`` (distributions, members, arrays, critics)."""
    from ._generator import FDivergence
    from .distributions import Mixture

    if isinstance(obj, FDivergence):
        if obj.params:
            kw = ", ".join(f"{k}={v!r}" for k, v in obj.params.items())
            return f"fdiv.get({obj.name!r}, {kw})"
        return repr(obj.name)
    if isinstance(obj, Mixture):
        comps = ", ".join(describe(c) for c in obj.components)
        return f"fdiv.Mixture({[float(w) for w in obj.weights]!r}, [{comps}])"
    dist = getattr(obj, "dist", None)
    if dist is not None and hasattr(obj, "args"):
        args = [repr(_plain(a)) for a in obj.args] + [f"{k}={_plain(v)!r}" for k, v in obj.kwds.items()]
        return f"scipy.stats.{dist.name}({', '.join(args)})"
    if isinstance(obj, np.ndarray):
        return f"np.array({obj.tolist()!r})"
    if isinstance(obj, (tuple, list)):
        inner = ", ".join(describe(o) for o in obj)
        return f"({inner},)" if isinstance(obj, tuple) else f"[{inner}]"
    return repr(obj)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _fail(message, call):
    raise AssertionError(f"{message}\nreproduce: import fdiv, fdiv.testing, scipy.stats, numpy as np; "
                         f"from fdiv.testing import *; {call}")


def _call(name, *args, **kwargs):
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"fdiv.testing.{name}({', '.join(parts)})"


# ============================================================================================
# critics (printable, picklable, deterministic)
# ============================================================================================
class PolyCritic:
    """``V(x) = Σ_k c_k s(x)^k`` with ``s = tanh`` (``squash=True``, bounded) or ``s(x) = x``."""

    def __init__(self, coeffs, squash=True):
        self.coeffs = tuple(float(c) for c in coeffs)
        self.squash = bool(squash)

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        s = np.tanh(x) if self.squash else x
        return np.polynomial.polynomial.polyval(s, self.coeffs)

    def __repr__(self):
        return f"PolyCritic({self.coeffs!r}, squash={self.squash!r})"


class MLPCritic:
    """A random one-hidden-layer tanh network ``V(x) = w₂·tanh(W₁ (x − shift)/width_x + b₁) + b₂``.

    Weights are drawn once from ``numpy.random.default_rng(seed)`` (standard normal, the output
    layer scaled by ``scale/√width``), so the critic is a deterministic, bounded function of
    ``(seed, width, scale, shift, input_scale)``.  (A local NumPy network: independent of
    :mod:`fdiv.nn`.)
    """

    def __init__(self, seed, width=8, scale=1.0, shift=0.0, input_scale=1.0):
        self.seed, self.width = int(seed), int(width)
        self.scale, self.shift, self.input_scale = float(scale), float(shift), float(input_scale)
        rng = np.random.default_rng(self.seed)
        self._w1 = rng.standard_normal(self.width)
        self._b1 = rng.standard_normal(self.width)
        self._w2 = rng.standard_normal(self.width) * self.scale / math.sqrt(self.width)
        self._b2 = float(rng.standard_normal()) * self.scale * 0.5

    def __call__(self, x):
        x = np.asarray(x, dtype=np.float64)
        z = (x[..., None] - self.shift) / self.input_scale
        return np.tanh(z * self._w1 + self._b1) @ self._w2 + self._b2

    def __repr__(self):
        return (f"MLPCritic({self.seed}, width={self.width}, scale={self.scale!r}, "
                f"shift={self.shift!r}, input_scale={self.input_scale!r})")


class PerturbedCritic:
    """``T(x) = T*(x) + eps·h(x)``: the optimal critic of ``div`` for ``(p, q)`` plus a bump."""

    def __init__(self, div, p, q, eps, direction):
        from .bounds import optimal_critic

        self.div, self.p, self.q = resolve(div), p, q
        self.eps, self.direction = float(eps), direction
        self._opt = optimal_critic(self.div, p, q)

    def __call__(self, x):
        with np.errstate(invalid="ignore"):
            t = np.asarray(self._opt(x), dtype=np.float64)
            bump = self.eps * np.asarray(self.direction(x), dtype=np.float64)
            # T* = ±inf where p/q overflowed (or one density vanishes): a finite huge value
            # keeps the perturbed critic an ordinary real function
            t = np.clip(t, -1e12, 1e12)
            return t + bump

    def __repr__(self):
        return (f"PerturbedCritic({describe(self.div)}, {describe(self.p)}, {describe(self.q)}, "
                f"eps={self.eps!r}, direction={self.direction!r})")


class ActivatedCritic:
    """``T(x) = g_f(V(x))``: a raw critic pushed through the member's f-GAN activation."""

    def __init__(self, div, inner):
        self.div, self.inner = resolve(div), inner

    def __call__(self, x):
        return self.div.activation(self.inner(x))

    def __repr__(self):
        return f"ActivatedCritic({describe(self.div)}, {self.inner!r})"


class Float32Critic:
    """The inner critic's values rounded to float32 (what a float32 network returns)."""

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, x):
        return np.asarray(self.inner(np.asarray(x, dtype=np.float32)), dtype=np.float32)

    def __repr__(self):
        return f"Float32Critic({self.inner!r})"


# ============================================================================================
# strategies
# ============================================================================================
FAMILY_NAMES = ("norm", "t", "laplace", "logistic", "cauchy", "gumbel_r", "expon", "gamma",
                "lognorm", "beta", "uniform")

#: families with every moment and a log density that is at most quadratic in the tails
LIGHT_TAILED = ("norm", "laplace", "logistic", "gumbel_r", "expon", "gamma", "beta", "uniform")


def _st():
    from hypothesis import strategies as st

    return st


_PRINTABLE = {}


def frozen(name, *args, **kwargs):
    """``scipy.stats.<name>(*args, **kwargs)`` whose ``repr`` is that call (for reproductions).

    The object is the ordinary frozen distribution, re-classed to a subclass that only adds
    ``__repr__``; every fdiv function accepts it as the frozen distribution it is.
    """
    import scipy.stats

    obj = getattr(scipy.stats, name)(*args, **kwargs)
    base = type(obj)
    cls = _PRINTABLE.get(base)
    if cls is None:
        cls = _PRINTABLE[base] = type(base.__name__, (base,), {"__repr__": describe})
    obj.__class__ = cls
    return obj


def _ctor(name):
    """:func:`frozen` for one family behind a function named ``name`` (hypothesis prints the call)."""

    def ctor(*args, **kwargs):
        return frozen(name, *args, **kwargs)

    ctor.__name__ = ctor.__qualname__ = name
    ctor.__module__ = "scipy.stats"
    return ctor


def _num(lo, hi, digits=2):
    return _st().floats(lo, hi, allow_nan=False).map(lambda v: round(v, digits))


def continuous_distributions(families=None, *, loc=(-3.0, 3.0), scale=(0.5, 3.0)):
    """scipy.stats frozen distributions of ``families`` (default :data:`FAMILY_NAMES`).

    Parameters are rounded to 2 decimals (readable reproductions): location in ``loc``, scale
    in ``scale``; shapes: t ``df ∈ [1, 30]``, gamma ``a ∈ [0.5, 6]``, lognorm ``s ∈ [0.2, 1.5]``,
    beta ``a, b ∈ [0.5, 6]``.
    """
    st = _st()
    families = tuple(families or FAMILY_NAMES)
    L, S = _num(*loc), _num(*scale)
    shapes = {
        "t": (_num(1.0, 30.0),), "gamma": (_num(0.5, 6.0),), "lognorm": (_num(0.2, 1.5),),
        "beta": (_num(0.5, 6.0), _num(0.5, 6.0)),
    }
    strats = []
    for name in families:
        if name not in FAMILY_NAMES:
            raise ValueError(f"families: {name!r} is not one of {FAMILY_NAMES}")
        strats.append(st.builds(_ctor(name), *shapes.get(name, ()), loc=L, scale=S))
    return st.one_of(strats)


def mixtures(families=None, max_components=3, **kw):
    """:class:`fdiv.Mixture` of 2 … ``max_components`` components with weights ≥ 0.05."""
    st = _st()
    from .distributions import Mixture

    comps = st.lists(continuous_distributions(families, **kw), min_size=2, max_size=max_components)

    @st.composite
    def build(draw):
        cs = draw(comps)
        raw = draw(st.lists(_num(0.05, 1.0), min_size=len(cs), max_size=len(cs)))
        w = np.asarray(raw) / sum(raw)
        w[-1] = 1.0 - w[:-1].sum()
        return Mixture(w.tolist(), cs)

    return build()


def distribution_pairs(families=None, *, with_mixtures=True, **kw):
    """Pairs ``(P, Q)`` of continuous distributions (independent draws; mixtures included)."""
    st = _st()
    one = continuous_distributions(families, **kw)
    if with_mixtures:
        one = st.one_of(one, mixtures(families, **kw))
    return st.tuples(one, one)


def discrete_pairs(min_size=2, max_size=8, *, zeros=True):
    """Pairs of probability vectors of equal length, with zero entries when ``zeros``.

    Entries are drawn from ``{0} ∪ [0.01, 1]`` and normalised; each vector has positive mass.
    """
    st = _st()
    entry = st.one_of(st.just(0.0), _num(0.01, 1.0, 3)) if zeros else _num(0.01, 1.0, 3)

    @st.composite
    def build(draw):
        n = draw(st.integers(min_size, max_size))
        out = []
        for _ in range(2):
            v = np.asarray(draw(st.lists(entry, min_size=n, max_size=n)))
            if v.sum() == 0:
                v[draw(st.integers(0, n - 1))] = 1.0
            out.append(v / v.sum())
        return tuple(out)

    return build()


def polynomial_critics(max_degree=3, *, squash=True, coeff=2.0):
    """:class:`PolyCritic` with coefficients in ``[−coeff, coeff]`` (bounded when ``squash``)."""
    st = _st()
    return st.builds(PolyCritic, st.lists(_num(-coeff, coeff), min_size=1, max_size=max_degree + 1)
                     .map(tuple), squash=st.just(squash))


def mlp_critics(max_width=8, *, scale=(0.1, 3.0)):
    """:class:`MLPCritic` with a random seed, width ``1 … max_width`` and output scale."""
    st = _st()
    return st.builds(MLPCritic, st.integers(0, 2**32 - 1), width=st.integers(1, max_width),
                     scale=_num(*scale), shift=_num(-2.0, 2.0), input_scale=_num(0.5, 3.0))


def critics(**kw):
    """Raw (unconstrained, bounded) critics: random polynomials of tanh and random MLPs.

    Use them with ``raw=True`` (``T = g_f(V)``), or wrap in :class:`ActivatedCritic`.
    """
    return _st().one_of(polynomial_critics(**kw), mlp_critics())


def perturbed_critics(div, p, q, *, eps=(-0.5, 0.5)):
    """:class:`PerturbedCritic` ``T* + eps·h`` for a given member and pair (h an MLP)."""
    st = _st()
    return st.builds(PerturbedCritic, st.just(div), st.just(p), st.just(q), eps=_num(*eps, 3),
                     direction=mlp_critics())


def discrete_critics(n, *, lo=-5.0, hi=5.0):
    """Arrays of ``n`` critic values in ``[lo, hi]``."""
    st = _st()
    return st.lists(_num(lo, hi, 3), min_size=n, max_size=n).map(np.asarray)


def alpha_values(lo=-2.0, hi=3.0):
    """α-family parameters in ``[lo, hi]``, including values near the limits 0 and 1."""
    st = _st()
    return st.one_of(_num(lo, hi, 3).filter(lambda a: a not in (0.0, 1.0)),
                     st.sampled_from([1e-6, -1e-6, 1.0 - 1e-6, 1.0 + 1e-6, 0.5, 2.0, -1.0]))


def divergences(*, include=None, exclude=()):
    """Registry members (``fdiv.get(name)``, and ``alpha`` with drawn ``a``)."""
    st = _st()
    chosen = [n for n in (include or names()) if n not in exclude]
    strats = []
    for n in chosen:
        if n == "alpha":
            strats.append(st.builds(get, st.just("alpha"), a=alpha_values()))
        else:
            strats.append(st.builds(get, st.just(n)))
    return st.one_of(strats)


def energies(max_degree=4):
    """:class:`PolyCritic` energies ``D`` with ``e^D`` integrable on ℝ (negative leading even term).

    ``D(x) = −c x^{2k} + (lower terms)`` with ``c ∈ [0.05, 2]``, ``2k ≤ max_degree``.
    """
    st = _st()

    @st.composite
    def build(draw):
        deg = draw(st.sampled_from([d for d in (2, 4, 6) if d <= max_degree]))
        lower = draw(st.lists(_num(-2.0, 2.0), min_size=deg, max_size=deg))
        lead = -draw(_num(0.05, 2.0))
        return PolyCritic(tuple(lower) + (lead,), squash=False)

    return build()


# ============================================================================================
# checks
# ============================================================================================
def _div(div, p, q, **kw):
    from . import divergence

    return divergence(div, p, q, return_error=True, **kw)


def check_nonnegative(div, p, q, *, atol=1e-12):
    """``D_f(P‖Q) ≥ f(1)`` (= 0 for normalised members; ``−log 4`` for ``'gan'``), by Jensen."""
    d = resolve(div)
    v, e = _div(d, p, q)
    if not (v >= d.f_at_one - e - atol):
        _fail(f"D_f = {v!r} < f(1) = {d.f_at_one!r} (error estimate {e:.3g})",
              _call("check_nonnegative", d, p, q))
    return v


def check_zero_at_equal(div, p, *, atol=1e-12):
    """``D_f(P‖P) = f(1)`` (0 for normalised members)."""
    d = resolve(div)
    v, e = _div(d, p, p)
    if not abs(v - d.f_at_one) <= e + atol + 1e-12 * abs(d.f_at_one):
        _fail(f"D_f(P‖P) = {v!r}, expected f(1) = {d.f_at_one!r}", _call("check_zero_at_equal", d, p))
    return v


def _quad_slack(*pairs, rtol=1e-9):
    """Tolerance from quadrature: the error estimates plus ``rtol`` of the magnitudes."""
    return sum(e for _, e in pairs) + rtol * max([1.0] + [abs(v) for v, _ in pairs if math.isfinite(v)])


def check_bound_below_divergence(div, critic, p, q, *, raw=False):
    """``bound(T) ≤ D_f(P‖Q)`` (a critic leaving ``dom f*`` gives ``−inf``, which passes)."""
    from .bounds import CriticDomainWarning, bound

    d = resolve(div)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CriticDomainWarning)
        b = bound(d, critic, p, q, raw=raw, return_error=True)
    D = _div(d, p, q)
    if not b[0] <= D[0] + _quad_slack(b, D):
        _fail(f"bound {b[0]!r} > D_f {D[0]!r} (errors {b[1]:.3g}, {D[1]:.3g})",
              _call("check_bound_below_divergence", d, critic, p, q, raw=raw))
    return b[0], D[0]


def check_tight_at_optimal_critic(div, p, q, *, rtol=1e-8):
    """``bound(T*) = D_f(P‖Q)`` to ``rtol`` (relative), with ``T* = f′(p/q)``."""
    from .bounds import bound, optimal_critic

    d = resolve(div)
    b = bound(d, optimal_critic(d, p, q), p, q, return_error=True)
    D = _div(d, p, q)
    if math.isinf(D[0]):
        ok = b[0] == D[0]
    else:
        ok = abs(b[0] - D[0]) <= rtol * abs(D[0]) + b[1] + D[1] + 1e-14
    if not ok:
        _fail(f"bound(T*) = {b[0]!r} but D_f = {D[0]!r} (errors {b[1]:.3g}, {D[1]:.3g}; rtol {rtol})",
              _call("check_tight_at_optimal_critic", d, p, q))
    return b[0], D[0]


def check_gap_identity(div, critic, p, q, *, raw=False, rtol=1e-9):
    """Gap ``E_Q[f(r) + f*(T) − rT] ≥ 0`` and ``= D_f − bound(T)`` (finite cases)."""
    from .bounds import CriticDomainWarning, bound, bound_gap

    d = resolve(div)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CriticDomainWarning)
        g = bound_gap(d, critic, p, q, raw=raw, return_error=True)
        b = bound(d, critic, p, q, raw=raw, return_error=True)
    D = _div(d, p, q)
    call = _call("check_gap_identity", d, critic, p, q, raw=raw)
    if not g[0] >= -_quad_slack(g, rtol=rtol):
        _fail(f"Fenchel–Young gap {g[0]!r} < 0", call)
    if math.isfinite(D[0]) and math.isfinite(b[0]):
        if not abs(g[0] - (D[0] - b[0])) <= _quad_slack(g, b, D, rtol=rtol):
            _fail(f"gap {g[0]!r} ≠ D_f − bound = {D[0]!r} − {b[0]!r} = {D[0] - b[0]!r}", call)
    elif b[0] == -math.inf and not g[0] == math.inf:
        _fail(f"bound is -inf but the gap is finite ({g[0]!r})", call)
    return g[0]


def check_fenchel_young(div, logu, t):
    """Fenchel–Young for the member's ``conjugate``: ``f(u) + f*(t) ≥ u t`` and equality at
    ``t = f′(u)``, with ``f``, ``f′`` from the sympy ``formula`` at 40 digits (independent of
    the member's numerics).  ``u = e^logu``; works for ``|logu|`` up to ~700.
    """
    import mpmath

    from .bounds import mp_generator

    d = resolve(div)
    f, fp = mp_generator(d)
    call = _call("check_fenchel_young", d, float(logu), float(t))
    lo, hi = d.conjugate_domain
    # u f′(u) and f(u) cancel to ~ |logu|/2.3 digits when u = e^{±700}: carry them
    with mpmath.workdps(40 + int(abs(float(logu)) / 2.0)):
        u = mpmath.exp(mpmath.mpf(float(logu)))
        fu = f(u)
        tv = mpmath.mpf(float(t))
        fs = float(d.conjugate(float(t)))
        if math.isfinite(fs):
            slack = mpmath.mpf(1e-12) * (abs(fu) + abs(fs) + abs(u * tv) + 1)
            if fu + fs - u * tv < -slack:
                _fail(f"f(u) + f*(t) − ut = {mpmath.nstr(fu + fs - u * tv, 6)} < 0 at u = e^{logu}, "
                      f"t = {t!r} (f*(t) = {fs!r})", call)
        elif lo < float(t) < hi:
            _fail(f"f*(t) = {fs!r} inside dom f* = ({lo}, {hi}) at t = {t!r}", call)
        # equality at t = f′(u): f*(f′(u)) = u f′(u) − f(u)
        tu = fp(u)
        tf = float(tu) if mpmath.isfinite(tu) else math.nan
        if not (lo < tf < hi) or abs(tf) > 1e300:
            return  # f′(u) rounds onto (or past) the open end of dom f*: not representable
        want = u * tu - fu
        got = float(d.conjugate(tf))
        if abs(want) > 1.7e308:
            if not (math.isinf(got) and (got > 0) == (want > 0)):
                _fail(f"f*(f′(u)) = {got!r}, expected {mpmath.nstr(want, 8)} (overflow) at u = e^{logu}", call)
            return
        # the float argument f′(u) is rounded by ≤ ½ ulp: f* moves by u·|δt| (f*′(t) = u)
        tol = 1e-9 * (abs(want) + 1e-300) + 1e-13 + float(u * abs(tu - tf)) * 1.01 \
            + 1e-12 * float(abs(u * tu) + abs(fu))
        if not abs(got - want) <= tol:
            _fail(f"Fenchel–Young equality fails: f*(f′(u)) = {got!r}, u f′(u) − f(u) = "
                  f"{mpmath.nstr(want, 17)} at u = e^{logu}", call)


def check_conjugate_convex_nondecreasing(div, a, b, *, lam=0.5):
    """``f*`` is nondecreasing and midpoint convex on its domain: for ``a ≤ b`` in the domain
    ``f*(a) ≤ f*(b)`` and ``f*(λa + (1−λ)b) ≤ λ f*(a) + (1−λ) f*(b)``."""
    d = resolve(div)
    a, b = sorted((float(a), float(b)))
    fa, fb = float(d.conjugate(a)), float(d.conjugate(b))
    m = lam * a + (1 - lam) * b
    fm = float(d.conjugate(m))
    call = _call("check_conjugate_convex_nondecreasing", d, a, b, lam=lam)
    scale = 1e-12 * (1 + abs(fa) + abs(fb))
    if not fa <= fb + scale:
        _fail(f"f* decreases: f*({a!r}) = {fa!r} > f*({b!r}) = {fb!r}", call)
    if math.isfinite(fa) and math.isfinite(fb) and not fm <= lam * fa + (1 - lam) * fb + scale:
        _fail(f"f* not convex: f*({m!r}) = {fm!r} > {lam * fa + (1 - lam) * fb!r}", call)


def check_bounded_range(div, p, q, *, disjoint=False):
    """``f(1) ≤ D_f ≤ upper_bound`` for bounded members; ``= upper_bound`` when ``disjoint``."""
    d = resolve(div)
    if d.upper_bound is None:
        return None
    v, e = _div(d, p, q)
    tol = e + 1e-10 * max(1.0, abs(d.upper_bound))
    call = _call("check_bounded_range", d, p, q, disjoint=disjoint)
    if not (d.f_at_one - tol <= v <= d.upper_bound + tol):
        _fail(f"D_f = {v!r} outside [{d.f_at_one!r}, {d.upper_bound!r}]", call)
    if disjoint and not abs(v - d.upper_bound) <= tol:
        _fail(f"disjoint supports: D_f = {v!r}, expected the maximum {d.upper_bound!r}", call)
    return v


def check_symmetric(div, p, q):
    """``D_f(P‖Q) = D_f(Q‖P)`` for members flagged ``symmetric``."""
    d = resolve(div)
    a, b = _div(d, p, q), _div(d, q, p)
    if not (a[0] == b[0] or abs(a[0] - b[0]) <= _quad_slack(a, b)):
        _fail(f"D(P‖Q) = {a[0]!r} ≠ D(Q‖P) = {b[0]!r}", _call("check_symmetric", d, p, q))


def check_jeffreys_decomposition(p, q):
    """``jeffreys = kl + reverse_kl``."""
    j, k, r = _div("jeffreys", p, q), _div("kl", p, q), _div("reverse_kl", p, q)
    if math.isinf(j[0]) or math.isinf(k[0]) or math.isinf(r[0]):
        ok = j[0] == k[0] + r[0]
    else:
        ok = abs(j[0] - (k[0] + r[0])) <= _quad_slack(j, k, r)
    if not ok:
        _fail(f"jeffreys {j[0]!r} ≠ kl {k[0]!r} + reverse_kl {r[0]!r}", _call("check_jeffreys_decomposition", p, q))


def check_gan_js(p, q):
    """``gan = 2·js − log 4``."""
    g, j = _div("gan", p, q), _div("js", p, q)
    if not abs(g[0] - (2 * j[0] - math.log(4))) <= g[1] + 2 * j[1] + 1e-10:
        _fail(f"gan {g[0]!r} ≠ 2·js − log 4 = {2 * j[0] - math.log(4)!r}", _call("check_gan_js", p, q))


def _mix(lam, a, b):
    if isinstance(a, np.ndarray):
        return lam * a + (1 - lam) * b
    from .distributions import Mixture

    return Mixture([lam, 1 - lam], [a, b])


def check_joint_convexity(div, p1, q1, p2, q2, lam=0.5):
    """``D(λP₁+(1−λ)P₂ ‖ λQ₁+(1−λ)Q₂) ≤ λ D(P₁‖Q₁) + (1−λ) D(P₂‖Q₂)``."""
    d = resolve(div)
    lhs = _div(d, _mix(lam, p1, p2), _mix(lam, q1, q2))
    a, b = _div(d, p1, q1), _div(d, p2, q2)
    rhs = (lam * a[0] if lam else 0.0) + ((1 - lam) * b[0] if lam != 1 else 0.0)  # 0·∞ = 0
    if not lhs[0] <= rhs + _quad_slack(lhs, a, b):
        _fail(f"joint convexity fails: {lhs[0]!r} > {rhs!r}",
              _call("check_joint_convexity", d, p1, q1, p2, q2, lam=lam))


def _bin(p, edges):
    """Probabilities of the cells between ``edges`` (discrete: sums over index groups)."""
    if isinstance(p, np.ndarray):
        return np.add.reduceat(p, np.asarray(edges, dtype=int))
    cdf = np.concatenate([[0.0], [_cdf(p, e) for e in edges], [1.0]])
    return np.clip(np.diff(cdf), 0.0, None)


def _cdf(p, x):
    comps = getattr(p, "components", None)
    if comps is not None:
        return float(sum(w * _cdf(c, x) for w, c in zip(p.weights, comps)))
    return float(p.cdf(x))


def check_data_processing(div, p, q, edges):
    """Data processing: binning does not increase ``D_f``.

    Continuous p, q: cells ``(−∞, e₀], (e₀, e₁], …`` from sorted ``edges``; discrete: the index
    groups starting at ``edges`` (``numpy.add.reduceat``; ``edges[0]`` should be 0).
    """
    d = resolve(div)
    bp, bq = _bin(p, edges), _bin(q, edges)
    bp, bq = bp / bp.sum(), bq / bq.sum()
    coarse = _div(d, bp, bq, normalize=True)
    fine = _div(d, p, q)
    if not coarse[0] <= fine[0] + _quad_slack(coarse, fine):
        _fail(f"binned D_f {coarse[0]!r} > D_f {fine[0]!r}", _call("check_data_processing", d, p, q, edges))


def check_dv_nwj(critic, p, q):
    """``NWJ(T) ≤ DV(T) ≤ KL(P‖Q)`` for every critic."""
    from .bounds import CriticDomainWarning, donsker_varadhan, nwj

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CriticDomainWarning)
        n = nwj(critic, p, q, return_error=True)
        v = donsker_varadhan(critic, p, q, return_error=True)
    k = _div("kl", p, q)
    call = _call("check_dv_nwj", critic, p, q)
    if not n[0] <= v[0] + _quad_slack(n, v):
        _fail(f"NWJ {n[0]!r} > DV {v[0]!r}", call)
    if not v[0] <= k[0] + _quad_slack(v, k):
        _fail(f"DV {v[0]!r} > KL {k[0]!r}", call)
    return n[0], v[0], k[0]


def check_gan_optimal_discriminator(p, q, other=None, *, logits=True):
    """GAN value at ``D* = p/(p+q)`` equals ``2·JS − log 4``; ``other`` (logits) gives less."""
    from .bounds import gan_value, optimal_discriminator

    star = gan_value(optimal_discriminator(p, q), p, q, return_error=True)
    j = _div("js", p, q)
    target = 2 * j[0] - math.log(4)
    call = _call("check_gan_optimal_discriminator", p, q, other)
    if not abs(star[0] - target) <= 1e-8 * abs(target) + star[1] + 2 * j[1] + 1e-12:
        _fail(f"V(D*) = {star[0]!r} ≠ 2·JS − log 4 = {target!r}", call)
    if other is not None:
        v = gan_value(other, p, q, logits=logits, return_error=True)
        if not v[0] <= star[0] + _quad_slack(v, star):
            _fail(f"V(D) = {v[0]!r} > V(D*) = {star[0]!r}", call)


def check_gibbs_identity(energy, q, *, tol=1e-8):
    """``log Z = E_q[D] + H(q) + KL(q‖p_D)`` (to ``tol`` plus the quadrature error) and
    ``E_q[D] + H(q) ≤ log Z`` (the lecture's variational principle)."""
    from .gibbs import gibbs_gap

    g = gibbs_gap(energy, q)
    call = _call("check_gibbs_identity", energy, q)
    if not g.lower_bound <= g.log_z + tol + g.error:
        _fail(f"E_q[D] + H(q) = {g.lower_bound!r} > log Z = {g.log_z!r}", call)
    if math.isfinite(g.kl) and not abs(g.residual) <= tol * max(1.0, abs(g.log_z)) + g.error:
        _fail(f"log Z − (E_q[D] + H(q) + KL) = {g.residual!r} ({g})", call)
    return g


def check_mc_unbiased(div, critic, p, q, *, n=4000, seed=0, raw=True, z=4.5):
    """``bound_mc`` from ``n`` samples of each (seeded) is within ``z`` standard errors of the
    exact :func:`fdiv.bound`.  By the CLT, ``P(|Z| > 4.5) ≈ 7e-6`` for an unbiased estimator;
    a biased one fails once ``|bias| > z·stderr``."""
    from .bounds import bound, bound_mc

    d = resolve(div)
    rng = np.random.default_rng(seed)
    xp = np.asarray(p.rvs(size=n, random_state=rng), dtype=np.float64)
    xq = np.asarray(q.rvs(size=n, random_state=rng), dtype=np.float64)
    est = bound_mc(d, critic, xp, xq, raw=raw)
    exact = bound(d, critic, p, q, raw=raw, return_error=True)
    if not abs(est.estimate - exact[0]) <= z * est.stderr + exact[1]:
        _fail(f"MC {est.estimate!r} ± {est.stderr!r} vs exact {exact[0]!r}: "
              f"{abs(est.estimate - exact[0]) / est.stderr:.2f} standard errors",
              _call("check_mc_unbiased", d, critic, p, q, n=n, seed=seed, raw=raw, z=z))
    return est, exact[0]
