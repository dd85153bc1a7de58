"""The test steps of notebook 03 (backpropagation), so that its test cells stay short.

A test cell shows the inputs, the call to the student's code and the
comparison; what it compares with comes from here: PyTorch's autograd and
losses (the oracles), numerical gradients, the inputs of each case, and the
hints. :func:`answering` is the one block every answer of the notebook runs
in: the course's own version of the exercise refused, and PyTorch too (these
are NumPy exercises).

Imported by the test cells of notebook 03 (it imports torch), and locked like
:mod:`helpers.checks.losses`.
"""
from __future__ import annotations

import contextlib
import math
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .. import layers, nets
from ..data import load_mnist1d, train_val_split
from ..gradcheck import eval_numerical_gradient, eval_numerical_gradient_array
from . import integrity
from .assertions import check_close, check_equal, check_shape, check_true
from .guard import without_reference
from .oracles import torch_grads, torch_two_layer_loss, torch_two_layer_net

__all__ = ["REFERENCES", "answering", "random_arrays", "torch_grads", "HINTS", "LN_10",
           "circuit_torch", "neuron_torch", "staged_torch", "numerical_gradient_of", "CIRCUIT_POINTS",
           "STAGED_POINTS", "random_neurons", "check_neuron", "neuron_numerical_dw",
           "torch_affine", "affine_grads", "GRADIENT_HINTS", "check_grads", "affine_forward_cases",
           "torch_relu", "relu_forward_cases", "relu_backward_cases", "torch_sigmoid", "sigmoid_forward_cases",
           "large_sigmoid_inputs", "check_no_nan", "sigmoid_backward_cases", "torch_tanh", "tanh_backward_cases",
           "torch_cross_entropy", "check_softmax", "softmax_cases", "softmax_numerical_dx", "large_scores",
           "torch_bce", "check_bce", "check_bce_large", "net_example", "check_init", "torch_scores",
           "check_net_loss", "check_net_reg", "check_net_numerical", "torch_count", "mnist1d_split",
           "check_accuracy", "tanh_example", "neuron_example", "softmax_example", "equal_scores", "with_params",
           "training_signals", "trained_scores", "large_logits"]

integrity.snapshot()  # torch is imported now: record it

_default_rng, _asarray, _array, _float64 = np.random.default_rng, np.asarray, np.array, np.float64
_isnan, _isfinite, _where, _prod, _zeros = np.isnan, np.isfinite, np.where, np.prod, np.zeros
_std, _allclose, _mean, _argmax, _log, _np_tanh = np.std, np.allclose, np.mean, np.argmax, math.log, np.tanh
_tensor, _sigmoid, _tanh, _maximum, _relu = torch.tensor, torch.sigmoid, torch.tanh, torch.maximum, F.relu
_cross_entropy, _bce, _linear = F.cross_entropy, F.binary_cross_entropy_with_logits, F.linear

#: The course's own version of each exercise: refused while the answer runs.
REFERENCES = {
    "affine_forward": layers.affine_forward, "affine_backward": layers.affine_backward,
    "relu_forward": layers.relu_forward, "relu_backward": layers.relu_backward,
    "sigmoid_forward": layers.sigmoid_forward, "sigmoid_backward": layers.sigmoid_backward,
    "tanh_forward": layers.tanh_forward, "tanh_backward": layers.tanh_backward,
    "softmax_loss": layers.softmax_loss, "sigmoid_bce_loss": layers.sigmoid_bce_loss,
    "TwoLayerNet": nets.TwoLayerNet,
}


@contextlib.contextmanager
def answering(exercise, errors=None):
    """The block a student's answer runs in: the checks verified first, the
    course's own ``exercise`` (a name of :data:`REFERENCES`) refused, and
    PyTorch too. ``errors="ignore"`` also silences NumPy's floating-point
    warnings (an overflow in ``np.exp`` costs nothing)."""
    with without_reference(REFERENCES[exercise]):
        if errors is None:
            yield
        else:
            with np.errstate(all=errors):
                yield


def random_arrays(seed, *shapes):
    """Standard normal float64 arrays of the given shapes, drawn in order from
    ``np.random.default_rng(seed)``."""
    rng = _default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


