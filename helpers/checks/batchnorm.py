"""The steps that notebook 07's tests share (batch norm, layer norm, clipping).

PyTorch is the oracle: :func:`torch_bn_train` runs ``torch.nn.BatchNorm1d``
for several training steps and returns its outputs and running statistics,
:func:`bn_cache` builds the documented batch-norm cache with torch (so a
backward test never depends on the student's forward),
:func:`torch_bn_grads` gives dx, dgamma, dbeta by autograd;
:func:`torch_ln`, :func:`ln_cache` and :func:`torch_ln_grads` do the same for
layer normalization (``F.layer_norm`` over the features);
:func:`torch_clip` runs ``torch.nn.utils.clip_grad_norm_``. The module refuses attribute
assignment like the rest of :mod:`helpers.checks`, so an answer cell cannot
redefine these steps.
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity

__all__ = ["torch_bn_train", "torch_bn_eval", "bn_cache", "torch_bn_grads", "torch_ln", "ln_cache",
           "torch_ln_grads", "torch_clip"]

integrity.snapshot()  # torch is imported now: record it

_asarray, _float64 = np.asarray, np.float64
_tensor, _no_grad = torch.tensor, torch.no_grad


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


def torch_ln(x, gamma, beta, eps=1e-5):
    """``F.layer_norm`` of x (N, D) over its D features, with gamma and beta (D,)."""
    xt = _tensor(_asarray(x, dtype=_float64))
    return F.layer_norm(xt, (xt.shape[1],), _tensor(_asarray(gamma, dtype=_float64)),
                        _tensor(_asarray(beta, dtype=_float64)), eps=eps).numpy()


def ln_cache(x, gamma, eps=1e-5):
    """The cache ``(x, x_hat, mean, var, gamma, eps)`` of layernorm_forward,
    computed by PyTorch: mean and the biased var of each row, shape (N, 1)."""
    xt = _tensor(_asarray(x, dtype=_float64))
    mean = xt.mean(dim=1, keepdim=True)
    var = xt.var(dim=1, unbiased=False, keepdim=True)
    x_hat = F.layer_norm(xt, (xt.shape[1],), eps=eps)
    return (xt.numpy().copy(), x_hat.numpy(), mean.numpy(), var.numpy(),
            _asarray(gamma, dtype=_float64).copy(), float(eps))


def torch_ln_grads(x, gamma, beta, dout, eps=1e-5):
    """``(dx, dgamma, dbeta)`` of ``sum(layernorm(x) * dout)`` by autograd."""
    ts = [_tensor(_asarray(a, dtype=_float64), requires_grad=True) for a in (x, gamma, beta)]
    out = F.layer_norm(ts[0], (ts[0].shape[1],), ts[1], ts[2], eps=eps)
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


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
