"""fdiv.gan: exact gradients of every objective, critics that land on D* and T*, the loop.

References are independent of the code under test: Gaussian closed forms (FIELD_NOTES) and a
30-digit mpmath quadrature for JS; gradients are checked by centred differences.
"""
import functools
import math

import mpmath as mp
import numpy as np
import pytest
from scipy import stats

import fdiv
import fdiv.datasets
from fdiv.gan import (FGAN, JSGAN, GANConfig, GANTrainer, TrainingDiverged, activation_derivatives,
                      evaluate_critic, make_objective, mode_metrics, train_critic)
from fdiv.gan.derivatives import central_difference
from fdiv.nn import MLP, gradcheck


def _members():
    out = [fdiv.get(n) for n in fdiv.names()]
    out += [fdiv.get("alpha", a=a) for a in (-1.0, 0.0, 1.0, 2.0, 3.5)]
    out += [fdiv.get("t_power", power=p) for p in (0.5, 3.0)]
    out += [fdiv.get("weighted_js", pi=0.3)]
    return out


MEMBERS = _members()
IDS = [f"{m.name}{dict(m.params) or ''}" for m in MEMBERS]


# -- gradients ---------------------------------------------------------------------------
def _nets():
    rng = np.random.default_rng(0)
    D = MLP([2, 5, 5, 1], activation="tanh", seed=1)
    G = MLP([3, 5, 5, 2], activation="tanh", seed=2)
    for p in D.params[1::2] + G.params[1::2]:
        p[...] = rng.normal(scale=0.2, size=p.shape)
    x_p = rng.normal(size=(7, 2))
    z = rng.normal(size=(6, 3))
    return D, G, x_p, z


def _critic_fun(obj, D, G, x_p, z):
    def fun():
        x_q = G(z)
        v, cache = D.forward(np.concatenate([x_p, x_q]))
        value, g_p, g_q = obj.discriminator(v[:7, 0], v[7:, 0])
        grads, _ = D.backward(cache, np.concatenate([g_p, g_q])[:, None])
        return value, grads
    return fun


def _generator_fun(obj, D, G, z):
    def fun():
        x_q, gc = G.forward(z)
        v, dc = D.forward(x_q)
        loss, g_v = obj.generator(v[:, 0])
        _, gx = D.backward(dc, g_v[:, None], param_grads=False)
        grads, _ = G.backward(gc, gx)
        return loss, grads
    return fun


def _check_objective(obj):
    D, G, x_p, z = _nets()
    worst, errs = gradcheck(_critic_fun(obj, D, G, x_p, z), D.params, return_all=True)
    assert worst <= 1e-7, ("critic", errs)
    worst, errs = gradcheck(_generator_fun(obj, D, G, z), G.params, return_all=True)
    assert worst <= 1e-7, ("generator", errs)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
def test_jsgan_gradients(loss):
    _check_objective(JSGAN(loss))


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating"])
@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_fgan_gradients_every_member(member, loss):
    _check_objective(FGAN(member, loss))


@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_activation_derivatives_over_a_wide_range(member):
    """g′ and (f*∘g)′ against 5-point differences of the member's own callables on [−6, 6]."""
    der = activation_derivatives(member)
    v = np.linspace(-6.0, 6.0, 241)
    # stay clear of the kinks of piecewise conjugates (pearson −2, log1p_abs −log 2, triangular −log 4)
    for kink in (-2.0, -math.log(2.0), -math.log(4.0)):
        v = v[np.abs(v - kink) > 0.05]
    with np.errstate(all="ignore"):
        h = np.asarray(member.conjugate_activation(v), dtype=float)
    ok = np.isfinite(h) & (np.abs(h) < 1e12)
    v = v[ok]
    for mine, fun in ((der.activation_prime, member.activation),
                      (der.conjugate_activation_prime, member.conjugate_activation)):
        np.testing.assert_allclose(mine(v), central_difference(fun, v), rtol=1e-6, atol=1e-9)


