"""The real notebooks: the committed release is a fresh build with nothing
secret in it, and autograding gives every submission the grade it must get.

Every listed typical mistake and alternative answer, the solution and the
blank release are graded from one shared executed prefix (grader.prefix).
Real nbgrader grades the solution in grading mode and the notebook's demo
mistake in a full run (every demonstration cell executed), and must give the
same per-cell grades: that is what makes the prefix runner trustworthy, and
shows that grading mode changes no grade.
"""
import pytest

from grader import variants
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


def _cells(g):
    """Points per autograded cell (written answers wait for the instructor)."""
    return {gid: c.points for gid, c in g.cells.items() if not c.manual}


@pytest.fixture(scope="module")
def nbgrader_runs(fresh):
    """Real nbgrader, sandboxed, for every notebook at once (two jobs side by
    side keep both cores busy across notebooks): the solution in grading
    mode and the demo mistake in a full run."""
    course, _ = fresh
    jobs = []
    for name in NAMES:
        submissions, _ = submissions_of(name, course)
        demo = variants.load(name)[1]
        sample = {"solution": submissions["solution"], f"{demo}-full": submissions[demo]}
        jobs += course.jobs(name, sample, full={f"{demo}-full"})
    return course.grade(jobs, workers=2)


def test_nbgrader_gives_the_same_grades_as_the_prefix_runner(graded, nbgrader_runs):
    """Real nbgrader, sandboxed: the solution in grading mode, and the demo
    mistake in a full run (every demonstration cell executed), against the
    prefix runner's grading-mode grades."""
    name, course, submissions, fast, by_name = graded
    demo = variants.load(name)[1]
    solution, full = nbgrader_runs[name, "solution"], nbgrader_runs[name, f"{demo}-full"]
    for g in (solution, full):
        assert g.ok, g.notes
    assert _cells(solution) == _cells(fast["solution"])
    assert problems(solution, None) == []
    assert _cells(full) == _cells(fast[demo]), "a full run grades differently from grading mode"
