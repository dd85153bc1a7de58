"""The real notebooks: the committed release is a fresh build with nothing
secret in it, and autograding gives every submission the grade it must get.

Every listed typical mistake and alternative answer, the solution and the
blank release are graded from one shared executed prefix (grader.prefix).
Real nbgrader grades the same tables in tests/test_nbgrader_runs.py (a module
of its own, so that the two run side by side).
"""
import json

import pytest

from grader import diagnoses
from grader.check import fast_grades, lost_cells, problems, submissions_of
from grader.course import Course
from grader.paths import NOTEBOOKS, notebook_names
from grader.release import build, leaks

NAMES = notebook_names()
pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    target = tmp_path_factory.mktemp("release")
    course = build(Course(tmp_path_factory.mktemp("course")), target=target)
    return course, target


def test_there_are_notebooks():
    assert NAMES[:3] == ["01_knn", "02_linear", "03_backprop"]


def test_committed_release_is_a_fresh_build(fresh):
    _, target = fresh
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == [f"{n}.ipynb" for n in NAMES]
    for name in NAMES:
        assert (NOTEBOOKS / f"{name}.ipynb").read_text() == (target / f"{name}.ipynb").read_text(), (
            f"notebooks/{name}.ipynb is not what solutions/{name}.py builds: run `make build` and commit")


@pytest.mark.parametrize("name", NAMES)
def test_release_holds_no_solution_or_hidden_test(fresh, name):
    course, _ = fresh
    assert leaks(course.release(name), course.source(name)) == []


@pytest.fixture(scope="module", params=NAMES)
def graded(request, fresh):
    """(name, course, {student: Graded} from the prefix runner, variants by
    name, {student: {test cell: Verdict}})."""
    course, _ = fresh
    name = request.param
    submissions, by_name = submissions_of(name, course)
    details = {}
    fast = {g.student: g for g in fast_grades(name, course, submissions, details=details)}
    return name, course, submissions, fast, by_name, details


def test_every_variant_gets_the_grade_it_must(graded):
    """Solution: every point. Blank release: none. Each typical mistake loses
    exactly its own exercise's points; each alternative answer keeps them all."""
    name, _, _, fast, by_name, _ = graded
    assert len(by_name) >= 5, "each notebook lists typical mistakes and alternatives"
    report = {s: problems(g, by_name.get(s)) for s, g in fast.items()}
    assert {s: p for s, p in report.items() if p} == {}


def test_the_diagnosis_tables_are_what_the_mistakes_give(graded):
    """The committed fingerprints (solutions/diagnoses/) are those of this
    run's failures: the tables are up to date and the fingerprints stable."""
    name, _, _, _, by_name, details = graded
    assert diagnoses.derive(name, details, by_name) == diagnoses.load(name), (
        f"solutions/diagnoses/{name}.json is not what the variant table gives: run "
        f"`python -m grader diagnose {name}` and commit")


def test_every_mistake_is_named_by_its_own_words(graded):
    """Each typical mistake's failures name it ("this is what you get if you
    <its why>"), in visible and hidden tests alike; no alternative answer and
    no right answer is ever diagnosed."""
    name, _, _, fast, by_name, _ = graded
    unnamed = {}
    for student, g in fast.items():
        mistake = by_name.get(student)
        if mistake is None or not mistake.loses:
            assert all(not c.diagnosis for c in g.cells.values()) or student == "blank", student
            continue
        assert mistake.why, f"{mistake.name}: every Mistake says why (the misconception, for the student)"
        named = [gid for gid in lost_cells(g) if mistake.why in g.cells[gid].diagnosis]
        if not named:
            unnamed[student] = {gid: g.cells[gid].diagnosis for gid in lost_cells(g)}
    assert unnamed == {}


def test_a_blank_exercise_is_never_diagnosed(graded):
    _, _, _, fast, _, _ = graded
    assert [gid for gid, c in fast["blank"].cells.items() if c.diagnosis] == []


def test_the_release_table_holds_the_visible_fingerprints_only():
    """helpers/checks/diagnoses.json, which students have, is the visible
    tests' part of the grader's tables: no hidden test's fingerprint, no
    mistake's name, no number but an index."""
    from helpers.checks import diagnosis

    tables = [diagnoses.load(n) for n in NAMES]
    release = json.loads(diagnosis.RELEASE_TABLE.read_text())
    assert release == diagnoses.release_table(tables), "run `python -m grader diagnose` and commit"
    hidden_only = {k for t in tables for k in t["keys"]} - {k for t in tables for k in t["visible"]}
    assert hidden_only and not hidden_only & set(release["keys"])
    assert all(set(m) == {"why", "where"} for m in release["mistakes"])
    assert all(len(k) == 16 and int(k, 16) >= 0 and all(isinstance(i, int) for i in v)
               for k, v in release["keys"].items())


def test_no_table_confirms_an_expected_value(graded):
    """A student who guesses values and fingerprints them can only ever
    confirm a wrong output: where a check failed, the fingerprint of the value
    it expected is in no table (grader's or release's)."""
    from helpers.checks import diagnosis

    name, _, _, _, _, details = graded
    keys = set(diagnoses.load(name)["keys"]) | set(json.loads(diagnosis.RELEASE_TABLE.read_text())["keys"])
    expected = {v.expected for cells in details.values() for v in cells.values() if not v.passed and v.expected}
    assert expected and not expected & keys
