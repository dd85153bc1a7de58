"""Make a graded notebook safe to look at.

Student notebooks are hostile. The instructor sees an autograded notebook in
nbgrader's formgrader, served from the Jupyter server's own origin, and the
student sees feedback HTML; both are nbconvert renderings. :func:`sanitize`
changes a notebook in place so that no rendering of it runs anything a
student wrote, whatever the nbconvert HTML template (lab, classic, reveal,
nbgrader's formgrade and feedback) and whether nbconvert's own
``sanitize_html`` is on or off:

* Code cell outputs keep only what every template escapes: stdout/stderr
  streams, errors, and display data of the types text/plain, image/png and
  image/jpeg (base64-checked). Output metadata keeps only image width and
  height, as numbers (templates write them into unquoted attributes).
* In Markdown and raw cells, every ``<`` that could open a tag becomes
  ``&lt;``, so no Markdown renderer passes raw HTML through and no browser
  sees a tag. Inside math it becomes ``\\lt`` instead, because nbconvert
  escapes math once more and MathJax would get ``&lt;``. Inside code spans
  and code blocks it stays, because nbconvert escapes code itself. It stays
  only where nbconvert's own Markdown parser finds it in code and finds no
  HTML in the result; anywhere else, or if in doubt, it is escaped.
* Link and image targets (``[a](...)``, ``[a]: ...``) whose scheme is
  javascript:, vbscript:, file:, data: (except PNG/JPEG/GIF images) and the
  like begin with ``#`` instead, however the scheme is written: entities
  (even double-encoded), backslash escapes, control characters, any case.
  MathJax's ``\\href`` keeps its backslash only for http(s), mailto and #
  targets, and ``\\style``, ``\\class`` and ``\\cssId`` lose theirs.
  Mermaid code blocks are shown as code, not drawn.
* Attachments keep only PNG, JPEG and GIF images. A reference to a missing
  attachment, and the few inputs on which nbconvert raises an error, are
  defused so that one student cannot stop the class's feedback.
* Metadata keeps what nbgrader and the grader read: the nbgrader cell
  metadata, checked field by field; tags; editable and deletable;
  kernelspec; language_info. Widget
  state, ``transient`` (which can hide a cell) and everything else goes.

What the student wrote stays visible: ``<script>`` in a written answer shows
as the text ``<script>``. ``&`` is left alone: mistune decodes an entity in
text and escapes it again, so an entity can never become a tag, and link
targets are checked after decoding.

:func:`safe_html_exporter_config` also turns on nbconvert's own sanitizer,
as defence in depth.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import html
import math
import re

import nbformat

__all__ = ["sanitize", "safe_html_exporter_config", "defuse_markdown", "defuse_raw"]

OUTPUT_MIME = ("text/plain", "image/png", "image/jpeg")
IMAGE_MIME = ("image/png", "image/jpeg")
ATTACHMENT_MIME = ("image/png", "image/jpeg", "image/gif")

# URL schemes that run script or reach outside the page (data: images excepted)
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha", "data", "file",
                            "blob", "filesystem", "jar", "view-source"})
SAFE_DATA = re.compile(r"image/(png|jpeg|gif)[;,]")

# nbgrader's cell metadata and what each field may hold
GRADE_ID = re.compile(r"[a-zA-Z0-9_\-]+")  # nbgrader's own rule for grade ids
CELL_ID = re.compile(r"[a-zA-Z0-9_\-]{1,64}")  # nbformat 4.5
TAG = re.compile(r"[A-Za-z0-9_.:=+\-]{1,100}")
LANGUAGE_INFO_KEYS = ("name", "version", "mimetype", "file_extension", "pygments_lexer",
                      "nbconvert_exporter", "codemirror_mode")
KERNELSPEC_KEYS = ("name", "display_name", "language")

MIME_NAMES = {"text/html": "HTML", "application/javascript": "JavaScript",
              "text/javascript": "JavaScript", "image/svg+xml": "SVG", "text/markdown": "Markdown",
              "text/latex": "LaTeX", "application/vnd.jupyter.widget-view+json": "widget",
              "text/vnd.mermaid": "mermaid", "application/pdf": "PDF"}


# --------------------------------------------------------------------------
# Text of Markdown and raw cells
# --------------------------------------------------------------------------

# A '<' opens markup (a tag, end tag, comment, declaration, processing
# instruction or autolink) for the HTML tokenizer and for CommonMark only when
# a letter, '/', '!' or '?' follows it. To be safe with any renderer, every
# '<' is escaped except before whitespace, a digit, '=', '-', '>' or at the
# end ("a < b", "x<0", "<=" and "<-" stay as they are). Not before '<': that
# one may become '&lt;', and sanitizing twice must change nothing.
_OPENS_MARKUP = re.compile(r"<(?![\s0-9=>\-]|\Z)")

# Math as nbconvert's Markdown parser finds it (nbconvert.filters.markdown_mistune
# MathInlineParser, in its order); nbconvert escapes the body of math, so a '<'
# written there as '&lt;' would reach MathJax as '&lt;': it becomes \lt.
_MATH = re.compile("|".join([
    r"(?s:(?<!\\)\$\$.*?(?<!\\)\$\$)",
    r"(?s:(?<!\\)\\\\\[.*?(?<!\\)\\\\\])",
    r"(?s:(?<![$\\])\$.+?(?<![$\\])\$)",
    r"(?s:(?<!\\)\\\\\(.*?(?<!\\)\\\\\))",
    r"(?s:\\begin\{(?P<env>[a-z]*\*?)\}.*?\\end\{(?P=env)\})",
]))

# What a Markdown renderer (mistune decodes entities twice) or a browser decodes.
_DECODABLE = re.compile(r"&(?:#[0-9]{1,12};?|#[xX][0-9a-fA-F]{1,12};?|[A-Za-z][A-Za-z0-9]{0,40};?)"
                        r"|\\[!-/:-@\[-`{-~]")
# Where a URL starts: an inline link or image "](", a link reference
# definition "]:". (Looser than Markdown, to be safe.)
_URL_START = re.compile(r"\]\s*[(:]")
# MathJax commands that make links or set CSS (MathJax reads the page's text,
# after the browser decoded it); an \href stays only to http(s)/mailto/#.
_MATHJAX = re.compile(r"\\(href|style|class|cssId)(?![A-Za-z])", re.I)
_SAFE_HREF = re.compile(r"[ \t]*\{[ \t]*(https?:|mailto:|#)", re.I)
_MERMAID_FENCE = re.compile(r"(?:`{3,}|~{3,})[^\S\n]*(?=mermaid)", re.I)


def _decoded(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with entity references and backslash escapes decoded until
    nothing changes, and for each character the span of ``text`` it came from."""
    spans = [(i, i + 1) for i in range(len(text))]
    for _ in range(32):  # every round that changes something makes the text shorter
        parts, new_spans, pos = [], [], 0
        for m in _DECODABLE.finditer(text):
            token = m.group()
            plain = token[1] if token[0] == "\\" else html.unescape(token)
            if plain == token:
                continue
            parts.append(text[pos:m.start()])
            new_spans += spans[pos:m.start()]
            parts.append(plain)
            new_spans += [(spans[m.start()][0], spans[m.end() - 1][1])] * len(plain)
            pos = m.end()
        if not parts:
            break
        parts.append(text[pos:])
        new_spans += spans[pos:]
        text, spans = "".join(parts), new_spans
    return text, spans


