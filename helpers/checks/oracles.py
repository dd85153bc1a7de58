"""The PyTorch oracles that notebook tests and ``tests/`` both compare with.

One copy of each: the notebooks' setup cells import them from here, and so
does the pytest suite. Expected values come from PyTorch's own losses and
autograd, never from the course's formula rewritten.

Importing this module imports torch (about a second) and adds torch to the
attributes :mod:`helpers.checks.integrity` watches; every oracle first calls
``verify()``, so an answer cell that replaced ``torch.matmul`` or
``F.cross_entropy`` gets them put back before the oracle computes.
"""
from __future__ import annotations

import functools
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import integrity

__all__ = ["torch_grads", "torch_svm_loss", "torch_softmax_loss",
           "torch_two_layer_net", "torch_two_layer_loss"]

integrity.snapshot()  # torch is imported now: record it (never records anything twice)


def _verified(oracle):
    verify = integrity.verify

    @functools.wraps(oracle)
    def run(*args, **kwargs):
        verify()
        return oracle(*args, **kwargs)

    del run.__wrapped__
    return run


@_verified
def torch_grads(f, *arrays, upstream=None):
    """PyTorch's autograd as an oracle.

    Parameters
    ----------
    f : callable
        Takes one float64 tensor per array and returns a tensor.
    *arrays : array_like
        The inputs; each becomes a float64 tensor that requires a gradient.
    upstream : array_like, optional
        For an output that is not a scalar, the gradients are those of
        ``sum(output * upstream)``.

    Returns
    -------
    value : ndarray
        ``f(*tensors)`` as an array.
    grads : list of ndarray
        The gradient with respect to each array (zeros if f does not use it).
    """
    ts = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = f(*ts)
    out.backward(None if upstream is None else torch.as_tensor(np.asarray(upstream, np.float64)))
    grads = [t.grad.numpy() if t.grad is not None else np.zeros(t.shape) for t in ts]
    return out.detach().numpy(), grads


def _weights(W):
    return torch.tensor(np.asarray(W, dtype=np.float64), requires_grad=True)


@_verified
def torch_svm_loss(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient by PyTorch.

    Parameters
    ----------
    W : ndarray, shape (D, C)
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    reg : float
        Regularization strength: the loss adds ``reg * sum(W ** 2)``.
    delta : float
        The margin.

    Returns
    -------
    loss : float
    dW : ndarray, shape (D, C)

    Notes
    -----
    ``F.multi_margin_loss`` divides each example's sum over the classes by C,
    so C times it is the course's data loss.
    """
    W_t = _weights(W)
    scores = torch.as_tensor(np.asarray(X, dtype=np.float64)) @ W_t
    C = W_t.shape[1]
    loss = C * F.multi_margin_loss(scores, torch.as_tensor(y), p=1, margin=delta) \
        + reg * (W_t ** 2).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


@_verified
def torch_softmax_loss(W, X, y, reg):
    """Softmax cross-entropy loss (mean over the examples) and gradient by
    ``F.cross_entropy`` and autograd. Same arguments and results as
    :func:`torch_svm_loss` without ``delta``."""
    W_t = _weights(W)
    scores = torch.as_tensor(np.asarray(X, dtype=np.float64)) @ W_t
    loss = F.cross_entropy(scores, torch.as_tensor(y)) + reg * (W_t ** 2).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


@_verified
def torch_two_layer_net(params):
    """``nn.Sequential(Linear, ReLU, Linear)`` in float64 holding the weights of
    ``params`` (``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,);
    ``nn.Linear`` stores W transposed)."""
    (D, H), C = params["W1"].shape, params["W2"].shape[1]
    net = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, C)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(params["W1"].T))
        net[0].bias.copy_(torch.tensor(params["b1"]))
        net[2].weight.copy_(torch.tensor(params["W2"].T))
        net[2].bias.copy_(torch.tensor(params["b2"]))
    return net


@_verified
def torch_two_layer_loss(params, X, y, reg):
    """Scores, loss and NumPy-shaped gradients of the two-layer net by PyTorch.

    Parameters
    ----------
    params : dict of ndarray
        ``W1``, ``b1``, ``W2``, ``b2`` as in :func:`torch_two_layer_net`.
    X : ndarray, shape (N, ...)
        Flattened to (N, D).
    y : ndarray of int, shape (N,)
    reg : float
        The loss is cross-entropy + ``reg * (sum(W1 ** 2) + sum(W2 ** 2))``.

    Returns
    -------
    scores : ndarray, shape (N, C)
    loss : float
    grads : dict of ndarray
        Same keys and shapes as ``params``.
    """
    net = torch_two_layer_net(params)
    scores = net(torch.tensor(X.reshape(len(X), -1)))
    loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + reg * (net[0].weight.pow(2).sum() + net[2].weight.pow(2).sum())
    loss.backward()
    grads = {"W1": net[0].weight.grad.numpy().T, "b1": net[0].bias.grad.numpy(),
             "W2": net[2].weight.grad.numpy().T, "b2": net[2].bias.grad.numpy()}
    return scores.detach().numpy(), loss.item(), grads


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
