# %% [markdown]
# # 05 · Weight initialization: vanishing and exploding signals
#
# A deep network is a long product: the input is multiplied by one weight
# matrix after another on the way forward, and the gradient by the same
# matrices (transposed) and by the activations' local derivatives on the way
# back. If each layer shrinks what passes through it a little, the signal dies
# out after a few layers; if each layer stretches it, it blows up. Where the
# weights *start* decides which happens. In this notebook you will
#
# - see why all-zero weights cannot work (every unit stays the same);
# - write the Xavier and He initializers, normal and uniform, and check their
#   spread against the formula and against `torch.nn.init`;
# - measure the activations and the gradients of a deep network layer by
#   layer, and watch them vanish with a badly chosen scale;
# - train a deep ReLU network on MNIST-1D with your He initializer, side by
#   side with one that starts too small;
# - finish with the same initializers in PyTorch.
#
# **Grading.** 30 points: seven exercises (17 points, checked by tests) and
# five written questions (13 points, graded by hand). Each exercise is
# followed by test cells you can run; more tests run when your notebook is
# graded (a test cell whose visible part is only a comment runs its checks
# then). Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import math

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from helpers import init as reference_init  # the course's reference initializers
from helpers import optim
from helpers.checks import check_close, check_true, passed
from helpers.data import load_mnist1d, train_val_split
from helpers.nets import FullyConnectedNet
from helpers.plots import smooth
from helpers.solver import Solver
from helpers.widgets.initialization import draw_grid, init_demo

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

mnist = load_mnist1d()
X_train, y_train, X_val, y_val = train_val_split(mnist["X_train"], mnist["y_train"],
                                                 n_val=500, seed=0)  # 3500 / 500
X_test, y_test = mnist["X_test"], mnist["y_test"]                   # 1000
data = dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def relu(a):
    return np.maximum(a, 0.0)


print("MNIST-1D train / val / test:", X_train.shape, X_val.shape, X_test.shape)

# %% [markdown]
# ## 1. Why not start from zero?
#
# Gradient descent needs a starting point. The simplest one, every weight 0,
# fails for a reason that has nothing to do with scale: **symmetry**. If all
# units of a layer start with the same weights, they compute the same output,
# receive the same gradient, take the same step, and so stay equal forever. A
# layer of 100 identical units is one unit.
#
# The cell below trains a small binary network (two hidden sigmoid layers of
# 6 units, one output, binary cross-entropy) from all-zero weights with plain
# SGD and checks two things: the first loss is exactly $\ln 2 = 0.6931$ (every
# output is $\sigma(0) = 0.5$, so every example costs $-\ln 0.5$), and after
# 20 steps the 6 units of each hidden layer still have identical incoming
# weights, though the weights did move. The course's `FullyConnectedNet`
# (affine layers with an activation between them) takes the initializer as
# `weight_init`.

# %%
_rng = np.random.default_rng(0)
X_toy, y_toy = _rng.standard_normal((64, 10)), _rng.integers(0, 2, 64)
zero_net = FullyConnectedNet([6, 6], input_dim=10, num_classes=1, activation="sigmoid",
                             weight_init="zeros")
first_loss, _ = zero_net.loss(X_toy, y_toy)
sgd = optim.SGD(lr=0.5)
for step in range(20):
    sgd.update(zero_net.params, zero_net.loss(X_toy, y_toy)[1])
W1 = zero_net.params["W1"]  # (10 inputs, 6 units): column j holds unit j's weights
print(f"first loss {first_loss:.4f}, ln 2 = {math.log(2):.4f}")
print("W1 after 20 steps, first 4 rows (rows: inputs, columns: units):")
with np.printoptions(precision=3):
    print(W1[:4])
check_close("the first loss from zero weights", first_loss, math.log(2))
for i in (1, 2):
    W = zero_net.params[f"W{i}"]
    check_true(np.ptp(W, axis=1).max() < 1e-12, f"the units of hidden layer {i} differ")
check_true(np.abs(W1).max() > 0, "W1 did not move")
passed("zero init: the loss starts at ln 2 and every hidden unit stays identical after 20 SGD steps")

# %% [markdown]
# Each row of `W1` holds one value six times: the six units are copies of
# each other. (And the values are tiny: at the first step the hidden weights
# received no gradient at all.)

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_zero_init", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Explain with the forward and the backward pass why
# the six units of a hidden layer stay identical when all weights start at 0,
# whatever the data and however long you train. Would starting every weight
# at the same *nonzero* constant, say 0.5, fix it? What does fix it?
#
# ### BEGIN SOLUTION
# *Model answer.* Units $j$ and $k$ of a layer compute $h_j = f(w_j^\top x + b_j)$
# with the same input $x$. If $w_j = w_k$ and $b_j = b_k$, then $h_j = h_k$ for
# every example. In the backward pass they also send and receive the same
# thing: the next layer's weights out of $j$ and $k$ are equal too, so the
# upstream gradients $\partial L/\partial h_j$ and $\partial L/\partial h_k$ are
# equal, and so are the gradients of $w_j$ and $w_k$ (same upstream gradient,
# same local derivative, same input). An update subtracts the same thing from
# both, so they are still equal after the step, and by induction forever: the
# layer behaves like one unit copied six times. (With zeros, the first step even
# leaves the hidden weights at 0, since the upstream gradient is multiplied by
# weights that are 0; the biases and the output layer move first.) A nonzero
# constant does not help: it is just as symmetric. What fixes it is breaking
# the symmetry: draw the weights at random (small, independent, zero-mean), so
# that each unit starts different and receives different gradients.
#
# *Rubric (3 points).* 1 point: equal weights give equal outputs (forward). 1
# point: equal outputs and equal outgoing weights give equal gradients, so equal
# updates, and the units never separate (backward, for all steps). 1 point: a
# nonzero constant is just as symmetric; random initialization breaks the
# symmetry.
# ### END SOLUTION