def _scheme(text: str, pos: int):
    """The URL scheme starting at ``pos`` of decoded text as a browser reads
    it (leading spaces and control characters skipped, tabs and newlines
    ignored, any case): (scheme, first index, index of the colon) or None."""
    n = len(text)
    while pos < n and (text[pos] <= " " or text[pos].isspace() or text[pos] == "<"):
        pos += 1
    start, name = pos, []
    while pos < n:
        c = text[pos]
        if c in "\t\n\r":
            pass
        elif c.isascii() and (c.isalnum() or c in "+-."):
            name.append(c)
        else:
            break
        pos += 1
    if pos < n and text[pos] == ":" and name and name[0].isalpha():
        return "".join(name).lower(), start, pos
    return None


def _unsafe_url(text: str, scheme: str, colon: int, attachments) -> bool:
    if scheme == "data":
        rest = re.sub(r"[\t\n\r]", "", text[colon + 1:colon + 64]).lower()
        return not SAFE_DATA.match(rest)
    if scheme == "attachment":
        # nbconvert stops with an error on an attachment the cell does not have
        name = re.match(r"[^\s)\"'>]*", text[colon + 1:]).group()
        return name not in attachments
    return scheme in UNSAFE_SCHEMES


def _defuse_links(source: str, attachments=()) -> tuple[str, int]:
    """Point unsafe link and image targets at '#' (``[a](javascript:x)``
    becomes ``[a](#x)``) and take the backslash off MathJax's \\href (unless
    to http, https, mailto or #), \\style, \\class and \\cssId."""
    count = 0
    for _ in range(32):
        text, spans = _decoded(source)
        cuts = {}  # start in source: (end in source, replacement)
        for m in _URL_START.finditer(text):
            found = _scheme(text, m.end())
            if found is not None and _unsafe_url(text, found[0], found[2], attachments):
                cuts[spans[found[1]][0]] = (spans[found[2]][1], "#")
        for m in _MATHJAX.finditer(text):
            if m.group(1).lower() != "href" or not _SAFE_HREF.match(text, m.end()):
                cuts[spans[m.start()][0]] = (spans[m.end() - 1][1], m.group(1))
        if not cuts:
            break
        end = len(source) + 1
        for start in sorted(cuts, reverse=True):
            stop, replacement = cuts[start]
            if stop <= end:  # (never overlapping; to be sure)
                source = source[:start] + replacement + source[stop:]
                end = start
        count += len(cuts)
    return source, count


