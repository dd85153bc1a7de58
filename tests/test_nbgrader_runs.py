"""Real nbgrader, sandboxed, on every notebook: the solution in grading mode
and the notebook's demo mistake in a full run (every demonstration cell
executed) get exactly the grades the variant tables say, which the prefix
runner of tests/test_notebooks.py must also give: that is what makes the
prefix runner trustworthy, and shows that grading mode changes no grade.
"""
import pytest

from grader import variants
from grader.check import problems, submissions_of
from grader.course import Course
from grader.paths import notebook_names

NAMES = notebook_names()
pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def nbgrader_runs(tmp_path_factory):
    """Every notebook at once (two jobs side by side keep both cores busy
    across notebooks); {(name, student): Graded} and the demo mistakes."""
    course = Course(tmp_path_factory.mktemp("course"))
    course.build(NAMES)
    jobs, demos = [], {}
    for name in NAMES:
        submissions, by_name = submissions_of(name, course)
        demo = variants.load(name)[1]
        demos[name] = by_name[demo]
        sample = {"solution": submissions["solution"], f"{demo}-full": submissions[demo]}
        jobs += course.jobs(name, sample, full={f"{demo}-full"})
    return course.grade(jobs, workers=2), demos, course


@pytest.mark.parametrize("name", NAMES)
def test_nbgrader_gives_the_grades_the_variant_table_says(name, nbgrader_runs):
    runs, demos, _ = nbgrader_runs
    demo = demos[name]
    solution, full = runs[name, "solution"], runs[name, f"{demo.name}-full"]
    assert problems(solution, None) == []
    assert problems(full, demo) == [], "a full run grades differently from grading mode"


@pytest.mark.parametrize("name", NAMES)
def test_real_grading_names_the_mistake_in_the_feedback(name, nbgrader_runs, tmp_path):
    """The demo mistake, graded by nbgrader, is diagnosed by its own words in
    the class report and in its feedback HTML, hidden tests included."""
    import html

    from grader import report

    runs, demos, course = nbgrader_runs
    demo = demos[name]
    full = runs[name, f"{demo.name}-full"]
    diagnosed = {gid: c.diagnosis for gid, c in full.cells.items() if c.diagnosis}
    assert diagnosed and all(demo.why in d for d in diagnosed.values())
    report.write_csv([full], tmp_path / "grades.csv")
    assert demo.why in (tmp_path / "cells.csv").read_text()
    assert report.mistake_counts([full])[0][2] in diagnosed.values()
    feedback = html.unescape(course.feedback_path(name, full.student).read_text())
    assert f"Diagnosis: this is what you get if you {demo.why}" in feedback
