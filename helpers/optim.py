"""Optimizers: classes with ``update(params, grads)`` that change arrays in place.

``params`` and ``grads`` are dicts with the same keys (``"W1"``, ``"b1"``, ...)
holding float arrays of matching shapes, as a model's ``params`` and the
``grads`` its ``loss(X, y)`` returns. ``update`` changes each ``params[k]``
in place, so whoever holds the model keeps seeing the new values.

To add an optimizer, subclass :class:`Optimizer` and write ``step(key, p, g)``;
per-parameter state (velocities, running averages) comes from
``self.state_for(key, p)``, a dict created lazily on first use.

The defaults follow the course (COURSE.md, notebook 04): ``eps = 1e-7`` added
to the square root, as in *Deep Learning from Scratch*. PyTorch adds its eps
at other places (Adam: to the square root of the bias-corrected average, so
ours equals ``torch.optim.Adam`` with ``eps = 1e-7 / sqrt(1 - beta2**t)`` at
step t, which no constant eps is, and is closest to it with ``eps=0``); Momentum keeps ``v = mu v - lr g``
where PyTorch keeps ``v = mu v + g`` and steps ``-lr v``: the same path while
``lr`` is constant.

``lr`` is a plain attribute: a :class:`helpers.solver.Solver` decays it or
sets it from a schedule between epochs.

Also here: learning-rate schedules (:class:`StepDecay`, :class:`ExponentialDecay`,
:class:`InverseTimeDecay`, :class:`CosineDecay`, each ``schedule(epoch) -> lr``)
and :func:`minibatches`.
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam",
           "StepDecay", "ExponentialDecay", "InverseTimeDecay", "CosineDecay", "minibatches",
           "get", "available"]


class Optimizer:
    """Base class: checks the dicts, then calls :meth:`step` once per key."""

    def __init__(self, lr=0.01):
        _check_number("lr", lr)
        self.lr = float(lr)
        self.state: dict[str, dict] = {}
        self.t = 0  # number of update() calls so far

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


@reference
class Momentum(Optimizer):
    """SGD with momentum: ``v = momentum * v - lr * g; p += v`` (v starts at 0)."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_number("momentum", momentum, high=1.0)

    def step(self, key, p, g):
        v = self.state_for(key, p).setdefault("v", np.zeros_like(p))
        v *= self.momentum
        v -= self.lr * g
        p += v


@reference
class Nesterov(Optimizer):
    """Nesterov momentum, in the form that needs the gradient at ``p`` only:
    ``v_new = mu v - lr g; p += -mu v + (1 + mu) v_new`` (the look-ahead step
    ``p + mu v`` rewritten in the variable ``p + mu v``)."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_number("momentum", momentum, high=1.0)

    def step(self, key, p, g):
        v = self.state_for(key, p).setdefault("v", np.zeros_like(p))
        v_prev = v.copy()
        v *= self.momentum
        v -= self.lr * g
        p += -self.momentum * v_prev + (1 + self.momentum) * v


@reference
class AdaGrad(Optimizer):
    """``h += g * g; p -= lr * g / (sqrt(h) + eps)``: a step size per weight
    that only shrinks."""

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = _check_number("eps", eps)

    def step(self, key, p, g):
        h = self.state_for(key, p).setdefault("h", np.zeros_like(p))
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


@reference
class RMSProp(Optimizer):
    """AdaGrad with a leaky sum: ``h = decay_rate * h + (1 - decay_rate) * g * g``."""

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay_rate = _check_number("decay_rate", decay_rate, high=1.0)
        self.eps = _check_number("eps", eps)

    def step(self, key, p, g):
        h = self.state_for(key, p).setdefault("h", np.zeros_like(p))
        h *= self.decay_rate
        h += (1 - self.decay_rate) * g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


@reference
class Adam(Optimizer):
    """Momentum (``m``) plus RMSProp (``v``), both bias-corrected through
    ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``:
    ``p -= lr_t * m / (sqrt(v) + eps)``. ``t`` counts the updates."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta1 = _check_number("beta1", beta1, high=1.0)
        self.beta2 = _check_number("beta2", beta2, high=1.0)
        self.eps = _check_number("eps", eps)

    def step(self, key, p, g):
        s = self.state_for(key, p)
        m = s.setdefault("m", np.zeros_like(p))
        v = s.setdefault("v", np.zeros_like(p))
        m += (1 - self.beta1) * (g - m)
        v += (1 - self.beta2) * (g * g - v)
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        p -= lr_t * m / (np.sqrt(v) + self.eps)


