"""Read a submission's answer cells for things an answer never needs.

The tests cannot be switched off from an answer cell (they bind their checks
afresh, the checks put back what was replaced, and the kernel is sandboxed),
but an instructor wants to know who tried. Each finding becomes a note, and
the student's row gets the status ``flagged``; the grade is not changed.

Findings must be worth an instructor's time: an answer that only computes
(``x[np.arange(n), y] -= 1``, ``self.W -= lr * dW``) is never flagged. What
is flagged is replacing what the tests rely on (``np.isnan = f``), reaching
into the kernel or the running tests (``get_ipython``, frames, ``sys.modules``,
trace hooks), objects built to fool a comparison (``__eq__``, ``__array__``),
and files, processes and imports an answer has no use for; and PyTorch in
the answer to a NumPy exercise (one whose tests run it inside
``without_reference`` without ``allow_torch``).
"""
from __future__ import annotations

import ast

from .notebook import grade_id, is_answer

# Modules whose attributes the tests rely on: assigning to them is patching.
WATCHED = {"np", "numpy", "torch", "F", "nn", "sklearn", "helpers", "checks", "builtins", "__builtins__",
           "math", "scipy", "knn", "L", "layers", "linear", "nets", "solver", "optim", "init", "gradcheck"}
# Names of the checks a test cell uses: rebinding them is an attempt to switch tests off.
CHECK_NAMES = {"check_close", "check_equal", "check_shape", "check_true", "check_gradient", "passed",
               "without_reference", "rel_error", "library_blocked", "library_distances_blocked",
               "python_line_count", "verify", "reference"}
FILE_CALLS = {"open", "exec", "eval", "compile", "__import__", "breakpoint"}
FILE_MODULES = {"os", "pathlib", "shutil", "subprocess", "socket", "glob", "io", "sqlite3", "ctypes",
                "importlib", "inspect", "gc", "sys", "urllib", "requests", "http", "pickle", "signal"}
DUNDERS = {"__wrapped__", "__code__", "__globals__", "__closure__", "__dict__", "__class__",
           "__subclasses__", "__builtins__", "__defaults__", "__kwdefaults__", "cell_contents"}
# The test machinery: an answer has no use for it.
TEST_MODULES = ("helpers.checks", "helpers.gradcheck")

# Ways into the kernel, or into the tests while they run, and what each can do.
KERNEL = "reaches into the notebook's kernel"
REWRITE = "can rewrite the test cells before they run"
FRAMES = "can reach into the running tests"
TRACE = "can watch and change the tests as they run"
HOOK_NAMES = {"get_ipython": KERNEL, "IPython": KERNEL}  # any use of the name
HOOK_ATTRS = {  # an attribute of this name on anything
    "settrace": TRACE, "setprofile": TRACE,
    "set_custom_exc": "can hide the tests' errors",
    "input_transformers_cleanup": REWRITE, "input_transformers_post": REWRITE, "ast_transformers": REWRITE,
    "display_pub": "can change what the tests show",
    "currentframe": FRAMES, "_getframe": FRAMES, "f_back": FRAMES, "f_globals": FRAMES, "f_locals": FRAMES,
    "get_objects": "can find and change any object, the tests' too",
    "get_referrers": "can find and change any object, the tests' too",
}
HOOK_MODULES = {"sys", "gc", "inspect", "threading"}
HOOK_PAIRS = {  # an attribute of this name on an object of that name
    ("sys", "modules"): "can swap the modules the tests import",
    ("events", "register"): "runs code of its own around every cell",
}
# Methods that make an object pass for what a test expects.
FAKES = {"__array__": "an object that can pretend to be any array",
         "__array_ufunc__": "an object that can take over NumPy's functions",
         "__array_function__": "an object that can take over NumPy's functions",
         "__eq__": "an object that can claim to equal anything"}
TOO_DEEP = "is nested too deeply to scan (no answer needs that)"
FILE_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "listdir", "walk",
                "system", "popen", "unlink", "remove", "rmtree"}


