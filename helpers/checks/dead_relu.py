"""The steps that notebook 06's tests share (dead ReLUs).

The tests of the training exercises need data, an independent dead-unit
count and a fixed training run. They live here, not in the notebook's setup
cell, so that an answer cell cannot redefine them, and the module refuses
attribute assignment like the rest of :mod:`helpers.checks`.

- :func:`digits_split`: the scikit-learn digits (pixels in [0, 1], so every
  input is non-negative, as in images), 1197 training / 300 validation;
- :func:`dead_units`: the fraction of columns of ``h`` that are <= 0 on every
  row, written differently from :func:`helpers.layers.dead_fraction` (max of
  each column) so that a test never compares the reference with itself;
- :func:`train_settings`: trains the notebook's [100, 100] network on digits
  with a student's settings (learning rate, activation, weight init, bias
  init) by plain minibatch SGD, and returns the trained net, its validation
  accuracy and the dead fraction of each hidden layer on the training set.
"""
from __future__ import annotations

import sys

import numpy as np

from . import integrity
from .assertions import check_true

__all__ = ["digits_split", "dead_units", "SETTING_KEYS", "train_settings"]

_asarray, _argmax, _mean, _errstate, _isfinite = np.asarray, np.argmax, np.mean, np.errstate, np.isfinite
_default_rng = np.random.default_rng

#: The keys a settings dict of the "fix" exercise holds.
SETTING_KEYS = ("lr", "activation", "weight_init", "bias_init")


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


def train_settings(settings, hidden=(100, 100), num_epochs=10, batch_size=50, seed=0):
    """Train a FullyConnectedNet(hidden, 64, 10) on digits with ``settings``
    (a dict with the keys in SETTING_KEYS) by minibatch SGD.

    Returns ``(net, val_acc, dead)``: the trained net, its validation accuracy
    and a list with the dead fraction of each hidden layer on the training
    set (1.0 for every layer if the loss became inf or nan)."""
    from .. import nets, layers
    from ..optim import SGD, minibatches

    check_true(isinstance(settings, dict),
               f"Return a dict with the keys {list(SETTING_KEYS)}, not a {type(settings).__name__}.")
    missing = [k for k in SETTING_KEYS if k not in settings]
    check_true(not missing, f"The settings dict lacks {missing}; it needs {list(SETTING_KEYS)}.",
               hint='for example {"lr": 0.1, "activation": "relu", "weight_init": "he_normal", '
                    '"bias_init": 0.0}.')
    lr = float(settings["lr"])
    check_true(0 < lr <= 10, f"The learning rate must be in (0, 10], got {lr}.")
    check_true(settings["activation"] in layers.ACTIVATIONS,
               f"Unknown activation {settings['activation']!r}; choose one of "
               f"{sorted(layers.ACTIVATIONS)}.")
    Xtr, ytr, Xva, yva = digits_split()
    net = nets.FullyConnectedNet(list(hidden), Xtr.shape[1], 10, activation=settings["activation"],
                                 weight_init=settings["weight_init"],
                                 bias_init=float(settings["bias_init"]), seed=seed)
    opt, rng = SGD(lr=lr), _default_rng(seed)
    with _errstate(all="ignore"):
        for _ in range(num_epochs):
            for X, y in minibatches(Xtr, ytr, batch_size, rng=rng, drop_last=True):
                loss, grads = net.loss(X, y)
                if not _isfinite(loss):
                    return net, 0.0, [1.0] * len(hidden)
                opt.update(net.params, grads)
        val_acc = float(_mean(_argmax(net.loss(Xva), axis=1) == yva))
        net.loss(Xtr)
    return net, val_acc, [dead_units(h) for h in net.activations]


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
