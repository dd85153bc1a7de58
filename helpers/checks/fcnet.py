"""The steps notebook 07's tests of the student's own fully connected net share.

The student's ``FCNet`` calls its layers through ``ops``, a namespace of layer
functions. The tests hand it the course's layers (:func:`course_ops`), so a
slip in the student's batch norm, layer norm or dropout costs those
exercises only; with ``dropout_seed`` its dropout draws fixed masks that
:func:`dropout_mask` rebuilds for the oracle.

PyTorch is the oracle: :func:`torch_fcnet` gives the scores, the loss and every
gradient of the same net by autograd (train mode: batch statistics, the given
dropout masks), :func:`torch_fcnet_eval` its test-mode scores after some
train-mode passes (batch norm's running averages by ``F.batch_norm``).

:func:`overfit_fcnet` trains the student's class in the kernel (a probe: the
grader reads its observations back) with the course's layers and optimizer.
:func:`train_settings` trains the course's ``FullyConnectedNet`` with the
student's choice of normalization and dropout (same initial weights and
dropout masks as the student's FCNet, so the numbers of the student's own
sweep). Only the validation split of MNIST-1D is used for a graded target,
never its test set.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity
from .assertions import check_true
from .guard import without_reference
from .trace import probe

__all__ = ["LAYER_NAMES", "course_ops", "dropout_mask", "torch_fcnet", "torch_fcnet_eval", "random_params",
           "OVERFIT", "overfit_fcnet", "RECIPE", "SETTING_KEYS", "NORMALIZATIONS", "check_settings",
           "train_settings"]

integrity.snapshot()  # torch is imported now: record it

_asarray, _float64, _argmax, _mean, _default_rng = np.asarray, np.float64, np.argmax, np.mean, np.random.default_rng
_tensor, _no_grad = torch.tensor, torch.no_grad

#: The layer functions an FCNet calls through ``ops``.
LAYER_NAMES = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss",
               "batchnorm_forward", "batchnorm_backward", "layernorm_forward", "layernorm_backward",
               "dropout_forward", "dropout_backward")


def course_ops(dropout_seed=None):
    """The course's reference layers as a namespace for ``FCNet(..., ops=...)``.
    With ``dropout_seed``, dropout in train mode draws its mask from that seed
    at every call, whatever seed the net passes (:func:`dropout_mask` rebuilds it)."""
    from .. import layers

    ops = {name: getattr(layers, name) for name in LAYER_NAMES}
    if dropout_seed is not None:
        seed, course_dropout = int(dropout_seed), layers.dropout_forward

        def dropout_forward(x, dropout_param):
            check_true(isinstance(dropout_param, dict) and "p" in dropout_param,
                       "dropout_forward should get a dict with the keys 'p' and 'mode'.",
                       hint="pass self.dropout_param(i, mode).")
            return course_dropout(x, dict(dropout_param, seed=seed))

        ops["dropout_forward"] = dropout_forward
    return SimpleNamespace(**ops)


def dropout_mask(shape, p, seed):
    """The mask of ``course_ops(seed)``'s dropout for an input of ``shape``:
    1 / (1 - p) where ``default_rng(seed).random(shape) >= p``, else 0."""
    return (_default_rng(int(seed)).random(tuple(shape)) >= p) / (1.0 - p)


def random_params(dims, normalization, seed):
    """Parameters of an FCNet with layer sizes ``dims`` (input, hidden...,
    classes): weights of std 1 / sqrt(fan_in), small random biases, and gamma
    around 1 and beta around 0 for every hidden layer when normalized."""
    rng = _default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        params[f"b{i}"] = 0.1 * rng.standard_normal(n_out)
        if normalization is not None and i < len(dims) - 1:
            params[f"gamma{i}"] = 1.0 + 0.3 * rng.standard_normal(n_out)
            params[f"beta{i}"] = 0.3 * rng.standard_normal(n_out)
    return params


def _layer_count(params):
    return sum(1 for k in params if k.startswith("W"))


def _forward(ts, X, normalization, masks, eps, running=None, momentum=0.9, training=True):
    L = _layer_count(ts)
    h = _tensor(_asarray(X, dtype=_float64)).reshape(len(X), -1)
    for i in range(1, L):
        h = h @ ts[f"W{i}"] + ts[f"b{i}"]
        if normalization == "batchnorm":
            rm, rv = running[i - 1] if running is not None else (None, None)
            h = F.batch_norm(h, rm, rv, ts[f"gamma{i}"], ts[f"beta{i}"], training=training,
                             momentum=1.0 - momentum, eps=eps)
        elif normalization == "layernorm":
            h = F.layer_norm(h, (h.shape[1],), ts[f"gamma{i}"], ts[f"beta{i}"], eps=eps)
        h = torch.relu(h)
        if masks is not None and training:
            h = h * _tensor(_asarray(masks[i - 1], dtype=_float64))
    return h @ ts[f"W{L}"] + ts[f"b{L}"]


def torch_fcnet(params, X, y, normalization=None, reg=0.0, masks=None, eps=1e-5):
    """``(scores, loss, grads)`` of ``[affine - norm - relu - (times mask)] x
    (L - 1) - affine - softmax`` in train mode (batch norm with the batch's
    statistics) by autograd; the loss adds ``reg * sum(W**2)`` over the weight
    matrices; ``masks`` holds one dropout mask per hidden layer, or None."""
    integrity.verify()
    ts = {k: _tensor(_asarray(v, dtype=_float64), requires_grad=True) for k, v in params.items()}
    scores = _forward(ts, X, normalization, masks, eps)
    loss = F.cross_entropy(scores, _tensor(_asarray(y, dtype=np.int64)))
    loss = loss + reg * sum((ts[f"W{i}"] ** 2).sum() for i in range(1, _layer_count(ts) + 1))
    loss.backward()
    return scores.detach().numpy(), float(loss.item()), {k: t.grad.numpy() for k, t in ts.items()}


def torch_fcnet_eval(params, train_batches, X, normalization=None, train_masks=None, momentum=0.9, eps=1e-5):
    """Test-mode scores of the same net on ``X`` after one train-mode pass on
    each of ``train_batches`` (with ``train_masks[k]``, the dropout masks of
    pass k, or None): batch norm normalizes with its running averages
    (starting at 0 and 1, ``momentum`` the weight of the old value), no dropout."""
    integrity.verify()
    ts = {k: _tensor(_asarray(v, dtype=_float64)) for k, v in params.items()}
    L = _layer_count(ts)
    running = [(torch.zeros(ts[f"W{i}"].shape[1], dtype=torch.float64),
                torch.ones(ts[f"W{i}"].shape[1], dtype=torch.float64)) for i in range(1, L)]
    with _no_grad():
        for k, Xb in enumerate(train_batches):
            _forward(ts, Xb, normalization, None if train_masks is None else train_masks[k], eps,
                     running, momentum, training=True)
        return _forward(ts, X, normalization, None, eps, running, momentum, training=False).numpy()


# ---------------------------------------------------------------- training the student's net

def _fcnet_refs():
    from .. import nets

    return (nets.FullyConnectedNet,)


def _accuracy(net, X, y):
    return float(_mean(_argmax(_asarray(net.loss(X)), axis=1) == y))


#: How the overfitting test trains: 3 hidden layers, batch norm and dropout, 50 signals.
OVERFIT = {"hidden_dims": [100, 100, 100], "normalization": "batchnorm", "dropout": 0.1, "n": 50,
           "num_epochs": 40, "batch_size": 25, "lr": 1e-2}


@probe
def overfit_fcnet(cls, seed=0):
    """Train the student's class (the course's layers) on the first 50
    MNIST-1D training signals with Adam as :data:`OVERFIT` says. Returns
    ``{"train_acc": [...], "loss": [...]}``, per epoch (accuracy in test mode)."""
    from ..data import load_mnist1d
    from ..optim import Adam, minibatches

    d = load_mnist1d()
    X, y = d["X_train"][:OVERFIT["n"]], d["y_train"][:OVERFIT["n"]]
    out = {"train_acc": [], "loss": []}
    with without_reference(*_fcnet_refs()), np.errstate(all="ignore"):
        net = cls(list(OVERFIT["hidden_dims"]), X.shape[1], 10, normalization=OVERFIT["normalization"],
                  dropout=OVERFIT["dropout"], seed=seed, ops=course_ops())
        opt, rng = Adam(lr=OVERFIT["lr"]), _default_rng(seed)
        for _ in range(OVERFIT["num_epochs"]):
            for Xb, yb in minibatches(X, y, OVERFIT["batch_size"], rng=rng):
                loss, grads = net.loss(Xb, yb)
                opt.update(net.params, grads)
            out["loss"].append(float(loss))
            out["train_acc"].append(_accuracy(net, X, y))
    return out


#: The MNIST-1D run of the settings exercise (the notebook's ``fcnet_run``): the
#: first 3000 training signals, Adam, 20 epochs; the last 1000 training signals
#: are the validation set.
RECIPE = {"hidden_dims": [128, 128], "n_train": 3000, "num_epochs": 20, "batch_size": 100, "lr": 3e-3}
SETTING_KEYS = ("normalization", "dropout")
NORMALIZATIONS = (None, "batchnorm", "layernorm")


def check_settings(settings):
    """The settings dict of the MNIST-1D exercise, checked: ``(normalization, dropout)``."""
    check_true(isinstance(settings, dict),
               f"Return a dict with the keys {list(SETTING_KEYS)}, not a {type(settings).__name__}.")
    missing = [k for k in SETTING_KEYS if k not in settings]
    check_true(not missing, f"The settings dict lacks {missing}; it needs {list(SETTING_KEYS)}.",
               hint='for example {"normalization": "layernorm", "dropout": 0.3}.')
    norm, p = settings["normalization"], settings["dropout"]
    check_true(norm in NORMALIZATIONS, f"normalization must be None, 'batchnorm' or 'layernorm', got {norm!r}.")
    check_true(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p < 1,
               f"dropout is the probability of dropping a unit: a number in [0, 1), got {p!r}.")
    return norm, float(p)


def train_settings(settings, seed=0):
    """Train the course's ``FullyConnectedNet`` with the student's settings
    (a dict with "normalization" and "dropout") as :data:`RECIPE` says, and
    return ``(train_acc, val_acc)``. No student code runs here: the settings
    exercise is graded on the course's net, so a slip in FCNet costs nothing."""
    from ..data import load_mnist1d
    from ..nets import FullyConnectedNet
    from ..optim import Adam, minibatches

    normalization, dropout = check_settings(settings)
    d = load_mnist1d()
    n = RECIPE["n_train"]
    X, y, Xv, yv = d["X_train"][:n], d["y_train"][:n], d["X_train"][3000:], d["y_train"][3000:]
    net = FullyConnectedNet(list(RECIPE["hidden_dims"]), X.shape[1], 10, normalization=normalization,
                            dropout=dropout, seed=seed)
    opt, rng = Adam(lr=RECIPE["lr"]), _default_rng(seed)
    with np.errstate(all="ignore"), _one_blas_thread():
        for _ in range(RECIPE["num_epochs"]):
            for Xb, yb in minibatches(X, y, RECIPE["batch_size"], rng=rng):
                opt.update(net.params, net.loss(Xb, yb)[1])
        return _accuracy(net, X, y), _accuracy(net, Xv, yv)


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