# %% [markdown]
# ## 2. Keeping the variance through a layer: Xavier and He
#
# Random, then, but how large? Take one unit with $n$ inputs (its **fan-in**):
# $a = \sum_{i=1}^{n} w_i x_i$. If the weights and inputs are independent, with
# zero-mean weights of variance $\mathrm{Var}(w)$,
#
# $$\mathrm{Var}(a) = n\,\mathrm{Var}(w)\,\mathbb{E}[x^2].$$
#
# Each layer multiplies the second moment of the signal by $n\,\mathrm{Var}(w)$.
# Through $L$ layers that factor is raised to the power $L$: below 1 the signal
# vanishes, above 1 it explodes. Hence the rule: choose $\mathrm{Var}(w)$ so
# that the factor is 1.
#
# - **Xavier** (Glorot & Bengio, 2010), for activations that look like the
#   identity near 0 (tanh, and roughly sigmoid): $\mathrm{Var}(w) = 1/n$, a
#   standard deviation of $\sqrt{1/n}$, **not** $\sqrt{n}$.
# - **He** (He et al., 2015), for ReLU: ReLU sets half of its inputs to zero,
#   so $\mathbb{E}[\mathrm{relu}(a)^2] = \mathrm{Var}(a)/2$. To make up for that
#   half, $\mathrm{Var}(w) = 2/n$, a standard deviation of $\sqrt{2/n}$.
#
# A uniform distribution $U(-a, a)$ has variance $a^2/3$. The same variances
# as uniform distributions need the bounds $a = \sqrt{3/n}$ (Xavier) and
# $a = \sqrt{6/n}$ (He).
#
# | initializer | distribution | std |
# | --- | --- | --- |
# | `xavier_normal` | $\mathcal{N}(0, 1/n)$ | $\sqrt{1/n}$ |
# | `xavier_uniform` | $U(-\sqrt{3/n}, \sqrt{3/n})$ | $\sqrt{1/n}$ |
# | `he_normal` | $\mathcal{N}(0, 2/n)$ | $\sqrt{2/n}$ |
# | `he_uniform` | $U(-\sqrt{6/n}, \sqrt{6/n})$ | $\sqrt{2/n}$ |
#
# **Shapes.** Our layers compute `x @ W`, so a weight matrix has shape
# `(fan_in, fan_out)`: `shape[0]` is $n$, the number of inputs of each unit.
# (PyTorch stores `nn.Linear` weights transposed, `(out, in)`; section 6 shows
# how it counts. The Xavier above is the fan-in form; Glorot and Bengio's paper,
# and PyTorch, average fan-in and fan-out, which is the same for a square
# matrix.)
#
# Every initializer is a function `init(shape, rng)` that draws from the NumPy
# generator `rng` it is given (so a seed fixes the weights):
# `rng.standard_normal(shape)` draws $\mathcal{N}(0, 1)$ and
# `rng.uniform(low, high, shape)` draws uniformly. The tests draw a large
# matrix with your function and compare its measured std with the formula and
# with `torch.nn.init`, so any correct way of writing it passes.

# %% [markdown]
# **Exercise 1 (2 points).** `xavier_normal`.

