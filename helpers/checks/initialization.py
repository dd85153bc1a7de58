"""The steps that notebook 05's tests share.

The initializer tests draw a large matrix with the student's function (the
references of :mod:`helpers.init` blocked), and compare its spread with the
formula and with ``torch.nn.init``; they measure the shape of the
distribution (normal or uniform) and check that the draws come from the
``rng`` given. :func:`torch_fc_grads` is PyTorch's autograd on a
:class:`helpers.nets.FullyConnectedNet`, the oracle of the gradient-norm
test. They live here, not in the notebook's setup cell, so that an answer
cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import init as _init
from . import integrity
from .assertions import check_close, check_true
from .guard import without_reference

__all__ = ["INIT_REFS", "draw", "torch_std", "check_std", "check_normal_shape", "check_uniform_shape",
           "check_uses_rng", "he_for_training", "torch_fc_grads"]

#: Every initializer reference, blocked while a student's initializer runs.
INIT_REFS = (_init.normal, _init.constant, _init.zeros, _init.xavier_normal, _init.xavier_uniform,
             _init.he_normal, _init.he_uniform, _init.gradient_norms)

_default_rng, _asarray, _isfinite, _all, _abs, _mean, _sqrt = (
    np.random.default_rng, np.asarray, np.isfinite, np.all, np.abs, np.mean, np.sqrt)
_issubdtype, _floating, _array_equal, _float64 = np.issubdtype, np.floating, np.array_equal, np.float64
_norm = np.linalg.norm

_FIX = {
    "normal": "use rng.standard_normal(shape) (or rng.normal(0, std, shape)) times the std.",
    "uniform": "use rng.uniform(-bound, bound, shape).",
}


def draw(fn, shape, seed=0):
    """``fn(shape, rng)`` with a fresh ``default_rng(seed)``, the references
    blocked; checks that it is a finite float array of that shape."""
    with without_reference(*INIT_REFS):
        W = fn(tuple(shape), _default_rng(seed))
    name = getattr(fn, "__name__", "init")
    check_true(W is not None, f"`{name}` returned None.", hint="End the function with `return W`.")
    W = _asarray(W)
    check_true(W.shape == tuple(shape),
               f"`{name}({tuple(shape)}, rng)` returned shape {W.shape}, expected {tuple(shape)}.",
               hint="pass `shape` on to the random generator, e.g. rng.standard_normal(shape).")
    check_true(_issubdtype(W.dtype, _floating) and bool(_all(_isfinite(W))),
               f"`{name}` should return finite floats, got dtype {W.dtype}.")
    return W.astype(_float64)


def torch_std(kind, n, seed=0):
    """The std of an (n, n) float64 tensor filled by ``torch.nn.init``:
    ``kind`` is xavier_normal, xavier_uniform, he_normal or he_uniform
    (kaiming_*_ with mode="fan_in", nonlinearity="relu")."""
    import torch

    fills = {
        "xavier_normal": torch.nn.init.xavier_normal_,
        "xavier_uniform": torch.nn.init.xavier_uniform_,
        "he_normal": lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu"),
        "he_uniform": lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_in", nonlinearity="relu"),
    }
    t = torch.empty((n, n), dtype=torch.float64)
    torch.manual_seed(seed)
    fills[kind](t)
    return float(t.std())


def check_std(what, W, std, hint=None):
    """The std of W within about 2% of ``std`` (relative error 1e-2: with
    tens of thousands of draws a right answer lands within 0.5%), and the
    mean near 0."""
    check_close(f"the std of {what}", float(W.std()), std, tol=1e-2, hint=hint)
    check_true(abs(float(W.mean())) < 0.05 * std,
               f"The mean of {what} is {float(W.mean()):.3g}, far from 0 (the std is {std:.3g}).",
               hint="the weights must be centred on 0: a normal N(0, std^2), or uniform in [-a, a].")


def check_normal_shape(what, W):
    """W looks normal: about 4.55% of its values lie beyond 2 std."""
    beyond = float(_mean(_abs(W - W.mean()) > 2 * W.std()))
    check_true(0.038 < beyond < 0.053,
               f"{beyond:.2%} of {what} lie beyond 2 standard deviations; a normal distribution "
               "puts 4.55% there (a uniform one none).", hint=_FIX["normal"])


def check_uniform_shape(what, W, bound):
    """W looks uniform on [-bound, bound]: nothing beyond, the extremes near
    it, half of the values within bound / 2."""
    top = float(_abs(W).max())
    check_true(top <= bound * (1 + 1e-9),
               f"The largest |value| of {what} is {top:.4g}, above the bound {bound:.4g}.",
               hint="U(-a, a) with a = sqrt(3 * variance): " + _FIX["uniform"])
    check_true(top >= 0.98 * bound,
               f"The largest |value| of {what} is {top:.4g}; with so many draws from U(-a, a) it "
               f"should come close to a = {bound:.4g}.", hint=_FIX["uniform"])
    half = float(_mean(_abs(W) < bound / 2))
    check_true(0.48 < half < 0.52,
               f"{half:.1%} of {what} lie within half the bound; a uniform distribution puts 50% there.",
               hint=_FIX["uniform"])


def check_uses_rng(fn, shape=(30, 20)):
    """Two generators with the same seed give the same matrix, two seeds two
    different ones: the draws come from the ``rng`` argument."""
    name = getattr(fn, "__name__", "init")
    a, b, c = draw(fn, shape, 5), draw(fn, shape, 5), draw(fn, shape, 6)
    check_true(_array_equal(a, b) and not _array_equal(a, c),
               f"`{name}(shape, rng)` should draw from the generator `rng` it is given: the same "
               "seed must give the same matrix, another seed another one.",
               hint="write rng.standard_normal(...) or rng.uniform(...), not np.random.randn(...).")


def he_for_training(fn):
    """``(init, note)``: the student's ``fn`` when it draws a (400, 100)
    matrix with a std within 5% of sqrt(2 / 400) from the rng it is given,
    else the reference :func:`helpers.init.he_normal` and a note saying so, so
    that a training test's points depend on the training code alone."""
    try:
        with without_reference(*INIT_REFS):
            W = _asarray(fn((400, 100), _default_rng(0)), dtype=_float64)
            again = _asarray(fn((400, 100), _default_rng(0)), dtype=_float64)
        ok = (W.shape == (400, 100) and bool(_all(_isfinite(W))) and _array_equal(W, again)
              and abs(float(W.std()) / float(_sqrt(2 / 400)) - 1) < 0.05 and abs(float(W.mean())) < 0.005)
    except Exception:  # a blank exercise, a blocked reference, a wrong signature
        ok = False
    if ok:
        return fn, ""
    return _init.he_normal, ("Your he_normal does not pass its tests yet (Exercise 3), so this test uses "
                             "the course's he_normal instead: its points depend on train_deep_net alone.")


def torch_fc_grads(net, X, y):
    """(loss, {"W1": ..., ...}) of a FullyConnectedNet by PyTorch autograd, float64."""
    import torch
    import torch.nn.functional as F

    acts = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "elu": F.elu}
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    h = torch.tensor(X, dtype=torch.float64)
    L = net.num_layers
    for i in range(1, L):
        h = acts[net.activation](h @ params[f"W{i}"] + params[f"b{i}"])
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if scores.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(scores[:, 0], torch.tensor(y, dtype=torch.float64))
    else:
        loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + net.reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return float(loss.detach()), {k: v.grad.numpy() for k, v in params.items()}


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