def scan_cell(source: str) -> list[str]:
    """Findings for one answer cell, each a short phrase with its line (the
    first line where it happens)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []  # it will fail its tests; nothing to flag
    except (RecursionError, MemoryError):  # a kernel with a raised recursion limit might still run it
        return [TOO_DEEP]
    found, seen = [], set()

    def add(node, what, why=None):
        if what not in seen:
            seen.add(what)
            line = getattr(node, "lineno", "?")
            found.append(f"{what} ({why}; line {line})" if why else f"{what} (line {line})")

    try:
        for node in ast.walk(tree):
            for check in (_stores, _definitions, _calls, _attributes, _names, _imports):
                check(node, add)
    except RecursionError:  # ast.unparse of an expression nested hundreds deep
        found.append(TOO_DEEP)
    return found


def _stores(node, add):
    """Assignments and deletions whose target is what the tests rely on: a
    check's name, or an attribute of a watched module (``np.isnan = f``,
    ``np.linalg.norm = f``, ``checks.TOLERANCE[k] = v``). Only the target
    itself counts, never what is read to compute it (``x[np.arange(n)] -= 1``)."""
    if not isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
        return
    if isinstance(node, ast.Name) and node.id in CHECK_NAMES:
        add(node, f"rebinds the test function {node.id}")
    elif isinstance(node, (ast.Attribute, ast.Subscript)) and _module_attribute(node):
        add(node, f"changes {_code(node)}")


def _module_attribute(target) -> bool:
    """Whether a store target is (an item of) an attribute chain of a watched
    module: ``np.linalg.norm``, ``checks.TOLERANCE[k]``; not ``np.zeros(3).x``."""
    while isinstance(target, ast.Subscript):
        target = target.value
    if not isinstance(target, ast.Attribute):
        return False
    while isinstance(target, ast.Attribute):
        target = target.value
    return isinstance(target, ast.Name) and target.id in WATCHED


def _definitions(node, add):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in CHECK_NAMES:
        add(node, f"defines its own {node.name}")
    if isinstance(node, ast.ClassDef):
        for stmt in node.body:
            for name in _defined(stmt):
                if name in FAKES:
                    add(stmt, f"defines {name}", FAKES[name])
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            if name in CHECK_NAMES:
                add(node, f"rebinds the test function {name}")


def _defined(stmt) -> list[str]:
    """The names a statement in a class body defines (methods and assignments)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [stmt.name]
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
        stmt, ast.AnnAssign) else []
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _calls(node, add):
    if not isinstance(node, ast.Call):
        return
    name = _called(node)
    if name in FILE_CALLS:
        add(node, f"calls {name}()")
    elif name in ("setattr", "delattr") and node.args and _root(node.args[0]) in WATCHED:
        add(node, f"calls {name} on {_code(node.args[0])}")
    elif isinstance(node.func, ast.Attribute) and node.func.attr in FILE_METHODS:
        add(node, f"touches files ({_code(node.func)})")
    if name in ("getattr", "setattr", "delattr", "hasattr") and len(node.args) >= 2 \
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        _hook(node, node.args[0], node.args[1].value, add)  # getattr(sys, "modules")


def _attributes(node, add):
    if not isinstance(node, ast.Attribute):
        return
    if node.attr in DUNDERS:
        add(node, f"uses {node.attr}")
    elif node.attr.startswith("_") and not node.attr.startswith("__") and _root(node) in WATCHED:
        add(node, f"uses the private reference helper {_code(node)}")
    _hook(node, node.value, node.attr, add)


def _hook(node, value, attr, add):
    """A finding for ``value.attr`` if it is a way into the kernel or the tests."""
    owner = value.id if isinstance(value, ast.Name) else value.attr if isinstance(value, ast.Attribute) else None
    if attr in HOOK_ATTRS:  # named with its module (sys._getframe), not with a variable (frame.f_back)
        add(node, f"uses {owner}.{attr}" if owner in HOOK_MODULES else f"uses {attr}", HOOK_ATTRS[attr])
    elif (owner, attr) in HOOK_PAIRS:
        add(node, f"uses {owner}.{attr}", HOOK_PAIRS[owner, attr])


def _names(node, add):
    if isinstance(node, ast.Name) and node.id in HOOK_NAMES:
        add(node, f"uses {node.id}", HOOK_NAMES[node.id])


def _imports(node, add):
    if isinstance(node, ast.Import):
        for alias in node.names:
            _import(alias.name, node, add)
    elif isinstance(node, ast.ImportFrom) and node.module:
        _import(node.module, node, add)
        owner = node.module.split(".")[-1]
        for alias in node.names:
            if node.module.startswith("helpers") and alias.name.startswith("_"):
                add(node, f"imports the private reference helper {node.module}.{alias.name}")
            why = HOOK_NAMES.get(alias.name) or HOOK_ATTRS.get(alias.name) or HOOK_PAIRS.get((owner, alias.name))
            if why:
                add(node, f"imports {node.module}.{alias.name}", why)


def _import(module, node, add):
    top = module.split(".")[0]
    if top == "IPython":
        add(node, f"imports {module}", KERNEL)
    elif top in FILE_MODULES:
        add(node, f"imports {module}")
    elif module.startswith(TEST_MODULES):
        add(node, f"imports the test machinery {module}")


