# %% [markdown]
# # 04 · Optimizers: from SGD to Adam
#
# In notebook 03 you trained a two-layer network with plain stochastic
# gradient descent: step against the gradient, times a learning rate. That
# works, but it can be slow, and it needs a well-chosen learning rate. This
# notebook builds the optimizers used in practice and compares them:
#
# - SGD, Momentum and Nesterov momentum; AdaGrad, RMSProp and Adam, each a
#   small class whose `update(params, grads)` changes the weights in place;
# - each checked step by step against `torch.optim` (and why PyTorch's `eps`
#   and momentum look slightly different from ours);
# - their paths on an elongated bowl, where SGD zig-zags, and what momentum
#   really buys when both run at the same effective learning rate;
# - mini-batches and learning-rate schedules;
# - the optimizers on MNIST-1D, with a comparison script that has a bug to find;
# - choosing the learning rate and the weight decay of a deep net yourself,
#   by random search on a log scale, coarse then fine;
# - watching a run: the update-to-weight ratio of each layer, and what
#   training curves say about what went wrong;
# - finally the same thing with `torch.optim`.
#
# **Grading.** 60 points: fifteen exercises (40 points, checked by tests) and
# seven written questions (20 points, graded by hand). Each exercise is
# followed by a test cell you can run; some have a second one that only
# prints a note: its checks run when your notebook is graded. Run the cells
# from top to bottom.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import time

import numpy as np
import matplotlib.pyplot as plt
import torch

from helpers import optim  # the course's reference optimizers, schedules and minibatches
from helpers.optim import Optimizer  # the base class of your optimizers
from helpers.checks import check_close, check_true, passed
from helpers.data import load_mnist1d, train_val_split
from helpers.nets import TwoLayerNet  # notebook 03's network, from the course's helpers
from helpers.solver import Solver
from helpers.widgets.optimizers import CLASSIC_LR, bowl_path, draw_paths, optimizer_demo, sign_flips

np.random.seed(0)
torch.manual_seed(0)
torch.set_num_threads(1)  # small tensors: one thread is the fastest

mnist = load_mnist1d()
X_train, y_train, X_val, y_val = train_val_split(mnist["X_train"], mnist["y_train"],
                                                 n_val=500, seed=0)  # 3500 / 500
data = dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)
print("MNIST-1D train / val:", X_train.shape, X_val.shape)

# %% [markdown]
# ## 1. One interface for every optimizer
#
# A model (like notebook 03's `TwoLayerNet`) keeps its weights in a dict
# `params` of arrays, and `loss(X, y)` returns the loss and a dict `grads`
# with the same keys. An optimizer takes both and moves the weights:
#
# ```python
# loss, grads = net.loss(X_batch, y_batch)
# optimizer.update(net.params, grads)     # changes the arrays of net.params in place
# ```
#
# **In place** matters: `net.params["W1"]` must remain the *same* array, now
# holding new numbers, because the network (and the `Solver`) keep using that
# array. `p -= lr * g` changes the array; `p = p - lr * g` builds a new array
# and only rebinds the local name `p`, leaving the network's weights unchanged.
#
# All our optimizers subclass `Optimizer` from `helpers.optim`. Its `update`
# checks the two dicts, counts the calls in `self.t` (1 during the first
# update), and calls `self.step(key, p, g)` once per parameter. You write
# `step`. An optimizer that remembers something per parameter (a velocity, a
# running average) keeps it in `self.state_for(key, p)`: a dict belonging to
# parameter `key`, empty the first time, the same dict at every later call.
#
# ```python
# s = self.state_for(key, p)
# v = s.setdefault("v", np.zeros_like(p))   # created on the first call only
# v *= 0.9                                  # change it in place: s["v"] sees it
# ```
#
# Each test runs your optimizer for ten steps on a fixed gradient sequence
# that depends on the current weights, next to the same steps in `torch.optim`,
# and compares the weights after every step (relative error below
# $10^{-10}$: the same formula, up to rounding). The course's own optimizers
# are blocked while yours run.

# %% [markdown]
# **Exercise 1 (2 points).** `SGD`: $p \leftarrow p - \eta\, g$ with the
# learning rate $\eta$ = `self.lr`.

# %% nbgrader={"grade": false, "grade_id": "SGD", "locked": false, "schema_version": 3, "solution": true}
class SGD(Optimizer):
    """Vanilla stochastic gradient descent."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def step(self, key, p, g):
        """Change the array p in place, given its gradient g."""
        ### BEGIN SOLUTION
        p -= self.lr * g
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_SGD", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("SGD(lr=0.1)", lambda: SGD(lr=0.1), torch.optim.SGD, {"lr": 0.1}, start_params(0),
           hint="each step is p -= lr * g.")
passed("SGD follows torch.optim.SGD for 10 steps")

# %% [markdown]
# ## 2. Momentum
#
# SGD only looks at the current gradient. In a long narrow valley the
# gradient points mostly across the valley, so SGD bounces from wall to wall
# and crawls along the floor. **Momentum** lets the weights keep a velocity
# $v$ (starting at 0), like a ball rolling downhill with friction:
#
# $$v \leftarrow \mu\, v - \eta\, g, \qquad p \leftarrow p + v.$$
#
# With $\mu = 0.9$ the velocity averages about the last ten gradients:
# components that keep their sign (along the valley) add up, components that
# flip sign (across it) cancel. With $\mu = 0$ it is SGD again.
#
# **The steady step.** While the gradient stays the same $g$, the velocity
# settles where $v = \mu v - \eta g$, that is at $v = -\frac{\eta}{1-\mu}\, g$:
# once up to speed, Momentum steps $\eta/(1-\mu)$ times the gradient, ten
# times SGD's step at the same learning rate when $\mu = 0.9$. So
# `Momentum(lr=0.1)` is, in the long run, as bold as `SGD(lr=1.0)`: compare the
# two at equal **effective learning rates** $\eta/(1-\mu)$, not at equal `lr`.
#
# **Exercise 2 (3 points).** `Momentum`. Keep one velocity per parameter in
# `self.state_for(key, p)`, created as zeros the first time.

# %% nbgrader={"grade": false, "grade_id": "Momentum", "locked": false, "schema_version": 3, "solution": true}
class Momentum(Optimizer):
    """SGD with momentum: v = momentum * v - lr * g; p += v."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def step(self, key, p, g):
        """Change p in place; the velocity of parameter `key` lives in its state."""
        ### BEGIN SOLUTION
        v = self.state_for(key, p).setdefault("v", np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Momentum", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("Momentum(lr=0.05, momentum=0.9)", lambda: Momentum(lr=0.05, momentum=0.9), torch.optim.SGD,
           {"lr": 0.05, "momentum": 0.9}, start_params(1),
           hint="v = momentum * v - lr * g, then p += v; keep v for the next call in "
                "self.state_for(key, p), one velocity per key.")
passed("Momentum follows torch.optim.SGD(momentum=0.9) for 10 steps")

# %% nbgrader={"grade": true, "grade_id": "test_Momentum_zero_is_sgd", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("Momentum(lr=0.1, momentum=0)", lambda: Momentum(lr=0.1, momentum=0.0), torch.optim.SGD,
           {"lr": 0.1}, start_params(2),
           hint="with momentum 0 the velocity is -lr * g and the step is SGD's: check the sign "
                "of the gradient term.")
passed("Momentum with momentum = 0 is SGD")

# %% [markdown]
# ### Nesterov momentum
#
# Momentum is going to move the weights by about $\mu v$ anyway, so
# **Nesterov** momentum evaluates the gradient where that would take them,
# at the *look-ahead* point $p + \mu v$, and corrects from there:
#
# $$v \leftarrow \mu\, v - \eta\, \nabla f(p + \mu v), \qquad p \leftarrow p + v .$$
#
# Our `update` receives the gradient at `p`, not at $p + \mu v$. The usual
# trick is to store the look-ahead point instead: call it $\tilde p = p + \mu v$.
# Rewritten in $\tilde p$ (and renaming $\tilde p$ back to `p`), one step needs
# only the gradient $g$ at the stored point:
#
# $$v_\text{prev} = v, \qquad v \leftarrow \mu\, v - \eta\, g, \qquad
#   p \leftarrow p - \mu\, v_\text{prev} + (1 + \mu)\, v .$$
#
# The stored variable is one momentum step ahead of the real weights, so it
# moves differently from the very first step: with $v = 0$ the first update
# is $p \leftarrow p - (1 + \mu)\,\eta\, g$, where Momentum's is $p - \eta\, g$
# (`torch.optim.SGD(nesterov=True)` takes the same first step). The real
# weights, $p - \mu v$ in this notation, agree with Momentum's after one step
# and part from them at the second, where Nesterov's gradient, taken at the look-ahead
# point, reacts a step earlier when the slope turns around.
#
# **Exercise 3 (2 points).** `Nesterov`, with the update above.

