"""Regularization and training tricks of notebook 07.

- :func:`l2_penalty`: L2 weight decay in the loss and the gradient, with the
  course's convention ``reg * sum(W**2)`` (gradient ``2 * reg * W``) on the
  weight matrices only: biases and batch-norm gamma / beta are not decayed.
  ``torch.optim.SGD(weight_decay=wd)`` adds ``wd * W`` to the gradient, the
  gradient of ``wd / 2 * sum(W**2)``: the same thing with ``wd = 2 * reg``.
- :class:`EarlyStopping`: stop after ``patience`` evaluations without a
  better validation score and give back the best weights. The
  :class:`helpers.solver.Solver` does the same inside its loop (its
  ``patience`` argument, ``best_params`` copied back at the end); this class
  is the same rule for a training loop of your own.
- :func:`clip_grad_norm`: scale all gradients together so that their global
  norm is at most ``max_norm``; the same numbers as
  ``torch.nn.utils.clip_grad_norm_``, returning the norm before clipping.
- :func:`max_norm_constraint`: rescale each unit's incoming weight vector
  (a column of W, shape (D, M)) to norm at most ``c``.
- :func:`early_stopping`: the same rule as :class:`EarlyStopping` as one
  function around a training loop of your own (``train_epoch`` and
  ``validate`` callbacks), the answer to notebook 07's exercise.

Choosing the regularization on the validation set (notebook 07, section 8):

- :func:`train_mlp`: train ``FullyConnectedNet(hidden, D, C, reg=reg,
  dropout=dropout, seed=seed)`` with ``Momentum(lr, momentum)`` on shuffled
  minibatches (``minibatches(X, y, batch_size, rng=default_rng(seed))``) on
  one BLAS thread, with the accuracies a sweep needs.
- :data:`OVERFIT`, :func:`overfit_data` and :func:`train_and_validate`: the
  notebook's over-fitting set-up (500 MNIST-1D training signals, 1000 for
  validation, two hidden layers of 128 ReLU units, 30 epochs) and one run of
  it for a setting ``{"reg": ..., "dropout": ...}`` and a seed, returning the
  validation accuracy.
- :func:`sweep`: train every setting with every seed and choose the setting
  with the best mean validation accuracy; :func:`paired_gain`: the mean
  difference of two settings run with the same seeds and its standard error.

Every function checks its input and raises ``ValueError`` with a readable
message.
"""
from __future__ import annotations

import copy
import functools

import numpy as np

from .checks.guard import reference

__all__ = ["is_weight", "l2_penalty", "with_weight_decay", "EarlyStopping", "early_stopping", "clip_grad_norm",
           "max_norm_constraint", "train_mlp", "mlp_scores", "OVERFIT", "SETTING_KEYS", "check_setting",
           "overfit_data", "train_and_validate", "sweep", "paired_gain"]


def is_weight(name):
    """True for the weight matrices of the course's models (``W``, ``W1``,
    ``W2``, ...), False for biases (``b1``), ``gamma1``, ``beta1``."""
    return str(name).startswith("W")


def _params(name, params):
    if not isinstance(params, dict):
        raise ValueError(f"{name} must be a dict of arrays (like model.params), got {type(params).__name__}")
    return params


