# %% [markdown]
# # 07 · Batch normalization, dropout and other regularization
#
# Two layers changed how deep networks are trained. **Batch normalization**
# rescales every hidden unit to mean 0 and variance 1 over the minibatch, so
# the network trains from almost any weight scale and with larger learning
# rates. **Dropout** switches off random units during training, so the
# network cannot rely on any single one and over-fits less. In this notebook
# you will
#
# - write batch normalization, forward (train and test mode, with running
#   averages) and backward (step by step, then the short formula), and check
#   it against `torch.nn.BatchNorm1d` and a numerical gradient;
# - train a deep network over 16 weight scales with and without batch norm;
# - write inverted dropout, forward and backward, and check it yourself;
# - meet weight decay, early stopping, gradient-norm clipping (which you
#   write) and max-norm constraints, then fight over-fitting on 300 signals;
# - finish with the same tools in PyTorch.
#
# **Grading.** 35 points: seven exercises (22 points, checked by tests) and
# five written questions (13 points). Each exercise is followed by a test cell
# you can run; some exercises have more test cells, and some checks run only
# when your notebook is graded. Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time
import warnings

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

from helpers import layers  # the course's reference layers
from helpers import regularization
from helpers.checks import check_close, check_true, passed
from helpers.data import load_mnist1d
from helpers.gradcheck import eval_numerical_gradient_array, rel_error
from helpers.nets import FullyConnectedNet
from helpers.optim import SGD, minibatches
from helpers.widgets.batchnorm import draw_regularization, regularization_demo

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest
threadpool_limits(limits=1, user_api="blas")  # and small matrices: one BLAS thread for NumPy too

mnist = load_mnist1d()
X_small, y_small = mnist["X_train"][:1000], mnist["y_train"][:1000]  # the batch-norm experiment
X_300, y_300 = mnist["X_train"][:300], mnist["y_train"][:300]         # the over-fitting experiment
X_val, y_val = mnist["X_train"][3000:], mnist["y_train"][3000:]       # 1000 for validation
print("MNIST-1D signals of length", X_small.shape[1], "; train", X_300.shape, "validation", X_val.shape)

# %% [markdown]
# ## 1. Batch normalization, forward
#
# Take the pre-activations of a hidden layer on a minibatch: a matrix $x$ of
# shape $(N, D)$, one row per sample, one column per unit (feature). Batch
# normalization works on each column $j$ separately:
#
# $$\mu_j = \frac1N\sum_{i} x_{ij}, \qquad
#   \sigma_j^2 = \frac1N\sum_i (x_{ij} - \mu_j)^2, \qquad
#   \hat x_{ij} = \frac{x_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}, \qquad
#   y_{ij} = \gamma_j\,\hat x_{ij} + \beta_j .$$
#
# After it every unit has mean 0 and variance 1 over the batch, whatever the
# scale of the weights before it; the learned **scale** $\gamma$ and **shift**
# $\beta$ (starting at 1 and 0) let the network undo this if that is better.
# $\epsilon = 10^{-5}$ keeps the division safe. Note the variance divides by
# $N$ (the *biased* variance): that is what the normalization uses.
#
# **Test mode.** At test time there may be one sample at a time, and a
# prediction must not depend on which other samples share its batch. So
# during training we keep **running averages** of the batch statistics and
# use them at test time instead:
#
# $$\text{running\_mean} \leftarrow m\cdot\text{running\_mean} + (1 - m)\,\mu, \qquad
#   \text{running\_var} \leftarrow m\cdot\text{running\_var} + (1 - m)\,\tfrac{N}{N-1}\sigma^2$$
#
# with momentum $m = 0.9$: the old value keeps weight 0.9, the new batch gets
# 0.1. Two conventions to know, both as in PyTorch's `nn.BatchNorm1d`:
#
# - the running variance uses the **unbiased** batch variance
#   $\frac{N}{N-1}\sigma^2$ (`x.var(axis=0, ddof=1)`): an estimate of the
#   population variance, while the normalization itself uses $\sigma^2$;
# - PyTorch's `momentum` argument is the weight of the *new* value, so our
#   $m = 0.9$ is `nn.BatchNorm1d(D, momentum=0.1)`.
#
# The running averages start at 0 and 1 when `bn_param` does not hold them yet.

# %% [markdown]
# **Exercise 1 (5 points).** `batchnorm_forward(x, gamma, beta, bn_param)`.
# `bn_param` is a dict with the keys `mode` (`"train"` or `"test"`), and
# optionally `eps` (default `1e-5`), `momentum` (default `0.9`),
# `running_mean` and `running_var`. In train mode, store the updated running
# averages back into `bn_param` and return the cache
# `(x, x_hat, mean, var, gamma, eps)` (mean and var: the batch statistics the
# normalization used). In test mode, return `None` as the cache and change
# nothing. Do not change `x` in place.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_forward", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_forward(x, gamma, beta, bn_param):
    """x: (N, D); gamma, beta: (D,); bn_param: dict (see above).
    Returns (out, cache): out (N, D); cache as described above, or None in test mode."""
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.ones(D))
    cache = None
    ### BEGIN SOLUTION
    if mode == "train":
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        x_hat = (x - mean) / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * x.var(axis=0, ddof=1)
        cache = (x, x_hat, mean, var, gamma, eps)
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    ### END SOLUTION
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_equal, check_true, passed, without_reference
from helpers.checks.batchnorm import bn_cache as _bn_cache, torch_bn_train as _torch_bn_train
from helpers import layers as _layers
_rng = np.random.default_rng(701)
_x = 5.0 + 3.0 * _rng.standard_normal((16, 6))
_x_before = _x.copy()
with without_reference(_layers.batchnorm_forward):
    _out, _cache = batchnorm_forward(_x, np.ones(6), np.zeros(6), {"mode": "train"})
check_close("the per-feature mean of the output (gamma = 1, beta = 0)", np.mean(_out, axis=0), np.zeros(6),
            tol=1e-6, hint="subtract the mean of each column: x.mean(axis=0).")
check_close("the per-feature std of the output (gamma = 1, beta = 0)", np.std(_out, axis=0), np.ones(6),
            tol=1e-5, hint="divide by np.sqrt(var + eps) with the variance of each column, x.var(axis=0).")
_gamma, _beta = _rng.standard_normal(6), _rng.standard_normal(6)
with without_reference(_layers.batchnorm_forward):
    _out, _cache = batchnorm_forward(_x, _gamma, _beta, {"mode": "train"})
_want = _torch_bn_train([_x_before], _gamma, _beta)[0][0]
check_close("batchnorm_forward in train mode", _out, _want, tol=1e-6,
            hint="normalize with the BIASED batch variance (divide by N: x.var(axis=0)), then "
                 "scale by gamma and shift by beta.")
check_equal("x after batchnorm_forward", _x, _x_before, hint="do not change x in place.")
check_true(isinstance(_cache, tuple) and len(_cache) == 6,
           "In train mode the cache should be the tuple (x, x_hat, mean, var, gamma, eps).")
for _name, _got, _exp in zip(("x", "x_hat", "mean", "var", "gamma", "eps"), _cache, _bn_cache(_x_before, _gamma)):
    check_close(f"cache entry `{_name}`", _got, _exp, tol=1e-6,
                hint="mean and var are the batch statistics of the normalization (var biased).")
