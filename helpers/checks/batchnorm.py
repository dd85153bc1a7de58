"""The steps that notebook 07's tests share (batch norm, layer norm, clipping).

PyTorch is the oracle: :func:`torch_bn_train` runs ``torch.nn.BatchNorm1d``
for several training steps and returns its outputs and running statistics,
:func:`bn_cache` builds the documented batch-norm cache with torch (so a
backward test never depends on the student's forward),
:func:`torch_bn_grads` gives dx, dgamma, dbeta by autograd;
:func:`torch_ln`, :func:`ln_cache` and :func:`torch_ln_grads` do the same for
layer normalization (``F.layer_norm`` over the features);
:func:`torch_clip` runs ``torch.nn.utils.clip_grad_norm_``.

The test cells of sections 1-5 read: the inputs (a function of this module),
the call to the student's layer inside :func:`answering` (the course's layers
and PyTorch refused), one ``check_*`` of this module against the PyTorch
oracle, and the tick. Cells with several cases loop over a ``*_cases``
generator whose :class:`Case` objects hold the inputs, the expected values
and the messages. The module refuses attribute assignment like the rest of
:mod:`helpers.checks`, so an answer cell cannot redefine these steps.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from .. import layers
from ..gradcheck import eval_numerical_gradient_array
from . import integrity
from .assertions import check_close, check_equal, check_shape, check_true, passed
from .guard import without_reference

__all__ = ["torch_bn_train", "torch_bn_eval", "bn_cache", "torch_bn_grads", "torch_ln", "ln_cache",
           "torch_ln_grads", "torch_clip", "ones", "zeros", "normal", "answering", "Case", "check_output",
           "bn_inputs", "check_bn_train", "running_cases", "check_running", "eval_inputs", "check_eval",
           "forward_edge_cases", "grad_cases", "check_grads", "dropout_input", "check_dropout_train",
           "check_dropout_seeds", "check_dropout_test", "dropout_edge_input", "check_dropout_edge",
           "dropout_backward_inputs", "check_dropout_backward", "ln_inputs", "check_ln_forward", "passed"]

integrity.snapshot()  # torch is imported now: record it

_asarray, _float64, _default_rng = np.asarray, np.float64, np.random.default_rng
_mean, _std, _unique, _where, _any = np.mean, np.std, np.unique, np.where, np.any
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


# ---------------------------------------------------------------- what the test cells share

#: NumPy's ``ones`` and ``zeros``, for test cells that need nothing else of NumPy.
ones, zeros = np.ones, np.zeros


def normal(seed, shape, loc=0.0, scale=1.0):
    """``loc + scale * z`` for z standard normal numbers of ``shape`` drawn from ``seed``."""
    return loc + scale * _default_rng(seed).standard_normal(shape)


class Case(SimpleNamespace):
    """One input of a test and what it must give: plain attributes."""


# Which of the course's layers each exercise's test refuses (besides PyTorch).
_BLOCKED = {
    "batchnorm_forward": ("batchnorm_forward",),
    "batchnorm_backward": ("batchnorm_backward", "batchnorm_backward_alt"),
    "batchnorm_backward_alt": ("batchnorm_backward", "batchnorm_backward_alt"),
    "dropout_forward": ("dropout_forward",),
    "dropout_backward": ("dropout_backward",),
    "layernorm_forward": ("layernorm_forward", "batchnorm_forward"),
    "layernorm_backward": ("layernorm_backward", "batchnorm_backward", "batchnorm_backward_alt"),
}


def answering(exercise):
    """The block in which a test runs the student's ``exercise``: the course's
    reference layers for it (and batch norm's, for layer norm) and PyTorch
    refuse to run (:func:`~helpers.checks.guard.without_reference`)."""
    integrity.verify()
    return without_reference(*(getattr(layers, name) for name in _BLOCKED[exercise]))


def _parts(result, k, message, strict=False):
    """The ``k`` parts of ``result``: with ``strict`` it must be a tuple,
    else anything that unpacks into ``k`` values (``a, b = result``)."""
    if strict:
        check_true(isinstance(result, tuple) and len(result) == k, message)
        return result
    try:
        parts = tuple(result)
    except TypeError:
        parts = ()
    check_true(len(parts) == k, message)
    return parts


def _pair(result, what, strict=False):
    """``out`` of a layer's ``(out, cache)``."""
    return _parts(result, 2, f"{what} should return the pair (out, cache).", strict)[0]


def check_output(result, case):
    """``result`` of a forward layer: the pair (out, cache), out close to ``case.want``."""
    out = _pair(result, case.function)
    check_close(case.what, out, case.want, tol=case.tol, hint=case.hint)


HINT_EPS_INSIDE = "eps goes inside the square root: np.sqrt(var + eps), with eps = 1e-5 by default."
HINT_BN_EPS = "use the eps of bn_param (the given line reads it), not the constant 1e-5."
HINT_BN_TRAIN = ("normalize with the BIASED batch variance (divide by N: x.var(axis=0)), then scale by "
                 "gamma and shift by beta.")
HINT_RUNNING_MEAN = ("running_mean = momentum * running_mean + (1 - momentum) * mean, with the momentum of "
                     "bn_param: the OLD value gets the weight momentum.")
HINT_RUNNING_VAR = "the running variance uses the UNBIASED batch variance, x.var(axis=0, ddof=1), as PyTorch does."
HINT_BN_TEST = ("in test mode normalize with bn_param's running_mean and running_var, not with the statistics "
                "of the batch.")
HINT_NO_UPDATE = "test mode must not update the running averages."
HINT_IN_PLACE = "do not change x in place."


# ---------------------------------------------------------------- batch norm, forward

def bn_inputs(seed=701):
    """``(x, gamma, beta)``: a (16, 6) batch whose features have mean 5 and
    std 3, and a random gamma and beta."""
    rng = _default_rng(seed)
    x = 5.0 + 3.0 * rng.standard_normal((16, 6))
    return x, rng.standard_normal(6), rng.standard_normal(6)


def check_bn_train(plain, result, x, seed=701):
    """Train mode on :func:`bn_inputs`: ``plain`` (gamma 1, beta 0) has mean
    0 and std 1 per feature, ``result`` equals ``BatchNorm1d``, ``x`` is unchanged."""
    x_before, gamma, beta = bn_inputs(seed)
    out = _asarray(_pair(plain, "batchnorm_forward", strict=True))
    D = x_before.shape[1]
    check_close("the per-feature mean of the output (gamma = 1, beta = 0)", _mean(out, axis=0), zeros(D),
                tol=1e-6, hint="subtract the mean of each column: x.mean(axis=0).")
    check_close("the per-feature std of the output (gamma = 1, beta = 0)", _std(out, axis=0), ones(D),
                tol=1e-5, hint="divide by np.sqrt(var + eps) with the variance of each column, x.var(axis=0).")
    want = torch_bn_train([x_before], gamma, beta)[0][0]
    check_close("batchnorm_forward in train mode", _pair(result, "batchnorm_forward"), want, tol=1e-6,
                hint=HINT_BN_TRAIN)
    check_equal("x after batchnorm_forward", x, x_before, hint=HINT_IN_PLACE)


def running_cases(seed=702):
    """Four train steps on (8, 5) batches with momentum 0.9, then four with
    momentum 0.6: one :class:`Case` per step, with ``x``, ``gamma``, ``beta``,
    ``bn_param`` (the same dict for the steps of one momentum) and the running
    averages of ``BatchNorm1d`` after that step."""
    rng = _default_rng(seed)
    batches = [2.0 + 3.0 * rng.standard_normal((8, 5)) for _ in range(4)]
    gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
    for momentum in (0.9, 0.6):
        _, means, variances = torch_bn_train(batches, gamma, beta, momentum=momentum)
        bn_param = {"mode": "train", "momentum": momentum}
        for step, xb in enumerate(batches, start=1):
            yield Case(x=xb.copy(), gamma=gamma, beta=beta, bn_param=bn_param, momentum=momentum, step=step,
                       running_mean=means[step - 1], running_var=variances[step - 1])


def check_running(case):
    """The running averages the student's step left in ``case.bn_param``."""
    param, when = case.bn_param, f"after {case.step} steps with momentum {case.momentum}"
    check_true("running_mean" in param and "running_var" in param,
               "bn_param should hold running_mean and running_var after a train step.")
    check_close(f"bn_param['running_mean'] {when}", param["running_mean"], case.running_mean, tol=1e-6,
                hint=HINT_RUNNING_MEAN)
    check_close(f"bn_param['running_var'] {when}", param["running_var"], case.running_var, tol=1e-6,
                hint=HINT_RUNNING_VAR)


def eval_inputs(seed=703):
    """``(x, gamma, beta, bn_param)``: a (7, 4) batch and a test-mode bn_param
    holding running averages."""
    rng = _default_rng(seed)
    x = 1.0 + 2.0 * rng.standard_normal((7, 4))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 3.0, 4)
    return x, gamma, beta, {"mode": "test", "running_mean": rm.copy(), "running_var": rv.copy()}


