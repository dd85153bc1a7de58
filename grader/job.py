"""One grading job: a submission in; per-cell points, notes and feedback out.

A job carries everything it needs as plain data (the notebook's JSON and a
gradebook that holds only the assignment), so it runs the same in this
process, in a pool worker or on a Dask worker on another machine. It grades in
a throwaway nbgrader course folder of its own and never touches the class's
gradebook: the one writer of that is :mod:`grader.gradebook`, in the process
that started the run.
"""
from __future__ import annotations

import copy
import json
import os
import re
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.checks.trace import MIME

from . import gradebook
from .notebook import grade_id, nbgrader_meta
from .outputs import capped_outputs
from .sanitize import sanitize
from .sandbox import Limits, kernel_spec
from .verdict import judge, records
from .verdict import outputs as verdict_outputs

CELL_TIMEOUT = 120  # seconds one cell may run before it counts as an infinite loop
HIDDEN = re.compile(r"^[ \t]*#+ *BEGIN HIDDEN TESTS.*?^[ \t]*#+ *END HIDDEN TESTS[ \t]*\n?", re.S | re.M)
HIDDEN_NOTE = "# (hidden tests ran here: their results are below, their code is not shown)\n"
TAMPER_PHRASE = "which code in this notebook had replaced"


@dataclass
class Job:
    notebook: str  # for example '01_knn'
    student: str
    submission: str  # the notebook's JSON, ready to grade (see grader.intake)
    template: bytes  # a gradebook.db that holds the assignment and no student
    tests: dict = field(default_factory=dict)  # {grade id: test code}: what the verdict replays
    timeout: int = CELL_TIMEOUT
    limits: Limits = field(default_factory=Limits)
    sandbox: bool = True
    show_hidden: bool = False  # show hidden tests' code in the feedback
    diagnoses: dict | None = None  # the notebook's typical mistakes' fingerprints (grader.diagnoses)


@dataclass
class Result:
    student: str
    notebook: str
    ok: bool = True  # False: nbgrader could not grade it (every cell scores 0)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the grading set-up, not the student
    # one dict per graded cell: name, auto_score, needs_manual_grade, max_score,
    # manual (a written answer, graded by hand)
    cells: list[dict] = field(default_factory=list)
    comments: dict = field(default_factory=dict)  # nbgrader's automatic comment per answer cell
    seconds: float = 0.0
    feedback: str | None = None  # HTML
    autograded: str | None = None  # the executed notebook's JSON (for the formgrader)
    tampered: list[str] = field(default_factory=list)  # what the checks had to put back
    diagnoses: dict = field(default_factory=dict)  # {test cell: the typical mistake its failure matches}


def nbgrader_api(root: Path, timeout: int = CELL_TIMEOUT, runtime: Path | None = None):
    """nbgrader's API on the course folder ``root`` (its gradebook inside);
    kernels put their connection file and sockets in ``runtime``."""
    import logging

    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    root = Path(root)
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.db_assignments = [{"name": p.name} for p in sorted((root / "source").glob("*"))
                                        if p.is_dir()]
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.Exchange.root = str(root / "exchange")
    c.ExecutePreprocessor.timeout = timeout
    c.Execute.timeout = timeout
    # Unix sockets instead of TCP ports: a sandboxed kernel has no network, and
    # kernels started side by side can never race for the same port.
    c.KernelManager.transport = "ipc"
    if runtime is not None:
        c.KernelManager.ip = str(Path(runtime) / "kernel")
        c.KernelManager.connection_file = str(Path(runtime) / "kernel.json")
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    api = NbGraderAPI(config=c)
    api.log.setLevel(logging.ERROR)
    return api


@contextmanager
def environment(**values):
    """Set environment variables for the block, then put the old values back."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run(job: Job) -> Result:
    """Grade one submission; never raises for anything the submission does."""
    start = time.perf_counter()
    result = Result(job.student, job.notebook)
    try:  # a sandboxed kernel cannot write the data folder: have the caches ready for it
        from helpers.data import prepare
        prepare()
    except Exception as err:
        result.warnings.append(f"the data cache could not be made ({err}); kernels generate the data")
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        tmp = Path(tmp)
        root = tmp / "course"
        (root / "source" / job.notebook).mkdir(parents=True)
        (root / "gradebook.db").write_bytes(job.template)
        submitted = root / "submitted" / job.student / job.notebook / f"{job.notebook}.ipynb"
        submitted.parent.mkdir(parents=True)
        submitted.write_text(job.submission)
        workdir = root / "autograded" / job.student / job.notebook
        runtime = tmp / "rt"
        runtime.mkdir()
        cgroup, warnings = kernel_spec(tmp / "jupyter", workdir, runtime, job.limits, job.sandbox)
        result.warnings += warnings
        jupyter_path = os.pathsep.join([str(tmp / "jupyter"), os.environ.get("JUPYTER_PATH", "")])
        try:
            # the submission made here, not inside nbgrader's autograde: no SQLAlchemy warning
            gradebook.start_submission(root / "gradebook.db", job.notebook, job.student)
            with environment(JUPYTER_PATH=jupyter_path, DL_COURSE_GRADING="1"):
                api = nbgrader_api(root, job.timeout, runtime)
                started = time.perf_counter()
                with capped_outputs(keep_mime=MIME):  # the grader's memory stays bounded
                    outcome = api.autograde(job.notebook, job.student, force=True, create=True)
                if not outcome["success"]:
                    result.ok = False
                    result.notes.append(_failure_reason(outcome, cgroup.out_of_memory(), job.limits,
                                                        time.perf_counter() - started))
                autograded = workdir / f"{job.notebook}.ipynb"
                nb = nbformat.read(autograded, as_version=4) if outcome["success"] and autograded.exists() else None
                if nb is not None:
                    result.tampered = _tampered(nb)
                    verdicts = judge(job.tests, records(nb), diagnoses=job.diagnoses)
                    result.diagnoses = {gid: v.diagnosed for gid, v in verdicts.items() if v.diagnosed}
                    _store_verdicts(root, job, verdicts)
                    show_verdicts(nb, job.tests, verdicts)
                _read_grades(root, result)
                if nb is not None:
                    sanitize(nb)  # routine: an honest widget or table loses its HTML too
                    if not job.show_hidden:
                        hide_hidden_tests(nb)
                    result.autograded = nbformat.writes(nb)
                    nbformat.write(feedback_copy(nb), autograded)
                    fb = api.generate_feedback(job.notebook, job.student, force=True)
                    html = root / "feedback" / job.student / job.notebook / f"{job.notebook}.html"
                    if fb["success"] and html.exists():
                        result.feedback = html.read_text()
                    else:
                        result.notes.append("feedback HTML could not be written")
        except Exception as err:  # the job's own gradebook spoiled, nbgrader crashed, ...
            result.ok = False
            result.notes.append(f"could not be graded ({type(err).__name__}: {str(err)[:200]}); graded 0")
        finally:
            cgroup.remove()
    if not result.ok:
        for cell in result.cells:
            cell.update(auto_score=None if cell["manual"] else 0.0, needs_manual_grade=cell["manual"])
    result.seconds = time.perf_counter() - start
    return result


def _store_verdicts(root: Path, job: Job, verdicts):
    """The verdicts as the test cells' points in the job's gradebook (nbgrader
    had scored them by whether the kernel raised, which counts for nothing)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for gid, verdict in verdicts.items():
            try:
                grade = gb.find_grade(gid, job.notebook, job.notebook, job.student)
            except MissingEntry:
                continue
            grade.auto_score = grade.max_score if verdict.passed else 0.0
            grade.needs_manual_grade = False
        gb.db.commit()


