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
#   averages) and backward: step by step along its computational graph, then
#   the short formula you derive yourself; check it against
#   `torch.nn.BatchNorm1d` and a numerical gradient;
# - train a deep network over 16 weight scales with and without batch norm;
# - write inverted dropout, forward and backward, and check it yourself;
# - write layer normalization and find the batch sizes where it beats batch
#   norm;
# - build your own fully connected network of any depth from these layers,
#   check its gradients, over-fit 50 signals with it and train it on MNIST-1D
#   with the normalization and dropout you choose on the validation set;
# - write L2 weight decay, early stopping and gradient-norm clipping, meet
#   max-norm constraints, and measure with error bars what regularization
#   buys on 500 signals, choosing the settings on the validation set;
# - finish with the same tools in PyTorch.
#
# **Grading.** 70 points: 49 for the exercises, checked by tests, and 21
# for the written questions. Each exercise is followed by a test cell you can run; some exercises have
# more test cells, and some checks run only when your notebook is graded.
# Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time
import warnings
from types import SimpleNamespace

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
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.nets import FullyConnectedNet
from helpers.optim import SGD, Adam, minibatches
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
# with the momentum $m$ from `bn_param` (0.9 by default): the old value keeps
# weight $m$, the new batch gets $1 - m$. Two conventions to know, both as in
# PyTorch's `nn.BatchNorm1d`:
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
# averages back into `bn_param`. Return `(out, cache)`: the cache is for your
# own backward pass, so put in it what that needs (we suggest
# `(x, x_hat, mean, var, gamma, eps)`, the form Exercises 2 and 3 receive);
# in test mode there is nothing to cache, return `None`, and change nothing.
# Do not change `x` in place.

# %% nbgrader={"grade": false, "grade_id": "batchnorm_forward", "locked": false, "schema_version": 3, "solution": true}
def batchnorm_forward(x, gamma, beta, bn_param):
    """x: (N, D); gamma, beta: (D,); bn_param: dict (see above).
    Returns (out, cache): out (N, D); cache: what your backward pass needs
    (train mode), None in test mode."""
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
from helpers.checks.batchnorm import answering, bn_inputs, check_bn_train, ones, zeros, passed
_x, _gamma, _beta = bn_inputs()          # a (16, 6) batch whose features have mean 5 and std 3; random gamma, beta
with answering("batchnorm_forward"):     # the course's batch norm and PyTorch are blocked
    _plain = batchnorm_forward(_x, ones(6), zeros(6), {"mode": "train"})
    _result = batchnorm_forward(_x, _gamma, _beta, {"mode": "train"})
check_bn_train(_plain, _result, _x)      # mean 0 and std 1 per feature; torch.nn.BatchNorm1d's output; x unchanged
passed("train mode: mean 0 and std 1 per feature, equal to torch.nn.BatchNorm1d")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_running", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.batchnorm import answering, check_running, running_cases, passed
for _case in running_cases():            # 4 train steps on (8, 5) batches with momentum 0.9, then 4 with 0.6
    with answering("batchnorm_forward"):
        batchnorm_forward(_case.x, _case.gamma, _case.beta, _case.bn_param)
    check_running(_case)                 # bn_param's running averages against torch.nn.BatchNorm1d's
passed("the running averages equal those of torch.nn.BatchNorm1d after 4 steps, for momentum 0.9 and 0.6")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.batchnorm import answering, check_eval, eval_inputs, passed
_x, _gamma, _beta, _param = eval_inputs()    # a (7, 4) batch; bn_param in test mode, with running averages
with answering("batchnorm_forward"):
    _result = batchnorm_forward(_x.copy(), _gamma, _beta, _param)
    _one = batchnorm_forward(_x[:1].copy(), _gamma, _beta, dict(_param))    # its first sample alone
check_eval(_result, _one, _param)        # BatchNorm1d in eval mode, on the batch and on one sample; bn_param unchanged
passed("test mode equals torch.nn.BatchNorm1d in eval mode, also on one sample, and updates nothing")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_forward_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a batch of N = 2 with a tiny variance (eps matters), eps = 0.1 from bn_param, and float32 input.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.batchnorm import answering, check_output, forward_edge_cases
for _case in forward_edge_cases("batchnorm", 704):
    with answering("batchnorm_forward"):
        _result = batchnorm_forward(_case.x, _case.gamma, _case.beta, _case.param)
    check_output(_result, _case)
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
# Batch norm is a small computational graph. Here it is for one feature
# (one column): every box is either a vector over the batch ($x$, $x_c$,
# $\hat x$, $y$) or one number per feature ($\mu$, $\sigma^2$, $s$, $\gamma$,
# $\beta$).

# %% tags=["demo"]
from helpers.norm_graph import draw_batchnorm_graph

draw_batchnorm_graph();

# %% [markdown]
# The gradient of the loss flows from $y$ back to $x$, node by node, with the
# chain rule and two bookkeeping rules:
#
# - a node that feeds several others receives the **sum** of the gradients
#   they send back ($x_c$ feeds $\sigma^2$ and $\hat x$; $x$ feeds $\mu$ and
#   $x_c$);
# - $\mu$, $\sigma^2$ and $s$ are one number per feature, used by all $N$
#   rows: their gradient is a **sum over the batch** (axis 0), and what they
#   send back goes to every row.
#
# Work it out on paper before you code, from the right to the left
# (`dout` is $\partial L/\partial y$, an $(N, D)$ array):
#
# 1. $y = \gamma\hat x + \beta$. What are $\partial L/\partial\beta$,
#    $\partial L/\partial\gamma$ and $\partial L/\partial\hat x$? Which of them
#    are sums over the batch, and why?
# 2. $\hat x = x_c / s$ depends on $x_c$ directly and on $s$. What does $s$
#    receive, and then $\sigma^2$ through $s = \sqrt{\sigma^2 + \epsilon}$?
# 3. $\sigma^2 = \frac1N\sum_i x_{c,i}^2$: what does $\sigma^2$ send back to
#    each $x_{c,i}$? Add it to what $x_c$ received directly from $\hat x$.
# 4. $x_c = x - \mu$ with $\mu = \frac1N\sum_i x_i$: what does each $x_i$
#    receive directly from $x_c$, and what through $\mu$?
#
# These are the three paths of the picture: **direct**, through the **mean**
# and through the **variance**. Forget one and the gradient is wrong.

# %% [markdown]
# **Exercise 2 (3 points).** `batchnorm_backward(dout, cache)`: follow the
# graph node by node as in the questions above, one line of NumPy per node.
# The cache is `(x, x_hat, mean, var, gamma, eps)`, with `mean` and `var`
# (shape `(D,)`) the batch statistics the normalization used (`var`
# biased). The tests build this cache themselves, so this exercise does not
# depend on your forward pass.

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
from helpers.checks.batchnorm import answering, check_grads, grad_cases, passed
for _case in grad_cases("batchnorm_backward", 711):   # a (10, 5) batch: dout, and the cache built by PyTorch
    with answering("batchnorm_backward"):             # the course's batch norm and PyTorch are blocked
        _grads = batchnorm_backward(_case.dout, _case.cache)
    check_grads(_grads, _case)           # dbeta, dgamma and dx against PyTorch autograd
