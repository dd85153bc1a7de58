"""The eight notebooks in a real browser, as students see them.

One students' JupyterLab (started through grader/lab.py, like `make lab`) on a
temporary work folder holding the blank releases and the solved ones; Debian's
Chromium driven by Playwright (never a downloaded browser). For each notebook:

* Run All on the blank release reaches the last cell and shows, for every
  unanswered exercise, the "Not answered yet" note: a readable box, not a
  traceback;
* Run All on the solved one prints a ✔ under every visible test, and the one
  "ℹ More cases ..." line under a test cell whose checks are all hidden;
* every control of every widget (sliders, dropdowns, toggle buttons,
  buttons) is moved and the widget's picture is redrawn;
* nbgrader's Validate button reports success;
* no IOPub message, widget error or page error anywhere.

The instructors' formgrader (as `make formgrader` starts it) lists every
assignment of the course, shows no warning, and its assignments table fits
at 1400 px beside the file browser.

Screenshots go to build/screenshots/: every figure of every solved notebook
(NAME/NN.png), the blank release's first screen, its note and its figures,
the Validate dialog, the formgrader, and index.html, one page that shows
them all with their notebook and the markdown heading above each figure.

Time: `make test` runs notebook 01 (tests/budget.py; marker ``browser``)
without Validate, and the formgrader on its course. The rest carries the
marker ``browser_all`` too and runs in `make test-browser`, which CI runs
after `make test`: notebooks 02-08, Validate on 01 (in a page of its own)
and on 02-08, the formgrader on their course.
BROWSER_NOTEBOOKS="04_optimizers 08_cnn" runs everything on the given
notebooks, whatever the marker.
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

from browser_screens import Shots, heading_above
from budget import MAKE_TEST_NOTEBOOKS
from grader import lab
from grader.course import Course
from grader.notebook import nbgrader_meta, solved
from grader.paths import BUILD, notebook_names
from grader.release import build

# nbgrader too: it builds the release and runs the Validate button (kept out of the fast loop)
pytestmark = [pytest.mark.browser, pytest.mark.nbgrader]

FAST = MAKE_TEST_NOTEBOOKS  # the ones `make test` runs
# The Validate button re-runs the whole notebook on the server (10-30 s):
# `make test` clicks it on one notebook, `make test-browser` on the others.
VALIDATE_FAST = ()  # Validate runs the whole notebook: make test-browser clicks it
CHOSEN = os.environ.get("BROWSER_NOTEBOOKS", "").split()
NAMES = CHOSEN or notebook_names()
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = BUILD / "screenshots"
RUN_TIMEOUT = 180_000  # ms for one Run All; a notebook takes 10-30 s on 2 cores
REDRAW_TIMEOUT = 30_000  # ms for a widget to redraw after one control moved
# JupyterLab settings for the test only: every cell in the DOM (no windowing,
# so outputs can be read), and no news/update toast over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                      "checkForUpdates": False},
}
HIDDEN_NOTE = "\u2139 More cases of this exercise are checked when your notebook is graded."
# What JupyterLab and ipywidgets print when a widget cannot be shown or updated.
WIDGET_ERRORS = re.compile(r"Error (displaying|creating|rendering) widget|Failed to load model class|"
                           r"Could not create (a )?(model|view)|Loading widget\.\.\.")
CONSOLE_ERRORS = re.compile(r"widget|comm|iopub|kernel", re.I)


def _params(fast=FAST):
    """Every notebook; those `make test` has no time for carry ``browser_all``."""
    return [pytest.param(n, marks=() if CHOSEN or n in fast else pytest.mark.browser_all) for n in NAMES]


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


def lab_settings(folder: Path) -> Path:
    for rel, value in LAB_SETTINGS.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(value))
    return folder


class Lab:
    """A running students' JupyterLab on ``work``."""

    def __init__(self, work: Path, tmp: Path):
        self.work, self.port, self.token = work, _free_port(), secrets.token_hex(16)
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(lab_settings(tmp / "lab-settings")),
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


