"""grader.sanitize: a hostile notebook, once sanitized, runs no student script
in any rendering that instructors and students see (nbconvert's lab, classic
and reveal templates; nbgrader's formgrade and feedback templates), and
honest work still shows as it was written.

A rendering is judged by its active parts: script, iframe, object, embed,
form, base, meta, link, style, svg and the like; event handler attributes;
href/src/action/... attributes with a javascript:, vbscript:, file: or
non-image data: URL; a MathJax \\href to such a URL. Every template has a few
of these itself, so a hostile notebook's rendering must have exactly the
active parts of a clean notebook's. (The escaped attack text, such as
``<img src=x onerror=...>``, stays visible as text, so searching the page for
"onerror=" would find the student's harmless words.)
"""
from __future__ import annotations

import base64
import copy
import glob
import json
import os
import re
from collections import Counter
from html.parser import HTMLParser

import nbformat
import nbgrader
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbconvert import HTMLExporter, SlidesExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbformat import v4
from traitlets.config import Config

from grader.sanitize import defuse_markdown, safe_html_exporter_config, sanitize

# a 2x2 PNG
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")
SVG_B64 = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>').decode()
HTML_B64 = base64.b64encode(b"<script>alert(1)</script>").decode()

# --------------------------------------------------------------------------
# Rendering as instructors and students see it
# --------------------------------------------------------------------------

FORMGRADER = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
TEMPLATES = {
    # nbconvert's default, and what a plain `jupyter nbconvert --to html` gives
    "lab": (Config({"HTMLExporter": {"template_name": "lab"}}), {}),
    "classic": (Config({"HTMLExporter": {"template_name": "classic"}}), {}),
    # `--to slides`, which writes cell metadata into attributes
    "reveal": (Config({"SlidesExporter": {}}), {}),
    # nbgrader's formgrader (formgrader.py) and generate_feedback (generate_feedback.py)
    "formgrade": (Config({"HTMLExporter": {
        "template_name": "formgrade",
        "extra_template_basedirs": [os.path.join(FORMGRADER, "templates")]}}),
        {"base_url": "/base", "index": 0, "total": 1, "assignment_id": "ps1", "notebook_id": "nb",
         "submission_id": "sub", "student": "st", "notebook_path": "/tree/x.ipynb"}),
    "feedback": (Config({"HTMLExporter": {
        "template_name": "feedback",
        "extra_template_basedirs": [os.path.join(FORMGRADER, "templates")],
        "extra_template_paths": [os.path.join(FORMGRADER, "static", "node_modules", "bootstrap", "dist", "css")]}}),
        {"nbgrader": {"notebook": "nb", "score": 1.0, "max_score": 3.0, "late_penalty": 0}}),
}
_exporters: dict = {}


def render(nb, template: str, sanitize_html: bool = False) -> str:
    key = (template, sanitize_html)
    if key not in _exporters:
        config = copy.deepcopy(TEMPLATES[template][0])
        if sanitize_html:
            config.merge(safe_html_exporter_config())
        _exporters[key] = (SlidesExporter if "SlidesExporter" in config else HTMLExporter)(config=config)
    nb = copy.deepcopy(nb)
    if template == "feedback":  # what nbgrader's GetGrades adds from the gradebook
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") or meta.get("task"):
                meta["comment"] = "Good *work*."
            if meta.get("grade") or meta.get("task"):
                meta["score"] = 1.0
    html, _ = _exporters[key].from_notebook_node(nb, resources=copy.deepcopy(TEMPLATES[template][1]))
    return html


ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base",
               "meta", "link", "style", "svg", "math", "template", "portal", "noscript", "audio",
               "video", "source", "track", "isindex"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
             "srcset", "lowsrc", "dynsrc", "ping", "codebase", "cite", "longdesc", "usemap", "content"}
C0_AND_SPACE = "".join(map(chr, range(33)))  # what browsers strip from the start of a URL
BAD_URL = re.compile(r"(javascript|vbscript|livescript|mocha|file|data(?!:image/(png|jpeg|gif)[;,])):")
MATHJAX_CSS = re.compile(r"\\(style|class|cssId)(?![A-Za-z])")
BAD_HREF = re.compile(r"\\href\s*\{\s*(javascript|vbscript|livescript|file|data(?!:image/(png|jpeg|gif)[;,]))\s*:", re.I)


