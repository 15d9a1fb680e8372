"""fdiv.nn: backprop checked by centred differences, optimisers against their textbook formulas."""
import numpy as np
import pytest

from fdiv.nn import ACTIVATIONS, MLP, SGD, Adam, gradcheck
from fdiv.nn.gradcheck import numerical_gradient

HIDDEN = [a for a in ACTIVATIONS if a != "linear"]


def _quadratic_loss(net, x, target):
    """ℓ = ½ Σ (y − target)², with ∂ℓ/∂y = y − target."""
    def fun():
        y, cache = net.forward(x)
        r = y - target
        grads, _ = net.backward(cache, r)
        return 0.5 * float(np.sum(r * r)), grads
    return fun


@pytest.mark.parametrize("activation", HIDDEN)
def test_param_gradients_match_centred_differences(activation):
    rng = np.random.default_rng(1)
    net = MLP([3, 7, 5, 2], activation=activation, seed=2)
    for p in net.params[1::2]:            # non-zero biases so every term is exercised
        p[...] = rng.normal(scale=0.3, size=p.shape)
    x = rng.normal(size=(11, 3))
    target = rng.normal(size=(11, 2))
    worst, errs = gradcheck(_quadratic_loss(net, x, target), net.params, return_all=True)
    assert len(errs) == 6
    assert worst <= 1e-7, errs


@pytest.mark.parametrize("activation", HIDDEN)
def test_input_gradient_matches_centred_differences(activation):
    rng = np.random.default_rng(3)
    net = MLP([2, 6, 6, 1], activation=activation, seed=4)
    x = rng.normal(size=(9, 2))
    w = rng.normal(size=(9, 1))

    def fun():
        y, cache = net.forward(x)
        _, gx = net.backward(cache, w, param_grads=False)
        return float(np.sum(w * y)), [gx]

    assert gradcheck(fun, [x]) <= 1e-7


def test_gradcheck_detects_a_wrong_gradient():
    net = MLP([2, 4, 1], activation="tanh", seed=0)
    x = np.random.default_rng(0).normal(size=(5, 2))

    def wrong():
        y, cache = net.forward(x)
        grads, _ = net.backward(cache, np.ones_like(y))
        grads[0] = grads[0] * 1.001          # 0.1 % off
        return float(y.sum()), grads

    assert gradcheck(wrong, net.params) > 1e-4


def test_numerical_gradient_of_known_function():
    a = np.array([0.3, -1.2, 2.0])
    (g,) = numerical_gradient(lambda: np.sum(np.sin(a)), [a])
    np.testing.assert_allclose(g, np.cos([0.3, -1.2, 2.0]), rtol=1e-9)


def test_activation_values_against_definitions():
    z = np.array([-3.0, -0.5, 0.0, 0.7, 2.0])
    ref = {
        "relu": np.maximum(z, 0),
        "tanh": np.tanh(z),
        "softplus": np.log1p(np.exp(z)),
        "sigmoid": 1 / (1 + np.exp(-z)),
        "elu": np.where(z > 0, z, np.exp(z) - 1),
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
    }
    for name, r in ref.items():
        net = MLP([1, 5, 1], activation=name, seed=0)
        np.testing.assert_allclose(net.act.forward(z), r, rtol=1e-14, atol=1e-15, err_msg=name)


def test_softplus_and_sigmoid_do_not_overflow():
    z = np.array([-1000.0, 1000.0])
    net = MLP([1, 2, 1], activation="softplus", seed=0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_array_equal(net.act.forward(z), [0.0, 1000.0])


def test_forward_matches_explicit_formula():
    net = MLP([2, 3, 1], activation="tanh", seed=5)
    W0, b0, W1, b1 = net.params
    b0 += 0.1
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    expect = np.tanh(x @ W0 + b0) @ W1 + b1
    np.testing.assert_allclose(net(x), expect, rtol=1e-15)


def test_initialisers_have_their_variances():
    he = MLP([400, 300, 1], activation="relu", seed=0, init="he")
    assert abs(he.params[0].var() / (2 / 400) - 1) < 0.02
    gl = MLP([400, 300, 1], activation="tanh", seed=0, init="glorot")
    assert abs(gl.params[0].var() / (2 / 700) - 1) < 0.02   # U(±√(6/(in+out))) has var 2/(in+out)
    assert np.all(gl.params[1] == 0)


def test_same_seed_same_bits_and_generator_accepted():
    a = MLP([2, 8, 1], seed=7)
    b = MLP([2, 8, 1], seed=np.random.default_rng(7))
    c = MLP([2, 8, 1], seed=8)
    for pa, pb in zip(a.params, b.params):
        assert pa.tobytes() == pb.tobytes()
    assert a.params[0].tobytes() != c.params[0].tobytes()


def test_float32_network_agrees_with_float64():
    x = np.random.default_rng(0).normal(size=(16, 3))
    n64 = MLP([3, 32, 32, 2], activation="elu", seed=1)
    n32 = MLP([3, 32, 32, 2], activation="elu", seed=1, dtype=np.float32)
    y32, cache = n32.forward(x)
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, n64(x), rtol=1e-4, atol=1e-5)
    grads, gx = n32.backward(cache, np.ones((16, 2)))
    assert all(g.dtype == np.float32 for g in grads) and gx.dtype == np.float32


