"""Where the verdict comes from: a test cell run twice, once in each process.

In the student's kernel, :func:`run_test` runs a test cell with every name
the cell takes from the notebook (the student's functions, classes and
values) wrapped, and records, in order, what the cell asked of them and what
came back: each call's arguments (as a digest), its result or exception,
and any change it made to the arrays, lists and dicts it was given. Results
cross as plain data (:mod:`helpers.checks.wire`); a result that is not data
(an object, a function) crosses as a handle the cell can call again.

In the grader, where no student code runs, :func:`replay_test` runs the
same test cell from the course's own source, in a fresh namespace where
those names answer from the record instead. Every input, every expected
value and every comparison is computed there, so the verdict depends on the
kernel only through the data its answers produced. A cell whose record is
missing, or asks for something the record does not hold, fails.

Trusted helpers that must watch student code run in the kernel (a line
counter, a spy) are marked :func:`probe`: in the kernel they run and their
result is recorded; in the grader the result is read back. They return
observations (a count, the arrays a call changed), never a verdict.
"""
from __future__ import annotations

import base64
import builtins
import contextlib
import functools
import io
import json
import symtable
import threading
import zlib

import numpy as np

from . import wire

MIME = "application/vnd.dl-course.record+json"
MAX_RECORD_BYTES = 256 << 20  # array bytes one notebook's records may rebuild in the grader
_state = threading.local()


def _mode():
    return getattr(_state, "mode", None)


def notebook_namespace():
    """The notebook's own globals while :func:`run_test` runs a test cell in
    the kernel (a test cell's ``globals()`` is then a namespace of its own):
    where library blockers must also replace the student's aliases."""
    mode = _mode()
    return getattr(mode, "namespace", None)


@contextlib.contextmanager
def _active(mode):
    old = _mode()
    _state.mode = mode
    try:
        yield mode
    finally:
        _state.mode = old


# -- which names a test cell takes from the notebook ------------------------

