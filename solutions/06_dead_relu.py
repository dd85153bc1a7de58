# %% [markdown]
# # 06 · Dead ReLUs
#
# A ReLU unit passes a gradient back only where its input is positive. If its
# input is negative for **every** training example, it outputs 0 everywhere,
# receives a gradient of exactly 0, and gradient descent never changes its
# weights again: the unit is **dead**. In this notebook you will
#
# - see dead units at work: biases of $-8$ silence a whole network, and a
#   unit with weights $(-1, -1)$ on inputs in $[0, 1]^2$ never fires;
# - write Leaky ReLU, forward and backward, and check its gradient yourself;
# - measure the fraction of dead units of a layer, correctly;
# - kill units with a learning rate that is too large, then fix the training
#   so that few units die and the accuracy stays high;
# - compare ReLU, Leaky ReLU and ELU, He initialization and a small positive
#   bias, and finish with the same tools in PyTorch.
#
# **Grading.** 20 points: five exercises (13 points, checked by tests) and
# three written questions (7 points). Each exercise is followed by a test cell
# you can run; some exercises have a second test cell whose checks run only
# when your notebook is graded. Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import warnings

import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import layers  # the course's reference layers
from helpers.checks import check_close, check_true, passed
from helpers.data import load_digits, make_moons
from helpers.gradcheck import eval_numerical_gradient_array, rel_error
from helpers.init import gradient_norms
from helpers.nets import FullyConnectedNet
from helpers.optim import SGD, minibatches
from helpers.widgets.dead_relu import dead_relu_demo, draw_dead_units

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

digits = load_digits()  # 8x8 images, pixels in [0, 1]: every input is >= 0
X_train, y_train = digits["X_train"], digits["y_train"]  # (1197, 64)
X_val, y_val = digits["X_val"], digits["y_val"]          # (300, 64)
X_moons, y_moons = make_moons(400, noise=0.1, seed=0)    # (400, 2), labels 0 / 1
print("digits train / val:", X_train.shape, X_val.shape, " moons:", X_moons.shape)

# %% [markdown]
# ## 1. A unit that never fires
#
# A hidden ReLU unit computes $h = \max(0, a)$ with $a = w^\top x + b$. Its
# backward pass (notebook 03) is
#
# $$\frac{\partial L}{\partial a} = \frac{\partial L}{\partial h}\,[a > 0], \qquad
#   \frac{\partial L}{\partial w} = \sum_{n} x_n \frac{\partial L}{\partial a_n}, \qquad
#   \frac{\partial L}{\partial b} = \sum_{n} \frac{\partial L}{\partial a_n}.$$
#
# Take inputs $x = (x_1, x_2)$ anywhere in the unit square $[0, 1]^2$ and a unit
# with $w_1 = w_2 = -1$, $b = 0$. Then $a = -x_1 - x_2 \le 0$ for **every**
# input: the unit outputs 0, every $[a_n > 0]$ is 0, so the gradients of $w$
# and $b$ are exactly 0 whatever the loss is. No step of gradient descent
# moves them: the unit stays dead.

# %% tags=["demo"]
rng = np.random.default_rng(2)
X_square = rng.uniform(0, 1, size=(1000, 2))       # 1000 points of [0, 1]^2
w, b = np.array([-1.0, -1.0]), 0.0
a = X_square @ w + b
h = np.maximum(a, 0)
dL_dh = rng.standard_normal(1000)                   # any upstream gradient
dL_da = dL_dh * (a > 0)
print(f"largest pre-activation: {a.max():.3f}, largest output: {h.max():.1f}")
print("dL/dw =", X_square.T @ dL_da, " dL/db =", dL_da.sum())

# %% [markdown]
# ### Biases of $-8$ silence a whole network
#
# The same happens to a whole layer when its biases are very negative. Below,
# a network with four hidden layers of three ReLU units (2-3-3-3-3-1) starts
# with small weights ($\sigma = 0.01$) and **every bias at $-8$**, and we
# compute one gradient on the two moons. Every pre-activation is about $-8$,
# so every hidden unit outputs 0 on every point.

# %% tags=["demo"]
def gradients_with_biases(activation, bias):
    net = FullyConnectedNet([3, 3, 3, 3], 2, 1, activation=activation, weight_init=0.01,
                            bias_init=bias, seed=0)
    _, grads = net.loss(X_moons, y_moons)
    return grads


grads_relu = gradients_with_biases("relu", -8.0)
for k in ("W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4", "W5", "b5"):
    print(f"ReLU, biases -8:  d{k:<3} largest |gradient| {np.abs(grads_relu[k]).max():.3g}")

hidden_keys = [f"{p}{i}" for i in range(1, 5) for p in "Wb"]
check_true(all(np.all(grads_relu[k] == 0) for k in hidden_keys + ["W5"]),
           "every gradient except the output bias should be exactly 0")
check_true(np.abs(grads_relu["b5"]).max() > 0, "the output bias still gets a gradient")
passed("biases -8: every hidden layer's gradient (and W5's) is exactly 0; only b5 gets one")

# %% [markdown]
# Only the output bias $b_5$ learns: the output is $W_5^\top h_4 + b_5$ with
# $h_4 = 0$, so the network can do nothing but predict one class
# probability for everyone. Even $W_5$ gets no gradient, because its gradient
# is $h_4^\top\,\partial L/\partial s = 0$.
#
# **Leaky ReLU** replaces the flat 0 by a small slope $\alpha$ (0.01 by
# default): $\mathrm{LeakyReLU}(a) = a$ for $a > 0$ and $\alpha a$ otherwise.
# A unit with negative inputs still passes back $\alpha$ times the upstream
# gradient, so every parameter gets a non-zero gradient:

