"""`make lab` and `make formgrader`: JupyterLab for students and for instructors.

Students work in ``work/`` (git-ignored): ``lab`` copies in the notebooks of
``notebooks/`` that are missing there and never overwrites one, so no build or
``git pull`` can wipe a student's answers. Their JupyterLab shows only
nbgrader's Validate button: the instructor plugins and server extensions are
switched off through a config dir of our own put first on JUPYTER_CONFIG_PATH.

Instructors get every nbgrader plugin on the course folder ``build/course``,
with an exchange folder (Release and Collect) and, through this module as a
Jupyter server extension, a formgrader whose assignments table fits beside
the file browser.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import BUILD, COURSE, NOTEBOOKS, ROOT

WORK = ROOT / "work"

# nbgrader 0.9.6's JupyterLab plugins, except validate-assignment (the
# students' Validate button); "menu" only lists the commands of the others.
STUDENT_DISABLED_PLUGINS = [f"@jupyter/nbgrader:{p}" for p in
                            ("formgrader", "create-assignment", "assignment-list", "course-list", "menu")]
# ...and the server extensions behind them; validate_assignment stays on.
STUDENT_DISABLED_SERVER = [f"nbgrader.server_extensions.{e}" for e in
                           ("formgrader", "assignment_list", "course_list")]


def copy_missing(source: Path = NOTEBOOKS, work: Path = WORK) -> list[Path]:
    """Copy into ``work`` the notebooks of ``source`` it does not hold yet."""
    work.mkdir(parents=True, exist_ok=True)
    added = []
    for nb in sorted(source.glob("*.ipynb")):
        target = work / nb.name
        if not target.exists():
            shutil.copyfile(nb, target)
            added.append(target)
    return added


def student_config(folder: Path) -> Path:
    """A Jupyter config dir that leaves students nbgrader's Validate button only."""
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    page = {"disabledExtensions": {p: True for p in STUDENT_DISABLED_PLUGINS}}
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1) + "\n")
    server = {"ServerApp": {"jpserver_extensions": {e: False for e in STUDENT_DISABLED_SERVER}}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1) + "\n")
    return folder


# nbgrader's exchange (Release and Collect in the formgrader) files a course's
# assignments under its id; without one the formgrader disables both.
COURSE_ID = "dl-course"


# Appended to nbgrader's formgrader stylesheet: its assignments table (eleven
# columns, four of them sortable with 30 px for the arrows) is about 920 px
# wide, more than the formgrader panel gives it at 1400 px with JupyterLab's
# file browser open, so its last column was cut. Narrower cell padding makes it
# fit there; on a narrower screen it scrolls instead of being cut.
FORMGRADER_CSS = """
/* grader/lab.py: the assignments table fits beside JupyterLab's file browser */
.dataTables_wrapper { overflow-x: auto; }
.table > thead > tr > th, .table > tbody > tr > td, .table > tfoot > tr > td {
  padding-left: 4px; padding-right: 4px;
}
table.dataTable thead > tr > th.sorting, table.dataTable thead > tr > th.sorting_asc,
table.dataTable thead > tr > th.sorting_desc { padding-right: 20px; }
"""


def _jupyter_server_extension_points():
    return [{"module": "grader.lab"}]


def _load_jupyter_server_extension(serverapp):
    """Serve nbgrader's formgrader stylesheet with FORMGRADER_CSS appended.
    Jupyter loads server extensions in the order of their names, and Tornado
    tries handlers in the order they were added, so this handler ("grader.lab")
    answers before nbgrader's static files ("nbgrader.server_extensions...")."""
    from jupyter_server.utils import url_path_join
    from nbgrader.server_extensions.formgrader import handlers
    from tornado import web

    css = (Path(handlers.static_path) / "css" / "nbgrader.css").read_text() + FORMGRADER_CSS

    class Stylesheet(web.RequestHandler):
        def get(self):
            self.set_header("Content-Type", "text/css; charset=UTF-8")
            self.write(css)

    path = url_path_join(serverapp.web_app.settings["base_url"], "/formgrader/static/css/nbgrader.css")
    serverapp.web_app.add_handlers(".*$", [(path, Stylesheet)])


def instructor_config(folder: Path, course: Path) -> Path:
    """A Jupyter config dir whose nbgrader settings match the grader's
    (grader.job.nbgrader_api), so formgrader works on ``course``; its
    exchange is ``course/exchange``, made here (the formgrader only checks
    that it exists and is writable, and otherwise turns Release and Collect off)."""
    folder.mkdir(parents=True, exist_ok=True)
    (course / "exchange").mkdir(parents=True, exist_ok=True)
    config = {
        "CourseDirectory": {"root": str(course), "course_id": COURSE_ID},
        "Exchange": {"root": str(course / "exchange")},
        "ClearSolutions": {"code_stub": {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}},
    }
    (folder / "nbgrader_config.json").write_text(json.dumps(config, indent=1) + "\n")
    server = {"ServerApp": {"jpserver_extensions": {"grader.lab": True}}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1) + "\n")
    return folder


def command(root: Path, port: int | None = None, token: str | None = None,
            browser: bool = True) -> list[str]:
    """The ``jupyter lab`` command line serving ``root``."""
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}"]
    if port is not None:
        cmd += ["--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers run as root; Jupyter refuses otherwise
    return cmd


def environment(config_dir: Path, base: dict | None = None) -> dict:
    """``base`` (default: os.environ) with ``config_dir`` first on
    JUPYTER_CONFIG_PATH and this environment's kernel first on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(config_dir)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p])
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(Path(sys.prefix) / "share" / "jupyter")] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    return env


def start_student_lab(work: Path, config_dir: Path, port: int | None = None, token: str | None = None,
                      browser: bool = True, env: dict | None = None, **popen) -> subprocess.Popen:
    """Start the students' JupyterLab on ``work`` (what ``make lab`` runs; the browser test too)."""
    student_config(config_dir)
    return subprocess.Popen(command(work, port, token, browser), cwd=work,
                            env=environment(config_dir, env), **popen)


def lab(work: Path = WORK, source: Path = NOTEBOOKS):
    added = copy_missing(source, work)
    for path in added:
        print(f"added {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if not added:
        print(f"{work}: every notebook is already there (yours are never overwritten)")
    config = student_config(BUILD / "jupyter" / "student")
    _exec(command(work), work, environment(config))


def formgrader(course: Path = COURSE):
    if not (course / "source").is_dir():
        print(f"No course folder at {course}: run `make build` first.", file=sys.stderr)
        return 1
    config = instructor_config(BUILD / "jupyter" / "instructor", course)
    # cwd: nbgrader's extensions also read nbgrader_config.py from the working directory
    _exec(command(course), course, environment(config))


def _exec(cmd, cwd, env):
    """Become Jupyter: Ctrl-C and signals reach it directly, nothing is left behind."""
    sys.stdout.flush()
    os.chdir(cwd)
    os.execve(cmd[0], cmd, env)