def check_eval(result, one, bn_param, seed=703):
    """Test mode on :func:`eval_inputs`: ``result`` (the batch) and ``one``
    (its first sample) equal ``BatchNorm1d`` in eval mode; ``bn_param`` unchanged."""
    x, gamma, beta, start = eval_inputs(seed)
    rm, rv = start["running_mean"], start["running_var"]
    check_close("batchnorm_forward in test mode", _pair(result, "batchnorm_forward"),
                torch_bn_eval(x, gamma, beta, rm, rv), tol=1e-6, hint=HINT_BN_TEST)
    check_close("running_mean after a test-mode call", bn_param["running_mean"], rm, tol=0, hint=HINT_NO_UPDATE)
    check_close("running_var after a test-mode call", bn_param["running_var"], rv, tol=0, hint=HINT_NO_UPDATE)
    check_close("test mode on a single sample", _pair(one, "batchnorm_forward"),
                torch_bn_eval(x[:1], gamma, beta, rm, rv), tol=1e-6)


def forward_edge_cases(layer, seed):
    """The hidden forward cases of ``layer`` ("batchnorm" or "layernorm"):
    a tiny variance, eps = 0.1 from the param dict, float32 input."""
    rng = _default_rng(seed)
    if layer == "batchnorm":
        x = 1e-3 * rng.standard_normal((2, 5))
        gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
        yield Case(x=x.copy(), gamma=gamma, beta=beta, param={"mode": "train"}, function="batchnorm_forward",
                   want=torch_bn_train([x], gamma, beta)[0][0], tol=1e-6, hint=HINT_EPS_INSIDE,
                   what="batchnorm_forward on a (2, 5) batch with a tiny variance")
        x = 0.2 * rng.standard_normal((6, 5))
        yield Case(x=x.copy(), gamma=gamma, beta=beta, param={"mode": "train", "eps": 0.1},
                   function="batchnorm_forward", want=torch_bn_train([x], gamma, beta, eps=0.1)[0][0], tol=1e-6,
                   hint=HINT_BN_EPS, what="batchnorm_forward with bn_param['eps'] = 0.1")
        x32 = (3.0 * rng.standard_normal((10, 3))).astype(np.float32)
        g, b = ones(3, dtype=np.float32), zeros(3, dtype=np.float32)
        yield Case(x=x32.copy(), gamma=g, beta=b, param={"mode": "train"}, function="batchnorm_forward",
                   want=torch_bn_train([x32], g, b)[0][0], tol=1e-4, hint=None,
                   what="batchnorm_forward on float32 input")
    else:
        x = 0.1 * rng.standard_normal((4, 5))
        x[1] = 2.0
        gamma, beta = rng.standard_normal(5), rng.standard_normal(5)
        yield Case(x=x.copy(), gamma=gamma, beta=beta, param={"eps": 0.1}, function="layernorm_forward",
                   want=torch_ln(x, gamma, beta, eps=0.1), tol=1e-6,
                   hint="use the eps of ln_param inside the square root: np.sqrt(var + eps).",
                   what="layernorm_forward with ln_param['eps'] = 0.1")
        x32 = (3.0 * rng.standard_normal((7, 6))).astype(np.float32)
        g, b = ones(6, dtype=np.float32), zeros(6, dtype=np.float32)
        yield Case(x=x32.copy(), gamma=g, beta=b, param={}, function="layernorm_forward",
                   want=torch_ln(x32, g, b), tol=1e-4, hint=None, what="layernorm_forward on float32 input")


