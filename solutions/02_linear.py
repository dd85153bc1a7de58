# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 Linear classifiers: SVM and softmax
#
# The kNN classifier of notebook 01 keeps the whole training set and compares
# every test example with all of it. A **linear classifier** learns a small
# matrix of weights instead: one template per class. After training the data
# can be thrown away, and classifying an example costs one matrix product.
#
# Learning means choosing the weights that make a **loss** small. In this
# notebook you write the two classic losses and their gradients, then train
# with mini-batch stochastic gradient descent:
#
# | part | you write | points |
# |---|---|---|
# | 3 | Exercise 1 `svm_loss_naive`, Exercise 2 `svm_loss_vectorized` | 6 + 6 |
# | 3 | a written question: gradient checks at kinks | 3 |
# | 4 | Exercise 3 `softmax_loss_naive`, Exercise 4 `softmax_loss_vectorized` | 6 + 6 |
# | 5 | two written questions: SVM or softmax | 3 + 3 |
# | 6 | Exercise 5 `LinearClassifier.train` and `.predict` (mini-batch SGD) | 8 |
# | 7 | Exercise 6 `random_search` over learning rate and regularization | 6 |
# | 8 | a written question: what the weights look like | 3 |
# | | **total** | **50** |
#
# Each exercise is followed by test cells you can run. A test cell whose
# visible part is a single comment ("... checked when graded") runs its checks
# only when your notebook is graded. Written questions are graded by hand.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from helpers import data, linear, plots
from helpers.gradcheck import grad_check_sparse, rel_error
from helpers.widgets import linear as linear_widgets

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # the models here are tiny: one thread is fastest


# %% [markdown]
# ## 1 The data: MNIST-1D
#
# MNIST-1D turns each digit 0-9 into a one-dimensional signal of 40 numbers,
# then shifts, scales, shears and adds noise. It is small enough to train on in
# seconds yet hard for a linear model: the paper behind it reports 32% test
# accuracy for logistic regression (a linear softmax classifier), 68% for an
# MLP and 94% for a CNN. That 32% is our target.
#
# We keep 1000 training signals aside for **validation** (to choose
# hyperparameters) and touch the test set once, at the very end.

# %% nbgrader={"grade": false, "grade_id": "data", "locked": true, "schema_version": 3, "solution": false}
mnist = data.load_mnist1d()
X_train, y_train, X_val, y_val = data.train_val_split(mnist["X_train"], mnist["y_train"], n_val=1000, seed=0)
X_test, y_test = mnist["X_test"], mnist["y_test"]
# Scale every feature with the statistics of the training part only.
X_train, X_val, X_test = data.standardize(X_train, X_val, X_test)
print("train", X_train.shape, " val", X_val.shape, " test", X_test.shape)

# %% tags=["demo"]
fig, axes = plt.subplots(2, 5, figsize=(11, 3.2), sharex=True, sharey=True)
for digit, ax in enumerate(axes.flat):
    for signal in X_train[y_train == digit][:3]:
        ax.plot(signal, lw=1)
    ax.set_title(f"class {digit}", fontsize=9)
fig.suptitle("three training signals of each class")
fig.tight_layout()

# %% [markdown]
# ## 2 The score function
#
# A linear classifier gives each class $j$ a **score** that is a weighted sum
# of the input. With the example $x_i$ as a row vector of $D$ numbers and a
# weight matrix $W$ of shape $(D, C)$:
#
# $$s = x_i W, \qquad s_j = x_i \cdot w_j = \sum_d x_{id} W_{dj},$$
#
# where $w_j$, column $j$ of $W$, is the weight vector of class $j$. The
# predicted class is the one with the largest score. For a whole data set
# $X$ of shape $(N, D)$, all $N \times C$ scores are one product: `X @ W`.
#
# Two ways to read it:
#
# - **Template matching.** $s_j$ is a dot product, large when $x_i$ looks
#   like $w_j$. Each column of $W$ is a template of its class, learned from
#   the data (part 8 shows them as pictures).
# - **Geometry.** The points with $s_j = 0$ form a hyperplane; $s_j$ grows
#   linearly on one side of it. Changing $w_j$ rotates that plane (the widget
#   in part 5 lets you try).
#
# (Many texts write $f(x) = Wx + b$ with $W$ of shape $(C, D)$ and column
# vectors $x$: it is the same classifier, transposed.)

# %% [markdown]
# ### The bias trick
#
# Without an offset every plane passes through the origin, so a class score
# usually gets a bias: $s = x_i W + b$. Appending a constant 1 to every
# example folds $b$ into $W$ as an extra last row:
#
# $$[x_i, 1] \begin{bmatrix} W \\ b \end{bmatrix} = x_i W + b.$$
#
# From now on $D = 41$ and the last row of $W$ is the bias.

# %% nbgrader={"grade": false, "grade_id": "bias_trick", "locked": true, "schema_version": 3, "solution": false}
def add_bias(X):
    """(N, D) -> (N, D + 1): a column of ones on the right."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


X_train_b, X_val_b, X_test_b = add_bias(X_train), add_bias(X_val), add_bias(X_test)
print("with the bias column:", X_train_b.shape)

# %% [markdown]
# A random $W$ is a classifier already, just a useless one: about 1 example in
# 10 lands in the right class.

# %% tags=["demo"]
W_random = 0.01 * np.random.default_rng(1).standard_normal((41, 10))
scores = X_train_b @ W_random
print("scores of the first two examples:\n", scores[:2].round(3))
print("accuracy of a random W:", np.mean(scores.argmax(axis=1) == y_train))

# %% [markdown]
# ## 3 The multiclass SVM loss
#
# A loss measures how unhappy we are with the scores. The multiclass SVM
# wants the correct class $y_i$ to beat every other class by at least a
# margin $\Delta$:
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + \Delta).$$
#
# A class that trails the correct one by at least $\Delta$ costs nothing (a
# gap of exactly $\Delta$ gives $\max(0, 0) = 0$); the others cost the amount
# by which they break the margin (the **hinge** loss).
#
# **Worked example.** Scores $s = [13, -7, 11]$, correct class $y_i = 0$,
# $\Delta = 10$:
# $L_i = \max(0, -7 - 13 + 10) + \max(0, 11 - 13 + 10) = 0 + 8 = 8$.
# Class 1 is 20 below the correct score, far enough. Class 2 is below it too,
# but only by 2 instead of 10, so it costs 8. The correct class itself is not
# part of the sum.

# %% tags=["demo"]
s, y_i, delta = np.array([13.0, -7.0, 11.0]), 0, 10.0
for j in range(3):
    if j != y_i:
        print(f"class {j}: max(0, {s[j]:g} - {s[y_i]:g} + {delta:g}) = {max(0.0, s[j] - s[y_i] + delta):g}")

# %% [markdown]
# ### Regularization
#
# If $W$ classifies every example with all margins met, so does $2W$: the
# data alone do not pin $W$ down. A penalty on large weights breaks the tie in
# favour of small, spread-out weights, which use all input features a little
# rather than a few a lot and tend to generalize better. The full loss is the
# mean data loss plus the L2 penalty:
#
# $$L = \frac{1}{N} \sum_i L_i \;+\; \lambda \sum_{d,j} W_{dj}^2,
# \qquad \frac{\partial}{\partial W}\Big(\lambda \sum W^2\Big) = 2 \lambda W.$$
#
# **Convention of this course:** `reg` is $\lambda$ with no factor $\frac12$:
# `loss += reg * np.sum(W * W)` and `dW += 2 * reg * W`. The tests check both.
#
# **Why $\Delta = 1$.** Scaling $W$ scales every score difference, so $\Delta$
# and $\lambda$ trade against each other. At $10 W$ with $\Delta = 10$ every
# margin is 10 times larger, so the *data* loss is exactly 10 times the data
# loss at $W$ with $\Delta = 1$; the regularization term
# $\lambda \sum (10 W)^2$ grows 100 times. So $\Delta = 10$ with strength
# $\lambda$ is the problem $\Delta = 1$ with strength $10 \lambda$, scaled by
# 10: same minimizer up to the factor 10, same classifier. Only the ratio of
# $\Delta$ to the regularization matters, so we fix $\Delta = 1$ (our
# default) and tune $\lambda$.

# %% [markdown]
# ### The gradient
#
# Only the violated margins depend on $W$. Writing
# $\mathbb 1[\cdot]$ for 1 when the condition holds and 0 otherwise, for one
# example:
#
# $$\nabla_{w_j} L_i = \mathbb 1[s_j - s_{y_i} + \Delta > 0]\; x_i \quad (j \ne y_i),
# \qquad
# \nabla_{w_{y_i}} L_i = -\Big(\sum_{j \ne y_i} \mathbb 1[s_j - s_{y_i} + \Delta > 0]\Big)\, x_i .$$
#
# Every violating class pushes its own column up by $x_i$, and the correct
# class's column down by $x_i$ once per violation. Average over the examples
# and add $2\lambda W$.
#
# We check gradients **numerically**: nudge one weight by $\pm h$
# ($h = 10^{-5}$) and compare the slope $(L(W + h) - L(W - h)) / 2h$ with
# your formula through the relative error
# $\max |a - b| / \max(10^{-8}, |a| + |b|)$. Below $10^{-7}$ the two agree.

# %% [markdown]
# **Exercise 1 (6 points).** Write `svm_loss_naive` with explicit loops over
# the examples and the classes.

# %% nbgrader={"grade": false, "grade_id": "svm_loss_naive", "locked": false, "schema_version": 3, "solution": true}
def svm_loss_naive(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient, with loops.

    Inputs:
    - W: float array (D, C), one column of weights per class
    - X: float array (N, D), one example per row
    - y: int array (N,), labels in 0 .. C-1
    - reg: float, regularization strength (lambda)
    - delta: float, the margin

    Returns (loss, dW): loss is a float, the mean of the L_i plus
    reg * sum(W * W); dW has the shape of W. Where a margin is exactly 0,
    count it as not violated.
    """
    loss = 0.0
    dW = np.zeros(W.shape)
    N, C = X.shape[0], W.shape[1]
    ### BEGIN SOLUTION
    for i in range(N):
        scores = X[i] @ W
        correct = scores[y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - correct + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_svm_loss
# The loss: the worked example, the value for tiny weights, and PyTorch.
# X = [[1]] makes the scores equal to W's single row: [13, -7, 11].
_loss_example, _ = run_loss(svm_loss_naive, SVM_REFS, np.array([[13.0, -7.0, 11.0]]), np.ones((1, 1)),
                            np.array([0]), 0.0, delta=10.0)
_W, _X, _y = small_problem(100, N=200, D=41, C=10, scale=1e-4)
_loss_tiny, _ = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.0)
_W, _X, _y = small_problem(3)
_loss_small, _ = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.1)

