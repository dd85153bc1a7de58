"""Put back what an answer cell replaced in the libraries the tests rely on.

A student's answer cell runs in the same kernel as the test cells after it,
so ``np.allclose = lambda *a, **k: True`` or ``builtins.abs = ...`` there
would change what every later test computes. At import (in a notebook: the
locked setup cell) this module records the identity of the attributes the
tests depend on; :func:`verify`, which every check calls first, compares them
by identity, puts back each replaced one and says so in the cell's output with
the phrase ``which code in this notebook had replaced`` (the grader searches
for it to flag the submission).

Only modules already imported are recorded: this never imports torch or
scikit-learn itself. :func:`snapshot` can be called again to add modules
imported since (``helpers.checks.oracles`` does, after importing torch); it
never re-records a module it already holds.
"""
from __future__ import annotations

import builtins
import sys
import types
from contextlib import contextmanager

import numpy
import numpy.linalg
import numpy.random
import numpy.testing

from .errors import ChecksLocked


# Modules whose public callables (and submodules) tests use, directly or
# inside an oracle.
MODULES = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.testing",
    "torch", "torch.nn", "torch.nn.functional", "torch.autograd", "torch.optim",
    "sklearn.metrics", "sklearn.metrics.pairwise", "sklearn.model_selection", "sklearn.neighbors",
    "scipy.spatial.distance",
)
# Classes whose methods tests or oracles call (their Python bases too).
CLASSES = (
    ("torch", "Tensor"), ("torch.nn", "Module"), ("torch.nn", "Linear"), ("torch.nn", "ReLU"),
    ("torch.nn", "Sequential"), ("torch.optim", "Optimizer"), ("torch.optim", "SGD"),
    ("sklearn.neighbors", "KNeighborsClassifier"), ("sklearn.model_selection", "KFold"),
)
# Only these builtins: the kernel itself replaces others (input, exit, ...).
BUILTINS = (
    "abs", "all", "any", "bool", "callable", "dict", "enumerate", "float", "getattr", "hasattr",
    "id", "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min", "next",
    "print", "range", "repr", "round", "set", "setattr", "sorted", "str", "sum", "tuple", "type",
    "zip", "__import__",
)
SYS = ("settrace", "gettrace", "_getframe")

def _public(name):
    return not name.startswith("_")


def _initialized(module):
    return not getattr(getattr(module, "__spec__", None), "_initializing", False)


def _settle_torch(torch):
    """Let torch make the changes it makes to itself on first use, so that
    the snapshot holds them: building the first optimizer imports
    ``torch._dynamo`` (which wraps ``torch.manual_seed``) and wraps
    ``SGD.step`` in a profiling hook."""
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)


