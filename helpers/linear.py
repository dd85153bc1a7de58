"""Linear classifiers: multiclass SVM and softmax losses, trained with mini-batch SGD.

Reference answers for notebook 02 (marked with :func:`helpers.checks.guard.reference`,
so a student's answer cannot simply call them). Later notebooks import them.

Conventions (CS231n style):

- ``W`` has shape ``(D, C)``: one column of weights per class. With the bias
  trick, the last row of ``W`` is the bias and every row of ``X`` ends with a 1.
- ``X`` has shape ``(N, D)``: one example per row. Scores are ``X @ W``, shape
  ``(N, C)``.
- ``y`` has shape ``(N,)``: integer labels in ``0 .. C-1``.
- Every loss returns ``(loss, dW)`` with

      loss = (1/N) * sum_i L_i  +  reg * sum(W * W)
      dW   = d(data loss)/dW    +  2 * reg * W

  so ``reg`` multiplies the plain sum of squares (no factor 1/2).
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference

__all__ = [
    "svm_loss_naive", "svm_loss_vectorized",
    "softmax_loss_naive", "softmax_loss_vectorized",
    "LinearClassifier", "LinearSVM", "Softmax", "random_search",
]


def _check_loss_inputs(name, W, X, y):
    """Arrays for (W, X, y), or a ValueError saying which shape is wrong."""
    W = np.asarray(W)
    X = np.asarray(X)
    y = np.asarray(y)
    if W.ndim != 2:
        raise ValueError(f"{name}: W must be 2-D with shape (D, C), got shape {W.shape}.")
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be 2-D with shape (N, D), got shape {X.shape}.")
    if y.ndim != 1:
        raise ValueError(f"{name}: y must be 1-D with shape (N,), got shape {y.shape}.")
    if X.shape[1] != W.shape[0]:
        hint = " (is W transposed? it must be (D, C))" if X.shape[1] == W.shape[1] else ""
        raise ValueError(f"{name}: X has D = {X.shape[1]} columns but W has {W.shape[0]} "
                         f"rows; W must have shape (D, C){hint}.")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"{name}: X has N = {X.shape[0]} rows but y has {y.shape[0]} labels.")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name}: y must hold integer class labels, got dtype {y.dtype}.")
    if y.size and (y.min() < 0 or y.max() >= W.shape[1]):
        raise ValueError(f"{name}: labels must lie in 0 .. {W.shape[1] - 1} (C = {W.shape[1]} "
                         f"columns of W), got labels from {y.min()} to {y.max()}.")
    if X.shape[0] == 0:
        raise ValueError(f"{name}: X holds no examples (N = 0); the mean loss is undefined.")
    return W, X, y


# --------------------------------------------------------------------------
# Multiclass SVM (Weston-Watkins) loss
# --------------------------------------------------------------------------

@reference
def svm_loss_naive(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and its gradient, with explicit loops.

    L_i = sum over j != y_i of max(0, s_j - s_{y_i} + delta), with s = x_i @ W.

    Inputs: W (D, C) float, X (N, D) float, y (N,) int in 0..C-1, reg >= 0,
    delta > 0 (the margin; 1.0 is the usual choice, see the notebook).
    Returns (loss, dW): a float and an array of W's shape. At a kink
    (a margin exactly 0) the subgradient 0 is used.
    """
    W, X, y = _check_loss_inputs("svm_loss_naive", W, X, y)
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X, np.float64))
    for i in range(N):
        scores = X[i] @ W
        correct = scores[y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - correct + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return float(loss), dW


@reference
def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Same result as :func:`svm_loss_naive`, without Python loops."""
    W, X, y = _check_loss_inputs("svm_loss_vectorized", W, X, y)
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W                                   # (N, C)
    margins = scores - scores[rows, y][:, None] + delta
    margins[rows, y] = 0.0                           # the correct class is no violation
    violated = margins > 0
    loss = np.sum(margins[violated]) / N + reg * np.sum(W * W)
    dscores = violated.astype(np.float64)            # d L_i / d s_j = 1 where violated
    dscores[rows, y] = -violated.sum(axis=1)         # ... and minus the count at y_i
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW


# --------------------------------------------------------------------------
# Softmax (cross-entropy) loss
# --------------------------------------------------------------------------

@reference
def softmax_loss_naive(W, X, y, reg):
    """Softmax cross-entropy loss and its gradient, with explicit loops.

    L_i = -log( exp(s_{y_i}) / sum_j exp(s_j) ) = log(sum_j exp(s_j)) - s_{y_i},
    computed after shifting s by its maximum so that exp never overflows.

    Inputs and outputs as in :func:`svm_loss_naive` (no delta).
    """
    W, X, y = _check_loss_inputs("softmax_loss_naive", W, X, y)
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros(W.shape, dtype=np.result_type(W, X, np.float64))
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)             # the largest score becomes 0
        exp = np.exp(scores)
        total = np.sum(exp)
        loss += np.log(total) - scores[y[i]]
        for j in range(C):
            p = exp[j] / total
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return float(loss), dW


@reference
def softmax_loss_vectorized(W, X, y, reg):
    """Same result as :func:`softmax_loss_naive`, without Python loops."""
    W, X, y = _check_loss_inputs("softmax_loss_vectorized", W, X, y)
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    total = exp.sum(axis=1, keepdims=True)
    log_probs = scores - np.log(total)
    loss = -np.sum(log_probs[rows, y]) / N + reg * np.sum(W * W)
    dscores = exp / total                            # probabilities
    dscores[rows, y] -= 1.0                          # p - one_hot(y)
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW


# --------------------------------------------------------------------------
# Classifier trained with mini-batch SGD
# --------------------------------------------------------------------------

@reference
class LinearClassifier:
    """A linear classifier ``scores = X @ W`` trained by mini-batch SGD.

    Subclasses define ``loss(X_batch, y_batch, reg) -> (loss, dW)`` at the
    current ``self.W``. ``W`` starts as ``None`` and is created by the first
    call of :meth:`train`; a later call continues from the current weights.
    """

    def __init__(self):
        self.W = None

    def loss(self, X_batch, y_batch, reg):
        """(loss, dW) on a mini-batch at ``self.W``; defined by subclasses."""
        raise NotImplementedError("use LinearSVM or Softmax, or define loss() in a subclass")

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              seed=None, verbose=False):
        """Mini-batch stochastic gradient descent.

        Each iteration draws ``batch_size`` examples *with replacement* (rows and
        labels with the same indices), computes ``self.loss`` on them, and steps
        ``W -= learning_rate * dW``. Sampling with replacement keeps every
        iteration independent of the others; shuffled epochs are an equally good
        choice. If ``self.W`` is None it is initialised to
        ``0.001 * standard normal`` of shape (D, C), C = max(y) + 1.

        X (N, D) float, y (N,) int. ``seed`` fixes every random draw (init and
        batches). Returns the list of ``num_iters`` mini-batch losses (floats).
        """
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(f"train: X must be (N, D) and y (N,), got X {X.shape} and y {y.shape}.")
        if X.shape[0] == 0:
            raise ValueError("train: no training examples (N = 0).")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError("train: y must hold non-negative integer labels.")
        if not learning_rate > 0:
            raise ValueError(f"train: learning_rate must be positive, got {learning_rate}.")
        if reg < 0:
            raise ValueError(f"train: reg must be >= 0, got {reg}.")
        if int(batch_size) < 1 or int(num_iters) < 0:
            raise ValueError(f"train: need batch_size >= 1 and num_iters >= 0, got "
                             f"{batch_size} and {num_iters}.")
        N, D = X.shape
        rng = np.random.default_rng(seed)
        if self.W is None:
            C = int(y.max()) + 1
            self.W = 0.001 * rng.standard_normal((D, C))
        elif self.W.shape[0] != D or self.W.shape[1] <= y.max():
            raise ValueError(f"train: the existing W has shape {self.W.shape}, which does not "
                             f"fit X with D = {D} and labels up to {y.max()}.")

        loss_history = []
        for it in range(int(num_iters)):
            idx = rng.integers(0, N, size=int(batch_size))
            loss, grad = self.loss(X[idx], y[idx], reg)
            loss_history.append(float(loss))
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:.4f}")
        return loss_history

    def predict(self, X):
        """Labels (N,) int: for each row of X (N, D), the class with the largest score."""
        if self.W is None:
            raise ValueError("predict: the classifier has no weights yet; call train() first.")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.W.shape[0]:
            raise ValueError(f"predict: X must have shape (N, {self.W.shape[0]}), got {X.shape}.")
        return np.argmax(X @ self.W, axis=1)


@reference
class LinearSVM(LinearClassifier):
    """Linear classifier with the multiclass SVM loss (delta = 1)."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


@reference
class Softmax(LinearClassifier):
    """Linear classifier with the softmax cross-entropy loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)


# --------------------------------------------------------------------------
# Hyperparameter search
# --------------------------------------------------------------------------

@reference
def random_search(make_model, X_train, y_train, X_val, y_val, lr_range, reg_range,
                  num_trials=10, num_iters=500, batch_size=200, seed=0):
    """Log-scale random search of the learning rate and the regularization.

    Each trial draws ``lr`` and ``reg`` log-uniformly from ``lr_range`` and
    ``reg_range`` (``(low, high)``, both > 0) with ``np.random.default_rng(seed)``,
    trains ``make_model()`` with ``train(X_train, y_train, learning_rate=lr,
    reg=reg, num_iters=num_iters, batch_size=batch_size, seed=seed + trial)``
    and measures the accuracy on the training and the validation set.

    Returns ``(results, best_params, best_model)``: ``results`` maps each
    ``(lr, reg)`` to ``(train_accuracy, val_accuracy)``; ``best_params`` has the
    highest validation accuracy (the first such trial on a tie) and
    ``best_model`` is the model trained with it.
    """
    for name, (low, high) in (("lr_range", lr_range), ("reg_range", reg_range)):
        if not 0 < low <= high:
            raise ValueError(f"random_search: {name} must be (low, high) with 0 < low <= high, "
                             f"got {(low, high)}.")
    if int(num_trials) < 1:
        raise ValueError(f"random_search: num_trials must be at least 1, got {num_trials}.")
    rng = np.random.default_rng(seed)
    results, best_params, best_model, best_val = {}, None, None, -np.inf
    for trial in range(int(num_trials)):
        lr = float(10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1])))
        reg = float(10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1])))
        model = make_model()
        model.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters,
                    batch_size=batch_size, seed=seed + trial)
        train_acc = float(np.mean(model.predict(X_train) == y_train))
        val_acc = float(np.mean(model.predict(X_val) == y_val))
        results[(lr, reg)] = (train_acc, val_acc)
        if val_acc > best_val:
            best_params, best_model, best_val = (lr, reg), model, val_acc
    return results, best_params, best_model
