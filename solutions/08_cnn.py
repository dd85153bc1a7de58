# %% [markdown]
# # 08 · Convolutional layers
#
# A fully connected layer gives every output its own weight for every input.
# A **convolutional layer** slides one small filter over the whole input and
# reuses the same few weights at every position: far fewer parameters, and a
# pattern learned in one place is found everywhere. In this notebook you will
#
# - compute output sizes and parameter counts (AlexNet's first layer, and
#   why three 3x3 layers beat one 7x7);
# - write the convolution and max pooling, forward and backward, with loops,
#   and check them against PyTorch and against a numerical gradient yourself;
# - write the fast versions, the convolution forward (im2col: one matrix
#   product) and backward (col2im) and max pooling by a reshape, and time them;
# - assemble your own ConvNet from these layers, check its gradients, overfit
#   a few images and train it on real 8x8 handwritten digits (96% validation
#   accuracy); normalize feature maps with spatial batch norm and group norm;
# - train a ConvNet on MNIST-1D and compare it with kNN, the linear classifier
#   and the MLP of earlier notebooks, on the test set once, at the end;
# - look at filters and feature maps, and finish with the same layers in PyTorch.
#
# **Grading.** 65 points: seventeen exercises (52 points, checked by tests)
# and six written questions (13 points). Each exercise is followed by a test cell
# you can run; some exercises have more test cells whose checks run only when
# your notebook is graded. Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import conv  # the course's reference convolution and pooling (naive and fast)
from helpers.checks import check_close, check_true, passed
from helpers.data import load_digits, load_mnist1d, train_val_split
from helpers.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from helpers.nets import ConvNet
from helpers.optim import Adam
from helpers.solver import Solver
from helpers.widgets.cnn import draw_feature_maps, filter_demo, learned_filters

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

mnist = load_mnist1d()
X_train, y_train, X_val, y_val = train_val_split(mnist["X_train"], mnist["y_train"],
                                                 n_val=500, seed=0)  # 3500 / 500
X_test, y_test = mnist["X_test"], mnist["y_test"]                   # 1000, used once
digits = load_digits()  # 8x8 images for the pictures
print("MNIST-1D train / val / test:", X_train.shape, X_val.shape, X_test.shape)

# %% [markdown]
# ## 1. Sliding a filter: sizes and parameters
#
# Images come as arrays `x` of shape $(N, C, H, W)$: $N$ images, $C$ channels
# (3 for RGB), height $H$, width $W$ ("NCHW", PyTorch's order). A layer has
# $F$ **filters** `w` of shape $(F, C, HH, WW)$, each spanning all $C$ input
# channels, and one bias per filter. Filter $f$ placed at output position
# $(i, j)$ computes one number:
#
# $$\text{out}[n, f, i, j] = \sum_{c}\sum_{d_i, d_j} x_p[n, c, iS + d_i, jS + d_j]\; w[f, c, d_i, d_j] + b[f],$$
#
# where $x_p$ is the input padded with $P$ zeros on every side and $S$ is the
# **stride** (the step between two positions). This is a cross-correlation:
# the filter is not flipped (PyTorch's `conv2d` does the same; the
# mathematicians' convolution flips it). The output has $F$ channels, one
# **feature map** per filter, of size
#
# $$H' = \frac{H + 2P - HH}{S} + 1, \qquad W' = \frac{W + 2P - WW}{S} + 1.$$
#
# In this course the windows must fit the padded input exactly: $H + 2P - HH$
# must be divisible by $S$ (the last window ends on the last padded row), and
# the filter cannot be larger than the padded input (it may be larger than
# the unpadded one). Raising an error otherwise is this course's convention,
# chosen so that a mistake in an architecture shows up at once; PyTorch
# handles these cases differently (a question below asks how).
# AlexNet's first layer: $227 \times 227$ RGB images, 96 filters of
# $11 \times 11$, stride 4, no padding: $H' = (227 - 11)/4 + 1 = 55$, so the
# output is $96 \times 55 \times 55$.

# %% [markdown]
# **Exercise 1 (2 points).** `conv_output_size(H, HH, stride, pad)`: the
# output length along one axis, as an `int` (55, not 55.0). Raise a
# `ValueError` with a message saying what is wrong when the configuration is
# impossible: a kernel larger than the padded input, or $H + 2P - HH$ not
# divisible by the stride. A kernel larger than the input is fine as long as
# it fits the padded input: a 3-wide kernel on a 1-wide input with padding 1
# gives an output of length 1.

# %% nbgrader={"grade": false, "grade_id": "conv_output_size", "locked": false, "schema_version": 3, "solution": true}
def conv_output_size(H, HH, stride=1, pad=0):
    """Output length for an input of length H, a kernel of length HH, a stride
    and a zero padding of pad on each side. Returns an int; raises ValueError
    for impossible configurations."""
    ### BEGIN SOLUTION
    span = H + 2 * pad
    if HH > span:
        raise ValueError(f"the kernel ({HH}) is larger than the padded input ({span})")
    if (span - HH) % stride != 0:
        raise ValueError(f"H + 2 * pad - HH = {span - HH} is not divisible by the stride {stride}")
    return (span - HH) // stride + 1
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_output_size", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_sizes, passed
with answering("conv_output_size"):      # the course's conv_output_size and PyTorch are blocked
    _sizes = [conv_output_size(227, 11, 4, 0), conv_output_size(32, 3, 1, 1), conv_output_size(31, 3, 2, 0),
              conv_output_size(40, 5, 1, 2), conv_output_size(7, 3, 2, 2)]   # AlexNet's conv1 and four more
    _wide = [conv_output_size(1, 3, 1, 1), conv_output_size(2, 5, 1, 2)]     # kernels wider than the input
