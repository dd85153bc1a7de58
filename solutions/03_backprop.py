# %% [markdown]
# # 03 · Backpropagation: from computational graphs to a two-layer network
#
# Training a network means following the gradient of the loss with respect to
# every weight. **Backpropagation** computes all those gradients in one sweep
# backwards through the computation, using nothing but the chain rule and the
# local derivative of each small operation. In this notebook you will
#
# - run forward and backward passes by hand on small computational graphs;
# - write layers as pairs of `forward` / `backward` functions (affine, ReLU,
#   sigmoid, tanh), the softmax loss and a binary cross-entropy that stays
#   exact for any logit;
# - assemble them into a two-layer network, check every gradient against a
#   numerical gradient and against PyTorch's autograd (and run such a check
#   yourself);
# - train it on MNIST-1D: first overfit 50 examples, then tune it to a
#   validation accuracy target, and read its training curves;
# - finish with the same network in PyTorch, whose autograd does exactly what
#   you did by hand.
#
# **Grading.** 45 points: seventeen exercises (35 points, checked by tests) and
# three written questions (10 points). Each exercise is followed by a test cell
# you can run; some exercises have a second test cell whose checks run only
# when your notebook is graded. Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import copy
import time

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import layers  # the course's reference layers
from helpers import nets
from helpers.checks import check_close, check_equal, check_shape, check_true, passed, without_reference
# PyTorch as the oracle of the tests: autograd, and the same two-layer net in torch.nn.
from helpers.checks.oracles import torch_grads, torch_two_layer_loss, torch_two_layer_net
from helpers.data import load_mnist1d, make_moons, train_val_split
from helpers.gradcheck import (eval_numerical_gradient, eval_numerical_gradient_array,
                               grad_check_sparse, rel_error)
from helpers.plots import plot_decision_regions, plot_history
from helpers.solver import Solver
from helpers.widgets.backprop import circuit_demo, draw_circuit

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

mnist = load_mnist1d()
X_train, y_train, X_val, y_val = train_val_split(mnist["X_train"], mnist["y_train"],
                                                 n_val=500, seed=0)  # 3500 / 500
X_test, y_test = mnist["X_test"], mnist["y_test"]                   # 1000, used once

X_moons, y_moons = make_moons(1000, noise=0.1, seed=0)  # 640 / 160 / 200
moons = dict(X_train=X_moons[:640], y_train=y_moons[:640],
             X_val=X_moons[640:800], y_val=y_moons[640:800])
X_moons_test, y_moons_test = X_moons[800:], y_moons[800:]

print("MNIST-1D train / val / test:", X_train.shape, X_val.shape, X_test.shape)

# %% [markdown]
# ## 1. Computational graphs and the chain rule
#
# Any formula can be drawn as a **computational graph**: inputs on the left,
# one node (a *gate*) per elementary operation, the result on the right. Take
#
# $$f(x, y, z, w) = 2\,\big(xy + \max(z, w)\big).$$
#
# The **forward pass** computes the gates left to right:
# $a = xy$, $b = \max(z, w)$, $c = a + b$, $f = 2c$.
#
# The **backward pass** goes right to left and computes $\partial f / \partial$
# (every wire). It starts with $\partial f/\partial f = 1$. Each gate knows only
# its **local gradient** (the derivative of its output with respect to its
# inputs) and multiplies it by the **upstream gradient** arriving from the
# right. That is the chain rule, e.g.
#
# $$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial a}\,\frac{\partial a}{\partial x}
#   = \frac{\partial f}{\partial a}\cdot y .$$
#
# Three gates, three patterns worth remembering:
#
# | gate | forward | backward |
# | --- | --- | --- |
# | add $c = a + b$ | sum | **distributes**: both inputs get the upstream gradient unchanged |
# | max $b = \max(z, w)$ | larger input | **routes**: the larger input gets it all, the other gets 0 |
# | multiply $a = xy$ | product | **swaps**: $\partial a = $ upstream $\times$ the *other* input |

# %% [markdown]
# **Exercise 1 (2 points).** Forward and backward, gate by gate. Write the forward pass (one line per gate) and then the backward pass in
# reverse order. At $x=3, y=-4, z=2, w=-1$ you should get $f=-20$ and
# $\partial f/\partial x=-8$, $\partial f/\partial y=6$, $\partial f/\partial z=2$,
# $\partial f/\partial w=0$.

# %% nbgrader={"grade": false, "grade_id": "circuit_forward_backward", "locked": false, "schema_version": 3, "solution": true}
def circuit_forward_backward(x, y, z, w):
    """f = 2 * (x*y + max(z, w)) and its gradient, gate by gate.

    x, y, z, w: Python floats (the tests never use z == w).
    Returns (f, (dx, dy, dz, dw)) with dx = df/dx and so on, all floats.
    """
    ### BEGIN SOLUTION
    # forward pass
    a = x * y
    b = max(z, w)
    c = a + b
    f = 2 * c
    # backward pass: upstream gradient times local gradient
    df = 1.0
    dc = 2 * df
    da = dc  # the add gate distributes
    db = dc
    dx = y * da  # the multiply gate swaps its inputs
    dy = x * da
    dz = db if z > w else 0.0  # the max gate routes to the larger input
    dw = db if w > z else 0.0
    ### END SOLUTION
    return f, (dx, dy, dz, dw)


# %% nbgrader={"grade": true, "grade_id": "test_circuit_forward_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_true, passed
from helpers.checks.backprop import HINTS
_f, _g = circuit_forward_backward(3.0, -4.0, 2.0, -1.0)
check_true(len(_g) == 4, f"The gradient should be a tuple (dx, dy, dz, dw), got {_g!r}.")
check_close("f(3, -4, 2, -1)", _f, -20.0, hint=HINTS["circuit forward"])
for _name, _value, _want in zip(("dx", "dy", "dz", "dw"), _g, (-8.0, 6.0, 2.0, 0.0)):
    check_close(f"{_name} at (3, -4, 2, -1)", _value, _want, hint=HINTS[_name])
passed("the worked example: f = -20, gradients (-8, 6, 2, 0)")

# %% nbgrader={"grade": true, "grade_id": "test_circuit_forward_backward_other_points", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: three other points (one with w > z) against PyTorch autograd and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import CIRCUIT_POINTS, HINTS, circuit_torch, numerical_gradient_of, torch_grads
for _point in CIRCUIT_POINTS:
    _f, _g = circuit_forward_backward(*_point)
    _tf, _tg = torch_grads(circuit_torch, *_point)
    check_close(f"f{_point}", _f, _tf, hint=HINTS["circuit formula"])
    for _name, _value, _want in zip(("dx", "dy", "dz", "dw"), _g, _tg):
        check_close(f"{_name} at {_point} (PyTorch autograd)", _value, _want, hint=HINTS["max gate"])
    check_close(f"(dx, dy, dz, dw) at {_point} (numerical gradient)", _g,
                numerical_gradient_of(circuit_torch, _point))
### END HIDDEN TESTS

# %% [markdown]
# The picture shows the graph with every wire's value (green) and gradient
# (red). Follow the red numbers from right to left: the add gate copies its
# 2 to both inputs, the max gate hands it to $z$ only, the multiply gate swaps
# $x$ and $y$.

# %% tags=["demo"]
draw_circuit(3, -4, 2, -1);

# %% [markdown]
# **Try it.** Move the sliders and watch the red numbers: $w$ receives a
# gradient only once $w > z$, and $\partial f/\partial x = 2y$ changes when you
# move $y$, not when you move $x$ (the multiply gate swaps).

# %% tags=["demo"]
circuit_demo()

# %% [markdown]
# ## 2. A neuron as a graph: the sigmoid gate
#
# A neuron with two inputs and a sigmoid activation computes
#
# $$f(w, x) = \sigma(w_0 x_0 + w_1 x_1 + w_2), \qquad \sigma(s) = \frac{1}{1 + e^{-s}}.$$
#
# We could split $\sigma$ into gates ($\cdot(-1)$, $\exp$, $+1$, $1/\cdot$),
# but its derivative has a neat closed form that makes one "sigmoid gate"
# enough:
#
# $$\frac{d\sigma}{ds} = \frac{e^{-s}}{(1+e^{-s})^2} = \big(1 - \sigma(s)\big)\,\sigma(s).$$
#
# The backward pass needs only the forward output. At $s = 1.0$ the neuron
# outputs $\sigma(1) = 0.731$ and the local gradient is
# $(1 - 0.731)\cdot 0.731 = 0.197$. After that, the sum $w_0x_0 + w_1x_1 + w_2$
# distributes this gradient, and each product swaps: $\partial f/\partial w_0 = x_0 \cdot 0.197$.

