"""The steps that notebook 06's tests share (dead ReLUs).

The tests of the training exercises need data, an independent dead-unit
count, a network that watches its own training, and a scripted trainer. They
live here, not in the notebook's setup cell, so that an answer cell cannot
redefine them, and the module refuses attribute assignment like the rest of
:mod:`helpers.checks`.

- :func:`digits_split`: the scikit-learn digits (pixels in [0, 1], so every
  input is non-negative, as in images), 1197 training / 300 validation;
- :func:`dead_units`: the fraction of columns of ``h`` that are <= 0 on every
  row, written differently from :func:`helpers.layers.dead_fraction` (max of
  each column) so that a test never compares the reference with itself;
- :func:`watch_training` (a probe): runs a student's ``train_tracking_dead``
  on a network that watches its own parameters. After every update it
  checks the step against ``-lr * grads`` of the call before, for every
  parameter, and after every epoch's worth of updates it measures the dead
  fractions on the whole training set itself: the truth each entry of the
  returned history is compared with;
- :func:`scripted_choice` (a probe): runs a student's ``choose_setting`` with
  a scripted trainer whose results are known;
- the real run uses :func:`helpers.dead_relu.train_setting`, as the
  notebook does, on :data:`REAL_SETTINGS`, three of its remedies;
- for the activation tests: their inputs (``leaky_example``,
  ``away_from_kink``, ``prelu_cases``, ``dead_cases``), PyTorch and numerical
  oracles, and the multi-step comparisons (``check_dalpha``,
  ``check_tracking``, ``check_choice``, ``check_real_choice``) with their hints.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import dead_relu as _dead_relu
from .. import layers as _layers
from . import integrity
from .assertions import check_close, check_equal, check_true
from .guard import without_reference
from .trace import probe

__all__ = ["digits_split", "dead_units", "watch_training", "scripted_choice", "REAL_SETTINGS",
           "TRAIN_REFS", "LEAKY_REFS", "PRELU_REFS", "DEAD_REFS", "CHOOSE_REFS", "IN_PLACE_HINT",
           "LEAKY_FORWARD_HINT", "LEAKY_BACKWARD_HINT", "PRELU_FORWARD_HINT", "PRELU_DX_HINT",
           "leaky_example", "torch_leaky_relu", "away_from_kink", "leaky_autograd", "leaky_numerical",
           "prelu_cases", "torch_prelu", "prelu_inputs", "dx_and_dalpha", "prelu_autograd",
           "check_dalpha", "dead_cases", "check_float", "check_tracking", "CHOICE_TABLE", "check_choice",
           "check_real_choice"]

_asarray, _mean, _errstate = np.asarray, np.mean, np.errstate
_abs, _max, _float64, _integer = np.abs, np.max, np.float64, np.integer

#: The settings of the real run: three of the notebook's remedies (lr 1.0, the
#: small init and the smaller learning rate; the last is the one to choose).
REAL_SETTINGS = tuple(dict(s) for name, s in _dead_relu.REMEDIES
                      if name.startswith(("ReLU, lr 1.0", "small init", "smaller lr")))


#: References blocked while a student's train_tracking_dead runs.
TRAIN_REFS = (_dead_relu.train_tracking_dead, _dead_relu.choose_setting)


def digits_split():
    """``(X_train, y_train, X_val, y_val)`` of the course's digits split."""
    from ..data import load_digits

    d = load_digits()
    return d["X_train"], d["y_train"], d["X_val"], d["y_val"]


def dead_units(h):
    """Fraction of units (columns of h, shape (N, H)) whose largest output
    over the batch is <= 0."""
    h = _asarray(h, dtype=float)
    return float(_mean(h.max(axis=0) <= 0))


# ---------------------------------------------------------------- Leaky ReLU and PReLU

#: The course's references, blocked while a student's answer runs.
LEAKY_REFS = (_layers.leaky_relu_forward, _layers.leaky_relu_backward)
PRELU_REFS = (_dead_relu.prelu_backward, _dead_relu.prelu_forward)
DEAD_REFS = (_layers.dead_fraction,)
CHOOSE_REFS = (_dead_relu.choose_setting,)

IN_PLACE_HINT = ("leaky_relu_forward changed its input in place; compute a new array, e.g. "
                 "np.where(x > 0, x, alpha * x).")
LEAKY_FORWARD_HINT = "out is x where x > 0 and alpha * x elsewhere (-2 becomes -0.02)."
LEAKY_BACKWARD_HINT = ("the local slope is 1 where x > 0 and alpha (a constant, not alpha * x) "
                       "where x <= 0; multiply dout by it.")