class Active(HTMLParser):
    """The active parts of a page, and its text."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.found, self.text, self._raw = Counter(), [], 0
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        if tag in ("script", "style"):
            self._raw += 1

    def handle_startendtag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found["<" + tag] += 1
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction"):
                self.found[f"{tag} {name}="] += 1
            if name in URL_ATTRS and value:
                url = re.sub(r"[\t\n\r]", "", value).lstrip(C0_AND_SPACE).lower()
                if BAD_URL.match(url) or (name == "content" and "url=" in url and "javascript" in url):
                    self.found[f"{tag} {name}={url[:20]}"] += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data):
        if not self._raw:
            self.text.append(data)


def active(page: str) -> Counter:
    parsed = Active(page)
    found = parsed.found
    for text in parsed.text:  # MathJax typesets the text of one element at a time
        if BAD_HREF.search(text) or MATHJAX_CSS.search(text):
            found["MathJax \\href or \\style"] += 1
    return found


# --------------------------------------------------------------------------
# Notebooks
# --------------------------------------------------------------------------

def answer(source, gid="answer"):
    """A written answer, as nbgrader marks it."""
    return v4.new_markdown_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": True, "locked": False, "grade_id": gid, "points": 2,
        "schema_version": 3, "cell_type": "markdown", "checksum": "0123abcd"}})


def clean_notebook():
    nb = v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.0", "pygments_lexer": "ipython3",
                                     "codemirror_mode": {"name": "ipython", "version": 3}}}
    nb.cells = [
        v4.new_markdown_cell("# Notebook\n\nSome *instructions*.", metadata={"nbgrader": {
            "grade": False, "solution": False, "locked": True, "grade_id": "intro", "schema_version": 3}}),
        v4.new_code_cell("def add(a, b):\n    return a + b", execution_count=1, metadata={"nbgrader": {
            "grade": False, "solution": True, "locked": False, "grade_id": "add", "schema_version": 3},
            "tags": ["raises-exception"]}),
        v4.new_code_cell("assert add(1, 2) == 3", execution_count=2, metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": "test_add", "points": 1,
            "schema_version": 3}}),
        answer("An honest answer.", "honest"),
    ]
    return nb


def with_cells(*cells, **notebook_metadata):
    nb = clean_notebook()
    nb.cells += [nbformat.from_dict(c) for c in cells]
    nb.metadata.update(notebook_metadata)
    return nb


def code(*outputs, **fields):
    cell = v4.new_code_cell("show()", execution_count=3)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.update(fields)
    return cell


def display(data, metadata=None, kind="display_data"):
    out = {"output_type": kind, "data": data, "metadata": metadata or {}}
    if kind == "execute_result":
        out["execution_count"] = 3
    return out


MARKDOWN_ATTACKS = {
    "script": '<script>alert("XSS")</script>',
    "img_onerror": "<img src=x onerror=\"alert('XSS')\">",
    "svg_onload": '<svg onload=alert(1)><script>alert(2)</script></svg>',
    "iframe": '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>">',
    "acting_tags": ('<object data="x.swf"></object><embed src="x.swf"><form action="https://evil.example">'
                    '<input type=submit formaction="javascript:alert(1)"></form><base href="https://evil.example/">'
                    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'
                    '<link rel=stylesheet href="https://evil.example/x.css">'
                    '<style>body{background:url(https://evil.example/)}</style>'),
    "a_href": '<a href="javascript:alert(1)">click</a> <a href="JaVaScRiPt&colon;alert(1)">x</a>',
    "details_ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "tag_spellings": ("<ScRiPt>alert(1)</sCrIpT> </p><script>alert(1)</script> <<script>alert(1)//<</script> "
                      "<!--x--><script>alert(1)</script> <?x?> <![CDATA[<script>alert(1)</script>]]> "
                      "<img/src=x/onerror=alert(1)> <img\nsrc=x\nonerror=alert(1)>"),
    "html_block": "<div>\n\n<img src=x onerror=alert(1)>\n\n</div>\n\n<pre>\n<script>alert(1)</script>\n</pre>",
    "autolink": "<javascript:alert(1)> <vbscript:msgbox(1)>",
    "md_link": "[a](javascript:alert(1))",
    "md_link_case_space": "[a]( JaVaScRiPt:alert(1))",
    "md_link_entity": ("[a](&#106;avascript:alert(1)) [b](&#x6A;avascript&#58;alert(1)) "
                       "[c](&amp;#106;avascript:alert(1)) [d](javascript&colon;alert(1))"),
    "md_link_escapes": "[a](javascript\\:alert(1)) [b](java&#9;script:alert(1)) [c](&#1;javascript:alert(1))",
    "md_link_angle": "[a](<javascript:alert(1)>)",
    "md_image_title": '![a](javascript:alert(1) "t") [b](javascript:alert(1) "t")',
    "reference": ("[a] and ![i][b] and [c][]\n\n[a]: javascript:alert(1)\n[b]:\n   "
                  "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\n[c]: <javascript:alert(1)> 'x'"),
    "image_data": ("![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
                   "[y](data:text/html,<script>alert(1)</script>)"),
    "other_schemes": "[v](vbscript:msgbox(1)) [f](file:///etc/passwd)",
    "mermaid": '```mermaid\ngraph TD\nA["<img src=x onerror=alert(1)>"]\n```\n\n~~~ &#109;ermaid\nx\n~~~',
    "mathjax_href": "$\\href{javascript:alert(1)}{click}$ and &#36;\\h&#114;ef{javascript:alert(1)}{x}&#36;",
    "math_html": "$<script>alert(1)</script>$ $$\n<img src=x onerror=alert(1)>\n$$ \\begin{align}<b>\\end{align}",
    "table_html": "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <script>alert(1)</script> |",
    "nested_html": "- item\n  <img src=x onerror=alert(1)>\n\n> <script>alert(1)</script>\n\n    <script>alert(1)</script>",
    "entity_tags": "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62; `<b>`",
    "mathjax_css": ("$\\style{position:fixed;top:0;left:0}{\\text{Score: 100/100}}$ $\\class{navbar-fixed-top}{x}$ "
                    "$\\cssId{statusmessage}{y}$ $\\href%\n{javascript:alert(1)}{z}$"),
    # nbconvert stops on these (a student could keep their notebook from being shown)
    "fence_crash": "~~~ &NewLine;\nx\n~~~",
}

OTHER_ATTACKS = {
    "raw_html": lambda: with_cells(v4.new_raw_cell(
        "<script>alert(1)</script><img src=x onerror=alert(1)>", metadata={"raw_mimetype": "text/html"})),
    "raw_format": lambda: with_cells(v4.new_raw_cell(
        "<svg onload=alert(1)>", metadata={"format": "text/html"})),
    "raw_plain": lambda: with_cells(v4.new_raw_cell("<iframe src=javascript:alert(1)></iframe>$\\href{javascript:alert(1)}{x}$")),
    "raw_markdown": lambda: with_cells(v4.new_raw_cell(
        "[a](javascript:alert(1)) <script>alert(1)</script>", metadata={"raw_mimetype": "text/markdown"})),
    "html_output": lambda: with_cells(code(display({"text/html": "<script>alert(1)</script>",
                                                    "text/plain": "<IPython.core.display.HTML object>"}))),
    "js_output": lambda: with_cells(code(display({"application/javascript": "alert(1)"}))),
    "svg_output": lambda: with_cells(code(display({"image/svg+xml": '<svg onload="alert(1)"><script>alert(1)</script></svg>'}))),
    "markdown_output": lambda: with_cells(code(display({"text/markdown": "<img src=x onerror=alert(1)> [a](javascript:alert(1))"}))),
    "latex_output": lambda: with_cells(code(display({"text/latex": "$\\href{javascript:alert(1)}{x}$"}))),
    "mermaid_output": lambda: with_cells(code(display({"text/vnd.mermaid": "graph TD\nA[<img src=x onerror=alert(1)>]"}))),
    "pdf_output": lambda: with_cells(code(display({"application/pdf": HTML_B64}))),
    "widget_output": lambda: with_cells(
        code(display({"application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2,
                                                                    "version_minor": 0},
                      "text/plain": "IntSlider(value=0)"})),
        widgets={"application/vnd.jupyter.widget-state+json": {
            "state": {"m": {"model_name": "HTMLModel", "state": {"value": "<img src=x onerror=alert(1)>"}}},
            "version_major": 2, "version_minor": 0}}),
    "execute_result_html": lambda: with_cells(code(display(
        {"text/html": "<img src=x onerror=alert(1)>", "text/plain": "df"}, kind="execute_result"))),
    "image_metadata": lambda: with_cells(code(display(
        {"image/png": PNG, "image/jpeg": '"><script>alert(1)</script>'},
        {"image/png": {"width": "1 onerror=alert(1)", "height": "2 onload=alert(1)"},
         "width": "1 onerror=alert(1)", "unconfined": "x", "alt": '" onerror="alert(1)',
         "filenames": {"image/png": "javascript:alert(1)"}}))),
    "bad_base64": lambda: with_cells(code(display({"image/png": '"><script>alert(1)</script>', "text/plain": "fig"}))),
    "odd_outputs": lambda: with_cells(code(
        {"output_type": "stream", "name": "<script>alert(1)</script>", "text": "x"},
        {"output_type": "stream", "name": "stdout", "text": "<script>alert(1)</script>"},
        {"output_type": "<script>alert(1)</script>", "data": {"text/html": "<script>alert(1)</script>"}},
        {"output_type": "error", "ename": "<script>", "evalue": "<img src=x onerror=alert(1)>",
         "traceback": ["<script>alert(1)</script>", "\x1b[31m<img src=x onerror=alert(1)>\x1b[0m"]})),
    "ansi_crash": lambda: with_cells(code(
        {"output_type": "stream", "name": "stdout", "text": "\x1b[38mred?\x1b[0m"},
        display({"text/plain": "\x1b[48m"}),
        {"output_type": "error", "ename": "E", "evalue": "", "traceback": ["\x1b[38;5m"]})),
    "execution_count": lambda: with_cells(code(
        display({"text/plain": "1"}, kind="execute_result"), execution_count="<script>alert(1)</script>")),
    "cell_metadata": lambda: with_cells(v4.new_markdown_cell("x", metadata={
        "tags": ['x" onmouseover="alert(1)', '"><script>alert(1)</script>'],
        "slideshow": {"slide_type": "slide", "data": {'x" onload="alert(1)': "y"}},
        "alt": '" onerror="alert(1)', "magics_language": "<script>"}),
        title="</title><script>alert(1)</script>"),
    "cell_id": lambda: with_cells({**v4.new_markdown_cell("x"), "id": '"><script>alert(1)</script>'}),
    "grade_id": lambda: with_cells(answer("my answer", '"><script>alert(1)</script>')),
    "attachments": lambda: with_cells(v4.new_markdown_cell(
        "![x](attachment:x.html) ![y](attachment:y.svg) ![ok](attachment:ok.png) ![m](attachment:nope.png)",
        attachments={"x.html": {"text/html": HTML_B64}, "y.svg": {"image/svg+xml": SVG_B64},
                     "ok.png": {"image/png": PNG}})),
}

ATTACKS = {
    **{f"markdown_{k}": (lambda s=s: with_cells(v4.new_markdown_cell(s))) for k, s in MARKDOWN_ATTACKS.items()},
    **{f"answer_{k}": (lambda s=s: with_cells(answer(s, "hostile"))) for k, s in MARKDOWN_ATTACKS.items()},
    **OTHER_ATTACKS,
}


def everything():
    """Every attack in one notebook."""
    nb = clean_notebook()
    for make in ATTACKS.values():
        extra = make()
        nb.cells += extra.cells[len(clean_notebook().cells):]
        nb.metadata.update({k: v for k, v in extra.metadata.items() if k not in nb.metadata})
    ids = set()
    for i, cell in enumerate(nb.cells):  # answers of the same grade id: one each
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid is not None and gid in ids:
            cell.metadata.nbgrader["grade_id"] = f"{gid}{i}"
        ids.add(gid)
    return nb


@pytest.fixture(scope="module")
def baseline():
    """Each template's active parts for a clean notebook."""
    nb = clean_notebook()
    assert sanitize(nb) == []
    return {t: active(render(nb, t)) for t in TEMPLATES}