passed("train mode: mean 0 and std 1 per feature, equal to torch.nn.BatchNorm1d, the right cache")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_running", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.batchnorm import torch_bn_train as _torch_bn_train
from helpers import layers as _layers
_rng = np.random.default_rng(702)
_batches = [2.0 + 3.0 * _rng.standard_normal((8, 5)) for _ in range(4)]
_gamma, _beta = _rng.standard_normal(5), _rng.standard_normal(5)
_, _means, _vars = _torch_bn_train(_batches, _gamma, _beta, momentum=0.9)
_param = {"mode": "train", "momentum": 0.9}
for _step, _xb in enumerate(_batches, start=1):
    with without_reference(_layers.batchnorm_forward):
        batchnorm_forward(_xb.copy(), _gamma, _beta, _param)
    check_true("running_mean" in _param and "running_var" in _param,
               "bn_param should hold running_mean and running_var after a train step.")
    check_close(f"bn_param['running_mean'] after {_step} steps", _param["running_mean"], _means[_step - 1],
                tol=1e-6, hint="running_mean = momentum * running_mean + (1 - momentum) * mean: the OLD "
                               "value gets the weight momentum = 0.9.")
    check_close(f"bn_param['running_var'] after {_step} steps", _param["running_var"], _vars[_step - 1],
                tol=1e-6, hint="the running variance uses the UNBIASED batch variance, "
                               "x.var(axis=0, ddof=1), as PyTorch does.")
passed("the running averages equal those of torch.nn.BatchNorm1d(momentum=0.1) after 4 steps")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.batchnorm import torch_bn_eval as _torch_bn_eval
from helpers import layers as _layers
_rng = np.random.default_rng(703)
_x = 1.0 + 2.0 * _rng.standard_normal((7, 4))
_gamma, _beta = _rng.standard_normal(4), _rng.standard_normal(4)
_rm, _rv = _rng.standard_normal(4), _rng.uniform(0.5, 3.0, 4)
_param = {"mode": "test", "running_mean": _rm.copy(), "running_var": _rv.copy()}
with without_reference(_layers.batchnorm_forward):
    _out, _cache = batchnorm_forward(_x.copy(), _gamma, _beta, _param)
check_close("batchnorm_forward in test mode", _out, _torch_bn_eval(_x, _gamma, _beta, _rm, _rv), tol=1e-6,
            hint="in test mode normalize with bn_param's running_mean and running_var, not with the "
                 "statistics of the batch.")
check_close("running_mean after a test-mode call", _param["running_mean"], _rm, tol=0,
            hint="test mode must not update the running averages.")
check_close("running_var after a test-mode call", _param["running_var"], _rv, tol=0,
            hint="test mode must not update the running averages.")
with without_reference(_layers.batchnorm_forward):
    _one, _ = batchnorm_forward(_x[:1].copy(), _gamma, _beta, dict(_param))
check_close("test mode on a single sample", _one, _torch_bn_eval(_x[:1], _gamma, _beta, _rm, _rv), tol=1e-6)
passed("test mode equals torch.nn.BatchNorm1d in eval mode, also on one sample, and updates nothing")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a batch of N = 2 with a tiny variance (eps matters), default eps, and float32 input.
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers.checks.batchnorm import torch_bn_train as _torch_bn_train
from helpers import layers as _layers
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(704)
_x = 1e-3 * _rng.standard_normal((2, 5))
_gamma, _beta = _rng.standard_normal(5), _rng.standard_normal(5)
with without_reference(_layers.batchnorm_forward):
    _out, _ = batchnorm_forward(_x.copy(), _gamma, _beta, {"mode": "train"})
check_close("batchnorm_forward on a (2, 5) batch with a tiny variance", _out,
            _torch_bn_train([_x], _gamma, _beta)[0][0], tol=1e-6,
            hint="eps goes inside the square root: np.sqrt(var + eps), with eps = 1e-5 by default.")
_x32 = (3.0 * _rng.standard_normal((10, 3))).astype(np.float32)
_g, _b = np.ones(3, dtype=np.float32), np.zeros(3, dtype=np.float32)
with without_reference(_layers.batchnorm_forward):
    _out, _ = batchnorm_forward(_x32.copy(), _g, _b, {"mode": "train"})
check_close("batchnorm_forward on float32 input", _out, _torch_bn_train([_x32], _g, _b)[0][0], tol=1e-4)
### END HIDDEN TESTS

# %% [markdown]
# Look at what it does: a batch whose 4 features have wildly different means
# and scales comes out with mean 0 and standard deviation 1 in every column.

# %% tags=["demo"]
rng = np.random.default_rng(7)
x = rng.standard_normal((200, 4)) * [1, 10, 0.01, 100] + [0, -50, 3, 1000]
out, _ = batchnorm_forward(x, np.ones(4), np.zeros(4), {"mode": "train"})
print("before: mean", np.round(x.mean(axis=0), 2), " std", np.round(x.std(axis=0), 3))
print("after:  mean", np.round(out.mean(axis=0), 6) + 0, " std", np.round(out.std(axis=0), 4))

# %% [markdown]
# ## 2. Batch normalization, backward
#
# Batch norm is a small computational graph, and the gradient flows back to
# $x$ along **three** paths: directly through $x - \mu$, through the mean
# $\mu$ (every sample moves every mean), and through the variance $\sigma^2$
# (likewise). With $s = \sqrt{\sigma^2 + \epsilon}$ and $x_c = x - \mu$:
#
# $$\frac{\partial L}{\partial\beta} = \sum_i \frac{\partial L}{\partial y_i}, \qquad
#   \frac{\partial L}{\partial\gamma} = \sum_i \frac{\partial L}{\partial y_i}\,\hat x_i, \qquad
#   \frac{\partial L}{\partial\hat x} = \gamma\,\frac{\partial L}{\partial y},$$
#
# $$\frac{\partial L}{\partial\sigma^2} = -\frac{1}{2s^3}\sum_i \frac{\partial L}{\partial\hat x_i}\,x_{c,i},
#   \qquad
#   \frac{\partial L}{\partial x_c} = \frac{1}{s}\frac{\partial L}{\partial\hat x}
#       + \frac{2 x_c}{N}\frac{\partial L}{\partial\sigma^2}, \qquad
#   \frac{\partial L}{\partial x} = \frac{\partial L}{\partial x_c}
#       - \frac1N\sum_i\frac{\partial L}{\partial x_{c,i}} .$$
#
# (The last term is the mean path: $\mu$ depends on each $x_i$ with slope
# $1/N$. Sums run over the batch, axis 0; every line is per feature.)

# %% [markdown]
# **Exercise 2 (3 points).** `batchnorm_backward(dout, cache)`: follow the
# graph step by step. The cache is the tuple of Exercise 1. (The tests build
# it themselves, so this exercise does not depend on your forward pass.)

# %% nbgrader={"grade": false, "grade_id": "batchnorm_backward", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_backward(dout, cache):
    """dout: (N, D) upstream gradient; cache = (x, x_hat, mean, var, gamma, eps).
    Returns (dx, dgamma, dbeta) with shapes (N, D), (D,), (D,)."""
    x, x_hat, mean, var, gamma, eps = cache
    N = x.shape[0]
    ### BEGIN SOLUTION
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    xc = x - mean
    std = np.sqrt(var + eps)
    dvar = np.sum(dx_hat * xc, axis=0) * -0.5 / std ** 3
    dxc = dx_hat / std + dvar * 2.0 * xc / N
    dx = dxc - dxc.sum(axis=0) / N
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.batchnorm import bn_cache as _bn_cache, torch_bn_grads as _torch_bn_grads
from helpers import layers as _layers
_rng = np.random.default_rng(711)
_x = 1.0 + 2.0 * _rng.standard_normal((10, 5))
_gamma, _beta, _dout = _rng.standard_normal(5), _rng.standard_normal(5), _rng.standard_normal((10, 5))
with without_reference(_layers.batchnorm_backward, _layers.batchnorm_backward_alt):
    _res = batchnorm_backward(_dout, _bn_cache(_x, _gamma))
