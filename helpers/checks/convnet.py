"""The steps notebook 08's tests of the student's own ``SmallConvNet`` share.

The net calls its convolution and pooling layers through ``conv_layers``;
the tests hand it the course's fast layers (:func:`course_conv_layers`), so a
slip in this notebook's layer exercises costs those exercises only, and the
training tests build the course's own network (:func:`course_net`).
:data:`REFERENCES` are the course's answers the net must not borrow.
PyTorch is the oracle: :func:`torch_convnet` gives the scores, or the loss
and every gradient by autograd, of conv - ReLU - 2x2 max pool - affine -
ReLU - affine - softmax with the given parameters.

The test cells build the student's net inside :func:`answering` with the
sizes and random parameters of :func:`net_inputs`, and compare with one
``check_*`` of this module; the training tests hand ``make_net`` the
course's network and check the trained model's accuracy.
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity
from .assertions import check_close, check_equal, check_shape, check_true, passed
from .guard import without_reference
from .oracles import torch_grads
from .. import conv as _conv

__all__ = ["KEYS", "REFERENCES", "course_conv_layers", "course_net", "random_params", "torch_convnet", "answering",
           "check_init", "net_inputs", "check_scores", "check_loss", "check_reg", "digits_subset",
           "check_overfit_small", "digit_splits", "check_digits", "mnist1d_data", "check_mnist1d", "passed"]

integrity.snapshot()  # torch is imported now: record it

_default_rng, _asarray = np.random.default_rng, np.asarray

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


# ---------------------------------------------------------------- the test cells

def answering():
    """The block in which a test builds and runs the student's SmallConvNet:
    the course's ConvNet and its conv - relu - pool blocks (:data:`REFERENCES`)
    and PyTorch refuse to run."""
    integrity.verify()
    return without_reference(*REFERENCES)


def check_init(nets, big):
    """``nets``: SmallConvNets for input (2, 6, 10), 3 filters of 5 x 5, 7
    hidden units, 4 classes, weight_scale 0.05 and the seeds 3, 3, 4; ``big``
    a larger one (32 filters, 100 hidden units, seed 5). Keys and shapes, zero
    biases, weights of std about 0.05, the seed decides the weights."""
    net, same, other = nets
    params = getattr(net, "params", None)
    check_true(isinstance(params, dict) and sorted(params) == ["W1", "W2", "W3", "b1", "b2", "b3"],
               "self.params must be a dict with exactly the keys 'W1', 'b1', 'W2', 'b2', 'W3', 'b3'.")
    for k, shape, hint in [("W1", (3, 2, 5, 5), "W1 is (F, C, k, k): num_filters, the input's channels, filter_size."),
                           ("b1", (3,), "one conv bias per filter."),
                           ("W2", (3 * 3 * 5, 7), "W2 is (F * H/2 * W/2, hidden_dim): the conv keeps 6 x 10, the "
                                                  "pool halves it to 3 x 5, times F = 3 maps."),
                           ("b2", (7,), None), ("W3", (7, 4), None), ("b3", (4,), None)]:
        check_shape(f"params['{k}'] for input_dim (2, 6, 10), 3 filters of 5 x 5, 7 hidden units, 4 classes",
                    params[k], shape, hint=hint)
    for k in ("b1", "b2", "b3"):
        check_equal(f"params['{k}']", params[k], np.zeros(params[k].shape), hint="biases start at zero.")
    big_params, same_params, other_params = big.params, same.params, other.params
    for k in ("W1", "W2", "W3"):
        std = float(np.std(big_params[k]))
        check_true(0.045 < std < 0.055, f"The standard deviation of params['{k}'] is {std:.4f}, expected about "
                   "weight_scale = 0.05.", hint="W = weight_scale * rng.standard_normal(shape).")
        check_close(f"params['{k}'] for the same seed", same_params[k], params[k],
                    hint="draw the weights from the rng made from `seed`.")
        check_true(not np.allclose(other_params[k], params[k]),
                   f"params['{k}'] is the same for seeds 3 and 4: use the given rng.")


def net_inputs(seed):
    """``(sizes, params, X, y)`` of a SmallConvNet test: the keyword
    arguments of the net's sizes, random parameters (biases too), images and
    labels (None for the scores test, 831)."""
    rng = _default_rng(seed)
    if seed == 834:
        sizes = dict(input_dim=(1, 8, 8), num_filters=4, filter_size=5, hidden_dim=6, num_classes=10)
        params = random_params(rng, **sizes, w2_scale=0.3)
        return sizes, params, rng.uniform(0, 1, (3, 64)), np.array([7, 1, 9])
    sizes = dict(input_dim=(2, 6, 8), num_filters=3, filter_size=3, hidden_dim=5, num_classes=4)
    params = random_params(rng, **sizes)
    X = rng.standard_normal((4 if seed == 831 else 5, 2, 6, 8))
    y = {831: None, 832: np.array([0, 3, 1, 2, 3]), 833: np.array([2, 0, 1, 1, 3])}[seed]
    return sizes, params, X, y


def check_scores(scores, seed=831):
    """``loss(X)`` of the net of :func:`net_inputs` against PyTorch's scores."""
    sizes, params, X, _ = net_inputs(seed)
    check_shape("loss(X) without y", scores, (len(X), sizes["num_classes"]),
                hint="with y=None, loss returns the scores, one row per image.")
    check_close("scores", scores, torch_convnet(params, X, sizes["input_dim"]),
                hint="conv (pad (k - 1) // 2) - ReLU - 2x2 max pool - affine - ReLU - affine: is every ReLU there, "
                     "and does the pool get the conv's output after the ReLU?")


