"""Networks built from :mod:`helpers.layers`.

A model has ``params`` (a dict of float64 arrays) and ``loss(X, y=None)``:
with ``y=None`` it returns the class scores, otherwise ``(loss, grads)`` with
``grads`` holding one array per key of ``params``. :class:`helpers.solver.Solver`
trains any such model.

Regularization convention of the course (as in notebook 02): the loss adds
``reg * sum(W**2)`` for every weight matrix (not the biases), so each weight
gradient gains ``2 * reg * W``.
"""
from __future__ import annotations

import numpy as np

from . import layers
from .checks.guard import reference

__all__ = ["TwoLayerNet"]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@reference
class TwoLayerNet:
    """affine - relu - affine - softmax, for inputs of dimension D and C classes.

    Parameters
    ----------
    input_dim : int
        D, the size of one input (inputs may also come as (N, d_1, ..., d_k)
        with d_1 * ... * d_k = D).
    hidden_dim : int
        H, the number of hidden ReLU units.
    num_classes : int
        C.
    weight_scale : float
        Standard deviation of the normal initial weights; biases start at 0.
    reg : float
        L2 strength: the loss adds ``reg * (sum(W1**2) + sum(W2**2))``.
    seed : int
        Seed of the initial weights.

    Attributes
    ----------
    params : dict
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,), float64.
    """

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, seed=0):
        d = _positive_int("input_dim", input_dim)
        h = _positive_int("hidden_dim", hidden_dim)
        c = _positive_int("num_classes", num_classes)
        if not weight_scale >= 0:
            raise ValueError(f"weight_scale must be >= 0, got {weight_scale!r}")
        if not reg >= 0:
            raise ValueError(f"reg must be >= 0, got {reg!r}")
        self.reg = float(reg)
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_scale * rng.standard_normal((d, h)),
            "b1": np.zeros(h),
            "W2": weight_scale * rng.standard_normal((h, c)),
            "b2": np.zeros(c),
        }

    def loss(self, X, y=None):
        """Scores, or loss and gradients.

        Parameters
        ----------
        X : array (N, D) or (N, d_1, ..., d_k)
        y : int array (N,) or None

        Returns
        -------
        scores : array (N, C), when y is None
        (loss, grads) : float and dict of arrays shaped like ``params``, otherwise
        """
        p = self.params
        hidden, cache1 = layers.affine_relu_forward(X, p["W1"], p["b1"])
        scores, cache2 = layers.affine_forward(hidden, p["W2"], p["b2"])
        if y is None:
            return scores

        data_loss, dscores = layers.softmax_loss(scores, y)
        reg = self.reg
        loss = data_loss + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))

        grads = {}
        dhidden, grads["W2"], grads["b2"] = layers.affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = layers.affine_relu_backward(dhidden, cache1)
        grads["W2"] += 2 * reg * p["W2"]
        grads["W1"] += 2 * reg * p["W1"]
        return float(loss), grads
