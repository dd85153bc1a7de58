"""`make demo`: the whole instructor pipeline on the embedded data.

Builds the release, runs every solution notebook headless, then autogrades
three example students per notebook (the full solution, the blank release, and
a partly correct one that makes the notebook's DEMO_MISTAKE) with nbgrader.
"""
from __future__ import annotations

import sys

from . import report, variants
from .check import problems
from .course import Course
from .execute import execute
from .notebook import solved
from .paths import BUILD, notebook_names
from .release import build


def demo(names=None):
    names = names or notebook_names()
    out = BUILD / "demo"
    print(f"Building the student release of {len(names)} notebooks into notebooks/ ...")
    course = build(names=names)

    print("Running every solution notebook headless ...")
    failures, width = [], max(len(n) for n in names)
    for name in names:
        seconds, errors = execute(course.source(name), BUILD / "executed" / f"{name}.ipynb")
        print(f"  {name:<{width}} {seconds:6.1f} s  {'ok' if not errors else 'ERRORS: ' + '; '.join(errors)}")
        failures += [f"{name}: {e}" for e in errors]

    print("Autograding three students per notebook with nbgrader ...")
    results, expected = [], {}
    for name in names:
        release, source = course.release(name), course.source(name)
        table, demo_name = variants.load(name)
        mistake = next(v for v in table if v.name == demo_name)
        subs = {"solution": solved(release, source), "blank": release,
                "partly": solved(release, source, mistake)}
        for g in course.autograde(name, subs):
            results.append(g)
            expected[id(g)] = mistake if g.student == "partly" else None

    print()
    report.print_table(results, extra=lambda g: expected[id(g)] and f"mistake: {expected[id(g)].name}")
    report.print_mistakes(results)
    report.write_csv(results, out / "grades.csv")
    report.copy_feedback(course, results, out / "feedback")
    print(f"\nGrades: {out / 'grades.csv'} (per test cell: {out / 'cells.csv'})")
    print(f"Feedback: {out / 'feedback'}/<student>/<notebook>.html")
    print(f"Executed solutions: {BUILD / 'executed'}")
    print("'by hand' = points of written answers, graded by the instructor in formgrader.")
    failures += [f"{g.notebook}/{g.student}: {p}" for g in results for p in problems(g, expected[id(g)])]
    if failures:
        print("\nPROBLEMS:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(demo())
