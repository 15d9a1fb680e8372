"""The trapezoidal window of the batch kernel (:mod:`fdiv._trapezoid`, :mod:`fdiv._fused`).

* its step formula against the trapezoidal rule summed on a Gaussian in mpmath;
* its sums against ``math.fsum``;
* which members the window applies to, and that it is refused elsewhere;
* the batch kernel with the window against the same kernel with G10/K21 only, and both against
  mpmath; the halving and the handover to G10/K21, forced on js (where the public entry refuses
  the window); the pairs where the window, before it was restricted to entire φ of polynomial
  growth, certified wrong values.  (The mpmath references of every member on Gaussian pairs run
  through the default path in ``test_divergence_continuous``.)
"""
import math
import warnings

import mpmath
import numpy as np
import pytest
from scipy import stats

import fdiv
from fdiv import engine
from fdiv._families import FAMILIES, rows
from fdiv._fused import _run, adaptive_pairs, window_allowed
from fdiv._trapezoid import MARGIN, step, sums
from test_fused import _kl_normal_mp  # mpmath's closed form (tests/ is on sys.path)

NORM = FAMILIES["norm"]
#: the members (and parameters) the window applies to: an entire φ of polynomial growth
WINDOW = [(n, {}) for n in fdiv.names() if window_allowed(fdiv.get(n), NORM, NORM)] + [
    ("alpha", {"a": 0.3}), ("alpha", {"a": 0.8}), ("t_power", {"power": 0.5})]


@pytest.mark.parametrize("sigma", [1e-3, 1.0, 7.0])
@pytest.mark.parametrize("rtol", [1e-6, 1e-10, 1e-13])
def test_step_has_the_stated_error_on_a_gaussian(sigma, rtol):
    """``h = step(σ, rtol)``: the rule's relative error on ``e^{−x²/2σ²}`` (nodes at kh) is
    ``2 Σ_k e^{−2π²k²σ²/h²}`` (Poisson summation), i.e. rtol/MARGIN to leading order."""
    h = step(sigma, rtol)
    with mpmath.workdps(50):
        s, hh = mpmath.mpf(sigma), mpmath.mpf(h)
        k = int(40 * sigma / h) + 1
        total = hh * mpmath.fsum(mpmath.exp(-(j * hh) ** 2 / (2 * s * s)) for j in range(-k, k + 1))
        rel = float(total / (mpmath.sqrt(2 * mpmath.pi) * s) - 1)
    assert rel == pytest.approx(rtol / MARGIN, rel=1e-6)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 1001])
def test_sums_match_fsum(n):
    f = np.random.default_rng(n).normal(size=n) * np.exp(np.random.default_rng(n + 1).normal(size=n))
    s, a = sums(f, np.int64(n))
    assert abs(s - math.fsum(f)) <= 1e-15 * math.fsum(np.abs(f))
    assert a == pytest.approx(math.fsum(np.abs(f)), rel=1e-15)


def _tables(m1, s1, m2, s2):
    return rows(NORM, np.asarray(m1, float), np.asarray(s1, float), ()), \
        rows(NORM, np.asarray(m2, float), np.asarray(s2, float), ())


def _benchmark_like(n, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n), np.exp(0.5 * rng.normal(size=n)), rng.normal(size=n), \
        np.exp(0.5 * rng.normal(size=n))


def test_the_window_is_used_and_saves_evaluations():
    TP, TQ = _tables(*_benchmark_like(200, 3))
    kl = fdiv.get("kl")
    window = adaptive_pairs(kl, TP, TQ, NORM, NORM, 1e-10)
    k21 = adaptive_pairs(kl, TP, TQ, NORM, NORM, 1e-10, trapezoid=False)
    assert window[2].all() and k21[2].all()
    # about 110 against 245 per integral; counted, not timed
    assert window[3].mean() < 0.6 * k21[3].mean()