passed("dx, dgamma and dbeta equal PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_batchnorm_backward_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (N = 4, D = 9; N = 30, D = 2), against PyTorch and a numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.batchnorm import answering, check_grads, grad_cases
for _case in grad_cases("batchnorm_backward", 712):
    with answering("batchnorm_backward"):
        _grads = batchnorm_backward(_case.dout, _case.cache)
    check_grads(_grads, _case)
### END HIDDEN TESTS

# %% [markdown]
# ### Check your own gradient
#
# Run a numerical gradient check of your backward pass against your forward
# pass. `eval_numerical_gradient_array(f, x, dout)` nudges each entry of `x`
# by $\pm h$ ($h = 10^{-5}$) and returns the centered differences of
# $\sum f(x)\cdot\mathrm{dout}$; `rel_error` gives $\max|a - n|/(|a| + |n|)$.
# (The check calls your forward pass and hands its cache to your backward
# pass: if your cache has another form than Exercise 2's, adapt the cell.)
#
# How to read it: batch norm is smooth, so a correct backward gives about
# $10^{-7}$ or less (errors of $10^{-4}$ are acceptable only near kinks such
# as ReLU's, and there are none here). Anything above that, and certainly
# $10^{-2}$ or more, is a bug.

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
# **Two samples are not a batch.** With $N = 2$ the two normalized values of
# a feature are $\pm d/\sqrt{d^2 + 4\epsilon} \approx \pm 1$ ($d$ their
# difference) whatever $x$ is: the output keeps only which sample is larger,
# so it hardly depends on $x$ and neither does the loss. The gradient with
# respect to $x$ all but vanishes at $N = 2$, and only there: the next cell
# measures the median $|dx|$ over 500 features for a standard normal `dout`
# (at $N = 2$ it is large only for the rare feature whose two values nearly
# coincide, $|d| \approx \sqrt\epsilon$). Gradient-check batch norm with 5 or
# more samples: at $N = 2$ the relative error compares numbers near 0.

# %% tags=["demo"]
rng = np.random.default_rng(16)
for n in (2, 3, 4, 8):
    x, dout = 2.0 + rng.standard_normal((n, 500)), rng.standard_normal((n, 500))
    _, cache = batchnorm_forward(x, np.ones(500), np.zeros(500), {"mode": "train"})
    dx = batchnorm_backward(dout, cache)[0]
    print(f"N = {n}: median |dx| = {np.median(np.abs(dx)):.1e}   (median |dout| = {np.median(np.abs(dout)):.2f})")

# %% [markdown]
# ### The short formula
#
# Walking the graph takes eight lines. On paper the three paths collapse into
# **one line per feature** that needs only `dout`, $\hat x$, $\gamma$,
# $s = \sqrt{\sigma^2 + \epsilon}$ and two sums over the batch. Derive it:
#
# 1. write $\partial L/\partial x_i$ as the sum of the three paths'
#    contributions, in terms of $\partial L/\partial\hat x$;
# 2. simplify with $\sum_i x_{c,i} = 0$ and $x_c = s\,\hat x$;
# 3. put in $\partial L/\partial\hat x = \gamma\,\partial L/\partial y$ and
#    look for `dbeta` and `dgamma` in the sums.
#
# Two checks your formula must pass for any input: $\sum_i \partial L/\partial x_i = 0$
# (shifting every sample of a feature by the same amount does not change
# batch norm's output) and $\sum_i \hat x_i\,\partial L/\partial x_i \approx 0$
# (neither does scaling them, up to the tiny $\epsilon$).
#
# **Exercise 3 (2 points).** `batchnorm_backward_alt(dout, cache)`: the
# same three gradients from your formula, in a few lines and without a loop.

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
from helpers.checks.batchnorm import answering, check_grads, grad_cases, passed
for _case in grad_cases("batchnorm_backward_alt", 721):   # (12, 4) and (5, 7) batches: dout and the cache
    with answering("batchnorm_backward_alt"):
        _grads = batchnorm_backward_alt(_case.dout, _case.cache)
    check_grads(_grads, _case)           # dx, dgamma and dbeta against PyTorch autograd
passed("the short formula gives PyTorch's dx, dgamma and dbeta")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bn_short_formula", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Write your derivation of the short formula: the
# contribution of each path to $\partial L/\partial x_i$, how they simplify,
# and the final line. (LaTeX in Markdown: `$\frac{\partial L}{\partial x_i}$`.)
#
# ### BEGIN SOLUTION
# *Model answer.* Per feature, with $g_i = \partial L/\partial\hat x_i = \gamma\,\mathrm{dout}_i$
# and $s = \sqrt{\sigma^2 + \epsilon}$.
# Variance path: $\partial L/\partial\sigma^2 = \sum_k g_k\,x_{c,k}\cdot(-\tfrac12)s^{-3}
# = -\frac{1}{2s^2}\sum_k g_k\hat x_k$, and $\partial\sigma^2/\partial x_{c,i} = 2x_{c,i}/N$,
# so $x_{c,i}$ gets $-\frac{\hat x_i}{Ns}\sum_k g_k\hat x_k$ (using $x_c = s\hat x$).
# Direct path: $x_{c,i}$ gets $g_i/s$ from $\hat x_i$. Together
# $\partial L/\partial x_{c,i} = \frac1s\big(g_i - \frac{\hat x_i}{N}\sum_k g_k\hat x_k\big)$.
# Mean path: $x_c = x - \mu$ gives $\partial L/\partial\mu = -\sum_k\partial L/\partial x_{c,k}
# = -\frac1s\sum_k g_k$ (the variance term drops out because $\sum_k\hat x_k = 0$;
# equivalently $\sigma^2$'s own dependence on $\mu$ vanishes since $\sum_k x_{c,k} = 0$),
# and $\partial\mu/\partial x_i = 1/N$.
# Sum: $\frac{\partial L}{\partial x_i} = \frac{1}{Ns}\Big(N g_i - \sum_k g_k - \hat x_i\sum_k g_k\hat x_k\Big)
# = \frac{\gamma}{Ns}\big(N\,\mathrm{dout}_i - \mathrm{dbeta} - \hat x_i\,\mathrm{dgamma}\big)$
# with $\mathrm{dbeta} = \sum_k\mathrm{dout}_k$ and $\mathrm{dgamma} = \sum_k\mathrm{dout}_k\hat x_k$.
# Check: $\sum_i\partial L/\partial x_i = 0$ exactly (as $\sum_i\hat x_i = 0$), and
# $\sum_i\hat x_i\,\partial L/\partial x_i \approx 0$ (as $\sum_i\hat x_i^2 = N\sigma^2/s^2 \approx N$).
#
# *Rubric (3 points).* 1 point: the variance path, $\partial L/\partial\sigma^2$ and its
# $2x_c/N$ share to each sample, simplified with $x_c = s\hat x$. 1 point: the mean path,
# $-\frac1N\sum$ of the gradient reaching $x_c$, with $\sum_k x_{c,k} = 0$ used to drop the
# variance's dependence on $\mu$. 1 point: the three contributions added into the final
# line (in $g$ or in dout, dbeta, dgamma), consistent with the tested function.
# ### END SOLUTION

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
# course's reference layers). We repeat this for 16 weight scales $a$, the
# standard deviation of the initial weights, from 1 down to $10^{-4}$, and
# compare the training accuracies. We also record, at the first step, the
# size of the gradient of the third layer's weights relative to the weights,
# $\|\partial L/\partial W_3\| / \|W_3\|$: how far one step of SGD moves
# them. (About two seconds.)

# %% tags=["demo"]
def train_accuracy(weight_scale, normalization, num_epochs=5, lr=0.1):
    """Training accuracy after num_epochs (0.0 if the loss overflowed: the net
    diverged), and ||dL/dW3|| / ||W3|| at the first step."""
    net = FullyConnectedNet([50] * 5, 40, 10, weight_init=weight_scale, normalization=normalization, seed=0)
    opt, rng, first = SGD(lr=lr), np.random.default_rng(0), None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(num_epochs):
            for X_batch, y_batch in minibatches(X_small, y_small, 100, rng=rng):
                loss, grads = net.loss(X_batch, y_batch)
                if first is None:
                    first = np.linalg.norm(grads["W3"]) / np.linalg.norm(net.params["W3"])
                if not np.isfinite(loss):
                    return 0.0, first  # diverged
                opt.update(net.params, grads)
        return float(np.mean(np.argmax(net.loss(X_small), axis=1) == y_small)), first


scales = np.logspace(0, -4, 16)
plain = [train_accuracy(s, None)[0] for s in scales]
with_bn, relative_grad = zip(*[train_accuracy(s, "batchnorm") for s in scales])
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4))
ax.semilogx(scales, plain, "o-", color="0.5", label="plain")
ax.semilogx(scales, with_bn, "o-", color="tab:blue", label="with batch norm")
diverged = [s for s, a in zip(scales, plain) if a == 0.0]
ax.plot(diverged, [0.0] * len(diverged), "x", color="tab:red", ms=9, mew=2, clip_on=False,
        label="plain, diverged (the loss overflowed)")
ax.axhline(0.1, color="k", ls=":", lw=1, label="chance (10 classes)")
ax.set(xlabel="std of the initial weights, a", ylabel="training accuracy after 5 epochs", ylim=(0, 0.7),
       title="Plain nets train in a narrow band of scales, BN nets at almost all")
ax.legend(loc="upper left")
ax2.loglog(scales, relative_grad, "o-", color="tab:blue", label="with batch norm, first step")
ax2.loglog(scales, relative_grad[4] * scales[4] / scales, "k--", lw=1, label="proportional to 1/a")
ax2.set(xlabel="std of the initial weights, a", ylabel="||dL/dW3|| / ||W3||",
        title="With BN a step of SGD is larger, relative to W, as a shrinks")
ax2.legend(loc="upper right")
fig.tight_layout()
wins = sum(b > a + 0.05 for a, b in zip(plain, with_bn))
best = int(np.argmax(with_bn))
print(f"batch norm trains clearly better (by more than 5 points) at {wins} of 16 weight scales")
print(f"batch norm's own accuracy: {with_bn[best]:.2f} at a = {scales[best]:.1e}, "
      f"{with_bn[0]:.2f} at a = 1, {with_bn[-2]:.2f} at a = {scales[-2]:.1e}, {with_bn[-1]:.2f} at a = 1e-4")
check_true(wins >= 10, f"batch norm should win at 10 or more of the 16 scales, it won at {wins}")
passed("batch norm trains where the plain network does not")

# %% [markdown]
# Read the left panel first. Without batch norm only a narrow band of scales
# trains at all: too large and the activations (and the loss) explode, too
# small and the signal dies out layer by layer and the gradients with it
# (notebook 05). With batch norm every layer's pre-activations are rescaled
# to variance 1 whatever the weights, so almost every scale trains.
#
# But batch norm does not make the scale irrelevant: its own accuracy peaks
# at 0.58 near $a = 0.09$ and falls to 0.27 at $a = 1.8\cdot 10^{-4}$ (and to
# 0.27 at $a = 1$). The forward pass of a batch-normalized layer ignores the
# scale of its weights; its gradient does not. The loss is the same function
# of $aW$ as of $W$, so $\partial L/\partial(aW) = \frac1a\,\partial L/\partial W$.
# Here every layer is scaled, the last one too (no batch norm after it), and
# it shrinks the gradient reaching the hidden layers by $a$: the gradients
# keep about the same size at every scale while the weights shrink with $a$.
# Relative to the weights a step of SGD grows as $1/a$ (right panel, a
# factor of 10 per decade, until $\epsilon$ takes over below $10^{-3}$, see
# below): at $a = 1$ each step barely moves the weights and
# five epochs are not enough; at $a = 10^{-3}$ a single step is several times
# larger than the weights themselves, and the first updates throw them
# around until they have grown. With batch norm the scale of the weights
# sets the effective learning rate.
#
# The last point, $10^{-4}$, fails for another reason: there the
# pre-activations have a variance of about $10^{-8}$, far below
# $\epsilon = 10^{-5}$, so $\sqrt{\sigma^2 + \epsilon}$ is dominated by
# $\epsilon$ and batch norm no longer normalizes (nor amplifies the
# gradient: the right panel's downturn).

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bn_scale", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Why is a network with batch norm much less
# sensitive to the scale of its initial weights, and why does it tolerate
# larger learning rates? Use what happens to a layer's output, and to the
# gradient of its weights, when all its weights are multiplied by a constant
# $a > 0$. Why, then, does batch norm's own accuracy still fall as the
# scale shrinks from about 0.1 to $10^{-3}$ and below?
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
# blow up the next layer's inputs because they are renormalized.
# The flip side: the step relative to the weights depends on their scale.
# Here the gradients keep about the same size at every scale (the
# unnormalized last layer scales them by $a$, the $1/a$ of each BN layer
# undoes it) while the weights shrink, so $\|\Delta W\|/\|W\|$ grows as $1/a$
# (measured: a factor 10 per decade). At tiny scales the first steps are
# several times larger than the weights and scramble them; the effective
# learning rate is far too large until the weights have grown, and five
# epochs are not enough to recover (0.58 at $a = 0.09$, 0.27 at $1.8\cdot 10^{-4}$;
# at $10^{-4}$ the variance falls below $\epsilon$ and BN stops normalizing).
#
# *Rubric (3 points).* 1 point: scaling the weights scales mean and std alike,
# so the normalized output is unchanged (scale invariance), hence healthy
# activations and gradients at any initial scale. 1 point: larger learning
# rates: the gradient scales as $1/a$, so growing weights get smaller
# effective steps, and renormalized inputs cannot blow up (or: smoother loss
# surface). 1 point: at small scales the step relative to the weights grows
# as $1/a$ (gradient not shrinking with the weights), so the effective learning
# rate is far too large at first.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bn_test_time", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) What does batch norm compute at test time,
# and why running averages rather than the statistics of the test batch?
# (b) Why can it not be trained with a batch size of 1 (what does the
# layer output then), and what is left of it at a batch size of 2?
# (c) We put batch norm *before* the activation (affine - batchnorm - ReLU).
# What does it give the ReLU that way?
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
# more than 1 value per channel when training"). With two samples each
# feature becomes $\approx\pm 1$: only which of the two is larger survives,
# and the gradient with respect to $x$ all but vanishes (measured above: a
# median $|dx|$ of about $10^{-5}$ against 0.4 at $N = 3$); small batches in
# general give noisy statistics.
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
# every input and no gradient reaches x; with N = 2 only the sign of the
# difference survives and dx is nearly 0. 1 point: (c) before the activation
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
# gives the same mask, no seed a new one each time), keep each entry of `x`
# with probability $1 - p$, independently (every sample gets its own mask),
# and return `out = x * mask` with the mask entries 0 or $1/(1-p)$; cache
# `(dropout_param, mask)`. In test mode return `x` itself (or a copy) and the
# cache `(dropout_param, None)`.

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
from helpers.checks.batchnorm import answering, check_dropout_seeds, check_dropout_train, dropout_input, passed
_x = dropout_input()                     # 200 samples x 150 units, all near 1
with answering("dropout_forward"):       # the course's dropout and PyTorch are blocked
    _result = dropout_forward(_x, {"p": 0.3, "mode": "train", "seed": 1})
    _runs = [dropout_forward(dropout_input(), {"p": 0.3, "mode": "train", "seed": _s}) for _s in (1, 2, 0, 0)]
check_dropout_train(_x, _result)         # x unchanged; about 70% kept, scaled by 1 / 0.7; a mask per entry, cached
check_dropout_seeds(_result, _runs)      # seed 1 again: the same mask; seed 2: another; seed 0 twice: the same
passed("about 70% kept, a mask per entry, survivors scaled by 1/0.7, the mask cached, one mask per seed")

# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.batchnorm import answering, check_dropout_test, normal, passed
_x = normal(732, (50, 40))               # standard normal numbers
for _p in (0.3, 0.8):
    with answering("dropout_forward"):
        _result = dropout_forward(_x.copy(), {"p": _p, "mode": "test", "seed": 0})
    check_dropout_test(_result, _x, _p)  # the output is x itself; the cache is (dropout_param, None)