check_sizes(_sizes, [55, 32, 15, 40, 5], _wide, [1, 2])   # ints, and these values
passed("conv_output_size: ints, AlexNet conv1 gives 55, and six other configurations are right "
       "(two with a kernel wider than the unpadded input)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_output_size_invalid", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: impossible configurations raise ValueError (stride not dividing, kernel too large).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_true
from helpers.checks.convolution import answering
for _args, _why in [((32, 3, 2, 0), "(32 - 3) = 29 is odd, stride 2"),
                    ((4, 7, 1, 1), "a 7-wide kernel on 4 + 2 padded inputs"),
                    ((10, 3, 3, 0), "(10 - 3) = 7 is not divisible by 3")]:
    _raised = False
    try:
        with answering("conv_output_size"):
            conv_output_size(*_args)
    except ValueError:
        _raised = True
    check_true(_raised, f"conv_output_size{_args} should raise ValueError: {_why}.",
               hint="check the two conditions before computing, and `raise ValueError(...)`.")
### END HIDDEN TESTS

# %% [markdown]
# **Parameters.** A conv layer learns $F \cdot (C \cdot HH \cdot WW + 1)$
# numbers: $F$ filters of $C \cdot HH \cdot WW$ weights and one bias each,
# whatever the size of the image. That is **parameter sharing**: every
# position uses the same filter. Without sharing (a *locally connected*
# layer, one set of filters per output position) it would be $H' W'$ times
# as many. For AlexNet's conv1: $96 \cdot (3 \cdot 11 \cdot 11 + 1) = 34{,}944$
# shared, but $55 \cdot 55 \cdot 34{,}944 = 105{,}705{,}600$ unshared.
#
# **Exercise 2 (2 points).** `conv_param_count(C, F, HH, WW, out_shape=None)`:
# the shared count, or with `out_shape = (H', W')` the unshared one.

# %% nbgrader={"grade": false, "grade_id": "conv_param_count", "locked": false, "schema_version": 3, "solution": true}
def conv_param_count(C, F, HH, WW, out_shape=None):
    """Learned numbers (weights and biases) of a conv layer with F filters of
    C x HH x WW. With out_shape = (H_out, W_out): the count without parameter
    sharing (every output position has its own filters and biases)."""
    ### BEGIN SOLUTION
    count = F * (C * HH * WW + 1)
    if out_shape is not None:
        count *= out_shape[0] * out_shape[1]
    return count
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_conv_param_count", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_counts, passed
with answering("conv_param_count"):      # the course's conv_param_count and PyTorch are blocked
    _shared = conv_param_count(3, 96, 11, 11)                          # AlexNet's conv1
    _unshared = conv_param_count(3, 96, 11, 11, out_shape=(55, 55))    # the same without parameter sharing
check_counts(_shared, 34944, _unshared, 105705600)    # 96 * (3 * 11 * 11 + 1), and 55 * 55 times that
passed("conv_param_count: AlexNet conv1 has 34,944 parameters shared, 105,705,600 unshared")

# %% nbgrader={"grade": true, "grade_id": "test_conv_param_count_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: rectangular kernels, one filter, and a rectangular output.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_equal
from helpers.checks.convolution import answering
with answering("conv_param_count"):
    _got = [conv_param_count(1, 25, 1, 5), conv_param_count(16, 1, 3, 1),
            conv_param_count(2, 4, 3, 5, out_shape=(6, 2))]
check_equal("[1/25/1x5, 16/1/3x1, 2/4/3x5 on 6x2]", _got, [150, 49, 4 * 31 * 12],
            hint="F * (C * HH * WW + 1), times H_out * W_out without sharing.")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_parameters", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) A fully connected layer from a $32 \times 32 \times 3$
# image to a $32 \times 32 \times 32$ output: how many weights (without biases)?
# A conv layer with 32 filters of $3 \times 3$, stride 1, padding 1 gives the
# same output shape: how many weights? (b) Three stacked $3 \times 3$ conv
# layers with $C$ channels in and out see a $7 \times 7$ region of the input,
# like one $7 \times 7$ layer. Compare their weights ($C^2$ terms) and give
# one more advantage of the stack.
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Fully connected: $3072 \cdot 32768 = 100{,}663{,}296$
# weights (about $10^8$); conv: $32 \cdot 3 \cdot 3 \cdot 3 = 864$ weights
# (896 with biases), because the same small filter is reused at all 1024
# positions and each output only looks at a $3 \times 3$ neighbourhood.
# (b) Three $3 \times 3$ layers: $3 \cdot 9C^2 = 27C^2$ weights; one $7 \times 7$:
# $49C^2$, almost twice as many, for the same $7 \times 7$ receptive field.
# The stack also has three nonlinearities instead of one, so it computes
# more complex functions of the region (and costs fewer multiplications).
#
# *Rubric (3 points).* 1 point: about $10^8$ weights for the fully connected
# layer (3072 x 32768) against 864 for the conv layer. 1 point: $27C^2$ vs
# $49C^2$. 1 point: one more advantage of the stack (more nonlinearities /
# more expressive, or fewer operations), or why sharing works (the same
# pattern matters everywhere in the image).
# ### END SOLUTION

# %% [markdown]
# ## 2. The convolution with loops
#
# **Exercise 3 (3 points).** `conv_forward_naive(x, w, b, conv_param)` with
# `conv_param = {"stride": S, "pad": P}`: pad `x` with zeros
# (`np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)))`), then loop over the images,
# the filters and the output positions and compute each output with the
# formula of section 1. Do not flip the filter. The tests use small inputs
# where the configuration is always possible.

# %% nbgrader={"grade": false, "grade_id": "conv_forward_naive", "locked": false, "schema_version": 3, "solution": true}
def conv_forward_naive(x, w, b, conv_param):
    """x: (N, C, H, W); w: (F, C, HH, WW); b: (F,); conv_param: {"stride", "pad"}.
    Returns (out, cache): out (N, F, H_out, W_out), cache = (x, w, b, conv_param)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ### BEGIN SOLUTION
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    ### END SOLUTION
    cache = (x, w, b, conv_param)
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_out, conv_cases, passed
for _case in conv_cases(801):            # 2 images of 3 x 5 x 5, 4 filters of 3 x 3: stride 1 pad 1, stride 2 pad 0
    with answering("conv_forward_naive"):    # the course's convolutions and PyTorch are blocked
        _out, _ = conv_forward_naive(_case.x, _case.w, _case.b, _case.conv_param)
    check_out(_out, _case)               # against torch.nn.functional.conv2d
passed("conv_forward_naive agrees with torch.nn.functional.conv2d (stride 1 pad 1, stride 2 pad 0)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: odd and rectangular sizes, stride 2 with pad 2, a rectangular kernel.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_out, conv_cases
for _case in conv_cases(811):
    with answering("conv_forward_naive"):
        _out, _ = conv_forward_naive(_case.x, _case.w, _case.b, _case.conv_param)
    check_out(_out, _case)
### END HIDDEN TESTS

# %% [markdown]
# **The backward pass.** Each output $\text{out}[n, f, i, j]$ is a sum of
# products $x_p \cdot w$ over its window, plus $b[f]$. So its upstream
# gradient $g = \text{dout}[n, f, i, j]$ flows
#
# - to the window of $x_p$: $g \cdot w[f]$ (added: windows overlap);
# - to $w[f]$: $g$ times the window of $x_p$ (added over every $n, i, j$);
# - to $b[f]$: $g$, added over the images **and every position**.
#
# Then crop the padding: $dx$ is the part of $dx_p$ that sits on the real
# input, `dxp[:, :, P:P+H, P:P+W]`.
#
# **Exercise 4 (4 points).** `conv_backward_naive(dout, cache)`.

# %% nbgrader={"grade": false, "grade_id": "conv_backward_naive", "locked": false, "schema_version": 3, "solution": true}
def conv_backward_naive(dout, cache):
    """dout: (N, F, H_out, W_out); cache: (x, w, b, conv_param) from the forward pass.
    Returns (dx, dw, db) with the shapes of x, w and b."""
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    ### BEGIN SOLUTION
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    dxp[n, :, rows, cols] += dout[n, f, i, j] * w[f]
                    dw[f] += dout[n, f, i, j] * xp[n, :, rows, cols]
    db = dout.sum(axis=(0, 2, 3))
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    ### END SOLUTION
    return dx, dw, db


# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_conv_grads, conv_grad_cases, passed
for _case in conv_grad_cases(802):       # dout and the cache of 2 images of 3 x 5 x 5, 4 filters, stride 1 pad 1
    with answering("conv_backward_naive"):   # the course's convolutions and PyTorch are blocked
        _grads = conv_backward_naive(_case.dout, _case.cache)
    check_conv_grads(_grads, _case)      # dx, dw and db against PyTorch autograd
passed("conv_backward_naive agrees with PyTorch autograd (stride 1, pad 1)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_naive_stride", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: stride 2 with pad 0 and pad 2, odd sizes, against PyTorch autograd.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_conv_grads, conv_grad_cases
for _case in conv_grad_cases(812):
    with answering("conv_backward_naive"):
        _grads = conv_backward_naive(_case.dout, _case.cache)
    check_conv_grads(_grads, _case)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_naive_numerical", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a rectangular kernel on a rectangular input, against the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_conv_grads, conv_grad_cases
for _case in conv_grad_cases(822):
    with answering("conv_backward_naive"):
        _grads = conv_backward_naive(_case.dout, _case.cache)
    check_conv_grads(_grads, _case)
### END HIDDEN TESTS

# %% [markdown]
# ### Check your own gradients
#
# Run a numerical gradient check on your convolution yourself.
# `eval_numerical_gradient_array(f, x, dout)` moves each entry of `x` by
# $\pm h$ ($h = 10^{-5}$) and returns the centered differences of
# $\sum f(x) \cdot \text{dout}$; `rel_error` gives $\max|a - n| / (|a| + |n|)$.
# The convolution is linear in `x`, `w` and `b`, so there is no kink: a correct
# backward pass gives about $10^{-9}$ or less. Anything above $10^{-7}$ is a
# bug; an error near 1 on `dx` only when `pad > 0` points at the crop, only
# when `stride > 1` at the window start.

# %% tags=["demo"]
rng = np.random.default_rng(8)
x, w, b = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
for conv_param in ({"stride": 1, "pad": 1}, {"stride": 2, "pad": 1}):
    out, cache = conv_forward_naive(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_naive(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w, b, conv_param)[0], x.copy(), dout)
    dw_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x, v, b, conv_param)[0], w.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x, w, v, conv_param)[0], b.copy(), dout)
    print(f"{conv_param}: relative error dx {rel_error(dx, dx_num):.1e}, dw {rel_error(dw, dw_num):.1e}, "
          f"db {rel_error(db, db_num):.1e}")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_output_size", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) With stride 1, which padding keeps $H' = H$
# for a kernel of size $K$ (odd), and why do we want that? (b) A $32 \times 32$
# input, a $3 \times 3$ kernel, stride 2, no padding: what goes wrong, and
# what does PyTorch do with it (try `F.conv2d` in a scratch cell)?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) $P = (K - 1)/2$ ("same" padding: 1 for 3x3, 2 for 5x5):
# $H' = H + 2P - K + 1 = H$. The feature maps keep their size through many
# layers (only pooling or strides shrink them, where we choose), and the
# border pixels are seen by as many filter positions as the others instead of
# being eroded layer after layer. (b) $(32 - 3)/2 = 14.5$: the windows do not
# fit the input exactly. PyTorch rounds down ($H' = 15$) and silently ignores
# the last row and column; this course's layers raise a ValueError instead
# (a convention, not a law), because a silently dropped border usually hides
# a mistake in the architecture.
#
# *Rubric (2 points).* 1 point: $P = (K-1)/2$ keeps the size, with a reason
# (size preserved through depth, or borders not lost). 1 point: 29 is not
# divisible by 2 (14.5), and PyTorch floors it, dropping the last row/column.
# ### END SOLUTION

# %% [markdown]
# ## 3. Max pooling
#
# A **max pooling** layer takes the largest value of each $PH \times PW$
# window of each channel, with a stride (usually $2 \times 2$ windows, stride 2:
# half the height and width, a quarter of the numbers). It has no parameters.
# Backward, it behaves like the max gate of notebook 03: each upstream
# gradient goes **only to the element that was the maximum** of its window;
# the other elements get 0. When windows overlap (stride smaller than the
# window) an element can be the maximum of several windows, and its gradients
# add up.
#
# **Exercise 5 (2 points).** `max_pool_forward_naive(x, pool_param)` with
# `pool_param = {"pool_height": PH, "pool_width": PW, "stride": S}`, no padding.

# %% nbgrader={"grade": false, "grade_id": "max_pool_forward_naive", "locked": false, "schema_version": 3, "solution": true}
def max_pool_forward_naive(x, pool_param):
    """x: (N, C, H, W). Returns (out, cache): out (N, C, H_out, W_out) with
    H_out = (H - PH) // S + 1, cache = (x, pool_param)."""
    PH, PW, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    H_out = (H - PH) // S + 1
    W_out = (W - PW) // S + 1
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * S:i * S + PH, j * S:j * S + PW].max(axis=(2, 3))
    ### END SOLUTION
    cache = (x, pool_param)
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_max_pool_forward_naive", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_out, passed, pool_cases
for _case in pool_cases(803):            # 2 images of 3 x 6 x 8, 2x2 windows with stride 2
    with answering("max_pool_forward_naive"):    # the course's pooling and PyTorch are blocked
        _out, _ = max_pool_forward_naive(_case.x, _case.param)
    check_out(_out, _case)               # against torch.nn.functional.max_pool2d
passed("max_pool_forward_naive agrees with torch.nn.functional.max_pool2d (2x2, stride 2)")

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_forward_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: overlapping 3x3 windows with stride 2, and 1x2 windows on a signal.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_out, pool_cases
for _case in pool_cases(813):
    with answering("max_pool_forward_naive"):
        _out, _ = max_pool_forward_naive(_case.x, _case.param)
    check_out(_out, _case)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 6 (2 points).** `max_pool_backward_naive(dout, cache)`: route
# each `dout[n, c, i, j]` to the position of its window's maximum
# (`np.argmax` on the window and `np.unravel_index`, or a mask
# `window == window.max()`; the tests have no ties), and add where windows overlap.

# %% nbgrader={"grade": false, "grade_id": "max_pool_backward_naive", "locked": false, "schema_version": 3, "solution": true}
def max_pool_backward_naive(dout, cache):
    """dout: (N, C, H_out, W_out); cache: (x, pool_param). Returns dx, shaped like x."""
    x, pool_param = cache
    PH, PW, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    ### BEGIN SOLUTION
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + PH, j * S:j * S + PW]
                    di, dj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * S + di, j * S + dj] += dout[n, c, i, j]
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_max_pool_backward_naive", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_pool_grad, passed, pool_grad_cases
for _case in pool_grad_cases(804):       # dout and the cache of 2 images of 3 x 6 x 8, 2x2 windows with stride 2
    with answering("max_pool_backward_naive"):   # the course's pooling and PyTorch are blocked
        _dx = max_pool_backward_naive(_case.dout, _case.cache)
    check_pool_grad(_dx, _case)          # against PyTorch autograd of max_pool2d
passed("max_pool_backward_naive agrees with PyTorch autograd (2x2, stride 2)")

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_backward_naive_overlap", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: overlapping 3x3 windows with stride 2 (gradients add up), 1x2 windows.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_pool_grad, pool_grad_cases
for _case in pool_grad_cases(814):
    with answering("max_pool_backward_naive"):
        _dx = max_pool_backward_naive(_case.dout, _case.cache)
    check_pool_grad(_dx, _case)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_pooling", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** What does a $2 \times 2$, stride 2 max pooling layer
# buy a network, and what does it cost? Name two gains and one loss.
#
# ### BEGIN SOLUTION
# *Model answer.* Gains: (1) it divides the height and width by 2, so the
# next layers have 4x fewer positions to compute and the affine layer at the
# end 4x fewer weights; (2) each later filter sees a region twice as large
# (a larger receptive field for the same kernel size); (3) a small shift of
# a feature inside a window does not change the output: some invariance to
# small translations; and it adds no parameters. Loss: it throws away 3 of 4
# activations and the exact position of a feature within each window (bad when
# precise positions matter, e.g. segmentation), and its gradient reaches only
# one element of each window.
#
# *Rubric (2 points).* 1 point: two gains among smaller maps / less
# computation and fewer parameters later, larger receptive field, invariance
# to small shifts. 1 point: one cost: lost position information or lost
# activations (or sparse gradients).
# ### END SOLUTION

# %% [markdown]
# ## 4. A fast convolution: im2col
#
# Loops over every image, filter and position are slow in Python. **im2col**
# copies every window of the padded input into a column of a matrix of shape
# $(N,\; C \cdot HH \cdot WW,\; H' W')$. Then the whole convolution is one
# matrix product: `w.reshape(F, -1) @ cols`, of shape $(N, F, H'W')$, plus
# the bias, reshaped to $(N, F, H', W')$.
#
# You can fill `cols` with a loop over the **kernel offsets** only ($HH \cdot WW$
# iterations, 9 for a 3x3 kernel): for each offset $(d_i, d_j)$, the input
# values it multiplies at all positions at once are the strided slice
# `xp[:, :, di:di + S*H_out:S, dj:dj + S*W_out:S]`. Order the rows of `cols` as
# $(c, d_i, d_j)$ and the columns as $(i, j)$, row-major, like
# `torch.nn.functional.unfold`: an array `cols6` of shape
# $(N, C, HH, WW, H', W')$ reshaped to $(N, C\,HH\,WW, H'W')$ has that order.
#
# **Exercise 7 (3 points).** `im2col(x, HH, WW, stride, pad)` and
# `conv_forward_fast(x, w, b, conv_param)` built on it (return the same
# cache as the naive version). No loop over images, filters or positions.

# %% nbgrader={"grade": false, "grade_id": "conv_forward_fast", "locked": false, "schema_version": 3, "solution": true}
def im2col(x, HH, WW, stride=1, pad=0):
    """x: (N, C, H, W). Returns cols (N, C * HH * WW, H_out * W_out): every
    HH x WW window of the padded x as a column, in the order of F.unfold."""
    N, C, H, W = x.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    ### BEGIN SOLUTION
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.zeros((N, C, HH, WW, H_out, W_out))
    for di in range(HH):
        for dj in range(WW):
            cols[:, :, di, dj] = xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride]
    cols = cols.reshape(N, C * HH * WW, H_out * W_out)
    ### END SOLUTION
    return cols


