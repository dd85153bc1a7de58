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

import sys

import numpy as np
import torch

from .. import optim
from . import integrity
from .assertions import check_close, check_true
from .guard import without_reference
from .trace import probe

__all__ = ["OPTIMIZER_REFS", "start_params", "gradient", "torch_path", "student_path",
           "check_path", "bowl_gradient", "torch_bowl_path"]

integrity.snapshot()  # torch is imported now: record it

#: The reference optimizers, all blocked while a student's optimizer runs.
OPTIMIZER_REFS = (optim.SGD, optim.Momentum, optim.Nesterov, optim.AdaGrad, optim.RMSProp, optim.Adam)

_default_rng, _asarray, _array, _float64 = np.random.default_rng, np.asarray, np.array, np.float64
_array_equal, _isfinite, _all, _zeros = np.array_equal, np.isfinite, np.all, np.zeros
_tensor, _no_grad = torch.tensor, torch.no_grad


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


# ---------------------------------------------------------------- compare_optimizers

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
