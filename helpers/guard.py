"""Keep a reference implementation from being handed in as the answer.

Reference functions and classes in ``helpers`` are marked with
:func:`reference`. A test runs the student's code inside
:func:`without_reference`, and any call to the matching reference (under any
alias, since the check lives in the wrapper) raises :class:`ReferenceUsed`.
Outside that block the references work normally, so later notebooks can rely
on them.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager

_blocked: set[str] = set()


class ReferenceUsed(AssertionError):
    def _render_traceback_(self):
        return ["\x1b[31mReferenceUsed\x1b[0m: " + str(self)]


def _key(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _refuse(key):
    raise ReferenceUsed(
        f"Your answer calls the course's reference `{key}`. This exercise asks you to "
        "write it yourself: the reference is there for later notebooks, not as the answer.")


def reference(obj):
    """Decorator marking a function or class as the reference answer."""
    key = _key(obj)
    if isinstance(obj, type):
        init = obj.__init__

        @functools.wraps(init)
        def guarded_init(self, *args, **kwargs):
            if key in _blocked:
                _refuse(key)
            init(self, *args, **kwargs)

        obj.__init__ = guarded_init
        return obj

    @functools.wraps(obj)
    def guarded(*args, **kwargs):
        if key in _blocked:
            _refuse(key)
        return obj(*args, **kwargs)

    return guarded


@contextmanager
def without_reference(*objs):
    """Within the block, calling any of ``objs`` (reference functions or
    classes, or their dotted names) raises :class:`ReferenceUsed`."""
    keys = {o if isinstance(o, str) else _key(getattr(o, "__wrapped__", o)) for o in objs}
    added = keys - _blocked
    _blocked.update(added)
    try:
        yield
    finally:
        _blocked.difference_update(added)
