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

Test cells run as they do when graded (:func:`helpers.checks.trace.grading_cell`):
the shell records what the answers returned, and the points come from
replaying each record in the calling process (:mod:`grader.verdict`), where no
variant's code ever ran.

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
    the grading copy of the source (so hidden tests run, recorded), skipped
    cells left out. Each entry is (grade_id, code, points of a test cell or None,
    the code as written: what the skip rule reads)."""
    from .verdict import grading_copy

    locked = {grade_id(c): c.source for c in grading_copy(source).cells if grade_id(c) and is_locked(c)}
    written = {grade_id(c): c.source for c in source.cells if grade_id(c) and is_locked(c)}
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or SKIP_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        gid = grade_id(cell)
        code = locked.get(gid, cell.source)
        meta = nbgrader_meta(cell)
        cells.append((gid, code, float(meta.get("points", 0)) if meta.get("grade") else None,
                      written.get(gid, cell.source)))
    return cells


def grade(release, source, submissions, workers=2, timeout=120, grading_mode=True, details=None, diagnoses=None):
    """{name: {test cell: points}} for ``{name: notebook}``; the first
    submission is the trunk the others fork from (give the solution first).
    ``details``, a dict, receives {name: {test cell: Verdict}}."""
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
    runs = json.loads(done.stdout.decode().splitlines()[-1])
    from .verdict import judge, test_cells  # here, not in the runner: it imports the checks

    tests = test_cells(source)
    points = {gid: float(nbgrader_meta(c).get("points", 0)) for c in source.cells
              if (gid := grade_id(c)) in tests}
    trunk = next(iter(submissions))
    seen = {}  # (test, record) -> Verdict: a replay is a function of the two

    def verdicts_of(recorded):
        out = {}
        for gid in tests:
            record = recorded.get(gid)  # None: no record, the test fails
            if (gid, record) not in seen:
                seen[gid, record] = judge({gid: tests[gid]}, {gid: record} if record else {}, diagnoses=diagnoses)[gid]
            out[gid] = seen[gid, record]
        return out

    solution = runs[trunk] or {}
    verdicts, grades = {}, {}
    for name, recorded in runs.items():
        if recorded is None:  # the variant killed its process
            grades[name] = None
            continue
        # a test the variant cannot reach keeps the solution's record
        verdicts[name] = verdicts_of({gid: solution.get(gid) if r == "same" else r for gid, r in recorded.items()})
        grades[name] = {gid: points[gid] if v.passed else 0.0 for gid, v in verdicts[name].items()}
    if details is not None:
        details.update(verdicts)
    return grades


def _scratch():
    import tempfile

    return tempfile.mkdtemp(prefix="prefix-")


# -- the runner process ------------------------------------------------------

def _run_test(shell, gid, code, timeout):
    """The record a test cell left (a JSON text), or None when it left none."""
    from helpers.checks import trace

    trace.last_record = None
    _run_cell(shell, code, timeout)
    record = trace.last_record
    return json.dumps(record[1]) if record and record[0] == gid else None


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
            name, path = running.pop(pid)
            text = path.read_text() if path.exists() else ""
            path.unlink(missing_ok=True)
            grades[name] = json.loads(text) if text else None  # None: the variant killed its process

    def fork(name, start):
        collect(block=False)
        # records can be large: a file, not a pipe the child would block on
        path = Path.cwd() / f"variant-{len(grades) + len(running)}.json"
        pid = os.fork()
        if pid == 0:  # the child: this variant's cells from here on
            scores = _score(shell, programs[name][start:], timeout, [(g, "same") for g, _ in grades_so_far],
                            trunk[start:])
            partial = path.with_suffix(".part")
            partial.write_text(json.dumps(scores))
            partial.rename(path)
            os._exit(0)
        running[pid] = (name, path)

    grades_so_far = []
    for i, cell in enumerate(trunk + [None]):
        for name in forks.get(i, []):
            fork(name, i)
        if cell is None:
            break
        gid, code, points, _ = cell
        if points is not None:
            grades_so_far.append((gid, _run_test(shell, gid, code, timeout)))
        else:
            _run_cell(shell, code, timeout)
    grades[names[0]] = {gid: r for gid, r in grades_so_far if r is not None}
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
    for (gid, code, points, written), original in zip(cells, trunk + [None] * len(cells)):
        reads, binds, local = _names(written) or unknown
        changed = original is None or code != original[1]
        if changed:
            skip_ok = skip_ok and local
            dirty |= binds | (_names(original[3]) or unknown)[1] if original else binds
        if (points is not None and not changed and skip_ok and reads is not None
                and not reads & dirty):
            scores.append((gid, "same"))  # nothing it uses changed: it passes as in the solution
            continue
        if points is not None:
            scores.append((gid, _run_test(shell, gid, code, timeout)))
            continue
        _run_cell(shell, code, timeout)
        if reads and reads & dirty:
            dirty |= binds  # a cell built on changed code: what it defines changed too
    return {gid: r for gid, r in scores if r is not None}


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
