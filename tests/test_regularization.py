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


# ---------------------------------------------------------------- notebook 07, sections 5-6

def test_early_stopping_function_stops_restores_copies_in_place_and_checks_its_arguments():
    params = {"W": np.zeros(2), "b": np.zeros(1)}
    arrays = dict(params)
    curve = [0.3, 0.5, 0.5, 0.4, 0.6]
    epochs = []

    def train_epoch():
        epochs.append(len(epochs) + 1)
        params["W"][:] = len(epochs)
        params["b"][:] = -len(epochs)

    best, history = R.early_stopping(params, train_epoch, lambda: curve[len(epochs) - 1], patience=2,
                                     max_epochs=10)
    assert (best, history, len(epochs)) == (2, [0.3, 0.5, 0.5, 0.4], 4)  # a tie is no new best
    assert params["W"] is arrays["W"] and np.all(params["W"] == 2) and np.all(params["b"] == -2)
    epochs.clear()
    assert R.early_stopping(params, train_epoch, lambda: 0.0, patience=3, max_epochs=2) == (1, [0.0, 0.0])
    for bad in ({"patience": 0}, {"max_epochs": 1.5}, {"patience": True}):
        with pytest.raises(ValueError):
            R.early_stopping(params, train_epoch, lambda: 0.0, **bad)


def test_train_mlp_is_fully_connected_net_trained_with_momentum():
    """The lean loop computes what FullyConnectedNet + Momentum + minibatches do:
    the same weights after training, with and without dropout and weight decay."""
    from helpers.nets import FullyConnectedNet
    from helpers.optim import Momentum, minibatches

    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((37, 6)), rng.integers(0, 4, 37)
    Xv, yv = rng.standard_normal((11, 6)), rng.integers(0, 4, 11)
    for reg, p, seed in [(0.0, 0.0, 0), (0.02, 0.3, 3)]:
        run = R.train_mlp(X, y, Xv, yv, hidden=(9, 7), reg=reg, dropout=p, num_epochs=3, batch_size=8, lr=0.1,
                          momentum=0.9, seed=seed, num_classes=4)
        net = FullyConnectedNet([9, 7], 6, 4, reg=reg, dropout=p, seed=seed)
        opt, order = Momentum(lr=0.1, momentum=0.9), np.random.default_rng(seed)
        for _ in range(3):
            for Xb, yb in minibatches(X, y, 8, rng=order):
                opt.update(net.params, net.loss(Xb, yb)[1])
        assert sorted(run["params"]) == sorted(net.params)
        for k in net.params:
            np.testing.assert_allclose(run["params"][k], net.params[k], rtol=1e-9, atol=1e-12, err_msg=k)
        np.testing.assert_allclose(R.mlp_scores(run["params"], Xv), net.loss(Xv), rtol=1e-9, atol=1e-12)
        assert run["val_acc"] == np.mean(np.argmax(net.loss(Xv), axis=1) == yv)
        assert run["train_acc"] == np.mean(np.argmax(net.loss(X), axis=1) == y)


def test_train_mlp_history_and_bad_arguments():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    run = R.train_mlp(X, y, X, y, hidden=(5,), num_epochs=4, batch_size=10, history=True)
    assert run["epochs"] == [0, 1, 2, 3, 4]
    assert len(run["train_history"]) == len(run["val_history"]) == 5
    assert run["train_history"][-1] == run["train_acc"] and run["val_history"][-1] == run["val_acc"]
    with pytest.raises(ValueError):
        R.train_mlp(X, y, X, y, dropout=1.0)
    with pytest.raises(ValueError):
        R.train_mlp(X, y, X, y, reg=-0.1)


def test_train_and_validate_checks_the_setting_and_is_deterministic():
    setting = {"reg": 0.01, "dropout": 0.2}
    a = R.train_and_validate(setting, 1)
    assert isinstance(a, float) and 0 <= a <= 1 and R.train_and_validate(dict(setting), 1) == a
    run = R.train_and_validate(setting, 1, history=True)  # trained again, not remembered: the same numbers
    assert run["val_acc"] == a and run["val_history"][-1] == a and len(run["epochs"]) == R.OVERFIT["num_epochs"] + 1
    X, y, Xv, yv = R.overfit_data()
    assert X.shape == (R.OVERFIT["n_train"], 40) and Xv.shape == (1000, 40) and not X.flags.writeable
    for bad in [{"reg": 0.1}, {"reg": -1.0, "dropout": 0.0}, {"reg": 0.0, "dropout": 0.95},
                {"reg": 2.0, "dropout": 0.0}, {"reg": 0.0, "dropout": 0.0, "lr": 1.0}, [0.0, 0.0]]:
        with pytest.raises(ValueError):
            R.train_and_validate(bad, 0)
    with pytest.raises(ValueError):
        R.train_and_validate({"reg": 0.0, "dropout": 0.0}, 1.5)