check_close("loss for scores [13, -7, 11], y = 0, delta = 10", _loss_example, 8.0,
            hint="max(0, -7 - 13 + 10) + max(0, 11 - 13 + 10) = 0 + 8. Getting 18 means the correct "
                 "class was counted (skip j == y[i]); getting 0, that the margin is not `delta`.")
check_close("loss with tiny random W, C = 10, reg = 0", _loss_tiny, 9.0, tol=5e-3,
            hint="All scores are about 0, so each of the 9 wrong classes costs about delta = 1, "
                 "and the loss is the MEAN over the examples: about 9.")
check_close("loss on a small problem with reg = 0.1", _loss_small, torch_svm_loss(_W, _X, _y, 0.1)[0],
            hint="Expected: PyTorch's multi-margin loss (times C) + reg * np.sum(W * W).")
passed("svm_loss_naive: worked example (8), initial loss (about 9) and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_grad", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import SVM_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_svm_loss
# The gradient: numerical gradient, PyTorch autograd, and the regularization term.
_W, _X, _y = small_problem(3)  # no margin is within 0.5 of a kink
check_loss_gradient(svm_loss_naive, SVM_REFS, torch_svm_loss, _W, _X, _y,
                    hint="Each violated margin adds X[i] to column j and subtracts X[i] from column y[i]; "
                         "divide by N at the end.")
passed("svm_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# More problems (other reg and delta, one example of two classes), loss and dW: checked when graded.
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close
from helpers.checks.losses import SVM_REFS, numerical_dW, run_loss, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(11, N=9, D=3, C=5)
_l_reg0, _ = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.0)
_l_reg, _ = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.7)
_l_delta, _ = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.2, delta=2.5)
_W1, _X1, _y1 = small_problem(23, N=1, D=7, C=2)
_l_one, _ = run_loss(svm_loss_naive, SVM_REFS, _W1, _X1, _y1, 0.0)
check_close("loss, reg = 0 (hidden)", _l_reg0, torch_svm_loss(_W, _X, _y, 0.0)[0])
check_close("loss(reg = 0.7) - loss(reg = 0) (hidden)", _l_reg - _l_reg0, 0.7 * np.sum(_W * _W),
            hint="The regularization term is reg * np.sum(W * W), no factor 1/2.")
check_close("loss with delta = 2.5 (hidden)", _l_delta, torch_svm_loss(_W, _X, _y, 0.2, delta=2.5)[0],
            hint="Use the argument `delta`, not a hard-coded 1.")
check_close("loss for one example and two classes (hidden)", _l_one, torch_svm_loss(_W1, _X1, _y1, 0.0)[0])
for _seed, (_N, _D, _C) in [(11, (6, 5, 4)), (23, (6, 5, 4))]:
    _W, _X, _y = small_problem(_seed, N=_N, D=_D, C=_C)
    _, _dW = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.05)
    check_close(f"dW, problem {_seed} (hidden)", _dW,
                numerical_dW(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.05))
    check_close(f"dW against autograd, problem {_seed} (hidden)", _dW, torch_svm_loss(_W, _X, _y, 0.05)[1])
_W, _X, _y = small_problem(5, N=8, D=3, C=6)
_, _dW = run_loss(svm_loss_naive, SVM_REFS, _W, _X, _y, 0.0, delta=0.5)
check_close("dW with delta = 0.5 (hidden)", _dW, torch_svm_loss(_W, _X, _y, 0.0, delta=0.5)[1],
            hint="The margin test must use `delta`.")
### END HIDDEN TESTS


# %% [markdown]
# ### Check your gradient yourself
#
# The tests compared your `dW` with the numerical gradient. You will need that
# check for every model you build, so run it once yourself.
# `grad_check_sparse(f, W, dW)` (from `helpers.gradcheck`) picks 10 random
# entries of `W`, nudges each by $\pm h$ ($h = 10^{-5}$), and returns the
# relative error between the slope $(f(W + h) - f(W - h)) / 2h$ and your
# `dW` at that entry. How to read the numbers:
#
# - below $10^{-7}$: the two agree; your gradient is right;
# - around $10^{-4}$ or larger at one or two entries, the others tiny: for
#   the SVM loss this can happen with correct code, when the probe crosses a
#   kink of the hinge (next section);
# - $10^{-2}$ or more at most entries: a bug in `dW`.
#
# An entry where both gradients are 0 shows an error of 0. The cell runs the
# check with and without regularization: a mistake in the `2 * reg * W` term
# shows only in the second line.

# %% tags=["demo"]
W_check = 0.5 * np.random.default_rng(4).standard_normal((41, 10))
X_check, y_check = X_train_b[:100], y_train[:100]
for reg in (0.0, 0.1):
    loss, dW = svm_loss_naive(W_check, X_check, y_check, reg)
    errors = grad_check_sparse(lambda w: svm_loss_naive(w, X_check, y_check, reg)[0], W_check, dW)
    print(f"svm_loss_naive, reg = {reg}: relative errors " + " ".join(f"{e:.0e}" for e in errors))

# %% [markdown]
# ### Kinks
#
# The SVM loss is piecewise linear. Seen along a single weight, it is a sum of
# hinges, each a flat piece and a sloped piece meeting at a **kink** where the
# margin is exactly 0. There the derivative does not exist (we use the
# *subgradient*, here 0).
#
# The picture puts one example with two classes at a kink: $s_0 = 0$ (the
# correct class) and $s_1 = w - 1$, so $L(w) = \max(0, w)$, and probes it the
# way the numerical gradient does.

# %% tags=["demo"]
def hinge_along(w):
    """SVM loss of one example with scores [0, w - 1] and y = 0 (the reference)."""
    return linear.svm_loss_vectorized(np.array([[0.0, w - 1.0]]), np.ones((1, 1)), np.array([0]), 0.0)[0]


h = 1e-5
ws = np.linspace(-3e-5, 3e-5, 201)
fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(ws, [hinge_along(w) for w in ws], label="L(w)")
for w0, color in [(0.0, "tab:red"), (4e-6, "tab:green")]:
    _, grad = linear.svm_loss_vectorized(np.array([[0.0, w0 - 1.0]]), np.ones((1, 1)), np.array([0]), 0.0)
    numeric = (hinge_along(w0 + h) - hinge_along(w0 - h)) / (2 * h)
    ax.plot([w0 - h, w0 + h], [hinge_along(w0 - h), hinge_along(w0 + h)], "o--", color=color,
            label=f"w = {w0:g}: analytic {grad[0, 1]:g}, numerical {numeric:.2f}")
ax.set_xlabel("w (the weight of class 1)")
ax.set_ylabel("loss")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_kinks", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** When you check the gradient of the SVM loss
# numerically, one entry of `dW` occasionally disagrees with the numerical
# value (a relative error of 0.1 or more) although the code is correct.
# Why? Is it a reason to worry, and how can a gradient check avoid it?
#
# ### BEGIN SOLUTION
# *Model answer.* The SVM loss is not differentiable where a margin
# $s_j - s_{y_i} + \Delta$ is exactly 0 (a kink of $\max(0, \cdot)$). The
# centered difference evaluates $L(w + h)$ and $L(w - h)$; when a kink lies
# between $w - h$ and $w + h$ the two points sit on different linear pieces,
# so the numerical slope is a mix of the two one-sided slopes (0.5 at the kink
# in the picture, 0.7 just beside it) while the analytic gradient is the slope
# of one piece (0 or 1). Only the entries whose weight moves a margin across 0
# are affected. This is not a bug in the analytic gradient: with many hinges
# (N x (C - 1) of them) the chance that one lies within h of a probe point is
# small but not zero. To avoid it: use smaller h (kinks become rarer but
# round-off grows), check only a few entries, choose test inputs whose
# margins are all far from 0, or track during the check whether any max(0, .)
# changed its branch between x - h and x + h and skip that entry.
#
# Rubric (3 points): 1 for saying the loss is not differentiable at a kink
# (margin exactly 0 / max(0, .) switches); 1 for explaining that the
# centered difference straddles the kink and averages two slopes, while the
# analytic (sub)gradient takes one side, so the mismatch is not a bug; 1 for
# one sensible remedy (smaller h, inputs away from kinks, fewer dimensions
# checked, detecting branch changes) or for noting that it is rare and
# affects only the entries near a kink.
# ### END SOLUTION

