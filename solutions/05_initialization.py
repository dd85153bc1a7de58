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
# - prepare the inputs: centre and scale them with training statistics, and
#   write PCA and whitening;
# - choose a deep ReLU network's learning rate on the validation set, with
#   He's initialization and with one that starts too small;
# - finish with the same initializers in PyTorch.
#
# **Grading.** 40 points: ten exercises (25 points, checked by tests) and
# six written questions (15 points, graded by hand). Each exercise is
# followed by test cells you can run; more tests run when your notebook is
# graded (a test cell that prints "More cases of this exercise are checked
# when your notebook is graded" runs its checks then). Run the cells from
# top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import math

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

from helpers import init as reference_init  # the course's reference initializers
from helpers import optim
from helpers.checks import check_close, check_true, passed
from helpers.data import load_digits, load_mnist1d, train_val_split
from helpers.init import train_deep_relu_net
from helpers.nets import FullyConnectedNet
from helpers.widgets.initialization import draw_grid, init_demo

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

mnist = load_mnist1d()  # its test set stays unused here: every choice is made on validation
X_train, y_train, X_val, y_val = train_val_split(mnist["X_train"], mnist["y_train"],
                                                 n_val=500, seed=0)  # 3500 / 500
data = dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)
digits = load_digits()  # 8x8 images, pixels in [0, 1]: for the preprocessing section


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def relu(a):
    return np.maximum(a, 0.0)


print("MNIST-1D train / val:", X_train.shape, X_val.shape, "  digits train:", digits["X_train"].shape)

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
# that the factor is 1. Write $n_{in}$ for the fan-in and $n_{out}$ for the
# fan-out (the number of units of the layer).
#
# - **LeCun** (LeCun et al., 1998): $\mathrm{Var}(w) = 1/n_{in}$ keeps the
#   variance of the forward signal through layers whose activation is close
#   to the identity near 0, such as tanh ($\tanh a \approx a$). The sigmoid is
#   not: $\sigma(a) \approx \tfrac12 + \tfrac{a}{4}$ near 0, a shift by one half
#   and a slope of one quarter.
# - The backward pass multiplies the gradient by $W^\top$: each input of the
#   layer collects $n_{out}$ terms, and the same argument asks for
#   $\mathrm{Var}(w) = 1/n_{out}$ to keep the variance of the gradient.
# - **Xavier** (Glorot & Bengio, 2010) takes the compromise between the two,
#   the fan average: $\mathrm{Var}(w) = 2/(n_{in} + n_{out})$, a standard
#   deviation of $\sqrt{2/(n_{in} + n_{out})}$, **not** $\sqrt{n}$. Some books
#   call LeCun's $1/n_{in}$ "Xavier"; the two agree only when
#   $n_{in} = n_{out}$.
# - **He** (He et al., 2015), for ReLU: ReLU sets half of its inputs to zero,
#   so $\mathbb{E}[\mathrm{relu}(a)^2] = \mathrm{Var}(a)/2$. To make up for that
#   half, $\mathrm{Var}(w) = 2/n_{in}$, a standard deviation of $\sqrt{2/n_{in}}$.
#
# A uniform distribution $U(-a, a)$ has variance $a^2/3$. The same variances
# as uniform distributions need the bounds $a = \sqrt{6/(n_{in} + n_{out})}$
# (Xavier) and $a = \sqrt{6/n_{in}}$ (He).
#
# | initializer | distribution | std |
# | --- | --- | --- |
# | `xavier_normal` | $\mathcal{N}\big(0, 2/(n_{in} + n_{out})\big)$ | $\sqrt{2/(n_{in} + n_{out})}$ |
# | `xavier_uniform` | $U\big(-\sqrt{6/(n_{in} + n_{out})}, \sqrt{6/(n_{in} + n_{out})}\big)$ | $\sqrt{2/(n_{in} + n_{out})}$ |
# | `he_normal` | $\mathcal{N}(0, 2/n_{in})$ | $\sqrt{2/n_{in}}$ |
# | `he_uniform` | $U(-\sqrt{6/n_{in}}, \sqrt{6/n_{in}})$ | $\sqrt{2/n_{in}}$ |
#
# **Shapes.** Our layers compute `x @ W`, so a weight matrix has shape
# `(fan_in, fan_out)`: `shape[0]` is $n_{in}$, the number of inputs of each
# unit, and `shape[1]` is $n_{out}$. (PyTorch stores `nn.Linear` weights
# transposed, `(out, in)`; section 7 shows that it counts the fans the same
# way.)
#
# Every initializer is a function `init(shape, rng)` that draws from the NumPy
# generator `rng` it is given (so a seed fixes the weights):
# `rng.standard_normal(shape)` draws $\mathcal{N}(0, 1)$ and
# `rng.uniform(low, high, shape)` draws uniformly. The tests draw a large
# matrix with your function and compare its measured std with the formula and
# with `torch.nn.init`, so any correct way of writing it passes.

# %% [markdown]
# **Exercise 1 (2 points).** `xavier_normal`: Glorot and Bengio's fan average.

