"""Test utilities: library functions blocked while an answer runs, and a
counter of the Python lines an answer executes.

:func:`library_distances_blocked` (no ``np.linalg.norm`` or scipy while a
student's distance function runs) and :func:`python_line_count` (is a
"no loops" answer really free of Python loops?) are used by notebook 01;
:func:`torch_blocked` (NumPy exercises are answered with NumPy) by every
test that runs an answer inside ``without_reference``.
"""
from __future__ import annotations

import importlib
import importlib.abc
import inspect
import sys
from contextlib import ExitStack, contextmanager

from . import integrity
from .assertions import CheckFailed, check_close, check_true
from .notes import in_a_cell
from .trace import notebook_namespace as _notebook_namespace, probe

_settrace, _gettrace = sys.settrace, sys.gettrace
# Bound now: reading integrity.exempted later would run verify() first and
# put back what the blocker has just replaced.
_exempted = integrity.exempted


# (module, attribute) pairs that compute distances for you.
LIBRARY_DISTANCES = (
    ("numpy.linalg", "norm"),
    ("scipy.spatial.distance", "cdist"),
    ("scipy.spatial.distance", "pdist"),
    ("scipy.spatial.distance", "euclidean"),
    ("scipy.spatial.distance", "sqeuclidean"),
    ("scipy.spatial.distance", "cityblock"),
    ("scipy.spatial.distance", "minkowski"),
    ("sklearn.metrics.pairwise", "euclidean_distances"),
    ("sklearn.metrics.pairwise", "manhattan_distances"),
    ("sklearn.metrics.pairwise", "pairwise_distances"),
    ("sklearn.metrics", "pairwise_distances"),
    ("torch", "cdist"),
)


@contextmanager
def library_blocked(targets, namespace=None, why="write it yourself"):
    """Within the block, the library functions or classes in ``targets`` (a
    list of (module, attribute) pairs) raise a ``CheckFailed`` that names the
    call and says ``why`` it is not allowed.

    The module attribute is replaced (so ``np.linalg.norm`` and
    ``scipy.spatial.distance.cdist`` are caught whatever alias the module has),
    and so is any name in ``namespace`` (pass the notebook's ``globals()``)
    bound to the same object, which catches
    ``from scipy.spatial.distance import cdist``. Modules that cannot be
    imported are skipped; torch is patched only if it is already imported.
    Everything is restored on exit, even after an error.
    """
    def blocker(label):
        def refuse(*args, **kwargs):
            raise CheckFailed(f"Your code calls {LABELS.get(label, f'`{label}`')}, which is not allowed here: {why}.")
        return refuse

    saved = []  # (owner, name, original, owner is a dict)
    stack = ExitStack()
    try:
        replacements = {}  # id(original) -> (original, replacement)
        modules = {}
        # Import every module first: a module imported after a replacement
        # would keep the blocker (sklearn.neighbors holds DistanceMetric).
        for module_name, _ in targets:
            if module_name == "torch" and "torch" not in sys.modules:
                continue
            try:
                modules[module_name] = importlib.import_module(module_name)
            except Exception:
                continue
        for module_name, path in targets:
            owner, *parts = [modules.get(module_name)] + path.split(".")
            for part in parts[:-1]:  # "Module.__call__": an attribute of a class of the module
                owner = getattr(owner, part, None)
            attr = parts[-1]
            if owner is None or attr not in vars(owner):
                continue
            original = vars(owner)[attr]
            label = f"{module_name}.{path}".replace("numpy.", "np.")
            replacement = replacements.setdefault(id(original), (original, blocker(label)))[1]
            saved.append((owner, attr, original, False))
            setattr(owner, attr, replacement)
        # The integrity check must not put the originals back while blocked.
        stack.enter_context(_exempted([(owner if isinstance(owner, type) else vars(owner), name)
                                       for owner, name, _, _ in saved]))
        notebook = _notebook_namespace()
        for names in [namespace] + ([notebook] if notebook is not None and notebook is not namespace else []):
            for name, value in list((names or {}).items()):
                entry = replacements.get(id(value))
                if entry is not None and entry[0] is value:
                    saved.append((names, name, value, True))
                    names[name] = entry[1]
        yield
    finally:
        stack.close()
        for owner, name, original, is_dict in reversed(saved):
            if is_dict:
                owner[name] = original
            else:
                setattr(owner, name, original)


def library_distances_blocked(namespace=None):
    """:func:`library_blocked` for every library distance function in
    :data:`LIBRARY_DISTANCES` (``np.linalg.norm``, scipy's ``cdist``, ...)."""
    return library_blocked(
        LIBRARY_DISTANCES, namespace,
        why="compute the distances from their formula with array arithmetic "
            "(-, *, **, np.sum, np.sqrt, @); library distance functions are not allowed")


