"""The steps notebook 08's tests of the student's own ``SmallConvNet`` share.

The net calls its convolution and pooling layers through ``conv_layers``;
the tests hand it the course's fast layers (:func:`course_conv_layers`), so a
slip in this notebook's layer exercises costs those exercises only, and the
training tests build the course's own network (:func:`course_net`).
:data:`REFERENCES` are the course's answers the net must not borrow.
PyTorch is the oracle: :func:`torch_convnet` gives the scores, or the loss
and every gradient by autograd, of conv - ReLU - 2x2 max pool - affine -
ReLU - affine - softmax with the given parameters.
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity
from .oracles import torch_grads
from .. import conv as _conv

__all__ = ["KEYS", "REFERENCES", "course_conv_layers", "course_net", "random_params", "torch_convnet"]

integrity.snapshot()  # torch is imported now: record it

#: The parameters of the net, in the order of its layers.
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
#: The course's ConvNet and its sandwich layers: not for borrowing.
REFERENCES = (_conv.ConvNet, _conv.conv_relu_pool_forward, _conv.conv_relu_pool_backward)


def course_conv_layers():
    """The course's fast layers, as ``SmallConvNet(..., conv_layers=...)`` takes them."""
    return {"conv_forward": _conv.conv_forward_fast, "conv_backward": _conv.conv_backward_fast,
            "pool_forward": _conv.max_pool_forward_fast, "pool_backward": _conv.max_pool_backward_fast}


def course_net(input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100, num_classes=10,
               weight_scale=1e-2, reg=0.0, seed=0):
    """The course's network with SmallConvNet's arguments (and the course's
    layers): what the training tests hand to ``make_net``."""
    return _conv.ConvNet(input_dim, num_filters=(num_filters,), filter_size=filter_size, pool_size=2,
                         num_classes=num_classes, weight_init=weight_scale, reg=reg, seed=seed,
                         hidden_dims=(hidden_dim,))


def random_params(rng, input_dim, num_filters, filter_size, hidden_dim, num_classes, w2_scale=1.0):
    """Random parameters (biases too) of a net with these sizes."""
    C, H, W = input_dim
    return {"W1": rng.standard_normal((num_filters, C, filter_size, filter_size)),
            "b1": rng.standard_normal(num_filters),
            "W2": w2_scale * rng.standard_normal((num_filters * (H // 2) * (W // 2), hidden_dim)),
            "b2": rng.standard_normal(hidden_dim),
            "W3": rng.standard_normal((hidden_dim, num_classes)), "b3": rng.standard_normal(num_classes)}


def torch_convnet(params, X, input_dim, y=None, reg=0.0):
    """PyTorch's scores for ``X`` (``y=None``), else ``(loss, grads)`` with the
    L2 penalty ``reg * sum(W**2)`` over the three weight matrices."""
    Xt = torch.tensor(np.asarray(X, dtype=np.float64)).reshape(len(X), *input_dim)
    pad = (params["W1"].shape[2] - 1) // 2

    def scores(W1, b1, W2, b2, W3, b3):
        h = F.max_pool2d(F.relu(F.conv2d(Xt, W1, b1, padding=pad)), 2)
        return F.relu(h.flatten(1) @ W2 + b2) @ W3 + b3

    if y is None:
        with torch.no_grad():
            return scores(*(torch.tensor(params[k]) for k in KEYS)).numpy()
    yt = torch.tensor(np.asarray(y))

    def loss(W1, b1, W2, b2, W3, b3):
        penalty = (W1 ** 2).sum() + (W2 ** 2).sum() + (W3 ** 2).sum()
        return F.cross_entropy(scores(W1, b1, W2, b2, W3, b3), yt) + reg * penalty

    value, grads = torch_grads(loss, *(params[k] for k in KEYS))
    return float(value), dict(zip(KEYS, grads))


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