# %% nbgrader={"grade": false, "grade_id": "xavier_normal", "locked": false, "schema_version": 3, "solution": true}
def xavier_normal(shape, rng):
    """Weights drawn from N(0, 2 / (fan_in + fan_out)).

    shape: (fan_in, fan_out), a tuple of two ints; rng: a np.random.Generator.
    Returns a float array of that shape, drawn from rng.
    """
    ### BEGIN SOLUTION
    fan_in, fan_out = shape
    W = np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal(shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.initialization import XAVIER_NORMAL_HINT, check_like_torch, check_normal_shape, check_std, draw
_W = draw(xavier_normal, (800, 200))  # your xavier_normal((800, 200), rng), with rng = default_rng(0)
check_std("xavier_normal((800, 200), rng)", _W, (2 / (800 + 200)) ** 0.5, hint=XAVIER_NORMAL_HINT)
check_normal_shape("xavier_normal's weights", _W)  # normal: 4.55% of the values beyond 2 std
check_like_torch(xavier_normal, "xavier_normal", (300, 700))  # the std of torch.nn.init.xavier_normal_
passed("xavier_normal: std sqrt(2/(800+200)) for a (800, 200) matrix, and the spread of "
       "torch.nn.init.xavier_normal_")

# %% nbgrader={"grade": true, "grade_id": "test_xavier_normal_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks.initialization import check_std, check_uses_rng, draw
for _shape in [(2000, 30), (40, 3000)]:
    check_std(f"xavier_normal({_shape}, rng)", draw(xavier_normal, _shape, seed=2),
              np.sqrt(2 / (_shape[0] + _shape[1])),
              hint="the variance is 2 / (fan_in + fan_out): both sizes of the shape count.")
check_uses_rng(xavier_normal)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2 (2 points).** `xavier_uniform`: the same variance, from a
# uniform distribution.

# %% nbgrader={"grade": false, "grade_id": "xavier_uniform", "locked": false, "schema_version": 3, "solution": true}
def xavier_uniform(shape, rng):
    """Weights drawn from U(-a, a) with a = sqrt(6 / (fan_in + fan_out))
    (variance 2 / (fan_in + fan_out)).

    shape: (fan_in, fan_out); rng: a np.random.Generator. Returns a float array.
    """
    ### BEGIN SOLUTION
    bound = np.sqrt(6.0 / (shape[0] + shape[1]))
    W = rng.uniform(-bound, bound, shape)
    ### END SOLUTION
    return W


# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.initialization import XAVIER_UNIFORM_HINT, check_like_torch, check_std, check_uniform_shape, draw
_W = draw(xavier_uniform, (800, 200))  # your xavier_uniform((800, 200), rng), with rng = default_rng(0)
check_std("xavier_uniform((800, 200), rng)", _W, (2 / (800 + 200)) ** 0.5, hint=XAVIER_UNIFORM_HINT)
check_uniform_shape("xavier_uniform's weights", _W, (6 / (800 + 200)) ** 0.5)  # flat, within the bound
check_like_torch(xavier_uniform, "xavier_uniform", (300, 700))  # the std of torch.nn.init.xavier_uniform_
passed("xavier_uniform: U(-sqrt(6/1000), sqrt(6/1000)) for a (800, 200) matrix, the spread of "
       "torch.nn.init.xavier_uniform_")

# %% nbgrader={"grade": true, "grade_id": "test_xavier_uniform_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks.initialization import check_uniform_shape, check_uses_rng, draw
for _shape in [(2000, 30), (40, 3000)]:
    check_uniform_shape(f"xavier_uniform({_shape}, rng)", draw(xavier_uniform, _shape, seed=2),
                        np.sqrt(6 / (_shape[0] + _shape[1])))
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
from helpers.checks import passed
from helpers.checks.initialization import HE_NORMAL_HINT, check_like_torch, check_normal_shape, check_std, draw
_W = draw(he_normal, (800, 200))  # your he_normal((800, 200), rng), with rng = default_rng(0)
check_std("he_normal((800, 200), rng)", _W, (2 / 800) ** 0.5, hint=HE_NORMAL_HINT)
check_normal_shape("he_normal's weights", _W)  # normal: 4.55% of the values beyond 2 std
check_like_torch(he_normal, "he_normal", (300, 700))  # the std of torch.nn.init.kaiming_normal_
passed("he_normal: std sqrt(2/800) for fan_in 800, the spread of torch.nn.init.kaiming_normal_")

# %% nbgrader={"grade": true, "grade_id": "test_he_normal_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks.initialization import check_std, check_uses_rng, draw
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
from helpers.checks import passed
from helpers.checks.initialization import HE_UNIFORM_HINT, check_like_torch, check_std, check_uniform_shape, draw
_W = draw(he_uniform, (800, 200))  # your he_uniform((800, 200), rng), with rng = default_rng(0)
check_std("he_uniform((800, 200), rng)", _W, (2 / 800) ** 0.5, hint=HE_UNIFORM_HINT)
check_uniform_shape("he_uniform's weights", _W, (6 / 800) ** 0.5)  # flat, within the bound
check_like_torch(he_uniform, "he_uniform", (300, 700))  # the std of torch.nn.init.kaiming_uniform_
passed("he_uniform: U(-sqrt(6/800), sqrt(6/800)) for fan_in 800, the spread of torch.nn.init.kaiming_uniform_")

# %% nbgrader={"grade": true, "grade_id": "test_he_uniform_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other shapes (fan_in much larger and much smaller than fan_out), draws from the rng given.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks.initialization import check_uniform_shape, check_uses_rng, draw
for _shape in [(2000, 30), (40, 3000)]:
    check_uniform_shape(f"he_uniform({_shape}, rng)", draw(he_uniform, _shape, seed=2),
                        np.sqrt(6 / _shape[0]))
check_uses_rng(he_uniform)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_he_factor", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Where does the factor 2 in He's $\mathrm{Var}(w) = 2/n$
# come from? What happens, layer after layer, to the spread of a deep ReLU
# network's activations if you use LeCun's $1/n$ instead (which is also
# Xavier's for layers of $n$ inputs and $n$ units)?
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
from helpers.checks import passed, without_reference
from helpers.checks.initialization import ACTIVATIONS, STATS_REFS, check_forward_stats, stats_inputs
_X, _Ws = stats_inputs()  # X (200, 30) from N(0, 1); weights of std 0.3: (30, 20), (20, 20), (20, 10)
for _name in ("tanh", "relu"):
    with without_reference(*STATS_REFS):  # the course's own statistics and initializers are blocked
        _result = forward_stats(_X.copy(), [_W.copy() for _W in _Ws], ACTIVATIONS[_name])
    check_forward_stats(_result, _X, _Ws, _name)  # each output and its std against PyTorch
passed("forward_stats: each layer's output and its std agree with PyTorch (tanh and ReLU)")

# %% nbgrader={"grade": true, "grade_id": "test_forward_stats_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one layer, layers of different widths with a sigmoid, and X left unchanged.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
import torch
from helpers.checks import check_close, check_true, without_reference
from helpers.checks.initialization import INIT_REFS
from helpers import init as _init
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
# each other (light: layer 1, dark: layer 5), with their stds above the
# panel. Where ReLU's outputs explode or vanish, the x axis is logarithmic,
# so that every layer stays in view.

# %% tags=["demo"]
draw_grid();

# %% [markdown]
# How to read them:
#
# - **std 1, sigmoid**: the outputs pile up at 0 and 1. The units are
#   saturated, where the sigmoid's derivative is almost 0: the gradient
#   cannot pass.
# - **std 1, ReLU**: the spread grows by a factor of about 7 at every layer
#   (std 5.8 to 18000 in five layers): the signal explodes.
# - **std 0.01, tanh and ReLU**: the spread shrinks by the same factor at
#   every layer (0.1 for tanh, 0.07 for ReLU; on ReLU's log axis each layer
#   sits the same step to the left of the one before): the signal vanishes
#   and the later layers see almost nothing.
# - **std 0.01, sigmoid**: the spread of all the outputs does *not* shrink
#   after the first layer (about 0.012 from layer 2 on). The sigmoid is not
#   centred: $\sigma(a) \approx \tfrac12 + \tfrac a4$, so every unit of layer 2
#   receives inputs of about 0.5 and outputs about $\sigma(\tfrac12\sum_i w_{ij})$,
#   a value of its own, different from unit to unit but the same for every
#   example. What is left is a spread *between units*; the spread *between
#   examples*, the part that carries information about the input, shrinks
#   by a factor of about 40 per layer (measured per unit). The units no
#   longer tell the inputs apart.
# - **Xavier** keeps tanh's spread from collapsing (it shrinks slowly, from
#   0.63 to 0.32 over five layers) and sigmoid's about constant after the
#   first layer; **He** keeps ReLU's near 1 (with Xavier, ReLU's spread
#   halves in variance at every layer: 0.58 down to 0.18).
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
# chance, as section 6 shows).
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
from helpers.checks import passed, without_reference
from helpers.checks.initialization import INIT_REFS, check_gradient_norms, gradient_net
_net, _X, _y = gradient_net()  # a tanh net 5 -> 8 -> 7 -> 6 -> 4 (4 weight matrices) and 20 examples
with without_reference(*INIT_REFS):
    _norms = layer_gradient_norms(_net, _X.copy(), _y.copy())
check_gradient_norms(_norms, _net, _X, _y)  # 4 norms, against PyTorch autograd's gradients
passed("layer_gradient_norms agrees with PyTorch autograd on a 4-layer tanh net")

# %% nbgrader={"grade": true, "grade_id": "test_layer_gradient_norms_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: a two-layer binary net (one output), and a net with L2 regularization.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import without_reference
from helpers.checks.initialization import INIT_REFS, check_gradient_norms
from helpers.nets import FullyConnectedNet as _FCN
_rng = np.random.default_rng(2)
_X = _rng.standard_normal((16, 6))
for _net, _y in [(_FCN([5], 6, 1, activation="sigmoid", weight_init="he_normal", seed=3),
                  _rng.integers(0, 2, 16)),
                 (_FCN([9, 9, 9, 9], 6, 3, activation="relu", weight_init="he_normal", reg=0.1, seed=4),
                  _rng.integers(0, 3, 16))]:
    with without_reference(*INIT_REFS):
        _norms = layer_gradient_norms(_net, _X.copy(), _y.copy())
    check_gradient_norms(_norms, _net, _X, _y, what=f"the gradient norms of {_net!r}", hints=False)
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


def deep_net(activation, weight_init):
    return FullyConnectedNet([100] * 4, input_dim=100, num_classes=10, activation=activation,
                             weight_init=weight_init, seed=0)


grad_norms = {"sigmoid, std 0.01": layer_gradient_norms(deep_net("sigmoid", 0.01), X_grad, y_grad),
              "sigmoid, your Xavier": layer_gradient_norms(deep_net("sigmoid", xavier_normal), X_grad, y_grad),
              "ReLU, your He": layer_gradient_norms(deep_net("relu", he_normal), X_grad, y_grad)}
for label, norms in grad_norms.items():
    print(f"{label:22s}" + " ".join(f"{n:9.2e}" for n in norms) + f"   first / last {norms[0] / norms[-1]:.1e}")
tiny = grad_norms["sigmoid, std 0.01"]
check_true(all(a < b for a, b in zip(tiny, tiny[1:])), "sigmoid, std 0.01: the norms should grow layer by layer")
check_true(tiny[0] / tiny[-1] < 1e-6, f"sigmoid, std 0.01: first / last = {tiny[0] / tiny[-1]:.1e}")
passed("sigmoid with std 0.01: the gradient norm grows strictly from the first layer to the last, "
       "and the first is below a millionth of the last")

# %% tags=["demo"]
first_over_last = {label: norms[0] / norms[-1] for label, norms in grad_norms.items()}
fig, ax = plt.subplots(figsize=(6, 3.4))
for label, norms in grad_norms.items():
    ax.semilogy(range(1, 6), norms, "o-", label=f"{label} (first / last {first_over_last[label]:.0e})")
ax.set(xlabel="layer (1 = next to the input)", ylabel="norm of dL/dW", xticks=range(1, 6),
       title="Gradient norm per layer at the start of training:\nthe sigmoid's vanishes towards the input")
ax.legend(fontsize=8.5, loc="lower right");

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
# ## 5. The inputs: centring, scaling, PCA and whitening
#
# Every argument so far assumed something about the inputs as well: centred
# at 0 and of unit scale, like the $\mathcal{N}(0, 1)$ batches of sections 3
# and 4. Real inputs rarely are: the digits' pixels lie in $[0, 1]$ (mean
# 0.31, std 0.38), sensor readings come in their own units. **Preprocessing**
# changes the coordinates of the inputs before the first layer, with
# statistics measured on the **training set only**. The validation and test
# sets are transformed with the same numbers, never their own: otherwise they
# would leak into the model, and a single new example could not be
# transformed at all. (MNIST-1D, used in section 6, comes centred and scaled
# already: mean 0.00 and std 1.00 over its training set. The digits do not.)
#
# - **Zero-centring and scaling** (standardization): $x_j \leftarrow (x_j -
#   \mu_j)/\sigma_j$ for every feature $j$, with $\mu_j$ and $\sigma_j$ the mean
#   and the standard deviation of feature $j$ over the training set. A
#   feature that is constant in the training set ($\sigma_j = 0$, a pixel
#   blank in every training image) is only centred.
# - **PCA** (principal component analysis): rotate the centred data onto the
#   eigenvectors of its covariance matrix $C = X_c^\top X_c / (N - 1)$, in
#   decreasing order of eigenvalue. The eigenvalue $\lambda_i$ is the variance
#   of the data along direction $i$; the first $k$ directions keep more of the
#   variance than any other $k$-dimensional projection.
# - **Whitening**: after the PCA rotation, divide coordinate $i$ by
#   $\sqrt{\lambda_i + \varepsilon}$. Each direction then has variance
#   $\lambda_i / (\lambda_i + \varepsilon) \approx 1$ and the covariance is
#   (nearly) the identity: a round cloud. The small $\varepsilon$ keeps
#   directions without variance from being divided by 0 and damps the
#   directions of tiny variance, mostly noise that whitening would magnify.

# %% [markdown]
# **Exercise 7 (3 points).** `zero_center_and_scale(X_train, *others)`:
# centre and scale `X_train` and every array in `others` (validation, test,
# ...) with the mean and standard deviation of each feature **of `X_train`**.
# Return new arrays; do not change the inputs.

# %% nbgrader={"grade": false, "grade_id": "zero_center_and_scale", "locked": false, "schema_version": 3, "solution": true}
def zero_center_and_scale(X_train, *others):
    """X_train: (N, D); others: any number of arrays (M, D).
    Returns a tuple: X_train centred and scaled, then each array of others in
    order, all with the training set's mean and std of each feature (np.std,
    axis 0). A feature whose training std is 0 (below 1e-8) is only centred."""
    ### BEGIN SOLUTION
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < 1e-8, 1.0, std)
    out = tuple((X - mean) / std for X in (X_train, *others))
    ### END SOLUTION
    return out