# %% nbgrader={"grade": false, "grade_id": "xavier_normal", "locked": false, "schema_version": 3, "solution": true}
def xavier_normal(shape, rng):
    """Weights drawn from N(0, 1 / fan_in).

    shape: (fan_in, fan_out), a tuple of two ints; rng: a np.random.Generator.
    Returns a float array of that shape, drawn from rng.
    """
    ### BEGIN SOLUTION
    fan_in = shape[0]
    W = np.sqrt(1.0 / fan_in) * rng.standard_normal(shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_normal_shape, check_std, draw, torch_std
_W = draw(xavier_normal, (800, 200))
check_std("xavier_normal((800, 200), rng)", _W, np.sqrt(1 / 800),
          hint="std = sqrt(1 / fan_in) = sqrt(1 / 800) = 0.0354, with fan_in = shape[0]; "
               "not sqrt(fan_in), and not shape[1] (fan_out).")
check_normal_shape("xavier_normal's weights", _W)
check_std("xavier_normal((500, 500), rng), against torch.nn.init.xavier_normal_",
          draw(xavier_normal, (500, 500), seed=1), torch_std("xavier_normal", 500))
passed("xavier_normal: std sqrt(1/800) for fan_in 800, and the spread of torch.nn.init.xavier_normal_")

# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_std, check_uses_rng, draw
### BEGIN HIDDEN TESTS
for _shape in [(2000, 30), (40, 3000)]:
    check_std(f"xavier_normal({_shape}, rng)", draw(xavier_normal, _shape, seed=2),
              np.sqrt(1 / _shape[0]), hint="the std depends on fan_in = shape[0] only.")
check_uses_rng(xavier_normal)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2 (2 points).** `xavier_uniform`: the same variance, from a
# uniform distribution.

# %% nbgrader={"grade": false, "grade_id": "xavier_uniform", "locked": false, "schema_version": 3, "solution": true}
def xavier_uniform(shape, rng):
    """Weights drawn from U(-a, a) with a = sqrt(3 / fan_in) (variance 1 / fan_in).

    shape: (fan_in, fan_out); rng: a np.random.Generator. Returns a float array.
    """
    ### BEGIN SOLUTION
    bound = np.sqrt(3.0 / shape[0])
    W = rng.uniform(-bound, bound, shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_std, check_uniform_shape, draw, torch_std
_W = draw(xavier_uniform, (800, 200))
check_std("xavier_uniform((800, 200), rng)", _W, np.sqrt(1 / 800),
          hint="U(-a, a) has variance a^2 / 3: a = sqrt(3 / fan_in) gives the variance 1 / fan_in "
               "(a = sqrt(1 / fan_in) gives a std too small by sqrt(3)).")
check_uniform_shape("xavier_uniform's weights", _W, np.sqrt(3 / 800))
check_std("xavier_uniform((500, 500), rng), against torch.nn.init.xavier_uniform_",
          draw(xavier_uniform, (500, 500), seed=1), torch_std("xavier_uniform", 500))
passed("xavier_uniform: U(-sqrt(3/800), sqrt(3/800)) for fan_in 800, the spread of torch.nn.init.xavier_uniform_")

# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_uniform_shape, check_uses_rng, draw
### BEGIN HIDDEN TESTS
for _shape in [(2000, 30), (40, 3000)]:
    check_uniform_shape(f"xavier_uniform({_shape}, rng)", draw(xavier_uniform, _shape, seed=2),
                        np.sqrt(3 / _shape[0]))
check_uses_rng(xavier_uniform)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3 (2 points).** `he_normal`.

# %% nbgrader={"grade": false, "grade_id": "he_normal", "locked": false, "schema_version": 3, "solution": true}
def he_normal(shape, rng):
    """Weights drawn from N(0, 2 / fan_in), for ReLU layers.

    shape: (fan_in, fan_out); rng: a np.random.Generator. Returns a float array.
    """
    ### BEGIN SOLUTION
    W = np.sqrt(2.0 / shape[0]) * rng.standard_normal(shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_he_normal", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_normal_shape, check_std, draw, torch_std
_W = draw(he_normal, (800, 200))
check_std("he_normal((800, 200), rng)", _W, np.sqrt(2 / 800),
          hint="std = sqrt(2 / fan_in) = 0.05 for fan_in = shape[0] = 800: the factor 2 makes up "
               "for the half of its inputs that ReLU sets to 0.")
check_normal_shape("he_normal's weights", _W)
check_std("he_normal((500, 500), rng), against torch.nn.init.kaiming_normal_(mode='fan_in', nonlinearity='relu')",
          draw(he_normal, (500, 500), seed=1), torch_std("he_normal", 500))
passed("he_normal: std sqrt(2/800) for fan_in 800, the spread of torch.nn.init.kaiming_normal_")

# %% nbgrader={"grade": true, "grade_id": "test_he_normal_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_std, check_uses_rng, draw
### BEGIN HIDDEN TESTS
for _shape in [(2000, 30), (40, 3000)]:
    check_std(f"he_normal({_shape}, rng)", draw(he_normal, _shape, seed=2),
              np.sqrt(2 / _shape[0]), hint="the std depends on fan_in = shape[0] only.")
check_uses_rng(he_normal)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 4 (2 points).** `he_uniform`.

# %% nbgrader={"grade": false, "grade_id": "he_uniform", "locked": false, "schema_version": 3, "solution": true}
def he_uniform(shape, rng):
    """Weights drawn from U(-a, a) with a = sqrt(6 / fan_in) (variance 2 / fan_in).

    shape: (fan_in, fan_out); rng: a np.random.Generator. Returns a float array.
    """
    ### BEGIN SOLUTION
    bound = np.sqrt(6.0 / shape[0])
    W = rng.uniform(-bound, bound, shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_he_uniform", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_std, check_uniform_shape, draw, torch_std
_W = draw(he_uniform, (800, 200))
check_std("he_uniform((800, 200), rng)", _W, np.sqrt(2 / 800),
          hint="U(-a, a) has variance a^2 / 3: a = sqrt(6 / fan_in) gives the variance 2 / fan_in.")
check_uniform_shape("he_uniform's weights", _W, np.sqrt(6 / 800))
check_std("he_uniform((500, 500), rng), against torch.nn.init.kaiming_uniform_(mode='fan_in', nonlinearity='relu')",
          draw(he_uniform, (500, 500), seed=1), torch_std("he_uniform", 500))
passed("he_uniform: U(-sqrt(6/800), sqrt(6/800)) for fan_in 800, the spread of torch.nn.init.kaiming_uniform_")

# %% nbgrader={"grade": true, "grade_id": "test_he_uniform_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
import numpy as np
from helpers.checks import passed
from helpers.checks.initialization import check_uniform_shape, check_uses_rng, draw
### BEGIN HIDDEN TESTS
for _shape in [(2000, 30), (40, 3000)]:
    check_uniform_shape(f"he_uniform({_shape}, rng)", draw(he_uniform, _shape, seed=2),
                        np.sqrt(6 / _shape[0]))
check_uses_rng(he_uniform)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_he_factor", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Where does the factor 2 in He's $\mathrm{Var}(w) = 2/n$
# come from? What happens, layer after layer, to the spread of a deep ReLU
# network's activations if you use Xavier's $1/n$ instead?
#
# ### BEGIN SOLUTION
# *Model answer.* For a symmetric pre-activation $a$, ReLU keeps the positive
# half and sets the negative half to 0, so $\mathbb{E}[\mathrm{relu}(a)^2] =
# \mathrm{Var}(a)/2$. The next layer's pre-activation then has variance
# $n\,\mathrm{Var}(w)\,\mathrm{Var}(a)/2$, and that equals $\mathrm{Var}(a)$ only
# if $\mathrm{Var}(w) = 2/n$: the 2 compensates for the half that ReLU zeroes.
# With $1/n$ each layer halves the second moment (the std shrinks by $\sqrt 2$
# per layer), so after 10 layers the activations are about $2^{-5} \approx 1/32$
# as large (and the gradients shrink the same way): the signal vanishes
# geometrically, slowly but surely.
#
# *Rubric (2 points).* 1 point: ReLU zeroes half its inputs, halving the second
# moment, which the factor 2 restores. 1 point: with $1/n$ the spread shrinks by a
# constant factor ($\sqrt 2$ in std, 2 in variance) per layer, geometrically with
# depth.
# ### END SOLUTION

# %% [markdown]
# ## 3. Activations layer by layer
#
# To see what an initializer does, push a batch through a deep network and
# look at what each layer outputs. Here the network is a plain stack of
# layers without biases: $h_0 = X$, and for $l = 1, \dots, L$
#
# $$h_l = f(h_{l-1} W_l).$$
#
# **Exercise 5 (3 points).** `forward_stats`: return every layer's output
# $h_l$ (after the activation $f$) and its standard deviation over all its
# values (`np.std`).

# %% nbgrader={"grade": false, "grade_id": "forward_stats", "locked": false, "schema_version": 3, "solution": true}
def forward_stats(X, weights, activation):
    """Push X through the layers h = activation(h @ W), one W per layer.

    X: array (N, D); weights: a list of L arrays, the first (D, H1), the next (H1, H2), ...;
    activation: a NumPy function applied elementwise (np.tanh, relu, sigmoid, ...).
    Returns (outputs, stds): outputs a list of the L arrays h_1, ..., h_L (after the
    activation), stds an array (L,) holding np.std of each of them. Do not change X.
    """
    ### BEGIN SOLUTION
    outputs, stds = [], []
    h = X
    for W in weights:
        h = activation(h @ W)
        outputs.append(h)
        stds.append(np.std(h))
    stds = np.array(stds)
    ### END SOLUTION
    return outputs, stds


# %% nbgrader={"grade": true, "grade_id": "test_forward_stats", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
import torch
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.initialization import INIT_REFS
from helpers import init as _init
_rng = np.random.default_rng(0)
_X = _rng.standard_normal((200, 30))
_Ws = [0.3 * _rng.standard_normal(_s) for _s in [(30, 20), (20, 20), (20, 10)]]
for _name, _f, _tf in [("tanh", np.tanh, torch.tanh), ("relu", lambda a: np.maximum(a, 0.0), torch.relu)]:
    with without_reference(_init.activation_stats, *INIT_REFS):
        _result = forward_stats(_X.copy(), [_W.copy() for _W in _Ws], _f)
    check_true(isinstance(_result, (tuple, list)) and len(_result) == 2,
               "forward_stats should return two things, (outputs, stds).",
               hint="end with `return outputs, stds`.")
    _outs, _stds = _result
    check_true(len(_outs) == 3, f"With 3 weight matrices there are 3 outputs; got {len(_outs)}.",
               hint="append h to outputs once per layer, after the activation.")
    _h = torch.tensor(_X)
    for _l, _W in enumerate(_Ws, start=1):
        _h = _tf(_h @ torch.tensor(_W))
        check_close(f"outputs[{_l - 1}] (layer {_l}, {_name})", _outs[_l - 1], _h.numpy(),
                    hint="h = activation(h @ W): the activation comes after the product, in every layer.")
        check_close(f"stds[{_l - 1}] (layer {_l}, {_name})", np.asarray(_stds, dtype=float)[_l - 1],
                    float(_h.numpy().std()), tol=1e-2,
                    hint="measure np.std of the layer's output after the activation, not of h @ W.")
passed("forward_stats: each layer's output and its std agree with PyTorch (tanh and ReLU)")

# %% nbgrader={"grade": true, "grade_id": "test_forward_stats_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one layer, layers of different widths with a sigmoid, and X left unchanged.
import numpy as np
import torch
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.initialization import INIT_REFS
from helpers import init as _init
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(3)
_X = _rng.standard_normal((50, 8))
for _shapes in [[(8, 5)], [(8, 12), (12, 3), (3, 7), (7, 2)]]:
    _Ws = [_rng.standard_normal(_s) for _s in _shapes]
    _X0 = _X.copy()
    with without_reference(_init.activation_stats, *INIT_REFS):
        _outs, _stds = forward_stats(_X, [_W.copy() for _W in _Ws], lambda a: 1.0 / (1.0 + np.exp(-a)))
    check_close("X after forward_stats (it must not change)", _X, _X0)
    check_true(len(_outs) == len(_Ws) and np.asarray(_stds).shape == (len(_Ws),),
               f"With {len(_Ws)} layers there are {len(_Ws)} outputs and {len(_Ws)} stds.")
    _h = torch.tensor(_X0)
    for _l, _W in enumerate(_Ws):
        _h = torch.sigmoid(_h @ torch.tensor(_W))
        check_close(f"outputs[{_l}] (sigmoid)", _outs[_l], _h.numpy())
        check_close(f"stds[{_l}] (sigmoid)", float(np.asarray(_stds)[_l]), float(_h.numpy().std()), tol=1e-2)
### END HIDDEN TESTS

# %% [markdown]
# **The experiment.** Ten ReLU layers of 100 units, 1000 inputs drawn from
# $\mathcal{N}(0, 1)$: with your `he_normal` the std of the activations should
# stay of order 1 all the way (between 0.5 and 2), with weights of std 0.01 it
# should fall by about a factor $0.01\sqrt{100/2} \approx 0.07$ per layer, far
# below $10^{-3}$ at the end. The cell measures it with your two functions.

# %%
X_probe = np.random.default_rng(0).standard_normal((1000, 100))
_rng = np.random.default_rng(0)
he_weights = [he_normal((100, 100), _rng) for _ in range(10)]
small_weights = [0.01 * _rng.standard_normal((100, 100)) for _ in range(10)]
_, he_stds = forward_stats(X_probe, he_weights, relu)
_, small_stds = forward_stats(X_probe, small_weights, relu)
print("layer:     " + " ".join(f"{l:8d}" for l in range(1, 11)))
print("He:        " + " ".join(f"{s:8.2g}" for s in he_stds))
print("std 0.01:  " + " ".join(f"{s:8.2g}" for s in small_stds))
check_true(0.5 <= min(he_stds) and max(he_stds) <= 2, f"He init: stds {np.round(he_stds, 3)}")
check_true(small_stds[-1] < 1e-3, f"std 0.01: the last std is {small_stds[-1]:.2g}")
passed("through 10 ReLU layers the std stays in [0.5, 2] with He init and falls below 1e-3 with std 0.01")

# %% [markdown]
# The same measurement as pictures, for a 5-layer network (100 units per
# layer, 1000 inputs): one column per activation, one row per initialization,
# and in each panel the histograms of the five layers' outputs drawn over
# each other (light: layer 1, dark: layer 5), with their stds on top.

# %% tags=["demo"]
draw_grid();

# %% [markdown]
# How to read them:
#
# - **std 1, sigmoid**: the outputs pile up at 0 and 1. The units are
#   saturated, where the sigmoid's derivative is almost 0: the gradient
#   cannot pass.
# - **std 0.01**: every unit outputs nearly the same value (0.5 for sigmoid, 0
#   for tanh and ReLU), and the spread shrinks with every layer. The units do
#   not tell the inputs apart any more, and with ReLU or tanh the signal
#   vanishes: the later layers see almost nothing.
# - **Xavier** keeps sigmoid and tanh spread out through the five layers;
#   **He** does the same for ReLU (with Xavier, ReLU's spread halves in
#   variance at every layer).
#
# **Try it.** The widget redraws the histograms for any activation,
# initialization, scale factor and depth. Make the network 10 layers deep
# with ReLU and Xavier, then multiply the He scale by 0.5 and by 2.

# %% tags=["demo"]
init_demo()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_small_std", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** With ReLU and weights of std 0.01 (100 units per
# layer), by what factor does the std of the activations shrink per layer,
# roughly, and where is it after 10 layers? Why is that a problem for learning,
# even though the numbers are not exactly 0?
#
# ### BEGIN SOLUTION
# *Model answer.* Each layer multiplies the second moment by $n\,\mathrm{Var}(w)/2
# = 100 \cdot 10^{-4}/2 = 0.005$, so the std by $\sqrt{0.005} \approx 0.07$;
# after 10 layers it is about $0.07^{10} \approx 10^{-12}$ of the input's
# (our measurement: around $10^{-12}$). The last layers then see inputs that
# are practically 0 and identical for every example, so the output does not
# depend on the input; and the weight gradients, which are products of these
# tiny activations with upstream gradients that shrink in the same way on the
# way back, are tiny too: the network barely learns (and its accuracy stays at
# chance, as section 5 shows).
#
# *Rubric (2 points).* 1 point: a factor of about 0.07 per layer (or "a factor
# $0.01\sqrt{n/2}$", or 0.1 if the ReLU halving is left out, with the right
# reasoning), so roughly $10^{-12}$ (or $10^{-10}$) after 10 layers. 1 point: the
# outputs no longer depend on the input and the gradients (products of
# activations and shrinking upstream gradients) are tiny, so learning stalls.
# ### END SOLUTION

# %% [markdown]
# ## 4. Gradients layer by layer
#
# The backward pass multiplies too. Through a sigmoid layer the upstream
# gradient is multiplied by the local derivative $\sigma'(a) = \sigma(a)(1 -
# \sigma(a)) \le 1/4$ and by the transposed weights. With small weights both
# factors are small, and they compound: the first layers, far from the loss,
# receive almost nothing. The weight gradient of layer $l$ is $h_{l-1}^\top
# \delta_l$, the layer's input times the upstream gradient that reached it.
#
# **Exercise 6 (2 points).** `layer_gradient_norms`: run one forward and
# backward pass of a `FullyConnectedNet` (`net.loss(X, y)` returns the loss and
# a dict of gradients `"W1"`, `"b1"`, ..., `"W<L>"`, `"b<L>"`, with
# `net.num_layers` weight matrices) and return the norm of each weight
# gradient, from the first layer to the last.

# %% nbgrader={"grade": false, "grade_id": "layer_gradient_norms", "locked": false, "schema_version": 3, "solution": true}
def layer_gradient_norms(net, X, y):
    """The Frobenius norm (np.linalg.norm) of the gradient of the loss with respect to
    W1, W2, ..., WL for the batch (X, y), as an array (L,) with L = net.num_layers,
    first layer first."""
    ### BEGIN SOLUTION
    _, grads = net.loss(X, y)
    norms = np.array([np.linalg.norm(grads[f"W{l}"]) for l in range(1, net.num_layers + 1)])
    ### END SOLUTION
    return norms


# %% nbgrader={"grade": true, "grade_id": "test_layer_gradient_norms", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers.checks.initialization import INIT_REFS, torch_fc_grads
from helpers.nets import FullyConnectedNet as _FCN
_rng = np.random.default_rng(1)
_X, _y = _rng.standard_normal((20, 5)), _rng.integers(0, 4, 20)
_net = _FCN([8, 7, 6], input_dim=5, num_classes=4, activation="tanh", weight_init="xavier_normal",
            bias_init=0.1, seed=1)
with without_reference(*INIT_REFS):
    _norms = np.asarray(layer_gradient_norms(_net, _X.copy(), _y.copy()), dtype=float)
check_true(_norms.shape == (4,), f"The net has 4 weight matrices, so 4 norms; got shape {_norms.shape}.",
           hint="one norm per W1, ..., WL with L = net.num_layers (the output layer counts too).")
_, _grads = torch_fc_grads(_net, _X, _y)
check_close("the gradient norms (against PyTorch autograd)", _norms,
            [np.linalg.norm(_grads[f"W{_l}"]) for _l in range(1, 5)],
            hint="the norms of the gradients grads['W1'], ..., in that order (not of the weights).")
passed("layer_gradient_norms agrees with PyTorch autograd on a 4-layer tanh net")

# %% nbgrader={"grade": true, "grade_id": "test_layer_gradient_norms_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a two-layer binary net (one output), and a net with L2 regularization.
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers.checks.initialization import INIT_REFS, torch_fc_grads
from helpers.nets import FullyConnectedNet as _FCN
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(2)
_X = _rng.standard_normal((16, 6))
for _net, _y in [(_FCN([5], 6, 1, activation="sigmoid", weight_init="he_normal", seed=3),
                  _rng.integers(0, 2, 16)),
                 (_FCN([9, 9, 9, 9], 6, 3, activation="relu", weight_init="he_normal", reg=0.1, seed=4),
                  _rng.integers(0, 3, 16))]:
    with without_reference(*INIT_REFS):
        _norms = layer_gradient_norms(_net, _X.copy(), _y.copy())
    _, _grads = torch_fc_grads(_net, _X, _y)
    check_close(f"the gradient norms of {_net!r}", np.asarray(_norms, dtype=float),
                [np.linalg.norm(_grads[f"W{_l}"]) for _l in range(1, _net.num_layers + 1)])
### END HIDDEN TESTS

# %% [markdown]
# **Run the experiment yourself.** The cell below calls your
# `layer_gradient_norms` on three 5-layer networks (4 hidden layers of 100
# units, 10 classes) and one batch of 200 random inputs: sigmoid with weights
# of std 0.01, sigmoid with your Xavier, and ReLU with your He. It prints the
# five norms of each, from the input side to the output, and the ratio of the
# first to the last. How to read it: a ratio near 1 (within a factor of 10 or
# so) means every layer learns at a similar pace; a ratio of $10^{-6}$ means
# the first layer's weights move a million times more slowly than the last
# layer's: it does not learn at all in any reasonable time.

# %%
_rng = np.random.default_rng(0)
X_grad, y_grad = _rng.standard_normal((200, 100)), _rng.integers(0, 10, 200)
grad_norms = {}
for label, activation, weight_init in [("sigmoid, std 0.01", "sigmoid", 0.01),
                                       ("sigmoid, your Xavier", "sigmoid", xavier_normal),
                                       ("ReLU, your He", "relu", he_normal)]:
    deep_net = FullyConnectedNet([100] * 4, input_dim=100, num_classes=10, activation=activation,
                                 weight_init=weight_init, seed=0)
    grad_norms[label] = norms = layer_gradient_norms(deep_net, X_grad, y_grad)
    print(f"{label:22s}" + " ".join(f"{n:9.2e}" for n in norms) + f"   first / last {norms[0] / norms[-1]:.1e}")
tiny = grad_norms["sigmoid, std 0.01"]
check_true(all(a < b for a, b in zip(tiny, tiny[1:])), "sigmoid, std 0.01: the norms should grow layer by layer")
check_true(tiny[0] / tiny[-1] < 1e-6, f"sigmoid, std 0.01: first / last = {tiny[0] / tiny[-1]:.1e}")
passed("sigmoid with std 0.01: the gradient norm grows strictly from the first layer to the last, "
       "and the first is below a millionth of the last")

# %% tags=["demo"]
fig, ax = plt.subplots(figsize=(5.5, 3.2))
for label, norms in grad_norms.items():
    ax.semilogy(range(1, 6), norms, "o-", label=label)
ax.set(xlabel="layer (1 = next to the input)", ylabel="norm of dL/dW", xticks=range(1, 6),
       title="Gradient norm per layer at the start of training")
ax.legend(fontsize=8);

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_read_gradient_norms", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Read your numbers. (a) For the sigmoid net with std
# 0.01, by roughly what factor does the norm shrink from one layer to the one
# below it? (b) Explain that factor: which two things multiply the gradient at
# every sigmoid layer on the way back, and how large is each here? (c) What do
# Xavier and He change, and why can't even Xavier make a deep *sigmoid* net's
# gradients as even as He makes a ReLU net's?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) About a factor 40 per layer ($\approx 0.025$; about
# 0.06 between the first two layers, whose input is the data, of std 1): the
# first layer's norm is about $10^{-6}$ of the last's ($2 \cdot 10^{-7}$ against
# $0.26$). With Xavier the sigmoid net still loses a factor of about 4 per
# layer (ratio about $2 \cdot 10^{-3}$), the ReLU net with He only about 0.2 in all.
# (b) Going from layer $l$ down to $l-1$, the upstream gradient is multiplied
# by $W_l^\top$ and by the local derivative $\sigma'(a) \le 1/4$. With std 0.01
# and 100 units, $W^\top$ shrinks a vector by about $0.01\sqrt{100} = 0.1$, and
# since the pre-activations are almost 0, $\sigma'(a) \approx 0.25$: together
# about $0.025$ per layer, and these factors multiply (the chain rule is a
# product), so the decay is geometric in depth. (The weight gradient
# $h_{l-1}^\top\delta_l$ also has the layer's input as a factor, about 0.5 for
# every sigmoid layer, so that does not change the trend.) (c) Xavier and He
# choose the weights' scale so that $W^\top$ no longer shrinks the signal
# (factor about 1, or $\sqrt 2$ for He to make up for ReLU's zeroed half), and
# the ratio comes much closer to 1. But the sigmoid's derivative is still at
# most 1/4, so every sigmoid layer still divides the gradient by 4 or more
# (and its outputs are not centred at 0): the sigmoid net's norms still
# decrease towards the input, while ReLU's derivative is exactly 1 where it is
# active, which He's factor 2 compensates for on average.
#
# *Rubric (3 points).* 1 point: (a) a factor of the right order (between about
# 10 and 100 per layer), read from their output. 1 point: (b) the product of
# $W^\top$ (about 0.1 here) and $\sigma' \le 0.25$ at each layer, compounding
# over depth. 1 point: (c) Xavier/He fix the weight-scale factor, and the
# sigmoid's derivative $\le 1/4$ still shrinks the gradient per layer, which
# ReLU (derivative 1 where active) does not.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_sigmoid_chain", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** A student says: "the vanishing gradient is a
# numerical problem: in float128 a 20-layer sigmoid network would train fine".
# Write the gradient of the loss with respect to the first layer's
# pre-activation in a chain of $L$ sigmoid layers of one unit each ($h_l =
# \sigma(w_l h_{l-1})$) as a product, bound it using $\sigma' \le 1/4$, and
# say whether the student is right.
#
# ### BEGIN SOLUTION
# *Model answer.* With $a_l = w_l h_{l-1}$ and $h_l = \sigma(a_l)$, the chain rule gives
#
# $$\frac{\partial L}{\partial a_1} = \frac{\partial L}{\partial h_L}\,
#   \sigma'(a_L) \prod_{l=2}^{L} w_l\,\sigma'(a_{l-1}),$$
#
# so $\left|\partial L/\partial a_1\right| \le \left|\partial L/\partial h_L\right|
# (1/4)^{L} \prod_{l=2}^{L} |w_l|$. Unless the weights are larger than 4 (which
# pushes the units into saturation, where $\sigma'$ is far below 1/4), the
# bound decays like $4^{-L}$: for $L = 20$ that is about $10^{-12}$. The
# student is wrong: the gradient is truly tiny, not rounded to zero, and more
# precision computes the same tiny number exactly. The problem is that
# gradient descent with one learning rate then moves the first layers $10^{12}$
# times more slowly than the last: they effectively do not learn. The fixes
# change the product itself: ReLU (derivative 1 where active), a careful
# initialization, normalization layers, residual connections.
#
# *Rubric (3 points).* 1 point: the gradient written as a product over layers
# of weight times local derivative. 1 point: the bound $(1/4)^L \prod |w_l|$,
# geometric decay with depth (large weights saturate the units instead). 1
# point: the student is wrong: it is the size of the true gradient, not a
# rounding error, and the first layers learn far too slowly whatever the
# precision.
# ### END SOLUTION

# %% [markdown]
# ## 5. Training a deep ReLU network on MNIST-1D
#
# Does it matter once training starts? Train the same deep ReLU network
# (4 hidden layers of 100 units) with two initializations: your `he_normal`
# and weights of std 0.01.
#
# **Exercise 7 (4 points).** `train_deep_net`: build a `FullyConnectedNet`
# with hidden layers `[100, 100, 100, 100]`, 40 inputs, 10 classes, ReLU and
# `weight_init=weight_init` (FullyConnectedNet accepts your functions
# `init(shape, rng)` as well as a number, the std of a normal), and train it
# with the course's `Solver` on `data` for a few seconds. The test runs it
# twice with the same settings: with your `he_normal` (once it passes its
# tests; until then the course's) the net must reach a
# **test accuracy of at least 0.60** (the MNIST-1D paper's MLP reaches 0.68), and
# with std 0.01 it must stay near chance (**below 0.20**), to show that the
# difference comes from the initialization alone. Use SGD with momentum
# (`optimizer="momentum"`); a learning rate around 0.1 with
# `lr_decay=0.9` and 15 epochs of batches of 100 is a good start. (An
# adaptive optimizer such as Adam rescales every gradient and partly hides the
# problem.)

# %% nbgrader={"grade": false, "grade_id": "train_deep_net", "locked": false, "schema_version": 3, "solution": true}
def train_deep_net(weight_init, data):
    """Train a FullyConnectedNet([100] * 4, 40, 10, activation="relu", weight_init=weight_init)
    on data (a dict with X_train, y_train, X_val, y_val) and return the Solver
    after training (solver.model is the trained net)."""
    ### BEGIN SOLUTION
    net = FullyConnectedNet([100] * 4, input_dim=40, num_classes=10, activation="relu",
                            weight_init=weight_init, seed=0)
    solver = Solver(net, data, optimizer="momentum", optim_config={"lr": 0.1}, lr_decay=0.9,
                    batch_size=100, num_epochs=15, verbose=False, seed=0)
    solver.train()
    ### END SOLUTION
    return solver


# %% nbgrader={"grade": true, "grade_id": "test_train_deep_net", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_true, passed, without_reference
from helpers.checks.initialization import INIT_REFS, he_for_training
from helpers.data import load_mnist1d as _load_mnist1d, train_val_split as _train_val_split
_mnist = _load_mnist1d()
_Xtr, _ytr, _Xva, _yva = _train_val_split(_mnist["X_train"], _mnist["y_train"], n_val=500, seed=0)
_he, _note = he_for_training(he_normal)  # yours, once it passes its tests
if _note:
    print(_note)
_acc = {}
for _label, _init_fn, _block in [("your he_normal", _he, INIT_REFS if _he is he_normal else ()),
                                 ("std 0.01", lambda shape, rng: 0.01 * rng.standard_normal(shape), ())]:
    _data = dict(X_train=_Xtr.copy(), y_train=_ytr.copy(), X_val=_Xva.copy(), y_val=_yva.copy())
    with without_reference(*_block):
        _solver = train_deep_net(_init_fn, _data)
        _net = getattr(_solver, "model", _solver)  # a Solver, or the net itself
        _scores = np.asarray(_net.loss(_mnist["X_test"].copy()))
    check_true(_scores.shape == (1000, 10),
               f"The trained net's loss(X) returned shape {_scores.shape} for 1000 examples, not (1000, 10).",
               hint="return the Solver (or the net) after training.")
    check_true(len([k for k in _net.params if k.startswith("W")]) >= 5,
               "The network should have 4 hidden layers (5 weight matrices).")
    _acc[_label] = float(np.mean(np.argmax(_scores, axis=1) == _mnist["y_test"]))
print("test accuracy: " + ", ".join(f"{k} {v:.3f}" for k, v in _acc.items()))
check_true(_acc["your he_normal"] >= 0.60,
           f"With your he_normal the test accuracy is {_acc['your he_normal']:.3f}, the target is 0.60.",
           hint="first make sure your he_normal passes its tests; then tune the learning rate "
                "(factors of 3 around 0.1), lr_decay and the number of epochs.")
check_true(_acc["std 0.01"] < 0.20,
           f"With std 0.01 the test accuracy is {_acc['std 0.01']:.3f}: your training settings make "
           "even the bad initialization work, so the comparison shows nothing.",
           hint="use optimizer='momentum' (not Adam), with the same settings for both runs.")
passed(f"a deep ReLU net reaches {_acc['your he_normal']:.3f} test accuracy with your He init "
       f"and stays at {_acc['std 0.01']:.3f} with std 0.01")

# %% [markdown]
# **Training curves for each initialization.** The same function, three
# starting points: std 0.01, your Xavier and your He. Left, the training loss
# (smoothed); right, the validation accuracy per epoch.

# %% tags=["demo"]
inits = {"std 0.01": 0.01, "your Xavier": xavier_normal, "your He": he_normal}
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.5))
for label, weight_init in inits.items():
    curve = train_deep_net(weight_init, data)
    test_acc = curve.check_accuracy(X_test, y_test)
    print(f"{label:12s}: first loss {curve.loss_history[0]:9.3g}, best val acc {curve.best_val_acc:.3f}, "
          f"test acc {test_acc:.3f}")
    ax_loss.plot(smooth(curve.loss_history), label=label)
    ax_acc.plot(range(1, len(curve.val_acc_history) + 1), curve.val_acc_history, "o-", ms=3, label=label)
ax_loss.set(xlabel="step", ylabel="training loss", ylim=(0, 3), title="loss")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 0.8), title="validation accuracy")
ax_acc.axhline(0.1, color="0.7", lw=0.8, ls="--")
ax_acc.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# With std 0.01 the loss sits at $\ln 10 \approx 2.30$ (every class equally
# likely) and the accuracy at chance: the signal reaching the output is so
# small that the output layer sees the same thing for every input, and the
# gradients of the first layers are far too small to change that. Xavier and He
# both train at this depth (with only four hidden layers, Xavier's halving per
# layer costs little; at twenty it would not train either).
#
# **Try it.** The exploding side: train with `lambda shape, rng: 3 * he_normal(shape, rng)`.
# The first loss is in the hundreds (the scores are enormous), and in 15
# epochs the net does not get off the ground.

