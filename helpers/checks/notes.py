"""One short line instead of a traceback for an exercise not answered yet.

A blank exercise holds nbgrader's stub ``raise NotImplementedError()``. When a
test or a later cell calls it, IPython would show some twenty lines of
traceback ending in a bare ``NotImplementedError:``. In a notebook kernel,
importing :mod:`helpers.checks` installs a handler that prints instead::

    Not answered yet: write `svm_loss_naive` in its exercise cell (in place of ...

The cell still ends in an error, so the test still fails (nbgrader counts the
error output) and Run All goes on (every code cell of the release carries the
``raises-exception`` tag). A cell that then reads a value such an exercise
would have made gets one line too (a NameError in a cell's own code). Errors
raised inside libraries or inside a function keep their full traceback.

What a student sees is the note as a small HTML box (dark text on a pale
yellow background with a left border, wrapped between words), not the error
output: JupyterLab draws every error on pink in a monospace block that
breaks lines mid-word, and nothing an error output holds can change that. The
error output still follows the box (with the same words, plain), and a style
rule in the box hides it in JupyterLab; where that rule does not apply (an
untrusted notebook reopened, another front end, nbconvert) the plain error
is what shows.
"""
from __future__ import annotations

import html
import os
import re


def in_a_cell(filename):
    """True for code written in a notebook cell (ipykernel keeps each cell in a
    file of its own temporary folder)."""
    return (os.path.basename(os.path.dirname(filename)).startswith("ipykernel_")
            or filename.startswith("<ipython-input-"))


def _stub_frame(tb):
    """The innermost frame of ``tb`` if it was written in a notebook cell, else None."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame if in_a_cell(tb.tb_frame.f_code.co_filename) else None


def message(frame) -> str:
    name = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
    if name == "<module>":
        return ("Not answered yet: this cell is an exercise. Replace `raise NotImplementedError()` "
                "with your answer and run the cell again.")
    return (f"Not answered yet: write `{name}` in its exercise cell (in place of "
            f"`raise NotImplementedError()`), run that cell, then this one again.")


def undefined(name) -> str:
    return (f"`{name}` is not defined yet: it comes from a cell above that has not run or has "
            "failed, often an exercise not answered yet (or check the spelling).")


def _short(etype, value, tb):
    """The one-line note for this error, or None for a full traceback."""
    frame = _stub_frame(tb)
    if frame is None:
        return None
    if issubclass(etype, NotImplementedError):
        return message(frame)
    # A NameError in a cell's own code (not inside a function, where a full
    # traceback helps more): usually a value an unanswered exercise makes.
    name = getattr(value, "name", None)
    return undefined(name) if name and frame.f_code.co_name == "<module>" else None


# Light-theme colours stated outright, so the box reads the same in any theme.
BOX = ("background: #fff8e1; color: #1f2328; border-left: 4px solid #d29922; padding: 6px 12px; "
       "margin: 2px 0; white-space: normal; word-break: normal; overflow-wrap: break-word; "
       "font-family: var(--jp-content-font-family, sans-serif); font-size: var(--jp-content-font-size1, 14px); "
       "line-height: 1.5")
# Hides the error output right after a note (JupyterLab's layout of output areas).
HIDE_ERROR = ("<style>.jp-OutputArea-child:has(.dlc-not-answered) + .jp-OutputArea-child"
              ":has([data-mime-type='application/vnd.jupyter.stderr']) {display: none;}</style>")


def as_html(note: str) -> str:
    """The note as a box, its `names` as code and "Not answered yet:" in bold."""
    text = html.escape(note, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"^([^:]+:)", r"<strong>\1</strong>", text)
    return f'<div class="dlc-not-answered" style="{BOX}">{text}</div>{HIDE_ERROR}'


def _show(note):
    from IPython.display import display

    display({"text/html": as_html(note), "text/plain": note}, raw=True)


def _handler(shell, etype, value, tb, tb_offset=None):
    note = _short(etype, value, tb)
    if note is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        if os.environ.get("DL_COURSE_GRADING") != "1":  # the grader keeps plain text only
            _show(note)
        stb = [note]
    # IPython discards what a custom handler returns: send the error output
    # ourselves, so the cell still counts as failed.
    shell._showtraceback(etype, value, stb)


def install():
    """Use the short note in the running IPython kernel (nothing outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NotImplementedError, NameError), _handler)
