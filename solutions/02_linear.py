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
# Each exercise is followed by test cells you can run. A test cell that only
# prints "More cases of this exercise are checked when your notebook is
# graded" runs its checks when your notebook is graded. Written questions are
# graded by hand.

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
fig, axes = plt.subplots(2, 5, figsize=(11, 3.8), sharex=True, sharey=True)
for digit, ax in enumerate(axes.flat):
    for signal in X_train[y_train == digit][:3]:
        ax.plot(signal, lw=1)
    ax.set_title(f"class {digit}", fontsize=10)
fig.supxlabel("feature d (position along the signal)")
fig.supylabel("standardized value")
fig.suptitle("Three training signals of each class: each is a row x_i of 40 numbers")
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
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, run_loss, svm_loss_cases
for _case in svm_loss_cases("naive"):  # scores [13, -7, 11] (y = 0, delta = 10); tiny W; a small problem
    _loss, _ = run_loss(svm_loss_naive, SVM_REFS, *_case.inputs, **_case.options)
    check_close(_case.name, _loss, _case.expected, tol=_case.tol, hint=_case.hint)  # 8, about 9, PyTorch's
passed("svm_loss_naive: worked example (8), initial loss (about 9) and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_grad", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import HINT_SVM_NAIVE_GRAD, SVM_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(3)  # 6 examples, 5 features, 4 classes; no margin is within 0.5 of a kink
# dW against the numerical gradient, against PyTorch autograd, and the regularization gradient 2 * reg * W
check_loss_gradient(svm_loss_naive, SVM_REFS, torch_svm_loss, _W, _X, _y, hint=HINT_SVM_NAIVE_GRAD)
passed("svm_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import hidden_note
hidden_note()  # graded: more problems (other reg and delta, one example of two classes), loss and dW
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
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.plot(ws / h, [hinge_along(w) / h for w in ws], label="L(w)")  # both axes in units of h
for w0, color in [(0.0, "tab:red"), (4e-6, "tab:green")]:
    _, grad = linear.svm_loss_vectorized(np.array([[0.0, w0 - 1.0]]), np.ones((1, 1)), np.array([0]), 0.0)
    numeric = (hinge_along(w0 + h) - hinge_along(w0 - h)) / (2 * h)
    ax.plot([w0 / h - 1, w0 / h + 1], [hinge_along(w0 - h) / h, hinge_along(w0 + h) / h], "o--", color=color,
            label=f"w = {w0:g}: analytic {grad[0, 1]:g}, numerical {numeric:.2f}")
ax.set_xlabel("w, the weight of class 1 (in units of h = 1e-5)")
ax.set_ylabel("loss (in units of h)")
ax.set_title("Probes that straddle the kink at w = 0 see a slope between 0 and 1")
ax.legend(fontsize=9, loc="upper left")
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
from helpers.checks import check_close, passed
from helpers.checks.losses import SVM_REFS, run_loss, svm_loss_cases
for _case in svm_loss_cases("vectorized"):  # scores [13, -7, 11] (y = 0, delta = 10); tiny W; a small problem
    _loss, _ = run_loss(svm_loss_vectorized, SVM_REFS, *_case.inputs, **_case.options)
    check_close(_case.name, _loss, _case.expected, tol=_case.tol, hint=_case.hint)  # 8, about 9, PyTorch's
passed("svm_loss_vectorized: worked example, initial loss and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import HINT_SVM_VECTORIZED_GRAD, SVM_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(3)  # 6 examples, 5 features, 4 classes; no margin is within 0.5 of a kink
# dW against the numerical gradient, against PyTorch autograd, and the regularization gradient 2 * reg * W
check_loss_gradient(svm_loss_vectorized, SVM_REFS, torch_svm_loss, _W, _X, _y, hint=HINT_SVM_VECTORIZED_GRAD)
passed("svm_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import HINT_SIZES, HINT_SVM_NO_LOOPS, SVM_REFS, run_without_loops, small_problem
from helpers.checks.oracles import torch_svm_loss
_W, _X, _y = small_problem(104, N=500, D=300, C=200, scale=1e-3)  # a loop over any of them runs 100s of lines
_loss, _ = run_without_loops("svm_loss_vectorized", svm_loss_vectorized, SVM_REFS, _W, _X, _y, 1e-3,
                             HINT_SVM_NO_LOOPS)
check_close("loss for 500 examples and 200 classes", _loss, torch_svm_loss(_W, _X, _y, 1e-3)[0], hint=HINT_SIZES)
passed("svm_loss_vectorized runs no Python loop (500 examples, 300 features, 200 classes)")


# %% nbgrader={"grade": true, "grade_id": "test_svm_loss_vectorized_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import hidden_note
hidden_note()  # graded: more problems (N = 300, C = 7, other delta, one example), loss and dW
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

fig, axes = plt.subplots(1, 2, figsize=(7.5, 3), sharey=True)
for ax, s in zip(axes, ([1.0, -2.0, 0.0], [0.5, -1.0, 0.0])):
    p = np.exp(s) / np.exp(s).sum()
    bars = ax.bar(range(3), p, color=["tab:red", "tab:green", "tab:blue"])
    ax.bar_label(bars, fmt="%.3f")
    ax.set(title=f"softmax of the scores {s}", xlabel="class", xticks=range(3), ylim=(0, 0.85))
axes[0].set_ylabel("probability")
fig.suptitle("Halving the scores spreads the probabilities out")
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
from helpers.checks import check_close, passed
from helpers.checks.losses import SOFTMAX_REFS, check_worked_softmax, run_loss, softmax_example, softmax_loss_cases
_losses = [run_loss(softmax_loss_naive, SOFTMAX_REFS, *softmax_example(_k))[0] for _k in (0, 1, 2)]
check_worked_softmax(_losses, hint="L_i = -log p_{y_i}, with p = exp(s) / sum(exp(s)).")  # scores [1, -2, 0]
for _case in softmax_loss_cases("naive"):  # tiny random W (about ln 10), a small problem (PyTorch's loss)
    _loss, _ = run_loss(softmax_loss_naive, SOFTMAX_REFS, *_case.inputs)
    check_close(_case.name, _loss, _case.expected, tol=_case.tol, hint=_case.hint)
passed("softmax_loss_naive: worked example [0.705, 0.035, 0.259], initial loss ln 10 and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import HINT_SHIFT, SOFTMAX_REFS, check_finite, large_scores, run_loss_silently
from helpers.checks.oracles import torch_softmax_loss
for _what, _W, _X, _y in large_scores():  # scores [1000, 1001]; a batch with scores near +1000 and near -1000
    _loss, _dW = run_loss_silently(softmax_loss_naive, SOFTMAX_REFS, _W, _X, _y, 0.0)  # no overflow warnings
    check_close(f"loss for {_what}", _loss, torch_softmax_loss(_W, _X, _y, 0.0)[0], hint=HINT_SHIFT)
    check_finite(f"dW for {_what}", _dW, hint=HINT_SHIFT)
passed("softmax_loss_naive is stable for scores of +-1000")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import HINT_SOFTMAX_NAIVE_GRAD, SOFTMAX_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(2)  # 6 examples, 5 features, 4 classes
# dW against the numerical gradient, against PyTorch autograd, and the regularization gradient 2 * reg * W
check_loss_gradient(softmax_loss_naive, SOFTMAX_REFS, torch_softmax_loss, _W, _X, _y, hint=HINT_SOFTMAX_NAIVE_GRAD)
passed("softmax_loss_naive: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_naive_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import hidden_note
hidden_note()  # graded: more problems (other reg, one example of two classes, C = 7), loss and dW
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
from helpers.checks import check_close, passed
from helpers.checks.losses import SOFTMAX_REFS, check_worked_softmax, run_loss, softmax_example, softmax_loss_cases
_losses = [run_loss(softmax_loss_vectorized, SOFTMAX_REFS, *softmax_example(_k))[0] for _k in (0, 1, 2)]
check_worked_softmax(_losses, hint="L_i = -log p_{y_i}; the loss is the mean over the examples.")  # scores [1, -2, 0]
for _case in softmax_loss_cases("vectorized"):  # tiny random W (about ln 10), a small problem (PyTorch's loss)
    _loss, _ = run_loss(softmax_loss_vectorized, SOFTMAX_REFS, *_case.inputs)
    check_close(_case.name, _loss, _case.expected, tol=_case.tol, hint=_case.hint)
passed("softmax_loss_vectorized: worked example [0.705, 0.035, 0.259], initial loss ln 10 and PyTorch agree")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_stable", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import HINT_SHIFT_ROWS, SOFTMAX_REFS, check_finite, large_scores, run_loss_silently
from helpers.checks.oracles import torch_softmax_loss
for _what, _W, _X, _y in large_scores():  # scores [1000, 1001]; a batch with scores near +1000 and near -1000
    _loss, _dW = run_loss_silently(softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 0.0)  # no overflow warnings
    check_close(f"loss for {_what}", _loss, torch_softmax_loss(_W, _X, _y, 0.0)[0], hint=HINT_SHIFT_ROWS)
    check_finite(f"dW for {_what}", _dW, hint=HINT_SHIFT_ROWS)
passed("softmax_loss_vectorized is stable for scores of +-1000")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import HINT_SOFTMAX_VECTORIZED_GRAD, SOFTMAX_REFS, check_loss_gradient, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(2)  # 6 examples, 5 features, 4 classes
# dW against the numerical gradient, against PyTorch autograd, and the regularization gradient 2 * reg * W
check_loss_gradient(softmax_loss_vectorized, SOFTMAX_REFS, torch_softmax_loss, _W, _X, _y,
                    hint=HINT_SOFTMAX_VECTORIZED_GRAD)
passed("softmax_loss_vectorized: dW agrees with the numerical gradient and with PyTorch autograd")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_no_loops", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.losses import HINT_SIZES, HINT_SOFTMAX_NO_LOOPS, SOFTMAX_REFS, run_without_loops, small_problem
from helpers.checks.oracles import torch_softmax_loss
_W, _X, _y = small_problem(105, N=500, D=300, C=200, scale=1e-3)  # a loop over any of them runs 100s of lines
_loss, _ = run_without_loops("softmax_loss_vectorized", softmax_loss_vectorized, SOFTMAX_REFS, _W, _X, _y, 1e-3,
                             HINT_SOFTMAX_NO_LOOPS)
check_close("loss for 500 examples and 200 classes", _loss, torch_softmax_loss(_W, _X, _y, 1e-3)[0], hint=HINT_SIZES)
passed("softmax_loss_vectorized runs no Python loop (500 examples, 300 features, 200 classes)")


# %% nbgrader={"grade": true, "grade_id": "test_softmax_loss_vectorized_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import hidden_note
hidden_note()  # graded: more problems (N = 300, C = 7, other reg), loss and dW
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

fig, ax = plt.subplots(figsize=(7, 3.4))
pos = np.arange(3)
svm_bars = ax.bar(pos - 0.2, svm_values, 0.4, label="SVM (delta = 1)")
softmax_bars = ax.bar(pos + 0.2, softmax_values, 0.4, label="softmax")
ax.bar_label(svm_bars, labels=[f"{v:.2g}" for v in svm_values])  # the SVM's zeros are bars of height 0
ax.bar_label(softmax_bars, labels=[f"{v:.2g}" for v in softmax_values])
ax.set_xticks(pos, [str(s) for s in examples])
ax.set(xlabel="scores of classes 0, 1, 2 (the correct class is 0)", ylabel="loss", ylim=(0, 0.7))
ax.set_title("The SVM loss is 0 for all three; softmax still wants [10, 9, 9] better", fontsize=10)
ax.legend(loc="upper left")
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
from helpers.checks import passed
from helpers.checks.losses import check_batches, check_learning, check_sgd_steps, train_cases, train_runs
_same, _numbered, _blobs = train_cases()  # 30 copies of one example; 50 numbered rows; 300 points in 3 blobs
_runs = train_runs(LinearClassifier, _same, _numbered, _blobs, _blobs)  # with the course's softmax loss
check_sgd_steps(_runs[0], **_same)  # identical examples: 3 steps equal torch.optim.SGD's
check_batches(_runs[1], **_numbered)  # batch_size rows of X with their own labels, reg passed to self.loss
check_learning(_runs[2], _runs[3], seed=5)  # the same seed gives the same run, and the loss falls
passed("train: SGD steps equal torch.optim.SGD, batches are rows with their labels, runs are reproducible")


# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_train_more", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import hidden_note
hidden_note()  # graded: more runs (the SVM loss continuing from a given W, num_iters = 0)
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_close, check_shape, check_true, without_reference
from helpers.checks.losses import CLASSIFIER_REFS, train_with_course_loss
from helpers.checks.oracles import torch_svm_loss

# Several steps on identical examples with the SVM loss, continuing from a given W.
_rng = np.random.default_rng(30)
_X_same, _y_same = np.tile(_rng.standard_normal(4), (12, 1)), np.full(12, 1)
_W_start = _rng.standard_normal((4, 5))
with without_reference(*CLASSIFIER_REFS):
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
with without_reference(*CLASSIFIER_REFS):
    _run = train_with_course_loss(LinearClassifier, "svm", _X_blobs, _y_blobs, num_iters=0, seed=0)
_h0 = _run["history"]
check_shape("W created with num_iters = 0 (hidden)", _run["W"], (5, 3))
check_true(len(_h0) == 0, "num_iters = 0 should give an empty history (hidden).")
### END HIDDEN TESTS


# %% nbgrader={"grade": true, "grade_id": "test_LinearClassifier_predict", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed, without_reference
from helpers.checks.losses import CLASSIFIER_REFS, check_predictions, classifier_with, predict_cases
for _W, _X in predict_cases():  # 40 examples of 6 features and 5 classes; one example of 3 features, 2 classes
    with without_reference(*CLASSIFIER_REFS):
        _clf = classifier_with(LinearClassifier, _W)  # LinearClassifier() with self.W = a copy of W
        _pred = _clf.predict(_X)
    check_predictions(_pred, _clf.W, _W, _X)  # integer labels equal to torch.argmax of X @ W; W unchanged
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
histories = {}
for model, lr in [(LinearSVM(), 0.03), (Softmax(), 0.3)]:
    start = time.perf_counter()
    history = model.train(X_train_b, y_train, learning_rate=lr, reg=1e-4, num_iters=1000,
                          batch_size=200, seed=0)
    name = type(model).__name__
    print(f"{name:<9}: first loss {history[0]:.3f}, train accuracy "
          f"{np.mean(model.predict(X_train_b) == y_train):.3f}, validation accuracy "
          f"{np.mean(model.predict(X_val_b) == y_val):.3f}  ({time.perf_counter() - start:.2f} s)")
    histories[name] = history

fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
for ax, (name, history) in zip(axes, histories.items()):
    plots.plot_loss(history, ax=ax, window=50, label="moving average of 50")
    ax.set_title(f"{name}: the mini-batch loss falls from {history[0]:.2f}")
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
from helpers.checks import passed
from helpers.checks.losses import OTHER_SEARCH, check_sampling, fake_results
# random_search with stand-in models (they train in no time): 200 trials, lr in (1e-6, 1), reg in (1e-7, 1e-1)
_first, _again = fake_results(random_search), fake_results(random_search)  # seed 0, twice
_other = fake_results(random_search, **OTHER_SEARCH)  # 50 trials in other ranges, seed 1
check_sampling(_first, _again, _other)  # in their ranges, log-uniform, at random (not a grid), reproducible
passed("random_search draws (lr, reg) log-uniformly at random, reproducibly, within the given ranges")


# %% nbgrader={"grade": true, "grade_id": "test_random_search", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.losses import check_search, fake_search
# random_search with stand-in models whose accuracies are known functions of (lr, reg): 200 trials
(_results, _best_params, _best_model), _trained = fake_search(random_search)
check_search(_results, _best_params, _best_model, _trained)  # a model per trial, accuracies, best on validation
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
    ax.set(xscale="log", yscale="log", xlabel="learning rate",
           title=f"{name}: one dot per trial, the best circled in red")
    fig.colorbar(dots, ax=ax, label="validation accuracy")
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
templates = digit_model.W[:-1].T.reshape(10, 8, 8)  # one 8x8 picture per class (the bias row left out)
limit = np.abs(templates).max()
fig, axes = plt.subplots(1, 10, figsize=(13, 2), layout="constrained")
for digit, ax in enumerate(axes):
    image = ax.imshow(templates[digit], cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"class {digit}")
    ax.axis("off")
fig.colorbar(image, ax=axes, label="weight", shrink=0.9)
fig.suptitle("The weights of each class as an 8x8 template: red where ink raises its score, blue where it lowers it");

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
