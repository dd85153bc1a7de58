"""Notebook 01's test steps: inputs, oracles, the blocks around an answer, long hints.

A test cell of notebook 01 reads as four steps: its inputs come from here
(:func:`points`, :func:`vote_cases`, ...), the student's function runs inside
:func:`answering` (the course's reference and the library shortcuts refused),
its result is compared with scikit-learn's (:func:`euclidean`,
:func:`manhattan`, :func:`check_votes`, :func:`check_fold_accuracies`), and a
tick. The oracles put back whatever an answer cell replaced in scikit-learn
before they run (``verify()``), and this module refuses assignment, so an
answer cell cannot change what a test compares with.

The inputs of hidden tests stay in the hidden test code: nothing here tells
which cases are checked at grading time.
"""
from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from typing import NamedTuple

import numpy as np

from .. import knn
from . import integrity
from .assertions import check_close, check_equal, check_shape, check_true
from .blockers import library_blocked
from .distances import all_distances_blocked
from .guard import without_reference

__all__ = ["answering", "points", "two_loops_cases", "one_loop_cases", "euclidean", "manhattan", "check_distances", "check_loops_once",
           "VoteCase", "vote_cases", "tie_cases", "neighbours_vote", "check_votes", "mnist1d_train", "cv_scores",
           "check_fold_accuracies", "HINT_SQRT", "HINT_ROW_SUM", "HINT_THREE_TERMS", "HINT_NORM_SHAPES",
           "HINT_NO_LOOPS", "ROWS_AND_COLUMNS"]

_verify = integrity.verify
_default_rng, _asarray, _array_equal, _argmin, _arange = (np.random.default_rng, np.asarray, np.array_equal,
                                                          np.argmin, np.arange)

# ---------------------------------------------------------------- the block around an answer

#: scikit-learn's ways to do the vote or the folds for you.
NEIGHBOUR_CLASSIFIERS = [("sklearn.neighbors", "KNeighborsClassifier")]
CROSS_VALIDATION = [("sklearn.model_selection", name)
                    for name in ("KFold", "cross_val_score", "cross_validate", "cross_val_predict")]


@contextmanager
def answering(namespace, task="distances"):
    """While the block runs the student's answer, refuse the course's own
    answer and the library shortcuts of ``task``:

    - ``"distances"``: the course's distance functions and every library
      distance function (:func:`~helpers.checks.distances.all_distances_blocked`);
    - ``"votes"``: the course's ``predict_labels`` and kNN classifier, and
      scikit-learn's ``KNeighborsClassifier``;
    - ``"folds"``: the course's ``cross_validate_k`` and scikit-learn's
      cross-validation helpers (the course's distances and vote stay allowed).

    ``namespace`` is the test cell's ``globals()``: a shortcut the notebook
    imported under another name is refused too. Whatever an answer cell
    replaced in numpy or scikit-learn is put back first."""
    if task == "distances":
        refs, block = knn.DISTANCE_REFERENCES, lambda: all_distances_blocked(namespace)
    elif task == "votes":
        refs = (knn.predict_labels, knn.KNearestNeighbor)
        block = lambda: library_blocked(NEIGHBOUR_CLASSIFIERS, namespace, why="count the votes yourself")  # noqa: E731
    elif task == "folds":
        refs = (knn.cross_validate_k,)
        block = lambda: library_blocked(CROSS_VALIDATION, namespace,  # noqa: E731
                                        why="split the folds and score them yourself")
    else:
        raise ValueError(f"unknown task {task!r}: 'distances', 'votes' or 'folds'")
    with ExitStack() as stack:
        stack.enter_context(without_reference(*refs))  # verify() first, then the blocks
        stack.enter_context(block())
        yield


# ---------------------------------------------------------------- distances

ROWS_AND_COLUMNS = "one row per test point, one column per training point"
HINT_SQRT = ("dists[i, j] is the square root of the sum of squared differences: did you forget np.sqrt, "
             "or square the sum instead of summing the squares?")
HINT_ROW_SUM = ("sum the squared differences along the features only (axis=1), so that each training point "
                "gets its own distance.")
HINT_NORM_SHAPES = "|a|^2 should be a column (num_test, 1) and |b|^2 a row (1, num_train)."
HINT_THREE_TERMS = ("check the three terms: |a|^2 - 2 * X_test @ X_train.T + |b|^2 (mind the sign of the "
                    "middle term), then np.sqrt.")