# %% nbgrader={"grade": true, "grade_id": "test_zero_center_and_scale", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.initialization import PREP_REFS, check_scaled, libraries_blocked, scaling_sets
_Xtr, _Xva, _given = scaling_sets()  # training (60, 4) and validation (20, 4) sets far from mean 0, std 1; copies
with without_reference(*PREP_REFS), libraries_blocked():  # NumPy only: scikit-learn's scalers are blocked
    _out, _shifted = zero_center_and_scale(*_given), zero_center_and_scale(_Xtr.copy(), _Xva + 100.0)
check_scaled(_out, [_Xtr, _Xva], "zero_center_and_scale(X_train, X_val)", given=_given)  # vs StandardScaler
check_scaled(_shifted, [_Xtr, _Xva + 100.0], "zero_center_and_scale(X_train, X_val + 100)")  # same statistics
passed("zero_center_and_scale agrees with StandardScaler fitted on the training set, whatever X_val holds")

# %% nbgrader={"grade": true, "grade_id": "test_zero_center_and_scale_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: constant features (only centred), three sets at once, no other set, integer pixels.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, without_reference
from helpers.checks.initialization import PREP_REFS, check_scaled, libraries_blocked, sklearn_scaled
_rng = np.random.default_rng(52)
_Xtr = _rng.normal(2.0, 3.0, (30, 5))
_Xtr[:, 1], _Xtr[:, 3] = 0.0, 1.0                     # two features constant in the training set
_Xva, _Xte = _rng.normal(2.0, 3.0, (7, 5)), _rng.normal(2.0, 3.0, (9, 5))
with without_reference(*PREP_REFS), libraries_blocked():
    _out = zero_center_and_scale(_Xtr.copy(), _Xva.copy(), _Xte.copy())
