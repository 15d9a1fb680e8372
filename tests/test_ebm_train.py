"""The three EBM trainers: the Gaussian-family MLE (closed form: sample mean and covariance),
same seed → same bits, bit-identical resume, the dual's gap = KL(q‖p_φ), and a small 2-D
comparison on exact grid metrics.  Fixed seeds throughout.
"""

import numpy as np
import pytest

from fdiv.ebm import Grid, QuadraticEnergy
from fdiv.ebm.dual import DualTrainer
from fdiv.ebm.flows import make_flow
from fdiv.ebm.langevin import LangevinTrainer
from fdiv.ebm.mle import MLETrainer
from fdiv.ebm.run import EBMConfig, EBMRun

_COV = {1: np.array([[0.7]]), 2: np.array([[1.0, 0.6], [0.6, 0.8]])}
_MEAN = {1: np.array([0.4]), 2: np.array([0.5, -0.3])}


def _gaussian_data(dim, n=400, seed=1):
    x = np.random.default_rng(seed).multivariate_normal(_MEAN[dim], _COV[dim], size=n)
    return x, x.mean(0), np.cov(x.T, bias=True).reshape(dim, dim)   # the closed-form MLE


def _moment_errors(e, mu_hat, cov_hat):
    mu, cov = e.mean_cov()
    return np.max(np.abs(mu - mu_hat)), np.max(np.abs(cov - cov_hat))


# -- the Gaussian family: each trainer recovers the sample mean and covariance ------------
@pytest.mark.parametrize("dim", [1, 2])
def test_quadratic_mle_on_grid_recovers_sample_moments(dim):
    # exact gradient (grid), full batch: only the grid's quadrature error (~1e-8) remains
    x, mu_hat, cov_hat = _gaussian_data(dim)
    e = QuadraticEnergy(dim)
    g = Grid([-8.0] * dim, [8.0] * dim, panels=8, order=8)
    tr = MLETrainer(e, x, g, lr=0.05, batch_size=None, total_steps=600, schedule="cosine")
    for _ in range(600):
        tr.step()
    err_mu, err_cov = _moment_errors(e, mu_hat, cov_hat)
    assert err_mu < 1e-6 and err_cov < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("dim", [1, 2])
def test_quadratic_dual_recovers_sample_moments(dim):
    # q = Gaussian flow (exact family for a quadratic energy); Monte Carlo noise from the 1024
    # reparameterised samples per step, annealed by the cosine schedule: tolerance 0.01
    x, mu_hat, cov_hat = _gaussian_data(dim)
    e = QuadraticEnergy(dim)
    f = make_flow(dim, "gaussian")
    tr = DualTrainer(e, x, f, lr=0.05, lr_q=0.05, q_steps=2, n_q=1024, batch_size=None,
                     total_steps=3000, schedule="cosine", seed=3)
    for _ in range(3000):
        tr.step()
    err_mu, err_cov = _moment_errors(e, mu_hat, cov_hat)
    assert err_mu < 0.01 and err_cov < 0.01
    # and q itself has converged to p_φ
    L = f.layers[0].matrix()
    mu, cov = e.mean_cov()
    assert np.max(np.abs(f.params[0] - mu)) < 0.01 and np.max(np.abs(L @ L.T - cov)) < 0.01


@pytest.mark.parametrize("dim", [1, 2])
def test_quadratic_langevin_recovers_sample_moments(dim):
    # unadjusted Langevin, ε = 1e-2: stationary covariance Σ(I − εΛ/2)⁻¹, bias ≈ ε/2 = 5e-3 in
    # the covariance; plus the Monte Carlo noise of 2048 chains that Adam turns into a random
    # walk of size ~lr (seen: 0.005–0.03 across seeds): tolerance 0.05.  A smaller ε mixes too
    # slowly for the persistent chains to follow the moving model in this budget.
    x, mu_hat, cov_hat = _gaussian_data(dim)
    e = QuadraticEnergy(dim)
    tr = LangevinTrainer(e, x, lr=0.05, n_chains=2048, mcmc_steps=5, step_size=1e-2,
                         batch_size=None, total_steps=1000, schedule="cosine", seed=4)
    for _ in range(1000):
        tr.step()
    err_mu, err_cov = _moment_errors(e, mu_hat, cov_hat)
    assert err_mu < 0.05 and err_cov < 0.05


# -- reproducibility ---------------------------------------------------------------------
def _tiny(method, data="8gaussians", steps=24, seed=0, **kw):
    base = dict(data=data, method=method, steps=steps, seed=seed, n_train=300, n_test=300,
                hidden=(8, 8), batch_size=32, train_panels=6, eval_panels=8, n_q=32,
                flow_layers=1, flow_hidden=(4,), n_chains=16, mcmc_steps=3, q_steps=2)
    base.update(kw)
    return EBMConfig(**base)