# ---------------------------------------------------------------- backward passes

HINTS_BN_BACKWARD = (
    "x reaches the output three ways: directly, through the mean and through the variance. A missing "
    "mean path leaves dx with a non-zero sum over the batch.",
    "gamma multiplies x_hat in every row.",
    "beta is added to every row: its gradient sums dout over the batch.")
HINTS_BN_ALT = (
    "check your derivation against the two properties: the sum of dx over the batch must be 0 (mean path), "
    "and the sum of x_hat * dx about 0 (variance path).", None, None)
HINTS_LN_BACKWARD = (
    "the short formula with sums over the features of each row (axis=1, keepdims=True), D in place of N, "
    "applied to dx_hat = dout * gamma. The sum of dx over each row must be 0.",
    "sum dout * x_hat over the batch (axis 0).",
    "beta is shared by all samples: sum dout over the batch (axis 0).")
_NO_HINTS = (None, None, None)
_DX, _DGAMMA, _DBETA = 0, 1, 2

# exercise -> seed -> (shapes, loc, scale, names, order of the checks, hints, strict, numerical)
_GRAD_SPECS = {
    "batchnorm_backward": {
        711: ([(10, 5)], 1.0, 2.0, "{}", (_DBETA, _DGAMMA, _DX), HINTS_BN_BACKWARD, True, False),
        712: ([(4, 9), (30, 2)], -3.0, 0.5, "{} for N = {n}, D = {d}", (_DX, _DGAMMA, _DBETA), _NO_HINTS,
              False, True)},
    "batchnorm_backward_alt": {
        721: ([(12, 4), (5, 7)], -1.0, 3.0, "{} ({n} x {d})", (_DX, _DGAMMA, _DBETA), HINTS_BN_ALT, True, False)},
    "layernorm_backward": {
        771: ([(6, 9)], 2.0, 3.0, "{}", (_DBETA, _DGAMMA, _DX), HINTS_LN_BACKWARD, True, False),
        772: ([(1, 7), (9, 4)], 1.0, 2.0, "{} for N = {n}, D = {d}", (_DX, _DGAMMA, _DBETA), _NO_HINTS,
              False, True)},
}


