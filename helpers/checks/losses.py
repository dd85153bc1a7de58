"""The steps that notebook 02's tests share.

Each loss test runs the student's loss with the references blocked, checks the
(loss, dW) pair it returns, and compares dW with the numerical gradient and
with PyTorch autograd. The classifier tests train a subclass of the student's
``LinearClassifier`` whose loss is the course's, and compare its steps with
``torch.optim.SGD``. The random-search tests run the student's
``random_search`` with :class:`FakeModel`, whose accuracies are known, and
measure how the sampled values are spread. A test cell shows its inputs, the
call and the comparison; the machinery and the long hints live here, not in
the notebook's setup cell, so that an answer cell cannot redefine them.

The inputs of hidden tests stay in the hidden test code: nothing here tells
which cases are checked at grading time.
"""
from __future__ import annotations

import sys
from typing import NamedTuple

import numpy as np

from .. import linear
from . import integrity
from .assertions import SMOOTH, _verified, check_close, check_equal, check_shape, check_true
from .blockers import check_no_loops
from .guard import without_reference
from .trace import probe
from ..gradcheck import eval_numerical_gradient

__all__ = ["SVM_REFS", "SOFTMAX_REFS", "CLASSIFIER_REFS", "small_problem", "as_pair", "run_loss", "numerical_dW",
           "check_loss_gradient", "LossCase", "svm_loss_cases", "softmax_loss_cases", "softmax_example",
           "check_worked_softmax", "large_scores", "run_loss_silently", "check_finite", "run_without_loops",
           "train_with_course_loss", "train_cases", "train_runs", "classifier_with", "check_sgd_steps", "check_batches", "check_learning",
           "predict_cases", "check_predictions", "FakeModel", "fake_accuracies", "fake_search", "fake_results",
           "OTHER_SEARCH", "check_sampling", "check_search", "log_spread",
           "HINT_SVM_NAIVE_GRAD", "HINT_SVM_VECTORIZED_GRAD", "HINT_SOFTMAX_NAIVE_GRAD",
           "HINT_SOFTMAX_VECTORIZED_GRAD", "HINT_SVM_NO_LOOPS", "HINT_SOFTMAX_NO_LOOPS", "HINT_SIZES",
           "HINT_SHIFT", "HINT_SHIFT_ROWS"]

#: The references blocked while a student's SVM / softmax loss runs.
SVM_REFS = (linear.svm_loss_naive, linear.svm_loss_vectorized)
SOFTMAX_REFS = (linear.softmax_loss_naive, linear.softmax_loss_vectorized)
#: The references blocked while a student's classifier trains or predicts.
CLASSIFIER_REFS = (linear.LinearClassifier, linear.LinearClassifier.train, linear.LinearClassifier.predict)

_numerical_gradient, _default_rng = eval_numerical_gradient, np.random.default_rng
_asarray, _log10, _sort, _exp, _arange, _mean, _round = (np.asarray, np.log10, np.sort, np.exp, np.arange,
                                                         np.mean, round)
_column_stack, _ones, _zeros, _concatenate, _abs, _diff = (np.column_stack, np.ones, np.zeros, np.concatenate,
                                                           np.abs, np.diff)
_array, _full, _tile, _hstack, _all, _isfinite, _log, _unique, _array_equal = (
    np.array, np.full, np.tile, np.hstack, np.all, np.isfinite, np.log, np.unique, np.array_equal)
_issubdtype, _integer, _floating, _npround = np.issubdtype, np.integer, np.floating, np.round


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


# ---------------------------------------------------------------- the loss tests' cases and steps

HINT_SVM_NAIVE_GRAD = ("Each violated margin adds X[i] to column j and subtracts X[i] from column y[i]; "
                       "divide by N at the end.")
HINT_SVM_VECTORIZED_GRAD = ("dW = X.T @ dS / N with dS (N, C): 1 where a margin is violated, minus the count "
                            "of violations at the correct class. A shape (C, D) means X and dS were swapped.")
