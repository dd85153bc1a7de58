"""Read a submission's answer cells for things an answer never needs.

The tests cannot be switched off from an answer cell (they bind their checks
afresh, the checks put back what was replaced, and the kernel is sandboxed),
but an instructor wants to know who tried. Each finding becomes a note, and
the student's row gets the status ``flagged``; the grade is not changed.
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


def scan_cell(source: str) -> list[str]:
    """Findings for one answer cell, each a short phrase with its line."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it will fail its tests; nothing to flag
    found = []

    def add(node, what):
        entry = f"{what} (line {getattr(node, 'lineno', '?')})"
        if entry not in found:
            found.append(entry)

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Attribute) and _root(t) in WATCHED:
                        add(node, f"changes {ast.unparse(t)}")
                    elif isinstance(t, ast.Name) and t.id in CHECK_NAMES:
                        add(node, f"rebinds the test function {t.id}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in CHECK_NAMES:
            add(node, f"defines its own {node.name}")
        elif isinstance(node, ast.Call):
            name = _called(node)
            if name in FILE_CALLS:
                add(node, f"calls {name}()")
            elif name in ("setattr", "delattr") and node.args and _root(node.args[0]) in WATCHED | {"helpers"}:
                add(node, f"calls {name} on {ast.unparse(node.args[0])}")
            elif isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "read_text", "read_bytes", "write_text", "write_bytes", "open", "listdir", "walk",
                    "system", "popen", "unlink", "remove", "rmtree"):
                add(node, f"touches files ({ast.unparse(node.func)})")
        elif isinstance(node, ast.Attribute):
            if node.attr in DUNDERS:
                add(node, f"uses {node.attr}")
            elif node.attr.startswith("_") and not node.attr.startswith("__") and _root(node) in WATCHED:
                add(node, f"uses the private reference helper {ast.unparse(node)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                _import(alias.name, node, add)
        elif isinstance(node, ast.ImportFrom) and node.module:
            _import(node.module, node, add)
            if node.module.startswith("helpers"):
                for alias in node.names:
                    if alias.name.startswith("_"):
                        add(node, f"imports the private reference helper {node.module}.{alias.name}")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                if name in CHECK_NAMES:
                    add(node, f"rebinds the test function {name}")
    return found


def _import(module, node, add):
    top = module.split(".")[0]
    if top in FILE_MODULES:
        add(node, f"imports {module}")
    elif module.startswith(TEST_MODULES):
        add(node, f"imports the test machinery {module}")


def _root(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _called(call):
    return call.func.id if isinstance(call.func, ast.Name) else None


def scan(nb) -> list[str]:
    """Findings over every answer cell of a submission, each naming its cell."""
    notes = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_answer(cell):
            notes += [f"answer cell {grade_id(cell)} {f}" for f in scan_cell(cell.source)]
    return notes