# %% [markdown]
# ### Without loops
#
# Loops in Python are slow. The same loss for all examples at once:
#
# 1. `scores = X @ W`, shape $(N, C)$;
# 2. the correct scores `scores[np.arange(N), y]`, one per row;
# 3. margins for every class, with the correct class set to 0;
# 4. for the gradient, a matrix $dS$ of shape $(N, C)$ holding
#    $\partial L_i / \partial s_{ij}$: 1 where the margin is violated, minus the
#    number of violations at the correct class; then `dW = X.T @ dS / N`.
#
# Check the shapes: $X^T$ is $(D, N)$ and $dS$ is $(N, C)$, so $dW$ is
# $(D, C)$ like $W$.
#
# **Exercise 2 (6 points).** Write `svm_loss_vectorized` without any loop: no
# `for` or `while`, no comprehension, and no call of `svm_loss_naive` (one
# test cell, 1 point, counts the Python lines your function runs on a problem
# with hundreds of examples, features and classes).

# %% nbgrader={"grade": false, "grade_id": "svm_loss_vectorized", "locked": false, "schema_version": 3, "solution": true}
def svm_loss_vectorized(W, X, y, reg, delta=1.0):
    """Multiclass SVM loss and gradient without Python loops.

    Same inputs and outputs as svm_loss_naive.
    """
    N = X.shape[0]
    ### BEGIN SOLUTION
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0
    loss = margins.sum() / N + reg * np.sum(W * W)
    dS = (margins > 0).astype(float)
    dS[rows, y] = -dS.sum(axis=1)
    dW = X.T @ dS / N + 2 * reg * W
    ### END SOLUTION
    return loss, dW


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_svm_loss
_loss_example, _ = run_loss(svm_loss_vectorized, SVM_REFS, np.array([[13.0, -7.0, 11.0]]), np.ones((1, 1)),
                            np.array([0]), 0.0, delta=10.0)
_W, _X, _y = small_problem(101, N=200, D=41, C=10, scale=1e-4)
_loss_tiny, _ = run_loss(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.0)
_W, _X, _y = small_problem(3)
_loss_small, _ = run_loss(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.1)

check_close("loss for scores [13, -7, 11], y = 0, delta = 10", _loss_example, 8.0,
            hint="Getting 18 means the correct class still counts: set its margin to 0 "
                 "(margins[np.arange(N), y] = 0).")
check_close("loss with tiny random W, C = 10, reg = 0", _loss_tiny, 9.0, tol=5e-3,
            hint="About delta = 1 for each of the 9 wrong classes, averaged over the examples.")
check_close("loss on a small problem with reg = 0.1", _loss_small, torch_svm_loss(_W, _X, _y, 0.1)[0],
            hint="Expected: PyTorch's multi-margin loss (times C) + reg * np.sum(W * W).")
passed("svm_loss_vectorized: worked example, initial loss and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import SVM_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(3)
check_loss_gradient(svm_loss_vectorized, SVM_REFS, torch_svm_loss, _W, _X, _y,
                    hint="dW = X.T @ dS / N with dS (N, C): 1 where a margin is violated, minus the count "
                         "of violations at the correct class. A shape (C, D) means X and dS were swapped.")
passed("svm_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_no_loops, passed, without_reference
from helpers.checks.losses import SVM_REFS, as_pair, small_problem
from helpers.checks.oracles import torch_svm_loss
# 500 examples, 300 features, 200 classes: a loop over any of them runs hundreds of lines.
_W, _X, _y = small_problem(104, N=500, D=300, C=200, scale=1e-3)
with without_reference(*SVM_REFS):
    _result = check_no_loops("svm_loss_vectorized", svm_loss_vectorized, _W, _X, _y, 1e-3, max_lines=100,
                             sizes="500 examples, 300 features and 200 classes",
                             hint="No for or while loop, no comprehension, no call of svm_loss_naive: "
                                  "scores = X @ W, margins by broadcasting, dW = X.T @ dS / N.")
_loss, _ = as_pair("svm_loss_vectorized", _result)
check_close("loss for 500 examples and 200 classes", _loss, torch_svm_loss(_W, _X, _y, 1e-3)[0],
            hint="The loss is right on small problems? Then look for sizes written into the code.")
passed("svm_loss_vectorized runs no Python loop (500 examples, 300 features, 200 classes)")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# More problems (N = 300, C = 7, other delta, one example), loss and dW: checked when graded.
### BEGIN HIDDEN TESTS
from helpers.checks import check_close
from helpers.checks.losses import SVM_REFS, numerical_dW, run_loss, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(12, N=300, D=20, C=7)
_l_big, _dW = run_loss(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.01)
_l_delta, _ = run_loss(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.0, delta=3.0)
_W1, _X1, _y1 = small_problem(24, N=1, D=2, C=3)
_l_one, _ = run_loss(svm_loss_vectorized, SVM_REFS, _W1, _X1, _y1, 0.5)
check_close("loss, N = 300, C = 7 (hidden)", _l_big, torch_svm_loss(_W, _X, _y, 0.01)[0])
check_close("dW, N = 300, C = 7 (hidden)", _dW, torch_svm_loss(_W, _X, _y, 0.01)[1])
check_close("loss with delta = 3 (hidden)", _l_delta, torch_svm_loss(_W, _X, _y, 0.0, delta=3.0)[0])
check_close("loss for one example (hidden)", _l_one, torch_svm_loss(_W1, _X1, _y1, 0.5)[0])
_W, _X, _y = small_problem(23)
_, _dW = run_loss(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.05, delta=2.0)
check_close("dW with delta = 2 against the numerical gradient (hidden)", _dW,
            numerical_dW(svm_loss_vectorized, SVM_REFS, _W, _X, _y, 0.05, delta=2.0))
### END HIDDEN TESTS


# %% [markdown]
# Your two versions should give the same numbers; the vectorized one should
# be much faster.

# %% tags=["demo"]
X_dev, y_dev = X_train_b[:1000], y_train[:1000]
W_dev = 0.001 * np.random.default_rng(2).standard_normal((41, 10))
start = time.perf_counter()
loss_n, grad_n = svm_loss_naive(W_dev, X_dev, y_dev, 1e-3)
t_naive = time.perf_counter() - start
start = time.perf_counter()
loss_v, grad_v = svm_loss_vectorized(W_dev, X_dev, y_dev, 1e-3)
t_vec = time.perf_counter() - start
print(f"naive:      loss {loss_n:.6f}  in {1000 * t_naive:.1f} ms")
print(f"vectorized: loss {loss_v:.6f}  in {1000 * t_vec:.2f} ms  ({t_naive / t_vec:.0f}x faster)")
print(f"difference: loss {abs(loss_n - loss_v):.1e}, dW relative error {rel_error(grad_n, grad_v):.1e}")

# %% [markdown]
# ## 4 The softmax classifier
#
# Softmax reads the scores as unnormalized log-probabilities. Exponentiate
# and normalize, and they become probabilities:
#
# $$p_j = \frac{e^{s_j}}{\sum_k e^{s_k}}, \qquad
# L_i = -\log p_{y_i} = -s_{y_i} + \log \sum_j e^{s_j}.$$
#
# The loss is the **cross-entropy** between the true distribution (all mass
# on $y_i$) and $p$: minimizing it is maximum likelihood, and the L2 penalty
# acts as a Gaussian prior on $W$.
#
# **Worked example.** $s = [1, -2, 0]$ gives
# $[e^{1}, e^{-2}, e^{0}] = [2.718, 0.135, 1]$, divided by their sum 3.854:
# $p = [0.705, 0.035, 0.259]$. Halve the scores (for instance by stronger
# regularization) and the probabilities spread out.

# %% tags=["demo"]
for s in ([1.0, -2.0, 0.0], [0.5, -1.0, 0.0]):
    e = np.exp(s)
    print(f"scores {s} -> exp {e.round(3)} -> probabilities {(e / e.sum()).round(3)}")

fig, axes = plt.subplots(1, 2, figsize=(7, 2.5), sharey=True)
for ax, s in zip(axes, ([1.0, -2.0, 0.0], [0.5, -1.0, 0.0])):
    p = np.exp(s) / np.exp(s).sum()
    ax.bar(range(3), p, color=["tab:red", "tab:green", "tab:blue"])
    ax.set_title(f"softmax of {s}", fontsize=9)
    ax.set_xticks(range(3))
axes[0].set_ylabel("probability")
fig.tight_layout()

# %% [markdown]
# ### The gradient
#
# The derivative of $L_i$ with respect to the scores is remarkably simple:
#
# $$\frac{\partial L_i}{\partial s_j} = p_j - \mathbb 1[j = y_i],
# \qquad \nabla_{w_j} L_i = (p_j - \mathbb 1[j = y_i])\, x_i .$$
#
# Probability mass on a wrong class pulls that class's weights away from
# $x_i$; the missing mass $1 - p_{y_i}$ pulls the correct class's weights
# toward it.
#
# ### Numerical stability
#
# `np.exp(1000)` is `inf` in floating point, and `inf / inf` is `nan`. The fix
# costs one line: subtract the largest score first. For any constant $c$,
#
# $$\frac{e^{s_j - c}}{\sum_k e^{s_k - c}} = \frac{e^{-c}\, e^{s_j}}{e^{-c}\sum_k e^{s_k}} = p_j,$$
#
# and with $c = \max_k s_k$ every exponent is at most 0, so nothing
# overflows. Compute the loss as $\log \sum_j e^{s_j - c} - (s_{y_i} - c)$.

# %% tags=["demo"]
big = np.array([1000.0, 1001.0])
with np.errstate(over="ignore", invalid="ignore"):
    print("without the shift:", np.exp(big) / np.exp(big).sum())
shifted = big - big.max()
print("with the shift:   ", np.exp(shifted) / np.exp(shifted).sum())

# %% [markdown]
# **Exercise 3 (6 points).** Write `softmax_loss_naive` with loops, stable for
# large scores.

# %% nbgrader={"grade": false, "grade_id": "softmax_loss_naive", "locked": false, "schema_version": 3, "solution": true}
def softmax_loss_naive(W, X, y, reg):
    """Softmax (cross-entropy) loss and gradient, with loops.

    Inputs: W (D, C), X (N, D), y (N,) int, reg float, as in svm_loss_naive.
    Returns (loss, dW): the mean of L_i plus reg * sum(W * W), and dW like W.
    Shift the scores by their maximum before np.exp.
    """
    loss = 0.0
    dW = np.zeros(W.shape)
    N, C = X.shape[0], W.shape[1]
    ### BEGIN SOLUTION
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        exp = np.exp(scores)
        total = np.sum(exp)
        loss += np.log(total) - scores[y[i]]
        for j in range(C):
            p = exp[j] / total
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= N
    dW /= N
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
import torch
from helpers.checks import check_close, check_equal, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
# The worked example: with X = [[1]] the scores are [1, -2, 0], and for label k
# the loss is -log p_k, so exp(-loss) recovers the softmax probabilities.
_losses = [run_loss(softmax_loss_naive, SOFTMAX_REFS, np.array([[1.0, -2.0, 0.0]]), np.ones((1, 1)),
                    np.array([_k]), 0.0)[0] for _k in range(3)]
_W, _X, _y = small_problem(102, N=200, D=41, C=10, scale=1e-4)
_loss_tiny, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.0)
_W, _X, _y = small_problem(2)
_loss_small, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.1)