HINT_SOFTMAX_NAIVE_GRAD = "Column j gets (p_j - [j == y_i]) * X[i] for every example; divide by N."
HINT_SOFTMAX_VECTORIZED_GRAD = ("dS = P with 1 subtracted at each row's correct class; dW = X.T @ dS / N. "
                                "A shape (C, D) means X and dS were swapped.")
HINT_SVM_NO_LOOPS = ("No for or while loop, no comprehension, no call of svm_loss_naive: "
                     "scores = X @ W, margins by broadcasting, dW = X.T @ dS / N.")
HINT_SOFTMAX_NO_LOOPS = ("No for or while loop, no comprehension, no call of softmax_loss_naive: "
                         "scores = X @ W, row-wise max, exp and sums along axis=1, dW = X.T @ dS / N.")
HINT_SIZES = "The loss is right on small problems? Then look for sizes written into the code."
HINT_SHIFT = "np.exp(1000) overflows. Subtract the largest score of each example before np.exp."
HINT_SHIFT_ROWS = ("np.exp(1000) overflows. Subtract each row's maximum: scores - scores.max(axis=1, "
                   "keepdims=True); one shift for the whole batch is not enough when rows differ by 2000.")
_PYTORCH_SVM = "Expected: PyTorch's multi-margin loss (times C) + reg * np.sum(W * W)."
_PYTORCH_SOFTMAX = "Expected: PyTorch's F.cross_entropy (mean over the examples) + reg * np.sum(W * W)."


class LossCase(NamedTuple):
    """One call ``loss_fn(*inputs, **options)`` and the loss it must return."""
    name: str
    inputs: tuple  # (W, X, y, reg)
    options: dict
    expected: float
    tol: float = SMOOTH
    hint: str | None = None


def _one_example(scores, label):
    """(W, X, y, reg) whose scores are ``scores``: X = [[1]], so the scores are W's single row."""
    return _array([scores], dtype=float), _ones((1, 1)), _array([label]), 0.0


@_verified
def svm_loss_cases(kind):
    """The visible loss cases of ``svm_loss_naive`` (``kind="naive"``) or
    ``svm_loss_vectorized``: the worked example (scores [13, -7, 11], y = 0,
    delta = 10: loss 8); tiny random weights, 10 classes (loss about 9, one
    delta per wrong class); a small problem with reg = 0.1 against PyTorch."""
    from .oracles import torch_svm_loss
    naive = kind == "naive"
    example_hint = ("max(0, -7 - 13 + 10) + max(0, 11 - 13 + 10) = 0 + 8. Getting 18 means the correct class "
                    "was counted (skip j == y[i]); getting 0, that the margin is not `delta`." if naive else
                    "Getting 18 means the correct class still counts: set its margin to 0 "
                    "(margins[np.arange(N), y] = 0).")
    tiny_hint = ("All scores are about 0, so each of the 9 wrong classes costs about delta = 1, and the loss "
                 "is the MEAN over the examples: about 9." if naive else
                 "About delta = 1 for each of the 9 wrong classes, averaged over the examples.")
    W, X, y = small_problem(3)
    return [
        LossCase("loss for scores [13, -7, 11], y = 0, delta = 10", _one_example([13.0, -7.0, 11.0], 0),
                 {"delta": 10.0}, 8.0, hint=example_hint),
        LossCase("loss with tiny random W, C = 10, reg = 0",
                 small_problem(100 if naive else 101, N=200, D=41, C=10, scale=1e-4) + (0.0,), {}, 9.0,
                 tol=5e-3, hint=tiny_hint),
        LossCase("loss on a small problem with reg = 0.1", (W, X, y, 0.1), {}, torch_svm_loss(W, X, y, 0.1)[0],
                 hint=_PYTORCH_SVM),
    ]