PRELU_FORWARD_HINT = ("np.where(x > 0, x, alpha * x): alpha of shape (H,) multiplies column j by alpha[j] "
                      "(broadcasting along the rows); a shape (1,) multiplies every entry.")
PRELU_DX_HINT = "dout where x > 0, and alpha[j] * dout in column j where x <= 0."
_DALPHA_HINT = ("one number per unit: the sum over the batch (axis 0) of dout * x, over the entries "
                "where x <= 0 only. Not the sum of dout, and not a value per sample.")


def leaky_example():
    """``(x, a copy of x)``: x = [[-2, -0.5, 0], [0.5, 1.5, -3]]."""
    x = np.array([[-2.0, -0.5, 0.0], [0.5, 1.5, -3.0]])
    return x, x.copy()


def torch_leaky_relu(x, alpha):
    """``F.leaky_relu`` of the array x, as an array."""
    import torch
    import torch.nn.functional as F

    return F.leaky_relu(torch.tensor(x), alpha).numpy()


def away_from_kink(shape, seed, scale=1.0):
    """``(x, dout)`` drawn from ``default_rng(seed)``: x of std ``scale``
    moved 0.1 further from 0 (a numerical gradient never straddles the
    kink), then an upstream gradient of the same shape."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * scale
    x = np.where(x >= 0, x + 0.1, x - 0.1)
    return x, rng.standard_normal(shape)


def leaky_autograd(x, dout, alpha):
    """dx of Leaky ReLU by PyTorch's autograd, for the upstream gradient dout."""
    import torch.nn.functional as F

    from .oracles import torch_grads

    return torch_grads(lambda t: F.leaky_relu(t, alpha), x, upstream=dout)[1][0]


def leaky_numerical(x, dout, alpha):
    """dx of Leaky ReLU by centred differences of PyTorch's forward pass."""
    import torch
    import torch.nn.functional as F

    from ..gradcheck import eval_numerical_gradient_array

    return eval_numerical_gradient_array(lambda v: F.leaky_relu(torch.tensor(v), alpha).numpy(),
                                         np.array(x, dtype=_float64), dout)


def prelu_cases():
    """``(x, a copy for the call, alpha)`` of the visible prelu_forward test:
    x (4, 3), with a slope per unit (0.1, 0.25, 0.5), then one shared (0.3)."""
    x = np.array([[-2.0, 0.5, -1.0], [1.5, -0.5, -3.0], [-0.2, -4.0, 2.0], [0.7, 1.0, -0.1]])
    return [(x, x.copy(), alpha) for alpha in (np.array([0.1, 0.25, 0.5]), np.array([0.3]))]


def torch_prelu(x, alpha):
    """``F.prelu`` of the array x with the slopes alpha, as an array."""
    import torch
    import torch.nn.functional as F

    return F.prelu(torch.tensor(x), torch.tensor(alpha)).numpy()


def prelu_inputs():
    """``(x, alpha, dout)`` of the visible prelu_backward test: x (6, 4) away
    from the kink, the slopes 0.05, 0.2, 0.5, 0.9, dout (6, 4)."""
    x, dout = away_from_kink((6, 4), seed=604, scale=2.0)
    return x, np.array([0.05, 0.2, 0.5, 0.9]), dout


def dx_and_dalpha(result):
    """The two arrays a student's prelu_backward returned."""
    check_true(isinstance(result, (tuple, list)) and len(result) == 2,
               "prelu_backward should return two arrays, (dx, dalpha).", hint="end with `return dx, dalpha`.")
    return result


def prelu_autograd(x, alpha, dout):
    """``(dx, dalpha)`` of PReLU by PyTorch's autograd on ``F.prelu``."""
    import torch.nn.functional as F

    from .oracles import torch_grads

    _, (dx, dalpha) = torch_grads(F.prelu, x, alpha, upstream=dout)
    return dx, dalpha


def check_dalpha(dalpha, x, alpha, dout):
    """A student's dalpha against PyTorch autograd's, then against the
    numerical gradient of F.prelu with respect to the slopes."""
    import torch
    import torch.nn.functional as F

    from ..gradcheck import eval_numerical_gradient_array

    check_close("dalpha of prelu_backward (against PyTorch autograd)", dalpha, prelu_autograd(x, alpha, dout)[1],
                hint=_DALPHA_HINT)
    num = eval_numerical_gradient_array(lambda a: F.prelu(torch.tensor(x), torch.tensor(a)).numpy(),
                                        np.array(alpha, dtype=_float64), dout)
    check_close("dalpha of prelu_backward (numerical gradient)", dalpha, num, tol=1e-7)


