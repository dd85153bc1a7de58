"""Optimizers: classes with ``update(params, grads)`` that change arrays in place.

``params`` and ``grads`` are dicts with the same keys (``"W1"``, ``"b1"``, ...)
holding float arrays of matching shapes, as a model's ``params`` and the
``grads`` its ``loss(X, y)`` returns. ``update`` changes each ``params[k]``
in place, so whoever holds the model keeps seeing the new values.

To add an optimizer, subclass :class:`Optimizer` and write ``step(key, p, g)``;
per-parameter state (velocities, running averages) comes from
``self.state_for(key, p)``, a dict created lazily on first use::

    class Momentum(Optimizer):
        def __init__(self, lr=0.01, momentum=0.9):
            super().__init__(lr)
            self.momentum = momentum

        def step(self, key, p, g):
            s = self.state_for(key, p)
            v = s.setdefault("v", np.zeros_like(p))
            v *= self.momentum
            v -= self.lr * g
            p += v

``lr`` is a plain attribute: a :class:`helpers.solver.Solver` decays it
between epochs, and a schedule may set it at any time.
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference

__all__ = ["Optimizer", "SGD", "get", "available"]

_REGISTRY: dict[str, type] = {}


class Optimizer:
    """Base class: checks the dicts, then calls :meth:`step` once per key."""

    def __init__(self, lr=0.01):
        if not np.isfinite(lr) or lr < 0:
            raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")
        self.lr = float(lr)
        self.state: dict[str, dict] = {}
        self.t = 0  # number of update() calls so far

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__.lower()] = cls

    def state_for(self, key, p):
        """The state dict of parameter ``key``, created empty on first use."""
        s = self.state.get(key)
        if s is None:
            s = self.state[key] = {}
        return s

    def update(self, params, grads):
        """One optimization step: change every array of ``params`` in place."""
        missing = [k for k in params if k not in grads]
        if missing:
            raise ValueError(f"grads has no entry for parameter(s) {missing}; "
                             f"it has {sorted(grads)}")
        for k, p in params.items():
            g = np.asarray(grads[k])
            if not isinstance(p, np.ndarray):
                raise ValueError(f"params[{k!r}] must be a numpy array to be updated in place, "
                                 f"got {type(p).__name__}")
            if not np.issubdtype(p.dtype, np.floating):
                raise ValueError(f"params[{k!r}] has dtype {p.dtype}; it must be a float "
                                 "array to be updated in place")
            if g.shape != p.shape:
                raise ValueError(f"grads[{k!r}] has shape {g.shape} but params[{k!r}] has "
                                 f"shape {p.shape}")
        self.t += 1
        for k, p in params.items():
            self.step(k, p, np.asarray(grads[k]))

    def step(self, key, p, g):  # pragma: no cover - abstract
        """Change ``p`` in place given its gradient ``g``."""
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


@reference
class SGD(Optimizer):
    """Vanilla stochastic gradient descent: ``p -= lr * g``."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def step(self, key, p, g):
        p -= self.lr * g


def available():
    """Names accepted by :func:`get`, e.g. ``['sgd']``."""
    return sorted(_REGISTRY)


def get(name, **config):
    """An optimizer from its class name, any case: ``get("sgd", lr=0.1)``."""
    cls = _REGISTRY.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {available()}")
    return cls(**config)
