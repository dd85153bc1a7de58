"""An nbgrader course directory: build the release, autograde submissions.

Everything nbgrader does here goes through its Python API on one course
directory (``build/course`` by default; ``grader check`` uses one per notebook
so that checks can run side by side).
"""
from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import gradebook, pool
from .job import CELL_TIMEOUT, Job, nbgrader_api
from .notebook import read_source
from .paths import COURSE, SOLUTIONS
from .sandbox import Limits


@dataclass
class CellGrade:
    grade_id: str
    points: float | None  # None: waits for manual grading
    max_points: float
    manual: bool
    diagnosis: str = ""  # the typical mistake a failure matched ("forget ...")


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
    flagged: bool = False  # the answers tried to change the tests or read files: look at the notes

    @property
    def status(self):
        return "not graded" if not self.ok else "flagged" if self.flagged else "graded"

    @classmethod
    def of(cls, result):
        """From a :class:`grader.job.Result`."""
        g = cls(result.student, result.notebook, seconds=result.seconds, ok=result.ok,
                notes=list(result.notes))
        for c in result.cells:
            points = None if c["needs_manual_grade"] else (c["auto_score"] or 0.0)
            g.cells[c["name"]] = CellGrade(c["name"], points, c["max_score"], c["manual"],
                                           result.diagnoses.get(c["name"], ""))
            if c["manual"]:
                g.manual_points += c["max_score"]
            else:
                g.max_points += c["max_score"]
                g.points += points or 0.0
        if result.tampered:
            g.flagged = True
            g.notes += result.tampered
        return g


class Course:
    def __init__(self, root: Path = COURSE, timeout: int = CELL_TIMEOUT, solutions: Path = SOLUTIONS):
        self.root = Path(root).resolve()
        self.solutions = Path(solutions)
        self.timeout = timeout
        self._built: dict[str, str] = {}  # name -> source text last built here
        self._templates: dict[str, tuple[str, bytes]] = {}

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
        return nbgrader_api(self.root, self.timeout)

    # -- build --------------------------------------------------------------
    def build(self, names, grading=False):
        """Write the nbgrader source notebooks and generate the releases
        (again only for sources that changed since this object built them).
        ``grading``: the test cells as the grading kernel runs them
        (:func:`grader.verdict.grading_copy`), for a grading gradebook."""
        from .verdict import grading_copy

        todo = []
        for name in names:
            nb = read_source(name, self.solutions)
            text = nbformat.writes(grading_copy(nb) if grading else nb)
            if self._built.get(name) == text and self.release_path(name).exists():
                continue
            path = self.source_path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text if text.endswith("\n") else text + "\n")
            todo.append((name, text))
        api = self.api()
        for name, text in todo:
            result = api.generate_assignment(name, force=True)
            if not result["success"]:
                log = result.get("error") or result.get("log") or ""
                if "there are submissions associated with it" in f"{result.get('log')}{log}":
                    raise SystemExit(
                        f"{name} has new or removed cells, and the course folder {self.root} holds graded "
                        f"submissions of its older version (from `make demo` or `grader autograde`); nbgrader "
                        f"keeps their grades by refusing to change the notebook. Export the grades you need, "
                        f"then remove {self.root} (or run `make clean`) and build again.")
                raise RuntimeError(f"nbgrader could not build {name}:\n{log}")
            self._built[name] = text

    def release(self, name):
        return nbformat.read(self.release_path(name), as_version=4)

    def source(self, name):
        return nbformat.read(self.source_path(name), as_version=4)

    def tests(self, name) -> dict:
        """{grade id: code} of the test cells, hidden tests included: what the
        grader replays to decide each cell's points."""
        from .verdict import test_cells

        return test_cells(read_source(name, self.solutions))

    def diagnoses(self, name) -> dict:
        """The fingerprints of notebook ``name``'s typical mistakes, hidden
        tests' included: what the grader matches failures with."""
        from .diagnoses import load

        return load(name, self.solutions)

    def template(self, name) -> bytes:
        """A gradebook that holds assignment ``name`` and no student: what a
        grading job starts from (built in a folder of its own). Its test
        cells are the recording ones the grading kernel runs."""
        text = nbformat.writes(read_source(name, self.solutions))
        if self._templates.get(name, (None,))[0] != text:
            with tempfile.TemporaryDirectory(prefix="template-") as tmp:
                Course(tmp, self.timeout, self.solutions).build([name], grading=True)
                self._templates[name] = (text, (Path(tmp) / "gradebook.db").read_bytes())
        return self._templates[name][1]

    # -- grade --------------------------------------------------------------
    def jobs(self, name, submissions, grading_mode=True, sandbox=True, show_hidden=False, limits=Limits(),
             full=()):
        """One grading :class:`Job` per ``{student: notebook}`` of notebook
        ``name``; students in ``full`` run every demonstration cell."""
        from .intake import repair

        release, template, tests = self.release(name), self.template(name), self.tests(name)
        diagnoses = self.diagnoses(name)
        return [Job(name, student, nbformat.writes(repair(copy.deepcopy(nb), release, [],
                                                          grading_mode and student not in full)),
                    template, tests, self.timeout, limits, sandbox, show_hidden, diagnoses)
                for student, nb in submissions.items()]

    def grade(self, jobs, workers=None, scheduler=None):
        """Run ``jobs`` side by side (several notebooks may mix) and record
        them in this course's gradebook; {(notebook, student): Graded}."""
        results = {}
        for result in pool.grade(jobs, workers, scheduler):
            gradebook.record(self, result)
            results[result.notebook, result.student] = Graded.of(result)
        return results

    def autograde(self, name, submissions, workers=None, scheduler=None, grading_mode=True,
                  sandbox=True, show_hidden=False, limits=Limits(), full=()):
        """Autograde ``{student: notebook}`` for notebook ``name`` side by
        side; one :class:`Graded` per student, in the order given, whatever
        happened to the submission. Grades go into this course's gradebook.
        Students in ``full`` are graded with every demonstration cell run."""
        graded = self.grade(self.jobs(name, submissions, grading_mode, sandbox, show_hidden, limits, full),
                            workers, scheduler)
        return [graded[name, s] for s in submissions]
