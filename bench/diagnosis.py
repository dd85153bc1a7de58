"""How many mistakes nobody listed get a diagnosis (issue 18's honest measure).

The held-out mistakes (tests/fixtures/heldout/variants/) were written without
reading the listed ones, and the diagnosis was never tuned on them. Each is
graded from the shared prefix with the committed tables; this prints, per
mistake, what it meant and what the diagnosis said, and the share diagnosed.
Whether a diagnosis *matches* the held-out mistake's meaning is judged by
reading the two side by side (the README gives the count).

    python bench/diagnosis.py [NOTEBOOK ...]
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import variants  # noqa: E402
from grader.check import fast_grades, lost_cells  # noqa: E402
from grader.course import Course  # noqa: E402
from grader.notebook import solved  # noqa: E402
from grader.paths import notebook_names  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"


def measure(names):
    course = Course(tempfile.mkdtemp(prefix="heldout-"))
    course.build(names)
    rows = []
    for name in names:
        table = variants.load(name, HELDOUT)[0]
        release, source = course.release(name), course.source(name)
        subs = {"solution": solved(release, source), **{v.name: solved(release, source, v) for v in table}}
        graded = {g.student: g for g in fast_grades(name, course, subs)}
        for v in table:
            g = graded[v.name]
            said = sorted({g.cells[c].diagnosis for c in lost_cells(g) if g.cells[c].diagnosis})
            rows.append((name, v.name, v.why, said))
    return rows


def main(argv):
    rows = measure(argv or notebook_names())
    for name, mistake, why, said in rows:
        print(f"{name} {mistake}\n    meant: {why}\n    said:  {' | '.join(said) or '(no diagnosis)'}")
    diagnosed = sum(bool(said) for *_, said in rows)
    print(f"\n{diagnosed} of {len(rows)} held-out mistakes get a diagnosis")


if __name__ == "__main__":
    main(sys.argv[1:])
