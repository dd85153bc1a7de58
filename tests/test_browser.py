"""Notebooks 01-03 in a real browser, as students see them.

One students' JupyterLab (started through grader/lab.py, like `make lab`) on a
temporary work folder holding the blank releases and the solved ones; Debian's
Chromium driven by Playwright (never a downloaded browser). For each notebook:
Run All on the blank release reaches the last cell and shows short notes
instead of tracebacks; Run All on the solved one prints a ✔ under every
visible test and no error; a widget slider redraws its picture; nbgrader's
Validate button reports success. Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from grader import lab
from grader.course import Course
from grader.notebook import nbgrader_meta, solved
from grader.paths import BUILD
from grader.release import build

# nbgrader too: it builds the release and runs the Validate button (kept out of the fast loop)
pytestmark = [pytest.mark.browser, pytest.mark.nbgrader]

NAMES = os.environ.get("BROWSER_NOTEBOOKS", "01_knn 02_linear 03_backprop").split()
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = BUILD / "screenshots"
# The Validate button re-runs the whole notebook on the server (10-30 s): one
# notebook proves the button and its server extension work; whether every
# solution passes nbgrader is test_notebooks.py's job.
VALIDATE = ("02_linear",)
RUN_TIMEOUT = 180_000  # ms for one Run All; a notebook takes 10-30 s on 2 cores
# JupyterLab settings for the test only: every cell in the DOM (no windowing,
# so outputs can be read), and no news/update toast over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                      "checkForUpdates": False},
}


def _browser_or_skip():
    """Playwright's sync API, or skip; as root (CI, where `make browser`
    installs Chromium) a missing browser is a failure, never a silent skip."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the Python package playwright is not installed (pip install -e '.[dev]')"
    if missing is None and not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (make browser, or apt-get install chromium chromium-driver)"
    if missing is None:
        return sync_playwright
    if os.geteuid() == 0:
        pytest.fail(missing)
    pytest.skip(missing)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(server, what):
    """Poll ``server.api("status")`` until the server answers; stop it and
    raise with the end of its log if it dies or takes more than a minute."""
    deadline = time.monotonic() + 60
    while True:
        try:
            server.api("status")
            return
        except OSError:
            if server.proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"{what} did not start:\n{server.log.read_text()[-3000:]}")
            time.sleep(0.2)


class Lab:
    """A running students' JupyterLab on ``work``."""

    def __init__(self, work: Path, tmp: Path):
        self.work, self.port, self.token = work, _free_port(), secrets.token_hex(16)
        settings = tmp / "lab-settings"
        for rel, value in LAB_SETTINGS.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(value))
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"))
        self.log = tmp / "lab.log"
        self.proc = lab.start_student_lab(work, tmp / "jupyter-config", self.port, self.token, browser=False,
                                          env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_until_up(self, "JupyterLab")

    def url(self, path, workspace):
        # a workspace of its own per page: only this notebook opens, nothing restored
        return f"http://127.0.0.1:{self.port}/lab/workspaces/{workspace}/tree/{path}?token={self.token}"

    def api(self, path, method="GET"):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}?token={self.token}",
                                     method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", "DELETE")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    sync_playwright = _browser_or_skip()
    tmp = tmp_path_factory.mktemp("browser")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    releases = tmp / "releases"
    course = build(Course(tmp / "course"), names=NAMES, target=releases)
    work = tmp / "work"
    lab.copy_missing(releases, work)  # the blank releases, as `make lab` copies them
    (work / "solved").mkdir()
    for name in NAMES:
        nbformat.write(solved(course.release(name), course.source(name)), work / "solved" / f"{name}.ipynb")
    running = Lab(work, tmp)
    try:
        with sync_playwright() as p:
            running.browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield running
            running.browser.close()
    finally:
        running.stop()


@pytest.fixture(scope="module", params=NAMES)
def name(request):
    return request.param


class Notebook:
    """A notebook open in a browser page of its own; Run All clicked."""

    def __init__(self, server, path, shot):
        self.server, self.path = server, path
        self.screenshot = SCREENSHOTS / shot
        self.started = time.monotonic()
        self.page = server.browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(60_000)
        self.page.goto(server.url(path, re.sub(r"\W", "-", path)))
        # ready: the kernel has started and is idle (Run All earlier opens a
        # "Select Kernel" dialog), and nbgrader's Validate button is in the toolbar
        self.page.locator("#jp-main-statusbar").get_by_text(re.compile(r"ipykernel\) \| Idle$")).wait_for()
        self.page.locator(".validate-button").wait_for()
        self.cells = self.page.locator(".jp-Notebook .jp-Cell")
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()

    def wait(self):
        """Until Run All is over, then take the screenshot."""
        # Run All marks every code cell [*] at once; done when none is left
        # (also when an error stopped the run early: the assertions say so).
        try:
            self.page.wait_for_function(
                """() => {
                    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
                        .map(p => p.textContent);
                    return prompts.length > 0 && /\\d/.test(prompts[0]) && !prompts.some(t => t.includes('*'));
                }""", timeout=RUN_TIMEOUT, polling=500)
        except Exception as e:
            shot = SCREENSHOTS / ("timeout-" + self.path.replace("/", "-") + ".png")
            self.page.screenshot(path=str(shot))
            raise AssertionError(f"Run All of {self.path} did not finish; prompts {self.code_prompts()}, "
                                 f"screenshot {shot}") from e
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        self.page.screenshot(path=str(self.screenshot))
        print(f"\n{self.path}: opened and run in {time.monotonic() - self.started:.0f} s; "
              f"screenshot: {self.screenshot}")

    def outputs(self, index=None) -> str:
        """The text of every output area (or of cell ``index``'s)."""
        where = self.cells.nth(index) if index is not None else self.page.locator(".jp-Notebook")
        return "\n".join(where.locator(".jp-OutputArea").all_inner_texts())

    def error_texts(self) -> list[str]:
        """Error and stderr outputs (JupyterLab renders both with the stderr mime type)."""
        return self.page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()

    def code_prompts(self) -> list[str]:
        return self.page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()