check_scaled(_out, [_Xtr, _Xva, _Xte], "zero_center_and_scale(X_train, X_val, X_test) with constant features")
with without_reference(*PREP_REFS), libraries_blocked():
    _alone = zero_center_and_scale(_Xtr.copy())
_alone = _alone[0] if isinstance(_alone, (tuple, list)) and len(_alone) == 1 else _alone
check_close("zero_center_and_scale(X_train) alone", _alone, sklearn_scaled(_Xtr)[0], tol=1e-9,
            hint="with no other set, return a tuple holding the one transformed training set.")
_pixels = _rng.integers(0, 17, (40, 6))               # integer pixels, like the digits' 0..16
with without_reference(*PREP_REFS), libraries_blocked():
    _out = zero_center_and_scale(_pixels.copy(), _pixels[:5].copy())
check_scaled(_out, [_pixels, _pixels[:5]], "zero_center_and_scale on integer pixels")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 8 (3 points).** `pca(X, k)`. Centre `X` with its own mean,
# compute the covariance matrix (`np.cov(Xc, rowvar=False)` or `Xc.T @ Xc /
# (N - 1)`), and its eigenvalues and eigenvectors: `np.linalg.eigh(C)` returns
# them in **increasing** order, the eigenvectors as the **columns** of a
# matrix. (The SVD of the centred data, `np.linalg.svd(Xc)`, gives the same
# directions.) The sign of an eigenvector is arbitrary, $v$ and $-v$ are both
# unit eigenvectors: the tests accept either.