_probs = np.exp(-np.array(_losses))
check_close("exp(-loss) for scores [1, -2, 0] and y = 0, 1, 2", _probs,
            torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), dim=0),
            hint="L_i = -log p_{y_i}, with p = exp(s) / sum(exp(s)).")
check_equal("the probabilities rounded to 3 decimals", np.round(_probs, 3), [0.705, 0.035, 0.259])
check_close("loss with tiny random W, C = 10, reg = 0", _loss_tiny, np.log(10), tol=1e-3,
            hint="All ten probabilities are about 0.1, so the loss should be about -log(0.1) = 2.302.")
check_close("loss on a small problem with reg = 0.1", _loss_small, torch_softmax_loss(_W, _X, _y, 0.1)[0],
            hint="Expected: PyTorch's F.cross_entropy (mean over the examples) + reg * np.sum(W * W).")
passed("softmax_loss_naive: worked example [0.705, 0.035, 0.259], initial loss ln 10 and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss
from helpers.checks.oracles import torch_softmax_loss
_hint = "np.exp(1000) overflows. Subtract the largest score of each example before np.exp."
# One example with scores [1000, 1001]; then two examples, scores [1000, 1001, 990] and
# [-1000, -1001, -990], in one batch.
for _W, _X, _y in [(np.array([[1000.0, 1001.0]]), np.ones((1, 1)), np.array([0])),
                   (np.array([[1000.0, 1001.0, 990.0]]), np.array([[1.0], [-1.0]]), np.array([0, 1]))]:
    _what = "scores [1000, 1001]" if len(_X) == 1 else "a batch with scores near +1000 and near -1000"
    with np.errstate(all="ignore"):
        _loss, _dW = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.0)
    check_close(f"loss for {_what}", _loss, torch_softmax_loss(_W, _X, _y, 0.0)[0], hint=_hint)
    check_true(np.all(np.isfinite(np.asarray(_dW, dtype=float))), f"dW for {_what} contains inf or nan.",
               hint=_hint)
passed("softmax_loss_naive is stable for scores of +-1000")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import SOFTMAX_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(2)
check_loss_gradient(softmax_loss_naive, SOFTMAX_REFS, torch_softmax_loss, _W, _X, _y,
                    hint="Column j gets (p_j - [j == y_i]) * X[i] for every example; divide by N.")
passed("softmax_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# More problems (other reg, one example of two classes, C = 7), loss and dW: checked when graded.
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close
from helpers.checks.losses import SOFTMAX_REFS, numerical_dW, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(13, N=9, D=3, C=5)
_l_reg0, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.0)
_l_reg, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.7)
_W1, _X1, _y1 = small_problem(25, N=1, D=7, C=2)
_l_one, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W1, _X1, _y1, 0.0)
check_close("loss, reg = 0 (hidden)", _l_reg0, torch_softmax_loss(_W, _X, _y, 0.0)[0])
check_close("loss(reg = 0.7) - loss(reg = 0) (hidden)", _l_reg - _l_reg0, 0.7 * np.sum(_W * _W),
            hint="The regularization term is reg * np.sum(W * W), no factor 1/2.")
check_close("loss for one example and two classes (hidden)", _l_one, torch_softmax_loss(_W1, _X1, _y1, 0.0)[0])
for _seed, (_N, _D, _C) in [(13, (6, 5, 4)), (26, (4, 3, 7))]:
    _W, _X, _y = small_problem(_seed, N=_N, D=_D, C=_C)
    _, _dW = run_loss(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.05)
    check_close(f"dW, problem {_seed} (hidden)", _dW,
                numerical_dW(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.05))
    check_close(f"dW against autograd, problem {_seed} (hidden)", _dW, torch_softmax_loss(_W, _X, _y, 0.05)[1])
### END HIDDEN TESTS


# %% [markdown]
# **Exercise 4 (6 points).** Write `softmax_loss_vectorized` without loops (as
# in Exercise 2, 1 point checks that it runs no Python loop). The
# gradient with respect to all scores at once is $dS = P - Y$, where $P$
# holds the probabilities (each row sums to 1) and $Y$ the one-hot labels;
# then `dW = X.T @ dS / N` plus the regularization gradient.

