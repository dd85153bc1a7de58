"""Weight initializers, and per-layer statistics of a deep network.

Every initializer is a function ``init(shape, rng) -> array`` for a weight
matrix of shape ``(fan_in, fan_out)`` (our layers compute ``x @ W``, so
``shape[0]`` is the number of inputs of each unit):

============== ======================================= ============================
name           distribution                            why
============== ======================================= ============================
zeros          0                                       (every unit stays the same)
normal(std)    N(0, std^2)                             a fixed scale
lecun_normal   N(0, 1 / fan_in)                        keeps the forward variance
lecun_uniform  U(-sqrt(3 / fan_in), +...)              of linear / tanh units
xavier_normal  N(0, 2 / (fan_in + fan_out))            Glorot & Bengio (2010): the
xavier_uniform U(-sqrt(6 / (fan_in + fan_out)), +...)  forward / backward compromise
he_normal      N(0, 2 / fan_in)                        ReLU zeroes half of its
he_uniform     U(-sqrt(6 / fan_in), +...)              inputs: twice the variance
============== ======================================= ============================

Xavier is Glorot and Bengio's fan average, as in ``torch.nn.init.xavier_*_``
(gain 1). The fan-in form ``1 / fan_in`` is LeCun's (LeCun et al., 1998,
"Efficient BackProp"); some books call it "Xavier", which is the same only
when fan-in equals fan-out. PyTorch's LeCun is ``kaiming_*_`` with
``nonlinearity="linear"``. He is ``torch.nn.init.kaiming_*_`` with
``mode="fan_in"``, ``nonlinearity="relu"``.

:func:`get` turns a name, a number (the std of a normal) or a function into an
initializer; the registry is a literal dict, so a student's function never
replaces a reference.
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference

__all__ = ["zeros", "constant", "normal", "lecun_normal", "lecun_uniform", "xavier_normal", "xavier_uniform",
           "he_normal", "he_uniform", "get", "available", "activation_stats", "gradient_norms"]


def _fan_in(shape):
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    if not shape or min(shape) < 1:
        raise ValueError(f"shape must hold positive sizes, like (fan_in, fan_out); got {shape}")
    return shape, shape[0]


def _fan_avg(shape):
    """(shape, (fan_in + fan_out) / 2): a 1-D shape counts as fan_out 1."""
    shape, n_in = _fan_in(shape)
    n_out = shape[1] if len(shape) > 1 else 1
    return shape, (n_in + n_out) / 2.0


def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


@reference
def zeros(shape, rng=None):
    """All zeros: every unit of a layer computes the same thing, forever."""
    return np.zeros(_fan_in(shape)[0])


@reference
def constant(value):
    """An initializer filling every weight with ``value`` (for biases, say)."""
    value = float(value)

    def init(shape, rng=None):
        return np.full(_fan_in(shape)[0], value)

    init.__name__ = f"constant({value:g})"
    return init


@reference
def normal(std):
    """An initializer drawing from N(0, std^2)."""
    std = float(std)
    if not np.isfinite(std) or std < 0:
        raise ValueError(f"std must be a finite number >= 0, got {std!r}")

    def init(shape, rng=None):
        return std * _rng(rng).standard_normal(_fan_in(shape)[0])

    init.__name__ = f"normal({std:g})"
    return init


@reference
def lecun_normal(shape, rng=None):
    """N(0, 1 / fan_in): LeCun's forward-only rule."""
    shape, n = _fan_in(shape)
    return np.sqrt(1.0 / n) * _rng(rng).standard_normal(shape)


@reference
def lecun_uniform(shape, rng=None):
    """U(-a, a) with a = sqrt(3 / fan_in): the variance a^2 / 3 is 1 / fan_in."""
    shape, n = _fan_in(shape)
    a = np.sqrt(3.0 / n)
    return _rng(rng).uniform(-a, a, shape)


@reference
def xavier_normal(shape, rng=None):
    """N(0, 2 / (fan_in + fan_out)): Glorot and Bengio's fan average."""
    shape, n = _fan_avg(shape)
    return np.sqrt(1.0 / n) * _rng(rng).standard_normal(shape)


@reference
def xavier_uniform(shape, rng=None):
    """U(-a, a) with a = sqrt(6 / (fan_in + fan_out)): the variance a^2 / 3 is
    2 / (fan_in + fan_out)."""
    shape, n = _fan_avg(shape)
    a = np.sqrt(3.0 / n)
    return _rng(rng).uniform(-a, a, shape)


