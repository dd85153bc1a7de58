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
  notebook does, on :data:`REAL_SETTINGS`, three of its remedies.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import dead_relu as _dead_relu
from . import integrity
from .guard import without_reference
from .trace import probe

__all__ = ["digits_split", "dead_units", "watch_training", "scripted_choice", "REAL_SETTINGS",
           "TRAIN_REFS"]

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


# ---------------------------------------------------------------- scripted choose_setting

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