def test_save_load_roundtrip(tmp_path):
    net = MLP([2, 5, 3], activation="leaky_relu", seed=3, dtype=np.float32, negative_slope=0.2)
    net.params[1] += 0.5
    net.save(tmp_path / "net.npz")
    back = MLP.load(tmp_path / "net.npz")
    assert back.sizes == net.sizes and back.activation == "leaky_relu" and back.dtype == np.float32
    assert back.negative_slope == 0.2
    for p, q in zip(net.params, back.params):
        assert p.tobytes() == q.tobytes()


def test_adam_matches_kingma_ba_algorithm_1():
    rng = np.random.default_rng(0)
    p = rng.normal(size=(4, 3))
    ref = p.copy()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    for t in range(1, 21):
        g = rng.normal(size=p.shape)
        opt.step([g])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        ref = ref - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(p, ref, rtol=1e-12, atol=1e-14)


def test_sgd_momentum_formula():
    p = np.array([1.0, -2.0])
    opt = SGD([p], lr=0.1, momentum=0.5)
    opt.step([np.array([1.0, 1.0])])    # v = g,          p -= 0.1 v
    opt.step([np.array([2.0, 0.0])])    # v = 0.5 v + g
    np.testing.assert_allclose(p, [1.0 - 0.1 - 0.25, -2.0 - 0.1 - 0.05], rtol=1e-15)


def test_adam_state_dict_resume_is_bit_identical():
    rng = np.random.default_rng(0)
    gs = [rng.normal(size=3) for _ in range(10)]
    p1 = np.zeros(3)
    o1 = Adam([p1], lr=0.1)
    for g in gs:
        o1.step([g])
    p2 = np.zeros(3)
    o2 = Adam([p2], lr=0.1)
    for g in gs[:4]:
        o2.step([g])
    state = o2.state_dict()
    p3 = p2.copy()
    o3 = Adam([p3], lr=0.5)
    o3.load_state_dict(state)
    for g in gs[4:]:
        o3.step([g])
    assert p1.tobytes() == p3.tobytes()


def test_training_fits_a_smooth_function():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(256, 1))
    y = np.sin(2 * x)
    net = MLP([1, 32, 32, 1], activation="tanh", seed=0)
    opt = Adam(net.params, lr=1e-2)
    for _ in range(1500):
        out, cache = net.forward(x)
        grads, _ = net.backward(cache, (out - y) / len(x))
        opt.step(grads)
    assert np.mean((net(x) - y) ** 2) < 1e-3


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="activation"):
        MLP([1, 2, 1], activation="swish")
    with pytest.raises(ValueError, match="sizes"):
        MLP([3])
    with pytest.raises(TypeError, match="seed"):
        MLP([1, 2, 1], seed=None)
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match=r"x\[:, None\]"):
        net.forward(np.zeros(5))
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda: (0.0, [np.zeros(2, np.float32)]), [np.zeros(2, np.float32)])


@pytest.mark.parametrize("activation", HIDDEN)
def test_derivative_from_output_matches_derivative_from_input(activation):
    from fdiv.nn import get_activation

    act = get_activation(activation, 0.2)
    z = np.linspace(-30, 30, 601)
    z = z[np.abs(z) > 1e-9]
    g = np.random.default_rng(0).normal(size=z.size)
    a = act.forward(z)
    ref = act.backward(z, a, g)
    zi = z.copy()
    np.testing.assert_array_equal(act.forward_inplace(zi), a)
    np.testing.assert_allclose(act.grad_from_output(a, g.copy()), ref, rtol=1e-12, atol=1e-300)


def test_backward_without_input_gradient():
    net = MLP([3, 4, 2], seed=0)
    y, cache = net.forward(np.ones((5, 3)))
    grads, gx = net.backward(cache, np.ones_like(y), input_grad=False)
    full, gx_full = net.backward(cache, np.ones_like(y))
    assert gx is None and gx_full.shape == (5, 3)
    for a, b in zip(grads, full):
        np.testing.assert_array_equal(a, b)