passed("test mode is the identity")

# %% nbgrader={"grade": true, "grade_id": "test_dropout_forward_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: p = 0 keeps everything, p = 0.9 on a (20, 30, 40) array, and no seed draws new masks.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.batchnorm import answering, check_dropout_edge, dropout_edge_input
_rng = dropout_edge_input()
_x = _rng.standard_normal((30, 20))
with answering("dropout_forward"):
    _result = dropout_forward(_x.copy(), {"p": 0.0, "mode": "train", "seed": 3})
check_dropout_edge("p0", _result, _x)
_x = 1.0 + 0.1 * _rng.standard_normal((20, 30, 40))
with answering("dropout_forward"):
    _result = dropout_forward(_x.copy(), {"p": 0.9, "mode": "train", "seed": 4})
check_dropout_edge("p09", _result, _x)
with answering("dropout_forward"):
    _results = [dropout_forward(_x[0].copy(), {"p": 0.5, "mode": "train"}) for _ in range(2)]
check_dropout_edge("unseeded", _results, _x)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5 (2 points).** `dropout_backward(dout, cache)`. The forward
# pass multiplied by a fixed mask, so the backward pass multiplies the
# upstream gradient by the same mask; in test mode the gradient passes
# unchanged. (The test builds the cache `(dropout_param, mask)` itself.)

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
from helpers.checks.batchnorm import answering, check_dropout_backward, dropout_backward_inputs, passed
_dout, _mask = dropout_backward_inputs()     # a (20, 15) dout; the mask of a train-mode forward pass with p = 0.4
with answering("dropout_backward"):
    _dx_train = dropout_backward(_dout.copy(), ({"p": 0.4, "mode": "train"}, _mask.copy()))
    _dx_test = dropout_backward(_dout.copy(), ({"p": 0.4, "mode": "test"}, None))
check_dropout_backward(_dx_train, _dx_test, _dout, _mask)   # dout * mask in train mode, dout in test mode
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
fig, ax = plt.subplots(figsize=(7.5, 2.6))
image = ax.imshow(draws[:5], cmap="Blues", aspect="auto")
fig.colorbar(image, ax=ax, label="output")
ax.set(xlabel="unit", ylabel="call", xticks=range(0, 20, 2), yticks=range(5),
       title="five dropout masks (p = 0.5): white is dropped, dark is x / (1 - p)")
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
# ## 5. Layer normalization
#
# Batch norm takes its statistics from the batch: a unit is normalized over
# the $N$ samples. That ties every prediction to the other samples of the
# batch, needs running averages for test time, and, as you saw, breaks down
# for tiny batches. **Layer normalization** (Ba, Kiros and Hinton, 2016)
# normalizes each sample on its own, over its $D$ features (units):
#
# $$\mu_i = \frac1D\sum_{j} x_{ij}, \qquad
#   \sigma_i^2 = \frac1D\sum_j (x_{ij} - \mu_i)^2, \qquad
#   \hat x_{ij} = \frac{x_{ij} - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}}, \qquad
#   y_{ij} = \gamma_j\,\hat x_{ij} + \beta_j .$$
#
# The statistics are per row (sample), the scale $\gamma$ and shift $\beta$
# still per column (feature). Nothing depends on the other samples: no
# running averages, the same computation at train and test time, and a batch
# of one sample works. It is `torch.nn.LayerNorm(D)`, or
# `F.layer_norm(x, (D,))`: the normalization of transformers.
#
# **Exercise 6 (3 points).** `layernorm_forward(x, gamma, beta, ln_param)`
# with `ln_param` a dict that may hold `eps` (default `1e-5`; ignore any
# other key, such as a `mode`). Return `(out, cache)`, the cache for your own
# backward pass (we suggest `(x, x_hat, mean, var, gamma, eps)` with `mean`
# and `var` of shape `(N, 1)`, the form Exercise 7 receives). Do not change
# `x` in place.

# %% nbgrader={"grade": false, "grade_id": "layernorm_forward", "locked": false, "schema_version": 3, "solution": true}
def layernorm_forward(x, gamma, beta, ln_param):
    """x: (N, D); gamma, beta: (D,); ln_param: dict, optionally with eps.
    Returns (out, cache): out (N, D); cache: what your backward pass needs."""
    eps = ln_param.get("eps", 1e-5)
    ### BEGIN SOLUTION
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    cache = (x, x_hat, mean, var, gamma, eps)
    ### END SOLUTION
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_layernorm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.batchnorm import answering, check_ln_forward, ln_inputs, ones, zeros, passed
_x, _gamma, _beta = ln_inputs()          # 6 samples x 8 features, each sample on its own scale; random gamma, beta
with answering("layernorm_forward"):     # the course's layer norm and batch norm and PyTorch are blocked
    _plain = layernorm_forward(_x, ones(8), zeros(8), {})
    _result = layernorm_forward(_x, _gamma, _beta, {})
    _one = layernorm_forward(ln_inputs()[0][2:3], _gamma, _beta, {"mode": "test"})   # sample 2 alone
check_ln_forward(_plain, _result, _one, _x)   # each row mean 0, std 1; F.layer_norm's output; x unchanged; one sample
passed("each sample normalized on its own, equal to F.layer_norm, also for one sample")

# %% nbgrader={"grade": true, "grade_id": "test_layernorm_forward_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: eps = 0.1 from ln_param on rows of tiny variance (one constant row), and float32 input.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.batchnorm import answering, check_output, forward_edge_cases
for _case in forward_edge_cases("layernorm", 762):
    with answering("layernorm_forward"):
        _result = layernorm_forward(_case.x, _case.gamma, _case.beta, _case.param)
    check_output(_result, _case)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 7 (3 points).** `layernorm_backward(dout, cache)` with the cache
# `(x, x_hat, mean, var, gamma, eps)`, `mean` and `var` of shape `(N, 1)`
# (the tests build it themselves). Look at the graph of Section 2 once more:
# layer norm is the same graph with the roles of the axes swapped. A sample
# (row) plays the part of a feature column, its $D$ features that of the $N$
# samples. So your short formula applies, with the sums over the features of
# each sample (`axis=1, keepdims=True`), $D$ for $N$, and
# $\partial L/\partial\hat x = \gamma\,\mathrm{dout}$ (here $\gamma$ varies
# along the axis you sum over: multiply first). $\gamma$ and $\beta$ are
# still one per feature, shared by all samples: `dgamma` and `dbeta` sum over
# the batch.

