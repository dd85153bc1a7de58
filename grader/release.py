"""Build the student release into notebooks/ and check it holds no answers."""
from __future__ import annotations

import re
import shutil

from .course import Course
from .paths import NOTEBOOKS, notebook_names

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN MARK SCHEME")


def build(course=None, names=None, target=NOTEBOOKS):
    course = course or Course()
    names = names or notebook_names()
    course.build(names)
    target.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(course.release_path(name), target / f"{name}.ipynb")
    return course


_SECRET = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS)(.*?)END \1", re.S)


def leaks(release, source) -> list[str]:
    """Markers, solution lines or hidden-test lines found in a release
    notebook (lines also shown to students elsewhere do not count)."""
    release_text = "\n".join(c.source for c in release.cells)
    found = [f"marker {m}" for m in MARKERS if m in release_text]
    text = "\n".join(c.source for c in source.cells)
    public = _SECRET.sub("", text)
    for kind, block in _SECRET.findall(text):
        for line in block.splitlines():
            line = line.strip().lstrip("#").strip()
            if len(line) > 20 and line in release_text and line not in public:
                found.append(f"{kind.lower()} line: {line}")
    return found