HINT_NO_LOOPS = ("no for loop, while loop, comprehension or np.vectorize, not even over the features: "
                 "np.sum(X ** 2, axis=1) for the squared norms and one matrix product X_test @ X_train.T.")
HINT_ONE_LOOP = ("one loop over the test points; inside it, one vectorised line for the whole row: "
                 "X_train - X_test[i], squared, summed along axis=1.")


def points(seed, num_test=5, num_train=7, dim=4):
    """``(A, B)``: ``num_test`` test points and ``num_train`` training points
    of ``dim`` features, standard normal, from ``default_rng(seed)``."""
    _verify()
    rng = _default_rng(seed)
    return rng.standard_normal((num_test, dim)), rng.standard_normal((num_train, dim))


def two_loops_cases():
    """``[(what, A, B, hint)]`` for compute_distances_two_loops: 5 test points
    and 7 training points of 4 features; then one number each."""
    A, B = points(101)
    return [("A, B", A, B, HINT_SQRT),
            ("A[:1, :1], B[:1, :1]", A[:1, :1], B[:1, :1], "in one dimension the L2 distance is |a - b|, never negative.")]


def one_loop_cases():
    """``[(what, A, B, hint)]`` for compute_distances_one_loop: 5 test points
    and 7 training points of 4 features; then one point each."""
    A, B = points(102)
    return [("A, B", A, B, HINT_ROW_SUM),
            ("A[:1], B[:1]", A[:1], B[:1], "one test point and one training point give a 1 x 1 matrix.")]


def euclidean(A, B):
    """scikit-learn's L2 distances between the rows of A and of B."""
    _verify()
    from sklearn.metrics.pairwise import euclidean_distances
    return euclidean_distances(A, B)


def manhattan(A, B):
    """scikit-learn's L1 distances between the rows of A and of B."""
    _verify()
    from sklearn.metrics.pairwise import manhattan_distances
    return manhattan_distances(A, B)


def check_distances(name, dists, expected, hint, shape_hint=ROWS_AND_COLUMNS, tol=1e-8):
    """A distance matrix: its shape (``shape_hint`` if wrong), then its values
    (relative error at most ``tol``; ``hint`` if wrong)."""
    expected = _asarray(expected)
    check_shape(name, dists, expected.shape, hint=shape_hint)
    check_close(name, dists, expected, tol=tol, hint=hint)


def check_loops_once(name, dists, expected, lines, sizes="100 test points, 100 training points and 100 features",
                     max_lines=2000):
    """A one-loop distance function's result on a large input (right, first)
    and the ``lines`` of Python it ran (from ``python_line_count``): a single
    loop (over the test points, or over the features) runs a few hundred
    lines; a loop inside the loop runs tens of thousands."""
    check_close(f"{name}(A, B) for 100 points of 100 features", dists, expected, tol=1e-8,
                hint="the answer must be right as well as loop once.")
    check_true(lines < max_lines,
               f"{name} ran {lines} lines of Python for {sizes}: it loops twice (a loop inside the loop over "
               "the test points, or a call to compute_distances_two_loops).", hint=HINT_ONE_LOOP)


# ---------------------------------------------------------------- the vote

HINT_NEAREST = ("the nearest neighbours have the SMALLEST distances (np.argsort sorts in increasing order), "
                "and the first k of them vote.")
HINT_USE_K = "these are the predictions of k = 1: did you use k?"
HINT_VOTE = ("take the k nearest, count their labels (np.bincount), the most votes wins and a tie goes to "
             "the smallest label.")
ONE_LABEL_PER_ROW = "one label per test point (per row of dists)."


class VoteCase(NamedTuple):
    """One call ``predict_labels(dists, y_train, k=k)`` and its expected labels.
    ``hint=None`` picks the hint from the wrong answer (did it use k?)."""
    name: str
    dists: np.ndarray
    y_train: np.ndarray
    k: int
    expected: np.ndarray
    hint: str | None = None
    shape_hint: str = ONE_LABEL_PER_ROW


def mnist1d_train(n):
    """The first ``n`` MNIST-1D training signals and their labels."""
    from ..data import load_mnist1d
    m = load_mnist1d()
    return m["X_train"][:n], m["y_train"][:n]


def neighbours_vote(X_train, y_train, X_test, k, metric="minkowski"):
    """scikit-learn's kNN predictions (``"minkowski"`` is its default, L2): the oracle of predict_labels."""
    _verify()
    from sklearn.neighbors import KNeighborsClassifier
    return KNeighborsClassifier(n_neighbors=k, metric=metric).fit(X_train, y_train).predict(X_test)