# %% nbgrader={"grade": false, "grade_id": "pca", "locked": false, "schema_version": 3, "solution": true}
def pca(X, k):
    """X: (N, D); k: the number of directions to keep, 1 <= k <= D.
    Returns (Z, components, variances):
      components (k, D): the unit directions of largest variance, one per ROW,
                         the largest variance first;
      variances (k,):    the variance of the data along each direction (the
                         eigenvalues of the covariance matrix, divided by N - 1);
      Z (N, k):          the centred data projected: (X - mean) @ components.T."""
    ### BEGIN SOLUTION
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / (len(X) - 1)
    values, vectors = np.linalg.eigh(C)
    order = np.argsort(values)[::-1][:k]
    components = vectors[:, order].T
    variances = values[order]
    Z = Xc @ components.T
    ### END SOLUTION
    return Z, components, variances


# %% nbgrader={"grade": true, "grade_id": "test_pca", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.initialization import PREP_REFS, check_pca, libraries_blocked, pca_data
_X = pca_data()  # 300 correlated points of 4 features, far from the origin
_X_in = _X.copy()
with without_reference(*PREP_REFS), libraries_blocked():  # NumPy only: scikit-learn's PCA is blocked
    _result = pca(_X_in, 2)
check_pca(_result, _X, 2, "pca(X, 2)", given=_X_in)  # against sklearn's PCA(2), up to the sign of each direction
passed("pca(X, 2) gives scikit-learn's components (up to sign), variances and projections")

# %% nbgrader={"grade": true, "grade_id": "test_pca_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: k = 1, k = D, and fewer samples than features.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import without_reference
from helpers.checks.initialization import PREP_REFS, check_pca, libraries_blocked
_rng = np.random.default_rng(54)
_X = _rng.standard_normal((200, 5)) @ np.diag([4.0, 2.5, 1.5, 1.0, 0.5]) @ np.linalg.qr(
    _rng.standard_normal((5, 5)))[0] - 7.0
for _k in (1, 5):
    with without_reference(*PREP_REFS), libraries_blocked():
        _result = pca(_X.copy(), _k)
    check_pca(_result, _X, _k, f"pca(X, {_k})")
_few = _rng.standard_normal((60, 80)) * np.linspace(3.0, 0.5, 80) + 1.0   # 60 samples of 80 features
with without_reference(*PREP_REFS), libraries_blocked():
    _result = pca(_few.copy(), 3)
check_pca(_result, _few, 3, "pca(X, 3) with 60 samples of 80 features")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 9 (3 points).** `whiten(X, eps)`: PCA whitening with all $D$
# directions, each coordinate divided by $\sqrt{\lambda_i + \varepsilon}$.

# %% nbgrader={"grade": false, "grade_id": "whiten", "locked": false, "schema_version": 3, "solution": true}
def whiten(X, eps=1e-5):
    """X: (N, D). Returns the (N, D) array (X - mean) @ V / sqrt(variances + eps):
    V (D, D) holds all the principal directions as COLUMNS, the largest variance
    first, and variances their eigenvalues (covariance divided by N - 1)."""
    ### BEGIN SOLUTION
    Xc = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(Xc, rowvar=False))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    white = Xc @ vectors / np.sqrt(np.maximum(values, 0.0) + eps)
    ### END SOLUTION
    return white


# %% nbgrader={"grade": true, "grade_id": "test_whiten", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.initialization import PREP_REFS, check_whitened, libraries_blocked, whiten_data
_X = whiten_data()  # 400 correlated points of 3 features, away from the origin
_X_in = _X.copy()
with without_reference(*PREP_REFS), libraries_blocked():  # NumPy only: scikit-learn's PCA is blocked
    _W = whiten(_X_in)
check_whitened(_W, _X, 1e-5, "whiten(X)", against_sklearn=True, given=_X_in)  # covariance and values
passed("whiten(X): the covariance is the identity, and the values are PCA(whiten=True)'s up to column signs")

# %% nbgrader={"grade": true, "grade_id": "test_whiten_eps", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: the digits (some directions of variance 0) with eps = 0.1: finite, variances lambda / (lambda + eps).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import without_reference
from helpers.checks.initialization import PREP_REFS, check_whitened, libraries_blocked
from helpers.data import load_digits as _load_digits
_X = _load_digits()["X_train"][:600]
with without_reference(*PREP_REFS), libraries_blocked():
    _W = whiten(_X.copy(), eps=0.1)
check_whitened(_W, _X, 0.1, "whiten(digits, eps=0.1)")
### END HIDDEN TESTS

