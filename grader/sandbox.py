"""Run a student's kernel in a sandbox.

Under Linux with bubblewrap (Debian's ``bubblewrap``) the kernel sees the
Python environment, the course's ``helpers`` package and the data folder
(read-only), and the runtime folder that holds its connection file and its
Unix sockets (read-write: the kernel creates its sockets there). It has no
network (kernel and grader talk over those sockets), its own process and IPC
namespaces, no capabilities, and limits: memory and process count through a
cgroup where the machine lets us create one, CPU seconds through an rlimit,
wall-clock seconds through coreutils ``timeout``, and disk through
size-limited tmpfs mounts.

What the kernel reads and writes:

- Its working folder has the same path as the host folder the grader names
  (``workdir``, where nbgrader keeps the submitted and autograded notebook),
  so relative paths in the notebook behave as before; but inside the sandbox
  that path is a fresh, empty tmpfs of ``Limits.disk_mb`` MB, not the host
  folder. The kernel never sees the notebook file, and nothing it writes there
  lands on the host: the tmpfs goes away with the kernel. ``/tmp`` (and so
  ``MPLCONFIGDIR`` and ``IPYTHONDIR``) is a tmpfs of the same size.
- Everything else it can write is inside the sandbox's own memory, except the
  runtime folder, which is the host folder itself. The grader uses that folder
  only for the connection file (written by the grader) and the kernel's
  sockets; the kernel's stdout and stderr go to ``<connection file>.log``
  there, which is for a human debugging a kernel that does not start.
- **The grader never reads files the kernel wrote.** Everything the grader
  takes from a kernel comes over the sockets as Jupyter messages, and
  :func:`grader.outputs.capped_outputs` bounds how much of that it keeps.
- The kernel's environment is only what ``--clearenv``/``--setenv`` give it,
  and bubblewrap itself (the sandbox's PID 1, whose ``/proc/1/environ`` the
  kernel can read) starts through ``env -i`` with nothing but ``PATH``, so no
  process in the sandbox sees the grader's environment (tokens, keys).

When the wall clock runs out, ``timeout`` kills bubblewrap with SIGKILL;
``--die-with-parent`` and the PID namespace take the kernel and every process
it started with it, and nbclient reports the kernel as dead.

Without bubblewrap (macOS, or user namespaces switched off) grading goes on
with the limits that still apply, and :func:`kernel_spec` says why in its
warning so the instructor sees it in the report.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from .paths import ROOT

CGROUP = Path("/sys/fs/cgroup")
# /etc holds secrets (shadow, ssh keys); the kernel needs only these.
ETC_FILES = ("ld.so.cache", "localtime", "passwd", "group", "nsswitch.conf", "hosts", "fonts",
             "matplotlibrc", "ssl")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 3072  # the whole kernel, every child included
    processes: int = 128  # threads count too (BLAS and torch start some)
    cpu_seconds: int = 900  # the kernel's CPU time over the whole notebook
    wall_seconds: int = 900  # the kernel's wall-clock time over the whole notebook
    disk_mb: int = 256  # each of the kernel's tmpfs mounts (working folder, /tmp)


@functools.lru_cache(maxsize=1)
def bubblewrap_problem() -> str | None:
    """None when bubblewrap can start a sandbox here, else why not."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                            "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create a sandbox here ({probe.stderr.strip()[:200]})"
    return None


def _cgroup_v1(controller) -> Path | None:
    folder = CGROUP / controller
    return folder if (folder / "cgroup.procs").exists() else None


class Cgroup:
    """A memory + pids cgroup for one kernel (v1 or v2), or nothing where the
    machine does not let us make one."""

    def __init__(self, limits: Limits):
        self.folders: list[Path] = []
        name = f"dl-course-{uuid.uuid4().hex[:12]}"
        settings = []
        if (CGROUP / "cgroup.controllers").exists():  # cgroup v2
            settings = [(CGROUP / name, {"memory.max": limits.memory_mb << 20,
                                          "memory.swap.max": 0, "pids.max": limits.processes})]
        else:
            mem, pids = _cgroup_v1("memory"), _cgroup_v1("pids")
            if mem:
                settings.append((mem / name, {"memory.limit_in_bytes": limits.memory_mb << 20}))
            if pids:
                settings.append((pids / name, {"pids.max": limits.processes}))
        for folder, values in settings:
            try:
                folder.mkdir()
                self.folders.append(folder)
                for key, value in values.items():
                    if (folder / key).exists():
                        (folder / key).write_text(str(value))
            except OSError:
                continue
        self.memory = any((f / "memory.limit_in_bytes").exists() or (f / "memory.max").exists()
                          for f in self.folders)
        self.pids = any((f / "pids.max").exists() for f in self.folders)

    def join_command(self) -> str:
        """Shell lines that move the launching shell into the cgroup."""
        return "".join(f"echo $$ > {shlex.quote(str(f / 'cgroup.procs'))}\n" for f in self.folders)

    def out_of_memory(self) -> bool:
        for f in self.folders:
            for name, key in (("memory.oom_control", "oom_kill "), ("memory.events", "oom_kill ")):
                path = f / name
                if path.exists():
                    for line in path.read_text().splitlines():
                        if line.startswith(key) and int(line.split()[1]) > 0:
                            return True
            if (f / "memory.failcnt").exists() and int((f / "memory.failcnt").read_text()) > 0:
                return True
        return False

    def remove(self):
        for f in self.folders:
            procs = f / "cgroup.procs"
            try:
                for pid in procs.read_text().split():
                    os.kill(int(pid), 9)
            except (OSError, ValueError):
                pass
            try:
                f.rmdir()
            except OSError:
                pass


