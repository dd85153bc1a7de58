"""Collect a class's submissions and make each one gradable.

A submission folder holds one folder per student (any layout below it), or
flat files named ``<student>_<anything>.ipynb`` as LMS zips deliver them; a
``.zip`` is unpacked first. Whatever a student handed in, the result is a
notebook to grade or a reason why there is none, never a crash that stops the
class: a renamed file is found, corrupt JSON is reported, huge outputs are
dropped, deleted or edited test cells are put back from the release.

Submissions are hostile. A file is read only if it is a plain file (never
through a link, never a pipe or device that could block or feed the grader
without end), and only up to a size limit; a zip is unpacked only inside its
own folder; any JSON a student can write is made into a valid notebook or
turned down with a reason; and nothing a student wrote decides which kernel
runs the notebook or which cells are skipped.
"""
from __future__ import annotations

import copy
import errno
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import nbformat

from .notebook import grade_id, is_answer, nbgrader_meta

HUGE_OUTPUT = 5_000_000  # characters of stored output worth a note
MAX_NOTEBOOK_BYTES = 50_000_000  # a notebook with its outputs cleared is far smaller
MAX_ZIP_BYTES = 2_000_000_000  # what a class zip may unpack to
MAX_ZIP_MEMBERS = 20_000
MAX_CELLS = 5_000  # of a student's own; the course's notebooks have about a hundred
DEMO_TAG = "demo"  # in the source: a cell that only demonstrates
SKIP_TAG = "skip-execution"  # nbclient runs no cell with this tag
SKIPPED_FOLDERS = (".ipynb_checkpoints", "__MACOSX")
CELL_TYPES = ("code", "markdown", "raw")
_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
NOT_REGULAR = "is not a regular file (a link, pipe or device); hand in the notebook file itself"


@dataclass
class Intake:
    student: str
    notebook: nbformat.NotebookNode | None = None
    error: str | None = None  # why there is nothing to grade
    notes: list[str] = field(default_factory=list)


class Candidates(list):
    """A student's candidate notebook files, with notes on how the student
    was found (two hand-ins with the same id); :func:`take` puts the notes
    on the student's row."""

    def __init__(self, files=(), notes=()):
        super().__init__(files)
        self.notes = list(notes)


# -- the class folder ---------------------------------------------------------

def unpack(folder: Path) -> Path:
    """A folder of submissions, unpacking a zip into a temporary folder."""
    folder = Path(folder)
    if folder.is_file() and zipfile.is_zipfile(folder):
        target = Path(tempfile.mkdtemp(prefix="submissions-"))
        try:
            with zipfile.ZipFile(folder) as zf:
                _extract(zf, target, folder.name)
        except SystemExit:
            shutil.rmtree(target, ignore_errors=True)
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError,
                NotImplementedError, zlib.error) as err:  # damaged, encrypted or of an unknown compression
            shutil.rmtree(target, ignore_errors=True)
            raise SystemExit(f"{folder} could not be unpacked ({type(err).__name__}: {err}). "
                             "Check the zip, or unpack it yourself and pass the folder.") from None
        entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir() and not list(entries[0].glob("*.ipynb")):
            target = entries[0]  # a zip of one folder holding the student folders
        return target
    if not folder.is_dir():
        raise SystemExit(f"{folder} is neither a folder of submissions nor a zip file.")
    return folder


def _extract(zf: zipfile.ZipFile, target: Path, label: str):
    """Unpack the plain files of a zip inside ``target`` and nowhere else.
    A member that would land outside (zip slip) or a zip that unpacks to
    more than the limits (a zip bomb) stops the run before anything is
    written; links are left out, as no student's notebook is one."""
    members = zf.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise SystemExit(f"{label} holds {len(members)} files, more than the {MAX_ZIP_MEMBERS} a class zip "
                         "may hold. Unpack it yourself and pass the folder.")
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_BYTES:
        raise SystemExit(f"{label} would unpack to {total / 1e9:.1f} GB, more than the {MAX_ZIP_BYTES / 1e9:.0f} GB "
                         "a class zip may (a zip bomb?). Unpack it yourself and pass the folder.")
    for m in members:
        if _escapes(m.filename):
            raise SystemExit(f"{label} is unsafe: its member {m.filename!r} would be written outside the folder "
                             "it unpacks into (an absolute path or '..'). Nothing was unpacked.")
    written = 0
    for m in members:
        if not _parts(m.filename):
            continue
        dest = target.joinpath(*_parts(m.filename))
        if m.is_dir():
            dest.mkdir(parents=True, exist_ok=True)  # an empty student folder still gets its row
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not _plain_member(m):
            continue
        with zf.open(m) as src, open(dest, "wb") as out:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > MAX_ZIP_BYTES:  # the sizes in a zip's header can lie
                    raise SystemExit(f"{label} unpacks to more than {MAX_ZIP_BYTES / 1e9:.0f} GB (a zip bomb?).")
                out.write(chunk)