#: The hints of the notebook's checks, by what they are about.
HINTS = {
    "circuit forward": "forward: a = x*y, b = max(z, w), c = a + b, f = 2*c.",
    "dx": "dx = (local gradient y) * (upstream gradient of x*y, which is 2).",
    "dy": "dy = (local gradient x) * (upstream gradient of x*y, which is 2).",
    "dz": "z is the larger input of max: it receives the whole upstream gradient.",
    "dw": "w is the smaller input of max: its gradient is 0.",
    "circuit formula": "compare your forward pass with the formula.",
    "max gate": "when w > z, the max gate sends the gradient to w, not z.",
    "sigmoid at 1": "here w0*x0 + w1*x1 + w2 = 1.0 and sigmoid(1.0) = 0.731.",
    "local gradient": "df/dw2 = (1 - f) * f * 1 = 0.197.",
    "neuron dw": "dw = (1 - f) * f * [x0, x1, 1].",
    "neuron dx": "dx = (1 - f) * f * [w0, w1].",
    "staged forward": "the forward pass is given: did you change it?",
    "staged dx": ("x is used three times (numerator, sigmoid(x), x + y): add all three "
                  "contributions with +=, do not overwrite dx with =."),
    "staged dy": "y is used twice (sigmoid(y), x + y): add both contributions with +=.",
    "staged dx again": "add every use of x with +=.",
    "staged dy again": "add every use of y with +=.",
    "affine out": ("flatten each sample first: x.reshape(N, -1) has shape (2, 20); then "
                   "out = x_flat @ w + b (the bias is added to every row)."),
    "affine cache": "The cache must be the tuple (x, w, b), as affine_backward expects.",
    "square dw": "dw = x.T @ dout; dout.T @ x is its transpose, with the same shape here.",
    "square dx": "dx = dout @ w.T.",
    "relu forward": "out is x where x > 0 and 0 elsewhere.",
    "relu any shape": "work elementwise on an array of any shape.",
    "relu in place": ("relu_forward changed its input in place; compute a new array, e.g. "
                      "np.maximum(x, 0)."),
    "relu backward": ("the gradient passes where the input x was positive (not where dout is "
                      "positive) and is 0 elsewhere."),
    "sigmoid forward": "sigma(x) = 1 / (1 + exp(-x)).",
    "sigmoid cache": "sigmoid caches its output: the backward pass needs only sigma(x).",
    "sigmoid overflow": ("exp of a large number is inf, and inf / inf is nan: write the sigmoid so that at "
                         "most one exp overflows, e.g. 1 / (1 + np.exp(-x))."),
    "sigmoid backward": ("the cache is already out = sigma(x): dx = dout * out * (1 - out), "
                         "without applying the sigmoid again."),
    "tanh forward": "np.tanh computes it (and stays finite for large |x|).",
    "tanh cache": "tanh caches its output.",
    "tanh backward": "the cache is already out = tanh(x): dx = dout * (1 - out**2).",
    "softmax loss": "loss = mean over samples of -log(probability of the correct class).",
    "softmax dx": "dx = (probabilities - one_hot(y)) / N: did you divide by N?",
    "softmax dx again": "dx = (probabilities - one_hot(y)) / N.",
    "ln 10": "equal scores give probability 1/10 for every class, so the loss is ln 10.",
    "softmax overflow": ("exp(1000) overflows to inf and inf / inf is nan: subtract each row's maximum "
                         "from the scores before np.exp."),
    "bce loss": "loss = mean of -y log p - (1 - y) log(1 - p), p = sigmoid(x).",
    "bce dx": "dx = (sigmoid(x) - y) / N: did you divide by N?",
    "bce log": ("log(sigmoid(x)) breaks for large |x|: sigmoid(40) rounds to 1.0 and log(1 - 1.0) = -inf. "
                "Write the loss as softplus(x) - y * x with softplus(x) = max(x, 0) + log1p(exp(-|x|))."),
    "bce dx large": "dx = (sigmoid(x) - y) / N, with a sigmoid that is right for large |x|.",
    "scores": ("with y=None, loss returns the scores, one row per sample: "
               "scores = relu(X @ W1 + b1) @ W2 + b2."),
    "count 26": "3*4 weights + 4 biases + 4*2 weights + 2 biases.",
    "count 41": "three layers: (3*4 + 4) + (4*4 + 4) + (4*1 + 1).",
    "count": "one weight matrix and one bias vector per pair of consecutive sizes.",
    "count tuple": ("a tuple has no .copy() and cannot be changed: read the sizes without "
                    "modifying them, e.g. zip(sizes[:-1], sizes[1:]), or make a list(...) first."),
    "trained": "return the Solver (or the net) after training.",
    "overfit": ("look at solver.loss_history: if the loss falls slowly, raise the learning rate or "
                "the number of epochs; if it jumps or grows, lower the learning rate."),
    "tune": ("tune the learning rate first (factors of 10), then the epochs, the hidden size "
             "and reg; plot solver.loss_history and the accuracies to see what goes wrong."),
}
LN_10 = _log(10.0)