def _bn_f(gamma, beta):
    return lambda v: F.batch_norm(_tensor(v), None, None, _tensor(gamma), _tensor(beta), training=True,
                                  eps=1e-5).numpy()


def _ln_f(gamma, beta):
    return lambda v: F.layer_norm(_tensor(v), (v.shape[1],), _tensor(gamma), _tensor(beta), eps=1e-5).numpy()


def grad_cases(exercise, seed):
    """The cases of a backward test: one :class:`Case` per batch shape, with
    ``dout``, the documented ``cache`` (built by PyTorch, so the test does not
    depend on the student's forward pass) and PyTorch's ``(dx, dgamma, dbeta)``
    (and, for the hidden tests, the numerical dx)."""
    shapes, loc, scale, label, order, hints, strict, numerical = _GRAD_SPECS[exercise][seed]
    layernorm = exercise.startswith("layernorm")
    rng = _default_rng(seed)
    for n, d in shapes:
        x = loc + scale * rng.standard_normal((n, d))
        gamma, beta, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
        cache = (ln_cache if layernorm else bn_cache)(x, gamma)
        want = (torch_ln_grads if layernorm else torch_bn_grads)(x, gamma, beta, dout)
        num = None
        if numerical:
            num = eval_numerical_gradient_array((_ln_f if layernorm else _bn_f)(gamma, beta), x.copy(), dout)
        names = tuple(label.format(g, n=n, d=d) for g in ("dx", "dgamma", "dbeta"))
        yield Case(dout=dout, cache=cache, want=want, numerical=num, names=names, order=order, hints=hints,
                   strict=strict, function=exercise)


