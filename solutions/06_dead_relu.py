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
# - write Leaky ReLU and PReLU (whose slope is learned), forward and
#   backward, and check a gradient yourself;
# - measure the fraction of dead units of a layer, correctly;
# - train while tracking dead units, and kill units with a learning rate
#   that is too large;
# - compare remedies (a smaller learning rate, Leaky ReLU, ELU, the
#   initialization, a small positive bias) and write the code that chooses,
#   on the validation set, a setting that keeps the units alive;
# - finish with the same tools in PyTorch.
#
# **Grading.** 30 points: seven exercises (18 points, checked by tests) and
# five written questions (12 points). Each exercise is followed by a test cell
# you can run; some exercises have a second test cell whose checks run only
# when your notebook is graded. Run the cells from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import numpy as np
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import layers  # the course's reference layers
from helpers.checks import check_close, check_true, passed
from helpers.data import load_digits, make_moons
from helpers.dead_relu import REMEDIES, train_setting
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
from helpers.checks import check_close, check_equal, passed, without_reference
from helpers.checks.dead_relu import IN_PLACE_HINT, LEAKY_FORWARD_HINT, LEAKY_REFS, leaky_example, torch_leaky_relu
_x, _x_before = leaky_example()  # x = [[-2, -0.5, 0], [0.5, 1.5, -3]], and a copy of it
with without_reference(*LEAKY_REFS):  # the course's own Leaky ReLU is blocked
    _out, _cache = leaky_relu_forward(_x)
check_close("leaky_relu_forward(x)", _out, torch_leaky_relu(_x_before, 0.01), hint=LEAKY_FORWARD_HINT)
check_equal("x after leaky_relu_forward(x)", _x, _x_before, hint=IN_PLACE_HINT)  # x must not change
passed("leaky_relu_forward agrees with torch.nn.functional.leaky_relu (alpha = 0.01)")

# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_forward_alpha", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: other slopes (alpha = 0.2, 0) and a (2, 3, 4) array, against PyTorch.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, without_reference
from helpers.checks.dead_relu import LEAKY_REFS, torch_leaky_relu
_rng = np.random.default_rng(601)
for _alpha in (0.2, 0.0, 0.01):
    _x = _rng.standard_normal((2, 3, 4))
    with without_reference(*LEAKY_REFS):
        _out, _ = leaky_relu_forward(_x.copy(), alpha=_alpha)
    check_close(f"leaky_relu_forward(x, alpha={_alpha}) on a (2, 3, 4) array", _out, torch_leaky_relu(_x, _alpha),
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
from helpers.checks import check_close, passed, without_reference
from helpers.checks.dead_relu import LEAKY_BACKWARD_HINT, LEAKY_REFS, away_from_kink, leaky_autograd, leaky_numerical
_x, _dout = away_from_kink((4, 5), seed=602, scale=2.0)  # x (4, 5), every entry 0.1 or more from 0; dout (4, 5)
with without_reference(*LEAKY_REFS):
    _dx = leaky_relu_backward(_dout, (_x, 0.01))
check_close("leaky_relu_backward(dout, (x, 0.01))", _dx, leaky_autograd(_x, _dout, 0.01), hint=LEAKY_BACKWARD_HINT)
check_close("leaky_relu_backward (numerical gradient)", _dx, leaky_numerical(_x, _dout, 0.01))
passed("leaky_relu_backward agrees with PyTorch autograd and with the numerical gradient")

# %% nbgrader={"grade": true, "grade_id": "test_leaky_relu_backward_alpha", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: alpha = 0.3 on a (2, 3, 4) array, against PyTorch and the numerical gradient.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close, without_reference
from helpers.checks.dead_relu import LEAKY_REFS, away_from_kink, leaky_autograd, leaky_numerical
_x, _dout = away_from_kink((2, 3, 4), seed=622)
with without_reference(*LEAKY_REFS):
    _dx = leaky_relu_backward(_dout, (_x, 0.3))
check_close("leaky_relu_backward(dout, (x, 0.3))", _dx, leaky_autograd(_x, _dout, 0.3), hint="use the alpha from the cache.")
check_close("leaky_relu_backward, alpha = 0.3 (numerical gradient)", _dx, leaky_numerical(_x, _dout, 0.3))
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
    ax.set(title=name, xlabel="input x", ylabel="output, local slope")
    ax.title.set_fontsize(10)
    ax.legend(fontsize=8.5, loc="upper left")
fig.suptitle("Below 0, ReLU's slope is exactly 0; Leaky ReLU's and ELU's are not", fontsize=11)
fig.tight_layout()

# %% [markdown]
# ### PReLU: a slope that is learned
#
# Leaky ReLU's $\alpha$ is a fixed choice. **PReLU** (parametric ReLU, He et
# al., 2015) makes it a parameter that gradient descent learns along with the
# weights, one slope per unit (or one shared by the whole layer). For an input
# $x$ of shape $(N, H)$, one row per sample and one column per unit,
#
# $$\mathrm{out}_{nj} = \begin{cases} x_{nj} & x_{nj} > 0 \\ \alpha_j x_{nj} & x_{nj} \le 0\end{cases}
#   \qquad
#   \frac{\partial L}{\partial \alpha_j} = \sum_{n} [x_{nj} \le 0]\; x_{nj}\,
#   \frac{\partial L}{\partial \mathrm{out}_{nj}} .$$
#
# The gradient of a slope collects, over the whole batch, the entries where
# that slope acted: like a bias, a parameter used by every sample receives
# the sum of their contributions. A slope shared by the layer (`alpha` of
# shape `(1,)`, `nn.PReLU()`'s default) acts on every entry, so its gradient
# sums over all of them. `dx` is as for Leaky ReLU, with unit $j$'s slope.

# %% [markdown]
# **Exercise 3 (1 point).** `prelu_forward`.

# %% nbgrader={"grade": false, "grade_id": "prelu_forward", "locked": false, "schema_version": 3, "solution": true}
def prelu_forward(x, alpha):
    """x: (N, H); alpha: the slopes, shape (H,) (one per unit) or (1,) (shared).
    Returns (out, cache): out (N, H) is x where x > 0 and alpha * x elsewhere
    (unit j uses alpha[j]); cache = (x, alpha). Do not change x."""
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


# %% nbgrader={"grade": true, "grade_id": "test_prelu_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_equal, passed, without_reference
from helpers.checks.dead_relu import PRELU_FORWARD_HINT, PRELU_REFS, prelu_cases, torch_prelu
for _x, _x_in, _alpha in prelu_cases():  # x (4, 3); alpha one slope per unit [0.1, 0.25, 0.5], then a shared [0.3]
    with without_reference(*PRELU_REFS):
        _out, _ = prelu_forward(_x_in, _alpha.copy())
    check_close(f"prelu_forward(x, alpha={_alpha.tolist()})", _out, torch_prelu(_x, _alpha), hint=PRELU_FORWARD_HINT)
    check_equal("x after prelu_forward", _x_in, _x, hint="compute a new array; do not change x in place.")
passed("prelu_forward agrees with torch.nn.functional.prelu, with a slope per unit and with one shared slope")

# %% [markdown]
# **Exercise 4 (3 points).** `prelu_backward`: return `dx` and `dalpha`,
# the gradient of each slope, of the same shape as `alpha`.

# %% nbgrader={"grade": false, "grade_id": "prelu_backward", "locked": false, "schema_version": 3, "solution": true}
def prelu_backward(dout, cache):
    """dout: upstream gradient (N, H); cache: (x, alpha) with alpha (H,) or (1,).
    Returns (dx, dalpha): dx (N, H), and dalpha with the shape of alpha."""
    x, alpha = cache
    ### BEGIN SOLUTION
    dx = dout * np.where(x > 0, 1.0, alpha)
    dalpha = np.sum(dout * np.where(x > 0, 0.0, x), axis=0)
    if alpha.shape == (1,):
        dalpha = np.array([dalpha.sum()])
    ### END SOLUTION
    return dx, dalpha


# %% nbgrader={"grade": true, "grade_id": "test_prelu_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed, without_reference
from helpers.checks.dead_relu import PRELU_DX_HINT, PRELU_REFS, check_dalpha, dx_and_dalpha, prelu_autograd, prelu_inputs
_x, _alpha, _dout = prelu_inputs()  # x (6, 4) 0.1 or more from 0; alpha [0.05, 0.2, 0.5, 0.9]; dout (6, 4)
with without_reference(*PRELU_REFS):
    _dx, _dalpha = dx_and_dalpha(prelu_backward(_dout.copy(), (_x.copy(), _alpha.copy())))
check_close("dx of prelu_backward", _dx, prelu_autograd(_x, _alpha, _dout)[0], hint=PRELU_DX_HINT)  # autograd
check_dalpha(_dalpha, _x, _alpha, _dout)  # against PyTorch autograd, then the numerical gradient
passed("prelu_backward: dx and the slopes' gradient agree with PyTorch autograd and the numerical gradient")

# %% nbgrader={"grade": true, "grade_id": "test_prelu_backward_shared", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one slope shared by the layer (alpha of shape (1,)), and a larger batch.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, without_reference
from helpers.checks.dead_relu import PRELU_REFS, prelu_autograd
_rng = np.random.default_rng(624)
for _shape, _alpha in [((7, 5), np.array([0.25])), ((40, 3), np.array([0.0, 0.1, 1.5]))]:
    _x = _rng.standard_normal(_shape)
    _x = np.where(_x >= 0, _x + 0.1, _x - 0.1)
    _dout = _rng.standard_normal(_shape)
    with without_reference(*PRELU_REFS):
        _dx, _dalpha = prelu_backward(_dout.copy(), (_x.copy(), _alpha.copy()))
    _tdx, _tdalpha = prelu_autograd(_x, _alpha, _dout)
    check_close(f"dx for x of shape {_shape} and alpha {_alpha.tolist()}", _dx, _tdx)
    check_close(f"dalpha for x of shape {_shape} and alpha {_alpha.tolist()}", _dalpha, _tdalpha,
                hint="a slope shared by the layer acted on every entry: dalpha is one number, the sum over "
                     "all of them, with the shape (1,) of alpha.")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_prelu", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) What does a PReLU unit compute if its slope
# is learned to be $\alpha_j = 1$, and if it is learned to be $0$? (b) Can a
# PReLU unit die the way a ReLU unit does? Use $\partial L/\partial \alpha_j$
# and $\partial L/\partial x$ in your answer.
#
# ### BEGIN SOLUTION
# *Model answer.* (a) With $\alpha_j = 1$ the unit is the identity: linear,
# no kink, it adds nothing a linear layer could not do. With $\alpha_j = 0$ it
# is a plain ReLU, with all of ReLU's dead-unit risk. (b) Not while
# $\alpha_j \ne 0$: a unit whose inputs are all negative still passes back
# $\alpha_j\,\partial L/\partial\mathrm{out}$ to its input (so its weights and
# bias still receive gradients), and its slope receives $\partial L/\partial
# \alpha_j = \sum_n x_{nj}\,\partial L/\partial\mathrm{out}_{nj} \ne 0$, so the
# slope itself keeps learning. Only if the slope is driven to exactly 0 (or
# stays there) does the unit become a ReLU that can die; with small slopes
# the gradient is weak and recovery slow, as for Leaky ReLU.
#
# *Rubric (2 points).* 1 point: (a) 1 gives a linear (identity) unit, 0 a
# ReLU. 1 point: (b) no, as long as alpha is not 0: negative inputs still pass
# alpha times the gradient to x and the weights, and alpha itself gets a
# non-zero gradient (a sum of x times dout over the negative entries).
# ### END SOLUTION

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
# **Exercise 5 (3 points).** `dead_fraction(h)`: the fraction of units
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
from helpers.checks import check_close, passed, without_reference
from helpers.checks.dead_relu import DEAD_REFS, check_float, dead_cases
for _what, _h, _want, _hint in dead_cases():  # the example above (2 of 4 dead), a layer with 7 of 20 units dead
    with without_reference(*DEAD_REFS):
        _got = dead_fraction(_h.copy())
    check_close(f"dead_fraction of {_what}", _got, _want, hint=_hint)
check_float(_got, "dead_fraction")
passed("dead_fraction finds 2 of 4 dead units in the example and 7 of 20 in a constructed layer")

# %% nbgrader={"grade": true, "grade_id": "test_dead_fraction_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: one sample, a unit active on a single sample only, and all units dead (ReLU outputs).
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, without_reference
from helpers.checks.dead_relu import DEAD_REFS
_cases = [
    (np.array([[0.0, 1.5, 0.0]]), 2 / 3, "one sample: a unit is dead when its one output is <= 0."),
    (np.vstack([np.zeros((99, 5)), [[0, 0, 0.001, 0, 0]]]), 4 / 5,
     "a unit active on a single sample of 100 is alive."),
    (np.zeros((7, 6)), 1.0, "every unit dead: the fraction is 1."),
]
for _h, _want, _hint in _cases:
    with without_reference(*DEAD_REFS):
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
# **Exercise 6 (3 points).** `train_tracking_dead`: train a network by plain
# minibatch SGD and record, after every epoch, the dead fraction of each
# hidden layer **measured on the whole training set** `X`. You need:
#
# - `minibatches(X, y, batch_size, rng=rng)` (imported in the setup cell)
#   yields shuffled `(X_batch, y_batch)` pairs, one epoch's worth: every
#   sample once, the last batch smaller when `batch_size` does not divide N;
# - `loss, grads = net.loss(X_batch, y_batch)`, then
#   `net.params[k] -= lr * grads[k]` for **every** key `k`, weights and biases
#   (or `SGD(lr).update(net.params, grads)`);
# - after `net.loss(X)` (without labels) the list `net.activations` holds each
#   hidden layer's output on `X`, one `(N, H_i)` array per layer;
# - the course's `layers.dead_fraction` (or your own).
#
# Each entry of the history is a new list: an entry must still hold its
# epoch's numbers after the later epochs. The test trains a network that
# watches itself: it checks every update against `-lr * grads` and measures
# its own dead fractions after every epoch, and compares them with every
# entry of your history.

# %% nbgrader={"grade": false, "grade_id": "train_tracking_dead", "locked": false, "schema_version": 3, "solution": true}
from helpers import layers  # the reference layers, again: a scratch cell may have rebound the name
from helpers.optim import minibatches


def train_tracking_dead(net, X, y, lr, num_epochs=3, batch_size=50, seed=0):
    """Minibatch SGD on net (a FullyConnectedNet) for num_epochs epochs: every
    parameter, weights and biases, gets params[k] -= lr * grads[k] per minibatch.

    Returns a list with one entry per epoch; each entry is a new list with the
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
from helpers.checks import passed, without_reference
from helpers.checks.dead_relu import TRAIN_REFS, check_tracking, watch_training
# One hidden layer of 100 ReLUs, lr 1.5, 3 epochs of batches of 50: units die epoch after epoch.
with without_reference(*TRAIN_REFS):  # your function trains a net that checks every update it receives
    _run = watch_training(train_tracking_dead, hidden=(100,), lr=1.5, num_epochs=3, batch_size=50)
_hist = check_tracking(_run, num_epochs=3)  # each entry against the net's own count after that epoch
passed("train_tracking_dead: every update is -lr * grads for every parameter, and every entry of the "
       f"history is the dead fraction after its epoch ({', '.join(f'{_e[0]:.0%}' for _e in _hist)})")

# %% nbgrader={"grade": true, "grade_id": "test_train_tracking_dead_layers", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: two hidden layers, batches of 100, and a unit dead from the start keeps its weights.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_close, check_true, without_reference
from helpers.checks.dead_relu import TRAIN_REFS, watch_training
with without_reference(*TRAIN_REFS):
    _run = watch_training(train_tracking_dead, hidden=(30, 20), lr=0.1, num_epochs=2, batch_size=100,
                          kill_unit=True)
_hist = _run["history"]
check_true(not isinstance(_hist, str) and len(_hist) == 2 and all(len(_e) == 2 for _e in _hist),
           f"Two epochs and two hidden layers: expected 2 entries of 2 numbers, got {_hist!r:.200}.")
for _e in range(2):
    check_close(f"history[{_e}] for a net with two hidden layers", _hist[_e], _run["truth"][_e])
check_true(_run["worst_step"] < 1e-8, f"An update of '{_run['worst_key']}' is not -lr * grads.")
check_true(not _run["dead_unit_moved"], "The weights of a unit dead from the start changed.",
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
fig, ax = plt.subplots(figsize=(8, 3.4))
for lr, (hist, acc) in sweep.items():
    ax.plot(range(0, len(hist) + 1), [layers.dead_fraction(net0.activations[0]), *hist],
            marker="o", ms=3, label=f"lr {lr:g} (val acc {acc:.2f})")
ax.set(xlabel="epoch (0: before training)", ylabel="dead fraction of the layer", ylim=(-0.03, 1.03),
       title="One hidden layer of 100 ReLUs on digits:\nlarge rates kill units early, and none comes back")
ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
fig.tight_layout();

# %% [markdown]
# About 5% of the units are dead before training starts (with non-negative
# pixels, some random weight vectors point away from every image) and
# learning rates up to 0.1 leave them so. At lr 1 the first epoch kills 12%
# of the layer, and it ends at 17% after five epochs; at lr 1.5 and 2 about
# half and two thirds of the layer die within the first epoch (47% and 69%),
# and 74% and 97% after five, with the validation accuracy falling to 0.82
# and collapsing to 0.14. The curves never come back down: a dead unit only
# revives if the layers *below* it change its inputs, and with one hidden
# layer the inputs are fixed pixels.
#
# **Dead is not the same as inaccurate.** Look at the accuracies: lr 1 has
# the best validation accuracy of the sweep (0.96) although 17% of its units
# are dead. The 83 units still alive are enough for the digits, and the large
# steps trained them fast; the dead ones are simply lost capacity. So why
# care? Because the dead fraction is an early warning that the steps are at
# the edge: one notch further (lr 1.5) most of the layer dies and the
# accuracy drops, and the grid of this sweep, with factors of 10 between 0.1
# and 1, does not show how close lr 1 is to that edge, nor whether a rate in
# between is as accurate with its units alive. A deeper network is also
# less forgiving: a dead unit of the first layer feeds 0 to the next layer
# for every input, and the next section shows two hidden layers at lr 1
# losing most of both. That is why the next section asks for settings with
# **at most 10% dead units per layer** (about the 5% dead at the start, plus
# a margin) *and* a high validation accuracy.

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
# experiment, lr up to 0.1 leaves the 5% dead at the start, lr 1 kills 12% in
# the first epoch (17% after five), and lr 1.5 and 2 kill about half and two
# thirds of the units within the first epoch (47%, 69%), with the validation
# accuracy collapsing at lr 2.
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
# Five knobs against dead units, each tried on a network with **two** hidden
# layers of 100 units. Every run uses `train_setting(setting)` (imported from
# `helpers.dead_relu` in the setup cell): it builds
# `FullyConnectedNet([100, 100], 64, 10, ...)` with the setting's
# activation, weight initialization and bias, trains it for 10 epochs by the
# same minibatch SGD as your `train_tracking_dead` (batches of 50, every
# sample once per epoch), and returns a dict with the validation accuracy
# `"val_acc"` and the dead fraction of each hidden layer `"dead"` on the
# training set. A setting is a dict with the keys `"lr"`, `"activation"`,
# `"weight_init"` (a name such as `"he_normal"` or a std such as 0.01) and
# `"bias_init"`. The graded run below uses this same function, so what you
# try here is exactly what is graded (a setting trained once is remembered,
# so asking again costs nothing).

# %% tags=["demo"]
results = {name: train_setting(setting) for name, setting in REMEDIES}
for name, r in results.items():
    dead = ", ".join(f"{d:.0%}" for d in r["dead"])
    print(f"{name:<36} dead per layer: {dead:<10}  validation accuracy {r['val_acc']:.3f}")

# %% [markdown]
# What to read from it:
#
# - **lr 1.0** kills most of both layers (79% and 66%) and the accuracy
#   collapses to 0.40: two layers are less forgiving than the one of
#   section 4, where lr 1.0 still reached 0.96 (in 5 epochs).
# - **A smaller learning rate** is the first fix: it prevents the one big
#   jump. Its cost is slower training (more epochs to reach the same loss).
# - **Leaky ReLU** gives every unit a gradient, so no unit is stuck for good,
#   but its negative side has slope 0.01: a unit pushed far into it learns
#   very slowly, and at lr 1.0 it does not save the training. **ELU** is
#   smooth and its outputs average closer to 0, at the price of an `exp` per
#   unit; at lr 0.3 almost every unit stays alive.
# - **He initialization** ($\sigma = \sqrt{2/n_{in}}$, every setting above but
#   one) keeps the pre-activations at a healthy scale in every layer, so each
#   unit activates on part of the inputs; a tiny init ($\sigma = 0.01$) makes
#   the signal and the gradients shrink layer by layer, and after 10 epochs
#   the accuracy is still about 0.5 (and 15% of the second layer is dead).
# - **A small positive bias** (0.01 to 0.1) starts every unit on its active
#   side for more inputs. It changes little (a few units more alive at the
#   start) and cannot stop a big step.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_dead_but_accurate", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** With one hidden layer (section 4), lr 1.0 was the
# most accurate rate of the sweep with 17% of its units dead; with two hidden
# layers (the table above) the same rate reaches only 0.40. (a) Why can a
# layer with dead units still classify well? (b) Explain with the forward and
# backward passes why dead units in the *first* hidden layer hurt a deeper
# network more. (c) Why is a limit on the dead fraction a useful guard when
# you choose settings by validation accuracy alone?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) A dead unit outputs 0 for every input: it is lost
# capacity, nothing more. The remaining 83 units are plenty for 8x8 digits,
# and the large steps train them fast, so the accuracy can be the best of a
# coarse sweep. (b) Forward: a dead first-layer unit feeds 0 to every unit of
# the second layer for every input, so the second layer works with fewer
# inputs, and the large steps that killed the first-layer units also push
# second-layer units to the inactive side. Backward: the gradient reaches the
# first layer only through active second-layer units (the local derivative is
# 0 elsewhere), so every second-layer unit that dies also cuts the gradient
# to the weights below it; the losses compound layer by layer, and training
# stalls (79% and 66% dead, accuracy 0.40). (c) Validation accuracy at the end
# of a short run says nothing about how close a setting is to the edge: a
# setting that kills many units is one notch from collapse (a bit more depth,
# a larger step, another seed), its lost units never come back, and it wastes
# capacity that a longer run or a harder task would need. A limit on the dead
# fraction rules out those fragile settings, and one with as good an accuracy
# and live units is usually close by (lr 0.1 here).
#
# *Rubric (3 points).* 1 point: (a) dead units are lost capacity, the live
# ones suffice, so accuracy can stay high. 1 point: (b) dead first-layer units
# feed zeros forward and the gradient reaches lower layers only through
# active units, so the damage compounds with depth. 1 point: (c) the dead
# fraction flags settings at the edge of failure / wasted capacity that the
# validation accuracy of one short run does not show.
# ### END SOLUTION

# %% [markdown]
# ### Choosing on validation, with units alive
#
# Which setting to keep? The one with the highest **validation** accuracy
# (never the training accuracy, which rewards memorizing, nor the test set,
# which is kept for one last honest measurement), but only among the settings
# that keep their units alive: **at most 10% dead units in every hidden
# layer**.
#
# **Exercise 7 (4 points).** `choose_setting(train, settings, max_dead)`:
# call `train(setting)` once for every setting, in order, and return the
# index of the setting with the highest `"val_acc"` among those whose `"dead"`
# fraction is at most `max_dead` in **every** hidden layer (the first of
# equal ones), or `None` if no setting qualifies. The test runs it on
# scripted results whose answer it knows, then with `train_setting` on three
# of the remedies above (lr 1.0, the smaller learning rate and the small
# init): the setting you choose, trained again, must keep at most 10% of each
# layer dead and reach a validation accuracy of at least 0.95.

# %% nbgrader={"grade": false, "grade_id": "choose_setting", "locked": false, "schema_version": 3, "solution": true}
def choose_setting(train, settings, max_dead=0.10):
    """train(setting) returns a dict with "val_acc" (a float) and "dead" (a list
    with the dead fraction of each hidden layer); settings is a list.
    Returns the index (an int) of the chosen setting, or None."""
    ### BEGIN SOLUTION
    best, best_acc = None, -1.0
    for i, setting in enumerate(settings):
        result = train(setting)
        if max(result["dead"]) <= max_dead and result["val_acc"] > best_acc:
            best, best_acc = i, result["val_acc"]
    ### END SOLUTION
    return best


# %% nbgrader={"grade": true, "grade_id": "test_choose_setting", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.dead_relu import CHOICE_TABLE, CHOOSE_REFS, check_choice, scripted_choice
# Scripted results of 5 settings: 0 has 12% dead in layer 2; 1 is exactly at the 10% limit and the best allowed;
# 2 has the best training accuracy; 3 the best validation accuracy, with 30% dead; 4 ties with 1.
with without_reference(*CHOOSE_REFS):
    _run = scripted_choice(choose_setting, CHOICE_TABLE)
check_choice(_run, calls=[0, 1, 2, 3, 4], chosen=1)  # train called once per setting in order; setting 1 chosen
passed("choose_setting keeps the settings with every layer alive enough and chooses the best validation accuracy")

# %% nbgrader={"grade": true, "grade_id": "test_choose_setting_edge", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: no setting qualifies (None), another max_dead, one hidden layer, accuracies of 0.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
from helpers.checks import check_equal, check_true
from helpers.checks.dead_relu import scripted_choice
_none = [{"val_acc": 0.9, "dead": [0.5], "train_acc": 0.9}, {"val_acc": 0.8, "dead": [0.2], "train_acc": 0.8}]
_run = scripted_choice(choose_setting, _none)
check_true(_run["result"] is None, f"No setting has at most 10% dead, but choose_setting returned {_run['result']}.",
           hint="return None when no setting qualifies.")
_run = scripted_choice(choose_setting, _none, max_dead=0.3)
check_equal("the chosen setting with max_dead=0.3", _run["result"], 1, hint="use the argument max_dead.")
_zero = [{"val_acc": 0.0, "dead": [0.0], "train_acc": 0.0}, {"val_acc": 0.0, "dead": [0.5], "train_acc": 0.5}]
_run = scripted_choice(choose_setting, _zero)
check_equal("the chosen setting when the only one allowed has accuracy 0", _run["result"], 0,
            hint="start from 'nothing chosen yet' (None), not from a best accuracy of 0 that a first "
                 "setting must beat.")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_choose_setting_real", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.dead_relu import CHOOSE_REFS, REAL_SETTINGS, check_real_choice
from helpers import dead_relu as _dead_relu
with without_reference(*CHOOSE_REFS):  # three real runs (lr 1.0, small init, smaller lr), about a second
    _best = choose_setting(_dead_relu.train_setting, [dict(_s) for _s in REAL_SETTINGS])
_chosen = check_real_choice(_best)  # trained again: at most 10% dead in each layer, validation accuracy >= 0.95
passed(f"your choice: {_chosen}")

# %% [markdown]
# **Your choice, measured.** Your `choose_setting` on the remedies above
# (remembered, so it trains nothing again), then the chosen network trained
# with your `train_tracking_dead`, and its dead fraction per hidden layer with
# your `dead_fraction` on the whole training set and on only the first 10
# training images. Read the two lines: the second is larger, because a unit
# that is inactive on 10 images may fire on the 11th. On a small batch more
# units look dead than are; the whole training set gives the honest number.

# %% tags=["demo"]
names, settings = [name for name, _ in REMEDIES], [setting for _, setting in REMEDIES]
chosen = choose_setting(train_setting, settings)
print(f"chosen: {names[chosen]} {settings[chosen]}")
setting = settings[chosen]
my_net = FullyConnectedNet([100, 100], 64, 10, activation=setting["activation"],
                           weight_init=setting["weight_init"], bias_init=setting["bias_init"], seed=0)
my_hist = train_tracking_dead(my_net, X_train, y_train, setting["lr"], num_epochs=10)
my_net.loss(X_train)
on_all = [dead_fraction(h) for h in my_net.activations]
on_ten = [dead_fraction(h[:10]) for h in my_net.activations]
print("dead fraction on the 1197 training images:", [f"{d:.0%}" for d in on_all])
print("dead fraction on the first 10 images:     ", [f"{d:.0%}" for d in on_ten])

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_remedies", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Which setting did your `choose_setting` keep, and
# why does it keep units alive? For each of (a) Leaky ReLU or ELU, (b) He
# initialization, (c) a smaller learning rate and (d) a small positive bias,
# say in one sentence how it helps against dead units and what it costs or
# cannot do.
#
# ### BEGIN SOLUTION
# *Model answer.* (Kept: lr 0.1 with ReLU and He init, 0.963 validation
# accuracy with 5% and 6% dead: the steps stay small enough that no unit is
# thrown to the inactive side of all the data; ELU at lr 0.3 keeps even more
# units alive, at 0.953.)
# (a) Leaky ReLU / ELU have a non-zero slope for negative inputs, so every
# unit always gets some gradient and can come back; but the slope is small
# (0.01), so recovery is slow and gradients still shrink through many
# inactive layers, they do not fix a too-large learning rate, and ELU costs an
# `exp` (PReLU adds a parameter to learn). (b) He init ($\sigma=\sqrt{2/n_{in}}$)
# keeps pre-activations at a sensible scale so units start active on part of
# the inputs; it only sets the start and does not stop units dying later.
# (c) A smaller learning rate avoids the one big step that pushes $w, b$ to
# the dead side; it costs slower training (more epochs), and too small
# stalls. (d) A small positive bias (0.01-0.1) starts each unit on its active
# side for more inputs; a small effect, no protection against large steps,
# and a large positive bias makes ReLU nearly linear.
#
# *Rubric (3 points).* 1 point: the chosen setting with a correct reason tied
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
# Two moons (blue and orange) squeezed into the unit square (every input
# $\ge 0$, as in the $w_1 = w_2 = -1$ example) and one hidden layer of 12
# ReLU units, trained for 40 full-batch steps. Each line is where a unit's
# pre-activation is 0, with a tick toward its active side: **green** units
# are alive, **red dashed** ones are dead, with all the data on their
# inactive side. Move the bias slider below 0 and watch units die before
# training starts; raise the learning rate and watch them die during the
# first steps. (This demo uses the course's reference layers; without
# widgets, a static picture is shown.)

# %% tags=["demo"]
draw_dead_units(bias=0.0, lr=10.0);

# %% tags=["demo"]
dead_relu_demo()

# %% [markdown]
# ## 7. The same thing in PyTorch
#
# PyTorch has the activations as modules and functions: `nn.LeakyReLU(0.01)`
# (`F.leaky_relu`), `nn.ELU(alpha=1.0)` and `nn.PReLU()`, whose slope is a
# **learned** parameter, `prelu.weight` (one per layer by default, starting
# at 0.25; `nn.PReLU(num_parameters=H)` gives one per unit). Below: your Leaky
# ReLU against `nn.LeakyReLU`, the course's ELU against `nn.ELU`, and your
# PReLU against `nn.PReLU`, forward and backward (for PReLU, the gradient of
# the slopes too).

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

for num_parameters in (1, 6):
    prelu = nn.PReLU(num_parameters=num_parameters).double()
    xt = torch.tensor(x, requires_grad=True)
    out_t = prelu(xt)
    out_t.backward(torch.tensor(dout))
    alpha = prelu.weight.detach().numpy().copy()  # 0.25 everywhere at the start
    out, cache = prelu_forward(x, alpha)
    dx, dalpha = prelu_backward(dout, cache)
    print(f"PReLU, {num_parameters} slope(s): forward {rel_error(out, out_t.detach().numpy()):.1e}, "
          f"dx {rel_error(dx, xt.grad.numpy()):.1e}, dalpha {rel_error(dalpha, prelu.weight.grad.numpy()):.1e} "
          f"(relative errors)")

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
# gradient flowing. A network with dead units can still score well, so
# choose settings on the validation set *and* watch the dead fraction: it
# warns of steps at the edge of failure before the accuracy does.
