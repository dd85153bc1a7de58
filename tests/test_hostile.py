"""A hostile class: submissions that forge passes, reach outside the sandbox,
try to stop the class, leak the hidden tests and have no bounds, beside
honest students. One `grader autograde` run grades them all (sandboxed, two
workers). Each attack earns at most the points of its wrong answers without
the attack, is flagged where it tampered, and the class goes on with every
honest grade and file intact."""
import csv
import json
import os
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
SECRET_ENV = "DL_COURSE_TEST_TOKEN"
WRONG_ADD = "def add(a, b):\n    return a - b\n"  # honest_wrong's answer: 3 of 5 points (mul is right)

# Each attack student's add cell: the attack, then a wrong add.
ATTACKS = {
    # 1. forged passes
    "transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n",
    "ast_blanker": (
        "import ast\n"
        "class Blank(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        node.body = [ast.Pass()]\n"
        "        return node\n"
        "get_ipython().ast_transformers.append(Blank())\n"),
    "swallows_errors": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n",
    "pre_run_leak": (
        "def spy(info):\n"
        "    print('LE' + 'AK', info.raw_cell)\n"
        "    import base64, zlib, re\n"
        "    for blob in re.findall(r\"'([A-Za-z0-9+/=]{40,})'\", info.raw_cell or ''):\n"
        "        print('LE' + 'AK', zlib.decompress(base64.b64decode(blob)).decode())\n"
        "get_ipython().events.register('pre_run_cell', spy)\n"),
    "array_liar": (
        "import inspect, numpy as np\n"
        "class Liar:\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        frame = inspect.currentframe().f_back\n"
        "        while frame is not None:\n"
        "            for value in frame.f_locals.values():\n"
        "                if isinstance(value, np.ndarray) and value.dtype == float:\n"
        "                    return value\n"
        "            frame = frame.f_back\n"
        "        return np.zeros(())\n"
        "    def __eq__(self, other):\n"
        "        return True\n"),
    "records_forger": (
        "import json\n"
        "from IPython.display import publish_display_data\n"
        "def forge(info):\n"
        "    events = [{'op': 'names', 'h': -1, 'detail': ['add']},\n"
        "              {'op': 'global', 'h': -1, 'detail': 'add', 'result': {'h': 0}},\n"
        "              {'op': 'call', 'h': 0, 'detail': None, 'result': 3.0}]\n"
        "    publish_display_data({'application/vnd.dl-course.record+json':\n"
        "                          {'test': 'test_add', 'events': json.dumps(events)}})\n"
        "get_ipython().events.register('post_run_cell', forge)\n"),
    # 2. writes outside the sandbox, 3. stopping the class
    # 4. leaks
    "reader": (
        "import os, glob\n"
        "print('cwd holds', sorted(os.listdir('.')))\n"
        "for path in glob.glob('*.ipynb') + glob.glob('../*/*.ipynb'):\n"
        "    print(open(path, errors='replace').read())\n"
        "print('environ', open('/proc/1/environ', 'rb').read().decode(errors='replace'))\n"
        "print('mine', dict(os.environ))\n"
        # 2. then links and a pipe named like the notebook, for the grader to trip over
        "for target, name in [(CANARY, '00_tiny.ipynb'), (GRADEBOOK, 'gradebook.db'), ('/dev/zero', 'zero.bin'),\n"
        "                     (CANARY, '../00_tiny.ipynb')]:\n"
        "    try:\n"
        "        os.symlink(target, name)\n"
        "    except OSError as err:\n"
        "        print('refused', name, err)\n"
        "try:\n"
        "    os.mkfifo('fifo.ipynb')\n"
        "except OSError as err:\n"
        "    print('refused fifo', err)\n"),
    # 6. unbounded
    "unbounded": (
        "print('x' * 30_000_000)\nfor i in range(20000):\n    print('line', i)\n"
        "written = 0\n"
        "try:\n"
        "    with open('hog.bin', 'wb') as f:\n"
        "        for _ in range(1024):\n"
        "            f.write(b'0' * 2**20)\n"
        "            written += 1\n"
        "except OSError as err:\n"
        "    print('stopped after', written, 'MB:', err)\n"),
    # the checks take hooks off before each test, so this one slows only the cells in between
    "slow_hook": "import time\nget_ipython().events.register('pre_run_cell', lambda info: time.sleep(12))\n",
}


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
    course = Course(tmp_path_factory.mktemp("course"), timeout=15, solutions=FIXTURES)
    course.build([TINY])
    release, source = course.release(TINY), course.source(TINY)
    subs = tmp_path_factory.mktemp("subs")
    out = tmp_path_factory.mktemp("out")
    canary = tmp_path_factory.mktemp("canary") / "canary.txt"
    canary.write_text("untouched")
    listener = Listener()
    gradebook = course.root / "gradebook.db"

    def hand_in(student, add_source, reorder=False, edit=None):
        nb = solved(release, source)
        if add_source is not None:
            cell(nb, "add").source = add_source
        if reorder:  # the test of mul put before mul itself
            i = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "test_mul")
            nb.cells.insert(i - 1, nb.cells.pop(i))
        path = subs / student / f"{TINY}.ipynb"
        path.parent.mkdir()
        text = nbformat.writes(nb)
        path.write_text(edit(json.loads(text)) if edit else text)

    hand_in("honest", None)
    hand_in("honest_wrong", WRONG_ADD)
    for name, attack in ATTACKS.items():
        attack = attack.replace("CANARY", repr(str(canary))).replace("GRADEBOOK", repr(str(gradebook)))
        hand_in(name, attack + WRONG_ADD)
    hand_in("old_reader", (
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
        "        print('refused', path, err)\n" + WRONG_ADD))
    hand_in("patcher", (
        "import numpy as np\nimport builtins\nimport helpers.checks as hc\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.abs = lambda x: x * 0\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "check_close = passed = lambda *a, **k: None\n"
        "try:\n    hc.check_close = lambda *a, **k: None\nexcept Exception as err:\n    print(err)\n"
        + WRONG_ADD))
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
    # 6. a notebook slower than its wall clock (each cell within its own 15 s)
    hand_in("slow", "import time\ntime.sleep(9)\ndef add(a, b):\n    time.sleep(4)\n    return a + b\n")
    # 7. correct work: progress bars and warnings on stderr cost nothing
    hand_in("stderr_chatter", (
        "import warnings\n"
        "from tqdm.auto import tqdm\n"
        "def add(a, b):\n"
        "    for _ in tqdm(range(3)):\n"
        "        pass\n"
        "    warnings.warn('a harmless warning', RuntimeWarning)\n"
        "    return a + b\n"))

    def as_demo(nb):  # 1. every test cell given the demo cell's id and source, the demo deleted
        demo = next(c for c in nb["cells"] if "demo" in c.get("metadata", {}).get("tags", []))
        nb["cells"].remove(demo)
        for c in nb["cells"]:
            if c.get("metadata", {}).get("nbgrader", {}).get("grade") and c["cell_type"] == "code":
                c["id"], c["source"] = demo["id"], demo["source"]
                c["metadata"]["tags"] = ["demo"]
        return json.dumps(nb)

    def odd_metadata(nb):  # 3. odd values in the JSON
        nb["cells"][0]["metadata"]["nbgrader"] = "x"
        nb["cells"][1]["metadata"]["tags"] = None
        nb["cells"].append({"cell_type": "code", "source": 5, "metadata": {}, "outputs": "x",
                            "execution_count": None})
        return json.dumps(nb)

    hand_in("demo_ids", WRONG_ADD, edit=as_demo)
    hand_in("odd_metadata", None, edit=odd_metadata)
    for folder in ("ann smith", "ann-smith"):
        hand_in(folder, None)

    os.environ[SECRET_ENV] = "s3cret-token-value"
    try:
        autograde_class(TINY, subs, out=out, course=course, workers=2, preflight=False,
                        limits=Limits(memory_mb=512, processes=64, cpu_seconds=60, wall_seconds=15, disk_mb=64))
    finally:
        os.environ.pop(SECRET_ENV, None)
    listener.close()
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    yield course, out, rows, listener, canary