# %% [markdown]
# **Exercise 2 (2 points).** The sigmoid neuron: its forward pass and its
# gradient with respect to the weights and the inputs.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_neuron", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_neuron(w, x):
    """Forward and backward pass of f = sigmoid(w[0]*x[0] + w[1]*x[1] + w[2]).

    w: array (3,) (two weights and a bias), x: array (2,).
    Returns (f, dw, dx): f a float, dw = df/dw (3,), dx = df/dx (2,).
    Use the local gradient (1 - f) * f of the sigmoid gate.
    """
    ### BEGIN SOLUTION
    s = w[0] * x[0] + w[1] * x[1] + w[2]
    f = 1.0 / (1.0 + np.exp(-s))
    ds = (1 - f) * f  # sigmoid gate, upstream gradient 1
    dw = np.array([x[0] * ds, x[1] * ds, ds])
    dx = np.array([w[0] * ds, w[1] * ds])
    ### END SOLUTION
    return f, dw, dx


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_neuron", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, check_neuron, neuron_example
_w, _x = neuron_example()  # w = [2, -3, -3], x = [-1, -2]: w0*x0 + w1*x1 + w2 = 1.0
_f, _dw, _dx = sigmoid_neuron(_w, _x)
check_close("f for w = [2, -3, -3], x = [-1, -2]", _f, 0.731, tol=1e-3, hint=HINTS["sigmoid at 1"])
check_close("df/dw2, the local gradient at 1.0", _dw[2], 0.197, tol=2e-3, hint=HINTS["local gradient"])
check_neuron(_w, _x, _f, _dw, _dx)  # f, dw and dx against PyTorch autograd
passed("the worked example: f = 0.731, local gradient 0.197, dw and dx agree with PyTorch")

# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_neuron_random", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: three random neurons against PyTorch autograd and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import check_neuron, neuron_numerical_dw, random_neurons
for _w, _x in random_neurons(seed=2, n=3):
    _f, _dw, _dx = sigmoid_neuron(_w, _x)
    check_neuron(_w, _x, _f, _dw, _dx, oracle=" (PyTorch autograd)")
    check_close("dw (numerical gradient)", _dw, neuron_numerical_dw(_w, _x))
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Staged computation: gradients add up where a variable branches
#
# Real code computes a formula in **stages**, keeping every intermediate value
# (we will need them on the way back). The backward pass then walks the stages
# in reverse, one line each. Take
#
# $$f(x, y) = \frac{x + \sigma(y)}{\sigma(x) + (x + y)^2}.$$
#
# Here $x$ is used **three times** (in the numerator, in $\sigma(x)$, in
# $x + y$) and $y$ twice. By the multivariable chain rule the gradient of a
# variable is the **sum** of the gradients flowing back along each of its
# uses. In code: the first contribution may be assigned, every further one must
# be added with `+=`. Writing `=` silently throws a branch away, and the
# result looks plausible but is wrong.

# %% [markdown]
# **Exercise 3 (2 points).** The backward pass of a staged computation. The forward pass is given, one stage per line. Write the backward pass: for
# each stage, in reverse order, the gradient of $f$ with respect to its inputs.
# Name the gradient of a stage `d<name>` (`dnum`, `dden`, ...).

# %% nbgrader={"grade": false, "grade_id": "staged_backward", "locked": false, "schema_version": 3, "solution": true}
def staged_backward(x, y):
    """f(x, y) = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2), stage by stage.

    x, y: Python floats. Returns (f, dx, dy) with dx = df/dx, dy = df/dy.
    """
    # forward pass (given)
    sig_y = 1.0 / (1.0 + np.exp(-y))  # (1)
    num = x + sig_y                   # (2) numerator
    sig_x = 1.0 / (1.0 + np.exp(-x))  # (3)
    s = x + y                         # (4)
    s_sq = s ** 2                     # (5)
    den = sig_x + s_sq                # (6) denominator
    inv_den = 1.0 / den               # (7)
    f = num * inv_den                 # (8)
    # backward pass: from (8) back to (1)
    ### BEGIN SOLUTION
    dnum = inv_den                          # (8) multiply gate swaps
    dinv_den = num
    dden = -1.0 / den ** 2 * dinv_den       # (7) d(1/u)/du = -1/u^2
    dsig_x = dden                           # (6) add gate distributes
    ds_sq = dden
    ds = 2 * s * ds_sq                      # (5)
    dx = ds                                 # (4) first use of x and y
    dy = ds
    dx += (1 - sig_x) * sig_x * dsig_x      # (3) second use of x
    dx += dnum                              # (2) third use of x
    dsig_y = dnum
    dy += (1 - sig_y) * sig_y * dsig_y      # (1) second use of y
    ### END SOLUTION
    return f, dx, dy


# %% nbgrader={"grade": true, "grade_id": "test_staged_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, staged_torch, torch_grads
_f, _dx, _dy = staged_backward(3.0, -4.0)
_tf, (_tdx, _tdy) = torch_grads(staged_torch, 3.0, -4.0)  # PyTorch autograd of the same formula
check_close("f(3, -4)", _f, _tf, hint=HINTS["staged forward"])
check_close("dx at (3, -4)", _dx, _tdx, hint=HINTS["staged dx"])
check_close("dy at (3, -4)", _dy, _tdy, hint=HINTS["staged dy"])
passed("dx and dy agree with PyTorch autograd at (3, -4)")

# %% nbgrader={"grade": true, "grade_id": "test_staged_backward_other_points", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: four other points against PyTorch autograd and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import HINTS, STAGED_POINTS, numerical_gradient_of, staged_torch, torch_grads
for _point in STAGED_POINTS:
    _f, _dx, _dy = staged_backward(*_point)
    _tf, (_tdx, _tdy) = torch_grads(staged_torch, *_point)
    check_close(f"f{_point}", _f, _tf)
    check_close(f"dx at {_point}", _dx, _tdx, hint=HINTS["staged dx again"])
    check_close(f"dy at {_point}", _dy, _tdy, hint=HINTS["staged dy again"])
    check_close(f"(dx, dy) at {_point} (numerical gradient)", [_dx, _dy],
                numerical_gradient_of(staged_torch, _point))
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Layers: forward and backward as a pair of functions
#
# A network is a long chain of the same few operations. We write each one
# **once**, as two functions:
#
# ```python
# out, cache = layer_forward(x, w, ...)   # remember what backward will need
# dx, dw, ... = layer_backward(dout, cache)
# ```
#
# `dout` is the upstream gradient $\partial L/\partial\,\mathrm{out}$, with the
# shape of `out`; each returned gradient has the shape of its input. Nothing
# else is shared, so layers can be stacked in any order.
#
# **Affine (fully connected) layer.** For a batch $X$ of $N$ rows,
# $\mathrm{out} = XW + b$ with $W$ of shape $(D, M)$. The backward pass follows
# from the multiply-gate rule, with matrices. Let the shapes guide you: there
# is only one way to combine `dout` $(N, M)$ and `w` $(D, M)$ into `dx` $(N, D)$:
#
# $$dX = \mathrm{dout}\,W^\top, \qquad dW = X^\top\,\mathrm{dout}, \qquad
#   db = \textstyle\sum_{n} \mathrm{dout}_n .$$
#
# ($b$ is added to every row, a branch used $N$ times, so its gradient is a sum.)
# An input may come as `(N, d_1, ..., d_k)` (a batch of images, say): the layer
# flattens each sample into a row of $D = d_1 \cdots d_k$ numbers, and `dx`
# must have the original shape again.

# %% [markdown]
# **Exercise 4 (2 points).** `affine_forward`.

# %% nbgrader={"grade": false, "grade_id": "affine_forward", "locked": false, "schema_version": 3, "solution": true}
def affine_forward(x, w, b):
    """Fully connected layer.

    x: (N, d_1, ..., d_k) inputs, each flattened to D = d_1 * ... * d_k numbers.
    w: (D, M) weights. b: (M,) biases.
    Returns (out, cache): out (N, M), cache = (x, w, b).
    """
    ### BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1) @ w + b
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_affine_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_true, passed
from helpers.checks.backprop import HINTS, answering, random_arrays, torch_affine
_x, _w, _b = random_arrays(304, (2, 4, 5), (20, 3), 3)  # each sample of x flattens to 20 numbers
with answering("affine_forward"):  # the course's affine_forward (and PyTorch) refused
    _out, _cache = affine_forward(_x, _w, _b)
check_close("out for x (2, 4, 5)", _out, torch_affine(_x, _w, _b), hint=HINTS["affine out"])
check_true(isinstance(_cache, tuple) and len(_cache) == 3, HINTS["affine cache"])
passed("affine_forward agrees with torch.nn.functional.linear on a (2, 4, 5) batch")

# %% nbgrader={"grade": true, "grade_id": "test_affine_forward_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: 2-D and 4-D inputs x, against torch.nn.functional.linear.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import affine_forward_cases, answering, torch_affine
for _x, _w, _b in affine_forward_cases(seed=324):
    with answering("affine_forward"):
        _out, _ = affine_forward(_x, _w, _b)
    check_close(f"out for x of shape {_x.shape}", _out, torch_affine(_x, _w, _b))
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 5 (3 points).** `affine_backward`. Use the cache `(x, w, b)` from
# the forward pass. No loops: one matrix product per gradient (a separate test
# cell runs it on a few hundred examples and counts the Python lines it runs).

# %% nbgrader={"grade": false, "grade_id": "affine_backward", "locked": false, "schema_version": 3, "solution": true}
def affine_backward(dout, cache):
    """Backward pass of the affine layer.

    dout: (N, M) upstream gradient. cache: (x, w, b) as returned by affine_forward.
    Returns (dx, dw, db) with the shapes of x (N, d_1, ..., d_k), w (D, M), b (M,).
    """
    x, w, b = cache
    ### BEGIN SOLUTION
    N = x.shape[0]
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(N, -1).T @ dout
    db = dout.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


