"""Batch normalization, layer normalization and dropout (notebook 07):
helpers.layers against torch.nn.BatchNorm1d / torch.nn.functional.batch_norm /
layer_norm and autograd, the numerical gradient, the statistics of inverted
dropout, FullyConnectedNet with batch norm, layer norm, dropout and weight
decay against autograd, and the oracles of helpers.checks.fcnet that grade the
student's own net."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import layers
from helpers.checks.oracles import torch_grads
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.nets import FullyConnectedNet


def _batch(seed, n=16, d=6, scale=3.0, shift=2.0):
    rng = np.random.default_rng(seed)
    return shift + scale * rng.standard_normal((n, d)), rng


def _torch_bn(d, gamma, beta, momentum=0.1, eps=1e-5):
    bn = torch.nn.BatchNorm1d(d, momentum=momentum, eps=eps).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    return bn


# --------------------------------------------------------------------------
# Batch norm forward
# --------------------------------------------------------------------------

def test_train_mode_normalizes_every_feature():
    x, _ = _batch(0, n=200, d=5, scale=10, shift=-4)
    out, _ = layers.batchnorm_forward(x, np.ones(5), np.zeros(5), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    gamma, beta = np.array([1, 2, 3, 0.5, -1.0]), np.array([0, -1, 4, 2, 0.0])
    out, _ = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-10)
    np.testing.assert_allclose(out.std(axis=0), np.abs(gamma), rtol=1e-5)


@pytest.mark.parametrize("n,momentum", [(2, 0.9), (7, 0.9), (32, 0.5), (5, 0.0)])
def test_train_then_eval_equal_torch_batchnorm1d_with_running_statistics(n, momentum):
    x, rng = _batch(1, n=n, d=4)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    bn = _torch_bn(4, gamma, beta, momentum=1 - momentum)  # torch's momentum is the new value's weight
    param = {"mode": "train", "momentum": momentum}
    for step in range(5):
        x = 2.0 + 3.0 * rng.standard_normal((n, 4))
        out, _ = layers.batchnorm_forward(x, gamma, beta, param)
        assert rel_error(out, bn(torch.tensor(x)).detach().numpy()) < 1e-6
        np.testing.assert_allclose(param["running_mean"], bn.running_mean.numpy(), rtol=1e-6, atol=1e-12)
        # torch keeps the UNBIASED batch variance in running_var
        np.testing.assert_allclose(param["running_var"], bn.running_var.numpy(), rtol=1e-6, atol=1e-12)
    bn.eval()
    param["mode"] = "test"
    before = {k: param[k].copy() for k in ("running_mean", "running_var")}
    x = rng.standard_normal((3, 4))
    out, cache = layers.batchnorm_forward(x, gamma, beta, param)
    assert cache is None
    assert rel_error(out, bn(torch.tensor(x)).detach().numpy()) < 1e-6
    for k, v in before.items():
        np.testing.assert_array_equal(param[k], v)  # test mode updates nothing


def test_forward_does_not_change_its_inputs_and_defaults_like_torch():
    x, rng = _batch(2)
    x0 = x.copy()
    param = {"mode": "train"}
    layers.batchnorm_forward(x, np.ones(6), np.zeros(6), param)
    np.testing.assert_array_equal(x, x0)
    bn = _torch_bn(6, np.ones(6), np.zeros(6))
    bn(torch.tensor(x))
    np.testing.assert_allclose(param["running_var"], bn.running_var.numpy(), rtol=1e-12)
    assert param["running_mean"].shape == (6,)


@pytest.mark.parametrize("kwargs,match", [
    (dict(x=np.ones(5)), "2-D"),
    (dict(gamma=np.ones(3)), "gamma"),
    (dict(beta=np.ones((6, 1))), "beta"),
    (dict(bn_param={"mode": "eval"}), "mode"),
    (dict(bn_param="train"), "dict"),
    (dict(x=np.ones((1, 6))), "at least 2"),
    (dict(bn_param={"mode": "test", "running_mean": np.zeros(2)}), "running_mean"),
])
def test_batchnorm_bad_input_raises_a_clear_value_error(kwargs, match):
    args = dict(x=np.ones((4, 6)), gamma=np.ones(6), beta=np.zeros(6), bn_param={"mode": "train"})
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        layers.batchnorm_forward(**args)


# --------------------------------------------------------------------------
# Batch norm backward
# --------------------------------------------------------------------------

def _torch_bn_fn(x, g, b):
    return F.batch_norm(x, None, None, g, b, training=True, eps=1e-5)


@pytest.mark.parametrize("seed,n,d", [(0, 4, 3), (1, 10, 5), (2, 5, 7)])
@pytest.mark.parametrize("backward", [layers.batchnorm_backward, layers.batchnorm_backward_alt])
def test_backward_equals_autograd_and_the_numerical_gradient(seed, n, d, backward):
    x, rng = _batch(seed, n=n, d=d)
    gamma, beta, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    _, cache = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = backward(dout, cache)
    _, (tdx, tdg, tdb) = torch_grads(_torch_bn_fn, x, gamma, beta, upstream=dout)
    for got, want in ((dx, tdx), (dgamma, tdg), (dbeta, tdb)):
        assert rel_error(got, want) < 1e-8
    f = lambda v: layers.batchnorm_forward(v, gamma, beta, {"mode": "train"})[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(f, x.copy(), dout)) < 1e-6
    fg = lambda g: layers.batchnorm_forward(x, g, beta, {"mode": "train"})[0]  # noqa: E731
    assert rel_error(dgamma, eval_numerical_gradient_array(fg, gamma.copy(), dout)) < 1e-7


def test_alt_backward_equals_full_backward():
    x, rng = _batch(5, n=50, d=30)
    _, cache = layers.batchnorm_forward(x, rng.standard_normal(30), rng.standard_normal(30), {})
    dout = rng.standard_normal((50, 30))
    for a, b in zip(layers.batchnorm_backward(dout, cache), layers.batchnorm_backward_alt(dout, cache)):
        assert rel_error(a, b) < 1e-10


def test_backward_rejects_a_test_mode_cache_and_a_wrong_dout():
    x, _ = _batch(6)
    _, cache = layers.batchnorm_forward(x, np.ones(6), np.zeros(6), {"mode": "train"})
    with pytest.raises(ValueError, match="shape"):
        layers.batchnorm_backward(np.ones((3, 6)), cache)
    with pytest.raises(ValueError, match="train mode"):
        layers.batchnorm_backward_alt(np.ones((16, 6)), None)


# --------------------------------------------------------------------------
# Layer norm
# --------------------------------------------------------------------------

@pytest.mark.parametrize("n,d,eps", [(6, 8, 1e-5), (1, 5, 1e-5), (4, 3, 0.1), (9, 2, 1e-5)])
def test_layernorm_forward_equals_torch_and_normalizes_every_sample(n, d, eps):
    x, rng = _batch(10 + n, n=n, d=d, scale=4.0, shift=-1.0)
    x0 = x.copy()
    gamma, beta = rng.standard_normal(d), rng.standard_normal(d)
    out, cache = layers.layernorm_forward(x, gamma, beta, {"eps": eps, "mode": "test"})  # the mode is ignored
    want = F.layer_norm(torch.tensor(x), (d,), torch.tensor(gamma), torch.tensor(beta), eps=eps).numpy()
    assert rel_error(out, want) < 1e-10
    np.testing.assert_array_equal(x, x0)
    x_hat = cache[1]
    np.testing.assert_allclose(x_hat.mean(axis=1), 0, atol=1e-12)
    assert cache[2].shape == cache[3].shape == (n, 1) and cache[5] == eps
    if eps == 1e-5:
        np.testing.assert_allclose(x_hat.std(axis=1), 1, rtol=1e-4)
    # train and test are the same, and a sample does not see the others
    np.testing.assert_allclose(layers.layernorm_forward(x[:1], gamma, beta, {"eps": eps})[0], out[:1], rtol=1e-12)


@pytest.mark.parametrize("seed,n,d", [(0, 4, 3), (1, 10, 5), (2, 1, 7), (3, 6, 12)])
def test_layernorm_backward_equals_autograd_and_the_numerical_gradient(seed, n, d):
    x, rng = _batch(seed, n=n, d=d)
    gamma, beta, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    _, cache = layers.layernorm_forward(x, gamma, beta, {})
    dx, dgamma, dbeta = layers.layernorm_backward(dout, cache)
    _, (tdx, tdg, tdb) = torch_grads(lambda t, g, b: F.layer_norm(t, (d,), g, b, eps=1e-5), x, gamma, beta,
                                     upstream=dout)
    for got, want in ((dx, tdx), (dgamma, tdg), (dbeta, tdb)):
        assert rel_error(got, want) < 1e-8
    f = lambda v: layers.layernorm_forward(v, gamma, beta, {})[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(f, x.copy(), dout)) < 1e-6
    np.testing.assert_allclose(dx.sum(axis=1), 0, atol=1e-10)  # shifting a sample changes nothing


@pytest.mark.parametrize("kwargs,match", [
    (dict(x=np.ones(5)), "2-D"),
    (dict(gamma=np.ones(3)), "gamma"),
    (dict(ln_param="eps"), "dict"),
    (dict(ln_param={"eps": 0.0}), "eps"),
])
def test_layernorm_bad_input_raises_a_clear_value_error(kwargs, match):
    args = dict(x=np.ones((4, 6)), gamma=np.ones(6), beta=np.zeros(6), ln_param={})
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        layers.layernorm_forward(**args)


def test_the_batch_norm_graph_draws_its_three_paths():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from helpers.norm_graph import BN_EDGES, BN_NODES, PATHS, draw_batchnorm_graph

    ax = draw_batchnorm_graph()
    assert {path for *_, path in BN_EDGES} - {None} == set(PATHS)
    assert len(ax.texts) == len(BN_NODES) + len(BN_EDGES)  # a box per node, an arrow per edge
    assert ax.get_legend() is not None and ax.get_title()
    plt.close("all")


# --------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.8])
def test_dropout_keeps_about_one_minus_p_and_preserves_the_mean(p):
    x = 1.0 + 0.1 * np.random.default_rng(0).standard_normal((500, 400))
    out, (_, mask) = layers.dropout_forward(x, {"p": p, "mode": "train", "seed": 1})
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) < 0.005
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-12)
    assert abs(out.mean() / x.mean() - 1) < 0.01
    np.testing.assert_allclose(out, x * mask)


def test_dropout_is_the_identity_in_test_mode_and_deterministic_with_a_seed():
    x = np.random.default_rng(1).standard_normal((40, 30))
    out, (_, mask) = layers.dropout_forward(x, {"p": 0.6, "mode": "test"})
    np.testing.assert_array_equal(out, x)
    assert mask is None
    np.testing.assert_array_equal(layers.dropout_backward(x, ({"p": 0.6, "mode": "test"}, None)), x)
    a = layers.dropout_forward(x, {"p": 0.5, "seed": 3})[0]
    b = layers.dropout_forward(x, {"p": 0.5, "seed": 3})[0]
    c = layers.dropout_forward(x, {"p": 0.5, "seed": 4})[0]
    d = layers.dropout_forward(x, {"p": 0.5})[0]
    e = layers.dropout_forward(x, {"p": 0.5})[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(d, e)


def test_dropout_matches_torch_in_distribution_and_in_eval():
    torch.manual_seed(0)
    x = torch.ones(400, 500, dtype=torch.float64)
    t = F.dropout(x, p=0.3, training=True).numpy()
    ours = layers.dropout_forward(x.numpy(), {"p": 0.3, "seed": 0})[0]
    assert set(np.unique(t)) == set(np.unique(ours)) == {0.0, 1 / 0.7}
    assert abs((t != 0).mean() - (ours != 0).mean()) < 0.005
    np.testing.assert_array_equal(F.dropout(x, p=0.3, training=False).numpy(),
                                  layers.dropout_forward(x.numpy(), {"p": 0.3, "mode": "test"})[0])


def test_dropout_gradient_checks_with_a_fixed_seed():
    rng = np.random.default_rng(2)
    x, dout = rng.standard_normal((6, 7)), rng.standard_normal((6, 7))
    param = {"p": 0.4, "mode": "train", "seed": 123}
    _, cache = layers.dropout_forward(x, param)
    dx = layers.dropout_backward(dout, cache)
    num = eval_numerical_gradient_array(lambda v: layers.dropout_forward(v, param)[0], x.copy(), dout)
    assert rel_error(dx, num) < 1e-9
    # autograd through the same mask
    mask = cache[1]
    _, (tdx,) = torch_grads(lambda t: t * torch.tensor(mask), x, upstream=dout)
    np.testing.assert_allclose(dx, tdx)


@pytest.mark.parametrize("param", [{"p": 1.0}, {"p": -0.1}, {"mode": "train"}, {"p": 0.5, "mode": "eval"},
                                   {"p": "0.5"}])
def test_dropout_bad_parameters_raise(param):
    with pytest.raises(ValueError):
        layers.dropout_forward(np.ones((2, 3)), param)


# --------------------------------------------------------------------------
# FullyConnectedNet with batch norm, dropout and weight decay
# --------------------------------------------------------------------------

def _torch_net_loss(net, X, y, masks=None):
    params = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.tensor(X)
    act = {"relu": torch.relu, "tanh": torch.tanh}[net.activation]
    for i in range(1, net.num_layers):
        h = h @ params[f"W{i}"] + params[f"b{i}"]
        if net.normalization == "batchnorm":
            h = F.batch_norm(h, None, None, params[f"gamma{i}"], params[f"beta{i}"], training=True,
                             eps=1e-5)
        elif net.normalization == "layernorm":
            h = F.layer_norm(h, (h.shape[1],), params[f"gamma{i}"], params[f"beta{i}"], eps=1e-5)
        h = act(h)
        if masks is not None:
            h = h * torch.tensor(masks[i - 1])
    L = net.num_layers
    loss = F.cross_entropy(h @ params[f"W{L}"] + params[f"b{L}"], torch.tensor(y))
    loss = loss + net.reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in params.items()}


def _masks(net, n, p, seed):
    """The documented dropout rule of the net: layer i keeps a unit where
    default_rng(seed + i).random(shape) >= p, survivors scaled by 1 / (1 - p)."""
    dims = [net.params[f"W{i}"].shape[1] for i in range(1, net.num_layers)]
    return [(np.random.default_rng(seed + i).random((n, h)) >= p) / (1 - p) for i, h in enumerate(dims, 1)]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("normalization,dropout", [("batchnorm", 0.0), (None, 0.3), ("batchnorm", 0.5),
                                                   ("layernorm", 0.0), ("layernorm", 0.3)])
def test_net_gradients_equal_torch_autograd(activation, normalization, dropout):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 8)), rng.integers(0, 4, 12)
    net = FullyConnectedNet([7, 6], 8, 4, activation=activation, reg=0.05, seed=1, weight_init="xavier_normal",
                            normalization=normalization, dropout=dropout, dropout_seed=10)
    if normalization:
        for i in (1, 2):  # not the initial ones and zeros
            net.params[f"gamma{i}"] = 1 + 0.3 * rng.standard_normal(net.params[f"gamma{i}"].shape)
            net.params[f"beta{i}"] = 0.3 * rng.standard_normal(net.params[f"beta{i}"].shape)
    loss, grads = net.loss(X, y)
    masks = _masks(net, 12, dropout, 10) if dropout else None
    want_loss, want = _torch_net_loss(net, X, y, masks)
    assert loss == pytest.approx(want_loss, rel=1e-10)
    assert sorted(grads) == sorted(net.params)
    for k in grads:
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-7, atol=1e-10, err_msg=k)


def test_net_with_batchnorm_and_dropout_passes_a_numerical_gradient_check():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((10, 5)), rng.integers(0, 3, 10)
    net = FullyConnectedNet([6, 6], 5, 3, activation="tanh", reg=0.1, normalization="batchnorm",
                            dropout=0.25, dropout_seed=5, seed=2)
    _, grads = net.loss(X, y)
    for k, v in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], v)
        assert rel_error(grads[k], num) < 1e-6, k


def test_weight_decay_leaves_biases_gamma_and_beta_alone():
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 3, 9)
    kw = dict(normalization="batchnorm", seed=0)
    g0 = FullyConnectedNet([4], 5, 3, reg=0.0, **kw).loss(X, y)[1]
    net = FullyConnectedNet([4], 5, 3, reg=0.3, **kw)
    g1 = net.loss(X, y)[1]
    for k in g0:
        extra = 2 * 0.3 * net.params[k] if k.startswith("W") else 0
        np.testing.assert_allclose(g1[k] - g0[k], extra, atol=1e-12, err_msg=k)


def test_net_switches_modes_with_y_and_keeps_running_statistics():
    rng = np.random.default_rng(5)
    X, y = 3 + rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    net = FullyConnectedNet([4, 4], 5, 3, normalization="batchnorm", dropout=0.5, seed=0)
    assert len(net.bn_params) == 2 and sorted(k for k in net.params if "gamma" in k) == ["gamma1", "gamma2"]
    net.loss(X, y)
    assert all(p["mode"] == "train" and "running_mean" in p for p in net.bn_params)
    rm = net.bn_params[0]["running_mean"].copy()
    s1, s2 = net.loss(X), net.loss(X)  # test mode: no dropout, running averages: deterministic
    np.testing.assert_array_equal(s1, s2)
    assert all(p["mode"] == "test" for p in net.bn_params)
    np.testing.assert_array_equal(net.bn_params[0]["running_mean"], rm)
    a, b = net.loss(X, y)[0], net.loss(X, y)[0]  # train mode: new dropout masks each call
    assert a != b


def test_plain_net_is_unchanged_and_bad_options_raise():
    net = FullyConnectedNet([4], 3, 2)
    assert sorted(net.params) == ["W1", "W2", "b1", "b2"] and net.bn_params == []
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([4], 3, 2, normalization="groupnorm")
    with pytest.raises(ValueError, match="dropout"):
        FullyConnectedNet([4], 3, 2, dropout=1.0)


# --------------------------------------------------------------------------
# The oracles that grade the student's own net (helpers.checks.fcnet)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_the_fcnet_oracle_equals_the_course_net(normalization, dropout):
    from helpers.checks.fcnet import torch_fcnet

    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((11, 6)), rng.integers(0, 3, 11)
    net = FullyConnectedNet([7, 5], 6, 3, normalization=normalization, dropout=dropout, dropout_seed=20,
                            reg=0.02, seed=3)
    loss, grads = net.loss(X, y)
    masks = _masks(net, 11, dropout, 20) if dropout else None
    _, want_loss, want = torch_fcnet(net.params, X, y, normalization, reg=0.02, masks=masks)
    assert loss == pytest.approx(want_loss, rel=1e-10)
    for k in grads:
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-7, atol=1e-10, err_msg=k)


def test_the_fcnet_test_mode_oracle_equals_the_course_net_after_training_steps():
    from helpers.checks.fcnet import torch_fcnet_eval

    rng = np.random.default_rng(7)
    batches = [2 + rng.standard_normal((8, 6)) for _ in range(3)]
    net = FullyConnectedNet([7, 5], 6, 3, normalization="batchnorm", dropout=0.3, dropout_seed=4, seed=1)
    for Xb in batches:
        net.loss(Xb, rng.integers(0, 3, 8))
    X = rng.standard_normal((4, 6))
    masks = [_masks(net, 8, 0.3, 4)] * 3  # a fixed dropout seed: the same masks at every call
    np.testing.assert_allclose(net.loss(X), torch_fcnet_eval(net.params, batches, X, "batchnorm", masks),
                               rtol=1e-10, atol=1e-12)
    ln = FullyConnectedNet([7], 6, 3, normalization="layernorm", dropout=0.5, seed=2)
    np.testing.assert_allclose(ln.loss(X), torch_fcnet_eval(ln.params, [], X, "layernorm"), rtol=1e-10)


def test_course_ops_hand_out_the_reference_layers_and_fixed_masks():
    from helpers.checks.fcnet import LAYER_NAMES, course_ops, dropout_mask

    ops = course_ops()
    assert all(getattr(ops, name) is getattr(layers, name) for name in LAYER_NAMES)
    fixed = course_ops(dropout_seed=9)
    x = np.ones((5, 4))
    for seed in (None, 1, 2):  # whatever seed the net passes
        out, (_, mask) = fixed.dropout_forward(x, {"p": 0.5, "mode": "train", "seed": seed})
        np.testing.assert_array_equal(mask, dropout_mask((5, 4), 0.5, 9))
    np.testing.assert_array_equal(fixed.dropout_forward(x, {"p": 0.5, "mode": "test"})[0], x)


@pytest.mark.parametrize("settings,match", [
    ([None, 0.1], "dict"), ({"dropout": 0.1}, "normalization"), ({"normalization": "bn", "dropout": 0.1}, "None"),
    ({"normalization": None, "dropout": 1.0}, "dropout"), ({"normalization": None, "dropout": True}, "dropout"),
])
def test_fcnet_settings_are_checked_with_a_readable_message(settings, match):
    from helpers.checks import CheckFailed
    from helpers.checks.fcnet import check_settings

    with pytest.raises(CheckFailed, match=match):
        check_settings(settings)
    assert check_settings({"normalization": "layernorm", "dropout": 0.2}) == ("layernorm", 0.2)