# Explicit on purpose: a class a student defines (even one named SGD) never
# lands here by subclassing.
_REGISTRY = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
             "rmsprop": RMSProp, "adam": Adam}


def _check_number(name, value, high=None):
    """``value`` as a float, if it is finite, >= 0 and (with ``high``) < high."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if not np.isfinite(x) or x < 0 or (high is not None and x >= high):
        bound = f" and below {high:g}" if high is not None else ""
        raise ValueError(f"{name} must be a finite number >= 0{bound}, got {value!r}")
    return x


# ---------------------------------------------------------------- schedules
class _Schedule:
    """``schedule(epoch) -> lr`` for epoch = 0, 1, 2, ... (0: the initial lr)."""

    def __init__(self, lr):
        self.lr = _check_number("lr", lr)

    def __call__(self, epoch):
        if int(epoch) != epoch or epoch < 0:
            raise ValueError(f"epoch must be a whole number >= 0, got {epoch!r}")
        return float(self.value(int(epoch)))

    def __repr__(self):
        args = ", ".join(f"{k}={v:g}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class StepDecay(_Schedule):
    """``lr * gamma ** (epoch // step_size)``: drop by ``gamma`` every ``step_size`` epochs."""

    def __init__(self, lr, step_size, gamma=0.1):
        super().__init__(lr)
        self.step_size, self.gamma = int(step_size), _check_number("gamma", gamma)
        if self.step_size < 1:
            raise ValueError(f"step_size must be a whole number >= 1, got {step_size!r}")

    def value(self, epoch):
        return self.lr * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(_Schedule):
    """``lr * gamma ** epoch``."""

    def __init__(self, lr, gamma):
        super().__init__(lr)
        self.gamma = _check_number("gamma", gamma)

    def value(self, epoch):
        return self.lr * self.gamma ** epoch


class InverseTimeDecay(_Schedule):
    """``lr / (1 + k * epoch)`` (the "1/t" schedule)."""

    def __init__(self, lr, k):
        super().__init__(lr)
        self.k = _check_number("k", k)

    def value(self, epoch):
        return self.lr / (1.0 + self.k * epoch)


class CosineDecay(_Schedule):
    """From ``lr`` down to ``lr_min`` along half a cosine over ``total`` epochs,
    then ``lr_min``."""

    def __init__(self, lr, total, lr_min=0.0):
        super().__init__(lr)
        self.total, self.lr_min = int(total), _check_number("lr_min", lr_min)
        if self.total < 1:
            raise ValueError(f"total must be a whole number >= 1, got {total!r}")

    def value(self, epoch):
        t = min(epoch, self.total)
        return self.lr_min + (self.lr - self.lr_min) * (1 + np.cos(np.pi * t / self.total)) / 2


# ---------------------------------------------------------------- mini-batches
def minibatches(X, y, batch_size, rng=None, shuffle=True, drop_last=False):
    """Yield ``(X_batch, y_batch)`` covering every sample once: shuffled with
    ``rng`` (a ``np.random.Generator`` or a seed) unless ``shuffle=False``; the
    last batch is smaller when ``batch_size`` does not divide N, or left out
    with ``drop_last=True``."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}: they must match")
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    batch_size = int(batch_size)
    order = np.random.default_rng(rng).permutation(len(X)) if shuffle else np.arange(len(X))
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


def available():
    """Names accepted by :func:`get`, e.g. ``['sgd']``."""
    return sorted(_REGISTRY)


def get(name, **config):
    """An optimizer from its class name, any case: ``get("sgd", lr=0.1)``."""
    cls = _REGISTRY.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {available()}")
    return cls(**config)
