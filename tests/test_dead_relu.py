"""helpers.dead_relu: PReLU against torch, training that tracks dead units, and the choice of a setting."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import dead_relu, layers
from helpers.checks.dead_relu import dead_units, watch_training
from helpers.nets import FullyConnectedNet


@pytest.mark.parametrize("alpha", [np.array([0.25]), np.array([0.0, 0.1, 0.5, 1.5])])
def test_prelu_equals_torch(alpha):
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((7, 4)), rng.standard_normal((7, 4))
    out, cache = dead_relu.prelu_forward(x, alpha)
    dx, dalpha = dead_relu.prelu_backward(dout, cache)
    xt, at = torch.tensor(x, requires_grad=True), torch.tensor(alpha, requires_grad=True)
    yt = F.prelu(xt, at)
    yt.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, yt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(dalpha, at.grad.numpy(), rtol=1e-12)
    assert dalpha.shape == alpha.shape


def _sgd_tracking(net, X, y, lr, num_epochs=3, batch_size=50, seed=0, aliased=False):
    from helpers.optim import minibatches

    rng, history, row = np.random.default_rng(seed), [], []
    for _ in range(num_epochs):
        for Xb, yb in minibatches(X, y, batch_size, rng=rng):
            grads = net.loss(Xb, yb)[1]
            for k in net.params:
                net.params[k] -= lr * grads[k]
        net.loss(X)
        row = row if aliased else []
        row[:] = [layers.dead_fraction(h) for h in net.activations]
        history.append(row)
    return history


def test_the_watched_training_sees_every_entry_and_every_update():
    run = watch_training(_sgd_tracking, hidden=(100,), lr=1.5, num_epochs=3)
    assert run["history"] == run["truth"] and len(run["truth"]) == 3
    assert run["samples"] == 3 * run["n"] and run["worst_step"] < 1e-12 and not run["unchanged"]
    assert run["truth"][0] != run["truth"][2]  # units die epoch after epoch: every entry counts
    aliased = watch_training(lambda *a, **k: _sgd_tracking(*a, aliased=True, **k), hidden=(100,), lr=1.5)
    assert aliased["history"] == [aliased["truth"][-1]] * 3 != aliased["truth"]


def test_train_setting_remembers_its_runs_and_the_remedies_behave():
    failure, small_lr = (dict(s) for _, s in dead_relu.REMEDIES[:2])
    first = dead_relu.train_setting(small_lr)
    assert dead_relu.train_setting(dict(small_lr)) == first  # remembered: the same numbers
    assert max(first["dead"]) <= 0.10 and first["val_acc"] >= 0.95
    broken = dead_relu.train_setting(failure)
    assert min(broken["dead"]) > 0.5 and broken["val_acc"] < 0.6
    with pytest.raises(ValueError, match="the keys"):
        dead_relu.train_setting({"lr": 0.1})


def test_choose_setting_keeps_units_alive():
    table = [{"val_acc": 0.99, "dead": [0.5, 0.0]}, {"val_acc": 0.9, "dead": [0.1, 0.1]},
             {"val_acc": 0.9, "dead": [0.0, 0.0]}]
    assert dead_relu.choose_setting(lambda i: table[i], [0, 1, 2]) == 1
    assert dead_relu.choose_setting(lambda i: table[i], [0, 1, 2], max_dead=0.5) == 0
    assert dead_relu.choose_setting(lambda i: table[i], [0], max_dead=0.1) is None


def test_dead_units_agrees_with_the_layers_reference():
    h = np.maximum(np.random.default_rng(1).standard_normal((50, 30)) - 1.5, 0)
    assert dead_units(h) == layers.dead_fraction(h)
    net = FullyConnectedNet([20], 64, 10, seed=0)
    assert len(dead_relu.train_tracking_dead(net, np.ones((10, 64)), np.zeros(10, int), 0.1, 2)) == 2