def test_closed_forms_used_for_the_f_gan_table_members():
    for name in ("kl", "reverse_kl", "pearson", "neyman", "squared_hellinger", "gan", "js", "tv",
                 "jeffreys"):
        assert activation_derivatives(fdiv.get(name)).source == "closed form", name


@pytest.mark.parametrize("pack", [1, 3])
@pytest.mark.parametrize("divergence", ["gan", "pearson"])
def test_trainer_gradients_including_packing(divergence, pack):
    """The loop's own gradient code (PacGAN reshapes included) against centred differences."""
    tr = GANTrainer(GANConfig(data="ring", divergence=divergence, pack=pack, batch_p=6,
                              batch_q=6, d_widths=(5, 5), g_widths=(5, 5), latent_dim=3))
    rng = np.random.default_rng(0)
    for p in tr.D.params[1::2] + tr.G.params[1::2]:
        p[...] = rng.normal(scale=0.2, size=p.shape)
    x_p, z = rng.normal(size=(6, 2)), rng.normal(size=(6, 3))
    assert gradcheck(lambda: tr.critic_gradients(x_p, z), tr.D.params) <= 1e-7
    assert gradcheck(lambda: tr.generator_gradients(z), tr.G.params) <= 1e-7


def test_jsgan_equals_fgan_of_the_gan_member():
    rng = np.random.default_rng(3)
    v_p, v_q = rng.normal(scale=3, size=50), rng.normal(scale=3, size=40)
    for loss in ("minimax", "nonsaturating"):
        a, b = JSGAN(loss), FGAN("gan", loss)
        for x, y in zip(a.discriminator(v_p, v_q), b.discriminator(v_p, v_q)):
            np.testing.assert_allclose(x, y, rtol=1e-13, atol=1e-16)
        for x, y in zip(a.generator(v_q), b.generator(v_q)):
            np.testing.assert_allclose(x, y, rtol=1e-13, atol=1e-16)


def test_jsgan_is_stable_for_huge_logits():
    v = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, g_p, g_q = JSGAN().discriminator(v, v)
        loss, g = JSGAN("minimax").generator(v)
    assert np.all(np.isfinite(g_p)) and np.all(np.isfinite(g_q))
    assert math.isfinite(loss) and np.all(np.isfinite(g))
    # softplus(v) + softplus(−v) = |v| + 2 log1p(e^{−|v|})
    expected = -(1660 + 2 * math.log(2) + 4 * math.log1p(math.exp(-30))) / 5
    assert math.isclose(value, expected, rel_tol=1e-14)


def test_make_objective_and_bad_names():
    assert isinstance(make_objective("gan"), JSGAN)
    assert isinstance(make_objective("kl"), FGAN)
    assert make_objective("alpha", a=2.0).divergence.params["a"] == 2.0
    with pytest.raises(ValueError, match="unknown divergence"):
        make_objective("kll")
    with pytest.raises(ValueError, match="generator_loss"):
        JSGAN("saturating")


# -- critic-only training against known P and Q -----------------------------------------------
P, Q = stats.norm(0, 1), stats.norm(0.5, 1)
DELTA = 0.5


@functools.lru_cache(maxsize=None)
def _js_mpmath():
    mp.mp.dps = 30   # restored below
    p = lambda x: mp.npdf(x, 0, 1)          # noqa: E731
    q = lambda x: mp.npdf(x, DELTA, 1)      # noqa: E731

    def integrand(x):
        m = (p(x) + q(x)) / 2
        return (p(x) * mp.log(p(x) / m) + q(x) * mp.log(q(x) / m)) / 2

    try:
        return float(mp.quad(integrand, [-mp.inf, -5, 0, DELTA, 5, mp.inf]))
    finally:
        mp.mp.dps = 15


