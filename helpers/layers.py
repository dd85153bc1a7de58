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
batchnorm (train)   ``(x, x_hat, mean, var, gamma, eps)``, mean and var (D,)
layernorm           ``(x, x_hat, mean, var, gamma, eps)``, mean and var (N, 1)
dropout             ``(dropout_param, mask)``, mask None in test mode
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
    # notebook 07
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
    "layernorm_forward", "layernorm_backward",
    "dropout_forward", "dropout_backward",
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


# ---------------------------------------------------------------- notebook 07
# Batch normalization and (inverted) dropout, in the CS231n style: a
# parameter dict carries the mode ("train" / "test") and the layer's state.

_BN_MODES = ("train", "test")


def _float_array(name, value):
    value = _array(name, value)
    if not np.issubdtype(value.dtype, np.floating):
        value = value.astype(np.float64)
    return value


def _bn_param(bn_param):
    if not isinstance(bn_param, dict):
        raise ValueError(f"bn_param must be a dict with the key 'mode' ('train' or 'test'), "
                         f"got {type(bn_param).__name__}")
    mode = bn_param.get("mode", "train")
    if mode not in _BN_MODES:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    eps = float(bn_param.get("eps", 1e-5))
    momentum = float(bn_param.get("momentum", 0.9))
    if not eps > 0:
        raise ValueError(f"bn_param['eps'] must be > 0, got {eps!r}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"bn_param['momentum'] must lie in [0, 1], got {momentum!r}")
    return mode, eps, momentum


@reference
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of a minibatch x (N, D), feature by feature.

    Train mode: normalize with the batch mean and the **biased** batch
    variance (divide by N), ``x_hat = (x - mean) / sqrt(var + eps)``, output
    ``gamma * x_hat + beta``, and update the running averages in ``bn_param``::

        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var  = momentum * running_var  + (1 - momentum) * var * N / (N - 1)

    (the **unbiased** batch variance for the running average, as
    ``torch.nn.BatchNorm1d`` does; CS231n's ``momentum`` is the weight of the
    old value, so momentum 0.9 here is ``BatchNorm1d(momentum=0.1)``).

    Test mode: ``gamma * (x - running_mean) / sqrt(running_var + eps) + beta``;
    nothing is updated.

    Parameters
    ----------
    x : array (N, D)
    gamma, beta : arrays (D,)
        Scale and shift.
    bn_param : dict
        ``mode`` ("train" or "test", default "train"), ``eps`` (1e-5),
        ``momentum`` (0.9), ``running_mean`` and ``running_var`` (D,)
        (created as zeros and ones when missing, as PyTorch does). The new
        running averages are stored back into this dict as new arrays.

    Returns
    -------
    out : array (N, D)
    cache : ``(x, x_hat, mean, var, gamma, eps)`` in train mode (mean and var
        the batch statistics of the normalization), None in test mode.
    """
    mode, eps, momentum = _bn_param(bn_param)
    x = _float_array("x", x)
    gamma, beta = _float_array("gamma", gamma), _float_array("beta", beta)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    n, d = x.shape
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value.shape != (d,):
            raise ValueError(f"{name} must have shape (D,) = ({d},) to match x {x.shape}, "
                             f"got {value.shape}")
    running_mean = _float_array("running_mean", bn_param.get("running_mean", np.zeros(d)))
    running_var = _float_array("running_var", bn_param.get("running_var", np.ones(d)))
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        if value.shape != (d,):
            raise ValueError(f"bn_param['{name}'] must have shape ({d},) to match x {x.shape}, "
                             f"got {value.shape}")

    if mode == "test":
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        return out, None

    if n < 2:
        raise ValueError(f"batch normalization in train mode needs at least 2 samples per batch, "
                         f"got x of shape {x.shape}: the variance of one sample is 0")
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # biased: divide by N
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
    bn_param["running_var"] = momentum * running_var + (1 - momentum) * var * (n / (n - 1))
    return out, (x, x_hat, mean, var, gamma, eps)


def _bn_backward_inputs(dout, cache):
    if cache is None:
        raise ValueError("cache is None: batchnorm_backward needs the cache of a forward pass "
                         "in train mode")
    x, x_hat, mean, var, gamma, eps = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, x.shape)
    return dout, x, x_hat, mean, var, gamma, eps


@reference
def batchnorm_backward(dout, cache):
    """Backward pass of :func:`batchnorm_forward` in train mode, step by
    step through the computational graph (mean, centred x, variance, 1/std).

    dout : array (N, D); cache : ``(x, x_hat, mean, var, gamma, eps)``.
    Returns ``(dx, dgamma, dbeta)``, shapes (N, D), (D,), (D,).
    """
    dout, x, x_hat, mean, var, gamma, eps = _bn_backward_inputs(dout, cache)
    n = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    xc = x - mean
    inv_std = 1.0 / np.sqrt(var + eps)
    # x_hat = xc * inv_std: through xc directly and through inv_std(var(xc))
    dinv_std = np.sum(dx_hat * xc, axis=0)
    dvar = dinv_std * -0.5 * inv_std ** 3
    dxc = dx_hat * inv_std + dvar * 2.0 * xc / n
    # xc = x - mean: through x directly and through the mean
    dx = dxc - dxc.sum(axis=0) / n
    return dx, dgamma, dbeta


@reference
def batchnorm_backward_alt(dout, cache):
    """The same gradients as :func:`batchnorm_backward`, from the simplified formula

    ``dx = gamma / (N * std) * (N * dout - sum(dout) - x_hat * sum(dout * x_hat))``

    (sums over the batch, std = sqrt(var + eps)). Returns ``(dx, dgamma, dbeta)``.
    """
    dout, x, x_hat, mean, var, gamma, eps = _bn_backward_inputs(dout, cache)
    n = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (n * np.sqrt(var + eps)) * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def _ln_eps(ln_param):
    if ln_param is None:
        return 1e-5
    if not isinstance(ln_param, dict):
        raise ValueError(f"ln_param must be a dict (optionally with the key 'eps'), "
                         f"got {type(ln_param).__name__}")
    eps = float(ln_param.get("eps", 1e-5))
    if not eps > 0:
        raise ValueError(f"ln_param['eps'] must be > 0, got {eps!r}")
    return eps


@reference
def layernorm_forward(x, gamma, beta, ln_param=None):
    """Layer normalization of a minibatch x (N, D), sample by sample.

    Each row is normalized over its D features with its own mean and
    **biased** variance, ``x_hat = (x - mean) / sqrt(var + eps)``, then
    scaled and shifted per feature: ``gamma * x_hat + beta``. No batch
    statistics and no running averages: train and test mode are the same
    and a batch of one sample works (as ``torch.nn.functional.layer_norm``
    over the last dimension).

    Parameters
    ----------
    x : array (N, D)
    gamma, beta : arrays (D,)
    ln_param : dict or None
        ``eps`` (default 1e-5); other keys (a ``mode``) are ignored.

    Returns
    -------
    out : array (N, D)
    cache : ``(x, x_hat, mean, var, gamma, eps)`` with mean and var (N, 1).
    """
    eps = _ln_eps(ln_param)
    x = _float_array("x", x)
    gamma, beta = _float_array("gamma", gamma), _float_array("beta", beta)
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    d = x.shape[1]
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value.shape != (d,):
            raise ValueError(f"{name} must have shape (D,) = ({d},) to match x {x.shape}, "
                             f"got {value.shape}")
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)  # biased: divide by D
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta, (x, x_hat, mean, var, gamma, eps)


@reference
def layernorm_backward(dout, cache):
    """Backward pass of :func:`layernorm_forward`: batch norm's short
    formula with the roles of the axes swapped for dx (sums over the D
    features of each sample), while dgamma and dbeta still sum over the batch.

    dout : array (N, D); cache : ``(x, x_hat, mean, var, gamma, eps)``.
    Returns ``(dx, dgamma, dbeta)``, shapes (N, D), (D,), (D,).
    """
    x, x_hat, mean, var, gamma, eps = cache
    dout = _array("dout", dout)
    _same_shape("dout", dout, x.shape)
    d = x.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (d * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True)) / (d * np.sqrt(var + eps))
    return dx, dgamma, dbeta


def _dropout_param(dropout_param):
    if not isinstance(dropout_param, dict) or "p" not in dropout_param:
        raise ValueError("dropout_param must be a dict with the key 'p' (the probability of "
                         "DROPPING a unit) and optionally 'mode' and 'seed'")
    p = dropout_param["p"]
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 <= p < 1:
        raise ValueError(f"dropout_param['p'] is the probability of dropping a unit and must lie "
                         f"in [0, 1), got {p!r}")
    mode = dropout_param.get("mode", "train")
    if mode not in _BN_MODES:
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    return float(p), mode


@reference
def dropout_forward(x, dropout_param):
    """Inverted dropout.

    Train mode: each unit is dropped (set to 0) with probability ``p`` and
    the survivors are scaled by ``1 / (1 - p)``, so the expected output is x;
    ``out = x * mask`` with mask entries 0 or 1 / (1 - p). The mask keeps a
    unit where ``rng.random(x.shape) >= p`` with
    ``rng = np.random.default_rng(dropout_param.get("seed"))``: the same seed
    gives the same mask, no seed a fresh one each call.
    Test mode: ``out = x`` (nothing to scale: that was done at train time).

    Parameters
    ----------
    x : array of any shape
    dropout_param : dict
        ``p`` in [0, 1): the probability of DROPPING a unit (as in
        ``torch.nn.Dropout``); ``mode`` "train" (default) or "test";
        ``seed`` (optional).

    Returns
    -------
    out : array, the shape of x
    cache : ``(dropout_param, mask)``, mask None in test mode
    """
    p, mode = _dropout_param(dropout_param)
    x = _float_array("x", x)
    if mode == "test":
        return x.copy(), (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, (dropout_param, mask)


@reference
def dropout_backward(dout, cache):
    """Backward pass of :func:`dropout_forward`: ``dout * mask`` in train
    mode, ``dout`` in test mode. Returns dx, the shape of dout."""
    dropout_param, mask = cache
    dout = _array("dout", dout)
    if dropout_param.get("mode", "train") == "test" or mask is None:
        return dout.copy()
    _same_shape("dout", dout, mask.shape, "the dropout mask")
    return dout * mask


#: The activations a FullyConnectedNet can use: name -> (forward, backward).
ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "elu": (elu_forward, elu_backward),
}


# ---------------------------------------------------------------- notebook 08
from .conv import (conv_forward_naive, conv_backward_naive,  # noqa: E402
                   max_pool_forward_naive, max_pool_backward_naive,
                   conv_forward_fast, conv_backward_fast,
                   max_pool_forward_fast, max_pool_backward_fast,
                   conv_relu_pool_forward, conv_relu_pool_backward)

__all__ += ["conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
            "max_pool_backward_naive", "conv_forward_fast", "conv_backward_fast",
            "max_pool_forward_fast", "max_pool_backward_fast",
            "conv_relu_pool_forward", "conv_relu_pool_backward"]