# %% nbgrader={"grade": false, "grade_id": "layernorm_backward", "locked": false, "schema_version": 3, "solution": true}
def layernorm_backward(dout, cache):
    """dout: (N, D) upstream gradient; cache = (x, x_hat, mean, var, gamma, eps), mean and var (N, 1).
    Returns (dx, dgamma, dbeta) with shapes (N, D), (D,), (D,)."""
    x, x_hat, mean, var, gamma, eps = cache
    D = x.shape[1]
    ### BEGIN SOLUTION
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True)) / (D * np.sqrt(var + eps))
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% nbgrader={"grade": true, "grade_id": "test_layernorm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.batchnorm import answering, check_grads, grad_cases, passed
for _case in grad_cases("layernorm_backward", 771):   # a (6, 9) batch: dout, and the cache built by PyTorch
    with answering("layernorm_backward"):             # the course's layer and batch norm and PyTorch are blocked
        _grads = layernorm_backward(_case.dout, _case.cache)
    check_grads(_grads, _case)           # dbeta, dgamma and dx against PyTorch autograd of F.layer_norm
passed("dx, dgamma and dbeta equal PyTorch autograd of F.layer_norm")

# %% nbgrader={"grade": true, "grade_id": "test_layernorm_backward_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one sample (1 x 7) and a (9 x 4) batch, against PyTorch and a numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.batchnorm import answering, check_grads, grad_cases
for _case in grad_cases("layernorm_backward", 772):
    with answering("layernorm_backward"):
        _grads = layernorm_backward(_case.dout, _case.cache)
    check_grads(_grads, _case)
### END HIDDEN TESTS

# %% [markdown]
# ### When does layer norm beat batch norm?
#
# The same small network (two hidden layers of 100 units) trained for three
# epochs on the 1000 signals of Section 3 with SGD (learning rate 0.05),
# with batch norm, with layer norm and with neither, for batch sizes from 2
# to 50, then scored on the 1000 validation signals in test mode (batch norm
# with its running averages). The networks are the course's
# `FullyConnectedNet`, with the reference layers. (About three seconds.)

# %% tags=["demo"]
def val_accuracy(normalization, batch_size, num_epochs=3, lr=0.05):
    net = FullyConnectedNet([100, 100], 40, 10, normalization=normalization, seed=0)
    opt, rng = SGD(lr=lr), np.random.default_rng(0)
    for _ in range(num_epochs):
        for X_batch, y_batch in minibatches(X_small, y_small, batch_size, rng=rng):
            opt.update(net.params, net.loss(X_batch, y_batch)[1])
    return float(np.mean(np.argmax(net.loss(X_val), axis=1) == y_val))


batch_sizes = [2, 4, 8, 16, 50]
curves = {norm: [val_accuracy(norm, b) for b in batch_sizes] for norm in (None, "batchnorm", "layernorm")}
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for norm, style in ((None, dict(color="0.5", ls="--")), ("batchnorm", dict(color="tab:blue")),
                    ("layernorm", dict(color="tab:red"))):
    ax.semilogx(batch_sizes, curves[norm], marker="o", base=2, label=str(norm or "no normalization"), **style)
ax.set_xticks(batch_sizes, [str(b) for b in batch_sizes])
ax.minorticks_off()
ax.set(xlabel="batch size", ylabel="validation accuracy", ylim=(0, 0.5),
       title="Batch norm needs batches; layer norm does not")
ax.legend(loc="lower right")
fig.tight_layout()
for norm, accs in curves.items():
    print(f"{str(norm):>10}:", "  ".join(f"{b}: {a:.2f}" for b, a in zip(batch_sizes, accs)))

# %% [markdown]
# At batch size 2 batch norm is not far above chance (0.17) while layer norm
# gets 0.35: two samples normalize each other to $\pm 1$, the gradient through
# batch norm all but vanishes (Section 2), and the running averages are
# averages of batches of two. At batch size 4 the two are about even, and
# from 8 on batch norm is ahead of layer norm (0.37 against 0.30 at 8). Layer
# norm's curve has the same shape as the plain network's: it does not depend
# on the batch size at all (on this small, shallow network neither
# normalization is needed to train; the point is how each one behaves as the
# batch shrinks). The accuracies fall with larger batches for every network
# because three epochs of larger batches are fewer steps. This is why layer
# norm is the choice where batches are small or samples come one at a time:
# recurrent networks and transformers, online learning, or large models that
# fit only a few samples per device.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_layernorm", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) Why does batch norm fail at batch size 2 in
# this experiment while layer norm does not? (b) Layer norm keeps no running
# averages and computes the same thing in training and at test time. Why
# can it, when batch norm cannot? Name a situation where this matters.
# (c) In training, batch norm's output for one sample depends on which other
# samples share its minibatch, and they change at every step. Why does that
# act as a regularizer, a little like dropout? Does layer norm have it?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Batch norm normalizes each unit over the batch: with two
# samples each unit becomes about $\pm 1$ whatever the inputs, so only which
# sample is larger survives, the gradient with respect to the pre-activations
# nearly vanishes and the weights before it barely learn; the running
# averages, built from batches of two, are noisy too, so test time sees other
# statistics than training. Layer norm normalizes each sample over its own
# units, so the batch size does not enter its output or its gradient at all.
# (b) Its statistics come from the sample itself, which is there at test
# time as at training time; batch norm's come from the other samples of the
# batch, which do not exist (or should not matter) for a single test input,
# hence its running averages. It matters whenever batches are tiny or
# samples come one by one: online or streaming prediction, recurrent
# networks (a different batch statistic per time step, sequences of varying
# length), transformers, large models with one or two samples per device.
# (c) The batch mean and variance are estimates from a random minibatch, so
# the same sample is normalized slightly differently at every step: noise
# injected into every hidden unit, which the network must be robust to, as
# with dropout's random masks; at test time the fixed running averages
# replace it, like the full network replaces dropout's sub-networks. (In the
# sweep of Section 6 batch norm without dropout validates at 0.61 against
# 0.56 for the plain net.) Layer norm has no such noise: its statistics come
# from the sample alone, the same at every step.
#
# *Rubric (3 points).* 1 point: (a) batch statistics of two samples make each
# unit about $\pm 1$, the gradient nearly vanishes and the running averages
# are noisy; layer norm's statistics do not depend on the batch. 1 point: (b)
# per-sample statistics are available at test time as in training (no
# dependence on other samples), with one valid example (small batches,
# one-at-a-time inference, RNNs/transformers). 1 point: (c) minibatch
# statistics make the normalization of a sample random from step to step,
# noise like dropout's that the running averages remove at test time; layer
# norm is deterministic per sample, so it has no such effect.
# ### END SOLUTION

# %% [markdown]
# ## 6. Your own fully connected network
#
# Time to put the layers together: a network of any depth,
#
# $$[\text{affine} - \text{norm} - \text{ReLU} - \text{dropout}] \times (L - 1) - \text{affine} - \text{softmax},$$
#
# where the norm is batch norm, layer norm or nothing, and dropout is left out
# when $p = 0$. The class below creates the parameters for you: `W1`, `b1`,
# ..., `WL`, `bL`, and for each hidden layer `gamma1`, `beta1`, ... when it is
# normalized (He initialization, biases 0, $\gamma = 1$, $\beta = 0$). It also
# keeps the state of the layers:
#
# - `self.norm_params[i - 1]`, the dict to pass to the normalization of hidden
#   layer `i` (the `bn_param` or `ln_param`): batch norm keeps its mode and
#   running averages there, so set its `"mode"` before each call; layer norm
#   ignores the mode;
# - `self.dropout_param(i, mode)` gives the `dropout_param` of hidden layer
#   `i` for one call: a new seed at every call (new masks), or the same masks
#   at every call when the net was made with `dropout_seed` (for gradient
#   checks);
# - `self.ops`: the layer functions the net calls, `self.ops.affine_forward`,
#   `self.ops.batchnorm_forward` and so on. By default they are the course's
#   reference layers; `ops=my_layers` (next cell) builds the net from yours.
#   The tests give your net the course's layers, so a slip in Exercises 1-7
#   does not cost you this exercise.
#
# The loss is the softmax loss plus $\text{reg}\cdot\sum W^2$ over the weight
# matrices `W1` ... `WL` (not the biases, $\gamma$ or $\beta$), as in notebook
# 02: each weight gradient gains $2\,\text{reg}\,W$.

# %%
# Your layers as one namespace: yours for batch norm, layer norm and dropout, the
# course's for the affine layer, ReLU and the softmax loss (notebook 03). Each
# backward pass must read the cache of the forward pass beside it.
my_layers = SimpleNamespace(
    affine_forward=layers.affine_forward, affine_backward=layers.affine_backward,
    relu_forward=layers.relu_forward, relu_backward=layers.relu_backward, softmax_loss=layers.softmax_loss,
    batchnorm_forward=batchnorm_forward, batchnorm_backward=batchnorm_backward,
    layernorm_forward=layernorm_forward, layernorm_backward=layernorm_backward,
    dropout_forward=dropout_forward, dropout_backward=dropout_backward)

# %% [markdown]
# **Exercise 8 (8 points).** `FCNet.loss(X, y=None)`. With `y=None` run the
# net in test mode (batch norm with its running averages, dropout off) and
# return the scores, shape `(N, C)`. With labels `y` run it in train mode and
# return `(loss, grads)`, `grads` a dict with one gradient per entry of
# `self.params`, the same keys. Go forward layer by layer keeping each
# layer's caches, then backward in the reverse order. (The course's
# `FullyConnectedNet`, which Section 3 used, is refused inside the tests:
# this net is yours.)

# %% nbgrader={"grade": false, "grade_id": "FCNet", "locked": false, "schema_version": 3, "solution": true}
from helpers import layers as course_layers  # the default ops (a scratch cell may have rebound `layers`)


class FCNet:
    """[affine - norm - relu - dropout] x (L - 1) - affine - softmax, with L - 1 = len(hidden_dims).

    normalization: None, "batchnorm" or "layernorm"; dropout: the probability of
    dropping a hidden unit (0: no dropout); reg: the loss adds reg * sum(W**2) over
    W1..WL; weight_scale: the std of the initial weights (None: He, sqrt(2 / fan_in));
    seed: the initial weights and the dropout masks; dropout_seed: an int gives the
    same masks at every call; ops: the layer functions (default: the course's).
    """

    def __init__(self, hidden_dims, input_dim, num_classes, normalization=None, dropout=0.0, reg=0.0,
                 weight_scale=None, seed=0, dropout_seed=None, ops=None):
        self.ops = course_layers if ops is None else ops
        self.normalization, self.dropout, self.reg = normalization, dropout, reg
        self.num_layers = len(hidden_dims) + 1
        dims = [input_dim, *hidden_dims, num_classes]
        rng = np.random.default_rng(seed)
        self.params = {}
        for i in range(1, self.num_layers + 1):
            std = np.sqrt(2.0 / dims[i - 1]) if weight_scale is None else weight_scale
            self.params[f"W{i}"] = std * rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"b{i}"] = np.zeros(dims[i])
            if normalization is not None and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(dims[i])
                self.params[f"beta{i}"] = np.zeros(dims[i])
        self.norm_params = [{"mode": "train"} for _ in hidden_dims]
        self.dropout_seed, self.dropout_rng = dropout_seed, np.random.default_rng([seed, 7])

    def dropout_param(self, i, mode):
        """The dropout_param of hidden layer i (1, 2, ...) for one call in mode "train" or "test"."""
        if self.dropout_seed is not None:
            seed = self.dropout_seed + i
        else:
            seed = int(self.dropout_rng.integers(2 ** 31)) if mode == "train" else None
        return {"p": self.dropout, "mode": mode, "seed": seed}

    def loss(self, X, y=None):
        """X: (N, D) inputs; y: (N,) labels or None.
        Returns the scores (N, C) if y is None, else (loss, grads)."""
        ops, p, L = self.ops, self.params, self.num_layers
        mode = "test" if y is None else "train"
        ### BEGIN SOLUTION
        h, caches = X, []
        for i in range(1, L):
            h, fc_cache = ops.affine_forward(h, p[f"W{i}"], p[f"b{i}"])
            norm_cache = drop_cache = None
            if self.normalization == "batchnorm":
                self.norm_params[i - 1]["mode"] = mode
                h, norm_cache = ops.batchnorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
            elif self.normalization == "layernorm":
                h, norm_cache = ops.layernorm_forward(h, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
            h, relu_cache = ops.relu_forward(h)
            if self.dropout > 0:
                h, drop_cache = ops.dropout_forward(h, self.dropout_param(i, mode))
            caches.append((fc_cache, norm_cache, relu_cache, drop_cache))
        scores, fc_cache = ops.affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        if y is None:
            return scores

        loss, dscores = ops.softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = ops.affine_backward(dscores, fc_cache)
        for i in range(L - 1, 0, -1):
            fc_cache, norm_cache, relu_cache, drop_cache = caches[i - 1]
            if drop_cache is not None:
                dh = ops.dropout_backward(dh, drop_cache)
            dh = ops.relu_backward(dh, relu_cache)
            if self.normalization == "batchnorm":
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = ops.batchnorm_backward(dh, norm_cache)
            elif self.normalization == "layernorm":
                dh, grads[f"gamma{i}"], grads[f"beta{i}"] = ops.layernorm_backward(dh, norm_cache)
            dh, grads[f"W{i}"], grads[f"b{i}"] = ops.affine_backward(dh, fc_cache)
        for i in range(1, L + 1):
            loss += self.reg * np.sum(p[f"W{i}"] ** 2)
            grads[f"W{i}"] += 2 * self.reg * p[f"W{i}"]
        return loss, grads
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_FCNet_plain", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import answering, check_loss_and_grads, course_ops, net_cases, passed
for _case in net_cases("plain"):         # 2 hidden layers and reg 0, then 1 and reg 0.1; random parameters, 8 samples
    with answering():                    # the course's FullyConnectedNet and PyTorch are blocked
        _net = FCNet(_case.hidden_dims, 5, 4, reg=_case.reg, ops=course_ops())
        _net.params = _case.params       # random parameters, biases too
        _result = _net.loss(_case.X, _case.y)
    check_loss_and_grads(_result, _case)  # the loss and every gradient against PyTorch autograd
passed("loss and every gradient equal PyTorch autograd, 1 and 2 hidden layers, with and without reg")

# %% nbgrader={"grade": true, "grade_id": "test_FCNet_batchnorm", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import answering, check_loss_and_grads, course_ops, net_case, passed
_case = net_case("batchnorm")            # random parameters (gamma and beta too) and 10 samples
with answering():                        # the course's FullyConnectedNet and PyTorch are blocked
    _net = FCNet([7, 6, 5], 6, 4, normalization="batchnorm", reg=0.05, ops=course_ops())
    _net.params = _case.params
    _result = _net.loss(_case.X, _case.y)
check_loss_and_grads(_result, _case)     # the loss and every gradient against PyTorch autograd
passed("3 hidden layers with batch norm: loss and every gradient equal PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_FCNet_layernorm", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import answering, check_loss_and_grads, course_ops, net_case, passed
_case = net_case("layernorm")            # random parameters (gamma and beta too) and 9 samples
with answering():                        # the course's FullyConnectedNet and PyTorch are blocked
    _net = FCNet([8, 7], 6, 3, normalization="layernorm", ops=course_ops())
    _net.params = _case.params
    _result = _net.loss(_case.X, _case.y)
check_loss_and_grads(_result, _case)     # the loss and every gradient against PyTorch autograd
passed("2 hidden layers with layer norm: loss and every gradient equal PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_FCNet_dropout", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import answering, check_loss_and_grads, course_ops, net_case, passed
_case = net_case("dropout")              # random parameters and 12 samples; PyTorch uses the same dropout masks
with answering():                        # course_ops(dropout_seed=21): dropout draws fixed masks
    _net = FCNet([8, 6], 5, 3, normalization="batchnorm", dropout=0.3, ops=course_ops(dropout_seed=21))
    _net.params = _case.params
    _result = _net.loss(_case.X, _case.y)
check_loss_and_grads(_result, _case)     # the loss and every gradient against PyTorch autograd
passed("with dropout after every hidden ReLU, loss and gradients equal PyTorch autograd with the same masks")

# %% nbgrader={"grade": true, "grade_id": "test_FCNet_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import answering, check_test_mode, course_ops, train_then_test, passed
with answering():                        # the course's FullyConnectedNet and PyTorch are blocked
    _net = FCNet([9, 7], 6, 4, normalization="batchnorm", dropout=0.25, ops=course_ops(dropout_seed=17))
    _bn = train_then_test(_net, "batchnorm")     # random parameters, 2 training steps, then loss(X_test) twice
    _net = FCNet([8], 6, 4, normalization="layernorm", dropout=0.5, ops=course_ops(dropout_seed=18))
    _ln = train_then_test(_net, "layernorm")     # random parameters, then loss(X_test)
check_test_mode(_bn, _ln)                # the scores of 5 samples against PyTorch in test mode; a 2nd call the same
passed("test mode: batch norm's running averages, no dropout, the scores returned")

# %% nbgrader={"grade": true, "grade_id": "test_FCNet_overfit", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import check_overfit, overfit_fcnet, passed
_run = overfit_fcnet(FCNet)   # 50 signals, 3 hidden layers, batch norm, dropout 0.1, Adam, 40 epochs; the course's layers
check_overfit(_run)           # 100% training accuracy at some epoch
passed(f"50 signals learned by heart: 100% training accuracy after {_run['train_acc'].index(1.0) + 1} epochs, "
       f"loss {_run['loss'][-1]:.3f} at the end")

# %% [markdown]
# ### Check your net's gradients
#
# Before you train a network, check its gradients: numerically (centered
# differences of the loss, one parameter entry at a time) and against
# PyTorch's autograd of the same network. Here it is built from **your**
# layers (`ops=my_layers`), with three hidden layers, batch norm and dropout;
# `dropout_seed` fixes the masks, since the numerical gradient calls the loss
# again and again and needs the same function every time. Read the errors as
# in Section 2: about $10^{-7}$ or less is right (the ReLUs have kinks, but
# with these inputs no pre-activation is within $h$ of one), above
# $10^{-4}$ something is wrong. The autograd comparison runs without dropout.
#
# One exception, and a lesson: the bias of an affine layer followed by batch
# norm gets **no gradient at all**. Batch norm subtracts the batch mean, so
# adding a constant to every sample of a unit changes nothing downstream;
# its gradient is 0 up to rounding, numerically too, and the relative error
# of two such numbers is meaningless. The cell prints their sizes instead.
# (Such biases are useless: PyTorch users write `nn.Linear(..., bias=False)`
# before a batch norm; $\beta$ does their job.)

# %% tags=["demo"]
from helpers.checks.fcnet import torch_fcnet

rng = np.random.default_rng(15)
X_check, y_check = rng.standard_normal((10, 12)), rng.integers(0, 5, 10)
net = FCNet([9, 8, 7], 12, 5, normalization="batchnorm", dropout=0.2, reg=0.01, dropout_seed=3, seed=1,
            ops=my_layers)
loss, grads = net.loss(X_check, y_check)
errors, before_bn = {}, [f"b{i}" for i in (1, 2, 3)]  # the biases of the affine layers before batch norm
for k in net.params:
    numerical = eval_numerical_gradient(lambda _: net.loss(X_check, y_check)[0], net.params[k])
    if k in before_bn:
        print(f"{k}: largest |gradient| {np.abs(grads[k]).max():.0e}, numerical {np.abs(numerical).max():.0e}")
    else:
        errors[k] = rel_error(grads[k], numerical)
print("relative errors:", ", ".join(f"{k} {e:.0e}" for k, e in errors.items()))
print(f"largest relative error {max(errors.values()):.1e}")
net = FCNet([9, 8, 7], 12, 5, normalization="batchnorm", reg=0.01, seed=1, ops=my_layers)
loss, grads = net.loss(X_check, y_check)
_, torch_loss, torch_grads = torch_fcnet(net.params, X_check, y_check, "batchnorm", reg=0.01)
print(f"against autograd (no dropout): loss {rel_error(loss, torch_loss):.0e}, largest gradient error "
      f"{max(rel_error(grads[k], torch_grads[k]) for k in grads):.0e}")

# %% [markdown]
# ### Over-fit 50 signals
#
# The second sanity check: a network with enough capacity must learn a tiny
# training set by heart. Three hidden layers of 100 units with batch norm and
# dropout 0.1, Adam, 40 epochs on the first 50 training signals: the training
# accuracy (in test mode) should reach 100% within about ten epochs. (The
# test above does the same with the course's layers.)

# %% tags=["demo"]
X_50, y_50 = mnist["X_train"][:50], mnist["y_train"][:50]
net = FCNet([100, 100, 100], 40, 10, normalization="batchnorm", dropout=0.1, seed=0, ops=my_layers)
opt, rng, losses, accs = Adam(lr=1e-2), np.random.default_rng(0), [], []
for epoch in range(40):
    for X_batch, y_batch in minibatches(X_50, y_50, 25, rng=rng):
        loss, grads = net.loss(X_batch, y_batch)
        opt.update(net.params, grads)
        losses.append(loss)
    accs.append(np.mean(np.argmax(net.loss(X_50), axis=1) == y_50))
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.2))
ax.semilogy(np.arange(1, len(losses) + 1) / 2, losses)
ax.set(xlabel="epoch", ylabel="training loss (log scale)", title="The loss falls toward 0")
ax.xaxis.get_major_locator().set_params(integer=True)
ax2.plot(range(1, 41), accs, "o-", ms=3)
ax2.set(xlabel="epoch", ylabel="training accuracy (test mode)", ylim=(0, 1.05),
        title="50 signals learned by heart")
ax2.xaxis.get_major_locator().set_params(integer=True)
fig.tight_layout()
print(f"training accuracy after 40 epochs: {accs[-1]:.2f}")

# %% [markdown]
# ### Train it on MNIST-1D
#
# Now a real run: two hidden layers of 128 units on the first 3000 training
# signals, Adam with learning rate 0.003, batch size 100, 20 epochs, scored on
# the 1000 validation signals. `fcnet_run(normalization, dropout)` does this
# with your net and your layers (about a second) and returns the training
# accuracy, the validation accuracy and the validation accuracy after each
# epoch. Without normalization and dropout the net learns the training set
# almost by heart and the validation accuracy stays far below.

# %%
X_3000, y_3000 = mnist["X_train"][:3000], mnist["y_train"][:3000]


def fcnet_run(normalization, dropout, ops=my_layers, seed=0):
    """Train FCNet([128, 128], 40, 10) as described above.
    Returns (train_acc, val_acc, val_history), accuracies in test mode."""
    net = FCNet([128, 128], 40, 10, normalization=normalization, dropout=dropout, seed=seed, ops=ops)
    opt, rng, history = Adam(lr=3e-3), np.random.default_rng(seed), []
    for _ in range(20):
        for X_batch, y_batch in minibatches(X_3000, y_3000, 100, rng=rng):
            opt.update(net.params, net.loss(X_batch, y_batch)[1])
        history.append(float(np.mean(np.argmax(net.loss(X_val), axis=1) == y_val)))
    train_acc = float(np.mean(np.argmax(net.loss(X_3000), axis=1) == y_3000))
    return train_acc, history[-1], history

# %% [markdown]
# **Exercise 9 (2 points).** Choose the normalization (`None`,
# `"batchnorm"` or `"layernorm"`) and the dropout probability for this run
# **on the validation set**: in a scratch cell, run `fcnet_run` for each of
# the three normalizations and several dropout rates (say 0, 0.1, 0.2, 0.3
# and 0.5), print the training and the validation accuracy of each, and pick.
# `fcnet_settings()` returns your choice. The test trains the course's
# `FullyConnectedNet` with the same recipe and your settings (about a
# second) and wants a **validation accuracy of at least 0.60**. That net
# starts from the same weights as your `FCNet` and draws the same dropout
# masks, so if your layers are right it gets the numbers of your own sweep.

# %% nbgrader={"grade": false, "grade_id": "fcnet_settings", "locked": false, "schema_version": 3, "solution": true}
def fcnet_settings():
    """Your choice for the MNIST-1D run: a dict with the keys "normalization"
    (None, "batchnorm" or "layernorm") and "dropout" (in [0, 1))."""
    ### BEGIN SOLUTION
    return {"normalization": "batchnorm", "dropout": 0.1}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_fcnet_settings", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.fcnet import check_settings_accuracy, train_settings, passed
_settings = fcnet_settings()
_train_acc, _val_acc = train_settings(_settings)   # the course's net, your settings, the recipe of fcnet_run
check_settings_accuracy(_settings, _train_acc, _val_acc)   # a validation accuracy of 0.60 or more
passed(f"your settings: training accuracy {_train_acc:.3f}, validation accuracy {_val_acc:.3f}")

# %% [markdown]
# Your choice against the plain network, with your layers: the validation
# accuracy after each epoch. (About two seconds.)

# %% tags=["demo"]
settings = fcnet_settings()
runs = {"no normalization, no dropout": fcnet_run(None, 0.0),
        f"{settings['normalization'] or 'no normalization'}, dropout {settings['dropout']}":
        fcnet_run(settings["normalization"], settings["dropout"])}
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for name, (train_acc, val_acc, history) in runs.items():
    ax.plot(range(1, len(history) + 1), history, "o-", ms=3, label=f"{name} (train {train_acc:.2f})")
    print(f"{name:<32} training accuracy {train_acc:.3f}, validation accuracy {val_acc:.3f}")
ax.set(xlabel="epoch", ylabel="validation accuracy", title="Your net on MNIST-1D: the validation curves")
ax.xaxis.get_major_locator().set_params(integer=True)
ax.legend(loc="lower right")
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_fcnet_choice", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Give the table of your sweep (training and
# validation accuracy of each setting you tried) and your choice. Why choose
# by the validation accuracy rather than the training accuracy? How sure are
# you that your choice is better than the runner-up, and how would you find
# out?
#
# ### BEGIN SOLUTION
# *Model answer.* With our net (seed 0): no normalization 0.99 / 0.56 (training /
# validation) without dropout, 0.91 / 0.61 with 0.1, 0.83 / 0.61 with 0.2,
# 0.75 / 0.56 with 0.3, 0.54 / 0.45 with 0.5; batch norm 0.99 / 0.61, 0.91 /
# 0.63, 0.82 / 0.62, 0.71 / 0.58, 0.57 / 0.50; layer norm 1.00 / 0.58, 0.91 /
# 0.62, 0.82 / 0.59, 0.71 / 0.57, 0.51 / 0.43. Choice: batch norm with dropout
# 0.1. The training accuracy rewards memorizing: it is highest without
# dropout (0.99), the setting that over-fits most and generalizes worst; the
# validation set, which the training never saw, estimates the accuracy on new
# data. But the top settings differ by one or two points, and the validation
# accuracy of one run varies by about one point from seed to seed (1000
# validation signals: a standard error of about 1.5 points on its own), so
# the runner-up may be as good. To find out: repeat each candidate over
# several seeds and compare the means with their standard errors (or use
# cross-validation); the test set stays untouched until the very end.
#
# *Rubric (2 points).* 1 point: a table with training and validation
# accuracies and a choice made by the validation accuracy, with the reason
# (training accuracy favours over-fitting; validation estimates new data).
# 1 point: the differences at the top are within the noise of one run
# (seeds, 1000 validation samples); repeat with several seeds (or
# cross-validation) and compare means with standard errors; never tune on the
# test set.
# ### END SOLUTION

# %% [markdown]
# ## 7. Weight decay, early stopping, gradient clipping, max-norm
#
# Four more tools. Weight decay, early stopping and max-norm fight
# over-fitting; gradient clipping keeps training stable. You write the first
# three exercises here; section 8 then measures, with error bars, what
# regularization buys on a small training set.

# %% nbgrader={"grade": false, "grade_id": "setup_regularization", "locked": true, "schema_version": 3, "solution": false}
import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F
from matplotlib.ticker import MaxNLocator

from helpers import regularization
from helpers.data import load_mnist1d
from helpers.gradcheck import rel_error
from helpers.nets import FullyConnectedNet
from helpers.optim import SGD, Momentum, minibatches
from helpers.regularization import OVERFIT, mlp_scores, overfit_data, train_and_validate, train_mlp
from helpers.widgets.batchnorm import draw_regularization, draw_sweep, regularization_demo, setting_label

# Section 8's over-fitting set-up: the first 500 training signals, the same 1000 validation signals.
X_500, y_500, X_val, y_val = overfit_data()
SEEDS = (0, 1, 2, 3)  # the seeds every comparison of settings uses
TRAINING = {k: v for k, v in OVERFIT.items() if k != "n_train"}  # the net and its training
print("over-fitting set-up:", X_500.shape[0], "training signals,", X_val.shape[0], "validation signals;", TRAINING)

# %% [markdown]
# ### Weight decay (L2)
#
# As in notebook 02, the loss gains a penalty on the size of the weights:
#
# $$L = L_\text{data} + \text{reg}\sum_{W}\sum_{i,j} W_{ij}^2, \qquad
#   \frac{\partial}{\partial W}\Big(\text{reg}\sum_{i,j} W_{ij}^2\Big) = 2\,\text{reg}\,W,$$
#
# the first sum running over the weight matrices. With this gradient one
# SGD step is
# $W \leftarrow W - \text{lr}\,(\nabla_W L_\text{data} + 2\,\text{reg}\,W)
#  = (1 - 2\,\text{lr}\,\text{reg})\,W - \text{lr}\,\nabla_W L_\text{data}$:
# every step first shrinks ("decays") the weights by the same factor, so only
# the weights that the data keeps pushing stay large. Biases, $\gamma$ and
# $\beta$ are **not** decayed: they are few, they do not make the function
# more wiggly, and shrinking $\gamma$ or a bias would only fight the
# normalization and the offsets the network needs.
#
# **Exercise 10 (3 points).** `l2_penalty`: write the penalty and its gradient
# (not the update: the optimizer adds your gradient to the data gradient and
# makes the step). `params` is a model's dict of arrays; the weight matrices
# are the keys that start with `"W"` (`W1`, `W2`, ..., whatever their number
# of dimensions), and nothing else is decayed (`b1`, `gamma1`, `beta1`, ...).
# Return the penalty as a float and a dict with the gradient of every weight
# matrix (leave the other keys out, or give them zeros). Do not change
# `params`.

# %% nbgrader={"grade": false, "grade_id": "l2_penalty", "locked": false, "schema_version": 3, "solution": true}
def l2_penalty(params, reg):
    """params: dict of arrays (W1, b1, gamma1, ...); reg: float >= 0.
    Returns (penalty, grads): penalty = reg * the sum over the weight matrices
    (the keys starting with "W") of sum(W ** 2), a float; grads a dict with
    grads[k] = 2 * reg * params[k] for every weight matrix k."""
    penalty, grads = 0.0, {}
    ### BEGIN SOLUTION
    for k, W in params.items():
        if k.startswith("W"):
            penalty += reg * np.sum(W ** 2)
            grads[k] = 2 * reg * W
    ### END SOLUTION
    return float(penalty), grads


# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.regularization import answering, bn_net_params, check_l2_result, check_unchanged, passed
_params, _before = bn_net_params()       # W1, b1, gamma1, beta1, W2, b2, gamma2, beta2, W3, b3 (a net with batch norm)
with answering("l2_penalty"):            # the course's weight decay and PyTorch are blocked
    _result = l2_penalty(_params, 0.03)
check_unchanged(_params, _before)        # l2_penalty computes; the optimizer changes params, not it
check_l2_result(_result, _before, 0.03)  # the penalty and its gradients against PyTorch autograd
passed("the penalty and its gradients equal PyTorch autograd; biases, gamma and beta are not decayed")

# %% nbgrader={"grade": true, "grade_id": "test_l2_penalty_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a convolutional net's dict (a 4-D weight W1) and reg = 0.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.regularization import answering, check_l2_result, l2_edge_cases
for _params, _before, _reg, _what in l2_edge_cases():
    with answering("l2_penalty"):
        _result = l2_penalty(_params, _reg)
    check_l2_result(_result, _before, _reg, _what)
### END HIDDEN TESTS

# %% [markdown]
# The course's `FullyConnectedNet(..., reg=...)` adds the same penalty and
# gradients to its loss. Check your function against it: the difference
# between the net's loss with and without `reg` must be your penalty, and the
# same for each gradient.

# %% tags=["demo"]
net = FullyConnectedNet([20], 40, 10, normalization="batchnorm", seed=0)
loss_0, grads_0 = net.loss(X_500[:50], y_500[:50])
net.reg = 0.01
loss_reg, grads_reg = net.loss(X_500[:50], y_500[:50])
penalty, decay = l2_penalty(net.params, 0.01)
print(f"net: loss with reg - loss without = {loss_reg - loss_0:.6f};  your penalty {penalty:.6f}")
for k in net.params:
    yours = decay.get(k, np.zeros_like(net.params[k]))
    print(f"  {k:7s} largest difference of the gradients {np.max(np.abs(grads_reg[k] - grads_0[k] - yours)):.1e}")

# %% [markdown]
# **L1 decay** adds $\text{reg}\sum|W|$ instead, whose (sub)gradient
# $\text{reg}\cdot\mathrm{sign}(W)$ pulls every weight toward 0 by the same
# step, however small it already is. It is said to give *sparse* weights,
# exact zeros; with plain (sub)gradient steps it does not: a weight near 0
# overshoots, changes sign, and keeps jumping around 0 by about
# $\text{lr}\cdot\text{reg}$. Exact zeros need a **proximal step**
# (soft-thresholding): take the data gradient step, then shrink every weight
# toward 0 by $\text{lr}\cdot\text{reg}$ and set it to 0 if it would cross 0,
# $W \leftarrow \mathrm{sign}(W)\max(|W| - \text{lr}\cdot\text{reg}, 0)$.
# Both on a least-squares problem with 20 inputs of which only the first 4
# matter:

# %% tags=["demo"]
rng = np.random.default_rng(3)
X_l1 = rng.standard_normal((100, 20))
w_true = np.r_[2.0, -1.5, 1.0, 0.5, np.zeros(16)]
y_l1 = X_l1 @ w_true + 0.5 * rng.standard_normal(100)
reg_l1, lr_l1 = 0.2, 0.05
w_sub, w_prox = np.zeros(20), np.zeros(20)
for step in range(500):
    w_sub -= lr_l1 * (X_l1.T @ (X_l1 @ w_sub - y_l1) / 100 + reg_l1 * np.sign(w_sub))  # subgradient step
    z = w_prox - lr_l1 * X_l1.T @ (X_l1 @ w_prox - y_l1) / 100                         # data step,
    w_prox = np.sign(z) * np.maximum(np.abs(z) - lr_l1 * reg_l1, 0.0)                  # then shrink
print(f"subgradient: {np.sum(w_sub == 0)} weights exactly 0, {np.sum(np.abs(w_sub) < 0.02)} below 0.02")
print(f"proximal:    {np.sum(w_prox == 0)} weights exactly 0")
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4), gridspec_kw={"width_ratios": [1, 1.3]})
for ax, inputs in zip(axes, (np.arange(20), np.arange(4, 20))):
    ax.bar(inputs - 0.2, w_sub[inputs], width=0.4, label="subgradient steps")
    ax.bar(inputs + 0.2, w_prox[inputs], width=0.4, label="proximal steps")
    zero = inputs[w_prox[inputs] == 0]
    ax.plot(zero + 0.2, np.zeros(len(zero)), "o", mfc="none", color="tab:orange", ms=5, label="proximal: exactly 0")
    ax.plot(inputs, w_true[inputs], "k_", ms=10, label="true weight")
    ax.set(xlabel="input", ylabel="weight", xticks=inputs[::2])
