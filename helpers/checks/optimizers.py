"""The optimizer test steps of notebook 04: trajectories against ``torch.optim``.

A test builds the student's optimizer and runs it for a few steps on a fixed
gradient sequence that depends on where the parameters are (so any difference
in the path shows up in the later gradients), with every reference optimizer
of :mod:`helpers.optim` blocked; the same steps run through ``torch.optim``
give the expected path. Each step also checks that ``update`` changed the
arrays in place.

Imported by the test cells of notebook 04 (it imports torch), and locked like
:mod:`helpers.checks.losses`.
"""
from __future__ import annotations

import contextlib
import sys

import numpy as np
import torch
from torch.utils.data import DataLoader

from .. import optim
from ..data import load_mnist1d
from . import integrity
from .assertions import check_close, check_equal, check_true
from .blockers import library_blocked
from .guard import without_reference
from .trace import probe

__all__ = ["OPTIMIZER_REFS", "HINTS", "answering", "start_params", "gradient", "torch_path", "student_path",
           "check_path", "check_stays", "first_step_inputs", "check_first_step", "bowl_gradient", "torch_bowl_path", "bowl_cases",
           "dataloader_sizes", "check_batches", "torch_step_lrs", "small_mnist1d", "who_trained_what",
           "check_owners"]

integrity.snapshot()  # torch is imported now: record it

#: The reference optimizers, all blocked while a student's optimizer runs.
OPTIMIZER_REFS = (optim.SGD, optim.Momentum, optim.Nesterov, optim.AdaGrad, optim.RMSProp, optim.Adam)

_default_rng, _asarray, _array, _float64 = np.random.default_rng, np.asarray, np.array, np.float64
_array_equal, _isfinite, _all, _zeros = np.array_equal, np.isfinite, np.all, np.zeros
_concatenate, _sort, _arange, _column_stack = np.concatenate, np.sort, np.arange, np.column_stack
_tensor, _no_grad = torch.tensor, torch.no_grad
_StepLR, _SGD_torch = torch.optim.lr_scheduler.StepLR, torch.optim.SGD

#: The hints of the notebook's checks that take more than a line.
HINTS = {
    "nesterov": ("keep a copy of the old velocity (v_prev = v.copy(): `v_prev = v` is the same "
                 "array and changes with it), update v as Momentum does, then "
                 "p += -momentum * v_prev + (1 + momentum) * v."),
    "adagrad eps": "add eps to sqrt(h): with h = 0 and g = 0, g / sqrt(h) is 0/0 = nan.",
    "adam first step": ("after the bias correction the first step is lr * g / |g|: every weight moves "
                        "by lr. A step of about 3.16 * lr means the bias correction is missing."),
    "step decay": ("the rate drops at epochs step_size, 2 * step_size, ...: use the whole "
                   "number epoch // step_size as the exponent, and epoch 0 gives lr."),
}


@contextlib.contextmanager
def answering(exercise, namespace=None):
    """The block a student's answer to ``exercise`` runs in, with what the
    course would compute for it refused: the reference optimizers
    (``"optimizers"``), the course's path on the bowl (``"run_on_bowl"``),
    ``helpers.optim.minibatches`` and PyTorch's ``DataLoader``
    (``"minibatches"``), ``StepDecay`` and PyTorch's ``StepLR``
    (``"step_decay"``). Pass the notebook's ``globals()`` as ``namespace`` so
    that the student's own aliases of a blocked library class are caught too."""
    if exercise == "minibatches":
        block = library_blocked([("helpers.optim", "minibatches"), ("torch.utils.data", "DataLoader")],
                                namespace, why="write the batching yourself")
    elif exercise == "step_decay":
        block = library_blocked([("helpers.optim", "StepDecay"), ("torch.optim.lr_scheduler", "StepLR")],
                                namespace, why="write the formula yourself")
    elif exercise == "run_on_bowl":
        block = without_reference("helpers.widgets.optimizers.bowl_path")
    else:
        block = without_reference(*OPTIMIZER_REFS)
    integrity.verify()
    with block:
        yield