# %% [markdown]
# ## 6. The same thing in PyTorch
#
# `torch.nn.init` fills a tensor in place (the trailing `_` says so). The
# names map to ours as follows (our `W` is `(fan_in, fan_out)`, PyTorch's
# `nn.Linear.weight` is `(out_features, in_features)`; PyTorch computes
# fan-in and fan-out from that layout itself):
#
# | ours | PyTorch |
# | --- | --- |
# | `zeros`, `constant(v)` | `nn.init.zeros_(w)`, `nn.init.constant_(w, v)` |
# | `normal(std)` | `nn.init.normal_(w, mean=0.0, std=std)` |
# | `xavier_normal` | `nn.init.xavier_normal_(w)`: std $\sqrt{2/(\text{fan\_in} + \text{fan\_out})}$ |
# | `xavier_uniform` | `nn.init.xavier_uniform_(w)`: bound $\sqrt{6/(\text{fan\_in} + \text{fan\_out})}$ |
# | `he_normal` | `nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")` |
# | `he_uniform` | `nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")` |
#
# PyTorch's Xavier averages fan-in and fan-out (Glorot and Bengio's
# compromise between keeping the forward and the backward variance), so it
# equals ours only for square matrices. Its Kaiming functions multiply by a
# `gain` that depends on `nonlinearity` ($\sqrt 2$ for ReLU, 1 for linear,
# 5/3 for tanh). And `nn.Linear`'s own default is none of these:
# `kaiming_uniform_` with `a=sqrt(5)`, a bound of $1/\sqrt{\text{fan\_in}}$.
#
# Below: the std of each PyTorch initializer on a square layer (400 x 400)
# and on a wide one (in 400, out 100), next to your functions on the same
# shapes and the formula.

