"""The class's nbgrader gradebook, written by one process only.

Jobs grade in folders of their own; their results come back here and are
written one after another, so SQLite never has two writers, and `nbgrader
export` and the formgrader (for written answers) see every student.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, text: str):
    """Write ``text`` to ``path`` so that a reader sees the old file or the
    whole new one, never half of it (a kill mid-write leaves the old one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_submission(gb, name, student):
    """nbgrader's ``Gradebook.add_submission`` without SQLAlchemy's "Object of
    type <SubmittedAssignment> not in session" warnings.

    nbgrader 0.9.6 builds the submission's rows (linked to the student and the
    assignment) before it adds them to the session, and reads
    ``submission.assignment.notebooks`` in between; that read autoflushes, and
    SQLAlchemy 2 (which no longer cascades objects into the session along
    backrefs) warns that the pending rows are not in the session yet. The rows
    are all added and committed right after, so the records are right: with
    autoflush off for the call there is nothing to warn about, and the
    commit still writes everything."""
    with gb.db.no_autoflush:
        return gb.add_submission(name, student)


def start_submission(db_path: Path, name, student):
    """Add ``student`` and an empty submission of ``name`` to the gradebook at
    ``db_path`` (a grading job's own), so that nbgrader's autograde finds them
    instead of calling its add_submission (see :func:`add_submission`)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db_path}") as gb:
        gb.update_or_create_student(student)
        add_submission(gb, name, student)


def record(course, result):
    """Put one job's grades, comments and notebooks into the class's course."""
    from nbgrader.api import Gradebook, MissingEntry

    name, student = result.notebook, result.student
    with Gradebook(course.db) as gb:
        gb.update_or_create_student(student)
        try:
            gb.remove_submission(name, student)
        except MissingEntry:
            pass
        add_submission(gb, name, student)
        for cell in result.cells:
            grade = gb.find_grade(cell["name"], name, name, student)
            grade.auto_score = cell["auto_score"]
            grade.needs_manual_grade = cell["needs_manual_grade"]
        for cell, text in result.comments.items():
            try:
                gb.find_comment(cell, name, name, student).auto_comment = text
            except MissingEntry:
                pass
        gb.db.commit()
    for path, text in ((course.autograded_path(name, student), result.autograded),
                       (course.feedback_path(name, student), result.feedback)):
        if text:
            atomic_write(path, text)
        else:  # never leave an earlier run's file beside this grade
            path.unlink(missing_ok=True)


def zero_cells(course, name):
    """Grades for a student with nothing to grade (see :func:`grader.job.zero_cells`)."""
    from nbgrader.api import Gradebook

    from .job import zero_cells as cells_of

    with Gradebook(course.db) as gb:
        return cells_of(gb.find_notebook(name, name))