# --------------------------------------------------------------------------
# Hostile notebooks
# --------------------------------------------------------------------------

@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_runs_nothing(attack, template, baseline):
    nb = ATTACKS[attack]()
    sanitize(nb)
    page = render(nb, template)
    assert active(page) == baseline[template]
    assert page.lower().count("<script") == sum(n for k, n in baseline[template].items() if k == "<script")
    assert "<iframe" not in page.lower() and "<svg" not in page.lower()


@pytest.mark.parametrize("attack", ["markdown_script", "markdown_md_link", "markdown_mathjax_href",
                                    "markdown_mathjax_css", "html_output", "raw_plain", "grade_id"])
def test_attacks_are_live_without_sanitize(attack, baseline):
    """The attacks are real: rendered as they are, they add active parts."""
    template = "formgrade" if attack == "grade_id" else "lab"
    assert active(render(ATTACKS[attack](), template)) != baseline[template]


@pytest.mark.parametrize("attack", ["attachments", "markdown_fence_crash", "ansi_crash", "odd_outputs"])
def test_crashes_without_sanitize(attack):
    with pytest.raises(Exception):
        render(ATTACKS[attack](), "lab")


@pytest.mark.parametrize("template", TEMPLATES)
def test_everything_at_once(template, baseline):
    nb = everything()
    notes = sanitize(nb)
    assert active(render(nb, template)) == baseline[template]
    assert active(render(nb, template, sanitize_html=True)) == active(render(clean_notebook(), template, True))
    assert notes