# %% nbgrader={"grade": true, "grade_id": "test_affine_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import affine_grads, answering, check_grads, random_arrays
_x, _w, _b, _dout = random_arrays(305, (3, 2, 3), (6, 4), 4, (3, 4))
with answering("affine_backward"):
    _dx, _dw, _db = affine_backward(_dout, (_x, _w, _b))
check_grads("affine_backward", {"dx": _dx, "dw": _dw, "db": _db},
            affine_grads(_x, _w, _b, _dout))  # shapes, then values, against PyTorch autograd
passed("affine_backward agrees with PyTorch autograd")

# %% nbgrader={"grade": true, "grade_id": "test_affine_backward_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a square w (where dw and its transpose have the same shape) and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import HINTS, affine_grads, answering, random_arrays
_cases = random_arrays(325, (5, 4), (4, 4), 4, (5, 4), (2, 3, 2), (6, 5), 5, (2, 5))
_x, _w, _b, _dout = _cases[:4]
with answering("affine_backward"):
    _dx, _dw, _db = affine_backward(_dout, (_x, _w, _b))
_want = affine_grads(_x, _w, _b, _dout)
check_close("dw for a square w (4, 4)", _dw, _want["dw"], hint=HINTS["square dw"])
check_close("dx for a square w (4, 4)", _dx, _want["dx"], hint=HINTS["square dx"])
_x, _w, _b, _dout = _cases[4:]
with answering("affine_backward"):
    _dx, _dw, _db = affine_backward(_dout, (_x, _w, _b))
_want = affine_grads(_x, _w, _b, _dout, oracle="numerical")
for _name, _value in (("dx", _dx), ("dw", _dw), ("db", _db)):
    check_close(f"{_name} (numerical gradient)", _value, _want[_name])
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_affine_backward_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_no_loops, passed
from helpers.checks.backprop import answering, random_arrays
_x, _w, _b, _dout = random_arrays(335, (300, 200), (200, 250), 250, (300, 250))
with answering("affine_backward"):  # fails if it runs 50 lines of Python or more, or is wrong
    _dx, _dw, _db = check_no_loops("affine_backward", affine_backward, _dout, (_x, _w, _b), max_lines=50,
                                   sizes="300 examples, D = 200, M = 250",
                                   expected=(_dout @ _w.T, _x.T @ _dout, _dout.sum(axis=0)))
passed("affine_backward runs without Python loops on 300 examples of 200 features")

# %% [markdown]
# ### Activations
#
# Nonlinearities act elementwise, so their backward pass is an elementwise
# product: `dx = dout * (local derivative)`.
#
# | activation | forward | local derivative | cache |
# | --- | --- | --- | --- |
# | ReLU | $\max(0, x)$ | $1$ where $x > 0$, else $0$ | `x` |
# | sigmoid | $\sigma(x) = 1/(1+e^{-x})$ | $\sigma(x)(1-\sigma(x))$ | `out` |
# | tanh | $\tanh x$ | $1 - \tanh^2 x$ | `out` |
#
# ReLU is a max gate against 0: it routes the gradient where the input was
# positive and blocks it elsewhere. Sigmoid and tanh need only their own
# output for the backward pass, so that is what they cache. Note how small
# the sigmoid's derivative is: at most 0.25 (at 0), and nearly 0 once $|x| > 5$.

# %% tags=["demo"]
_x = np.linspace(-6, 6, 241)
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharex=True)
for ax, (name, fwd, bwd, what) in zip(axes, [
        ("ReLU", layers.relu_forward, layers.relu_backward, "passes back 0 for every x < 0"),
        ("sigmoid", layers.sigmoid_forward, layers.sigmoid_backward, "passes back at most 0.25"),
        ("tanh", layers.tanh_forward, layers.tanh_backward, "passes back almost 0 for |x| > 3")]):
    out, cache = fwd(_x)
    ax.plot(_x, out, label=f"{name}(x)")
    ax.plot(_x, bwd(np.ones_like(_x), cache), "--", label="local derivative")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_title(f"{name} {what}", fontsize=10)
    ax.set_xlabel("input x")
    ax.set_ylabel("output and local derivative")
    ax.legend(fontsize=9, loc="lower right" if name == "tanh" else "upper left")
fig.tight_layout()

# %% [markdown]
# The dashed lines are what a unit passes back. A ReLU unit whose input is
# negative passes back exactly 0; a sigmoid or tanh unit whose input is large
# (either sign) passes back almost 0.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_dead_saturated", "locked": false, "points": 4, "schema_version": 3, "solution": true}
# **Question (4 points).** Use the dashed curves and the backward rule
# `dx = dout * (local derivative)` to answer. (a) When is a ReLU unit "dead",
# and why does plain gradient descent never bring it back? (b) When do sigmoid
# and tanh units saturate, and why does the gradient then vanish, also for the
# layers below them? (c) How can the initial weights and the learning rate
# cause either problem?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) A ReLU unit is dead when its input $w^\top x + b$ is
# negative for every training example. Its local derivative is then 0 for every
# example, so `dx`, and with it the gradients of its incoming weights and bias,
# are exactly 0: gradient descent never changes those weights, and the unit
# stays dead (only a change elsewhere, e.g. of the inputs, could revive it).
# (b) Sigmoid and tanh saturate when $|x|$ is large (a few units: the sigmoid's
# derivative is below 0.01 once $|x| > 5$, tanh's once $|x| > 3$). The output is
# then flat, the local derivative nearly 0, and since backprop multiplies the
# upstream gradient by it, almost nothing reaches the unit's weights or any layer
# below; stacked layers multiply such factors (at most 0.25 for sigmoid), so the
# gradient shrinks layer by layer. (c) Too large initial weights make the
# pre-activations large, so sigmoid/tanh units start saturated (and many ReLU
# units start with large negative inputs); too small weights give tiny signals
# and tiny gradients. Too large a learning rate can throw a ReLU unit's weights
# or bias into a region where its input is negative for all data (it dies in
# one step), or push sigmoid/tanh units into saturation.
#
# *Rubric (4 points).* 1 point: dead ReLU = input negative for all examples,
# so its gradient is exactly 0. 1 point: it never recovers because its weights
# receive zero gradient (no update). 1 point: saturation at large $|x|$, local
# derivative near 0 multiplies the upstream gradient, so the gradient vanishes
# (also for the layers below). 1 point: the role of initialization scale
# (too large saturates / kills, too small shrinks) and of a too large learning
# rate (one big step kills ReLUs or saturates units).
# ### END SOLUTION

# %% [markdown]
# **Exercise 6 (1 point).** `relu_forward`. Return a new array; do not change
# `x` in place (the cache holds it).

# %% nbgrader={"grade": false, "grade_id": "relu_forward", "locked": false, "schema_version": 3, "solution": true}
def relu_forward(x):
    """ReLU, elementwise. x: array of any shape.
    Returns (out, cache): out = max(0, x) with the shape of x, cache = x."""
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    ### END SOLUTION
    cache = x
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_relu_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_equal, passed
from helpers.checks.backprop import HINTS, answering, relu_forward_cases, torch_relu
for _name, _x, _x_before, _hint in relu_forward_cases():  # a (2, 3) example, a random (2, 3, 4) array
    with answering("relu_forward"):
        _out, _cache = relu_forward(_x)
    check_close(_name, _out, torch_relu(_x_before), hint=_hint)
    check_equal(f"x after {_name}", _x, _x_before, hint=HINTS["relu in place"])
passed("relu_forward agrees with torch.relu on a (2, 3) and a (2, 3, 4) array")

# %% [markdown]
# **Exercise 7 (1 point).** `relu_backward`.

# %% nbgrader={"grade": false, "grade_id": "relu_backward", "locked": false, "schema_version": 3, "solution": true}
def relu_backward(dout, cache):
    """Backward pass of ReLU. dout: upstream gradient, the shape of x; cache: x.
    Returns dx, the shape of x (the gradient is 0 where x <= 0)."""
    x = cache
    ### BEGIN SOLUTION
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_relu_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import answering, relu_backward_cases
for _name, _x, _dout, _want, _hint in relu_backward_cases():  # (4, 5) vs autograd, (2, 3, 4) vs numerical
    with answering("relu_backward"):
        _dx = relu_backward(_dout, _x)
    check_close(_name, _dx, _want, hint=_hint)
passed("relu_backward agrees with PyTorch autograd and with the numerical gradient")

# %% [markdown]
# ### The sigmoid in floating point
#
# The textbook formula `1 / (1 + np.exp(-x))` is fine in float64 (NumPy's
# default). At $x = -1000$, `np.exp(1000)` overflows to `inf` and NumPy prints
# an overflow warning, but `1 / (1 + inf)` is `0.0`, the correct answer
# rounded to float64. A formula that divides two overflowing numbers is not
# fine: `np.exp(x) / (1 + np.exp(x))` is `inf / inf = nan` at $x = 1000$, and
# already at $x = 89$ in float32. What really breaks is the **logarithm** of a
# sigmoid, which the next section needs.