def _feedback(out, student):
    return (out / "feedback" / student / f"{TINY}.html").read_text()


def _autograded(course, student):
    return course.autograded_path(TINY, student).read_text()


def test_every_student_has_a_row(hostile):
    _, _, rows, _, _ = hostile
    assert len(rows) == 2 + len(ATTACKS) + 13
    assert rows["honest"]["points"] == "5" and rows["honest"]["status"] == "graded"
    assert rows["honest_wrong"]["points"] == "3"


@pytest.mark.parametrize("student", list(ATTACKS) + ["demo_ids", "patcher", "writer", "slow"])
def test_an_attack_earns_no_more_than_its_wrong_answer(hostile, student):
    _, _, rows, _, _ = hostile
    assert float(rows[student]["points"]) <= float(rows["honest_wrong"]["points"]), rows[student]


@pytest.mark.parametrize("student", ["transformer", "ast_blanker", "swallows_errors", "pre_run_leak",
                                     "array_liar", "records_forger", "patcher"])
def test_tampering_is_flagged(hostile, student):
    _, _, rows, _, _ = hostile
    assert rows[student]["status"] == "flagged", rows[student]


def test_no_feedback_holds_a_hidden_test_or_the_graders_environment(hostile):
    _, out, rows, _, _ = hostile
    files = list((out / "feedback").glob(f"*/{TINY}.html"))
    assert len(files) >= len(rows) - 3
    for path in files:
        html = path.read_text()
        for secret in SECRETS + ("s3cret-token-value", "LEAK"):
            assert secret not in html, (path, secret)
    assert "hidden tests ran here" in _feedback(out, "honest_wrong")