# PyTorch's ways to do a NumPy exercise's work: tensors from arrays, the
# functional ops (plus those torch.nn.functional defines as its own and not
# as torch's, listed by :func:`_torch_targets`), autograd and the layers.
TORCH_OPS = (
    ("torch", "tensor"), ("torch", "as_tensor"), ("torch", "from_numpy"), ("torch", "asarray"),
    ("torch", "batch_norm"), ("torch", "layer_norm"), ("torch", "group_norm"), ("torch", "instance_norm"),
    ("torch", "max_pool1d"), ("torch", "max_pool2d"), ("torch", "max_pool3d"), ("torch", "dropout"),
    ("torch", "relu"), ("torch", "softmax"), ("torch", "log_softmax"),
    ("torch.autograd", "grad"), ("torch.autograd", "backward"), ("torch", "Tensor.backward"),
    ("torch.nn", "Module.__init__"), ("torch.nn", "Module.__call__"),
    ("torch.nn.utils", "clip_grad_norm_"), ("torch.nn.utils", "clip_grad_value_"),
    ("torch.nn.utils.clip_grad", "clip_grad_norm_"), ("torch.nn.utils.clip_grad", "clip_grad_value_"),
    ("torch.func", "grad"), ("torch.func", "vjp"), ("torch.func", "grad_and_value"),
)
# How a student wrote it, for the blocked methods.
LABELS = {"torch.nn.Module.__call__": "a `torch.nn` layer", "torch.nn.Module.__init__": "a `torch.nn` layer", "torch.Tensor.backward": "`.backward()` (autograd)"}
# torch.nn.functional's plumbing, which torch itself calls.
_TORCH_PLUMBING = {"Optional", "assert_int_or_pair", "boolean_dispatch", "handle_torch_function",
                   "has_torch_function", "has_torch_function_unary", "has_torch_function_variadic"}
_torch_cache = []


def _torch_targets():
    """TORCH_OPS and every public function of torch.nn.functional, also
    under the names torch gives the same objects (``torch.conv2d``)."""
    if not _torch_cache:
        import torch
        import torch.nn.functional as F
        functional = [n for n, v in vars(F).items() if not n.startswith("_") and n not in _TORCH_PLUMBING
                      and callable(v) and not isinstance(v, type) and not inspect.ismodule(v)]
        ids = {id(getattr(F, n)) for n in functional}
        aliases = [n for n, v in vars(torch).items() if id(v) in ids]
        _torch_cache.extend(TORCH_OPS + tuple(("torch.nn.functional", n) for n in functional)
                            + tuple(("torch", n) for n in aliases))
    return _torch_cache


class _RefuseTorchImport(importlib.abc.MetaPathFinder):
    """Refuses ``import torch`` while the block lasts (torch not imported yet)."""

    def __init__(self, why):
        self.why = why

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise CheckFailed(f"Your code imports `{name}`, which is not allowed here: {self.why}.")
        return None


TORCH_WHY = ("this is a NumPy exercise, so write it with NumPy arrays and operations (PyTorch is "
             "what the tests compare your answer with, and it has sections of its own)")


@contextmanager
def torch_blocked(namespace=None, why=TORCH_WHY):
    """Within the block, PyTorch cannot do an exercise's work: making tensors
    from arrays, the functional ops (``F.conv2d``, ``F.batch_norm``,
    ``F.unfold``...), autograd (``.backward()``, ``torch.autograd.grad``),
    the ``torch.nn`` layers and gradient clipping raise a ``CheckFailed``
    naming the call. If torch is not imported yet, importing it is refused
    instead (cheaper than importing it to patch it)."""
    if "torch" not in sys.modules:
        finder = _RefuseTorchImport(why)
        sys.meta_path.insert(0, finder)
        try:
            yield
        finally:
            sys.meta_path.remove(finder)
        return
    with library_blocked(_torch_targets(), namespace, why=why):
        yield


def _same_source(filename):
    """A test for code objects written where ``filename`` is: the same file,
    or any notebook cell of the same kernel."""
    if in_a_cell(filename):
        return in_a_cell
    return lambda f: f == filename


@probe
def python_line_count(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` and count the Python lines it executes in
    the file where ``fn`` is defined (in a notebook: in any of its cells),
    including helper functions, lambdas and comprehensions written there.
    Library code (numpy, helpers) is not counted.

    Returns ``(result, count)``. Vectorised code runs a handful of lines
    whatever the input size; a Python loop over n points runs at least n.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return fn(*args, **kwargs), 0
    ours = _same_source(code.co_filename)
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        if event == "call" and ours(frame.f_code.co_filename):
            return local
        return None

    previous = _gettrace()
    _settrace(tracer)
    try:
        result = fn(*args, **kwargs)
    finally:
        _settrace(previous)
    return result, count


def check_no_loops(name, fn, *args, max_lines=50, sizes="", hint=None, expected=None, tol=1e-8, **kwargs):
    """Run ``fn(*args, **kwargs)`` and fail if it executes ``max_lines`` or
    more Python lines written in the notebook (see :func:`python_line_count`);
    returns what ``fn`` returned.

    Call it with every dimension of the input at least a few hundred long, so
    that a loop over any of them (examples, classes or features, or a call to
    the notebook's looping version) runs far more than ``max_lines`` lines,
    while vectorised code runs a handful. ``sizes`` describes the input in the
    message ("500 examples of 300 features"). With ``expected``, the result
    must also be right (a stub that computes nothing runs no loop either).
    """
    result, lines = python_line_count(fn, *args, **kwargs)
    if expected is not None:
        pairs = ([(f"[{i}]", r, e) for i, (r, e) in enumerate(zip(result, expected))]
                 if isinstance(expected, tuple) and isinstance(result, (tuple, list)) else [("", result, expected)])
        for part, mine, right in pairs:
            check_close(f"{name}(...){part} on the large input{' (' + sizes + ')' if sizes else ''}", mine, right,
                        tol=tol, hint="the answer must be right as well as free of loops.")
    check_true(lines < max_lines,
               f"`{name}` ran {lines} lines of Python{' for ' + sizes if sizes else ''}: it still "
               "loops in Python (a for or while loop, a comprehension, np.vectorize, or a call to a "
               "looping function of this notebook).",
               hint=hint or "Work on whole arrays at once: broadcasting, matrix products and "
                            "reductions along an axis.")
    return result