# %% nbgrader={"grade": false, "grade_id": "softmax_loss_vectorized", "locked": false, "schema_version": 3, "solution": true}
def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient without Python loops.

    Same inputs and outputs as softmax_loss_naive.
    """
    N = X.shape[0]
    ### BEGIN SOLUTION
    rows = np.arange(N)
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    P = exp / exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(exp.sum(axis=1)) - scores[rows, y]) + reg * np.sum(W * W)
    dS = P.copy()
    dS[rows, y] -= 1
    dW = X.T @ dS / N + 2 * reg * W
    ### END SOLUTION
    return loss, dW


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_loss", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
import torch
from helpers.checks import check_close, check_equal, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
# The worked example: with X = [[1]] the scores are [1, -2, 0], and for label k
# the loss is -log p_k, so exp(-loss) recovers the softmax probabilities.
_losses = [run_loss(softmax_loss_vectorized, SOFTMAX_REFS, np.array([[1.0, -2.0, 0.0]]), np.ones((1, 1)),
                    np.array([_k]), 0.0)[0] for _k in range(3)]
_W, _X, _y = small_problem(103, N=200, D=41, C=10, scale=1e-4)
_loss_tiny, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.0)
_W, _X, _y = small_problem(2)
_loss_small, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.1)

_probs = np.exp(-np.array(_losses))
check_close("exp(-loss) for scores [1, -2, 0] and y = 0, 1, 2", _probs,
            torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), dim=0),
            hint="L_i = -log p_{y_i}; the loss is the mean over the examples.")
check_equal("the probabilities rounded to 3 decimals", np.round(_probs, 3), [0.705, 0.035, 0.259])
check_close("loss with tiny random W, C = 10, reg = 0", _loss_tiny, np.log(10), tol=1e-3,
            hint="About -log(0.1) = 2.302: is the loss averaged over the examples?")
check_close("loss on a small problem with reg = 0.1", _loss_small, torch_softmax_loss(_W, _X, _y, 0.1)[0],
            hint="Expected: PyTorch's F.cross_entropy (mean over the examples) + reg * np.sum(W * W).")
passed("softmax_loss_vectorized: worked example [0.705, 0.035, 0.259], initial loss ln 10 and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss
from helpers.checks.oracles import torch_softmax_loss
_hint = "np.exp(1000) overflows. Subtract each row's maximum: scores - scores.max(axis=1, keepdims=True); one shift for the whole batch is not enough when rows differ by 2000."
# One example with scores [1000, 1001]; then two examples, scores [1000, 1001, 990] and
# [-1000, -1001, -990], in one batch.
for _W, _X, _y in [(np.array([[1000.0, 1001.0]]), np.ones((1, 1)), np.array([0])),
                   (np.array([[1000.0, 1001.0, 990.0]]), np.array([[1.0], [-1.0]]), np.array([0, 1]))]:
    _what = "scores [1000, 1001]" if len(_X) == 1 else "a batch with scores near +1000 and near -1000"
    with np.errstate(all="ignore"):
        _loss, _dW = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.0)
    check_close(f"loss for {_what}", _loss, torch_softmax_loss(_W, _X, _y, 0.0)[0], hint=_hint)
    check_true(np.all(np.isfinite(np.asarray(_dW, dtype=float))), f"dW for {_what} contains inf or nan.",
               hint=_hint)
passed("softmax_loss_vectorized is stable for scores of +-1000")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import SOFTMAX_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(2)
check_loss_gradient(softmax_loss_vectorized, SOFTMAX_REFS, torch_softmax_loss, _W, _X, _y,
                    hint="dS = P with 1 subtracted at each row's correct class; dW = X.T @ dS / N. A shape (C, D) means X and dS were swapped.")
passed("softmax_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, check_no_loops, passed, without_reference
from helpers.checks.losses import SOFTMAX_REFS, as_pair, small_problem
from helpers.checks.oracles import torch_softmax_loss
# 500 examples, 300 features, 200 classes: a loop over any of them runs hundreds of lines.
_W, _X, _y = small_problem(105, N=500, D=300, C=200, scale=1e-3)
with without_reference(*SOFTMAX_REFS):
    _result = check_no_loops("softmax_loss_vectorized", softmax_loss_vectorized, _W, _X, _y, 1e-3,
                             max_lines=100, sizes="500 examples, 300 features and 200 classes",
                             hint="No for or while loop, no comprehension, no call of softmax_loss_naive: "
                                  "scores = X @ W, row-wise max, exp and sums along axis=1, "
                                  "dW = X.T @ dS / N.")
_loss, _ = as_pair("softmax_loss_vectorized", _result)
check_close("loss for 500 examples and 200 classes", _loss, torch_softmax_loss(_W, _X, _y, 1e-3)[0],
            hint="The loss is right on small problems? Then look for sizes written into the code.")
passed("softmax_loss_vectorized runs no Python loop (500 examples, 300 features, 200 classes)")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# More problems (N = 300, C = 7, other reg), loss and dW: checked when graded.
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close
from helpers.checks.losses import SOFTMAX_REFS, numerical_dW, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(14, N=300, D=20, C=7)
_l_big, _dW = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.01)
_l_reg0, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.0)
check_close("loss, N = 300, C = 7 (hidden)", _l_big, torch_softmax_loss(_W, _X, _y, 0.01)[0])
check_close("loss(reg = 0.01) - loss(reg = 0) (hidden)", _l_big - _l_reg0, 0.01 * np.sum(_W * _W))
check_close("dW, N = 300, C = 7 (hidden)", _dW, torch_softmax_loss(_W, _X, _y, 0.01)[1])
_W, _X, _y = small_problem(26, N=4, D=3, C=7)
_, _dW = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.05)
check_close("dW against the numerical gradient, C = 7 (hidden)", _dW,
            numerical_dW(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.05))
### END HIDDEN TESTS


# %% [markdown]
# Check the gradient of `softmax_loss_vectorized` yourself, as for the SVM.
# The softmax loss is smooth (no kinks), so every relative error should be
# below $10^{-7}$; typically they are around $10^{-9}$.

# %% tags=["demo"]
for reg in (0.0, 0.1):
    loss, dW = softmax_loss_vectorized(W_check, X_check, y_check, reg)
    errors = grad_check_sparse(lambda w: softmax_loss_vectorized(w, X_check, y_check, reg)[0], W_check, dW)
    print(f"softmax_loss_vectorized, reg = {reg}: relative errors " + " ".join(f"{e:.0e}" for e in errors))

# %% [markdown]
# The naive and the vectorized softmax should agree, and the vectorized one
# should be much faster:

# %% tags=["demo"]
start = time.perf_counter()
loss_n, grad_n = softmax_loss_naive(W_dev, X_dev, y_dev, 1e-3)
t_naive = time.perf_counter() - start
start = time.perf_counter()
loss_v, grad_v = softmax_loss_vectorized(W_dev, X_dev, y_dev, 1e-3)
t_vec = time.perf_counter() - start
print(f"naive:      loss {loss_n:.6f}  in {1000 * t_naive:.1f} ms")
print(f"vectorized: loss {loss_v:.6f}  in {1000 * t_vec:.2f} ms  ({t_naive / t_vec:.0f}x faster)")
print(f"difference: loss {abs(loss_n - loss_v):.1e}, dW relative error {rel_error(grad_n, grad_v):.1e}")

# %% [markdown]
# ## 5 SVM or softmax?
#
# Both start from the same scores; they differ in what they find good enough.
# Take three examples whose correct class is 0. The SVM (with $\Delta = 1$)
# is content with all three: every wrong class trails by at least 1. Softmax
# never is: it still wants the gap to grow, and [10, 9, 9] costs far more
# than [10, -100, -100] (whose loss, about $2e^{-110} \approx 3 \cdot 10^{-48}$,
# is too small for float64 to tell from 0 after adding it to 1).

# %% tags=["demo"]
examples = [[10.0, -2.0, 3.0], [10.0, 9.0, 9.0], [10.0, -100.0, -100.0]]
X_one, y_zero = np.ones((1, 1)), np.array([0])
svm_values = [svm_loss_vectorized(np.array([s]), X_one, y_zero, 0.0)[0] for s in examples]
softmax_values = [softmax_loss_vectorized(np.array([s]), X_one, y_zero, 0.0)[0] for s in examples]
for s, l_svm, l_soft in zip(examples, svm_values, softmax_values):
    print(f"scores {str(s):<22} SVM loss {l_svm:.3f}   softmax loss {l_soft:.2e}")

fig, ax = plt.subplots(figsize=(5.5, 2.6))
pos = np.arange(3)
ax.bar(pos - 0.2, svm_values, 0.4, label="SVM")
ax.bar(pos + 0.2, softmax_values, 0.4, label="softmax")
ax.set_xticks(pos)
ax.set_xticklabels([str(s) for s in examples], fontsize=8)
ax.set_ylabel("loss")
ax.legend()
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_new_point", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** A classifier has been trained, and we add one new
# example to the training set that it already classifies correctly with a
# large margin: every wrong class scores far below the correct one (much more
# than $\Delta$). What happens to the SVM data loss and to the softmax data
# loss (the mean over the $N + 1$ examples)? Does the new example change the
# gradient, and so further training, for each loss? What does this say about
# which examples each loss cares about?
#
# ### BEGIN SOLUTION
# *Model answer.* SVM: all margins of the new example are met, so its
# $L_i = 0$ and its gradient is 0. The sum of the $L_i$ is unchanged (the mean
# only shrinks by the factor $N / (N + 1)$ because of the averaging), and the
# example has no effect on further training. Softmax: $p_{y_i} < 1$ always, so
# $L_i = -\log p_{y_i}$ is small but positive; the total grows a little and the
# gradient $(p - \mathbb 1[j = y_i])\, x_i$ is small but not 0: the example
# still pulls the correct class's weights toward it and the others away, to
# widen its margin further. So the SVM only cares about examples that are near
# or beyond its margin (it is satisfied once the margin is met), while softmax
# is never fully satisfied and every example keeps contributing, a little less
# the better it is classified.
#
# Rubric (3 points): 1 for the SVM: loss of the new example 0, total unchanged
# (mean changed only through dividing by N + 1), no gradient / no effect on
# training; 1 for softmax: a small positive loss that never reaches 0 and a
# small nonzero gradient that still pulls; 1 for the conclusion: the SVM
# ignores examples beyond the margin, softmax keeps improving every example
# (or an equivalent statement comparing the two).
# ### END SOLUTION

# %% [markdown]
# ### Try it: move the weights of one class
#
# Nine points of three classes in the plane, and a linear classifier with
# scores $[x_1, x_2, 1]\, W$. Each line is where one class's score is 0; the
# arrow points toward larger scores. Choose a class and move its weights
# $w_1, w_2$ (which rotate its line) and $b$ (which shifts it): the bars show
# the scores of the chosen point, with its hinge and softmax loss, and the
# mean of both losses over the nine points. Then answer the question below.

# %% tags=["demo"]
W_toy, X_toy, y_toy = linear_widgets.toy_problem()
linear_widgets.draw(W_toy, X_toy, y_toy, cls=0, point=0);

# %% tags=["demo"]
linear_widgets.weight_row_demo()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_widget", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** With the sliders, can you bring the mean hinge loss
# of the nine points to 0? Once it is 0, suppose you multiply all the weights
# (every $w_1$, $w_2$ and $b$) by 2: what happens to the mean hinge loss and to
# the mean softmax loss, and why? What, in training, stops the weights from
# growing without bound?
#
# ### BEGIN SOLUTION
# *Model answer.* Yes: the three classes can be separated by lines (the picture
# shows three groups), and with large enough weights every correct score beats
# the others by at least 1, for example $w_1, w_2, b$ = (4.4, 1.4, -1.2) for
# class 0, (0.5, -0.9, 0.4) for class 1, (2.3, -4.1, 0.8) for class 2. Doubling
# all the weights doubles every score difference: the hinge loss stays 0 (the
# margins only grow), while the softmax loss falls further (about 0.26 to
# 0.07 here), because larger score gaps make the probability of the correct
# class closer to 1; it never reaches 0, so without a penalty softmax would
# push the weights toward infinity. The regularization term
# $\lambda \sum W^2$ grows with the weights and stops that; for the SVM it
# chooses, among the many $W$ with zero data loss, the one with the smallest
# weights.
#
# Rubric (3 points): 1 for "yes, the data are linearly separable, so the
# hinge loss can be 0" (a setting or a description); 1 for "doubling keeps the
# hinge loss at 0 and lowers the softmax loss, which approaches but never
# reaches 0, since p of the correct class approaches 1"; 1 for naming the
# regularization as what keeps the weights finite (or picks the smallest W).
# ### END SOLUTION

# %% [markdown]
# ## 6 Optimization: mini-batch stochastic gradient descent
#
# The gradient points uphill, so we step the other way:
# `W -= learning_rate * dW`. Computing the loss on all $N$ examples for every
# small step is wasteful: the examples resemble each other, and a **mini-batch**
# of a few hundred gives a good estimate of the gradient at a fraction of the
# cost. Many noisy steps beat a few exact ones.
#
# Each iteration of `train`:
#
# 1. draw `batch_size` random indices, *with replacement*, from
#    `rng = np.random.default_rng(seed)` (so a seed reproduces a run), and take
#    the same indices from `X` and `y`;
# 2. `loss, dW = self.loss(X_batch, y_batch, reg)` and record the loss;
# 3. `self.W -= learning_rate * dW`.
#
# (Shuffling the data once per epoch and walking through it in batches is
# just as good; the tests accept both.) `self.loss` is defined by the
# subclasses `LinearSVM` and `Softmax`, so the same `train` serves both.
#
# **Exercise 5 (8 points).** Write `train` and `predict`. `predict` returns
# integer labels (an integer array, or floats holding whole numbers).

# %% nbgrader={"grade": false, "grade_id": "LinearClassifier", "locked": false, "schema_version": 3, "solution": true}
class LinearClassifier:
    """scores = X @ W with W of shape (D, C), trained by mini-batch SGD."""

    def __init__(self):
        self.W = None

    def loss(self, X_batch, y_batch, reg):
        """(loss, dW) on a mini-batch at the current self.W. Defined by subclasses."""
        raise NotImplementedError("LinearSVM and Softmax define the loss")

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              seed=None, verbose=False):
        """Train with mini-batch SGD; return the list of the num_iters mini-batch losses.

        X: (N, D) floats; y: (N,) int labels. If self.W is None it is created
        (small random numbers, C = max(y) + 1 columns); otherwise training
        continues from the current self.W. Use `rng` for every random draw.
        """
        N, D = X.shape
        rng = np.random.default_rng(seed)
        if self.W is None:
            self.W = 0.001 * rng.standard_normal((D, int(np.max(y)) + 1))
        loss_history = []
        ### BEGIN SOLUTION
        for it in range(num_iters):
            idx = rng.integers(0, N, size=batch_size)
            loss, dW = self.loss(X[idx], y[idx], reg)
            loss_history.append(float(loss))
            self.W -= learning_rate * dW
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:.4f}")
        ### END SOLUTION
        return loss_history

    def predict(self, X):
        """Predicted labels, int array (N,): the class of the largest score for each row of X (N, D)."""
        ### BEGIN SOLUTION
        return np.argmax(X @ self.W, axis=1)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_train", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import numpy as np
import torch
import torch.nn.functional as F
from helpers.checks import check_close, check_equal, check_shape, check_true, passed, \
    without_reference
from helpers.checks.losses import train_with_course_loss
from helpers import linear as _linear
_REFS = (_linear.LinearClassifier, _linear.LinearClassifier.train, _linear.LinearClassifier.predict)
# train_with_course_loss trains a subclass of your LinearClassifier whose loss is the
# course's softmax loss and records every mini-batch, so this test checks train alone.

# 1. All 30 examples are the same, so every mini-batch has the same gradient,
#    whatever the sampling: three steps must match torch.optim.SGD exactly.
_rng = np.random.default_rng(20)
_X_same, _y_same = np.tile(_rng.standard_normal(5), (30, 1)), np.full(30, 2)
_W_start = 0.1 * _rng.standard_normal((5, 3))
with without_reference(*_REFS):
    _run = train_with_course_loss(LinearClassifier, "softmax", _X_same, _y_same, W=_W_start,
                                  learning_rate=0.5, reg=0.01, num_iters=3, batch_size=6, seed=0)
_history = _run["history"]
_W_t = torch.tensor(_W_start, requires_grad=True)
_opt = torch.optim.SGD([_W_t], lr=0.5)
_torch_history = []
for _ in range(3):
    _opt.zero_grad()
    _loss_t = (F.cross_entropy(torch.tensor(_X_same[:6]) @ _W_t, torch.tensor(_y_same[:6]))
               + 0.01 * (_W_t ** 2).sum())
    _loss_t.backward()
    _opt.step()
    _torch_history.append(_loss_t.item())
check_true(isinstance(_history, (list, tuple, np.ndarray)),
           f"train should return the list of losses, got {type(_history).__name__}.",
           hint="Append float(loss) to loss_history in every iteration.")
check_close("loss_history of 3 iterations", np.asarray(_history, dtype=float), _torch_history,
            hint="Record the loss of each mini-batch, one value per iteration.")
check_close("W after 3 SGD steps (lr = 0.5)", _run["W"], _W_t.detach().numpy(),
            hint="The update is self.W -= learning_rate * dW: a step DOWNhill, using the "
                 "gradient returned by self.loss.")

# 2. The mini-batches: batch_size real rows of X, with their own labels, and reg passed on.
_X_rows = np.column_stack([np.arange(50.0), np.ones(50)])
_y_rows = np.arange(50) % 4
with without_reference(*_REFS):
    _run = train_with_course_loss(LinearClassifier, "softmax", _X_rows, _y_rows, learning_rate=1e-4, reg=0.02,
                                  num_iters=4, batch_size=10, seed=1)
check_shape("self.W created by train", _run["W"], (2, 4), hint="W has shape (D, max(y) + 1).")
check_true(len(_run["batches"]) == 4, f"train called self.loss {len(_run['batches'])} times for num_iters = 4.",
           hint="One mini-batch, one call of self.loss, one update per iteration.")
for _X_batch, _y_batch, _reg_used in _run["batches"]:
    check_shape("a mini-batch X_batch", _X_batch, (10, 2), hint="Take batch_size rows of X.")
    _rows = _X_batch[:, 0].astype(int)
    check_true(np.array_equal(_X_batch, _X_rows[_rows]), "X_batch holds rows that are not rows of X.")
    check_equal("the labels y_batch of the rows in X_batch", _y_batch, _y_rows[_rows],
                hint="Take X and y with the SAME indices: idx = rng.integers(0, N, batch_size); "
                     "X[idx], y[idx].")
    check_true(_reg_used == 0.02, f"train passed reg = {_reg_used} to self.loss instead of 0.02.")

# 3. The same seed gives the same run, and training lowers the loss.
_blob_rng = np.random.default_rng(22)
_y_blobs = _blob_rng.integers(0, 3, size=300)
_X_blobs = np.hstack([3 * _blob_rng.standard_normal((3, 4))[_y_blobs] + _blob_rng.standard_normal((300, 4)),
                      np.ones((300, 1))])
with without_reference(*_REFS):
    _runs = []
    for _ in range(2):
        _runs.append(train_with_course_loss(LinearClassifier, "softmax", _X_blobs, _y_blobs, learning_rate=0.1,
                                            reg=1e-4, num_iters=100, batch_size=32, seed=5)["history"])
check_true(np.array_equal(_runs[0], _runs[1]), "Two runs with seed = 5 gave different loss histories.",
           hint="Draw every random number from rng = np.random.default_rng(seed), not from np.random.")
check_true(np.mean(_runs[0][-10:]) < 0.5 * _runs[0][0],
           f"Training did not lower the loss: first {_runs[0][0]:.3f}, mean of the last ten "
           f"{np.mean(_runs[0][-10:]):.3f}.", hint="Step against the gradient: W -= learning_rate * dW.")
passed("train: SGD steps equal torch.optim.SGD, batches are rows with their labels, runs are reproducible")


# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_train_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# More runs (the SVM loss continuing from a given W, num_iters = 0): checked when graded.
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, check_shape, check_true, without_reference
from helpers.checks.losses import train_with_course_loss
from helpers.checks.oracles import torch_svm_loss
from helpers import linear as _linear
_REFS = (_linear.LinearClassifier, _linear.LinearClassifier.train, _linear.LinearClassifier.predict)

# Several steps on identical examples with the SVM loss, continuing from a given W.
_rng = np.random.default_rng(30)
_X_same, _y_same = np.tile(_rng.standard_normal(4), (12, 1)), np.full(12, 1)
_W_start = _rng.standard_normal((4, 5))
with without_reference(*_REFS):
    _run = train_with_course_loss(LinearClassifier, "svm", _X_same, _y_same, W=_W_start, learning_rate=0.05,
                                  reg=0.1, num_iters=5, batch_size=4, seed=3)
_history = _run["history"]
_W_np = _W_start.copy()
_expected = []
for _ in range(5):
    _l_ref, _g_ref = torch_svm_loss(_W_np, _X_same[:4], _y_same[:4], 0.1)
    _expected.append(_l_ref)
    _W_np = _W_np - 0.05 * _g_ref
check_close("loss_history, SVM loss, 5 steps (hidden)", np.asarray(_history, dtype=float), _expected)
check_close("W after 5 SVM steps (hidden)", _run["W"], _W_np)
_X_blobs = np.hstack([np.random.default_rng(22).standard_normal((300, 4)), np.ones((300, 1))])
_y_blobs = np.arange(300) % 3
with without_reference(*_REFS):
    _run = train_with_course_loss(LinearClassifier, "svm", _X_blobs, _y_blobs, num_iters=0, seed=0)
_h0 = _run["history"]
check_shape("W created with num_iters = 0 (hidden)", _run["W"], (5, 3))
check_true(len(_h0) == 0, "num_iters = 0 should give an empty history (hidden).")
### END HIDDEN TESTS


# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_predict", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
import torch
from helpers.checks import check_close, check_equal, check_shape, check_true, passed, \
    without_reference
from helpers import linear as _linear
_REFS = (_linear.LinearClassifier, _linear.LinearClassifier.train, _linear.LinearClassifier.predict)
# 40 examples of 6 features and 5 classes; then one example and two classes.
for _seed, (_D, _C, _N) in [(21, (6, 5, 40)), (31, (3, 2, 1))]:
    _rng = np.random.default_rng(_seed)
    _W_known, _X_known = _rng.standard_normal((_D, _C)), _rng.standard_normal((_N, _D))
    with without_reference(*_REFS):
        _clf = LinearClassifier()
        _clf.W = _W_known.copy()
        _pred = _clf.predict(_X_known)
    _expected = torch.argmax(torch.tensor(_X_known) @ torch.tensor(_W_known), dim=1).numpy()
    check_shape(f"predict(X) for {_N} example(s)", _pred, (_N,),
                hint="One label per row: the argmax of the scores over the classes (axis=1).")
    _pred = np.asarray(_pred)
    check_true(np.issubdtype(_pred.dtype, np.integer)
               or (np.issubdtype(_pred.dtype, np.floating) and np.array_equal(_pred, np.round(_pred))),
               f"predict should return integer labels, got an array of dtype {_pred.dtype}.")
    check_equal(f"predict(X) for {_N} example(s)", _pred, _expected,
                hint="A row's label is the column of its largest score in X @ W.")
    check_close("W after predict", _clf.W, _W_known, hint="predict must not change W.")
passed("predict agrees with torch.argmax of the scores (40 examples, and one example of two classes)")


# %% [markdown]
# The two classifiers differ only in their loss:

# %% nbgrader={"grade": false, "grade_id": "classifiers", "locked": true, "schema_version": 3, "solution": false}
class LinearSVM(LinearClassifier):
    """Multiclass SVM loss (delta = 1)."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """Softmax cross-entropy loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)