axes[0].set_title("all 20 weights: both find the 4 inputs that matter")
axes[1].set(ylim=(-0.03, 0.03), title="zoom on the 16 useless inputs")
axes[1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.suptitle("L1 decay: subgradient steps leave weights jittering around 0, proximal steps make them exactly 0")
fig.tight_layout();

# %% [markdown]
# ### Early stopping
#
# Train, and after every epoch measure the validation accuracy. Keep a
# copy of the parameters of the best epoch so far; when `patience` epochs in
# a row have brought no new best, stop and put the best parameters back. The
# number of epochs becomes a hyperparameter chosen on the validation set, for
# the price of one evaluation per epoch. Two details matter:
#
# - keep a **copy**: `best = params` (or `dict(params)`) holds the very
#   arrays that training goes on changing in place, and "the best
#   parameters" silently become the last ones;
# - a new best must be **strictly** better: on a tie, keep the earlier
#   epoch (less training, same accuracy).
#
# **Exercise 11 (3 points).** `early_stopping`: write the loop around two
# functions you are given: `train_epoch()` trains one epoch (it changes the
# arrays of `params` in place) and `validate()` returns the validation
# accuracy of the current parameters. Each epoch: train, then validate. Stop
# after `patience` epochs in a row without a new best, or after
# `max_epochs`. At the end copy the best epoch's values back into `params`.

# %% nbgrader={"grade": false, "grade_id": "early_stopping", "locked": false, "schema_version": 3, "solution": true}
def early_stopping(params, train_epoch, validate, patience=5, max_epochs=100):
    """params: dict of arrays (the model's parameters, changed in place by
    train_epoch); train_epoch(): trains one epoch; validate(): the validation
    accuracy now. Returns (best_epoch, history): the epoch with the best
    validation accuracy (the first epoch is 1; the earliest of equal ones),
    and the list of the validation accuracies of every epoch that ran.
    params holds the best epoch's values at the end."""
    ### BEGIN SOLUTION
    best_acc, best_epoch, best_params, history = -np.inf, 0, None, []
    for epoch in range(1, max_epochs + 1):
        train_epoch()
        acc = validate()
        history.append(acc)
        if acc > best_acc:
            best_acc, best_epoch = acc, epoch
            best_params = {k: v.copy() for k, v in params.items()}
        elif epoch - best_epoch >= patience:
            break
    for k, v in best_params.items():
        params[k][...] = v
    return best_epoch, history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_early_stopping", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.regularization import check_early_stopping, scripted_early_stopping, passed
# A scripted run: epoch t writes t into params["W"] (and -t / 2 into params["b"]); validate() returns _curve[t - 1].
_curve = [0.30, 0.35, 0.34, 0.40, 0.39, 0.40, 0.38, 0.45, 0.50]   # the best: 0.40 at epoch 4 (epoch 6 only ties)
_run = scripted_early_stopping(early_stopping, _curve, 3, 20)    # patience 3, max_epochs 20, in without_reference(...)
check_early_stopping(_run, _curve, best_epoch=4, trained=7)     # stopped after epoch 4 + 3, params back at epoch 4
passed("early_stopping stops after `patience` epochs without a new best and restores a copy of the best epoch")

# %% nbgrader={"grade": true, "grade_id": "test_early_stopping_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: max_epochs comes first, the first epoch is the best, patience 1, accuracies of 0.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, check_equal, check_true
from helpers.checks.regularization import scripted_early_stopping
for _curve, _patience, _max, _best, _trained in [
        ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], 3, 5, 5, 5),  # still improving when max_epochs ends it
        ([0.5, 0.4, 0.45, 0.6], 2, 10, 1, 3),                # the first epoch stays the best
        ([0.2, 0.3, 0.3, 0.5], 1, 10, 2, 3),                 # patience 1: one epoch without a new best
        ([0.0, 0.0, 0.0, 0.0], 2, 10, 1, 3)]:                # an accuracy of 0 is still a first best
    _run = scripted_early_stopping(early_stopping, _curve, _patience, _max)
    _case = f"(curve {_curve}, patience {_patience}, max_epochs {_max})"
    check_true("error" not in _run["result"], f"early_stopping {_case} returned {_run['result'].get('error')}.")
    check_equal(f"best_epoch {_case}", _run["result"]["best_epoch"], _best)
    check_equal(f"the number of epochs trained {_case}", _run["trained"], _trained,
                hint="stop after max_epochs epochs at the latest.")
    check_close(f"params['W'] at the end {_case}", _run["W"], np.full((2, 3), float(_best)), tol=0,
                hint="keep copies of the best epoch's arrays, and start with 'no best yet' (not an "
                     "accuracy of 0, which a first epoch might not beat).")