# %% [markdown]
# **Exercise 8 (2 points).** `sigmoid_forward`. Any formula that gives the
# right value for every float input (no `nan`, no wrong 0 or 1) is fine; an
# overflow warning alone costs nothing.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_forward", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_forward(x):
    """Sigmoid, elementwise, correct for any float x (float64 or float32).
    x: float array of any shape. Returns (out, cache) with cache = out."""
    ### BEGIN SOLUTION
    out = 1.0 / (1.0 + np.exp(-x))
    ### END SOLUTION
    cache = out
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, answering, sigmoid_forward_cases, torch_sigmoid
for _name, _x, _hint in sigmoid_forward_cases():  # 12 points from -5 to 5, then a random (2, 3, 2) array
    with answering("sigmoid_forward"):
        _out, _cache = sigmoid_forward(_x)
    check_close(_name, _out, torch_sigmoid(_x), hint=_hint)
    check_close(f"the cache of {_name}", _cache, _out, hint=HINTS["sigmoid cache"])
passed("sigmoid_forward agrees with torch.sigmoid")

# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_forward_large", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import answering, check_no_nan, large_sigmoid_inputs, torch_sigmoid
for _x, _hint in large_sigmoid_inputs():  # [-1000, -50, -1, 0, 1, 50, 1000] in float64, +-100 in float32
    with answering("sigmoid_forward", errors="ignore"):  # overflow warnings ignored
        _out, _ = sigmoid_forward(_x.copy())
    check_no_nan(f"sigmoid_forward({_x.tolist()}) in {_x.dtype.name}", _out, hint=_hint)
    check_close(f"sigmoid_forward at large |x| in {_x.dtype.name}", _out, torch_sigmoid(_x), tol=1e-6, hint=_hint)
passed("sigmoid_forward is right at x = +-1000 in float64 and +-100 in float32 (warnings ignored)")

# %% [markdown]
# **Exercise 9 (1 point).** `sigmoid_backward`.