def _params_bytes(run):
    ps = list(run.energy.params) + (run.flow.params if run.flow is not None else [])
    return b"".join(p.tobytes() for p in ps)


@pytest.mark.parametrize("method", ["mle", "dual", "langevin"])
def test_same_seed_same_bits(method):
    a, b, c = EBMRun(_tiny(method)), EBMRun(_tiny(method)), EBMRun(_tiny(method, seed=1))
    for r in (a, b, c):
        r.train()
    assert _params_bytes(a) == _params_bytes(b)
    assert _params_bytes(a) != _params_bytes(c)


@pytest.mark.parametrize("method", ["mle", "dual", "langevin"])
def test_resume_is_bit_identical(method, tmp_path):
    full = EBMRun(_tiny(method))
    full.train()
    part = EBMRun(_tiny(method, steps=24))
    part.config.steps = 10                      # interrupted after 10 of 24 steps
    part.train(checkpoint=tmp_path / "c.npz", checkpoint_every=5)
    resumed = EBMRun.load(tmp_path / "c.npz", steps=24)
    assert resumed.step == 10
    resumed.train()
    assert _params_bytes(resumed) == _params_bytes(full)
    if method == "langevin":
        assert resumed.trainer.chains.tobytes() == full.trainer.chains.tobytes()
    assert resumed.history["loss"] == full.history["loss"]


# -- the dual's gap ------------------------------------------------------------------------
@pytest.mark.slow
def test_dual_gap_equals_kl_and_is_small_1d():
    run = EBMRun(EBMConfig(data="mog1d", method="dual", steps=400, seed=0, hidden=(32, 32),
                           lr=2e-3, lr_q=1e-2, q_steps=5, flow_layers=2, n_train=2000,
                           n_test=2000))
    run.train()
    m = run.metrics()
    # gap from base-space integrals (no inverse flow) vs KL(q‖p_φ) on the x-grid (inverse flow)
    assert m["q_mass_in_box"] > 1 - 1e-6       # q's mass the x-grid misses (seen 2e-7)
    assert abs(m["gap"] - m["kl_q_model"]) < 1e-5
    assert 0 < m["kl_q_model"] < 0.1            # seen: 0.058
    # the model learned the mixture: KL(P_d‖p_φ) on the grid, and its sample version
    assert m["kl_data_model"] < 0.1              # seen: 0.047
    assert abs(m["excess_nll"] - m["kl_data_model"]) < 0.05   # held-out MC error, n = 2000
    # the inner min_q solved at the final φ: the gap is then the flow family's own error
    run.trainer.refine_sampler(300, lr=1e-2)
    m2 = run.metrics()
    assert abs(m2["gap"] - m2["kl_q_model"]) < 1e-5
    assert 0 < m2["gap"] < 0.01                  # seen: 0.0015
    assert m2["log_z"] == m["log_z"]             # φ untouched


# -- the three trainers side by side on a 2-D toy (the full comparison is the benchmark) ------
@pytest.mark.slow
def test_three_trainers_compared_on_exact_grid_metrics():
    common = dict(data="grid", data_params={"side": 3, "spacing": 2.0, "sigma": 0.3},
                  steps=150, seed=0, n_train=2000, n_test=2000, hidden=(32, 32),
                  train_panels=12, eval_panels=24, lr=1e-2)
    untrained = EBMRun(EBMConfig(method="mle", **common)).metrics()
    res = {}
    for method, extra in [("mle", {}), ("dual", dict(lr_q=1e-2, q_steps=2, flow_layers=2)),
                          ("langevin", dict(mcmc_steps=10))]:
        run = EBMRun(EBMConfig(method=method, **common, **extra))
        run.train()
        res[method] = m = run.metrics()
        # every number certified: log Z's budget is tiny, the data's mass is inside the box
        assert m["log_z_quad_error"] + m["log_z_trunc_bound"] < 1e-3
        assert m["data_mass_in_box"] > 1 - 1e-9
        assert 0 <= m["kl_data_model"] < untrained["kl_data_model"]
        # excess held-out NLL is the Monte Carlo version of KL(P_d‖p_φ) (n = 2000 → ±0.05)
        assert abs(m["excess_nll"] - m["kl_data_model"]) < 0.1
        print(method, {k: round(m[k], 6) for k in ("excess_nll", "kl_data_model", "gap",
                                                    "kl_q_model") if k in m})
        if method == "dual":
            # 2-D: the base-space rule for E_q[D] + H(q) vs KL(q‖p_φ) on the x-grid
            assert m["q_mass_in_box"] > 1 - 1e-4          # seen: 1 − 5e-6
            assert abs(m["gap"] - m["kl_q_model"]) < 5e-3
    # exact gradients win at equal step count
    assert res["mle"]["kl_data_model"] <= min(res["dual"]["kl_data_model"],
                                              res["langevin"]["kl_data_model"])
