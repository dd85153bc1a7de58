"""What a kernel can do to the grader: print without end, read the grader's
environment, look for the notebook, fill the disk, run forever.

The first tests run real notebooks with nbclient (no sandbox) under
grader.outputs.capped_outputs; the last starts a sandboxed kernel from
grader.sandbox.kernel_spec, as grader.job does."""
import json
import os
import time
from pathlib import Path

import pytest
from jupyter_client.session import Session
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook

from grader import outputs
from grader.outputs import CELL_CHARS, NOTE_PREFIX, NOTEBOOK_CHARS, RECORD_MIME, capped_outputs
from grader.sandbox import Limits, bubblewrap_problem, kernel_spec


def run(cells, timeout=60, **client):
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3", **client).execute()
    return nb


def chars(out):
    if out.output_type == "stream":
        return len(out.text)
    if out.output_type == "error":
        return len(out.ename) + len(out.evalue) + sum(map(len, out.traceback))
    return len(json.dumps(out.get("data", {})))


def notes(cell):
    return [o for o in cell.outputs if o.output_type == "stream" and o.text.startswith(NOTE_PREFIX)]


def kept(cell):
    """Characters of the cell's outputs, its note and records aside."""
    return sum(chars(o) for o in cell.outputs if o not in notes(cell) and RECORD_MIME not in o.get("data", {}))


def record(n, fill="r"):
    data = {RECORD_MIME: {"check": "test_add", "fill": fill * n}, "text/plain": "<record>"}
    return f"from IPython.display import display\ndisplay({data!r}, raw=True)\n"


def memory_mb():
    """(peak, now) resident MB of this process since the last reset_peak()."""
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(status["VmHWM"].split()[0]) >> 10, int(status["VmRSS"].split()[0]) >> 10


def reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


CUT = f"{NOTE_PREFIX} this cell printed more than {CELL_CHARS:,} characters; the rest was not kept]\n"


def test_a_kernel_that_prints_hundreds_of_mb_leaves_the_grader_small():
    # 290 MB in all (kept whole, the grader would peak near 700 MB more)
    cells = ["print('x' * 50_000_000)"]
    # many cells, each a stream of 1 MB prints that ipykernel sends on as it can
    cells += ["for i in range(60):\n    print(str(i) * 1_000_000)"] * 4
    cells += ["print('y' * 1_000_000)\n" + record(5_000) + "print('after the record')",
              "raise ValueError('v' * 20_000_000)",
              "import sys\nprint('z' * 500_000)\nsys.stderr.write('a warning\\n')",
              "print('short')"]
    reset_peak()
    before = memory_mb()[1]
    with capped_outputs(keep_mime=RECORD_MIME):
        nb = run(cells)
    peak = memory_mb()[0]
    assert peak - before < 400, f"the grader grew from {before} MB to a peak of {peak} MB"
    for cell in nb.cells[:8]:
        assert [o.text for o in notes(cell)] == [CUT], cell.outputs
        assert cell.outputs[-1].text == CUT  # the note ends the cell
        assert kept(cell) <= CELL_CHARS + outputs.MIN_KEPT
    assert nb.cells[0].outputs[0].text == "x" * len(nb.cells[0].outputs[0].text)
    assert len(nb.cells[0].outputs[0].text) > CELL_CHARS // 2
    # the record survives whole in a cell whose prints were cut
    recs = [o for o in nb.cells[5].outputs if o.output_type == "display_data"]
    assert len(recs) == 1 and recs[0].data[RECORD_MIME]["fill"] == "r" * 5_000
    # nbgrader grades by errors and stderr: both survive the cut
    err = [o for o in nb.cells[6].outputs if o.output_type == "error"]
    assert len(err) == 1 and err[0].ename == "ValueError"
    assert any(o.output_type == "stream" and o.name == "stderr" for o in nb.cells[7].outputs)
    assert nb.cells[8].outputs == [{"output_type": "stream", "name": "stdout", "text": "short\n"}]
    assert sum(kept(c) for c in nb.cells) <= NOTEBOOK_CHARS


