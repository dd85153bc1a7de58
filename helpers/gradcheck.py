"""Numerical gradients, relative error, and the checks that notebook tests use.

The checks raise :class:`CheckFailed`, an ``AssertionError`` whose message is
written for a student: which output is wrong, where, by how much against which
threshold, and a hint about the usual cause. In a notebook it prints as that
message alone, without a traceback through this file.
"""
from __future__ import annotations

import numpy as np

# Thresholds from the CS231n notes on gradient checking.
SMOOTH = 1e-7  # correct code on smooth functions lands well below this
KINK = 1e-4  # acceptable only near kinks (ReLU, hinge, max)


class CheckFailed(AssertionError):
    """A test found a wrong answer; the message says what and why."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return ["\x1b[31mCheckFailed\x1b[0m: " + str(self)]


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


# --------------------------------------------------------------------------
# Checks with messages a student can act on
# --------------------------------------------------------------------------

def _fail(message, hint=None):
    raise CheckFailed(message + (f"\nHint: {hint}" if hint else ""))


def _as_array(name, value, hint=None):
    if value is None:
        _fail(f"`{name}` is None. Did the function forget to `return` its result?", hint)
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception:  # ragged lists and other things numpy cannot hold
        _fail(f"`{name}` should be an array, but it is a {type(value).__name__}.", hint)


# The checks return None on purpose: nbgrader reads a number left as a test
# cell's last value as that cell's (partial) score.

def check_shape(name, value, shape, hint=None):
    """Fail unless ``value`` has exactly ``shape``."""
    _shaped(name, value, shape, hint)


def _shaped(name, value, shape, hint):
    arr = _as_array(name, value, hint)
    if arr.shape != tuple(shape):
        _fail(f"`{name}` has shape {arr.shape}, expected {tuple(shape)}.", hint)
    return arr


def check_close(name, value, expected, tol=SMOOTH, hint=None):
    """Fail unless ``rel_error(value, expected) <= tol`` (same shape too)."""
    expected = np.asarray(expected, dtype=np.float64)
    arr = _shaped(name, value, expected.shape, hint)
    if not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        _fail(f"`{name}` should hold numbers, but its dtype is {arr.dtype}.", hint)
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = f" at index {tuple(int(i) for i in bad)}" if arr.ndim else ""
        _fail(f"`{name}` contains {arr[tuple(bad)]}{where}. Look for an overflow "
              "(exp of a large number) or a division by zero.", hint)
    err = np.abs(arr - expected) / np.maximum(1e-8, np.abs(arr) + np.abs(expected))
    worst = float(err.max(initial=0.0))
    if worst > tol:
        ix = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
        where = f" at index {tuple(int(i) for i in ix)}" if ix else ""
        _fail(f"`{name}` is not right: relative error {worst:.2e} is above the threshold "
              f"{tol:.0e}.\nThe largest difference is{where}: yours {arr[ix]:.6g}, "
              f"expected {expected[ix]:.6g}.", hint)


def check_equal(name, value, expected, hint=None):
    """Fail unless ``value`` equals ``expected`` exactly (labels, counts, indices)."""
    expected = np.asarray(expected)
    arr = _shaped(name, value, expected.shape, hint)
    wrong = np.argwhere(arr != expected)
    if len(wrong):
        ix = tuple(int(i) for i in wrong[0])
        where = (f"{len(wrong)} of {expected.size} entries differ, the first at index {ix}: "
                 if expected.ndim else "")
        _fail(f"`{name}` is not right: {where}yours {arr[ix].item()!r}, expected {expected[ix].item()!r}.", hint)


def check_gradient(name, f, x, analytic, tol=SMOOTH, hint=None, h=1e-5):
    """Compare an analytic gradient of the scalar ``f(x)`` with the numerical one."""
    numeric = eval_numerical_gradient(f, np.array(x, dtype=np.float64), h=h)
    check_close(name, analytic, numeric, tol=tol, hint=hint)


def check_true(condition, message, hint=None):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        _fail(message, hint)


def passed(message):
    """Print a green tick: the visible test cell reached its end."""
    print("\u2714 " + message)
