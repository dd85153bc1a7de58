"""The steps that notebook 02's loss-function tests share.

Each test runs the student's loss with the references blocked, checks the
(loss, dW) pair it returns, and compares dW with the numerical gradient and
with PyTorch autograd. They live here, not in the notebook's setup cell, so
that an answer cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import linear
from . import integrity
from .assertions import check_close, check_shape, check_true
from .guard import without_reference
from ..gradcheck import eval_numerical_gradient

__all__ = ["SVM_REFS", "SOFTMAX_REFS", "small_problem", "as_pair", "run_loss", "numerical_dW",
           "check_loss_gradient"]

#: The references blocked while a student's SVM / softmax loss runs.
SVM_REFS = (linear.svm_loss_naive, linear.svm_loss_vectorized)
SOFTMAX_REFS = (linear.softmax_loss_naive, linear.softmax_loss_vectorized)

_numerical_gradient, _default_rng = eval_numerical_gradient, np.random.default_rng


def small_problem(seed, N=6, D=5, C=4, scale=1.0):
    """A random ``(W, X, y)``: W (D, C), X (N, D) float64, y (N,) int in [0, C)."""
    rng = _default_rng(seed)
    return scale * rng.standard_normal((D, C)), rng.standard_normal((N, D)), rng.integers(0, C, size=N)


def as_pair(name, result):
    """The ``(loss, dW)`` a loss function returned, as (float, dW), or a
    failed check saying what is wrong with it."""
    ok = isinstance(result, (tuple, list)) and len(result) == 2
    check_true(ok, f"`{name}` should return a pair (loss, dW), but it returned "
               f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
               + ".", hint="End the function with `return loss, dW`.")
    check_shape(f"the loss returned by {name}", result[0], (),
                hint="The loss is one number: the mean over the examples plus the regularization.")
    return float(np.asarray(result[0])), result[1]


def run_loss(loss_fn, refs, W, X, y, reg, **kwargs):
    """``(loss, dW)`` of ``loss_fn(W, X, y, reg, **kwargs)``, run with the references ``refs`` blocked."""
    with without_reference(*refs):
        return as_pair(loss_fn.__name__, loss_fn(W, X, y, reg, **kwargs))


def numerical_dW(loss_fn, refs, W, X, y, reg, **kwargs):
    """The numerical gradient of loss_fn's loss at W, with the references ``refs`` blocked."""
    with without_reference(*refs):
        return _numerical_gradient(lambda w: loss_fn(w, X, y, reg, **kwargs)[0], W.copy())


def check_loss_gradient(loss_fn, refs, oracle, W, X, y, hint):
    """dW at reg = 0 against the numerical gradient (``hint`` says what usually
    goes wrong), dW at reg = 0.3 against PyTorch autograd (``oracle``), and
    their difference against 2 * reg * W."""
    _, dW0 = run_loss(loss_fn, refs, W, X, y, 0.0)
    dW_num = numerical_dW(loss_fn, refs, W, X, y, 0.0)
    _, dW_reg = run_loss(loss_fn, refs, W, X, y, 0.3)
    check_close("dW (reg = 0) against the numerical gradient", dW0, dW_num, hint=hint)
    check_close("dW (reg = 0.3) against PyTorch autograd", dW_reg, oracle(W, X, y, 0.3)[1],
                hint="Is the regularization gradient 2 * reg * W?")
    check_close("dW(reg = 0.3) - dW(reg = 0), the regularization gradient", dW_reg - dW0, 2 * 0.3 * W,
                hint="The gradient of reg * np.sum(W * W) is 2 * reg * W.")


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