# ---------------------------------------------------------------- dead fraction

def dead_cases():
    """``(what, h, expected, hint)`` of the visible dead_fraction test: the
    notebook's example (2 of 4 units dead), then the ReLU outputs of a layer
    of 20 units on 500 non-negative inputs, built so that exactly units 1, 4,
    5, 9, 12, 17 and 18 are dead (negative weights and bias)."""
    example = np.array([[0.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 3.0, 0.0, 0.0]])
    rng = np.random.default_rng(603)
    X = rng.uniform(0, 1, (500, 10))          # non-negative inputs, like pixels
    W = rng.standard_normal((10, 20))
    dead = np.zeros(20, dtype=bool)
    dead[[1, 4, 5, 9, 12, 17, 18]] = True
    W[:, dead] = -np.abs(W[:, dead])          # negative weights on positive inputs ...
    b = np.where(dead, -0.1, 0.5)             # ... and a negative bias: never positive
    return [("the example", example, 0.5,
             "a unit is a column; it is dead when its whole column is <= 0. Counting zero "
             "entries gives 8/12, counting rows with some zero gives 1."),
            ("a layer with 7 dead units out of 20", np.maximum(X @ W + b, 0), 7 / 20,
             "look along axis 0 (the samples): np.all(h <= 0, axis=0) marks the dead units.")]


def check_float(value, name):
    """``value`` (what ``name`` returned) is a Python or NumPy float."""
    check_true(isinstance(value, (float, np.floating)), f"{name} should return a float, "
               f"got {type(value).__name__}.", hint="np.mean of a boolean array is a float.")


# ---------------------------------------------------------------- watching train_tracking_dead

def _spy_class():
    from ..nets import FullyConnectedNet

    class WatchedNet(FullyConnectedNet):
        """A FullyConnectedNet that checks every update it receives and
        measures its dead fractions after every epoch's worth of updates."""

        def watch(self, X, lr, steps_per_epoch):
            self._X, self._lr, self._per_epoch = X.copy(), float(lr), int(steps_per_epoch)
            self._pending = None
            self.steps, self.samples, self.truth = 0, 0, []
            self.worst, self.worst_key = 0.0, None

        def _dead_now(self):
            saved = self.activations
            FullyConnectedNet.loss(self, self._X)
            out = [dead_units(h) for h in self.activations]
            self.activations = saved
            return out

        def settle(self):
            """If the parameters changed since the last training call, that
            was an update: check it against -lr * that call's gradients."""
            if self._pending is None:
                return
            before, grads, n = self._pending
            if all(k in self.params and _asarray(self.params[k]).shape == v.shape
                   and np.array_equal(self.params[k], v) for k, v in before.items()):
                return
            self._pending = None
            for k, v in before.items():
                now = _asarray(self.params.get(k, v), dtype=_float64)
                want = -self._lr * _asarray(grads.get(k, 0.0 * v), dtype=_float64)
                scale = float(_max(_abs(want), initial=0.0))
                err = float(_max(_abs((now - v) - want), initial=0.0)) / max(scale, 1e-12)
                if err > self.worst:
                    self.worst, self.worst_key = err, k
            self.steps += 1
            self.samples += n
            if self.steps % self._per_epoch == 0:
                self.truth.append(self._dead_now())

        def loss(self, X, y=None):
            self.settle()
            out = FullyConnectedNet.loss(self, X, y)
            if y is not None:
                self._pending = ({k: np.array(v, dtype=_float64) for k, v in self.params.items()},
                                 {k: np.array(v, dtype=_float64) for k, v in out[1].items()}, len(X))
            return out

    return WatchedNet


def _plain_history(history):
    """The history as a list of lists of floats, or a string saying what it is instead."""
    if not isinstance(history, (list, tuple)):
        return f"a {type(history).__name__}, not a list"
    out = []
    for entry in history:
        values = entry if isinstance(entry, (list, tuple, np.ndarray)) else [entry]
        try:
            out.append([float(v) for v in np.ravel(_asarray(values, dtype=_float64))])
        except (TypeError, ValueError):
            return f"a list holding {type(entry).__name__}"
    return out