def _selected_names(session) -> list[str]:
    """The notebooks whose tests this pytest session runs (after -m and -k)."""
    names = {item.callspec.params.get("name") or item.callspec.params.get("validated")
             for item in session.items if item.module.__name__ == __name__ and hasattr(item, "callspec")}
    return [n for n in NAMES if n in names]


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    sync_playwright = _browser_or_skip()
    names = _selected_names(request.session) or NAMES
    tmp = tmp_path_factory.mktemp("browser")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    releases = tmp / "releases"
    course = build(Course(tmp / "course"), names=names, target=releases)
    work = tmp / "work"
    lab.copy_missing(releases, work)  # the blank releases, as `make lab` copies them
    (work / "solved").mkdir()
    for name in names:
        nbformat.write(solved(course.release(name), course.source(name)), work / "solved" / f"{name}.ipynb")
    running = Lab(work, tmp)
    running.course, running.names, running.tmp = course, names, tmp
    try:
        with sync_playwright() as p:
            running.browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield running
            running.browser.close()
    finally:
        running.stop()


@pytest.fixture(scope="module", params=_params())
def name(request):
    return request.param


class Notebook:
    """A notebook open in a browser page of its own; Run All clicked."""

    def __init__(self, server, path):
        self.server, self.path = server, path
        self.nb = nbformat.read(server.work / path, as_version=4)
        self.started = time.monotonic()
        # tall enough that the tallest figure fits on screen whole for its screenshot
        self.page = server.browser.new_page(viewport={"width": 1280, "height": 1600})
        self.page.set_default_timeout(60_000)
        self.page_errors = []  # uncaught script errors, and console errors about widgets or messages
        self.page.on("pageerror", lambda e: self.page_errors.append(f"page error: {e}"))
        self.page.on("console", lambda m: m.type == "error" and CONSOLE_ERRORS.search(m.text)
                     and self.page_errors.append(f"console: {m.text[:500]}"))
        self.page.goto(server.url(path, re.sub(r"\W", "-", path)))
        # ready: the kernel has started and is idle (Run All earlier opens a
        # "Select Kernel" dialog), and nbgrader's Validate button is in the toolbar
        self.page.locator("#jp-main-statusbar").get_by_text(re.compile(r"ipykernel\) \| Idle$")).wait_for()
        self.page.locator(".validate-button").wait_for()
        self.cells = self.page.locator(".jp-Notebook .jp-Cell")
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()

    def wait(self, shot: Path):
        """Until Run All is over, then a screenshot of the first screen."""
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
            timeout_shot = SCREENSHOTS / ("timeout-" + self.path.replace("/", "-") + ".png")
            self.page.screenshot(path=str(timeout_shot))
            raise AssertionError(f"Run All of {self.path} did not finish; prompts {self.code_prompts()}, "
                                 f"screenshot {timeout_shot}") from e
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        self.page.screenshot(path=str(shot))
        self.seconds = time.monotonic() - self.started
        print(f"\n{self.path}: opened and run in {self.seconds:.0f} s")

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

    def problems(self) -> list[str]:
        """IOPub messages, widget errors and uncaught page errors seen so far."""
        found = [line for line in self.outputs().splitlines() if "IOPub" in line or WIDGET_ERRORS.search(line)]
        return found + self.page_errors

    def images(self):
        """(cell index, image element) of every picture in the outputs, widgets' included."""
        found = self.page.evaluate("""() => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
            return [...document.querySelectorAll('.jp-Notebook .jp-OutputArea img')]
                .map(img => cells.indexOf(img.closest('.jp-Cell')));
        }""")
        imgs = self.page.locator(".jp-Notebook .jp-OutputArea img")
        return [(cell, imgs.nth(i)) for i, cell in enumerate(found)]