check_true(isinstance(_res, tuple) and len(_res) == 3, "batchnorm_backward should return (dx, dgamma, dbeta).")
_tdx, _tdg, _tdb = _torch_bn_grads(_x, _gamma, _beta, _dout)
check_close("dbeta", _res[2], _tdb, hint="dbeta is the sum of dout over the batch (axis 0).")
check_close("dgamma", _res[1], _tdg, hint="dgamma is the sum over the batch of dout * x_hat.")
check_close("dx", _res[0], _tdx,
            hint="x reaches the output three ways: directly, through the mean and through the "
                 "variance. A missing mean term leaves dx with a non-zero sum over the batch.")
passed("dx, dgamma and dbeta equal PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_backward_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (N = 4, D = 9; N = 30, D = 2), against PyTorch and a numerical gradient.
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers.checks.batchnorm import bn_cache as _bn_cache, torch_bn_grads as _torch_bn_grads
from helpers.gradcheck import eval_numerical_gradient_array
from helpers import layers as _layers
import torch
import torch.nn.functional as F
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(712)
for _n, _d in ((4, 9), (30, 2)):
    _x = -3.0 + 0.5 * _rng.standard_normal((_n, _d))
    _gamma, _beta, _dout = _rng.standard_normal(_d), _rng.standard_normal(_d), _rng.standard_normal((_n, _d))
    with without_reference(_layers.batchnorm_backward, _layers.batchnorm_backward_alt):
        _dx, _dg, _db = batchnorm_backward(_dout, _bn_cache(_x, _gamma))
    _tdx, _tdg, _tdb = _torch_bn_grads(_x, _gamma, _beta, _dout)
    check_close(f"dx for N = {_n}, D = {_d}", _dx, _tdx)
    check_close(f"dgamma for N = {_n}, D = {_d}", _dg, _tdg)
    check_close(f"dbeta for N = {_n}, D = {_d}", _db, _tdb)
    _f = lambda v: F.batch_norm(torch.tensor(v), None, None, torch.tensor(_gamma), torch.tensor(_beta),
                                training=True, eps=1e-5).numpy()
    check_close(f"dx for N = {_n}, D = {_d} (numerical gradient)", _dx,
                eval_numerical_gradient_array(_f, _x.copy(), _dout), tol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Check your own gradient
#
# Run a numerical gradient check of your backward pass against your forward
# pass. `eval_numerical_gradient_array(f, x, dout)` nudges each entry of `x`
# by $\pm h$ ($h = 10^{-5}$) and returns the centered differences of
# $\sum f(x)\cdot\mathrm{dout}$; `rel_error` gives $\max|a - n|/(|a| + |n|)$.
#
# How to read it: batch norm is smooth, so a correct backward gives about
# $10^{-7}$ or less (errors of $10^{-4}$ are acceptable only near kinks such
# as ReLU's, and there are none here). Anything above that, and certainly
# $10^{-2}$ or more, is a bug. Note: with only two or three samples per batch
# the gradient of batch norm with respect to $x$ is nearly 0 and the relative
# error of tiny numbers is noisy; use batches of 5 or more.

# %% tags=["demo"]
rng = np.random.default_rng(8)
x = 2.0 + rng.standard_normal((8, 5))
gamma, beta, dout = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal((8, 5))
_, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
dx_num = eval_numerical_gradient_array(
    lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0], x.copy(), dout)
dgamma_num = eval_numerical_gradient_array(
    lambda g: batchnorm_forward(x, g, beta, {"mode": "train"})[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(
    lambda b: batchnorm_forward(x, gamma, b, {"mode": "train"})[0], beta.copy(), dout)
print(f"dx relative error     {rel_error(dx, dx_num):.1e}")
print(f"dgamma relative error {rel_error(dgamma, dgamma_num):.1e}")
print(f"dbeta relative error  {rel_error(dbeta, dbeta_num):.1e}")

# %% [markdown]
# ### The short formula
#
# Working the three paths out on paper (do it once: substitute
# $\partial L/\partial\sigma^2$ into $\partial L/\partial x_c$, use
# $\sum_i x_{c,i} = 0$ and $x_c = s\,\hat x$) collapses them into one line per
# feature:
#
# $$\frac{\partial L}{\partial x_i} = \frac{\gamma}{N s}\Big(N\,\frac{\partial L}{\partial y_i}
#   - \sum_k \frac{\partial L}{\partial y_k}
#   - \hat x_i \sum_k \frac{\partial L}{\partial y_k}\,\hat x_k\Big).$$
#
# The middle term is the mean path, the last one the variance path.
#
# **Exercise 3 (2 points).** `batchnorm_backward_alt(dout, cache)`: the
# same three gradients from this formula, in a few lines and without a loop.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_backward_alt", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_backward_alt(dout, cache):
    """Same inputs and outputs as batchnorm_backward, from the short formula."""
    x, x_hat, mean, var, gamma, eps = cache
    N = x.shape[0]
    ### BEGIN SOLUTION
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * np.sqrt(var + eps)) * (N * dout - dbeta - x_hat * dgamma)
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_backward_alt", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.batchnorm import bn_cache as _bn_cache, torch_bn_grads as _torch_bn_grads
from helpers import layers as _layers
_rng = np.random.default_rng(721)
for _n, _d in ((12, 4), (5, 7)):
    _x = 3.0 * _rng.standard_normal((_n, _d)) - 1.0
    _gamma, _beta, _dout = _rng.standard_normal(_d), _rng.standard_normal(_d), _rng.standard_normal((_n, _d))
    with without_reference(_layers.batchnorm_backward, _layers.batchnorm_backward_alt):
        _res = batchnorm_backward_alt(_dout, _bn_cache(_x, _gamma))
    check_true(isinstance(_res, tuple) and len(_res) == 3,
               "batchnorm_backward_alt should return (dx, dgamma, dbeta).")
    _tdx, _tdg, _tdb = _torch_bn_grads(_x, _gamma, _beta, _dout)
    check_close(f"dx ({_n} x {_d})", _res[0], _tdx,
                hint="dx = gamma / (N * std) * (N * dout - sum(dout) - x_hat * sum(dout * x_hat)), "
                     "sums over axis 0, std = np.sqrt(var + eps).")
    check_close(f"dgamma ({_n} x {_d})", _res[1], _tdg)
    check_close(f"dbeta ({_n} x {_d})", _res[2], _tdb)
passed("the short formula gives PyTorch's dx, dgamma and dbeta")

# %% [markdown]
# Both versions give the same numbers; the short one touches the data fewer
# times. On a large batch:

# %% tags=["demo"]
rng = np.random.default_rng(9)
x, dout = rng.standard_normal((2000, 500)), rng.standard_normal((2000, 500))
_, cache = batchnorm_forward(x, np.ones(500), np.zeros(500), {"mode": "train"})
timings = {}
for fn in (batchnorm_backward, batchnorm_backward_alt):
    start = time.perf_counter()
    for _ in range(5):
        grads = fn(dout, cache)
    timings[fn.__name__] = (time.perf_counter() - start) / 5
    print(f"{fn.__name__:<24} {1000 * timings[fn.__name__]:.1f} ms")
full, alt = batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)
print("largest relative difference:", max(rel_error(a, b) for a, b in zip(full, alt)))

# %% [markdown]
# ## 3. Batch norm against bad weight scales
#
# A network with five hidden layers of 50 ReLU units, trained for 5 epochs
# on 1000 MNIST-1D signals (SGD, learning rate 0.1, batch 100), once as it is
# and once with batch norm after every hidden affine layer
# (`FullyConnectedNet(..., normalization="batchnorm")`, which uses the
# course's reference layers). We repeat this for 16 weight scales, the
# standard deviation of the initial weights, from 1 down to $10^{-4}$, and
# compare the training accuracies. (About two seconds.)

# %% tags=["demo"]
def train_accuracy(weight_scale, normalization, num_epochs=5, lr=0.1):
    net = FullyConnectedNet([50] * 5, 40, 10, weight_init=weight_scale, normalization=normalization, seed=0)
    opt, rng = SGD(lr=lr), np.random.default_rng(0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(num_epochs):
            for X_batch, y_batch in minibatches(X_small, y_small, 100, rng=rng):
                loss, grads = net.loss(X_batch, y_batch)
                if not np.isfinite(loss):
                    return 0.0  # diverged
                opt.update(net.params, grads)
        return float(np.mean(np.argmax(net.loss(X_small), axis=1) == y_small))


scales = np.logspace(0, -4, 16)
plain = [train_accuracy(s, None) for s in scales]
with_bn = [train_accuracy(s, "batchnorm") for s in scales]
fig, axes = plt.subplots(2, 8, figsize=(13, 4), sharey=True)
for ax, s, a, b in zip(axes.ravel(), scales, plain, with_bn):
    ax.bar([0, 1], [a, b], color=["0.6", "tab:blue"])
    ax.set_title(f"std {s:.1e}", fontsize=8)
    ax.set_xticks([0, 1], ["plain", "BN"], fontsize=7)
axes[0, 0].set_ylabel("train accuracy")
fig.suptitle("Five hidden layers, five epochs: plain (grey) and with batch norm (blue)", fontsize=10)
fig.tight_layout()
wins = sum(b > a + 0.05 for a, b in zip(plain, with_bn))
print(f"batch norm trains clearly better (by more than 5 points) at {wins} of 16 weight scales")
check_true(wins >= 10, f"batch norm should win at 10 or more of the 16 scales, it won at {wins}")
passed("batch norm trains where the plain network does not")

# %% [markdown]
# Read the bars. Without batch norm only a narrow band of scales trains at
# all: too large and the activations (and the loss) explode, too small and
# the signal dies out layer by layer and the gradients with it (notebook 05).
# With batch norm every layer's pre-activations are rescaled to variance 1
# whatever the weights, so almost every scale trains. The one failure at
# $10^{-4}$ is instructive: there the pre-activations have a variance of about
# $10^{-8}$, far below $\epsilon = 10^{-5}$, so $\sqrt{\sigma^2 + \epsilon}$
# is dominated by $\epsilon$ and batch norm no longer normalizes.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bn_scale", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Why is a network with batch norm much less
# sensitive to the scale of its initial weights, and why does it tolerate
# larger learning rates? Use what happens to a layer's output when all its
# weights are multiplied by a constant $a > 0$.
#
# ### BEGIN SOLUTION
# *Model answer.* Batch norm divides each pre-activation by its batch
# standard deviation. Multiplying the weights $W$ of a layer by $a$
# multiplies its pre-activations and their mean and std by $a$, so
# $\hat x = (aWx - a\mu)/(a\sigma)$ is unchanged: the layer's output does not
# depend on the scale of $W$. Whatever the initial scale, every hidden layer
# receives inputs of mean 0 and variance 1 (times the learned $\gamma$), so
# activations neither explode nor vanish through the depth and the gradients
# keep a sensible size (the experiment: plain nets train only in a narrow band
# of scales, BN nets at almost all). For the learning rate: the same
# invariance gives $\partial L/\partial(aW) = \frac1a\,\partial L/\partial W$,
# so when an update makes the weights larger their gradients shrink and the
# effective step shrinks with them, a self-stabilization; a large step cannot
# blow up the next layer's inputs because they are renormalized, and the
# loss surface is smoother, so larger learning rates stay stable and train
# faster.
#
# *Rubric (3 points).* 1 point: scaling the weights scales mean and std alike,
# so the normalized output is unchanged (scale invariance). 1 point: hence
# activations and gradients keep a healthy size in every layer whatever the
# initialization (no vanishing/exploding), linked to the experiment. 1 point:
# larger learning rates: large updates cannot blow up the next layers because
# their inputs are renormalized (or: gradient scales as 1/a, effective step
# shrinks as weights grow; or: smoother loss surface).
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bn_test_time", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) What does batch norm compute at test time,
# and why running averages rather than the statistics of the test batch?
# (b) Why can it not be trained with a batch size of 1 (what does the
# layer output then)? (c) We put batch norm *before* the activation
# (affine - batchnorm - ReLU). What does it give the ReLU that way?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) At test time it uses fixed statistics, the running
# averages of the batch means and variances collected during training:
# $\gamma(x - \text{running\_mean})/\sqrt{\text{running\_var} + \epsilon} + \beta$,
# a fixed affine map per feature. With the test batch's own statistics a
# prediction would depend on which other samples are in the batch (and its
# size): the same input could get different outputs, a batch of one would
# be normalized to 0, and a small or unrepresentative test batch gives noisy
# statistics. The running averages estimate the statistics of the whole
# training distribution, which is what the network was trained to see, and
# cost nothing to compute.
# (b) With one sample the batch mean is that sample, so $x - \mu = 0$ and the
# variance is 0: every output is $\beta$ whatever the input, no information
# passes and the gradient with respect to $x$ is 0 (PyTorch refuses: "Expected
# more than 1 value per channel when training"); very small batches give
# noisy statistics for the same reason.
# (c) Before the ReLU, batch norm controls the distribution of the ReLU's
# input: centred near 0 with unit spread (shifted by $\beta$), so about half
# the inputs are on the active side, units are not dead or saturated and
# $\gamma, \beta$ choose how much of the nonlinearity is used. After the ReLU
# it would normalize non-negative, skewed outputs and the ReLU's input scale
# would be uncontrolled.
#
# *Rubric (3 points).* 1 point: (a) test time uses the running averages
# (fixed affine map), because outputs must not depend on the other samples
# of the batch / batch size, and they estimate the training statistics.
# 1 point: (b) with N = 1, x - mean = 0 and var = 0, the output is beta for
# every input and no gradient reaches x. 1 point: (c) before the activation
# the ReLU receives zero-mean, unit-variance inputs, so its active fraction is
# controlled (no dead or saturated units), with gamma and beta to adjust.
# ### END SOLUTION

# %% [markdown]
# ## 4. Dropout
#
# During training, **dropout** sets each hidden unit to 0 with probability
# $p$, a new random choice for every sample and every step. A network can
# then not rely on a particular unit, or on a fragile co-adaptation of a few:
# each unit must be useful in the company of random subsets of the others.
# (In this course, as in `torch.nn.Dropout(p)`, $p$ is the probability of
# **dropping** a unit.)
#
# At test time every unit is present, so a unit's input would be larger by
# the factor $1/(1-p)$ than what the next layer saw during training.
# **Inverted dropout** fixes this at train time: it scales the surviving
# units by $1/(1-p)$, so the expected value of every unit is unchanged,
# $\mathbb E[\text{out}] = (1-p)\cdot\frac{x}{1-p} + p\cdot 0 = x$, and test
# time is the identity.
#
# **Exercise 4 (4 points).** `dropout_forward(x, dropout_param)` with
# `dropout_param` holding `p` (in $[0, 1)$), `mode` (`"train"` or `"test"`)
# and optionally `seed`. In train mode draw the mask with
# `rng = np.random.default_rng(dropout_param.get("seed"))` (the same seed
# gives the same mask, no seed a new one each time), keep each unit with
# probability $1 - p$, and return `out = x * mask` with the mask entries 0 or
# $1/(1-p)$; cache `(dropout_param, mask)`. In test mode return `x` itself
# (or a copy) and the cache `(dropout_param, None)`.

# %% nbgrader={"grade": false, "grade_id": "dropout_forward", "locked": false, "schema_version": 3, "solution": true}
def dropout_forward(x, dropout_param):
    """Inverted dropout. x: array of any shape; dropout_param: dict with p, mode, seed.
    Returns (out, cache): out with the shape of x; cache = (dropout_param, mask)."""
    p, mode = dropout_param["p"], dropout_param["mode"]
    mask = None
    ### BEGIN SOLUTION
    if mode == "train":
        rng = np.random.default_rng(dropout_param.get("seed"))
        mask = (rng.random(x.shape) >= p) / (1 - p)
        out = x * mask
    else:
        out = x
    ### END SOLUTION
    return out, (dropout_param, mask)


# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_equal, check_true, passed, without_reference
from helpers import layers as _layers
_rng = np.random.default_rng(731)
_x = 1.0 + 0.1 * _rng.standard_normal((400, 300))
_x_before = _x.copy()
with without_reference(_layers.dropout_forward):
    _out, _ = dropout_forward(_x, {"p": 0.3, "mode": "train", "seed": 1})
check_equal("x after dropout_forward", _x, _x_before, hint="do not change x in place.")
_kept = np.asarray(_out) != 0
check_true(abs(_kept.mean() - 0.7) < 0.01,
           f"With p = 0.3 about 70% of the units should survive; yours keeps {_kept.mean():.1%}.",
           hint="p is the probability of DROPPING a unit: keep it where rng.random(x.shape) >= p.")
check_close("the surviving units (p = 0.3)", np.asarray(_out)[_kept], _x_before[_kept] / 0.7, tol=1e-9,
            hint="inverted dropout scales the survivors by 1 / (1 - p), here 1 / 0.7, not by p or (1 - p).")
check_close("the mean of the output over the mean of x", np.mean(_out) / np.mean(_x_before), 1.0, tol=0.01,
            hint="the expected output must equal x: scale the survivors by 1 / (1 - p).")
with without_reference(_layers.dropout_forward):
    _again, _ = dropout_forward(_x_before.copy(), {"p": 0.3, "mode": "train", "seed": 1})
    _other, _ = dropout_forward(_x_before.copy(), {"p": 0.3, "mode": "train", "seed": 2})
check_equal("a second call with the same seed", np.asarray(_again) != 0, _kept,
            hint="draw the mask with rng = np.random.default_rng(dropout_param.get('seed')).")
check_true(np.any((np.asarray(_other) != 0) != _kept), "Another seed should give another mask.",
           hint="use dropout_param['seed'] to seed the generator.")
passed("about 70% kept, survivors scaled by 1/0.7, the mean preserved, the same mask for the same seed")

# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers import layers as _layers
_x = np.random.default_rng(732).standard_normal((50, 40))
for _p in (0.3, 0.8):
    with without_reference(_layers.dropout_forward):
        _out, _ = dropout_forward(_x.copy(), {"p": _p, "mode": "test", "seed": 0})
    check_close(f"dropout_forward in test mode (p = {_p})", _out, _x, tol=0,
                hint="inverted dropout did its scaling at train time: in test mode the output is x "
                     "unchanged (no mask, no scaling by 1 - p).")
passed("test mode is the identity")

# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: p = 0 keeps everything, p = 0.9 on a (20, 30, 40) array, and no seed draws new masks.
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers import layers as _layers
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(733)
_x = _rng.standard_normal((30, 20))
with without_reference(_layers.dropout_forward):
    _out, _ = dropout_forward(_x.copy(), {"p": 0.0, "mode": "train", "seed": 3})
check_close("dropout_forward with p = 0 in train mode", _out, _x, tol=1e-12,
            hint="p = 0 drops nothing and scales by 1 / (1 - 0) = 1.")
_x = 1.0 + 0.1 * _rng.standard_normal((20, 30, 40))
with without_reference(_layers.dropout_forward):
    _out, _ = dropout_forward(_x.copy(), {"p": 0.9, "mode": "train", "seed": 4})
_kept = np.asarray(_out) != 0
check_true(abs(_kept.mean() - 0.1) < 0.01, f"p = 0.9 should keep about 10%, yours keeps {_kept.mean():.1%}.")
check_close("the survivors with p = 0.9", np.asarray(_out)[_kept], _x[_kept] * 10, tol=1e-9)
with without_reference(_layers.dropout_forward):
    _a, _ = dropout_forward(_x[0].copy(), {"p": 0.5, "mode": "train"})
    _b, _ = dropout_forward(_x[0].copy(), {"p": 0.5, "mode": "train"})
check_true(np.any((np.asarray(_a) != 0) != (np.asarray(_b) != 0)),
           "Without a seed two calls should draw different masks.")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5 (2 points).** `dropout_backward(dout, cache)`. The forward
# pass multiplied by a fixed mask, so the backward pass multiplies the
# upstream gradient by the same mask; in test mode the gradient passes
# unchanged. (The test uses your `dropout_forward` to make the cache.)

# %% nbgrader={"grade": false, "grade_id": "dropout_backward", "locked": false, "schema_version": 3, "solution": true}
def dropout_backward(dout, cache):
    """dout: upstream gradient, the shape of x; cache = (dropout_param, mask).
    Returns dx with the shape of dout."""
    dropout_param, mask = cache
    ### BEGIN SOLUTION
    if dropout_param["mode"] == "train":
        dx = dout * mask
    else:
        dx = dout
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_dropout_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers import layers as _layers
_rng = np.random.default_rng(741)
_x = _rng.standard_normal((20, 15))
_x = np.where(_x >= 0, _x + 0.1, _x - 0.1)  # no zeros: out / x is the local slope
_dout = _rng.standard_normal((20, 15))
with without_reference(_layers.dropout_forward, _layers.dropout_backward):
    _out, _cache = dropout_forward(_x.copy(), {"p": 0.4, "mode": "train", "seed": 5})
    _dx = dropout_backward(_dout.copy(), _cache)
_slope = np.asarray(_out) / _x  # 0 for a dropped unit, the scale for a kept one
check_true(0 < np.mean(_slope == 0) < 1, "Your dropout_forward should drop some units and keep others "
           "(Exercise 4) for this test to say anything.")
check_close("dropout_backward(dout, cache) in train mode", _dx, _dout * _slope, tol=1e-9,
            hint="the gradient flows only through the kept units, scaled like them: dout * mask. "
                 "A dropped unit gets gradient 0.")
with without_reference(_layers.dropout_backward):
    _dx = dropout_backward(_dout.copy(), ({"p": 0.4, "mode": "test"}, None))
check_close("dropout_backward in test mode", _dx, _dout, tol=0, hint="in test mode dx = dout.")
passed("the gradient flows through the kept units with their scale, and unchanged in test mode")

# %% [markdown]
# ### Check your own gradient
#
# Dropout is random, so the numerical gradient only makes sense with the
# **same mask** in every call: fix the seed. Run it and read the relative
# error as before (dropout is linear in $x$ for a fixed mask, so a correct
# backward gives about $10^{-10}$ or less). Then try it without the seed:
# the error jumps to about 1, not because the backward pass is wrong but
# because every evaluation of $f$ draws a new mask.

# %% tags=["demo"]
rng = np.random.default_rng(10)
x, dout = rng.standard_normal((6, 8)), rng.standard_normal((6, 8))
param = {"p": 0.5, "mode": "train", "seed": 123}
_, cache = dropout_forward(x, param)
dx = dropout_backward(dout, cache)
dx_num = eval_numerical_gradient_array(lambda v: dropout_forward(v, param)[0], x.copy(), dout)
print(f"fixed seed: relative error {rel_error(dx, dx_num):.1e}")
unseeded = {"p": 0.5, "mode": "train"}
dx_num = eval_numerical_gradient_array(lambda v: dropout_forward(v, unseeded)[0], x.copy(), dout)
print(f"no seed:    relative error {rel_error(dx, dx_num):.1e}")

# %% [markdown]
# Here is dropout at work on a row of 20 units, five times with $p = 0.5$:
# each call keeps a different half and doubles it, and the average of many
# calls is the input again.

# %% tags=["demo"]
x = np.linspace(0.5, 1.5, 20)
draws = np.array([dropout_forward(x, {"p": 0.5, "mode": "train", "seed": s})[0] for s in range(2000)])
fig, ax = plt.subplots(figsize=(7, 2.6))
ax.imshow(draws[:5], cmap="Blues", aspect="auto")
ax.set(xlabel="unit", ylabel="call", title="five dropout masks (p = 0.5): white is dropped, dark is x / (1 - p)")
ax.title.set_fontsize(9)
print("average over 2000 calls minus x, largest |difference|:", np.abs(draws.mean(axis=0) - x).max().round(3))

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_inverted_dropout", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Why does *inverted* dropout scale by $1/(1-p)$ at
# train time, and what would go wrong at test time if we dropped units during
# training without any scaling and then used all units at test time? Why do
# practitioners prefer to scale at train time rather than multiply by
# $(1 - p)$ at test time?
#
# ### BEGIN SOLUTION
# *Model answer.* During training a unit survives with probability $1-p$,
# so without scaling its expected output is $(1-p)x$ and the next layer
# learns weights for inputs of that size. At test time all units are
# present, the inputs of the next layer are larger by $1/(1-p)$ (twice as
# large for $p = 0.5$), its pre-activations are shifted and the predictions
# are wrong. Scaling the survivors by $1/(1-p)$ keeps the expected value
# equal to $x$ during training, so test time needs no change: the network is
# the same function with every unit present. Doing it at train time leaves the
# prediction code untouched (no need to remember $p$ at test time, faster
# inference, the same model works with dropout removed); the classic
# alternative, multiplying by $1-p$ at test time, is equivalent in
# expectation but easy to forget.
#
# *Rubric (2 points).* 1 point: without scaling, the expected activation in
# training is $(1-p)x$ but $x$ at test time, so the next layer sees inputs
# too large by $1/(1-p)$ at test time. 1 point: scaling by $1/(1-p)$ keeps the
# expectation at $x$ so test time is the identity; preferred because
# inference stays unchanged (no p to remember, no extra cost).
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_dropout_ensemble", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Dropout is often described as training an
# **ensemble** of networks. Which networks, how many, how do they share
# their parameters, and what does the test-time network compute with respect
# to that ensemble?
#
# ### BEGIN SOLUTION
# *Model answer.* Each dropout mask selects a sub-network (thinned network)
# made of the surviving units; with $n$ droppable units there are $2^n$ of
# them, far too many to train separately. They all share the same weights:
# each training step trains one randomly sampled sub-network on one minibatch,
# and its update changes the weights that all the others use. At test time
# the full network with every unit (scaled so that expectations match, which
# inverted dropout does at train time) approximates the average prediction of
# the whole ensemble: exactly the average of the pre-activations for one
# linear layer, an approximation (a geometric-mean-like average) through the
# nonlinearities. Averaging many models reduces variance, which is why
# dropout regularizes. (One can also average the predictions of many random
# masks at test time, "Monte Carlo dropout".)
#
# *Rubric (2 points).* 1 point: each mask is a sub-network, $2^n$ of them
# sharing one set of weights, one sampled per step. 1 point: the full
# network at test time (with the scaling) approximates the average of the
# ensemble's predictions, which is why it reduces over-fitting.
# ### END SOLUTION

# %% [markdown]
# ## 5. Weight decay, early stopping, gradient clipping, max-norm
#
# **Weight decay (L2).** As in notebook 02, the loss gains
# $\text{reg}\cdot\sum W^2$ for every weight matrix, and each weight gradient
# $2\,\text{reg}\,W$: every step shrinks the weights toward 0 a little, so
# only weights that the data keeps pushing stay large. Biases, $\gamma$ and
# $\beta$ are **not** decayed: they are few, they do not make the function
# more wiggly, and decaying $\gamma$ or a bias would only fight the
# normalization and the offsets the network needs.
# `helpers.regularization.l2_penalty(params, reg)` returns this penalty and
# its gradients, and `FullyConnectedNet(..., reg=...)` uses the same rule.
# (L1 decay, $\text{reg}\sum|W|$ with gradient $\text{reg}\cdot\mathrm{sign}(W)$,
# pushes weights to exactly 0 instead: sparse weights.)

# %% tags=["demo"]
net = FullyConnectedNet([6], 4, 3, normalization="batchnorm", seed=0)
penalty, decay_grads = regularization.l2_penalty(net.params, reg=0.01)
print("decayed:", sorted(decay_grads), " not decayed:", sorted(set(net.params) - set(decay_grads)))
print(f"penalty {penalty:.4f} = 0.01 * (sum of W1**2 + sum of W2**2) = "
      f"{0.01 * (np.sum(net.params['W1'] ** 2) + np.sum(net.params['W2'] ** 2)):.4f}")

# %% [markdown]
# **Early stopping.** Keep the weights of the epoch with the best validation
# accuracy and stop when it has not improved for `patience` epochs: the
# number of epochs becomes a hyperparameter chosen on the validation set.
# The course's `Solver` does this with its `patience` argument (and copies
# its best parameters back at the end); for a loop of your own,
# `regularization.EarlyStopping(patience)` has `step(val_acc, params)`,
# which returns True when it is time to stop, and `restore(params)`.
#
# **Gradient-norm clipping.** One unlucky minibatch (or a steep cliff of the
# loss) can give a huge gradient and throw the weights far away. Clipping
# measures the **global** norm of all gradients together,
#
# $$g = \sqrt{\textstyle\sum_{k}\sum_{\text{entries}} \mathrm{grads}[k]^2},$$
#
# and when $g$ exceeds `max_norm` multiplies **every** gradient by
# $\text{max\_norm}/(g + 10^{-6})$: the update keeps its direction, only its
# length is capped. (Clipping each array on its own would change the
# direction.) This is `torch.nn.utils.clip_grad_norm_`, the standard guard
# for recurrent networks and transformers.
#
# **Exercise 6 (3 points).** `clip_grad_norm(grads, max_norm)`: clip the
# arrays of the dict `grads` **in place** as above (leave them untouched when
# $g \le$ `max_norm`) and return $g$, the norm *before* clipping.

# %% nbgrader={"grade": false, "grade_id": "clip_grad_norm", "locked": false, "schema_version": 3, "solution": true}
def clip_grad_norm(grads, max_norm):
    """grads: dict of arrays (changed in place); max_norm: float > 0.
    Returns the global L2 norm of all the gradients before clipping, as a float."""
    ### BEGIN SOLUTION
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if total > max_norm:
        for k in grads:
            grads[k] *= max_norm / (total + 1e-6)
    return float(total)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_grad_norm", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.batchnorm import torch_clip as _torch_clip
from helpers import regularization as _reg
_rng = np.random.default_rng(751)
_grads = {"W1": _rng.standard_normal((6, 5)), "b1": _rng.standard_normal(5), "W2": 3 * _rng.standard_normal((5, 3))}
_want_norm, _want = _torch_clip(_grads, 2.0)
_arrays = {k: v for k, v in _grads.items()}
with without_reference(_reg.clip_grad_norm):
    _norm = clip_grad_norm(_grads, 2.0)
check_close("the returned norm", _norm, _want_norm,
            hint="the norm of ALL the gradients together, before clipping: the square root of the "
                 "sum of the squares of every entry of every array.")
for _k in _want:
    check_true(_grads[_k] is _arrays[_k], f"grads['{_k}'] should be the same array, changed in place.",
               hint="use grads[k] *= scale (or np.multiply(..., out=...)), not grads[k] = ...")
    check_close(f"grads['{_k}'] after clipping", _grads[_k], _want[_k], tol=1e-6,
                hint="multiply every gradient by the same factor max_norm / (total + 1e-6); clipping "
                     "each array to max_norm on its own changes the direction of the update.")
passed("the same norm and clipped gradients as torch.nn.utils.clip_grad_norm_")

# %% nbgrader={"grade": true, "grade_id": "test_clip_grad_norm_small", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: gradients already below max_norm stay exactly as they were.
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers.checks.batchnorm import torch_clip as _torch_clip
from helpers import regularization as _reg
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(752)
_grads = {"W": 0.01 * _rng.standard_normal((4, 4)), "b": 0.01 * _rng.standard_normal(4)}
_before = {k: v.copy() for k, v in _grads.items()}
_want_norm, _ = _torch_clip(_grads, 5.0)
with without_reference(_reg.clip_grad_norm):
    _norm = clip_grad_norm(_grads, 5.0)
check_close("the returned norm (below max_norm)", _norm, _want_norm)
for _k in _before:
    check_close(f"grads['{_k}'] below max_norm", _grads[_k], _before[_k], tol=0,
                hint="only clip when the norm is larger than max_norm; never scale gradients up.")
### END HIDDEN TESTS

# %% [markdown]
# **Max-norm constraint.** Another guard, popular with dropout: after every
# update, rescale each unit's incoming weight vector (a column of $W$) to a
# norm of at most $c$ (3 or 4 is typical). Unlike weight decay it does nothing
# to weights that are small enough, and it puts a hard bound on how large any
# pre-activation can get: `regularization.max_norm_constraint(W, c)`.

# %% tags=["demo"]
W = 3 * np.random.default_rng(11).standard_normal((40, 5))
print("column norms before:", np.round(np.sqrt((W ** 2).sum(axis=0)), 1))
print("after max-norm 15:  ", np.round(np.sqrt((regularization.max_norm_constraint(W, 15.0) ** 2).sum(axis=0)), 1))

# %% [markdown]
# ## 6. Over-fitting 300 signals
#
# First two sanity checks of any regularized model: with
# `reg = 0` a big network must be able to **over-fit a tiny training set**
# (20 signals) to a loss near 0; and the initial loss must **rise with
# `reg`**, since the penalty is added to it.

# %% tags=["demo"]
net = FullyConnectedNet([200, 200], 40, 10, seed=0)
opt = SGD(lr=0.1)
for step in range(200):
    loss, grads = net.loss(X_300[:20], y_300[:20])
    opt.update(net.params, grads)
print(f"20 signals, reg 0: loss after 200 steps {loss:.4f}")
for reg in (0.0, 1e-3, 1e-2, 1e-1):
    print(f"initial loss with reg {reg:g}: {FullyConnectedNet([200, 200], 40, 10, reg=reg, seed=0).loss(X_300, y_300)[0]:.3f}")

# %% [markdown]
# Now the real problem: a network with two hidden layers of 200 units and
# only **300** training signals (MNIST-1D), 60 epochs of SGD. Without
# regularization it learns the training set by heart (100%) while the
# validation accuracy stays near 30%: a gap of 70 points. Dropout and weight
# decay shrink the gap. (About two seconds.)

# %% tags=["demo"]
def overfit_run(p=0.0, reg=0.0, num_epochs=60):
    net = FullyConnectedNet([200, 200], 40, 10, dropout=p, reg=reg, seed=0)
    opt, rng = SGD(lr=0.1), np.random.default_rng(0)
    for _ in range(num_epochs):
        for X_batch, y_batch in minibatches(X_300, y_300, 50, rng=rng):
            opt.update(net.params, net.loss(X_batch, y_batch)[1])
    train = np.mean(np.argmax(net.loss(X_300), axis=1) == y_300)
    val = np.mean(np.argmax(net.loss(X_val), axis=1) == y_val)
    return train, val


for p, reg in [(0.0, 0.0), (0.5, 0.0), (0.7, 0.0), (0.0, 0.01), (0.0, 0.03), (0.0, 0.1)]:
    train, val = overfit_run(p, reg)
    print(f"dropout {p:.1f}, reg {reg:<5g}: train {train:.3f}  validation {val:.3f}  gap {train - val:.3f}")

# %% [markdown]
# **Exercise 7 (3 points).** `regularize()`: return settings
# `{"dropout": p, "reg": reg}` for this network (the test trains it exactly as
# `overfit_run` does, in about half a second) such that the **validation
# accuracy is at least 0.32** (the unregularized net gets 0.300) **and the
# train-validation gap is at most 0.60** (it is 0.70 without regularization).
# Try values with `overfit_run(p, reg)` in a scratch cell first.

# %% nbgrader={"grade": false, "grade_id": "regularize", "locked": false, "schema_version": 3, "solution": true}
def regularize():
    """Settings for the over-fitting network: a dict with the keys "dropout"
    (the probability of dropping a hidden unit, in [0, 1)) and "reg" (the
    weight decay strength, >= 0)."""
    ### BEGIN SOLUTION
    return {"dropout": 0.5, "reg": 0.0}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_regularize", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import check_true, passed
from helpers.checks.batchnorm import train_regularized as _train_regularized
_train_acc, _val_acc = _train_regularized(regularize())
check_true(_val_acc >= 0.32, f"Validation accuracy {_val_acc:.3f}; the target is 0.32.",
           hint="too much regularization (a large reg or p near 1) stops the network from learning at all.")
check_true(_train_acc - _val_acc <= 0.60,
           f"Train accuracy {_train_acc:.3f}, validation {_val_acc:.3f}: a gap of {_train_acc - _val_acc:.3f}, "
           "the target is at most 0.60.", hint="regularize more: dropout around 0.5, or weight decay.")
passed(f"train {_train_acc:.3f}, validation {_val_acc:.3f}, gap {_train_acc - _val_acc:.3f}")

# %% [markdown]
# Watch the two curves as you move the dropout rate and the weight decay
# (each redraw trains the network, about half a second). Without widgets
# (a headless run) the first picture is drawn for your settings.

# %% tags=["demo"]
settings = regularize()
draw_regularization(settings["dropout"], settings["reg"]);

# %% tags=["demo"]
regularization_demo()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_regularization", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Which settings did you choose, and what did they
# do to the training accuracy, the validation accuracy and the gap (give
# the numbers)? Why does a smaller gap not always mean a better model (look
# at reg = 0.1)? And with 30 000 training signals instead of 300, would you
# expect to need more or less regularization?
#
# ### BEGIN SOLUTION
# *Model answer.* Dropout 0.5 without weight decay: training accuracy falls
# from 1.000 to 0.930, validation rises from 0.300 to 0.335, the gap shrinks
# from 0.70 to 0.60. Regularization trades fit on the training set for a
# simpler, smoother function that generalizes a little better. A small gap is
# not the goal in itself: with reg = 0.1 the gap is almost 0 but both
# accuracies are about 0.2-0.25, the model under-fits; what matters is the
# validation accuracy, and the gap tells us whether more regularization (large
# gap) or more capacity (small gap, low accuracy) is needed. With 100 times
# more data the network cannot memorize it so easily and the training data
# itself constrains the function: the gap shrinks on its own and less
# regularization is needed (more data is the best regularizer).
#
# *Rubric (3 points).* 1 point: the chosen settings with their train,
# validation and gap numbers and the direction of each change. 1 point: a
# small gap can come from under-fitting (both accuracies low at reg = 0.1);
# the validation accuracy is the criterion. 1 point: more data means less
# over-fitting, so less regularization is needed.
# ### END SOLUTION

# %% [markdown]
# ## 7. The same thing in PyTorch
#
# `nn.BatchNorm1d(D)` holds $\gamma$ (`weight`), $\beta$ (`bias`) and the
# buffers `running_mean` and `running_var`; `model.train()` and
# `model.eval()` switch between batch statistics and running averages (our
# `bn_param["mode"]`). Your batch norm against it over three training steps
# and one evaluation, the running averages included (with `momentum=0.1`,
# PyTorch's name for our $1 - m$):

# %% tags=["demo"]
rng = np.random.default_rng(12)
gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
bn = nn.BatchNorm1d(4, momentum=0.1).double()
with torch.no_grad():
    bn.weight.copy_(torch.tensor(gamma))
    bn.bias.copy_(torch.tensor(beta))
bn_param = {"mode": "train"}
bn.train()
for step in range(3):
    x = 3 + 2 * rng.standard_normal((10, 4))
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    out_t = bn(torch.tensor(x)).detach().numpy()
    print(f"train step {step + 1}: output {rel_error(out, out_t):.1e}, running_mean "
          f"{rel_error(bn_param['running_mean'], bn.running_mean.numpy()):.1e}, running_var "
          f"{rel_error(bn_param['running_var'], bn.running_var.numpy()):.1e}")
bn.eval()
bn_param["mode"] = "test"
x = rng.standard_normal((5, 4))
print(f"eval: output {rel_error(batchnorm_forward(x, gamma, beta, bn_param)[0], bn(torch.tensor(x)).detach().numpy()):.1e}")

# %% [markdown]
# `nn.Dropout(p)` is inverted dropout with $p$ the drop probability, active
# only in `train()` mode. Its masks come from PyTorch's generator, so we
# compare what must agree: the values, the fraction kept, and the identity
# in `eval()`.

# %% tags=["demo"]
drop = nn.Dropout(p=0.3)
x = torch.ones(400, 500, dtype=torch.float64)
drop.train()
out_t = drop(x).numpy()
out, _ = dropout_forward(x.numpy(), {"p": 0.3, "mode": "train", "seed": 0})
print("values PyTorch:", np.unique(out_t).round(4), " yours:", np.unique(out).round(4))
print(f"kept fraction PyTorch {np.mean(out_t != 0):.4f}, yours {np.mean(out != 0):.4f}")
drop.eval()
print("eval mode is the identity:", bool(torch.equal(drop(x), x)))

# %% [markdown]
# `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)` clips the
# `.grad` of every parameter in place and returns the total norm, exactly
# your `clip_grad_norm`. It goes between `loss.backward()` and
# `optimizer.step()`.

# %% tags=["demo"]
rng = np.random.default_rng(13)
grads = {"W1": rng.standard_normal((8, 6)), "b1": rng.standard_normal(6), "W2": rng.standard_normal((6, 3))}
tensors = []
for g in grads.values():
    t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(g.copy())
    tensors.append(t)
total_t = torch.nn.utils.clip_grad_norm_(tensors, max_norm=1.0).item()
total = clip_grad_norm(grads, 1.0)
print(f"total norm PyTorch {total_t:.6f}, yours {total:.6f}")
print("largest relative difference of the clipped gradients:",
      f"{max(rel_error(g, t.grad.numpy()) for g, t in zip(grads.values(), tensors)):.1e}")

# %% [markdown]
# **Weight decay in `torch.optim`.** `torch.optim.SGD(params, lr, weight_decay=wd)`
# adds `wd * W` to each gradient before the step: the gradient of
# $\frac{wd}{2}\sum W^2$. Our loss adds $\text{reg}\sum W^2$ with gradient
# $2\,\text{reg}\,W$, so `weight_decay = 2 * reg` gives the same step. Two
# differences to remember: PyTorch decays **every** parameter you hand to
# the optimizer, biases and batch-norm $\gamma, \beta$ included, unless you
# put them in a parameter group with `weight_decay=0`; and for Adam,
# `weight_decay` is added to the gradient before the adaptive scaling, while
# `torch.optim.AdamW` applies the decay to the weights directly ("decoupled").
# Ten SGD steps of a net with batch norm, in NumPy and in PyTorch, with the
# biases and $\gamma, \beta$ left out of the decay:

# %% tags=["demo"]
reg, lr = 0.01, 0.1
X, y = X_300[:64], y_300[:64]
np_net = FullyConnectedNet([32], 40, 10, normalization="batchnorm", reg=reg, seed=0)
torch_net = nn.Sequential(nn.Linear(40, 32), nn.BatchNorm1d(32, momentum=0.1), nn.ReLU(), nn.Linear(32, 10)).double()
with torch.no_grad():
    torch_net[0].weight.copy_(torch.tensor(np_net.params["W1"].T))  # nn.Linear stores W transposed
    torch_net[0].bias.copy_(torch.tensor(np_net.params["b1"]))
    torch_net[3].weight.copy_(torch.tensor(np_net.params["W2"].T))
    torch_net[3].bias.copy_(torch.tensor(np_net.params["b2"]))
decay = [torch_net[0].weight, torch_net[3].weight]
no_decay = [torch_net[0].bias, torch_net[1].weight, torch_net[1].bias, torch_net[3].bias]
opt_t = torch.optim.SGD([{"params": decay, "weight_decay": 2 * reg},
                         {"params": no_decay, "weight_decay": 0.0}], lr=lr)
opt = SGD(lr=lr)
for step in range(10):
    _, grads = np_net.loss(X, y)  # the weight-decay gradient 2 * reg * W is in grads
    opt.update(np_net.params, grads)
    opt_t.zero_grad()
    F.cross_entropy(torch_net(torch.tensor(X)), torch.tensor(y)).backward()
    opt_t.step()
print(f"W1 after 10 steps: relative difference {rel_error(np_net.params['W1'], torch_net[0].weight.detach().numpy().T):.1e}")
print(f"gamma1:            relative difference {rel_error(np_net.params['gamma1'], torch_net[1].weight.detach().numpy()):.1e}")
print(f"running_var:       relative difference {rel_error(np_net.bn_params[0]['running_var'], torch_net[1].running_var.numpy()):.1e}")

# %% [markdown]
# **Summary.** Batch norm normalizes each unit over the minibatch in
# training and with running averages at test time; it makes a deep network
# insensitive to its weight scale and lets it train with larger learning
# rates. Its backward pass has three paths (direct, mean, variance) that
# collapse into one short formula. Inverted dropout drops units with
# probability $p$ and scales the survivors by $1/(1-p)$, so test time is the
# identity; it trains an ensemble of sub-networks that share their weights.
# Weight decay (weights only), early stopping, gradient-norm clipping and
# max-norm constraints complete the toolbox; judge them all on the
# validation set.
