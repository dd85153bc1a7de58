"""Notebook 08's normalization of feature maps (helpers.spatial_norm) against
PyTorch (BatchNorm2d / F.batch_norm, F.group_norm, autograd) and the
numerical gradient; and the course's ConvNet with hidden affine layers (the
student's conv - relu - pool - affine - relu - affine net) against autograd."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import spatial_norm as sn
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.nets import ConvNet


def _maps(seed, shape=(4, 6, 3, 5), scale=3.0, shift=2.0):
    rng = np.random.default_rng(seed)
    return shift + scale * rng.standard_normal(shape), rng


# ---------------------------------------------------------------- spatial batch norm

def test_spatial_batchnorm_train_mode_is_batchnorm2d():
    x, rng = _maps(0)
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    bn = torch.nn.BatchNorm2d(6, momentum=0.1, eps=1e-5).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    param = {"mode": "train", "momentum": 0.9}
    for step in range(3):
        xs = x + step
        out, cache = sn.spatial_batchnorm_forward(xs, gamma, beta, param)
        want = bn(torch.tensor(xs)).detach().numpy()
        np.testing.assert_allclose(out, want, atol=1e-10)
        np.testing.assert_allclose(param["running_mean"], bn.running_mean.numpy(), atol=1e-12)
        np.testing.assert_allclose(param["running_var"], bn.running_var.numpy(), atol=1e-12)
    assert out.flags.c_contiguous and out.shape == x.shape
    assert len(cache) == 6 and cache[0].shape == (4 * 3 * 5, 6)  # the cache of batchnorm on the rows


def test_spatial_batchnorm_test_mode_uses_running_averages():
    x, rng = _maps(1)
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    mean, var = rng.standard_normal(6), rng.uniform(0.5, 2.0, 6)
    param = {"mode": "test", "running_mean": mean.copy(), "running_var": var.copy()}
    out, cache = sn.spatial_batchnorm_forward(x, gamma, beta, param)
    want = F.batch_norm(torch.tensor(x), torch.tensor(mean), torch.tensor(var), torch.tensor(gamma),
                        torch.tensor(beta), training=False, eps=1e-5).numpy()
    np.testing.assert_allclose(out, want, atol=1e-12)
    assert cache is None
    np.testing.assert_array_equal(param["running_mean"], mean)


def test_spatial_batchnorm_backward_is_autograd_and_numerical():
    x, rng = _maps(2, shape=(3, 4, 2, 3))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    dout = rng.standard_normal(x.shape)
    _, cache = sn.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = sn.spatial_batchnorm_backward(dout, cache)
    ts = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    F.batch_norm(ts[0], None, None, ts[1], ts[2], training=True, eps=1e-5).backward(torch.tensor(dout))
    for mine, t in zip((dx, dgamma, dbeta), ts):
        np.testing.assert_allclose(mine, t.grad.numpy(), atol=1e-10)
    num = eval_numerical_gradient_array(
        lambda v: sn.spatial_batchnorm_forward(v, gamma, beta, {"mode": "train"})[0], x.copy(), dout)
    assert rel_error(dx, num) < 1e-7


def test_spatial_batchnorm_rejects_flat_input():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        sn.spatial_batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), {"mode": "train"})


# ---------------------------------------------------------------- group norm

@pytest.mark.parametrize("G", [1, 2, 3, 6])
def test_groupnorm_forward_is_torch_group_norm(G):
    x, rng = _maps(3 + G)
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    out, cache = sn.groupnorm_forward(x, gamma, beta, G)
    want = F.group_norm(torch.tensor(x), G, torch.tensor(gamma), torch.tensor(beta), eps=1e-5).numpy()
    np.testing.assert_allclose(out, want, atol=1e-10)
    x_, x_hat, mean, var, gamma_, G_, eps = cache
    assert mean.shape == var.shape == (4, G) and x_hat.shape == x.shape and G_ == G and eps == 1e-5
    np.testing.assert_allclose(x_hat.reshape(4, G, -1).mean(axis=2), 0, atol=1e-12)


def test_groupnorm_is_per_image():
    x, rng = _maps(10, shape=(5, 4, 3, 3))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    whole, _ = sn.groupnorm_forward(x, gamma, beta, 2)
    alone, _ = sn.groupnorm_forward(x[2:3], gamma, beta, 2)
    np.testing.assert_allclose(whole[2:3], alone, atol=1e-12)


@pytest.mark.parametrize("G", [1, 2, 4])
def test_groupnorm_backward_is_autograd_and_numerical(G):
    x, rng = _maps(20 + G, shape=(3, 4, 2, 3))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    dout = rng.standard_normal(x.shape)
    _, cache = sn.groupnorm_forward(x, gamma, beta, G)
    dx, dgamma, dbeta = sn.groupnorm_backward(dout, cache)
    ts = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    F.group_norm(ts[0], G, ts[1], ts[2], eps=1e-5).backward(torch.tensor(dout))
    for mine, t in zip((dx, dgamma, dbeta), ts):
        np.testing.assert_allclose(mine, t.grad.numpy(), atol=1e-10)
    num = eval_numerical_gradient_array(lambda v: sn.groupnorm_forward(v, gamma, beta, G)[0], x.copy(), dout)
    assert rel_error(dx, num) < 1e-7


def test_groupnorm_rejects_groups_that_do_not_divide():
    with pytest.raises(ValueError, match="divide"):
        sn.groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones(6), np.zeros(6), 4)
    with pytest.raises(ValueError, match="per channel"):
        sn.groupnorm_forward(np.ones((2, 6, 2, 2)), np.ones((1, 6, 1, 1)), np.zeros(6), 3)


# ---------------------------------------------------------------- ConvNet with hidden layers

def _torch_convnet_loss(params, X, y, reg, pad):
    def f(W1, b1, W2, b2, W3, b3):
        h = F.max_pool2d(F.relu(F.conv2d(torch.tensor(X), W1, b1, padding=pad)), 2)
        h = F.relu(h.reshape(len(X), -1) @ W2 + b2)
        scores = h @ W3 + b3
        return F.cross_entropy(scores, torch.tensor(y)) + reg * sum((W ** 2).sum() for W in (W1, W2, W3))
    ts = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    loss = f(*(ts[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")))
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in ts.items()}


@pytest.mark.parametrize("reg, k", [(0.0, 3), (0.2, 5)])
def test_convnet_with_a_hidden_layer_is_autograd(reg, k):
    net = ConvNet((2, 6, 8), num_filters=(3,), filter_size=k, pool_size=2, hidden_dims=(7,), num_classes=4,
                  reg=reg, seed=1)
    shapes = {k_: v.shape for k_, v in net.params.items()}
    assert shapes == {"W1": (3, 2, k, k), "b1": (3,), "W2": (3 * 3 * 4, 7), "b2": (7,), "W3": (7, 4), "b3": (4,)}
    rng = np.random.default_rng(5)
    for key in net.params:
        net.params[key] = rng.standard_normal(net.params[key].shape)
    X, y = rng.standard_normal((5, 2, 6, 8)), rng.integers(0, 4, 5)
    loss, grads = net.loss(X, y)
    want_loss, want = _torch_convnet_loss(net.params, X, y, reg, (k - 1) // 2)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    for key in net.params:
        np.testing.assert_allclose(grads[key], want[key], rtol=1e-9, atol=1e-11)
    assert "hidden_dims=[7]" in repr(net)


def test_convnet_two_hidden_layers_numerical_gradient():
    net = ConvNet((1, 4, 4), num_filters=(2,), filter_size=3, hidden_dims=(5, 3), num_classes=3, seed=2)
    assert sorted(net.params) == ["W1", "W2", "W3", "W4", "b1", "b2", "b3", "b4"]
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((4, 16)), rng.integers(0, 3, 4)
    _, grads = net.loss(X, y)
    for key, value in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], value)
        assert rel_error(grads[key], num) < 1e-6, key