# ---------------------------------------------------------------- gates and neurons
def circuit_torch(x, y, z, w):
    """f = 2 * (x*y + max(z, w)) on tensors."""
    return 2 * (x * y + _maximum(z, w))


def neuron_torch(w, x):
    """f = sigmoid(w0*x0 + w1*x1 + w2) on tensors."""
    return _sigmoid(w[0] * x[0] + w[1] * x[1] + w[2])


def staged_torch(x, y):
    """f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)**2) on tensors."""
    return (x + _sigmoid(y)) / (_sigmoid(x) + (x + y) ** 2)


def numerical_gradient_of(torch_fn, point):
    """The numerical gradient of the scalar ``torch_fn(*point)`` at ``point``."""
    integrity.verify()
    return eval_numerical_gradient(lambda v: torch_fn(*_tensor(v)).item(), _array(point, dtype=_float64))


#: The hidden points of the circuit (one with w > z) and of the staged computation.
CIRCUIT_POINTS = [(1.5, 2.0, -3.0, 4.5), (-2.0, 0.5, 0.7, -0.2), (0.25, -1.5, -4.0, -3.5)]
STAGED_POINTS = [(0.5, 1.5), (-1.2, 0.3), (2.0, 2.0), (-0.7, -2.5)]


def neuron_example():
    """The worked example: w = [2, -3, -3], x = [-1, -2] (w0*x0 + w1*x1 + w2 = 1)."""
    return _array([2.0, -3.0, -3.0]), _array([-1.0, -2.0])


def random_neurons(seed=2, n=3):
    """``n`` random neurons ``(w (3,), x (2,))``."""
    rng = _default_rng(seed)
    for _ in range(n):
        yield rng.standard_normal(3), rng.standard_normal(2)


def check_neuron(w, x, f, dw, dx, oracle=""):
    """``f``, ``dw``, ``dx`` of the sigmoid neuron against PyTorch autograd;
    ``oracle`` is added to the names of the gradients."""
    tf, (tdw, tdx) = torch_grads(neuron_torch, w, x)
    check_close("f", f, tf)
    check_close(f"dw{oracle}", dw, tdw, hint=HINTS["neuron dw"])
    check_close(f"dx{oracle}", dx, tdx, hint=HINTS["neuron dx"])


def neuron_numerical_dw(w, x):
    """The numerical gradient of the neuron with respect to ``w``."""
    integrity.verify()
    x_t = _tensor(_array(x, dtype=_float64))
    return eval_numerical_gradient(lambda v: neuron_torch(_tensor(v), x_t).item(), _array(w, dtype=_float64))


# ---------------------------------------------------------------- the affine layer
def torch_affine(x, w, b):
    """``F.linear`` of the flattened ``x``: the expected affine_forward."""
    integrity.verify()
    x, w, b = (_tensor(_array(a, dtype=_float64)) for a in (x, w, b))
    return _linear(x.reshape(len(x), -1), w.T, b).numpy()


def _affine_torch(x, w, b):
    return _linear(x.reshape(len(x), -1), w.T, b)


def affine_grads(x, w, b, dout, oracle="autograd"):
    """{"dx", "dw", "db"} of the affine layer for upstream ``dout``, by PyTorch
    autograd or (``oracle="numerical"``) by numerical gradients."""
    if oracle == "autograd":
        _, (dx, dw, db) = torch_grads(_affine_torch, x, w, b, upstream=dout)
        return {"dx": dx, "dw": dw, "db": db}
    integrity.verify()
    fwd = lambda x, w, b: _affine_torch(_tensor(x), _tensor(w), _tensor(b)).numpy()
    return {"dx": eval_numerical_gradient_array(lambda v: fwd(v, w, b), x.copy(), dout),
            "dw": eval_numerical_gradient_array(lambda v: fwd(x, v, b), w.copy(), dout),
            "db": eval_numerical_gradient_array(lambda v: fwd(x, w, v), b.copy(), dout)}