#: D_f(N(0,1) ‖ N(δ,1)) from the closed forms in FIELD_NOTES (fdiv conventions).
REFERENCE = {
    "kl": DELTA ** 2 / 2,
    "reverse_kl": DELTA ** 2 / 2,
    "pearson": math.expm1(DELTA ** 2),
    "squared_hellinger": 2 * (1 - math.exp(-DELTA ** 2 / 8)),
}


def test_js_reference_values():
    js = _js_mpmath()
    assert 0 < js < math.log(2)
    assert math.isclose(fdiv.divergence("js", P, Q), js, rel_tol=1e-8)


def test_discriminator_learns_d_star_and_the_js_value():
    critic = train_critic(P, Q, "gan", steps=800, batch_size=512, widths=(32, 32), lr=5e-3, seed=0)
    res = evaluate_critic(critic, P, Q)
    expected = 2 * _js_mpmath() - math.log(4)
    assert math.isclose(res["reference"], expected, rel_tol=1e-8, abs_tol=1e-10)
    assert res["max_abs_error"] <= 0.03
    assert abs(res["bound"] - expected) <= 0.01
    assert res["bound"] <= expected + 1e-8          # a lower bound, computed exactly


@pytest.mark.parametrize("name", ["kl", "reverse_kl", "pearson", "squared_hellinger", "js"])
def test_f_gan_critic_learns_f_prime_of_ratio_and_the_divergence(name):
    critic = train_critic(P, Q, name, steps=800, batch_size=512, widths=(32, 32), lr=5e-3, seed=0)
    res = evaluate_critic(critic, P, Q)
    expected = _js_mpmath() if name == "js" else REFERENCE[name]
    assert math.isclose(res["reference"], expected, rel_tol=1e-8)
    assert res["max_rel_error"] <= 0.1, res        # |T − f′(p/q)| / max(1, |f′(p/q)|)
    assert abs(res["bound"] - expected) <= 0.01, res
    assert res["bound"] <= expected + 1e-8


def test_critic_training_same_seed_same_bits():
    a = train_critic(P, Q, "kl", steps=5, batch_size=32, widths=(8,), seed=4)
    b = train_critic(P, Q, "kl", steps=5, batch_size=32, widths=(8,), seed=np.random.default_rng(4))
    c = train_critic(P, Q, "kl", steps=5, batch_size=32, widths=(8,), seed=5)
    x = np.linspace(-3, 3, 7)
    assert a.raw(x).tobytes() == b.raw(x).tobytes() != c.raw(x).tobytes()


def test_untrained_critic_fails_the_checks():
    """The checks can fail: one step of training is far from D*."""
    critic = train_critic(P, Q, "gan", steps=1, batch_size=64, widths=(8,), seed=0)
    res = evaluate_critic(critic, P, Q)
    assert res["max_abs_error"] > 0.03 or abs(res["gap"]) > 0.01


# -- the loop -----------------------------------------------------------------------------------
def _small(**kw):
    base = dict(data="mog1d", latent_dim=1, d_widths=(16, 16), g_widths=(16, 16), batch_p=64,
                batch_q=64, lr_d=1e-3, lr_g=1e-3, steps=40, seed=3)
    base.update(kw)
    return GANConfig(**base)


def _bits(tr):
    return b"".join(p.tobytes() for p in tr.D.params + tr.G.params)


def test_same_seed_same_bits_and_k_steps():
    a = GANTrainer(_small(k=2)).train()
    b = GANTrainer(_small(k=2)).train()
    c = GANTrainer(_small(k=2, seed=4)).train()
    assert _bits(a) == _bits(b) and a.history == b.history
    assert _bits(a) != _bits(c)
    assert a.opt_d.t == 2 * a.opt_g.t == 80


@pytest.mark.parametrize("opts", [{}, {"lr_schedule": "cosine", "standardize": True}])
def test_checkpoint_resume_is_bit_identical(tmp_path, opts):
    straight = GANTrainer(_small(**opts)).train()
    part = GANTrainer(_small(**opts)).train(steps=17)
    part.save(tmp_path / "c.npz")
    resumed = GANTrainer.load(tmp_path / "c.npz")
    assert resumed.step == 17
    resumed.train()
    assert _bits(resumed) == _bits(straight)
    assert resumed.history == straight.history
    assert resumed.sample(100).tobytes() == straight.sample(100).tobytes()