@_verified
def softmax_loss_cases(kind):
    """The visible loss cases of ``softmax_loss_naive`` (``kind="naive"``) or
    ``softmax_loss_vectorized`` beside the worked example: tiny random
    weights, 10 classes (loss about ln 10); a small problem with reg = 0.1
    against PyTorch."""
    from .oracles import torch_softmax_loss
    naive = kind == "naive"
    tiny_hint = ("All ten probabilities are about 0.1, so the loss should be about -log(0.1) = 2.302." if naive
                 else "About -log(0.1) = 2.302: is the loss averaged over the examples?")
    W, X, y = small_problem(2)
    return [
        LossCase("loss with tiny random W, C = 10, reg = 0",
                 small_problem(102 if naive else 103, N=200, D=41, C=10, scale=1e-4) + (0.0,), {}, float(_log(10)),
                 tol=1e-3, hint=tiny_hint),
        LossCase("loss on a small problem with reg = 0.1", (W, X, y, 0.1), {},
                 torch_softmax_loss(W, X, y, 0.1)[0], hint=_PYTORCH_SOFTMAX),
    ]


def softmax_example(label):
    """(W, X, y, reg) of the worked example: scores [1, -2, 0] (X = [[1]]) and y = ``label``."""
    return _one_example([1.0, -2.0, 0.0], label)


@_verified
def check_worked_softmax(losses, hint):
    """The losses of the worked example for y = 0, 1, 2: the loss is
    -log p_y, so exp(-loss) must give back softmax([1, -2, 0]) =
    [0.705, 0.035, 0.259]."""
    import torch
    probs = _exp(-_array(losses, dtype=float))
    expected = torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), dim=0).numpy()
    check_close("exp(-loss) for scores [1, -2, 0] and y = 0, 1, 2", probs, expected, hint=hint)
    check_equal("the probabilities rounded to 3 decimals", _npround(probs, 3), [0.705, 0.035, 0.259])


def large_scores():
    """``[(what, W, X, y)]`` with scores far beyond what np.exp can take: one
    example with scores [1000, 1001]; then two examples, scores
    [1000, 1001, 990] and [-1000, -1001, -990], in one batch."""
    return [("scores [1000, 1001]", _array([[1000.0, 1001.0]]), _ones((1, 1)), _array([0])),
            ("a batch with scores near +1000 and near -1000", _array([[1000.0, 1001.0, 990.0]]),
             _array([[1.0], [-1.0]]), _array([0, 1]))]


def run_loss_silently(loss_fn, refs, W, X, y, reg, **kwargs):
    """:func:`run_loss` with NumPy's overflow warnings switched off (the
    scores of :func:`large_scores` overflow np.exp on purpose)."""
    with np.errstate(all="ignore"):
        return run_loss(loss_fn, refs, W, X, y, reg, **kwargs)


@_verified
def check_finite(name, value, hint=None):
    """Fail if ``value`` holds inf or nan."""
    check_true(_all(_isfinite(_asarray(value, dtype=float))), f"{name} contains inf or nan.", hint=hint)


def run_without_loops(name, loss_fn, refs, W, X, y, reg, hint):
    """``(loss, dW)`` of a vectorized loss on a large problem, with the
    references blocked, failing if it runs 100 or more Python lines of the
    notebook (a loop over the examples, features or classes)."""
    (N, D), C = X.shape, W.shape[1]
    with without_reference(*refs):
        result = check_no_loops(name, loss_fn, W, X, y, reg, max_lines=100,
                                sizes=f"{N} examples, {D} features and {C} classes", hint=hint)
    return as_pair(name, result)


# ---------------------------------------------------------------- the classifier