### END HIDDEN TESTS

# %% [markdown]
# Early stopping on the over-fitting network of section 8 (two hidden layers
# of 128 units, 500 training signals, SGD with momentum), with your
# function, patience 10:

# %% tags=["demo"]
net = FullyConnectedNet(list(TRAINING["hidden"]), 40, 10, seed=0)
opt, rng = Momentum(lr=TRAINING["lr"], momentum=TRAINING["momentum"]), np.random.default_rng(0)


def train_epoch():
    for X_batch, y_batch in minibatches(X_500, y_500, TRAINING["batch_size"], rng=rng):
        opt.update(net.params, net.loss(X_batch, y_batch)[1])


def validate():
    return np.mean(np.argmax(net.loss(X_val), axis=1) == y_val)


best_epoch, history = early_stopping(net.params, train_epoch, validate, patience=10, max_epochs=100)
print(f"best validation accuracy {max(history):.3f} at epoch {best_epoch}; stopped after epoch {len(history)}; "
      f"the restored net: {validate():.3f}")
fig, ax = plt.subplots(figsize=(8.5, 3))
ax.plot(range(1, len(history) + 1), history, "o-", ms=3, label="validation accuracy")
ax.axvline(best_epoch, color="tab:green", ls="--", label=f"best epoch ({best_epoch}): restored")
ax.axvline(len(history), color="tab:red", ls=":", label=f"stop ({len(history)}: 10 epochs without a new best)")
ax.set(xlabel="epoch", ylabel="validation accuracy",
       title="Early stopping: the accuracy climbs, then stalls; training stops 10 epochs after the best")
