"""The figure check: what matplotlib can tell about every figure a notebook draws.

:func:`run` executes a notebook's code cells (demonstrations included) in a
fresh IPython shell in a subprocess, and after each cell looks at every open
figure with :func:`problems`: empty axes, missing axis labels or title, a
colour image without a colour bar or a stated key, a legend over the data or
too small to read, fractional ticks on a whole-number axis, tick labels that
run together, a curve mostly outside its axes, bars that are not drawn (NaN).
:func:`check` runs the solution (every figure must pass) and the blank
release (a cell stopped by an unanswered exercise must draw no figure).

    python -m grader.figures 01_knn 04_optimizers
"""
from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# Pictures shown as they are (digits, filters): a grey scale needs no key.
PICTURE_MAPS = {"gray", "gray_r", "Greys", "Greys_r", "binary", "binary_r", "bone"}
COLOUR_WORDS = re.compile(r"\b(colou?r|red|blue|green|orange|yellow|purple|bright|dark)\b", re.I)
MIN_FONT_PT = 6.5
LEGEND_COVERS = 0.04  # share of an axes' drawn data a legend may hide
OFF_AXES = 0.5  # share of a curve's points that must lie inside its axes


# -- what can be told about one figure ---------------------------------------

def problems(fig) -> list[str]:
    """What is wrong with ``fig``, one short sentence each; [] when nothing is."""
    from matplotlib.text import Text

    fig.canvas.draw()
    found = []
    panels = [ax for ax in fig.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]
    many = len(panels) > 1
    for n, ax in enumerate(panels, 1):
        where = f"panel {n} ({ax.get_title() or 'untitled'})" if many else "the axes"
        found += [f"{where}: {p}" for p in dict.fromkeys(_axes_problems(fig, ax))]
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text().strip() and text.get_fontsize() < MIN_FONT_PT:
            found.append(f"text {text.get_text()[:30]!r} is {text.get_fontsize():.1f} pt: too small to read")
            break
    return found


def _axes_problems(fig, ax):
    found = []
    drawn = ax.lines + ax.collections + ax.images + ax.patches + ax.texts + ax.tables + ax.artists
    if not any(a.get_visible() for a in drawn):
        return ["empty axes" if ax.axison else "an empty panel: remove it (fig.delaxes) or draw in it"]
    if not (ax.get_title() or ax.get_title("left") or ax.get_title("right") or _suptitle(fig)):
        found.append("no title (say what to see)")
    if ax.axison:
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if _shows_ticks(axis) and not _label(fig, ax, letter):
                found.append(f"no {letter}-axis label")
        found += _tick_problems(ax)
    found += _colour_key(fig, ax)
    found += _legend_problems(fig, ax)
    found += _off_axes(ax)
    if any(not _finite(p.get_height()) for p in ax.patches if type(p).__name__ == "Rectangle"):
        found.append("a bar of NaN height is not drawn: label the missing value")
    return found


def _suptitle(fig):
    return fig._suptitle is not None and fig._suptitle.get_text()


def _shows_ticks(axis):
    return axis.get_visible() and any(t.get_visible() and t.get_text() for t in axis.get_ticklabels())


def _label(fig, ax, letter):
    """Whether this axis, an axes sharing it, or the figure names it."""
    if getattr(fig, f"_sup{letter}label", None) is not None:
        return True
    shared = getattr(ax, f"get_shared_{letter}_axes")().get_siblings(ax)
    return any(getattr(a, f"get_{letter}label")() for a in shared)


def _finite(v):
    return v == v and abs(v) != float("inf")