# %% tags=["demo"]
grads_leaky = gradients_with_biases("leaky_relu", -8.0)
norms = gradient_norms(grads_leaky, [f"W{i}" for i in range(1, 6)])
for i, n in enumerate(norms, start=1):
    print(f"Leaky ReLU, biases -8:  |dW{i}| = {n:.2e}")
check_true(all(np.all(grads_leaky[k] != 0) for k in grads_leaky),
           "with Leaky ReLU every gradient entry is non-zero")
passed("Leaky ReLU: every parameter of every layer gets a non-zero gradient")

# %% [markdown]
# Alive, but barely: each Leaky ReLU layer in its negative regime multiplies
# the gradient by $\alpha = 0.01$ (and by the small weights), so the gradient
# shrinks by orders of magnitude per layer on its way to $W_1$. Leaky ReLU
# guarantees a gradient, not a useful one: the real fix is not to start
# with biases of $-8$.

# %% [markdown]
# ## 2. Leaky ReLU
#
# $$\mathrm{LeakyReLU}_\alpha(x) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0\end{cases}
#   \qquad
#   \frac{d}{dx}\mathrm{LeakyReLU}_\alpha(x) = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0\end{cases}$$
#
# At the kink $x = 0$ we use the slope $\alpha$ (any value between $\alpha$
# and 1 is a valid subgradient; the tests stay away from 0). The backward
# pass multiplies the upstream gradient by the local slope, elementwise.

# %% [markdown]
# **Exercise 1 (2 points).** `leaky_relu_forward`. Return a new array; do not
# change `x` in place (the cache holds it). Any $0 \le \alpha < 1$ must work.

