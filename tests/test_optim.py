"""helpers.optim against torch.optim and torch.optim.lr_scheduler, run side by side."""
import math

import numpy as np
import pytest
import torch

from helpers import optim
from helpers.solver import Solver

TORCH = {  # ours -> (torch class, torch keyword arguments), conventions aligned
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (torch.optim.Adagrad, {"eps": 1e-7}),
    "rmsprop": (torch.optim.RMSprop, {"alpha": 0.99, "eps": 1e-7}),
    # PyTorch adds eps to sqrt(v / (1 - beta2^t)), we add it to sqrt(v): equal with eps = 0.
    "adam": (torch.optim.Adam, {"betas": (0.9, 0.999), "eps": 0.0}),
}
OURS = {"adam": {"eps": 0.0}}


def _gradient(p, t):
    """The gradient of a quadratic bowl plus a step-dependent push: depends on
    where the optimizer is, so any difference in the path shows up."""
    rng = np.random.default_rng(1000 + t)
    return {k: 2.0 * (v - 0.3) + rng.standard_normal(v.shape) for k, v in p.items()}


def _start():
    rng = np.random.default_rng(0)
    return {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}


@pytest.mark.parametrize("name", sorted(TORCH))
def test_each_optimizer_follows_torch_optim_for_ten_steps(name):
    lr = 0.05
    ours, params = optim.get(name, lr=lr, **OURS.get(name, {})), _start()
    tensors = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    cls, kwargs = TORCH[name]
    theirs = cls(list(tensors.values()), lr=lr, **kwargs)
    for t in range(10):
        ours.update(params, _gradient(params, t))
        for k, g in _gradient({k: v.detach().numpy() for k, v in tensors.items()}, t).items():
            tensors[k].grad = torch.tensor(g)
        theirs.step()
        for k in params:
            assert np.max(np.abs(params[k] - tensors[k].detach().numpy())) < 1e-10, (name, t, k)


@pytest.mark.parametrize("name", sorted(TORCH))
def test_each_optimizer_keeps_lazy_state_per_key_and_updates_in_place(name):
    opt, params = optim.get(name, lr=0.1), _start()
    ids = {k: id(v) for k, v in params.items()}
    assert opt.state == {}
    opt.update(params, _gradient(params, 0))
    assert {k: id(v) for k, v in params.items()} == ids
    assert sorted(opt.state) == (["W", "b"] if name != "sgd" else [])


def test_a_fixed_trajectory_by_hand():
    """x = 1 and a constant gradient 1: every step of each rule, written out."""
    expected = {
        "sgd": [1 - 0.1 * t for t in range(1, 11)],
        # v_t = -0.1 (1 + 0.9 + ... + 0.9^(t-1))
        "momentum": list(1 + np.cumsum([-0.1 * (1 - 0.9 ** t) / 0.1 for t in range(1, 11)])),
        # h_t = t: steps of 0.1 / sqrt(t)
        "adagrad": list(1 - np.cumsum([0.1 / (math.sqrt(t) + 1e-7) for t in range(1, 11)])),
        # bias correction makes every Adam step lr * 1 / (1 + eps')
        "adam": None,
    }
    for name, want in expected.items():
        opt, p = optim.get(name, lr=0.1), {"x": np.array([1.0])}
        path = []
        for _ in range(10):
            opt.update(p, {"x": np.array([1.0])})
            path.append(p["x"][0])
        if name == "adam":
            steps = -np.diff([1.0] + path)
            assert np.allclose(steps, 0.1, rtol=1e-5), steps
        else:
            np.testing.assert_allclose(path, want, rtol=1e-12, atol=1e-12)


def test_momentum_zero_is_sgd_and_adam_first_step_is_lr():
    g = _gradient(_start(), 0)
    a, b, c = _start(), _start(), _start()
    optim.Momentum(lr=0.1, momentum=0.0).update(a, g)
    optim.SGD(lr=0.1).update(b, g)
    optim.Adam(lr=0.01).update(c, g)
    for k in a:
        assert np.array_equal(a[k], b[k])
        np.testing.assert_allclose(np.abs(c[k] - _start()[k]), 0.01, rtol=1e-5)