def conv_forward_fast(x, w, b, conv_param):
    """The convolution of conv_forward_naive, with im2col and one matrix product.
    Returns (out, cache) with cache = (x, w, b, conv_param)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    ### BEGIN SOLUTION
    cols = im2col(x, HH, WW, stride, pad)              # (N, C*HH*WW, H_out*W_out)
    out = w.reshape(F, -1) @ cols + b[:, None]         # (N, F, H_out*W_out)
    out = out.reshape(N, F, H_out, W_out)
    ### END SOLUTION
    return out, (x, w, b, conv_param)


# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_fast_im2col", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_im2col, normal, passed
_x = normal(805, (2, 3, 5, 7))           # 2 images of 3 x 5 x 7
with answering("im2col"):                # the course's im2col and PyTorch are blocked
    _cols = im2col(_x.copy(), 3, 3, 2, 1)
check_im2col(_cols, _x)                  # against torch.nn.functional.unfold (3x3 windows, stride 2, pad 1)
passed("im2col agrees with torch.nn.functional.unfold (3x3, stride 2, pad 1)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_fast", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_out, conv_cases, passed
for _case in conv_cases(806):            # 3 images of 2 x 7 x 5, 4 filters of 3 x 3: stride 1 pad 1, stride 2 pad 2
    with answering("conv_forward_fast"):     # the course's convolutions and PyTorch are blocked
        _out, _ = conv_forward_fast(_case.x, _case.w, _case.b, _case.conv_param)
    check_out(_out, _case)               # against torch.nn.functional.conv2d
passed("conv_forward_fast agrees with torch.nn.functional.conv2d (stride 1 pad 1, stride 2 pad 2)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_forward_fast_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_no_loops
from helpers.checks.convolution import HINT_LOOPS, answering, check_large_conv, normals, passed
_x, _w, _b = normals(807, (100, 3, 20, 20), (100, 3, 3, 3), (100,))   # 100 images, 100 filters of 3 x 3
with answering("conv_forward_fast"):     # check_no_loops counts the Python lines your code runs
    _result = check_no_loops("conv_forward_fast", conv_forward_fast, _x, _w, _b, {"stride": 1, "pad": 1},
                             max_lines=80, sizes="100 images of 3 x 20 x 20, 100 filters of 3 x 3", hint=HINT_LOOPS)
check_large_conv(_result, _x, _w, _b)    # and the output is right
passed("conv_forward_fast runs with loops over the kernel offsets only (100 images, 100 filters)")

# %% [markdown]
# ### The fast backward pass: col2im
#
# For one image $n$ the fast forward pass is an affine layer:
# $\text{out}_n = W\,\text{cols}_n + b$, with $W$ = `w.reshape(F, -1)` of shape
# $(F,\; C\,HH\,WW)$ and $\text{out}_n$ of shape $(F,\; H'W')$. So its
# gradients are those of notebook 03's affine layer, summed over the images:
#
# $$dW = \sum_n \text{dout}_n\, \text{cols}_n^{\top}, \qquad
#   d\text{cols}_n = W^{\top}\, \text{dout}_n, \qquad
#   db = \sum_{n,\,i,\,j} \text{dout}[n, :, i, j],$$
#
# and `dw` is `dW` reshaped to `w.shape`. The columns were **copies**: with
# overlapping windows one input element sits in several columns (up to
# $HH \cdot WW$ of them at stride 1), so its gradient is the **sum** of the
# gradients of all its copies. **col2im** computes that sum: it adds every
# entry of `dcols` back onto the place of the padded input it was copied
# from, then crops the padding. The loop over kernel offsets of im2col works
# backwards too, with `+=` into the slice instead of reading it:
# `dxp[:, :, di:di + S*H_out:S, dj:dj + S*W_out:S] += cols6[:, :, di, dj]`
# (within one offset the slice has no repeated element; the `+=` adds up the
# offsets). `np.add.at` with index arrays is another way.
#
# **Exercise 8 (3 points).** `col2im(cols, x_shape, HH, WW, stride, pad)`, the
# reverse of `im2col`, and `conv_backward_fast(dout, cache)` built on it,
# returning `(dx, dw, db)` like `conv_backward_naive`. Get the columns of `x`
# from the course's `conv.im2col` (then a slip in your own im2col costs nothing
# here). "Fast" means: loops over the $HH \cdot WW$ kernel offsets are
# allowed, loops over images, channels, filters or positions are not. A test
# counts the Python lines your code runs on a small and on a larger input:
# the count must not grow with the input.

# %% nbgrader={"grade": false, "grade_id": "conv_backward_fast", "locked": false, "schema_version": 3, "solution": true}
def col2im(cols, x_shape, HH, WW, stride=1, pad=0):
    """cols: (N, C * HH * WW, H_out * W_out), ordered as im2col's. Adds each
    column back onto its window of a zero array of the padded shape
    (N, C, H + 2 * pad, W + 2 * pad) -- overlapping windows add up -- and
    returns the part without padding, of shape x_shape = (N, C, H, W)."""
    N, C, H, W = x_shape
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    ### BEGIN SOLUTION
    cols6 = cols.reshape(N, C, HH, WW, H_out, W_out)
    xp = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for di in range(HH):
        for dj in range(WW):
            xp[:, :, di:di + stride * H_out:stride, dj:dj + stride * W_out:stride] += cols6[:, :, di, dj]
    x = xp[:, :, pad:pad + H, pad:pad + W]
    ### END SOLUTION
    return x


def conv_backward_fast(dout, cache):
    """Gradients (dx, dw, db) of the convolution, with im2col and col2im.
    dout: (N, F, H_out, W_out); cache = (x, w, b, conv_param) from the forward
    pass (fast or naive). Returns arrays shaped like x, w and b."""
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    ### BEGIN SOLUTION
    cols = conv.im2col(x, HH, WW, stride, pad)          # (N, C*HH*WW, H_out*W_out)
    dout2 = dout.reshape(N, F, -1)                      # (N, F, H_out*W_out)
    dw = (dout2 @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    db = dout.sum(axis=(0, 2, 3))
    dcols = w.reshape(F, -1).T @ dout2                  # (N, C*HH*WW, H_out*W_out)
    dx = col2im(dcols, x.shape, HH, WW, stride, pad)
    ### END SOLUTION
    return dx, dw, db


# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_fast_col2im", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_col2im, col2im_cases, passed
for _case in col2im_cases():             # columns of a (2, 3, 5, 7) input (stride 1 pad 1), a (2, 2, 7, 5) (2, 1)
    with answering("col2im"):            # the course's col2im and PyTorch are blocked
        _x = col2im(_case.cols, _case.x_shape, 3, 3, _case.stride, _case.pad)
    check_col2im(_x, _case)              # against torch.nn.functional.fold
passed("col2im agrees with torch.nn.functional.fold (3x3, stride 1 pad 1 and stride 2 pad 1)")

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_fast", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_conv_grads, conv_grad_cases, passed
for _case in conv_grad_cases(816):       # dout and cache: 3 images of 2 x 7 x 5, 4 filters; stride 1 pad 1, 2 and 2
    with answering("conv_backward_fast"):    # the course's convolutions and PyTorch are blocked
        _grads = conv_backward_fast(_case.dout, _case.cache)
    check_conv_grads(_grads, _case)      # dx, dw and db against PyTorch autograd
passed("conv_backward_fast agrees with PyTorch autograd (stride 1 pad 1, stride 2 pad 2)")
### BEGIN HIDDEN TESTS
# A rectangular kernel without padding, and 1 x 3 kernels on signals (N, C, 1, L).
for _case in conv_grad_cases(816, hidden=True):
    with answering("conv_backward_fast"):
        _grads = conv_backward_fast(_case.dout, _case.cache)
    check_conv_grads(_grads, _case)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_conv_backward_fast_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import python_line_count
from helpers.checks.convolution import answering, check_backward_lines, line_cases, passed
_cases = line_cases()                    # 2 images of 2 x 6 x 6, 2 filters; 6 of 6 x 12 x 12, 6 filters (3x3, pad 1)
with answering("conv_backward_fast"):    # python_line_count counts the Python lines your code runs
    _runs = [python_line_count(conv_backward_fast, _c.dout, _c.cache) for _c in _cases]   # (grads, lines run)
_lines = check_backward_lines(_runs, _cases)   # the larger case's grads against PyTorch; the count must not grow
passed(f"conv_backward_fast runs {_lines[1]} lines of Python whatever the size of the input "
       "(loops over kernel offsets only)")

# %% [markdown]
# ### Fast max pooling: a reshape
#
# The usual pooling layer has windows as large as its stride, $2 \times 2$
# with stride 2: the windows **tile** the input, side by side, with no overlap
# and no gap. Then nothing needs to be copied: `x.reshape(N, C, H', PH, W', PW)`
# splits each row index $h$ into $(i, d_i)$ with $h = i \cdot PH + d_i$ and each
# column index into $(j, d_j)$, so `[n, c, i, :, j, :]` is the window of
# output $(i, j)$, and the maximum over axes 3 and 5 is the pooling.
#
# Backward, each gradient goes to the maximum of its window. Ties are common
# after a ReLU (a window of zeros), so the rule must be exact. Here it is:
# **the whole gradient goes to the first maximum of the window in row-major
# order** (the element `np.argmax` picks in the window flattened row by row,
# the one PyTorch picks too); every other element, tied or not, gets 0. To use
# `argmax`, move the window axes to the end and flatten them:
# `x.reshape(N, C, H', PH, W', PW).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H', W', PH * PW)`.
# Build the gradient in that layout, then undo the reshapes and the transpose.
#
# **Exercise 9 (5 points).** `max_pool_forward_fast(x, pool_param)` and
# `max_pool_backward_fast(dout, cache)` for windows that tile `x` (the given
# code checks this and raises a `ValueError` otherwise; overlapping windows
# need the naive version), with the naive version's cache `(x, pool_param)`.
# No Python loop over images, channels or positions; a loop over the
# $PH \cdot PW$ offsets inside a window is fine. Windows may be rectangular:
# $1 \times 2$ windows with stride 2 tile a signal of shape $(N, C, 1, L)$.

# %% nbgrader={"grade": false, "grade_id": "max_pool_fast", "locked": false, "schema_version": 3, "solution": true}
def max_pool_forward_fast(x, pool_param):
    """x: (N, C, H, W), windows that tile x. Returns (out, cache): out
    (N, C, H // PH, W // PW), cache = (x, pool_param)."""
    PH, PW, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    # The windows tile x: along each axis they are as long as the stride and
    # divide the input, or there is one window as long as the input.
    if not (H % PH == 0 and W % PW == 0 and (S == PH or H == PH) and (S == PW or W == PW)):
        raise ValueError(f"{PH}x{PW} windows with stride {S} do not tile a {H}x{W} input: "
                         "use max_pool_forward_naive")
    H_out, W_out = H // PH, W // PW
    ### BEGIN SOLUTION
    out = x.reshape(N, C, H_out, PH, W_out, PW).max(axis=(3, 5))
    ### END SOLUTION
    return out, (x, pool_param)


def max_pool_backward_fast(dout, cache):
    """dout: (N, C, H_out, W_out); cache = (x, pool_param), windows that tile x.
    Returns dx shaped like x: each dout[n, c, i, j] goes to the first maximum
    of its window in row-major order; every other element gets 0."""
    x, pool_param = cache
    PH, PW = pool_param["pool_height"], pool_param["pool_width"]
    N, C, H, W = x.shape
    H_out, W_out = H // PH, W // PW
    ### BEGIN SOLUTION
    windows = x.reshape(N, C, H_out, PH, W_out, PW).transpose(0, 1, 2, 4, 3, 5).reshape(
        N, C, H_out, W_out, PH * PW)
    first = windows.argmax(axis=-1)                              # (N, C, H_out, W_out)
    onehot = np.arange(PH * PW) == first[..., None]              # (N, C, H_out, W_out, PH*PW)
    dwindows = onehot * dout[..., None]
    dx = dwindows.reshape(N, C, H_out, W_out, PH, PW).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, W)
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_max_pool_forward_fast", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_out, passed, pool_cases
for _case in pool_cases(818):            # 2 images of 3 x 6 x 8, 2x2 windows with stride 2
    with answering("max_pool_forward_fast"):     # the course's pooling and PyTorch are blocked
        _out, _ = max_pool_forward_fast(_case.x, _case.param)
    check_out(_out, _case)               # against torch.nn.functional.max_pool2d
