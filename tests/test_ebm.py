"""fdiv.ebm building blocks: the grid, the energies, the flow, the losses' gradients, and the
Gibbs identity log Z = E_q[D] + H(q) + KL(q‖p_φ).

Oracles: closed-form Gaussian integrals, scipy.special, fdiv.integrate (1-D, certified
adaptive quadrature) and scipy.integrate.cubature (2-D, adaptive Gauss–Kronrod), centred finite
differences in float64.
"""
import math

import numpy as np
import pytest
from scipy import integrate, stats

import fdiv
from fdiv.ebm import EnergyNet, Grid, GridWarning, QuadraticEnergy, clenshaw_curtis, log_partition
from fdiv.ebm.flows import AffineCoupling, Flow, MonotoneTanh, make_flow
from fdiv.ebm.losses import contrastive, nll_grid, sampler_loss
from fdiv.ebm.metrics import flow_terms, gauss_hermite, kl_on_grid
from fdiv.nn import gradcheck


# -- grid ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 4, 8, 16])
def test_clenshaw_curtis_exact_on_polynomials(n):
    x, w = clenshaw_curtis(n)
    for k in range(n + 2):                       # exact up to degree n (n + 1 for n even)
        exact = 0.0 if k % 2 else 2.0 / (k + 1)
        assert abs(w @ x ** k - exact) < 1e-14


def test_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="hi > lo"):
        Grid(1.0, -1.0)
    with pytest.raises(ValueError, match="even"):
        Grid(-1, 1, order=7)
    g = Grid(-1, 1)
    with pytest.raises(ValueError, match="shape"):
        g.integrate_log(np.zeros(3))


def test_grid_log_partition_gaussian_2d():
    e = QuadraticEnergy(2, b=[0.7, -0.4], L=[[1.2, 0.0], [0.5, 0.8]])
    g = Grid([-9, -9], [9, 9], panels=12, order=12)
    lp = log_partition(e, g)
    missing = e.log_partition_exact() - lp.value     # the mass outside the box, ~1.2e-10
    assert -1e-12 <= missing <= lp.trunc_bound + 1e-12
    assert lp.trunc_bound < 1e-9 and lp.quad_error < 1e-6
    assert abs(lp.probs.sum() - 1.0) < 1e-12
    # a box that cuts off mass: the bound must cover the true truncation and warn
    g_small = Grid([-1.0, -1.0], [1.0, 1.0], panels=8, order=8)
    with pytest.warns(GridWarning):
        lp2 = log_partition(e, g_small, tol=1e-6)
    truth = e.log_partition_exact() - lp2.value
    assert 0 < truth <= lp2.trunc_bound


def test_quartic_tail_bound_covers_truth_1d():
    e = EnergyNet(1, hidden=(8,), confinement=1.0, seed=3)
    lo, hi = -1.5, 2.0
    # ∫ outside [lo, hi] of exp D, by certified quadrature (independent of the bound)
    f = lambda x: np.exp(e.energy(x[:, None])) * ((x < lo) | (x > hi))
    out = fdiv.integrate(f, stats.norm(0, 1), points=(lo, hi), rtol=1e-10)
    bound = e.log_tail_bound(lo, hi)
    assert math.log(out) <= bound <= math.log(out) + e.sup_mlp() - e.energy([[hi]])[0] + 5
    # the closed form of the quartic integral itself
    s = 1.3
    from fdiv.ebm.energy import _log_quartic_tail
    for a in (-2.0, 0.0, 0.7, 2.5):
        ref = integrate.quad(lambda t: math.exp(-t ** 4 / (4 * s ** 4)), a, np.inf,
                             epsabs=0, epsrel=1e-13)[0]
        assert abs(math.exp(_log_quartic_tail(a, s)) / ref - 1) < 1e-10


@pytest.mark.parametrize("seed", [0, 1])
def test_interval_tail_bound_covers_truth_and_is_tight_2d(seed):
    e = EnergyNet(2, hidden=(16, 16), confinement=1.5, seed=seed)
    e.params[-2][...] *= 4.0                         # a landscape spanning tens of nats
    L = 4.0
    # ∫ outside [−L, L]² of exp D, as four slabs out to ±12 (beyond: < e^{−900}) on fine grids
    slabs = [([L, -12], [12, 12]), ([-12, -12], [-L, 12]), ([-L, L], [L, 12]),
             ([-L, -12], [L, -L])]
    logs = []
    for lo, hi in slabs:
        g = Grid(lo, hi, panels=[24, 48], order=8)
        v, err = g.integrate_log(e.energy(g.nodes))
        assert err < 1e-2                             # log scale; the test allows 3 nats
        logs.append(v)
    truth = float(np.logaddexp.reduce(logs))
    bound = e.log_tail_bound([-L, -L], [L, L])
    assert truth <= bound <= truth + 3.0              # interval propagation on small cells
    assert bound < e.sup_mlp() - 10                   # far tighter than the global bound


