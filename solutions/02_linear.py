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
# | 3 | `svm_loss_naive`, `svm_loss_vectorized` | 5 + 4 |
# | 3 | a written question: gradient checks at kinks | 3 |
# | 4 | `softmax_loss_naive`, `softmax_loss_vectorized` | 5 + 4 |
# | 6 | `LinearClassifier.train` and `.predict` (mini-batch SGD) | 6 |
# | 7 | `random_search` over learning rate and regularization | 3 |
# | | **total** | **30** |
#
# Each exercise is followed by a test cell you can run. More tests run when
# your notebook is graded.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from helpers import data, linear, plots
from helpers.checks import check_close, check_equal, check_shape, check_true, passed, without_reference
# The steps the loss tests share, and PyTorch's losses as their oracles.
from helpers.checks.losses import (SOFTMAX_REFS, SVM_REFS, as_pair, check_loss_gradient,
                                   numerical_dW, run_loss, small_problem)
from helpers.checks.oracles import torch_softmax_loss, torch_svm_loss
from helpers.gradcheck import eval_numerical_gradient, rel_error
from helpers.widgets import linear as linear_widgets

np.random.seed(0)
torch.manual_seed(0)


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
# A class that trails the correct one by more than $\Delta$ costs nothing; the
# others cost the amount by which they break the margin (the **hinge** loss).
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
# and $\lambda$ trade against each other: the loss with $\Delta = 10$ at
# $10 W$ is exactly 10 times the loss with $\Delta = 1$ at $W$. Only the
# strength of regularization really matters, so $\Delta = 1$ is the usual
# choice and our default.

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
# **Exercise (5 points).** Write `svm_loss_naive` with explicit loops over the
# examples and the classes.

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
loss_example, _ = run_loss(svm_loss_naive, SVM_REFS, np.array([[13.0, -7.0, 11.0]]), np.ones((1, 1)),
                           np.array([0]), 0.0, delta=10.0)
W, X, y = small_problem(100, N=200, D=41, C=10, scale=1e-4)
loss_tiny, _ = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.0)
W, X, y = small_problem(3)
loss_small, _ = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.1)

check_close("loss for scores [13, -7, 11], y = 0, delta = 10", loss_example, 8.0,
            hint="max(0, -7 - 13 + 10) + max(0, 11 - 13 + 10) = 0 + 8. Getting 18 means the correct "
                 "class was counted (skip j == y[i]); getting 0, that the margin is not `delta`.")
check_close("loss with tiny random W, C = 10, reg = 0", loss_tiny, 9.0, tol=5e-3,
            hint="All scores are about 0, so each of the 9 wrong classes costs about delta = 1, "
                 "and the loss is the MEAN over the examples: about 9.")
check_close("loss on a small problem with reg = 0.1", loss_small, torch_svm_loss(W, X, y, 0.1)[0],
            hint="Expected: PyTorch's multi-margin loss (times C) + reg * np.sum(W * W).")
passed("svm_loss_naive: worked example (8), initial loss (about 9) and PyTorch agree")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(11, N=9, D=3, C=5)
l_reg0, _ = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.0)
l_reg, _ = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.7)
l_delta, _ = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.2, delta=2.5)
W1, X1, y1 = small_problem(23, N=1, D=7, C=2)
l_one, _ = run_loss(svm_loss_naive, SVM_REFS, W1, X1, y1, 0.0)
check_close("loss, reg = 0 (hidden)", l_reg0, torch_svm_loss(W, X, y, 0.0)[0])
check_close("loss(reg = 0.7) - loss(reg = 0) (hidden)", l_reg - l_reg0, 0.7 * np.sum(W * W),
            hint="The regularization term is reg * np.sum(W * W), no factor 1/2.")
check_close("loss with delta = 2.5 (hidden)", l_delta, torch_svm_loss(W, X, y, 0.2, delta=2.5)[0],
            hint="Use the argument `delta`, not a hard-coded 1.")
check_close("loss for one example and two classes (hidden)", l_one, torch_svm_loss(W1, X1, y1, 0.0)[0])
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_grad", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, check_loss_gradient, numerical_dW, run_loss, \
    small_problem
