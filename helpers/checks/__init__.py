"""Everything a notebook test cell uses, in one package an answer cell cannot switch off.

- :mod:`.assertions`: ``check_close``, ``check_equal``, ``check_shape``,
  ``check_gradient``, ``check_true``, ``passed``, ``hidden_note`` and :class:`CheckFailed`;
- :mod:`.guard`: ``reference`` and ``without_reference``;
- :mod:`.blockers`: library functions blocked while an answer runs, and a
  Python line counter with the "no loops" check built on it;
- :mod:`.integrity`: ``verify()``, which every check calls first;
- :mod:`.oracles` (imported on its own, it imports torch): the PyTorch oracles;
- :mod:`.losses`: the loss-function test steps of notebook 02;
- :mod:`.notes`: one short "Not answered yet" line for a blank exercise,
  installed in the notebook's kernel on import.

Test cells import what they use at their top (``from helpers.checks import
check_close, passed``), so an answer cell that rebinds ``check_close`` changes
nothing; the modules refuse attribute assignment, and ``verify()`` puts back
what an answer cell replaced in numpy, torch, scikit-learn, builtins and the
helpers, saying so in the output.
"""
from __future__ import annotations

import sys

from . import integrity, notes
from .assertions import (KINK, SMOOTH, CheckFailed, check_close, check_equal, check_gradient,
                         check_shape, check_true, hidden_note, passed)
from .blockers import (LIBRARY_DISTANCES, check_no_loops, library_blocked,
                       library_distances_blocked, python_line_count)
from .errors import ChecksLocked, StudentError
from .guard import ReferenceUsed, reference, reference_helper, without_reference
from .integrity import verify

__all__ = [
    "CheckFailed", "ChecksLocked", "KINK", "LIBRARY_DISTANCES", "ReferenceUsed", "SMOOTH",
    "StudentError", "check_close", "check_equal", "check_gradient", "check_no_loops", "check_shape",
    "check_true", "hidden_note", "library_blocked", "library_distances_blocked", "passed", "python_line_count", "reference",
    "reference_helper", "verify", "without_reference",
]

# Record numpy, builtins, torch and scikit-learn if already imported, and this
# package; then refuse assignments to its modules.
integrity.snapshot(extra=[__name__])
for _name in ("", ".errors", ".integrity", ".assertions", ".guard", ".blockers", ".diagnosis"):
    integrity.lock(sys.modules[__name__ + _name])
del _name
notes.install()
integrity.snapshot_ipython()  # with the notes handler in place
