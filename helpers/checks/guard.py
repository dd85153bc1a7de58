"""Keep a reference implementation from being handed in as the answer.

Reference functions and classes in ``helpers`` are marked with
:func:`reference`. A test runs the student's code inside
:func:`without_reference`, and any call to the matching reference (under any
alias, since the check lives in the wrapper) raises :class:`ReferenceUsed`.
Outside that block the references work normally, so later notebooks can rely
on them.

What is refused inside ``without_reference(x)``:

- ``x`` itself; for a class, every method it defines (so a student's own
  class cannot borrow ``TwoLayerNet.loss(self, X, y)``);
- the private helpers of x's module marked ``@reference_helper`` (``knn._l2``) when
  called from outside that module: the module's own references keep working.

The wrapper never exposes the original (no ``__wrapped__``), and the set of
blocked names lives in a closure, not in a module attribute an answer cell
could clear. The original itself sits in the wrapper's closure; a reference
that starts with :func:`enter` (or :func:`enter_private`) refuses even when
dug out from there (the static scan flags such digging everywhere).
"""
from __future__ import annotations

import functools
import inspect
import sys
import types
from contextlib import contextmanager

from . import integrity
from .blockers import torch_blocked as _torch_blocked
from .errors import StudentError


class ReferenceUsed(StudentError):
    """The answer called the course's reference implementation."""


def _make_state():
    # Counts per blocked key, so nested blocks of the same reference work.
    counts = {}

    def is_blocked(key):
        return key in counts

    def block(keys):
        for k in keys:
            counts[k] = counts.get(k, 0) + 1

    def unblock(keys):
        for k in keys:
            counts[k] -= 1
            if not counts[k]:
                del counts[k]

    return is_blocked, block, unblock


_is_blocked, _block, _unblock = _make_state()
_verify, _register = integrity.verify, integrity.register
_caller = sys._getframe


def _private(module):
    """The key that blocks the private helpers of ``module``."""
    return f"{module}.<private helpers>"


def _refuse(key):
    raise ReferenceUsed(
        f"Your answer calls the course's reference `{key}`. This exercise asks you to "
        "write it yourself: the reference is there for later notebooks, not as the answer.")


def _guard(fn, key, module, private=False, owner=None):
    """A wrapper of ``fn`` refusing to run while ``key`` (or, for a method,
    the key ``owner`` of its class) is blocked."""
    is_blocked, caller, private_key = _is_blocked, _caller, _private(module)

    if owner is not None:
        def guarded(*args, **kwargs):
            if is_blocked(owner) or is_blocked(key):
                _refuse(owner)
            return fn(*args, **kwargs)
    elif private:
        def guarded(*args, **kwargs):
            if is_blocked(private_key) and caller(1).f_globals.get("__name__") != module:
                _refuse(key)
            return fn(*args, **kwargs)
    else:
        def guarded(*args, **kwargs):
            if is_blocked(key):
                _refuse(key)
            return fn(*args, **kwargs)

    functools.update_wrapper(guarded, fn)
    del guarded.__wrapped__  # it would hand out the unguarded original
    try:
        guarded.__signature__ = inspect.signature(fn)
    except (TypeError, ValueError):
        pass
    guarded.__reference_key__ = key
    return guarded


# Methods that compute nothing graded and must work in error messages.
_UNGUARDED = {"__repr__", "__str__"}


def _guard_class(cls, key):
    module = cls.__module__
    for name, value in list(vars(cls).items()):
        if name in _UNGUARDED or hasattr(value, "__reference_key__"):
            continue
        method = f"{key}.{name}"
        if isinstance(value, types.FunctionType):
            setattr(cls, name, _guard(value, method, module, owner=key))
        elif isinstance(value, (staticmethod, classmethod)):
            setattr(cls, name, type(value)(_guard(value.__func__, method, module, owner=key)))
    if "__init__" not in vars(cls):  # a subclass: refuse to build it under its own name
        setattr(cls, "__init__", _guard(cls.__init__, f"{key}.__init__", module, owner=key))
    cls.__reference_key__ = key
    return cls


def reference(obj, _helper=False):
    """Decorator marking a function or class as a reference answer."""
    key = f"{obj.__module__}.{obj.__qualname__}"
    if isinstance(obj, type):
        guarded = _guard_class(obj, key)
    else:
        guarded = _guard(obj, key, obj.__module__, private=_helper)
    if "." not in obj.__qualname__:  # top level: the integrity check keeps it in place
        _register(obj.__module__, obj.__name__, guarded)
    return guarded


def enter(key):
    """The guard once more, as the first line of a reference (``enter(key)``):
    the wrapper keeps the original in its closure, and a reference that starts
    with this refuses to run while blocked even when dug out from there."""
    if _is_blocked(key):
        _refuse(key)


def enter_private(module, name):
    """:func:`enter` for the private helper ``name`` of ``module``: refuses while
    the module's helpers are blocked and its caller (the guard's wrapper
    aside) is outside the module."""
    if _is_blocked(_private(module)):
        frame = _caller(2)  # the caller of the helper
        while frame is not None and frame.f_globals.get("__name__") == __name__:
            frame = frame.f_back
        if frame is None or frame.f_globals.get("__name__") != module:
            _refuse(f"{module}.{name}")


def reference_helper(fn):
    """Decorator marking a private helper of a reference module (``knn._l2``):
    refused when called from outside its module while any reference of that
    module is blocked; the module's own references keep using it."""
    return reference(fn, _helper=True)


def _key_of(obj):
    if isinstance(obj, str):
        return obj
    return getattr(obj, "__reference_key__", None) or f"{obj.__module__}.{obj.__qualname__}"


@contextmanager
def without_reference(*objs, allow_torch=False):
    """Within the block, calling any of ``objs`` (reference functions or
    classes, or their dotted names) raises :class:`ReferenceUsed`, and so does
    calling a private helper of their modules from outside those modules.
    PyTorch cannot do the work either (:func:`~helpers.checks.blockers.torch_blocked`)
    unless ``allow_torch``: the exercises of a PyTorch section pass it."""
    verify, block, unblock, torch_blocked = _verify, _block, _unblock, _torch_blocked
    verify()
    keys = [_key_of(o) for o in objs]
    keys += [_private(k.rsplit(".", 1)[0]) for k in keys]
    # For methods and nested names the module is a shorter prefix; blocking
    # an extra key that no helper uses is harmless.
    keys += [_private(getattr(o, "__module__", "")) for o in objs if not isinstance(o, str)]
    block(keys)
    try:
        if allow_torch:
            yield
        else:
            with torch_blocked():
                yield
    finally:
        unblock(keys)
