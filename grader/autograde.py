"""`grader autograde NOTEBOOK SUBMISSIONS`: grade a whole class.

Every student gets a row in grades.csv, with a reason when the submission
could not be graded, and a feedback HTML file when it could. Submissions are
graded side by side (``--workers``, or a Dask cluster with ``--scheduler``),
each in its own sandboxed job; the results are written into the one
gradebook by this process alone.

A run can be stopped at any moment (even killed) and started again: each
finished job is kept under ``<out>/jobs/`` keyed by what was graded, so the
next run grades only what is missing and ends with the same files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import nbformat

from . import gradebook, pool, report
from .course import Course, Graded
from .intake import student_files, take, unpack
from .job import Job, Result
from .paths import BUILD
from .sandbox import Limits
from .scan import scan

GRADING_VERSION = "verdict replayed in the grader, 2026-12"


def autograde_class(name, submissions, out=None, course=None, workers=None, scheduler=None,
                    grading_mode=True, sandbox=True, show_hidden=False, limits=Limits(),
                    progress=True, preflight=True):
    course = course or Course()
    course.build([name])  # grade against the current solutions/ source
    out = Path(out or BUILD / "grades" / name)
    release = course.release(name)
    template = course.template(name)
    tests = course.tests(name)
    folder = unpack(Path(submissions))
    store = out / "jobs"
    # GRADING_VERSION: a kept job graded by an older grader is graded again
    settings = json.dumps([GRADING_VERSION, nbformat.writes(course.source(name)), grading_mode, show_hidden,
                           course.timeout, dataclasses.asdict(limits), sandbox])

    if preflight:
        _preflight(name, course, release, template, tests, settings, store, limits, sandbox, grading_mode)

    results, jobs, notes, flags = {}, [], {}, {}
    for student, files in student_files(folder).items():
        intake = take(student, files, name, release, grading_mode)
        notes[student] = intake.notes
        if intake.notebook is None:
            results[student] = Result(student, name, ok=False, notes=[intake.error],
                                      cells=gradebook.zero_cells(course, name))
            continue
        flags[student] = scan(intake.notebook, tests)
        text = nbformat.writes(intake.notebook)
        key = hashlib.sha256((settings + text).encode()).hexdigest()
        done = _load(store / f"{student}.json", key)
        if done is not None:
            results[student] = done
            continue
        jobs.append((Job(name, student, text, template, tests, course.timeout, limits, sandbox, show_hidden), key))

    if jobs and progress:
        print(f"Grading {len(jobs)} of {len(results) + len(jobs)} submissions "
              f"({'Dask at ' + str(scheduler) if scheduler else f'{workers or pool.default_workers()} workers'}"
              f"{', grading mode' if grading_mode else ''}) ...", file=sys.stderr)
    keys = {j.student: k for j, k in jobs}
    finished = pool.grade([j for j, _ in jobs], workers, scheduler)
    for result in _bar(finished, len(jobs), progress):
        gradebook.record(course, result)  # first the gradebook, then the mark that it is done
        gradebook.atomic_write(store / f"{result.student}.json",
                               json.dumps({"key": keys[result.student], "result": dataclasses.asdict(result)}))
        results[result.student] = result

    graded = []
    for student in sorted(results):
        result = results[student]
        g = Graded.of(result)
        g.notes[:0] = notes.get(student, [])
        if flags.get(student):
            g.flagged = True
            g.notes += flags[student]
        graded.append(g)
    warnings = sorted({w for r in results.values() for w in r.warnings})
    report.print_table(graded)
    report.print_mistakes(graded)
    for w in warnings:
        print(f"WARNING: {w}")
    report.write_csv(graded, out / "grades.csv")
    report.copy_feedback(course, graded, out / "feedback")
    print(f"\n{len(graded)} students. Grades: {out / 'grades.csv'}  Feedback: {out / 'feedback'}")
    return graded


def _preflight(name, course, release, template, tests, settings, store, limits, sandbox, grading_mode):
    """Grade the reference solution first, in the same sandbox and settings:
    anything short of every point means the set-up, not the students, is
    wrong, and the run stops before it gives anyone a grade."""
    from .intake import repair
    from .job import run as run_job
    from .notebook import solved

    nb = repair(solved(release, course.source(name)), release, [], grading_mode)
    text = nbformat.writes(nb)
    key = hashlib.sha256((settings + text).encode()).hexdigest()
    path = store / "preflight.json"
    if _load(path, key) is not None:
        return  # this set-up already graded the solution in full
    result = run_job(Job(name, "reference-solution", text, template, tests, course.timeout, limits, sandbox))
    g = Graded.of(result)
    if g.ok and g.points == g.max_points:
        gradebook.atomic_write(path, json.dumps({"key": key, "result": dataclasses.asdict(result)}))
        return
    lost = [cid for cid, c in g.cells.items() if not c.manual and c.points != c.max_points]
    raise SystemExit(
        f"Stopped before grading anyone: the reference solution of {name} scored "
        f"{g.points:g} / {g.max_points:g} in the grading sandbox, so every student's grade would be wrong.\n"
        f"Lost: {', '.join(lost) or '-'}. {'; '.join(g.notes + result.warnings)[:1500]}\n"
        "Usual causes: the helpers package the kernel imports is not this checkout's (an editable install "
        "of another copy), a missing package in the environment, or limits too tight for the notebook "
        "(--timeout, memory). Fix that and run the same command again.")


def _load(path: Path, key: str):
    """A finished job's result if it graded exactly this submission."""
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if saved.get("key") != key:
        return None
    return Result(**saved["result"])


def _bar(results, total, show):
    if not show or not total:
        yield from results
        return
    from tqdm.auto import tqdm

    with tqdm(total=total, desc="graded", unit="student", file=sys.stderr,
              mininterval=0.5 if sys.stderr.isatty() else 10) as bar:
        for r in results:
            bar.set_postfix_str(r.student, refresh=False)
            bar.update()
            yield r