#: What a wrong shape and a wrong value of each gradient usually mean.
GRADIENT_HINTS = {
    "affine_backward": {
        "dx": ("dx has the shape of x, (3, 2, 3): reshape dout @ w.T back.", "dx = dout @ w.T, reshaped to x.shape."),
        "dw": ("dw has the shape of w, (6, 4): it is x_flat.T @ dout, not dout.T @ x_flat.",
               "dw = x_flat.T @ dout, with x_flat = x.reshape(N, -1)."),
        "db": ("db has the shape of b: sum dout over the batch (axis 0).",
               "db = dout.sum(axis=0): b is added to every row."),
    },
}


def check_grads(exercise, yours, expected):
    """Each gradient of ``yours`` ({name: array}) has the shape of its
    ``expected`` one, then each is close to it, with the hints of
    :data:`GRADIENT_HINTS` ``[exercise]``."""
    hints = GRADIENT_HINTS[exercise]
    for name, value in yours.items():
        check_shape(name, value, _asarray(expected[name]).shape, hint=hints[name][0])
    for name, value in yours.items():
        check_close(name, value, expected[name], hint=hints[name][1])


def affine_forward_cases(seed=324):
    """The hidden inputs ``(x, w, b)`` of affine_forward: a 2-D and a 4-D x."""
    rng = _default_rng(seed)
    for shape, M in [((3, 6), 4), ((1, 2, 3, 2), 5)]:
        x = rng.standard_normal(shape)
        yield x, rng.standard_normal((int(_prod(shape[1:])), M)), rng.standard_normal(M)


# ---------------------------------------------------------------- activations
def _away_from_kink(x):
    return _where(x >= 0, x + 0.1, x - 0.1)


def torch_sigmoid(x):
    """``torch.sigmoid`` of ``x`` in float64, as an array."""
    integrity.verify()
    return _sigmoid(_tensor(_array(x, dtype=_float64))).numpy()


def torch_tanh(x):
    """``torch.tanh`` of ``x`` in float64, as an array."""
    integrity.verify()
    return _tanh(_tensor(_array(x, dtype=_float64))).numpy()


def torch_relu(x):
    """``F.relu`` of ``x`` in float64, as an array."""
    integrity.verify()
    return _relu(_tensor(_array(x, dtype=_float64))).numpy()


def relu_forward_cases():
    """``(name, x, a copy of x, hint)``: a (2, 3) example with a 0, then a
    random (2, 3, 4) array."""
    x = _array([[-2.0, -0.5, 0.0], [0.5, 1.5, -3.0]])
    yield "relu_forward(x)", x, x.copy(), HINTS["relu forward"]
    x, = random_arrays(306, (2, 3, 4))
    yield "relu_forward on a (2, 3, 4) array", x, x.copy(), HINTS["relu any shape"]


def _numerical(torch_fn, x, dout):
    integrity.verify()
    return eval_numerical_gradient_array(lambda v: torch_fn(_tensor(v)).numpy(), _array(x, dtype=_float64), dout)


def _backward_cases(seed, torch_fn, cache_of, first, second, name, hint, scale=1.0, away=False):
    """``(name, cache, dout, expected dx, hint)`` of an activation's backward
    pass: a ``first``-shaped case against autograd, then a ``second``-shaped
    one against the numerical gradient."""
    rng = _default_rng(seed)
    for shape, oracle in ((first, "autograd"), (second, "numerical")):
        x = rng.standard_normal(shape)
        x = _away_from_kink(x) if away else x * scale
        dout = rng.standard_normal(shape)
        if oracle == "autograd":
            _, (dx,) = torch_grads(torch_fn, x, upstream=dout)
            yield f"{name}(dout, {'x' if away else 'out'})", cache_of(x), dout, dx, hint
        else:
            yield f"{name} on a {shape} array (numerical gradient)", cache_of(x), dout, _numerical(torch_fn, x, dout), None
        scale = 1.0


def relu_backward_cases():
    """relu_backward: x (kept 0.1 away from the kink at 0) and dout (4, 5),
    against autograd; then (2, 3, 4) against the numerical gradient."""
    return _backward_cases(307, _relu, lambda x: x, (4, 5), (2, 3, 4), "relu_backward",
                           HINTS["relu backward"], away=True)


