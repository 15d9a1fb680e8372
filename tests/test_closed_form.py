"""Tests of ``fdiv.closed_form`` against mpmath quadrature (30 digits) and against identities.

The quadrature oracles here are written directly in mpmath (densities and generators from the
textbook formulas), so they share no code with ``fdiv.closed_form``.  Members that are not
registered yet are stood in for by a minimal ``FDivergence`` carrying issue 2's generator (only
``f``, ``f(0)`` and ``f′(∞)`` are used by ``closed_form``).
"""
import math

import mpmath as mp
import numpy as np
import pytest
import sympy
from scipy import stats

import fdiv
from fdiv import closed_form

SPEC = {
    "kl": "u*log(u)",
    "reverse_kl": "-log(u)",
    "pearson": "(u - 1)**2",
    "neyman": "(1 - u)**2/u",
    "squared_hellinger": "(sqrt(u) - 1)**2",
    "jeffreys": "(u - 1)*log(u)",
    "tv": "Abs(u - 1)",
    "alpha": "(u**a - 1 - a*(u - 1))/(a*(a - 1))",
}
U = sympy.Symbol("u", positive=True)


def _sym(name, a=None):
    expr = sympy.sympify(SPEC[name], locals={"u": U})
    if a is not None:
        expr = expr.subs(sympy.Symbol("a"), sympy.nsimplify(a, rational=True))
    return expr


def member(name, a=None):
    """The registry member when registered, else a stand-in with issue 2's generator."""
    if name in fdiv.names():
        return fdiv.get(name, a=a) if a is not None else fdiv.get(name)
    expr = _sym(name, a)
    f_np = sympy.lambdify(U, expr, "numpy")
    lim0 = sympy.limit(expr, U, 0, "+")
    liminf = sympy.limit(expr / U, U, sympy.oo)

    def f_log(logu):
        with np.errstate(all="ignore"):
            return np.asarray(f_np(np.exp(np.asarray(logu, float))), float)

    dummy = lambda t: t  # noqa: E731  (closed_form never calls these)
    return fdiv.FDivergence(
        name=name, formula=str(expr), f_log=f_log, f_prime_log=dummy, conjugate=dummy,
        conjugate_domain=(-math.inf, math.inf), activation=dummy, conjugate_activation=dummy,
        f_at_one=0.0, f_prime_at_one=0.0, f_at_zero=float(lim0), f_prime_at_inf=float(liminf),
        params={"a": a} if a is not None else {},
    )


# -- mpmath oracles ---------------------------------------------------------------------------
def _f_mp(name, a=None):
    return sympy.lambdify(U, _sym(name, a), "mpmath")


def quad_gauss(name, m1, s1, m2, s2, a=None, dps=30):
    """∫ q f(p/q) for Gaussians by tanh–sinh, split at the means, ±k·σ and the crossings."""
    with mp.workdps(dps):
        m1, s1, m2, s2 = (mp.mpf(str(v)) for v in (m1, s1, m2, s2))
        f = _f_mp(name, a)

        def logpdf(x, m, s):
            return -((x - m) / s) ** 2 / 2 - mp.log(s) - mp.log(2 * mp.pi) / 2

        def integrand(x):
            lp, lq = logpdf(x, m1, s1), logpdf(x, m2, s2)
            return mp.exp(lq) * f(mp.exp(lp - lq))

        pts = {m1, m2}
        for k in (1, 3, 8, 20):
            pts |= {m1 - k * s1, m1 + k * s1, m2 - k * s2, m2 + k * s2}
        # crossings: roots of A x² + B x + C (log p = log q)
        A = 1 / (2 * s2 ** 2) - 1 / (2 * s1 ** 2)
        B = m1 / s1 ** 2 - m2 / s2 ** 2
        C = m2 ** 2 / (2 * s2 ** 2) - m1 ** 2 / (2 * s1 ** 2) + mp.log(s2 / s1)
        if A == 0:
            if B != 0:
                pts.add(-C / B)
        else:
            disc = B * B - 4 * A * C
            if disc >= 0:
                pts |= {(-B + mp.sqrt(disc)) / (2 * A), (-B - mp.sqrt(disc)) / (2 * A)}
        return mp.quad(integrand, [-mp.inf] + sorted(pts) + [mp.inf])