@functools.lru_cache(maxsize=1)
def bwrap_has_size() -> bool:
    """Whether this bubblewrap has ``--size`` (0.8 and later) for its tmpfs mounts."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    out = subprocess.run([bwrap, "--help"], capture_output=True, text=True)
    return "--size" in out.stdout + out.stderr


def _tmpfs(path, limits: Limits) -> list[str]:
    size = ["--size", str(limits.disk_mb << 20)] if bwrap_has_size() else []
    return size + ["--tmpfs", str(path)]


def _bwrap_args(workdir: Path, runtime: Path, limits: Limits = Limits()) -> list[str]:
    data = Path(os.environ.get("DL_COURSE_DATA", ROOT / "data"))
    # /tmp first: the working folder usually lies below it and mounts must come after
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            # bubblewrap run by root keeps every capability unless told otherwise
            "--cap-drop", "ALL"]
    args += _tmpfs("/tmp", limits) + ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            args += ["--symlink", os.readlink(target), str(target)]
        elif target.exists():
            args += ["--ro-bind", str(target), str(target)]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for folder in {sys.base_prefix, sys.prefix, str(ROOT / "helpers")}:
        args += ["--ro-bind", folder, folder]
    args += ["--ro-bind-try", str(data), str(data)]
    # The working folder: a fresh tmpfs at the host folder's path, never the
    # host folder (which holds the notebook being graded).
    args += _tmpfs(workdir, limits)
    args += ["--bind", str(runtime), str(runtime),  # connection file and sockets
             "--proc", "/proc", "--dev", "/dev",
             "--clearenv", "--setenv", "HOME", str(workdir), "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", "/tmp",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "LANG", "C.UTF-8",
             "--setenv", "IPYTHONDIR", "/tmp/ipython",
             # joblib cannot count physical cores in here and says so on stderr,
             # which nbgrader takes as a failed test
             "--setenv", "LOKY_MAX_CPU_COUNT", str(os.cpu_count() or 1),
             "--chdir", str(workdir)]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
                "OPENBLAS_L2_SIZE", "DL_COURSE_DATA", "DL_COURSE_GRADING"):
        if var in os.environ:
            args += ["--setenv", var, os.environ[var]]
    return args


def kernel_spec(folder: Path, workdir: Path, runtime: Path, limits: Limits, sandbox: bool = True):
    """Write a kernelspec named ``python3`` under ``folder/kernels`` that starts
    the kernel sandboxed, in a fresh tmpfs at the path ``workdir``; return
    (cgroup, [warnings]).

    Its ``launch.sh`` joins the cgroup, then runs
    ``env -i PATH=/usr/bin:/bin timeout --signal=KILL <wall_seconds>
    prlimit --cpu=<cpu_seconds> -- bwrap ... -- python -m ipykernel_launcher``.

    Put ``folder`` first on JUPYTER_PATH (so the notebook's ``python3`` kernel
    is this one) and make ``runtime`` the JUPYTER_RUNTIME_DIR."""
    warnings = []
    problem = bubblewrap_problem() if sandbox else "the sandbox was switched off (--no-sandbox)"
    cgroup = Cgroup(limits)
    if not cgroup.memory:
        warnings.append("no memory limit: this machine does not let the grader create a cgroup")
    if not cgroup.pids:
        warnings.append("no process limit: this machine does not let the grader create a cgroup")
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", "$1"]
    wrap = []
    if problem is None:
        wrap = _bwrap_args(workdir, runtime, limits) + ["--"]
        if not bwrap_has_size():
            warnings.append("no disk limit: this bubblewrap has no --size (0.8 or later has it), "
                            "so the kernel's tmpfs mounts may fill the machine's memory")
        # bubblewrap (the sandbox's PID 1) would otherwise carry the grader's
        # whole environment, readable in there as /proc/1/environ
        clear = [shutil.which("env") or "/usr/bin/env", "-i", "PATH=/usr/bin:/bin"]
    else:
        warnings.append(f"student code ran without a sandbox: {problem}")
        clear = []  # the kernel runs in the grader's environment anyway
    timeout = shutil.which("timeout")
    # SIGKILL: bubblewrap dies, --die-with-parent and the PID namespace take the kernel tree along
    wall = [timeout, "--signal=KILL", str(limits.wall_seconds)] if timeout else []
    if not timeout:
        warnings.append("no wall-clock limit: coreutils timeout is not installed")
    rlimit = [shutil.which("prlimit"), f"--cpu={limits.cpu_seconds}", "--"] if shutil.which("prlimit") else []
    # the kernel's own log lines would only clutter the instructor's terminal
    script = "#!/bin/sh\n" + cgroup.join_command() + 'exec >"$1.log" 2>&1\n' + "exec " + " ".join(
        shlex.quote(a) if a != "$1" else '"$1"' for a in clear + wall + rlimit + wrap + command) + "\n"
    spec_dir = Path(folder) / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "launch.sh").write_text(script)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", str(spec_dir / "launch.sh"), "{connection_file}"],
        "display_name": "Python 3 (sandboxed grading kernel)", "language": "python",
        # bubblewrap does not pass signals on: interrupt over the control channel
        "interrupt_mode": "message"}))
    return cgroup, warnings
