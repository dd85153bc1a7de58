"""Layers as pairs of functions, in the CS231n style.

Every layer has a forward function that returns ``(out, cache)`` and a backward
function that takes the upstream gradient ``dout`` (same shape as ``out``) and
that ``cache``, and returns the gradient of the loss with respect to each input
of the forward function. Losses return ``(loss, dx)`` directly.

All functions work in float64 or float32 and never change their inputs. They
raise :class:`ValueError` with a readable message when shapes do not fit.

Caches (what backward needs, documented because tests build them by hand):

==================  ==========================================
layer               cache
==================  ==========================================
affine              ``(x, w, b)``, the inputs
relu                ``x``, the input
sigmoid             ``out``, the output sigma(x)
tanh                ``out``, the output tanh(x)
affine_relu         ``(affine_cache, relu_cache)``
==================  ==========================================
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference

__all__ = [
    "affine_forward", "affine_backward",
    "relu_forward", "relu_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "affine_relu_forward", "affine_relu_backward",
    "softmax_loss", "svm_loss", "sigmoid_bce_loss",
    "leaky_relu_forward", "leaky_relu_backward", "elu_forward", "elu_backward",
    "dead_fraction",
]


# --------------------------------------------------------------------------
# Shape checks
# --------------------------------------------------------------------------

def _array(name, value):
    try:
        return np.asarray(value)
    except Exception as exc:  # ragged lists
        raise ValueError(f"{name} must be an array, got {type(value).__name__}") from exc


def _same_shape(name, value, shape, other="the forward output"):
    if value.shape != tuple(shape):
        raise ValueError(f"{name} has shape {value.shape} but must have the shape of "
                         f"{other}, {tuple(shape)}")


def _scores_and_labels(x, y):
    x = _array("x", x)
    y = _array("y", y)
    if x.ndim != 2:
        raise ValueError(f"scores x must be 2-D (N, C), got shape {x.shape}")
    n, c = x.shape
    if n == 0 or c == 0:
        raise ValueError(f"scores x must have at least one row and one class, got shape {x.shape}")
    if y.shape != (n,):
        raise ValueError(f"labels y must have shape (N,) = ({n},) to match x {x.shape}, "
                         f"got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if y.size and not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"labels y must be integers, got dtype {y.dtype}")
        y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"labels y must lie in [0, {c - 1}] for {c} classes, "
                         f"got values from {y.min()} to {y.max()}")
    return x, y


# --------------------------------------------------------------------------
# Affine (fully connected) layer
# --------------------------------------------------------------------------

@reference
def affine_forward(x, w, b):
    """Fully connected layer: ``out = x.reshape(N, D) @ w + b``.

    Parameters
    ----------
    x : array (N, d_1, ..., d_k)
        A minibatch of N inputs; each is flattened to D = d_1 * ... * d_k numbers.
    w : array (D, M)
        Weights.
    b : array (M,)
        Biases.

    Returns
    -------
    out : array (N, M)
    cache : tuple ``(x, w, b)``
    """
    x, w, b = _array("x", x), _array("w", w), _array("b", b)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, d_1, ..., d_k) with at least 2 dimensions, "
                         f"got {x.shape}; a single sample needs shape (1, D)")
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D (D, M), got shape {w.shape}")
    d, m = w.shape
    n = x.shape[0]
    flat = int(np.prod(x.shape[1:]))
    if flat != d:
        raise ValueError(f"x of shape {x.shape} flattens to (N, D) = ({n}, {flat}) but w has "
                         f"shape {w.shape}: its first dimension must be D = {flat}")
    if b.shape != (m,):
        raise ValueError(f"b must have shape (M,) = ({m},) to match w {w.shape}, got {b.shape}")
    out = x.reshape(n, d) @ w + b
    return out, (x, w, b)


@reference
def affine_backward(dout, cache):
    """Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : array (N, M)
        Upstream gradient dL/dout.
    cache : tuple ``(x, w, b)``
        x (N, d_1, ..., d_k), w (D, M), b (M,).

    Returns
    -------
    dx : array (N, d_1, ..., d_k)
    dw : array (D, M)
    db : array (M,)
    """
    x, w, b = cache
    dout = _array("dout", dout)
    n, d = x.shape[0], w.shape[0]
    _same_shape("dout", dout, (n, w.shape[1]))
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(n, d).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------

@reference
def relu_forward(x):
    """Rectified linear unit, elementwise: ``out = max(0, x)``.

    x : array of any shape. Returns ``(out, cache)`` with out the shape of x and
    cache = x.
    """
    x = _array("x", x)
    return np.maximum(x, 0), x


@reference
def relu_backward(dout, cache):
    """Backward pass of :func:`relu_forward`: the gradient flows where x > 0.

    dout : upstream gradient, the shape of x; cache : x. Returns dx, the shape of x.
    (At x == 0 exactly the gradient is taken as 0, as in PyTorch.)
    """
    x = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, x.shape, "x")
    return dout * (x > 0)


@reference
def sigmoid_forward(x):
    """Logistic sigmoid, elementwise: ``out = 1 / (1 + exp(-x))``.

    Numerically stable: never evaluates exp of a large positive number, so
    x = -1000 gives 0 and x = 1000 gives 1 without overflow warnings.
    x : array of any shape. Returns ``(out, cache)`` with cache = out.
    """
    x = _array("x", x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    z = np.exp(-np.abs(x))  # in (0, 1]: cannot overflow
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)
    return out, out


@reference
def sigmoid_backward(dout, cache):
    """Backward pass of :func:`sigmoid_forward`: ``dx = dout * out * (1 - out)``.

    dout : upstream gradient, the shape of x; cache : out = sigma(x). Returns dx.
    """
    out = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, out.shape)
    return dout * out * (1.0 - out)


@reference
def tanh_forward(x):
    """Hyperbolic tangent, elementwise. Returns ``(out, cache)`` with cache = out."""
    x = _array("x", x)
    out = np.tanh(x)
    return out, out


@reference
def tanh_backward(dout, cache):
    """Backward pass of :func:`tanh_forward`: ``dx = dout * (1 - out**2)``.

    dout : upstream gradient, the shape of x; cache : out = tanh(x). Returns dx.
    """
    out = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, out.shape)
    return dout * (1.0 - out * out)


# --------------------------------------------------------------------------
# Sandwich layer
# --------------------------------------------------------------------------

@reference
def affine_relu_forward(x, w, b):
    """Affine layer followed by ReLU. Shapes as :func:`affine_forward`.

    Returns ``(out, cache)`` with out (N, M) and cache = (affine_cache, relu_cache).
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