def test_the_cap_holds_for_merged_streams_and_the_notebook():
    pieces = "import sys, time\nfor i in range({n}):\n    print('{c}' * 99)\n    sys.stdout.flush()\n" \
             "    time.sleep(0.003)\n"
    redraw = ("from IPython.display import clear_output\nfor i in range(10):\n"
              "    clear_output(wait=True)\n    print(str(i) * 800)\n")
    cells = [redraw,
             pieces.format(n=8, c="a"),  # 800 characters in pieces: fits
             pieces.format(n=50, c="b"),  # 5,000 characters: cut at 1,000
             pieces.format(n=8, c="c"),  # fits the cell, and the notebook still
             pieces.format(n=8, c="d"),  # the notebook is full
             "print('e')"]
    with capped_outputs(1_000, 3_800):
        nb = run(cells)
    redrawn, fits, cut, fits2, full, last = nb.cells
    assert not notes(redrawn) and redrawn.outputs[-1].text == "9" * 800 + "\n"
    assert not notes(fits) and fits.outputs == [{"output_type": "stream", "name": "stdout",
                                                 "text": ("a" * 99 + "\n") * 8}]
    assert len(cut.outputs) == 2 and cut.outputs[0].text.startswith("b" * 99)
    assert len(cut.outputs[0].text) <= 1_000  # the merged text is within the cap
    assert cut.outputs[1].text == (f"{NOTE_PREFIX} this cell printed more than 1,000 characters; "
                                   "the rest was not kept]\n")
    assert not notes(fits2)
    assert notes(full)[0].text.startswith(f"{NOTE_PREFIX} this notebook printed more than 3,800 characters")
    assert notes(last) and all(o in notes(last) for o in last.outputs)
    assert sum(kept(c) for c in nb.cells) <= 3_800


def test_records_are_kept_or_dropped_whole_on_their_own_budget():
    cells = ["print('p' * 50_000)\n" + record(4_000),  # the cell's cap does not touch records
             record(4_000, "s"),
             record(4_000, "t") + record(10, "u")]  # over 10,000: the first is dropped whole
    with capped_outputs(1_000, 2_000, keep_mime=RECORD_MIME, keep_chars=10_000):
        nb = run(cells)
    fills = [[o.data[RECORD_MIME]["fill"] for o in c.outputs if o.output_type == "display_data"] for c in nb.cells]
    assert fills == [["r" * 4_000], ["s" * 4_000], ["u" * 10]]
    assert notes(nb.cells[0])[0].text.startswith(f"{NOTE_PREFIX} this cell printed")
    assert notes(nb.cells[2])[0].text == (f"{NOTE_PREFIX} 1 record dropped whole: the grader keeps at most "
                                          "10,000 characters of records per notebook]\n")
    assert not notes(nb.cells[1])


def test_a_message_too_big_is_never_decoded_yet_signed_and_cut():
    session = Session(key=b"secret")
    text = 'é"\\\n\u2603' * 400_000  # 2 million characters, escapes and all
    msg = session.msg("stream", {"name": "stderr", "text": text})
    frames = session.serialize(msg)  # [DELIM, HMAC, header, parent, metadata, content]
    with capped_outputs(1_000, 10_000):
        got = session.deserialize(frames[1:])
        assert got["content"] == {"name": "stderr", "text": text[:1_000]}
        assert got["_capped_outputs"]["bytes"] == len(frames[5])
        fresh = session.serialize(session.msg("stream", {"name": "stderr", "text": text}))
        forged = fresh[1:5] + [fresh[5][:-3] + b'xx"}']
        with pytest.raises(ValueError, match="Invalid Signature"):
            session.deserialize(forged)
    again = session.serialize(session.msg("stream", {"name": "stderr", "text": text}))
    assert session.deserialize(again[1:])["content"]["text"] == text  # restored


def test_the_patches_are_undone_and_nest():
    from nbclient.client import NotebookClient as Client
    original = Client.__dict__["output"], Client.__dict__["execute_cell"], Session.__dict__["deserialize"]
    with capped_outputs(10, 20) as outer:
        with capped_outputs(30, 40) as inner:
            assert outputs._current() is inner
        assert outputs._current() is outer
        assert Client.__dict__["output"] is not original[0]
    assert (Client.__dict__["output"], Client.__dict__["execute_cell"], Session.__dict__["deserialize"]) == original


# --- the sandbox ----------------------------------------------------------------------------

SANDBOX_CELLS = [
    # 0: every environment it can read
    "import os, glob\n"
    "for path in ['/proc/1/environ', '/proc/self/environ'] + glob.glob('/proc/[0-9]*/environ'):\n"
    "    try:\n        print(path, open(path, 'rb').read().replace(b'\\0', b' ').decode())\n"
    "    except OSError as err:\n        print(path, err)\n"
    "print(sorted(os.environ.items()))",
    # 1: its working folder
    "print('cwd', os.getcwd(), sorted(os.listdir('.')))",
    # 2: fill the disk: the working folder, then /tmp
    "def fill(path):\n"
    "    written = 0\n"
    "    try:\n"
    "        with open(path, 'wb') as f:\n"
    "            for _ in range(1024):\n"
    "                f.write(b'x' * 2**20)\n"
    "                f.flush()\n"
    "                written += 2**20\n"
    "    except OSError as err:\n"
    "        return f'{err.errno} {written >> 20}'\n"
    "    return f'none {written >> 20}'\n"
    "print('cwd', fill('big'), 'tmp', fill('/tmp/big'))",
    # 3: past the wall clock, with a child in a session of its own
    "import subprocess, time\n"
    "subprocess.Popen(['sleep', '987654'], start_new_session=True)\n"
    "time.sleep(1000)",
]