ax.title.set_fontsize(9)
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout();

# %% [markdown]
# Here the validation accuracy of the unregularized net climbs and then
# stalls rather than falls, so early stopping saves the remaining epochs but
# gains little accuracy. The best epoch's accuracy is also a little
# optimistic: it is the largest of many noisy measurements on the same
# validation signals. Section 8 shows what helps this net more.
#
# Early stopping is also built into the course's `Solver` (its `patience`
# argument; it copies its best parameters back at the end), and
# `regularization.EarlyStopping(patience)` is the same rule as an object
# with `step(val_acc, params)` and `restore(params)`.
#
# ### Gradient-norm clipping
#
# One unlucky minibatch (or a steep cliff of the loss) can give a huge
# gradient and throw the weights far away. Clipping measures the **global**
# norm of all gradients together,
#
# $$g = \sqrt{\textstyle\sum_{k}\sum_{\text{entries}} \mathrm{grads}[k]^2},$$
#
# and when $g$ exceeds `max_norm` multiplies **every** gradient by
# $\text{max\_norm}/(g + 10^{-6})$: the update keeps its direction, only its
# length is capped. (Clipping each array on its own would change the
# direction.) This is `torch.nn.utils.clip_grad_norm_`, the standard guard
# for recurrent networks and transformers.
#
# **Exercise 12 (3 points).** `clip_grad_norm`: clip the arrays of the dict
# `grads` **in place** as above (leave them untouched when
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
from helpers.checks.regularization import answering, check_clipped, clip_inputs, passed
_grads = clip_inputs()                   # W1 (6, 5), b1 (5,) and W2 (5, 3): together their norm is above 2
_arrays = dict(_grads)                   # the arrays themselves: clipping changes them in place
with answering("clip_grad_norm"):        # the course's clipping and PyTorch are blocked
    _norm = clip_grad_norm(_grads, 2.0)
check_clipped(_norm, _grads, _arrays)    # the norm before clipping and the clipped arrays, as torch's clip_grad_norm_
passed("the same norm and clipped gradients as torch.nn.utils.clip_grad_norm_")

# %% nbgrader={"grade": true, "grade_id": "test_clip_grad_norm_small", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: gradients already below max_norm stay exactly as they were (the same arrays).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close, check_true
from helpers.checks.batchnorm import torch_clip
from helpers.checks.regularization import answering, clip_inputs
_grads, _before = clip_inputs(752), clip_inputs(752)
_arrays = dict(_grads)
_want_norm, _ = torch_clip(_grads, 5.0)
with answering("clip_grad_norm"):
    _norm = clip_grad_norm(_grads, 5.0)
check_close("the returned norm (below max_norm)", _norm, _want_norm)
for _k in _before:
    check_true(_grads[_k] is _arrays[_k], f"grads['{_k}'] was replaced by another array.")
    check_close(f"grads['{_k}'] below max_norm", _grads[_k], _before[_k], tol=0,
                hint="only clip when the norm is larger than max_norm; never scale gradients up.")
### END HIDDEN TESTS

# %% [markdown]
# ### Max-norm constraint
#
# Another guard, popular with dropout: after every update, rescale each
# unit's incoming weight vector (a column of $W$) to a norm of at most $c$ (3
# or 4 is typical). Unlike weight decay it does nothing to weights that are
# small enough, and it puts a hard bound on how large any pre-activation can
# get: `regularization.max_norm_constraint(W, c)`.

# %% tags=["demo"]
W = 3 * np.random.default_rng(11).standard_normal((40, 5))
print("column norms before:", np.round(np.sqrt((W ** 2).sum(axis=0)), 1))
print("after max-norm 15:  ", np.round(np.sqrt((regularization.max_norm_constraint(W, 15.0) ** 2).sum(axis=0)), 1))

# %% [markdown]
# ## 8. Over-fitting 500 signals
#
# First two sanity checks of any regularized model: with `reg = 0` a big
# network must be able to **over-fit a tiny training set** (20 signals) to a
# loss near 0; and the initial loss must **rise with `reg`**, since the
# penalty is added to it.

# %% tags=["demo"]
net = FullyConnectedNet([200, 200], 40, 10, seed=0)
opt = SGD(lr=0.1)
for step in range(200):
    loss, grads = net.loss(X_500[:20], y_500[:20])
    opt.update(net.params, grads)
print(f"20 signals, reg 0: loss after 200 steps {loss:.4f}")
for reg in (0.0, 1e-3, 1e-2, 1e-1):
    print(f"initial loss with reg {reg:g}: {FullyConnectedNet([200, 200], 40, 10, reg=reg, seed=0).loss(X_500, y_500)[0]:.3f}")

# %% [markdown]
# Now a real case: a network with two hidden layers of 128 ReLU units
# (about 23 000 weights) and only **500** training signals, trained by SGD
# with momentum (lr 0.05, momentum 0.9, minibatches of 50, 30 epochs). It
# learns the training set by heart; on the validation signals it is right
# about one time in three:

# %% tags=["demo"]
draw_regularization(0.0, 0.0);

# %% [markdown]
# `train_and_validate(setting, seed)` runs exactly this training for a
# `setting = {"reg": ..., "dropout": ...}` (weight decay and the probability
# of dropping a hidden unit) and returns the validation accuracy. (It is
# `FullyConnectedNet(..., reg=reg, dropout=p, seed=seed)` trained with
# `Momentum` on `minibatches`, written as one lean loop: `train_mlp` in
# `helpers/regularization.py`, the same numbers, faster. About 0.1 s a run.)
#
# **How much does one run tell?** The seed fixes the initial weights, the
# order of the minibatches and the dropout masks. The same setting with four
# seeds:

# %% tags=["demo"]
no_reg = {"reg": 0.0, "dropout": 0.0}
base_runs = np.array([train_and_validate(no_reg, seed) for seed in SEEDS])
print("no regularization, seeds", SEEDS, ": validation accuracy", base_runs,
      f" mean {base_runs.mean():.3f}, spread (std) {base_runs.std(ddof=1):.3f}")

# %% [markdown]
# The validation accuracy of one setting moves by several points from seed
# to seed. Comparing two settings by one run each would mistake luck for a
# gain. Two remedies, used together:
#
# - **average over seeds**: the mean of $K$ runs varies $\sqrt K$ times less
#   than one run;
# - **pair the runs**: train both settings with the *same* seeds. The same
#   initial weights and minibatches push both runs the same way, so much of
#   the luck cancels in the differences
#   $d_k = \text{acc}_k - \text{acc}^\text{base}_k$, $k = 1..K$.
#
# The **gain** is the mean difference $\bar d$, and its **standard error**
# is
#
# $$\text{SE} = \frac{s_d}{\sqrt K}, \qquad
#   s_d = \sqrt{\frac{1}{K-1}\sum_k (d_k - \bar d)^2}$$
#
# ($K - 1$: the sample standard deviation, `ddof=1`, because $\bar d$ is
# estimated from the same $K$ numbers). A gain of 3 standard errors or more
# is hard to get by luck (with $K = 4$ seeds, about a 3% chance if the true
# gain were 0).
#
# **Exercise 13 (2 points).** `paired_gain`.

# %% nbgrader={"grade": false, "grade_id": "paired_gain", "locked": false, "schema_version": 3, "solution": true}
def paired_gain(acc, acc_base):
    """acc, acc_base: the validation accuracies of a setting and of the
    baseline, one per seed, the same seeds in the same order (arrays or
    lists of K >= 2 numbers). Returns (gain, se), two floats: the mean of the
    differences acc - acc_base and its standard error."""
    ### BEGIN SOLUTION
    d = np.asarray(acc, dtype=float) - np.asarray(acc_base, dtype=float)
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_paired_gain", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.regularization import answering, check_paired_gain, paired_cases, passed
for _acc, _base in paired_cases():       # 4 seeds where the setting gains (arrays), 3 where it loses (lists)
    with answering("paired_gain"):       # the course's paired_gain and PyTorch are blocked
        _result = paired_gain(_acc, _base)
    check_paired_gain(_result, _acc, _base)   # the mean difference and its standard error, by PyTorch
passed("paired_gain gives the mean difference and its standard error (as PyTorch's mean and std)")

# %% [markdown]
# ### Choosing on validation: a sweep
#
# A sweep trains every candidate setting with every seed, then chooses the
# setting with the highest **mean** validation accuracy over the seeds: never
# the best single run (that chooses luck), never the training accuracy (that
# chooses the setting that memorizes best), never the test set (that is kept
# for one last, honest measurement).
#
# **Exercise 14 (3 points).** `sweep`: `train(setting, seed)` is given (for
# example `train_and_validate`) and returns one run's validation accuracy.
# Call it once for every setting and every seed.

# %% nbgrader={"grade": false, "grade_id": "sweep", "locked": false, "schema_version": 3, "solution": true}
def sweep(train, settings, seeds):
    """train(setting, seed) -> the validation accuracy (a float) of one run;
    settings: a list of settings; seeds: a list of ints.
    Returns (best, val_acc): val_acc a float array of shape
    (len(settings), len(seeds)) with val_acc[i, j] = train(settings[i], seeds[j]),
    and best the index (an int) of the setting with the highest mean validation
    accuracy over the seeds (the first one if several are equal)."""
    best, val_acc = None, None
    ### BEGIN SOLUTION
    val_acc = np.zeros((len(settings), len(seeds)))
    for i, setting in enumerate(settings):
        for j, seed in enumerate(seeds):
            val_acc[i, j] = train(setting, seed)
    best = int(np.argmax(val_acc.mean(axis=1)))
    ### END SOLUTION
    return best, val_acc


