"""Where things live. Everything generated goes under build/ (git ignores it)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
COURSE = BUILD / "course"  # the nbgrader course directory


def notebook_names():
    """Notebook names in course order, from the sources: ['01_knn', ...]."""
    return sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.py"))