# %% nbgrader={"grade": false, "grade_id": "Nesterov", "locked": false, "schema_version": 3, "solution": true}
class Nesterov(Optimizer):
    """Nesterov momentum in the look-ahead variable:
    v_prev = v; v = momentum * v - lr * g; p += -momentum * v_prev + (1 + momentum) * v."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = momentum

    def step(self, key, p, g):
        ### BEGIN SOLUTION
        v = self.state_for(key, p).setdefault("v", np.zeros_like(p))
        v_prev = v.copy()
        v *= self.momentum
        v -= self.lr * g
        p += -self.momentum * v_prev + (1 + self.momentum) * v
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Nesterov", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import HINTS, check_path, start_params
check_path("Nesterov(lr=0.05, momentum=0.9)", lambda: Nesterov(lr=0.05, momentum=0.9), torch.optim.SGD,
           {"lr": 0.05, "momentum": 0.9, "nesterov": True}, start_params(3), hint=HINTS["nesterov"])
passed("Nesterov follows torch.optim.SGD(momentum=0.9, nesterov=True) for 10 steps")

# %% [markdown]
# ## 3. A step size per weight: AdaGrad and RMSProp
#
# One learning rate for all weights is a compromise: weights whose gradients
# are large need small steps, rarely-updated weights could take large ones.
# **AdaGrad** keeps, for every weight, the sum $h$ of its squared gradients
# and divides the step by $\sqrt h$:
#
# $$h \leftarrow h + g \odot g, \qquad
#   p \leftarrow p - \eta\, \frac{g}{\sqrt{h} + \epsilon} .$$
#
# ($\odot$ and the division are element-wise.) Weights that have moved a lot
# get smaller steps. The small $\epsilon = 10^{-7}$ keeps the division defined
# for a weight whose gradients have all been 0 so far (a ReLU unit that never
# fired, an input feature that is always 0): without it, $0/0$ is `nan`, and a
# single `nan` spreads to every weight in the next forward pass.
#
# **Exercise 4 (3 points).** `AdaGrad`, with `self.eps` added to $\sqrt h$.

# %% nbgrader={"grade": false, "grade_id": "AdaGrad", "locked": false, "schema_version": 3, "solution": true}
class AdaGrad(Optimizer):
    """h += g * g; p -= lr * g / (sqrt(h) + eps)."""

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = eps

    def step(self, key, p, g):
        ### BEGIN SOLUTION
        h = self.state_for(key, p).setdefault("h", np.zeros_like(p))
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_AdaGrad", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("AdaGrad(lr=0.1)", lambda: AdaGrad(lr=0.1), torch.optim.Adagrad, {"lr": 0.1, "eps": 1e-7},
           start_params(4), hint="h += g * g (a sum that only grows), then "
                                 "p -= lr * g / (np.sqrt(h) + eps).")
passed("AdaGrad follows torch.optim.Adagrad(eps=1e-7) for 10 steps")

# %% nbgrader={"grade": true, "grade_id": "test_AdaGrad_zero_gradient", "locked": true, "points": 1, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, check_stays
_start, _zero = {"w": [1.0, -2.0, 0.5]}, [("w", 1)]  # w[1] always gets a zero gradient
check_stays("AdaGrad(lr=0.1)", lambda: AdaGrad(lr=0.1), _start, _zero, steps=3)  # w[1] stays at -2, not nan
check_path("AdaGrad(lr=0.1, eps=0.01)", lambda: AdaGrad(lr=0.1, eps=0.01), torch.optim.Adagrad,
           {"lr": 0.1, "eps": 0.01}, _start, zero=_zero)  # an eps this large shows where eps is added
passed("AdaGrad leaves a weight with zero gradient alone, and agrees with torch.optim.Adagrad")

# %% [markdown]
# AdaGrad's $h$ only grows, so its steps only shrink: after $t$ steps with
# gradients of similar size the step is about $\eta/\sqrt t$. On a convex
# problem that is a feature; in a long neural-network training run it can stop
# learning long before the end. **RMSProp** replaces the sum by a running
# average that forgets old gradients at the rate `decay_rate` $=\rho$:
#
# $$h \leftarrow \rho\, h + (1 - \rho)\, g \odot g, \qquad
#   p \leftarrow p - \eta\, \frac{g}{\sqrt{h} + \epsilon} .$$
#
# With $\rho = 0.99$, $h$ averages about the last hundred squared gradients.
#
# **Where $\epsilon$ goes.** Some textbooks (Goodfellow, Bengio and
# Courville's *Deep Learning*) put the small constant inside the root,
# $g / \sqrt{\epsilon + h}$. That is a different formula: it works as well in
# practice, but it gives other numbers. This exercise, like AdaGrad above and
# like `torch.optim.RMSprop`, adds $\epsilon$ to $\sqrt h$, and the test
# compares with PyTorch to $10^{-10}$, so `np.sqrt(h + eps)` fails it.
#
# **Exercise 5 (2 points).** `RMSProp`, with `self.eps` added to $\sqrt h$.

# %% nbgrader={"grade": false, "grade_id": "RMSProp", "locked": false, "schema_version": 3, "solution": true}
class RMSProp(Optimizer):
    """h = decay_rate * h + (1 - decay_rate) * g * g; p -= lr * g / (sqrt(h) + eps)."""

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay_rate = decay_rate
        self.eps = eps

    def step(self, key, p, g):
        ### BEGIN SOLUTION
        h = self.state_for(key, p).setdefault("h", np.zeros_like(p))
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_RMSProp", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("RMSProp(lr=0.01, decay_rate=0.99)", lambda: RMSProp(lr=0.01, decay_rate=0.99),
           torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.99, "eps": 1e-7}, start_params(5),
           hint="the old average is multiplied by decay_rate and the new squared gradient by "
                "(1 - decay_rate), not the other way round.")
passed("RMSProp follows torch.optim.RMSprop(alpha=0.99, eps=1e-7) for 10 steps")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_adagrad", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) Why do AdaGrad's steps keep shrinking, and
# about how large is the step of a weight after $t$ steps whose gradients all
# had about the same size $|g|$? (b) When does that hurt? (c) What does RMSProp
# change, and what step does it take in the same situation after many steps?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) $h$ is a sum of squares, so it never decreases; with
# gradients of size $|g|$, $h \approx t\,g^2$ and the step is
# $\eta\,|g|/\sqrt{t g^2} = \eta/\sqrt t$: it shrinks like $1/\sqrt t$
# whatever happens, and also does not depend on the gradient's scale.
# (b) It hurts in long, non-convex training (neural networks): the large
# gradients of the first steps stay in $h$ forever, so the effective learning
# rate decays to almost nothing before the network has reached a good region,
# and learning stalls; it also cannot speed up again when the landscape
# changes (a plateau after a steep part). (c) RMSProp replaces the sum by an
# exponential moving average $\rho h + (1-\rho) g^2$ that forgets old
# gradients (time scale $1/(1-\rho)$ = 100 steps for 0.99), so $h$ tracks the
# *recent* gradient size: $h \approx g^2$ and the step stays about $\eta$
# instead of going to zero.
#
# *Rubric (3 points).* 1 point: $h$ only grows (sum of squares), giving
# steps of about $\eta/\sqrt t$. 1 point: when it hurts (long or non-convex
# training, learning stops too early, early large gradients dominate). 1 point:
# RMSProp's leaky average forgets old gradients, so the step stays about
# $\eta$ (does not decay to 0).
# ### END SOLUTION

# %% [markdown]
# ## 4. Adam
#
# **Adam** combines both ideas: a running average $m$ of the gradients (like
# momentum) and a running average $v$ of their squares (like RMSProp), with
# $\beta_1 = 0.9$ and $\beta_2 = 0.999$:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad
#   v \leftarrow \beta_2 v + (1-\beta_2)\, g\odot g .$$
#
# Both start at 0, so in the first steps they are far too small: after one
# step $m = 0.1\,g$ and $v = 0.001\,g^2$. Dividing by $1 - \beta^t$
# corrects this **bias** ($\hat m = m/(1-\beta_1^t)$, $\hat v = v/(1-\beta_2^t)$,
# both exactly $g$ and $g^2$ at $t = 1$). The course folds both corrections
# into the learning rate at step $t$ (`self.t`, 1 in the first update):
#
# $$\eta_t = \eta\,\frac{\sqrt{1-\beta_2^{\,t}}}{1-\beta_1^{\,t}}, \qquad
#   p \leftarrow p - \eta_t\, \frac{m}{\sqrt{v} + \epsilon} .$$
#
# Up to where $\epsilon$ sits, that is $p \leftarrow p - \eta\,\hat m/(\sqrt{\hat v}+\epsilon)$.
# In the first step $\hat m/\sqrt{\hat v} = g/|g| = \pm 1$: every weight moves
# by almost exactly $\eta$, whatever the size of its gradient.
#
# **Exercise 6 (3 points).** `Adam`. The tests compare with `torch.optim.Adam`
# at `eps=0` (section 10 explains why) and check the first step at the default
# `eps`.

# %% nbgrader={"grade": false, "grade_id": "Adam", "locked": false, "schema_version": 3, "solution": true}
class Adam(Optimizer):
    """m, v running averages of g and g * g, bias-corrected through
    lr_t = lr * sqrt(1 - beta2 ** t) / (1 - beta1 ** t); p -= lr_t * m / (sqrt(v) + eps)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def step(self, key, p, g):
        """self.t is the number of the current update (1, 2, ...)."""
        ### BEGIN SOLUTION
        s = self.state_for(key, p)
        m = s.setdefault("m", np.zeros_like(p))
        v = s.setdefault("v", np.zeros_like(p))
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        p -= lr_t * m / (np.sqrt(v) + self.eps)
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_Adam", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch
from helpers.checks import passed
from helpers.checks.optimizers import check_path, start_params
check_path("Adam(lr=0.05, eps=0)", lambda: Adam(lr=0.05, eps=0.0), torch.optim.Adam,
           {"lr": 0.05, "betas": (0.9, 0.999), "eps": 0.0}, start_params(6),
           hint="m and v are running averages (beta * old + (1 - beta) * new); the step uses "
                "lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t) with t = self.t.")
passed("Adam follows torch.optim.Adam(eps=0) for 10 steps")

# %% nbgrader={"grade": true, "grade_id": "test_Adam_first_step", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.optimizers import answering, check_first_step, first_step_inputs
_start, _params, _grads = first_step_inputs(seed=7)  # W (4, 3), b (3,); gradients of either sign, 0.05 to 50
with answering("optimizers"):  # the course's optimizers refused
    Adam(lr=0.01).update(_params, _grads)
check_first_step(_params, _start, _grads, lr=0.01)  # each weight moved by lr against its gradient: -lr * g / |g|
passed("Adam's first step moves every weight by lr, whatever its gradient")

# %% [markdown]
# **Check it yourself.** Run your Adam next to `torch.optim.Adam` on the same
# gradients and print the largest relative difference of the weights after
# each step. How to read it: around $10^{-16}$ to $10^{-13}$ means the same
# formula (only rounding differs); around $10^{-8}$ to $10^{-6}$ with the
# default `eps` is the different placement of $\epsilon$ (section 10); anything
# larger, or growing with the steps, is a bug.