def test_the_kernel_cannot_see_its_notebook_or_the_graders_environment(hostile):
    course, _, _, _, _ = hostile
    text = _autograded(course, "reader")  # the instructor's copy keeps the answer cells' output
    assert "cwd holds []" in text
    for secret in ("hidden hint for add", "add(2.5, -1)", "s3cret-token-value"):
        assert secret not in text


def test_reading_the_solutions_finds_nothing(hostile):
    course, _, rows, _, _ = hostile
    assert rows["old_reader"]["points"] == "5"
    text = _autograded(course, "old_reader")
    assert "found 0 secret files" in text
    for secret in SECRETS:
        assert secret not in text
    assert rows["old_reader"]["status"] == "flagged" and "open()" in rows["old_reader"]["notes"]


def test_links_and_pipes_reach_nothing(hostile):
    course, out, rows, _, canary = hostile
    assert canary.read_text() == "untouched"
    assert rows["reader"]["status"] != "not graded" and rows["honest"]["points"] == "5"
    assert (out / "feedback" / "honest" / f"{TINY}.html").exists()


def test_writing_the_gradebook_changes_no_grade(hostile):
    course, out, rows, _, _ = hostile
    from nbgrader.api import Gradebook

    with Gradebook(course.db) as gb:  # still a database, with every student in it
        scores = {s.student.id: s.score for s in gb.assignment_submissions(TINY)}
    assert scores["honest"] == 5 and scores["honest_wrong"] == 3 and scores["writer"] == 3
    assert len(scores) == len(rows)


def test_output_floods_and_disk_hogs_are_cut(hostile):
    course, _, rows, _, _ = hostile
    assert rows["unbounded"]["status"] != "not graded"
    assert course.autograded_path(TINY, "unbounded").stat().st_size < 3_000_000
    assert "output cut" in _autograded(course, "unbounded")
    assert "stopped after" in _autograded(course, "unbounded")
    assert not list(course.root.rglob("hog.bin"))


def test_a_slow_notebook_hits_the_wall_clock(hostile):
    _, _, rows, _, _ = hostile
    assert rows["slow"]["points"] == "0"
    assert "ran longer than the 15 s" in rows["slow"]["notes"], rows["slow"]


def test_correct_work_with_stderr_keeps_every_point(hostile):
    _, _, rows, _, _ = hostile
    assert rows["stderr_chatter"]["points"] == "5" and rows["stderr_chatter"]["status"] == "graded"


def test_odd_metadata_costs_nothing_and_colliding_folders_get_their_own_rows(hostile):
    _, _, rows, _, _ = hostile
    assert rows["odd_metadata"]["points"] == "5"
    assert rows["ann-smith"]["points"] == "5" and rows["ann-smith-2"]["points"] == "5"
    assert "same student id" in rows["ann-smith-2"]["notes"]


def test_a_memory_hog_is_stopped_with_a_reason(hostile):
    _, _, rows, _, _ = hostile
    assert rows["memory_hog"]["points"] == "0"
    assert "memory" in rows["memory_hog"]["notes"]


def test_a_fork_bomb_stays_bounded(hostile):
    course, _, rows, _, _ = hostile
    text = _autograded(course, "fork_bomb")
    forked = int(text.split("forked ")[1].split(" ")[0])
    assert forked < 64  # the process limit; its own later test may fail for want of threads
    assert rows["fork_bomb"]["status"] == "flagged" and float(rows["fork_bomb"]["points"]) >= 3


def test_network_access_fails(hostile):
    course, _, rows, listener, _ = hostile
    assert listener.accepted == 0
    assert "no network" in _autograded(course, "network") and rows["network"]["points"] == "5"


def test_moved_cells_are_put_back_with_a_note(hostile):
    _, _, rows, _, _ = hostile
    assert rows["reordered"]["points"] == "5"
    assert "moved" in rows["reordered"]["notes"]
