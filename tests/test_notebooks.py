"""The real notebooks: the committed release is a fresh build with nothing
secret in it, and autograding gives every submission the grade it must get."""
import pytest

from grader.check import check
from grader.course import Course
from grader.paths import NOTEBOOKS, notebook_names
from grader.release import build, leaks

NAMES = notebook_names()


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


@pytest.mark.parametrize("name", NAMES)
def test_grades_of_solution_blank_mistakes_and_alternatives(name, tmp_path):
    """Solution: every point. Blank release: none. Each typical mistake loses
    exactly its own exercise's points; each alternative answer keeps them all."""
    report = check(name, root=tmp_path)
    assert report["solution"] == [] and report["blank"] == []
    assert len(report) >= 5, "each notebook lists typical mistakes and alternatives"
    assert {s: p for s, p in report.items() if p} == {}