def sigmoid_backward_cases():
    """sigmoid_backward: x (3, 4) times 2 and dout, against autograd; then
    (2, 5) against the numerical gradient. The cache is sigma(x)."""
    return _backward_cases(309, _sigmoid, torch_sigmoid, (3, 4), (2, 5), "sigmoid_backward",
                           HINTS["sigmoid backward"], scale=2.0)


def tanh_backward_cases():
    """tanh_backward: x and dout (3, 4) against autograd; then (2, 2, 3)
    against the numerical gradient. The cache is tanh(x)."""
    return _backward_cases(311, _tanh, _np_tanh, (3, 4), (2, 2, 3), "tanh_backward", HINTS["tanh backward"])


def sigmoid_forward_cases():
    """``(name, x, hint)``: 12 points from -5 to 5 as (3, 4), then a random (2, 3, 2) array times 3."""
    yield "sigmoid_forward(x)", np.linspace(-5, 5, 12).reshape(3, 4), HINTS["sigmoid forward"]
    x, = random_arrays(308, (2, 3, 2))
    yield "sigmoid_forward on a (2, 3, 2) array", x * 3, None


def large_sigmoid_inputs():
    """``(x, hint)``: x = [-big, -50, -1, 0, 1, 50, big] with big 1000 in
    float64, then 100 in float32."""
    for dtype, big in ((np.float64, 1000.0), (np.float32, 100.0)):
        yield _array([-big, -50.0, -1.0, 0.0, 1.0, 50.0, big], dtype=dtype), HINTS["sigmoid overflow"]


def tanh_example():
    """[[-20, -2, -0.5], [0, 0.7, 20]]."""
    return _array([[-20.0, -2.0, -0.5], [0.0, 0.7, 20.0]])


def check_no_nan(call, value, hint=None):
    """Fail if ``value``, what ``call`` returned, contains nan."""
    arr = _asarray(value, dtype=_float64)
    check_true(not _isnan(arr).any(), f"{call} contains nan: {arr.tolist()}.", hint=hint)


# ---------------------------------------------------------------- losses
def torch_cross_entropy(x, y):
    """(loss, dx) of ``F.cross_entropy`` (mean over the batch) by autograd."""
    loss, (dx,) = torch_grads(lambda s: _cross_entropy(s, _tensor(y)), x)
    return loss, dx


def softmax_example():
    """Scores (5, 4), twice standard normal from seed 312, labels [0, 3, 1, 1, 2]."""
    x, = random_arrays(312, (5, 4))
    return 2 * x, _array([0, 3, 1, 1, 2])


def equal_scores():
    """Scores all 1e-3 for 3 samples of 10 classes, labels [1, 5, 9]."""
    return np.full((3, 10), 1e-3), _array([1, 5, 9])


def check_softmax(loss, dx, x, y, where="", hint=None):
    """softmax_loss's (loss, dx) against ``F.cross_entropy`` and autograd;
    ``where`` ends the names, ``hint`` replaces the usual hints."""
    tl, tdx = torch_cross_entropy(x, y)
    check_close(f"loss{where}", loss, tl, hint=hint or HINTS["softmax loss"])
    check_shape(f"dx{where}", dx, _asarray(x).shape)
    check_close(f"dx{where}", dx, tdx, hint=hint or HINTS["softmax dx"])


def softmax_cases(seed=332):
    """The hidden ``(x, y)`` of softmax_loss: one sample, two classes, ten classes."""
    rng = _default_rng(seed)
    for N, C in [(1, 3), (7, 2), (6, 10)]:
        x = rng.standard_normal((N, C))
        yield x, rng.integers(0, C, N)


def softmax_numerical_dx(x, y):
    """The numerical gradient of ``F.cross_entropy`` with respect to the scores."""
    integrity.verify()
    y_t = _tensor(y)
    return eval_numerical_gradient(lambda v: _cross_entropy(_tensor(v), y_t).item(), _array(x, dtype=_float64))


def large_scores():
    """Scores around +-1000 (and one of 800) with their labels."""
    return (_array([[1000.0, 1001.0, 999.0], [-1000.0, -999.0, -1001.0], [5.0, 2.0, 800.0]]),
            _array([1, 0, 2]))