def test_notes_say_what_went():
    nb = everything()
    notes = "\n".join(sanitize(nb))
    for words in ("HTML/JavaScript", "SVG", "widget", "output from", "written answer", "Markdown cell",
                  "raw cell", "unsafe link", "mermaid", "attachment", "widget state",
                  "nbgrader metadata with an invalid grade id", "invalid cell id"):
        assert words in notes, words


def test_sanitize_is_idempotent_and_valid():
    nb = everything()
    sanitize(nb)
    nbformat.validate(nb)
    before = json.dumps(nb, sort_keys=True)
    assert sanitize(nb) == []
    assert json.dumps(nb, sort_keys=True) == before


def test_keeps_what_nbgrader_needs():
    nb = with_cells(widgets={"application/vnd.jupyter.widget-state+json": {"state": {}}},
                    title="x", authors=[{"name": "student"}])
    expected = copy.deepcopy(nb)
    del expected.metadata["widgets"], expected.metadata["title"], expected.metadata["authors"]
    sanitize(nb)
    assert nb.metadata == expected.metadata  # kernelspec and language_info, no widgets or title
    for got, want in zip(nb.cells, expected.cells):
        assert got.metadata == want.metadata  # nbgrader metadata and tags as they were
        assert got.source == want.source and got.id == want.id and got.cell_type == want.cell_type


