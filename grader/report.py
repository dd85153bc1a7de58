"""Grades as a table on screen, CSV files for the gradebook, and feedback files."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from .gradebook import atomic_write

COLUMNS = ["student", "notebook", "points", "max_points", "manual_points", "status", "seconds", "notes"]


def _fmt(x):
    return f"{x:g}"


def row(g):
    return {"student": g.student, "notebook": g.notebook, "points": _fmt(g.points),
            "max_points": _fmt(g.max_points), "manual_points": _fmt(g.manual_points),
            "status": g.status, "seconds": f"{g.seconds:.1f}", "notes": "; ".join(g.notes)}


def _csv(header, rows, writer=csv.writer):
    buffer = io.StringIO()
    w = writer(buffer, header) if writer is csv.DictWriter else writer(buffer)
    if writer is csv.DictWriter:
        w.writeheader()
    else:
        w.writerow(header)
    w.writerows(rows)
    return buffer.getvalue()


def write_csv(results, path: Path):
    """grades.csv (one row per student and notebook) and, beside it, cells.csv
    (one row per test cell, for finding which exercise a class got wrong).
    Both are written atomically."""
    path = Path(path)
    atomic_write(path, _csv(COLUMNS, [row(g) for g in results], csv.DictWriter))
    cells = [[g.student, g.notebook, c.grade_id, "" if c.points is None else _fmt(c.points),
              _fmt(c.max_points), "hand" if c.manual else "autograder", c.diagnosis]
             for g in results for c in g.cells.values()]
    atomic_write(path.with_name("cells.csv"),
                 _csv(["student", "notebook", "cell", "points", "max_points", "graded_by", "diagnosis"], cells))


def mistake_counts(results) -> list[tuple[int, str, str]]:
    """(students, notebook, mistake) for each diagnosed typical mistake, the
    most common first: what the class needs to hear again."""
    students = {}
    for g in results:
        for c in g.cells.values():
            if c.diagnosis:
                students.setdefault((g.notebook, c.diagnosis), set()).add(g.student)
    return sorted(((len(s), nb, why) for (nb, why), s in students.items()), key=lambda t: (-t[0], t[1], t[2]))


def print_mistakes(results):
    """The summary under the grades table: how many students made each mistake."""
    counts = mistake_counts(results)
    if not counts:
        return
    print("\nTypical mistakes the autograder recognised (students: what they did):")
    for n, notebook, why in counts:
        print(f"  {n:>3}  {notebook}: {why}")


def copy_feedback(course, results, folder: Path):
    """Each student's feedback HTML from the course folder to ``folder/<student>/``."""
    for g in results:
        src = course.feedback_path(g.notebook, g.student)
        dst = Path(folder) / g.student / f"{g.notebook}.html"
        if src.exists():
            atomic_write(dst, src.read_text())
        else:
            dst.unlink(missing_ok=True)


def print_table(results, extra=None):
    """Fixed-width table: notebook, student, points / max, status, seconds, notes."""
    nb = max([14] + [len(g.notebook) for g in results])
    print(f"{'notebook':<{nb}} {'student':<24} {'points':>13} {'by hand':>8} {'status':>10} {'seconds':>8}  notes")
    for g in results:
        pts = f"{_fmt(g.points)} / {_fmt(g.max_points)}"
        notes = "; ".join(g.notes + ([extra(g)] if extra and extra(g) else []))
        print(f"{g.notebook:<{nb}} {g.student:<24} {pts:>13} {_fmt(g.manual_points):>8} {g.status:>10} "
              f"{g.seconds:>8.1f}  {notes}")
