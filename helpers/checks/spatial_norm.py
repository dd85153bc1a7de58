"""The steps notebook 08's tests of spatial batch norm and group norm share (section 6).

PyTorch is the oracle: ``nn.BatchNorm2d`` and ``F.batch_norm`` for spatial
batch norm, ``F.group_norm`` for group norm, autograd for the backward
passes. The caches the backward tests hand over are built by PyTorch
(:func:`gn_cache`, and :func:`helpers.checks.batchnorm.bn_cache` of the
``(N*H*W, C)`` matrix), so a backward test does not depend on the student's
forward pass. Locked like the other check modules.
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.nn.functional as F

from .. import spatial_norm
from ..gradcheck import eval_numerical_gradient_array
from . import integrity
from .assertions import check_close, check_equal, check_true, passed
from .batchnorm import Case, bn_cache
from .batchnorm import check_grads as check_norm_grads
from .guard import without_reference
from .oracles import torch_grads

__all__ = ["answering", "sbn_cases", "check_sbn_step", "check_sbn_cache", "sbn_eval_inputs", "check_sbn_eval",
           "norm_grad_cases", "check_norm_grads", "gn_inputs", "check_gn_forward", "gn_forward_cases", "gn_cache",
           "passed"]

integrity.snapshot()  # torch is imported now: record it

_default_rng, _asarray = np.random.default_rng, np.asarray
_tensor, _no_grad = torch.tensor, torch.no_grad

_BLOCKED = {
    "spatial_batchnorm_forward": ("spatial_batchnorm_forward",),
    "spatial_batchnorm_backward": ("spatial_batchnorm_backward",),
    "groupnorm_forward": ("groupnorm_forward",),
    "groupnorm_backward": ("groupnorm_backward", "groupnorm_forward"),
}


def answering(exercise):
    """The block in which a test runs the student's ``exercise``: the course's
    version of it and PyTorch refuse to run (the course's ``batchnorm_forward``
    and ``batchnorm_backward``, which the exercises build on, stay available)."""
    integrity.verify()
    return without_reference(*(getattr(spatial_norm, name) for name in _BLOCKED[exercise]))


def _rows(x):
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


# ---------------------------------------------------------------- spatial batch norm, forward

def _sbn_batches(seed=841):
    rng = _default_rng(seed)
    scale, shift = np.array([1.0, 10.0, 0.1]), np.array([0.0, -5.0, 3.0])  # channels on different scales
    batches = [shift[:, None, None] + scale[:, None, None] * rng.standard_normal((4, 3, 5, 6)) for _ in range(3)]
    return batches, rng.standard_normal(3), rng.standard_normal(3)


def sbn_cases(seed=841):
    """Three train steps on batches of 4 images of 3 channels of 5 x 6, the
    channels on different scales: ``x``, ``gamma``, ``beta`` and, after that
    step, ``nn.BatchNorm2d``'s output and running averages (its momentum 0.1
    is our 0.9)."""
    batches, gamma, beta = _sbn_batches(seed)
    bn = torch.nn.BatchNorm2d(3, momentum=0.1).double()
    with _no_grad():
        bn.weight.copy_(_tensor(gamma))
        bn.bias.copy_(_tensor(beta))
    for step, x in enumerate(batches, start=1):
        want = bn(_tensor(x)).detach().numpy()
        yield Case(x=x.copy(), x_before=x.copy(), gamma=gamma, beta=beta, step=step, want=want,
                   running_mean=bn.running_mean.numpy().copy(), running_var=bn.running_var.numpy().copy())


def check_sbn_step(out, bn_param, case):
    """One train step: the output and the running averages in ``bn_param``
    against ``BatchNorm2d``'s; ``case.x`` unchanged."""
    check_true(isinstance(bn_param.get("running_mean"), np.ndarray) and
               isinstance(bn_param.get("running_var"), np.ndarray),
               "After a train-mode call bn_param must hold running_mean and running_var (batchnorm_forward stores "
               "them when you pass bn_param on).")
    check_close(f"out, batch {case.step} (train mode)", out, case.want,
                hint="one mean and variance per channel over the batch and all positions: batch norm of "
                     "x.transpose(0, 2, 3, 1).reshape(-1, C), then back with .reshape(N, H, W, C)"
                     ".transpose(0, 3, 1, 2).")
    check_close(f"bn_param['running_mean'] after batch {case.step}", bn_param["running_mean"], case.running_mean,
                hint="batchnorm_forward keeps one running mean per channel when its columns are the channels.")
    check_close(f"bn_param['running_var'] after batch {case.step}", bn_param["running_var"], case.running_var)
    check_equal(f"x after spatial_batchnorm_forward (batch {case.step})", case.x, case.x_before,
                hint="do not change x in place.")