_GRAD_HINTS = {
    "W1": "dW1 comes back through the pool (to the max of each window), then the ReLU's mask, then conv_backward.",
    "b1": "db1 sums the conv's upstream gradient over the images and positions (conv_backward does it).",
    "W2": "dW2: back through the last affine layer and the ReLU of the hidden layer (affine_relu_backward).",
    "b2": "db2: back through the last affine layer and the hidden ReLU.",
    "W3": "dW3 = hidden.T @ dscores, with hidden the output of the hidden ReLU.",
    "b3": "db3 = dscores summed over the images."}


def check_loss(result, seed=832):
    """``loss(X, y)`` (reg 0) of the net of :func:`net_inputs` against PyTorch autograd."""
    sizes, params, X, y = net_inputs(seed)
    want_loss, want = torch_convnet(params, X, sizes["input_dim"], y)
    check_true(isinstance(result, tuple) and len(result) == 2,
               "With labels y, loss(X, y) must return the pair (loss, grads).")
    loss, grads = result
    check_close("loss (reg = 0)", loss, want_loss, hint="the softmax loss of the scores, averaged over the images.")
    check_true(isinstance(grads, dict) and sorted(grads) == sorted(KEYS),
               "grads must be a dict with the keys of params: 'W1', 'b1', 'W2', 'b2', 'W3', 'b3'.")
    for k in KEYS:
        check_close(f"grads['{k}'] (reg = 0)", grads[k], want[k], hint=_GRAD_HINTS[k])


def check_reg(result, reg=0.3, seed=833):
    """``loss(X, y)`` with ``reg`` against PyTorch autograd with the L2 penalty."""
    sizes, params, X, y = net_inputs(seed)
    want_loss, want = torch_convnet(params, X, sizes["input_dim"], y, reg=reg)
    loss, grads = result
    check_close(f"loss (reg = {reg})", loss, want_loss,
                hint="add reg * (np.sum(W1**2) + np.sum(W2**2) + np.sum(W3**2)) to the data loss, not the biases.")
    for k in KEYS:
        check_close(f"grads['{k}'] (reg = {reg})", grads[k], want[k],
                    hint=(f"the penalty reg * sum({k}**2) adds 2 * reg * {k} to grads['{k}']." if k[0] == "W"
                          else "biases are not regularized: their gradients do not change with reg."))


def _digits():
    from ..data import load_digits

    return load_digits(n_val=300, n_test=300, seed=0)


def digits_subset(n=50):
    """The first ``n`` training digits (flat, 64 pixels) and their labels."""
    d = _digits()
    return d["X_train"][:n], d["y_train"][:n]


def _model(solver):
    return getattr(solver, "model", solver)  # a Solver, or the network itself


def _accuracy_of(solver, X, y, what):
    scores = _asarray(_model(solver).loss(X.copy()))
    check_true(scores.shape == (len(X), 10),
               f"The trained {what}'s loss(X) returned shape {scores.shape} for {len(X)} "
               f"{'images' if what == 'network' else 'signals'}, not ({len(X)}, 10).",
               hint="return the Solver (or the network) after training.")
    return float(np.mean(np.argmax(scores, axis=1) == y))


def check_overfit_small(solver, X, y):
    """The network ``overfit_small`` trained classifies its images ``X`` all right."""
    acc = _accuracy_of(solver, X, y, "network")
    check_true(acc == 1.0, f"After overfit_small the network classifies {acc:.0%} of its {len(X)} training images "
               "right, not all of them.",
               hint="reg = 0, a learning rate large enough (Adam: about 1e-3 to 1e-2) and enough epochs; read "
                    "solver.loss_history: it should fall towards 0.")


def digit_splits():
    """The digits' training and validation splits (flat), fresh copies."""
    d = _digits()
    return {k: d[k].copy() for k in ("X_train", "y_train", "X_val", "y_val")}


def check_digits(solver, target=0.96):
    """The trained network's validation accuracy on the digits reaches ``target``; returns it."""
    d = _digits()
    acc = _accuracy_of(solver, d["X_val"], d["y_val"], "network")
    check_true(acc >= target, f"Validation accuracy {acc:.3f}, the target is {target:.2f}.",
               hint="first the learning rate (Adam: 1e-3 to 3e-2) and the weight scale (too small and the scores "
                    "hardly move, too large and the loss explodes), then the epochs, lr_decay and the size of the "
                    "network; plot solver.val_acc_history.")
    return acc


def _mnist1d_split():
    from ..data import load_mnist1d, train_val_split

    data = load_mnist1d()
    return train_val_split(data["X_train"], data["y_train"], n_val=500, seed=0)


def mnist1d_data():
    """MNIST-1D's 3500 training and 500 validation signals, fresh copies."""
    X_train, y_train, X_val, y_val = _mnist1d_split()
    return dict(X_train=X_train.copy(), y_train=y_train.copy(), X_val=X_val.copy(), y_val=y_val.copy())


def check_mnist1d(solver, target=0.88):
    """The trained ConvNet's validation accuracy on MNIST-1D reaches ``target``; returns it."""
    _, _, X_val, y_val = _mnist1d_split()
    acc = _accuracy_of(solver, X_val, y_val, "net")
    check_true(acc >= target, f"Validation accuracy {acc:.3f}, the target is {target:.2f}.",
               hint="tune the learning rate first (Adam: 1e-3 to 3e-2), then the epochs and lr_decay; plot "
                    "solver.val_acc_history to see whether it is still improving.")
    return acc


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
