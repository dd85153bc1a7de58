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
"""
from __future__ import annotations

import os


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


def _handler(shell, etype, value, tb, tb_offset=None):
    note = _short(etype, value, tb)
    if note is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        stb = [f"\x1b[33m{note}\x1b[0m"]
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