def torch_bce(x, y):
    """(loss, dx) of ``F.binary_cross_entropy_with_logits`` (mean) by autograd."""
    loss, (dx,) = torch_grads(lambda s: _bce(s, _tensor(_array(y), dtype=torch.float64)), x)
    return loss, dx


def check_bce(loss, dx, x, y):
    """sigmoid_bce_loss's (loss, dx) against PyTorch."""
    tl, tdx = torch_bce(x, y)
    check_close("loss", loss, tl, hint=HINTS["bce loss"])
    check_shape("dx", dx, _asarray(x).shape)
    check_close("dx", dx, tdx, hint=HINTS["bce dx"])


def large_logits():
    """``(x, y)``: logits [40, -40, 3] with labels [0, 1, 1], then
    [-1000, 1000, 50, -50] with [1, 0, 1, 0]."""
    yield _array([40.0, -40.0, 3.0]), _array([0, 1, 1])
    yield _array([-1000.0, 1000.0, 50.0, -50.0]), _array([1, 0, 1, 0])


def check_bce_large(loss, dx, x, y):
    """sigmoid_bce_loss at large logits: a finite loss, right, and dx right."""
    tl, tdx = torch_bce(x, y)
    where = f"for logits {_asarray(x).tolist()}"
    check_true(_isfinite(loss), f"sigmoid_bce_loss({_asarray(x).tolist()}, {_asarray(y).tolist()}) is {loss}, "
               f"the true loss is {tl:.4f}.", hint=HINTS["bce log"])
    check_close(f"loss {where}", loss, tl, hint=HINTS["bce log"])
    check_close(f"dx {where}", dx, tdx, hint=HINTS["bce dx large"])


# ---------------------------------------------------------------- the two-layer net
def net_example(seed, sizes=(6, 5, 3), N=4, labels=None):
    """``(params, X, y)``: W1, b1, W2, b2 for layer sizes ``sizes`` (D, H, C)
    and X (N, D), all standard normal from ``seed``; y is ``labels``, or
    drawn after X."""
    rng = _default_rng(seed)
    D, H, C = sizes
    params = {"W1": rng.standard_normal((D, H)), "b1": rng.standard_normal(H),
              "W2": rng.standard_normal((H, C)), "b2": rng.standard_normal(C)}
    X = rng.standard_normal((N, D))
    y = _array(labels) if labels is not None else rng.integers(0, C, N)
    return params, X, y


def with_params(net, params):
    """``net`` holding copies of ``params`` (its own arrays stay untouched)."""
    net.params = {k: v.copy() for k, v in params.items()}
    return net


def check_init(net, same, other, sizes=(40, 200, 10)):
    """``TwoLayerNet(40, 200, 10, weight_scale=0.05, seed=3)`` and two more
    (the same seed, seed 4): the keys and shapes of ``params``, zero biases,
    weights of standard deviation about 0.05 drawn from the seed."""
    D, H, C = sizes
    params = getattr(net, "params", None)
    check_true(isinstance(params, dict) and sorted(params) == ["W1", "W2", "b1", "b2"],
               "self.params must be a dict with exactly the keys 'W1', 'b1', 'W2', 'b2'.")
    for k, shape in [("W1", (D, H)), ("b1", (H,)), ("W2", (H, C)), ("b2", (C,))]:
        check_shape(f"params['{k}']", params[k], shape)
    check_equal("params['b1']", params["b1"], _zeros(H), hint="biases start at zero.")
    check_equal("params['b2']", params["b2"], _zeros(C), hint="biases start at zero.")
    for k in ("W1", "W2"):
        std = float(_std(params[k]))
        check_true(0.045 < std < 0.055,
                   f"The standard deviation of params['{k}'] is {std:.4f}, expected about weight_scale = "
                   "0.05.", hint="W = weight_scale * rng.standard_normal(shape).")
        check_close(f"params['{k}'] for the same seed", same.params[k], params[k],
                    hint="draw the weights from the rng made from `seed`.")
        check_true(not _allclose(other.params[k], params[k]),
                   f"params['{k}'] is the same for seeds 3 and 4: use the given rng.")


def torch_scores(params, X):
    """The scores of an ``nn.Sequential`` two-layer net holding ``params``."""
    return torch_two_layer_net(params)(_tensor(_array(X, dtype=_float64))).detach().numpy()