@reference
def affine_relu_backward(dout, cache):
    """Backward pass of :func:`affine_relu_forward`. Returns ``(dx, dw, db)``."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------

@reference
def softmax_loss(x, y):
    """Softmax (cross-entropy) loss, averaged over the minibatch.

    ``loss = mean_i [ -x[i, y_i] + log sum_j exp(x[i, j]) ]``, computed after
    shifting each row by its maximum so that scores like 1000 do not overflow.

    Parameters
    ----------
    x : array (N, C)
        Scores; x[i, j] is the score of class j for sample i.
    y : int array (N,)
        Labels, 0 <= y[i] < C.

    Returns
    -------
    loss : float
    dx : array (N, C)
        dloss/dx = (softmax(x) - onehot(y)) / N.
    """
    x, y = _scores_and_labels(x, y)
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_norm
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()
    dx = np.exp(log_probs)
    dx[rows, y] -= 1.0
    dx /= n
    return float(loss), dx


@reference
def sigmoid_bce_loss(x, y):
    """Binary cross-entropy of ``sigmoid(x)``, averaged over the minibatch.

    ``loss = mean_i [ softplus(x_i) - y_i * x_i ]`` with
    ``softplus(t) = log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|))``, which is
    ``-y log sigma(x) - (1 - y) log(1 - sigma(x))`` computed without ever taking
    the log of a sigmoid: exact for any logit (x = 40 with y = 0 gives 40, not inf).

    Parameters
    ----------
    x : array (N,) or (N, 1)
        Logits of class 1.
    y : array (N,)
        Labels, 0 or 1.

    Returns
    -------
    loss : float
    dx : array, the shape of x
        dloss/dx = (sigmoid(x) - y) / N.
    """
    x = _array("x", x)
    y = _array("y", y)
    shape = x.shape
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or x.shape[0] == 0:
        raise ValueError(f"logits x must have shape (N,) or (N, 1) with N >= 1, got {shape}")
    n = x.shape[0]
    if y.shape != (n,):
        raise ValueError(f"labels y must have shape (N,) = ({n},) to match x {shape}, got {y.shape}")
    if y.size and not np.all((y == 0) | (y == 1)):
        raise ValueError("labels y must be 0 or 1")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    y = y.astype(x.dtype)
    loss = np.mean(np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))) - y * x)
    z = np.exp(-np.abs(x))  # the stable sigmoid, inline: not the guarded reference
    sig = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    dx = ((sig - y) / n).reshape(shape)
    return float(loss), dx


@reference
def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin delta = 1, averaged over the minibatch.

    ``loss = mean_i sum_{j != y_i} max(0, x[i, j] - x[i, y_i] + 1)``

    Parameters
    ----------
    x : array (N, C)
        Scores.
    y : int array (N,)
        Labels, 0 <= y[i] < C.

    Returns
    -------
    loss : float
    dx : array (N, C)
        Each violated margin adds 1/N at its class and -1/N at the correct class.
        (At a margin of exactly zero the gradient is taken as 0.)
    """
    x, y = _scores_and_labels(x, y)
    n = x.shape[0]
    rows = np.arange(n)
    margins = x - x[rows, y][:, None] + 1.0
    margins[rows, y] = 0.0
    violated = margins > 0
    loss = np.where(violated, margins, 0.0).sum() / n
    dx = violated.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
    dx[rows, y] = -violated.sum(axis=1)
    dx /= n
    return float(loss), dx


