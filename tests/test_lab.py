"""Students' answers in work/ survive every build: `make lab` only adds the
notebooks work/ lacks, and a build writes only its release folder."""
import json

import pytest

from grader import lab
from grader.course import Course
from grader.release import build

from conftest import FIXTURES, TINY

pytestmark = pytest.mark.nbgrader  # it builds a release with nbgrader


def test_a_students_answers_survive_a_rebuild_and_a_second_lab(tmp_path):
    release, work = tmp_path / "notebooks", tmp_path / "work"
    course = Course(tmp_path / "course", solutions=FIXTURES)
    build(course, names=[TINY], target=release)
    assert lab.copy_missing(release, work) == [work / f"{TINY}.ipynb"]

    mine = work / f"{TINY}.ipynb"
    answered = mine.read_text().replace("raise NotImplementedError()", "return a + b", 1)
    mine.write_text(answered)
    (release / "99_new.ipynb").write_text((release / f"{TINY}.ipynb").read_text())

    build(course, names=[TINY], target=release)  # the instructor rebuilds
    assert lab.copy_missing(release, work) == [work / "99_new.ipynb"]  # only the new one
    assert mine.read_text() == answered
    assert sorted(p.name for p in work.iterdir()) == [f"{TINY}.ipynb", "99_new.ipynb"]


def test_students_see_validate_and_none_of_the_instructor_tools(tmp_path):
    folder = lab.student_config(tmp_path / "student")
    disabled = json.loads((folder / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert "@jupyter/nbgrader:formgrader" in disabled and "@jupyter/nbgrader:create-assignment" in disabled
    assert not any("validate" in name for name in disabled)
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    off = server["ServerApp"]["jpserver_extensions"]
    assert off["nbgrader.server_extensions.formgrader"] is False
    assert "nbgrader.server_extensions.validate_assignment" not in off