# %% [markdown]
# A first run on MNIST-1D. The mini-batch loss is noisy, its moving average
# falls; the initial values are the ones the tests checked: about 9 for the
# SVM and $\ln 10 = 2.302$ for softmax.

# %% tags=["demo"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
for ax, model, lr in [(axes[0], LinearSVM(), 0.03), (axes[1], Softmax(), 0.3)]:
    start = time.perf_counter()
    history = model.train(X_train_b, y_train, learning_rate=lr, reg=1e-4, num_iters=1000,
                          batch_size=200, seed=0)
    name = type(model).__name__
    print(f"{name:<9}: first loss {history[0]:.3f}, train accuracy "
          f"{np.mean(model.predict(X_train_b) == y_train):.3f}, validation accuracy "
          f"{np.mean(model.predict(X_val_b) == y_val):.3f}  ({time.perf_counter() - start:.2f} s)")
    plots.plot_loss(history, ax=ax, window=50, label=name)
fig.tight_layout()

# %% [markdown]
# ## 7 Choosing the learning rate and the regularization
#
# Hyperparameters are chosen on the **validation** set: the test set must not
# influence any choice, or its accuracy stops being an honest estimate.
#
# Two rules of thumb:
#
# - **Search on a log scale.** A learning rate of 0.001 and one of 0.01 are
#   as different as 0.1 and 1: draw the exponent uniformly,
#   `lr = 10 ** rng.uniform(np.log10(low), np.log10(high))`. A uniform draw
#   between 1e-6 and 1 would put 99.9% of the trials above 0.001.
# - **Search at random, not on a grid.** Usually one hyperparameter matters
#   more than the other; random trials try a new value of each in every trial,
#   a grid repeats the same few (Bergstra and Bengio, 2012).
#
# **Exercise 6 (6 points).** Write `random_search`. Draw each trial's
# `(lr, reg)` at random, as the docstring says; a grid of log-spaced values
# (`np.logspace`, `10 ** np.linspace`) is not a random search and loses the
# sampling test's points.