@_verified
def train_cases():
    """Three training sets for ``LinearClassifier.train``, as keyword
    arguments of :func:`train_with_course_loss`:

    - 30 copies of one example (label 2) and a starting W: every mini-batch
      has the same gradient whatever the sampling, so 3 steps must equal
      torch.optim.SGD's;
    - 50 numbered rows [n, 1], labels n % 4: each row of a mini-batch tells
      which row of X it is;
    - 300 points in 3 blobs (4 features and a bias column), trained twice
      with seed 5: the same run twice, and a falling loss."""
    rng = _default_rng(20)
    same = dict(X=_tile(rng.standard_normal(5), (30, 1)), y=_full(30, 2))
    same.update(W=0.1 * rng.standard_normal((5, 3)), learning_rate=0.5, reg=0.01, num_iters=3, batch_size=6,
                seed=0)
    numbered = dict(X=_column_stack([_arange(50.0), _ones(50)]), y=_arange(50) % 4, learning_rate=1e-4,
                    reg=0.02, num_iters=4, batch_size=10, seed=1)
    blob_rng = _default_rng(22)
    y_blobs = blob_rng.integers(0, 3, size=300)
    X_blobs = _hstack([3 * blob_rng.standard_normal((3, 4))[y_blobs] + blob_rng.standard_normal((300, 4)),
                       _ones((300, 1))])
    blobs = dict(X=X_blobs, y=y_blobs, learning_rate=0.1, reg=1e-4, num_iters=100, batch_size=32, seed=5)
    return same, numbered, blobs


def train_runs(cls, *cases):
    """One :func:`train_with_course_loss` run of the student's classifier
    ``cls`` with the softmax loss per case (keyword arguments, as from
    :func:`train_cases`), the course's classifier blocked."""
    with without_reference(*CLASSIFIER_REFS):
        return [train_with_course_loss(cls, "softmax", **case) for case in cases]


def classifier_with(cls, W):
    """A new ``cls()`` (the student's classifier) whose ``W`` is a copy of ``W``."""
    clf = cls()
    clf.W = W.copy()
    return clf


@_verified
def check_sgd_steps(run, X, y, W, learning_rate, reg, num_iters, batch_size, seed=None):
    """A run of :func:`train_with_course_loss` on identical examples: its loss
    history and final W equal ``torch.optim.SGD`` on the softmax loss."""
    import torch
    import torch.nn.functional as F
    history = run["history"]
    W_t = torch.tensor(W, requires_grad=True)
    opt = torch.optim.SGD([W_t], lr=learning_rate)
    torch_history = []
    for _ in range(num_iters):
        opt.zero_grad()
        loss_t = (F.cross_entropy(torch.tensor(X[:batch_size]) @ W_t, torch.tensor(y[:batch_size]))
                  + reg * (W_t ** 2).sum())
        loss_t.backward()
        opt.step()
        torch_history.append(loss_t.item())
    check_true(isinstance(history, (list, tuple, np.ndarray)),
               f"train should return the list of losses, got {type(history).__name__}.",
               hint="Append float(loss) to loss_history in every iteration.")
    check_close(f"loss_history of {num_iters} iterations", _asarray(history, dtype=float), torch_history,
                hint="Record the loss of each mini-batch, one value per iteration.")
    check_close(f"W after {num_iters} SGD steps (lr = {learning_rate:g})", run["W"], W_t.detach().numpy(),
                hint="The update is self.W -= learning_rate * dW: a step DOWNhill, using the "
                     "gradient returned by self.loss.")


@_verified
def check_batches(run, X, y, reg, num_iters, batch_size, **_):
    """A run on numbered rows: W created with shape (D, max(y) + 1), one call
    of the loss per iteration, each mini-batch ``batch_size`` rows of X with
    their own labels, and ``reg`` passed on."""
    check_shape("self.W created by train", run["W"], (X.shape[1], int(y.max()) + 1),
                hint="W has shape (D, max(y) + 1).")
    check_true(len(run["batches"]) == num_iters,
               f"train called self.loss {len(run['batches'])} times for num_iters = {num_iters}.",
               hint="One mini-batch, one call of self.loss, one update per iteration.")
    for X_batch, y_batch, reg_used in run["batches"]:
        check_shape("a mini-batch X_batch", X_batch, (batch_size, X.shape[1]), hint="Take batch_size rows of X.")
        rows = X_batch[:, 0].astype(int)
        check_true(_array_equal(X_batch, X[rows]), "X_batch holds rows that are not rows of X.")
        check_equal("the labels y_batch of the rows in X_batch", y_batch, y[rows],
                    hint="Take X and y with the SAME indices: idx = rng.integers(0, N, batch_size); "
                         "X[idx], y[idx].")
        check_true(reg_used == reg, f"train passed reg = {reg_used} to self.loss instead of {reg}.")


