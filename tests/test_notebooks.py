"""The real notebooks: the committed release is a fresh build with nothing
secret in it, and autograding gives every submission the grade it must get.

Every listed typical mistake and alternative answer, the solution and the
blank release are graded from one shared executed prefix (grader.prefix).
Real nbgrader grades the same tables in tests/test_nbgrader_runs.py (a module
of its own, so that the two run side by side).
"""
import pytest

from grader.check import fast_grades, problems, submissions_of
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
    """(name, course, {student: Graded} from the prefix runner, variants by name)."""
    course, _ = fresh
    name = request.param
    submissions, by_name = submissions_of(name, course)
    fast = {g.student: g for g in fast_grades(name, course, submissions)}
    return name, course, submissions, fast, by_name


def test_every_variant_gets_the_grade_it_must(graded):
    """Solution: every point. Blank release: none. Each typical mistake loses
    exactly its own exercise's points; each alternative answer keeps them all."""
    name, _, _, fast, by_name = graded
    assert len(by_name) >= 5, "each notebook lists typical mistakes and alternatives"
    report = {s: problems(g, by_name.get(s)) for s, g in fast.items()}
    assert {s: p for s, p in report.items() if p} == {}
