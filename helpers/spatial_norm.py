"""Normalization of convolutional feature maps (notebook 08), NCHW.

- **Spatial batch normalization** normalizes each channel over the batch and
  every position: the N * H * W numbers of channel c share one mean and one
  variance, as ``torch.nn.BatchNorm2d`` does. It is batch normalization of
  the (N * H * W, C) matrix whose rows are the positions of every image, so
  :func:`spatial_batchnorm_forward` reshapes, calls
  :func:`helpers.layers.batchnorm_forward` and reshapes back. Its cache is
  exactly the cache of that call (``(x, x_hat, mean, var, gamma, eps)`` of the
  reshaped input in train mode, None in test mode): the shape of ``dout``
  tells the backward pass the rest.
- **Group normalization** (Wu and He, 2018) normalizes each image on its own:
  the C channels are split into G groups of C / G consecutive channels, and
  the (C / G) * H * W numbers of one group of one image share a mean and a
  variance. No batch statistics, so no running averages and no train / test
  modes, and it works at batch size 1. G = 1 is layer normalization, G = C
  instance normalization. The same as ``torch.nn.functional.group_norm``.

Both use the biased variance (divide by the number of values) inside the
square root ``sqrt(var + eps)``, and a per-channel scale ``gamma`` and shift
``beta`` of shape (C,).
"""
from __future__ import annotations

import numpy as np

from . import layers
from .checks.guard import reference

__all__ = ["spatial_batchnorm_forward", "spatial_batchnorm_backward",
           "groupnorm_forward", "groupnorm_backward"]


def _maps(name, value):
    value = np.asarray(value)
    if not np.issubdtype(value.dtype, np.floating):
        value = value.astype(np.float64)
    if value.ndim != 4:
        raise ValueError(f"{name} must be a batch of feature maps (N, C, H, W), got shape {value.shape}")
    return value


def _rows(x):
    """(N, C, H, W) -> (N * H * W, C): one row per position of every image."""
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(N * H * W, C)


def _maps_of(rows, shape):
    """The inverse of :func:`_rows`."""
    N, C, H, W = shape
    return np.ascontiguousarray(rows.reshape(N, H, W, C).transpose(0, 3, 1, 2))


@reference
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of each channel of ``x`` (N, C, H, W) over the batch
    and every position: :func:`helpers.layers.batchnorm_forward` on the
    (N * H * W, C) matrix of positions. ``gamma``, ``beta`` (C,); ``bn_param``
    as for batchnorm_forward (its running averages, per channel, are updated
    in train mode). Returns ``(out, cache)``, out (N, C, H, W) and cache the
    cache of that batchnorm_forward call."""
    x = _maps("x", x)
    rows, cache = layers.batchnorm_forward(_rows(x), gamma, beta, bn_param)
    return _maps_of(rows, x.shape), cache


@reference
def spatial_batchnorm_backward(dout, cache):
    """Gradients ``(dx, dgamma, dbeta)`` of :func:`spatial_batchnorm_forward`
    (train mode): :func:`helpers.layers.batchnorm_backward` on the (N * H * W, C)
    matrix of ``dout``, dx reshaped back to (N, C, H, W)."""
    dout = _maps("dout", dout)
    drows, dgamma, dbeta = layers.batchnorm_backward(_rows(dout), cache)
    return _maps_of(drows, dout.shape), dgamma, dbeta


def _groups(x, G):
    N, C = x.shape[:2]
    if isinstance(G, bool) or not isinstance(G, (int, np.integer)) or G < 1:
        raise ValueError(f"G (the number of groups) must be a positive integer, got {G!r}")
    if C % G:
        raise ValueError(f"G = {G} groups cannot split C = {C} channels evenly: G must divide C")
    return int(G)


def _per_channel(name, value, C):
    value = np.asarray(value)
    if not np.issubdtype(value.dtype, np.floating):
        value = value.astype(np.float64)
    if value.shape != (C,):
        raise ValueError(f"{name} must have one value per channel, shape ({C},), got {value.shape}")
    return value


@reference
def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    """Group normalization of ``x`` (N, C, H, W) with ``G`` groups of C / G
    consecutive channels: each image's group is normalized by its own mean and
    (biased) variance, then ``gamma * x_hat + beta`` per channel.

    Returns ``(out, cache)``: out (N, C, H, W) and
    ``cache = (x, x_hat, mean, var, gamma, G, eps)`` with x_hat (N, C, H, W)
    and the statistics mean, var of shape (N, G)."""
    x = _maps("x", x)
    N, C, H, W = x.shape
    G = _groups(x, G)
    gamma, beta = _per_channel("gamma", gamma, C), _per_channel("beta", beta, C)
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    xg = x.reshape(N, G, -1)
    mean, var = xg.mean(axis=2), xg.var(axis=2)
    x_hat = ((xg - mean[..., None]) / np.sqrt(var[..., None] + eps)).reshape(x.shape)
    out = gamma[:, None, None] * x_hat + beta[:, None, None]
    return out, (x, x_hat, mean, var, gamma, G, eps)


@reference
def groupnorm_backward(dout, cache):
    """Gradients ``(dx, dgamma, dbeta)`` of :func:`groupnorm_forward`; shapes
    (N, C, H, W), (C,), (C,). Within one group of one image it is the batch-norm
    backward over the group's M = (C / G) * H * W values:
    ``dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / std``."""
    x, x_hat, mean, var, gamma, G, eps = cache
    dout = _maps("dout", dout)
    if dout.shape != x.shape:
        raise ValueError(f"dout has shape {dout.shape} but must have the shape of x, {x.shape}")
    N = x.shape[0]
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = (dout * gamma[:, None, None]).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    std = np.sqrt(var + eps)[..., None]
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True)
          - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std
    return dx.reshape(x.shape), dgamma, dbeta