# %% [markdown]
# **What each step does**, on 300 points of a correlated 2-D cloud far from
# the origin. Left to right: the raw data; centred and scaled (each axis now
# has mean 0 and std 1, but the cloud is still tilted: the features are
# correlated); rotated onto the principal directions by your `pca` (the axes
# of the ellipse are now the coordinate axes: uncorrelated); whitened by your
# `whiten` (every direction has variance 1: a round cloud).

# %% tags=["demo"]
_rng = np.random.default_rng(5)
cloud = _rng.multivariate_normal([6.0, 2.0], [[4.0, 1.5], [1.5, 1.0]], size=300)
steps = {"raw": cloud, "centred and scaled": zero_center_and_scale(cloud)[0],
         "PCA (rotated)": pca(cloud, 2)[0], "whitened": whiten(cloud)}
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for ax, (name, pts) in zip(axes, steps.items()):
    cov = np.cov(pts, rowvar=False)
    ax.scatter(pts[:, 0], pts[:, 1], s=5, alpha=0.6)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set(xlabel="coordinate 1", ylabel="coordinate 2",
           title=f"{name}\nvariances {cov[0, 0]:.2f}, {cov[1, 1]:.2f}; covariance {cov[0, 1]:.2f}")
    ax.title.set_fontsize(9)
fig.suptitle("Each step changes the coordinates: centred, then uncorrelated, then of variance 1 everywhere",
             fontsize=10)
fig.tight_layout()

# %% [markdown]
# **Why $\varepsilon$.** The digits have pixels that are blank in every
# training image (and some almost always blank): their covariance matrix has
# eigenvalues of exactly 0, which rounding turns into tiny numbers of either
# sign. Without $\varepsilon$, whitening divides by their square roots: a
# `nan` for a negative one, a factor of hundreds of millions for a tiny
# positive one. The cell prints the smallest variances your `pca` finds.

# %% tags=["demo"]
_, _, digit_variances = pca(digits["X_train"], 64)
print("the 8 smallest of the 64 variances of the digits:")
print(np.array2string(digit_variances[-8:], precision=2))
print(f"largest: {digit_variances[0]:.3f}; 1 / sqrt(the smallest positive one) = "
      f"{1 / np.sqrt(digit_variances[digit_variances > 0].min()):.3g}")

# %% [markdown]
# ### Why zero-mean inputs matter for initialization
#
# He's rule assumes that the pre-activations $a_j = \sum_i w_{ij} x_i$ of a
# unit are symmetric around 0, so that a ReLU unit is active on about half of
# the inputs. With inputs that are all positive that fails. Write $x = \mu +
# (x - \mu)$: then $a_j = \sum_i w_{ij}\mu_i + \sum_i w_{ij}(x_i - \mu_i)$. The
# first term is the same for every input, a random offset per unit, here as
# large as the second, the part that varies from input to input. A unit
# with a negative offset is off for most inputs, one with a positive offset
# is on for nearly all of them (and then behaves like a linear unit). The
# backward pass has its own problem: for one example, the gradient of unit
# $j$'s incoming weights is $x\,\partial L/\partial a_j$, and with $x \ge 0$
# all its entries have the sign of $\partial L/\partial a_j$: all the weights
# of a unit go up together or down together.
#
# The cell below draws He weights for a first layer of 100 ReLU units and
# measures, for each unit, the fraction of the 1197 training digits it is
# active on, with the raw pixels and with the pixels centred and scaled by
# your `zero_center_and_scale`; then, for one image, the fraction of units
# whose weight gradients all share one sign.

# %% tags=["demo"]
X_pixels = digits["X_train"]
X_scaled = zero_center_and_scale(X_pixels)[0]
W_first = reference_init.he_normal((64, 100), np.random.default_rng(0))
active = {"raw pixels (all >= 0)": np.mean(X_pixels @ W_first > 0, axis=0),
          "centred and scaled": np.mean(X_scaled @ W_first > 0, axis=0)}
for name, frac in active.items():
    print(f"{name:22s}: units never active {np.sum(frac == 0):3d}, active on < 10% of the images "
          f"{np.sum(frac < 0.1):3d}, on > 90% {np.sum(frac > 0.9):3d} (of 100)")
probe_net = FullyConnectedNet([100], 64, 10, seed=0)
for name, X_in in [("raw pixels (all >= 0)", X_pixels), ("centred and scaled", X_scaled)]:
    _, grads = probe_net.loss(X_in[:1], digits["y_train"][:1])
    lit = X_in[0] != 0  # the pixels that take part
    columns = [g[lit] for g in grads["W1"].T if np.any(g[lit] != 0)]
    one_sign = np.mean([np.all(g >= 0) or np.all(g <= 0) for g in columns])
    print(f"{name:22s}: units whose weight gradients (one image) all share one sign: {one_sign:.0%}")
fig, ax = plt.subplots(figsize=(6, 3.2))
for name, frac in active.items():
    ax.hist(frac, bins=np.linspace(0, 1, 21), alpha=0.6, label=name)