def start_params(seed=0, shapes=(("W", (4, 3)), ("b", (3,)))):
    """A fresh dict of float64 arrays (standard normal), one per (key, shape)."""
    rng = _default_rng(seed)
    return {k: rng.standard_normal(shape) for k, shape in shapes}


def gradient(params, t, zero=()):
    """The gradient at step t: a quadratic bowl centred at 0.3 plus a fixed
    push drawn for step t. It depends on the current parameters. Keys in
    ``zero`` map to (key, index) pairs whose gradient is always 0."""
    rng = _default_rng(1000 + t)
    g = {k: 2.0 * (_asarray(v, dtype=_float64) - 0.3) + rng.standard_normal(_asarray(v).shape)
         for k, v in params.items()}
    for k, ix in zero:
        g[k][ix] = 0.0
    return g


def torch_path(torch_cls, kwargs, start, steps=10, zero=(), lr_at=None):
    """The parameters after each of ``steps`` steps of ``torch_cls(**kwargs)``
    (float64 tensors), fed :func:`gradient`. ``lr_at(t)``, if given, sets the
    learning rate before step t. Returns a list of dicts of arrays."""
    integrity.verify()
    tensors = {k: _tensor(_array(v, dtype=_float64), requires_grad=True) for k, v in start.items()}
    opt = torch_cls(list(tensors.values()), **kwargs)
    path = []
    for t in range(steps):
        if lr_at is not None:
            for group in opt.param_groups:
                group["lr"] = lr_at(t)
        g = gradient({k: v.detach().numpy() for k, v in tensors.items()}, t, zero)
        for k, v in tensors.items():
            v.grad = _tensor(g[k])
        opt.step()
        path.append({k: v.detach().numpy().copy() for k, v in tensors.items()})
    return path


def student_path(name, make, start, steps=10, zero=(), lr_at=None):
    """Build ``make()`` (the student's optimizer) and run ``steps`` updates on
    a copy of ``start`` with the references blocked; returns the parameters
    after each step. Fails with a clear message when ``update`` does not
    change the arrays in place."""
    run = _run_optimizer(make, start, steps, zero, lr_at)
    check_true(run["rebound_at"] is None,
               f"After {name}.update, params holds new arrays instead of the old ones changed in place.",
               hint="change each array in place (p -= ..., p[...] = ...): a model keeps "
                    "its own references to these arrays and would never see new ones.")
    check_true(run["unchanged_at"] is None,
               f"{name}.update did not change the parameters at step {run['unchanged_at']} (the gradient "
               "is not zero).",
               hint="`p = p - lr * g` only rebinds the local name p and leaves the array "
                    "unchanged: write `p -= lr * g` to change it in place.")
    return run["path"]


@probe
def _run_optimizer(make, start, steps, zero, lr_at):
    """What the student's optimizer did, as data: the parameters after each
    step, and the first step (1-based) where update put new arrays into
    params or left them unchanged."""
    params = {k: _array(v, dtype=_float64) for k, v in start.items()}
    ids = {k: id(v) for k, v in params.items()}
    run = {"path": [], "rebound_at": None, "unchanged_at": None}
    with without_reference(*OPTIMIZER_REFS):
        opt = make()
        for t in range(steps):
            if lr_at is not None:
                opt.lr = lr_at(t)
            before = {k: v.copy() for k, v in params.items()}
            opt.update(params, gradient(params, t, zero))
            if not all(id(params[k]) == ids[k] for k in params):
                run["rebound_at"] = t + 1
                break
            if all(_array_equal(params[k], before[k]) for k in params):
                run["unchanged_at"] = t + 1
                break
            run["path"].append({k: _array(v, dtype=_float64) for k, v in params.items()})
    return run


def check_path(name, make, torch_cls, torch_kwargs, start, steps=10, zero=(), hint=None, tol=1e-10,
               lr_at=None):
    """The student's path against torch.optim's, step by step and key by key."""
    ours = student_path(name, make, start, steps, zero, lr_at)
    theirs = torch_path(torch_cls, torch_kwargs, start, steps, zero, lr_at)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for k in b:
            check_close(f"params[{k!r}] after step {t + 1} of {name}", a[k], b[k], tol=tol, hint=hint)


