"""Grade many variants of one notebook from one shared executed prefix.

The typical mistakes and alternative answers of a notebook each change one
answer cell of the solution. Running each through nbgrader repeats the same
imports, data loading and earlier exercises every time. Instead this runner
executes the solution's cells once in a fresh IPython shell and, just before
an answer cell that some variants change, forks: each child puts in its
variant's text and runs the rest of the notebook, scoring every test cell as
nbgrader does (a test cell that raises scores 0, one that runs through gets
its points; hidden tests included). The parent goes on with the solution.

A child runs every cell after its fork except the test cells its changes
cannot reach: when the changed cells only define functions and classes (and
import), a later test cell that names none of what they define, directly or
through a later cell that uses it, keeps the solution's points without
running (so one slow training test is not repeated for every variant of an
unrelated exercise). A changed cell that does anything else at top level
(rebinding a check, patching a module) makes its child run everything.

It is a fast path for the test suite and ``grader check --fast``, trusted
because the suite compares its per-cell grades with real nbgrader's on a
sample of variants.
"""
from __future__ import annotations

import ast
import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from .intake import SKIP_TAG, repair
from .notebook import grade_id, is_locked, nbgrader_meta


def _program(nb, source):
    """The cells nbgrader would run for submission ``nb``: locked cells from
    the source (so hidden tests run), skipped cells left out. Each entry is
    (grade_id, code, points of a test cell or None)."""
    locked = {grade_id(c): c.source for c in source.cells if grade_id(c) and is_locked(c)}
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        gid = grade_id(cell)
        code = locked.get(gid, cell.source)
        meta = nbgrader_meta(cell)
        cells.append((gid, code, float(meta.get("points", 0)) if meta.get("grade") else None))
    return cells


def grade(release, source, submissions, workers=2, timeout=120, grading_mode=True):
    """{name: {test cell: points}} for ``{name: notebook}``; the first
    submission is the trunk the others fork from (give the solution first)."""
    programs = {}
    for name, nb in submissions.items():
        nb = repair(copy.deepcopy(nb), release, [], grading_mode)
        programs[name] = _program(nb, source)
    payload = pickle.dumps({"programs": programs, "workers": workers, "timeout": timeout})
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", DL_COURSE_GRADING="1")
    done = subprocess.run([sys.executable, "-m", "grader.prefix"], input=payload, capture_output=True,
                          env=env, cwd=_scratch())
    if done.returncode != 0:
        raise RuntimeError(f"the prefix runner failed:\n{done.stderr.decode()[-3000:]}")
    return json.loads(done.stdout.decode().splitlines()[-1])


def _scratch():
    import tempfile

    return tempfile.mkdtemp(prefix="prefix-")


# -- the runner process ------------------------------------------------------

def _run_cell(shell, code, timeout):
    """True when the cell ran through and wrote nothing to stderr (nbgrader
    takes either an error or stderr output as a failed test)."""
    import io
    import signal

    def expire(signum, frame):
        raise TimeoutError(f"the cell ran longer than {timeout} s")

    signal.signal(signal.SIGALRM, expire)
    signal.alarm(timeout)
    stderr, sys.stderr = sys.stderr, io.StringIO()
    try:
        result = shell.run_cell(code, silent=False, store_history=True)
    finally:
        signal.alarm(0)
        stderr, sys.stderr = sys.stderr, stderr
    import matplotlib.pyplot as plt

    plt.close("all")
    return result.success and not stderr.getvalue()


def _trunk(programs, workers, timeout):
    from IPython.core.interactiveshell import InteractiveShell

    names = list(programs)
    trunk = programs[names[0]]
    forks = {}  # cell index -> variants that differ first there
    for name in names[1:]:
        cells = programs[name]
        k = next((i for i, (a, b) in enumerate(zip(trunk, cells)) if a != b), min(len(trunk), len(cells)))
        forks.setdefault(k, []).append(name)

    shell = InteractiveShell.instance()
    grades, running = {}, {}

    def collect(block):
        while running and (block or len(running) >= workers):
            pid, status = os.waitpid(-1, 0)
            name, read_end = running.pop(pid)
            with os.fdopen(read_end) as f:
                text = f.read()
            grades[name] = json.loads(text) if text else None  # None: the variant killed its process

    def fork(name, start):
        collect(block=False)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: this variant's cells from here on
            os.close(read_end)
            scores = _score(shell, programs[name][start:], timeout, grades_so_far[:], trunk[start:])
            with os.fdopen(write_end, "w") as f:
                f.write(json.dumps(scores))
            os._exit(0)
        os.close(write_end)
        running[pid] = (name, read_end)

    grades_so_far = []
    for i, cell in enumerate(trunk + [None]):
        for name in forks.get(i, []):
            fork(name, i)
        if cell is None:
            break
        gid, code, points = cell
        ok = _run_cell(shell, code, timeout)
        if points is not None:
            grades_so_far.append((gid, points if ok else 0.0))
    grades[names[0]] = dict(grades_so_far)
    collect(block=True)
    return grades


def _names(code):
    """(names the code reads, names it binds at top level), or None if it
    does more at top level than define functions and classes and import."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    reads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    binds, local = set(), True
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            binds |= {(a.asname or a.name).split(".")[0] for a in stmt.names}
        elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):  # a docstring
            local = False
            binds |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return reads, binds, local


def _score(shell, cells, timeout, before, trunk):
    """Run ``cells`` (this variant's, from its fork on; ``trunk`` holds the
    solution's cells from the same point) and score the test cells."""
    unknown = (None, set(), False)  # code that does not parse: run it, and everything after
    scores, dirty, skip_ok = list(before), set(), True
    for (gid, code, points), original in zip(cells, trunk + [None] * len(cells)):
        reads, binds, local = _names(code) or unknown
        changed = original is None or code != original[1]
        if changed:
            skip_ok = skip_ok and local
            dirty |= binds | (_names(original[1]) or unknown)[1] if original else binds
        if (points is not None and not changed and skip_ok and reads is not None
                and not reads & dirty):
            scores.append((gid, points))  # nothing it uses changed: it passes as in the solution
            continue
        ok = _run_cell(shell, code, timeout)
        if points is None and reads and reads & dirty:
            dirty |= binds  # a cell built on changed code: what it defines changed too
        if points is not None:
            scores.append((gid, points if ok else 0.0))
    return dict(scores)


def main():
    payload = pickle.loads(sys.stdin.buffer.read())
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the cells' prints go nowhere; the result goes to the real stdout
    sys.path.insert(0, str(Path.cwd()))
    grades = _trunk(payload["programs"], payload["workers"], payload["timeout"])
    os.write(out, ("\n" + json.dumps(grades) + "\n").encode())


if __name__ == "__main__":
    main()