@pytest.mark.sandbox
@pytest.mark.skipif(bubblewrap_problem() is not None, reason=str(bubblewrap_problem()))
def test_the_launch_script_clears_the_environment_and_mounts_no_host_folder(tmp_path, monkeypatch):
    from grader import sandbox

    workdir, runtime = tmp_path / "work", tmp_path / "rt"
    cgroup, warnings = kernel_spec(tmp_path / "jupyter", workdir, runtime, Limits(wall_seconds=7, disk_mb=5))
    cgroup.remove()
    line = (tmp_path / "jupyter" / "kernels" / "python3" / "launch.sh").read_text().splitlines()[-1]
    words = line.split()
    assert words[:5] == ["exec", "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", words[4]]
    assert words[4].endswith("/timeout") and words[5:7] == ["--signal=KILL", "7"]
    assert "/prlimit" in words[7] and "bwrap" in words[10]
    assert f"--size {5 << 20} --tmpfs {workdir} " in line and f"--size {5 << 20} --tmpfs /tmp " in line
    assert f"--bind {workdir} " not in line and f"--bind {runtime} {runtime} " in line
    # a bubblewrap without --size: plain tmpfs mounts, and a warning says so
    monkeypatch.setattr(sandbox, "bwrap_has_size", lambda: False)
    cgroup, warnings = kernel_spec(tmp_path / "jupyter", workdir, runtime, Limits())
    cgroup.remove()
    line = (tmp_path / "jupyter" / "kernels" / "python3" / "launch.sh").read_text()
    assert "--size" not in line and f"--tmpfs {workdir} " in line
    assert any(w.startswith("no disk limit") for w in warnings)


def _alive(*needles):
    """Processes on this machine whose command line holds one of ``needles``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(n in text for n in needles) and str(os.getpid()) != cmdline.parent.name:
            found.append(text)
    return found


@pytest.mark.sandbox
@pytest.mark.skipif(bubblewrap_problem() is not None, reason=str(bubblewrap_problem()))
def test_the_sandboxed_kernel_sees_no_secret_no_notebook_no_disk_and_no_end(tmp_path, monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    monkeypatch.setenv("SECRET_TOKEN", "s3cr3t-value-for-the-test")
    # the same layout as grader.job.run
    root = tmp_path / "course"
    workdir = root / "autograded" / "alice" / "00_tiny"
    workdir.mkdir(parents=True)
    (workdir / "00_tiny.ipynb").write_text("{}")
    (workdir / "planted.txt").write_text("the host's working folder")
    runtime = tmp_path / "rt"
    runtime.mkdir()
    limits = Limits(wall_seconds=10, disk_mb=32)
    cgroup, warnings = kernel_spec(tmp_path / "jupyter", workdir, runtime, limits)
    assert not any("sandbox" in w or "disk" in w or "wall" in w for w in warnings), warnings
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join([str(tmp_path / "jupyter"), os.environ.get("JUPYTER_PATH", "")]))
    host_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "rt" not in p.parts)

    nb = new_notebook(cells=[new_code_cell(c) for c in SANDBOX_CELLS])
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(runtime / "kernel"),
                            connection_file=str(runtime / "kernel.json"))
    client = NotebookClient(nb, km=km, timeout=60, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    try:
        start = time.monotonic()
        with capped_outputs(keep_mime=RECORD_MIME), pytest.raises((DeadKernelError, CellTimeoutError)):
            client.execute()
        stopped = time.monotonic() - start
        leftovers = _alive(str(runtime), "987654")
    finally:
        cgroup.remove()
    text = [o.get("text", "") for c in nb.cells for o in c.outputs]
    env, cwd, disk = text[0], text[1], text[2]

    # the grader's environment is nowhere in the sandbox; bubblewrap got only PATH
    assert "s3cr3t" not in env and "SECRET_TOKEN" not in env
    assert "/proc/1/environ PATH=/usr/bin:/bin \n" in env
    # the working folder has the host path, and none of the host folder's files
    assert cwd == f"cwd {workdir} []\n"
    # both tmpfs mounts fill up at the limit, with ENOSPC (errno 28)
    got = disk.split()
    assert got[0] == "cwd" and got[1] == "28" and 24 <= int(got[2]) <= 32, disk
    assert got[3] == "tmp" and got[4] == "28" and 24 <= int(got[5]) <= 32, disk
    # nothing the kernel wrote is on the host
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "rt" not in p.parts) == host_before
    assert not [p for p in runtime.iterdir() if p.is_file() and p.stat().st_size > 1 << 20]
    # the wall clock stopped the kernel, and every process it had started
    assert limits.wall_seconds <= stopped <= limits.wall_seconds + 8, stopped
    assert leftovers == [], leftovers