# %% nbgrader={"grade": false, "grade_id": "random_search", "locked": false, "schema_version": 3, "solution": true}
def random_search(make_model, X_train, y_train, X_val, y_val, lr_range, reg_range,
                  num_trials=10, num_iters=500, batch_size=200, seed=0):
    """Log-scale random search of the learning rate and the regularization.

    For each of num_trials trials: draw lr and reg log-uniformly from
    lr_range = (low, high) and reg_range = (low, high), with
    rng = np.random.default_rng(seed); train a new model = make_model() with
    model.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters,
    batch_size=batch_size, seed=seed + trial); measure its accuracy (the
    fraction of correct predictions) on the training and the validation set.

    Returns (results, best_params, best_model):
    - results: dict {(lr, reg): (train_accuracy, val_accuracy)}, one entry per trial
    - best_params: the (lr, reg) with the highest validation accuracy
    - best_model: the model trained with best_params
    """
    results, best_params, best_model = {}, None, None
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    best_val = -1.0
    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        model = make_model()
        model.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters,
                    batch_size=batch_size, seed=seed + trial)
        train_acc = np.mean(model.predict(X_train) == y_train)
        val_acc = np.mean(model.predict(X_val) == y_val)
        results[(lr, reg)] = (train_acc, val_acc)
        if val_acc > best_val:
            best_val, best_params, best_model = val_acc, (lr, reg), model
    ### END SOLUTION
    return results, best_params, best_model


# %% nbgrader={"grade": true, "grade_id": "test_random_search_sampling", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_true, passed
from helpers.checks.losses import fake_search, log_spread
# random_search with stand-in models (they train in no time): 200 trials, lr in (1e-6, 1),
# reg in (1e-7, 1e-1); then the same seed again, and 50 trials on other ranges with seed 1.
(_results, _, _), _ = fake_search(random_search)
check_true(isinstance(_results, dict) and len(_results) == 200,
           "results should be a dict with one entry per trial (200), got "
           f"{len(_results) if isinstance(_results, dict) else type(_results).__name__}.")