passed("max_pool_forward_fast agrees with torch.nn.functional.max_pool2d (2x2, stride 2)")

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_forward_fast_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: 3x3 windows, 1x2 windows on signals, rectangular 2x3 windows (one row of windows).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.convolution import answering, check_out, pool_cases
for _case in pool_cases(819):
    with answering("max_pool_forward_fast"):
        _out, _ = max_pool_forward_fast(_case.x, _case.param)
    check_out(_out, _case)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_backward_fast", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_pool_grad, passed, pool_grad_cases
for _case in pool_grad_cases(820):       # dout and the cache of 2 images of 3 x 6 x 8, 2x2 windows with stride 2
    with answering("max_pool_backward_fast"):    # the course's pooling and PyTorch are blocked
        _dx = max_pool_backward_fast(_case.dout, _case.cache)
    check_pool_grad(_dx, _case)          # against PyTorch autograd of max_pool2d
passed("max_pool_backward_fast agrees with PyTorch autograd (2x2, stride 2)")
### BEGIN HIDDEN TESTS
for _case in pool_grad_cases(820, hidden=True):
    with answering("max_pool_backward_fast"):
        _dx = max_pool_backward_fast(_case.dout, _case.cache)
    check_pool_grad(_dx, _case)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_backward_fast_ties", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convolution import answering, check_pool_grad, passed, pool_grad_cases
for _case in pool_grad_cases(821):       # ties: windows of zeros after a ReLU (2x2); 2x3 windows with two equal maxima
    with answering("max_pool_backward_fast"):
        _dx = max_pool_backward_fast(_case.dout, _case.cache)
    check_pool_grad(_dx, _case)          # against PyTorch autograd: all of it to the FIRST maximum, row by row
passed("max_pool_backward_fast routes each gradient to the first maximum of its window (ties like PyTorch)")

# %% nbgrader={"grade": true, "grade_id": "test_max_pool_fast_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import python_line_count
from helpers.checks.convolution import answering, check_pool_lines, passed, pool_line_cases
_cases = pool_line_cases()               # 2 images of 2 x 4 x 4, then 6 of 6 x 12 x 12; 2x2 windows, stride 2
with answering("max_pool_fast"):         # python_line_count counts the Python lines your code runs
    _forward = [python_line_count(max_pool_forward_fast, _c.x, _c.param) for _c in _cases]       # (result, lines)
    _backward = [python_line_count(max_pool_backward_fast, _c.dout, _c.cache) for _c in _cases]  # (dx, lines)
_lines = check_pool_lines(_forward, _backward, _cases)   # the larger case against PyTorch; the count must not grow
passed(f"max_pool_forward_fast and max_pool_backward_fast run {_lines[1]} lines of Python whatever the input size")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_fast_backward", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) For a $3 \times 3$ convolution with stride 1
# and padding 1 on a $6 \times 6$ input, how many columns of `cols` hold a
# copy of the input element at row 2, column 2 (counting from 0), and what
# would col2im get wrong with `=` instead of `+=`? (b) After a ReLU, a
# $2 \times 2$ pooling
# window holds four zeros and its upstream gradient is $g$. Three rules for
# its backward pass: all of $g$ to the first zero; $g/4$ to each zero; $g$ to
# each zero. Which of them are valid (sub)gradients of the max, and which is
# not? Hint: raise all four inputs by $\varepsilon$; how much does the output
# change, and what does each rule predict? Why does the exercise fix one rule?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Nine: the element is in the window of every output
# position within one step of it (rows 1-3, columns 1-3), at a different
# kernel offset in each, so 9 columns hold a copy. Its gradient is the sum of
# the 9 copies' gradients; with `=` each offset overwrites the previous one
# and only the last offset's contribution survives (the others are lost).
# (b) The max is not differentiable there (a kink): any weighting of the tied
# elements that sums to 1 is a valid subgradient, so "all to the first" and
# "$g/4$ each" are both valid. "$g$ to each" is not: raising all four inputs
# by $\varepsilon$ raises the output by $\varepsilon$ (the gradient times it
# should be $g\varepsilon$), but that rule predicts $4g\varepsilon$. The
# exercise fixes one rule (the first maximum, as `np.argmax` and PyTorch) so
# that the answer is unique: reproducible, and checkable exactly against
# PyTorch.
#
# *Rubric (2 points).* 1 point: 9 copies (in 9 columns) and overlapping
# contributions lost with `=` (only the last one kept). 1 point: the first two
# rules valid, "$g$ to each" not (it sums to $4g$, the output moves by only
# $\varepsilon$), with one reason to fix a rule (a unique, testable answer,
# the same as PyTorch).
# ### END SOLUTION

# %% [markdown]
# **How much faster?** Your loops against your fast layers, the course's
# (`helpers.conv`: im2col by sliding-window views, the same col2im) and
# PyTorch, forward and backward timed separately, on 4 images of
# $3 \times 16 \times 16$ with 8 filters of $3 \times 3$; then max pooling.
# `python -m bench conv` measures the CIFAR-sized case (50 images of
# $3 \times 32 \times 32$, 32 filters): there the fast layers are a few
# hundred times faster than the loops, forward and backward, and within a
# small factor of PyTorch.

# %% tags=["demo"]
def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_backward_time(repeat=3):
    times = []
    for _ in range(repeat):
        out = F.conv2d(xt, wt, bt, padding=1)  # a new graph each time, not timed
        start = time.perf_counter()
        out.backward(torch.tensor(dout))
        times.append(time.perf_counter() - start)
    return min(times)


rng = np.random.default_rng(9)
x, w, b = rng.standard_normal((4, 3, 16, 16)), rng.standard_normal((8, 3, 3, 3)), np.zeros(8)
cp = {"stride": 1, "pad": 1}
dout = rng.standard_normal((4, 8, 16, 16))
xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
versions = {"your loops": (conv_forward_naive, conv_backward_naive, 1),
            "your im2col + col2im": (conv_forward_fast, conv_backward_fast, 3),
            "course fast (helpers.conv)": (conv.conv_forward_fast, conv.conv_backward_fast, 3)}
timings = {}
for name, (forward, backward, repeat) in versions.items():
    cache = forward(x, w, b, cp)[1]
    timings[name] = (best_of(lambda: forward(x, w, b, cp), repeat), best_of(lambda: backward(dout, cache), repeat))
timings["PyTorch (float64)"] = (best_of(lambda: F.conv2d(xt, wt, bt, padding=1)), torch_backward_time())
loops = timings["your loops"]
for name, (t_forward, t_backward) in timings.items():
    print(f"{name:<28} forward {t_forward * 1e3:7.2f} ms ({loops[0] / t_forward:4.0f}x the loops)   "
          f"backward {t_backward * 1e3:7.2f} ms ({loops[1] / t_backward:4.0f}x the loops)")

xpool, pool = rng.standard_normal((4, 8, 16, 16)), {"pool_height": 2, "pool_width": 2, "stride": 2}
dpool = rng.standard_normal((4, 8, 8, 8))
for name, forward, backward in [("your pooling loops", max_pool_forward_naive, max_pool_backward_naive),
                                ("your reshape pooling", max_pool_forward_fast, max_pool_backward_fast)]:
    cache = forward(xpool, pool)[1]
    print(f"{name:<28} forward {best_of(lambda: forward(xpool, pool)) * 1e3:7.2f} ms   "
          f"backward {best_of(lambda: backward(dpool, cache)) * 1e3:7.2f} ms")

names = list(timings)
fig, ax = plt.subplots(figsize=(8, 3.2))
for k, (part, color) in enumerate([("forward", "tab:blue"), ("backward", "tab:orange")]):
    ax.barh(np.arange(len(names)) - 0.2 + 0.4 * k, [timings[n][k] * 1e3 for n in names], height=0.4,
            color=color, label=part)
ax.set_xscale("log")
ax.set_yticks(np.arange(len(names)), names)
ax.invert_yaxis()
ax.set_xlabel("milliseconds (log scale)")
ax.set_ylabel("implementation")
ax.set_title("One conv layer on 4 images: the fast versions beat the loops 100x or more")
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Your own ConvNet
#
# You now have every layer of a convolutional network: the convolution and
# max pooling of sections 2-4, and the affine layer, the ReLU and the softmax
# loss of notebook 03 (the course's versions are imported below,
# `affine_forward`, `relu_forward`, `softmax_loss`, ..., with the same
# arguments as yours). Put them together into the classic small ConvNet
#
# $$\text{conv} \to \text{ReLU} \to 2{\times}2\ \text{max pool} \to \text{affine}
#   \to \text{ReLU} \to \text{affine} \to \text{softmax}$$
#
# and train it on real images: scikit-learn's 1797 handwritten **digits**,
# $8 \times 8$ pixels with values in $[0, 1]$ and one channel, so an input of
# shape $(N, 1, 8, 8)$ (they come flat, $(N, 64)$: reshape them).
#
# For an input of $C \times H \times W$ ($H$ and $W$ even), $F$ filters of
# $k \times k$ ($k$ odd), $D$ hidden units and $K$ classes:
#
# | layer | output shape | parameters |
# |---|---|---|
# | conv $k \times k$, stride 1, pad $(k-1)/2$ | $(N, F, H, W)$ | `W1` $(F, C, k, k)$, `b1` $(F,)$ |
# | ReLU | $(N, F, H, W)$ | |
# | max pool $2 \times 2$, stride 2 | $(N, F, H/2, W/2)$ | |
# | affine, ReLU | $(N, D)$ | `W2` $(F \cdot H/2 \cdot W/2,\ D)$, `b2` $(D,)$ |
# | affine | $(N, K)$, the scores | `W3` $(D, K)$, `b3` $(K,)$ |
#
# The padding $(k-1)/2$ keeps the height and width ("same" padding). The
# first affine layer flattens each image's $F \times H/2 \times W/2$ block
# row-major, as `affine_forward` does (`x.reshape(N, -1)`). The loss is the
# softmax loss of the scores plus $\text{reg}\,(\sum W_1^2 + \sum W_2^2 + \sum W_3^2)$:
# no penalty on the biases.

# %% [markdown]
# **Your layers or the course's.** The network takes its convolution and
# pooling as an argument, `conv_layers`: a dict of four functions under the
# keys `conv_forward`, `conv_backward`, `pool_forward` and `pool_backward`.
# `YOUR_LAYERS` holds your fast versions of section 4, `COURSE_LAYERS` the
# course's (`helpers.conv`). Train with yours: if the network learns, your
# layers work inside a real network. The tests pass the course's, so a slip
# in sections 2-4 costs no points here.

# %% nbgrader={"grade": false, "grade_id": "convnet_setup", "locked": true, "schema_version": 3, "solution": false}
from matplotlib.ticker import MaxNLocator

from helpers.layers import (affine_backward, affine_forward, affine_relu_backward, affine_relu_forward,
                            relu_backward, relu_forward, softmax_loss)

YOUR_LAYERS = {"conv_forward": conv_forward_fast, "conv_backward": conv_backward_fast,
               "pool_forward": max_pool_forward_fast, "pool_backward": max_pool_backward_fast}
COURSE_LAYERS = {"conv_forward": conv.conv_forward_fast, "conv_backward": conv.conv_backward_fast,
                 "pool_forward": conv.max_pool_forward_fast, "pool_backward": conv.max_pool_backward_fast}

digits = load_digits(n_val=300, n_test=300, seed=0)  # 1197 / 300 / 300 images, stratified
digit_data = {k: digits[k] for k in ("X_train", "y_train", "X_val", "y_val")}  # the test set waits for the end
print("digits train / val:", digit_data["X_train"].shape, digit_data["X_val"].shape)

# %% [markdown]
# **Exercise 10 (7 points).** `SmallConvNet`.
#
# - `__init__`: the weights `W1`, `W2`, `W3` from
#   `weight_scale * rng.standard_normal(shape)` with the given `rng`, the
#   biases zero, all in the dict `self.params`, with the shapes of the table.
# - `loss(X)` returns the scores $(N, K)$; `loss(X, y)` returns
#   `(loss, grads)` with one gradient per parameter, under the same keys.
#   `X` may come as $(N, C, H, W)$ or flat, $(N, C \cdot H \cdot W)$.
# - The convolution and the pooling come from `self.conv_layers`, the rest
#   from `affine_forward`, `relu_forward`, `softmax_loss` and their backward
#   functions (the tests refuse the course's `conv_relu_pool_forward` block
#   and its `ConvNet`: the point is to assemble the network yourself).
#
# Forward, keep every cache; backward, call the backward functions in the
# reverse order, each fed with the gradient the one after it returned.