def check_grads(result, case):
    """``result`` of a backward pass against PyTorch's ``(dx, dgamma, dbeta)``
    (and the numerical dx when the case has one)."""
    result = _parts(result, 3, f"{case.function} should return (dx, dgamma, dbeta).", case.strict)
    for i in case.order:
        check_close(case.names[i], result[i], case.want[i], hint=case.hints[i])
    if case.numerical is not None:
        name = getattr(case, "numerical_name", None) or f"{case.names[_DX]} (numerical gradient)"
        check_close(name, result[_DX], case.numerical, tol=1e-6)


# ---------------------------------------------------------------- dropout

def dropout_input():
    """The (200, 150) input of the dropout test: every entry near 1."""
    return normal(731, (200, 150), loc=1.0, scale=0.1)


def check_dropout_train(x, result, p=0.3):
    """A train-mode call on :func:`dropout_input` with ``p``: x unchanged,
    about 1 - p kept, survivors scaled by 1 / (1 - p), a mask per entry, the
    mask cached."""
    out, cache = _parts(result, 2, "dropout_forward should return the pair (out, cache).")
    x_before = dropout_input()
    check_equal("x after dropout_forward", x, x_before, hint=HINT_IN_PLACE)
    out = _asarray(out)
    kept = out != 0
    check_true(abs(kept.mean() - (1 - p)) < 0.01,
               f"With p = {p} about {1 - p:.0%} of the units should survive; yours keeps {kept.mean():.1%}.",
               hint="p is the probability of DROPPING a unit: keep it where rng.random(x.shape) >= p.")
    check_close(f"the surviving units (p = {p})", out[kept], x_before[kept] / (1 - p), tol=1e-9,
                hint=f"inverted dropout scales the survivors by 1 / (1 - p), here 1 / {1 - p:g}, not by p or (1 - p).")
    check_close("the mean of the output over the mean of x", _mean(out) / _mean(x_before), 1.0, tol=0.01,
                hint="the expected output must equal x: scale the survivors by 1 / (1 - p).")
    check_true(len(_unique(kept, axis=0)) > 1 and len(_unique(kept, axis=1)) > 1,
               "Your mask drops the same units for every sample (or whole samples at once).",
               hint="draw one random number per entry of x: rng.random(x.shape), not one row broadcast over "
                    "the batch.")
    check_true(isinstance(cache, tuple) and len(cache) == 2, "The cache should be the pair (dropout_param, mask).")
    check_shape("the cached mask", cache[1], x_before.shape, hint="cache the mask itself, the shape of x.")
    check_close("the cached mask", cache[1], _where(kept, 1 / (1 - p), 0.0), tol=1e-9,
                hint="cache the mask you multiplied x by: entries 0 or 1 / (1 - p), so that the backward pass "
                     "is dout * mask.")


def check_dropout_seeds(result, runs):
    """``runs``: the results of seeds 1, 2, 0 and 0 after ``result`` (seed 1)."""
    kept = _asarray(_pair(result, "dropout_forward")) != 0
    again, other, zero, zero_again = (_asarray(_pair(r, "dropout_forward")) != 0 for r in runs)
    # Masks compared as a whole: a message without the random entries of a wrong mask.
    check_true(again.shape == kept.shape and not _any(again != kept),
               "A second call with the same seed (1) drew another mask: the same seed must give the same mask.",
               hint="draw the mask with rng = np.random.default_rng(dropout_param.get('seed')).")
    check_true(_any(other != kept), "Another seed should give another mask.",
               hint="use dropout_param['seed'] to seed the generator.")
    check_true(zero.shape == zero_again.shape and not _any(zero != zero_again),
               "Two calls with seed 0 drew two different masks: seed 0 must give the same mask every time.",
               hint="0 is a seed like any other: `if dropout_param.get('seed'):` treats it as no seed. "
                    "Pass dropout_param.get('seed') to np.random.default_rng as it is.")


def check_dropout_test(result, x, p):
    """A test-mode call: the output is x, the cache (dropout_param, None)."""
    out, cache = _parts(result, 2, "dropout_forward should return the pair (out, cache).")
    check_close(f"dropout_forward in test mode (p = {p})", out, x, tol=0,
                hint="inverted dropout did its scaling at train time: in test mode the output is x unchanged "
                     "(no mask, no scaling by 1 - p).")
    check_true(isinstance(cache, tuple) and len(cache) == 2 and cache[1] is None,
               "In test mode the cache should be (dropout_param, None): there is no mask.")