def test_nesterov_differs_from_momentum_after_the_first_step():
    a, b = _start(), _start()
    m, n = optim.Momentum(lr=0.1), optim.Nesterov(lr=0.1)
    for t in range(3):
        m.update(a, _gradient(a, t))
        n.update(b, _gradient(b, t))
    assert not np.allclose(a["W"], b["W"])


SCHEDULES = [
    (lambda: optim.StepDecay(0.1, step_size=3, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    (lambda: optim.ExponentialDecay(0.1, gamma=0.9),
     lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    (lambda: optim.InverseTimeDecay(0.1, k=0.5),
     lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + 0.5 * e))),
    (lambda: optim.CosineDecay(0.1, total=8, lr_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01)),
]


@pytest.mark.parametrize("ours, theirs", SCHEDULES, ids=["step", "exponential", "1/t", "cosine"])
def test_schedules_equal_torch_lr_scheduler(ours, theirs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched, torch_sched = ours(), theirs(opt)
    for epoch in range(9):
        assert sched(epoch) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12, abs=1e-15), epoch
        opt.step()
        torch_sched.step()


def test_minibatches_cover_every_sample_once():
    X, y = np.arange(23)[:, None] * 1.0, np.arange(23)
    batches = list(optim.minibatches(X, y, 5, rng=0))
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(23)) and list(seen) != list(range(23))  # shuffled
    assert all(np.array_equal(xb[:, 0], yb) for xb, yb in batches)  # pairs stay together
    again = np.concatenate([b[1] for b in optim.minibatches(X, y, 5, rng=0)])
    assert np.array_equal(seen, again)
    dropped = list(optim.minibatches(X, y, 5, rng=0, drop_last=True))
    assert [len(b[1]) for b in dropped] == [5, 5, 5, 5]
    in_order = np.concatenate([b[1] for b in optim.minibatches(X, y, 5, shuffle=False)])
    assert list(in_order) == list(range(23))


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="lr must be a finite number"):
        optim.Adam(lr=-1)
    with pytest.raises(ValueError, match="momentum must be .* below 1"):
        optim.Momentum(momentum=1.5)
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        next(optim.minibatches(np.zeros((3, 1)), np.zeros(2), 1))
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'"):
        optim.get("adamm")


def test_a_students_class_named_sgd_never_replaces_the_reference():
    class SGD(optim.Optimizer):  # noqa: F841 - defining it is the test
        def step(self, key, p, g):
            p += 1000.0

    assert optim.get("sgd").__class__ is optim.SGD
    assert optim.available() == ["adagrad", "adam", "momentum", "nesterov", "rmsprop", "sgd"]


class _Quadratic:
    """A model whose loss is mean((X w - y)^2), for driving the Solver."""

    def __init__(self):
        self.params = {"w": np.zeros(3)}

    def loss(self, X, y=None):
        scores = X @ self.params["w"]
        if y is None:
            return np.stack([-scores, scores], axis=1)
        r = scores - (2 * y - 1)
        return float(np.mean(r ** 2)), {"w": 2 * X.T @ r / len(y)}


def test_the_solver_takes_every_optimizer_and_a_schedule():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) > 0).astype(int)
    data = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    for name in optim.available():
        s = Solver(_Quadratic(), data, optimizer=name, optim_config={"lr": 0.05}, batch_size=20,
                   num_epochs=3, verbose=False, progress=False).train()
        assert s.loss_history[-1] < s.loss_history[0], name
    schedule = optim.CosineDecay(0.1, total=4)
    s = Solver(_Quadratic(), data, optimizer="sgd", schedule=schedule, num_epochs=5, batch_size=20,
               verbose=False, progress=False).train()
    assert s.lr_history == [schedule(e) for e in range(5)]
    with pytest.raises(ValueError, match="replaces lr_decay"):
        Solver(_Quadratic(), data, schedule=schedule, lr_decay=0.9)


def _bowl_path(opt, steps=30):
    """The path of (x, y) on f = x^2 / 20 + y^2 from (-7, 2)."""
    p = {"xy": np.array([-7.0, 2.0])}
    path = [p["xy"].copy()]
    for _ in range(steps):
        x, y = p["xy"]
        opt.update(p, {"xy": np.array([x / 10, 2 * y])})
        path.append(p["xy"].copy())
    return np.array(path)


