"""A hostile class: submissions that read the solutions, write the gradebook,
switch the checks off, eat memory, fork without end and open connections.
Each ends as a grade row with a reason, and the class goes on."""
import csv
import socket
import threading

import nbformat
import pytest

from grader.autograde import autograde_class
from grader.course import Course
from grader.notebook import grade_id, solved
from grader.paths import ROOT
from grader.sandbox import Limits, bubblewrap_problem

from conftest import FIXTURES, TINY, cell

pytestmark = [pytest.mark.nbgrader,
              pytest.mark.sandbox,
              pytest.mark.skipif(bubblewrap_problem() is not None, reason=str(bubblewrap_problem()))]

# Text that only the source notebook and solutions/ hold (the written answer's
# rubric is in every solved submission, so it is no secret here).
SECRETS = ("hidden hint for add", "add(2.5, -1)", "BEGIN HIDDEN TESTS", "solution: true")


class Listener:
    """A TCP server on the loopback that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port, self.accepted, self.stop = self.sock.getsockname()[1], 0, False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"), timeout=20, solutions=FIXTURES)
    course.build([TINY])
    release, source = course.release(TINY), course.source(TINY)
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("out")
    listener = Listener()
    gradebook = course.root / "gradebook.db"

    def hand_in(student, add_source, reorder=False):
        nb = solved(release, source)
        if add_source is not None:
            cell(nb, "add").source = add_source
        if reorder:  # the test of mul put before mul itself
            i = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "test_mul")
            nb.cells.insert(i - 1, nb.cells.pop(i))
        path = subs / student / f"{TINY}.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)

    hand_in("honest", None)
    hand_in("honest_wrong", "def add(a, b):\n    return a - b\n")
    hand_in("reader", (
        "import glob\n"
        f"for pattern in ['{ROOT}/solutions/*', '{course.root}/source/*/*', '{gradebook}',\n"
        f"                '{course.root}/submitted/*/*/*', '{FIXTURES}/*.py']:\n"
        "    for path in glob.glob(pattern):\n"
        "        print(path, open(path, errors='replace').read())\n"
        f"print('found', len(glob.glob('{ROOT}/solutions/*') + glob.glob('{course.root}/*')), 'secret files')\n"
        "def add(a, b):\n    return a + b\n"))
    hand_in("writer", (
        f"for path in ['{gradebook}', '{out}/grades.csv', '../../../gradebook.db', '../../../../gradebook.db']:\n"
        "    try:\n"
        "        open(path, 'w').write('garbage')\n"
        "        print('wrote', path)\n"
        "    except OSError as err:\n"
        "        print('refused', path, err)\n"
        "def add(a, b):\n    return a - b\n"))
    hand_in("patcher", (
        "import numpy as np\nimport builtins\nimport helpers.checks as hc\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.abs = lambda x: x * 0\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "check_close = passed = lambda *a, **k: None\n"
        "try:\n    hc.check_close = lambda *a, **k: None\nexcept Exception as err:\n    print(err)\n"
        "def add(a, b):\n    return a - b\n"))
    hand_in("memory_hog", "blocks = [bytearray(64 * 2**20) for _ in range(64)]\n"
                          "def add(a, b):\n    return a + b\n")
    hand_in("fork_bomb", (
        "import os, time\nn = 0\n"
        "try:\n"
        "    while n < 5000:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        n += 1\n"
        "except OSError:\n    pass\n"
        "print('forked', n, 'processes')\n"
        "def add(a, b):\n    return a + b\n"))
    hand_in("network", (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {listener.port}), timeout=3)\n"
        "    print('connected')\n"
        "except OSError as err:\n    print('no network:', err)\n"
        "def add(a, b):\n    return a + b\n"))
    hand_in("reordered", None, reorder=True)

    autograde_class(TINY, subs, out=out, course=course, workers=2,
                    limits=Limits(memory_mb=512, processes=64, cpu_seconds=60))
    listener.close()
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    yield course, out, rows, listener


def test_every_student_has_a_row(hostile):
    _, _, rows, _ = hostile
    assert set(rows) == {"honest", "honest_wrong", "reader", "writer", "patcher", "memory_hog",
                         "fork_bomb", "network", "reordered"}
    assert rows["honest"]["points"] == "5" and rows["honest"]["status"] == "graded"
    assert rows["honest_wrong"]["points"] == "3"


def test_reading_the_solutions_finds_nothing(hostile):
    course, out, rows, _ = hostile
    assert rows["reader"]["points"] == "5"
    html = (out / "feedback" / "reader" / f"{TINY}.html").read_text()
    assert "found 0 secret files" in html
    for secret in SECRETS:
        assert secret not in html
    assert rows["reader"]["status"] == "flagged" and "open()" in rows["reader"]["notes"]


def test_no_feedback_holds_hidden_test_source(hostile):
    _, out, rows, _ = hostile
    files = list((out / "feedback").glob(f"*/{TINY}.html"))
    assert len(files) >= 7
    for path in files:
        html = path.read_text()
        assert "hidden hint for add" not in html and "add(2.5, -1)" not in html
    wrong = (out / "feedback" / "honest_wrong" / f"{TINY}.html").read_text()
    assert "hidden tests ran here" in wrong


def test_writing_the_gradebook_changes_no_grade(hostile):
    course, out, rows, _ = hostile
    from nbgrader.api import Gradebook

    with Gradebook(course.db) as gb:  # still a database, with every student in it
        scores = {s.student.id: s.score for s in gb.assignment_submissions(TINY)}
    assert scores["honest"] == 5 and scores["honest_wrong"] == 3 and scores["writer"] == 3
    assert len(scores) == len(rows)
    assert rows["writer"]["points"] == "3"  # its own wrong answer, nothing more


def test_patching_the_checks_earns_nothing_and_is_flagged(hostile):
    _, _, rows, _ = hostile
    assert float(rows["patcher"]["points"]) <= float(rows["honest_wrong"]["points"])
    assert rows["patcher"]["status"] == "flagged"
    assert "np.allclose" in rows["patcher"]["notes"] and "check_close" in rows["patcher"]["notes"]


def test_a_memory_hog_is_stopped_with_a_reason(hostile):
    _, _, rows, _ = hostile
    assert rows["memory_hog"]["points"] == "0"
    assert "memory" in rows["memory_hog"]["notes"]


def test_a_fork_bomb_stays_bounded(hostile):
    _, out, rows, _ = hostile
    html = (out / "feedback" / "fork_bomb" / f"{TINY}.html").read_text()
    forked = int(html.split("forked ")[1].split(" ")[0])
    assert forked < 64  # the process limit; its own later test may fail for want of threads
    assert rows["fork_bomb"]["status"] == "flagged" and float(rows["fork_bomb"]["points"]) >= 3


def test_network_access_fails(hostile):
    _, out, rows, listener = hostile
    assert listener.accepted == 0
    html = (out / "feedback" / "network" / f"{TINY}.html").read_text()
    assert "no network" in html and rows["network"]["points"] == "5"


def test_moved_cells_are_put_back_with_a_note(hostile):
    _, _, rows, _ = hostile
    assert rows["reordered"]["points"] == "5"
    assert "moved" in rows["reordered"]["notes"]