def check_stays(name, make, start, zero, steps=3):
    """The weights in ``zero`` (their gradient is always 0) are where they
    started after ``steps`` steps of ``make()``: 0 / (0 + eps) = 0, not nan."""
    path = student_path(name, make, start, steps=steps, zero=zero)
    for k, ix in zero:
        check_close(f"{k}[{ix}], whose gradient is always 0, after {steps} steps", path[-1][k][ix],
                    _asarray(start[k], dtype=_float64)[ix], hint=HINTS["adagrad eps"])


def first_step_inputs(seed=7):
    """``(start, params, grads)`` for Adam's first step: ``start_params(seed)``,
    a copy of it for the optimizer to change, and gradients of random sign
    and size from 0.05 to 50."""
    rng = _default_rng(seed)
    start = start_params(seed)
    grads = {k: rng.choice([-1.0, 1.0], v.shape) * rng.uniform(0.05, 50.0, v.shape) for k, v in start.items()}
    return start, {k: v.copy() for k, v in start.items()}, grads


def check_first_step(params, start, grads, lr):
    """After Adam's first update each weight moved by ``lr`` against the sign
    of its gradient, whatever the gradient's size."""
    for k, g in grads.items():
        check_close(f"the first step of Adam(lr={lr}) on params[{k!r}] (gradients from 0.05 to 50)",
                    params[k] - start[k], -lr * g / abs(g), tol=1e-5, hint=HINTS["adam first step"])


# ---------------------------------------------------------------- minibatches and schedules
def dataloader_sizes(n, batch_size, drop_last):
    """The batch sizes of ``DataLoader`` over ``n`` examples."""
    integrity.verify()
    return _array([len(b) for b in DataLoader(list(range(n)), batch_size=batch_size, drop_last=drop_last)],
                  dtype=int)


def check_batches(epochs, y, batch_size=5):
    """Three epochs of ``minibatches`` over X[i] = 10 * y[i] (seed 0, seed 0
    again, seed 0 with drop_last=True): pairs, DataLoader's batch sizes, every
    example once, shuffled, rows kept with their labels, the rng used."""
    batches, again, dropped = epochs
    n = len(y)
    check_true(all(isinstance(b, tuple) and len(b) == 2 for b in batches),
               "minibatches should yield pairs (X_batch, y_batch).")
    check_equal(f"the batch sizes for N = {n}, batch_size = {batch_size}", _array([len(b[1]) for b in batches]),
                dataloader_sizes(n, batch_size, False), hint="the last batch holds the 3 examples left over.")
    seen = _concatenate([b[1] for b in batches])
    check_equal("the labels of all batches, sorted", _sort(seen), y,
                hint="every example exactly once per epoch: slice one permutation, do not draw "
                     "each batch at random.")
    check_true(not _array_equal(seen, y), "The batches come in the original order: shuffle them.",
               hint="idx = rng.permutation(len(X)), then slice idx.")
    check_true(all(_array_equal(xb[:, 0], 10.0 * yb) for xb, yb in batches),
               "Some X_batch rows do not belong to their y_batch labels.",
               hint="index X and y with the same indices; never shuffle them separately.")
    check_equal("the labels with the same seed, run twice", _concatenate([b[1] for b in again]), seen,
                hint="shuffle with the rng you are given (rng.permutation), not np.random.")
    check_equal("the batch sizes with drop_last=True", _array([len(b[1]) for b in dropped]),
                dataloader_sizes(n, batch_size, True), hint="drop_last=True leaves out the smaller last batch.")