from helpers.checks.oracles import torch_svm_loss
# The gradient: numerical gradient, PyTorch autograd, and the regularization term.
W, X, y = small_problem(3)  # no margin is within 0.5 of a kink
check_loss_gradient(svm_loss_naive, SVM_REFS, torch_svm_loss, W, X, y,
                    hint="Each violated margin adds X[i] to column j and subtracts X[i] from column y[i]; "
                         "divide by N at the end.")
passed("svm_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")
### BEGIN HIDDEN TESTS
for seed, (N, D, C) in [(11, (6, 5, 4)), (23, (6, 5, 4))]:
    W, X, y = small_problem(seed, N=N, D=D, C=C)
    _, dW = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.05)
    check_close(f"dW, problem {seed} (hidden)", dW, numerical_dW(svm_loss_naive, SVM_REFS, W, X, y, 0.05))
    check_close(f"dW against autograd, problem {seed} (hidden)", dW, torch_svm_loss(W, X, y, 0.05)[1])
W, X, y = small_problem(5, N=8, D=3, C=6)
_, dW = run_loss(svm_loss_naive, SVM_REFS, W, X, y, 0.0, delta=0.5)
check_close("dW with delta = 0.5 (hidden)", dW, torch_svm_loss(W, X, y, 0.0, delta=0.5)[1],
            hint="The margin test must use `delta`.")
### END HIDDEN TESTS

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
# **Exercise (4 points).** Write `svm_loss_vectorized` without any loop.

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
loss_example, _ = run_loss(svm_loss_vectorized, SVM_REFS, np.array([[13.0, -7.0, 11.0]]), np.ones((1, 1)),
                           np.array([0]), 0.0, delta=10.0)
W, X, y = small_problem(101, N=200, D=41, C=10, scale=1e-4)
loss_tiny, _ = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.0)
W, X, y = small_problem(3)
loss_small, _ = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.1)

check_close("loss for scores [13, -7, 11], y = 0, delta = 10", loss_example, 8.0,
            hint="Getting 18 means the correct class still counts: set its margin to 0 "
                 "(margins[np.arange(N), y] = 0).")
check_close("loss with tiny random W, C = 10, reg = 0", loss_tiny, 9.0, tol=5e-3,
            hint="About delta = 1 for each of the 9 wrong classes, averaged over the examples.")
check_close("loss on a small problem with reg = 0.1", loss_small, torch_svm_loss(W, X, y, 0.1)[0],
            hint="Expected: PyTorch's multi-margin loss (times C) + reg * np.sum(W * W).")
passed("svm_loss_vectorized: worked example, initial loss and PyTorch agree")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(12, N=300, D=20, C=7)
l_big, _ = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.01)
l_delta, _ = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.0, delta=3.0)
W1, X1, y1 = small_problem(24, N=1, D=2, C=3)
l_one, _ = run_loss(svm_loss_vectorized, SVM_REFS, W1, X1, y1, 0.5)
check_close("loss, N = 300, C = 7 (hidden)", l_big, torch_svm_loss(W, X, y, 0.01)[0])
check_close("loss with delta = 3 (hidden)", l_delta, torch_svm_loss(W, X, y, 0.0, delta=3.0)[0])
check_close("loss for one example (hidden)", l_one, torch_svm_loss(W1, X1, y1, 0.5)[0])
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, check_loss_gradient, numerical_dW, run_loss, \
    small_problem
from helpers.checks.oracles import torch_svm_loss
W, X, y = small_problem(3)
check_loss_gradient(svm_loss_vectorized, SVM_REFS, torch_svm_loss, W, X, y,
                    hint="dW = X.T @ dS / N with dS (N, C): 1 where a margin is violated, minus the count "
                         "of violations at the correct class. A shape (C, D) means X and dS were swapped.")
