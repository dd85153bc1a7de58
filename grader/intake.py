"""Collect a class's submissions and make each one gradable.

A submission folder holds one folder per student (any layout below it), or
flat files named ``<student>_<anything>.ipynb`` as LMS zips deliver them; a
``.zip`` is unpacked first. Whatever a student handed in, the result is a
notebook to grade or a reason why there is none, never a crash that stops the
class: a renamed file is found, corrupt JSON is reported, huge outputs are
dropped, deleted or edited test cells are put back from the release.
"""
from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .notebook import grade_id, is_locked

HUGE_OUTPUT = 5_000_000  # characters of stored output worth a note
DEMO_TAG = "demo"  # in the source: a cell that only demonstrates
SKIP_TAG = "skip-execution"  # nbclient runs no cell with this tag


@dataclass
class Intake:
    student: str
    notebook: nbformat.NotebookNode | None = None
    error: str | None = None  # why there is nothing to grade
    notes: list[str] = field(default_factory=list)


def unpack(folder: Path) -> Path:
    """A folder of submissions, unpacking a zip into a temporary folder."""
    folder = Path(folder)
    if folder.is_file() and zipfile.is_zipfile(folder):
        target = Path(tempfile.mkdtemp(prefix="submissions-"))
        with zipfile.ZipFile(folder) as zf:
            zf.extractall(target)
        entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir() and not list(entries[0].glob("*.ipynb")):
            target = entries[0]  # a zip of one folder holding the student folders
        return target
    if not folder.is_dir():
        raise SystemExit(f"{folder} is neither a folder of submissions nor a zip file.")
    return folder


def student_files(folder: Path) -> dict[str, list[Path]]:
    """{student id: candidate notebook files}."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        if entry.is_dir():
            files = [p for p in sorted(entry.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
            found[_safe_id(entry.name)] = files
        elif entry.suffix == ".ipynb":
            found.setdefault(_safe_id(entry.stem.split("_")[0]), []).append(entry)
    return found


def _safe_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "unnamed"


def take(student: str, files: list[Path], name: str, release, grading_mode=True) -> Intake:
    """Pick the student's notebook for ``name`` and repair what would cost
    grades. In grading mode, the release's demonstration cells that the
    student left as they were are skipped."""
    intake = Intake(student)
    if not files:
        intake.error = f"no notebook handed in (expected {name}.ipynb)"
        return intake
    exact = [p for p in files if p.name == f"{name}.ipynb"]
    path = exact[0] if exact else None
    readable = {}
    for p in ([path] if path else files):
        try:
            readable[p] = _read(p)
        except ValueError as err:
            if path is not None or len(files) == 1:
                intake.error = str(err)
                return intake
    if path is None:
        ids = {grade_id(c) for c in release.cells} - {None}
        scored = sorted(readable.items(), key=lambda kv: -len(ids & {grade_id(c) for c in kv[1].cells}))
        if not scored or not ids & {grade_id(c) for c in scored[0][1].cells}:
            names = ", ".join(p.name for p in files)
            intake.error = f"no notebook for {name} among the files handed in ({names})"
            return intake
        path = scored[0][0]
        intake.notes.append(f"graded {path.name} (expected the name {name}.ipynb)")
    intake.notebook = repair(readable[path], release, intake.notes, grading_mode)
    return intake


def _read(path: Path):
    try:
        nb = nbformat.read(path, as_version=4)
    except (json.JSONDecodeError, UnicodeDecodeError, nbformat.reader.NotJSONError) as err:
        raise ValueError(f"{path.name} is not a readable notebook (corrupt or truncated JSON: "
                         f"{str(err).splitlines()[0][:120]}); ask for a new copy") from None
    except Exception as err:  # nbformat raises several kinds for malformed files
        raise ValueError(f"{path.name} is not a valid notebook ({type(err).__name__}: "
                         f"{str(err).splitlines()[0][:120]}); ask for a new copy") from None
    return nb


def repair(nb, release, notes, grading_mode=True):
    """Drop stored outputs, put back locked cells the student deleted, edited
    or moved (in release order), and mark the release's demonstration cells to
    be skipped in grading mode."""
    size = sum(len(json.dumps(c.get("outputs", []))) for c in nb.cells if c.cell_type == "code")
    if size > HUGE_OUTPUT:
        notes.append(f"dropped {size / 1e6:.0f} MB of stored output before grading")
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SKIP_TAG in tags:  # only the grader decides what is skipped
            cell.metadata["tags"] = [t for t in tags if t != SKIP_TAG]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None

    graded = [grade_id(ref) for ref in release.cells if grade_id(ref)]
    # Every cell of the student's own travels with the graded cell above it.
    groups, mine, current, duplicates = {None: []}, {}, None, []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in graded and gid not in mine:
            mine[gid], current = cell, gid
            groups[gid] = []
        elif gid in graded:
            duplicates.append(gid)
        else:
            if gid is not None:  # a graded cell the release does not have
                del cell.metadata["nbgrader"]
            groups[current].append(cell)
    if duplicates:
        notes.append(f"dropped copies of cells {', '.join(sorted(set(duplicates)))}")
    if [g for g in graded if g in mine] != list(mine):
        notes.append("cells were moved; graded with them put back in the release's order")

    cells = groups[None]
    for ref in release.cells:
        gid = grade_id(ref)
        if gid is None:
            continue
        if gid in mine:
            if is_locked(ref) and mine[gid].source != ref.source:
                notes.append(f"locked cell {gid} was edited; graded with the original")
            cells.append(mine[gid])
        else:
            cells.append(nbformat.from_dict(json.loads(json.dumps(ref))))
            notes.append(f"cell {gid} was missing; put back from the release")
        cells += groups.get(gid, [])
    nb.cells = cells
    if grading_mode:
        demos = {c.get("id"): c.source for c in release.cells if DEMO_TAG in c.get("metadata", {}).get("tags", [])}
        for cell in nb.cells:
            if cell.get("id") in demos and cell.source == demos[cell.get("id")]:
                cell.metadata.setdefault("tags", []).append(SKIP_TAG)
    return nb
