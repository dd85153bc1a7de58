"""The fingerprints of every notebook's typical mistakes (issue 18).

``grader diagnose`` grades every listed mistake (``solutions/variants/``) from
the shared prefix, keeps the fingerprint of each failure with the mistake's
``why`` and answer cell, and writes two tables:

- ``solutions/diagnoses/NAME.json``, the grader's: visible and hidden tests;
  it names the failures of graded notebooks and their feedback;
- ``helpers/checks/diagnoses.json``, the release's: the visible tests'
  fingerprints of every notebook, which a student's kernel matches when a
  visible check fails (no mistake names, no hidden test).

A fingerprint that the blank release also produces (an unanswered exercise)
diagnoses nothing. The test suite grades the same variants and checks that
both committed tables are what they give.
"""
from __future__ import annotations

import json
from pathlib import Path

from helpers.checks import diagnosis

from .paths import SOLUTIONS


def path(name, solutions=SOLUTIONS) -> Path:
    return Path(solutions) / "diagnoses" / f"{name}.json"


def load(name, solutions=SOLUTIONS) -> dict:
    """The grader's table of notebook ``name`` ({} when it has none)."""
    try:
        return json.loads(path(name, solutions).read_text())
    except FileNotFoundError:
        return {}


def derive(name, verdicts: dict, mistakes: dict) -> dict:
    """The grader's table from ``verdicts`` ({student: {test cell: Verdict}})
    of graded submissions, ``mistakes`` ({student: Variant}) saying which of
    them are listed mistakes; any other submission's failures (the blank
    release's) diagnose nothing, nor does the fingerprint of a value a check
    expected (a wrong output within rounding of the right one)."""
    entries, index, keys, visible, banned = [], {}, {}, set(), set()
    order = {student: i for i, student in enumerate(mistakes)}
    for student in sorted(verdicts, key=lambda s: (order.get(s, -1), s)):  # the table's order
        cells, mistake = verdicts[student], mistakes.get(student)
        for gid, verdict in cells.items():
            if verdict.passed or not verdict.fingerprint:
                continue
            banned.add(verdict.expected)  # a table must never confirm a right answer
            if mistake is None or not mistake.loses:
                banned.add(verdict.fingerprint)
                continue
            entry = (mistake.why or mistake.name.replace("_", " "), f"`{mistake.cell}`")
            if entry not in index:
                index[entry] = len(entries)
                entries.append({"why": entry[0], "where": entry[1], "names": [], "tests": []})
            i = index[entry]
            for field, value in (("names", student), ("tests", gid)):
                if value not in entries[i][field]:
                    entries[i][field].append(value)
            keys.setdefault(verdict.fingerprint, set()).add(i)
            if verdict.visible:
                visible.add(verdict.fingerprint)
    keys = {k: sorted(v) for k, v in sorted(keys.items()) if k not in banned}
    return {"notebook": name, "mistakes": entries, "keys": keys, "visible": sorted(visible & set(keys))}


def release_table(tables) -> dict:
    """The visible tests' fingerprints of all ``tables``, as one table with
    the mistakes' words only."""
    mistakes, keys = [], {}
    for table in tables:
        used = {}
        for key in table.get("visible", []):
            for i in table["keys"][key]:
                if i not in used:
                    used[i] = len(mistakes)
                    mistakes.append({k: table["mistakes"][i][k] for k in ("why", "where")})
                keys.setdefault(key, []).append(used[i])
    return {"mistakes": mistakes, "keys": dict(sorted(keys.items()))}


def write(names, workers=2, solutions=SOLUTIONS):
    """Grade every listed mistake of ``names`` and write both tables."""
    import tempfile

    from .check import fast_grades, submissions_of
    from .course import Course
    from .paths import notebook_names

    course = Course(tempfile.mkdtemp(prefix="diagnose-"), solutions=solutions)
    course.build(names)
    for name in names:
        submissions, by_name = submissions_of(name, course)
        details = {}
        fast_grades(name, course, submissions, workers, details)
        table = derive(name, details, by_name)
        target = path(name, solutions)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(table, indent=1) + "\n")
        print(f"{name}: {len(table['keys'])} fingerprints of {len(table['mistakes'])} mistakes "
              f"({len(table['visible'])} in visible tests) -> {target}")
    release = release_table(load(n, solutions) for n in notebook_names())
    diagnosis.RELEASE_TABLE.write_text(json.dumps(release, indent=1) + "\n")
    print(f"release: {len(release['keys'])} fingerprints -> {diagnosis.RELEASE_TABLE}")