def quad_expon(name, l1, s1, l2, s2, a=None, dps=30):
    """∫_{common support} q f(p/q) + f(0)·Q(p=0) + f′(∞)·P(q=0) for shifted exponentials."""
    with mp.workdps(dps):
        l1, s1, l2, s2 = (mp.mpf(str(v)) for v in (l1, s1, l2, s2))
        expr = _sym(name, a)
        f = sympy.lambdify(U, expr, "mpmath")
        f0 = sympy.limit(expr, U, 0, "+")
        fpinf = sympy.limit(expr / U, U, sympy.oo)
        L = max(l1, l2)

        def integrand(x):
            lp, lq = -(x - l1) / s1 - mp.log(s1), -(x - l2) / s2 - mp.log(s2)
            return mp.exp(lq) * f(mp.exp(lp - lq))

        pts = {L, L + s1, L + s2, L + 5 * s1, L + 5 * s2, L + 30 * max(s1, s2)}
        if s1 != s2:  # where log p = log q (a kink of |p − q|)
            x = (mp.log(s1 / s2) + l2 / s2 - l1 / s1) / (1 / s2 - 1 / s1)
            if x > L:
                pts.add(x)
        pts = sorted(pts)
        total = mp.quad(integrand, pts + [mp.inf])
        q_only = 1 - mp.exp(-(L - l2) / s2)
        p_only = 1 - mp.exp(-(L - l1) / s1)
        for mass, lim in ((q_only, f0), (p_only, fpinf)):
            if mass > 0:
                if lim == sympy.oo:
                    return mp.inf
                total += mass * mp.mpf(str(sympy.N(lim, 40)))
        return total


GAUSS = [(0, 1, 1, 2), (0.3, 0.7, -0.2, 0.9), (2.0, 1.5, 0.0, 1.2), (0.0, 1.0, 1e-3, 1.001),
         (5.0, 0.5, 4.0, 0.6)]
NAMES = ["kl", "reverse_kl", "jeffreys", "pearson", "neyman", "squared_hellinger", "tv"]


def _close(got, want, rtol):
    want = float(want)
    if math.isinf(want):
        return got == want
    return abs(got - want) <= rtol * abs(want)


def _gauss_finite(name, s1, s2, a=None):
    if name == "pearson":
        return 2 * s2 ** 2 > s1 ** 2
    if name == "neyman":
        return 2 * s1 ** 2 > s2 ** 2
    if name == "alpha":
        return a * s2 ** 2 + (1 - a) * s1 ** 2 > 0
    return True


@pytest.mark.parametrize("params", GAUSS)
@pytest.mark.parametrize("name", NAMES)
def test_gaussian_against_mpmath(name, params):
    m1, s1, m2, s2 = params
    got = closed_form(member(name), stats.norm(m1, s1), stats.norm(m2, s2))
    if not _gauss_finite(name, s1, s2):
        assert got == math.inf
        return
    want = quad_gauss(name, *params)
    assert _close(got, want, 1e-12 if name != "tv" else 1e-10), (got, want)


@pytest.mark.parametrize("a", [-1.5, -0.5, 0.25, 0.5, 0.9, 1.5, 2.0, 3.0])
@pytest.mark.parametrize("params", GAUSS[:4])
def test_gaussian_alpha_against_mpmath(a, params):
    m1, s1, m2, s2 = params
    got = closed_form(member("alpha", a), stats.norm(m1, s1), stats.norm(m2, s2))
    if not _gauss_finite("alpha", s1, s2, a):
        assert got == math.inf
        return
    want = quad_gauss("alpha", *params, a=a)
    assert _close(got, want, 1e-12), (got, want)


def test_gaussian_infinite_cases():
    # χ²(N(0,2²)‖N(0,1)): p²/q ∝ exp(+x²/4)
    assert closed_form(member("pearson"), stats.norm(0, 2), stats.norm(0, 1)) == math.inf
    assert closed_form(member("neyman"), stats.norm(0, 1), stats.norm(0, 2)) == math.inf
    assert closed_form(member("alpha", 3.0), stats.norm(0, 1.3), stats.norm(0, 1)) == math.inf
    # the boundary 2σ₂² = σ₁² itself diverges (∫ exp(linear) dx)
    assert closed_form(member("pearson"), stats.norm(0, math.sqrt(2)), stats.norm(0, 1)) == math.inf


