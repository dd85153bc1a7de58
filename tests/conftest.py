"""Shared by the grader's tests: the tiny fixture notebook."""
from pathlib import Path

from grader.notebook import grade_id

FIXTURES = Path(__file__).parent / "fixtures"
TINY = "00_tiny"


def cell(nb, gid):
    """The cell of ``nb`` with grade id ``gid``."""
    return next(c for c in nb.cells if grade_id(c) == gid)