def test_hidden_and_forged_metadata():
    """A cell cannot hide itself from the grader (transient.remove_source),
    and forged nbgrader fields (a score, a comment) are dropped."""
    nb = with_cells(v4.new_markdown_cell("I am here", metadata={"transient": {"remove_source": True}}),
                    answer("mine"))
    nb.cells[-1].metadata.nbgrader.update(score=100, comment="<script>alert(1)</script>", points="1 onerror=x")
    sanitize(nb)
    assert "I am here" in render(nb, "lab")
    assert set(nb.cells[-1].metadata.nbgrader) == {"grade", "solution", "locked", "grade_id", "schema_version",
                                                   "cell_type", "checksum"}


def test_what_outputs_keep():
    nb = with_cells(code(
        display({"text/html": "<b>x</b>", "text/plain": ["a\n", "b"], "image/png": PNG + "\n",
                 "image/svg+xml": "<svg/>"}, {"image/png": {"width": 10, "height": 20.5, "x": 1}, "needs": 1}),
        display({"application/javascript": "alert(1)"}),
        {"output_type": "stream", "name": "stdout", "text": ["1\n", "2\n"]},
        {"output_type": "stream", "name": "stdin", "text": "secret"},
        {"output_type": "update_display_data", "data": {}, "metadata": {}, "transient": {"display_id": "x"}}))
    notes = sanitize(nb)
    outputs = nb.cells[-1].outputs
    assert outputs == [
        {"output_type": "display_data", "data": {"text/plain": "a\nb", "image/png": PNG},
         "metadata": {"image/png": {"width": 10, "height": 20.5}}},
        {"output_type": "stream", "name": "stdout", "text": "1\n2\n"},
    ]
    assert notes == ["removed HTML/JavaScript/SVG/malformed stream/unknown output from 1 cell"]