def test_unbounded_activation_has_no_tail_bound():
    e = EnergyNet(2, hidden=(8,), activation="relu", seed=0)
    assert e.log_tail_bound([-5, -5], [5, 5]) == math.inf
    with pytest.warns(GridWarning):
        log_partition(e, Grid([-5, -5], [5, 5], panels=2, order=4), tol=1e-3)


def test_energy_rejects_bad_input():
    with pytest.raises(ValueError, match="confinement"):
        EnergyNet(2, confinement=0.0)
    e = EnergyNet(2, hidden=(4,))
    with pytest.raises(ValueError, match="shape"):
        e.energy(np.zeros((3, 3)))


# -- gradients ---------------------------------------------------------------------------
def _check_shift_invariant_loss(fun, params):
    """Both EBM losses ignore D → D + c, so the output bias has gradient exactly 0 (checked
    absolutely, a relative error of 0 vs 1e-12 noise means nothing); the other tensors get the
    relative ≤ 1e-7 check."""
    assert gradcheck(lambda: (fun()[0], fun()[1][:-1]), params[:-1]) <= 1e-7
    assert abs(fun()[1][-1][0]) < 1e-14


def _randomise(params, rng, scale=0.3):
    for p in params:
        p += scale * rng.standard_normal(p.shape)


@pytest.mark.parametrize("dim", [1, 2])
def test_gradcheck_nll_grid(dim):
    rng = np.random.default_rng(10 + dim)
    e = EnergyNet(dim, hidden=(6, 5), confinement=2.0, seed=dim)
    g = Grid([-4.0] * dim, [4.0] * dim, panels=3, order=4)
    x = rng.standard_normal((9, dim))
    _check_shift_invariant_loss(lambda: nll_grid(e, x, g)[:2], e.params)


def test_gradcheck_quadratic_nll_and_contrastive():
    rng = np.random.default_rng(0)
    e = QuadraticEnergy(2, b=[0.3, -0.2], L=[[1.1, 0.0], [0.4, 0.9]])
    g = Grid([-6, -6], [6, 6], panels=4, order=8)
    x, y = rng.standard_normal((11, 2)), rng.standard_normal((13, 2))
    assert gradcheck(lambda: nll_grid(e, x, g)[:2], e.params) <= 1e-7
    assert gradcheck(lambda: contrastive(e, x, y), e.params) <= 1e-7


def test_gradcheck_contrastive_and_grad_x():
    rng = np.random.default_rng(1)
    e = EnergyNet(2, hidden=(7, 6), confinement=1.5, seed=4)
    x, y = rng.standard_normal((8, 2)), 2 * rng.standard_normal((10, 2))
    _check_shift_invariant_loss(lambda: contrastive(e, x, y), e.params)
    # ∇_x D, used by Langevin and by the sampler loss
    D, gx = e.grad_x(y)
    h = 1e-5
    num = np.stack([(e.energy(y + h * np.eye(2)[j]) - e.energy(y - h * np.eye(2)[j])) / (2 * h)
                    for j in range(2)], 1)
    assert np.max(np.abs(num - gx)) / np.max(np.abs(gx)) <= 1e-7


@pytest.mark.parametrize("dim,kind", [(1, "monotone"), (2, "coupling"), (2, "gaussian")])
def test_gradcheck_sampler_loss(dim, kind):
    rng = np.random.default_rng(2)
    e = EnergyNet(dim, hidden=(6,), confinement=2.0, seed=5)
    f = make_flow(dim, kind, n_layers=1, hidden=(5,), units=3, seed=6)
    _randomise(f.params, rng)
    z = rng.standard_normal((12, dim))
    assert gradcheck(lambda: sampler_loss(e, f, z)[:2], f.params) <= 1e-7


@pytest.mark.parametrize("layer", ["affine", "monotone", "coupling"])
def test_flow_layers_invert_and_logdet(layer):
    rng = np.random.default_rng(3)
    dim = 2
    if layer == "affine":
        f = make_flow(dim, "gaussian")
    elif layer == "monotone":
        f = Flow([MonotoneTanh(dim, units=4, seed=1)])
    else:
        f = Flow([AffineCoupling(dim, [True, False], hidden=(5,), seed=2)])
    _randomise(f.params, rng, 0.5)
    z = rng.standard_normal((20, dim))
    x, log_q, _ = f.forward(z)
    assert np.allclose(f.log_prob(x), log_q, atol=1e-12, rtol=0)
    # log-det against a finite-difference Jacobian
    h = 1e-6
    for i in range(3):
        J = np.stack([(f.forward(z[i:i + 1] + h * np.eye(dim)[j])[0]
                       - f.forward(z[i:i + 1] - h * np.eye(dim)[j])[0])[0] / (2 * h)
                      for j in range(dim)], 1)
        log_n = stats.multivariate_normal(np.zeros(dim)).logpdf(z[i])
        assert abs(log_n - np.log(abs(np.linalg.det(J))) - log_q[i]) < 1e-7


