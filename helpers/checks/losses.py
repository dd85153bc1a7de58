"""The steps that notebook 02's tests share.

Each loss test runs the student's loss with the references blocked, checks the
(loss, dW) pair it returns, and compares dW with the numerical gradient and
with PyTorch autograd. The random-search tests run the student's
``random_search`` with :class:`FakeModel`, whose accuracies are known, and
measure how the sampled values are spread. They live here, not in the
notebook's setup cell, so that an answer cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import linear
from . import integrity
from .assertions import check_close, check_shape, check_true
from .guard import without_reference
from .trace import probe
from ..gradcheck import eval_numerical_gradient

__all__ = ["SVM_REFS", "SOFTMAX_REFS", "small_problem", "as_pair", "run_loss", "numerical_dW",
           "check_loss_gradient", "train_with_course_loss", "FakeModel", "fake_accuracies", "fake_search", "log_spread"]

#: The references blocked while a student's SVM / softmax loss runs.
SVM_REFS = (linear.svm_loss_naive, linear.svm_loss_vectorized)
SOFTMAX_REFS = (linear.softmax_loss_naive, linear.softmax_loss_vectorized)

_numerical_gradient, _default_rng = eval_numerical_gradient, np.random.default_rng
_asarray, _log10, _sort, _exp, _arange, _mean, _round = (np.asarray, np.log10, np.sort, np.exp, np.arange,
                                                         np.mean, round)
_column_stack, _ones, _zeros, _concatenate, _abs, _diff = (np.column_stack, np.ones, np.zeros, np.concatenate,
                                                           np.abs, np.diff)


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


# ---------------------------------------------------------------- random search

class FakeModel:
    """Stands in for a classifier in the random-search tests: its training and
    validation accuracies are known functions of (lr, reg), best on validation
    at lr = 1e-2, reg = 1e-4. Every ``train`` call is appended to ``log`` as
    ``(lr, reg, number of training examples)``."""

    def __init__(self, log):
        self.log, self.lr, self.reg = log, None, None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              seed=None, verbose=False):
        self.lr, self.reg = float(learning_rate), float(reg)
        self.log.append((self.lr, self.reg, len(X)))
        return []

    def predict(self, X):
        # Column 0 is 1 in the fake training set and 0 in the validation set; all labels are 0.
        lr, reg = _log10(self.lr), _log10(self.reg)
        if X[0, 0] == 1:
            q = _exp(-((lr + 1) ** 2 + (reg + 6) ** 2) / 8)
        else:
            q = _exp(-((lr + 2) ** 2 + (reg + 4) ** 2) / 8)
        return (_arange(len(X)) >= _round(q * len(X))).astype(int)


#: The fake data sets: 500 training and 400 validation examples, all labelled 0.
X_FAKE_TRAIN = _column_stack([_ones(500), _arange(500)])
X_FAKE_VAL = _column_stack([_zeros(400), _arange(400)])
Y_FAKE_TRAIN, Y_FAKE_VAL = _zeros(500, dtype=int), _zeros(400, dtype=int)


def fake_accuracies(lr, reg):
    """(train accuracy, validation accuracy) of a FakeModel trained with (lr, reg)."""
    model = FakeModel([])
    model.lr, model.reg = lr, reg
    return (float(_mean(model.predict(X_FAKE_TRAIN) == 0)), float(_mean(model.predict(X_FAKE_VAL) == 0)))


def fake_search(search_fn, lr_range=(1e-6, 1.0), reg_range=(1e-7, 1e-1), num_trials=200, seed=0):
    """Run ``search_fn`` (a student's random_search) on the fake data with
    FakeModels, the reference blocked. Returns ``(result, trained)``: what it
    returned, with best_model as the (lr, reg) it was trained with (None if it
    is not one of the FakeModels), and the (lr, reg, N) of every training."""
    result, trained = _fake_search(search_fn, lr_range, reg_range, num_trials, seed)
    ok = isinstance(result, (tuple, list)) and len(result) == 3
    check_true(ok, "random_search should return three things: (results, best_params, best_model).",
               hint="End with `return results, best_params, best_model`.")
    return tuple(result), trained


@probe
def _fake_search(search_fn, lr_range, reg_range, num_trials, seed):
    trained = []
    with without_reference(linear.random_search):
        result = search_fn(lambda: FakeModel(trained), X_FAKE_TRAIN, Y_FAKE_TRAIN, X_FAKE_VAL, Y_FAKE_VAL,
                           lr_range=lr_range, reg_range=reg_range, num_trials=num_trials, num_iters=10,
                           seed=seed)
    if isinstance(result, (tuple, list)) and len(result) == 3:
        model = result[2]
        result = (result[0], result[1], (model.lr, model.reg) if isinstance(model, FakeModel) else None)
    return result, trained


@probe
def train_with_course_loss(cls, loss, X, y, W=None, **train_args):
    """Train a subclass of the student's classifier ``cls`` whose loss is the
    course's ("softmax" or "svm"), so that a test checks ``train`` alone;
    start from ``W`` if given. Returns {"history": what train returned, "W":
    the weights after training, "batches": [(X_batch, y_batch, reg) of every
    call of the loss]}."""
    course_loss = {"softmax": linear.softmax_loss_vectorized, "svm": linear.svm_loss_vectorized}[loss]

    class CourseLoss(cls):
        def loss(self, X_batch, y_batch, reg):
            self.batches.append((np.array(X_batch, copy=True), np.array(y_batch, copy=True), reg))
            return course_loss(self.W, X_batch, y_batch, reg)

    clf = CourseLoss()
    clf.batches = []
    if W is not None:
        clf.W = np.array(W, dtype=float, copy=True)
    history = clf.train(X, y, **train_args)
    return {"history": history, "W": getattr(clf, "W", None), "batches": clf.batches}


def log_spread(values, low, high):
    """How values drawn in [low, high] are spread on a log scale.

    Returns ``(below_middle, ks, largest_gap)``: the fraction below the
    log-middle of the range; the Kolmogorov-Smirnov distance between the
    log-values and a uniform distribution (a random sample of 200 stays
    below 0.14 with probability 0.999); and the largest gap between
    neighbouring log-values, the range being 1 (about ln(n) / n for a random
    sample, 1 / (n - 1) for an evenly spaced grid)."""
    u = _sort((_log10(_asarray(values, dtype=float)) - _log10(low)) / (_log10(high) - _log10(low)))
    n = len(u)
    i = _arange(1, n + 1)
    ks = float(max(_abs(i / n - u).max(), _abs((i - 1) / n - u).max()))
    gap = float(_diff(_concatenate([[0.0], u, [1.0]])).max())
    return float(_mean(u < 0.5)), ks, gap


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