def _parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\\/]", name) if p not in ("", ".")]


def _escapes(name: str) -> bool:
    """Whether a zip member's name points outside the folder it unpacks into."""
    return (name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or "\x00" in name
            or ".." in _parts(name))


def _plain_member(info: zipfile.ZipInfo) -> bool:
    """A file, not a link or a device (zips made on Unix keep the file's mode)."""
    mode = info.external_attr >> 16
    return stat.S_IFMT(mode) in (0, stat.S_IFREG)


def student_files(folder: Path) -> dict[str, Candidates]:
    """{student id: candidate notebook files}. Two hand-ins whose names give
    the same id ("ann smith" and "ann-smith") each keep their own row, the
    later one with a number added, and both rows say so."""
    by_name: dict[str, list[Path]] = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith((".", "__MACOSX")):
            continue
        if entry.is_dir() and not entry.is_symlink():
            by_name.setdefault(entry.name, []).extend(_notebooks(entry))
        elif entry.is_dir():  # a link to a folder: never followed, but its student hears why
            by_name.setdefault(entry.name, []).append(entry)
        elif entry.suffix == ".ipynb":
            by_name.setdefault(entry.stem.split("_")[0], []).append(entry)
    return _unique_ids(by_name)


def _notebooks(folder: Path) -> list[Path]:
    """The .ipynb files anywhere in a student's folder, not following links
    to other folders (a link can point anywhere on the grading machine)."""
    found = []
    for root, dirs, files in os.walk(folder):  # followlinks=False: a linked folder is listed, not entered
        dirs[:] = [d for d in dirs if d not in SKIPPED_FOLDERS]
        found += [Path(root) / f for f in files if f.endswith(".ipynb")]
    return sorted(found)


def _unique_ids(by_name: dict[str, list[Path]]) -> dict[str, Candidates]:
    bases: dict[str, list[str]] = {}
    for name in by_name:
        bases.setdefault(_safe_id(name), []).append(name)
    taken, found = set(bases), {}
    for base, names in bases.items():
        names.sort(key=lambda n: (n != base, n))  # a name that is the id already keeps it
        ids = [base]
        for _ in names[1:]:
            ids.append(next(f"{base}-{n}" for n in count(2) if f"{base}-{n}" not in taken))
            taken.add(ids[-1])
        notes = []
        if len(names) > 1:
            notes.append(f"the hand-ins {' and '.join(repr(n) for n in names)} have the same student id; "
                         f"graded as {' and '.join(ids)}")
        for name, sid in zip(names, ids):
            found[sid] = Candidates(by_name[name], notes)
    return found


