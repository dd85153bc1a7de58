"""Numerical gradients and the relative error, as in CS231n's ``gradient_check.py``.

The student-facing checks built on them are in :mod:`helpers.checks`.
"""
from __future__ import annotations

import numpy as np


def rel_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), elementwise, as one float."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def eval_numerical_gradient(f, x, h=1e-5, verbose=False):
    """Centered-difference gradient of a scalar function ``f(x)`` at ``x``.

    ``x`` (float64 array) is changed in place while probing and restored after.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        fplus = float(f(x))
        x[ix] = old - h
        fminus = float(f(x))
        x[ix] = old
        grad[ix] = (fplus - fminus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Gradient of ``sum(f(x) * df)`` with respect to ``x``: the backward pass
    of an array-valued ``f`` given the upstream gradient ``df``."""
    grad = np.zeros_like(x, dtype=np.float64)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=0):
    """Compare ``analytic_grad`` with centered differences at ``num_checks``
    random entries of ``x``. Returns the relative errors (one per entry)."""
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        old = x[ix]
        x[ix] = old + h
        fplus = float(f(x))
        x[ix] = old - h
        fminus = float(f(x))
        x[ix] = old
        numeric = (fplus - fminus) / (2 * h)
        errors.append(rel_error(numeric, analytic_grad[ix]))
    return errors