@pytest.fixture(scope="module")
def notebooks(server, name):
    """The blank release and the solved notebook of ``name``, run side by
    side (two kernels keep both cores busy; each notebook is mostly one thread)."""
    opened = {"blank": Notebook(server, f"{name}.ipynb", f"{name}-blank.png"),
              "solved": Notebook(server, f"solved/{name}.ipynb", f"{name}-solved.png")}
    try:
        for nb in opened.values():
            nb.wait()
        yield opened
    finally:
        for nb in opened.values():
            nb.page.close()
        server.shutdown_kernels()


@pytest.fixture(scope="module")
def blank(notebooks):
    return notebooks["blank"]


@pytest.fixture(scope="module")
def solution(notebooks):
    return notebooks["solved"]


def test_blank_runs_to_the_end_with_short_notes(blank):
    prompts = blank.code_prompts()
    assert re.search(r"\d", prompts[-1]), (
        f"Run All stopped before the last code cell (prompts {prompts}): "
        "every code cell of the release needs the raises-exception tag")
    text = blank.outputs()
    assert "Traceback" not in text, "an unanswered exercise shows a traceback instead of a short note"
    assert "Not answered yet:" in text
    assert "IOPub" not in text
    long_notes = [t for t in blank.error_texts() if "NotImplementedError" in t and not t.strip().startswith("Not answered yet:")]
    assert not long_notes, long_notes[0][:1000]


def test_solved_passes_every_visible_test(solution, name):
    prompts = solution.code_prompts()
    assert re.search(r"\d", prompts[-1]), f"Run All stopped early: {prompts}"
    nb = nbformat.read(solution.server.work / solution.path, as_version=4)
    assert solution.cells.count() == len(nb.cells)
    # visible tests end with passed(...); some test cells hold hidden tests only
    tests = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and nbgrader_meta(c).get("grade") and "passed(" in c.source]
    assert tests
    for i in tests:
        text = solution.outputs(i)
        assert re.search(r"^✔", text, re.M), f"test cell {nbgrader_meta(nb.cells[i])['grade_id']}: {text[-500:]}"
    text = solution.outputs()
    assert "Traceback" not in text and "IOPub" not in text
    errors = [t for t in solution.error_texts() if re.search(r"\w+Error\b", t)]
    assert not errors, errors[0][:1000]


def test_students_see_only_the_validate_button(solution):
    page = solution.page
    assert page.locator(".validate-button").is_visible()
    assert not page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count()
    assert not page.locator("#nbgrader-create_assignemnt").count()  # nbgrader's own spelling
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"http://127.0.0.1:{solution.server.port}/formgrader?token={solution.server.token}")


def test_widget_redraws_when_a_slider_moves(solution):
    page = solution.page
    widget = page.locator(".jp-OutputArea .jupyter-widgets.widget-vbox").first
    widget.scroll_into_view_if_needed()
    picture = widget.locator(".widget-output").first
    picture.locator("img, svg, pre").first.wait_for()
    before = picture.inner_html()
    handle = widget.locator(".widget-slider .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")  # one step: the slider's value changes, the kernel redraws
    page.wait_for_function(
        "([el, before]) => el.innerHTML !== before && el.querySelector('img, svg, pre')",
        arg=[picture.element_handle(), before], timeout=30_000)


def test_validate_button_reports_success(solution, name):
    if name not in VALIDATE:
        pytest.skip(f"Validate is clicked on {', '.join(VALIDATE)} only (it re-runs the notebook)")
    page = solution.page
    page.locator(".validate-button").click()  # saves, then nbgrader runs the notebook on the server
    dialog = page.locator(".jp-Dialog")
    dialog.locator("#validation-message").wait_for(timeout=RUN_TIMEOUT)
    text = dialog.inner_text()
    page.screenshot(path=str(solution.screenshot.with_name(solution.screenshot.stem + "-validate.png")))
    assert "Success! Your notebook passes all the tests." in text, text[:2000]
    dialog.get_by_role("button", name="Ok").click()