@pytest.fixture(scope="module")
def notebooks(server, name):
    """The blank release and the solved notebook of ``name``, run side by
    side (two kernels keep both cores busy; each notebook is mostly one thread)."""
    shots = Shots(SCREENSHOTS, name)
    opened = {"blank": Notebook(server, f"{name}.ipynb"),
              "solved": Notebook(server, f"solved/{name}.ipynb")}
    try:
        opened["blank"].wait(shots.path("blank.png"))
        shots.add("blank.png", "screen", "The blank release after Run All: the last cell ran")
        opened["solved"].wait(shots.path("solved.png"))
        shots.add("solved.png", "screen", "The solved notebook after Run All")
        for nb in opened.values():
            nb.shots = shots
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
    long_notes = [t for t in blank.error_texts() if "NotImplementedError" in t and not t.strip().startswith("Not answered yet:")]
    assert not long_notes, long_notes[0][:1000]
    assert not blank.problems(), blank.problems()[:5]


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(float(v)) for v in re.findall(r"[\d.]+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_note_is_readable(blank):
    """Dark text on a pale background with a left border, words kept whole,
    and no pink error block under it (JupyterLab's light theme)."""
    notes = blank.page.locator(".dlc-not-answered")
    assert notes.count(), "no note box in the blank release"
    for i in range(notes.count()):
        style = notes.nth(i).evaluate("""el => {
            const s = getComputedStyle(el);
            const child = el.closest('.jp-OutputArea-child');
            const next = child && child.nextElementSibling;
            return {color: s.color, background: s.backgroundColor, border: parseFloat(s.borderLeftWidth),
                    borderStyle: s.borderLeftStyle, wordBreak: s.wordBreak, whiteSpace: s.whiteSpace,
                    errorShown: !!(next && next.querySelector("[data-mime-type='application/vnd.jupyter.stderr']")
                                   && next.offsetParent !== null)};
        }""")
        dark, pale = _luminance(style["color"]), _luminance(style["background"])
        assert (pale + 0.05) / (dark + 0.05) >= 7, f"note {i}: contrast too low: {style}"
        assert pale > 0.8 and style["border"] >= 3 and style["borderStyle"] == "solid", style
        assert style["wordBreak"] == "normal" and style["whiteSpace"] == "normal", style
        assert not style["errorShown"], f"note {i}: the pink error output still shows under the box"
    first = notes.first
    first.scroll_into_view_if_needed()
    first.screenshot(path=str(blank.shots.path("note.png")))
    blank.shots.add("note.png", "blank", "The \"Not answered yet\" note (first one)")


def test_blank_figures_are_saved(blank):
    """The pictures the blank release draws before any answer (data, not empty axes)."""
    blank.shots.forget(r"blank-\d+\.png")
    for n, (cell, img) in enumerate(blank.images(), 1):
        file = f"blank-{n:02d}.png"
        img.scroll_into_view_if_needed()
        img.screenshot(path=str(blank.shots.path(file)))
        blank.shots.add(file, "blank", heading_above(blank.nb.cells, cell) or "(no heading)", cell)


def test_solved_passes_every_visible_test(solution):
    prompts = solution.code_prompts()
    assert re.search(r"\d", prompts[-1]), f"Run All stopped early: {prompts}"
    nb = solution.nb
    assert solution.cells.count() == len(nb.cells)
    tests = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and nbgrader_meta(c).get("grade")]
    assert tests
    wrong = []
    for i in tests:
        text, gid = solution.outputs(i), nbgrader_meta(nb.cells[i])["grade_id"]
        if "passed(" in nb.cells[i].source:  # a visible test ends with passed(...)
            if not re.search(r"^✔", text, re.M):
                wrong.append(f"{gid}: no ✔: {text[-300:]!r}")
        elif text.strip() != HIDDEN_NOTE:  # all its checks hidden: that one line, nothing else
            wrong.append(f"{gid} (checks all hidden) should print {HIDDEN_NOTE!r}, printed {text[-300:]!r}")
    assert not wrong, "\n".join(wrong)
    text = solution.outputs()
    assert "Traceback" not in text
    errors = [t for t in solution.error_texts() if re.search(r"\w+Error\b", t)]
    assert not errors, errors[0][:1000]
    assert not solution.problems(), solution.problems()[:5]


def test_every_figure_is_saved(solution):
    """An element screenshot of every picture of the solved notebook, widgets'
    first pictures included, captioned with the heading above it."""
    solution.shots.forget(r"\d+\.png")
    images = solution.images()
    assert images, "the solved notebook shows no figure"
    for n, (cell, img) in enumerate(images, 1):
        file = f"{n:02d}.png"
        img.scroll_into_view_if_needed()
        img.screenshot(path=str(solution.shots.path(file)))
        solution.shots.add(file, "figure", heading_above(solution.nb.cells, cell) or "(no heading)", cell)
    print(f"{solution.path}: {len(images)} figures saved under {solution.shots.folder}")


def test_students_see_only_the_validate_button(solution):
    page = solution.page
    assert page.locator(".validate-button").is_visible()
    assert not page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count()
    assert not page.locator("#nbgrader-create_assignemnt").count()  # nbgrader's own spelling
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"http://127.0.0.1:{solution.server.port}/formgrader?token={solution.server.token}")


