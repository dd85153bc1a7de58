"""What every notebook must show when autograded: the solution gets every
point, the blank release none, each typical mistake loses exactly the points
of its own exercise, and each alternative answer keeps them all."""
from __future__ import annotations

from . import prefix
from . import variants as variant_table
from .course import CellGrade, Course, Graded
from .notebook import nbgrader_meta, solved
from .paths import BUILD


def expected_losses(graded, variant):
    """The autograded cells that must score 0 for this submission."""
    auto = {gid for gid, c in graded.cells.items() if not c.manual}
    if graded.student == "blank":
        return auto
    return set(variant.loses) if variant else set()


def problems(graded, variant=None):
    """Where a submission's grades differ from what it must get; [] when right."""
    found = [] if graded.ok else [f"not graded: {'; '.join(graded.notes)}"]
    must_fail = expected_losses(graded, variant)
    unknown = must_fail - set(graded.cells)
    if unknown:
        found.append(f"names test cells that do not exist: {sorted(unknown)}")
    for gid, cell in graded.cells.items():
        if cell.manual:
            continue
        if gid in must_fail and cell.points:
            found.append(f"{gid} kept {cell.points:g} points but should fail")
        if gid not in must_fail and cell.points != cell.max_points:
            found.append(f"{gid} lost points ({cell.points} of {cell.max_points:g})")
    return found


def lost_cells(graded):
    return [gid for gid, c in graded.cells.items() if not c.manual and c.points != c.max_points]


def submissions_of(name, course, with_variants=True):
    """The solution, the blank release and each listed variant, as
    ``{student: notebook}``, and the variants by name."""
    release, source = course.release(name), course.source(name)
    table = variant_table.load(name, course.solutions)[0] if with_variants else []
    submissions = {"solution": solved(release, source), "blank": release}
    submissions.update({v.name: solved(release, source, v) for v in table})
    return submissions, {v.name: v for v in table}


def fast_grades(name, course, submissions, workers=2, details=None):
    """Per-cell grades from :mod:`grader.prefix` as :class:`Graded` rows;
    ``details``, a dict, receives {student: {test cell: Verdict}}."""
    release, source = course.release(name), course.source(name)
    details = {} if details is None else details
    points = prefix.grade(release, source, submissions, workers=workers, timeout=course.timeout,
                          details=details, diagnoses=course.diagnoses(name))
    results = []
    for student in submissions:
        g = Graded(student, name, ok=points[student] is not None)
        for cell in source.cells:
            meta = nbgrader_meta(cell)
            if not meta.get("grade"):
                continue
            manual = cell.cell_type == "markdown"
            got = None if manual else (points[student] or {}).get(meta["grade_id"], 0.0)
            verdict = details.get(student, {}).get(meta["grade_id"])
            g.cells[meta["grade_id"]] = CellGrade(meta["grade_id"], got, meta["points"], manual,
                                                  verdict.diagnosed if verdict else "")
            if manual:
                g.manual_points += meta["points"]
            else:
                g.max_points += meta["points"]
                g.points += got
        if not g.ok:
            g.notes.append("the variant killed the runner's process")
        results.append(g)
    return results


def check(name, root=None, verbose=True, with_variants=True, solutions=None, workers=None, fast=False):
    """Autograde the solution, the blank release and every variant of one
    notebook in its own course folder; return {student: [problems]}.
    ``fast``: grade them from one shared executed prefix (:mod:`grader.prefix`)
    instead of one nbgrader run each."""
    course = Course(root or BUILD / "check" / name, **({"solutions": solutions} if solutions else {}))
    course.build([name])
    submissions, by_name = submissions_of(name, course, with_variants)
    if fast:
        results = fast_grades(name, course, submissions, workers or 2)
    else:
        results = course.autograde(name, submissions, workers=workers)
    report = {}
    for g in results:
        report[g.student] = problems(g, by_name.get(g.student))
        if verbose:
            mark = "ok  " if not report[g.student] else "FAIL"
            kind = "mistake" if by_name.get(g.student, None) and by_name[g.student].loses else ""
            print(f"{mark} {g.student:<28} {g.points:>5g}/{g.max_points:<4g} {g.seconds:5.1f}s "
                  f"{kind:<8} lost: {', '.join(lost_cells(g)) or '-'}")
            for p in report[g.student]:
                print(f"       {p}")
    return report
