"""fdiv.gibbs: log Z = E_q[D] + H(q) + KL(q‖p_D), each term against an independent reference.

References: Gaussian integrals (a quadratic energy is a Gaussian log density up to log Z),
scipy.stats' own differential entropies, the Gaussian KL formula, ∫_0^1 e^{cx} dx = (e^c − 1)/c,
and exact sums for the discrete case.
"""
import math

import numpy as np
import pytest
from scipy import stats

from fdiv.gibbs import GibbsDistribution, gibbs_gap


def quadratic(m, s, c=0.0):
    """D(x) = c − (x − m)²/(2s²):  log Z = c + ½ log(2π s²), p_D = N(m, s²)."""
    return lambda x: c - (np.asarray(x) - m) ** 2 / (2 * s * s)


def kl_gauss(m1, s1, m2, s2):
    return math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


@pytest.mark.parametrize("m,s,c", [(0.0, 1.0, 0.0), (3.0, 0.2, 5.0), (-50.0, 4.0, 690.0), (1.0, 2.0, -700.0)])
@pytest.mark.parametrize("qm,qs", [(0.0, 1.0), (1.5, 0.5)])
def test_quadratic_energy_against_gaussian_formulas(m, s, c, qm, qs):
    q = stats.norm(qm, qs)
    g = gibbs_gap(quadratic(m, s, c), q)
    assert g.log_z == pytest.approx(c + 0.5 * math.log(2 * math.pi * s * s), rel=1e-12, abs=1e-12)
    assert g.entropy == pytest.approx(float(q.entropy()), rel=1e-12)
    # E_q[D] = c − ((qm − m)² + qs²)/(2 s²)
    assert g.expected_energy == pytest.approx(c - ((qm - m) ** 2 + qs**2) / (2 * s * s), rel=1e-11, abs=1e-11)
    assert g.kl == pytest.approx(kl_gauss(qm, qs, m, s), rel=1e-9, abs=1e-12)
    assert abs(g.residual) <= 1e-8 * max(1.0, abs(g.log_z)) + g.error
    assert g.lower_bound <= g.log_z + g.error  # equal at q = p: up to the quadrature's rounding


def test_equality_when_q_is_the_gibbs_distribution():
    g = gibbs_gap(quadratic(0.7, 1.3), stats.norm(0.7, 1.3))
    assert g.kl == pytest.approx(0.0, abs=1e-12)
    assert g.lower_bound == pytest.approx(g.log_z, rel=1e-12)


def test_interval_support():
    c = 3.0
    g = gibbs_gap(lambda x: c * np.asarray(x), stats.beta(2, 3), support=(0.0, 1.0))
    assert g.log_z == pytest.approx(math.log(math.expm1(c) / c), rel=1e-12)
    assert g.entropy == pytest.approx(float(stats.beta(2, 3).entropy()), rel=1e-10)
    assert g.expected_energy == pytest.approx(c * 2 / 5, rel=1e-12)
    assert abs(g.residual) < 1e-9


def test_discrete_exact():
    d = np.array([1.0, 2.0, 3.0, -1.0])
    q = np.array([0.2, 0.5, 0.3, 0.0])
    g = gibbs_gap(d, q)
    log_z = math.log(sum(math.exp(v) for v in d))
    p = np.exp(d - log_z)
    kl = sum(qi * math.log(qi / pi) for qi, pi in zip(q, p) if qi > 0)
    assert g.log_z == pytest.approx(log_z, rel=1e-15)
    assert g.kl == pytest.approx(kl, rel=1e-13)
    assert g.entropy == pytest.approx(-sum(qi * math.log(qi) for qi in q if qi > 0), rel=1e-15)
    assert abs(g.residual) < 1e-14


def test_divergent_expected_energy_is_minus_inf():
    # E_q[x⁴] = ∞ for a t distribution with 3 degrees of freedom: E_q[D] = −∞, KL(q‖p_D) = ∞
    with pytest.warns(UserWarning):
        g = gibbs_gap(lambda x: -np.asarray(x) ** 4, stats.t(3))
    assert g.expected_energy == -math.inf and g.kl == math.inf


def test_bad_inputs():
    with pytest.raises(ValueError, match="integrable"):
        gibbs_gap(lambda x: 0.1 * np.asarray(x) ** 2, stats.norm())
    with pytest.raises(ValueError, match="support"):
        gibbs_gap(lambda x: -np.asarray(x) ** 2, stats.norm(), support=(0.0, 1.0))
    with pytest.raises(ValueError, match="NaN"):
        gibbs_gap(lambda x: np.full_like(np.asarray(x, float), np.nan), stats.norm())
    with pytest.raises(ValueError, match="one per atom"):
        gibbs_gap(np.array([1.0, 2.0]), np.array([0.5, 0.25, 0.25]))


def test_gibbs_distribution_object_is_normalised():
    g = gibbs_gap(quadratic(1.0, 0.5), stats.norm())
    p = GibbsDistribution(quadratic(1.0, 0.5), g.log_z)
    x = np.array([-1.0, 1.0, 2.5])
    np.testing.assert_allclose(np.exp(p.logpdf(x)), stats.norm(1.0, 0.5).pdf(x), rtol=1e-12)