# Every control of a widget box, in page order (none inside its output).
CONTROLS = ", ".join(f"{c}:not(.widget-output *)" for c in (
    ".widget-slider .noUi-handle", ".widget-dropdown select", ".widget-toggle-buttons",
    "button.widget-button", "button.widget-toggle-button:not(.widget-toggle-buttons *)",
    ".widget-checkbox input"))
KIND = """el => el.matches('.noUi-handle') ? 'slider' : el.matches('select') ? 'dropdown'
    : el.matches('.widget-toggle-buttons') ? 'toggle buttons' : el.matches('input') ? 'checkbox' : 'button'"""


def _pictures(box):
    """The HTML of the box's output areas (what a redraw changes)."""
    return box.evaluate("box => [...box.querySelectorAll('.widget-output')].map(o => o.innerHTML).join('\\n')")


def _move(page, kind, control):
    """A slider one step from the keyboard (back at its end), a dropdown to
    another option, toggle buttons to one not selected; click the rest. First
    the kernel is idle: the last redraw has finished, as a student sees it."""
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    if kind == "slider":
        at_end = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        control.focus()
        page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    elif kind == "dropdown":
        current = control.evaluate("s => s.value")
        others = [o for o in control.evaluate("s => [...s.options].map(o => o.value)") if o != current]
        control.select_option(others[0])
    elif kind == "toggle buttons":
        control.locator("button:not(.mod-active)").first.click()
    else:
        control.click()


def _redrawn(page, box, before, what):
    try:
        page.wait_for_function(
            """([box, before]) => {
                const now = [...box.querySelectorAll('.widget-output')].map(o => o.innerHTML).join('\\n');
                return now !== before && box.querySelector('.widget-output img, .widget-output svg, .widget-output pre');
            }""", arg=[box.element_handle(), before], timeout=REDRAW_TIMEOUT, polling=100)
    except Exception as e:
        state = box.evaluate("""box => ({focus: document.activeElement && document.activeElement.className,
            sliders: [...box.querySelectorAll('.noUi-handle')].map(h => h.getAttribute('aria-valuenow')),
            readouts: [...box.querySelectorAll('.widget-readout')].map(r => r.textContent),
            active: [...box.querySelectorAll('.mod-active')].map(b => b.textContent),
            cell: box.closest('.jp-Cell').querySelector('.jp-OutputArea').innerText.slice(-1500),
            kernel: document.querySelector('.jp-Notebook-ExecutionIndicator').dataset.status})""")
        page.wait_for_timeout(5000)
        state["changed 5 s later"] = _pictures(box) != before
        raise AssertionError(f"{what}: the widget's output did not redraw; {state}") from e
    text = "\n".join(box.locator(".widget-output").all_inner_texts())
    assert "Traceback" not in text and not re.search(r"\w+Error\b", text), f"{what}: {text[-1000:]}"


def test_every_widget_control_redraws(solution):
    page = solution.page
    boxes = page.locator(".jp-OutputArea-output > .jupyter-widgets.widget-vbox")
    assert boxes.count(), "the solved notebook shows no widget"
    moved = []
    for b in range(boxes.count()):
        box = boxes.nth(b)
        box.scroll_into_view_if_needed()
        box.locator(".widget-output").first.locator("img, svg, pre").first.wait_for()
        controls = box.locator(CONTROLS)
        kinds = [controls.nth(i).evaluate(KIND) for i in range(controls.count())]
        assert kinds, f"widget {b} has no control"
        for i, kind in enumerate(kinds):
            what = f"widget {b + 1}, control {i + 1} ({kind})"
            if kind == "button" and "slider" in kinds:
                # a button sets something back: move a slider first, so that it shows
                before = _pictures(box)
                _move(page, "slider", controls.nth(kinds.index("slider")))
                _redrawn(page, box, before, what + ", the slider moved before it")
            before = _pictures(box)
            _move(page, kind, controls.nth(i))
            _redrawn(page, box, before, what)
            moved.append(kind)
    assert not solution.problems(), solution.problems()[:5]
    print(f"{solution.path}: {len(moved)} controls moved ({', '.join(moved)}), each redrew its widget")