@pytest.mark.parametrize("source, expected", [
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("[a]( JaVaScRiPt:alert(1))", "[a]( #alert(1))"),
    ("[a](&#106;avascript:alert(1))", "[a](#alert(1))"),
    ("[a]\n\n[a]: javascript:alert(1)", "[a]\n\n[a]: #alert(1)"),
    ("![x](data:image/png;base64,iVBO) ![y](data:text/html,x)", "![x](data:image/png;base64,iVBO) ![y](#text/html,x)"),
    ("$\\href{javascript:alert(1)}{x}$ $\\href{https://a.org}{y}$", "$href{javascript:alert(1)}{x}$ $\\href{https://a.org}{y}$"),
    ("```mermaid\ngraph TD\n```", "```text mermaid\ngraph TD\n```"),
    ("a < b, x<0, $a < b$, x<y, $a<b$, `W<L>`", "a < b, x<0, $a < b$, x&lt;y, $a\\lt b$, `W<L>`"),
    ("`<img src=x onerror=alert(1)>` <img src=x onerror=alert(1)>",
     "`<img src=x onerror=alert(1)>` &lt;img src=x onerror=alert(1)>"),
    ("&lt;b&gt; &rarr; **bold**", "&lt;b&gt; &rarr; **bold**"),
])
def test_defuse_markdown_examples(source, expected):
    assert defuse_markdown(source)[0] == expected


# --------------------------------------------------------------------------
# Honest work
# --------------------------------------------------------------------------

HONEST = ("**bold** and *italic*\n\n- one\n- two\n\n1. first\n\n$x^2$ and $a < b$ and x<y and $a<b$ "
          "and $$\\sum_i w_i$$\n\n[NumPy](https://numpy.org/doc/) and `a < b` and `W<L>` and &rarr;\n\n"
          "| k | acc |\n|---|---|\n| 1 | 0.9 |\n\n```python\nprint(x <= 1)\nf(List<int>)\n```\n")