def test_sweep_chooses_the_best_mean_and_the_first_of_equal_ones():
    table = {("a", 1): 0.5, ("a", 2): 0.1, ("b", 1): 0.3, ("b", 2): 0.4, ("c", 1): 0.0, ("c", 2): 0.6}
    calls = []

    def train(setting, seed):
        calls.append((setting, seed))
        return table[setting, seed]

    best, val_acc = R.sweep(train, ["a", "b", "c"], [1, 2])
    assert best == 1 and val_acc.shape == (3, 2) and val_acc.dtype == np.float64
    assert sorted(calls) == sorted(table)
    np.testing.assert_array_equal(val_acc, [[0.5, 0.1], [0.3, 0.4], [0.0, 0.6]])  # best run: c; best mean: b
    assert R.sweep(lambda s, seed: 0.5, ["x", "y"], [0])[0] == 0
    with pytest.raises(ValueError):
        R.sweep(train, [], [1])


def test_paired_gain_equals_scipy():
    from scipy import stats

    a, b = [0.41, 0.37, 0.44, 0.40], [0.35, 0.36, 0.37, 0.33]
    gain, se = R.paired_gain(a, b)
    d = np.subtract(a, b)
    assert gain == pytest.approx(d.mean(), rel=1e-12)
    assert se == pytest.approx(stats.sem(d), rel=1e-12)
    assert gain / se == pytest.approx(stats.ttest_rel(a, b).statistic, rel=1e-10)
    with pytest.raises(ValueError):
        R.paired_gain([0.5], [0.4])


def test_the_check_steps_of_the_regularization_exercises():
    from helpers.checks import CheckFailed
    from helpers.checks import regularization as C

    pairs = C.check_grid([{"reg": 0, "dropout": 0}, {"reg": 1e-3, "dropout": 0.0}, {"reg": 1e-2, "dropout": 0.0},
                          {"reg": 0.0, "dropout": 0.3}])
    assert pairs == [(0.0, 0.0), (1e-3, 0.0), (1e-2, 0.0), (0.0, 0.3)]
    base = {"reg": 0.0, "dropout": 0.0}
    for bad in ([base] * 4,
                [{"reg": 1e-3, "dropout": 0.0}, {"reg": 1e-2, "dropout": 0.0}, {"reg": 1e-1, "dropout": 0.0},
                 {"reg": 0.0, "dropout": 0.3}],
                [base, {"reg": 1e-3}, {"reg": 1e-2, "dropout": 0.0}, {"reg": 0.0, "dropout": 0.3}],
                [base, {"reg": 1e-3, "dropout": 0.95}, {"reg": 1e-2, "dropout": 0.0}, {"reg": 0.0, "dropout": 0.3}],
                [base] + [{"reg": 10.0 ** -i, "dropout": 0.0} for i in range(1, 7)], "grid"):
        with pytest.raises(CheckFailed):
            C.check_grid(bad)
    penalty, grads = C.torch_l2(_params(), 0.3)
    assert sorted(grads) == ["W1", "W2"]
    C.check_l2_result(R.l2_penalty(_params(), 0.3), _params(), 0.3)
    with pytest.raises(CheckFailed):
        C.check_l2_result((penalty, {**grads, "b1": np.ones(4)}), _params(), 0.3)
    from helpers.checks import ReferenceUsed

    def stopping(params, train_epoch, validate, patience, max_epochs):  # an answer (the references are refused)
        history, best, saved = [], 0, None
        for epoch in range(1, max_epochs + 1):
            train_epoch()
            history.append(validate())
            if epoch == 1 or history[-1] > history[best - 1]:
                best, saved = epoch, {k: v.copy() for k, v in params.items()}
            elif epoch - best >= patience:
                break
        for k in saved:
            params[k][...] = saved[k]
        return best, history

    def sweep(train, settings, seeds):
        val_acc = np.array([[train(s, seed) for seed in seeds] for s in settings])
        return int(np.argmax(val_acc.mean(axis=1))), val_acc

    with pytest.raises(ReferenceUsed):
        C.scripted_early_stopping(R.early_stopping, [0.5], 1, 1)
    with pytest.raises(ReferenceUsed):
        C.fake_sweep(R.sweep, [[0.5]], (1,))
    run = C.scripted_early_stopping(stopping, [0.3, 0.35, 0.34, 0.40, 0.39, 0.40, 0.38], 3, 20)
    assert run["result"] == {"best_epoch": 4, "history": [0.3, 0.35, 0.34, 0.40, 0.39, 0.40, 0.38]}
    assert run["trained"] == run["validated"] == 7 and np.all(run["W"] == 4) and run["same_arrays"]
    assert C.scripted_early_stopping(lambda *a, **k: "no", [0.5], 1, 1)["result"] == {"error": "a str"}
    run = C.fake_sweep(sweep, [[0.3, 0.1], [0.2, 0.4]], (7, 8))
    assert run["result"]["best"] == 1 and sorted(map(tuple, run["calls"])) == [(0, 7), (0, 8), (1, 7), (1, 8)]
    assert C.fake_sweep(lambda train, s, seeds: (s[0], None), [[0.1]], (1,))["result"]["error"].startswith("best is")