passed("svm_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(12, N=300, D=20, C=7)
_, dW = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.01)
check_close("dW, N = 300, C = 7 (hidden)", dW, torch_svm_loss(W, X, y, 0.01)[1])
W, X, y = small_problem(23)
_, dW = run_loss(svm_loss_vectorized, SVM_REFS, W, X, y, 0.05, delta=2.0)
check_close("dW with delta = 2 against the numerical gradient (hidden)", dW,
            numerical_dW(svm_loss_vectorized, SVM_REFS, W, X, y, 0.05, delta=2.0))
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
# **Exercise (5 points).** Write `softmax_loss_naive` with loops, stable for
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
import torch.nn.functional as F
from helpers.checks import check_close, check_equal, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
# The worked example: with X = [[1]] the scores are [1, -2, 0], and for label k
# the loss is -log p_k, so exp(-loss) recovers the softmax probabilities.
losses = [run_loss(softmax_loss_naive, SOFTMAX_REFS, np.array([[1.0, -2.0, 0.0]]), np.ones((1, 1)),
                   np.array([k]), 0.0)[0] for k in range(3)]
W, X, y = small_problem(102, N=200, D=41, C=10, scale=1e-4)
loss_tiny, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.0)
W, X, y = small_problem(2)
loss_small, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.1)

probs = np.exp(-np.array(losses))
check_close("exp(-loss) for scores [1, -2, 0] and y = 0, 1, 2", probs,
            torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), dim=0),
            hint="L_i = -log p_{y_i}, with p = exp(s) / sum(exp(s)).")
check_equal("the probabilities rounded to 3 decimals", np.round(probs, 3), [0.705, 0.035, 0.259])
check_close("loss with tiny random W, C = 10, reg = 0", loss_tiny, np.log(10), tol=1e-3,
            hint="All ten probabilities are about 0.1, so the loss should be about -log(0.1) = 2.302.")
check_close("loss on a small problem with reg = 0.1", loss_small, torch_softmax_loss(W, X, y, 0.1)[0],
            hint="Expected: PyTorch's F.cross_entropy (mean over the examples) + reg * np.sum(W * W).")
passed("softmax_loss_naive: worked example [0.705, 0.035, 0.259], initial loss ln 10 and PyTorch agree")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(13, N=9, D=3, C=5)
l_reg0, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.0)
l_reg, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.7)
W1, X1, y1 = small_problem(25, N=1, D=7, C=2)
l_one, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, W1, X1, y1, 0.0)
check_close("loss, reg = 0 (hidden)", l_reg0, torch_softmax_loss(W, X, y, 0.0)[0])
check_close("loss(reg = 0.7) - loss(reg = 0) (hidden)", l_reg - l_reg0, 0.7 * np.sum(W * W),
            hint="The regularization term is reg * np.sum(W * W), no factor 1/2.")
check_close("loss for one example and two classes (hidden)", l_one, torch_softmax_loss(W1, X1, y1, 0.0)[0])
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss
from helpers.checks.oracles import torch_softmax_loss
W_big, X_one, y_zero = np.array([[1000.0, 1001.0]]), np.ones((1, 1)), np.array([0])
with np.errstate(all="ignore"):
    loss_big, dW_big = run_loss(softmax_loss_naive, SOFTMAX_REFS, W_big, X_one, y_zero, 0.0)
expected_loss, _ = torch_softmax_loss(W_big, X_one, y_zero, 0.0)
hint = "np.exp(1000) overflows. Subtract the largest score of each example before np.exp."
check_close("loss for scores [1000, 1001], y = 0", loss_big, expected_loss, hint=hint)
check_true(np.all(np.isfinite(np.asarray(dW_big, dtype=float))),
           "dW for scores [1000, 1001] contains inf or nan.", hint=hint)
passed("softmax_loss_naive is stable for scores [1000, 1001]")
### BEGIN HIDDEN TESTS
# Large positive and large negative scores in one batch.
W_big, X_pm, y_pm = np.array([[1000.0, 1001.0, 990.0]]), np.array([[1.0], [-1.0]]), np.array([0, 1])
with np.errstate(all="ignore"):
    loss_pm, dW_pm = run_loss(softmax_loss_naive, SOFTMAX_REFS, W_big, X_pm, y_pm, 0.0)