def _nonnegative(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


@reference
def l2_penalty(params, reg, keys=None):
    """L2 weight decay: ``(loss, grads)`` with ``loss = reg * sum_k sum(params[k]**2)``
    and ``grads[k] = 2 * reg * params[k]`` for the decayed keys.

    Parameters
    ----------
    params : dict of arrays
    reg : float >= 0
    keys : iterable of str or None
        The decayed parameters; None: the weight matrices (names starting with
        "W"), never biases, gamma or beta.

    Returns
    -------
    loss : float
    grads : dict, one array per decayed key (add them to the data gradients)
    """
    params, reg = _params("params", params), _nonnegative("reg", reg)
    keys = [k for k in params if is_weight(k)] if keys is None else list(keys)
    missing = [k for k in keys if k not in params]
    if missing:
        raise ValueError(f"keys {missing} are not in params (it has {sorted(params)})")
    loss = sum(reg * float(np.sum(np.asarray(params[k], dtype=np.float64) ** 2)) for k in keys)
    return float(loss), {k: 2.0 * reg * np.asarray(params[k], dtype=np.float64) for k in keys}


def with_weight_decay(loss, grads, params, reg):
    """A model's ``(loss, grads)`` with :func:`l2_penalty` added: what
    ``FullyConnectedNet`` and ``ConvNet`` return."""
    penalty, decay = l2_penalty(params, reg)
    return float(loss + penalty), {k: g + decay[k] if k in decay else g for k, g in grads.items()}


@reference
class EarlyStopping:
    """Early stopping with patience, restoring the best weights.

    Call :meth:`step` after each evaluation with the validation score and
    the model's parameters; it copies the parameters when the score is the
    best so far and returns True when ``patience`` evaluations in a row have
    not improved on it. :meth:`restore` copies the best parameters back into
    the model's arrays (in place).

    Parameters
    ----------
    patience : int >= 1
    mode : "max" (accuracy, the default) or "min" (a loss)
    min_delta : float >= 0
        An improvement must beat the best by more than this.
    """

    def __init__(self, patience=5, mode="max", min_delta=0.0):
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 1:
            raise ValueError(f"patience must be a positive integer, got {patience!r}")
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' (a score such as accuracy) or 'min' (a loss), got {mode!r}")
        self.patience, self.mode = int(patience), mode
        self.min_delta = _nonnegative("min_delta", min_delta)
        self.best, self.best_step, self.best_params = None, 0, None
        self.steps, self.stopped = 0, False

    def _better(self, value):
        if self.best is None:
            return True
        if self.mode == "max":
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def step(self, value, params):
        """Record one evaluation; returns True when training should stop."""
        value = float(value)
        if np.isnan(value):
            raise ValueError("the validation score is nan")
        self.steps += 1
        if self._better(value):
            self.best, self.best_step = value, self.steps
            self.best_params = copy.deepcopy(dict(_params("params", params)))
        self.stopped = self.steps - self.best_step >= self.patience
        return self.stopped

    def restore(self, params):
        """Copy the best parameters back into ``params`` (the same arrays)."""
        if self.best_params is None:
            raise ValueError("nothing to restore: call step() at least once first")
        for k, v in self.best_params.items():
            np.copyto(params[k], v)
        return params


@reference
def clip_grad_norm(grads, max_norm, norm_type=2.0):
    """Clip the global norm of all gradients, in place, like
    ``torch.nn.utils.clip_grad_norm_``.

    ``total = (sum over every entry of every gradient of |g|**norm_type) ** (1 / norm_type)``
    (the largest |g| for ``norm_type=inf``); if ``total > max_norm`` every
    gradient is multiplied by ``max_norm / (total + 1e-6)``. The direction of
    the whole update is kept, only its length shrinks.

    Parameters
    ----------
    grads : dict of arrays (changed in place)
    max_norm : float > 0
    norm_type : float > 0 or inf

    Returns
    -------
    total_norm : float, the norm before clipping
    """
    grads = _params("grads", grads)
    max_norm = _nonnegative("max_norm", max_norm)
    if max_norm == 0:
        raise ValueError("max_norm must be > 0")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be > 0 (2 for the Euclidean norm, inf for the largest entry), "
                         f"got {norm_type!r}")
    arrays = [np.asarray(g, dtype=np.float64) for g in grads.values()]
    if not arrays:
        return 0.0
    if np.isinf(norm_type):
        total = max(float(np.max(np.abs(a), initial=0.0)) for a in arrays)
    else:
        total = float(sum(np.sum(np.abs(a) ** norm_type) for a in arrays) ** (1.0 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for k in grads:
            grads[k] *= coef
    return total


@reference
def max_norm_constraint(W, max_norm, axis=0):
    """Rescale every unit's incoming weight vector to norm at most ``max_norm``.

    With W of shape (D, M) (inputs x units, the course's layout) unit j's
    weights are the column W[:, j], so the norm runs along ``axis=0``.
    Columns whose norm is at most max_norm are unchanged; the others are
    scaled to norm exactly max_norm. Returns a new array.
    """
    W = np.asarray(W, dtype=np.float64)
    max_norm = _nonnegative("max_norm", max_norm)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D weight matrix, got shape {W.shape}")
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 (columns are units) or 1, got {axis!r}")
    norms = np.sqrt(np.sum(W * W, axis=axis, keepdims=True))
    scale = np.minimum(1.0, max_norm / np.maximum(norms, 1e-12))
    return W * scale


@reference
def early_stopping(params, train_epoch, validate, patience=5, max_epochs=100):
    """Train with early stopping and give back the best epoch's parameters.

    Each epoch calls ``train_epoch()`` (which changes the arrays of ``params``
    in place) and then ``validate()`` (the validation accuracy now). An epoch
    is the new best when its accuracy is strictly higher than every earlier
    one; a copy of ``params`` is kept at the best epoch. Training stops after
    ``patience`` epochs in a row without a new best, or after ``max_epochs``.
    The best copy is then written back into the arrays of ``params``.

    Returns ``(best_epoch, history)``: the best epoch (1 for the first) and the
    validation accuracy of every epoch that ran, as a list of floats.
    """
    params = _params("params", params)
    for name, value in (("patience", patience), ("max_epochs", max_epochs)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    best_acc, best_epoch, best_params, history = None, 0, None, []
    for epoch in range(1, int(max_epochs) + 1):
        train_epoch()
        acc = float(validate())
        history.append(acc)
        if best_acc is None or acc > best_acc:
            best_acc, best_epoch = acc, epoch
            best_params = {k: np.array(v, copy=True) for k, v in params.items()}
        elif epoch - best_epoch >= patience:
            break
    for k, v in best_params.items():
        np.copyto(params[k], v)
    return best_epoch, history


# ---------------------------------------------------------------- choosing on validation

#: The over-fitting set-up of notebook 07: the first ``n_train`` MNIST-1D
#: training signals, the 1000 signals ``X_train[3000:]`` for validation, and
#: the net and its training.
OVERFIT = {"n_train": 500, "hidden": (128, 128), "num_epochs": 30, "batch_size": 50, "lr": 0.05,
           "momentum": 0.9}

#: The keys of a regularization setting.
SETTING_KEYS = ("reg", "dropout")


def mlp_scores(params, X):
    """Class scores (N, C) of a ReLU net ``params`` (``W1, b1, ..., WL, bL``) in
    test mode (no dropout), as ``FullyConnectedNet.loss(X)``."""
    h = np.asarray(X, dtype=np.float64)
    L = sum(1 for k in params if is_weight(k))
    for i in range(1, L):
        h = np.maximum(h @ params[f"W{i}"] + params[f"b{i}"], 0.0)
    return h @ params[f"W{L}"] + params[f"b{L}"]


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it along
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _accuracy(params, X, y):
    return float(np.mean(np.argmax(mlp_scores(params, X), axis=1) == y))


def train_mlp(X, y, X_val, y_val, hidden=(128, 128), reg=0.0, dropout=0.0, num_epochs=30, batch_size=50,
              lr=0.05, momentum=0.9, seed=0, history=False, num_classes=None):
    """Train a ReLU net by momentum SGD: ``FullyConnectedNet(hidden, D, C,
    reg=reg, dropout=dropout, seed=seed)`` trained by ``Momentum(lr, momentum)``
    on ``minibatches(X, y, batch_size, rng=np.random.default_rng(seed))`` for
    ``num_epochs`` epochs computes (He-normal initial weights, zero biases,
    inverted dropout after every hidden layer, softmax loss, weight decay
    ``reg * sum(W**2)`` on the weights only).

    Returns a dict: ``train_acc`` and ``val_acc`` (floats, test mode, after the
    last epoch), ``params`` (the trained weights, keys ``W1, b1, ...``), and
    with ``history=True`` ``epochs``, ``train_history`` and ``val_history``
    (the accuracies after each epoch, epoch 0 being the initial net).
    """
    from .nets import FullyConnectedNet
    from .optim import Momentum, minibatches

    X, X_val = np.asarray(X, dtype=np.float64), np.asarray(X_val, dtype=np.float64)
    y, y_val = np.asarray(y), np.asarray(y_val)
    reg, dropout = _nonnegative("reg", reg), _nonnegative("dropout", dropout)
    if dropout >= 1:
        raise ValueError(f"dropout is the probability of dropping a unit and must lie in [0, 1), got {dropout!r}")
    c = int(num_classes or max(int(y.max()), int(y_val.max())) + 1)
    net = FullyConnectedNet([int(h) for h in hidden], X.shape[1], c, reg=reg, dropout=dropout, seed=seed)
    opt, order = Momentum(lr=lr, momentum=momentum), np.random.default_rng(seed)
    out = {"epochs": [0], "train_history": [], "val_history": []}

    def record():
        out["train_history"].append(_accuracy(net.params, X, y))
        out["val_history"].append(_accuracy(net.params, X_val, y_val))

    # Small matrices: one BLAS thread is several times faster than many (see helpers.solver).
    with np.errstate(all="ignore"), _one_blas_thread():
        if history:
            record()
        for epoch in range(1, int(num_epochs) + 1):
            for Xb, yb in minibatches(X, y, int(batch_size), rng=order):
                opt.update(net.params, net.loss(Xb, yb)[1])
            if history:
                out["epochs"].append(epoch)
                record()
        result = {"train_acc": _accuracy(net.params, X, y), "val_acc": _accuracy(net.params, X_val, y_val),
                  "params": net.params}
    if history:
        result.update(out)
    return result


def check_setting(setting):
    """A setting ``{"reg": r, "dropout": p}`` as two floats ``(r, p)``; raises
    ``ValueError`` unless 0 <= r <= 1 and 0 <= p <= 0.9."""
    if not isinstance(setting, dict) or sorted(setting) != sorted(SETTING_KEYS):
        raise ValueError(f'a setting is a dict with exactly the keys "reg" and "dropout", '
                         f'like {{"reg": 0.001, "dropout": 0.0}}; got {setting!r}')
    reg, p = _nonnegative("reg", setting["reg"]), _nonnegative("dropout", setting["dropout"])
    if reg > 1:
        raise ValueError(f"reg must lie in [0, 1], got {reg!r}")
    if p > 0.9:
        raise ValueError(f"dropout (the probability of DROPPING a unit) must lie in [0, 0.9], got {p!r}")
    return reg, p


_overfit_cache = {}


def overfit_data():
    """``(X, y, X_val, y_val)`` of the over-fitting set-up: the first 500
    MNIST-1D training signals and the 1000 validation signals ``X_train[3000:]``
    (read-only arrays)."""
    if not _overfit_cache:
        from .data import load_mnist1d

        d = load_mnist1d()
        n = OVERFIT["n_train"]
        arrays = (d["X_train"][:n], d["y_train"][:n], d["X_train"][3000:], d["y_train"][3000:])
        for a in arrays:
            a.setflags(write=False)
        _overfit_cache["data"] = arrays
    return _overfit_cache["data"]


def _overfit_run(reg, p, seed, history):
    X, y, X_val, y_val = overfit_data()
    config = {k: v for k, v in OVERFIT.items() if k != "n_train"}
    return train_mlp(X, y, X_val, y_val, reg=reg, dropout=p, seed=seed, history=history, **config)


@functools.lru_cache(maxsize=None)
def _overfit_val_acc(reg, p, seed):
    return _overfit_run(reg, p, seed, False)["val_acc"]


def train_and_validate(setting, seed, history=False):
    """One run of the over-fitting set-up with ``setting = {"reg": r,
    "dropout": p}`` (weight decay and dropout probability) and ``seed`` (the
    initial weights, the minibatch order and the dropout masks). Returns the
    validation accuracy after the last epoch, a float; with ``history=True``
    the whole result of :func:`train_mlp` instead.

    A run is a function of the setting and the seed alone, so the accuracy
    is remembered: asking again for the same run (a test after a sweep, the
    grader replaying many submissions) costs nothing."""
    reg, p = check_setting(setting)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if history:
        return _overfit_run(reg, p, int(seed), True)
    return _overfit_val_acc(reg, p, int(seed))


@reference
def sweep(train, settings, seeds):
    """Train every setting with every seed and choose on validation.

    ``train(setting, seed)`` returns the validation accuracy of one run.
    Returns ``(best, val_acc)``: ``val_acc`` a float array (len(settings),
    len(seeds)) with ``val_acc[i, j] = train(settings[i], seeds[j])``, and
    ``best`` the index of the setting with the highest mean validation
    accuracy over the seeds (the first of equal ones).
    """
    settings, seeds = list(settings), list(seeds)
    if not settings or not seeds:
        raise ValueError("sweep needs at least one setting and one seed")
    val_acc = np.array([[float(train(s, seed)) for seed in seeds] for s in settings])
    return int(np.argmax(val_acc.mean(axis=1))), val_acc


@reference
def paired_gain(acc, acc_base):
    """The gain of a setting over a baseline run with the same seeds:
    ``(mean, se)`` of the differences ``d = acc - acc_base`` (one per seed),
    ``se = std(d, ddof=1) / sqrt(len(d))`` its standard error, as floats."""
    d = np.asarray(acc, dtype=np.float64) - np.asarray(acc_base, dtype=np.float64)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f"give one accuracy per seed (at least 2 seeds) for both, got shape {d.shape}")
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