def _defuse_mermaid(source: str) -> tuple[str, int]:
    """Show ```mermaid blocks as code: nbconvert copies them into the page
    unescaped for mermaid.js to draw."""
    text, spans = _decoded(source)
    cuts = [spans[m.end()][0] for m in _MERMAID_FENCE.finditer(text)]
    for start in sorted(set(cuts), reverse=True):
        source = source[:start] + "text " + source[start:]
    return source, len(set(cuts))


def _escape_markup(source: str, math_aware: bool) -> str:
    if not _OPENS_MARKUP.search(source):
        return source
    if not math_aware:
        return _OPENS_MARKUP.sub("&lt;", source)
    parts, pos = [], 0
    for m in _MATH.finditer(source):
        parts.append(_OPENS_MARKUP.sub("&lt;", source[pos:m.start()]))
        parts.append(_OPENS_MARKUP.sub(r"\\lt ", m.group()))
        pos = m.end()
    parts.append(_OPENS_MARKUP.sub("&lt;", source[pos:]))
    return "".join(parts)


def _markdown(attachments=None, tokens=False):
    """nbconvert's Markdown renderer (or its parser alone), or None."""
    try:
        from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    except ImportError:  # pragma: no cover - another nbconvert
        return None
    if tokens:
        return MarkdownWithMath(renderer=None)
    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, attachments=attachments or {}))


def _renders(source: str, attachments: dict) -> bool:
    """Whether nbconvert's Markdown renderer gets through ``source``. It
    stops on a reference to an attachment the cell does not have, and on a
    few odd inputs (a code fence whose info string is an encoded newline)."""
    md = _markdown(attachments)
    try:
        md is None or md.render(source)
    except Exception:
        return False
    return True


def _tokens(source: str):
    """Every token of nbconvert's parse of ``source``, or None."""
    md = _markdown(tokens=True)
    if md is None:  # pragma: no cover - another nbconvert
        return None
    try:
        stack = list(md(source))
    except Exception:
        return None
    found = []
    while stack:
        token = stack.pop()
        if isinstance(token, dict):
            found.append(token)
            stack += token.get("children") or []
    return found