expected_loss, _ = torch_softmax_loss(W_big, X_pm, y_pm, 0.0)
check_close("loss for scores of +-1000 (hidden)", loss_pm, expected_loss, hint=hint)
check_true(np.all(np.isfinite(np.asarray(dW_pm, dtype=float))),
           "dW for scores of +-1000 contains inf or nan (hidden).", hint=hint)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import SOFTMAX_REFS, check_loss_gradient, numerical_dW, run_loss, \
    small_problem
from helpers.checks.oracles import torch_softmax_loss
W, X, y = small_problem(2)
check_loss_gradient(softmax_loss_naive, SOFTMAX_REFS, torch_softmax_loss, W, X, y,
                    hint="Column j gets (p_j - [j == y_i]) * X[i] for every example; divide by N.")
passed("softmax_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")
### BEGIN HIDDEN TESTS
for seed, (N, D, C) in [(13, (6, 5, 4)), (26, (4, 3, 7))]:
    W, X, y = small_problem(seed, N=N, D=D, C=C)
    _, dW = run_loss(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.05)
    check_close(f"dW, problem {seed} (hidden)", dW, numerical_dW(softmax_loss_naive, SOFTMAX_REFS, W, X, y, 0.05))
    check_close(f"dW against autograd, problem {seed} (hidden)", dW, torch_softmax_loss(W, X, y, 0.05)[1])
### END HIDDEN TESTS

# %% [markdown]
# **Exercise (4 points).** Write `softmax_loss_vectorized` without loops. The
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
import torch.nn.functional as F
from helpers.checks import check_close, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss, small_problem
from helpers.checks.oracles import torch_softmax_loss
losses = [run_loss(softmax_loss_vectorized, SOFTMAX_REFS, np.array([[1.0, -2.0, 0.0]]), np.ones((1, 1)),
                   np.array([k]), 0.0)[0] for k in range(3)]
W, X, y = small_problem(103, N=200, D=41, C=10, scale=1e-4)
loss_tiny, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.0)
W, X, y = small_problem(2)
loss_small, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.1)

probs = np.exp(-np.array(losses))
check_close("exp(-loss) for scores [1, -2, 0] and y = 0, 1, 2", probs,
            torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), dim=0),
            hint="L_i = -log p_{y_i}; the loss is the mean over the examples.")
check_close("loss with tiny random W, C = 10, reg = 0", loss_tiny, np.log(10), tol=1e-3,
            hint="About -log(0.1) = 2.302: is the loss averaged over the examples?")
check_close("loss on a small problem with reg = 0.1", loss_small, torch_softmax_loss(W, X, y, 0.1)[0],
            hint="Expected: PyTorch's F.cross_entropy (mean over the examples) + reg * np.sum(W * W).")
passed("softmax_loss_vectorized: worked example, initial loss ln 10 and PyTorch agree")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(14, N=300, D=20, C=7)
l_big, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.01)
l_reg0, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.0)
check_close("loss, N = 300, C = 7 (hidden)", l_big, torch_softmax_loss(W, X, y, 0.01)[0])
check_close("loss(reg = 0.01) - loss(reg = 0) (hidden)", l_big - l_reg0, 0.01 * np.sum(W * W))
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed
from helpers.checks.losses import SOFTMAX_REFS, run_loss
from helpers.checks.oracles import torch_softmax_loss
W_big, X_one, y_zero = np.array([[1000.0, 1001.0]]), np.ones((1, 1)), np.array([0])
with np.errstate(all="ignore"):
    loss_big, dW_big = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W_big, X_one, y_zero, 0.0)
expected_loss, _ = torch_softmax_loss(W_big, X_one, y_zero, 0.0)
hint = "np.exp(1000) overflows. Subtract each row's maximum: scores - scores.max(axis=1, keepdims=True)."
check_close("loss for scores [1000, 1001], y = 0", loss_big, expected_loss, hint=hint)
check_true(np.all(np.isfinite(np.asarray(dW_big, dtype=float))),
           "dW for scores [1000, 1001] contains inf or nan.", hint=hint)
