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
from .regularization import with_weight_decay
from .checks.guard import reference

__all__ = ["TwoLayerNet", "FullyConnectedNet"]


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


@reference
class FullyConnectedNet:
    """{affine - activation} x (L - 1) - affine - softmax (or sigmoid for one
    output), with any number of hidden layers.

    Parameters
    ----------
    hidden_dims : list of int
        The size of each hidden layer, from the input side.
    input_dim : int
        D (inputs may come as (N, d_1, ..., d_k) with d_1 * ... * d_k = D).
    num_classes : int
        C; with ``num_classes=1`` the net has one output and the binary
        cross-entropy loss (labels 0 or 1).
    activation : str
        One of ``helpers.layers.ACTIVATIONS``: relu, sigmoid, tanh, leaky_relu, elu.
    weight_init : str, number or function
        Anything ``helpers.init.get`` accepts: "he_normal", "xavier_uniform",
        "zeros", a std such as 0.01, or ``init(shape, rng)``.
    bias_init : float
        The value of every bias at the start.
    reg : float
        L2 strength (weight decay): ``reg * sum(W**2)`` for every weight
        matrix; biases and batch-norm gamma / beta are not decayed.
    seed : int
        Seeds the initial weights (and the dropout masks, see ``dropout_seed``).
    normalization : None, "batchnorm" or "layernorm"
        With "batchnorm" every hidden layer is affine - batchnorm - activation,
        with parameters ``gamma{i}`` (ones) and ``beta{i}`` (zeros) in
        ``params`` and its running averages in ``self.bn_params[i - 1]``
        (CS231n style: ``momentum`` 0.9 is the weight of the old average).
        "layernorm" is the same with layer normalization (each sample over its
        units; ``self.ln_params[i - 1]`` holds its ``eps``, nothing else).
    dropout : float
        The probability of DROPPING each hidden unit (inverted dropout after
        every hidden activation); 0 means no dropout.
    dropout_seed : int or None
        None: new masks at every call, reproducible from ``seed``. An int:
        the same masks at every call (layer i uses the seed dropout_seed + i),
        for gradient checks.
    bn_momentum, bn_eps : float
        The batch-norm ``momentum`` and ``eps`` of every layer.

    ``loss(X, y)`` (labels given) runs the net in train mode: batch statistics,
    running averages updated, dropout on. ``loss(X)`` runs it in test mode:
    running averages, no dropout.

    After ``loss(X, ...)``, ``self.activations`` holds each hidden layer's
    output (N, H_i) (after the activation, before dropout), for statistics
    such as ``helpers.init.activation_stats`` and ``helpers.layers.dead_fraction``.
    """

    def __init__(self, hidden_dims, input_dim, num_classes, activation="relu",
                 weight_init="he_normal", bias_init=0.0, reg=0.0, seed=0,
                 normalization=None, dropout=0.0, dropout_seed=None, bn_momentum=0.9, bn_eps=1e-5):
        from . import init as _init

        if activation not in layers.ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of "
                             f"{sorted(layers.ACTIVATIONS)}")
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm', "
                             f"got {normalization!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.integer, np.floating)) \
                or not 0 <= dropout < 1:
            raise ValueError(f"dropout is the probability of dropping a hidden unit and must lie "
                             f"in [0, 1), got {dropout!r}")
        if not reg >= 0:
            raise ValueError(f"reg must be >= 0, got {reg!r}")
        dims = [_positive_int("input_dim", input_dim)]
        dims += [_positive_int("each hidden dim", h) for h in hidden_dims]
        dims.append(_positive_int("num_classes", num_classes))
        self.activation, self.reg, self.num_layers = activation, float(reg), len(dims) - 1
        self.normalization, self.dropout = normalization, float(dropout)
        init, rng = _init.get(weight_init), np.random.default_rng(seed)
        self.params = {}
        for i, (n_in, n_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            self.params[f"W{i}"] = np.asarray(init((n_in, n_out), rng), dtype=np.float64)
            self.params[f"b{i}"] = np.full(n_out, float(bias_init))
            if normalization is not None and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(n_out)
                self.params[f"beta{i}"] = np.zeros(n_out)
        # One bn_param per hidden layer: the mode and the running averages live here.
        self.bn_params = ([{"mode": "train", "momentum": float(bn_momentum), "eps": float(bn_eps)}
                           for _ in range(self.num_layers - 1)]
                          if normalization == "batchnorm" else [])
        self.ln_params = ([{"eps": float(bn_eps)} for _ in range(self.num_layers - 1)]
                          if normalization == "layernorm" else [])
        # Dropout masks: a fixed seed per layer (for gradient checks) or a
        # generator of the net, reproducible from ``seed``, new masks each call.
        self.dropout_seed = dropout_seed
        self._dropout_rng = np.random.default_rng([int(seed), 7])
        self.activations = []

    def _dropout_param(self, i, mode):
        if self.dropout_seed is not None:
            seed = int(self.dropout_seed) + i
        else:
            seed = int(self._dropout_rng.integers(2 ** 31)) if mode == "train" else None
        return {"p": self.dropout, "mode": mode, "seed": seed}

    def loss(self, X, y=None):
        """Scores (N, C) (or (N,) logits for one output) when ``y`` is None,
        else ``(loss, grads)``.

        Each hidden layer is affine - [batchnorm or layernorm] - activation - [dropout].
        With ``y`` the net is in train mode (batch statistics, running averages
        updated, dropout on); without, in test mode (running averages, no dropout).
        """
        mode = "test" if y is None else "train"
        forward, backward = layers.ACTIVATIONS[self.activation]
        bn, ln, drop = self.normalization == "batchnorm", self.normalization == "layernorm", self.dropout > 0
        p, h, caches, self.activations = self.params, X, [], []
        for i in range(1, self.num_layers):
            h, affine_cache = layers.affine_forward(h, p[f"W{i}"], p[f"b{i}"])
            norm_cache = drop_cache = None
            if bn:
                self.bn_params[i - 1]["mode"] = mode
                h, norm_cache = layers.batchnorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"],
                                                         self.bn_params[i - 1])
            elif ln:
                h, norm_cache = layers.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"],
                                                         self.ln_params[i - 1])
            h, act_cache = forward(h)
            self.activations.append(h)
            if drop:
                h, drop_cache = layers.dropout_forward(h, self._dropout_param(i, mode))
            caches.append((affine_cache, norm_cache, act_cache, drop_cache))
        L = self.num_layers
        scores, last_cache = layers.affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        binary = scores.shape[1] == 1
        if y is None:
            return scores[:, 0] if binary else scores
        bce_or_softmax = layers.sigmoid_bce_loss if binary else layers.softmax_loss
        loss, dscores = bce_or_softmax(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = layers.affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            affine_cache, norm_cache, act_cache, drop_cache = caches[i - 1]
            if drop_cache is not None:
                dh = layers.dropout_backward(dh, drop_cache)
            dh = backward(dh, act_cache)
            if ln:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = layers.layernorm_backward(dh, norm_cache)
            elif bn and norm_cache is not None:
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = layers.batchnorm_backward_alt(dh, norm_cache)
            dh, grads[f"W{i}"], grads[f"b{i}"] = layers.affine_backward(dh, affine_cache)
        return with_weight_decay(loss, grads, p, self.reg)

    def __repr__(self):
        hidden = [self.params[f"W{i}"].shape[1] for i in range(1, self.num_layers)]
        return f"FullyConnectedNet(hidden_dims={hidden}, activation={self.activation!r})"


# ---------------------------------------------------------------- notebook 08
from .conv import ConvNet  # noqa: E402  (conv-relu-pool blocks; defined in helpers.conv)

__all__ += ["ConvNet"]
