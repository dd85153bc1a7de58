"""An nbgrader course directory: build the release, autograde submissions.

Everything nbgrader does here goes through its Python API on one course
directory (``build/course`` by default; ``grader check`` uses one per notebook
so that checks can run side by side).
"""
from __future__ import annotations

import logging
import shutil
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .notebook import read_source
from .paths import COURSE, SOLUTIONS

# nbgrader's gradebook emits SQLAlchemy warnings on every autograde; they say
# nothing to an instructor.
warnings.filterwarnings("ignore", module="nbgrader")
warnings.filterwarnings("ignore", message=".*not in session.*")

CELL_TIMEOUT = 120  # seconds one cell may run before it counts as an infinite loop


@dataclass
class CellGrade:
    grade_id: str
    points: float | None  # None: waits for manual grading
    max_points: float
    manual: bool


@dataclass
class Graded:
    student: str
    notebook: str
    points: float = 0.0
    max_points: float = 0.0  # autograded points only
    manual_points: float = 0.0  # written answers, graded by hand later
    seconds: float = 0.0
    ok: bool = True  # False: nbgrader could not grade it (points are 0)
    notes: list[str] = field(default_factory=list)
    cells: dict[str, CellGrade] = field(default_factory=dict)


class Course:
    def __init__(self, root: Path = COURSE, timeout: int = CELL_TIMEOUT, solutions: Path = SOLUTIONS):
        self.root = Path(root).resolve()
        self.solutions = Path(solutions)
        self.timeout = timeout
        self._api = None
        self._names: list[str] = []

    # -- paths --------------------------------------------------------------
    def source_path(self, name):
        return self.root / "source" / name / f"{name}.ipynb"

    def release_path(self, name):
        return self.root / "release" / name / f"{name}.ipynb"

    def submitted_path(self, name, student):
        return self.root / "submitted" / student / name / f"{name}.ipynb"

    def autograded_path(self, name, student):
        return self.root / "autograded" / student / name / f"{name}.ipynb"

    def feedback_path(self, name, student):
        return self.root / "feedback" / student / name / f"{name}.html"

    @property
    def db(self):
        return f"sqlite:///{self.root / 'gradebook.db'}"

    def api(self):
        from nbgrader.apps import NbGraderAPI
        from traitlets.config import Config

        names = sorted(p.name for p in (self.root / "source").glob("*") if p.is_dir())
        if self._api is None or names != self._names:
            c = Config()
            c.CourseDirectory.root = str(self.root)
            c.CourseDirectory.db_assignments = [{"name": n} for n in names]
            c.CourseDirectory.db_url = self.db
            c.Exchange.root = str(self.root / "exchange")
            c.ExecutePreprocessor.timeout = self.timeout
            c.Execute.timeout = self.timeout
            c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
            self._api = NbGraderAPI(config=c)
            self._api.log.setLevel(logging.ERROR)
            self._names = names
        return self._api

    # -- build --------------------------------------------------------------
    def build(self, names):
        """Write the nbgrader source notebooks and generate the releases."""
        for name in names:
            path = self.source_path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(read_source(name, self.solutions), path)
        api = self.api()
        for name in names:
            result = api.generate_assignment(name, force=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader could not build {name}:\n{result.get('error') or result.get('log')}")

    def release(self, name):
        return nbformat.read(self.release_path(name), as_version=4)

    def source(self, name):
        return nbformat.read(self.source_path(name), as_version=4)

    # -- grade --------------------------------------------------------------
    def autograde(self, name, submissions, feedback=True):
        """Autograde ``{student: notebook}`` for notebook ``name``; one
        :class:`Graded` per student, whatever happened to the submission."""
        api = self.api()
        results = []
        for student, nb in submissions.items():
            path = self.submitted_path(name, student)
            if path.parent.exists():
                shutil.rmtree(path.parent)
            for stale in (self.autograded_path(name, student).parent,
                          self.feedback_path(name, student).parent):
                shutil.rmtree(stale, ignore_errors=True)
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
            start = time.perf_counter()
            outcome = api.autograde(name, student, force=True, create=True)
            graded = Graded(student, name, seconds=time.perf_counter() - start)
            if not outcome["success"]:
                graded.ok = False
                graded.notes.append(_failure_reason(outcome))
            self.read_grades(graded)
            if feedback and self.autograded_path(name, student).exists():
                fb = api.generate_feedback(name, student, force=True)
                if not fb["success"]:
                    graded.notes.append("feedback HTML could not be written")
            results.append(graded)
        return results

    def read_grades(self, graded):
        """Fill ``graded`` with per-cell points from the gradebook (all zero
        when nbgrader could not grade the submission)."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db) as gb:
            try:
                nb = gb.find_submission_notebook(graded.notebook, graded.notebook, graded.student)
            except MissingEntry:
                notebook = gb.find_notebook(graded.notebook, graded.notebook)
                cells = [(c.name, None, c.max_score, c.cell_type == "markdown") for c in notebook.grade_cells]
            else:
                cells = [(g.name, None if g.needs_manual_grade else g.score, g.max_score,
                          g.cell_type == "markdown") for g in nb.grades]
            for gid, score, max_score, manual in cells:
                if not graded.ok:
                    score = None if manual else 0.0
                graded.cells[gid] = CellGrade(gid, score, max_score, manual)
        for cell in graded.cells.values():
            if cell.manual:
                graded.manual_points += cell.max_points
            else:
                graded.max_points += cell.max_points
                graded.points += cell.points or 0.0


def _failure_reason(outcome):
    log = (outcome.get("log") or "") + (outcome.get("error") or "")
    if "Kernel died" in log or "DeadKernelError" in log:
        return "the kernel died while running the notebook (os._exit, a crash, or too much memory); graded 0"
    if "Timeout" in log or "timed out" in log:
        return "a cell ran too long; graded 0"
    lines = [line for line in log.splitlines() if "ERROR" in line]
    return "nbgrader could not grade it: " + (lines[0] if lines else "unknown error") + "; graded 0"
