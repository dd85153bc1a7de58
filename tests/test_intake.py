"""Intake of hostile submissions, without running a kernel: any JSON a
student can write becomes a valid notebook or a reason, links, pipes and
devices are never read, an unsafe zip is refused, two students never share
a row, and nothing a student writes picks the kernel or skips a test."""
import copy
import json
import os
import signal
import stat
import zipfile
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from grader import intake
from grader.course import Course
from grader.intake import SKIP_TAG, normalize, read_bytes, repair, student_files, take, unpack
from grader.notebook import grade_id, nbgrader_meta, solved

from conftest import FIXTURES, TINY, cell

TESTS = ("test_add", "test_mul")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(release, a solved submission as parsed JSON) of the tiny notebook."""
    course = Course(tmp_path_factory.mktemp("course"), solutions=FIXTURES)
    course.build([TINY])
    release = course.release(TINY)
    return release, json.loads(nbformat.writes(solved(release, course.source(TINY))))


@contextmanager
def deadline(seconds=10):
    """Fail instead of hanging when a read blocks (a pipe with no writer)."""
    def expire(signum, frame):
        raise TimeoutError(f"blocked for {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _hand_in(folder, student, raw, name=f"{TINY}.ipynb"):
    path = folder / student / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw))
    return path


def _grade_all(folder, release, grading_mode=True):
    with deadline():
        return {s: take(s, files, TINY, release, grading_mode) for s, files in student_files(folder).items()}


def _graded_cell(raw, gid):
    return next(c for c in raw["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)


def _demo_cell(raw):
    return next(c for c in raw["cells"] if "demo" in c["metadata"].get("tags", []))


def _source(raw_cell):
    """A cell's source as text (nbformat writes it as a list of lines)."""
    return "".join(raw_cell["source"])


def _check_gradable(nb, release):
    """What grading relies on: valid, every graded cell of the release once
    and in order with the release's grading metadata, the release's metadata."""
    nbformat.validate(nb)
    gids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert gids == [grade_id(c) for c in release.cells if grade_id(c)]
    for c in nb.cells:
        gid = grade_id(c)
        if gid:
            assert c.id == gid and nbgrader_meta(c) == nbgrader_meta(cell(release, gid))
    assert nb.metadata == release.metadata
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))


# -- any JSON a student can write -----------------------------------------------

def _set(gid, key, value):
    def edit(raw):
        _graded_cell(raw, gid)[key] = value
    return edit


def _set_meta(gid, key, value):
    def edit(raw):
        _graded_cell(raw, gid)["metadata"][key] = value
    return edit


def _demo(key, value):
    def edit(raw):
        _demo_cell(raw)[key] = value
    return edit


def _demo_meta(key, value):
    def edit(raw):
        _demo_cell(raw)["metadata"][key] = value
    return edit


def _top(key, value):
    def edit(raw):
        raw[key] = value
    return edit


def _no_ids(raw):
    for c in raw["cells"]:
        c.pop("id", None)


def _same_ids(raw):
    for c in raw["cells"]:
        c["id"] = "same"


def _append(value):
    def edit(raw):
        raw["cells"].append(value)
    return edit


def _v3(raw):
    """The same cells as an nbformat 3 notebook would hold them."""
    cells = []
    for c in raw["cells"]:
        c = dict(c)
        c.pop("id", None)
        if c["cell_type"] == "code":
            c["input"] = c.pop("source")
            c.pop("execution_count")
        cells.append(c)
    raw.clear()
    raw.update({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [{"cells": cells}]})


