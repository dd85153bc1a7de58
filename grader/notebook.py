"""Notebook documents: from the text source, and submissions made from them."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import jupytext
import nbformat

from .paths import SOLUTIONS

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
_SOLUTION_MARKER = re.compile(r"^[ \t]*(#+ *)?(### )?(BEGIN|END) SOLUTION[ \t]*\n?", re.M)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_answer(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_locked(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")


def read_source(name: str, folder=SOLUTIONS) -> nbformat.NotebookNode:
    """The nbgrader source notebook for ``solutions/<name>.py``, built the same
    way every time (stable cell ids, fixed metadata) so releases are reproducible."""
    nb = jupytext.read(Path(folder) / f"{name}.py", fmt="py:percent")
    for i, cell in enumerate(nb.cells):
        cell.id = grade_id(cell) or f"{name}-{i:03d}"
        # keep only what nbgrader and the grader read: the grading metadata and tags ("demo")
        cell.metadata = {k: cell.metadata[k] for k in ("nbgrader", "tags") if k in cell.metadata}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            # Run All goes on past a failing cell, so a student sees every cell
            # that can run (JupyterLab and nbconvert honour this tag).
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
    nb.metadata = {"kernelspec": dict(KERNELSPEC),
                   "language_info": {"name": "python"}}
    nbformat.validate(nb)
    return nb


def answer_text(cell_source: str) -> str:
    """A solution cell as a student who solved it would hand it in: the
    solution kept, the BEGIN/END SOLUTION marker lines removed."""
    return _SOLUTION_MARKER.sub("", cell_source)


def solved(release, source, variant=None):
    """A submission: the release with every answer cell filled from the source,
    optionally with one answer changed by a :class:`grader.variants.Variant`."""
    answers = {grade_id(c): answer_text(c.source) for c in source.cells if is_answer(c)}
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = grade_id(cell)
        if is_answer(cell) and gid in answers:
            cell.source = answers[gid]
            if variant is not None and gid == variant.cell:
                cell.source = variant.apply(cell.source)
    if variant is not None and variant.cell not in answers:
        raise ValueError(f"variant {variant.name!r} names cell {variant.cell!r}, which is not an answer cell")
    return nb