def check_sbn_cache(cache, seed=841):
    """The cache of the last step: ``batchnorm_forward``'s of the ``(N*H*W, C)``
    matrix of the last batch, nothing added."""
    batches, gamma, _ = _sbn_batches(seed)
    check_true(isinstance(cache, tuple) and len(cache) == 6,
               "The cache must be the cache batchnorm_forward returned: (x, x_hat, mean, var, gamma, eps) of the "
               "(N*H*W, C) matrix, nothing added.")
    for name, got, exp in zip(("x", "x_hat", "mean", "var", "gamma", "eps"), cache, bn_cache(_rows(batches[-1]), gamma)):
        check_close(f"cache entry `{name}`", got, exp,
                    hint="the rows of the matrix in the order of x.transpose(0, 2, 3, 1).reshape(-1, C).")


def sbn_eval_inputs(seed=842):
    """``(x, gamma, beta, bn_param)``: 2 images of 4 channels of 3 x 5 and a
    test-mode bn_param with running averages."""
    rng = _default_rng(seed)
    x = 2.0 + 3.0 * rng.standard_normal((2, 4, 3, 5))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 3.0, 4)
    return x, gamma, beta, {"mode": "test", "running_mean": rm.copy(), "running_var": rv.copy()}


def check_sbn_eval(out, cache, bn_param, seed=842):
    """Test mode: PyTorch's batch norm with the running averages; no cache;
    the running mean unchanged."""
    x, gamma, beta, start = sbn_eval_inputs(seed)
    rm, rv = start["running_mean"], start["running_var"]
    want = F.batch_norm(_tensor(x), _tensor(rm), _tensor(rv), _tensor(gamma), _tensor(beta), training=False,
                        eps=1e-5).numpy()
    check_close("out in test mode", out, want,
                hint="in test mode each channel is normalized with its running_mean and running_var "
                     "(batchnorm_forward does it when bn_param['mode'] is 'test').")
    check_true(cache is None, "In test mode the cache is what batchnorm_forward returns: None.")
    check_close("running_mean after a test-mode call", bn_param["running_mean"], rm, tol=0,
                hint="test mode must not update the running averages.")


# ---------------------------------------------------------------- group norm

def gn_cache(x, gamma, G, eps=1e-5):
    """The documented cache ``(x, x_hat, mean, var, gamma, G, eps)`` of
    groupnorm_forward, computed by PyTorch."""
    xt = _tensor(x)
    groups = xt.reshape(len(x), G, -1)
    return (x.copy(), F.group_norm(xt, G, eps=eps).numpy(), groups.mean(dim=2).numpy(),
            groups.var(dim=2, unbiased=False).numpy(), gamma.copy(), G, eps)


def gn_inputs(seed=851):
    """``(x, gamma, beta)``: 3 images of 6 channels of 4 x 5, channels 3-5
    on another scale (the second group of G = 2)."""
    rng = _default_rng(seed)
    x = 1.0 + 2.0 * rng.standard_normal((3, 6, 4, 5))
    x[:, 3:] = 10.0 + 0.1 * x[:, 3:]
    return x, rng.standard_normal(6), rng.standard_normal(6)


def check_gn_forward(out, cache, x, seed=851):
    """``groupnorm_forward(x, gamma, beta, 2)`` on :func:`gn_inputs`:
    ``F.group_norm``'s output, x unchanged, the documented cache."""
    x_before, gamma, beta = gn_inputs(seed)
    xt = _tensor(x_before)
    check_close("groupnorm_forward(x (3, 6, 4, 5), G = 2)", out,
                F.group_norm(xt, 2, _tensor(gamma), _tensor(beta), eps=1e-5).numpy(),
                hint="each image's channels 0-2 form one group and 3-5 another: x.reshape(N, G, -1), the mean and "
                     "the biased variance of each row, then gamma and beta per channel.")
    check_equal("x after groupnorm_forward", x, x_before, hint="do not change x in place.")
    check_true(isinstance(cache, tuple) and len(cache) == 7,
               "The cache must be the tuple (x, x_hat, mean, var, gamma, G, eps).")
    for name, got, exp in zip(("x", "x_hat", "mean", "var", "gamma", "G", "eps"), cache, gn_cache(x_before, gamma, 2)):
        check_close(f"cache entry `{name}`", got, exp,
                    hint="x_hat (N, C, H, W) before gamma and beta; mean and var (N, G), var biased (divide by M).")