@reference
def he_normal(shape, rng=None):
    """N(0, 2 / fan_in)."""
    shape, n = _fan_in(shape)
    return np.sqrt(2.0 / n) * _rng(rng).standard_normal(shape)


@reference
def he_uniform(shape, rng=None):
    """U(-a, a) with a = sqrt(6 / fan_in): the variance is 2 / fan_in."""
    shape, n = _fan_in(shape)
    a = np.sqrt(6.0 / n)
    return _rng(rng).uniform(-a, a, shape)


_REGISTRY = {"zeros": zeros, "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform,
             "xavier_normal": xavier_normal, "xavier_uniform": xavier_uniform,
             "he_normal": he_normal, "he_uniform": he_uniform}


def available():
    """The names :func:`get` accepts (besides a number or a function)."""
    return sorted(_REGISTRY)


def get(spec):
    """An initializer from a name in :func:`available`, a number (the std of
    a normal distribution) or a function ``init(shape, rng)``."""
    if callable(spec):
        return spec
    if isinstance(spec, str):
        if spec.lower() not in _REGISTRY:
            raise ValueError(f"unknown initializer {spec!r}; choose one of {available()}, "
                             "a number (the std of a normal) or a function init(shape, rng)")
        return _REGISTRY[spec.lower()]
    if isinstance(spec, (int, float, np.floating, np.integer)) and not isinstance(spec, bool):
        return normal(spec)
    raise ValueError(f"weight_init must be a name, a number or a function, got {spec!r}")


# ---------------------------------------------------------------- statistics
@reference
def activation_stats(activations):
    """For a list of activation arrays (one per hidden layer, shape (N, H)):
    a list of dicts with the ``mean``, the ``std``, the fraction of exact
    zeros (``zero``) and the fraction of values within 1e-3 of 0 or +-1
    (``saturated``, for sigmoid and tanh), per layer."""
    out = []
    for a in activations:
        a = np.asarray(a, dtype=float)
        near = np.minimum(np.abs(a), np.minimum(np.abs(a - 1), np.abs(a + 1)))
        out.append({"mean": float(a.mean()), "std": float(a.std()),
                    "zero": float(np.mean(a == 0)), "saturated": float(np.mean(near < 1e-3))})
    return out


@reference
def gradient_norms(grads, keys):
    """The Frobenius norm of ``grads[k]`` for each key in ``keys`` (for
    example ``["W1", "W2", ...]``, from the input to the output)."""
    return [float(np.linalg.norm(grads[k])) for k in keys]


# ---------------------------------------------------------------- training a deep net
#: The deep ReLU network of notebook 05's training section: 4 hidden layers of 100.
DEEP_HIDDEN = (100, 100, 100, 100)


def train_deep_relu_net(weight_init, lr, data, num_epochs=10, seed=0):
    """Train ``FullyConnectedNet(DEEP_HIDDEN, D, 10, activation="relu",
    weight_init=weight_init)`` on ``data`` (a dict with X_train, y_train,
    X_val, y_val) with SGD + momentum 0.9 at learning rate ``lr`` (times 0.9
    after every epoch), batches of 100, for ``num_epochs`` epochs. Returns the
    :class:`helpers.solver.Solver` after training: ``solver.best_val_acc`` is
    the best validation accuracy over the epochs, and ``solver.model`` holds
    that epoch's parameters."""
    import warnings

    from .nets import FullyConnectedNet
    from .optim import Momentum
    from .solver import Solver

    net = FullyConnectedNet(list(DEEP_HIDDEN), int(np.prod(np.shape(data["X_train"])[1:])), 10,
                            activation="relu", weight_init=weight_init, seed=seed)
    solver = Solver(net, data, optimizer=Momentum(lr=float(lr), momentum=0.9), lr_decay=0.9,
                    batch_size=100, num_epochs=num_epochs, verbose=False, progress=False, seed=seed)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a diverging run says so in solver.diverged
        solver.train()
    return solver


@reference
def tune_learning_rate(train, learning_rates):
    """``(best_lr, val_accs)``: ``train(lr)`` for every learning rate in
    order, ``val_accs`` the ``best_val_acc`` of each run's Solver, and
    ``best_lr`` the learning rate with the highest (the first of equal ones)."""
    learning_rates = list(learning_rates)
    val_accs = [float(train(lr).best_val_acc) for lr in learning_rates]
    return learning_rates[int(np.argmax(val_accs))], val_accs
