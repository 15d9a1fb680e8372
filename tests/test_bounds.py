"""Unit tests of fdiv.bounds against closed forms (written here, never taken from fdiv).

References used:
* KL(N(μ₁,σ₁²)‖N(μ₂,σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/(2σ₂²) − ½;
* Gaussian moment generating function E[e^{aX}] = exp(aμ + a²σ²/2), which gives DV and NWJ of
  linear and quadratic critics in closed form;
* JS(N(0,1)‖N(1,2²)) = 0.128174973054398010424818… (FIELD_NOTES, 30-digit mpmath);
* discrete sums in exact rational / mpmath arithmetic.
"""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy import stats

import fdiv
from fdiv.bounds import (
    CriticDomainWarning, bound, bound_gap, bound_mc, donsker_varadhan, donsker_varadhan_mc,
    gan_value, nwj, nwj_mc, optimal_critic, optimal_discriminator,
)

GAUSS_PAIRS = [(0.0, 1.0, 1.0, 2.0), (0.0, 1.0, 0.0, 1.5), (-2.0, 0.5, 1.0, 1.0), (3.0, 2.0, -1.0, 0.7)]


def kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def log_ratio_gauss(m1, s1, m2, s2):
    """x ↦ log N(x; m1, s1²) − log N(x; m2, s2²), written out."""
    def r(x):
        x = np.asarray(x, dtype=np.float64)
        return math.log(s2 / s1) - (x - m1) ** 2 / (2 * s1**2) + (x - m2) ** 2 / (2 * s2**2)
    return r


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------------------------------------
# the f-divergence bound, KL member, Gaussians
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m1,s1,m2,s2", GAUSS_PAIRS)
def test_kl_bound_tight_at_optimal_critic_gaussians(m1, s1, m2, s2):
    P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
    value, err = bound("kl", optimal_critic("kl", P, Q), P, Q, return_error=True)
    assert rel(value, kl_gauss(m1, s1, m2, s2)) < 1e-9
    assert err < 1e-8


@pytest.mark.parametrize("m1,s1,m2,s2", GAUSS_PAIRS)
def test_nwj_and_dv_at_their_optimal_critics(m1, s1, m2, s2):
    P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
    r = log_ratio_gauss(m1, s1, m2, s2)
    kl = kl_gauss(m1, s1, m2, s2)
    assert rel(nwj(lambda x: 1.0 + r(x), P, Q), kl) < 1e-9
    for c in (-3.0, 0.0, 5.0, 650.0):  # DV is invariant under shifts, even huge ones (log space)
        assert rel(donsker_varadhan(lambda x, c=c: r(x) + c, P, Q), kl) < 1e-9


@pytest.mark.parametrize("a", [-2.0, -0.3, 0.5, 1.7])
@pytest.mark.parametrize("m1,s1,m2,s2", GAUSS_PAIRS[:3])
def test_linear_critic_closed_forms(a, m1, s1, m2, s2):
    # T(x) = a x:  E_P[T] = a m1;  log E_Q[e^T] = a m2 + a² s2²/2
    P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
    log_mgf = a * m2 + a * a * s2 * s2 / 2
    dv = a * m1 - log_mgf
    nw = a * m1 - math.exp(log_mgf - 1.0)
    assert abs(donsker_varadhan(lambda x: a * x, P, Q) - dv) < 1e-9 * max(1, abs(dv))
    assert abs(nwj(lambda x: a * x, P, Q) - nw) < 1e-9 * max(1, abs(nw))
    assert abs(bound("kl", lambda x: a * x, P, Q, raw=True) - nw) < 1e-9 * max(1, abs(nw))
    assert nw <= dv <= kl_gauss(m1, s1, m2, s2)


def test_quadratic_critic_closed_form():
    # T(x) = b x² with X ~ N(m, s²), 1 − 2bs² > 0:
    # E[e^{bX²}] = (1 − 2bs²)^{-1/2} exp(b m² / (1 − 2bs²))
    m1, s1, m2, s2, b = 0.5, 1.0, -0.2, 1.3, 0.15
    P, Q = stats.norm(m1, s1), stats.norm(m2, s2)
    k = 1 - 2 * b * s2**2
    log_mgf = -0.5 * math.log(k) + b * m2**2 / k
    expected = b * (s1**2 + m1**2) - log_mgf
    assert rel(donsker_varadhan(lambda x: b * x * x, P, Q), expected) < 1e-9
    # b with 1 − 2bs² < 0: E_Q[e^{bX²}] = ∞, the bounds are −∞
    assert donsker_varadhan(lambda x: x * x, P, Q) == -math.inf
    assert nwj(lambda x: x * x, P, Q) == -math.inf