def gn_forward_cases(seed=852):
    """The hidden forward cases: G = 1 (layer norm), G = C (instance norm,
    one image), and eps = 0.1 with a tiny variance."""
    rng = _default_rng(seed)
    for shape, G, eps, spread in [((2, 4, 3, 3), 1, 1e-5, 1.0), ((1, 4, 2, 5), 4, 1e-5, 1.0),
                                  ((2, 6, 2, 2), 3, 0.1, 1e-3)]:
        x = 3.0 + spread * rng.standard_normal(shape)
        gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
        yield Case(x=x.copy(), gamma=gamma, beta=beta, G=G, eps=eps,
                   want=F.group_norm(_tensor(x), G, _tensor(gamma), _tensor(beta), eps=eps).numpy(),
                   what=f"groupnorm_forward(x {shape}, G = {G}, eps = {eps})")


# ---------------------------------------------------------------- backward passes

_DX, _DGAMMA, _DBETA = 0, 1, 2
_SBN_HINTS = ("reshape dout exactly as x was in the forward pass (transpose(0, 2, 3, 1) first), and undo it on dx: "
              ".reshape(N, H, W, C).transpose(0, 3, 1, 2).", None, "dbeta sums dout over the images and positions.")
_GN_HINTS = ("dx_hat = dout * gamma (per channel), reshaped to (N, G, M); then notebook 07's backward along the last "
             "axis, with the group's mean and std: the mean and variance paths both count.",
             "dgamma sums dout * x_hat over axes (0, 2, 3).",
             "dbeta sums dout over the images and positions: axes (0, 2, 3).")


def norm_grad_cases(exercise, seed):
    """The cases of a backward test of spatial batch norm (843) or group norm
    (853; 854 hidden): ``dout``, the cache built by PyTorch and PyTorch's
    ``(dx, dgamma, dbeta)`` (for :func:`check_norm_grads`, batch norm's ``check_grads``)."""
    rng = _default_rng(seed)
    if exercise == "spatial_batchnorm_backward":
        for shape in [(3, 4, 2, 5), (2, 3, 4, 1)]:
            x = 1.0 + 2.0 * rng.standard_normal(shape)
            C = shape[1]
            gamma, beta, dout = rng.standard_normal(C), rng.standard_normal(C), rng.standard_normal(shape)
            _, want = torch_grads(lambda x_, g, b: F.batch_norm(x_, None, None, g, b, training=True), x, gamma, beta,
                                  upstream=dout)
            names = tuple(f"{g} for x {shape}" for g in ("dx", "dgamma", "dbeta"))
            yield Case(dout=dout.copy(), cache=bn_cache(_rows(x), gamma), want=want, names=names,
                       order=(_DBETA, _DGAMMA, _DX), hints=_SBN_HINTS, strict=True, numerical=None, function=exercise)
        return
    if seed == 853:
        x = -1.0 + 2.0 * rng.standard_normal((3, 4, 2, 3))
        gamma, beta, dout = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((3, 4, 2, 3))
        _, want = torch_grads(lambda x_, g, b: F.group_norm(x_, 2, g, b, eps=1e-5), x, gamma, beta, upstream=dout)
        yield Case(dout=dout.copy(), cache=gn_cache(x, gamma, 2), want=want,
                   names=("dx (G = 2)", "dgamma (G = 2)", "dbeta (G = 2)"), order=(_DBETA, _DGAMMA, _DX),
                   hints=_GN_HINTS, strict=True, numerical=None, function=exercise)
        return
    configs = [((2, 4, 3, 2), 1, 1e-5), ((3, 3, 2, 2), 3, 1e-5), ((2, 6, 2, 3), 3, 0.01)]
    for k, (shape, G, eps) in enumerate(configs):
        x = 2.0 * rng.standard_normal(shape)
        gamma, beta = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
        dout = rng.standard_normal(shape)
        _, want = torch_grads(lambda x_, g, b: F.group_norm(x_, G, g, b, eps=eps), x, gamma, beta, upstream=dout)
        numerical = None
        if k == len(configs) - 1:  # the last one against the numerical gradient too
            f = lambda v: F.group_norm(_tensor(v), G, _tensor(gamma), _tensor(beta), eps=eps).numpy()  # noqa: E731
            numerical = eval_numerical_gradient_array(f, x.copy(), dout)
        yield Case(dout=dout.copy(), cache=gn_cache(x, gamma, G, eps), want=want,
                   names=tuple(f"{g} for x {shape}, G = {G}" for g in ("dx", "dgamma", "dbeta")),
                   order=(_DX, _DGAMMA, _DBETA), hints=("use the cache's G and eps.", None, None), strict=False,
                   numerical=numerical, numerical_name=f"dx for G = {G}, eps = {eps} (numerical gradient)",
                   function=exercise)


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
