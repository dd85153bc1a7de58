"""The steps that notebook 07's tests share (batch norm, dropout, regularization).

PyTorch is the oracle: :func:`torch_bn_train` runs ``torch.nn.BatchNorm1d``
for several training steps and returns its outputs and running statistics,
:func:`bn_cache` builds the documented batch-norm cache with torch (so a
backward test never depends on the student's forward),
:func:`torch_bn_grads` gives dx, dgamma, dbeta by autograd, and
:func:`torch_clip` runs ``torch.nn.utils.clip_grad_norm_``.
:func:`train_regularized` trains the notebook's over-fitting network with a
student's dropout and weight-decay settings. The module refuses attribute
assignment like the rest of :mod:`helpers.checks`, so an answer cell cannot
redefine these steps.
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity
from .assertions import check_true

__all__ = ["torch_bn_train", "torch_bn_eval", "bn_cache", "torch_bn_grads", "torch_clip",
           "small_split", "SETTING_KEYS", "train_regularized"]

integrity.snapshot()  # torch is imported now: record it

_asarray, _float64, _argmax, _mean, _default_rng = np.asarray, np.float64, np.argmax, np.mean, np.random.default_rng
_tensor, _no_grad = torch.tensor, torch.no_grad


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _bn_module(gamma, beta, momentum, eps):
    d = len(gamma)
    bn = torch.nn.BatchNorm1d(d, momentum=1.0 - momentum, eps=eps).double()
    with _no_grad():
        bn.weight.copy_(_tensor(_asarray(gamma, dtype=_float64)))
        bn.bias.copy_(_tensor(_asarray(beta, dtype=_float64)))
    return bn


def torch_bn_train(batches, gamma, beta, momentum=0.9, eps=1e-5):
    """Run ``BatchNorm1d`` (train mode; its momentum is 1 - ours) on each batch
    in turn. Returns ``(outputs, running_means, running_vars)``: one array per
    batch, the running statistics after that batch."""
    bn = _bn_module(gamma, beta, momentum, eps)
    outs, means, variances = [], [], []
    for x in batches:
        outs.append(bn(_tensor(_asarray(x, dtype=_float64))).detach().numpy())
        means.append(bn.running_mean.numpy().copy())
        variances.append(bn.running_var.numpy().copy())
    return outs, means, variances


def torch_bn_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    """``BatchNorm1d`` in eval mode with the given running statistics."""
    bn = _bn_module(gamma, beta, 0.9, eps)
    with _no_grad():
        bn.running_mean.copy_(_tensor(_asarray(running_mean, dtype=_float64)))
        bn.running_var.copy_(_tensor(_asarray(running_var, dtype=_float64)))
    bn.eval()
    return bn(_tensor(_asarray(x, dtype=_float64))).detach().numpy()


def bn_cache(x, gamma, eps=1e-5):
    """The cache ``(x, x_hat, mean, var, gamma, eps)`` of batchnorm_forward in
    train mode, computed by PyTorch (var is the biased batch variance)."""
    xt = _tensor(_asarray(x, dtype=_float64))
    mean = xt.mean(dim=0)
    var = xt.var(dim=0, unbiased=False)
    x_hat = F.batch_norm(xt, None, None, None, None, training=True, eps=eps)
    return (xt.numpy().copy(), x_hat.numpy(), mean.numpy(), var.numpy(),
            _asarray(gamma, dtype=_float64).copy(), float(eps))


def torch_bn_grads(x, gamma, beta, dout, eps=1e-5):
    """``(dx, dgamma, dbeta)`` of ``sum(batchnorm(x) * dout)`` in train mode, by autograd."""
    ts = [_tensor(_asarray(a, dtype=_float64), requires_grad=True) for a in (x, gamma, beta)]
    out = F.batch_norm(ts[0], None, None, ts[1], ts[2], training=True, eps=eps)
    out.backward(_tensor(_asarray(dout, dtype=_float64)))
    return tuple(t.grad.numpy() for t in ts)


def torch_clip(grads, max_norm):
    """``(total_norm, clipped)`` by ``torch.nn.utils.clip_grad_norm_`` on copies of ``grads``."""
    params = []
    for g in grads.values():
        p = torch.zeros(_asarray(g).shape, dtype=torch.float64, requires_grad=True)
        p.grad = _tensor(_asarray(g, dtype=_float64).copy())
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm).item()
    return float(total), {k: p.grad.numpy() for k, p in zip(grads, params)}


def small_split(n_train=300):
    """MNIST-1D: the first ``n_train`` training signals and 1000 others for
    validation (the last 1000 of the training set): ``(X, y, X_val, y_val)``."""
    from ..data import load_mnist1d

    d = load_mnist1d()
    return d["X_train"][:n_train], d["y_train"][:n_train], d["X_train"][3000:], d["y_train"][3000:]


#: The keys of the settings dict of the regularization exercise.
SETTING_KEYS = ("dropout", "reg")


def train_regularized(settings, hidden=(200, 200), num_epochs=60, batch_size=50, lr=0.1, seed=0):
    """Train FullyConnectedNet(hidden, 40, 10) on 300 MNIST-1D signals by
    minibatch SGD with ``settings["dropout"]`` and ``settings["reg"]``.
    Returns ``(train_acc, val_acc)``."""
    from ..nets import FullyConnectedNet
    from ..optim import SGD, minibatches

    check_true(isinstance(settings, dict),
               f"Return a dict with the keys {list(SETTING_KEYS)}, not a {type(settings).__name__}.")
    missing = [k for k in SETTING_KEYS if k not in settings]
    check_true(not missing, f"The settings dict lacks {missing}; it needs {list(SETTING_KEYS)}.",
               hint='for example {"dropout": 0.2, "reg": 0.001}.')
    p, reg = float(settings["dropout"]), float(settings["reg"])
    check_true(0 <= p < 1, f"dropout is the probability of dropping a unit: it must lie in [0, 1), got {p}.")
    check_true(0 <= reg <= 10, f"reg must lie in [0, 10], got {reg}.")
    X, y, Xv, yv = small_split()
    net = FullyConnectedNet(list(hidden), X.shape[1], 10, dropout=p, reg=reg, seed=seed)
    opt, rng = SGD(lr=lr), _default_rng(seed)
    # Small matrices: one BLAS thread is several times faster than many on a busy machine.
    with np.errstate(all="ignore"), _one_blas_thread():
        for _ in range(num_epochs):
            for Xb, yb in minibatches(X, y, batch_size, rng=rng):
                opt.update(net.params, net.loss(Xb, yb)[1])
        train_acc = float(_mean(_argmax(net.loss(X), axis=1) == y))
        val_acc = float(_mean(_argmax(net.loss(Xv), axis=1) == yv))
    return train_acc, val_acc


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
