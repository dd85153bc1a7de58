"""What every notebook must show when autograded: the solution gets every
point, the blank release none, each typical mistake loses exactly the points
of its own exercise, and each alternative answer keeps them all."""
from __future__ import annotations

from . import variants as variant_table
from .course import Course
from .notebook import solved
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


def check(name, root=None, verbose=True, with_variants=True, solutions=None):
    """Autograde the solution, the blank release and every variant of one
    notebook in its own course folder; return {student: [problems]}."""
    course = Course(root or BUILD / "check" / name, **({"solutions": solutions} if solutions else {}))
    course.build([name])
    release, source = course.release(name), course.source(name)
    table = variant_table.load(name, course.solutions)[0] if with_variants else []
    by_name = {v.name: v for v in table}
    submissions = {"solution": solved(release, source), "blank": release}
    submissions.update({v.name: solved(release, source, v) for v in table})
    results = course.autograde(name, submissions, feedback=False)
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