def vote_cases():
    """The visible cases of predict_labels: the L2 distances (from scikit-learn,
    so the test does not depend on your distance code) of the first 200
    MNIST-1D test signals to the 4000 training signals with k = 1 and k = 5,
    against scikit-learn's KNeighborsClassifier; then 3 rows of random
    distances to 6 training points labelled [4, 4, 1, 1, 1, 2] with k = 6,
    where every training point votes and the majority label, 1, wins."""
    from ..data import load_mnist1d
    m = load_mnist1d()
    X_train, y_train, X_test = m["X_train"], m["y_train"], m["X_test"][:200]
    dists = euclidean(X_test, X_train)
    cases = [VoteCase(f"predict_labels(dists, y_train, k={k})", dists, y_train, k,
                      neighbours_vote(X_train, y_train, X_test, k)) for k in (1, 5)]
    y_small = np.array([4, 4, 1, 1, 1, 2])
    cases.append(VoteCase("predict_labels(dists, y, k=num_train) for y = [4, 4, 1, 1, 1, 2]",
                          _default_rng(106).random((3, 6)), y_small, 6, np.array([1, 1, 1]),
                          hint="with k = num_train every training point votes: 1 has three votes."))
    return cases


def tie_cases():
    """Three hand-made rows of distances 1, 2, 3, ... (closest first): labels
    [7, 2, 2, 5] with k = 3; [3, 1, 5, 5] with k = 2 (a tie); [5, 2, 5, 2, 9]
    with k = 4 (a tie)."""
    cases = []
    for labels, k, expected, hint in [
        ([7, 2, 2, 5], 3, 2, "did you use k? With k = 3 the three nearest vote (7, 2, 2): 2 wins."),
        ([3, 1, 5, 5], 2, 1, "the two nearest are labelled 3 and 1, one vote each: a tie goes to the "
                             "SMALLEST label, 1."),
        ([5, 2, 5, 2, 9], 4, 2, "2 - 2 tie between labels 5 and 2 among the four nearest: the smallest "
                                "label, 2, wins."),
    ]:
        cases.append(VoteCase(f"predict_labels for labels {labels} (closest first), k={k}",
                              _arange(1.0, len(labels) + 1)[None, :], np.array(labels), k, np.array([expected]),
                              hint=hint, shape_hint="one row of distances gives one label."))
    return cases


def check_votes(case, predicted):
    """The labels ``predict_labels`` returned for ``case``: one per row, equal
    to the expected ones; the hint says whether k was used."""
    check_shape(case.name, predicted, case.expected.shape, hint=case.shape_hint)
    predicted = _asarray(predicted)
    hint = case.hint
    if hint is None:
        if case.k == 1:
            hint = HINT_NEAREST
        elif _array_equal(predicted, case.y_train[_argmin(case.dists, axis=1)]):
            hint = HINT_USE_K
        else:
            hint = HINT_VOTE
    check_equal(case.name, predicted, case.expected, hint=hint)


# ---------------------------------------------------------------- cross-validation

HINT_FOLDS = ("fold f = the f-th chunk of np.array_split(X, num_folds); train on all the other folds (not on "
              "fold f itself) and score on fold f.")


def cv_scores(X, y, k, num_folds=5, metric="minkowski"):
    """scikit-learn's accuracy per fold of a k-NN classifier, folds in order
    (KFold without shuffling): the oracle of cross_validate_k."""
    _verify()
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier
    return cross_val_score(KNeighborsClassifier(n_neighbors=k, metric=metric), X, y, cv=KFold(n_splits=num_folds))


def check_fold_accuracies(results, X, y, ks, num_folds=5):
    """What ``cross_validate_k(X, y, ks, num_folds)`` returned: a dict with
    the keys ``ks``, and for each k one accuracy per fold equal to
    scikit-learn's ``cross_val_score`` with ``KFold(num_folds)``."""
    check_true(isinstance(results, dict) and sorted(results) == sorted(ks),
               f"cross_validate_k should return a dict with the keys {list(ks)}, got "
               f"{sorted(results) if isinstance(results, dict) else type(results).__name__}.")
    for k in ks:
        expected = cv_scores(X, y, k, num_folds)
        check_shape(f"cross_validate_k(...)[{k}]", results[k], (num_folds,),
                    hint="one accuracy per fold, appended in fold order.")
        check_close(f"cross_validate_k(...)[{k}] (accuracy per fold)", results[k], expected, tol=1e-9,
                    hint=HINT_FOLDS)


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