# %% tags=["demo"]
def relative_difference(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


for eps in (0.0, 1e-7):
    w = np.array([1.0, -2.0, 0.3])
    w_torch = torch.tensor(w.copy(), requires_grad=True)
    my_adam, torch_adam = Adam(lr=0.1, eps=eps), torch.optim.Adam([w_torch], lr=0.1, eps=eps)
    errors = []
    for t in range(5):
        g = 2 * w - 1  # the gradient of sum(w**2 - w), at each optimizer's own w
        my_adam.update({"w": w}, {"w": g})
        w_torch.grad = 2 * w_torch.detach() - 1
        torch_adam.step()
        errors.append(relative_difference(w, w_torch.detach().numpy()))
    print(f"eps = {eps:g}: relative differences after steps 1-5:", " ".join(f"{e:.1e}" for e in errors))

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_bias_correction", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Suppose Adam had no bias correction
# ($p \leftarrow p - \eta\, m/(\sqrt v + \epsilon)$ with the raw averages).
# (a) How far would the first step move a weight, in units of $\eta$, with
# $\beta_1 = 0.9$, $\beta_2 = 0.999$? (b) What happens over the next steps, and
# why is that a problem at the start of training? (c) How does the bias
# correction fix it, and why does it no longer matter after a few thousand steps?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) After one step $m = 0.1\,g$, $v = 0.001\,g^2$, so
# $m/\sqrt v = 0.1/\sqrt{0.001}\;\mathrm{sign}(g) \approx 3.16\,\mathrm{sign}(g)$:
# every weight moves by about $3.2\,\eta$, not $\eta$. (b) $v$ starts much more
# biased towards 0 than $m$ ($1-\beta_2^t$ grows far more slowly than
# $1-\beta_1^t$). With a steady gradient the uncorrected step is
# $\eta\,(1-\beta_1^t)/\sqrt{1-\beta_2^t}$, and that factor first *grows*:
# 3.16 at $t=1$, 6.53 at $t=10$, a peak of 6.57 at $t=12$, then it falls
# slowly, 3.24 at $t=100$ and 1.26 at $t=1000$, and comes within 1% of 1 only
# near $t = 3900$. So for the first thousand steps or so the steps are several
# times larger than the chosen learning rate, worst exactly when the weights
# are random and the gradients large, which can throw the network into a bad
# region or make the loss blow up. (c)
# Dividing by $1-\beta_1^t$ and $1-\beta_2^t$ (our $\eta_t$) turns $m$ and $v$
# into unbiased estimates of the mean gradient and squared gradient, so the
# first step is exactly $\eta\,\mathrm{sign}(g)$ and later steps have the
# intended size. Since $\beta^t \to 0$, the correction factors tend to 1
# (after a few thousand steps $0.999^t$ is small: $0.999^{3900} \approx 0.02$),
# so it only matters early.
#
# *Rubric (3 points).* 1 point: the first step is about $3.16\,\eta$ (or
# "several times $\eta$", with the reason $0.1/\sqrt{0.001}$). 1 point: the
# early steps are too large for many steps (up to about $6.6\,\eta$ near
# $t = 12$, still above $\eta$ for thousands of steps) because $v$ is biased
# towards 0 more and longer than $m$, harmful at the start. 1 point: the correction
# divides by $1-\beta^t$ (unbiased averages, first step $\approx \eta$) and
# tends to 1 as $t$ grows.
# ### END SOLUTION

# %% [markdown]
# ## 5. A race on an elongated bowl
#
# The function
#
# $$f(x, y) = \frac{x^2}{20} + y^2, \qquad \nabla f = \Big(\frac{x}{10},\; 2y\Big)$$
#
# is a valley twenty times steeper across ($y$) than along ($x$), with its
# minimum at $(0, 0)$. We start at $(-7, 2)$ and take 30 steps, with the
# learning rates of the classic figure: SGD 0.95, Momentum 0.1, AdaGrad 1.5,
# Adam 0.3, and for Nesterov 0.1 and RMSProp 0.1.
#
# **Exercise 7 (2 points).** `run_on_bowl`: keep the position in one array,
# `params = {"xy": np.array([x, y])}`, and at every step give the optimizer the
# gradient at the current position. Return the path, start included.

# %% nbgrader={"grade": false, "grade_id": "run_on_bowl", "locked": false, "schema_version": 3, "solution": true}
def run_on_bowl(optimizer, start=(-7.0, 2.0), num_steps=30):
    """Minimise f(x, y) = x**2 / 20 + y**2 with `optimizer` from `start`.

    Returns path: a (num_steps + 1, 2) float array, path[0] = start and
    path[t] = the position after t updates.
    """
    ### BEGIN SOLUTION
    params = {"xy": np.array(start, dtype=np.float64)}
    path = [params["xy"].copy()]
    for _ in range(num_steps):
        x, y = params["xy"]
        optimizer.update(params, {"xy": np.array([x / 10, 2 * y])})
        path.append(params["xy"].copy())
    return np.array(path)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_run_on_bowl", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.optimizers import answering, bowl_cases
# the course's SGD(lr=0.95): x_t = -7 * 0.905**t, y_t = 2 * (-0.9)**t; then its Adam against torch.optim.Adam
for _name, _make, _kwargs, _want, _hint in bowl_cases():
    with answering("run_on_bowl"):  # the course's bowl_path refused
        _path = run_on_bowl(_make(), **_kwargs)
    check_close(_name, _path, _want, tol=1e-10, hint=_hint)
passed("run_on_bowl follows SGD's exact path and torch.optim.Adam's")

# %% [markdown]
# **Run the race** with your six optimizers and read the numbers: how far
# from the minimum each one ends, and how often $y$ changed sign.

# %% tags=["demo"]
racers = {"SGD": SGD(lr=0.95), "Momentum": Momentum(lr=0.1), "Nesterov": Nesterov(lr=0.1),
          "AdaGrad": AdaGrad(lr=1.5), "RMSProp": RMSProp(lr=0.1), "Adam": Adam(lr=0.3)}
paths = {name: run_on_bowl(opt) for name, opt in racers.items()}
for name, path in paths.items():
    print(f"{name:9s} distance to (0, 0): {np.hypot(*path[0]):.2f} -> {np.hypot(*path[-1]):.3f}, "
          f"y changed sign {sign_flips(path):2d} times")

fig, axes = plt.subplots(3, 2, figsize=(12, 9.5))
for ax, (name, path) in zip(axes.ravel(), paths.items()):
    draw_paths({f"{name}, lr {CLASSIC_LR[name]}": path}, ax=ax)
fig.tight_layout()

# %% [markdown]
# The same race with the course's reference optimizers, asserted: every
# optimizer ends closer to the minimum than it started, and SGD's $y$ flips
# sign at every step, Momentum's only a few times.

# %% tags=["demo"]
reference_paths = {name: bowl_path(optim.get(name, lr=lr)) for name, lr in CLASSIC_LR.items()}
for name, path in reference_paths.items():
    check_true(np.hypot(*path[-1]) < np.hypot(*path[0]), f"{name} did not get closer to (0, 0).")
flips = {name: sign_flips(path) for name, path in reference_paths.items()}
check_true(flips["SGD"] > flips["Momentum"], f"sign flips of y: {flips}")
passed(f"all six end closer to (0, 0); sign flips of y: {flips}")

# %% [markdown]
# ### Is momentum faster? Compare at equal effective rates
#
# Look at the distances again: SGD ends *closer* to the minimum (0.36) than
# Momentum (0.90) and Nesterov (0.69), although it zig-zags all the way. The
# race was fair: Momentum's `lr=0.1` is the effective rate
# $0.1/(1-0.9) = 1.0$, next to SGD's 0.95. Two facts explain the result:
#
# - 0.95 is about SGD's *best* single rate on this bowl: each step multiplies
#   $y$ by $1 - 2\eta = -0.9$ and $x$ by $1 - \eta/10 = 0.905$, both shrink by
#   about 0.9 per step.
# - With $\mu = 0.9$, momentum overshoots along the valley too and swings
#   back, and each swing shrinks by only about $\sqrt{\mu} \approx 0.95$ per
#   step, whatever the learning rate: 30 steps cannot bring it much below a
#   fifth of the start.
#
# Below, every optimizer runs 30 steps at the same effective rate
# $\eta/(1-\mu)$ ($\eta$ for SGD), from 0.05 to 30 (the course's optimizers).

# %% tags=["demo"]
effective = np.geomspace(0.05, 30, 45)
final = {}
with np.errstate(all="ignore"):  # the runs that explode overflow
    for name in ("SGD", "Momentum", "Nesterov"):
        final[name] = np.array([np.hypot(*bowl_path(optim.get(name, lr=e if name == "SGD" else 0.1 * e))[-1])
                                for e in effective])
# Momentum tuned for this bowl: friction and rate from its two curvatures, 0.1 along and 2 across.
mu_tuned = ((20 ** 0.5 - 1) / (20 ** 0.5 + 1)) ** 2  # 0.40
lr_tuned = (2 / (2 ** 0.5 + 0.1 ** 0.5)) ** 2  # 1.34
tuned = bowl_path(optim.Momentum(lr=lr_tuned, momentum=mu_tuned))
fig, ax = plt.subplots(figsize=(11, 3.8))
for name, d in final.items():
    ax.plot(effective, np.clip(np.nan_to_num(d, nan=1e3, posinf=1e3), None, 1e3), "o-", ms=3, label=f"{name} (momentum 0.9)" if name != "SGD" else name)
ax.plot(lr_tuned / (1 - mu_tuned), np.hypot(*tuned[-1]), "r*", ms=12,
        label=f"Momentum(lr={lr_tuned:.2f}, momentum={mu_tuned:.2f}), tuned")
ax.axvline(1.0, color="k", ls=":", lw=1)
ax.axhline(np.hypot(-7, 2), color="0.6", ls="--", lw=1, label="the start (7.3)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_ylim(5e-5, 3e3)
ax.set_xlabel("effective learning rate lr / (1 - momentum)")
ax.set_ylabel("distance to (0, 0) after 30 steps\n(1000: exploded)")
ax.set_title("30 steps on the bowl: SGD explodes above an effective rate of 1, momentum does not",
             fontsize=10)
ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()
for name, d in final.items():
    stable = effective[np.isfinite(d) & (d < np.hypot(-7, 2))]
    print(f"{name:9s} gets closer up to an effective rate of {stable.max():5.2f}; "
          f"best after 30 steps: {np.nanmin(d):.3f} (at {effective[np.nanargmin(d)]:.2f})")
print(f"Momentum(lr={lr_tuned:.3f}, momentum={mu_tuned:.3f}) ends {np.hypot(*tuned[-1]):.1e} from (0, 0)")

# %% [markdown]
# Below an effective rate of 1 the three end at similar distances (who is
# ahead after exactly 30 steps depends on where each is in its swings).
# Above 1, SGD explodes: across the valley its factor $1 - 2\eta$ passes
# $-1$. Momentum keeps converging up to an effective rate of about 17 (and
# Nesterov to about 6): the velocity lets the flat direction take steps that
# the steep direction forbids SGD, and the oscillations across the valley
# cancel in the average. And the friction $\mu$ is a setting like the
# learning rate: with $\mu = 0.40$ and $\eta = 1.34$, matched to the two
# curvatures of this bowl (0.1 and 2), momentum shrinks the distance by about
# 0.63 per step and ends about 0.0002 from the minimum. In general, for a valley
# $\kappa$ times more curved across than along (here 20), SGD's best factor
# per step is $(\kappa-1)/(\kappa+1)$ (0.905 here) and tuned momentum's
# $(\sqrt\kappa-1)/(\sqrt\kappa+1)$ (0.63): at $\kappa = 1000$, 0.998
# against 0.94. The more elongated the valley, the more momentum wins.

# %% [markdown]
# **Try it.** Choose an optimizer and a learning rate and watch the path
# (each optimizer starts at its rate of the race; "classic lr" brings it
# back). Across the valley SGD does $y \leftarrow (1 - 2\eta)\,y$: watch it zig-zag
# for $\eta$ between 0.5 and 1 and fly off beyond 1, and watch a smaller
# learning rate calm Momentum's swings (and slow it down).

# %% tags=["demo"]
optimizer_demo("SGD")

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_zigzag", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Use your race. (a) Why does SGD's $y$ change sign
# at every step while $x$ creeps towards 0? Write one SGD step for each
# coordinate separately. (b) What does momentum change, and why does its $y$
# change sign only a few times? (c) Why can SGD not fix this by choosing
# another single learning rate?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) One SGD step is $x \leftarrow x - \eta x/10 = (1 - 0.095)\,x$
# and $y \leftarrow y - 2\eta y = (1 - 1.9)\,y = -0.9\,y$ with $\eta = 0.95$:
# the factor for $y$ is negative, so $y$ jumps to the other side of the valley
# at every step (30 flips in 30 steps), shrinking only by 0.9, while $x$
# shrinks by only 9.5% per step along the flat direction. (b) Momentum adds up
# the gradients: the $x$ component always points the same way, so the
# velocity grows along the valley (the ball accelerates), while the
# alternating $y$ components largely cancel in the average; $y$ swings only a
# few times (about 4), like a damped oscillation, and the path rolls along the
# valley. It also overshoots along $x$ and swings back, shrinking by only
# about $\sqrt{0.9} \approx 0.95$ per step, so after 30 steps it is not closer
# than SGD (0.90 against 0.36): fewer flips, not a faster finish here.
# (c) The curvatures differ by a factor 20: $y$ needs $\eta < 1$ to
# converge at all (factor $|1 - 2\eta| < 1$) while $x$ shrinks by $1-\eta/10$,
# so with any $\eta$ that keeps $y$ stable, $x$ moves at most 10% per step;
# a smaller $\eta$ stops the zig-zag but makes $x$ even slower. One learning
# rate cannot suit both directions (the problem is badly conditioned); SGD's
# best is about 0.95, a factor 0.905 per step. Momentum escapes that limit: it
# stays stable at effective rates far above 1.
#
# *Rubric (3 points).* 1 point: the per-coordinate SGD step, with the factor
# $1 - 2\eta < 0$ explaining the sign flips (and the slow $x$). 1 point:
# momentum accumulates the consistent $x$ gradient and averages out the
# alternating $y$ gradient (fewer flips, with their own numbers). 1 point:
# different curvatures (ill-conditioning), so no single learning rate is good
# for both directions.
# ### END SOLUTION

# %% [markdown]
# ## 6. Mini-batches and learning-rate schedules
#
# On a real data set the gradient of the full training loss is a mean over
# all $N$ examples: exact but expensive. **Stochastic** gradient descent
# estimates it from a **mini-batch** of a few dozen to a few hundred examples:
# noisier, but each step costs $N/B$ times less. One pass over the data is an
# **epoch**: shuffle the examples, cut them into batches of size $B$, and visit
# each example exactly once. When $B$ does not divide $N$ the last batch is
# smaller; `drop_last=True` leaves it out (useful when every batch must have
# the same size). PyTorch's `DataLoader(dataset, batch_size, shuffle=True,
# drop_last=...)` does the same.
#
# **Exercise 8 (3 points).** `minibatches`, a generator: `yield` one
# `(X_batch, y_batch)` pair at a time. Shuffle with `rng.permutation(N)` (so
# the same seed gives the same batches), and keep each example with its label.

# %% nbgrader={"grade": false, "grade_id": "minibatches", "locked": false, "schema_version": 3, "solution": true}
def minibatches(X, y, batch_size, rng, drop_last=False):
    """Yield (X_batch, y_batch) pairs covering every example once, in the
    shuffled order rng.permutation(len(X)), batch_size at a time; the last
    batch is smaller when batch_size does not divide len(X), or left out with
    drop_last=True.

    X: (N, ...) array, y: (N,) array, rng: a np.random.Generator.
    """
    ### BEGIN SOLUTION
    order = rng.permutation(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_minibatches", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import numpy as np
from helpers.checks import passed
from helpers.checks.optimizers import answering, check_batches
_X, _y = 10.0 * np.arange(23)[:, None], np.arange(23)  # 23 examples, X[i] = 10 * y[i]
with answering("minibatches", globals()):  # the course's minibatches and torch's DataLoader refused
    _epochs = [list(minibatches(_X, _y, 5, np.random.default_rng(0), drop_last=_d)) for _d in (False, False, True)]
check_batches(_epochs, _y)  # DataLoader's batch sizes, every example once, shuffled, rows with their labels
passed("minibatches: every example once, shuffled, last partial batch, drop_last")

# %% nbgrader={"grade": true, "grade_id": "test_minibatches_edge_cases", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Checked when graded: batch_size dividing N, batch_size larger than N, other seeds, X with more dimensions.
from helpers.checks import hidden_note
hidden_note()
### BEGIN HIDDEN TESTS
import numpy as np
from helpers.checks import check_equal, check_true, passed
from helpers.checks.optimizers import answering, dataloader_sizes
_cases = [(20, 5), (3, 10), (7, 1), (40, 40)]
_sizes = {(n, b, d): dataloader_sizes(n, b, d) for n, b in _cases for d in (False, True)}
with answering("minibatches", globals()):
    for _n, _b in _cases:
        _X, _y = np.arange(_n * 6, dtype=float).reshape(_n, 3, 2), np.arange(_n)
        for _d in (False, True):
            _batches = list(minibatches(_X, _y, _b, np.random.default_rng(5), drop_last=_d))
            check_equal(f"the batch sizes for N = {_n}, batch_size = {_b}, drop_last = {_d}",
                        np.array([len(b[1]) for b in _batches], dtype=int), _sizes[_n, _b, _d],
                        hint="no empty batch at the end; with drop_last only full batches.")
            for _xb, _yb in _batches:
                check_equal("an X_batch of 3 x 2 examples", _xb, _X[_yb],
                            hint="keep the example's shape: X[idx] with an index array.")
    _X, _y = np.arange(50.0)[:, None], np.arange(50)
    _one = np.concatenate([b[1] for b in minibatches(_X, _y, 8, np.random.default_rng(1))])
    _two = np.concatenate([b[1] for b in minibatches(_X, _y, 8, np.random.default_rng(2))])
check_true(not np.array_equal(_one, _two), "Two different seeds gave the same order.",
           hint="shuffle with the rng you are given.")
passed("minibatches handles the edge cases")
### END HIDDEN TESTS

# %% [markdown]
# ### Learning-rate schedules
#
# A constant learning rate is a compromise too: large steps make fast progress
# early, but near a minimum the gradient noise of mini-batches keeps the
# weights jittering around it, and only smaller steps settle them. A
# **schedule** lowers the learning rate as the epochs go by (epoch $e = 0, 1, \dots$):
#
# | schedule | $\eta_e$ | in `helpers.optim` | in `torch.optim.lr_scheduler` |
# | --- | --- | --- | --- |
# | step | $\eta_0\,\gamma^{\lfloor e / s\rfloor}$ | `StepDecay(lr, step_size, gamma)` | `StepLR` |
# | exponential | $\eta_0\,\gamma^{e}$ | `ExponentialDecay(lr, gamma)` | `ExponentialLR` |
# | 1/t | $\eta_0 / (1 + k e)$ | `InverseTimeDecay(lr, k)` | `LambdaLR` |
# | cosine | $\eta_\min + (\eta_0 - \eta_\min)\,\frac{1 + \cos(\pi e / T)}{2}$ | `CosineDecay(lr, total, lr_min)` | `CosineAnnealingLR` |
#
# The `Solver` takes any of them: `Solver(..., schedule=optim.CosineDecay(0.1, total=20))`
# sets the optimizer's `lr` before every epoch.
#
# **Exercise 9 (2 points).** `step_decay`: the learning rate of epoch `epoch`
# that starts at `lr` and is multiplied by `gamma` every `step_size` epochs.

# %% nbgrader={"grade": false, "grade_id": "step_decay", "locked": false, "schema_version": 3, "solution": true}
def step_decay(epoch, lr, step_size, gamma=0.1):
    """lr * gamma ** (number of completed groups of step_size epochs); epoch = 0, 1, 2, ..."""
    ### BEGIN SOLUTION
    return lr * gamma ** (epoch // step_size)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_step_decay", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import check_close, passed
from helpers.checks.optimizers import HINTS, answering, torch_step_lrs
for _lr, _s, _gamma in [(0.1, 3, 0.5), (2.0, 1, 0.9), (0.05, 4, 0.1)]:
    with answering("step_decay", globals()):  # the course's StepDecay and torch's StepLR refused
        _got = [step_decay(_e, _lr, _s, _gamma) for _e in range(12)]
    check_close(f"step_decay(epoch, lr={_lr}, step_size={_s}, gamma={_gamma}) for epochs 0-11", _got,
                torch_step_lrs(_lr, _s, _gamma, epochs=12), tol=1e-12, hint=HINTS["step decay"])
passed("step_decay equals torch.optim.lr_scheduler.StepLR for three settings")

# %% [markdown]
# The four schedules over 20 epochs, starting at 0.1:

# %% tags=["demo"]
from matplotlib.ticker import MaxNLocator

epochs = np.arange(20)
yours = [step_decay(e, 0.1, 5, 0.5) for e in epochs]  # your step_decay, with the step schedule's settings
schedules = {"step (step_size 5, gamma 0.5)": optim.StepDecay(0.1, step_size=5, gamma=0.5),
             "exponential (gamma 0.85)": optim.ExponentialDecay(0.1, gamma=0.85),
             "1/t (k 0.5)": optim.InverseTimeDecay(0.1, k=0.5),
             "cosine (total 20)": optim.CosineDecay(0.1, total=20)}
fig, ax = plt.subplots(figsize=(10, 3.4))
for label, schedule in schedules.items():
    ax.plot(epochs, [schedule(e) for e in epochs], "o-", ms=3, label=label)
ax.plot(epochs, yours, "k.", label="your step_decay")
ax.set_xlabel("epoch")
ax.set_ylabel("learning rate")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("Four schedules from 0.1: your step_decay (black dots) should sit on the step curve", fontsize=10)
ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_schedule", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** (a) Why does SGD on mini-batches need a decaying
# learning rate to settle at a minimum, when full-batch gradient descent with
# a small enough constant rate converges? (b) You train for a fixed budget of
# 30 epochs. Which schedule would you choose, and how would you pick its
# parameters (name one sign in the loss curve that you decayed too early and
# one that you decayed too late)? (c) Does Adam need a schedule?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) A mini-batch gradient is the true gradient plus noise
# whose size does not go to zero at the minimum; with a constant rate the
# steps keep a size of about $\eta\,\times$ noise, so the weights jitter in a
# region whose width grows with $\eta$. Lowering $\eta$ shrinks that region
# (SGD's convergence theory needs $\sum \eta_t = \infty$, $\sum \eta_t^2 <
# \infty$, e.g. 1/t). Full-batch gradients vanish at the minimum, so a
# constant rate suffices there. (b) With a known budget, a step schedule
# (e.g. divide by 10 at epochs 15 and 25) or a cosine schedule from $\eta_0$
# to about 0 over the 30 epochs; pick $\eta_0$ as the largest rate that trains
# stably at the start, then check the curves. Decayed too early: the loss
# flattens at a high value after the drop and stays there (learning stalled
# while still far from a good solution). Decayed too late (or not enough): the
# loss stays noisy and on a plateau until the very end, and drops only
# at the decay, with no time left to benefit. (c) Adam adapts the step per
# weight, but its base step $\eta$ still sets the size of the jitter, so it
# also benefits from a decay (or a warm-up then decay) in long trainings,
# although it is less sensitive to the choice than SGD.
#
# *Rubric (3 points).* 1 point: mini-batch noise does not vanish at the
# minimum, so constant-rate SGD jitters; decay reduces it. 1 point: a
# reasonable schedule for a fixed budget with how to set its parameters and
# one sign of too early or too late a decay in the loss curve. 1 point: Adam
# too (its $\eta$ still scales the steps), with a sensible justification.
# ### END SOLUTION

# %% [markdown]
# ## 7. Optimizers on MNIST-1D
#
# Back to notebook 03's two-layer network on MNIST-1D, now trained by the
# course's `Solver` with *your* optimizers: `Solver(net, data, optimizer=opt, ...)`
# accepts any object with `update(params, grads)` and an `lr`.
#
# ### A comparison script with a bug
#
# To compare all the optimizers, a colleague wrote the script below: one
# network per optimizer, all from the same initial weights, trained the same
# way. Run it and look at the curves. Something is off: which optimizer
# trained which network? (Print `type(solver.optimizer).__name__` for each
# entry.)

# %% tags=["demo"]
def compare_optimizers_buggy(optimizers, data, num_epochs=10, batch_size=128, seed=0):
    """Train one TwoLayerNet per optimizer, all from the same initial weights.
    optimizers: dict name -> optimizer. Returns dict name -> trained Solver."""
    names = sorted(optimizers)  # alphabetical order, for the legend
    nets = {name: TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=seed) for name in names}
    solvers = {}
    for (name, net), opt in zip(nets.items(), optimizers.values()):
        solvers[name] = Solver(net, data, optimizer=opt, batch_size=batch_size, num_epochs=num_epochs,
                               seed=seed, verbose=False, progress=False).train()
    return solvers


def smooth(values, width=20):
    """Moving average over `width` steps (the curve starts after width - 1 steps)."""
    return np.convolve(values, np.ones(width) / width, mode="valid")


def plot_losses(solvers, title):
    fig, ax = plt.subplots(figsize=(9, 3.5))
    for name, solver in solvers.items():
        ax.plot(smooth(solver.loss_history), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (smoothed over 20 steps)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()


default_lrs = {"SGD": 0.01, "Momentum": 0.01, "AdaGrad": 0.01, "RMSProp": 0.001, "Adam": 0.001}
buggy = compare_optimizers_buggy({name: optim.get(name, lr=lr) for name, lr in default_lrs.items()}, data)
plot_losses(buggy, "the buggy comparison: is each curve trained by the optimizer it is named after?")
for name, solver in buggy.items():
    print(f"curve {name!r:10} was trained by {type(solver.optimizer).__name__}")

# %% [markdown]
# **Exercise 10 (3 points).** Find the bug and write `compare_optimizers`, the
# fixed script: same arguments, same result, but each network trained by the
# optimizer of its own name. The test hands it optimizers in an order of its
# own and checks which network each optimizer changed.

# %% nbgrader={"grade": false, "grade_id": "compare_optimizers", "locked": false, "schema_version": 3, "solution": true}
def compare_optimizers(optimizers, data, num_epochs=10, batch_size=128, seed=0):
    """Train one TwoLayerNet per optimizer, all from the same initial weights.
    optimizers: dict name -> optimizer. Returns dict name -> trained Solver
    whose network was trained by optimizers[name]."""
    ### BEGIN SOLUTION
    names = sorted(optimizers)  # alphabetical order, for the legend
    nets = {name: TwoLayerNet(40, 100, 10, weight_scale=0.1, seed=seed) for name in names}
    solvers = {}
    for name, net in nets.items():  # look the optimizer up by name: never zip two orders
        solvers[name] = Solver(net, data, optimizer=optimizers[name], batch_size=batch_size,
                               num_epochs=num_epochs, seed=seed, verbose=False, progress=False).train()
    return solvers
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_compare_optimizers", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.optimizers import check_owners, small_mnist1d, who_trained_what
# one SGD per name that remembers which arrays it changed, in another order than the networks
_lrs = {"Momentum": 0.1, "SGD": 0.01, "Adam": 0.001, "AdaGrad": 0.05}
_seen = who_trained_what(compare_optimizers, _lrs, small_mnist1d(), num_epochs=1, batch_size=100)
check_owners(_seen, _lrs)  # one solver per name, each network changed by the optimizer of its name alone
passed("each network is trained by the optimizer of its own name")

# %% [markdown]
# With the fix, the comparison from the classic figure, with your optimizers
# and their usual learning rates (10 epochs, batch 128, the same initial
# weights for all):

# %% tags=["demo"]
t0 = time.perf_counter()
mine = compare_optimizers({"SGD": SGD(lr=0.01), "Momentum": Momentum(lr=0.01), "AdaGrad": AdaGrad(lr=0.01),
                           "RMSProp": RMSProp(lr=0.001), "Adam": Adam(lr=0.001)}, data)
print(f"five trainings in {time.perf_counter() - t0:.1f} s")
plot_losses(mine, "five optimizers on MNIST-1D (TwoLayerNet 40-100-10) at their usual rates: SGD at 0.01 lags")
for name, solver in mine.items():
    print(f"{name:9s} final loss {np.mean(solver.loss_history[-20:]):.3f}, "
          f"best validation accuracy {solver.best_val_acc:.3f}")

# %% [markdown]
# SGD at 0.01 barely moves in 270 steps; momentum and the adaptive methods
# get much lower in the same number of steps at these defaults. Part of
# Momentum's lead is only its step size: at `lr=0.01` its effective rate is
# $0.01/(1-0.9) = 0.1$, ten times SGD's. The ranking depends on the learning
# rates: SGD with a tuned rate (notebook 03 used 2.0 with `lr_decay`) does as
# well as any of them. Adaptive methods are popular because their defaults
# work on many problems without that tuning; the next section makes the
# tuning itself the exercise.

# %% [markdown]
# ## 8. Choosing the settings: random search, coarse to fine
#
# Every training so far came with its learning rate given. In practice you
# choose it yourself, together with the weight decay (the `reg` of notebook
# 03's net), and you choose both on the **validation** set. This section
# does it for a deeper network:
#
# - `FullyConnectedNet([64, 64, 64], 40, 10, reg=reg)` from `helpers.nets`:
#   three hidden layers of 64 ReLU units, He initialisation;
# - trained by SGD with momentum 0.9 (the course's `Momentum`) for 6 epochs
#   of mini-batches of 250 of the 3500 training signals: 84 steps, a short budget.
#
# `train_and_score(lr, reg)` below does one such training (a fraction of a
# second) and returns the accuracies of the trained net on the training
# and on the validation set. Three rules make a search efficient:
#
# - **On a log scale.** Learning rates of 0.001 and 0.01 differ as much as 0.1
#   and 1. Draw the *exponent* uniformly, as in notebook 02:
#   `lr = 10 ** rng.uniform(np.log10(low), np.log10(high))`.
# - **At random, not on a grid.** Usually one setting matters far more than
#   the other. A 4 × 4 grid tries only 4 values of the one that matters; 16
#   random trials try 16.
# - **Coarse to fine.** A first round over wide ranges shows where training
#   works at all; a second round spends the remaining trials inside the region
#   of the best few trials of the first.
#
# Pick by the validation accuracy, never by the training accuracy, which
# also rewards whatever memorises the training signals.

# %% tags=["demo"]
from helpers.search import DeepNetTrainer, plot_search

train_and_score = DeepNetTrainer(data)  # 3 x 64 ReLU units, Momentum(0.9), 6 epochs of batch 250
for lr in (0.01, 0.1, 1.0):
    scores = train_and_score(lr, 1e-4)
    print(f"train_and_score(lr={lr}, reg=1e-4): training accuracy {scores['train_acc']:.3f}, "
          f"validation accuracy {scores['val_acc']:.3f}")

# %% [markdown]
# **Exercise 11 (4 points).** `random_search`: `n_trials` trials, each with a
# learning rate and a weight decay drawn log-uniformly from their ranges
# (independently, with the generator `rng` you are given), each trained and
# scored by one call of `train_and_score(lr, reg)`. Return the list of trials
# and the best one, the trial with the highest **validation** accuracy. The
# tests hand in a stand-in `train_and_score` whose accuracies are known
# functions of `(lr, reg)`, so they run in no time.

# %% nbgrader={"grade": false, "grade_id": "random_search", "locked": false, "schema_version": 3, "solution": true}
def random_search(train_and_score, n_trials, lr_range, reg_range, rng):
    """Random search of the learning rate and the weight decay on a log scale.

    train_and_score(lr, reg): trains once, returns {"train_acc": ..., "val_acc": ...}.
    lr_range, reg_range: (low, high) with 0 < low < high. rng: a np.random.Generator.

    For each of the n_trials trials: draw lr and reg, each log-uniformly from
    its own range with rng; call train_and_score(lr, reg) once; record the trial
    as a dict {"lr": lr, "reg": reg, "train_acc": ..., "val_acc": ...}.

    Returns (trials, best): the list of the trial dicts in the order tried, and
    the trial with the highest val_acc.
    """
    ### BEGIN SOLUTION
    trials = []
    for _ in range(n_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        scores = train_and_score(lr, reg)
        trials.append({"lr": lr, "reg": reg, "train_acc": scores["train_acc"], "val_acc": scores["val_acc"]})
    best = max(trials, key=lambda trial: trial["val_acc"])
    return trials, best
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_random_search_sampling", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import check_sampling, run_random_search
# random_search(a stand-in train_and_score, n_trials, lr_range, reg_range, np.random.default_rng(seed))
_run = run_random_search(random_search, 400, (1e-5, 1.0), (1e-7, 1e-1), seed=0)
_again = run_random_search(random_search, 400, (1e-5, 1.0), (1e-7, 1e-1), seed=0)  # the same again
_other = run_random_search(random_search, 30, (1e-3, 1e-1), (1e-4, 1e-2), seed=1)  # other ranges
check_sampling(_run, _again, _other)  # in range, log-uniform, not a grid, lr and reg independent, rng used
passed("random_search draws lr and reg log-uniformly and independently, in their ranges, with the rng given")

# %% nbgrader={"grade": true, "grade_id": "test_random_search_best", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import check_best, run_random_search
# 40 trials with the stand-in train_and_score: its validation accuracy peaks at lr = 1e-2, reg = 1e-4,
# its training accuracy grows with lr (so the best by training accuracy is another trial).
_run = run_random_search(random_search, 40, (1e-5, 1.0), (1e-7, 1e-1), seed=3)
_best = check_best(_run)  # every trial holds its own scores; best is the trial with the highest val_acc
passed(f"random_search records each trial's scores and picks the best on validation "
       f"(lr {_best[0]:.2g}, reg {_best[1]:.2g}, val_acc {_best[3]:.3f})")

# %% [markdown]
# **Exercise 12 (3 points).** `coarse_to_fine`: two rounds of random search.
# The coarse round draws `n_coarse` trials in the given ranges. Take its `top`
# trials with the highest validation accuracy: the fine range of the learning
# rate runs from the smallest to the largest learning rate among them, and
# the same for the weight decay. The fine round draws `n_fine` trials in these
# ranges. Run both rounds through `search`, the random search you are given
# (in the notebook your `random_search`; the test hands in one that returns
# trials it knows), with the same `rng`: the fine round must go on with new
# random numbers, not repeat the coarse round's.

# %% nbgrader={"grade": false, "grade_id": "coarse_to_fine", "locked": false, "schema_version": 3, "solution": true}
def coarse_to_fine(train_and_score, lr_range, reg_range, rng, search, n_coarse=12, n_fine=8, top=3):
    """Random search in two rounds, coarse then fine.

    search(train_and_score, n_trials, lr_range, reg_range, rng) -> (trials, best):
    a random search such as your random_search. Call it for both rounds, with the same rng:
    1. coarse: n_coarse trials over lr_range and reg_range;
    2. take the `top` coarse trials with the highest val_acc: the fine lr range is
       (their smallest lr, their largest lr), the fine reg range likewise;
    3. fine: n_fine trials over the fine ranges.

    Returns a dict {"coarse": the coarse trials, "fine": the fine trials,
    "fine_lr_range": (low, high), "fine_reg_range": (low, high),
    "best": the trial with the highest val_acc of both rounds}.
    """
    ### BEGIN SOLUTION
    coarse, _ = search(train_and_score, n_coarse, lr_range, reg_range, rng)
    leaders = sorted(coarse, key=lambda trial: trial["val_acc"], reverse=True)[:top]
    fine_lr_range = (min(t["lr"] for t in leaders), max(t["lr"] for t in leaders))
    fine_reg_range = (min(t["reg"] for t in leaders), max(t["reg"] for t in leaders))
    fine, _ = search(train_and_score, n_fine, fine_lr_range, fine_reg_range, rng)
    best = max(coarse + fine, key=lambda trial: trial["val_acc"])
    return {"coarse": coarse, "fine": fine, "fine_lr_range": fine_lr_range,
            "fine_reg_range": fine_reg_range, "best": best}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_coarse_to_fine", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import check_coarse_to_fine, spy_coarse_to_fine
# search returns known trials (SCENARIOS in helpers.checks.tuning). "top3": the best 3 of 6 coarse trials give
# the fine ranges lr (0.05, 0.2), reg (1e-5, 3e-3), and no fine trial beats them; "top2": the fine round wins.
for _case in ("top3", "top2"):
    _spy = spy_coarse_to_fine(coarse_to_fine, _case)  # what your coarse_to_fine asked of search, and returned
    check_coarse_to_fine(_spy, _case)  # two calls of search, the fine ranges, the result
passed("coarse_to_fine: a coarse round, the fine ranges from its best trials, a fine round, the best of both")

# %% [markdown]
# **Exercise 13 (3 points).** Choose the settings of your search:
# `search_settings`, a dict with the coarse ranges `lr_range` and `reg_range`
# (pairs `(low, high)`), the trial counts `n_coarse` and `n_fine`, and `top`,
# for at most **20 trainings** in all (each takes a fraction of a second here;
# on a real problem each takes hours, and every trial counts). Run the cell after
# the test to see where your trials landed, change the settings, run again.
#
# The test runs the course's `coarse_to_fine` and `random_search` with your
# settings, with `rng = np.random.default_rng(0)` like the cell below, and
# needs the best validation accuracy to reach **0.49**. Well-chosen settings
# reach it with almost any seed (the course's, in 20 seeds out of 20, reach
# 0.49 to 0.53); ranges that put few trials near the good learning rates
# often fall short.

# %% nbgrader={"grade": false, "grade_id": "search_settings", "locked": false, "schema_version": 3, "solution": true}
# search_settings = {"lr_range": (low, high), "reg_range": (low, high), "n_coarse": ..., "n_fine": ..., "top": ...}
### BEGIN SOLUTION
search_settings = {"lr_range": (1e-3, 1.0), "reg_range": (1e-6, 1e-1), "n_coarse": 12, "n_fine": 8, "top": 3}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_search_settings", "locked": true, "points": 3, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import check_search_target, course_search, settings_of
_ranges, _counts = settings_of(search_settings)  # the five keys, ranges (low, high), at most 20 trainings
_best = course_search(_ranges, _counts, seed=0)["best"]  # the course's coarse_to_fine, as in the cell below
check_search_target(_best, 0.49)  # the best validation accuracy of the search must reach 0.49
passed(f"your settings found lr {_best['lr']:.3g}, reg {_best['reg']:.3g}: validation accuracy "
       f"{_best['val_acc']:.3f} (target 0.49)")

# %% [markdown]
# Your search, with your functions and your settings (the same trials as the
# test's if your `random_search` draws lr then reg in each trial, as the
# course's does):

# %% tags=["demo"]
search_result = coarse_to_fine(train_and_score, rng=np.random.default_rng(0), search=random_search,
                               **search_settings)
best = search_result["best"]
print(f"fine ranges: lr {search_result['fine_lr_range'][0]:.3g} to {search_result['fine_lr_range'][1]:.3g}, "
      f"reg {search_result['fine_reg_range'][0]:.3g} to {search_result['fine_reg_range'][1]:.3g}")
print(f"best of {len(search_result['coarse']) + len(search_result['fine'])} trainings: lr {best['lr']:.3g}, "
      f"reg {best['reg']:.3g}, training accuracy {best['train_acc']:.3f}, validation accuracy {best['val_acc']:.3f}")
plot_search(search_result);

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_search", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** Report your search. (a) Your settings, and what
# you saw (in a first wide round, or in the numbers above) that made you
# choose those ranges. (b) The best learning rate and weight decay and their
# validation accuracy. Which of the two settings mattered more here, and how
# does the picture show it? Did the fine round beat the coarse one? (c) Your
# best validation accuracy is the largest of 20 noisy numbers: why is it an
# optimistic estimate of how the net does on new data, and how would you get
# an honest one?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Learning rates from 1e-3 to 1 and weight decays from
# 1e-6 to 1e-1, 12 coarse and 8 fine trials, top 3: the three trial runs
# above gave 0.33 at lr 0.01, 0.51 at 0.1 and chance (0.10, the loss blew up)
# at 1, so the good rates lie around 0.1 and the range should reach a decade
# on each side; for the weight decay nothing was known, so a wide range.
# (b) The course's search found lr 0.21, reg 1.1e-5, validation accuracy
# 0.53, a trial of the fine round (the best coarse trial had 0.51).
# The learning rate mattered much more: the good trials form a vertical band
# (lr between about 0.05 and 0.4) at every weight decay below about 1e-2,
# while the colours hardly change along the reg axis there; only reg of 0.1
# and above ruins training. In a short training of 84 steps the net has no
# time to overfit, so the weight decay has little to correct. (c) Each
# validation accuracy is measured on 500 signals, so it is noisy (a standard
# deviation of about $\sqrt{0.5 \cdot 0.5/500} \approx 0.022$), and the
# maximum of 20 such numbers favours the trials that were lucky on these 500
# signals: picking on the validation set biases its number upwards. An honest
# estimate measures the chosen settings once on data that played no part in
# any choice: the test set, used once at the very end (or a fresh split,
# retraining with other seeds).
#
# *Rubric (3 points).* 1 point: settings with a reason taken from what they
# saw. 1 point: the best settings and accuracy, and the learning rate named
# as the setting that matters (band in the picture), with a remark on the
# fine round. 1 point: selection on noisy validation numbers biases the
# maximum upwards; measure once on untouched data (test set).
# ### END SOLUTION

# %% [markdown]
# ## 9. Watching a training run
#
# A search tells you which settings won, not what went wrong with the
# others. Two views help while a network trains: how large each step is
# compared with the weights, and the shape of the training curves.
#
# ### The update-to-weight ratio
#
# For a weight matrix $W$ and one update $\Delta W$ (the weights after the
# step minus the weights before), the ratio
#
# $$r = \frac{\lVert \Delta W \rVert_F}{\lVert W \rVert_F}, \qquad
#   \lVert A \rVert_F = \sqrt{\textstyle\sum_{i,j} A_{ij}^2},$$
#
# with the Frobenius norm (all entries as one long vector) and $W$ before the
# step, says by what fraction one step changes the layer. A common rule of
# thumb puts healthy values around $10^{-3}$: far below (say $10^{-5}$) the
# weights hardly move and the learning rate is too low; near $10^{-1}$ and
# above, every step rewrites a tenth of the layer and training is unstable.
# It is a range to be in, per layer, not an exact target, and it is cheap:
# compute it every few steps and print or plot it.
#
# **Exercise 14 (3 points).** `update_ratio`: one ratio per weight matrix,
# that is for every key that starts with `"W"` (`W1`, `W2`, ...). Leave the
# biases out: they start at 0, so their ratio is undefined at first and says
# little later.

# %% nbgrader={"grade": false, "grade_id": "update_ratio", "locked": false, "schema_version": 3, "solution": true}
def update_ratio(params_before, params_after):
    """The update-to-weight ratio of every weight matrix.

    params_before, params_after: dicts of arrays with the same keys, the
    parameters before and after one update.
    Returns {key: ||after - before|| / ||before||} (floats) for every key that
    starts with "W", with the Frobenius norm of the whole array (any shape).
    """
    ### BEGIN SOLUTION
    ratios = {}
    for key, before in params_before.items():
        if key.startswith("W"):
            ratios[key] = float(np.linalg.norm(params_after[key] - before) / np.linalg.norm(before))
    return ratios
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_update_ratio", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import answering, check_ratios, ratio_example
# W1 = [[3, 0], [0, 4]] has norm 5; its update [[0, .003], [.004, 0]] has norm 0.005: ratio 1e-3.
_before, _after = ratio_example()  # W2 (2 x 8, all 0.5) has norm 2, one entry moves by 0.004: 2e-3; b1, b2 move
with answering("update_ratio"):  # the course's update_ratio refused
    _ratios = update_ratio(_before, _after)
check_ratios(_ratios, {"W1": 1e-3, "W2": 2e-3}, (_before, _after), kept=ratio_example())  # inputs kept too
passed("update_ratio: 1e-3 and 2e-3 on the worked example, biases left out")

# %% nbgrader={"grade": true, "grade_id": "test_update_ratio_shapes", "locked": true, "points": 1, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import answering, check_ratios, conv_net_params, torch_ratios
_before, _after = conv_net_params(seed=11)  # W1 (4, 3, 3, 3) float32, gamma1, beta1, W2 (36, 10), b1, b2
_expected = torch_ratios(_before, _after)  # W1 and W2 only, by torch.linalg.vector_norm
with answering("update_ratio"):
    _ratios = update_ratio(_before, _after)
check_ratios(_ratios, _expected, (_before, _after), case="any shape")
passed("update_ratio agrees with torch.linalg.vector_norm on a 4-D filter bank and a matrix")

# %% [markdown]
# The ratio of every layer at every step of the deep net of section 8, at a
# learning rate that is too low, at the best one of the search, and at one
# that is too high (your `update_ratio`, called after every update):

# %% tags=["demo"]
from helpers.babysit import plot_ratios, watch_ratios

ratio_runs = {f"lr {lr:g}": watch_ratios(train_and_score, lr, reg=1e-4, ratio=update_ratio)
              for lr in (0.001, 0.1, 1.0)}
plot_ratios(ratio_runs)
for name, run in ratio_runs.items():
    medians = ", ".join(f"{k} {np.median(r):.1e}" for k, r in run["ratios"].items())
    print(f"{name:8s} median ratio per step: {medians}; final validation accuracy {run['val_acc']:.2f}")

# %% [markdown]
# At lr 0.001 every layer moves by a few $10^{-4}$ of its size per step: in
# 84 steps the weights barely change, and the net ends at 0.18. At lr 0.1,
# the best of the search, the hidden layers move by nearly $10^{-2}$ per step
# and the output layer by about twice that: above the rule of thumb, because
# a budget of 84 steps rewards bold steps (a longer training would do best
# with a smaller rate). At lr 1.0 the first steps change the weights by 10%
# to 100%, the loss explodes, and then the ratios fall and settle at one
# value for every layer, while the network has stopped learning.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_update_ratio", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# **Question (2 points).** (a) At lr 0.1, which layer has the largest ratio?
# If one layer's ratio were a hundred times the others', what could you
# change? (b) In the run at lr 1.0, the ratio of every layer ends at about
# $2 \cdot 10^{-3}$, right in the "healthy" range, although the network
# predicts at chance. Explain that value from the settings (weight decay
# `reg = 1e-4`, momentum 0.9, lr 1.0). Hint: which gradient is left once every
# hidden unit is dead, and what is momentum's steady step?
#
# ### BEGIN SOLUTION
# *Model answer.* (a) The output layer `W4` (a median of about 1.7e-2 per
# step, against 7e-3 to 8e-3 for the hidden layers). A layer that moves a hundred times faster than the
# others needs a smaller step of its own: a per-layer learning rate, a better
# initial scale for that layer (tiny weights make the ratio large), a
# normalisation layer, or an adaptive optimizer such as Adam, which scales
# each weight's step by its own gradient size. (b) After the explosion every
# ReLU unit is dead, so no gradient of the data loss reaches any weight
# (the hidden activations are all 0, so even `W4` gets none). Only the weight
# decay's gradient $2\,\mathrm{reg}\,W$ remains, a constant fraction of $W$.
# Momentum's steady step is $\eta/(1-\mu)$ times the gradient, so every
# layer shrinks by $\frac{\eta}{1-\mu}\, 2\,\mathrm{reg} =
# \frac{1.0}{0.1} \cdot 2 \cdot 10^{-4} = 2\cdot 10^{-3}$ per step, whatever its
# size. A ratio in the healthy range is not a healthy network: read it with
# the loss and the accuracy.
#
# *Rubric (2 points).* 1 point: `W4` (the output layer) largest, with a
# sensible remedy for a layer far out of line. 1 point: dead units leave only
# the weight-decay gradient $2\,\mathrm{reg}\,W$, and momentum's steady step
# $\eta/(1-\mu)$ times it gives $2\cdot 10^{-3}$.
# ### END SOLUTION

# %% [markdown]
# ### Reading training curves
#
# Below are four real training runs of the same kind of deep net (3 × 64
# ReLU units, SGD with momentum 0.9, MNIST-1D). In each, one thing went
# wrong, a different one each time:
#
# | label | what went wrong |
# | --- | --- |
# | `"lr_too_high"` | the learning rate is far too large |
# | `"lr_too_low"` | the learning rate is far too small |
# | `"overfitting"` | the net memorises a training set that is too small |
# | `"dead_network"` | every hidden ReLU unit outputs 0, for every input |
#
# The top row shows the training loss at every step (grey) and smoothed
# (blue), with the loss of a uniform guess over 10 classes, $\ln 10 \approx
# 2.30$; the bottom row the training and validation accuracy after each epoch.

# %% tags=["demo"]
from helpers.babysit import diagnosis_runs, plot_runs

plot_runs(diagnosis_runs(data));

# %% [markdown]
# **Exercise 15 (2 points).** `diagnosis`: a dict from each run's letter to
# its label, each label used once. The test checks the form now; whether each
# diagnosis is right is checked when your notebook is graded.

# %% nbgrader={"grade": false, "grade_id": "diagnosis", "locked": false, "schema_version": 3, "solution": true}
# diagnosis = {"A": "...", "B": "...", "C": "...", "D": "..."}
### BEGIN SOLUTION
diagnosis = {"A": "lr_too_high", "B": "overfitting", "C": "lr_too_low", "D": "dead_network"}
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_diagnosis", "locked": true, "points": 2, "schema_version": 3, "solution": false}
from helpers.checks import passed
from helpers.checks.tuning import check_diagnosis_form
check_diagnosis_form(diagnosis)  # the keys "A" to "D", each of the four labels once
passed("diagnosis has the right form; whether each run is diagnosed right is checked when graded")
### BEGIN HIDDEN TESTS
from helpers.checks import check_true
_wrong = sorted(_k for _k, _v in {"A": "lr_too_high", "B": "overfitting", "C": "lr_too_low",
                                  "D": "dead_network"}.items() if diagnosis[_k] != _v)
check_true(not _wrong, f"The run(s) {_wrong} are not diagnosed right.",
           hint="compare the loss with ln 10 and its noise, and training with validation accuracy.")
passed("every run is diagnosed right")
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_diagnosis", "locked": false, "points": 3, "schema_version": 3, "solution": true}
# **Question (3 points).** For each run, what in its curves gave its problem
# away, and what one change would you try first?
#
# ### BEGIN SOLUTION
# *Model answer.* A (lr too high): the loss drops in the first steps, then
# jumps around a plateau near 2 with spikes up to ln 10 and beyond; the
# accuracies stay low (0.15 to 0.35) and jump from epoch to epoch, training
# and validation together. Fix: a learning rate 3 to 10 times smaller (or a
# decaying schedule). B (overfitting): the training loss goes to 0 and the
# training accuracy to 1.0 within about 15 epochs, while the validation
# accuracy stays near 0.3 and stops improving: a huge gap. Fix: more
# training data (this run had only 200 signals), then weight decay or
# dropout, a smaller net, or stopping early. C (lr too low): a smooth, slow,
# steady decrease of the loss, still going down at the end, with training and
# validation accuracy rising slowly together (about 0.3 after 12 epochs).
# Fix: a learning rate about 10 times larger (or many more epochs). D (dead
# network): the loss sits exactly at ln 10 from the first step to the last,
# without any noise, and both accuracies stay at chance (0.1): no gradient
# reaches the hidden layers, only the output bias can learn the class
# frequencies. Fix: look at the initialisation (here biases far below 0 made
# every unit negative; start them at 0 with He-initialised weights), use a
# leaky ReLU, or lower the learning rate if a blow-up killed the units.
#
# *Rubric (3 points).* 1 point: A and C told apart by noise and plateau
# against a smooth slow decrease, with a learning-rate fix in the right
# direction for each. 1 point: B's gap between training (1.0) and validation
# accuracy, with a fix against overfitting. 1 point: D's perfectly flat loss
# at ln 10 with chance accuracy, with a cause or fix (initialisation, dead
# ReLUs).
# ### END SOLUTION

# %% [markdown]
# ## 10. The same thing in PyTorch
#
# `torch.optim` holds the same optimizers. Each is built from the tensors it
# will change, and `step()` uses the gradients that `loss.backward()` left in
# their `.grad`:
#
# | ours | `torch.optim` |
# | --- | --- |
# | `SGD(lr)` | `SGD(params, lr)` |
# | `Momentum(lr, momentum)` | `SGD(params, lr, momentum=0.9)` |
# | `Nesterov(lr, momentum)` | `SGD(params, lr, momentum=0.9, nesterov=True)` |
# | `AdaGrad(lr, eps=1e-7)` | `Adagrad(params, lr, eps=1e-7)` (default eps 1e-10) |
# | `RMSProp(lr, decay_rate=0.99)` | `RMSprop(params, lr, alpha=0.99, eps=1e-7)` (default eps 1e-8) |
# | `Adam(lr, beta1, beta2)` | `Adam(params, lr, betas=(0.9, 0.999), eps=...)` |
# | `optimizer.update(params, grads)` | `optimizer.zero_grad(); loss.backward(); optimizer.step()` |
# | `minibatches(X, y, B, rng)` | `DataLoader(TensorDataset(X, y), batch_size=B, shuffle=True)` |
# | `StepDecay`, ... | `lr_scheduler.StepLR`, ...: `scheduler.step()` once per epoch |
#
# Two conventions differ from the formulas of this notebook (which follow the
# classic textbook ones):
#
# - **Where $\epsilon$ goes in Adam.** PyTorch computes
#   $p \leftarrow p - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)$ with the
#   bias-corrected $\hat v = v/(1-\beta_2^t)$; we add $\epsilon$ to $\sqrt v$
#   *before* the correction. Ours equals PyTorch's with
#   $\epsilon_\text{torch} = \epsilon\,/\sqrt{1-\beta_2^t}$, which changes with $t$
#   (about $32\,\epsilon$ at the first step). The two agree exactly only at
#   $\epsilon = 0$, which is why the tests use it; with $\epsilon = 10^{-7}$
#   they differ by about $\epsilon/|g|$ relative, harmless but above $10^{-10}$.
#   (AdaGrad and RMSProp add $\epsilon$ to $\sqrt h$ in both.)
# - **The form of momentum.** We keep $v \leftarrow \mu v - \eta g$, $p \leftarrow p + v$;
#   PyTorch keeps $b \leftarrow \mu b + g$ and steps $p \leftarrow p - \eta b$. With a
#   constant $\eta$, $v = -\eta b$ and the paths are identical (that is how
#   the tests could compare them). When $\eta$ changes (a schedule), ours keeps
#   the old velocity at the old rate, while PyTorch rescales the whole
#   accumulated velocity by the new rate at once. (PyTorch also starts its
#   buffer with the first gradient itself, $b_1 = g_1$, which equals our $v_1 = -\eta g_1$ up to the factor.)
#
# First, all six of your optimizers against `torch.optim` for ten steps:

# %% tags=["demo"]
def run_mine(make, steps=10, lr_at=None):
    from helpers.checks.optimizers import gradient, start_params
    params, opt, path = start_params(0), make(), []
    for t in range(steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.update(params, gradient(params, t))
        path.append({k: v.copy() for k, v in params.items()})
    return path


def run_torch(cls, steps=10, lr_at=None, **kwargs):
    from helpers.checks.optimizers import torch_path, start_params
    return torch_path(cls, kwargs, start_params(0), steps, lr_at=lr_at)


def largest_difference(a, b):
    return max(relative_difference(x[k], y[k]) for x, y in zip(a, b) for k in x)


pairs = {
    "SGD": (lambda: SGD(lr=0.05), torch.optim.SGD, {"lr": 0.05}),
    "Momentum": (lambda: Momentum(lr=0.05), torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "Nesterov": (lambda: Nesterov(lr=0.05), torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": (lambda: AdaGrad(lr=0.05), torch.optim.Adagrad, {"lr": 0.05, "eps": 1e-7}),
    "RMSProp": (lambda: RMSProp(lr=0.05), torch.optim.RMSprop, {"lr": 0.05, "alpha": 0.99, "eps": 1e-7}),
    "Adam, eps = 0": (lambda: Adam(lr=0.05, eps=0.0), torch.optim.Adam, {"lr": 0.05, "eps": 0.0}),
    "Adam, eps = 1e-7 in both": (lambda: Adam(lr=0.05), torch.optim.Adam, {"lr": 0.05, "eps": 1e-7}),
}
for name, (make, cls, kwargs) in pairs.items():
    print(f"{name:26s} largest relative difference over 10 steps: "
          f"{largest_difference(run_mine(make), run_torch(cls, **kwargs)):.1e}")

# %% [markdown]
# The momentum forms part ways as soon as the learning rate changes: here it
# drops from 0.05 to 0.005 after five steps. Right after the drop PyTorch's
# step is ten times smaller at once, while our velocity still carries the
# steps taken at 0.05 and fades out over several steps.

# %% tags=["demo"]
drop = lambda t: 0.05 if t < 5 else 0.005
ours_path = run_mine(lambda: Momentum(lr=0.05), lr_at=drop)
torch_path_ = run_torch(torch.optim.SGD, lr_at=drop, lr=0.05, momentum=0.9)
for t in (4, 5, 6, 9):
    gap = max(np.max(np.abs(ours_path[t][k] - torch_path_[t][k])) for k in ours_path[t])
    print(f"after step {t + 1:2d}: largest difference of a weight {gap:.1e}")

# %% [markdown]
# The schedules of `helpers.optim` against `torch.optim.lr_scheduler`
# (PyTorch's scheduler changes the optimizer's `lr` at every `scheduler.step()`;
# past `T_max` its cosine goes up again, ours stays at `lr_min`, so we compare
# the first 12 epochs with `total = T_max = 11`):

# %% tags=["demo"]
def torch_lrs(make_scheduler, epochs=12):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler, lrs = make_scheduler(opt), []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(lrs)


lr_scheduler = torch.optim.lr_scheduler
comparisons = {
    "step": (optim.StepDecay(0.1, step_size=3, gamma=0.5), lambda o: lr_scheduler.StepLR(o, 3, gamma=0.5)),
    "exponential": (optim.ExponentialDecay(0.1, gamma=0.9), lambda o: lr_scheduler.ExponentialLR(o, 0.9)),
    "1/t": (optim.InverseTimeDecay(0.1, k=0.5), lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + 0.5 * e))),
    "cosine": (optim.CosineDecay(0.1, total=11, lr_min=0.01),
               lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=11, eta_min=0.01)),
}
for name, (ours, theirs) in comparisons.items():
    mine_lrs = np.array([ours(e) for e in range(12)])
    print(f"{name:12s} largest difference over 12 epochs: {np.max(np.abs(mine_lrs - torch_lrs(theirs))):.1e}")

# %% [markdown]
# Finally a full PyTorch training loop: the same 40-100-10 network, a
# `DataLoader` for the mini-batches, `torch.optim.Adam` and a cosine schedule.
# (PyTorch initialises `nn.Linear` its own way, and float32 rounds differently,
# so expect a validation accuracy near, not equal to, your Adam's above.)

# %% tags=["demo"]
from torch.utils.data import DataLoader, TensorDataset

model = torch.nn.Sequential(torch.nn.Linear(40, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
loader = DataLoader(TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)),
                    batch_size=128, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(0))
t0 = time.perf_counter()
for epoch in range(10):
    for xb, yb in loader:
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()
with torch.no_grad():
    val_acc = (model(torch.tensor(X_val, dtype=torch.float32)).argmax(1).numpy() == y_val).mean()
print(f"10 epochs in {time.perf_counter() - t0:.1f} s: last batch loss {loss.item():.3f}, "
      f"validation accuracy {val_acc:.3f}")

# %% [markdown]
# **Summary.** An optimizer turns gradients into steps. Momentum averages the
# gradients over time, so consistent directions speed up and oscillating ones
# cancel, with a steady step of $\eta/(1-\mu)$ times the gradient; AdaGrad,
# RMSProp and Adam scale each weight's step by the size of its recent
# gradients; Adam does both, with a bias correction for its first steps.
# Mini-batches make each step cheap, and a schedule makes the final steps
# small. The learning rate and the weight decay are chosen on the validation
# set, by random search on a log scale, coarse then fine; while a net trains,
# the update-to-weight ratio and the shape of the curves tell what goes wrong. PyTorch's `torch.optim` computes the same updates, with
# its own conventions for $\epsilon$ and for the momentum buffer.