def _tick_problems(ax):
    import numpy as np

    found = []
    for letter, values in (("x", _data_x(ax)), ("y", _image_y(ax))):
        axis = getattr(ax, f"{letter}axis")
        if values is None or axis.get_scale() != "linear" or not _shows_ticks(axis):
            continue
        values = values[np.isfinite(values)]
        if len(np.unique(values)) >= 2 and np.all(values == np.round(values)):
            lo, hi = sorted(getattr(ax, f"get_{letter}lim")())
            ticks = [t for t in axis.get_ticklocs() if lo - 1e-9 <= t <= hi + 1e-9]
            if any(abs(t - round(t)) > 1e-9 for t in ticks):
                found.append(f"the {letter} axis counts whole numbers but has ticks at fractions "
                             "(MaxNLocator(integer=True))")
    for letter in "xy":
        boxes = sorted((t.get_window_extent() for t in getattr(ax, f"get_{letter}ticklabels")()
                        if t.get_visible() and t.get_text()), key=lambda b: (b.x0, b.y0))
        if any(a.overlaps(b) and (a.intersection(a, b).width > 1 and a.intersection(a, b).height > 1)
               for a, b in zip(boxes, boxes[1:])):
            found.append(f"{letter} tick labels run into each other")
    return found


def _data_x(ax):
    """x positions of the axes' curves and points; None when it draws none."""
    import numpy as np

    parts = [np.asarray(line.get_xdata(), dtype=float).ravel() for line in ax.lines if len(line.get_xdata())]
    parts += [np.asarray(c.get_offsets(), dtype=float)[:, 0] for c in ax.collections
              if type(c).__name__ == "PathCollection" and len(c.get_offsets())]
    if ax.images and ax.axison:
        parts += [_image_positions(im, 0) for im in ax.images]
    return np.concatenate(parts) if parts else None


def _image_y(ax):
    if not (ax.images and ax.axison):
        return None
    import numpy as np

    return np.concatenate([_image_positions(im, 1) for im in ax.images])


def _image_positions(im, dim):
    """Pixel centres of an image along x (0) or y (1) in data units."""
    import numpy as np

    shape = im.get_array().shape
    count = shape[1] if dim == 0 else shape[0]
    left, right, bottom, top = im.get_extent()
    lo, hi = (left, right) if dim == 0 else sorted((bottom, top))
    step = (hi - lo) / count
    return lo + step * (np.arange(count) + 0.5)


def _colour_key(fig, ax):
    mapped = [im for im in ax.images if im.get_array() is not None and im.get_array().ndim == 2]
    mapped += [c for c in ax.collections if c.get_array() is not None and type(c).__name__ != "LineCollection"]
    found = []
    for m in mapped:
        if type(m).__name__ == "AxesImage" and m.get_cmap().name in PICTURE_MAPS and not ax.axison:
            continue
        if m.colorbar is not None or _has_colorbar(fig, m):
            continue
        if type(m).__name__ != "AxesImage" and (ax.get_legend() or fig.legends):
            continue  # points coloured by class, the classes named in a legend
        words = " ".join([ax.get_title(), _suptitle(fig) or ""] + [t.get_text() for t in ax.texts + fig.texts])
        if not COLOUR_WORDS.search(words):
            found.append("a colour image (or coloured points) with no colour bar or stated colour key")
    return found


def _has_colorbar(fig, mappable):
    return any(getattr(a, "_colorbar", None) is not None and a._colorbar.cmap.name == mappable.get_cmap().name
               for a in fig.axes)


def _legend_problems(fig, ax):
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return []
    found = []
    sizes = [t.get_fontsize() for t in legend.get_texts()]
    if sizes and min(sizes) < MIN_FONT_PT:
        found.append(f"legend text is {min(sizes):.1f} pt: too small to read")
    box = legend.get_window_extent()
    covered, total = _data_under(ax, box)
    if total and covered / total > LEGEND_COVERS:
        found.append(f"the legend hides {100 * covered / total:.0f}% of the drawn data: move it "
                     "(an empty corner, or outside the axes)")
    return found


def _data_under(ax, box):
    """(samples under ``box``, all samples) of the axes' curves and points, in
    display space: a curve sampled every 2 pixels along its length."""
    import numpy as np

    inside, total = 0, 0
    frame = ax.get_window_extent()
    for line in ax.lines:
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if len(xy) >= 2:
            seg = np.diff(xy, axis=0)
            steps = np.maximum(1, (np.hypot(*seg.T) / 2).astype(int))
            steps = np.minimum(steps, 2000)
            pts = np.concatenate([xy[i] + seg[i] * np.linspace(0, 1, k, endpoint=False)[:, None]
                                  for i, k in enumerate(steps)])
        else:
            pts = xy
        pts = pts[(pts[:, 0] >= frame.x0) & (pts[:, 0] <= frame.x1) & (pts[:, 1] >= frame.y0) & (pts[:, 1] <= frame.y1)]
        total += len(pts)
        inside += int(np.sum((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)))
    for c in ax.collections:
        if type(c).__name__ != "PathCollection" or not len(c.get_offsets()):
            continue
        pts = c.get_offset_transform().transform(np.asarray(c.get_offsets(), dtype=float))
        total += len(pts)
        inside += int(np.sum((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)))
    return inside, total