passed("softmax_loss_vectorized is stable for scores [1000, 1001]")
### BEGIN HIDDEN TESTS
W_big, X_pm, y_pm = np.array([[1000.0, 1001.0, 990.0]]), np.array([[1.0], [-1.0]]), np.array([0, 1])
with np.errstate(all="ignore"):
    loss_pm, dW_pm = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W_big, X_pm, y_pm, 0.0)
expected_loss, _ = torch_softmax_loss(W_big, X_pm, y_pm, 0.0)
check_close("loss for scores of +-1000 (hidden)", loss_pm, expected_loss,
            hint=hint + " Shift each row by its own maximum, not by one number for the whole batch.")
check_true(np.all(np.isfinite(np.asarray(dW_pm, dtype=float))),
           "dW for scores of +-1000 contains inf or nan (hidden).", hint=hint)
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import SOFTMAX_REFS, check_loss_gradient, numerical_dW, run_loss, \
    small_problem
from helpers.checks.oracles import torch_softmax_loss
W, X, y = small_problem(2)
check_loss_gradient(softmax_loss_vectorized, SOFTMAX_REFS, torch_softmax_loss, W, X, y,
                    hint="dS = P with 1 subtracted at each row's correct class; dW = X.T @ dS / N. "
                         "A shape (C, D) means X and dS were swapped.")
passed("softmax_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")
### BEGIN HIDDEN TESTS
W, X, y = small_problem(14, N=300, D=20, C=7)
_, dW = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.01)
check_close("dW, N = 300, C = 7 (hidden)", dW, torch_softmax_loss(W, X, y, 0.01)[1])
W, X, y = small_problem(26, N=4, D=3, C=7)
_, dW = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.05)
check_close("dW against the numerical gradient, C = 7 (hidden)", dW,
            numerical_dW(softmax_loss_vectorized, SOFTMAX_REFS, W, X, y, 0.05))
### END HIDDEN TESTS

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
# is content with all three: every wrong class trails by more than 1. Softmax
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

# %% [markdown]
# ### Try it: move the weights of one class
#
# Nine points of three classes in the plane, and a linear classifier with
# scores $[x_1, x_2, 1]\, W$. Each line is where one class's score is 0; the
# arrow points toward larger scores. Choose a class and move its weights
# $w_1, w_2$ (which rotate its line) and $b$ (which shifts it): the bars show
# the scores of the chosen point, with its hinge and softmax loss. Can you get
# the mean hinge loss to 0? Why does the softmax loss keep falling as you make
# the weights larger?

# %% tags=["demo"]
W_toy, X_toy, y_toy = linear_widgets.toy_problem()
linear_widgets.draw(W_toy, X_toy, y_toy, cls=0, point=0);

# %% tags=["demo"]
linear_widgets.weight_row_demo()

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
# **Exercise (6 points).** Write `train` and `predict`.

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
from helpers.checks.oracles import torch_svm_loss
from helpers import linear as _linear
CLASSIFIER_REFS = (_linear.LinearClassifier, _linear.LinearClassifier.train, _linear.LinearClassifier.predict)


class RecordingSoftmax(LinearClassifier):
    """Your train with the course's softmax loss, recording every mini-batch,
    so that this test checks train alone."""

    def loss(self, X_batch, y_batch, reg):
        self.batches.append((np.array(X_batch, copy=True), np.array(y_batch, copy=True), reg))
        return _linear.softmax_loss_vectorized(self.W, X_batch, y_batch, reg)


# 1. All 30 examples are the same, so every mini-batch has the same gradient,
#    whatever the sampling: three steps must match torch.optim.SGD exactly.
rng = np.random.default_rng(20)
X_same, y_same = np.tile(rng.standard_normal(5), (30, 1)), np.full(30, 2)
W_start = 0.1 * rng.standard_normal((5, 3))
with without_reference(*CLASSIFIER_REFS):
    clf = RecordingSoftmax()
    clf.batches, clf.W = [], W_start.copy()
    history = clf.train(X_same, y_same, learning_rate=0.5, reg=0.01, num_iters=3, batch_size=6, seed=0)