def _validate(page, name):
    """Click Validate (it saves the notebook, then nbgrader runs it on the
    server: as long as a Run All) and expect success."""
    shots = Shots(SCREENSHOTS, name)
    started = time.monotonic()
    page.locator(".validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("#validation-message").wait_for(timeout=RUN_TIMEOUT)
    text = dialog.inner_text()
    page.screenshot(path=str(shots.path("validate.png")))
    shots.add("validate.png", "screen", "Validate on the solved notebook")
    print(f"\n{name}: validated in {time.monotonic() - started:.0f} s")
    assert "Success! Your notebook passes all the tests." in text, text[:2000]
    dialog.get_by_role("button", name="Ok").click()


def test_validate_button_reports_success(solution, name):
    if not CHOSEN and name in FAST and name not in VALIDATE_FAST:
        pytest.skip("`make test` has no time for Validate; `make test-browser` clicks it on this one "
                    "(test_validate_in_a_page_of_its_own)")
    _validate(solution.page, name)


@pytest.mark.browser_all
@pytest.mark.parametrize("validated", [] if CHOSEN else [n for n in FAST if n not in VALIDATE_FAST])
def test_validate_in_a_page_of_its_own(server, validated):
    """Validate on the notebooks `make test` runs but does not validate."""
    page = server.browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_default_timeout(60_000)
        page.goto(server.url(f"solved/{validated}.ipynb", f"validate-{validated}"))
        page.locator("#jp-main-statusbar").get_by_text(re.compile(r"ipykernel\) \| Idle$")).wait_for()
        page.locator(".validate-button").wait_for()
        _validate(page, validated)
    finally:
        page.close()
        server.shutdown_kernels()


def _assert_fits(frame, when):
    fit = frame.evaluate("""() => {
        const table = document.querySelector('#main-table').closest('table');
        return {right: table.getBoundingClientRect().right, width: document.documentElement.clientWidth,
                scroll: document.documentElement.scrollWidth};
    }""")
    assert fit["right"] <= fit["width"] and fit["scroll"] <= fit["width"], f"the table is cut ({when}): {fit}"


@pytest.mark.parametrize("run", ["make test", pytest.param("make test-browser", marks=pytest.mark.browser_all)])
def test_formgrader_lists_every_assignment_and_fits(server, tmp_path, run):
    """The instructors' formgrader on this run's course (each of the two
    browser runs has its own): every assignment listed, no warning (the
    exchange exists), and at 1400 px with the file browser open the
    assignments table ends inside the panel."""
    import test_browser_sanitized

    course = server.course.root
    lab_settings(tmp_path / "lab-settings")
    formgrader = test_browser_sanitized.Formgrader(course, tmp_path)
    try:
        page = server.browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{formgrader.port}/lab/workspaces/formgrader?token={formgrader.token}")
        page.locator(".jp-DirListing-item").first.wait_for()  # the file browser is open (JupyterLab's default)
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Formgrader$")).click()
        page.frame_locator("iframe").first.locator("#main-table tr").first.wait_for()
        frame = next(f for f in page.frames if "/formgrader/manage_assignments" in f.url)
        frame.wait_for_function("n => document.querySelectorAll('#main-table tr').length >= n",
                                arg=len(server.names))
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOTS / f"formgrader-{run.replace(' ', '-')}.png"))
        listed = frame.locator("#main-table tr td:first-child").all_inner_texts()
        assert sorted(t.strip() for t in listed) == sorted(server.names), listed
        warnings = [t for t in frame.locator(".alert").all_inner_texts() if t.strip()]
        assert not warnings, warnings
        _assert_fits(frame, "drafts")
        # Release works (the exchange is there), and the table still fits with its wider "released" row
        first = server.names[0]
        frame.locator("#main-table tr", has_text=first).locator("td.release a").click()
        frame.locator("#success-modal, #error-modal").wait_for()
        assert frame.locator("#success-modal").count(), frame.locator("#error-modal").inner_text()[:2000]
        assert (course / "exchange" / lab.COURSE_ID / "outbound" / first).is_dir()
        frame.locator("#success-modal .modal-footer button").click()
        frame.locator("#main-table tr", has_text=first).get_by_text("released").wait_for()
        _assert_fits(frame, "one released")
        frame.locator("#main-table tr", has_text=first).locator("td.release a").click()  # unrelease: as it was
        frame.locator("#success-modal .modal-footer button").click()
        frame.locator("#main-table tr", has_text=first).get_by_text("draft").wait_for()
        page.close()
    finally:
        formgrader.stop()