ax.set(xlabel="fraction of the training images on which the unit is active",
       ylabel="number of units (of 100)",
       title="He init, first layer: raw pixels make units always on or always off")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0));

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_zero_mean", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) Read the experiment: what does He
# initialization assume about the inputs, and what goes wrong in the first
# layer when every input is $\ge 0$? (b) Why must the validation set be
# transformed with the mean and std of the *training* set, not with its own?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) He's (and Xavier's) variance argument assumes zero-mean
# inputs and weights, so that each pre-activation is symmetric around 0 and a
# ReLU unit is active on about half of the inputs. With pixels $\ge 0$ each
# unit's pre-activation has a large offset $\sum_i w_{ij}\mu_i$, the same for
# every image: in the experiment, with raw pixels several units are active on
# no image or on under 10% of them (dead or nearly dead from the start) and
# others on over 90% (nearly linear); centred and scaled, every unit fires on
# about half of the images. Also, for one image every weight gradient of a
# unit has the same sign (100% of units with raw pixels, none after
# centring), so the weights of a unit can only move together, which makes
# gradient descent zig-zag. (b) The preprocessing is part of the model: it
# must be the same function for every example, fixed from training data. Using
# the validation set's own statistics lets information from it into the
# model (its score is no longer an honest estimate), gives a different
# transformation for every set, and cannot be done for a single new example.
#
# *Rubric (2 points).* 1 point: (a) zero-mean inputs are assumed; with
# non-negative inputs the units get a common offset, so they are on or off
# for almost all images (or: their weight gradients share one sign), read
# from the numbers. 1 point: (b) the same fixed transformation from training
# statistics only, because the validation/test set must not leak into the
# model (and single examples must be transformable).
# ### END SOLUTION

# %% [markdown]
# ## 6. Training a deep ReLU network on MNIST-1D
#
# Does the initialization still matter once training starts? Take a deep
# ReLU network (4 hidden layers of 100 units, SGD with momentum 0.9) and
# start it once with He's weights and once with weights of std 0.01. A fair
# comparison does not train both with one learning rate that happens to suit
# one of them: each initialization gets its own best learning rate, **chosen
# on the validation set**. (Never on the test set, which is kept for one last
# honest measurement of the final choice; this notebook does not use it.)
#
# `train_deep_relu_net(weight_init, lr, data)` (from `helpers.init`,
# imported in the setup cell) trains one such network for 10 epochs on
# `data` and returns the course's `Solver`: `solver.best_val_acc` is the best
# validation accuracy over the epochs (the Solver keeps that epoch's
# parameters), and `solver.val_acc_history` and `solver.train_acc_history`
# hold one accuracy per epoch.
#
# **Exercise 10 (3 points).** `tune_learning_rate(train, learning_rates)`:
# call `train(lr)` once for every learning rate, in order, record each run's
# `best_val_acc`, and choose the learning rate with the highest one. The
# test runs it on scripted runs whose accuracies it knows, then on the real
# network with the course's He initialization and the learning rates 0.03,
# 0.1 and 0.3: the learning rate you choose must reach a validation accuracy
# of at least 0.58 when the test trains it again (the MNIST-1D paper's MLP
# reaches 0.68).

# %% nbgrader={"grade": false, "grade_id": "tune_learning_rate", "locked": false, "schema_version": 3, "solution": true}
def tune_learning_rate(train, learning_rates):
    """train(lr) trains a fresh network with learning rate lr and returns its Solver.
    Returns (best_lr, val_accs): val_accs a list with the best_val_acc of each run,
    in the order of learning_rates; best_lr the learning rate whose run has the
    highest (the first of equal ones)."""
    ### BEGIN SOLUTION
    val_accs = []
    for lr in learning_rates:
        solver = train(lr)
        val_accs.append(solver.best_val_acc)
    best_lr = learning_rates[int(np.argmax(val_accs))]
    ### END SOLUTION
    return best_lr, val_accs


# %% nbgrader={"grade": true, "grade_id": "test_tune_learning_rate", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.initialization import TUNE_TABLE, check_tuned, scripted_tuning
# Scripted runs of 3 epochs for the learning rates below: 0.03 reaches the best validation accuracy, 0.58
# at epoch 2; 0.3 ties with it at epoch 3; 1.0 has the best training accuracy and the lowest loss.
_run = scripted_tuning(tune_learning_rate, TUNE_TABLE, [0.01, 0.03, 0.1, 0.3, 1.0])
check_tuned(_run, calls=[0.01, 0.03, 0.1, 0.3, 1.0], val_accs=[0.45, 0.58, 0.55, 0.58, 0.12], best_lr=0.03)
passed("tune_learning_rate trains every learning rate once and chooses the best validation accuracy")

# %% nbgrader={"grade": true, "grade_id": "test_tune_learning_rate_real", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.initialization import TUNE_LRS, TUNE_REFS, check_tuned_real, deep_net_trainer
with without_reference(*TUNE_REFS):
    _result = tune_learning_rate(deep_net_trainer(), TUNE_LRS)  # three real runs, a few seconds
_best, _acc = check_tuned_real(_result)  # trains your choice again: validation accuracy >= TUNE_TARGET
passed(f"on the real network your choice, lr {_best:g}, reaches {_acc:.3f} validation accuracy")

# %% [markdown]
# **Each initialization at its own best learning rate.** Your
# `tune_learning_rate` on the real network, once with your `he_normal` and
# once with weights of std 0.01, each over the same three learning rates.
# Left: the best validation accuracy of every run; right: the validation
# accuracy per epoch at each initialization's chosen learning rate.

# %% tags=["demo"]
LEARNING_RATES = (0.03, 0.1, 0.3)
tuned = {}  # for each initialization: the best validation accuracy per rate, the chosen rate, its run
for label, weight_init in {"std 0.01": 0.01, "your He": he_normal}.items():
    runs = {}

    def train(lr, weight_init=weight_init, runs=runs):
        runs[lr] = train_deep_relu_net(weight_init, lr, data)
        return runs[lr]

    best_lr, val_accs = tune_learning_rate(train, LEARNING_RATES)
    tuned[label] = (val_accs, best_lr, runs[best_lr])
    print(f"{label:9s}: best validation accuracy per learning rate "
          + ", ".join(f"{lr:g}: {acc:.3f}" for lr, acc in zip(LEARNING_RATES, val_accs))
          + f"  -> chosen {best_lr:g}; first loss {runs[best_lr].loss_history[0]:.3f}")