_MARK = 0xF0000  # Unicode's private use plane 15
_PRIVATE = re.compile("[\U000F0000-\U000FFFFF]")


def _escape_markdown(source: str) -> str:
    """Escape the '<' that could open markup (as ``\\lt`` inside math), but
    not those inside code spans and code blocks as nbconvert's Markdown
    parser finds them: it escapes those itself, and ``&lt;`` there would
    show as such. A '<' is kept only if, once the others are escaped, that
    parser still finds every '<' kept in code and no HTML at all (so
    sanitizing again changes nothing, and the page has no tag)."""
    for _ in range(16):  # each round keeps fewer, until a round changes nothing
        escaped = _escape_markdown_once(source)
        if escaped == source:
            return source
        source = escaped
    return _escape_markup(source, math_aware=True)  # pragma: no cover


def _in_code(tokens) -> list[str]:
    return [t.get("raw", "") for t in tokens if t.get("type") in ("codespan", "block_code")]


def _escape_markdown_once(source: str) -> str:
    escaped = _escape_markup(source, math_aware=True)
    places = [m.start() for m in _OPENS_MARKUP.finditer(source)]
    if not places or len(places) > 0xFFFD or _PRIVATE.search(source):
        return escaped
    # where would each '<' be if it were not markup? (the k-th as character _MARK + k)
    marked = list(source)
    for k, place in enumerate(places):
        marked[place] = chr(_MARK + k)
    tokens = _tokens("".join(marked))
    if tokens is None:
        return escaped
    in_code = {ord(c) - _MARK for raw in _in_code(tokens) for c in _PRIVATE.findall(raw)}
    if not in_code:
        return escaped
    math = [m.span() for m in _MATH.finditer(source)]
    starts = [start for start, _ in math]
    parts, last = [], 0
    for k, place in enumerate(places):
        parts.append(source[last:place])
        i = bisect.bisect_right(starts, place) - 1
        if k in in_code:
            parts.append("<")
        elif i >= 0 and place < math[i][1]:
            parts.append("\\lt ")
        else:
            parts.append("&lt;")
        last = place + 1
    parts.append(source[last:])
    kept = "".join(parts)
    tokens = _tokens(kept)
    if tokens is None or any(t.get("type") in ("inline_html", "block_html") or _mermaid(t) for t in tokens) \
            or sum(len(_OPENS_MARKUP.findall(raw)) for raw in _in_code(tokens)) != len(in_code):
        return escaped
    return kept


def _mermaid(token) -> bool:
    info = (token.get("attrs") or {}).get("info") or ""
    return token.get("type") == "block_code" and html.unescape(info).strip().lower().startswith("mermaid")


UNRENDERABLE = "(The grader could not show this Markdown cell safely.)"


def defuse_markdown(source: str, attachments: dict | None = None) -> tuple[str, dict]:
    """Markdown text that renders the same words with no raw HTML, no unsafe
    URL and no mermaid diagram, and that nbconvert can render; and counts of
    what changed."""
    attachments = attachments or {}
    changes = {"unrenderable": 0}
    source, changes["mermaid"] = _defuse_mermaid(source)
    source, changes["links"] = _defuse_links(source, attachments)
    escaped = _escape_markdown(source)
    changes["html"] = int(escaped != source)
    source = escaped
    if not _renders(source, attachments):
        if "attachment:" in source:
            fixed, more = _defuse_links(source, ())  # every attachment: target
            fixed = fixed.replace("attachment:", "#attachment:")
            if _renders(fixed, attachments):
                changes["links"] += max(more, 1)
                return fixed, changes
        # shown as an indented code block, word for word
        changes["unrenderable"] = 1
        source = "\n".join("    " + line for line in source.splitlines())
        if not _renders(source, attachments):  # pragma: no cover - not known to happen
            source = UNRENDERABLE
    return source, changes


