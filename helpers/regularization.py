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

Every function checks its input and raises ``ValueError`` with a readable
message.
"""
from __future__ import annotations

import copy

import numpy as np

from .checks.guard import reference

__all__ = ["is_weight", "l2_penalty", "with_weight_decay", "EarlyStopping", "clip_grad_norm", "max_norm_constraint"]


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
