"""Instructor tooling: build the release, validate, check, autograde (nbgrader underneath)."""
import os
import sys

# nbgrader runs the `alembic` executable that sits beside this interpreter,
# and notebooks must run in this environment's kernel, not a "python3" kernel
# that a user-wide Jupyter set-up may point at another Python.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [os.path.join(sys.prefix, "share", "jupyter")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