EXPON = [(0, 1, 0, 2), (0, 2, 0, 0.7), (0.5, 1, 0, 1), (0, 1, 0.5, 1.5), (1.0, 0.8, 0.2, 1.3),
         (0, 1, 0, 1)]
EXPON_NAMES = NAMES


@pytest.mark.parametrize("params", EXPON)
@pytest.mark.parametrize("name", EXPON_NAMES)
def test_exponential_against_mpmath(name, params):
    got = closed_form(member(name), stats.expon(*params[:2]), stats.expon(params[2], params[3]))
    rho = params[1] / params[3]  # ∫p^a q^{1−a} over the common support is finite iff a + (1−a)ρ > 0
    power = {"pearson": 2.0, "neyman": -1.0}.get(name)
    if power is not None and power + (1 - power) * rho <= 0:
        assert got == math.inf
        return
    want = quad_expon(name, *params)
    if mp.isinf(want):
        assert got == math.inf
    else:
        atol = 1e-15 if want == 0 else 0.0
        assert abs(got - float(want)) <= 1e-12 * abs(float(want)) + atol, (got, want)


@pytest.mark.parametrize("a", [-0.5, 0.3, 0.5, 1.7, 2.5])
@pytest.mark.parametrize("params", EXPON[:5])
def test_exponential_alpha_against_mpmath(a, params):
    l1, s1, l2, s2 = params
    got = closed_form(member("alpha", a), stats.expon(l1, s1), stats.expon(l2, s2))
    rho = s1 / s2
    want = quad_expon("alpha", *params, a=a) if a + (1 - a) * rho > 0 else mp.inf
    if mp.isinf(want):
        assert got == math.inf
    else:
        assert _close(got, want, 1e-11), (got, want)


def test_exponential_infinite_cases():
    # P puts mass where q = 0: f′(∞) = ∞ for kl and pearson
    assert closed_form(member("kl"), stats.expon(0, 1), stats.expon(0.5, 1)) == math.inf
    assert closed_form(member("pearson"), stats.expon(0, 1), stats.expon(0.5, 1)) == math.inf
    # Q puts mass where p = 0: f(0) = ∞ for reverse_kl and neyman
    assert closed_form(member("reverse_kl"), stats.expon(0.5, 1), stats.expon(0, 1)) == math.inf
    assert closed_form(member("neyman"), stats.expon(0.5, 1), stats.expon(0, 1)) == math.inf
    # ∫p²/q diverges when 2λ₁ ≤ λ₂ (ρ = s₁/s₂ ≥ 2)
    assert closed_form(member("pearson"), stats.expon(0, 2), stats.expon(0, 1)) == math.inf
    # KL(Exp(1, 1)‖Exp(0, 1)) = 1 exactly: log p/q = 1 on [1, ∞)
    assert closed_form(member("kl"), stats.expon(1, 1), stats.expon(0, 1)) == pytest.approx(1.0, rel=1e-15)


# -- identities between the closed forms --------------------------------------------------------
PAIRS = [(stats.norm(0.2, 1.1), stats.norm(-0.4, 0.8)), (stats.expon(0, 1.3), stats.expon(0, 0.9)),
         (stats.norm(1.0, 1.0), stats.norm(1.0, 1.5))]


