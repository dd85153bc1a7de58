"""FullyConnectedNet, Leaky ReLU, ELU and the dead-unit measure: gradients
against PyTorch autograd, and the initialization experiments of notebooks 05
and 06 as assertions."""
import math

import numpy as np
import pytest
import torch

from helpers import init, layers, optim
from helpers.nets import FullyConnectedNet

TORCH_ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
             "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
             "elu": torch.nn.functional.elu}


def _torch_loss(net, X, y):
    params = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    h = torch.tensor(X)
    for i in range(1, net.num_layers):
        h = TORCH_ACT[net.activation](h @ params[f"W{i}"] + params[f"b{i}"])
    L = net.num_layers
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if scores.shape[1] == 1:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(scores[:, 0], torch.tensor(y, dtype=torch.float64))
    else:
        loss = torch.nn.functional.cross_entropy(scores, torch.tensor(y))
    loss = loss + net.reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in params.items()}


@pytest.mark.parametrize("activation", sorted(layers.ACTIVATIONS))
@pytest.mark.parametrize("classes", [1, 4])
def test_loss_and_gradients_equal_torch_autograd(activation, classes):
    rng = np.random.default_rng(0)
    net = FullyConnectedNet([7, 6, 5], input_dim=8, num_classes=classes, activation=activation,
                            weight_init="xavier_normal", bias_init=0.1, reg=0.05, seed=1)
    X, y = rng.standard_normal((9, 8)), rng.integers(0, max(classes, 2), 9)
    loss, grads = net.loss(X, y)
    want_loss, want = _torch_loss(net, X, y)
    assert loss == pytest.approx(want_loss, rel=1e-10)
    assert sorted(grads) == sorted(net.params)
    for k in grads:
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-8, atol=1e-12, err_msg=k)
    assert net.loss(X).shape == ((9,) if classes == 1 else (9, classes))
    assert [a.shape for a in net.activations] == [(9, 7), (9, 6), (9, 5)]


def test_zero_init_keeps_every_hidden_unit_identical_and_starts_at_ln_2():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 10)), rng.integers(0, 2, 64)
    net = FullyConnectedNet([6, 6], input_dim=10, num_classes=1, activation="sigmoid",
                            weight_init="zeros")
    first, _ = net.loss(X, y)
    assert first == pytest.approx(math.log(2), abs=1e-12)
    sgd = optim.SGD(lr=0.5)
    for _ in range(20):
        sgd.update(net.params, net.loss(X, y)[1])
    for i in (1, 2):
        W = net.params[f"W{i}"]
        assert np.ptp(W, axis=1).max() < 1e-12  # every column (unit) the same
    assert np.abs(net.params["W1"]).max() > 0  # yet training did move them


def test_sigmoid_with_std_001_loses_the_gradient_layer_by_layer():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((200, 100)), rng.integers(0, 10, 200)
    net = FullyConnectedNet([100] * 4, input_dim=100, num_classes=10, activation="sigmoid",
                            weight_init=0.01, seed=0)
    norms = init.gradient_norms(net.loss(X, y)[1], [f"W{i}" for i in range(1, 6)])
    assert all(a < b for a, b in zip(norms, norms[1:])), norms
    assert norms[0] / norms[-1] < 1e-6, norms


def test_biases_of_minus_8_kill_every_relu_but_not_leaky_relu():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (50, 2)), rng.integers(0, 2, 50)
    for activation, dead in (("relu", True), ("leaky_relu", False)):
        net = FullyConnectedNet([10, 10, 10], input_dim=2, num_classes=2, activation=activation,
                                weight_init="he_normal", bias_init=-8.0, seed=0)
        _, grads = net.loss(X, y)
        hidden = [grads[f"{p}{i}"] for p in "Wb" for i in (1, 2, 3)]
        assert all(np.all(g == 0) for g in hidden) == dead, activation
        assert all(np.any(g != 0) for g in hidden) == (not dead), activation
        assert np.any(grads["b4"] != 0)  # only the output bias learns


@pytest.mark.parametrize("weight_init, low, high", [("he_normal", 0.5, 2.0), (0.01, 0.0, 1e-3)])
def test_activation_std_through_ten_relu_layers(weight_init, low, high):
    X = np.random.default_rng(0).standard_normal((1000, 100))
    net = FullyConnectedNet([100] * 10, input_dim=100, num_classes=10, weight_init=weight_init, seed=0)
    net.loss(X)
    stds = [s["std"] for s in init.activation_stats(net.activations)]
    assert low <= min(stds) and max(stds[-1:]) <= high, stds


@pytest.mark.parametrize("name, torch_fn", [
    ("leaky_relu", lambda t: torch.nn.functional.leaky_relu(t, 0.01)),
    ("elu", torch.nn.functional.elu)])
def test_leaky_relu_and_elu_equal_torch(name, torch_fn):
    forward, backward = layers.ACTIVATIONS[name]
    x = np.array([[-800.0, -3.0, -0.5, 0.25, 2.0, 900.0]])
    dout = np.arange(1.0, 7.0)[None]
    out, cache = forward(x)
    t = torch.tensor(x, requires_grad=True)
    torch_fn(t).backward(torch.tensor(dout))
    np.testing.assert_allclose(out, torch_fn(torch.tensor(x)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(backward(dout, cache), t.grad.numpy(), rtol=1e-12)


def test_dead_fraction_counts_units_dead_on_the_whole_batch():
    h = np.array([[0.0, 1.0, 0.0, 0.0],
                  [0.0, 0.0, 2.0, 0.0],
                  [0.0, 0.0, 0.0, 0.0]])
    # units 0 and 3 never fire; 1 and 2 fire for one sample each (per sample, 2/3 look dead)
    assert layers.dead_fraction(h) == 0.5
    with pytest.raises(ValueError, match=r"shape \(N, H\)"):
        layers.dead_fraction(np.zeros(3))


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        FullyConnectedNet([3], 2, 2, activation="swish")
    with pytest.raises(ValueError, match="each hidden dim must be a positive integer"):
        FullyConnectedNet([3, 0], 2, 2)
