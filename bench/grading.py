"""Grading a class side by side: wall time with one and two workers, and the
seconds per submission in grading mode (demonstration cells skipped) against
a full run, measured in one run on the same submissions of 01_knn. The
preflight (the reference solution graded once before a class) is timed on
its own, so the worker ratio compares the parallel part alone."""
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from grader import variants
from grader.autograde import autograde_class
from grader.course import Course
from grader.notebook import solved

NAME, STUDENTS = "01_knn", 6


def _class(folder):
    (folder / "empty").mkdir()
    course = Course(folder / "course")
    course.build([NAME])
    release, source = course.release(NAME), course.source(NAME)
    subs = [solved(release, source)] + [solved(release, source, v) for v in variants.load(NAME)[0]]
    for i, nb in enumerate(subs[:STUDENTS]):
        (folder / "subs" / f"student{i:02d}").mkdir(parents=True)
        nbformat.write(nb, folder / "subs" / f"student{i:02d}" / f"{NAME}.ipynb")
    return course, folder / "subs"


def _time(course, subs, out, **kw):
    start = time.perf_counter()
    graded = autograde_class(NAME, subs, out=out, course=course, progress=False, preflight=False, **kw)
    return time.perf_counter() - start, statistics.median(g.seconds for g in graded)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course, subs = _class(tmp)
        start = time.perf_counter()
        autograde_class(NAME, tmp / "empty", out=tmp / "pre", course=course, progress=False)
        preflight = time.perf_counter() - start
        one, per_sub = _time(course, subs, tmp / "w1", workers=1)
        two, _ = _time(course, subs, tmp / "w2", workers=2)
        _, per_sub_full = _time(course, subs, tmp / "full", workers=2, grading_mode=False)
    print(f"\n{STUDENTS} submissions of {NAME}, sandboxed:")
    print(f"  1 worker : {one:6.1f} s wall")
    print(f"  2 workers: {two:6.1f} s wall   -> {one / two:.2f}x faster (target >= 1.7x on 2 cores)")
    print(f"  median seconds per submission: grading mode {per_sub:.1f} s, full run {per_sub_full:.1f} s "
          f"({per_sub_full / per_sub:.1f}x)")
    print(f"  preflight (the reference solution, once per class run): {preflight:.1f} s")


if __name__ == "__main__":
    main()
