"""A submission with scripts in it, opened where people look at it: no script runs.

One student, mallory, writes HTML, an ``onerror`` image, a ``javascript:``
link and a ``javascript:`` iframe into the written answer, and makes the
``add`` cell display HTML and JavaScript when it runs; one honest student
beside her. The tiny class is graded (sandboxed) with ``autograde_class``,
then Debian's Chromium (through Playwright, never a downloaded browser)
opens

* mallory's feedback HTML, as the student gets it, and
* her submission in nbgrader's formgrader, in the instructors' JupyterLab
  started the way ``make formgrader`` starts it (grader/lab.py), where a
  script would run on the Jupyter server's own origin and could write files
  through the contents API with the XSRF cookie.

Nothing may set the page title, open a dialog or write ``pwned-md.txt``.
Controls show the same payloads do all of that when not sanitized (nbconvert's
HTMLExporter, and an unsanitized copy of the autograded notebook in the same
formgrader), so the test cannot pass because the payloads are duds.
Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import copy
import csv
import os
import re
import secrets
import subprocess
import time
import urllib.error

import nbformat
import pytest

from grader import lab
from grader.autograde import autograde_class
from grader.course import Course
from grader.notebook import solved
from grader.sandbox import bubblewrap_problem

from conftest import FIXTURES, TINY, cell
from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Lab, _browser_or_skip, _free_port, wait_until_up

pytestmark = [pytest.mark.browser, pytest.mark.nbgrader, pytest.mark.sandbox,
              pytest.mark.skipif(bubblewrap_problem() is not None, reason=str(bubblewrap_problem()))]

PWNED_FILE = "pwned-md.txt"
# The script writes PWNED_FILE through the Jupyter contents API, as a script
# on the formgrader's origin can: the XSRF token comes from the page's cookie.
FETCH = ("fetch('/api/contents/" + PWNED_FILE + "', {method:'PUT', headers:{'Content-Type':'application/json', "
          "'X-XSRFToken': (document.cookie.match(/_xsrf=([^;]*)/) || [])[1] || ''}, "
          "body: JSON.stringify({type:'file', format:'text', content:'x'})})")
SCRIPT = "document.title='PWNED-md'; " + FETCH
WRITTEN_ANSWER = (
    "Because it does.\n\n"
    f"<script>{SCRIPT}</script>\n\n"
    "<img src=x onerror=\"document.title='PWNED-img'\">\n\n"
    "[click](javascript:document.title='PWNED-link')\n\n"
    "<iframe src=\"javascript:parent.document.title='PWNED-iframe'\"></iframe>\n")
OUTPUT_HTML = "<script>document.title='PWNED-out'</script><img src=x onerror=\"document.title='PWNED-out-img'\">"
OUTPUT_JS = "document.title='PWNED-js'"
ADD_ANSWER = (
    "from IPython.display import HTML, Javascript, display\n"
    f"display(HTML({OUTPUT_HTML!r}))\n"
    f"display(Javascript({OUTPUT_JS!r}))\n"
    "def add(a, b):\n    return a + b\n")
# What the add cell's outputs are before the grader sanitizes them (for the controls).
RAW_OUTPUTS = [
    nbformat.v4.new_output("display_data", {"text/html": OUTPUT_HTML,
                                            "text/plain": "<IPython.core.display.HTML object>"}),
    nbformat.v4.new_output("display_data", {"application/javascript": OUTPUT_JS,
                                            "text/plain": "<IPython.core.display.Javascript object>"}),
]

# The formgrader page is loaded: the notebook's title cell is shown.
READY = "text=A tiny notebook for testing the grader"
# In every frame, before any page script: every value written to
# document.title is kept in window.__titles (the last one alone could hide an
# earlier write; the iframe's parent.document.title goes through the parent's
# setter).
RECORD_TITLES = """(() => {
    const title = Object.getOwnPropertyDescriptor(Document.prototype, 'title');
    const seen = [];
    Object.defineProperty(window, '__titles', {value: seen});
    Object.defineProperty(Document.prototype, 'title', {
        configurable: true,
        get() { return title.get.call(this); },
        set(value) { seen.push(String(value)); title.set.call(this, value); },
    });
})()"""
# What is still live in the DOM: scripts and event handlers carrying a
# payload, javascript: links and frames (however the scheme is written).
LIVE_PAYLOADS = """() => {
    const found = [];
    for (const s of document.querySelectorAll('script'))
        if (s.textContent.includes('PWNED')) found.push('script: ' + s.textContent.slice(0, 80));
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.attributes) {
            const v = a.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
            if (a.name.startsWith('on') && a.value.includes('PWNED'))
                found.push(`${el.tagName.toLowerCase()} ${a.name}: ${a.value}`);
            else if (['href', 'src', 'action', 'formaction', 'data'].includes(a.name) && v.startsWith('javascript:'))
                found.push(`${el.tagName.toLowerCase()} ${a.name}: ${a.value}`);
        }
    }
    return found;
}"""


def _raw_add_and_answer(nb):
    """``nb`` (a copy) with mallory's written answer and her add cell's outputs as they were
    before sanitizing: what the autograded notebook would hold without the grader's sanitize."""
    nb = copy.deepcopy(nb)
    cell(nb, "q_why").source = WRITTEN_ANSWER
    add = cell(nb, "add")
    add.source, add.outputs, add.execution_count = ADD_ANSWER, copy.deepcopy(RAW_OUTPUTS), 1
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The tiny class graded: mallory, honest and control (whose autograded
    notebook the formgrader control replaces with an unsanitized one)."""
    tmp = tmp_path_factory.mktemp("sanitized")
    course = Course(tmp / "course", timeout=20, solutions=FIXTURES)
    course.build([TINY])
    release, source = course.release(TINY), course.source(TINY)
    subs, out = tmp / "subs", tmp / "out"
    handed_in = {}
    for student in ("mallory", "honest", "control"):
        nb = solved(release, source)
        if student == "mallory":
            cell(nb, "q_why").source = WRITTEN_ANSWER
            cell(nb, "add").source = ADD_ANSWER
        path = subs / student / f"{TINY}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
        handed_in[student] = nb
    autograde_class(TINY, subs, out=out, course=course, workers=2, preflight=False, progress=False)
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    for student in handed_in:
        assert (out / "feedback" / student / f"{TINY}.html").exists(), rows[student]
        assert course.autograded_path(TINY, student).exists(), rows[student]
    # her add is right: the displays cost her nothing and stopped nothing
    assert rows["mallory"]["points"] == rows["honest"]["points"] == "5", (rows["mallory"], rows["honest"])
    return tmp, course, out, handed_in


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _browser_or_skip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Formgrader(Lab):
    """The instructors' JupyterLab with nbgrader's formgrader on ``course``,
    started as grader/lab.py's ``formgrader`` (``make formgrader``) starts it,
    but as a child process on a free loopback port with a token of our own."""

    def __init__(self, course, tmp):
        self.work, self.port, self.token = course, _free_port(), secrets.token_hex(16)
        config = lab.instructor_config(tmp / "jupyter-instructor", course)
        env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "lab-settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"))
        self.log = tmp / "formgrader.log"
        # cwd: nbgrader's extensions also read nbgrader_config.py from there (as lab.formgrader)
        self.proc = subprocess.Popen(lab.command(course, self.port, self.token, browser=False), cwd=course,
                                     env=lab.environment(config, env), stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT)
        wait_until_up(self, "the formgrader")

    def submission_url(self, student):
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.work / 'gradebook.db'}") as gb:
            sid = gb.find_submission_notebook(TINY, TINY, student).id
        return f"http://127.0.0.1:{self.port}/formgrader/submissions/{sid}/"

    def login_url(self):
        # As an instructor's browser is after `make formgrader` opened JupyterLab with the
        # token: logged in by a cookie for the whole server (the formgrader's own pages set
        # theirs for their own path only), so the page's scripts reach the server's API.
        return f"http://127.0.0.1:{self.port}/api/status?token={self.token}"

    def has(self, path):
        try:
            self.api(f"contents/{path}")
            return True
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return False
            raise


@pytest.fixture(scope="module")
def formgrader(graded):
    tmp, course, _, _ = graded
    server = Formgrader(course.root, tmp)
    try:
        yield server
    finally:
        server.stop()


class Visit:
    """One page in a fresh context: every title write and dialog recorded,
    nothing fetched but from the loopback (or the file itself)."""

    def __init__(self, browser, url, ready=None, login=None):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(RECORD_TITLES)
        self.context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        self.dialogs = []
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("dialog", self._dialog)
        if login:
            self.page.goto(login)
        self.page.goto(url)
        if ready:
            self.page.locator(ready).first.wait_for()
        self.page.wait_for_timeout(1000)  # time for anything that would run late

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def titles(self):
        return self.page.evaluate("() => [...window.__titles, document.title]")

    def pwned(self):
        """Every PWNED title written and every dialog opened."""
        return [t for t in self.titles() if "PWNED" in t] + self.dialogs

    def live(self):
        return self.page.evaluate(LIVE_PAYLOADS)

    def click_link(self, name):
        link = self.page.get_by_role("link", name=name, exact=True)
        if link.count():
            link.first.click()
            self.page.wait_for_timeout(500)
        return link.count()

    def close(self):
        self.context.close()


def _assert_clean(visit, where):
    assert not visit.pwned(), f"{where}: a script ran: {visit.pwned()}"
    assert not visit.live(), f"{where}: live payloads in the page: {visit.live()}"
    text = visit.page.inner_text("body")
    # what she wrote stays visible, as text
    assert "<script>document.title='PWNED-md'" in text, f"{where}: the written answer is not shown"


def test_feedback_runs_no_script(browser, graded):
    _, _, out, _ = graded
    path = out / "feedback" / "mallory" / f"{TINY}.html"
    visit = Visit(browser, path.as_uri())
    try:
        visit.page.screenshot(path=str(SCREENSHOTS / "feedback-sanitized.png"), full_page=True)
        _assert_clean(visit, path)
        clicked = visit.click_link("click")
        assert clicked, "the written answer's link is gone from the feedback"
        assert not visit.pwned(), f"{path}: clicking the link ran a script: {visit.pwned()}"
    finally:
        visit.close()


def test_control_unsanitized_html_runs_the_scripts(browser, graded):
    """The same answer and outputs through nbconvert's HTMLExporter, unsanitized: they run."""
    from nbconvert import HTMLExporter

    tmp, _, _, handed_in = graded
    html, _ = HTMLExporter().from_notebook_node(_raw_add_and_answer(handed_in["mallory"]))
    path = tmp / "unsanitized.html"
    path.write_text(html)
    visit = Visit(browser, path.as_uri())
    try:
        titles = visit.pwned()
        assert "PWNED-md" in titles, f"control: the unsanitized script did not run ({titles})"
        assert "PWNED-img" in titles and "PWNED-out" in titles, titles
        assert visit.live(), "control: the payload finder found nothing in an unsanitized page"
        print(f"\ncontrol (nbconvert, unsanitized): titles {sorted(set(titles))}, live {len(visit.live())}")
    finally:
        visit.close()