def test_the_bowl_race_with_the_classic_learning_rates():
    rates = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "rmsprop": 0.1, "adam": 0.3, "nesterov": 0.1}
    paths = {name: _bowl_path(optim.get(name, lr=lr)) for name, lr in rates.items()}
    for name, path in paths.items():  # each ends closer to the minimum than it started
        assert np.linalg.norm(path[-1]) < np.linalg.norm(path[0]), name
    flips = {name: int(np.sum(np.diff(np.sign(path[:, 1])) != 0)) for name, path in paths.items()}
    assert flips["sgd"] > flips["momentum"], flips  # SGD zig-zags across the valley


def test_nesterov_moves_differently_from_the_first_step_in_its_stored_variable():
    """The notebook's claim: Nesterov's stored (look-ahead) variable takes
    p - (1 + mu) lr g at the first step, as torch.optim does; the real weights
    p - mu v equal Momentum's after one step and differ from the second."""
    g = {"w": np.array([2.0, -1.0])}
    a, b = {"w": np.array([1.0, 1.0])}, {"w": np.array([1.0, 1.0])}
    m, n = optim.Momentum(lr=0.1, momentum=0.9), optim.Nesterov(lr=0.1, momentum=0.9)
    m.update(a, g)
    n.update(b, g)
    assert np.allclose(b["w"], 1.0 - 1.9 * 0.1 * g["w"]) and not np.allclose(a["w"], b["w"])
    real = b["w"] - 0.9 * n.state["w"]["v"]
    assert np.allclose(real, a["w"])
    p = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    t = torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    p.grad = torch.tensor(g["w"])
    t.step()
    assert np.allclose(p.detach().numpy(), b["w"])
    m.update(a, {"w": 2 * a["w"]})
    n.update(b, {"w": 2 * b["w"]})
    assert not np.allclose(b["w"] - 0.9 * n.state["w"]["v"], a["w"])


def test_momentum_steady_step_is_lr_over_one_minus_mu():
    opt, p = optim.Momentum(lr=0.01, momentum=0.9), {"w": np.zeros(1)}
    for _ in range(300):
        before = p["w"].copy()
        opt.update(p, {"w": np.ones(1)})
    assert abs((before - p["w"])[0] - 0.01 / (1 - 0.9)) < 1e-12


def test_the_bowl_at_equal_effective_rates_as_the_notebook_says():
    """SGD's 0.95 ends closer than Momentum and Nesterov at lr 0.1 (0.36 vs 0.90
    and 0.69); above an effective rate of 1 SGD explodes and Momentum does not;
    Momentum tuned to the bowl's curvatures ends about 2e-4 from the minimum."""
    dist = lambda opt: float(np.linalg.norm(_bowl_path(opt)[-1]))
    assert round(dist(optim.SGD(lr=0.95)), 2) == 0.36
    assert round(dist(optim.Momentum(lr=0.1)), 2) == 0.90
    assert round(dist(optim.Nesterov(lr=0.1)), 2) == 0.69
    with np.errstate(all="ignore"):
        assert not dist(optim.SGD(lr=1.5)) < 7.28
    for effective in (1.5, 3.0, 10.0, 16.0):
        assert dist(optim.Momentum(lr=0.1 * effective)) < 7.28, effective
    mu = ((20 ** 0.5 - 1) / (20 ** 0.5 + 1)) ** 2
    lr = (2 / (2 ** 0.5 + 0.1 ** 0.5)) ** 2
    assert round(mu, 2) == 0.40 and round(lr, 2) == 1.34
    assert 1e-4 < dist(optim.Momentum(lr=lr, momentum=mu)) < 3e-4


def test_adam_bias_correction_numbers_in_the_model_answer():
    t = np.arange(1, 10001)
    factor = (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t)  # uncorrected step / lr, steady gradient
    assert [round(float(factor[k - 1]), 2) for k in (1, 10, 100, 1000)] == [3.16, 6.53, 3.24, 1.26]
    assert int(t[np.argmax(factor)]) == 12 and round(float(factor.max()), 2) == 6.57
    assert 3800 < int(t[np.argmax(factor < 1.01)]) < 4000