def defuse_raw(source: str) -> tuple[str, dict]:
    """Raw cell text (which nbconvert copies into HTML as it is) with no tag
    and no unsafe MathJax command."""
    changes = {}
    source, changes["links"] = _defuse_links(source)
    escaped = _escape_markup(source, math_aware=False)
    changes["html"] = int(escaped != source)
    return escaped, changes


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------

def _text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _base64(value) -> str | None:
    text = _text(value)
    if text is None:
        return None
    text = re.sub(r"\s+", "", text)
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return text


def _size(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value <= 100_000)


def _terminal(text: str, tally: dict) -> str:
    """Text for nbconvert's ansi2html, which stops on some colour codes
    (such as an incomplete ``ESC[38m``): those go."""
    if "\x1b" not in text:
        return text
    try:
        from nbconvert.filters.ansi import ansi2html, strip_ansi
    except ImportError:  # pragma: no cover - another nbconvert
        return text
    try:
        ansi2html(text)
        return text
    except Exception:
        tally["ansi"] += 1
    text = strip_ansi(text)
    try:
        ansi2html(text)
    except Exception:  # pragma: no cover - not known to happen
        text = text.replace("\x1b", "")
    return text


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _clean_output(out, dropped: set, tally: dict) -> dict | None:
    """The output with only what is safe in it, or None to drop it; the names
    of what was left out go into ``dropped``."""
    kind = out.get("output_type") if isinstance(out, dict) else None
    if kind == "stream":
        text = _text(out.get("text"))
        if out.get("name") in ("stdout", "stderr") and text is not None:
            return {"output_type": "stream", "name": out["name"], "text": _terminal(text, tally)}
        dropped.add("malformed stream")
        return None
    if kind == "error":
        traceback = out.get("traceback")
        traceback = traceback if isinstance(traceback, list) else []
        return {"output_type": "error",
                "ename": _text(out.get("ename")) or "",
                "evalue": _text(out.get("evalue")) or "",
                "traceback": [_terminal(line if isinstance(line, str) else str(line), tally)
                              for line in traceback]}
    if kind in ("display_data", "execute_result"):
        data = out.get("data") if isinstance(out.get("data"), dict) else {}
        meta = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
        clean, clean_meta = {}, {}
        for mime, value in data.items():
            if mime == "text/plain":
                value = _text(value)
                value = None if value is None else _terminal(value, tally)
            elif mime in IMAGE_MIME:
                value = _base64(value)
                if value is not None:
                    sizes = meta.get(mime) if isinstance(meta.get(mime), dict) else {}
                    sizes = {k: v for k, v in sizes.items() if k in ("width", "height") and _size(v)}
                    if sizes:
                        clean_meta[mime] = sizes
            else:
                value = None
            if value is None:
                dropped.add(MIME_NAMES.get(mime, mime if mime in OUTPUT_MIME else "other"))
            else:
                clean[mime] = value
        if any(m in clean for m in IMAGE_MIME):
            clean_meta.update({k: v for k, v in meta.items() if k in ("width", "height") and _size(v)})
        if not clean:
            return None
        result = {"output_type": kind, "data": clean, "metadata": clean_meta}
        if kind == "execute_result":
            result["execution_count"] = _count(out.get("execution_count"))
        return result
    dropped.add("unknown")
    return None


# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------

def _nbgrader_meta(meta):
    """nbgrader's cell metadata with each field of the type nbgrader writes,
    or None when it cannot be nbgrader's (a grade id that is not one)."""
    if not isinstance(meta, dict) or not isinstance(meta.get("grade_id"), str) \
            or not GRADE_ID.fullmatch(meta["grade_id"]):
        return None
    clean = {"grade_id": meta["grade_id"]}
    for key in ("grade", "solution", "locked", "task"):
        if isinstance(meta.get(key), bool):
            clean[key] = meta[key]
    points = meta.get("points")
    if isinstance(points, (int, float)) and not isinstance(points, bool) and math.isfinite(points):
        clean["points"] = points
    if isinstance(meta.get("schema_version"), int) and not isinstance(meta["schema_version"], bool):
        clean["schema_version"] = meta["schema_version"]
    if isinstance(meta.get("checksum"), str) and re.fullmatch(r"[0-9a-fA-F]{0,128}", meta["checksum"]):
        clean["checksum"] = meta["checksum"]
    if meta.get("cell_type") in ("code", "markdown", "raw"):
        clean["cell_type"] = meta["cell_type"]
    return clean