# %% nbgrader={"grade": false, "grade_id": "sigmoid_backward", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid. dout: upstream gradient; cache: out = sigma(x).
    Returns dx with the shape of dout."""
    out = cache
    ### BEGIN SOLUTION
    dx = dout * out * (1 - out)
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import answering, sigmoid_backward_cases
for _name, _out, _dout, _want, _hint in sigmoid_backward_cases():  # (3, 4) vs autograd, (2, 5) vs numerical
    with answering("sigmoid_backward"):
        _dx = sigmoid_backward(_dout, _out)
    check_close(_name, _dx, _want, hint=_hint)
passed("sigmoid_backward agrees with PyTorch autograd and with the numerical gradient")

# %% [markdown]
# **Exercise 10 (1 point).** `tanh_forward`.

# %% nbgrader={"grade": false, "grade_id": "tanh_forward", "locked": false, "schema_version": 3, "solution": true}
def tanh_forward(x):
    """tanh, elementwise. x: array of any shape. Returns (out, cache) with cache = out."""
    ### BEGIN SOLUTION
    out = np.tanh(x)
    ### END SOLUTION
    cache = out
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_tanh_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, answering, tanh_example, torch_tanh
_x = tanh_example()  # [[-20, -2, -0.5], [0, 0.7, 20]]
with answering("tanh_forward"):
    _out, _cache = tanh_forward(_x)
check_close("tanh_forward(x)", _out, torch_tanh(_x), hint=HINTS["tanh forward"])
check_close("the cache of tanh_forward", _cache, _out, hint=HINTS["tanh cache"])
passed("tanh_forward agrees with torch.tanh")

# %% [markdown]
# **Exercise 11 (1 point).** `tanh_backward`.

# %% nbgrader={"grade": false, "grade_id": "tanh_backward", "locked": false, "schema_version": 3, "solution": true}
def tanh_backward(dout, cache):
    """Backward pass of tanh. dout: upstream gradient; cache: out = tanh(x).
    Returns dx with the shape of dout."""
    out = cache
    ### BEGIN SOLUTION
    dx = dout * (1 - out ** 2)
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_tanh_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import answering, tanh_backward_cases
for _name, _out, _dout, _want, _hint in tanh_backward_cases():  # (3, 4) vs autograd, (2, 2, 3) vs numerical
    with answering("tanh_backward"):
        _dx = tanh_backward(_dout, _out)
    check_close(_name, _dx, _want, hint=_hint)
passed("tanh_backward agrees with PyTorch autograd and with the numerical gradient")

# %% [markdown]
# ## 5. Loss layers: softmax and binary cross-entropy
#
# The last layer turns scores $s$ (one row of $C$ numbers per sample) into a
# loss. As in notebook 02, softmax makes probabilities
# $p_j = e^{s_j} / \sum_k e^{s_k}$ and the loss of a sample with label $y$ is
# $-\log p_y$; we average over the $N$ samples. Its gradient is remarkably
# simple:
#
# $$\frac{\partial L}{\partial s_{ij}} = \frac{1}{N}\big(p_{ij} - [j = y_i]\big).$$
#
# Subtract each row's maximum before `np.exp`: softmax does not change when a
# constant is added to a row, and `exp` of a score like 1000 would overflow.
# A loss layer is the start of the backward pass: it returns `(loss, dx)`.

# %% [markdown]
# **Exercise 12 (3 points).** `softmax_loss`, stable for large scores.

# %% nbgrader={"grade": false, "grade_id": "softmax_loss", "locked": false, "schema_version": 3, "solution": true}
def softmax_loss(x, y):
    """Softmax cross-entropy loss, averaged over the batch.

    x: (N, C) scores. y: (N,) integer labels, 0 <= y[i] < C.
    Returns (loss, dx): loss a float, dx = dloss/dx of shape (N, C).
    Stable for large scores (shift each row by its maximum).
    """
    ### BEGIN SOLUTION
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y]))
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    ### END SOLUTION
    return loss, dx


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, LN_10, answering, check_softmax, equal_scores, softmax_example
with answering("softmax_loss"):
    _loss, _dx = softmax_loss(*softmax_example())  # scores (5, 4), labels [0, 3, 1, 1, 2]
    _loss0, _ = softmax_loss(*equal_scores())  # all scores 1e-3: 3 samples, 10 classes
check_softmax(_loss, _dx, *softmax_example())  # loss and dx against torch.nn.functional.cross_entropy
check_close("loss for equal scores and 10 classes", _loss0, LN_10, hint=HINTS["ln 10"])
passed("softmax_loss agrees with torch.nn.functional.cross_entropy, and is ln 10 at the start")

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one sample, two classes and ten classes, against PyTorch and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.backprop import HINTS, answering, softmax_cases, softmax_numerical_dx, torch_cross_entropy
for _x, _y in softmax_cases(seed=332):
    with answering("softmax_loss"):
        _loss, _dx = softmax_loss(_x, _y)
    _tl, _tdx = torch_cross_entropy(_x, _y)
    check_close(f"loss for N={len(_x)}, C={_x.shape[1]}", _loss, _tl)
    check_close(f"dx for N={len(_x)}, C={_x.shape[1]}", _dx, _tdx, hint=HINTS["softmax dx again"])
    check_close(f"dx for N={len(_x)}, C={_x.shape[1]} (numerical gradient)", _dx, softmax_numerical_dx(_x, _y))
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import HINTS, answering, check_softmax, large_scores
_x, _y = large_scores()  # rows [1000, 1001, 999], [-1000, -999, -1001], [5, 2, 800]; labels [1, 0, 2]
with answering("softmax_loss", errors="ignore"):
    _loss, _dx = softmax_loss(_x, _y)
check_softmax(_loss, _dx, _x, _y, where=" for scores around 1000", hint=HINTS["softmax overflow"])
passed("softmax_loss is stable for scores like [1000, 1001, 999]")

# %% [markdown]
# ### Binary cross-entropy from a logit
#
# A network for two classes can end in **one** number per sample, a *logit*
# $s$, and predict $p = \sigma(s)$ for class 1. The loss of a sample with label
# $y \in \{0, 1\}$ is the binary cross-entropy
# $-y \log p - (1 - y)\log(1 - p)$, averaged over the batch.
#
# Computing $p$ first and then its logarithm breaks. At $s = 40$,
# $e^{-40} \approx 4\cdot10^{-18}$ is below float64's spacing near 1, so
# $p = 1/(1 + e^{-40})$ rounds to exactly `1.0`; for $y = 0$,
# $\log(1 - p) = \log 0 = -\infty$ and the loss is `inf`, although the true loss
# is 40. Clipping $p$ to $[10^{-15}, 1 - 10^{-15}]$ hides the `inf` but gives
# 34.5 instead of 40. The fix is to
# never form $p$: with $\operatorname{softplus}(t) = \log(1 + e^{t})$,
#
# $$-\log \sigma(s) = \operatorname{softplus}(-s), \qquad -\log\big(1 - \sigma(s)\big) = \operatorname{softplus}(s),
#   \qquad \text{loss} = \operatorname{softplus}(s) - y\,s ,$$
#
# and $\operatorname{softplus}(s) = \max(s, 0) + \log(1 + e^{-|s|})$ never
# overflows (`np.log1p` keeps the small term exact; `np.logaddexp(0, s)` computes
# the same). The gradient is as simple as softmax's:
# $\partial\,\text{loss}/\partial s_i = \big(\sigma(s_i) - y_i\big)/N$.

# %% [markdown]
# **Exercise 13 (2 points).** `sigmoid_bce_loss`, exact for any logit (a second
# test cell uses logits like $\pm 40$ and $\pm 1000$).

# %% nbgrader={"grade": false, "grade_id": "sigmoid_bce_loss", "locked": false, "schema_version": 3, "solution": true}
def sigmoid_bce_loss(x, y):
    """Binary cross-entropy of sigmoid(x), averaged over the batch.

    x: (N,) float logits. y: (N,) labels, 0 or 1.
    Returns (loss, dx): loss a float, dx = dloss/dx of shape (N,).
    Exact for any logit: never take the log of sigmoid(x).
    """
    ### BEGIN SOLUTION
    N = x.shape[0]
    softplus = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # log(1 + e^x)
    loss = np.mean(softplus - y * x)
    z = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    dx = (sig - y) / N
    ### END SOLUTION
    return loss, dx


# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_bce_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.backprop import answering, check_bce
_x, _y = np.array([-3.0, -0.5, 0.0, 0.8, 2.5, 4.0]), np.array([0, 1, 1, 0, 1, 1])
with answering("sigmoid_bce_loss"):
    _loss, _dx = sigmoid_bce_loss(_x, _y)
check_bce(_loss, _dx, _x, _y)  # loss and dx against torch.nn.functional.binary_cross_entropy_with_logits
passed("sigmoid_bce_loss agrees with torch.nn.functional.binary_cross_entropy_with_logits")

# %% nbgrader={"grade": true, "grade_id": "test_sigmoid_bce_loss_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_bce_large, large_logits
for _x, _y in large_logits():  # logits [40, -40, 3], then [-1000, 1000, 50, -50], with their labels
    with answering("sigmoid_bce_loss", errors="ignore"):
        _loss, _dx = sigmoid_bce_loss(_x.copy(), _y)
    check_bce_large(_loss, _dx, _x, _y)  # a finite loss; loss and dx against PyTorch
passed("sigmoid_bce_loss is exact at logits like +-40 and +-1000")

# %% [markdown]
# ## 6. A two-layer network
#
# Now stack the layers: affine, ReLU, affine, softmax.
#
# $$\text{scores} = \max(0,\, XW_1 + b_1)\,W_2 + b_2, \qquad
#   L = \text{softmax\_loss}(\text{scores}, y) + \text{reg}\,\big(\textstyle\sum W_1^2 + \sum W_2^2\big).$$
#
# The forward pass calls the forward functions in order and keeps each cache;
# the backward pass calls the backward functions in **reverse** order, each
# fed with the upstream gradient from the one before. The L2 penalty (the
# course's convention from notebook 02) adds $2\,\text{reg}\,W$ to each weight
# gradient and nothing to the biases.
#
# You may call your own layer functions from above or the course's reference
# versions `layers.affine_forward`, `layers.relu_forward`, `layers.softmax_loss`,
# ... (the same functions, known to be right, so a slip in an earlier exercise
# does not cost you here). Write the whole loss yourself, though: the tests
# refuse the course's own `nets.TwoLayerNet`, also when called from your class.

# %% [markdown]
# **Exercise 14 (6 points).** `TwoLayerNet`.
#
# - `__init__`: weights from `weight_scale * rng.standard_normal(shape)` with the
#   given `rng`, biases zero, all in the dict `self.params`.
# - `loss(X)` returns the scores; `loss(X, y)` returns `(loss, grads)` with one
#   gradient per parameter, under the same keys.

# %% nbgrader={"grade": false, "grade_id": "TwoLayerNet", "locked": false, "schema_version": 3, "solution": true}
from helpers import layers  # the reference layers, again: a scratch cell may have rebound the name


class TwoLayerNet:
    """affine - relu - affine - softmax, for inputs of size D, H hidden units, C classes.

    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
    Loss: softmax cross-entropy + reg * (sum(W1**2) + sum(W2**2)).
    """

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, seed=0):
        self.reg = reg
        rng = np.random.default_rng(seed)
        ### BEGIN SOLUTION
        self.params = {
            "W1": weight_scale * rng.standard_normal((input_dim, hidden_dim)),
            "b1": np.zeros(hidden_dim),
            "W2": weight_scale * rng.standard_normal((hidden_dim, num_classes)),
            "b2": np.zeros(num_classes),
        }
        ### END SOLUTION

    def loss(self, X, y=None):
        """X: (N, D) inputs, y: (N,) labels or None.
        Returns the scores (N, C) if y is None, else (loss, grads) with grads a
        dict of arrays shaped like self.params."""
        ### BEGIN SOLUTION
        p = self.params
        a1, fc1_cache = layers.affine_forward(X, p["W1"], p["b1"])
        h, relu_cache = layers.relu_forward(a1)
        scores, fc2_cache = layers.affine_forward(h, p["W2"], p["b2"])
        if y is None:
            return scores

        data_loss, dscores = layers.softmax_loss(scores, y)
        loss = data_loss + self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        grads = {}
        dh, grads["W2"], grads["b2"] = layers.affine_backward(dscores, fc2_cache)
        da1 = layers.relu_backward(dh, relu_cache)
        _, grads["W1"], grads["b1"] = layers.affine_backward(da1, fc1_cache)
        grads["W2"] += 2 * self.reg * p["W2"]
        grads["W1"] += 2 * self.reg * p["W1"]
        return loss, grads
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_TwoLayerNet_init", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_init
with answering("TwoLayerNet"):  # the course's TwoLayerNet refused, also inside yours
    _net = TwoLayerNet(40, 200, 10, weight_scale=0.05, reg=0.3, seed=3)
    _same = TwoLayerNet(40, 200, 10, weight_scale=0.05, reg=0.3, seed=3)
    _other = TwoLayerNet(40, 200, 10, weight_scale=0.05, reg=0.3, seed=4)
check_init(_net, _same, _other)  # keys and shapes, zero biases, std 0.05, drawn from the seed
passed("TwoLayerNet starts with the right shapes, scale and zero biases")

# %% nbgrader={"grade": true, "grade_id": "test_TwoLayerNet_scores", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.backprop import HINTS, answering, net_example, torch_scores, with_params
_params, _X, _ = net_example(313)  # W1 (6, 5), b1, W2 (5, 3), b2; X (4, 6)
with answering("TwoLayerNet"):
    _net = with_params(TwoLayerNet(6, 5, 3), _params)  # your net, holding copies of these weights
    _scores = _net.loss(_X)
check_close("scores = loss(X) without y", _scores, torch_scores(_params, _X), hint=HINTS["scores"])
passed("TwoLayerNet.loss(X) returns the same scores as an nn.Sequential with the same weights")

# %% nbgrader={"grade": true, "grade_id": "test_TwoLayerNet_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_net_loss, net_example, with_params
_params, _X, _y = net_example(314, labels=[0, 2, 1, 2])  # W1 (6, 5), b1, W2 (5, 3), b2; X (4, 6)
with answering("TwoLayerNet"):
    _net = with_params(TwoLayerNet(6, 5, 3, reg=0.0), _params)
    _out = _net.loss(_X, _y)
check_net_loss(_out, _params, _X, _y)  # the pair (loss, grads), each against PyTorch autograd
passed("TwoLayerNet loss and gradients agree with PyTorch autograd (reg = 0)")

# %% nbgrader={"grade": true, "grade_id": "test_TwoLayerNet_loss_numerical", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: every gradient of another small net against the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks.backprop import answering, check_net_numerical, net_example, with_params
_params, _X, _y = net_example(320, sizes=(5, 4, 3), N=3)  # chosen: every |X @ W1 + b1| > 0.6, away from the kink
with answering("TwoLayerNet"):
    _net = with_params(TwoLayerNet(5, 4, 3, reg=0.0), _params)
    _loss, _grads = _net.loss(_X, _y)
    check_net_numerical(_net, _params, _X, _y, _grads)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_TwoLayerNet_reg", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_net_reg, net_example, with_params
_params, _X, _y = net_example(316, labels=[1, 1, 0, 2])  # W1 (6, 5), b1, W2 (5, 3), b2; X (4, 6)
with answering("TwoLayerNet"):
    _net = with_params(TwoLayerNet(6, 5, 3, reg=0.7), _params)
    _loss, _grads = _net.loss(_X, _y)
check_net_reg(_loss, _grads, _params, _X, _y, reg=0.7)  # against PyTorch autograd, with the L2 penalty
passed("TwoLayerNet with L2 regularization agrees with PyTorch autograd")

# %% [markdown]
# ### Check your own gradients
#
# The tests compare your gradients with PyTorch and with a numerical gradient.
# Run such a check yourself: it is how you will debug every new layer.
# `grad_check_sparse(f, x, analytic_grad, num_checks)` changes a few random
# entries of `x` by $\pm h$, computes $(f(x+h) - f(x-h))/2h$ there and returns
# the relative errors $|a - n| / (|a| + |n|)$ against your analytic gradient;
# `eval_numerical_gradient_array` does every entry of a layer's input.
#
# How to read them: below $10^{-7}$ your gradient is right; up to about
# $10^{-4}$ can happen near a kink (a ReLU input within $h$ of 0, where the
# centered difference straddles the corner); above that (and certainly around
# $10^{-2}$ or 1) there is a bug. A bug in one layer shows in the gradients of
# every parameter below it, so check the last layer's parameters first.

# %% tags=["demo"]
check_net = TwoLayerNet(40, 20, 10, weight_scale=0.1, reg=0.05, seed=7)
X_check, y_check = X_train[:20], y_train[:20]
_, check_grads = check_net.loss(X_check, y_check)
for name in ("b2", "W2", "b1", "W1"):
    # f reads check_net.params[name], which grad_check_sparse changes in place
    errors = grad_check_sparse(lambda _: check_net.loss(X_check, y_check)[0],
                               check_net.params[name], check_grads[name], num_checks=10)
    print(f"TwoLayerNet d{name}: largest relative error {max(errors):.1e}")

rng = np.random.default_rng(7)
x, w, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
dout = rng.standard_normal((4, 3))
dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
dx_num = eval_numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x.copy(), dout)
dw_num = eval_numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w.copy(), dout)
print(f"affine_backward dx: relative error {rel_error(dx, dx_num):.1e}, "
      f"dw: {rel_error(dw, dw_num):.1e}")

# %% [markdown]
# ### How many numbers does a network learn?
#
# A fully connected layer from $n_{in}$ to $n_{out}$ units has an
# $n_{in} \times n_{out}$ weight matrix and $n_{out}$ biases. A network with
# layer sizes $[3, 4, 2]$ (3 inputs, 4 hidden units, 2 outputs) therefore has
# $3\cdot4 + 4 + 4\cdot2 + 2 = 26$ parameters.
#
# **Exercise 15 (2 points).** `count_parameters`, for a list or a tuple of sizes.

# %% nbgrader={"grade": false, "grade_id": "count_parameters", "locked": false, "schema_version": 3, "solution": true}
def count_parameters(layer_sizes):
    """Number of weights and biases of a fully connected network.

    layer_sizes: a sequence (list or tuple) of ints [inputs, hidden_1, ..., outputs].
    Returns an int.
    """
    ### BEGIN SOLUTION
    sizes = list(layer_sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_count_parameters", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_equal, passed
from helpers.checks.backprop import HINTS, torch_count
check_equal("count_parameters([3, 4, 2])", count_parameters([3, 4, 2]), 26, hint=HINTS["count 26"])
check_equal("count_parameters([3, 4, 4, 1])", count_parameters([3, 4, 4, 1]), 41, hint=HINTS["count 41"])
for _sizes in ([40, 512, 10], [5, 3], [7, 1, 7, 2, 9]):  # against the parameters of torch.nn.Linear layers
    check_equal(f"count_parameters({_sizes})", count_parameters(list(_sizes)), torch_count(_sizes),
                hint=HINTS["count"])
passed("count_parameters: 26, 41, and PyTorch's counts for [40, 512, 10], [5, 3], [7, 1, 7, 2, 9]")

# %% nbgrader={"grade": true, "grade_id": "test_count_parameters_tuple", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_equal, passed
from helpers.checks.backprop import HINTS, torch_count
_sizes = (40, 512, 10)
check_equal("count_parameters((40, 512, 10)), a tuple", count_parameters(_sizes), torch_count(_sizes),
            hint=HINTS["count tuple"])
check_equal("the tuple after count_parameters", _sizes, (40, 512, 10))
passed("count_parameters accepts a tuple")

# %% [markdown]
# ## 7. Training on MNIST-1D
#
# With `loss` returning gradients, training is the loop of notebook 02: take a
# minibatch, compute `loss, grads`, step each parameter against its gradient.
# The course's `Solver` runs that loop for any model with `params` and
# `loss(X, y)`. Each epoch it shuffles the training set, records the loss per
# step and the accuracy per epoch, multiplies the learning rate by `lr_decay`,
# and it keeps the parameters with the best **validation** accuracy:
#
# ```python
# solver = Solver(net, data, optim_config={"lr": 0.1}, lr_decay=0.95,
#                 batch_size=100, num_epochs=20, verbose=False)
# solver.train()        # solver.model is net, now trained
# ```
#
# ### First, overfit 50 examples
#
# Before training on everything, check that the network *can* learn. A net
# with a hundred hidden units has thousands of parameters: it can memorise 50
# examples, so its training accuracy on them should reach 100% within a
# second. If it does not, something is wrong (a gradient bug, a learning rate
# far off), and more data will not fix it.
#
# **Exercise 16 (1 point).** `overfit_small_subset`: choose the hidden size,
# `weight_scale`, learning rate, batch size and number of epochs so that your
# `TwoLayerNet` classifies all the given examples right. Start with
# `weight_scale=0.1` and a learning rate between 0.1 and 1; if the training
# accuracy stays low, look at the loss: falling slowly means a larger learning
# rate, jumping around or growing means a smaller one.

# %% nbgrader={"grade": false, "grade_id": "overfit_small_subset", "locked": false, "schema_version": 3, "solution": true}
def overfit_small_subset(X_small, y_small):
    """Train one of your TwoLayerNets (40 inputs, 10 classes) on X_small (N, 40),
    y_small (N,) until it classifies every one of these examples right.
    Returns the Solver after training (solver.model is your trained net)."""
    # Here the "validation" set is the training set itself: we only want to see it fit.
    data = dict(X_train=X_small, y_train=y_small, X_val=X_small, y_val=y_small)
    ### BEGIN SOLUTION
    net = TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=0)
    solver = Solver(net, data, optim_config={"lr": 0.5}, batch_size=25, num_epochs=50,
                    verbose=False, seed=0)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_overfit_small_subset", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_accuracy, trained_scores, training_signals
_X, _y = training_signals(50)  # the notebook's first 50 training signals
with answering("TwoLayerNet"):
    _solver = overfit_small_subset(_X.copy(), _y.copy())
    _scores = trained_scores(_solver, _X.copy())  # loss(X) of solver.model (or of the net returned)
check_accuracy(_scores, _y, target=1.0, what="training")  # all 50 right
passed("your TwoLayerNet memorises 50 training examples (100% training accuracy)")

# %% [markdown]
# The loss should fall to nearly 0 and the accuracy reach 1 (here the
# "validation" curve is the same 50 examples).

# %% tags=["demo"]
small_solver = overfit_small_subset(X_train[:50], y_train[:50])
print(f"final loss {small_solver.loss_history[-1]:.4f}, training accuracy "
      f"{small_solver.check_accuracy(X_train[:50], y_train[:50]):.0%}")
fig = plot_history(small_solver)
fig.axes[0].set_title("the loss on the 50 examples falls to nearly 0", fontsize=10)
fig.axes[1].set_title("the accuracy reaches 1 (validation = the same 50 here)", fontsize=10);

# %% [markdown]
# ### Then tune it on the whole training set
#
# What to tune, most important first:
#
# - the **learning rate**. Try factors of 10 first. Our loss is a mean over
#   the batch, so each gradient is small, and this small net tolerates a
#   learning rate of 1 or 2. The cell below trains 5 epochs with four: with
#   0.02 and 0.2 the loss falls slowly (validation accuracy about 0.28 and 0.43
#   after 5 epochs, against 0.55 with 2); with 20 the loss explodes (to
#   `inf`, then `nan`), and the Solver stops, warns and keeps the best
#   parameters so far;
# - the **number of epochs** and `lr_decay` (smaller steps at the end help);
# - the **hidden size** and the **regularization** `reg`: watch the gap between
#   training and validation accuracy.

# %% tags=["demo"]
import warnings

lr_runs = {}
for lr in (0.02, 0.2, 2.0, 20.0):
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # lr 20 overflows
        warnings.simplefilter("ignore")
        lr_runs[lr] = Solver(TwoLayerNet(40, 256, 10, weight_scale=0.1, seed=0),
                             dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val),
                             optim_config={"lr": lr}, num_epochs=5, verbose=False, seed=0,
                             progress=False).train()
fig, (ax, ax_log) = plt.subplots(1, 2, figsize=(12, 3.6))
for lr, run in lr_runs.items():
    loss = np.array(run.loss_history)
    note = f", diverged in epoch {run.epochs_run + 1}" if run.diverged else ""
    print(f"lr {lr:5}: loss {loss[0]:.3g} -> {loss[-1]:.3g}, best val acc {run.best_val_acc:.3f}{note}")
    if not run.diverged:
        ax.plot(loss, lw=0.8, label=f"lr {lr}")
    ax_log.plot(loss, lw=0.8, label=f"lr {lr}{note}")
ax.set(xlabel="step", ylabel="training loss", ylim=(0, 5),
       title="lr 0.02, 0.2 and 2: the loss falls fastest with 2")
top = max(np.max(np.abs(r.loss_history), where=np.isfinite(r.loss_history), initial=1.0)
          for r in lr_runs.values())  # the largest finite loss
ax_log.set(xlabel="step", ylabel="training loss (log scale)", yscale="log", ylim=(0.5, 10 * top),
           yticks=10.0 ** np.arange(0, np.log10(top) + 1, 50),  # one tick per 50 decades
           title=f"all four on a log scale: with lr 20 the loss explodes to {top:.0e}")
ax_log.yaxis.set_minor_locator(plt.NullLocator())
ax.legend(fontsize=9, loc="upper right")
ax_log.legend(fontsize=9, loc="upper left")
fig.tight_layout()

# %% [markdown]
# **Exercise 17 (3 points).** `train_best_net`: set the hyperparameters and
# train one of your `TwoLayerNet`s on `data` so that it reaches a **validation
# accuracy of at least 0.62** (a linear classifier reaches about 0.32; the best
# two-layer nets about 0.67). The test calls your function on data it loads
# itself and scores the net you return with its own `loss(X)` on the 500
# validation examples. Keep the training to a few seconds (the test runs it
# again).

# %% nbgrader={"grade": false, "grade_id": "train_best_net", "locked": false, "schema_version": 3, "solution": true}
def train_best_net(data):
    """Train one of your TwoLayerNets (40 inputs, 10 classes) on data, a dict with
    X_train, y_train, X_val, y_val (as Solver takes it).
    Returns the Solver after training (solver.model is your trained net)."""
    ### BEGIN SOLUTION
    net = TwoLayerNet(40, 256, 10, weight_scale=0.1, reg=1e-3, seed=0)
    solver = Solver(net, data, optim_config={"lr": 2.0}, lr_decay=0.95, batch_size=100,
                    num_epochs=40, verbose=False, seed=0)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_train_best_net", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.backprop import answering, check_accuracy, mnist1d_split, trained_scores
_Xtr, _ytr, _Xva, _yva = mnist1d_split()  # the notebook's 3500 training and 500 validation signals
with answering("TwoLayerNet"):
    _solver = train_best_net(dict(X_train=_Xtr, y_train=_ytr, X_val=_Xva.copy(), y_val=_yva.copy()))
    _scores = trained_scores(_solver, _Xva.copy())  # loss(X) of solver.model (or of the net returned)
_acc = check_accuracy(_scores, _yva, target=0.62, what="validation")
passed(f"your TwoLayerNet reaches a validation accuracy of {_acc:.3f} (target 0.62)")

# %% [markdown]
# Your net's training curves: the loss per step (smoothed) and the training
# and validation accuracy per epoch.

# %% tags=["demo"]
best_solver = train_best_net(dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val))
best_net = best_solver.model
print(f"best validation accuracy {best_solver.best_val_acc:.3f} (epoch {best_solver.best_epoch}), "
      f"final training accuracy {best_solver.train_acc_history[-1]:.3f}")
fig = plot_history(best_solver)
fig.axes[0].set_title("training loss per step, and its moving average", fontsize=10)
fig.axes[1].set_title("accuracy per epoch: is there a gap?", fontsize=10);

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_train_val_gap", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Read your curves. What does it mean, and what would
# you change, when (a) training accuracy is much higher than validation
# accuracy, (b) both are low, (c) both are high and close? Which case is your
# net in?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) A large gap (e.g. training near 1.0, validation around
# 0.65) is overfitting: the net memorises the training examples, noise
# included. Remedies: more regularization (larger `reg`, later also dropout),
# more training data (or augmentation), a smaller net, or stopping earlier (the
# Solver keeps the best validation epoch). (b) Both low is underfitting: the
# model is too small or not trained enough. Remedies: a bigger model (more
# hidden units), training longer, a larger learning rate (or a better one: check
# the loss curve), less regularization. (c) Both high and close: the model fits
# and generalises; nothing to fix (more capacity may still help if both could
# go higher). Our net: training accuracy near 1 and validation around 0.65-0.68,
# a large gap, so it overfits; more `reg` or more data would help most.
#
# *Rubric (3 points).* 1 point: large gap = overfitting, with a remedy (more
# regularization or data, smaller model, early stopping). 1 point: both low =
# underfitting, with a remedy (bigger model, longer training, larger/better
# learning rate, less regularization). 1 point: no gap and high is fine, and a
# correct reading of their own curves.
# ### END SOLUTION

# %% [markdown]
# **What the first layer learned.** Each column of $W_1$ is a pattern of 40
# numbers that one hidden unit matches against the input signal (its
# pre-activation is the dot product). Plotted as 1-D signals, the units with
# the largest weights do not look like digits: they oscillate from one
# position to the next, much more than the input signals do, over part of
# the 40 positions. Part of this is the net fitting details of its 3500
# training signals. With a larger `reg` (try 0.01 in `train_best_net`) the
# columns become smoother, but the validation accuracy drops to about 0.53:
# the net then underfits.

# %% tags=["demo"]
W1 = best_net.params["W1"]
strongest = np.argsort(-np.linalg.norm(W1, axis=0))[:8]
fig, axes = plt.subplots(2, 4, figsize=(11, 4.2), sharex=True, sharey=True)
for ax, unit in zip(axes.ravel(), strongest):
    ax.plot(W1[:, unit], lw=1.2)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_title(f"hidden unit {unit}", fontsize=9)
fig.suptitle("The 8 columns of W1 with the largest norm: they oscillate from position to position")
fig.supxlabel("input position (0 to 39)")
fig.supylabel("weight")
fig.tight_layout()

# %% [markdown]
# Only now, once, the test set. The MNIST-1D paper's MLP reaches 68%, a linear
# classifier 32%.

# %% tags=["demo"]
test_acc = best_solver.check_accuracy(X_test, y_test)
print(f"two-layer net, test accuracy: {test_acc:.1%}")

# %% [markdown]
# ## 8. A sigmoid network on two moons
#
# The same building blocks make any small network: here a 2-5-1 network with
# sigmoid units on two interleaving moons (two inputs, five hidden sigmoid
# units, one logit output) trained with the binary cross-entropy of
# Exercise 13. It is written with the course's reference layers; `loss`
# returns one logit per sample and `Solver` predicts class 1 where it is
# positive.

# %% tags=["demo"]
class MoonsNet:
    """2-H-1: affine - sigmoid - affine, binary cross-entropy on the logit."""

    def __init__(self, hidden_dim=5, seed=0):
        rng = np.random.default_rng(seed)  # N(0, 1) weights
        self.params = {"W1": rng.standard_normal((2, hidden_dim)), "b1": np.zeros(hidden_dim),
                       "W2": rng.standard_normal((hidden_dim, 1)), "b2": np.zeros(1)}

    def loss(self, X, y=None):
        p = self.params
        a1, fc1_cache = layers.affine_forward(X, p["W1"], p["b1"])
        h, sig_cache = layers.sigmoid_forward(a1)
        s, fc2_cache = layers.affine_forward(h, p["W2"], p["b2"])
        if y is None:
            return s                                    # (N, 1) logits
        loss, ds = layers.sigmoid_bce_loss(s, y)        # ds has the shape of s, (N, 1)
        grads = {}
        dh, grads["W2"], grads["b2"] = layers.affine_backward(ds, fc2_cache)
        da1 = layers.sigmoid_backward(dh, sig_cache)
        _, grads["W1"], grads["b1"] = layers.affine_backward(da1, fc1_cache)
        return loss, grads


# %% [markdown]
# We train it with full-batch gradient descent (all 640 training points in
# every step) for 1500 steps, with three learning rates.

# %% tags=["demo"]
moon_solvers = {}
for lr in (0.2, 2.0, 20.0):
    moon_solvers[lr] = Solver(MoonsNet(seed=0), moons, optim_config={"lr": lr},
                              batch_size=640, num_epochs=1500, verbose=False, seed=0,
                              progress=False).train()
fig, axes = plt.subplots(1, 3, figsize=(13, 4.6))
for ax, (lr, s) in zip(axes, moon_solvers.items()):
    acc = s.check_accuracy(X_moons_test, y_moons_test)
    plot_decision_regions(s.predict, X_moons_test, y_moons_test, ax=ax,
                          title=f"lr {lr}: test accuracy {acc:.3f}")
    ax.set(xlabel="first input", ylabel="second input")
    print(f"lr {lr:4}: loss {s.loss_history[0]:.3f} -> {s.loss_history[-1]:.4f} "
          f"(largest {max(s.loss_history):.2f}), test accuracy {acc:.3f}")
blue, red = plt.cm.coolwarm(0.0), plt.cm.coolwarm(1.0)
fig.legend(handles=[plt.Line2D([], [], ls="", marker="o", color=blue, mec="k", label="test point of class 0"),
                    plt.Line2D([], [], ls="", marker="o", color=red, mec="k", label="test point of class 1"),
                    plt.Rectangle((0, 0), 1, 1, color=blue, alpha=0.3, label="predicted class 0"),
                    plt.Rectangle((0, 0), 1, 1, color=red, alpha=0.3, label="predicted class 1")],
           loc="lower center", ncol=4, fontsize=10)
fig.suptitle("The 2-5-1 sigmoid net after 1500 full-batch steps: with lr 0.2 the boundary is still almost a line")
fig.tight_layout(rect=(0, 0.07, 1, 1))

# %% [markdown]
# Why does a learning rate of 2, or even 20, work here, when 0.01 is a common
# default? The loss is a **mean** over the 640 points and the network is tiny,
# so the gradient is small (its norm starts around 0.5 and shrinks as the fit
# improves; sigmoid derivatives are at most 0.25), and a step of 2 times the
# gradient moves the weights by a fraction of their size. With lr 0.2, 1500
# steps are not enough: the loss sits on a plateau around 0.26 and the
# boundary is almost a straight line (about 0.88 test accuracy, what a line
# can do on two moons): the network is under-trained, not too small. With lr 2 it bends the
# boundary around the moons (0.995). With lr 20 it also gets there, but the
# loss jumps up along the way (to about 7) before settling: steps that large
# are at the edge of stability, and a bit larger (try 50) they keep bouncing
# and end worse. There is no universally right learning rate: it depends on
# the scale of the gradient, so try factors of 10 and look at the loss curve.

# %% [markdown]
# ## 9. Three ways to get a gradient
#
# You have now computed gradients three ways: by hand (the backward
# functions), numerically (the centered differences the tests use), and with
# PyTorch's autograd (the other oracle in the tests).

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_three_gradients", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Compare hand-written backpropagation, numerical
# differentiation and autograd: how exact is each, what does it cost for a
# network with $P$ parameters, and what is each one good for? A student wrote
# that "automatic differentiation approximates the derivatives numerically,
# because that is how computers compute". Is that right? Explain.
#
# ### BEGIN SOLUTION
# *Model answer.* Hand-written backprop applies the chain rule to the known
# local derivative of each layer: exact up to floating-point rounding, and the
# backward pass costs about as much as one forward pass, whatever $P$ is; but
# every layer's derivative must be derived and coded by hand, which is slow and
# error-prone. Numerical differentiation, $(f(x+h) - f(x-h))/2h$, needs no
# derivation, but it is only approximate (truncation error $O(h^2)$ plus
# rounding error that grows as $h$ shrinks, and wrong near kinks) and it costs
# two forward passes **per parameter**, $2P$ passes in all (26,132 for our
# 13,066-parameter MNIST-1D net, per step): useless for training, ideal for
# *checking* an analytic gradient on a tiny input. Autograd records the
# operations of the forward pass as a graph and then runs exactly the backward
# pass we wrote by hand, with each operation's known local derivative
# (reverse-mode automatic differentiation): exact like hand-written backprop,
# about the cost of one extra forward pass, and no derivation needed.
#
# The statement is wrong: automatic differentiation is not numerical
# differentiation. It never evaluates $f(x+h)$; it applies the chain rule to
# exact derivatives of elementary operations, so its results agree with the
# analytic gradient to rounding error (relative differences around $10^{-14}$ in
# this notebook), while a numerical gradient typically differs by $10^{-10}$ to
# $10^{-8}$, and by far more near a kink.
#
# *Rubric (3 points).* 1 point: exactness (backprop and autograd exact up to
# rounding; numerical approximate, with a reason: step size, truncation or
# rounding, kinks). 1 point: cost (one backward pass vs about $2P$ forward
# passes) and the use of each (numerical for gradient checks, analytic/autograd
# for training). 1 point: corrects the claim, explaining that autograd applies
# the chain rule to exact local derivatives and is the same algorithm as
# backpropagation, not finite differences.
# ### END SOLUTION

# %% [markdown]
# ## 10. The same thing in PyTorch
#
# In PyTorch a network is an `nn.Module`: layers with parameters are created
# in `__init__`, and `forward` says how to combine them. There is no
# `backward` to write. While `forward` runs, autograd records every operation;
# `loss.backward()` then walks that record in reverse and applies each
# operation's local derivative, exactly like our backward functions, leaving
# each gradient in `parameter.grad`.

# %% tags=["demo"]
class TorchTwoLayerNet(nn.Module):
    """affine - relu - affine; the softmax lives in the loss (F.cross_entropy)."""

    def __init__(self, input_dim, hidden_dim, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, num_classes)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))

    @torch.no_grad()
    def load_numpy(self, params):
        """Copy W1, b1, W2, b2 of a NumPy TwoLayerNet (nn.Linear stores W transposed)."""
        for fc, i in ((self.fc1, 1), (self.fc2, 2)):
            fc.weight.copy_(torch.as_tensor(params[f"W{i}"].T))
            fc.bias.copy_(torch.as_tensor(params[f"b{i}"]))
        return self

    def l2_penalty(self):
        return self.fc1.weight.pow(2).sum() + self.fc2.weight.pow(2).sum()


# %% [markdown]
# **Same weights, same gradients.** Give both versions the same weights and the
# same batch (in float64) and compare every gradient.

# %% tags=["demo"]
reg = 0.01
np_net = TwoLayerNet(40, 64, 10, weight_scale=0.1, reg=reg, seed=1)
np_loss, np_grads = np_net.loss(X_train[:50], y_train[:50])

torch_net = TorchTwoLayerNet(40, 64, 10).double().load_numpy(np_net.params)
scores = torch_net(torch.tensor(X_train[:50]))
torch_loss = F.cross_entropy(scores, torch.tensor(y_train[:50])) + reg * torch_net.l2_penalty()
torch_loss.backward()
torch_param_grads = {"W1": torch_net.fc1.weight.grad.T, "b1": torch_net.fc1.bias.grad,
                "W2": torch_net.fc2.weight.grad.T, "b2": torch_net.fc2.bias.grad}
print(f"loss: NumPy {np_loss:.12f}, PyTorch {torch_loss.item():.12f}")
for k in np_grads:
    print(f"d{k}: relative error {rel_error(np_grads[k], torch_param_grads[k].numpy()):.1e}")

# %% [markdown]
# **A training loop class.** The `Trainer` below does in PyTorch what `Solver`
# does for our NumPy nets (train, evaluate, predict, remember the best model),
# with three habits worth copying:
#
# - `evaluate` runs under `torch.no_grad()` (no graph is recorded) in
#   `model.eval()` mode, and puts the model back into the mode it was in.
#   Our network behaves the same in both modes, but layers such as dropout
#   and batch normalization do not: forgetting `eval()` gives wrong
#   validation numbers, forgetting to switch back trains a different model;
# - the loop uses minibatches, each sample once per epoch;
# - the best state is kept in memory with `copy.deepcopy(model.state_dict())`.

# %% tags=["demo"]
class Trainer:
    """Minibatch training of a torch model, with evaluation in eval() mode."""

    def __init__(self, model, optimizer, loss_fn, metric, scheduler=None):
        self.model, self.optimizer, self.loss_fn, self.metric = model, optimizer, loss_fn, metric
        self.scheduler = scheduler
        self.train_loss, self.train_scores, self.dev_scores = [], [], []
        self.best_score, self.best_state = -float("inf"), None

    def train(self, train_set, dev_set, num_epochs, batch_size=100, log_every=10, seed=0):
        X, y = train_set
        generator = torch.Generator().manual_seed(seed)
        for epoch in range(1, num_epochs + 1):
            self.model.train()
            for idx in torch.randperm(len(X), generator=generator).split(batch_size):
                loss = self.loss_fn(self.model(X[idx]), y[idx])
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.train_loss.append(loss.item())
            if self.scheduler is not None:
                self.scheduler.step()
            self.train_scores.append(self.evaluate(train_set))
            self.dev_scores.append(self.evaluate(dev_set))
            if self.dev_scores[-1] > self.best_score:
                self.best_score = self.dev_scores[-1]
                self.best_state = copy.deepcopy(self.model.state_dict())
            if log_every and epoch % log_every == 0:
                print(f"epoch {epoch:3d}: loss {self.train_loss[-1]:.4f}, "
                      f"train acc {self.train_scores[-1]:.3f}, val acc {self.dev_scores[-1]:.3f}")
        self.model.load_state_dict(self.best_state)
        return self

    @torch.no_grad()
    def evaluate(self, data_set):
        was_training = self.model.training
        self.model.eval()
        try:
            X, y = data_set
            return self.metric(self.model(X), y)
        finally:
            self.model.train(was_training)

    @torch.no_grad()
    def predict(self, X):
        was_training = self.model.training
        self.model.eval()
        try:
            return self.model(X).argmax(dim=1)
        finally:
            self.model.train(was_training)


# %% [markdown]
# The network and hyperparameters of our solution to Exercise 17 (the same
# initial weights too), now trained by `torch.optim.SGD` (in float32,
# PyTorch's default) with an exponential learning-rate schedule in place of
# `lr_decay`.

# %% tags=["demo"]
def accuracy(scores, y):
    return (scores.argmax(dim=1) == y).float().mean().item()


torch_model = TorchTwoLayerNet(40, 256, 10).load_numpy(
    nets.TwoLayerNet(40, 256, 10, weight_scale=0.1, seed=0).params)
optimizer = torch.optim.SGD(torch_model.parameters(), lr=2.0)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
loss_fn = lambda scores, y: F.cross_entropy(scores, y) + 1e-3 * torch_model.l2_penalty()
as_tensors = lambda X, y: (torch.tensor(X, dtype=torch.float32), torch.tensor(y))

trainer = Trainer(torch_model, optimizer, loss_fn, accuracy, scheduler)
_start = time.perf_counter()
trainer.train(as_tensors(X_train, y_train), as_tensors(X_val, y_val), num_epochs=40, log_every=10)
print(f"training took {time.perf_counter() - _start:.1f} s")
print("back in training mode after evaluate:", torch_model.training)

torch_test_acc = trainer.evaluate(as_tensors(X_test, y_test))
print(f"test accuracy: PyTorch {torch_test_acc:.1%}, your NumPy net {test_acc:.1%}")

# %% [markdown]
# The two test accuracies are close but not equal: your hyperparameters may
# differ from ours, and even with the same ones the batches come in a
# different order and float32 rounds differently, and training amplifies
# such tiny differences. The gradients themselves, as the comparison above
# showed, agree to rounding error (relative errors of $10^{-13}$ or less).
#
# **Summary.** Backpropagation is the chain rule organised as a backward sweep
# through a graph: each gate multiplies the upstream gradient by its local
# gradient, and gradients add where a value is used more than once. Layers
# package this as forward/backward pairs; autograd does it for every operation
# automatically, and exactly.
