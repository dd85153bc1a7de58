"""Grades as a table on screen, a CSV for the gradebook, and feedback files."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

COLUMNS = ["student", "notebook", "points", "max_points", "manual_points", "status", "seconds", "notes"]


def _fmt(x):
    return f"{x:g}"


def row(g):
    status = "graded" if g.ok else "not graded"
    return {"student": g.student, "notebook": g.notebook, "points": _fmt(g.points),
            "max_points": _fmt(g.max_points), "manual_points": _fmt(g.manual_points),
            "status": status, "seconds": f"{g.seconds:.1f}", "notes": "; ".join(g.notes)}


def write_csv(results, path: Path):
    """grades.csv (one row per student and notebook) and, beside it, cells.csv
    (one row per test cell, for finding which exercise a class got wrong)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(row(g) for g in results)
    with open(path.with_name("cells.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "notebook", "cell", "points", "max_points", "graded_by"])
        for g in results:
            for c in g.cells.values():
                points = "" if c.points is None else _fmt(c.points)
                writer.writerow([g.student, g.notebook, c.grade_id, points, _fmt(c.max_points),
                                 "hand" if c.manual else "autograder"])


def copy_feedback(course, results, folder: Path):
    for g in results:
        src = course.feedback_path(g.notebook, g.student)
        if src.exists():
            dst = folder / g.student / f"{g.notebook}.html"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)


def print_table(results, extra=None):
    """Fixed-width table: notebook, student, points / max, seconds, notes."""
    print(f"{'notebook':<14} {'student':<24} {'points':>13} {'by hand':>8} {'seconds':>8}  notes")
    for g in results:
        pts = f"{_fmt(g.points)} / {_fmt(g.max_points)}"
        notes = "; ".join(g.notes + ([extra(g)] if extra and extra(g) else []))
        print(f"{g.notebook:<14} {g.student:<24} {pts:>13} {_fmt(g.manual_points):>8} "
              f"{g.seconds:>8.1f}  {notes}")