@pytest.mark.parametrize("p, q", PAIRS)
def test_identities(p, q):
    cf = lambda name, a=None: closed_form(member(name, a), p, q)  # noqa: E731
    assert cf("jeffreys") == pytest.approx(cf("kl") + cf("reverse_kl"), rel=1e-14)
    assert cf("kl") == pytest.approx(closed_form(member("reverse_kl"), q, p), rel=1e-14)
    # the α family: continuity at a → 1 (KL) and a → 0 (reverse KL), and its special cases
    for eps in (1e-4, 1e-6):
        assert cf("alpha", 1 - eps) == pytest.approx(cf("kl"), rel=3 * eps)
        assert cf("alpha", 1 + eps) == pytest.approx(cf("kl"), rel=3 * eps)
        assert cf("alpha", eps) == pytest.approx(cf("reverse_kl"), rel=3 * eps)
    assert cf("alpha", 0.5) == pytest.approx(2 * cf("squared_hellinger"), rel=1e-13)
    assert cf("alpha", 2.0) == pytest.approx(cf("pearson") / 2, rel=1e-13)
    assert cf("alpha", -1.0) == pytest.approx(cf("neyman") / 2, rel=1e-13)
    assert cf("alpha", 0.3) == pytest.approx(closed_form(member("alpha", 0.7), q, p), rel=1e-13)


def test_tv_unequal_variance_tends_to_equal_variance_formula():
    p = stats.norm(0.0, 1.0)
    equal = closed_form(member("tv"), p, stats.norm(0.8, 1.0))
    near = closed_form(member("tv"), p, stats.norm(0.8, 1.0 + 1e-7))
    assert near == pytest.approx(equal, rel=1e-6)
    # equal variances: 2(2Φ(|δ|/(2σ)) − 1)
    assert equal == pytest.approx(2 * (2 * stats.norm.cdf(0.4) - 1), rel=1e-14)


def test_nearly_equal_gaussians_keep_relative_accuracy():
    # KL ≈ δ²/2 for a tiny shift: no cancellation against log(σ₂/σ₁)
    d = 1e-6
    got = closed_form("kl", stats.norm(0, 1), stats.norm(d, 1))
    assert got == pytest.approx(d * d / 2, rel=1e-12)
    got = closed_form(member("squared_hellinger"), stats.norm(0, 1), stats.norm(d, 1))
    assert got == pytest.approx(d * d / 4, rel=1e-9)  # 2(1 − e^{−δ²/8})
    s = 1 + 1e-7  # KL(N(0,1)‖N(0,s²)) = ½(c − log1p(c)) with c = 1/s² − 1
    c = mp.mpf(1) / mp.mpf(s) ** 2 - 1
    want = float((c - mp.log1p(c)) / 2)
    assert closed_form("kl", stats.norm(0, 1), stats.norm(0, s)) == pytest.approx(want, rel=1e-8)


# -- parameters, broadcasting ------------------------------------------------------------------
def test_positional_and_keyword_parameters_agree():
    a = closed_form("kl", stats.norm(0.5, 2.0), stats.norm(loc=1.0, scale=3.0))
    b = closed_form("kl", stats.norm(loc=0.5, scale=2.0), stats.norm(1.0, scale=3.0))
    c = closed_form("kl", stats.norm(0.5, scale=2.0), stats.norm(scale=3.0, loc=1.0))
    assert a == b == c
    assert closed_form("kl", stats.expon(scale=2.0), stats.expon(0, 1)) == \
        closed_form("kl", stats.expon(0, 2.0), stats.expon())


def test_array_parameters_broadcast():
    mus = np.array([0.0, 0.5, 1.0])
    sig = np.array([[0.5], [1.0], [2.0], [3.0]])
    got = closed_form("kl", stats.norm(mus, 1.0), stats.norm(0.0, sig))
    assert got.shape == (4, 3)
    for i in range(4):
        for j in range(3):
            one = closed_form("kl", stats.norm(mus[j], 1.0), stats.norm(0.0, sig[i, 0]))
            assert got[i, j] == one
    tv = closed_form(member("tv"), stats.norm(0.0, [1.0, 1.0, 2.0]), stats.norm(1.0, [1.0, 1.5, 1.0]))
    assert tv.shape == (3,)
    for j, (s1, s2) in enumerate([(1.0, 1.0), (1.0, 1.5), (2.0, 1.0)]):
        assert tv[j] == pytest.approx(closed_form(member("tv"), stats.norm(0, s1), stats.norm(1, s2)), rel=1e-15)
    ex = closed_form("kl", stats.expon([0.0, 1.0], 1.0), stats.expon(0.0, [1.0, 2.0]))
    assert ex.shape == (2,)