def _off_axes(ax):
    import numpy as np

    lo, hi = sorted(ax.get_ylim())
    found = []
    for line in ax.lines:
        y = np.asarray(line.get_ydata(), dtype=float)
        if len(y) < 5 or ax.get_yscale() != "linear":
            continue
        shown = np.mean((y >= lo) & (y <= hi))
        if shown < OFF_AXES:
            label = line.get_label()
            name = f"curve {label!r}" if label and not label.startswith("_") else "a curve"
            found.append(f"{name} lies {100 * (1 - shown):.0f}% outside the axes' y range: "
                         "show where it goes (another scale, a note, or clip it on purpose)")
    return found


# -- running a notebook --------------------------------------------------------

def run(nb, timeout=300) -> list[dict]:
    """Each code cell's ``{"cell", "heading", "failed", "figures": [[problem]]}``
    for ``nb`` executed top to bottom (a failing cell does not stop the run),
    test cells left out: they draw nothing, and some train for seconds."""
    from .notebook import nbgrader_meta

    cells, heading = [], ""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            titles = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
            heading = titles[-1] if titles else heading
        elif cell.cell_type == "code" and not nbgrader_meta(cell).get("grade"):  # tests draw nothing
            cells.append({"cell": i, "heading": heading, "code": cell.source})
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "grader.figures", "--runner"], input=pickle.dumps(cells),
                          capture_output=True, env=env, cwd=tempfile.mkdtemp(prefix="figures-"), timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the figure runner failed:\n{done.stderr.decode()[-3000:]}")
    return json.loads(done.stdout.decode().splitlines()[-1])


def _runner():
    import io

    cells = pickle.loads(sys.stdin.buffer.read())
    out = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the cells' prints go nowhere
    from IPython.core.interactiveshell import InteractiveShell
    import matplotlib.pyplot as plt

    shell = InteractiveShell.instance()
    report = []
    for cell in cells:
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            result = shell.run_cell(cell.pop("code"), silent=False, store_history=True)
        finally:
            sys.stderr = stderr
        figures = [problems(plt.figure(num)) for num in plt.get_fignums()]
        plt.close("all")
        report.append(dict(cell, failed=not result.success, figures=figures))
    os.write(out, ("\n" + json.dumps(report) + "\n").encode())


def check(name, course=None) -> list[str]:
    """The figure problems of notebook ``name``: every figure of the solution,
    and the blank release's figures drawn by cells an unanswered exercise stopped."""
    from .course import Course
    from .notebook import solved

    if course is None:
        course = Course(tempfile.mkdtemp(prefix="figures-course-"))
        course.build([name])
    release, source = course.release(name), course.source(name)
    found = []
    for cell in run(solved(release, source)):
        for k, figure in enumerate(cell["figures"], 1):
            found += [f"solution, cell {cell['cell']} ({cell['heading']}), figure {k}: {p}" for p in figure]
    for cell in run(release):
        if cell["failed"] and cell["figures"]:
            found.append(f"blank release, cell {cell['cell']} ({cell['heading']}): draws "
                         f"{len(cell['figures'])} figure(s) though an unanswered exercise stopped it")
        for k, figure in enumerate(cell["figures"], 1):
            found += [f"blank release, cell {cell['cell']} ({cell['heading']}), figure {k}: {p}" for p in figure]
    return found


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--runner"]:
        return _runner()
    from .paths import notebook_names

    bad = 0
    for name in argv or notebook_names():
        found = check(name)
        bad += len(found)
        print(f"{name}: {len(found)} figure problem(s)")
        for line in found:
            print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
