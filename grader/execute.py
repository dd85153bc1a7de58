"""Run a notebook headless in a fresh kernel, as a student's "Restart & Run All"."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient


def execute(nb, out_path: Path, timeout=300):
    """Execute ``nb`` with the working folder of ``out_path``, save it there
    with its outputs, and return (seconds, [error lines])."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Unix sockets in a folder of its own, as for grading: kernels started one
    # after another never race for a TCP port.
    with tempfile.TemporaryDirectory(prefix="kernel-") as runtime:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(runtime) / "kernel"),
                           connection_file=str(Path(runtime) / "kernel.json"))
        client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(out_path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
            seconds = time.perf_counter() - start
        finally:  # the client shuts down only kernels it started itself
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    nbformat.write(nb, out_path)
    errors = [f"{o.ename}: {o.evalue}".splitlines()[0]
              for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    return seconds, errors