# -- Bernoulli: every registry member against an mpmath sum with the member's formula ----------
def _reference_generator(div):
    """f, f(0+), f′(∞) from the member's formula, by the reference generator's sympy/mpmath code."""
    import importlib.util
    import os
    import sys

    path = os.path.join(os.path.dirname(__file__), "references", "generate_continuous.py")
    mod = sys.modules.get("generate_continuous")
    if mod is None:
        spec = importlib.util.spec_from_file_location("generate_continuous", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
    return mod.Gen(div.name, dict(div.params), div.formula, "registry")


def _bernoulli_mp(div, tp, lp, tq, lq):
    gen = _reference_generator(div)
    with mp.workdps(30):
        P = {lp: 1 - mp.mpf(str(tp)), lp + 1: mp.mpf(str(tp))}
        Q = {lq: 1 - mp.mpf(str(tq)), lq + 1: mp.mpf(str(tq))}
        total = mp.mpf(0)
        for x in set(P) | set(Q):
            px, qx = P.get(x, 0), Q.get(x, 0)
            if px > 0 and qx > 0:
                total += qx * gen.f(px / qx)
            elif qx > 0:
                total += qx * gen.f0
            elif px > 0:
                total += px * gen.fpinf
        return float(total)


BERN = [(0.3, 0, 0.6, 0), (0.0, 0, 0.5, 0), (0.5, 0, 1.0, 0), (1.0, 0, 1.0, 0), (0.2, 0, 0.7, 1),
        (0.25, 1, 0.25, 1), (0.9, 0, 0.1, 0)]


@pytest.mark.parametrize("case", BERN)
@pytest.mark.parametrize("name", sorted(set(fdiv.names()) | set(SPEC)))
def test_bernoulli_every_member(name, case):
    div = member(name, 0.5) if name == "alpha" and "alpha" not in fdiv.names() else member(name)
    tp, lp, tq, lq = case
    got = closed_form(div, stats.bernoulli(tp, loc=lp), stats.bernoulli(tq, lq))
    want = _bernoulli_mp(div, tp, lp, tq, lq)
    if math.isinf(want):
        assert got == want
    else:
        assert got == pytest.approx(want, rel=1e-13, abs=1e-15)


def test_bernoulli_broadcasts():
    got = closed_form("kl", stats.bernoulli([0.1, 0.5, 0.0]), stats.bernoulli(p=0.5))
    assert got.shape == (3,)
    assert got[1] == 0.0
    assert got[2] == pytest.approx(math.log(2), rel=1e-15)  # 0·f′(∞) + ½·... = log 2


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("div, p, q", [
    ("kl", stats.norm(0, 1), stats.t(3)),
    ("kl", stats.norm(0, 1), stats.expon()),
    ("kl", stats.laplace(0, 1), stats.laplace(1, 1)),
])
def test_unsupported_combinations_raise(div, p, q):
    with pytest.raises(NotImplementedError, match="kl"):
        closed_form(div, p, q)


def test_member_without_a_gaussian_closed_form_raises():
    names = [n for n in fdiv.names() if n in ("js", "gan", "triangular")]
    for n in names:
        with pytest.raises(NotImplementedError, match=n):
            closed_form(n, stats.norm(0, 1), stats.norm(1, 1))


def test_member_named_kl_with_another_generator_is_refused():
    impostor = member("pearson")
    impostor = fdiv.FDivergence(**{**{k: getattr(impostor, k) for k in (
        "formula", "f_log", "f_prime_log", "conjugate", "conjugate_domain", "activation",
        "conjugate_activation", "f_at_one", "f_prime_at_one", "f_at_zero", "f_prime_at_inf")},
        "name": "kl"})
    with pytest.raises(NotImplementedError, match="generator"):
        closed_form(impostor, stats.norm(0, 1), stats.norm(1, 1))


def test_bad_inputs():
    with pytest.raises(TypeError, match="frozen scipy.stats"):
        closed_form("kl", np.array([0.5, 0.5]), stats.norm())
    with pytest.raises(ValueError, match="unknown divergence"):
        closed_form("kll", stats.norm(), stats.norm())
    with pytest.raises(ValueError, match="bernoulli"):
        closed_form("kl", stats.bernoulli(1.5), stats.bernoulli(0.5))