# %% tags=["demo"]
def torch_filled(fill, in_features, out_features):
    w = nn.Linear(in_features, out_features).weight.detach().double()  # (out, in)
    torch.manual_seed(0)
    fill(w)
    return w


fills = {
    "normal std 0.01": (lambda w: nn.init.normal_(w, mean=0.0, std=0.01),
                        lambda shape, rng: 0.01 * rng.standard_normal(shape), lambda n, m: 0.01),
    "xavier_normal": (nn.init.xavier_normal_, xavier_normal, lambda n, m: np.sqrt(1 / n)),
    "xavier_uniform": (nn.init.xavier_uniform_, xavier_uniform, lambda n, m: np.sqrt(1 / n)),
    "he_normal": (lambda w: nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu"),
                  he_normal, lambda n, m: np.sqrt(2 / n)),
    "he_uniform": (lambda w: nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu"),
                   he_uniform, lambda n, m: np.sqrt(2 / n)),
    "nn.Linear default": (lambda w: w, None, lambda n, m: 1 / np.sqrt(3 * n)),
}
print(f"{'':18s} {'in x out':>9s} {'PyTorch':>9s} {'yours':>9s} {'ours (formula)':>15s}")
for name, (fill, mine, formula) in fills.items():
    for n_in, n_out in [(400, 400), (400, 100)]:
        std_torch = float(torch_filled(fill, n_in, n_out).std())
        yours = float(mine((n_in, n_out), np.random.default_rng(0)).std()) if mine else float("nan")
        print(f"{name:18s} {n_in:4d}x{n_out:<4d} {std_torch:9.4f} {yours:9.4f} {formula(n_in, n_out):15.4f}")
print("constant_(w, 0.5): every entry", torch_filled(lambda w: nn.init.constant_(w, 0.5), 4, 3).unique().tolist())

# %% [markdown]
# On the square layer every row agrees to the third digit. On the wide
# layer (400 inputs, 100 outputs) PyTorch's Xavier gives
# $\sqrt{2/500} = 0.063$ where ours gives $\sqrt{1/400} = 0.050$: the fan-average
# convention. He/Kaiming with `mode="fan_in"` depends on the 400 inputs only,
# in both.
#
# **Summary.** Every layer multiplies the signal's variance by
# $n\,\mathrm{Var}(w)$ (times $1/2$ for ReLU) on the way forward, and the
# gradient by the weights and the local derivatives on the way back; through
# many layers these factors compound. Zero init never breaks the symmetry
# between units; a fixed small std makes activations and gradients vanish
# geometrically with depth; a large one saturates sigmoid and tanh or makes
# ReLU nets explode. Xavier ($1/n$) and He ($2/n$) choose the variance that
# keeps the factor at 1, and a deep ReLU network then trains where the same
# network started at std 0.01 does not.
