"""The browser test's screenshots, and the page that shows them all.

Each notebook's run writes its pictures under ``build/screenshots/NAME/`` with
a ``shots.json`` that says what each one is (kind, cell, the markdown heading
above it); :func:`write_index` turns every ``shots.json`` present into
``build/screenshots/index.html``, so the page covers the notebooks of both
browser runs (``make test`` and ``make test-browser``), whichever ran last.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

# What a reviewer looks at first in each notebook's section, in this order.
KINDS = {"figure": "Figures of the solved notebook",
         "blank": "The blank release: the note, and the figures it draws before any answer",
         "screen": "Screens: where Run All ends (blank and solved), the Validate dialog"}


def heading_above(cells, index) -> str:
    """The nearest markdown heading at or above cell ``index`` ("" if none)."""
    for cell in reversed(cells[:index + 1]):
        if cell.cell_type == "markdown":
            headings = re.findall(r"^#+\s+(.+?)\s*$", cell.source, re.M)
            if headings:
                return headings[-1]
    return ""


class Shots:
    """The screenshots of one notebook, and their manifest."""

    def __init__(self, root: Path, name: str):
        self.root, self.name = root, name
        self.folder = root / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest = self.folder / "shots.json"
        saved = json.loads(self.manifest.read_text()) if self.manifest.exists() else []
        self.entries = [e for e in saved if e.get("kind") in KINDS]

    def path(self, file: str) -> Path:
        return self.folder / file

    def add(self, file: str, kind: str, caption: str, cell: int | None = None):
        """Record ``NAME/file`` (already written) and rewrite the index."""
        self.entries = [e for e in self.entries if e["file"] != file]
        self.entries.append({"file": file, "kind": kind, "caption": caption, "cell": cell})
        self.entries.sort(key=lambda e: (list(KINDS).index(e["kind"]), e["file"]))
        self.manifest.write_text(json.dumps(self.entries, indent=1) + "\n")
        write_index(self.root)

    def forget(self, pattern: str):
        """Drop the pictures whose file name matches ``pattern`` (an earlier
        run's, which may have had more of them)."""
        for old in self.folder.glob("*.png"):
            if re.fullmatch(pattern, old.name):
                old.unlink()
        self.entries = [e for e in self.entries if not re.fullmatch(pattern, e["file"])]
        self.manifest.write_text(json.dumps(self.entries, indent=1) + "\n")


STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1f2328; background: #fff; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 2px solid #d0d7de; }
nav a { margin-right: 1em; }
.grid { display: flex; flex-wrap: wrap; gap: 1.2em; align-items: flex-start; }
figure { margin: 0; width: 25em; border: 1px solid #d0d7de; padding: 0.5em; background: #fff; }
figure img { max-width: 100%; display: block; }
figcaption { font-size: 0.9em; color: #57606a; margin-top: 0.4em; }
figcaption b { color: #1f2328; }
"""


def write_index(root: Path):
    """``root/index.html``: every notebook's screenshots with their context."""
    sections, links = [], []
    for manifest in sorted(root.glob("*/shots.json")):
        name = manifest.parent.name
        entries = json.loads(manifest.read_text())
        links.append(f'<a href="#{name}">{name}</a>')
        parts = [f'<h2 id="{name}">{name}</h2>']
        for kind, title in KINDS.items():
            shown = [e for e in entries if e["kind"] == kind]
            if not shown:
                continue
            parts.append(f"<h3>{html.escape(title)} ({len(shown)})</h3><div class='grid'>")
            for e in shown:
                where = f"cell {e['cell']}" if e.get("cell") is not None else ""
                parts.append(
                    f"<figure><a href='{name}/{e['file']}'><img loading='lazy' src='{name}/{e['file']}' "
                    f"alt='{html.escape(e['caption'])}'></a><figcaption><b>{html.escape(e['caption'])}</b>"
                    f"{' · ' + where if where else ''} · {name}/{e['file']}</figcaption></figure>")
            parts.append("</div>")
        sections.append("\n".join(parts))
    extra = [f"<figure><a href='{p.name}'><img loading='lazy' src='{p.name}'></a><figcaption>{p.name}</figcaption></figure>"
             for p in sorted(root.glob("formgrader*.png"))]
    if extra:
        links.append('<a href="#instructors">instructors</a>')
        sections.append("<h2 id='instructors'>Instructors: the formgrader</h2><div class='grid'>" + "".join(extra) + "</div>")
    page = (f"<!doctype html><meta charset='utf-8'><title>The course in the browser</title><style>{STYLE}</style>"
            "<h1>The course in the browser</h1><p>Screenshots taken by tests/test_browser.py in JupyterLab "
            "(headless Chromium, light theme). Each figure is captioned with the markdown heading above it.</p>"
            f"<nav>{''.join(links)}</nav>" + "\n".join(sections))
    (root / "index.html").write_text(page)