def test_critic_far_outside_float_range_of_conjugate():
    # T(x) = x: e^{T−1} overflows for x > 710, but q(x) e^{x−1} is tiny there: finite bound
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    assert rel(nwj(lambda x: x, P, Q), -math.exp(1 + 2 - 1)) < 1e-9


def test_mixture_and_heavy_tails_bound_vs_engine():
    P = fdiv.Mixture([0.3, 0.7], [stats.norm(-2, 0.5), stats.norm(1, 1)])
    Q = stats.t(4, 0.0, 1.5)
    D = fdiv.divergence("kl", P, Q)
    assert rel(bound("kl", optimal_critic("kl", P, Q), P, Q), D) < 1e-8


def test_float32_critic_is_promoted():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    c32 = lambda x: np.tanh(np.asarray(x, np.float32)).astype(np.float32)  # noqa: E731
    c64 = lambda x: np.tanh(np.asarray(x, np.float32)).astype(np.float32).astype(np.float64)  # noqa: E731
    # a float32 critic is a staircase: the quadrature certifies ~1e-8, not 1e-10
    assert bound("kl", c32, P, Q, rtol=1e-7) == bound("kl", c64, P, Q, rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# domain of the critic, conventions, bad input
# ---------------------------------------------------------------------------------------------
def test_critic_outside_domain_is_minus_inf_with_where():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    crit = lambda x: np.where((x > 0.3) & (x < 0.31), np.inf, 0.0)  # noqa: E731 (narrow excursion)
    with pytest.warns(CriticDomainWarning) as rec:
        assert bound("kl", crit, P, Q) == -math.inf
    w = rec[0].message
    assert np.all((w.where > 0.3) & (w.where < 0.31)) and w.where.size > 0


def test_restricted_domain_members():
    p, q = np.array([0.5, 0.5]), np.array([0.25, 0.75])
    with pytest.warns(CriticDomainWarning):
        assert bound("gan", np.array([-1.0, 0.5]), p, q) == -math.inf
    # raw critics never leave the domain, even for huge logits
    v = bound("gan", np.array([800.0, -800.0]), p, q, raw=True)
    # gan: T = −softplus(−v), f*(T) = softplus(v)
    expected = 0.5 * -np.logaddexp(0, -800) + 0.5 * -np.logaddexp(0, 800) \
        - (0.25 * np.logaddexp(0, 800) + 0.75 * np.logaddexp(0, -800))
    assert v == pytest.approx(expected, rel=1e-12)


def test_discrete_exact_with_zeros():
    p = [Fraction(1, 2), Fraction(1, 2), Fraction(0)]
    q = [Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)]
    T = np.array([0.25, -1.5, 3.0])
    # E_P[T] − E_Q[e^{T−1}] with mpmath
    with mpmath.workdps(40):
        ref = sum(mpmath.mpf(pi.numerator) / pi.denominator * t for pi, t in zip(p, T)) - sum(
            mpmath.mpf(qi.numerator) / qi.denominator * mpmath.exp(t - 1) for qi, t in zip(q, T))
    pf, qf = np.array([float(x) for x in p]), np.array([float(x) for x in q])
    assert abs(bound("kl", T, pf, qf) - float(ref)) < 1e-15
    assert abs(bound("kl", lambda i: T[i.astype(int)], pf, qf) - float(ref)) < 1e-15
    # optimal critic: T* = 1 + log(p/q), −inf where p = 0; bound = KL = ½ log 2 exactly
    Ts = optimal_critic("kl", pf, qf)
    assert Ts[2] == -math.inf
    assert bound("kl", Ts, pf, qf) == pytest.approx(0.5 * math.log(2), rel=1e-15)
    # P not ≪ Q: KL = ∞ and the optimal critic is +∞ there
    assert bound("kl", optimal_critic("kl", qf, pf), qf, pf) == math.inf


def test_optimal_discriminator_is_stable_and_conventional():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    D = optimal_discriminator(P, Q)
    x = np.array([-60.0, -5.0, 0.0, 0.7, 3.0, 60.0])
    with mpmath.workdps(50):
        def ref(xi):
            lp = -mpmath.mpf(xi) ** 2 / 2 - mpmath.log(mpmath.sqrt(2 * mpmath.pi))
            lq = -(mpmath.mpf(xi) - 1) ** 2 / 8 - mpmath.log(2 * mpmath.sqrt(2 * mpmath.pi))
            return float(1 / (1 + mpmath.exp(lq - lp)))
        want = np.array([ref(v) for v in x])
    got = D(x)
    assert np.all(np.abs(got - want) <= 1e-15 + 1e-13 * want)
    assert got[0] < 1e-300 or got[0] == 0.0  # no NaN, no overflow
    # supports: q = 0 → 1, p = 0 → 0, both 0 → ½ (documented convention)
    U1, U2 = stats.uniform(0, 1), stats.uniform(0.5, 1)
    assert optimal_discriminator(U1, U2)(np.array([0.25, 1.25, 5.0])).tolist() == [1.0, 0.0, 0.5]
    d = optimal_discriminator(np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5]))
    assert d.tolist() == [1.0, 0.5, 0.0]