@_verified
def check_learning(run, again, seed):
    """Two runs with the same ``seed``: the same loss history, and a loss
    that falls (the mean of the last ten below half the first)."""
    first, second = run["history"], again["history"]
    check_true(_array_equal(first, second), f"Two runs with seed = {seed} gave different loss histories.",
               hint="Draw every random number from rng = np.random.default_rng(seed), not from np.random.")
    check_true(_mean(first[-10:]) < 0.5 * first[0],
               f"Training did not lower the loss: first {first[0]:.3f}, mean of the last ten "
               f"{_mean(first[-10:]):.3f}.", hint="Step against the gradient: W -= learning_rate * dW.")


@_verified
def predict_cases():
    """``[(W, X)]`` for ``predict``: 40 examples of 6 features and 5 classes;
    then one example of 3 features and 2 classes."""
    cases = []
    for seed, (D, C, N) in [(21, (6, 5, 40)), (31, (3, 2, 1))]:
        rng = _default_rng(seed)
        cases.append((rng.standard_normal((D, C)), rng.standard_normal((N, D))))
    return cases


@_verified
def check_predictions(predicted, W_after, W, X):
    """What ``predict(X)`` returned with ``self.W = W``: one integer label
    per row, the argmax of the scores (as torch.argmax), and W unchanged."""
    import torch
    N = len(X)
    expected = torch.argmax(torch.tensor(X) @ torch.tensor(W), dim=1).numpy()
    check_shape(f"predict(X) for {N} example(s)", predicted, (N,),
                hint="One label per row: the argmax of the scores over the classes (axis=1).")
    predicted = _asarray(predicted)
    check_true(_issubdtype(predicted.dtype, _integer)
               or (_issubdtype(predicted.dtype, _floating) and _array_equal(predicted, _npround(predicted))),
               f"predict should return integer labels, got an array of dtype {predicted.dtype}.")
    check_equal(f"predict(X) for {N} example(s)", predicted, expected,
                hint="A row's label is the column of its largest score in X @ W.")
    check_close("W after predict", W_after, W, hint="predict must not change W.")


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


#: The second sampling test's search: other ranges, 50 trials, seed 1.
OTHER_SEARCH = dict(lr_range=(1e-4, 1e-2), reg_range=(1e-3, 1e-1), num_trials=50, seed=1)


def fake_results(search_fn, **search):
    """The ``results`` dict of :func:`fake_search` (200 trials, lr in
    (1e-6, 1), reg in (1e-7, 1e-1), seed 0, unless ``search`` says otherwise)."""
    return fake_search(search_fn, **search)[0][0]


