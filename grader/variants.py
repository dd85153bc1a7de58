"""Submissions made from the solution: typical mistakes and alternative answers.

Each notebook lists its variants in ``solutions/variants/<notebook>.py`` as a
``VARIANTS`` list. A variant edits one answer cell (found by its grade_id) of
the full-solution submission. The test suite autogrades every variant with
nbgrader: a :class:`Mistake` must lose exactly the points of the test cells it
names, an :class:`Alternative` must keep full marks. ``make demo`` uses the
notebook's ``DEMO_MISTAKE`` as its "partly correct" student.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from dataclasses import dataclass, field

from .paths import SOLUTIONS


@dataclass(frozen=True)
class Variant:
    name: str
    cell: str  # grade_id of the answer cell to change
    old: str | tuple = ""  # text of the solution to replace (or several, in turn) ...
    new: str | tuple = ""  # ... by this
    source: str | None = None  # or the whole new cell source
    loses: tuple[str, ...] = field(default=())  # grade_ids of test cells that must fail
    # A mistake's misconception, as the student reads it after "this is what
    # you get if you ...": the diagnosis its fingerprint names (issue 18).
    why: str = ""

    def apply(self, text: str) -> str:
        if self.source is not None:
            return self.source
        # old and new may be tuples: several edits of one cell, in turn
        pairs = zip(self.old, self.new) if isinstance(self.old, tuple) else [(self.old, self.new)]
        for old, new in pairs:
            if old not in text:
                raise ValueError(f"variant {self.name!r}: {old!r} is not in cell {self.cell!r}; "
                                 "update the variant after changing the solution")
            text = text.replace(old, new)
        return text


def Mistake(name, cell, old="", new="", *, loses, why="", source=None):
    """A typical student error; ``loses`` names the test cells it must fail,
    ``why`` completes "this is what you get if you ..." for the student."""
    return Variant(name, cell, old, new, source, tuple([loses] if isinstance(loses, str) else loses), why)


def Alternative(name, cell, source=None, old="", new=""):
    """A correct answer written another way: it must keep full marks."""
    return Variant(name, cell, old, new, source, ())


def load(notebook: str, folder=SOLUTIONS):
    """(VARIANTS, DEMO_MISTAKE) for a notebook name such as '01_knn'."""
    path = Path(folder) / "variants" / f"{notebook}.py"
    if not path.exists():
        return [], None
    spec = importlib.util.spec_from_file_location(f"variants_{notebook}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.VARIANTS), getattr(module, "DEMO_MISTAKE", None)