def test_flow_density_normalised_on_grid():
    f = make_flow(2, "coupling", n_layers=1, hidden=(6,), units=3, seed=7)
    _randomise(f.params, np.random.default_rng(4), 0.2)
    g = Grid([-20, -20], [20, 20], panels=32, order=8)     # heavy-ish tails: 6e-4 beyond 10
    mass, _ = g.integrate(np.exp(f.log_prob(g.nodes)))
    assert abs(mass - 1) < 1e-6


# -- the Gibbs identity ------------------------------------------------------------------
def _random_net(dim, seed):
    e = EnergyNet(dim, hidden=(16, 16), confinement=2.0, seed=seed)
    e.params[-2][...] *= 2.0          # a livelier random landscape
    return e


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gibbs_identity_1d(seed):
    e = _random_net(1, seed)
    rng = np.random.default_rng(100 + seed)
    m, s = rng.uniform(-1, 1), rng.uniform(0.5, 1.5)
    q = stats.norm(m, s)
    # log Z: certified adaptive quadrature over ℝ (fdiv.integrate), and the grid
    logz_ref = math.log(fdiv.integrate(lambda x: np.exp(e.energy(x[:, None])), stats.norm(0, 2),
                                       rtol=1e-12))
    g = Grid(-12, 12, panels=24, order=16)
    lp = log_partition(e, g)
    assert abs(lp.value - logz_ref) < 1e-10 and lp.trunc_bound < 1e-10
    e_q = fdiv.integrate(lambda x: q.pdf(x) * e.energy(x[:, None]), q, rtol=1e-12)
    entropy = 0.5 * math.log(2 * math.pi * math.e * s * s)
    kl, mass = kl_on_grid(q.logpdf(g.nodes[:, 0]), lp, g)
    assert abs(mass - 1) < 1e-12 and kl > 0
    assert abs(logz_ref - (e_q + entropy + kl)) < 1e-8
    # a third route: fdiv.gibbs_gap (the bounds module; KL through fdiv.divergence)
    from fdiv.gibbs import gibbs_gap

    ref = gibbs_gap(lambda x: e.energy(np.asarray(x, dtype=float).reshape(-1, 1)), q)
    assert abs(ref.log_z - lp.value) < 1e-9
    assert abs(ref.kl - kl) < 1e-8 and abs(ref.expected_energy - e_q) < 1e-9


@pytest.mark.parametrize("seed", [0, 1])
def test_gibbs_identity_2d(seed):
    e = _random_net(2, seed)
    rng = np.random.default_rng(200 + seed)
    mu = rng.uniform(-1, 1, 2)
    A = rng.uniform(-0.5, 0.5, (2, 2)) + np.eye(2)
    cov = A @ A.T
    q = stats.multivariate_normal(mu, cov)
    L = 9.0
    g = Grid([-L, -L], [L, L], panels=24, order=12)
    lp = log_partition(e, g)
    assert lp.trunc_bound < 1e-10
    # independent log Z on the same box: adaptive cubature (Gauss–Kronrod 21 product rule)
    res = integrate.cubature(lambda x: np.exp(e.energy(x)), [-L, -L], [L, L], rtol=1e-12,
                             atol=0, rule="gk21", max_subdivisions=20000)
    assert abs(math.log(res.estimate) - lp.value) < 1e-9
    # E_q[D] by Gauss–Hermite on x = μ + A z (no grid), H(q) closed form, KL on the grid
    z, w = gauss_hermite(2, 80)
    C = np.linalg.cholesky(cov)
    e_q = w @ e.energy(mu + z @ C.T)
    entropy = 0.5 * math.log(np.linalg.det(2 * math.pi * math.e * cov))
    kl, mass = kl_on_grid(q.logpdf(g.nodes), lp, g)
    assert abs(mass - 1) < 1e-10 and kl > 0
    assert abs(lp.value - (e_q + entropy + kl)) < 1e-8


def test_flow_terms_match_closed_form_for_gaussian_flow():
    f = make_flow(2, "gaussian", mu=[0.3, -0.1], log_scale=[0.2, -0.3])
    f.params[2][1, 0] = 0.4
    e = QuadraticEnergy(2, b=[0.1, 0.2], L=[[1.0, 0], [0.3, 1.2]])
    e_d, h = flow_terms(e, f)
    Lm = f.layers[0].matrix()
    cov, mu = Lm @ Lm.T, f.params[0]
    lam, b = e.precision, e.params[0]
    assert abs(e_d - (b @ mu - 0.5 * (mu @ lam @ mu + np.trace(lam @ cov)))) < 1e-12
    assert abs(h - 0.5 * math.log(np.linalg.det(2 * math.pi * math.e * cov))) < 1e-12