def torch_step_lrs(lr, step_size, gamma, epochs=12):
    """The learning rates of ``torch.optim.lr_scheduler.StepLR`` for epochs 0, 1, ..."""
    integrity.verify()
    opt = _SGD_torch([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = _StepLR(opt, step_size=step_size, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return _array(lrs)


# ---------------------------------------------------------------- compare_optimizers
def small_mnist1d():
    """300 MNIST-1D training signals and 100 more for validation (a Solver's data dict)."""
    m = load_mnist1d()
    return dict(X_train=m["X_train"][:300], y_train=m["y_train"][:300],
                X_val=m["X_train"][300:400], y_val=m["y_train"][300:400])


def check_owners(seen, lrs):
    """What :func:`who_trained_what` saw: one solver per name of ``lrs``, and
    each network changed by the optimizer of its own name alone."""
    check_true(seen["names"] == sorted(lrs),
               f"compare_optimizers should return a dict with one solver per name {sorted(lrs)}.")
    for name, net in seen["nets"].items():
        check_true(net["owners"] == [name],
                   f"The network of the curve {name!r} was changed by the optimizer(s) {net['owners']}, "
                   f"not by optimizers[{name!r}] alone.",
                   hint="zip pairs the i-th network with the i-th optimizer, whatever their names: "
                        "the two dicts are in different orders. Look each optimizer up by its name.")
        check_true(net["only_own"],
                   f"optimizers[{name!r}] also changed arrays outside the network of {name!r}.",
                   hint="build one network per name; never share one network between two solvers.")


class _Spy(optim.Optimizer):
    """SGD that remembers which arrays it changed."""

    def __init__(self, lr):
        super().__init__(lr)
        self.changed = set()

    def step(self, key, p, g):
        self.changed.add(id(p))
        p -= self.lr * g


@probe
def who_trained_what(compare_optimizers, lrs, data, **kwargs):
    """Give the student's ``compare_optimizers`` one spying SGD per name in
    ``lrs``, and report, as data: the names of the solvers it returned, and
    for each name the optimizers that changed that solver's network
    (``owners``) and whether its own optimizer changed nothing else
    (``only_own``)."""
    spies = {name: _Spy(lr) for name, lr in lrs.items()}
    solvers = compare_optimizers(dict(spies), data, **kwargs)
    if not isinstance(solvers, dict) or sorted(solvers) != sorted(spies):
        return {"names": sorted(map(str, solvers)) if isinstance(solvers, dict) else None, "nets": {}}
    nets = {}
    for name, spy in spies.items():
        arrays = {id(a) for a in solvers[name].model.params.values()}
        nets[name] = {"owners": [n for n, s in spies.items() if arrays & s.changed],
                      "only_own": spy.changed == arrays}
    return {"names": sorted(solvers), "nets": nets}


# ---------------------------------------------------------------- the bowl
def bowl_gradient(xy):
    """The gradient of f(x, y) = x**2 / 20 + y**2 at ``xy``."""
    x, y = _asarray(xy, dtype=_float64)
    return _array([x / 10.0, 2.0 * y])


def bowl_cases():
    """``(name, make the optimizer, keyword arguments of run_on_bowl, expected
    path, hint)``: the course's SGD(lr=0.95) from (-7, 2), whose path is known
    in closed form (x_t = -7 * 0.905**t, y_t = 2 * (-0.9)**t), then the
    course's Adam(lr=0.3, eps=0) from (3, -1) for 12 steps, against
    torch.optim.Adam's path."""
    t = _arange(31)
    yield ("the path of SGD(lr=0.95)", lambda: optim.SGD(lr=0.95), {},
           _column_stack([-7 * 0.905 ** t, 2 * (-0.9) ** t]),
           "the start, then one row after each of the 30 steps: a (31, 2) array. The gradient of "
           "x**2/20 + y**2 is (x / 10, 2 * y), at the current position; store a copy of the position "
           "after each step (path.append(xy.copy())).")
    yield ("the path of Adam(lr=0.3) from (3, -1), 12 steps, against torch.optim.Adam",
           lambda: optim.Adam(lr=0.3, eps=0.0), {"start": (3.0, -1.0), "num_steps": 12},
           torch_bowl_path(torch.optim.Adam, {"lr": 0.3, "eps": 0.0}, start=(3.0, -1.0), steps=12),
           "use one params dict (same key) for all steps, so the optimizer keeps its state.")


def torch_bowl_path(torch_cls, kwargs, start=(-7.0, 2.0), steps=30):
    """(steps + 1, 2) positions of ``torch_cls`` minimising x**2/20 + y**2 with
    autograd, from ``start``."""
    integrity.verify()
    p = _tensor(_array(start, dtype=_float64), requires_grad=True)
    opt = torch_cls([p], **kwargs)
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        f = p[0] ** 2 / 20 + p[1] ** 2
        f.backward()
        opt.step()
        out.append(p.detach().numpy().copy())
    return _array(out)


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