def dropout_edge_input(seed=733):
    """The hidden dropout cases' generator (p = 0, p = 0.9, no seed)."""
    return _default_rng(seed)


def check_dropout_edge(kind, result, x):
    """The hidden dropout checks: "p0" (nothing dropped), "p09" (10% kept,
    times 10) or "unseeded" (``result`` holds two calls without a seed)."""
    if kind == "p0":
        check_close("dropout_forward with p = 0 in train mode", _pair(result, "dropout_forward"), x, tol=1e-12,
                    hint="p = 0 drops nothing and scales by 1 / (1 - 0) = 1.")
    elif kind == "p09":
        out = _asarray(_pair(result, "dropout_forward"))
        kept = out != 0
        check_true(abs(kept.mean() - 0.1) < 0.01, f"p = 0.9 should keep about 10%, yours keeps {kept.mean():.1%}.")
        check_close("the survivors with p = 0.9", out[kept], x[kept] * 10, tol=1e-9)
    else:
        a, b = (_asarray(_pair(r, "dropout_forward")) != 0 for r in result)
        check_true(_any(a != b), "Without a seed two calls should draw different masks.")


def dropout_backward_inputs(seed=741):
    """``(dout, mask)``: a (20, 15) upstream gradient and the mask a
    train-mode forward pass with p = 0.4 made."""
    rng = _default_rng(seed)
    dout = rng.standard_normal((20, 15))
    return dout, (rng.random((20, 15)) >= 0.4) / 0.6


def check_dropout_backward(dx_train, dx_test, dout, mask):
    check_close("dropout_backward(dout, cache) in train mode", dx_train, dout * mask, tol=1e-9,
                hint="the gradient flows only through the kept units, scaled like them: dout * mask. A dropped "
                     "unit gets gradient 0.")
    check_close("dropout_backward in test mode", dx_test, dout, tol=0, hint="in test mode dx = dout.")


# ---------------------------------------------------------------- layer norm

def ln_inputs(seed=761):
    """``(x, gamma, beta)``: 6 samples of 8 features, each sample on its own
    scale and offset, and a random gamma and beta."""
    rng = _default_rng(seed)
    x = (rng.standard_normal((6, 8)) * np.array([[1.0], [10], [2], [5], [3], [50]])
         + np.array([[0.0], [3], [-2], [100], [1], [-7]]))
    return x, rng.standard_normal(8), rng.standard_normal(8)


def check_ln_forward(plain, result, one, x, seed=761):
    """:func:`ln_inputs`: ``plain`` (gamma 1, beta 0) has mean 0 and std 1 per
    sample; ``result`` equals ``F.layer_norm``; x unchanged; ``one`` (sample 2
    alone, with a "mode" in ln_param) equals its row."""
    x_before, gamma, beta = ln_inputs(seed)
    out = _asarray(_pair(plain, "layernorm_forward", strict=True))
    N = x_before.shape[0]
    check_close("the mean of each sample's output (gamma = 1, beta = 0)", _mean(out, axis=1), zeros(N),
                tol=1e-6, hint="normalize each ROW over its features: x.mean(axis=1, keepdims=True).")
    check_close("the std of each sample's output (gamma = 1, beta = 0)", _std(out, axis=1), ones(N),
                tol=1e-5, hint="divide by np.sqrt(var + eps) with the (biased) variance of each row.")
    want = torch_ln(x_before, gamma, beta)
    check_close("layernorm_forward", _pair(result, "layernorm_forward"), want, tol=1e-6,
                hint="the statistics are per sample (axis 1, biased variance), gamma and beta per feature: "
                     "gamma * x_hat + beta.")
    check_equal("x after layernorm_forward", x, x_before, hint=HINT_IN_PLACE)
    check_close("layernorm_forward on one sample, with 'mode': 'test' in ln_param", _pair(one, "layernorm_forward"),
                want[2:3], tol=1e-6, hint="layer norm needs no other sample and no running average: ignore the mode.")


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
