"""The checks that notebook tests use, with messages a student can act on.

The checks raise :class:`CheckFailed`, an ``AssertionError`` whose message is
written for a student: which output is wrong, where, by how much against which
threshold, and a hint about the usual cause. In a notebook it prints as that
message alone, without a traceback through this file.

Every check first calls :func:`helpers.checks.integrity.verify`, and the NumPy
functions they compute with are bound here at import (in the locked setup
cell), so an answer cell that replaces ``np.abs`` or ``np.allclose`` changes
nothing in them.
"""
from __future__ import annotations

import functools

import numpy as np

from ..gradcheck import eval_numerical_gradient
from . import diagnosis, integrity
from .errors import StudentError

# Thresholds from the CS231n notes on gradient checking.
SMOOTH = 1e-7  # correct code on smooth functions lands well below this
KINK = 1e-4  # acceptable only near kinks (ReLU, hinge, max)

# Bound once, before any answer cell runs.
_asarray, _abs, _maximum, _argmax, _argwhere = np.asarray, np.abs, np.maximum, np.argmax, np.argwhere
_all, _isfinite, _issubdtype, _unravel_index = np.all, np.isfinite, np.issubdtype, np.unravel_index
_array, _float64, _number = np.array, np.float64, np.number


class CheckFailed(StudentError):
    """A test found a wrong answer; the message says what and why."""


def _verified(check):
    """Run ``integrity.verify()`` before ``check``; both are bound in this
    closure, so replacing a module attribute cannot skip them."""
    verify = integrity.verify

    @functools.wraps(check)
    def run(*args, **kwargs):
        verify()
        return check(*args, **kwargs)

    del run.__wrapped__
    return run


_fingerprint, _lookup = diagnosis.fingerprint, diagnosis.lookup


def _fail(message, hint=None, name=None, value=None, expected=None):
    """Raise the failure; its fingerprint (of ``value`` where the check
    ``name`` failed, else of the message) may name a typical mistake. The
    expected value's fingerprint goes along so that no table ever holds it."""
    key = _fingerprint(name or "", message if value is None else value)
    why = _lookup(key)
    error = CheckFailed(message + (f"\nHint: {hint}" if hint else "") + (f"\n{why}" if why else ""))
    error.fingerprint = key
    error.expected_fingerprint = None if expected is None else _fingerprint(name or "", expected)
    raise error


def _as_array(name, value, hint=None):
    if value is None:
        _fail(f"`{name}` is None. Did the function forget to `return` its result?", hint)
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        return _asarray(value)
    except Exception:  # ragged lists and other things numpy cannot hold
        _fail(f"`{name}` should be an array, but it is a {type(value).__name__}.", hint)


def _shaped(name, value, shape, hint):
    arr = _as_array(name, value, hint)
    if arr.shape != tuple(shape):
        _fail(f"`{name}` has shape {arr.shape}, expected {tuple(shape)}.", hint, name, f"shape {arr.shape}")
    return arr


# The checks return None on purpose: nbgrader reads a number left as a test
# cell's last value as that cell's (partial) score.

@_verified
def check_shape(name, value, shape, hint=None):
    """Fail unless ``value`` has exactly ``shape``."""
    _shaped(name, value, shape, hint)


def _close(name, value, expected, tol, hint):
    expected = _asarray(expected, dtype=_float64)
    arr = _shaped(name, value, expected.shape, hint)
    if not _issubdtype(arr.dtype, _number) and arr.dtype != bool:
        _fail(f"`{name}` should hold numbers, but its dtype is {arr.dtype}.", hint)
    arr = arr.astype(_float64)
    if not _all(_isfinite(arr)):
        bad = _argwhere(~_isfinite(arr))[0]
        where = f" at index {tuple(int(i) for i in bad)}" if arr.ndim else ""
        _fail(f"`{name}` contains {arr[tuple(bad)]}{where}. Look for an overflow "
              "(exp of a large number) or a division by zero.", hint, name, arr, expected)
    err = _abs(arr - expected) / _maximum(1e-8, _abs(arr) + _abs(expected))
    worst = float(err.max(initial=0.0))
    if not worst <= tol:  # also fails on a NaN error
        ix = _unravel_index(int(_argmax(err)), err.shape) if err.ndim else ()
        where = f" at index {tuple(int(i) for i in ix)}" if ix else ""
        _fail(f"`{name}` is not right: relative error {worst:.2e} is above the threshold "
              f"{tol:.0e}.\nThe largest difference is{where}: yours {arr[ix]:.6g}, "
              f"expected {expected[ix]:.6g}.", hint, name, arr, expected)


@_verified
def check_close(name, value, expected, tol=SMOOTH, hint=None):
    """Fail unless ``rel_error(value, expected) <= tol`` (same shape too)."""
    _close(name, value, expected, tol, hint)


@_verified
def check_equal(name, value, expected, hint=None):
    """Fail unless ``value`` equals ``expected`` exactly (labels, counts, indices)."""
    expected = _asarray(expected)
    arr = _shaped(name, value, expected.shape, hint)
    wrong = _argwhere(_asarray(arr != expected))
    if len(wrong):
        ix = tuple(int(i) for i in wrong[0])
        where = (f"{len(wrong)} of {expected.size} entries differ, the first at index {ix}: "
                 if expected.ndim else "")
        _fail(f"`{name}` is not right: {where}yours {arr[ix].item()!r}, expected {expected[ix].item()!r}.",
              hint, name, arr, expected)


_numerical_gradient = eval_numerical_gradient


@_verified
def check_gradient(name, f, x, analytic, tol=SMOOTH, hint=None, h=1e-5):
    """Compare an analytic gradient of the scalar ``f(x)`` with the numerical one."""
    numeric = _numerical_gradient(f, _array(x, dtype=_float64), h=h)
    _close(name, analytic, numeric, tol, hint)


@_verified
def check_true(condition, message, hint=None):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        _fail(message, hint)


@_verified
def passed(message):
    """Print a green tick: the visible test cell reached its end."""
    print("\u2714 " + message)


@_verified
def hidden_note():
    """The one line a test cell prints when all of its checks are hidden."""
    print("\u2139 More cases of this exercise are checked when your notebook is graded.")