for _name, _pos, (_low, _high) in [("learning rates", 0, (1e-6, 1.0)), ("regularization strengths", 1, (1e-7, 1e-1))]:
    _values = np.array([_key[_pos] for _key in _results], dtype=float)
    check_true(_values.min() >= _low and _values.max() <= _high,
               f"Some sampled {_name} lie outside their range ({_low:g}, {_high:g}).")
    _below, _ks, _gap = log_spread(_values, _low, _high)
    check_true(0.35 < _below < 0.65,
               f"The {_name} are not log-uniform: {_below:.0%} of them lie below the middle of the range on "
               "a log scale, expected about half.",
               hint="Draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
    _distinct = len(np.unique(_values))
    check_true(_distinct >= 190,
               f"Only {_distinct} different {_name} in 200 trials: that is a grid, which tries the same "
               "few values again and again.", hint="Draw a new (lr, reg) at random in every trial.")
    check_true(_ks < 0.16,
               f"The {_name} are not spread like a log-uniform sample (Kolmogorov-Smirnov distance "
               f"{_ks:.2f}; random draws stay below 0.16).",
               hint="Draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
    check_true(_gap > 2 / 200,
               f"The {_name} are evenly spaced on a log scale (largest gap {_gap:.4f} of the log-range, "
               "like a grid of 200 values; random draws leave gaps three times wider or more): that is "
               "a grid, not a random search.",
               hint="Use rng.uniform for the exponents, not np.logspace or np.linspace.")
(_again, _, _), _ = fake_search(random_search)
check_true(list(_again) == list(_results), "Two searches with seed = 0 gave different trials.",
           hint="Use rng = np.random.default_rng(seed) for the draws.")
(_other, _, _), _ = fake_search(random_search, lr_range=(1e-4, 1e-2), reg_range=(1e-3, 1e-1), num_trials=50,
                                seed=1)
_lrs = np.array([_key[0] for _key in _other], dtype=float)
_regs = np.array([_key[1] for _key in _other], dtype=float)
check_true(len(_other) == 50 and _lrs.min() >= 1e-4 and _lrs.max() <= 1e-2 and _regs.min() >= 1e-3
           and _regs.max() <= 1e-1,
           "With lr_range = (1e-4, 1e-2), reg_range = (1e-3, 1e-1) and 50 trials: samples outside the "
           "ranges, or not 50 trials.", hint="Use the arguments lr_range, reg_range and num_trials.")
check_true(0.25 < log_spread(_lrs, 1e-4, 1e-2)[0] < 0.75,
           "With lr_range = (1e-4, 1e-2) the learning rates are not log-uniform.")
passed("random_search draws (lr, reg) log-uniformly at random, reproducibly, within the given ranges")


# %% nbgrader={"grade": true, "grade_id": "test_random_search", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.losses import fake_accuracies, fake_search
# random_search with stand-in models whose accuracies are known functions of (lr, reg).
(_results, _best_params, _best_model), _trained = fake_search(random_search)
check_true(isinstance(_results, dict) and len(_results) == 200,
           "results should be a dict with one entry per trial (200), got "
           f"{len(_results) if isinstance(_results, dict) else type(_results).__name__}.")
check_true(all(_n == 500 for _, _, _n in _trained),
           "Every model should be trained on the training set (500 examples here).")
_keys = [tuple(map(float, _key)) for _key in _results]
check_true((len(_trained) == 200 and sorted(_t[:2] for _t in _trained) == sorted(_keys))
           or (len(_trained) == 201 and sorted(_t[:2] for _t in _trained[:200]) == sorted(_keys)
               and _best_params is not None and _trained[200][:2] == tuple(map(float, _best_params))),
           f"Each trial should train one new model with its own (lr, reg); {len(_trained)} trainings for "
           "200 trials (one more at the end, with best_params, is fine).")
_got = np.array([_results[_key] for _key in _results], dtype=float)
_want = np.array([fake_accuracies(*_key) for _key in _keys])
check_close("the (train_accuracy, val_accuracy) stored for each (lr, reg)", _got, _want,
            hint="Accuracy is np.mean(model.predict(X) == y), on the training and on the validation "
                 "set, stored in that order.")
check_true(_best_params in _results and _results[_best_params][1] == _got[:, 1].max(),
           f"best_params {_best_params} does not have the highest validation accuracy.",
           hint="Choose by validation accuracy, never by training accuracy.")
check_true(_best_model is not None and tuple(map(float, _best_model)) == tuple(map(float, _best_params)),
           "best_model should be the model trained with best_params.")
passed("random_search trains one model per trial and picks the best validation accuracy")


# %% [markdown]
# Now the real search on MNIST-1D, for both classifiers. Each dot is one
# trial; its colour is the validation accuracy.

# %% tags=["demo"]
start = time.perf_counter()
searches = {}
for name, make_model in [("SVM", LinearSVM), ("softmax", Softmax)]:
    searches[name] = random_search(make_model, X_train_b, y_train, X_val_b, y_val,
                                   lr_range=(1e-3, 0.3), reg_range=(1e-5, 1e-1),
                                   num_trials=10, num_iters=800, batch_size=200, seed=0)
print(f"20 trainings in {time.perf_counter() - start:.1f} s")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
for ax, (name, (results, best_params, _)) in zip(axes, searches.items()):
    keys = list(results)
    val = [results[k][1] for k in keys]
    dots = ax.scatter([k[0] for k in keys], [k[1] for k in keys], c=val, cmap="viridis", s=60)
    ax.scatter(*best_params, s=250, facecolors="none", edgecolors="red", lw=2)
    ax.set(xscale="log", yscale="log", xlabel="learning rate", title=f"{name}: validation accuracy")
    fig.colorbar(dots, ax=ax)
    print(f"{name:<8} best lr {best_params[0]:.2e}, reg {best_params[1]:.2e}: "
          f"train {results[best_params][0]:.3f}, validation {results[best_params][1]:.3f}")
axes[0].set_ylabel("regularization")
fig.tight_layout()

# %% [markdown]
# Only now, once, the test set:

# %% tags=["demo"]
for name, (_, _, best_model) in searches.items():
    accuracy = np.mean(best_model.predict(X_test_b) == y_test)
    print(f"{name:<8} test accuracy {accuracy:.1%}   (paper, logistic regression: 32%)")

# %% [markdown]
# Around 30%: three times chance, and about what the MNIST-1D paper reports
# for a linear model. The signals are shifted and stretched at random, and a
# single template per class cannot follow that. A network with a hidden layer
# (notebook 03) builds its own features and does better.
#
# ## 8 What does a linear classifier learn?
#
# On the 8x8 digits of scikit-learn the templates can be seen. Each column of
# $W$ (without the bias) reshaped to 8x8 is the picture the classifier
# matches against: a ring for 0, a stroke for 1.

# %% tags=["demo"]
digits = data.load_digits()
D_train, D_val, D_test = data.subtract_mean_image(digits["X_train"], digits["X_val"], digits["X_test"])
D_train, D_val, D_test = add_bias(D_train), add_bias(D_val), add_bias(D_test)
digit_model = Softmax()
digit_model.train(D_train, digits["y_train"], learning_rate=0.5, reg=1e-2, num_iters=1000,
                  batch_size=200, seed=0)
print(f"digits: validation accuracy {np.mean(digit_model.predict(D_val) == digits['y_val']):.3f}, "
      f"test accuracy {np.mean(digit_model.predict(D_test) == digits['y_test']):.3f}")
plots.show_templates(digit_model.W[:-1], (8, 8));

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_templates", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Look at the ten templates above. What do they look
# like, and why does training produce such pictures? Name one reason why a
# single template per class limits what a linear classifier can recognize.
#
# ### BEGIN SOLUTION
# *Model answer.* Each template looks like a blurred, averaged digit of its
# class: a ring for 0, a vertical stroke for 1, with positive weights where the
# class usually has ink and negative weights where other classes have ink
# that this class lacks (the middle of the 0). The score is a dot product, and
# the gradient adds the examples of a class to its column and subtracts the
# examples it confuses with it, so the column becomes a kind of average (a
# prototype) of its class minus what distinguishes it from the others, mixing
# all the ways the digit is written. With one template per class, a class
# that comes in several shapes (a 7 with or without a bar, a 1 slanted left
# or right, a shifted signal in MNIST-1D) can only be matched by a blend of
# them, which fits none well; a linear classifier cannot say "shape A or
# shape B", which needs more than one template (a hidden layer).
#
# Rubric (3 points): 1 for the description (blurry average / prototype of
# the class, positive where its ink is, negative where other classes' ink
# is); 1 for why (the gradient adds the class's examples to its column and
# subtracts the confused ones, so the template averages them; a dot product
# rewards matching the template); 1 for the limit: one template must blend
# all variants (positions, styles) of a class, so variable classes are matched
# poorly; a nonlinear model with several features per class does better.
# ### END SOLUTION

# %% [markdown]
# ## 9 The same thing in PyTorch
#
# In PyTorch the classifier is `nn.Linear(D, C, bias=False)` (it stores
# $W^T$, of shape $(C, D)$, and computes `x @ weight.T`), the loss is
# `F.cross_entropy`, and autograd gives the gradient. First the loss and the
# gradient against your NumPy version:

# %% tags=["demo"]
import torch.nn as nn

W_np = 0.01 * np.random.default_rng(3).standard_normal((41, 10))
reg = 1e-3
model = nn.Linear(41, 10, bias=False).double()
with torch.no_grad():
    model.weight.copy_(torch.tensor(W_np.T))
X_t, y_t = torch.tensor(X_train_b), torch.tensor(y_train)

loss_t = F.cross_entropy(model(X_t), y_t) + reg * (model.weight ** 2).sum()
loss_t.backward()
loss_np, grad_np = softmax_loss_vectorized(W_np, X_train_b, y_train, reg)
print(f"loss: PyTorch {loss_t.item():.10f}, NumPy {loss_np:.10f}")
print(f"relative error of dW: {rel_error(model.weight.grad.numpy().T, grad_np):.1e}")

# %% [markdown]
# Then training. `torch.optim.SGD` does `W -= lr * grad`; its `weight_decay`
# adds `weight_decay * W` to the gradient, so our `reg` corresponds to
# `weight_decay = 2 * reg`. Twenty full-batch steps from the same start give
# the same weights:

# %% tags=["demo"]
model = nn.Linear(41, 10, bias=False).double()
with torch.no_grad():
    model.weight.copy_(torch.tensor(W_np.T))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=2 * reg)
W_steps = W_np.copy()
for step in range(20):
    optimizer.zero_grad()
    F.cross_entropy(model(X_t), y_t).backward()
    optimizer.step()
    W_steps -= 0.5 * softmax_loss_vectorized(W_steps, X_train_b, y_train, reg)[1]
print(f"after 20 steps, relative error between the weights: "
      f"{rel_error(model.weight.detach().numpy().T, W_steps):.1e}")

# %% [markdown]
# And the usual PyTorch loop with mini-batches, in float32 as networks are
# trained; it lands where the NumPy classifiers did:

# %% tags=["demo"]
torch.manual_seed(0)
model = nn.Linear(41, 10, bias=False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3, weight_decay=2e-4)
X32, y64 = torch.tensor(X_train_b, dtype=torch.float32), torch.tensor(y_train)
for it in range(1000):
    idx = torch.randint(0, len(X32), (200,))
    optimizer.zero_grad()
    F.cross_entropy(model(X32[idx]), y64[idx]).backward()
    optimizer.step()
with torch.no_grad():
    test_pred = model(torch.tensor(X_test_b, dtype=torch.float32)).argmax(dim=1).numpy()
print(f"PyTorch softmax classifier: test accuracy {np.mean(test_pred == y_test):.1%}")

# %% [markdown]
# ## Summary
#
# - A linear classifier scores every class with one matrix product; the bias
#   joins $W$ as a row through a column of ones.
# - The SVM loss wants the correct score ahead by a margin and is then
#   satisfied; softmax turns scores into probabilities and always wants more.
# - Both gradients are "$X^T$ times a matrix of score gradients", checked
#   numerically (away from the SVM's kinks) and against PyTorch.
# - Mini-batch SGD with hyperparameters from a log-scale random search on a
#   validation set reaches about 30% on MNIST-1D, the paper's figure for a
#   linear model. Going beyond needs features that a linear model cannot
#   build: the next notebook's neural network.