def test_formgrader_runs_no_script(browser, graded, formgrader):
    assert not formgrader.has(PWNED_FILE)
    url = formgrader.submission_url("mallory")
    visit = Visit(browser, url, ready=READY, login=formgrader.login_url())
    try:
        visit.page.screenshot(path=str(SCREENSHOTS / "formgrader-sanitized.png"), full_page=True)
        _assert_clean(visit, "formgrader")
        time.sleep(0.5)  # a fetch that had started would be done by now
        assert not formgrader.has(PWNED_FILE), "a script in the formgrader wrote through the contents API"
        assert not (formgrader.work / PWNED_FILE).exists()
        if visit.click_link("click"):
            assert not visit.pwned(), f"formgrader: clicking the link ran a script: {visit.pwned()}"
        # the payload is no dud on this origin: run as a script, it writes the file
        status = visit.page.evaluate(f"async () => (await {FETCH}).status")
        assert status == 201 and formgrader.has(PWNED_FILE), "control: the payload cannot write through the contents API here"
        formgrader.api(f"contents/{PWNED_FILE}", "DELETE")
    finally:
        visit.close()


def test_control_unsanitized_formgrader_runs_the_scripts(browser, graded, formgrader):
    """The same formgrader on an autograded notebook that was not sanitized: the scripts run."""
    _, course, _, _ = graded
    path = course.autograded_path(TINY, "control")
    nbformat.write(_raw_add_and_answer(nbformat.read(path, as_version=4)), path)
    assert not formgrader.has(PWNED_FILE)
    visit = Visit(browser, formgrader.submission_url("control"), ready=READY,
                  login=formgrader.login_url())
    try:
        deadline = time.monotonic() + 5
        while not formgrader.has(PWNED_FILE) and time.monotonic() < deadline:
            time.sleep(0.2)
        visit.page.screenshot(path=str(SCREENSHOTS / "formgrader-unsanitized-control.png"), full_page=True)
        titles = visit.pwned()
        assert "PWNED-md" in titles, f"control: the unsanitized script did not run in the formgrader ({titles})"
        assert formgrader.has(PWNED_FILE), "control: the unsanitized script did not write through the contents API"
        print(f"\ncontrol (formgrader, unsanitized): titles {sorted(set(titles))}, wrote {PWNED_FILE}")
    finally:
        visit.close()
        if formgrader.has(PWNED_FILE):
            formgrader.api(f"contents/{PWNED_FILE}", "DELETE")