def notebook_names(source: str) -> list[str]:
    """Names the cell reads but neither binds nor imports, and that are not
    builtins: in a test cell, exactly the names the student's cells define."""
    table = symtable.symtable(source, "<test>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    names = set()

    def walk(t, top):
        for s in t.get_symbols():
            if top and s.is_referenced() and not (s.is_assigned() or s.is_imported()):
                names.add(s.get_name())
            elif not top and s.is_global() and s.is_referenced():
                names.add(s.get_name())
        for child in t.get_children():
            walk(child, False)

    walk(table, True)
    return sorted(names - bound - set(dir(builtins)))


def _fresh_namespace():
    return {"__builtins__": builtins, "__name__": "__main__"}


# -- the kernel side ---------------------------------------------------------

class Recorder:
    """The kernel's side: runs what the test asks of the student's objects."""

    def __init__(self):
        self.events = []
        self.objects = []  # handle -> the real object
        self.depth = 0     # > 0 while student code runs: its own calls are not recorded

    def handle(self, obj):
        for i, known in enumerate(self.objects):
            if known is obj:
                return i
        self.objects.append(obj)
        return len(self.objects) - 1

    def encode(self, value):
        """(data, whether it holds a handle)."""
        used = []

        def handle(obj):
            used.append(obj)
            return self.handle(obj)

        return wire.encode(value, handle), bool(used)

    def wrap(self, value, has_handles=True):
        """What the test cell gets: data as it is, other objects behind a proxy."""
        if not has_handles:
            return value
        if type(value) is tuple:
            return tuple(self.wrap(v, not wire.is_data(v)) for v in value)
        if type(value) is list:
            return [self.wrap(v, not wire.is_data(v)) for v in value]
        if type(value) is dict:
            return {k: self.wrap(v, not wire.is_data(v)) for k, v in value.items()}
        if wire.is_data(value):
            return value
        return Proxy(self, self.handle(value))

    def proxy_op(self, h, op, detail, fn, args, kwargs):
        obj = self.objects[h]
        return self.perform(op, h, detail, lambda *a, **k: fn(obj, *a, **k), args, kwargs)

    def perform(self, op, target, detail, thunk, args=(), kwargs=None):
        """Run ``thunk`` (student code, or a probe watching it) and record what it gave back."""
        kwargs = kwargs or {}
        plain_args, plain_kwargs = _real(args), _real(kwargs)
        if self.depth:
            return thunk(*plain_args, **plain_kwargs)
        event = {"op": op, "h": target, "detail": detail}
        if args or kwargs:
            event["args"] = wire.fingerprint((list(args), dict(kwargs)))
        watched = [(i, _state_of(v)) for i, v in enumerate(plain_args) if _mutable(v)]
        watched += [(k, _state_of(v)) for k, v in plain_kwargs.items() if _mutable(v)]
        before = {key: wire.fingerprint(state(), exact=True) for key, state in watched}
        identities = {key: _identities(state()) for key, state in watched}
        self.depth += 1
        try:
            result = thunk(*plain_args, **plain_kwargs)
        except BaseException as err:
            event["raise"] = [type(err).__name__, _builtin_base(type(err)).__name__, _message(err)]
            raise
        else:
            event["result"], has_handles = self.encode(result)
            return self.wrap(result, has_handles)
        finally:
            self.depth -= 1
            changed = [[key, self.encode(state())[0], _rebound(identities[key], state())] for key, state in watched
                       if wire.fingerprint(state(), exact=True) != before[key]]
            if changed:
                event["changed"] = changed
            self.events.append(event)


def _message(err):
    try:
        return str(err)[:2000]
    except Exception:
        return ""


def _builtin_base(cls):
    for klass in cls.__mro__:
        if klass.__module__ == "builtins":
            return klass
    return Exception


def _mutable(value):
    """Arguments whose changes go back to the grader: arrays, lists, dicts,
    and the course's own objects (a net the test made and the student trains)."""
    return isinstance(value, (np.ndarray, list, dict)) or _course_object(value)


def _course_object(value):
    module = type(value).__module__
    return isinstance(module, str) and module.startswith("helpers.") and hasattr(value, "__dict__")


def _identities(state):
    """{key: id} of the entries of a dict argument (or a course object's
    attributes): which arrays a call replaced rather than changed in place."""
    entries = state.get("__attributes__", state) if isinstance(state, dict) else {}
    return {repr(k): id(v) for k, v in entries.items()}


def _rebound(before, state):
    return [k for k, i in _identities(state).items() if before.get(k) != i]


def _state_of(value):
    """A function giving what of ``value`` a change is looked for in: the
    value itself, or a course object's attributes that are data."""
    if not _course_object(value):
        return lambda: value
    return lambda: {"__attributes__": {k: v for k, v in vars(value).items() if wire.is_data(v)}}


def _real(value):
    """Arguments with the kernel's proxies taken off (student code gets its own objects)."""
    if type(value) is Proxy:
        owner = object.__getattribute__(value, "_owner")
        return owner.objects[object.__getattribute__(value, "_h")] if isinstance(owner, Recorder) else value
    if type(value) is tuple:
        return tuple(_real(v) for v in value)
    if type(value) is list and any(type(v) is Proxy for v in value):
        return [_real(v) for v in value]
    if type(value) is dict and any(type(v) is Proxy for v in value.values()):
        return {k: _real(v) for k, v in value.items()}
    return value


class Proxy:
    """What a test cell holds instead of a student's object, in the kernel and
    in the grader alike. Every use goes to its owner: the kernel's
    :class:`Recorder` runs it and records it, the grader's :class:`Replayer`
    reads it back. Protocols a lie could hide in (``__array__``, ``__eq__``,
    arithmetic) are not passed on."""

    __slots__ = ("_owner", "_h")

    def __init__(self, owner, h):
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_h", h)

    def _op(self, op, detail, fn, *args, **kwargs):
        owner, h = object.__getattribute__(self, "_owner"), object.__getattribute__(self, "_h")
        return owner.proxy_op(h, op, detail, fn, args, kwargs)

    def __call__(self, *args, **kwargs):
        return self._op("call", None, lambda obj, *a, **k: obj(*a, **k), *args, **kwargs)

    def __getattr__(self, name):
        if name[:2] == "__" and name not in ("__name__", "__qualname__"):
            raise AttributeError(name)
        return self._op("getattr", name, lambda obj: getattr(obj, name))

    def __setattr__(self, name, value):
        self._op("setattr", name, lambda obj, v: setattr(obj, name, v), value)

    def __getitem__(self, key):
        return self._op("getitem", None, lambda obj, k: obj[k], key)

    def __setitem__(self, key, value):
        self._op("setitem", None, lambda obj, k, v: obj.__setitem__(k, v), key, value)

    def __len__(self):
        return self._op("len", None, len)

    def __iter__(self):
        return self._op("iter", None, iter)

    def __next__(self):
        return self._op("next", None, next)

    def __contains__(self, item):
        return self._op("contains", None, lambda obj, x: x in obj, item)

    def __bool__(self):
        return self._op("bool", None, bool)

    def __repr__(self):
        return self._op("repr", None, repr)

    def __str__(self):
        return self._op("str", None, str)

    def __format__(self, spec):
        return self._op("format", spec, lambda obj: format(obj, spec))


def probe(fn):
    """Mark a trusted helper that must watch student code run: in the kernel
    its result is recorded, in the grader it is read back from the record."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        mode = _mode()
        if mode is None:
            return fn(*args, **kwargs)
        return mode.perform("probe", -1, fn.__qualname__, fn, args, kwargs)

    return run


def packed(source: str) -> str:
    """``source`` as one opaque string (nbgrader's marker lines must not show)."""
    return base64.b64encode(zlib.compress(source.encode())).decode("ascii")


def grading_cell(test_id: str, source: str) -> str:
    """The code the kernel runs for a test cell while it is graded."""
    return ("# Graded by the grader, outside this notebook: it replays this test on what your code returned.\n"
            f"__import__('helpers.checks.trace', fromlist=['run_test']).run_test({test_id!r}, "
            f"{packed(source)!r}, globals())\n")


last_record = None  # (test id, events) of the last run_test, for in-process runners


def run_test(test_id: str, source: str, namespace: dict, sink=None):
    """Run a test cell's ``source`` (as :func:`packed`) in the kernel with the
    notebook's names recorded, then send the record out (``sink``, or a
    display output the grader reads). Errors propagate as in a plain cell."""
    global last_record
    source = zlib.decompress(base64.b64decode(source)).decode()
    recorder = Recorder()
    recorder.namespace = namespace
    ns = _fresh_namespace()
    present = []
    for name in notebook_names(source):
        if name in namespace:
            present.append(name)
            value = namespace[name]
            data, has_handles = recorder.encode(value)
            ns[name] = recorder.wrap(value, has_handles)
            recorder.events.append({"op": "global", "h": -1, "detail": name, "result": data})
    recorder.events.insert(0, {"op": "names", "h": -1, "detail": present})
    try:
        with _active(recorder):
            exec(compile(source, f"<test {test_id}>", "exec"), ns)
    finally:
        last_record = (test_id, recorder.events)
        (sink or _publish)(test_id, recorder.events)


def _publish(test_id, events):
    from IPython.display import publish_display_data

    publish_display_data({MIME: {"test": test_id, "events": json.dumps(events)}})


# -- the grader side --------------------------------------------------------

class ReplayError(AssertionError):
    """The record does not hold what the test asks for."""


class Replayer:
    """The grader's side: answers what the test asks from the record."""

    def __init__(self, events, budget):
        self.events = list(events) if isinstance(events, list) else []
        self.at = 0
        self.budget = budget
        self.proxies = {}

    def proxy(self, h):
        if h not in self.proxies:
            self.proxies[h] = Proxy(self, h)
        return self.proxies[h]

    def proxy_op(self, h, op, detail, fn, args, kwargs):
        return self.perform(op, h, detail, None, args, kwargs)

    def decode(self, data):
        return wire.decode(data, self.proxy, self.budget)

    def next(self, op, target, detail):
        if self.at >= len(self.events):
            raise ReplayError("your notebook stopped before this test finished (the data this test "
                              "needs never came back from it)")
        event = self.events[self.at]
        if not isinstance(event, dict) or (event.get("op"), event.get("h"), event.get("detail")) != (op, target, detail):
            raise ReplayError("the notebook did something else here than this test asked for: "
                              "its run of the test does not match the grader's")
        self.at += 1
        return event

    def perform(self, op, target, detail, thunk, args=(), kwargs=None):
        event = self.next(op, target, detail)
        if args or kwargs:
            if event.get("args") != wire.fingerprint((list(args), dict(kwargs or {}))):
                raise ReplayError("this test's inputs in your notebook differ from the grader's")
        for change in event.get("changed", []):
            key, data = change[0], change[1]
            _apply(args, kwargs or {}, key, self.decode(data), set(map(str, change[2] if len(change) > 2 else [])))
        if "raise" in event:
            raise _rebuild(event["raise"])
        return self.decode(event.get("result"))


def _apply(args, kwargs, key, new, rebound=frozenset()):
    """Make the grader's argument ``key`` what the student's code left in it:
    arrays changed in place are changed in place here too, entries the
    student's code replaced (``rebound``, by repr of their key) are replaced."""
    target = kwargs.get(key) if isinstance(key, str) else args[key] if isinstance(key, int) and key < len(args) else None
    if _course_object(target) and isinstance(new, dict) and isinstance(new.get("__attributes__"), dict):
        for name, value in new["__attributes__"].items():
            old = getattr(target, name, None)
            if isinstance(old, (np.ndarray, dict, list)) and type(old) is type(value) and repr(name) not in rebound:
                _apply((old,), {}, 0, value)
            else:
                setattr(target, str(name), value)
    elif isinstance(target, np.ndarray) and isinstance(new, np.ndarray) and target.shape == new.shape:
        np.copyto(target, new, casting="unsafe")
    elif isinstance(target, dict) and isinstance(new, dict):
        for k in list(target):
            if k not in new:
                del target[k]
        for k, v in new.items():
            old = target.get(k)
            if (isinstance(old, np.ndarray) and isinstance(v, np.ndarray) and old.shape == v.shape
                    and old.flags.writeable and repr(k) not in rebound):
                np.copyto(old, v, casting="unsafe")
            else:
                target[k] = v
    elif isinstance(target, list) and isinstance(new, list):
        target[:] = new


def _rebuild(info):
    name, base, message = (list(info) + ["", "Exception", ""])[:3]
    cls = getattr(builtins, str(base), Exception)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)) or cls in (KeyboardInterrupt, SystemExit,
                                                                                 GeneratorExit):
        cls = Exception
    try:
        err = cls(str(message)) if cls is not StopIteration else StopIteration()
    except Exception:
        err = Exception(str(message))
    err.student_error = str(name)
    return err


