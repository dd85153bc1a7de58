"""The one error class a student sees: a message, never a traceback."""
from __future__ import annotations


class StudentError(AssertionError):
    """Base of every error written for a student (a failed check, a reference
    called as the answer, a change to the checks). In a notebook it prints as
    its message alone, without a traceback through the helpers."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


class ChecksLocked(StudentError):
    """An answer cell tried to change the notebook's checks."""