def honest_notebook():
    nb = with_cells(
        answer(HONEST, "written"),
        v4.new_markdown_cell("![plot](attachment:plot.png)", attachments={"plot.png": {"image/png": PNG}}),
        code({"output_type": "stream", "name": "stdout", "text": "hello <world> & co\n"},
             display({"text/plain": "42"}, kind="execute_result"),
             display({"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"},
                     {"image/png": {"width": 320}}),
             {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad x<y"]}),
    )
    nb.cells[-1].outputs[1]["execution_count"] = 3
    return nb


def test_honest_notebook_changes_only_where_it_must():
    nb = honest_notebook()
    original = copy.deepcopy(nb)
    notes = sanitize(nb)
    assert notes == ["escaped '<' (HTML is shown as text) in 1 written answer"]
    assert nb.cells[-1].outputs == original.cells[-1].outputs
    assert nb.cells[-2] == original.cells[-2]  # the attachment and its image
    assert nb.cells[-3].source == HONEST.replace("x<y", "x&lt;y").replace("$a<b$", "$a\\lt b$")


@pytest.mark.parametrize("template", TEMPLATES)
def test_honest_work_renders(template, baseline):
    nb = honest_notebook()
    sanitize(nb)
    page = render(nb, template)
    assert active(page) == baseline[template]
    for fragment in ("<strong>bold</strong>", "<em>italic</em>", "<li>one</li>", "<li>two</li>",
                     "$x^2$", "$a &lt; b$", "x&lt;y", "$a\\lt b$", "$$\\sum_i w_i$$",
                     '<a href="https://numpy.org/doc/">NumPy</a>', "<code>a &lt; b</code>", "<code>W&lt;L&gt;</code>", "\u2192",
                     "<td>0.9</td>", "hello &lt;world&gt; &amp; co", "42", f"data:image/png;base64,{PNG}",
                     "ValueError: bad x&lt;y"):
        assert fragment in page, fragment
    assert "width=320" in page.replace('"', "")
    # the browser's text: what MathJax and the reader get
    text = "".join(Active(page).text)
    assert "$a < b$ and x<y and $a\\lt b$" in text
    assert "print(x <= 1)" in text and "f(List<int>)" in text


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "notebooks", "*.ipynb"))),
                         ids=os.path.basename)
def test_course_releases_come_through_unchanged(path):
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    assert sanitize(nb) == []
    assert nbformat.writes(nb) == before


def test_safe_html_exporter_config():
    config = safe_html_exporter_config()
    assert config.HTMLExporter.sanitize_html is True
    assert HTMLExporter(config=config).sanitize_html is True
    nb = honest_notebook()
    sanitize(nb)
    page = render(nb, "lab", sanitize_html=True)
    assert "<strong>bold</strong>" in page and f"data:image/png;base64,{PNG}" in page


# --------------------------------------------------------------------------
# Any Markdown at all
# --------------------------------------------------------------------------

PIECES = ["<", ">", "&", "#", ";", "script", "img", " src=x", " onerror=alert(1)", "svg", "/", "!", "?",
          "--", "javascript", "JaVaScRiPt", ":", "&#106;", "&#x6a;", "&amp;", "&lt;", "&colon;", "&#58;",
          "\\", "(", ")", "[", "]", "a", " ", "\n", "\n\n", "\t", "`", "```", "~~~", "mermaid", "$", "$$",
          "\\href{", "{", "}", "data", "text/html", ",", "=", '"', "'", "attachment", "*", "-", "|", "> ",
          "    ", "\\\\(", "\\\\[", "&#0;", "\x00", "\u00a0", "&#9;", "vbscript", "file"]
TAGS = {"p", "a", "img", "strong", "em", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
        "li", "blockquote", "hr", "br", "del", "table", "thead", "tbody", "tr", "th", "td", "input",
        "dl", "dt", "dd", "div", "span"}
ATTRIBUTES = {"href", "src", "alt", "title", "id", "class", "type", "disabled", "checked", "start", "style"}


class Tags(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_any_markdown_renders_inert(source):
    """Whatever the Markdown, nbconvert's Markdown renderer makes only the
    tags Markdown syntax makes, with no event handler, unsafe URL or mermaid."""
    clean, _ = defuse_markdown(source)
    assert defuse_markdown(clean)[0] == clean
    page = MarkdownWithMath(renderer=IPythonRenderer(escape=False)).render(clean)
    parsed = Tags(page)
    for tag, attrs in parsed.tags:
        assert tag in TAGS, (tag, page)
        for name, value in attrs:
            assert name in ATTRIBUTES, (tag, name, page)
            if name == "style":
                assert re.fullmatch(r"text-align:\w+", value or ""), page
            if name in ("href", "src"):
                url = re.sub(r"[\t\n\r]", "", value or "").lstrip(C0_AND_SPACE).lower()
                assert not BAD_URL.match(url), (url, page)
            if name == "class":  # what mermaid.js draws from
                assert not {"mermaid", "jp-mermaid"} & set(value.lower().split()), page
    assert not BAD_HREF.search("".join(parsed.text)), page