def replay_test(test_id: str, source: str, events, budget=None):
    """Run the course's own test cell against a record; returns
    ``(passed, output, error)``: what the cell printed, and why it failed."""
    budget = budget or wire.Budget(MAX_RECORD_BYTES)
    replayer = Replayer(events, budget)
    out = io.StringIO()
    ns = _fresh_namespace()
    try:
        if not isinstance(events, list):
            raise ReplayError("the record of this test is malformed")
        first = replayer.events[0] if replayer.events else None
        names = replayer.next("names", -1, first.get("detail") if isinstance(first, dict) else None)["detail"]
        if not isinstance(names, list):
            raise ReplayError("the record of this test is malformed")
        for name in notebook_names(source):
            if name in names:
                ns[name] = replayer.decode(replayer.next("global", -1, name).get("result"))
        with _active(replayer), contextlib.redirect_stdout(out):
            exec(compile(source, f"<test {test_id}>", "exec"), ns)
        if replayer.at != len(replayer.events):
            raise ReplayError("your notebook did more in this test than the test asked for")
        return True, out.getvalue(), None
    except (wire.WireError, ReplayError) as err:
        return False, out.getvalue(), err
    except BaseException as err:  # a failed check, or an error of the student's code
        if isinstance(err, (KeyboardInterrupt, SystemExit)) and not hasattr(err, "student_error"):
            raise
        return False, out.getvalue(), err


@probe
def class_of(obj):
    """(module, name) of ``obj``'s class: what a test may ask of a student's
    object without holding it."""
    cls = type(obj)
    return str(cls.__module__), str(cls.__qualname__)
