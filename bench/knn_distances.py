"""How much faster are vectorised distances? Notebook 01's three L2 versions
(the helpers.knn references) and scikit-learn's ``euclidean_distances`` on
CIFAR-sized arrays: 500 test x 5000 training points of 3072 float64 numbers
(random, seeded), the CS231n kNN subsample.

The two-loop version would take minutes for all 2.5 million pairs, so it is
timed on a slice of test rows and scaled up linearly (each row costs the
same); the one-loop version likewise. The output says which figures are
scaled. Expected on any machine: two loops / no loops >= 50x, and no loops /
scikit-learn <= 1.5x (both are one matrix product in BLAS). At D = 3072 the
one-loop version is usually *slower* than two loops: each iteration makes a
5000 x 3072 temporary (117 MiB), so it is limited by memory traffic.

    python -m bench.knn_distances            # the full size
    python -m bench.knn_distances --quick    # small arrays, a few seconds

BLAS speed depends on the library and its threads: the header prints what
threadpoolctl sees, and the OpenBLAS variables that slow some machines down.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
from sklearn.metrics.pairwise import euclidean_distances

from helpers import knn
from helpers.gradcheck import rel_error

TWO_LOOPS_MIN_RATIO = 50.0  # two loops / no loops should be at least this
SKLEARN_MAX_RATIO = 1.5     # no loops / scikit-learn should be at most this


def best_time(fn, *args, repeat=3):
    """(best wall-clock seconds of ``repeat`` calls, the last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def blas_info():
    lines = []
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            kernel = f", kernel {pool['architecture']}" if pool.get("architecture") else ""
            version = f" {pool['version']}" if pool.get("version") else ""
            lines.append(f"{pool.get('user_api')}: {pool.get('internal_api')}{version} "
                         f"({os.path.basename(pool.get('filepath', '?'))}), "
                         f"{pool.get('num_threads')} threads{kernel}")
    except ImportError:
        lines.append("threadpoolctl is not installed: BLAS library unknown")
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                      "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
           if k in os.environ}
    lines.append("environment: " + (", ".join(f"{k}={v}" for k, v in env.items()) or
                                    "no OpenBLAS/OpenMP variables set"))
    if "OPENBLAS_CORETYPE" in env:
        lines.append("note: OPENBLAS_CORETYPE forces a generic kernel; matrix products "
                     "may be several times slower than this CPU allows")
    return lines


def run(n_test=500, n_train=5000, dim=3072, two_loop_rows=20, one_loop_rows=50,
        repeat=3, seed=0):
    """Time the four versions; returns a list of result dicts (one per row
    of the table) and prints the table."""
    rng = np.random.default_rng(seed)
    X_test = rng.standard_normal((n_test, dim))
    X_train = rng.standard_normal((n_train, dim))
    two_loop_rows, one_loop_rows = min(two_loop_rows, n_test), min(one_loop_rows, n_test)

    print(f"kNN distances: {n_test} test x {n_train} train points, D = {dim}, float64 "
          f"({n_test * n_train / 1e6:.2f} M pairs)")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores")
    for line in blas_info():
        print("  " + line)

    versions = [
        ("two loops (helpers.knn)", knn.compute_distances_two_loops, two_loop_rows, 1),
        ("one loop (helpers.knn)", knn.compute_distances_one_loop, one_loop_rows, 1),
        ("no loops (helpers.knn)", knn.compute_distances_no_loops, n_test, repeat),
        ("sklearn euclidean_distances", euclidean_distances, n_test, repeat),
    ]
    rows, outputs = [], {}
    for name, fn, n_rows, reps in versions:
        seconds, out = best_time(fn, X_test[:n_rows], X_train, repeat=reps)
        full = seconds * n_test / n_rows
        rows.append({"name": name, "rows": n_rows, "seconds": seconds, "full": full,
                     "scaled": n_rows < n_test})
        outputs[name] = out

    reference = outputs["sklearn euclidean_distances"]
    no_loops = rows[2]["full"]
    print()
    print(f"{'version':<30}{'rows timed':>11}{'measured s':>12}{'s for all rows':>16}"
          f"{'vs no loops':>13}  agrees with sklearn")
    for row in rows:
        out = outputs[row["name"]]
        err = rel_error(out, reference[:len(out)])
        full = f"{row['full']:.3f}" + (" *" if row["scaled"] else "  ")
        print(f"{row['name']:<30}{row['rows']:>11}{row['seconds']:>12.3f}{full:>16}"
              f"{row['full'] / no_loops:>12.1f}x  rel. error {err:.1e}")
    print("* timed on the first rows only and scaled linearly to all "
          f"{n_test} rows (every row costs the same)")

    two_ratio = rows[0]["full"] / no_loops
    sk_ratio = no_loops / rows[3]["full"]
    print()
    print(f"two loops / no loops   = {two_ratio:8.1f}x  (expected >= {TWO_LOOPS_MIN_RATIO:g}x: "
          f"{'ok' if two_ratio >= TWO_LOOPS_MIN_RATIO else 'UNEXPECTED'})")
    print(f"one loop / no loops    = {rows[1]['full'] / no_loops:8.1f}x")
    if rows[1]["full"] > rows[0]["full"]:
        print("  (one loop is slower than two here: each iteration builds a "
              f"{n_train} x {dim} temporary, {n_train * dim * 8 / 2**20:.0f} MiB, and streams "
              "it through memory several times; two loops touch one row pair at a time)")
    print(f"no loops / scikit-learn = {sk_ratio:7.2f}x  (expected <= {SKLEARN_MAX_RATIO:g}x: "
          f"{'ok' if sk_ratio <= SKLEARN_MAX_RATIO else 'UNEXPECTED'})")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small arrays (100 x 1000 x 256) for a smoke test")
    parser.add_argument("--n-test", type=int, default=500)
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument("--dim", type=int, default=3072)
    parser.add_argument("--two-loop-rows", type=int, default=20,
                        help="test rows timed with two loops (then scaled up)")
    parser.add_argument("--one-loop-rows", type=int, default=50,
                        help="test rows timed with one loop (then scaled up)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    # main() alone (as `python -m bench` calls it) means the defaults.
    args = parser.parse_args([] if argv is None else argv)
    if args.quick:
        args.n_test, args.n_train, args.dim = 100, 1000, 256
        args.two_loop_rows, args.one_loop_rows = 10, 100
    return run(args.n_test, args.n_train, args.dim, args.two_loop_rows, args.one_loop_rows,
               args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
