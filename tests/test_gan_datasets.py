"""fdiv.datasets: samplers and log-densities checked against each other and independent forms."""
import math

import numpy as np
import pytest
from scipy import stats

from fdiv.datasets import dataset_names, gaussian_mixture, get_dataset, grid, ring

WITH_DENSITY = ["gauss1d", "mog1d", "8gaussians", "checkerboard", "rings", "circles", "moons",
                "swissroll"]


def _grid(d, lim=5.0, h=0.05):
    """Midpoint-rule nodes and weights p(x)·h^dim over [−lim, lim]^dim (spectral for smooth p)."""
    c = np.arange(-lim + h / 2, lim, h)
    if d.dim == 1:
        x = c[:, None]
    else:
        gx, gy = np.meshgrid(c, c, indexing="ij")
        x = np.stack([gx.ravel(), gy.ravel()], axis=1)
    return x, np.exp(d.logpdf(x)) * h ** d.dim


@pytest.mark.parametrize("name", dataset_names())
def test_same_seed_same_bits(name):
    d = get_dataset(name)
    a = d.sample(300, 5)
    b = d.sample(300, np.random.default_rng(5))
    assert a.shape == (300, d.dim) and a.dtype == np.float64
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != d.sample(300, 6).tobytes()


@pytest.mark.parametrize("name", WITH_DENSITY)
def test_density_integrates_to_one_and_matches_samples(name):
    d = get_dataset(name)
    nodes, w = _grid(d)
    assert abs(w.sum() - 1.0) < 2e-3
    # first and second moments of the samples agree with the density's, within 5 standard errors
    x = d.sample(40_000, 0)
    for k in range(d.dim):
        for fun in (lambda x, k=k: x[:, k], lambda x, k=k: x[:, k] ** 2):
            exact = float(np.sum(fun(nodes) * w))
            vals = fun(x)
            assert abs(vals.mean() - exact) < 5 * vals.std() / math.sqrt(len(x)) + 1e-3, (name, k)


def test_ring_has_eight_distinct_modes_at_radius_one():
    r = ring()
    assert r.means.shape == (8, 2)
    np.testing.assert_allclose(np.hypot(*r.means.T), 1.0, rtol=1e-15)
    ang = np.sort(np.mod(np.arctan2(r.means[:, 1], r.means[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(ang), np.pi / 4, rtol=1e-12)
    assert np.all(r.sigmas == 0.01)
    x = r.sample(2000, 1)
    nearest = np.argmin(((x[:, None] - r.means[None]) ** 2).sum(-1), axis=1)
    assert len(np.unique(nearest)) == 8


def test_grid_means_and_parameters():
    g = grid()
    pts = {tuple(m) for m in g.means}
    assert pts == {(a, b) for a in (-4.0, -2.0, 0.0, 2.0, 4.0) for b in (-4.0, -2.0, 0.0, 2.0, 4.0)}
    assert np.all(g.sigmas == 0.05)
    assert ring(n_modes=6, radius=2.0, sigma=0.1).means.shape == (6, 2)
    assert np.all(grid(sigma=0.2).sigmas == 0.2)


def test_ring_density_against_scipy():
    r = ring(sigma=0.3)
    x = np.array([[0.3, -0.2], [1.0, 0.0], [2.0, 2.0]])
    ref = np.log(sum(stats.multivariate_normal(m, 0.09).pdf(x) for m in r.means) / 8)
    np.testing.assert_allclose(r.logpdf(x), ref, rtol=1e-12)


def test_mog1d_against_scipy_and_1d_shapes():
    d = gaussian_mixture([0.3, 0.7], [-1.0, 2.0], [0.5, 1.5])
    x = np.linspace(-5, 5, 11)
    ref = np.log(0.3 * stats.norm(-1, 0.5).pdf(x) + 0.7 * stats.norm(2, 1.5).pdf(x))
    np.testing.assert_allclose(d.logpdf(x), ref, rtol=1e-13)
    assert d.logpdf(x).shape == (11,) and d.support() == (-math.inf, math.inf)
    assert d.rvs(7, random_state=1).shape == (7,)


def test_blurred_circle_density_against_angular_quadrature():
    """I0e closed form vs a brute-force average of the Gaussian over 20 000 angles."""
    d = get_dataset("rings")
    x = np.array([[0.1, 0.2], [2.9, 0.5], [-1.5, 0.1], [0.7, -0.1]])
    th = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    s = 0.08
    dens = 0.0
    for r in (3.0, 2.25, 1.5, 0.75):
        c = r * np.stack([np.cos(th), np.sin(th)], 1)
        sq = ((x[:, None] - c[None]) ** 2).sum(-1)
        dens = dens + 0.25 * np.exp(-0.5 * sq / s ** 2).mean(1) / (2 * np.pi * s ** 2)
    np.testing.assert_allclose(d.logpdf(x), np.log(dens), rtol=1e-9)


def test_curve_densities_against_dense_riemann_sums():
    """Moons and swiss roll: Gauss–Legendre panels vs a 200 000-point midpoint rule in t."""
    x = np.array([[0.0, 0.5], [1.0, -1.0], [-2.0, 0.0], [1.5, 1.2]])
    u = (np.arange(200_000) + 0.5) / 200_000
    t = np.pi * u
    outer = 2 * np.stack([np.cos(t), np.sin(t)], 1) + [-1, -0.2]
    inner = 2 * np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1) + [-1, -0.2]
    t = 1.5 * np.pi * (1 + 2 * u)
    roll = np.stack([t * np.cos(t), t * np.sin(t)], 1) / 5

    def blur(c, s=0.2):
        return np.exp(-0.5 * ((x[:, None] - c[None]) ** 2).sum(-1) / s ** 2).mean(1) / (
            2 * np.pi * s ** 2)

    np.testing.assert_allclose(get_dataset("moons").logpdf(x),
                               np.log(0.5 * blur(outer) + 0.5 * blur(inner)), rtol=1e-9)
    np.testing.assert_allclose(get_dataset("swissroll").logpdf(x), np.log(blur(roll)), rtol=1e-9)


def test_checkerboard_support():
    d = get_dataset("checkerboard")
    x = d.sample(5000, 0)
    assert np.all(np.isfinite(d.logpdf(x)))
    assert d.logpdf(np.array([[1.0, 3.0], [5.0, 0.0]])).tolist() == [-np.inf, -np.inf]


def test_pinwheel_has_no_density_and_says_so():
    with pytest.raises(NotImplementedError, match="pinwheel"):
        get_dataset("pinwheel").logpdf(np.zeros((1, 2)))


def test_bad_names_and_params():
    with pytest.raises(ValueError, match="unknown dataset"):
        get_dataset("spiral")
    with pytest.raises(ValueError, match="sigmas"):
        ring(sigma=-1.0)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        ring().logpdf(np.zeros(3))
    with pytest.raises(TypeError, match="seed"):
        ring().sample(3, seed="a")