def show_verdicts(nb, tests, verdicts):
    """Each test cell shows the course's own test code and the verdict, never
    what the kernel printed there; record outputs leave every cell."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = grade_id(cell)
        if gid in verdicts:
            cell.source = tests[gid]
            cell.outputs = verdict_outputs(verdicts[gid])
        else:
            cell.outputs = [o for o in cell.get("outputs", []) if MIME not in o.get("data", {})]


def feedback_copy(nb):
    """What the student gets back: their own cells, and the verdict under each
    test; nothing else the kernel printed (it could carry anything)."""
    fb = copy.deepcopy(nb)
    for cell in fb.cells:
        if cell.cell_type == "code" and not nbgrader_meta(cell).get("grade"):
            cell.outputs, cell.execution_count = [], None
    return fb


def _read_grades(root: Path, result: Result):
    """Per-cell grades from the job's gradebook; every cell at 0 when there is
    no submission in it (nbgrader gave up before saving any)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            nb = gb.find_submission_notebook(result.notebook, result.notebook, result.student)
            cells = [dict(name=g.name, auto_score=g.auto_score, needs_manual_grade=g.needs_manual_grade,
                          max_score=g.max_score, manual=g.cell_type == "markdown")
                     for g in nb.grades]
            result.comments = {c.name: c.auto_comment for c in nb.comments}
        except MissingEntry:
            notebook = gb.find_notebook(result.notebook, result.notebook)
            cells = zero_cells(notebook)
            result.ok = False
    result.cells = cells


def zero_cells(notebook):
    """Grades of nothing handed in, for a gradebook ``Notebook``: 0 for each
    test cell, written answers left for the instructor."""
    return [dict(name=c.name, auto_score=None if c.cell_type == "markdown" else 0.0,
                 needs_manual_grade=c.cell_type == "markdown", max_score=c.max_score,
                 manual=c.cell_type == "markdown") for c in notebook.grade_cells]


def hide_hidden_tests(nb):
    """Replace each test cell's hidden part by a one-line note, and cut the
    tracebacks of its errors to their message, which says what is wrong and
    the hint, without quoting the hidden code."""
    for cell in nb.cells:
        if cell.cell_type != "code" or not nbgrader_meta(cell).get("grade"):
            continue
        if not HIDDEN.search(cell.source):
            continue
        cell.source = HIDDEN.sub(HIDDEN_NOTE, cell.source)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [_last_line(out)]


def _last_line(out):
    rendered = [line for line in out.get("traceback", []) if line.strip()]
    # our checks render as a single message already; others end with "Name: message"
    if len(rendered) == 1:
        return rendered[0]
    return f"\x1b[31m{out.get('ename')}\x1b[0m: {out.get('evalue')}"


def _tampered(nb) -> list[str]:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if TAMPER_PHRASE in line and line.strip() not in found:
                    found.append(line.strip())
    return found


def _failure_reason(outcome, out_of_memory, limits, seconds=0.0):
    log = (outcome.get("log") or "") + (outcome.get("error") or "")
    if seconds >= limits.wall_seconds:
        return (f"stopped after {seconds:.0f} seconds: the notebook ran longer than the {limits.wall_seconds} s "
                "a whole notebook may take (a very slow cell, or code that waits); graded 0")
    if out_of_memory:
        return (f"stopped: the notebook used more than {limits.memory_mb} MB of memory "
                "(a very large array, or one that grows in a loop); graded 0")
    if "Kernel died" in log or "DeadKernelError" in log:
        return "the kernel died while running the notebook (os._exit, a crash, or too much memory); graded 0"
    if "Timeout" in log or "timed out" in log:
        return "a cell ran too long; graded 0"
    lines = [line for line in log.splitlines() if "ERROR" in line]
    return "nbgrader could not grade it: " + (lines[0] if lines else "unknown error") + "; graded 0"

