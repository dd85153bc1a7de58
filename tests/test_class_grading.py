"""Grading a class: a 01_knn class of typical answers and broken hand-ins;
one worker, two workers and a Dask cluster give the same grades; a run
killed part-way resumes to the same files."""
import csv
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from grader import variants
from grader.autograde import autograde_class
from grader.course import Course
from grader.notebook import solved
from grader.sandbox import Limits

from conftest import FIXTURES, TINY, cell

pytestmark = pytest.mark.nbgrader
KNN = "01_knn"


def _rows(out):
    """grades.csv and cells.csv without the timings."""
    grades = [{k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(open(out / "grades.csv"))]
    return grades, list(csv.DictReader(open(out / "cells.csv")))


BROKEN = {"corrupt": lambda text: text[:300], "half": lambda text: text[:len(text) // 2],
          "empty_json": lambda text: "{}", "zero_bytes": lambda text: "",
          "binary": lambda text: "\x00\x01\x02 not json", "html": lambda text: "<html>my notebook</html>"}


def _add_broken(folder, release, name):
    """8 hand-ins that cannot be graded: 6 broken files, an empty folder, a folder without the notebook."""
    text = nbformat.writes(release)
    for student, make in BROKEN.items():
        (folder / student).mkdir()
        (folder / student / f"{name}.ipynb").write_text(make(text))
    (folder / "nothing").mkdir()
    (folder / "notes_only").mkdir()
    (folder / "notes_only" / "notes.txt").write_text("I ran out of time")


_ZEROS = "    return np.zeros((len(X_test), len(X_train)))\n"
STUBS = {
    "compute_distances_two_loops": "def compute_distances_two_loops(X_test, X_train):\n" + _ZEROS,
    "compute_distances_one_loop": "def compute_distances_one_loop(X_test, X_train):\n" + _ZEROS,
    "compute_distances_no_loops": "def compute_distances_no_loops(X_test, X_train):\n" + _ZEROS,
    "compute_l1_distances": "def compute_l1_distances(X_test, X_train):\n" + _ZEROS,
    "predict_labels": "def predict_labels(dists, y_train, k=1):\n    return np.zeros(len(dists), dtype=int)\n",
    "cross_validate_k": ("def cross_validate_k(X, y, k_choices, num_folds=5, metric='l2'):\n"
                         "    return {k: [0.0] * num_folds for k in k_choices}\n"),
}


def test_a_knn_class_of_typical_answers_and_broken_hand_ins(tmp_path):
    """15 students of 01_knn: the solution, the blank release, 3 typical
    mistakes, an alternative answer, stubs, and 8 hand-ins that cannot be graded."""
    course = Course(tmp_path / "course")
    course.build([KNN])
    release, source = course.release(KNN), course.source(KNN)
    folder = tmp_path / "knn_class"
    subs = {"solution": solved(release, source), "blank": release}
    everything = variants.load(KNN)[0]
    chosen = [v for v in everything if v.loses][:3] + [v for v in everything if not v.loses][:1]
    for v in chosen:
        subs[v.name] = solved(release, source, v)
    subs["stubs"] = solved(release, source)  # every answer returns something of the right shape, computed from nothing
    for c in subs["stubs"].cells:
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"):
            c.source = STUBS.get(c.metadata["nbgrader"]["grade_id"], c.source)
    for student, nb in subs.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(nb, folder / student / f"{KNN}.ipynb")
    _add_broken(folder, release, KNN)

    autograde_class(KNN, folder, out=tmp_path / "out", course=course, workers=2, progress=False)
    rows = {r["student"]: r for r in _rows(tmp_path / "out")[0]}
    assert len(rows) == 15
    assert rows["stubs"]["points"] == "0", rows["stubs"]  # the no-loops cells want a right answer too
    full = rows["solution"]["max_points"]
    assert float(full) > 0 and rows["solution"]["points"] == full and rows["blank"]["points"] == "0"
    for v in chosen:  # each mistake loses points, each alternative keeps them all
        assert (rows[v.name]["points"] == full) == (not v.loses), v.name
    assert sum(r["status"] == "not graded" for r in rows.values()) == 8
    assert all(rows[s]["points"] == "0" for s in [*BROKEN, "nothing", "notes_only"])


RUN = textwrap.dedent("""
    import sys
    import warnings
    from pathlib import Path
    from sqlalchemy.exc import SAWarning
    from grader.autograde import autograde_class
    from grader.course import Course
    warnings.filterwarnings("default", category=SAWarning)  # over any filter: nbgrader's writes must not warn
    course = Course(sys.argv[1], timeout=20, solutions=Path(sys.argv[2]))
    autograde_class("00_tiny", sys.argv[3], out=sys.argv[4], course=course,
                    workers=int(sys.argv[5]) if len(sys.argv) > 5 else 1, progress=False, preflight=False)
""")


def _tiny_class(folder, n=8):
    course = Course(folder / "build", solutions=FIXTURES)
    course.build([TINY])
    release, source = course.release(TINY), course.source(TINY)
    for i in range(n):
        nb = solved(release, source)
        if i % 2:
            cell(nb, "add").source = f"def add(a, b):\n    return a - b + {i % 3}\n"
        (folder / "subs" / f"s{i}").mkdir(parents=True)
        nbformat.write(nb, folder / "subs" / f"s{i}" / f"{TINY}.ipynb")
    return folder / "subs"


def _run(args, log=None):
    """`autograde_class` in a process of its own; what it prints goes to ``log``."""
    with open(log or os.devnull, "w") as out:
        return subprocess.Popen([sys.executable, "-c", RUN, *map(str, args)], start_new_session=True,
                                stdout=out, stderr=subprocess.STDOUT)


def test_two_workers_and_dask_give_the_same_grades(tmp_path):
    """(One worker against two: the resumed run below.)"""
    from distributed import LocalCluster

    subs = _tiny_class(tmp_path, n=4)
    course = Course(tmp_path / "build", solutions=FIXTURES)
    _add_broken(subs, course.release(TINY), TINY)
    autograde_class(TINY, subs, out=tmp_path / "w2", course=course, workers=2, progress=False, preflight=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        autograde_class(TINY, subs, out=tmp_path / "dask", course=course,
                        scheduler=cluster.scheduler_address, progress=False, preflight=False)
    two = _rows(tmp_path / "w2")
    points = {r["student"]: r["points"] for r in two[0]}
    assert len(points) == 12 and [points[f"s{i}"] for i in range(4)] == ["5", "3", "5", "3"]
    assert _rows(tmp_path / "dask") == two
    assert sum(r["status"] == "not graded" for r in two[0]) == 8


def test_a_killed_run_resumes_to_the_same_files(tmp_path):
    """Killed after 3 of 6 jobs (one worker), then started again: the same
    files as one run with two workers, and nothing graded twice."""
    subs = _tiny_class(tmp_path, n=6)
    whole = _run([tmp_path / "c1", FIXTURES, subs, tmp_path / "whole", 2], log=tmp_path / "whole.log")
    assert whole.wait(timeout=300) == 0
    # The instructor's terminal: the table and where the files are, no warning
    # meant for developers (nbgrader's SQLAlchemy "not in session", a traceback).
    printed = (tmp_path / "whole.log").read_text()
    assert "6 students. Grades:" in printed
    assert not re.search(r"\w*Warning\b|Traceback", printed), printed[:3000]

    partial = _run([tmp_path / "c2", FIXTURES, subs, tmp_path / "resumed"])
    jobs = tmp_path / "resumed" / "jobs"
    deadline = time.time() + 200
    while len(list(jobs.glob("*.json"))) < 3 and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(partial.pid, signal.SIGKILL)  # no clean-up of any kind
    partial.wait()
    finished = {p.name: p.stat().st_mtime_ns for p in jobs.glob("*.json")}
    assert 3 <= len(finished) < 6 and not (tmp_path / "resumed" / "grades.csv").exists()

    again = _run([tmp_path / "c2", FIXTURES, subs, tmp_path / "resumed"])
    assert again.wait(timeout=300) == 0
    assert _rows(tmp_path / "resumed") == _rows(tmp_path / "whole")
    for name, mtime in finished.items():  # what was done was not graded again
        assert (jobs / name).stat().st_mtime_ns == mtime
    assert not list(jobs.glob(".*.tmp"))


def test_a_set_up_that_fails_the_reference_solution_stops_before_any_grade(tmp_path, monkeypatch, capsys):
    """Preflight: the reference solution is graded first in the same sandbox and
    settings; here the sandbox holds another (empty) helpers folder, as when
    the kernel would import another checkout's helpers, and the run stops."""
    import grader.sandbox

    subs = _tiny_class(tmp_path, n=2)
    course = Course(tmp_path / "course", timeout=20, solutions=FIXTURES)
    (tmp_path / "elsewhere" / "helpers").mkdir(parents=True)
    with monkeypatch.context() as patch:
        patch.setattr(grader.sandbox, "ROOT", tmp_path / "elsewhere")
        with pytest.raises(SystemExit) as stop:
            autograde_class(TINY, subs, out=tmp_path / "out", course=course, workers=1, progress=False)
    assert "reference solution of 00_tiny scored 0 / 5" in str(stop.value)
    assert not (tmp_path / "out" / "grades.csv").exists()
    # The same class where no sandbox can be had: graded all the same, with a warning.
    graded = autograde_class(TINY, subs, out=tmp_path / "out", course=course, workers=1, progress=False,
                             sandbox=False)
    assert [g.points for g in graded] == [5, 3]
    assert (tmp_path / "out" / "jobs" / "preflight.json").exists()
    assert "WARNING: student code ran without a sandbox" in capsys.readouterr().out