# %% nbgrader={"grade": false, "grade_id": "SmallConvNet", "locked": false, "schema_version": 3, "solution": true}
class SmallConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, for images (C, H, W).

    params: W1 (F, C, k, k), b1 (F,) of the conv (stride 1, pad (k - 1) // 2);
    W2 (F * H//2 * W//2, hidden_dim), b2 (hidden_dim,); W3 (hidden_dim, num_classes), b3 (num_classes,).
    Loss: softmax cross-entropy + reg * (sum(W1**2) + sum(W2**2) + sum(W3**2)).
    conv_layers: a dict of the functions conv_forward, conv_backward, pool_forward, pool_backward.
    """

    def __init__(self, input_dim=(1, 8, 8), num_filters=16, filter_size=3, hidden_dim=100,
                 num_classes=10, weight_scale=1e-2, reg=0.0, seed=0, *, conv_layers):
        self.input_dim, self.filter_size, self.reg = tuple(input_dim), filter_size, reg
        self.conv_layers = conv_layers
        rng = np.random.default_rng(seed)
        ### BEGIN SOLUTION
        C, H, W = self.input_dim
        self.params = {
            "W1": weight_scale * rng.standard_normal((num_filters, C, filter_size, filter_size)),
            "b1": np.zeros(num_filters),
            "W2": weight_scale * rng.standard_normal((num_filters * (H // 2) * (W // 2), hidden_dim)),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * rng.standard_normal((hidden_dim, num_classes)),
            "b3": np.zeros(num_classes),
        }
        ### END SOLUTION

    def loss(self, X, y=None):
        """X: (N, C, H, W) or (N, C * H * W); y: (N,) labels or None.
        Returns the scores (N, num_classes) if y is None, else (loss, grads)
        with grads a dict of arrays shaped like self.params."""
        conv_forward, conv_backward = self.conv_layers["conv_forward"], self.conv_layers["conv_backward"]
        pool_forward, pool_backward = self.conv_layers["pool_forward"], self.conv_layers["pool_backward"]
        conv_param = {"stride": 1, "pad": (self.filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        ### BEGIN SOLUTION
        p = self.params
        X = np.reshape(X, (len(X), *self.input_dim))
        a1, conv_cache = conv_forward(X, p["W1"], p["b1"], conv_param)
        r1, relu_cache = relu_forward(a1)
        h1, pool_cache = pool_forward(r1, pool_param)
        h2, hidden_cache = affine_relu_forward(h1, p["W2"], p["b2"])
        scores, scores_cache = affine_forward(h2, p["W3"], p["b3"])
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2) + np.sum(p["W3"] ** 2))
        grads = {}
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, hidden_cache)
        dr1 = pool_backward(dh1, pool_cache)
        da1 = relu_backward(dr1, relu_cache)
        _, grads["W1"], grads["b1"] = conv_backward(da1, conv_cache)
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] + 2 * self.reg * p[k]
        return loss, grads
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_SmallConvNet_init", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convnet import answering, check_init, course_conv_layers, passed
_sizes = dict(input_dim=(2, 6, 10), num_filters=3, filter_size=5, hidden_dim=7, num_classes=4, weight_scale=0.05)
with answering():                        # the course's ConvNet and its layer blocks and PyTorch are blocked
    _nets = [SmallConvNet(**_sizes, seed=_s, conv_layers=course_conv_layers()) for _s in (3, 3, 4)]
    _big = SmallConvNet(input_dim=(3, 8, 8), num_filters=32, filter_size=3, hidden_dim=100, num_classes=10,
                        weight_scale=0.05, seed=5, conv_layers=course_conv_layers())
check_init(_nets, _big)                  # keys and shapes; zero biases; weights of std 0.05; the seed decides
passed("SmallConvNet starts with the right shapes, scale and zero biases")

# %% nbgrader={"grade": true, "grade_id": "test_SmallConvNet_scores", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convnet import answering, check_scores, course_conv_layers, net_inputs, passed
_sizes, _params, _X, _ = net_inputs(831)     # (2, 6, 8) inputs, 3 filters 3x3, 5 hidden units, 4 classes; 4 images
with answering():                        # the course's ConvNet and its layer blocks and PyTorch are blocked
    _net = SmallConvNet(**_sizes, conv_layers=course_conv_layers())
    _net.params = _params                # random parameters, biases too
    _scores = _net.loss(_X)
check_scores(_scores)                    # PyTorch's scores of the same network
passed("SmallConvNet.loss(X) returns the scores of the same network built in PyTorch")

# %% nbgrader={"grade": true, "grade_id": "test_SmallConvNet_loss", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks.convnet import answering, check_loss, course_conv_layers, net_inputs, passed
_sizes, _params, _X, _y = net_inputs(832)    # the sizes of the test above; 5 images and their labels
with answering():
    _net = SmallConvNet(**_sizes, reg=0.0, conv_layers=course_conv_layers())
    _net.params = _params
    _result = _net.loss(_X, _y)
check_loss(_result)                      # the loss and all six gradients against PyTorch autograd
passed("SmallConvNet loss and all six gradients agree with PyTorch autograd (reg = 0)")

# %% nbgrader={"grade": true, "grade_id": "test_SmallConvNet_reg", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.convnet import answering, check_reg, course_conv_layers, net_inputs, passed
_sizes, _params, _X, _y = net_inputs(833)    # the same sizes; 5 other images and labels
with answering():
    _net = SmallConvNet(**_sizes, reg=0.3, conv_layers=course_conv_layers())
    _net.params = _params
    _result = _net.loss(_X, _y)
check_reg(_result, reg=0.3)              # with the L2 penalty on W1, W2 and W3, against PyTorch autograd
passed("SmallConvNet with L2 regularization agrees with PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_SmallConvNet_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: flat 8x8 images (N, 64), 5x5 filters (pad 2), reg 0.05, against PyTorch;
# loss changes neither X nor the parameters.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close, check_equal
from helpers.checks.convnet import KEYS, answering, course_conv_layers, net_inputs, torch_convnet
_sizes, _params, _X, _y = net_inputs(834)
_X_before, _params_before = _X.copy(), {_k: _v.copy() for _k, _v in _params.items()}
with answering():
    _net = SmallConvNet(**_sizes, reg=0.05, conv_layers=course_conv_layers())
    _net.params = _params
    _scores = _net.loss(_X)
    _loss, _grads = _net.loss(_X, _y)
    _params_after = _net.params
_tl, _tg = torch_convnet(_params_before, _X_before, (1, 8, 8), _y, reg=0.05)
check_close("scores for flat (3, 64) images and 5x5 filters", _scores,
            torch_convnet(_params_before, _X_before, (1, 8, 8)),
            hint="reshape X to (N, C, H, W) with self.input_dim; 5x5 filters need pad 2.")
check_close("loss for flat images, 5x5 filters, reg = 0.05", _loss, _tl)
for _k in KEYS:
    check_close(f"grads['{_k}'] for flat images, 5x5 filters, reg = 0.05", _grads[_k], _tg[_k])
check_equal("X after loss(X, y)", _X, _X_before, hint="do not change X in place.")
for _k in KEYS:
    check_equal(f"params['{_k}'] after loss(X, y)", _params_after[_k], _params_before[_k],
                hint="loss computes gradients; it must not change the parameters (the optimizer does).")
### END HIDDEN TESTS

# %% [markdown]
# **Check your gradients.** Before any training, a numerical gradient check
# of your network with your own layers, on a tiny input (2 channels of
# $4 \times 4$, 2 filters, 4 hidden units, 3 classes), every parameter. Read it
# as in notebook 03: around $10^{-8}$ or below is right; max and ReLU have
# kinks, so up to about $10^{-6}$ can happen; $10^{-2}$ is a bug, in the loss
# or in one of your layers (run it again with `conv_layers=COURSE_LAYERS` to
# find out which).

# %% tags=["demo"]
check_net = SmallConvNet(input_dim=(2, 4, 4), num_filters=2, filter_size=3, hidden_dim=4, num_classes=3,
                         weight_scale=0.5, reg=0.1, seed=1, conv_layers=YOUR_LAYERS)
rng = np.random.default_rng(8)
X_check, y_check = rng.standard_normal((3, 2, 4, 4)), np.array([0, 2, 1])
_, check_grads = check_net.loss(X_check, y_check)
for name, value in check_net.params.items():
    num = eval_numerical_gradient(lambda _: check_net.loss(X_check, y_check)[0], value)
    print(f"SmallConvNet d{name:<3} {str(value.shape):<14} relative error {rel_error(check_grads[name], num):.1e}")

# %% [markdown]
# ### Sanity check: overfit a few images
#
# Before a long training, check that the network *can* learn: without
# regularization it should fit 50 images perfectly in a few dozen steps. If
# it cannot, something is wrong in the loss, the gradients or the learning
# rate, and more data or more epochs will not help.
#
# Your training functions get the network from a **maker**, `make_net`: a
# function that takes the keyword arguments of `SmallConvNet` (all but
# `conv_layers`) and returns a network, as `random_search` got its models in
# notebook 02. You choose the arguments, for example
# `make_net(num_filters=8, weight_scale=0.1, seed=0)`. In your experiments pass
# `make_your_net` (below: your `SmallConvNet` with your layers); the tests pass
# a maker of the course's network with the same architecture and the same
# arguments, so a slip in `SmallConvNet` costs nothing here.

# %% nbgrader={"grade": false, "grade_id": "make_your_net", "locked": true, "schema_version": 3, "solution": false}
def make_your_net(**settings):
    """Your SmallConvNet with your own fast conv and pool layers, from SmallConvNet's keyword arguments."""
    return SmallConvNet(**settings, conv_layers=YOUR_LAYERS)

# %% [markdown]
# **Exercise 11 (2 points).** `overfit_small(X, y, make_net)`: train a network
# from `make_net` with `reg=0` on the small set `X`, `y` (pass it as the
# validation set too) with the `Solver` until it classifies every image of it
# right, and return the Solver. Well under a second is enough.

# %% nbgrader={"grade": false, "grade_id": "overfit_small", "locked": false, "schema_version": 3, "solution": true}
def overfit_small(X, y, make_net):
    """Train a network from make_net(...) (reg = 0) on the few images X (N, 64), y (N,)
    until it classifies all of them right. Returns the Solver (solver.model is the network)."""
    ### BEGIN SOLUTION
    net = make_net(weight_scale=0.1, reg=0.0, seed=0)
    solver = Solver(net, dict(X_train=X, y_train=y, X_val=X, y_val=y), optimizer=Adam(lr=1e-2),
                    batch_size=25, num_epochs=15, verbose=False, progress=False)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_overfit_small", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.convnet import check_overfit_small, course_net, digits_subset, passed
_X, _y = digits_subset(50)               # the first 50 training digits, flat (64 pixels), and their labels
_solver = overfit_small(_X.copy(), _y.copy(), course_net)   # course_net: the course's network from your settings
check_overfit_small(_solver, _X, _y)     # the trained network classifies all 50 right
passed("overfit_small fits all 50 images (training accuracy 100%)")

# %% [markdown]
# ### Train it on the digits
#
# **Exercise 12 (4 points).** `train_digits(data, make_net, seed=0)`: train a
# network from `make_net` with the `Solver` on `data` (the keys `X_train`,
# `y_train`, `X_val`, `y_val`: flat digits) and return the Solver. Pass `seed`
# on to `make_net` and to the `Solver`. The test trains it once more (with the
# course's network) and needs **at least 96% accuracy on the validation set**.
# Choose the settings (filters, hidden units, weight scale, reg, optimizer and
# learning rate, epochs) in a scratch cell by the validation accuracy:
# `solver.val_acc_history` shows whether training is still improving. Keep
# it to a couple of seconds: the test runs it again when your notebook is
# graded.

# %% nbgrader={"grade": false, "grade_id": "train_digits", "locked": false, "schema_version": 3, "solution": true}
def train_digits(data, make_net, seed=0):
    """Train a network from make_net(..., seed=seed) on the digits in data (X_train (N, 64),
    y_train, X_val, y_val). Returns the Solver after training (solver.model is the network)."""
    ### BEGIN SOLUTION
    net = make_net(num_filters=16, hidden_dim=100, weight_scale=0.1, reg=1e-3, seed=seed)
    solver = Solver(net, data, optimizer=Adam(lr=1e-2), batch_size=50, num_epochs=10, lr_decay=0.8,
                    verbose=False, progress=False, seed=seed)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_train_digits", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import time
from helpers.checks.convnet import check_digits, course_net, digit_splits, passed
_start = time.perf_counter()
_solver = train_digits(digit_splits(), course_net, seed=0)   # the digits' training and validation splits
_seconds = time.perf_counter() - _start
_acc = check_digits(_solver)             # a validation accuracy of 0.96 or more
passed(f"train_digits reaches a validation accuracy of {_acc:.3f} (target 0.96) in {_seconds:.1f} s")

# %% [markdown]
# Now your own network, with your own layers, trained by your `train_digits`.
# Left, the loss of every minibatch; middle, the accuracy after each epoch;
# right, the first layer's filters: the small patterns of strokes that the
# network learned to look for everywhere in a digit.

# %% tags=["demo"]
start = time.perf_counter()
digit_solver = train_digits(digit_data, make_your_net)
digit_net = digit_solver.model
digit_val_acc = float(np.mean(np.argmax(digit_net.loss(digits["X_val"]), axis=1) == digits["y_val"]))
print(f"your SmallConvNet with your layers: validation accuracy {digit_val_acc:.3f} "
      f"({time.perf_counter() - start:.1f} s)")
filters = digit_net.params["W1"][:, 0]  # (F, k, k): the filters of the one input channel
cols = int(np.ceil(np.sqrt(len(filters))))
rows = int(np.ceil(len(filters) / cols))
k = filters.shape[1]
grid = np.full((rows * (k + 1) - 1, cols * (k + 1) - 1), np.nan)
for i, f in enumerate(filters):
    r, c = divmod(i, cols)
    grid[r * (k + 1):r * (k + 1) + k, c * (k + 1):c * (k + 1) + k] = f
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
axes[0].plot(digit_solver.loss_history, lw=0.8)
axes[0].set(xlabel="iteration (minibatch)", ylabel="training loss", title="the loss falls within an epoch or two")
epochs = np.arange(1, len(digit_solver.val_acc_history) + 1)
axes[1].plot(epochs, digit_solver.train_acc_history, "o-", label="train")
axes[1].plot(epochs, digit_solver.val_acc_history, "s-", label="validation")
axes[1].xaxis.set_major_locator(MaxNLocator(integer=True))
axes[1].set(xlabel="epoch", ylabel="accuracy", title="validation close behind training")
axes[1].legend(loc="lower right")
lim = np.nanmax(np.abs(grid))
image = axes[2].imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim)
axes[2].set(title=f"the {len(filters)} first-layer filters ({k}x{k})", xticks=[], yticks=[])
fig.colorbar(image, ax=axes[2], label="weight")
fig.tight_layout()

# %% [markdown]
# ## 6. Normalizing feature maps: spatial batch norm and group norm
#
# Batch normalization (notebook 07) normalizes each *feature* of an $(N, D)$
# batch over its $N$ samples. In a conv layer the role of one feature is
# played by one **channel**: the same filter made all its values, at every
# position. So **spatial batch normalization** gives each channel one mean
# and one variance, over the batch *and* all $H \times W$ positions ($NHW$
# numbers per channel), and one scale $\gamma_c$ and shift $\beta_c$ per
# channel. PyTorch calls it `nn.BatchNorm2d`.
#
# $$\mu_c = \frac{1}{NHW}\sum_{n,i,j} x_{ncij}, \qquad
#   \sigma_c^2 = \frac{1}{NHW}\sum_{n,i,j} (x_{ncij} - \mu_c)^2, \qquad
#   y_{ncij} = \gamma_c\,\frac{x_{ncij} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_c .$$
#
# No new formula is needed. Move the channel axis last and flatten the rest:
# `x.transpose(0, 2, 3, 1).reshape(-1, C)` is an $(NHW, C)$ matrix with one
# row per position of every image and one column per channel, and ordinary
# batch norm of that matrix is spatial batch norm. `.reshape(N, H, W, C)`
# then `.transpose(0, 3, 1, 2)` undoes it. The course's `batchnorm_forward`
# and `batchnorm_backward` are imported below: the same arguments, cache and
# running averages in `bn_param` as yours of notebook 07.

# %% nbgrader={"grade": false, "grade_id": "norm_setup", "locked": true, "schema_version": 3, "solution": false}
from helpers.layers import batchnorm_backward, batchnorm_forward

# %% [markdown]
# **Exercise 13 (2 points).** `spatial_batchnorm_forward(x, gamma, beta, bn_param)`
# for `x` of shape $(N, C, H, W)$ and `gamma`, `beta` of shape $(C,)$: call
# `batchnorm_forward` on the $(NHW, C)$ matrix, with its rows in exactly the
# order of `x.transpose(0, 2, 3, 1).reshape(-1, C)`, and return `(out, cache)`:
# `out` of shape $(N, C, H, W)$, and as `cache` the cache that
# `batchnorm_forward` returned, nothing else (the shape of `dout` tells the
# backward pass the rest). Train and test mode both go through `bn_param`.

# %% nbgrader={"grade": false, "grade_id": "spatial_batchnorm_forward", "locked": false, "schema_version": 3, "solution": true}
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """x: (N, C, H, W); gamma, beta: (C,); bn_param as for batchnorm_forward.
    Returns (out, cache): out (N, C, H, W), cache the cache of batchnorm_forward
    on the (N * H * W, C) matrix (None in test mode)."""
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.spatial_norm import answering, check_sbn_cache, check_sbn_step, passed, sbn_cases
_param = {"mode": "train", "momentum": 0.9}
for _case in sbn_cases():                # 3 batches of 4 images, 3 channels of 5 x 6 on different scales
    with answering("spatial_batchnorm_forward"):     # the course's spatial batch norm and PyTorch are blocked
        _out, _cache = spatial_batchnorm_forward(_case.x, _case.gamma, _case.beta, _param)
    check_sbn_step(_out, _param, _case)  # output and running averages against torch.nn.BatchNorm2d; x unchanged
check_sbn_cache(_cache)                  # batchnorm_forward's cache of the last batch's (N * H * W, C) matrix
passed("train mode equals torch.nn.BatchNorm2d, output and running averages over 3 batches; the right cache")

# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_forward_test_mode", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks.spatial_norm import answering, check_sbn_eval, passed, sbn_eval_inputs
_x, _gamma, _beta, _param = sbn_eval_inputs()    # 2 images of 4 channels of 3 x 5; bn_param in test mode
with answering("spatial_batchnorm_forward"):
    _out, _cache = spatial_batchnorm_forward(_x.copy(), _gamma, _beta, _param)
check_sbn_eval(_out, _cache, _param)     # PyTorch's batch norm with the running averages; no cache; nothing updated
passed("test mode equals PyTorch's batch norm in eval mode, with the running averages")

# %% [markdown]
# **Exercise 14 (2 points).** `spatial_batchnorm_backward(dout, cache)`: the
# same reshape of `dout`, `batchnorm_backward` with the cache, and the
# inverse reshape of `dx`. Returns `(dx, dgamma, dbeta)` of shapes
# $(N, C, H, W)$, $(C,)$, $(C,)$. (The tests build the cache themselves, so
# this exercise does not depend on your forward pass.)

# %% nbgrader={"grade": false, "grade_id": "spatial_batchnorm_backward", "locked": false, "schema_version": 3, "solution": true}
def spatial_batchnorm_backward(dout, cache):
    """dout: (N, C, H, W); cache: the cache of spatial_batchnorm_forward (train mode).
    Returns (dx, dgamma, dbeta) with shapes (N, C, H, W), (C,), (C,)."""
    N, C, H, W = dout.shape
    ### BEGIN SOLUTION
    drows, dgamma, dbeta = batchnorm_backward(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    dx = drows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% nbgrader={"grade": true, "grade_id": "test_spatial_batchnorm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.spatial_norm import answering, check_norm_grads, norm_grad_cases, passed
for _case in norm_grad_cases("spatial_batchnorm_backward", 843):   # (3, 4, 2, 5) and (2, 3, 4, 1) maps: dout, cache
    with answering("spatial_batchnorm_backward"):    # the cache is built by PyTorch; PyTorch is blocked for you
        _grads = spatial_batchnorm_backward(_case.dout, _case.cache)
    check_norm_grads(_grads, _case)      # dbeta, dgamma and dx against PyTorch autograd
passed("spatial batch norm's dx, dgamma and dbeta equal PyTorch autograd")

# %% [markdown]
# ### Group normalization
#
# Batch statistics have a price: an image's output depends on the other
# images of its batch, small batches give noisy statistics, and test time
# needs running averages. **Group normalization** (Wu and He, 2018)
# normalizes each image on its own. Its $C$ channels are split into $G$
# groups of $C/G$ consecutive channels, and the $M = (C/G)\,H\,W$ values of one
# group of one image share a mean and a variance:
#
# $$\mu_{ng} = \frac{1}{M}\sum_{c \in g,\ i,\ j} x_{ncij}, \qquad
#   \sigma_{ng}^2 = \frac{1}{M}\sum_{c \in g,\ i,\ j} (x_{ncij} - \mu_{ng})^2, \qquad
#   \hat x_{ncij} = \frac{x_{ncij} - \mu_{ng}}{\sqrt{\sigma_{ng}^2 + \epsilon}}, \qquad
#   y_{ncij} = \gamma_c\,\hat x_{ncij} + \beta_c,$$
#
# still with one $\gamma_c$ and $\beta_c$ per channel. The same computation in
# training and at test time, no running averages, and it works with one image
# per batch. $G = 1$ is **layer normalization** (one group: the whole image),
# $G = C$ **instance normalization** (each channel on its own). In NumPy,
# `x.reshape(N, G, -1)` puts each group of each image in one row of length $M$.
#
# Backward: within one group of one image, $\hat x$ is a batch norm of the
# group's $M$ values, without $\gamma$ (which is per channel). So multiply
# `dout` by $\gamma_c$ first, reshape to $(N, G, M)$, and use notebook 07's
# backward pass along the last axis, in the step-by-step form or the
# simplified one.
#
# **Exercise 15 (3 points).** `groupnorm_forward(x, gamma, beta, G, eps=1e-5)`
# for `x` $(N, C, H, W)$ with $G$ dividing $C$, and `gamma`, `beta` of shape
# $(C,)$. Return `(out, cache)` with
# `cache = (x, x_hat, mean, var, gamma, G, eps)`: `x_hat` of shape
# $(N, C, H, W)$, `mean` and `var` (the biased variance) of shape $(N, G)$.
#
# **Exercise 16 (3 points).** `groupnorm_backward(dout, cache)` returns
# `(dx, dgamma, dbeta)` of shapes $(N, C, H, W)$, $(C,)$, $(C,)$. (The tests
# build the cache, so it does not depend on your forward pass.)

# %% nbgrader={"grade": false, "grade_id": "groupnorm_forward", "locked": false, "schema_version": 3, "solution": true}
def groupnorm_forward(x, gamma, beta, G, eps=1e-5):
    """x: (N, C, H, W); gamma, beta: (C,); G groups of C // G consecutive channels.
    Returns (out, cache): out (N, C, H, W), cache = (x, x_hat, mean, var, gamma, G, eps)
    with x_hat (N, C, H, W) and mean, var (N, G)."""
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    groups = x.reshape(N, G, -1)
    mean, var = groups.mean(axis=2), groups.var(axis=2)
    x_hat = ((groups - mean[:, :, None]) / np.sqrt(var[:, :, None] + eps)).reshape(N, C, H, W)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    ### END SOLUTION
    return out, (x, x_hat, mean, var, gamma, G, eps)


# %% nbgrader={"grade": true, "grade_id": "test_groupnorm_forward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.spatial_norm import answering, check_gn_forward, gn_inputs, passed
_x, _gamma, _beta = gn_inputs()          # 3 images of 6 channels of 4 x 5; channels 3-5 on another scale
with answering("groupnorm_forward"):     # the course's group norm and PyTorch are blocked
    _out, _cache = groupnorm_forward(_x, _gamma, _beta, 2)
check_gn_forward(_out, _cache, _x)       # F.group_norm with G = 2; x unchanged; the cache (x, x_hat, mean, var, ...)
passed("groupnorm_forward equals torch.nn.functional.group_norm (G = 2); the right cache")

# %% nbgrader={"grade": true, "grade_id": "test_groupnorm_forward_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: G = 1 (layer norm) and G = C (instance norm), one image, and eps = 0.1 with a
# tiny variance.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.spatial_norm import answering, gn_forward_cases
for _case in gn_forward_cases():
    with answering("groupnorm_forward"):
        _out, _ = groupnorm_forward(_case.x, _case.gamma, _case.beta, _case.G, eps=_case.eps)
    check_close(_case.what, _out, _case.want,
                hint="eps goes inside the square root, np.sqrt(var + eps), and is the argument eps.")
### END HIDDEN TESTS

# %% nbgrader={"grade": false, "grade_id": "groupnorm_backward", "locked": false, "schema_version": 3, "solution": true}
def groupnorm_backward(dout, cache):
    """dout: (N, C, H, W); cache = (x, x_hat, mean, var, gamma, G, eps) of groupnorm_forward.
    Returns (dx, dgamma, dbeta) with shapes (N, C, H, W), (C,), (C,)."""
    x, x_hat, mean, var, gamma, G, eps = cache
    N, C, H, W = x.shape
    ### BEGIN SOLUTION
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = (dout * gamma.reshape(1, C, 1, 1)).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    std = np.sqrt(var + eps)[:, :, None]
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True) - xh * (dx_hat * xh).mean(axis=2, keepdims=True)) / std
    dx = dx.reshape(N, C, H, W)
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% nbgrader={"grade": true, "grade_id": "test_groupnorm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks.spatial_norm import answering, check_norm_grads, norm_grad_cases, passed
for _case in norm_grad_cases("groupnorm_backward", 853):   # 3 images of 4 channels of 2 x 3, G = 2: dout, cache
    with answering("groupnorm_backward"):    # the cache is built by PyTorch; the course's group norm is blocked
        _grads = groupnorm_backward(_case.dout, _case.cache)
    check_norm_grads(_grads, _case)      # dbeta, dgamma and dx against PyTorch autograd
passed("groupnorm_backward's dx, dgamma and dbeta equal PyTorch autograd (G = 2)")

# %% nbgrader={"grade": true, "grade_id": "test_groupnorm_backward_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: G = 1 and G = C against PyTorch, and a numerical gradient (G = 3, eps = 0.01).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.spatial_norm import answering, check_norm_grads, norm_grad_cases
for _case in norm_grad_cases("groupnorm_backward", 854):
    with answering("groupnorm_backward"):
        _grads = groupnorm_backward(_case.dout, _case.cache)
    check_norm_grads(_grads, _case)
### END HIDDEN TESTS

# %% [markdown]
# Which values share a mean and a variance? Below, each square is one channel
# of one image (all its $H \times W$ values); squares of the same colour and
# number are normalized together. Spatial batch norm ties the whole batch
# together, channel by channel; group norm never looks beyond one image.

# %% tags=["demo"]
rng = np.random.default_rng(11)
maps = 1.0 + 3.0 * rng.standard_normal((8, 6, 4, 4))
ones, zeros = np.ones(6), np.zeros(6)
change_bn = np.abs(spatial_batchnorm_forward(maps, ones, zeros, {"mode": "train"})[0][0]
                   - spatial_batchnorm_forward(maps[:2], ones, zeros, {"mode": "train"})[0][0]).max()
change_gn = np.abs(groupnorm_forward(maps, ones, zeros, 2)[0][0]
                   - groupnorm_forward(maps[:2], ones, zeros, 2)[0][0]).max()
print(f"image 0 normalized in a batch of 8, then of 2: its output changes by up to {change_bn:.3f} "
      f"with spatial batch norm, {change_gn:.1e} with group norm")

N_demo, C_demo, G_demo = 4, 6, 2
shared = {"spatial batch norm: one set per channel": np.tile(np.arange(C_demo), (N_demo, 1)),
          f"group norm, G = {G_demo}: one set per group of each image":
              np.arange(N_demo)[:, None] * G_demo + np.arange(C_demo)[None, :] // (C_demo // G_demo)}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
for ax, (title, sets) in zip(axes, shared.items()):
    image = ax.imshow(sets, cmap=plt.get_cmap("tab10", sets.max() + 1), vmin=-0.5, vmax=sets.max() + 0.5)
    for (n, c), s in np.ndenumerate(sets):
        ax.text(c, n, str(s), ha="center", va="center", color="white", fontsize=9)
    ax.set(xlabel="channel c", ylabel="image n in the batch", title=title,
           xticks=range(C_demo), yticks=range(N_demo))
    fig.colorbar(image, ax=ax, ticks=range(sets.max() + 1), label="set of shared statistics")
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_group_norm", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) A ConvNet is trained with batches of 2 images
# and feature maps of $8 \times 8$. How many numbers does each channel's mean
# come from with spatial batch norm, and how many would each feature's mean
# come from with notebook 07's batch norm of a fully connected layer at the
# same batch size? What does this say about small batches? (b) Give a
# situation where group norm is still the better choice, and say why group
# norm needs no running averages at test time.
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Spatial batch norm averages over the batch and every
# position: $N H W = 2 \cdot 64 = 128$ numbers per channel, against only
# $N = 2$ per feature for a fully connected layer. So spatial batch norm's
# statistics are much less noisy at small batches (though the 64 positions of
# one image are correlated, so it is not as good as 128 independent images;
# and with batch size 1 every image is still normalized by its own statistics
# in training but by the running averages at test time). (b) When batches
# must be tiny (large images, detection or segmentation, one image per GPU),
# or when the output for an image must not depend on the rest of the batch
# (online prediction, one sample at a time): group norm computes its mean and
# variance from the image itself, identically in training and at test time,
# so there is no population estimate to keep.
#
# *Rubric (2 points).* 1 point: 128 (= N H W) vs 2, and the conclusion that
# spatial BN's statistics are better estimated (less noisy) with small
# batches. 1 point: a fitting situation (tiny or size-1 batches, batch-
# independent outputs) and the reason (statistics per image, the same in
# training and test).
# ### END SOLUTION

# %% [markdown]
# ## 7. A ConvNet on 1-D signals: MNIST-1D
#
# The course's network `helpers.nets.ConvNet` stacks blocks of conv (stride 1,
# "same" padding) - ReLU - max pool, then an affine layer and the softmax
# loss, with the course's fast layers. It is a model like those of notebooks
# 03-06 (`params`, `loss(X, y=None)`), so the `Solver` trains it.
#
# MNIST-1D examples are **1-D signals** of 40 numbers. A 1-D signal is an image
# with one channel and one row: shape $(N, 1, 1, 40)$. The filters are then
# $1 \times k$ (a short window sliding along the signal) and the pools
# $1 \times 2$; `ConvNet(input_dim=(1, 1, 40), filter_size=5, pool_size=2)`
# does that, and its `loss` takes the $(N, 40)$ arrays as they are. With two
# blocks of $F_1$ and $F_2$ filters, the signal goes $40 \to 20 \to 10$
# positions, then an affine layer maps the $F_2 \cdot 10$ numbers to 10 scores.
#
# First a gradient check of the whole network on a tiny version (the
# numerical gradient of the loss, every parameter), as for yours. ReLU and max
# are kinks, so up to $10^{-6}$ or so can happen; $10^{-2}$ would be a bug.

# %% tags=["demo"]
tiny = ConvNet(input_dim=(1, 1, 8), num_filters=(3, 2), filter_size=3, pool_size=2, num_classes=4, seed=1)
X_tiny, y_tiny = X_train[:5, :8], y_train[:5] % 4
_, tiny_grads = tiny.loss(X_tiny, y_tiny)
for name in tiny.params:
    num = eval_numerical_gradient(lambda _: tiny.loss(X_tiny, y_tiny)[0], tiny.params[name])
    print(f"ConvNet d{name:<3} {str(tiny.params[name].shape):<14} relative error {rel_error(tiny_grads[name], num):.1e}")

# %% [markdown]
# **Exercise 17 (3 points).** `train_convnet(data)`: build a `ConvNet` for
# MNIST-1D with two blocks, train it with the `Solver` on `data` (the keys
# `X_train`, `y_train`, `X_val`, `y_val`) and return the Solver. The test
# trains it once more and needs **at least 88% accuracy on the validation
# set**; keep it to a few seconds, as the test runs it again when your
# notebook is graded. Choose the numbers of filters, the filter size, the
# optimizer, learning rate, batch size, epochs and `lr_decay` in a scratch
# cell by `solver.val_acc_history` (Adam's learning rate is usually best
# between $10^{-3}$ and $3 \cdot 10^{-2}$).

# %% nbgrader={"grade": false, "grade_id": "train_convnet", "locked": false, "schema_version": 3, "solution": true}
def train_convnet(data):
    """Train a ConvNet on MNIST-1D data (a dict with X_train (N, 40), y_train,
    X_val, y_val). Returns the Solver after training (solver.model is the net)."""
    ### BEGIN SOLUTION
    net = ConvNet(input_dim=(1, 1, 40), num_filters=(16, 32), filter_size=5, pool_size=2, seed=0)
    solver = Solver(net, data, optimizer=Adam(lr=1e-2), batch_size=32, num_epochs=10,
                    lr_decay=0.8, verbose=False, seed=0)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_train_convnet", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import time
from helpers.checks.convnet import check_mnist1d, mnist1d_data, passed
_start = time.perf_counter()
_solver = train_convnet(mnist1d_data())  # MNIST-1D: 3500 training and 500 validation signals
_seconds = time.perf_counter() - _start
_acc = check_mnist1d(_solver)            # a validation accuracy of 0.88 or more
passed(f"your ConvNet reaches a validation accuracy of {_acc:.3f} (target 0.88) in {_seconds:.1f} s")

# %% [markdown]
# What did it learn? The first layer's filters are short patterns of 5
# numbers (left), and the feature maps of the first block show where along a
# validation signal (middle) each of a few filters responds (right, after
# ReLU and pooling).

# %% tags=["demo"]
solver = train_convnet(dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val))
cnn = solver.model
cnn_val_acc = float(np.mean(np.argmax(cnn.loss(X_val), axis=1) == y_val))
print(f"ConvNet: validation accuracy {cnn_val_acc:.3f}")
W1 = cnn.params["W1"][:, 0, 0, :]  # (F1, 5)
cnn.loss(X_val[:1])
fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
lim = np.abs(W1).max()
image = axes[0].imshow(W1, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
axes[0].set(title=f"first-layer filters ({W1.shape[0]} x {W1.shape[1]})", xlabel="tap", ylabel="filter")
axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
fig.colorbar(image, ax=axes[0], label="weight")
axes[1].plot(mnist["t"], X_val[0])
axes[1].set(title=f"a validation signal (class {y_val[0]})", xlabel="t", ylabel="value")
maps_val = cnn.feature_maps[0][0, :8, 0, :]
image = axes[2].imshow(maps_val, cmap="viridis", aspect="auto")
axes[2].set(title="block 1 feature maps (8 filters)", xlabel=f"position (of {maps_val.shape[1]})", ylabel="filter")
axes[2].yaxis.set_major_locator(MaxNLocator(integer=True))
fig.colorbar(image, ax=axes[2], label="activation")
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_receptive_field", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** The **receptive field** of a unit is the part of
# the input that can change its value. In the network above (conv $1 \times 5$,
# pool $1 \times 2$, conv $1 \times 5$, pool $1 \times 2$), how many of the 40
# input positions does one unit of the second block's output see? Explain
# step by step, and say why a large receptive field matters for MNIST-1D.
#
# ### BEGIN SOLUTION
# *Model answer.* Going backwards: one unit after pool 2 covers 2 positions
# of conv 2's output; those 2 positions of a 5-tap conv cover $2 + 5 - 1 = 6$
# positions of pool 1's output; 6 pool-1 units cover $12$ positions of conv 1's
# output; with a 5-tap conv that is $12 + 5 - 1 = 16$ input positions (a bit
# less at the borders, where padding zeros fill the rest). So each of the
# final 10 units sees 16 of the 40 samples, shifted by 4 from one unit to the
# next. MNIST-1D digits are shifted, scaled and stretched templates spread
# over much of the signal: a unit must see a large part of the pattern to
# recognise it, and the affine layer then combines the 10 overlapping views.
#
# *Rubric (2 points).* 1 point: 16 (15 to 16 accepted with a consistent
# count), with the steps (each k-tap conv adds k - 1, each 2-pool doubles).
# 1 point: why it matters: a digit's pattern spans many positions and must
# be seen by one unit (or combined), small local filters alone cannot.
# ### END SOLUTION

# %% [markdown]
# ## 8. Filters on a digit
#
# Pick a filter and see its feature map on a handwritten digit (8x8, padding 1,
# so the map is 8x8 too): an edge filter responds where the brightness changes
# in one direction, a blur averages a neighbourhood, and the "learned" filters
# come from a small ConvNet trained on the digits for a second. Red is
# positive, blue negative. (Without widgets, the static picture below shows
# every filter on one digit.)

# %% tags=["demo"]
draw_feature_maps(digits["X_train"][0].reshape(8, 8), learned=learned_filters(), title=f"digit {digits['y_train'][0]}");

# %% tags=["demo"]
filter_demo(digits)

# %% [markdown]
# ## 9. The same thing in PyTorch
#
# `torch.nn.functional.conv2d(x, w, b, stride, padding)` is the convolution
# of this notebook (a cross-correlation, NCHW, weights $(F, C, HH, WW)$), and
# `nn.Conv2d(C, F, kernel_size, stride, padding)` is the layer that holds `w`
# and `b` as parameters. `F.max_pool2d(x, kernel_size, stride)` and
# `nn.MaxPool2d` pool; `nn.BatchNorm2d(C)` and `nn.GroupNorm(G, C)` normalize.
# First, your layers against them, forward and backward.

# %% tags=["demo"]
rng = np.random.default_rng(10)
x, w, b = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
layer = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1).double()
with torch.no_grad():
    layer.weight.copy_(torch.tensor(w))
    layer.bias.copy_(torch.tensor(b))
xt = torch.tensor(x, requires_grad=True)
out_t = layer(xt)
dout = rng.standard_normal(out_t.shape)
out_t.backward(torch.tensor(dout))
out, cache = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
dx, dw, db = conv_backward_naive(dout, cache)
print(f"conv forward:  relative error {rel_error(out, out_t.detach().numpy()):.1e}")
print(f"conv backward: dx {rel_error(dx, xt.grad.numpy()):.1e}, dw {rel_error(dw, layer.weight.grad.numpy()):.1e}, "
      f"db {rel_error(db, layer.bias.grad.numpy()):.1e}")

xt = torch.tensor(x, requires_grad=True)
pooled = F.max_pool2d(xt, kernel_size=3, stride=2)
dpool = rng.standard_normal(pooled.shape)
pooled.backward(torch.tensor(dpool))
out, cache = max_pool_forward_naive(x, {"pool_height": 3, "pool_width": 3, "stride": 2})
print(f"max pool 3x3 stride 2: forward {rel_error(out, pooled.detach().numpy()):.1e}, "
      f"backward {rel_error(max_pool_backward_naive(dpool, cache), xt.grad.numpy()):.1e}")

x4 = 1.0 + 2.0 * rng.standard_normal((4, 6, 3, 3))
ours_bn, _ = spatial_batchnorm_forward(x4, np.ones(6), np.zeros(6), {"mode": "train"})
ours_gn, _ = groupnorm_forward(x4, np.ones(6), np.zeros(6), 2)
torch_bn = nn.BatchNorm2d(6).double()(torch.tensor(x4)).detach().numpy()
torch_gn = nn.GroupNorm(2, 6).double()(torch.tensor(x4)).detach().numpy()
print(f"spatial batch norm vs nn.BatchNorm2d: {rel_error(ours_bn, torch_bn):.1e}; "
      f"group norm vs nn.GroupNorm(2, 6): {rel_error(ours_gn, torch_gn):.1e}")

# %% [markdown]
# **Your SmallConvNet in PyTorch** is five modules in a row. Load your trained
# digit network's weights into it (an `nn.Linear` stores its weight as
# (out, in), the transpose of our `W2` and `W3`) and compare the scores on
# the validation digits.

# %% tags=["demo"]
p = digit_net.params
F1, k1 = p["W1"].shape[0], p["W1"].shape[2]
torch_net = nn.Sequential(nn.Conv2d(1, F1, k1, padding=(k1 - 1) // 2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(p["W2"].shape[0], p["W2"].shape[1]), nn.ReLU(),
                          nn.Linear(p["W3"].shape[0], p["W3"].shape[1])).double()
with torch.no_grad():
    for module, (w_key, b_key) in zip([torch_net[0], torch_net[4], torch_net[6]], [("W1", "b1"), ("W2", "b2"), ("W3", "b3")]):
        module.weight.copy_(torch.tensor(p[w_key] if w_key == "W1" else p[w_key].T))
        module.bias.copy_(torch.tensor(p[b_key]))
    torch_scores = torch_net(torch.tensor(digits["X_val"]).reshape(-1, 1, 8, 8)).numpy()
print(f"scores of your network vs the same weights in PyTorch: relative error "
      f"{rel_error(digit_net.loss(digits['X_val']), torch_scores):.1e}")

# %% [markdown]
# **The paper's CNN in PyTorch.** The MNIST-1D paper's network has three
# conv layers with 25 channels and stride 2 instead of pooling ($1 \to 25$,
# kernel 5, padding 1; then twice $25 \to 25$, kernel 3, padding 1), then a
# linear layer from $25 \cdot 5 = 125$ numbers to 10. For 1-D signals PyTorch
# has `nn.Conv1d`, which takes $(N, C, L)$: the same as our $(N, C, 1, L)$
# with $1 \times k$ kernels.
#
# Look at the sizes. The first layer has $(L + 2P - K)/S = (40 + 2 - 5)/2 = 18.5$:
# the windows do not fit the padded signal exactly, and this course's
# `conv_output_size` would raise an error. PyTorch **floors** instead, to
# $18 + 1 = 19$ outputs, and the last padded sample is never used. The second
# layer gives $(19 + 2 - 3)/2 + 1 = 10$, the third floors once more,
# $(10 + 2 - 3)/2 = 4.5$, to $4 + 1 = 5$. Trained with Adam (lr $10^{-2}$,
# batches of 100), the paper reports about 94% after longer training; below,
# 1000 steps on our training split, measured on the validation split.

# %% tags=["demo"]
print("output lengths:", [F.conv1d(torch.zeros(1, 1, L), torch.zeros(1, 1, K), stride=2, padding=1).shape[-1]
                          for L, K in [(40, 5), (19, 3), (10, 3)]])
torch.manual_seed(0)
paper_cnn = nn.Sequential(
    nn.Conv1d(1, 25, 5, stride=2, padding=1), nn.ReLU(),
    nn.Conv1d(25, 25, 3, stride=2, padding=1), nn.ReLU(),
    nn.Conv1d(25, 25, 3, stride=2, padding=1), nn.ReLU(),
    nn.Flatten(), nn.Linear(125, 10))
opt = torch.optim.Adam(paper_cnn.parameters(), lr=1e-2)
Xt_train = torch.tensor(X_train, dtype=torch.float32)[:, None, :]  # (3500, 1, 40)
yt_train = torch.tensor(y_train)
gen = torch.Generator().manual_seed(0)
start = time.perf_counter()
for step in range(1000):
    idx = torch.randint(0, len(Xt_train), (100,), generator=gen)
    loss = F.cross_entropy(paper_cnn(Xt_train[idx]), yt_train[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()


def paper_cnn_accuracy(X, y):
    with torch.no_grad():
        return float((paper_cnn(torch.tensor(X, dtype=torch.float32)[:, None, :]).argmax(1).numpy() == y).mean())


print(f"paper's CNN in PyTorch, 1000 steps in {time.perf_counter() - start:.1f} s: "
      f"validation accuracy {paper_cnn_accuracy(X_val, y_val):.1%}")

# %% [markdown]
# ## 10. The test sets, once
#
# Every choice above was made on validation data. Only now, once, the test
# sets: the digits for your network, and MNIST-1D for every model of the
# course, beside the paper's figures (Greydanus, *Scaling down deep
# learning*, 2020, arXiv:2011.14439: logistic regression 32%, MLP 68%,
# CNN 94%). Every "ours" number is measured here: 1-nearest neighbour
# (notebook 01), a softmax classifier (notebook 02; its learning rate and
# regularization chosen on validation here), the two-layer network of
# notebook 03 with that notebook's settings, the ConvNet of section 7 and the
# paper's CNN in PyTorch of section 9.

# %% tags=["demo"]
from helpers import knn
from helpers.linear import Softmax
from helpers.nets import TwoLayerNet

digit_test_acc = float(np.mean(np.argmax(digit_net.loss(digits["X_test"]), axis=1) == digits["y_test"]))
print(f"digits, your SmallConvNet: validation {digit_val_acc:.1%}, test {digit_test_acc:.1%}\n")


def with_bias(X):
    return np.hstack([X, np.ones((len(X), 1))])


softmax_runs = []
for lr, reg in [(0.03, 1e-4), (0.1, 1e-4), (0.3, 1e-3)]:
    model = Softmax()
    model.train(with_bias(X_train), y_train, learning_rate=lr, reg=reg, num_iters=800, batch_size=200, seed=0)
    softmax_runs.append((float(np.mean(model.predict(with_bias(X_val)) == y_val)), model))
softmax_val, softmax = max(softmax_runs, key=lambda run: run[0])
mlp = TwoLayerNet(40, 256, 10, weight_scale=0.1, reg=1e-3, seed=0)
mlp_solver = Solver(mlp, dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val),
                    optim_config={"lr": 2.0}, lr_decay=0.95, batch_size=100, num_epochs=40,
                    verbose=False, progress=False)
mlp_solver.train()


def accuracy(predict, X, y):
    return float(np.mean(predict(X) == y))


nn1 = lambda X: knn.predict_labels(knn.compute_distances_no_loops(X, X_train), y_train, k=1)
rows = [("1-nearest neighbour, L2", nn1, None),
        ("softmax (linear)", lambda X: softmax.predict(with_bias(X)), 0.32),
        ("MLP, one hidden layer", lambda X: np.argmax(mlp.loss(X), axis=1), 0.68),
        ("ConvNet (section 7)", lambda X: np.argmax(cnn.loss(X), axis=1), None),
        ("paper's CNN in PyTorch", lambda X: paper_cnn(torch.tensor(X, dtype=torch.float32)[:, None, :])
         .detach().numpy().argmax(1), 0.94)]
print(f"{'MNIST-1D':<26}{'val':>8}{'test':>8}{'paper':>8}")
for name, predict, paper in rows:
    print(f"{name:<26}{accuracy(predict, X_val, y_val):>8.1%}{accuracy(predict, X_test, y_test):>8.1%}"
          f"{(f'{paper:.0%}' if paper else '-'):>8}")

# %% [markdown]
# The convolutional networks beat every earlier model by a wide margin, with
# fewer parameters than the MLP (the ConvNet of section 7 has
# $16 \cdot 6 + 32 \cdot 81 + 321 \cdot 10 = 5{,}898$ numbers against the MLP's
# $41 \cdot 256 + 257 \cdot 10 = 13{,}066$): the same small filters look for
# the same local shapes at every position, which is what shifted and
# stretched signals need. (The paper's CNN reaches 94% after longer training;
# networks trained for a few seconds land a few points lower.)
#
# **Summary.** A conv layer slides $F$ small filters over the input and
# shares their weights across positions: $F(C\,HH\,WW + 1)$ parameters
# whatever the image size, and output size $(H + 2P - HH)/S + 1$. Max pooling
# keeps the largest value of each window and routes the gradient back to it.
# Loops define the layers; im2col turns the convolution into one matrix
# product and makes it hundreds of times faster. Assembled into conv - ReLU -
# pool - affine - ReLU - affine, they classify real handwritten digits at
# about 98% after a couple of seconds of training. Spatial batch norm
# normalizes each channel over the batch and all positions; group norm
# normalizes each image on its own, groups of channels at a time.