W_t = torch.tensor(W_start, requires_grad=True)
opt = torch.optim.SGD([W_t], lr=0.5)
torch_history = []
for _ in range(3):
    opt.zero_grad()
    loss_t = F.cross_entropy(torch.tensor(X_same[:6]) @ W_t, torch.tensor(y_same[:6])) + 0.01 * (W_t ** 2).sum()
    loss_t.backward()
    opt.step()
    torch_history.append(loss_t.item())
check_true(isinstance(history, (list, tuple, np.ndarray)),
           f"train should return the list of losses, got {type(history).__name__}.",
           hint="Append float(loss) to loss_history in every iteration.")
check_close("loss_history of 3 iterations", np.asarray(history, dtype=float), torch_history,
            hint="Record the loss of each mini-batch, one value per iteration.")
check_close("W after 3 SGD steps (lr = 0.5)", clf.W, W_t.detach().numpy(),
            hint="The update is self.W -= learning_rate * dW: a step DOWNhill, using the "
                 "gradient returned by self.loss.")

# 2. The mini-batches: batch_size real rows of X, with their own labels, and reg passed on.
X_rows = np.column_stack([np.arange(50.0), np.ones(50)])
y_rows = np.arange(50) % 4
with without_reference(*CLASSIFIER_REFS):
    clf = RecordingSoftmax()
    clf.batches = []
    clf.train(X_rows, y_rows, learning_rate=1e-4, reg=0.02, num_iters=4, batch_size=10, seed=1)
check_shape("self.W created by train", clf.W, (2, 4), hint="W has shape (D, max(y) + 1).")
check_true(len(clf.batches) == 4, f"train called self.loss {len(clf.batches)} times for num_iters = 4.",
           hint="One mini-batch, one call of self.loss, one update per iteration.")
for X_batch, y_batch, reg_used in clf.batches:
    check_shape("a mini-batch X_batch", X_batch, (10, 2), hint="Take batch_size rows of X.")
    rows = X_batch[:, 0].astype(int)
    check_true(np.array_equal(X_batch, X_rows[rows]), "X_batch holds rows that are not rows of X.")
    check_equal("the labels y_batch of the rows in X_batch", y_batch, y_rows[rows],
                hint="Take X and y with the SAME indices: idx = rng.integers(0, N, batch_size); "
                     "X[idx], y[idx].")
    check_true(reg_used == 0.02, f"train passed reg = {reg_used} to self.loss instead of 0.02.")

# 3. The same seed gives the same run, and training lowers the loss.
blob_rng = np.random.default_rng(22)
y_blobs = blob_rng.integers(0, 3, size=300)
X_blobs = np.hstack([3 * blob_rng.standard_normal((3, 4))[y_blobs] + blob_rng.standard_normal((300, 4)),
                     np.ones((300, 1))])
with without_reference(*CLASSIFIER_REFS):
    runs = []
    for _ in range(2):
        clf = RecordingSoftmax()
        clf.batches = []
        runs.append(clf.train(X_blobs, y_blobs, learning_rate=0.1, reg=1e-4, num_iters=100,
                              batch_size=32, seed=5))
check_true(np.array_equal(runs[0], runs[1]), "Two runs with seed = 5 gave different loss histories.",
           hint="Draw every random number from rng = np.random.default_rng(seed), not from np.random.")
check_true(np.mean(runs[0][-10:]) < 0.5 * runs[0][0],
           f"Training did not lower the loss: first {runs[0][0]:.3f}, mean of the last ten "
           f"{np.mean(runs[0][-10:]):.3f}.", hint="Step against the gradient: W -= learning_rate * dW.")
passed("train: SGD steps equal torch.optim.SGD, batches are rows with their labels, runs are reproducible")
### BEGIN HIDDEN TESTS
# Several steps on identical examples with the SVM loss, continuing from a given W.
class RecordingSVM(LinearClassifier):
    def loss(self, X_batch, y_batch, reg):
        return _linear.svm_loss_vectorized(self.W, X_batch, y_batch, reg)