def _code(node, limit=60) -> str:
    """A node's code for a finding, cut short (a finding is one line)."""
    text = ast.unparse(node)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _called(call):
    return call.func.id if isinstance(call.func, ast.Name) else None


TORCH_NAMES = {"torch", "F", "nn"}  # what the notebooks' set-up binds to PyTorch
NUMPY_ONLY = "in a NumPy exercise, where the tests refuse it"


def numpy_exercises(tests: dict) -> set[str]:
    """The names the NumPy exercises' test cells take from the notebook:
    cells that run an answer inside ``without_reference`` without
    ``allow_torch``, directly or through a helper of ``helpers.checks`` that
    does (:func:`guarding_helpers`)."""
    from helpers.checks.trace import notebook_names

    guards = guarding_helpers()
    names = set()
    for code in tests.values():
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        if "allow_torch=True" not in code and _calls_in(tree, "", _checks_imports(tree)) & guards:
            names.update(notebook_names(code))
    return names


def _checks_imports(tree) -> dict:
    """{local name: (module of helpers.checks, name)} of the imports in
    ``tree`` (a file of helpers.checks, or a cell) from helpers.checks."""
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = node.module or ""
        if not node.level:  # relative imports are the package's own: from .guard import x
            if source != "helpers.checks" and not source.startswith("helpers.checks."):
                continue
            source = source[len("helpers.checks"):].lstrip(".")
        for alias in node.names:  # ("", name): the package's name, a module or what it re-exports
            found[alias.asname or alias.name] = (source, alias.name)
    return found


def _calls_in(tree, module, imports) -> set[tuple]:
    """(module, function) of each call in ``tree``, resolved through its imports."""
    calls = set()
    for c in ast.walk(tree):
        if not isinstance(c, ast.Call):
            continue
        if isinstance(c.func, ast.Name):
            calls.add(imports.get(c.func.id, (module, c.func.id)))
        elif isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name):
            owner = imports.get(c.func.value.id)
            if owner and owner[0] == "":  # guard.without_reference(...)
                calls.add((owner[1], c.func.attr))
    return calls


def guarding_helpers() -> set[tuple]:
    """(module, name) of ``without_reference`` and of the functions of
    ``helpers.checks`` that call it (without ``allow_torch=True``), or call
    one that does; names the package re-exports count under it too. Read
    from the source, so a new helper counts at once."""
    from pathlib import Path

    import helpers.checks

    calls, exported = {}, {}
    for path in sorted(Path(helpers.checks.__file__).parent.glob("*.py")):
        module = "" if path.stem == "__init__" else path.stem
        tree = ast.parse(path.read_text())
        imports = _checks_imports(tree)
        if not module:
            exported = imports
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                torch_ok = any(k.arg == "allow_torch" and isinstance(k.value, ast.Constant) and k.value.value is True
                               for c in ast.walk(node) if isinstance(c, ast.Call) for k in c.keywords)
                if not torch_ok:
                    calls.setdefault((module, node.name), set()).update(_calls_in(node, module, imports))
    guards, grown = {("guard", "without_reference")}, True
    while grown:
        new = {f for f, called in calls.items() if called & guards} - guards
        guards |= new
        grown = bool(new)
    return guards | {("", name) for name, target in exported.items() if target in guards}


def torch_uses(source: str) -> list[str]:
    """Where a NumPy exercise's answer cell uses PyTorch: imports it, or reads ``torch.x`` / ``F.x`` /
    ``nn.x`` with a name the cell itself does not bind (``F`` may be a
    student's number of filters)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
              for a in n.args + n.posonlyargs + n.kwonlyargs}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "torch" for a in node.names) \
                or isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            found.append(f"imports PyTorch {NUMPY_ONLY} (line {node.lineno})")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in TORCH_NAMES and node.value.id not in bound:
            found.append(f"uses PyTorch ({_code(node)}) {NUMPY_ONLY} (line {node.lineno})")
    return found[:1]  # one finding per cell is enough to look


def scan(nb, tests: dict | None = None) -> list[str]:
    """Findings over every answer cell of a submission, each naming its cell.
    ``tests`` ({grade id: code}, hidden tests included) tells the NumPy
    exercises, whose answers must not use PyTorch."""
    numpy_only = numpy_exercises(tests or {})
    notes = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_answer(cell):
            found = scan_cell(cell.source)
            if numpy_only and _defines(cell.source) & numpy_only:
                found += torch_uses(cell.source)
            notes += [f"answer cell {grade_id(cell)} {f}" for f in found]
    return notes


def _defines(source: str) -> set[str]:
    """The names a cell binds at its top level."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names = set()
    for stmt in tree.body:
        names.update([stmt.name] if isinstance(stmt, ast.ClassDef) else _defined(stmt))
    return names
