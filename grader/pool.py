"""Run grading jobs side by side: a pool of worker processes on this machine,
or a Dask distributed cluster for classes bigger than one machine.

Results come back as each job finishes; a job whose worker itself failed
comes back as a "not graded" result with the reason, never as an exception
that stops the class.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from . import job as grading


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _lost(j, err):
    r = grading.Result(j.student, j.notebook, ok=False)
    r.notes.append(f"the grading worker failed ({type(err).__name__}: {str(err)[:200]}); graded 0, run again")
    return r


def grade(jobs, workers=None, scheduler=None):
    """Yield a :class:`grader.job.Result` for each job, in the order they finish.

    ``scheduler``: a Dask scheduler address (``tcp://host:8786``) or a
    ``distributed`` cluster object; otherwise ``workers`` local processes
    (default: one per core)."""
    jobs = list(jobs)
    if not jobs:
        return
    if scheduler is not None:
        yield from _dask(jobs, scheduler)
        return
    # Each worker needs one core: its kernel's BLAS and torch stay single-threaded.
    with grading.environment(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"), \
            ProcessPoolExecutor(workers or default_workers(),
                                mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(grading.run, j): j for j in jobs}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as err:
                yield _lost(futures[future], err)


def _dask(jobs, scheduler):
    from distributed import Client, as_completed as dask_completed

    with Client(scheduler) as client:
        futures = client.map(grading.run, jobs, pure=False)
        owner = dict(zip((f.key for f in futures), jobs))
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as err:
                yield _lost(owner[future.key], err)