rng = np.random.default_rng(30)
X_same, y_same = np.tile(rng.standard_normal(4), (12, 1)), np.full(12, 1)
W_start = rng.standard_normal((4, 5))
with without_reference(*CLASSIFIER_REFS):
    clf = RecordingSVM()
    clf.W = W_start.copy()
    history = clf.train(X_same, y_same, learning_rate=0.05, reg=0.1, num_iters=5, batch_size=4, seed=3)
W_np = W_start.copy()
expected = []
for _ in range(5):
    l_ref, g_ref = torch_svm_loss(W_np, X_same[:4], y_same[:4], 0.1)
    expected.append(l_ref)
    W_np = W_np - 0.05 * g_ref
check_close("loss_history, SVM loss, 5 steps (hidden)", np.asarray(history, dtype=float), expected)
check_close("W after 5 SVM steps (hidden)", clf.W, W_np)
with without_reference(*CLASSIFIER_REFS):
    clf = RecordingSoftmax()
    clf.batches = []
    h0 = clf.train(X_blobs, y_blobs, num_iters=0, seed=0)
check_shape("W created with num_iters = 0 (hidden)", clf.W, (5, 3))
check_true(len(h0) == 0, "num_iters = 0 should give an empty history (hidden).")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_predict", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
import torch
from helpers.checks import check_close, check_equal, check_shape, check_true, passed, \
    without_reference
from helpers import linear as _linear
rng = np.random.default_rng(21)
W_known, X_known = rng.standard_normal((6, 5)), rng.standard_normal((40, 6))
with without_reference(_linear.LinearClassifier, _linear.LinearClassifier.train,
                       _linear.LinearClassifier.predict):
    clf = LinearClassifier()
    clf.W = W_known.copy()
    pred = clf.predict(X_known)
expected = torch.argmax(torch.tensor(X_known) @ torch.tensor(W_known), dim=1).numpy()
check_shape("predict(X) for 40 examples", pred, (40,),
            hint="One label per row: the argmax of the scores over the classes (axis=1).")
pred = np.asarray(pred)
check_true(np.issubdtype(pred.dtype, np.integer), f"predict should return integer labels, got {pred.dtype}.")
check_equal("predict(X)", pred, expected, hint="A row's label is the column of its largest score in X @ W.")
passed("predict agrees with torch.argmax of the scores")
### BEGIN HIDDEN TESTS
rng = np.random.default_rng(31)
W_known, X_known = rng.standard_normal((3, 2)), rng.standard_normal((1, 3))
with without_reference(_linear.LinearClassifier, _linear.LinearClassifier.train,
                       _linear.LinearClassifier.predict):
    clf = LinearClassifier()
    clf.W = W_known.copy()
    pred = clf.predict(X_known)
expected = torch.argmax(torch.tensor(X_known) @ torch.tensor(W_known), dim=1).numpy()
check_equal("predict for one example and two classes (hidden)", pred, expected)
check_close("W after predict (hidden)", clf.W, W_known, hint="predict must not change W.")
### END HIDDEN TESTS

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
# **Exercise (3 points).** Write `random_search`.

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


# %% nbgrader={"grade": true, "grade_id": "test_random_search", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import check_close, check_true, passed, without_reference
from helpers import linear as _linear
class FakeModel:
    """Stands in for a classifier: its train and validation accuracies are known
    functions of (lr, reg), and best on validation at lr = 1e-2, reg = 1e-4."""
    trained = []

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              seed=None, verbose=False):
        self.lr, self.reg = float(learning_rate), float(reg)
        FakeModel.trained.append((self.lr, self.reg, len(X)))
        return []

    def predict(self, X):
        # Column 0 is 1 in the training set and 0 in the validation set (all labels are 0).
        if X[0, 0] == 1:
            q = np.exp(-((np.log10(self.lr) + 1) ** 2 + (np.log10(self.reg) + 6) ** 2) / 8)
        else:
            q = np.exp(-((np.log10(self.lr) + 2) ** 2 + (np.log10(self.reg) + 4) ** 2) / 8)
        return (np.arange(len(X)) >= round(q * len(X))).astype(int)