def _cell_metadata(meta, tally) -> dict:
    meta = meta if isinstance(meta, dict) else {}
    clean = {}
    if "nbgrader" in meta:
        nbgrader = _nbgrader_meta(meta["nbgrader"])
        if nbgrader is None:
            tally["nbgrader"] += 1
        else:
            clean["nbgrader"] = nbgrader
    tags = meta.get("tags")
    if isinstance(tags, list):
        kept = [t for t in tags if isinstance(t, str) and TAG.fullmatch(t)]
        if kept:
            clean["tags"] = kept
    for key in ("editable", "deletable"):  # nbgrader locks cells with these
        if isinstance(meta.get(key), bool):
            clean[key] = meta[key]
    return clean


def _strings(meta, keys) -> dict:
    return {k: meta[k] for k in keys if isinstance(meta.get(k), str)}


def _notebook_metadata(meta, notes) -> dict:
    meta = meta if isinstance(meta, dict) else {}
    if "widgets" in meta:
        notes.append("dropped the widget state from the notebook metadata")
    clean = {}
    if isinstance(meta.get("kernelspec"), dict):
        clean["kernelspec"] = _strings(meta["kernelspec"], KERNELSPEC_KEYS)
    if isinstance(meta.get("language_info"), dict):
        info = meta["language_info"]
        clean["language_info"] = _strings(info, LANGUAGE_INFO_KEYS)
        mode = info.get("codemirror_mode")
        if isinstance(mode, dict):
            clean["language_info"]["codemirror_mode"] = {
                k: v for k, v in mode.items()
                if isinstance(k, str) and isinstance(v, (str, int)) and not isinstance(v, bool)}
    return clean


# --------------------------------------------------------------------------
# The notebook
# --------------------------------------------------------------------------

