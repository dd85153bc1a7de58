"""The points of a graded notebook, decided where no student code runs.

The kernel ran each test cell through :func:`helpers.checks.trace.run_test`,
which left a record of what the student's code returned as a display output
of that cell. Here each test cell of the course's own source (hidden tests
included) is replayed against its record (:func:`helpers.checks.trace.replay_test`):
the inputs, expected values and comparisons are computed in this process.
A cell passes when its replay runs to the end; a cell with no record fails.
Nothing the kernel printed or raised counts, only the data it returned.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from helpers.checks import diagnosis, integrity, trace, wire
from helpers.checks.notes import undefined

from .notebook import grade_id, nbgrader_meta

FAILED = "\u2718"


@dataclass
class Verdict:
    passed: bool
    output: str  # what the replayed test printed (its ticks)
    message: str = ""  # why it failed, for the student
    fingerprint: str = ""  # of the failure (helpers.checks.diagnosis)
    visible: bool = True  # whether it failed in the part of the cell students see
    diagnosis: str = ""  # the typical mistake it matches, if any
    expected: str = ""  # the fingerprint of the value the check expected: never a diagnosis

    @property
    def diagnosed(self) -> str:
        """The matched mistake's words (what follows "if you"), or ""."""
        return self.diagnosis.removeprefix("Diagnosis: this is what you get if you ").removesuffix(".")


def test_cells(source_nb):
    """{grade id: code} of the source's test cells, in order."""
    return {grade_id(c): c.source for c in source_nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("grade") and grade_id(c)}


def grading_copy(source_nb):
    """The source notebook as the grading kernel runs it: each test cell
    replaced by :func:`helpers.checks.trace.grading_cell`."""
    import copy

    nb = copy.deepcopy(source_nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("grade") and grade_id(cell):
            cell.source = trace.grading_cell(grade_id(cell), cell.source)
    return nb


def records(nb) -> dict:
    """{grade id: events} from the record outputs of each graded cell; a
    cell's own record only (the last one it shows)."""
    found = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if cell.cell_type != "code" or not gid:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {}) if isinstance(out, dict) else {}
            record = data.get(trace.MIME) if isinstance(data, dict) else None
            if isinstance(record, dict) and record.get("test") == gid and isinstance(record.get("events"), str):
                found[gid] = record["events"]
    return found


def judge(tests: dict, recorded: dict, budget_bytes=trace.MAX_RECORD_BYTES, diagnoses=None) -> dict:
    """{grade id: Verdict} for every test cell in ``tests`` ({id: code});
    ``diagnoses``: the notebook's table of typical mistakes' fingerprints."""
    integrity.stand_down()  # this process runs no answer: nothing to put back
    budget = wire.Budget(budget_bytes)
    verdicts = {}
    with diagnosis.using(diagnoses):
        for gid, code in tests.items():
            text = recorded.get(gid)
            if text is None:
                verdicts[gid] = Verdict(False, "", f"{FAILED} This test did not run to its end in your notebook "
                                                   "(a cell before it stopped the notebook, or it ran out of time).")
                continue
            try:
                events = json.loads(text) if isinstance(text, str) else text
            except ValueError:
                events = None
            _one_torch_thread()  # once a replay has imported torch
            with diagnosis.testing(gid):
                passed, output, error = trace.replay_test(gid, code, events, budget)
                verdicts[gid] = Verdict(passed, output) if passed else _failed(gid, code, output, error)
    return verdicts


def _failed(gid, code, output, error) -> Verdict:
    """The verdict of a failed replay, with the fingerprint of its failure
    and the typical mistake that fingerprint matches."""
    message = explain(error)
    key = getattr(error, "fingerprint", None)
    if key is None:  # not a failed check: the error itself is the fingerprint
        key = diagnosis.fingerprint(f"error in {gid}", message)  # the same refusal differs per exercise
        why = diagnosis.lookup(key)
        message += f"\n{why}" if why else ""
    else:
        why = diagnosis.lookup(key)
    return Verdict(False, output, message, key, _in_visible_part(gid, code, error), why,
                   getattr(error, "expected_fingerprint", None) or "")


def _in_visible_part(gid, code, error) -> bool:
    """Whether the failure happened above the cell's hidden tests."""
    lines = code.splitlines()
    hidden = next((i + 1 for i, line in enumerate(lines) if line.strip() == "### BEGIN HIDDEN TESTS"), None)
    if hidden is None:
        return True
    tb, where = getattr(error, "__traceback__", None), None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == f"<test {gid}>":
            where = tb.tb_lineno
            break  # the cell's own statement, not a function it defines
        tb = tb.tb_next
    return where is not None and where < hidden


def _one_torch_thread():
    """The replays' oracles are tiny tensors: one thread is the fastest, and
    far faster than a pool of threads on a busy machine."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def explain(error) -> str:
    """A failure as the student reads it."""
    from helpers.checks.errors import StudentError

    if isinstance(error, StudentError):
        return str(error)
    if isinstance(error, (trace.ReplayError, wire.WireError)):
        return f"{FAILED} {error}"
    name = getattr(error, "student_error", None)
    if name is not None:
        if isinstance(error, NotImplementedError):
            return ("Not answered yet: an exercise this test calls still raises NotImplementedError; "
                    "write it in its exercise cell.")
        return f"{FAILED} Your code raised {name}: {error}"
    if isinstance(error, NameError):
        return undefined(getattr(error, "name", None) or str(error))
    return (f"{FAILED} The test stopped with {type(error).__name__}: {error}. Your answer returned "
            "something of an unexpected type or shape.")


def outputs(verdict: Verdict) -> list:
    """The cell outputs that show ``verdict`` in the graded notebook."""
    import nbformat

    outs = []
    if verdict.output:
        outs.append(nbformat.v4.new_output("stream", name="stdout", text=verdict.output))
    if not verdict.passed:
        outs.append(nbformat.v4.new_output("error", ename="Failed", evalue=verdict.message,
                                           traceback=[verdict.message]))
    return outs