fig, (ax_lr, ax_ep) = plt.subplots(1, 2, figsize=(11, 3.6))
for label, (val_accs, best_lr, run) in tuned.items():
    ax_lr.plot(LEARNING_RATES, val_accs, "o-", label=label)
    history = run.val_acc_history
    ax_ep.plot(range(1, len(history) + 1), history, "o-", ms=3, label=f"{label}, lr {best_lr:g}")
ax_lr.set(xscale="log", xlabel="learning rate", ylabel="best validation accuracy", ylim=(0, 0.8),
          title="Tuned on validation: std 0.01 stays at chance at every rate")
ax_lr.set_xticks(LEARNING_RATES, [f"{lr:g}" for lr in LEARNING_RATES])
ax_lr.minorticks_off()
ax_ep.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 0.8), xticks=range(1, 11),
          title="Validation accuracy per epoch at the chosen rate")
for ax in (ax_lr, ax_ep):
    ax.axhline(0.1, color="0.6", lw=0.8, ls="--", label="chance (1 in 10)")
    ax.legend(fontsize=8.5, loc="center right")
fig.tight_layout()

# %% [markdown]
# With std 0.01 the accuracy stays at chance (0.1) at every learning rate:
# the loss sits at $\ln 10 \approx 2.30$ (every class equally likely), the
# signal reaching the output is so small that the output layer sees the same
# thing for every input, and the first layers' gradients are far too small to
# change that. No learning rate rescues it: the difference comes from the
# initialization alone. With He's weights the same network trains at all
# three rates, best at 0.1.
#
# Xavier's weights train this network too: with four hidden layers, halving
# the variance at every layer costs little. It does not stay that way with
# depth. He et al. (2015) trained ReLU networks of 22 and of 30 layers: with
# Xavier's scaling the 22-layer network still converged (more slowly than
# with theirs), the 30-layer one stalled and did not learn at all, while He
# initialization trained both.


# %% [markdown]
# ## 7. The same thing in PyTorch
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
# | LeCun, $\mathcal{N}(0, 1/\text{fan\_in})$ (`helpers.init.lecun_normal`) | `nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="linear")` |
# | `xavier_normal` | `nn.init.xavier_normal_(w)`: std $\sqrt{2/(\text{fan\_in} + \text{fan\_out})}$ |
# | `xavier_uniform` | `nn.init.xavier_uniform_(w)`: bound $\sqrt{6/(\text{fan\_in} + \text{fan\_out})}$ |
# | `he_normal` | `nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")` |
# | `he_uniform` | `nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")` |
#
# PyTorch's Xavier is Glorot and Bengio's fan average, like yours. Its
# Kaiming functions multiply $1/\sqrt{\text{fan\_in}}$ by a `gain` that
# depends on `nonlinearity`: $\sqrt 2$ for ReLU (He), 1 for linear (LeCun),
# 5/3 for tanh. And `nn.Linear`'s own default is none of these:
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
    "LeCun (fan-in)": (lambda w: nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="linear"),
                       None, lambda n, m: np.sqrt(1 / n)),
    "xavier_normal": (nn.init.xavier_normal_, xavier_normal, lambda n, m: np.sqrt(2 / (n + m))),
    "xavier_uniform": (nn.init.xavier_uniform_, xavier_uniform, lambda n, m: np.sqrt(2 / (n + m))),
    "he_normal": (lambda w: nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu"),
                  he_normal, lambda n, m: np.sqrt(2 / n)),
    "he_uniform": (lambda w: nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu"),
                   he_uniform, lambda n, m: np.sqrt(2 / n)),
    "nn.Linear default": (lambda w: w, None, lambda n, m: 1 / np.sqrt(3 * n)),
}
print(f"{'':18s} {'in x out':>9s} {'PyTorch':>9s} {'yours':>9s} {'formula':>9s}")
for name, (fill, mine, formula) in fills.items():
    for n_in, n_out in [(400, 400), (400, 100)]:
        std_torch = float(torch_filled(fill, n_in, n_out).std())
        yours = float(mine((n_in, n_out), np.random.default_rng(0)).std()) if mine else float("nan")
        print(f"{name:18s} {n_in:4d}x{n_out:<4d} {std_torch:9.4f} {yours:9.4f} {formula(n_in, n_out):9.4f}")
print("constant_(w, 0.5): every entry", torch_filled(lambda w: nn.init.constant_(w, 0.5), 4, 3).unique().tolist())

# %% [markdown]
# Every row agrees to the third digit, on the square layer and on the wide
# one (400 inputs, 100 outputs). The wide layer tells the rules apart:
# Xavier gives $\sqrt{2/500} = 0.063$ there, LeCun $\sqrt{1/400} = 0.050$ (on
# the square layer both are $0.050$), and He/Kaiming with `mode="fan_in"`
# depends on the 400 inputs only.
#
# **Summary.** Every layer multiplies the signal's variance by
# $n\,\mathrm{Var}(w)$ (times $1/2$ for ReLU) on the way forward, and the
# gradient by the weights and the local derivatives on the way back; through
# many layers these factors compound. Zero init never breaks the symmetry
# between units; a fixed small std makes activations and gradients vanish
# geometrically with depth (with the sigmoid, the differences between
# inputs vanish); a large one saturates sigmoid and tanh or makes ReLU nets
# explode. LeCun ($1/n_{in}$), Xavier ($2/(n_{in} + n_{out})$) and He
# ($2/n_{in}$) choose the variance that keeps the factor near 1, for inputs
# that are centred and scaled, with training statistics, as preprocessing
# makes them. A deep ReLU network then trains, at the learning rate chosen
# on validation, where the same network started at std 0.01 does not at any
# rate.