@_verified
def check_sampling(results, again, other):
    """The (lr, reg) keys of three fake searches: the default one (200 trials),
    the same again, and :data:`OTHER_SEARCH`. They must lie in their ranges,
    be log-uniform and random (not a grid), and repeat with the same seed."""
    check_true(isinstance(results, dict) and len(results) == 200,
               "results should be a dict with one entry per trial (200), got "
               f"{len(results) if isinstance(results, dict) else type(results).__name__}.")
    for name, pos, (low, high) in [("learning rates", 0, (1e-6, 1.0)), ("regularization strengths", 1, (1e-7, 1e-1))]:
        values = _array([key[pos] for key in results], dtype=float)
        check_true(values.min() >= low and values.max() <= high,
                   f"Some sampled {name} lie outside their range ({low:g}, {high:g}).")
        below, ks, gap = log_spread(values, low, high)
        check_true(0.35 < below < 0.65,
                   f"The {name} are not log-uniform: {below:.0%} of them lie below the middle of the range on "
                   "a log scale, expected about half.",
                   hint="Draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
        distinct = len(_unique(values))
        check_true(distinct >= 190,
                   f"Only {distinct} different {name} in 200 trials: that is a grid, which tries the same "
                   "few values again and again.", hint="Draw a new (lr, reg) at random in every trial.")
        check_true(ks < 0.16,
                   f"The {name} are not spread like a log-uniform sample (Kolmogorov-Smirnov distance "
                   f"{ks:.2f}; random draws stay below 0.16).",
                   hint="Draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
        check_true(gap > 2 / 200,
                   f"The {name} are evenly spaced on a log scale (largest gap {gap:.4f} of the log-range, "
                   "like a grid of 200 values; random draws leave gaps three times wider or more): that is "
                   "a grid, not a random search.",
                   hint="Use rng.uniform for the exponents, not np.logspace or np.linspace.")
    check_true(list(again) == list(results), "Two searches with seed = 0 gave different trials.",
               hint="Use rng = np.random.default_rng(seed) for the draws.")
    (lr_low, lr_high), (reg_low, reg_high) = OTHER_SEARCH["lr_range"], OTHER_SEARCH["reg_range"]
    lrs = _array([key[0] for key in other], dtype=float)
    regs = _array([key[1] for key in other], dtype=float)
    check_true(len(other) == OTHER_SEARCH["num_trials"] and lrs.min() >= lr_low and lrs.max() <= lr_high
               and regs.min() >= reg_low and regs.max() <= reg_high,
               "With lr_range = (1e-4, 1e-2), reg_range = (1e-3, 1e-1) and 50 trials: samples outside the "
               "ranges, or not 50 trials.", hint="Use the arguments lr_range, reg_range and num_trials.")
    check_true(0.25 < log_spread(lrs, lr_low, lr_high)[0] < 0.75,
               "With lr_range = (1e-4, 1e-2) the learning rates are not log-uniform.")


@_verified
def check_search(results, best_params, best_model, trained):
    """What a fake search returned and the trainings it made: one new model
    per trial with its own (lr, reg), trained on the training set; the
    accuracies stored as (train, validation); the best by validation."""
    check_true(isinstance(results, dict) and len(results) == 200,
               "results should be a dict with one entry per trial (200), got "
               f"{len(results) if isinstance(results, dict) else type(results).__name__}.")
    check_true(all(n == 500 for _, _, n in trained),
               "Every model should be trained on the training set (500 examples here).")
    keys = [tuple(map(float, key)) for key in results]
    check_true((len(trained) == 200 and sorted(t[:2] for t in trained) == sorted(keys))
               or (len(trained) == 201 and sorted(t[:2] for t in trained[:200]) == sorted(keys)
                   and best_params is not None and trained[200][:2] == tuple(map(float, best_params))),
               f"Each trial should train one new model with its own (lr, reg); {len(trained)} trainings for "
               "200 trials (one more at the end, with best_params, is fine).")
    got = _array([results[key] for key in results], dtype=float)
    want = _array([fake_accuracies(*key) for key in keys])
    check_close("the (train_accuracy, val_accuracy) stored for each (lr, reg)", got, want,
                hint="Accuracy is np.mean(model.predict(X) == y), on the training and on the validation "
                     "set, stored in that order.")
    check_true(best_params in results and results[best_params][1] == got[:, 1].max(),
               f"best_params {best_params} does not have the highest validation accuracy.",
               hint="Choose by validation accuracy, never by training accuracy.")
    check_true(best_model is not None and tuple(map(float, best_model)) == tuple(map(float, best_params)),
               "best_model should be the model trained with best_params.")


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