_NET_HINTS = {"b2": "db2 = dscores summed over the batch.",
              "W2": "dW2 = hidden.T @ dscores, with hidden = relu(X @ W1 + b1).",
              "b1": "db1: backprop dscores through the second affine layer and the ReLU.",
              "W1": "dW1 = X.T @ (dhidden masked by the ReLU)."}


def check_net_loss(out, params, X, y):
    """``net.loss(X, y)`` at reg 0: the pair (loss, grads), each against PyTorch autograd."""
    check_true(isinstance(out, tuple) and len(out) == 2,
               "With labels y, loss(X, y) must return the pair (loss, grads).")
    loss, grads = out
    _, tl, tg = torch_two_layer_loss(params, X, y, reg=0.0)
    check_close("loss (reg = 0)", loss, tl, hint="softmax cross-entropy of the scores.")
    check_true(isinstance(grads, dict) and sorted(grads) == ["W1", "W2", "b1", "b2"],
               "grads must be a dict with the keys of params: 'W1', 'b1', 'W2', 'b2'.")
    for k, hint in _NET_HINTS.items():
        check_close(f"grads['{k}'] (reg = 0)", grads[k], tg[k], hint=hint)


def check_net_reg(loss, grads, params, X, y, reg):
    """``net.loss(X, y)`` with L2 regularization against PyTorch autograd."""
    _, tl, tg = torch_two_layer_loss(params, X, y, reg=reg)
    check_close(f"loss (reg = {reg})", loss, tl,
                hint="add reg * (np.sum(W1**2) + np.sum(W2**2)) to the data loss (not the biases).")
    for k in ("W1", "W2"):
        check_close(f"grads['{k}'] (reg = {reg})", grads[k], tg[k],
                    hint=f"the penalty reg * sum({k}**2) adds 2 * reg * {k} to grads['{k}'].")
    for k in ("b1", "b2"):
        check_close(f"grads['{k}'] (reg = {reg})", grads[k], tg[k],
                    hint="biases are not regularized: their gradients do not change with reg.")


def check_net_numerical(net, params, X, y, grads):
    """Every gradient of ``net`` (holding copies of ``params``) against the
    numerical gradient of its own loss."""
    for k in params:
        def f(v, k=k):
            old = net.params[k]
            net.params[k] = v
            try:
                return net.loss(X, y)[0]
            finally:
                net.params[k] = old
        check_close(f"grads['{k}'] (numerical gradient)", grads[k], eval_numerical_gradient(f, params[k].copy()))


def torch_count(sizes):
    """The number of parameters of ``nn.Linear`` layers between consecutive ``sizes``."""
    integrity.verify()
    return sum(p.numel() for a, b in zip(sizes[:-1], sizes[1:]) for p in nn.Linear(a, b).parameters())


# ---------------------------------------------------------------- training
def mnist1d_split():
    """The notebook's MNIST-1D split, fresh copies: X_train (3500, 40),
    y_train, X_val (500, 40), y_val."""
    data = load_mnist1d()
    return train_val_split(data["X_train"], data["y_train"], n_val=500, seed=0)


def training_signals(n):
    """The first ``n`` training signals of the notebook's split and their labels."""
    X, y, _, _ = mnist1d_split()
    return X[:n], y[:n]


def trained_scores(trained, X):
    """``loss(X)`` of what a training function returned: a Solver (its
    ``model``), or the net itself."""
    net = getattr(trained, "model", trained)
    return net.loss(X)


def check_accuracy(scores, y, target, what):
    """The accuracy of ``scores`` (N, 10) on labels ``y`` reaches ``target``;
    ``what`` is "training" (all of them, target 1.0) or "validation".
    Returns the accuracy."""
    scores, n = _asarray(scores), len(y)
    check_true(scores.shape == (n, 10),
               f"The trained net's loss(X) returned shape {scores.shape} for {n} examples, not ({n}, 10).",
               hint=HINTS["trained"])
    acc = float(_mean(_argmax(scores, axis=1) == y))
    if what == "training":
        check_true(acc >= target, f"The trained net classifies {acc:.0%} of the {n} training examples right, "
                   "not all of them.", hint=HINTS["overfit"])
    else:
        check_true(acc >= target, f"Validation accuracy {acc:.3f}, the target is {target}.", hint=HINTS["tune"])
    return acc


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