def _make_guard():
    """snapshot, register, exempted and verify, sharing state kept in this
    closure rather than in module attributes, where an answer cell could reach
    it with one assignment. Builtins they use are bound here for the same reason."""
    module_entries = []  # (namespace dict, name, original, label)
    class_entries = []   # (class, name, original, label)
    class_sizes = []     # (class, own size, own names, names a new attribute would shadow, label)
    recorded = set()     # modules and classes already recorded
    registered = []      # (module name, attribute, guarded reference, label)
    exempt = {}          # (id(namespace), name) -> count, see exempted()
    _vars, _len, _id, _callable, _list, _isinstance = vars, len, id, callable, list, isinstance
    _setattr, _delattr = type.__setattr__, type.__delattr__
    modules = sys.modules
    missing = object()
    say, initialized = builtins.print, _initialized

    def record_module(label, module, keep):
        d = _vars(module)
        for name, value in _list(d.items()):
            if keep(name, value):
                module_entries.append((d, name, value, f"{label}.{name}"))

    def record_class(label, cls):
        for klass in cls.__mro__:
            if klass is object or ("class", _id(klass)) in recorded:
                continue
            recorded.add(("class", _id(klass)))
            own = _vars(klass)
            for name, value in _list(own.items()):
                if _callable(value) or _isinstance(value, (staticmethod, classmethod, property)):
                    class_entries.append((klass, name, value, f"{label}.{name}"))
            # A new attribute on a Python class can shadow a method of a base
            # (torch.Tensor.matmul = ... hides TensorBase.matmul).
            shadowable = frozenset(n for base in klass.__mro__[1:] for n in _vars(base))
            class_sizes.append((klass, _len(own), frozenset(own), shadowable, label))

    standing_down = []  # non-empty: the grader's own process, where no answer runs

    def stand_down():
        """Switch :func:`verify` and :func:`snapshot` off for good: in the
        grader's process no answer cell runs, and a snapshot taken while a
        library blocker is active would make verify put the blocker back."""
        standing_down.append(True)

    def snapshot(extra=()):
        """Record the attributes of every target module already imported and
        fully initialised and not recorded yet, and of the modules named in
        ``extra`` (a module recording itself at the end of its import).
        Cheap to call again."""
        if standing_down:
            return
        if "builtins" not in recorded:
            recorded.add("builtins")
            record_module("builtins", builtins, lambda n, v: n in BUILTINS)
            record_module("sys", sys, lambda n, v: n in SYS)
        if "torch" not in recorded and "torch" in modules and _initialized(modules["torch"]):
            _settle_torch(modules["torch"])
        wanted = [(name, lambda n, v: _public(n) and (callable(v) or isinstance(v, types.ModuleType)))
                  for name in MODULES]
        # The course's own modules: every function and class, private helpers included.
        wanted += [(name, lambda n, v: callable(v))
                   for name in _list(modules) if name.startswith("helpers.")]
        for name, keep in wanted:
            module = modules.get(name)
            if name in recorded or module is None or not (name in extra or _initialized(module)):
                continue
            recorded.add(name)
            record_module(name, module, keep)
        for module_name, cls_name in CLASSES:
            module = modules.get(module_name)
            cls = getattr(module, cls_name, None) if module is not None and _initialized(module) else None
            if isinstance(cls, type):
                record_class(f"{module_name}.{cls_name}", cls)

    def register(module_name, name, guarded):
        """Record a reference wrapper as the value of ``module_name.name`` (the
        guard calls this when it decorates a top-level function or class, so
        it holds whenever the module was imported)."""
        registered.append((module_name, name, guarded, f"{module_name}.{name}"))

    @contextmanager
    def exempted(pairs):
        """While active, verify() leaves these (namespace dict or class, name)
        pairs alone: the library blockers replace them on purpose."""
        keys = [(_id(d), name) for d, name in pairs]
        for k in keys:
            exempt[k] = exempt.get(k, 0) + 1
        try:
            yield
        finally:
            for k in keys:
                exempt[k] -= 1
                if not exempt[k]:
                    del exempt[k]

    def verify():
        """Put back every recorded attribute that is no longer the recorded
        object, print one line per name put back, return the names."""
        restored = []
        if standing_down:
            return restored
        for d, name, value, label in module_entries:
            if d.get(name, missing) is not value and not (exempt and (_id(d), name) in exempt):
                d[name] = value
                restored.append(label)
        for klass, size, names, shadowable, label in class_sizes:
            own = _vars(klass)
            if _len(own) != size:
                for name in [n for n in own if n not in names and n in shadowable]:
                    _delattr(klass, name)
                    restored.append(f"{label}.{name}")
        for klass, name, value, label in class_entries:
            if _vars(klass).get(name, missing) is not value and not (exempt and (_id(klass), name) in exempt):
                _setattr(klass, name, value)
                restored.append(label)
        for module_name, name, value, label in registered:
            module = modules.get(module_name)
            if module is not None and _vars(module).get(name, missing) is not value \
                    and initialized(module):
                _vars(module)[name] = value
                restored.append(label)
        restored += restore_ipython()
        for label in restored:
            say(f"\u26a0 The tests put back {label}, which code in this notebook had replaced.")
        return restored

    shell_state = []  # (shell, {hook list name: its entries}, custom exceptions, handler)

    def snapshot_ipython():
        """Record the running IPython shell's hooks (input and AST
        transformers, event callbacks, custom exception handler)."""
        shell = _shell()
        if shell is None or shell_state:
            return
        lists = {name: _list(getattr(shell, name, [])) for name in IPYTHON_LISTS}
        events = {name: _list(cbs) for name, cbs in shell.events.callbacks.items()}
        shell_state.append((shell, lists, events, shell.custom_exceptions, shell.CustomTB))

    def restore_ipython():
        """Take off every hook an answer cell added to the shell, so a test
        cell runs as written and its tick is honest."""
        if not shell_state:
            return []
        shell, lists, events, custom, handler = shell_state[0]
        restored = []
        for name, entries in lists.items():
            current = getattr(shell, name, None)
            if current is not None and _list(current) != entries:
                current[:] = [e for e in current if e in entries or _trusted(e)]
                if _list(current) != entries:
                    current[:] = entries
                restored.append(f"IPython's {name}")
        for name, callbacks in shell.events.callbacks.items():
            keep = [cb for cb in callbacks if cb in events.get(name, []) or _trusted(cb)]
            if keep != callbacks:
                callbacks[:] = keep
                restored.append(f"IPython's {name} event")
        if shell.custom_exceptions != custom or shell.CustomTB is not handler:
            shell.custom_exceptions, shell.CustomTB = custom, handler
            restored.append("IPython's custom exception handler")
        return restored

    return snapshot, register, exempted, verify, stand_down, snapshot_ipython


# The shell's hook lists an answer cell could use to rewrite or silence later cells.
IPYTHON_LISTS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
# Hooks the kernel and matplotlib add by themselves after the snapshot.
_TRUSTED_MODULES = ("IPython.", "ipykernel.", "matplotlib", "matplotlib_inline.", "ipywidgets.")


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _trusted(hook):
    module = getattr(hook, "__module__", None) or getattr(type(hook), "__module__", "")
    return isinstance(module, str) and module.startswith(_TRUSTED_MODULES)


snapshot, register, exempted, verify, stand_down, snapshot_ipython = _make_guard()


def _make_locked_module(verify):
    class LockedModule(types.ModuleType):
        """A module whose attributes cannot be assigned or deleted from outside
        (its own code still changes its globals as usual), and whose every
        attribute read from outside, such as a test cell's
        ``from helpers.checks import check_close``, runs :func:`verify` first:
        what an answer cell put straight into the module's ``__dict__`` is
        put back before the test cell gets it."""

        def __getattribute__(self, name):
            if name[:2] != "__":
                verify()
            return types.ModuleType.__getattribute__(self, name)

        def __setattr__(self, name, value):
            # The import system adds each submodule to its package once.
            if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}" \
                    and name not in vars(self):
                return types.ModuleType.__setattr__(self, name, value)
            raise ChecksLocked("The notebook's checks can't be changed from an answer cell "
                               f"(you tried to set {self.__name__}.{name}). Remove that line and "
                               "rerun the notebook from the top.")

        def __delattr__(self, name):
            raise ChecksLocked("The notebook's checks can't be changed from an answer cell "
                               f"(you tried to delete {self.__name__}.{name}). Remove that line and "
                               "rerun the notebook from the top.")

    return LockedModule


LockedModule = _make_locked_module(verify)


def lock(module):
    """Make ``module`` refuse attribute assignment and deletion."""
    module.__class__ = LockedModule