# ---------------------------------------------------------------- notebook 06
@reference
def leaky_relu_forward(x, alpha=0.01):
    """max(x, alpha * x): like ReLU, but a small slope ``alpha`` for x <= 0,
    so no unit is ever completely dead. Returns ``(out, cache)``."""
    x = _array("x", x)
    return np.where(x > 0, x, alpha * x), (x, alpha)


@reference
def leaky_relu_backward(dout, cache):
    """Upstream gradient times the local slope: 1 where x > 0, else alpha."""
    x, alpha = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, x.shape)
    return dout * np.where(x > 0, 1.0, alpha)


@reference
def elu_forward(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise: smooth, and negative
    outputs down to -alpha. Returns ``(out, cache)``."""
    x = _array("x", x)
    negative = alpha * np.expm1(np.minimum(x, 0.0))  # min: no overflow for large x
    return np.where(x > 0, x, negative), (x, alpha)


@reference
def elu_backward(dout, cache):
    """Upstream gradient times 1 where x > 0, alpha * exp(x) otherwise."""
    x, alpha = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, x.shape)
    return dout * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


@reference
def dead_fraction(h):
    """The fraction of units (columns of the activations ``h``, shape (N, H))
    that output 0 or less for every sample of the batch: a unit is dead when
    no input of the batch activates it, not when one sample misses it."""
    h = _array("h", h)
    if h.ndim != 2 or h.shape[0] == 0:
        raise ValueError(f"h must be a batch of activations of shape (N, H) with N >= 1, got {h.shape}")
    return float(np.mean(np.all(h <= 0, axis=0)))


#: The activations a FullyConnectedNet can use: name -> (forward, backward).
ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "elu": (elu_forward, elu_backward),
}