def test_the_window_applies_to_entire_members_of_polynomial_growth_only():
    assert sorted(n for n, _ in WINDOW[:-3]) == ["alpha", "jeffreys", "kl", "reverse_kl",
                                                 "squared_hellinger"]
    for name, params in [("js", {}), ("gan", {}), ("triangular", {}), ("pearson", {}),
                         ("neyman", {}), ("alpha", {"a": 2.5}), ("alpha", {"a": -0.5}),
                         ("weighted_js", {"pi": 0.2}), ("modified_gan", {}), ("tv", {})]:
        assert not window_allowed(fdiv.get(name, **params), NORM, NORM), name
    assert not window_allowed(fdiv.get("kl"), NORM, FAMILIES["logistic"])


@pytest.mark.parametrize("name,params", WINDOW)
def test_window_and_k21_agree_for_every_member_it_applies_to(name, params):
    """Both certified at 1e-10 on pairs spread wider than the benchmark's (scale ratios up to
    ~20, where the window is not tried)."""
    rng = np.random.default_rng(5)
    m1, m2 = rng.normal(0, 3, 60), rng.normal(0, 3, 60)
    s1, s2 = np.exp(rng.normal(0, 1, 60)), np.exp(rng.normal(0, 1, 60))
    d = fdiv.get(name, **params)
    TP, TQ = _tables(m1, s1, m2, s2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = adaptive_pairs(d, TP, TQ, NORM, NORM, 1e-10, engine.DIVERGENCE_ATOL)
        b = adaptive_pairs(d, TP, TQ, NORM, NORM, 1e-10, engine.DIVERGENCE_ATOL, trapezoid=False)
    assert a[2].all() and b[2].all()
    assert (a[3] < b[3]).mean() > 0.5  # the window was used
    # within the two certified errors, or rounding (log p − log q cancels for nearly equal pairs)
    assert np.all(np.abs(a[0] - b[0]) <= a[1] + b[1] + 1e-12 * np.abs(b[0]))


@pytest.mark.parametrize("pair", [(0.0, 0.25, 2.25, 0.5), (0.0, 1.0, 3.0, 0.5),
                                  (-4.5, 1.0, 2.25, 0.4)])
def test_forced_window_halves_then_hands_over_to_k21(pair):
    """The kernel's halving and handover, forced on js (φ singular at r = ±iπ: the public entry
    refuses the window, and on these pairs halving up to the budget does not certify it), so the
    window is integrated by G10/K21 after all: it then costs more than G10/K21 alone."""
    TP, TQ = _tables(*([v] for v in pair))
    js = fdiv.get("js")
    a = _run(js, TP, TQ, NORM, NORM, 1e-10, engine.DIVERGENCE_ATOL, 2000, True)
    b = adaptive_pairs(js, TP, TQ, NORM, NORM, 1e-10, engine.DIVERGENCE_ATOL)
    assert a[3][0] > b[3][0]
    want = _phi_normal_mp(_js, *pair)
    assert a[2][0] and abs(a[0][0] - want) <= 1e-10 * want and a[1][0] <= 1e-10 * want


def _phi_normal_mp(f, m1, s1, m2, s2):
    """``∫ q f(p/q)`` for two normals, by mpmath.quad at 30 digits (breakpoints every σ)."""
    with mpmath.workdps(30):
        m1, s1, m2, s2 = (mpmath.mpf(v) for v in (m1, s1, m2, s2))

        def g(x):
            lp = -((x - m1) / s1) ** 2 / 2 - mpmath.log(s1 * mpmath.sqrt(2 * mpmath.pi))
            lq = -((x - m2) / s2) ** 2 / 2 - mpmath.log(s2 * mpmath.sqrt(2 * mpmath.pi))
            return mpmath.exp(lq) * f(mpmath.exp(lp - lq))
        pts = sorted({m1 + k * s1 for k in range(-12, 13)} | {m2 + k * s2 for k in range(-12, 13)})
        return float(mpmath.quad(g, [-mpmath.inf] + pts + [mpmath.inf]))


def _triangular(u):
    return (u - 1) ** 2 / (u + 1)


def _js(u):
    return (u * mpmath.log(u) - (u + 1) * mpmath.log((u + 1) / 2)) / 2


def _wjs02(u):  # weighted_js, pi = 0.2: π u log u − (π u + 1 − π) log(π u + 1 − π)
    return (mpmath.mpf(1) / 5 * u * mpmath.log(u)
            - (u / 5 + mpmath.mpf(4) / 5) * mpmath.log(u / 5 + mpmath.mpf(4) / 5))


@pytest.mark.parametrize("name,params,f,pair,rtol", [
    ("triangular", {}, _triangular, (0.7917097061070254, 1.0695259130942294, 9.224777766604017,
                                     1.1026023801142393), 1e-8),
    ("triangular", {}, _triangular, (0.0, 1.2212143485852058, 15.245160913683709,
                                     1.7623612396329538), 1e-10),
    ("js", {}, _js, (0.0, 1.1803797830138476, 8.250717544973778, 1.4547329593810627), 1e-8),
    ("weighted_js", {"pi": 0.2}, _wjs02, (0.0, 1.5998748592467054, 13.205826209350422,
                                           1.7046716321986042), 1e-8),
    ("alpha", {"a": 2.5}, None, (0.0, 0.8459791423677648, 6.976348173779846,
                                 1.1522655859282256), 1e-12),
])
def test_pairs_the_unrestricted_window_certified_wrongly(name, params, f, pair, rtol):
    """Found in review: with the window on every smooth member, |T(h/2) − T(h)| certified these
    values while they were wrong by 4–300 times rtol.  Now they must be right (closed form for
    alpha, mpmath quadrature otherwise)."""
    d = fdiv.get(name, **params)
    P, Q = stats.norm(pair[0], pair[1]), stats.norm(pair[2], pair[3])
    got, err = fdiv.divergence(d, P, Q, rtol=rtol, return_error=True)
    want = fdiv.closed_form(d, P, Q) if f is None else _phi_normal_mp(f, *pair)
    assert abs(got - want) <= rtol * abs(want) and err <= rtol * abs(want)


@pytest.mark.parametrize("rtol", [1e-6, 1e-8, 1e-12])
def test_window_certifies_kl_at_other_tolerances(rtol):
    m1, s1, m2, s2 = _benchmark_like(100, 9)
    got, err = fdiv.divergence("kl", stats.norm(m1, s1), stats.norm(m2, s2), rtol=rtol,
                               return_error=True)
    want = np.array([_kl_normal_mp(*v) for v in zip(m1, s1, m2, s2)])
    assert np.all(np.abs(got - want) <= rtol * want)
    assert np.all(err <= rtol * want)


def test_window_is_refused_where_it_does_not_apply():
    TP, TQ = _tables([0.0], [1.0], [1.0], [2.0])
    with pytest.raises(ValueError, match="trapezoid"):
        adaptive_pairs(fdiv.get("tv"), TP, TQ, NORM, NORM, 1e-10, trapezoid=True)
    lap = FAMILIES["laplace"]
    with pytest.raises(ValueError, match="trapezoid"):
        adaptive_pairs(fdiv.get("kl"), TP, TQ, NORM, lap, 1e-10, trapezoid=True)


def test_rule_and_halved_against_the_fine_grid_directly():
    """``halved`` from the coarse rule and the midpoints is the fine rule; a linear function is
    integrated exactly."""
    from fdiv._trapezoid import halved, rule

    x = np.linspace(0.0, 3.0, 13)  # h = 0.25
    f = np.exp(-x) * np.cos(3 * x)
    coarse, coarse_abs = rule(f[::2], np.int64(7), 0.5)
    fine, fine_abs = rule(f, np.int64(13), 0.25)
    half, est, half_abs = halved(coarse, coarse_abs, 0.5, f[1::2].copy(), np.int64(6))
    assert half == pytest.approx(fine, rel=1e-15) and half_abs == pytest.approx(fine_abs, rel=1e-15)
    assert est == pytest.approx(abs(fine - coarse), rel=1e-12)
    lin, _ = rule(2 * x + 1, np.int64(13), 0.25)
    assert lin == pytest.approx(12.0, rel=1e-15)