def test_standardize_is_a_fixed_affine_layer():
    tr = GANTrainer(_small(standardize=True, data="grid", latent_dim=2))
    assert abs(tr.scale - math.sqrt(8.0)) < 0.05          # each coordinate uniform on {−4, −2, 0, 2, 4}: variance 8
    x = tr.sample(50)
    z = np.random.default_rng([tr.config.seed, 0, 7]).standard_normal((50, 2))
    np.testing.assert_allclose(x, tr.G(z) * tr.scale + tr.shift, rtol=1e-12)
    np.testing.assert_allclose(tr.critic(x), tr.D((x - tr.shift) / tr.scale)[:, 0], rtol=1e-12)


def test_cosine_schedule_reaches_final_fraction():
    tr = GANTrainer(_small(lr_schedule="cosine", lr_final=0.1, steps=40)).train()
    # the last iteration ran at t = 39 of T = 40
    frac = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 39 / 40))
    assert math.isclose(tr.opt_g.lr, 1e-3 * frac, rel_tol=1e-12)
    with pytest.raises(ValueError, match="lr_schedule"):
        GANConfig(lr_schedule="linear")


def test_divergence_guard_restores_last_good_checkpoint(tmp_path):
    cfg = _small(divergence="kl", lr_d=50.0, lr_g=50.0, steps=400, d_widths=(8,), g_widths=(8,))
    tr = GANTrainer(cfg)
    with pytest.raises(TrainingDiverged, match="diverged at step"):
        tr.train(checkpoint=tmp_path / "c.npz", checkpoint_every=5)
    assert tr.step % 5 == 0 and tr.params_finite()
    assert all(math.isfinite(v) for v in tr.history["d_value"] + tr.history["g_loss"])
    back = GANTrainer.load(tmp_path / "c.npz")
    assert back.step == tr.step and _bits(back) == _bits(tr)


def test_gan_on_1d_mixture_learns_both_modes():
    """Smoke test: a short JS-GAN run on ½N(−2, ½²) + ½N(2, ½²) beats its starting point."""
    cfg = _small(data="mog1d", steps=1500, d_widths=(32, 32), g_widths=(32, 32), batch_p=128,
                 batch_q=128, lr_d=2e-3, lr_g=2e-3, seed=0, latent_dim=2)
    tr = GANTrainer(cfg)
    x0 = tr.sample(4000)[:, 0]
    tr.train()
    x = tr.sample(4000)[:, 0]
    assert np.all(np.isfinite(x))
    near = lambda s, m: np.mean(np.abs(s - m) < 1.0)      # noqa: E731
    assert near(x, -2) > 0.25 and near(x, 2) > 0.25, (near(x, -2), near(x, 2))
    data = tr.data
    assert np.mean(data.logpdf(x)) > np.mean(data.logpdf(x0)) + 1.0


def test_mode_metrics_against_hand_counts():
    r = fdiv.datasets.ring()
    m = mode_metrics(r.sample(2500, 0), r.means, r.sigmas)
    assert m["modes"] == 8 and abs(m["high_quality"] - (1 - math.exp(-4.5))) < 0.01
    assert 0 <= m["reverse_kl"] < 0.01
    one = np.repeat(r.means[:1], 100, axis=0)
    m = mode_metrics(one, r.means, r.sigmas)
    assert m["modes"] == 1 and m["high_quality"] == 1.0
    assert math.isclose(m["reverse_kl"], math.log(8), rel_tol=1e-12)
    far = mode_metrics(np.full((10, 2), 5.0), r.means, r.sigmas)
    assert far["modes"] == 0 and far["high_quality"] == 0 and far["reverse_kl"] == math.inf