@probe
def watch_training(fn, hidden=(100,), lr=1.5, num_epochs=3, batch_size=50, seed=0, kill_unit=False):
    """Run ``fn(net, X_train, y_train, lr, num_epochs=..., batch_size=...,
    seed=...)`` (a student's train_tracking_dead) on a watched
    FullyConnectedNet(hidden, 64, 10) (He init, seed 1) on the digits. With
    ``kill_unit`` the first unit of the first hidden layer starts dead
    (weights and bias -1 on non-negative pixels). Returns, as data:
    ``history`` (what fn returned, as lists of floats, or a description),
    ``truth`` (the dead fractions after every epoch's worth of updates),
    ``steps`` and ``samples`` (updates applied and the samples they used),
    ``steps_per_epoch``, ``n``, ``worst_step`` (the largest relative
    difference of an update from ``-lr * grads``) and ``worst_key``,
    ``unchanged`` (parameters no update changed), ``dead_unit_moved``."""
    X, y, _, _ = digits_split()
    net = _spy_class()(list(hidden), 64, 10, activation="relu", seed=1)
    if kill_unit:
        net.params["W1"][:, 0] = -1.0
        net.params["b1"][0] = -1.0
    start = {k: np.array(v) for k, v in net.params.items()}
    w0 = (net.params["W1"][:, 0].copy(), float(net.params["b1"][0]))
    per_epoch = -(-len(X) // int(batch_size))
    net.watch(X, lr, per_epoch)
    with _errstate(all="ignore"), without_reference(*TRAIN_REFS):
        history = fn(net, X.copy(), y.copy(), lr, num_epochs=num_epochs, batch_size=batch_size, seed=seed)
    net.settle()
    unchanged = [k for k, v in start.items() if k in net.params and np.array_equal(net.params[k], v)]
    moved = not (np.array_equal(net.params["W1"][:, 0], w0[0]) and float(net.params["b1"][0]) == w0[1])
    return {"history": _plain_history(history), "truth": net.truth, "steps": net.steps,
            "samples": net.samples, "steps_per_epoch": per_epoch, "n": len(X),
            "worst_step": float(net.worst), "worst_key": net.worst_key, "unchanged": unchanged,
            "dead_unit_moved": bool(moved)}


def check_tracking(run, num_epochs):
    """What :func:`watch_training` saw of a student's train_tracking_dead on
    a net with one hidden layer: ``num_epochs`` entries of one number, every
    sample once per epoch, every update ``-lr * grads`` for every parameter,
    and each entry the dead fraction after its epoch. Returns the history."""
    hist = run["history"]
    check_true(not isinstance(hist, str), f"train_tracking_dead should return a list of lists, got {hist}.",
               hint="history.append([...]) after every epoch, then `return history`.")
    check_true(len(hist) == num_epochs,
               f"For num_epochs={num_epochs} the history should hold {num_epochs} entries, got {len(hist)}.",
               hint="append one entry after every epoch.")
    check_true(all(len(e) == 1 for e in hist),
               "This net has one hidden layer: each entry should be a list with one number.",
               hint="one dead fraction per hidden layer: [dead_fraction(h) for h in net.activations].")
    check_equal(f"the number of samples trained on ({num_epochs} epochs of {run['n']})", run["samples"],
                num_epochs * run["n"],
                hint="every sample once per epoch: minibatches(X, y, batch_size, rng=rng), the last batch too.")
    check_true(run["worst_step"] < 1e-8,
               f"An update of net.params['{run['worst_key']}'] is not -lr * grads['{run['worst_key']}'] "
               f"(relative difference {run['worst_step']:.2g}).",
               hint="plain SGD on EVERY parameter, biases included: net.params[k] -= lr * grads[k] for each "
                    "key k, once per minibatch (no momentum, no other step).")
    check_true(not run["unchanged"], f"Training never changed {run['unchanged']}.",
               hint="update every key of net.params, the biases b1, b2, ... too.")
    for e in range(num_epochs):
        check_close(f"history[{e}] (the dead fraction after epoch {e + 1})", hist[e], run["truth"][e],
                    hint="measure after the epoch's updates, on ALL of X (net.loss(X), then net.activations), "
                         "not on the last minibatch; and append a NEW list every epoch (an entry that is the "
                         "same list object as a later one shows the later numbers).")
    return hist


# ---------------------------------------------------------------- scripted choose_setting

#: Scripted results, one row per setting (two hidden layers each).
CHOICE_TABLE = (
    {"val_acc": 0.970, "dead": [0.05, 0.12], "train_acc": 0.99},  # 0: layer 2 is over the limit
    {"val_acc": 0.965, "dead": [0.10, 0.02], "train_acc": 0.97},  # 1: exactly at the limit: the best allowed
    {"val_acc": 0.960, "dead": [0.08, 0.09], "train_acc": 1.00},  # 2: the best training accuracy allowed
    {"val_acc": 0.980, "dead": [0.30, 0.00], "train_acc": 0.98},  # 3: the best accuracy, too many dead
    {"val_acc": 0.965, "dead": [0.00, 0.00], "train_acc": 0.96},  # 4: ties with 1, comes later
)


def check_choice(run, calls, chosen):
    """What :func:`scripted_choice` saw on :data:`CHOICE_TABLE` against what
    the test expects: the settings train was called with, and the index chosen."""
    check_true(not isinstance(run["result"], str),
               f"choose_setting should return the index of a setting (an int) or None, got {run['result']}.",
               hint="return i, the position of the setting in settings, not the setting or its accuracy.")
    check_equal("the settings train was called with, by position", run["calls"], calls,
                hint="call train(setting) once for every setting, in order.")
    check_true(run["result"] is not None, "choose_setting returned None, but settings 1, 2 and 4 qualify.",
               hint="a setting qualifies when max(result['dead']) <= max_dead.")
    check_equal("the chosen setting", run["result"], chosen,
                hint="among the settings whose EVERY layer has at most max_dead dead (setting 0 fails in "
                     "layer 2; exactly 0.10 is allowed: <=), the highest val_acc (not train_acc), the first "
                     "of equal ones (setting 4 ties with 1).")


def check_real_choice(best):
    """A student's ``choose_setting(train_setting, REAL_SETTINGS)``: the index
    of a setting which, trained again, keeps at most 10% of each hidden layer
    dead and reaches 0.95 validation accuracy. Returns what the test says of it."""
    check_true(not isinstance(best, bool) and isinstance(best, (int, _integer))
               and 0 <= best < len(REAL_SETTINGS),
               f"choose_setting returned {best!r:.60} for {len(REAL_SETTINGS)} settings, not the index "
               "of one of them.")
    setting = REAL_SETTINGS[best]
    result = _dead_relu.train_setting(setting)  # trained again by the test
    dead = ", ".join(f"{d:.0%}" for d in result["dead"])
    check_true(max(result["dead"]) <= 0.10, f"The setting you chose, {setting}, leaves {dead} of "
               "the units of the hidden layers dead; at most 10% in each is allowed.",
               hint="choose only among settings with max(dead) <= max_dead.")
    check_true(result["val_acc"] >= 0.95, f"The setting you chose, {setting}, reaches a "
               f"validation accuracy of {result['val_acc']:.3f}; the best allowed remedy reaches at least 0.95.",
               hint="the highest val_acc among the settings allowed.")
    return f"{setting}, {dead} dead, validation accuracy {result['val_acc']:.3f}"

@probe
def scripted_choice(fn, table, max_dead=None):
    """Run ``fn(train, settings)`` (or with ``max_dead=``) with one setting
    per row of ``table`` (dicts with "val_acc", "dead" and "train_acc") and a
    scripted ``train(setting)`` returning that row. Returns, as data:
    ``calls`` (the index of each setting train was called with, -1 for an
    unknown one) and ``result`` (the int or None returned, or a description)."""
    settings = [{"lr": 0.1 * (i + 1), "activation": "relu", "weight_init": "he_normal", "bias_init": 0.0}
                for i in range(len(table))]
    calls = []

    def train(setting):
        i = next((n for n, s in enumerate(settings) if s is setting), None)
        if i is None:
            i = next((n for n, s in enumerate(settings) if s == setting), -1)
        calls.append(int(i))
        if len(calls) > 10 * len(settings):
            raise RuntimeError("train was called far more often than once per setting.")
        row = table[i] if i >= 0 else {"val_acc": 0.0, "dead": [1.0], "train_acc": 0.0}
        return {"val_acc": float(row["val_acc"]), "dead": [float(d) for d in row["dead"]],
                "train_acc": float(row["train_acc"]), "diverged": False}

    kwargs = {} if max_dead is None else {"max_dead": max_dead}
    with without_reference(_dead_relu.choose_setting):
        result = fn(train, settings, **kwargs)
    if result is None:
        plain = None
    elif isinstance(result, (int, _integer)) and not isinstance(result, (bool, np.bool_)):
        plain = int(result)
    else:
        plain = f"a {type(result).__name__} ({result!r:.60})"
    return {"calls": calls, "result": plain}


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