# What each kind of change says; "{n}" stands for "3 cells" and the like.
_NOTES = {
    "html_answer": ("escaped '<' (HTML is shown as text) in {n}", "written answer"),
    "html_markdown": ("escaped '<' (HTML is shown as text) in {n}", "Markdown cell"),
    "html_raw": ("escaped '<' (HTML is shown as text) in {n}", "raw cell"),
    "links": ("defused {n} or MathJax command (javascript:, data:, \\href, \\style, ...)", "unsafe link"),
    "mermaid": ("showed {n} as code", "mermaid diagram"),
    "unrenderable": ("showed {n} that nbconvert cannot render as code", "Markdown cell"),
    "ansi": ("removed colour codes that nbconvert cannot render from {n}", "output text"),
    "attachments": ("removed what is not a PNG, JPEG or GIF image from {n}", "attachment"),
    "unknown_cells": ("turned {n} of unknown type into raw cells", "cell"),
    "nbgrader": ("dropped nbgrader metadata with an invalid grade id from {n}", "cell"),
    "ids": ("replaced {n}", "invalid cell id"),
}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def sanitize(nb) -> list[str]:
    """Make the nbformat v4 notebook ``nb`` safe to render, in place; short
    notes of what was removed or defused (none for a notebook that needed
    nothing, such as one sanitized before)."""
    notes: list[str] = []
    tally = {k: 0 for k in ("html_answer", "html_markdown", "html_raw", "links", "mermaid", "unrenderable",
                            "attachments", "nbgrader", "ids", "unknown_cells", "output_cells", "ansi")}
    dropped_kinds: set[str] = set()
    cells = nb.get("cells") if isinstance(nb.get("cells"), list) else []
    clean_cells, seen_ids = [], set()
    version = (nb.get("nbformat"), nb.get("nbformat_minor"))
    want_ids = all(isinstance(v, int) for v in version) and version >= (4, 5)

    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            tally["unknown_cells"] += 1
            continue
        kind = cell.get("cell_type")
        source = _text(cell.get("source"))
        source = "" if source is None else source
        if kind not in ("code", "markdown", "raw"):
            tally["unknown_cells"] += 1
            kind = "raw"
        meta = _cell_metadata(cell.get("metadata"), tally)
        clean = {"cell_type": kind, "metadata": meta}

        cell_id = cell.get("id")
        if want_ids or cell_id is not None:
            if not (isinstance(cell_id, str) and CELL_ID.fullmatch(cell_id)) or cell_id in seen_ids:
                if cell_id is not None:
                    tally["ids"] += 1
                cell_id = f"cell-{index}"
                while cell_id in seen_ids:
                    cell_id += "-x"
            seen_ids.add(cell_id)
            clean["id"] = cell_id

        if kind == "code":
            outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
            dropped: set[str] = set()
            kept = [o for o in (_clean_output(o, dropped, tally) for o in outputs) if o is not None]
            if dropped or len(kept) != len(outputs):
                tally["output_cells"] += 1
                dropped_kinds |= dropped or {"empty"}
            clean.update(source=source, outputs=kept, execution_count=_count(cell.get("execution_count")))
        else:
            attachments = {}
            found = cell.get("attachments")
            for name, bundle in (found.items() if isinstance(found, dict) else []):
                images = {m: _base64(v) for m, v in bundle.items()
                          if m in ATTACHMENT_MIME} if isinstance(bundle, dict) else {}
                images = {m: v for m, v in images.items() if v is not None}
                if not isinstance(bundle, dict) or len(images) != len(bundle):
                    tally["attachments"] += 1
                if images and isinstance(name, str):
                    attachments[name] = images
            if kind == "markdown":
                source, changes = defuse_markdown(source, attachments)
                answer = meta.get("nbgrader", {}).get("solution")
                tally["html_answer" if answer else "html_markdown"] += changes["html"]
                tally["mermaid"] += changes["mermaid"]
                tally["unrenderable"] += changes["unrenderable"]
            else:
                source, changes = defuse_raw(source)
                tally["html_raw"] += changes["html"]
            tally["links"] += changes["links"]
            clean["source"] = source
            if attachments or "attachments" in cell:
                clean["attachments"] = attachments
        clean_cells.append(nbformat.from_dict(clean))

    if tally["output_cells"]:
        kinds = "/".join(sorted(dropped_kinds, key=lambda k: (k in ("other", "unknown", "empty"), k)))
        notes.append(f"removed {kinds} output from {_plural(tally['output_cells'], 'cell')}")
    notes += [text.format(n=_plural(tally[key], noun)) for key, (text, noun) in _NOTES.items() if tally[key]]

    metadata = _notebook_metadata(nb.get("metadata"), notes)
    for key in list(nb.keys()):
        if key not in ("nbformat", "nbformat_minor"):
            del nb[key]
    nb["metadata"] = nbformat.from_dict(metadata)
    nb["cells"] = clean_cells
    return notes


def safe_html_exporter_config():
    """A traitlets Config that turns on nbconvert's own HTML sanitizer
    (``HTMLExporter.sanitize_html``: bleach on Markdown cells and HTML
    output, no JavaScript output) where this nbconvert has it, as defence in
    depth behind :func:`sanitize`. Merge it into an exporter's config:
    ``config.merge(safe_html_exporter_config())``. nbgrader's formgrade and
    feedback templates render Markdown cells without looking at it, which is
    why :func:`sanitize` does not rely on it."""
    from traitlets.config import Config

    try:
        from nbconvert.exporters import HTMLExporter
    except ImportError:  # pragma: no cover
        return Config()
    if not HTMLExporter.class_traits().get("sanitize_html"):
        return Config()  # pragma: no cover - nbconvert < 7.2
    return Config({"HTMLExporter": {"sanitize_html": True}})