def test_gan_value_at_optimal_discriminator_matches_published_js():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    js = 0.128174973054398010424818
    v = gan_value(optimal_discriminator(P, Q), P, Q)
    assert rel(v, 2 * js - math.log(4)) < 1e-9
    # a worse discriminator: constant ½ gives exactly −log 4
    assert gan_value(lambda x: np.full_like(x, 0.5), P, Q) == pytest.approx(-math.log(4), rel=1e-12)
    assert gan_value(lambda x: np.zeros_like(x), P, Q, logits=True) == pytest.approx(-math.log(4), rel=1e-12)


@pytest.mark.parametrize("bad,exc,match", [
    (lambda x: np.full_like(x, np.nan), ValueError, "NaN"),
    (lambda x: np.zeros(3), TypeError, "shape"),
    (lambda x: np.array(["a"] * len(x)), TypeError, "real"),
])
def test_bad_critics(bad, exc, match):
    with pytest.raises(exc, match=match):
        bound("kl", bad, stats.norm(0, 1), stats.norm(1, 2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="lengths|length"):
        bound("kl", np.zeros(2), np.array([0.5, 0.5]), np.array([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match="one per atom"):
        bound("kl", np.zeros(3), np.array([0.5, 0.5]), np.array([0.2, 0.8]))
    with pytest.raises(TypeError, match="both"):
        bound("kl", np.zeros(2), np.array([0.5, 0.5]), stats.norm())
    with pytest.raises(ValueError, match="unknown divergence"):
        bound("kll", np.zeros(2), np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="negative"):
        bound("kl", np.zeros(2), np.array([1.5, -0.5]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="x_p"):
        bound_mc("kl", np.tanh, np.array([1.0]), np.zeros(10))


# ---------------------------------------------------------------------------------------------
# the gap and Monte Carlo
# ---------------------------------------------------------------------------------------------
def test_gap_equals_divergence_minus_bound():
    P, Q = stats.laplace(0, 1), stats.norm(0.5, 1.5)
    crit = lambda x: np.sin(x) - 0.2  # noqa: E731
    D = fdiv.divergence("kl", P, Q)
    g = bound_gap("kl", crit, P, Q)
    assert g > 0 and abs(g - (D - bound("kl", crit, P, Q))) < 1e-9


def test_bound_mc_matches_hand_formula_and_is_calibrated():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    crit = lambda x: np.tanh(x) + 0.3 * x  # noqa: E731
    exact = nwj(crit, P, Q)
    rng = np.random.default_rng(12345)
    z = []
    for _ in range(200):
        xp, xq = P.rvs(500, random_state=rng), Q.rvs(500, random_state=rng)
        est = nwj_mc(crit, xp, xq)
        a, b = crit(xp), np.exp(crit(xq) - 1)
        assert est.estimate == pytest.approx(a.mean() - b.mean(), rel=1e-12)
        assert est.stderr == pytest.approx(math.sqrt(a.var(ddof=1) / 500 + b.var(ddof=1) / 500), rel=1e-12)
        z.append((est.estimate - exact) / est.stderr)
    z = np.asarray(z)
    # unbiased and calibrated: the mean z-score is N(0, 1/200) and ~95 % are within 2 stderr
    assert abs(z.mean()) < 4 / math.sqrt(200)
    assert 0.90 <= np.mean(np.abs(z) < 2) <= 0.99


def test_dv_mc_converges_and_is_biased_upward_by_jensen():
    P, Q = stats.norm(0, 1), stats.norm(1, 2)
    crit = lambda x: np.tanh(x) + 0.3 * x  # noqa: E731
    exact = donsker_varadhan(crit, P, Q)
    est = donsker_varadhan_mc(crit, P.rvs(200_000, random_state=1), Q.rvs(200_000, random_state=2))
    assert abs(est.estimate - exact) < 4.5 * est.stderr
    assert nwj_mc(crit, [0.0, 1.0], [0.0, 1.0]).n_p == 2


def test_bound_mc_domain_violation():
    with pytest.warns(CriticDomainWarning):
        est = bound_mc("kl", lambda x: np.where(x > 0, np.inf, 0.0), np.array([-1.0, -2.0]),
                       np.array([1.0, -1.0]))
    assert est.estimate == -math.inf and math.isnan(est.stderr)
