"""helpers.regularization: L2 weight decay against autograd and torch.optim's
weight_decay, early stopping, gradient-norm clipping against
torch.nn.utils.clip_grad_norm_, and the max-norm constraint against torch.renorm."""
import math

import numpy as np
import pytest
import torch

from helpers import regularization as R


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((5, 4)), "b1": rng.standard_normal(4),
            "gamma1": rng.standard_normal(4), "beta1": rng.standard_normal(4),
            "W2": rng.standard_normal((4, 3)), "b2": rng.standard_normal(3)}


def test_l2_penalty_decays_weights_only_and_equals_autograd():
    params = _params()
    loss, grads = R.l2_penalty(params, 0.3)
    assert sorted(grads) == ["W1", "W2"]
    ts = {k: torch.tensor(params[k], requires_grad=True) for k in ("W1", "W2")}
    t = 0.3 * sum((v ** 2).sum() for v in ts.values())
    t.backward()
    assert loss == pytest.approx(t.item(), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], ts[k].grad.numpy(), rtol=1e-12)
    assert R.l2_penalty(params, 0.3, keys=["b1"])[1].keys() == {"b1"}


def test_l2_penalty_with_sgd_is_torch_weight_decay_twice_reg():
    params, reg, lr = _params(1), 0.05, 0.1
    W = params["W1"].copy()
    data_grad = np.random.default_rng(2).standard_normal(W.shape)
    _, g = R.l2_penalty({"W1": W}, reg)
    ours = W - lr * (data_grad + g["W1"])
    w = torch.tensor(W, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, weight_decay=2 * reg)
    w.grad = torch.tensor(data_grad)
    opt.step()
    np.testing.assert_allclose(ours, w.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "0.1", True])
def test_l2_penalty_rejects_bad_reg(bad):
    with pytest.raises(ValueError):
        R.l2_penalty(_params(), bad)


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 5.0, 1e3])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_equals_torch(max_norm, norm_type):
    grads = _params(3)
    tensors = []
    for k, g in grads.items():
        p = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        p.grad = torch.tensor(g.copy())
        tensors.append(p)
    want = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type).item()
    total = R.clip_grad_norm(grads, max_norm, norm_type=norm_type)
    assert total == pytest.approx(want, rel=1e-12)
    for (k, g), p in zip(grads.items(), tensors):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-12, err_msg=k)


def test_clip_grad_norm_keeps_the_direction_and_small_gradients():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert R.clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(grads["b"], [[0.8]], rtol=1e-6)
    small = {"a": np.array([0.3, 0.4])}
    R.clip_grad_norm(small, 1.0)
    np.testing.assert_array_equal(small["a"], [0.3, 0.4])
    with pytest.raises(ValueError):
        R.clip_grad_norm(grads, 0.0)
    with pytest.raises(ValueError):
        R.clip_grad_norm([np.ones(2)], 1.0)


def test_max_norm_constraint_equals_torch_renorm_on_units():
    W = 3 * np.random.default_rng(4).standard_normal((6, 5))
    out = R.max_norm_constraint(W, 2.0)
    # torch.renorm(dim=0) renormalizes each row: our units are columns, so transpose.
    want = torch.renorm(torch.tensor(W.T), p=2, dim=0, maxnorm=2.0).numpy().T
    np.testing.assert_allclose(out, want, rtol=1e-6)
    assert np.all(np.linalg.norm(out, axis=0) <= 2.0 + 1e-12)
    small = R.max_norm_constraint(W, 100.0)
    np.testing.assert_array_equal(small, W)
    with pytest.raises(ValueError):
        R.max_norm_constraint(np.ones(3), 1.0)


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    params = {"W": np.zeros(2)}
    stopper = R.EarlyStopping(patience=2)
    scores = [0.5, 0.7, 0.6, 0.65, 0.9]
    stops = []
    for i, s in enumerate(scores):
        params["W"][:] = i
        stops.append(stopper.step(s, params))
        if stops[-1]:
            break
    assert stops == [False, False, False, True]
    assert stopper.best == 0.7 and stopper.best_step == 2
    array = params["W"]
    stopper.restore(params)
    assert params["W"] is array and np.all(array == 1)
    loss_stopper = R.EarlyStopping(patience=1, mode="min")
    assert not loss_stopper.step(1.0, params) and loss_stopper.step(1.5, params)
    with pytest.raises(ValueError):
        R.EarlyStopping(patience=0)
    with pytest.raises(ValueError):
        R.EarlyStopping().restore(params)