def _safe_id(text: str) -> str:
    """A student id that is safe as a file name (no '..', no slashes)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "unnamed"


# -- one student's notebook ---------------------------------------------------

def take(student: str, files: list[Path], name: str, release, grading_mode=True) -> Intake:
    """Pick the student's notebook for ``name`` and repair what would cost
    grades. In grading mode, the release's demonstration cells that the
    student left as they were are skipped."""
    intake = Intake(student, notes=list(getattr(files, "notes", [])))
    if not files:
        intake.error = f"no notebook handed in (expected {name}.ipynb)"
        return intake
    regular = [p for p in files if _is_regular(p)]  # links, pipes and devices are passed over
    if not regular:
        intake.error = f"{files[0].name} {NOT_REGULAR}"
        return intake
    exact = [p for p in regular if p.name == f"{name}.ipynb"]
    path = exact[0] if exact else None
    readable = {}
    for p in ([path] if path else regular):
        try:
            readable[p] = _load(p)
        except ValueError as err:
            if path is not None or len(regular) == 1:
                intake.error = str(err)
                return intake
    if path is None:
        ids = {grade_id(c) for c in release.cells} - {None}
        found = {p: ids & _grade_ids(raw) for p, raw in readable.items()}
        scored = sorted(found, key=lambda p: -len(found[p]))
        if not scored or not found[scored[0]]:
            names = ", ".join(p.name for p in files)
            intake.error = f"no notebook for {name} among the files handed in ({names})"
            return intake
        path = scored[0]
        intake.notes.append(f"graded {path.name} (expected the name {name}.ipynb)")
    try:
        intake.notebook = repair(readable[path], release, intake.notes, grading_mode)
    except Exception as err:  # whatever is left, it costs this student a reason, not the class its grades
        intake.error = (f"{path.name} could not be made gradable ({type(err).__name__}: "
                        f"{_first_line(err)}); ask for a new copy")
    return intake


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _load(path: Path):
    """The parsed JSON of a notebook file, checked to hold a list of cells."""
    data = read_bytes(path)
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise ValueError(f"{path.name} is not a readable notebook (corrupt or truncated JSON: "
                         f"{_first_line(err)}); ask for a new copy") from None
    try:
        normalize(raw, [])
    except Exception as err:  # ValueError: no list of cells; anything else must not stop the class either
        raise ValueError(f"{path.name} is not a notebook ({_first_line(err)}); ask for a new copy") from None
    return raw


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, read only if it is a plain file of at most ``limit``
    bytes: a link is not followed (it could point at any file on the grading
    machine) and a pipe or device is not read (it could block or never end).
    Raises ValueError with a reason for the student."""
    limit = MAX_NOTEBOOK_BYTES if limit is None else limit
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ValueError(f"{path.name} {NOT_REGULAR}") from None
        raise ValueError(f"{path.name} could not be read ({err.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path.name} {NOT_REGULAR}")
        if info.st_size > limit:
            raise ValueError(_too_big(path, info.st_size, limit))
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise ValueError(_too_big(path, size, limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(path, size, limit):
    return (f"{path.name} is {_amount(size)}, over the {_amount(limit)} a notebook may be; "
            "clear its outputs (Edit > Clear Outputs of All Cells), save and hand it in again")


def _amount(size: int) -> str:
    return f"{size / 1e6:.0f} MB" if size >= 10_000_000 else f"{size:,} bytes"


def _first_line(err) -> str:
    return (str(err).splitlines() or [""])[0][:120]


def _grade_ids(raw) -> set[str]:
    try:
        return {grade_id(c) for c in normalize(raw, [])["cells"]} - {None}
    except Exception:  # _load() has given the reason
        return set()


# -- any JSON into a valid notebook --------------------------------------------

def normalize(raw, notes: list[str]) -> dict:
    """A plain v4 notebook dict from any parsed JSON, before nbformat sees it:
    every cell a dict of the right shape (text source, dict metadata, list-of-
    word tags, grading metadata a dict with a text grade id or none), cells
    that cannot be read dropped, outputs and counts cleared, fresh ids. One
    note per kind of repair goes to ``notes``. Raises ValueError only for JSON
    that holds no list of cells at all."""
    cells = _raw_cells(raw)
    fixed, kinds = [], {}

    def repaired(kind, detail=None):
        kinds.setdefault(kind, []).append(detail)

    output_chars = 0
    for cell in cells:
        if not isinstance(cell, dict):
            repaired("not a cell")
            continue
        if len(fixed) >= MAX_CELLS and (not _has_grade_id(cell) or len(fixed) >= 2 * MAX_CELLS):
            repaired("too many")  # a million empty cells would cost minutes and gigabytes
            continue
        kind = cell.get("cell_type")
        if kind not in CELL_TYPES:
            repaired("unknown type", kind[:20] if isinstance(kind, str) else type(kind).__name__)
            continue
        source = _text(cell.get("source", ""))
        if source is None:
            repaired("source")
            continue
        if kind == "code":
            output_chars += _size(cell.get("outputs"))
        new = {"cell_type": kind, "id": None, "metadata": _metadata(cell.get("metadata"), repaired),
               "source": source}
        if kind == "code":
            new.update(outputs=[], execution_count=None)
        elif "attachments" in cell:
            attachments = _attachments(cell["attachments"])
            if attachments is None:
                repaired("attachments")
            elif attachments:
                new["attachments"] = attachments
        fixed.append(new)

    ids = [c.get("id") for c in cells if isinstance(c, dict) and isinstance(c.get("id"), str)]
    if len(ids) != len(set(ids)):
        repaired("duplicate ids")
    for i, cell in enumerate(fixed, 1):
        cell["id"] = f"cell-{i}"  # repair() gives the final ones
    notes += _notes(kinds, output_chars)
    return {"cells": fixed, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _raw_cells(raw) -> list:
    """The list of cells of a notebook of any version (v3 keeps them in
    worksheets, with the code in "input")."""
    if not isinstance(raw, dict):
        raise ValueError("it has no list of cells")
    if isinstance(raw.get("cells"), list):
        return raw["cells"]
    sheets = raw.get("worksheets")
    if isinstance(sheets, list) and sheets and all(isinstance(s, dict) and isinstance(s.get("cells"), list)
                                                   for s in sheets):
        return [_from_v3(c) for s in sheets for c in s["cells"]]
    raise ValueError("it has no list of cells")


def _from_v3(cell):
    if not isinstance(cell, dict):
        return cell
    cell = dict(cell)
    if cell.get("cell_type") == "code":
        cell["source"] = cell.pop("input", "")
    elif cell.get("cell_type") == "heading":
        level = cell.get("level") if isinstance(cell.get("level"), int) else 1
        text = _text(cell.get("source", ""))
        cell["cell_type"] = "markdown"
        cell["source"] = text if text is None else "#" * max(1, min(level, 6)) + " " + " ".join(text.splitlines())
    elif cell.get("cell_type") == "html":
        cell["cell_type"] = "markdown"
    return cell


def _has_grade_id(cell) -> bool:
    meta = cell.get("metadata")
    return isinstance(meta, dict) and isinstance(meta.get("nbgrader"), dict) and "grade_id" in meta["nbgrader"]


def _text(value) -> str | None:
    """A cell's source as text: a string, or a list of strings joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    return None


def _size(outputs) -> int:
    try:
        return len(json.dumps(outputs)) if outputs else 0
    except (ValueError, TypeError, RecursionError):
        return 0


def _metadata(meta, repaired) -> dict:
    """The cell metadata the grader reads (tags and grading metadata), in
    the shapes nbformat and nbgrader accept; the rest only shapes how
    JupyterLab shows the cell and is left out."""
    if not isinstance(meta, dict):
        if meta is not None:
            repaired("metadata")
        return {}
    kept = {}
    if "tags" in meta:
        tags = meta["tags"]
        words = [t for t in tags if isinstance(t, str) and t and "," not in t] if isinstance(tags, list) else []
        if not isinstance(tags, list) or len(words) != len(tags):
            repaired("tags")
        kept["tags"] = list(dict.fromkeys(t for t in words if t != SKIP_TAG))  # only the grader decides what is skipped
    if "nbgrader" in meta:
        grading = meta["nbgrader"]
        if isinstance(grading, dict) and isinstance(grading.get("grade_id"), str) and grading["grade_id"]:
            # the plain values only: repair() puts the release's in their place, and a
            # structure nested a thousand deep would take down a deep copy
            kept["nbgrader"] = {k: v for k, v in grading.items() if v is None or isinstance(v, (str, int, float))}
        else:
            repaired("grading metadata")
    return kept


def _attachments(value) -> dict | None:
    """A markdown cell's pasted images, if they have the shape nbformat
    requires ({file name: {mime type: text}}); None if they do not."""
    if not isinstance(value, dict):
        return None
    fixed = {}
    for name, bundle in value.items():
        if not isinstance(bundle, dict):
            return None
        fixed[name] = {}
        for mime, data in bundle.items():
            text = _text(data)
            if not _MIME.match(mime) or text is None:
                return None
            fixed[name][mime] = text
    return fixed


# What each kind of repair says, "{n}" standing for "3 cells".
_REPAIRS = {
    "source": "dropped {n} whose source was not text",
    "metadata": "reset the metadata of {n} (not a dictionary)",
    "grading metadata": "removed unreadable grading metadata from {n}",
    "tags": "reset the tags of {n} (not a list of words)",
    "attachments": "dropped unreadable attachments of {n}",
    "too many": "dropped {n} beyond the first " + str(MAX_CELLS) + " (too many cells to grade)",
}


def _notes(kinds: dict, output_chars: int) -> list[str]:
    def n(kind):  # "1 cell", "3 cells"
        k = len(kinds[kind])
        return f"{k} cell{'s' if k > 1 else ''}"

    notes = []
    if output_chars > HUGE_OUTPUT:
        notes.append(f"dropped {output_chars / 1e6:.0f} MB of stored output before grading")
    if "not a cell" in kinds:
        notes.append(f"dropped items of the cell list that are not cells ({len(kinds['not a cell'])})")
    if "unknown type" in kinds:
        types = ", ".join(sorted(set(kinds["unknown type"])))
        notes.append(f"dropped {n('unknown type')} of an unknown type ({types})")
    notes += [text.format(n=n(kind)) for kind, text in _REPAIRS.items() if kind in kinds]
    if "duplicate ids" in kinds:
        notes.append("cells had duplicate ids; gave them new ones")
    return notes


# -- the release's structure back ----------------------------------------------

def repair(nb, release, notes, grading_mode=True):
    """A valid notebook to grade, from a student's notebook or any JSON:
    normalized (see :func:`normalize`), the release's graded cells in the
    release's order (deleted or edited locked cells put back, answers kept,
    the student's other cells travelling with the graded cell above them),
    the release's notebook metadata (so its kernel), and in grading mode the
    release's demonstration cells marked to be skipped. Raises ValueError
    for a notebook with no list of cells."""
    nb = nbformat.from_dict(normalize(nb, notes))
    refs = {grade_id(ref): ref for ref in release.cells if grade_id(ref)}
    # Every cell of the student's own travels with the graded cell above it.
    groups, mine, current, duplicates = {None: []}, {}, None, []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in refs and gid not in mine:
            mine[gid], current = cell, gid
            groups[gid] = []
        elif gid in refs:
            duplicates.append(gid)
        else:
            cell.metadata.pop("nbgrader", None)  # only the release's graded cells carry grading metadata
            groups[current].append(cell)
    if duplicates:
        notes.append(f"dropped copies of cells {', '.join(sorted(set(duplicates)))}")
    if [g for g in refs if g in mine] != list(mine):
        notes.append("cells were moved; graded with them put back in the release's order")

    cells = groups[None]
    for gid, ref in refs.items():
        if gid in mine:
            cells.append(_graded(mine[gid], ref, notes))
        else:
            cells.append(copy.deepcopy(ref))
            notes.append(f"cell {gid} was missing; put back from the release")
        cells += groups.get(gid, [])
    _give_ids(cells, release)
    if grading_mode:
        _skip_demos(cells, release)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(release.metadata))
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        raise ValueError(f"still not a valid notebook after repair: {_first_line(err)}") from None
    return nb


def _graded(cell, ref, notes):
    """The release's graded cell, holding the student's text only where it is
    an answer: the grading metadata, cell type and every locked text are the
    release's, whatever the student's JSON says."""
    gid, fixed = grade_id(ref), copy.deepcopy(ref)
    if is_answer(ref):
        fixed.source = cell.source
        if cell.cell_type != ref.cell_type:
            notes.append(f"answer cell {gid} was made a {cell.cell_type} cell; graded as a {ref.cell_type} cell")
        elif "attachments" in cell and ref.cell_type != "code":
            fixed.attachments = cell.attachments
    elif cell.source != ref.source or cell.cell_type != ref.cell_type:
        notes.append(f"locked cell {gid} was edited; graded with the original")
    return fixed


def _give_ids(cells, release):
    """Graded cells take their grade id as cell id; every other cell a fresh
    one that no release cell has, so no id a student wrote means anything."""
    taken = {c.get("id") for c in release.cells} | {grade_id(c) for c in release.cells}
    fresh = (f"cell-{n}" for n in count(1) if f"cell-{n}" not in taken)
    for cell in cells:
        gid = grade_id(cell)
        cell.id = gid if gid and _CELL_ID.match(gid) else next(fresh)


def _skip_demos(cells, release):
    """Tag the student's copies of the release's demonstration cells to be
    skipped: a code cell with no grading metadata, the very text of a demo
    cell, and in the demo's place (after the same graded cell). A graded
    cell is never skipped, whatever its id or text."""
    demos = {}
    for after, cell in _places(release.cells):
        if cell.cell_type == "code" and DEMO_TAG in cell.get("metadata", {}).get("tags", []):
            demos.setdefault(after, set()).add(cell.source)
    for after, cell in _places(cells):
        if cell.cell_type == "code" and cell.source in demos.get(after, ()):
            cell.metadata.setdefault("tags", []).append(SKIP_TAG)


def _places(cells):
    """(grade id of the graded cell above, cell) for each ungraded cell."""
    after = None
    for cell in cells:
        if nbgrader_meta(cell):
            after = grade_id(cell) or after
        else:
            yield after, cell