def fake_accuracies(lr, reg):
    """What FakeModel's predictions score on the fake training and validation sets."""
    model = FakeModel()
    model.lr, model.reg = lr, reg
    return (np.mean(model.predict(X_fake_train) == 0), np.mean(model.predict(X_fake_val) == 0))


X_fake_train = np.column_stack([np.ones(500), np.arange(500)])
X_fake_val = np.column_stack([np.zeros(400), np.arange(400)])
y_fake_train, y_fake_val = np.zeros(500, dtype=int), np.zeros(400, dtype=int)
FakeModel.trained = []
with without_reference(_linear.random_search):
    results, best_params, best_model = random_search(
        FakeModel, X_fake_train, y_fake_train, X_fake_val, y_fake_val,
        lr_range=(1e-6, 1.0), reg_range=(1e-7, 1e-1), num_trials=200, num_iters=10, seed=0)

check_true(isinstance(results, dict) and len(results) == 200,
           f"results should be a dict with one entry per trial (200), got "
           f"{len(results) if isinstance(results, dict) else type(results).__name__}.")
lrs = np.array([k[0] for k in results])
regs = np.array([k[1] for k in results])
check_true(lrs.min() >= 1e-6 and lrs.max() <= 1.0 and regs.min() >= 1e-7 and regs.max() <= 1e-1,
           "Some sampled values lie outside lr_range = (1e-6, 1) or reg_range = (1e-7, 1e-1).")
check_true(0.35 < np.mean(lrs < 1e-3) < 0.65 and 0.35 < np.mean(regs < 1e-4) < 0.65,
           f"The samples are not log-uniform: {np.mean(lrs < 1e-3):.0%} of the learning rates lie "
           f"below 1e-3 (the middle of the range on a log scale), expected about half.",
           hint="Draw the exponent uniformly: 10 ** rng.uniform(np.log10(low), np.log10(high)).")
check_true(len(FakeModel.trained) == 200 and all(n == 500 for _, _, n in FakeModel.trained),
           "Each trial should train one new model, on the training set (500 examples here).")
got = np.array([results[k] for k in results], dtype=float)
want = np.array([fake_accuracies(*k) for k in results])
check_close("the (train_accuracy, val_accuracy) stored for each (lr, reg)", got, want,
            hint="Accuracy is np.mean(model.predict(X) == y), on the training and on the validation "
                 "set, stored in that order.")
check_true(best_params in results and results[best_params][1] == got[:, 1].max(),
           f"best_params {best_params} does not have the highest validation accuracy.",
           hint="Choose by validation accuracy, never by training accuracy.")
check_true(isinstance(best_model, FakeModel) and (best_model.lr, best_model.reg) == tuple(map(float, best_params)),
           "best_model should be the model trained with best_params.")
passed("random_search samples on a log scale and picks the best validation accuracy")
### BEGIN HIDDEN TESTS
FakeModel.trained = []
with without_reference(_linear.random_search):
    again = random_search(FakeModel, X_fake_train, y_fake_train, X_fake_val, y_fake_val,
                          lr_range=(1e-6, 1.0), reg_range=(1e-7, 1e-1), num_trials=200, num_iters=10, seed=0)
    other = random_search(FakeModel, X_fake_train, y_fake_train, X_fake_val, y_fake_val,
                          lr_range=(1e-4, 1e-2), reg_range=(1e-3, 1e-1), num_trials=50, seed=1)
check_true(list(again[0]) == list(results), "The same seed should give the same trials (hidden).",
           hint="Use rng = np.random.default_rng(seed) for the draws.")
lrs = np.array([k[0] for k in other[0]])
regs = np.array([k[1] for k in other[0]])
check_true(len(other[0]) == 50 and lrs.min() >= 1e-4 and lrs.max() <= 1e-2 and regs.min() >= 1e-3
           and regs.max() <= 1e-1, "Samples outside the given ranges (hidden).")
check_true(0.25 < np.mean(lrs < 1e-3) < 0.75, "Not log-uniform on another range (hidden).")
### END HIDDEN TESTS

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
# single template per class cannot follow that; the MLP and the CNN of later
# notebooks can.
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