# %% nbgrader={"grade": false, "grade_id": "leaky_relu_forward", "locked": false, "schema_version": 3, "solution": true}
def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU, elementwise. x: array of any shape; alpha: the slope for x <= 0.
    Returns (out, cache): out with the shape of x, cache = (x, alpha)."""
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
import torch
import torch.nn.functional as F
from helpers.checks import check_close, check_equal, passed, without_reference
from helpers import layers as _layers
_x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.5, -3.0]])
_x_before = _x.copy()
with without_reference(_layers.leaky_relu_forward):
    _out, _cache = leaky_relu_forward(_x)
check_close("leaky_relu_forward(x)", _out, F.leaky_relu(torch.tensor(_x_before), 0.01).numpy(),
            hint="out is x where x > 0 and alpha * x elsewhere (-2 becomes -0.02).")
check_equal("x after leaky_relu_forward(x)", _x, _x_before,
            hint="leaky_relu_forward changed its input in place; compute a new array, e.g. "
                 "np.where(x > 0, x, alpha * x).")
passed("leaky_relu_forward agrees with torch.nn.functional.leaky_relu (alpha = 0.01)")

# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_forward_alpha", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other slopes (alpha = 0.2, 0) and a (2, 3, 4) array, against PyTorch.
import numpy as np
import torch
import torch.nn.functional as F
from helpers.checks import check_close, passed, without_reference
from helpers import layers as _layers
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(601)
for _alpha in (0.2, 0.0, 0.01):
    _x = _rng.standard_normal((2, 3, 4))
    with without_reference(_layers.leaky_relu_forward):
        _out, _ = leaky_relu_forward(_x.copy(), alpha=_alpha)
    check_close(f"leaky_relu_forward(x, alpha={_alpha}) on a (2, 3, 4) array", _out,
                F.leaky_relu(torch.tensor(_x), _alpha).numpy(),
                hint="use the argument alpha, not a fixed 0.01.")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2 (2 points).** `leaky_relu_backward`: the upstream gradient
# times the local slope.

# %% nbgrader={"grade": false, "grade_id": "leaky_relu_backward", "locked": false, "schema_version": 3, "solution": true}
def leaky_relu_backward(dout, cache):
    """Backward pass of Leaky ReLU. dout: upstream gradient, the shape of x;
    cache: (x, alpha). Returns dx with the shape of x."""
    x, alpha = cache
    ### BEGIN SOLUTION
    dx = dout * np.where(x > 0, 1.0, alpha)
    ### END SOLUTION
    return dx


# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
import torch
import torch.nn.functional as F
from helpers.checks import check_close, passed, without_reference
from helpers.checks.oracles import torch_grads
from helpers.gradcheck import eval_numerical_gradient_array
from helpers import layers as _layers
_rng = np.random.default_rng(602)
_x = _rng.standard_normal((4, 5)) * 2
_x = np.where(_x >= 0, _x + 0.1, _x - 0.1)  # away from the kink at 0
_dout = _rng.standard_normal((4, 5))
with without_reference(_layers.leaky_relu_backward):
    _dx = leaky_relu_backward(_dout, (_x, 0.01))
_, (_tdx,) = torch_grads(lambda t: F.leaky_relu(t, 0.01), _x, upstream=_dout)
check_close("leaky_relu_backward(dout, (x, 0.01))", _dx, _tdx,
            hint="the local slope is 1 where x > 0 and alpha (a constant, not alpha * x) "
                 "where x <= 0; multiply dout by it.")
_num = eval_numerical_gradient_array(lambda v: F.leaky_relu(torch.tensor(v), 0.01).numpy(),
                                     _x.copy(), _dout)
check_close("leaky_relu_backward (numerical gradient)", _dx, _num)
passed("leaky_relu_backward agrees with PyTorch autograd and with the numerical gradient")

# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_backward_alpha", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: alpha = 0.3 on a (2, 3, 4) array, against PyTorch and the numerical gradient.
import numpy as np
import torch
import torch.nn.functional as F
from helpers.checks import check_close, passed, without_reference
from helpers.checks.oracles import torch_grads
from helpers.gradcheck import eval_numerical_gradient_array
from helpers import layers as _layers
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(622)
_x = _rng.standard_normal((2, 3, 4))
_x = np.where(_x >= 0, _x + 0.1, _x - 0.1)
_dout = _rng.standard_normal((2, 3, 4))
with without_reference(_layers.leaky_relu_backward):
    _dx = leaky_relu_backward(_dout, (_x, 0.3))
_, (_tdx,) = torch_grads(lambda t: F.leaky_relu(t, 0.3), _x, upstream=_dout)
check_close("leaky_relu_backward(dout, (x, 0.3))", _dx, _tdx, hint="use the alpha from the cache.")
_num = eval_numerical_gradient_array(lambda v: F.leaky_relu(torch.tensor(v), 0.3).numpy(),
                                     _x.copy(), _dout)
check_close("leaky_relu_backward, alpha = 0.3 (numerical gradient)", _dx, _num)
### END HIDDEN TESTS

# %% [markdown]
# ### Check your own gradient
#
# Run a numerical gradient check on your two functions yourself.
# `eval_numerical_gradient_array(f, x, dout)` changes each entry of `x` by
# $\pm h$ ($h = 10^{-5}$) and returns the centered differences of
# $\sum f(x) \cdot \mathrm{dout}$; `rel_error` gives
# $\max |a - n| / (|a| + |n|)$.
#
# How to read it: below $10^{-7}$ your gradient is right. Errors of $10^{-4}$
# and far more can happen **near the kink**: an entry of `x` within $h$ of 0
# makes the centered difference straddle the corner and average the two
# slopes (about 0.5 instead of 1 or 0.01). The second check below puts one
# entry at $x = 10^{-6}$ on purpose: look at the error it gives. Far from 0,
# anything above $10^{-7}$ (and certainly $10^{-2}$ or 1) is a bug.

# %% tags=["demo"]
rng = np.random.default_rng(6)
x = rng.standard_normal((5, 6))
x = np.where(x >= 0, x + 0.1, x - 0.1)  # away from 0
dout = rng.standard_normal((5, 6))
dx = leaky_relu_backward(dout, leaky_relu_forward(x)[1])
dx_num = eval_numerical_gradient_array(lambda v: leaky_relu_forward(v)[0], x.copy(), dout)
print(f"away from the kink: relative error {rel_error(dx, dx_num):.1e}")

x_kink = x.copy()
x_kink[0, 0] = 1e-6  # closer to 0 than h = 1e-5
dx = leaky_relu_backward(dout, leaky_relu_forward(x_kink)[1])
dx_num = eval_numerical_gradient_array(lambda v: leaky_relu_forward(v)[0], x_kink.copy(), dout)
print(f"one entry at 1e-6:  relative error {rel_error(dx, dx_num):.1e}")

# %% [markdown]
# The three activations of this notebook and the slopes they pass back. ELU
# (exponential linear unit) is $x$ for $x > 0$ and $\alpha(e^x - 1)$
# otherwise: smooth, with outputs down to $-\alpha$ and a slope $\alpha e^x$
# that is never exactly 0 (`layers.elu_forward` / `elu_backward`).

# %% tags=["demo"]
xs = np.linspace(-4, 3, 281)
fig, axes = plt.subplots(1, 3, figsize=(11, 2.8), sharex=True)
for ax, (name, fwd, bwd, kw) in zip(axes, [
        ("ReLU", layers.relu_forward, layers.relu_backward, {}),
        ("Leaky ReLU (alpha = 0.1 to make it visible)", layers.leaky_relu_forward,
         layers.leaky_relu_backward, {"alpha": 0.1}),
        ("ELU (alpha = 1)", layers.elu_forward, layers.elu_backward, {})]):
    out, cache = fwd(xs, **kw)
    ax.plot(xs, out, label="output")
    ax.plot(xs, bwd(np.ones_like(xs), cache), "--", label="local slope")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.set_title(name, fontsize=9)
    ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 3. Measuring dead units
#
# A unit is dead **for a batch** when it is inactive on every sample of the
# batch: its column of the activations $h$ (shape $(N, H)$, one row per
# sample, one column per unit) holds no positive value. A single sample on
# which the unit outputs 0 says nothing: every healthy ReLU unit is 0 on
# about half of its inputs, and that is how it computes anything.
#
# We count a unit as dead when all its outputs are $\le 0$. For ReLU outputs
# (never negative) this is the same as "all exactly 0". For Leaky ReLU and
# ELU, whose outputs can be negative, "$\le 0$ everywhere" means the unit sits
# in its negative regime on the whole batch: not strictly dead (it still
# gets a gradient), but nearly useless. We call both "dead" below. (The tests
# use ReLU outputs, so `h <= 0` and `h == 0` both get full marks.)
#
# The fraction depends on the batch: measure it on many samples (the whole
# training set here), or a unit that fires on one rare input looks dead.

# %% [markdown]
# **Exercise 3 (3 points).** `dead_fraction(h)`: the fraction of units
# (columns) that output $\le 0$ on every sample (row). For example, for
#
# $$h = \begin{pmatrix} 0 & 2 & 0 & 0 \\ 0 & 0 & 0 & 1 \\ 0 & 3 & 0 & 0\end{pmatrix}$$
#
# units 0 and 2 are dead, units 1 and 3 are not: the answer is $2/4 = 0.5$
# (the fraction of zero entries, $8/12$, is not it).

# %% nbgrader={"grade": false, "grade_id": "dead_fraction", "locked": false, "schema_version": 3, "solution": true}
def dead_fraction(h):
    """h: (N, H) activations, one row per sample, one column per unit.
    Returns a float in [0, 1]: the fraction of units whose output is <= 0
    for every one of the N samples."""
    ### BEGIN SOLUTION
    return float(np.mean(np.all(h <= 0, axis=0)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dead_fraction", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers import layers as _layers
_h = np.array([[0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 3.0, 0.0, 0.0]])
with without_reference(_layers.dead_fraction):
    _got = dead_fraction(_h.copy())
check_close("dead_fraction of the example", _got, 0.5,
            hint="a unit is a column; it is dead when its whole column is <= 0. Counting zero "
                 "entries gives 8/12, counting rows with some zero gives 1.")
# A layer built so that exactly 7 of its 20 units are dead on 500 samples.
_rng = np.random.default_rng(603)
_X = _rng.uniform(0, 1, (500, 10))          # non-negative inputs, like pixels
_W = _rng.standard_normal((10, 20))
_dead = np.zeros(20, dtype=bool)
_dead[[1, 4, 5, 9, 12, 17, 18]] = True
_W[:, _dead] = -np.abs(_W[:, _dead])         # negative weights on positive inputs ...
_b = np.where(_dead, -0.1, 0.5)              # ... and a negative bias: never positive
_h = np.maximum(_X @ _W + _b, 0)
with without_reference(_layers.dead_fraction):
    _got = dead_fraction(_h.copy())
check_close("dead_fraction of a layer with 7 dead units out of 20", _got, 7 / 20,
            hint="look along axis 0 (the samples): np.all(h <= 0, axis=0) marks the dead units.")
check_true(isinstance(_got, (float, np.floating)), f"dead_fraction should return a float, "
           f"got {type(_got).__name__}.", hint="np.mean of a boolean array is a float.")
passed("dead_fraction finds 2 of 4 dead units in the example and 7 of 20 in a constructed layer")

# %% nbgrader={"grade": true, "grade_id": "test_dead_fraction_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one sample, a unit active on a single sample only, and all units dead (ReLU outputs).
import numpy as np
from helpers.checks import check_close, passed, without_reference
from helpers import layers as _layers
### BEGIN HIDDEN TESTS
_cases = [
    (np.array([[0.0, 1.5, 0.0]]), 2 / 3, "one sample: a unit is dead when its one output is <= 0."),
    (np.vstack([np.zeros((99, 5)), [[0, 0, 0.001, 0, 0]]]), 4 / 5,
     "a unit active on a single sample of 100 is alive."),
    (np.zeros((7, 6)), 1.0, "every unit dead: the fraction is 1."),
]
for _h, _want, _hint in _cases:
    with without_reference(_layers.dead_fraction):
        _got = dead_fraction(_h.copy())
    check_close(f"dead_fraction of a {_h.shape} batch", _got, _want, hint=_hint)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Killing units with a learning rate that is too large
#
# Units also die **during** training. One step moves the bias of unit $j$ by
# $-\text{lr}\cdot\partial L/\partial b_j$ and its weights by
# $-\text{lr}\cdot\partial L/\partial w_j$. With a large learning rate one
# unlucky step can push $b_j$ and $w_j$ so far that $w_j^\top x + b_j < 0$ for
# every training input. From then on the unit's gradient is exactly 0 and it
# stays dead (section 1). Our digits make this easy: every pixel is
# $\ge 0$, so a unit whose weights all become negative can never fire.
#
# **Exercise 4 (3 points).** `train_tracking_dead`: train a network by plain
# minibatch SGD and record, after every epoch, the dead fraction of each
# hidden layer **measured on the whole training set** `X`. You need:
#
# - `minibatches(X, y, batch_size, rng=rng)` (imported in the setup cell)
#   yields shuffled `(X_batch, y_batch)` pairs, one epoch's worth;
# - `loss, grads = net.loss(X_batch, y_batch)`, then
#   `net.params[k] -= lr * grads[k]` for every key `k` (or `SGD(lr).update(net.params, grads)`);
# - after `net.loss(X)` (without labels) the list `net.activations` holds each
#   hidden layer's output on `X`, one `(N, H_i)` array per layer;
# - the course's `layers.dead_fraction` (or your own).

# %% nbgrader={"grade": false, "grade_id": "train_tracking_dead", "locked": false, "schema_version": 3, "solution": true}
from helpers import layers  # the reference layers, again: a scratch cell may have rebound the name
from helpers.optim import minibatches


def train_tracking_dead(net, X, y, lr, num_epochs=3, batch_size=50, seed=0):
    """Minibatch SGD on net (a FullyConnectedNet) for num_epochs epochs.

    Returns a list with one entry per epoch; each entry is a list with the
    dead fraction of every hidden layer, measured on all of X after that epoch.
    """
    rng = np.random.default_rng(seed)
    history = []
    ### BEGIN SOLUTION
    for _ in range(num_epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng=rng):
            _, grads = net.loss(X_batch, y_batch)
            for k in net.params:
                net.params[k] -= lr * grads[k]
        net.loss(X)
        history.append([layers.dead_fraction(h) for h in net.activations])
    ### END SOLUTION
    return history


# %% nbgrader={"grade": true, "grade_id": "test_train_tracking_dead", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.dead_relu import dead_units as _dead_units, digits_split as _digits_split
from helpers.nets import FullyConnectedNet as _FCN
_Xtr, _ytr, _, _ = _digits_split()
_results = {}
for _lr in (0.1, 2.0):
    _net = _FCN([100], 64, 10, activation="relu", seed=0)
    with np.errstate(all="ignore"):
        _hist = train_tracking_dead(_net, _Xtr.copy(), _ytr.copy(), _lr, num_epochs=3)
    check_true(isinstance(_hist, (list, tuple)) and len(_hist) == 3,
               f"For num_epochs=3 the history should hold 3 entries, got {_hist!r:.200}.",
               hint="append one entry after every epoch.")
    check_true(all(len(np.atleast_1d(_e)) == 1 for _e in _hist),
               "This net has one hidden layer: each entry should be a list with one number.",
               hint="one dead fraction per hidden layer: [dead_fraction(h) for h in net.activations].")
    _net.loss(_Xtr)
    check_close(f"the last entry of the history (lr {_lr})", np.ravel(_hist[-1])[0],
                _dead_units(_net.activations[0]),
                hint="measure on all of X after the epoch (net.loss(X), then net.activations), "
                     "not on the last minibatch.")
    _results[_lr] = float(np.ravel(_hist[-1])[0])
check_true(_results[0.1] < 0.15, f"With lr 0.1, {_results[0.1]:.0%} of the units are dead after "
           "3 epochs; a correct SGD loop leaves about 5%.",
           hint="update every parameter by -lr * grads[k] (minus: down the gradient).")
check_true(_results[2.0] > 0.5, f"With lr 2.0, only {_results[2.0]:.0%} of the units are dead after "
           "3 epochs; a correct SGD loop kills most of them.",
           hint="did you update net.params in place with the learning rate lr?")
passed(f"lr 0.1 leaves {_results[0.1]:.0%} of the units dead, lr 2.0 kills {_results[2.0]:.0%}")

# %% nbgrader={"grade": true, "grade_id": "test_train_tracking_dead_layers", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: two hidden layers, and a unit dead from the start keeps its weights.
import numpy as np
from helpers.checks import check_close, check_equal, check_true, passed
from helpers.checks.dead_relu import dead_units as _dead_units, digits_split as _digits_split
from helpers.nets import FullyConnectedNet as _FCN
### BEGIN HIDDEN TESTS
_Xtr, _ytr, _, _ = _digits_split()
_net = _FCN([30, 20], 64, 10, activation="relu", seed=1)
_net.params["W1"][:, 0] = -1.0   # negative weights on non-negative pixels ...
_net.params["b1"][0] = -1.0      # ... and a negative bias: unit 0 is dead
_w0 = _net.params["W1"][:, 0].copy()
with np.errstate(all="ignore"):
    _hist = train_tracking_dead(_net, _Xtr.copy(), _ytr.copy(), 0.1, num_epochs=2, batch_size=100)
check_true(len(_hist) == 2 and all(len(np.atleast_1d(_e)) == 2 for _e in _hist),
           f"Two epochs and two hidden layers: expected 2 entries of 2 numbers, got {_hist!r:.200}.")
_net.loss(_Xtr)
check_close("the last entry for a net with two hidden layers", np.ravel(_hist[-1]),
            [_dead_units(_h) for _h in _net.activations])
check_equal("the weights of a unit dead from the start", _net.params["W1"][:, 0], _w0,
            hint="a dead unit gets zero gradient: do not change the parameters in any other way.")
### END HIDDEN TESTS

# %% [markdown]
# Now the experiment: a network with one hidden layer of 100 ReLU units, six
# learning rates from $10^{-3}$ to 2, five epochs each, the dead fraction after
# every epoch. (This runs your `train_tracking_dead`.)

# %% tags=["demo"]
LEARNING_RATES = (1e-3, 1e-2, 0.1, 1.0, 1.5, 2.0)
sweep = {}
for lr in LEARNING_RATES:
    net = FullyConnectedNet([100], 64, 10, activation="relu", seed=0)
    with np.errstate(all="ignore"):
        hist = train_tracking_dead(net, X_train, y_train, lr, num_epochs=5)
    acc = np.mean(np.argmax(net.loss(X_val), axis=1) == y_val)
    sweep[lr] = (np.ravel(hist), acc)
    print(f"lr {lr:6g}: dead fraction after epoch 1 {hist[0][0]:.0%}, after epoch 5 "
          f"{hist[-1][0]:.0%}, validation accuracy {acc:.2f}")

net0 = FullyConnectedNet([100], 64, 10, activation="relu", seed=0)
net0.loss(X_train)
fig, ax = plt.subplots(figsize=(6, 3.2))
for lr, (hist, acc) in sweep.items():
    ax.plot(range(0, len(hist) + 1), [layers.dead_fraction(net0.activations[0]), *hist],
            marker="o", ms=3, label=f"lr {lr:g} (val acc {acc:.2f})")
ax.set(xlabel="epoch", ylabel="dead fraction", ylim=(-0.03, 1.03),
       title="One hidden layer of 100 ReLUs on digits")
ax.legend(fontsize=7);

# %% [markdown]
# About 5% of the units are dead before training starts (with non-negative
# pixels, some random weight vectors point away from every image) and small
# learning rates leave them so. At lr 1 the first epoch kills about 12%, and
# at lr 1.5 to 2 about half to two thirds of the layer dies within the first
# epoch, more later; at lr 2 the validation accuracy collapses with it. The curves never come
# back down much: a dead unit only revives if the layers *below* it change
# its inputs, and with one hidden layer the inputs are fixed pixels.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_never_recovers", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Why does a dead ReLU unit never recover during
# training with gradient descent, however long we train? Use the backward
# pass of section 1 in your answer. Can anything bring it back?
#
# ### BEGIN SOLUTION
# *Model answer.* A dead unit has $a_n = w^\top x_n + b \le 0$ for every
# training input, so its local derivative $[a_n > 0]$ is 0 for every sample.
# Backprop multiplies the upstream gradient by it: $\partial L/\partial a_n = 0$
# for all $n$, hence $\partial L/\partial w = \sum_n x_n\,\partial L/\partial a_n = 0$
# and $\partial L/\partial b = 0$ exactly, for every minibatch. Gradient descent
# changes $w$ and $b$ by $-\text{lr}$ times these gradients, i.e. not at all,
# so the unit's input stays negative and the situation repeats forever (the
# unit also passes no gradient to the layers below). Only something outside its
# own gradient can revive it: a change of its inputs (the layers below it
# learning), weight decay pulling $w, b$ toward 0 is not enough on its own
# (the bias stays $\le 0$), a re-initialization, or an activation with a
# non-zero slope for negative inputs.
#
# *Rubric (2 points).* 1 point: the local derivative of ReLU is 0 for every
# input of a dead unit, so the gradients of its weights and bias are exactly 0.
# 1 point: therefore no update reaches its parameters and nothing changes the
# situation (for every batch, forever), with at most an outside change
# (inputs from lower layers, re-initialization, a leaky slope) able to revive it.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_large_lr", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** Explain with the update rule why a large learning
# rate kills units while a small one does not, and why our digits (all pixels
# $\ge 0$) make it especially easy. Use the numbers of the experiment above.
#
# ### BEGIN SOLUTION
# *Model answer.* A step changes $b_j$ by $-\text{lr}\,\partial L/\partial b_j$
# and $w_j$ by $-\text{lr}\,\partial L/\partial w_j$. Early in training the
# gradients are large; with a large lr one step moves $b_j$ and $w_j$ by a lot,
# and if it pushes them so that $w_j^\top x + b_j < 0$ for every training input,
# the unit is dead at once and can never come back (the previous question).
# With a small lr each step moves the pre-activations only a little, the unit
# stays active on some inputs, and the next gradients correct the direction.
# With non-negative inputs, $w_j^\top x$ is negative for every input as soon
# as all weights of $w_j$ are negative (or the bias dominates): one step that
# makes the weights negative kills the unit for all images at once. In the
# experiment, lr up to 0.1 leaves the 5% dead at the start, lr 1 kills about
# 15%, and lr 1.5 to 2 kills about half of the units or more within the first
# epoch, with the validation accuracy collapsing at lr 2.
#
# *Rubric (2 points).* 1 point: one large step (lr times a big gradient) moves
# $w$ and $b$ so that the pre-activation is negative on all data, and then the
# unit is dead for good; a small lr makes small moves that later gradients can
# correct. 1 point: non-negative inputs make a unit with negative weights (and
# bias) inactive on every input, with numbers read from the experiment.
# ### END SOLUTION

# %% [markdown]
# ## 5. Remedies, and what they cost
#
# Four knobs against dead units, each tried below on a network with **two**
# hidden layers of 100 units trained for 5 epochs. First the failure: lr 1.0
# kills most of both layers.

# %% tags=["demo"]
def run(lr=1.0, activation="relu", weight_init="he_normal", bias_init=0.0, num_epochs=5):
    net = FullyConnectedNet([100, 100], 64, 10, activation=activation, weight_init=weight_init,
                            bias_init=bias_init, seed=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = train_tracking_dead(net, X_train, y_train, lr, num_epochs=num_epochs)
        acc = np.mean(np.argmax(net.loss(X_val), axis=1) == y_val)
    return hist, acc


remedies = {
    "ReLU, He init, lr 1.0 (the failure)": dict(lr=1.0),
    "smaller lr 0.3": dict(lr=0.3),
    "Leaky ReLU, lr 1.0": dict(lr=1.0, activation="leaky_relu"),
    "ELU, lr 0.3": dict(lr=0.3, activation="elu"),
    "small init N(0, 0.01^2), lr 0.3": dict(lr=0.3, weight_init=0.01),
    "bias 0.1, lr 0.3": dict(lr=0.3, bias_init=0.1),
    "bias 0.1, lr 1.0": dict(lr=1.0, bias_init=0.1),
}
for name, kw in remedies.items():
    hist, acc = run(**kw)
    dead = ", ".join(f"{d:.0%}" for d in hist[-1]) if hist else "-"
    print(f"{name:<36} dead per layer: {dead:<10}  validation accuracy {acc:.3f}")

# %% [markdown]
# What to read from it:
#
# - **A smaller learning rate** is the first fix: it prevents the one big jump.
#   Its cost is slower training (more epochs to reach the same loss).
# - **Leaky ReLU** gives every unit a gradient, so no unit is stuck for good,
#   but its negative side has slope 0.01: a unit pushed far into it learns
#   very slowly, and a too-large learning rate still ruins the training.
#   **ELU** is smooth and its outputs average closer to 0, at the price of an
#   `exp` per unit.
# - **He initialization** ($\sigma = \sqrt{2/n_{in}}$) keeps the pre-activations
#   at a healthy scale in every layer, so about half the inputs activate each
#   unit; a tiny init ($\sigma = 0.01$) makes the signal and the gradients
#   shrink layer by layer and training stalls (accuracy near chance), although
#   few units die.
# - **A small positive bias** (0.01 to 0.1) starts every unit on its active
#   side for more inputs. It helps a little; it cannot stop a big step (with
#   lr 1.0 most of the first layer still dies).

# %% [markdown]
# **Exercise 5 (3 points).** `fix_dead_units`: return the settings for the
# [100, 100] network above (ten epochs of minibatch SGD, batch size 50, on
# the digits) such that after training **at most 10% of the units of each
# hidden layer are dead** on the training set and the **validation accuracy
# is at least 0.95**. The test trains the network itself with your settings
# (about a second). Try settings with `run(...)` in a scratch cell first.

# %% nbgrader={"grade": false, "grade_id": "fix_dead_units", "locked": false, "schema_version": 3, "solution": true}
def fix_dead_units():
    """Settings for FullyConnectedNet([100, 100], 64, 10, ...) trained by SGD.
    Returns a dict with the keys "lr" (a float), "activation" (one of
    "relu", "leaky_relu", "elu", "tanh", "sigmoid"), "weight_init" (a name
    such as "he_normal" or a std such as 0.01) and "bias_init" (a float)."""
    ### BEGIN SOLUTION
    return {"lr": 0.3, "activation": "relu", "weight_init": "he_normal", "bias_init": 0.0}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_fix_dead_units", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import check_true, passed
from helpers.checks.dead_relu import train_settings as _train_settings
_settings = fix_dead_units()
_net, _acc, _dead = _train_settings(_settings)
check_true(max(_dead) <= 0.10,
           f"After training, {', '.join(f'{d:.0%}' for d in _dead)} of the units of the hidden "
           "layers are dead; the target is at most 10% in each.",
           hint="a smaller learning rate is the first thing to try; see the table above.")
check_true(_acc >= 0.95, f"Validation accuracy {_acc:.3f}, the target is 0.95.",
           hint="too small a learning rate or a tiny weight init trains too slowly in 10 epochs.")
passed(f"your settings: {', '.join(f'{d:.0%}' for d in _dead)} dead, validation accuracy {_acc:.3f}")

# %% [markdown]
# **Your turn: measure your own network.** Train the network with your
# settings and print, per hidden layer, the dead fraction with your
# `dead_fraction` on the training set and on only the first 10 training
# images. Read the two lines: the second is larger, because a unit that is
# inactive on 10 images may fire on the 11th. On a small batch more units
# look dead than are; the whole training set gives the honest number.

# %% tags=["demo"]
settings = fix_dead_units()
my_net = FullyConnectedNet([100, 100], 64, 10, activation=settings["activation"],
                           weight_init=settings["weight_init"], bias_init=settings["bias_init"],
                           seed=0)
my_hist = train_tracking_dead(my_net, X_train, y_train, settings["lr"], num_epochs=10)
my_net.loss(X_train)
on_all = [dead_fraction(h) for h in my_net.activations]
on_ten = [dead_fraction(h[:10]) for h in my_net.activations]
print("dead fraction on the 1197 training images:", [f"{d:.0%}" for d in on_all])
print("dead fraction on the first 10 images:     ", [f"{d:.0%}" for d in on_ten])

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_remedies", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Which setting did you choose, and why does it keep
# units alive? For each of (a) Leaky ReLU or ELU, (b) He initialization,
# (c) a smaller learning rate and (d) a small positive bias, say in one
# sentence how it helps against dead units and what it costs or cannot do.
#
# ### BEGIN SOLUTION
# *Model answer.* (Our choice: lr 0.3 with ReLU and He init: the steps stay
# small enough that no unit is thrown to the inactive side of all the data;
# 5% dead, as at the start, and 0.97 validation accuracy.)
# (a) Leaky ReLU / ELU have a non-zero slope for negative inputs, so every
# unit always gets some gradient and can come back; but the slope is small
# (0.01), so recovery is slow and gradients still shrink through many
# inactive layers, they do not fix a too-large learning rate, and ELU costs an
# `exp` (PReLU adds a parameter to learn). (b) He init ($\sigma=\sqrt{2/n_{in}}$)
# keeps pre-activations at a sensible scale so units start active on about
# half the inputs; it only sets the start and does not stop units dying
# later. (c) A smaller learning rate avoids the one big step that pushes
# $w, b$ to the dead side; it costs slower training (more epochs), and too
# small stalls. (d) A small positive bias (0.01-0.1) starts each unit on its
# active side for more inputs; a small effect, no protection against large
# steps, and a large positive bias makes ReLU nearly linear.
#
# *Rubric (3 points).* 1 point: a chosen setting with a correct reason tied
# to the gradient or the size of the steps. 1 point: Leaky ReLU/ELU give
# non-zero gradients for negative inputs, with a cost (small slope, slow
# recovery, extra computation or no help against a huge lr). 1 point: init,
# smaller lr and positive bias each with its effect (scale at the start /
# no big jump / starts active) and a limitation or cost (only the start /
# slower training / small effect).
# ### END SOLUTION

# %% [markdown]
# ## 6. Watch units die
#
# Two moons squeezed into the unit square (every input $\ge 0$, as in the
# $w_1 = w_2 = -1$ example) and one hidden layer of 12 ReLU units, trained
# for 40 full-batch steps. Each line is where a unit's pre-activation is 0,
# with a tick toward its active side: **green** units are alive, **red
# dashed** ones are dead, with all the data on their inactive side. Move the
# bias slider below 0 and watch units die before training starts; raise the
# learning rate and watch them die during the first steps. (This demo uses
# the course's reference layers; without widgets, a static picture is shown.)

# %% tags=["demo"]
draw_dead_units(bias=0.0, lr=10.0);

# %% tags=["demo"]
dead_relu_demo()

# %% [markdown]
# ## 7. The same thing in PyTorch
#
# PyTorch has the activations as modules and functions: `nn.LeakyReLU(0.01)`
# (`F.leaky_relu`), `nn.ELU(alpha=1.0)` and `nn.PReLU()`, a Leaky ReLU whose
# slope is a **learned** parameter (one per layer by default, starting at
# 0.25). First, your Leaky ReLU against `nn.LeakyReLU`, forward and backward.

# %% tags=["demo"]
rng = np.random.default_rng(7)
x = rng.standard_normal((4, 6))
dout = rng.standard_normal((4, 6))
xt = torch.tensor(x, requires_grad=True)
out_t = nn.LeakyReLU(0.01)(xt)
out_t.backward(torch.tensor(dout))
out, cache = leaky_relu_forward(x)
print(f"Leaky ReLU forward:  relative error {rel_error(out, out_t.detach().numpy()):.1e}")
print(f"Leaky ReLU backward: relative error {rel_error(leaky_relu_backward(dout, cache), xt.grad.numpy()):.1e}")

xt = torch.tensor(x, requires_grad=True)
out_t = nn.ELU()(xt)
out_t.backward(torch.tensor(dout))
out, cache = layers.elu_forward(x)
print(f"ELU forward:  relative error {rel_error(out, out_t.detach().numpy()):.1e}")
print(f"ELU backward: relative error {rel_error(layers.elu_backward(dout, cache), xt.grad.numpy()):.1e}")

prelu = nn.PReLU().double()
prelu(torch.tensor(x)).mul(torch.tensor(dout)).sum().backward()
print(f"PReLU slope {prelu.weight.item():.2f}, its gradient {prelu.weight.grad.item():.3f} "
      "(the sum of dout * x over the negative x)")

# %% [markdown]
# **Counting dead units with a forward hook.** A forward hook is a function
# PyTorch calls after a module's `forward`, with the module, its input and
# its output: the place to record activations without changing the model.
# We copy the weights of the NumPy network killed by lr 1.0 into an
# `nn.Sequential`, record each ReLU's output with a hook, and compare the dead
# fractions with your `dead_fraction` on the NumPy activations.

# %% tags=["demo"]
np_net = FullyConnectedNet([100, 100], 64, 10, activation="relu", seed=0)
with np.errstate(all="ignore"):
    train_tracking_dead(np_net, X_train, y_train, 1.0, num_epochs=3)
np_net.loss(X_train)

torch_net = nn.Sequential(nn.Linear(64, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                          nn.Linear(100, 10)).double()
with torch.no_grad():
    for i, fc in enumerate([torch_net[0], torch_net[2], torch_net[4]], start=1):
        fc.weight.copy_(torch.tensor(np_net.params[f"W{i}"].T))  # nn.Linear stores W transposed
        fc.bias.copy_(torch.tensor(np_net.params[f"b{i}"]))

recorded = []
hooks = [m.register_forward_hook(lambda module, inp, out: recorded.append(out.detach()))
         for m in torch_net if isinstance(m, nn.ReLU)]
with torch.no_grad():
    torch_net(torch.tensor(X_train))
for hook in hooks:
    hook.remove()

for i, (h_t, h_np) in enumerate(zip(recorded, np_net.activations), start=1):
    torch_dead = (h_t <= 0).all(dim=0).double().mean().item()
    print(f"hidden layer {i}: dead fraction PyTorch hook {torch_dead:.3f}, "
          f"your dead_fraction {dead_fraction(h_np):.3f}, "
          f"activations differ by {rel_error(h_t.numpy(), h_np):.1e}")

# %% [markdown]
# **Summary.** A ReLU unit whose input is negative on all the data gets a
# gradient of exactly 0 and never learns again. Very negative biases kill
# units from the start; a large learning rate kills them with one big step.
# Measure the dead fraction over a whole batch (a column of $h$ that is
# never positive), keep the learning rate sensible, start with He
# initialization, and if units still die, Leaky ReLU, ELU or PReLU keep a
# gradient flowing.
