"""Run a notebook headless in a fresh kernel, as a student's "Restart & Run All"."""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(nb, out_path: Path, timeout=300):
    """Execute ``nb`` with the working folder of ``out_path``, save it there
    with its outputs, and return (seconds, [error lines])."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(out_path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, out_path)
    errors = [f"{o.ename}: {o.evalue}".splitlines()[0]
              for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    return seconds, errors
