"""The instructor pipeline on a tiny notebook: grading, and bad submissions
that must never stop a class from being graded or lose a grade."""
import csv
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.autograde import autograde_class
from grader.check import check
from grader.course import Course
from grader.notebook import grade_id, solved
from grader.release import leaks

FIXTURES = Path(__file__).parent / "fixtures"
NAME = "00_tiny"
pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    c = Course(tmp_path_factory.mktemp("course"), timeout=5, solutions=FIXTURES)
    c.build([NAME])
    return c


def _cell(nb, gid):
    return next(c for c in nb.cells if grade_id(c) == gid)


def test_check_grades_solution_blank_mistake_and_alternative(tmp_path):
    report = check(NAME, root=tmp_path, solutions=FIXTURES, verbose=False)
    assert report == {"solution": [], "blank": [], "minus": [], "builtin_sum": []}


def test_check_reports_a_mistake_that_loses_the_wrong_points(tmp_path):
    # A variant table that is wrong about which test fails must be reported.
    folder = tmp_path / "src"
    (folder / "variants").mkdir(parents=True)
    (folder / f"{NAME}.py").write_text((FIXTURES / f"{NAME}.py").read_text())
    (folder / "variants" / f"{NAME}.py").write_text(
        "from grader.variants import Mistake\n"
        "VARIANTS = [Mistake('minus', 'add', 'a + b', 'a - b', loses='test_mul')]\n")
    report = check(NAME, root=tmp_path / "course", solutions=folder, verbose=False)
    assert any("test_add lost points" in p for p in report["minus"])
    assert any("test_mul kept" in p for p in report["minus"])


def test_a_changed_notebook_over_graded_submissions_stops_with_what_to_do(tmp_path):
    # nbgrader refuses to add or remove cells of a notebook it holds grades for:
    # the build says why and what to do, instead of nbgrader's traceback.
    folder = tmp_path / "src"
    folder.mkdir()
    text = (FIXTURES / f"{NAME}.py").read_text()
    (folder / f"{NAME}.py").write_text(text)
    check(NAME, root=tmp_path / "course", solutions=folder, verbose=False, with_variants=False)
    (folder / f"{NAME}.py").write_text(text + '\n# %% nbgrader={"grade": false, "grade_id": "more", "locked": true, '
                                       '"schema_version": 3, "solution": false}\nmore = 1\n')
    with pytest.raises(SystemExit, match="holds graded submissions of its older version.*make clean"):
        Course(tmp_path / "course", timeout=5, solutions=folder).build([NAME])


def _write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_class_with_broken_submissions_is_graded_in_full(course, tmp_path):
    release, source = course.release(NAME), course.source(NAME)
    good = solved(release, source)
    subs = tmp_path / "subs"

    _write(good, subs / "good" / f"{NAME}.ipynb")
    _write(good, subs / "renamed" / "my homework (1).ipynb")
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / f"{NAME}.ipynb").write_text(json.dumps(good)[:500])
    (subs / "nothing").mkdir()

    nb = solved(release, source)
    nb.cells = [c for c in nb.cells if grade_id(c) != "test_add"]
    _write(nb, subs / "deleted_test" / f"{NAME}.ipynb")

    nb = solved(release, source)
    _cell(nb, "test_add").source = "pass  # I made the test pass"
    _write(nb, subs / "edited_test" / f"{NAME}.ipynb")

    nb = solved(release, source)
    _cell(nb, "add").source = "def add(a, b):\n    while True:\n        pass\n\nadd(1, 1)\n"
    _write(nb, subs / "infinite_loop" / f"{NAME}.ipynb")

    nb = solved(release, source)
    _cell(nb, "add").source = "def add(a, b):\n    return a +\n"
    _write(nb, subs / "syntax_error" / f"{NAME}.ipynb")

    nb = solved(release, source)
    _cell(nb, "add").source = "import os\nos._exit(1)\n"
    _write(nb, subs / "killed_kernel" / f"{NAME}.ipynb")

    nb = solved(release, source)
    _cell(nb, "mul").outputs = [nbformat.v4.new_output("stream", text="x" * 6_000_000)]
    _write(nb, subs / "huge_output" / f"{NAME}.ipynb")

    out = tmp_path / "out"
    autograde_class(NAME, subs, out=out, course=course, preflight=False)
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == {"good", "renamed", "corrupt", "nothing", "deleted_test", "edited_test",
                         "infinite_loop", "syntax_error", "killed_kernel", "huge_output"}
    points = {s: float(r["points"]) for s, r in rows.items()}
    assert all(r["max_points"] == "5" and r["manual_points"] == "1" for r in rows.values())

    assert points["good"] == 5
    assert points["renamed"] == 5 and "my homework (1).ipynb" in rows["renamed"]["notes"]
    assert points["corrupt"] == 0 and "corrupt or truncated JSON" in rows["corrupt"]["notes"]
    assert rows["corrupt"]["status"] == "not graded"
    assert points["nothing"] == 0 and "no notebook handed in" in rows["nothing"]["notes"]
    assert points["deleted_test"] == 5 and "test_add was missing" in rows["deleted_test"]["notes"]
    assert points["edited_test"] == 5 and "test_add was edited" in rows["edited_test"]["notes"]
    assert points["infinite_loop"] == 3  # only add's points are lost
    assert points["syntax_error"] == 3
    assert points["killed_kernel"] == 0 and "kernel died" in rows["killed_kernel"]["notes"]
    assert points["huge_output"] == 5 and "stored output" in rows["huge_output"]["notes"]

    cells = list(csv.DictReader(open(out / "cells.csv")))
    loop = {c["cell"]: c["points"] for c in cells if c["student"] == "infinite_loop"}
    assert loop == {"test_add": "0", "test_mul": "3", "q_why": ""}
    for student in ("good", "infinite_loop", "syntax_error"):
        html = (out / "feedback" / student / f"{NAME}.html").read_text()
        assert "test_add" in html or "add(1, 2)" in html


def test_lms_zip_of_flat_files(course, tmp_path):
    good = solved(course.release(NAME), course.source(NAME))
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"alice_1234_5678_{NAME}.ipynb", nbformat.writes(good))
        zf.writestr(f"bob_2345_6789_{NAME}.ipynb", nbformat.writes(course.release(NAME)))
    autograde_class(NAME, archive, out=tmp_path / "out", course=course, preflight=False)
    rows = {r["student"]: r["points"] for r in csv.DictReader(open(tmp_path / "out" / "grades.csv"))}
    assert rows == {"alice": "5", "bob": "0"}


def test_release_of_tiny_notebook_has_no_answers(course):
    release, source = course.release(NAME), course.source(NAME)
    assert leaks(release, source) == []
    text = nbformat.writes(release)
    assert "return a + b" not in text and "hidden hint" not in text and "Rubric" not in text


def test_leak_detector_finds_a_planted_solution_and_hidden_test(course):
    release, source = course.release(NAME), course.source(NAME)
    _cell(release, "test_mul").source += '\ncheck_close("add(2.5, -1)", add(2.5, -1), 1.5, hint="hidden hint for add")'
    _cell(release, "mul").source = "def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n"
    found = leaks(release, source)
    assert any("hidden tests line" in f for f in found)
    assert any("BEGIN SOLUTION" in f for f in found)