# %% nbgrader={"grade": true, "grade_id": "test_sweep", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.regularization import check_sweep, fake_sweep, passed
# A scripted train(setting i, seed) returns _table[i][j] for the j-th of the seeds (10, 20, 30).
_table = [[0.30, 0.31, 0.29], [0.45, 0.20, 0.25], [0.34, 0.35, 0.36], [0.10, 0.40, 0.38]]   # means .30 .30 .35 .29
_run = fake_sweep(sweep, _table, (10, 20, 30))      # your sweep runs in without_reference(...): no PyTorch
check_sweep(_run, _table, (10, 20, 30), best=2)     # 12 calls; val_acc is _table; the best MEAN, not the best run
passed("sweep trains every setting with every seed and chooses the best mean validation accuracy")

# %% nbgrader={"grade": true, "grade_id": "test_sweep_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: equal means (the first one wins) and a single seed.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close, check_equal, check_true
from helpers.checks.regularization import fake_sweep
_run = fake_sweep(sweep, [[0.25, 0.75], [0.5, 0.5], [0.75, 0.25]], (1, 2))
check_true("error" not in _run["result"], f"sweep returned {_run['result'].get('error')}.")
check_equal("best when the three settings have the same mean", _run["result"]["best"], 0,
            hint="the first of equal means: np.argmax does that; in a loop, only a strictly better mean "
                 "replaces the best.")
_run = fake_sweep(sweep, [[0.2], [0.6], [0.4]], (5,))
check_true("error" not in _run["result"], f"sweep with one seed returned {_run['result'].get('error')}.")
check_close("val_acc with one seed", _run["result"]["val_acc"], [[0.2], [0.6], [0.4]], tol=0)
check_equal("best with one seed", _run["result"]["best"], 1)
### END HIDDEN TESTS

# %% [markdown]
# ### Your sweep
#
# **Exercise 15 (3 points).** `regularization_grid`: choose the settings to
# try on the over-fitting network: a list of 4 to 6 settings
# `{"reg": r, "dropout": p}` with $0 \le r \le 1$ and $0 \le p \le 0.9$,
# among them **no regularization** `{"reg": 0.0, "dropout": 0.0}`, the
# baseline every gain is measured against. The graded run trains the
# course's sweep (the procedure you just wrote) over your grid with the
# seeds 0, 1, 2, 3, and passes when the chosen setting beats no
# regularization on validation by **at least 3 standard errors** of the
# paired differences.
#
# Nothing in this notebook tells you which setting is best: finding out is
# the exercise. Think about scales before you choose. The net's loss starts
# near $\ln 10 \approx 2.3$; a weight decay is too weak to matter when
# $\text{reg}\sum W^2$ stays tiny next to it, and strong enough to stop
# learning when it dominates. Try weight decays spread over orders of
# magnitude, dropout rates (the probability of *dropping* a unit), or both;
# `train_and_validate(setting, seed)` in a scratch cell is your friend.

# %% nbgrader={"grade": false, "grade_id": "regularization_grid", "locked": false, "schema_version": 3, "solution": true}
def regularization_grid():
    """The settings to try: a list of 4 to 6 dicts {"reg": weight decay,
    "dropout": probability of dropping a hidden unit}, one of them
    {"reg": 0.0, "dropout": 0.0}."""
    ### BEGIN SOLUTION
    return [{"reg": 0.0, "dropout": 0.0}, {"reg": 1e-3, "dropout": 0.0}, {"reg": 1e-2, "dropout": 0.0},
            {"reg": 1e-1, "dropout": 0.0}, {"reg": 0.0, "dropout": 0.2}, {"reg": 0.0, "dropout": 0.5}]
    ### END SOLUTION


# %% [markdown]
# Your sweep over your grid (about 0.1 s per setting and seed), and for each
# setting its gain over no regularization with your `paired_gain`:

# %% tags=["demo"]
grid = regularization_grid()
best, val_acc = sweep(train_and_validate, grid, SEEDS)
base = [setting_label(s) for s in grid].index("none")
for i, setting in enumerate(grid):
    gain, se = paired_gain(val_acc[i], val_acc[base])
    print(f"{setting_label(setting):22s} validation {val_acc[i].mean():.3f}   gain {gain:+.3f} ± {se:.3f}"
          + ("   <- chosen" if i == best else ""))
draw_sweep(grid, val_acc, best);

# %% nbgrader={"grade": true, "grade_id": "test_regularization_grid", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks.regularization import SEEDS as _SEEDS, check_grid, check_grid_gain, course_sweep, passed
_grid = check_grid(regularization_grid())          # your settings, as (reg, dropout) pairs
_val = course_sweep(_grid, _SEEDS)                 # the course's sweep over your grid, seeds 0, 1, 2, 3
_name, _gain, _se = check_grid_gain(_grid, _val)   # the best mean, trained again: 3 SE or more above no regularization
passed(f"your grid's best setting, {_name}, beats no regularization by {_gain:+.3f} ± {_se:.3f} "
       f"({_gain / _se if _se > 0 else float('inf'):.1f} standard errors) on validation")

# %% [markdown]
# Watch the training and validation curves as you move the dropout rate and
# the weight decay (each redraw trains the network once). The first picture
# is your chosen setting.

# %% tags=["demo"]
draw_regularization(grid[best]["dropout"], grid[best]["reg"]);

# %% tags=["demo"]
regularization_demo(grid[best]["dropout"], grid[best]["reg"])

# %% [markdown]
# **The test set, once.** Everything so far was chosen on the validation
# set. Now that the choice is made, the chosen setting and no regularization
# are measured on the 1000 test signals, once; nothing is chosen from these
# numbers. (The validation accuracy of the chosen setting is a little
# optimistic, since it won a contest on those very signals; the test
# accuracy is not.)

# %% tags=["demo"]
test_data = load_mnist1d()  # read here, used here only
X_test, y_test = test_data["X_test"], test_data["y_test"]
for name, setting in [("no regularization", no_reg), (f"chosen: {setting_label(grid[best])}", grid[best])]:
    runs = [train_mlp(X_500, y_500, X_val, y_val, reg=setting["reg"], dropout=setting["dropout"], seed=seed,
                      **TRAINING) for seed in SEEDS]
    test = [np.mean(np.argmax(mlp_scores(run["params"], X_test), axis=1) == y_test) for run in runs]
    print(f"{name:28s} train {np.mean([r['train_acc'] for r in runs]):.3f}   "
          f"validation {np.mean([r['val_acc'] for r in runs]):.3f}   test {np.mean(test):.3f}"
          f"   (means of {len(SEEDS)} seeds)")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_regularization", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) Which setting did your sweep choose, what is
# its gain over no regularization (with its standard error), and what did it
# do to the training accuracy and the train-validation gap? (b) Why is a
# small gap not the goal in itself (look at `reg = 0.1` or dropout 0.7 with
# the widget), and why are settings chosen on the validation set, by the
# mean over seeds, rather than by one run or on the test set? (c) With 3000
# training signals instead of 500, would you expect to need more or less
# regularization, and why?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) The grid above chose weight decay reg = 0.01:
# validation 0.406 against 0.352 without regularization, a gain of
# +0.055 ± 0.010, 5.7 standard errors (seeds 0-3). The training accuracy
# falls from 1.000 to 0.876, so the gap shrinks from 0.65 to 0.47: the net
# no longer learns the 500 signals by heart, and what it learns carries over
# better (on the test set, measured once: 0.329 without, 0.386 with).
# Dropout 0.2 gains only +0.018 ± 0.003; reg = 0.1 and dropout 0.5 lose.
# (b) With reg = 0.1 (or dropout 0.7) the gap is almost 0 but both
# accuracies are low: the model under-fits. What counts is the validation
# accuracy; the gap only says whether more regularization (large gap) or
# more capacity (small gap, low accuracy) is needed. One run varies by
# several points from seed to seed (0.334 to 0.373 here without
# regularization), so one run against one run can mistake luck for a gain;
# the mean over seeds, with paired differences and their standard error,
# tells a real gain from noise. The test set is kept out of every choice so
# that its one measurement at the end is an honest estimate; a setting
# chosen on it would look better there than it is.
# (c) Less: with 6 times more data the net cannot memorize it so easily,
# the data itself constrains the function, the gap shrinks on its own and
# the best weight decay is smaller (more data is the best regularizer).
# Measured with 3000 signals (two seeds): no regularization 0.649, reg 0.001
# 0.661, reg 0.01 only 0.417 (it under-fits): the best weight decay is ten
# times smaller and gains about a point.
#
# *Rubric (3 points).* 1 point: the chosen setting with its gain and
# standard error, and its effect on training accuracy and gap. 1 point: a
# small gap can come from under-fitting (the validation accuracy is the
# criterion), and one run is noise (mean over seeds, standard error), the
# test set never chooses. 1 point: more data, less over-fitting, less
# regularization needed.
# ### END SOLUTION

# %% [markdown]
# ## 9. The same thing in PyTorch
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
# Ten SGD steps of a net with batch norm, in NumPy with your `l2_penalty`
# added to the data gradients, and in PyTorch, with the biases and
# $\gamma, \beta$ left out of the decay:

# %% tags=["demo"]
reg, lr = 0.01, 0.1
X, y = X_500[:64], y_500[:64]
np_net = FullyConnectedNet([32], 40, 10, normalization="batchnorm", seed=0)  # reg 0: the decay is yours
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
    _, grads = np_net.loss(X, y)
    _, decay_grads = l2_penalty(np_net.params, reg)
    opt.update(np_net.params, {k: g + decay_grads.get(k, 0.0) for k, g in grads.items()})
    opt_t.zero_grad()
    F.cross_entropy(torch_net(torch.tensor(X)), torch.tensor(y)).backward()
    opt_t.step()
print(f"W1 after 10 steps: relative difference {rel_error(np_net.params['W1'], torch_net[0].weight.detach().numpy().T):.1e}")
print(f"gamma1:            relative difference {rel_error(np_net.params['gamma1'], torch_net[1].weight.detach().numpy()):.1e}")
print(f"running_var:       relative difference {rel_error(np_net.bn_params[0]['running_var'], torch_net[1].running_var.numpy()):.1e}")

# %% [markdown]
# **Early stopping in PyTorch** has no class of its own: it is the loop of
# your `early_stopping`, with `best = copy.deepcopy(model.state_dict())` as
# the copy and `model.load_state_dict(best)` as the restore (a plain
# `model.state_dict()` returns references to the live tensors: the same
# trap as `best = params`).
#
# **Summary.** Batch norm normalizes each unit over the minibatch in
# training and with running averages at test time; it makes a deep network
# insensitive to its weight scale and lets it train with larger learning
# rates. Its backward pass has three paths (direct, mean, variance) that
# collapse into one short formula. Inverted dropout drops units with
# probability $p$ and scales the survivors by $1/(1-p)$, so test time is the
# identity; it trains an ensemble of sub-networks that share their weights.
# Weight decay (weights only), early stopping (with copies of the best
# weights), gradient-norm clipping and max-norm constraints complete the
# toolbox; L1 decay gives exact zeros only with proximal steps. On 500
# training signals weight decay gained about 5 points of validation
# accuracy, about 6 standard errors over four paired seeds: judge every such
# choice on the validation set, by the mean over seeds and with its standard
# error, and keep the test set for one last measurement.