MALFORMED = {  # edit of a solved notebook, note expected (or None)
    "nbgrader_not_a_dict": (_set_meta("test_add", "nbgrader", "x"), "test_add was missing"),
    "grade_id_not_text": (_set_meta("test_mul", "nbgrader", {"grade_id": ["test_mul"], "grade": True}),
                          "grading metadata"),
    "tags_null": (_demo_meta("tags", None), "tags"),
    "tags_a_string": (_demo_meta("tags", "demo"), "tags"),
    "tags_with_commas_and_copies": (_demo_meta("tags", ["a,b", "demo", "demo", 3]), "tags"),
    "source_a_number": (_set("add", "source", 5), "not text"),
    "source_mixed_list": (_set("mul", "source", ["def mul(a, b):\n", 3]), "not text"),
    "source_a_list_of_lines": (_set("add", "source", ["def add(a, b):\n", "    return a + b\n"]), None),
    "outputs_a_string": (_set("add", "outputs", "x"), None),
    "execution_count_a_string": (_set("add", "execution_count", "seven"), None),
    "cell_type_weird": (_set("test_add", "cell_type", "weird"), "unknown type (weird)"),
    "cell_type_missing": (_demo("cell_type", None), "unknown type"),
    "locked_cell_made_markdown": (_set("test_add", "cell_type", "markdown"), "test_add was edited"),
    "answer_made_raw": (_set("add", "cell_type", "raw"), "graded as a code cell"),
    "ids_missing": (_no_ids, None),
    "ids_duplicate": (_same_ids, "duplicate ids"),
    "id_invalid": (_demo("id", "no spaces allowed / here" * 10), None),
    "metadata_a_list": (_set("test_mul", "metadata", []), "test_mul was missing"),
    "metadata_of_a_demo_a_list": (_demo("metadata", []), "metadata"),
    "unknown_cell_keys": (_demo("whatever", {"x": 1}), None),
    "attachments_broken": (_set("q_why", "attachments", {"a.png": "not a bundle"}), "attachments"),
    "a_number_in_the_cells": (_append(5), "not cells"),
    "a_list_in_the_cells": (_append(["x"]), "not cells"),
    "notebook_metadata_a_list": (_top("metadata", []), None),
    "notebook_metadata_a_string": (_top("metadata", "x"), None),
    "notebook_metadata_missing": (lambda raw: raw.pop("metadata"), None),
    "kernelspec_not_a_dict": (_top("metadata", {"kernelspec": 5, "language_info": []}), None),
    "nbformat_5": (_top("nbformat", 5), None),
    "nbformat_minor_missing": (lambda raw: raw.pop("nbformat_minor"), None),
    "nbformat_3": (_v3, None),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_json_is_graded_with_a_note(tiny, tmp_path, case):
    release, good = tiny
    edit, note = MALFORMED[case]
    raw = copy.deepcopy(good)
    edit(raw)
    _hand_in(tmp_path, "student", raw)
    got = _grade_all(tmp_path, release)["student"]
    assert got.error is None, got.error
    _check_gradable(got.notebook, release)
    if note:
        assert any(note in n for n in got.notes), got.notes


def test_a_class_of_malformed_hand_ins_is_graded_in_full(tiny, tmp_path):
    """Every case side by side, with the ones that cannot be graded: each
    student has a notebook or a reason, and nothing stops the class."""
    release, good = tiny
    for case, (edit, _) in MALFORMED.items():
        raw = copy.deepcopy(good)
        edit(raw)
        _hand_in(tmp_path, case, raw)
    hopeless = {"not_json": "{\"cells\": [", "a_list": "[1, 2]", "a_string": "\"notebook\"",
                "no_cells": "{\"metadata\": {}}", "cells_not_a_list": "{\"cells\": {\"a\": 1}}",
                "deeply_nested": "[" * 100_000 + "]" * 100_000, "binary": "\x00\x01\x02",
                "empty": "", "huge_number": "{\"cells\": [], \"x\": " + "9" * 10_000 + "}"}
    for student, text in hopeless.items():
        _hand_in(tmp_path, student, text)
    got = _grade_all(tmp_path, release)
    assert set(got) == set(MALFORMED) | set(hopeless)
    for student, result in got.items():
        if student in hopeless:
            assert result.notebook is None and "ask for a new copy" in result.error, student
        else:
            assert result.error is None, (student, result.error)
            _check_gradable(result.notebook, release)
    assert "corrupt or truncated JSON" in got["not_json"].error
    assert "no list of cells" in got["no_cells"].error


def test_structures_nested_a_thousand_deep_stop_nothing(tiny, tmp_path):
    release, good = tiny
    deep = json.loads("[" * 900 + "]" * 900)
    for n, (gid, key, value) in enumerate([("add", "metadata", {"nbgrader": {"grade_id": "add", "x": deep}}),
                                           ("test_add", "cell_type", deep), ("add", "source", deep),
                                           ("mul", "outputs", deep), ("q_why", "attachments", {"a": deep}),
                                           ("mul", "metadata", {"tags": deep})]):
        raw = copy.deepcopy(good)
        _graded_cell(raw, gid)[key] = value
        _hand_in(tmp_path, f"s{n}", raw)
    got = _grade_all(tmp_path, release)
    assert len(got) == 6
    for result in got.values():
        assert result.error is None, result.error
        _check_gradable(result.notebook, release)


def test_an_empty_list_of_cells_is_the_blank_release(tiny):
    release, _ = tiny
    notes = []
    nb = repair({"cells": []}, release, notes)
    _check_gradable(nb, release)
    assert sum("was missing" in n for n in notes) == len([c for c in release.cells if grade_id(c)])


def test_one_note_per_kind_of_repair(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    for c in raw["cells"]:
        c["metadata"]["tags"] = None
    notes = []
    repair(raw, release, notes)
    assert len([n for n in notes if "tags" in n]) == 1


def test_normalize_leaves_its_input_alone_and_is_valid(tiny):
    _, good = tiny
    raw = copy.deepcopy(good)
    _set("add", "source", ["a", 3])(raw)
    before = copy.deepcopy(raw)
    fixed = normalize(raw, [])
    assert raw == before
    nbformat.validate(nbformat.from_dict(fixed))
    with pytest.raises(ValueError, match="no list of cells"):
        normalize({"cells": "x"}, [])


def test_a_million_cells_are_cut_to_the_limit_keeping_the_answers(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    raw["cells"][1:1] = [{"cell_type": "raw", "source": ""}] * 1_000_000
    notes = []
    nb = repair(raw, release, notes)
    _check_gradable(nb, release)
    assert len(nb.cells) < intake.MAX_CELLS + 10 and "return a + b" in cell(nb, "add").source
    assert not any("was missing" in n for n in notes) and any("beyond the first" in n for n in notes)


def test_edited_answers_are_kept_and_locked_cells_restored(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    _graded_cell(raw, "test_add")["source"] = "pass  # I made the test pass"
    _graded_cell(raw, "test_add")["metadata"]["nbgrader"]["points"] = 1000
    notes = []
    nb = repair(raw, release, notes)
    assert cell(nb, "test_add").source == cell(release, "test_add").source
    assert nbgrader_meta(cell(nb, "test_add"))["points"] == 2
    assert "return a + b" in cell(nb, "add").source
    assert any("test_add was edited" in n for n in notes)


def test_a_written_answer_keeps_its_pasted_image(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    image = {"image/png": "iVBORw0KGgo="}
    _graded_cell(raw, "q_why")["attachments"] = {"sketch.png": image}
    notes = []
    nb = repair(raw, release, notes)
    assert cell(nb, "q_why").attachments == {"sketch.png": image} and notes == []


def test_huge_outputs_are_dropped_with_a_note(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    _graded_cell(raw, "mul")["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * 6_000_000}]
    notes = []
    nb = repair(raw, release, notes)
    assert cell(nb, "mul").outputs == [] and any("stored output" in n for n in notes)


# -- the notebook's metadata and ids ----------------------------------------------

def test_the_kernel_is_the_release_one_whatever_the_student_chose(tiny, tmp_path):
    release, good = tiny
    raw = copy.deepcopy(good)
    raw["metadata"] = {"kernelspec": {"name": "evil", "display_name": "Mine", "language": "python",
                                      "argv": ["/bin/sh", "-c", "cat /etc/passwd"]},
                       "language_info": {"name": "bash"}, "nbgrader": {"anything": True}}
    _hand_in(tmp_path, "student", raw)
    nb = _grade_all(tmp_path, release)["student"].notebook
    assert nb.metadata == release.metadata and nb.metadata["kernelspec"]["name"] == "python3"


def test_graded_cells_have_their_grade_id_and_no_other_cell_a_release_id(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    release_ids = {c.id for c in release.cells}
    extra = [{"cell_type": "code", "id": i, "metadata": {}, "source": f"x = {n}", "outputs": [],
              "execution_count": None} for n, i in enumerate(sorted(release_ids) + ["cell-1", "cell-2"])]
    raw["cells"][2:2] = extra
    nb = repair(raw, release, [])
    _check_gradable(nb, release)
    for c in nb.cells:
        if not grade_id(c):
            assert c.id not in release_ids


def test_a_student_cannot_add_grading_metadata(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    raw["cells"].insert(3, {"cell_type": "code", "id": "mine", "source": "pass", "outputs": [],
                            "execution_count": None,
                            "metadata": {"nbgrader": {"grade": True, "grade_id": "bonus", "points": 100}}})
    raw["cells"].insert(3, {"cell_type": "code", "id": "mine2", "source": "pass", "outputs": [],
                            "execution_count": None, "metadata": {"nbgrader": {"grade": True, "points": 100}}})
    nb = repair(raw, release, [])
    _check_gradable(nb, release)
    assert [c for c in nb.cells if nbgrader_meta(c) and not grade_id(c)] == []


# -- which cells grading mode skips -----------------------------------------------

def _skipped(nb):
    return [c for c in nb.cells if SKIP_TAG in c.metadata.get("tags", [])]


def test_the_demo_cell_is_skipped_in_grading_mode_only(tiny):
    release, good = tiny
    skipped = _skipped(repair(copy.deepcopy(good), release, []))
    assert [c.source for c in skipped] == [_source(_demo_cell(good))]
    assert _skipped(repair(copy.deepcopy(good), release, [], grading_mode=False)) == []


def test_test_cells_dressed_as_demo_cells_still_run(tiny):
    """The attack: each test cell gets the demo cell's id and source, the
    demo cell is deleted, and the student's own skip tags are added."""
    release, good = tiny
    raw = copy.deepcopy(good)
    demo = _demo_cell(raw)
    raw["cells"].remove(demo)
    for gid in TESTS:
        test = _graded_cell(raw, gid)
        test["id"], test["source"] = demo["id"], demo["source"]
        test["metadata"]["tags"] = ["demo", SKIP_TAG]
    notes = []
    nb = repair(raw, release, notes)
    _check_gradable(nb, release)
    assert _skipped(nb) == []
    for gid in TESTS:
        assert cell(nb, gid).source == cell(release, gid).source


def test_test_cells_stripped_of_grading_metadata_are_put_back_and_run(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    demo = _demo_cell(raw)
    for gid in TESTS:
        test = _graded_cell(raw, gid)
        test["id"], test["source"], test["metadata"] = demo["id"], demo["source"], {"tags": ["demo"]}
    notes = []
    nb = repair(raw, release, notes)
    _check_gradable(nb, release)
    assert all(f"cell {gid} was missing" in " ".join(notes) for gid in TESTS)
    for gid in TESTS:
        assert cell(nb, gid).source == cell(release, gid).source
    assert _skipped(nb) == []  # the demo now follows mul, no longer in its place: it runs


def test_a_demo_copied_elsewhere_runs(tiny):
    release, good = tiny
    raw = copy.deepcopy(good)
    demo = copy.deepcopy(_demo_cell(raw))
    raw["cells"].insert(raw["cells"].index(_graded_cell(raw, "test_add")) + 1, demo)  # after test_add
    nb = repair(raw, release, [])
    assert len(_skipped(nb)) == 1
    after_test_add = nb.cells[[c.id for c in nb.cells].index("test_add") + 1]
    assert after_test_add.source == _source(demo) and SKIP_TAG not in after_test_add.metadata.get("tags", [])


# -- links, pipes, devices and sizes ---------------------------------------------------

def test_links_pipes_and_devices_are_never_read(tiny, tmp_path):
    release, good = tiny
    secret = tmp_path / "outside" / "secret.ipynb"  # a gradable notebook the grader must not reach
    secret.parent.mkdir()
    secret.write_text(json.dumps(good))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "pipe").mkdir()
    os.mkfifo(subs / "pipe" / f"{TINY}.ipynb")
    (subs / "zero").mkdir()
    (subs / "zero" / f"{TINY}.ipynb").symlink_to("/dev/zero")
    (subs / "outside_file").mkdir()
    (subs / "outside_file" / f"{TINY}.ipynb").symlink_to(secret)
    (subs / "outside_folder").symlink_to(secret.parent, target_is_directory=True)
    (subs / "linked_subfolder").mkdir()
    (subs / "linked_subfolder" / "work").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(subs / f"flatpipe_1_{TINY}.ipynb")
    (subs / f"flatlink_1_{TINY}.ipynb").symlink_to(secret)
    (subs / "pipe_and_file").mkdir()
    os.mkfifo(subs / "pipe_and_file" / f"{TINY}.ipynb")
    _hand_in(subs, "pipe_and_file", good, name="my copy.ipynb")

    got = _grade_all(subs, release)
    for student in ("pipe", "zero", "outside_file", "outside_folder", "flatpipe", "flatlink"):
        assert got[student].notebook is None, student
        assert "is not a regular file (a link, pipe or device)" in got[student].error, student
    assert got["linked_subfolder"].notebook is None and "no notebook handed in" in got["linked_subfolder"].error
    assert got["pipe_and_file"].error is None and "my copy.ipynb" in " ".join(got["pipe_and_file"].notes)
    assert student_files(subs)["linked_subfolder"] == []  # the linked folder was not entered


def test_read_bytes_refuses_devices_and_big_files(tmp_path):
    with deadline():
        with pytest.raises(ValueError, match="not a regular file"):
            read_bytes(Path("/dev/zero"))
        path = tmp_path / "big.ipynb"
        path.write_bytes(b"x" * 2000)
        with pytest.raises(ValueError, match="2,000 bytes, over the 1,000 bytes"):
            read_bytes(path, limit=1000)
        assert read_bytes(path, limit=2000) == b"x" * 2000


def test_a_notebook_over_the_size_limit_gets_a_reason(tiny, tmp_path, monkeypatch):
    release, good = tiny
    monkeypatch.setattr(intake, "MAX_NOTEBOOK_BYTES", 1000)
    _hand_in(tmp_path, "student", good)
    got = _grade_all(tmp_path, release)["student"]
    assert got.notebook is None and "over the 1,000 bytes a notebook may be" in got.error


# -- zips ------------------------------------------------------------------------------

def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize("name", ["../evil.ipynb", "alice/../../evil.ipynb", "/tmp/evil.ipynb",
                                  "..\\evil.ipynb", "C:/evil.ipynb"])
def test_a_zip_slip_is_refused(tiny, tmp_path, name):
    _, good = tiny
    archive = _zip(tmp_path / "class.zip",
                   [(f"bob_1_{TINY}.ipynb", json.dumps(good)), (name, "{}")])
    with pytest.raises(SystemExit, match="outside the folder"):
        unpack(archive)
    assert not (tmp_path.parent / "evil.ipynb").exists() and not Path("/tmp/evil.ipynb").exists()


def test_zip_links_are_left_out(tiny, tmp_path):
    release, good = tiny
    link = zipfile.ZipInfo(f"alice/{TINY}.ipynb")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    folder = unpack(_zip(tmp_path / "class.zip", [(link, "/etc/passwd"),
                                                  (f"bob/{TINY}.ipynb", json.dumps(good))]))
    assert not (folder / "alice" / f"{TINY}.ipynb").exists()
    got = _grade_all(folder, release)
    assert got["bob"].error is None and got["alice"].error.startswith("no notebook handed in")


def test_a_zip_bomb_is_refused(tiny, tmp_path, monkeypatch):
    _, good = tiny
    archive = _zip(tmp_path / "class.zip", [(f"s{i}/{TINY}.ipynb", json.dumps(good)) for i in range(5)])
    monkeypatch.setattr(intake, "MAX_ZIP_MEMBERS", 4)
    with pytest.raises(SystemExit, match="more than the 4"):
        unpack(archive)
    monkeypatch.setattr(intake, "MAX_ZIP_MEMBERS", 100)
    monkeypatch.setattr(intake, "MAX_ZIP_BYTES", 1000)
    with pytest.raises(SystemExit, match="zip bomb"):
        unpack(archive)


def test_a_damaged_zip_is_refused_with_a_reason(tmp_path):
    archive = _zip(tmp_path / "class.zip", [(f"bob/{TINY}.ipynb", "x" * 1000)])
    data = bytearray(archive.read_bytes())
    data[60:200] = b"\x00" * 140  # the member's data, past its header
    archive.write_bytes(bytes(data))
    with pytest.raises(SystemExit, match="could not be unpacked"):
        unpack(archive)


# -- student ids ------------------------------------------------------------------------

def test_students_whose_names_give_the_same_id_keep_their_own_rows(tiny, tmp_path):
    release, good = tiny
    for folder in ("ann smith", "ann-smith", "ann-smith-2", "bob"):
        _hand_in(tmp_path, folder, good)
    _hand_in(tmp_path, "", good, name=f"ann smith!_1_{TINY}.ipynb")
    found = student_files(tmp_path)
    assert set(found) == {"ann-smith", "ann-smith-2", "ann-smith-3", "ann-smith-4", "bob"}
    assert found["ann-smith"] == [tmp_path / "ann-smith" / f"{TINY}.ipynb"]
    assert found["ann-smith-2"] == [tmp_path / "ann-smith-2" / f"{TINY}.ipynb"]  # its own name, kept
    got = _grade_all(tmp_path, release)
    assert all(g.error is None for g in got.values())
    note = ("the hand-ins 'ann-smith' and 'ann smith' and 'ann smith!' have the same student id; "
            "graded as ann-smith and ann-smith-3 and ann-smith-4")
    for student in ("ann-smith", "ann-smith-3", "ann-smith-4"):
        assert note in got[student].notes
    assert got["bob"].notes == [] and got["ann-smith-2"].notes == []


@pytest.mark.parametrize("name, expected", [(" ..", "unnamed"), ("a/b", "a-b"), ("..x..", "x"),
                                            ("Émile Zola", "mile-Zola"), ("!!!", "unnamed")])
def test_student_ids_are_safe_file_names(name, expected):
    assert intake._safe_id(name) == expected
