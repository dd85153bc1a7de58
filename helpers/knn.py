"""k-nearest neighbours: distances, majority votes and k-fold cross-validation.

Reference answers for notebook 01. Later notebooks (and the widgets) use them,
so that a slip in week 1 never breaks week 7.

Shapes: ``X_test`` is (num_test, D), ``X_train`` is (num_train, D), and a
distance matrix ``dists`` is (num_test, num_train) with ``dists[i, j]`` the
distance between the i-th test point and the j-th training point.

The vote (the course's tie rule, the same as scikit-learn's
``KNeighborsClassifier``):

1. The k training points with the smallest distances vote. When several
   points sit at exactly the k-th smallest distance, those with the smaller
   index in ``X_train`` are taken first.
2. The label with the most votes wins. Among labels with the same number of
   votes, **the smallest label wins** (``np.argmax`` of ``np.bincount``
   returns the first maximum).
"""
from __future__ import annotations

import numpy as np

from .checks import guard as _guard
from .checks.guard import reference, reference_helper

__all__ = [
    "compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops",
    "compute_l1_distances", "predict_labels", "cross_validate_k", "KNearestNeighbor",
    "K_CHOICES", "DISTANCE_REFERENCES",
]

#: The values of k that notebook 01 cross-validates.
K_CHOICES = (1, 3, 5, 8, 10, 12, 15, 20, 50, 100)

METRICS = ("l2", "l1")

# Each reference starts with the guard once more (``enter``), so that the
# original, which its wrapper keeps in a closure, refuses too when dug out.
def _enter(name):
    _guard.enter(f"{__name__}.{name}")


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------

def _points(name, X):
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples x features), got shape {X.shape}. "
                         "Flatten images first, e.g. X.reshape(len(X), -1).")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}.")
    return X.astype(np.float64, copy=False)


def _pair(X_test, X_train):
    X_test, X_train = _points("X_test", X_test), _points("X_train", X_train)
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test has {X_test.shape[1]} features per point but X_train has "
                         f"{X_train.shape[1]} (shapes {X_test.shape} and {X_train.shape}).")
    return X_test, X_train


def _labels(y, n, what="y_train"):
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{what} must be 1-D with one label per training point ({n}), "
                         f"got shape {y.shape}.")
    if not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        if not (np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y))):
            raise ValueError(f"{what} must hold integer class labels, got dtype {y.dtype}.")
    return y


def _k(k, n_train):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a positive integer, got {k!r}.")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    if k > n_train:
        raise ValueError(f"k={k} is larger than the number of training points ({n_train}): "
                         "there are not k neighbours to vote.")
    return int(k)


def _metric(metric):
    if metric not in METRICS:
        raise ValueError(f"metric must be 'l2' or 'l1', got {metric!r}.")
    return metric


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------

@reference_helper
def _l2(X_test, X_train):
    """|a - b|^2 = |a|^2 - 2 a.b + |b|^2 for every pair, with one matrix product."""
    _guard.enter_private(__name__, "_l2")
    sq = X_test @ X_train.T  # all the dot products a.b, (num_test, num_train)
    sq *= -2.0
    # Squared row norms without a (num, D) temporary; then added in place.
    sq += np.einsum("ij,ij->i", X_test, X_test)[:, None]
    sq += np.einsum("ij,ij->i", X_train, X_train)[None, :]
    # Rounding can leave tiny negatives where two points (almost) coincide.
    np.maximum(sq, 0.0, out=sq)
    return np.sqrt(sq, out=sq)


@reference_helper
def _l1(X_test, X_train):
    _guard.enter_private(__name__, "_l1")
    # One pass per feature over a (num_test, num_train) buffer: fast and light
    # on memory, unlike broadcasting all (num_test, num_train, D) at once.
    dists = np.zeros((len(X_test), len(X_train)))
    buf = np.empty_like(dists)
    train_t = np.ascontiguousarray(X_train.T)
    for d in range(X_test.shape[1]):
        np.subtract(X_test[:, d, None], train_t[d][None, :], out=buf)
        np.abs(buf, out=buf)
        dists += buf
    return dists


_DISTANCES = {"l2": _l2, "l1": _l1}


@reference
def compute_distances_two_loops(X_test, X_train):
    """L2 (Euclidean) distances with a Python loop over every (test, train) pair.

    X_test: (num_test, D), X_train: (num_train, D), any real dtype.
    Returns dists: (num_test, num_train) float64, dists[i, j] = |X_test[i] - X_train[j]|_2.
    Raises ValueError if the arrays are not 2-D or their D differ.
    """
    _enter("compute_distances_two_loops")
    X_test, X_train = _pair(X_test, X_train)
    dists = np.zeros((len(X_test), len(X_train)))
    for i in range(len(X_test)):
        for j in range(len(X_train)):
            dists[i, j] = np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))
    return dists


@reference
def compute_distances_one_loop(X_test, X_train):
    """L2 distances with one Python loop over test points (broadcasting over
    the training points). Same arguments and result as the two-loop version."""
    _enter("compute_distances_one_loop")
    X_test, X_train = _pair(X_test, X_train)
    dists = np.zeros((len(X_test), len(X_train)))
    for i in range(len(X_test)):
        dists[i] = np.sqrt(np.sum((X_train - X_test[i]) ** 2, axis=1))
    return dists


@reference
def compute_distances_no_loops(X_test, X_train):
    """L2 distances without Python loops: |a|^2 - 2 a.b + |b|^2 for all pairs
    with one matrix product; tiny negative values left by rounding are set to 0
    before the square root. Same arguments and result as the two-loop version."""
    _enter("compute_distances_no_loops")
    return _l2(*_pair(X_test, X_train))


@reference
def compute_l1_distances(X_test, X_train):
    """L1 (Manhattan) distances: dists[i, j] = sum_d |X_test[i, d] - X_train[j, d]|.

    X_test: (num_test, D), X_train: (num_train, D). Returns (num_test, num_train)
    float64. Loops over the D features (not the points), so memory stays at two
    (num_test, num_train) arrays.
    """
    _enter("compute_l1_distances")
    return _l1(*_pair(X_test, X_train))


# --------------------------------------------------------------------------
# Votes
# --------------------------------------------------------------------------

@reference_helper
def _nearest(dists, k):
    """(num_test, k) indices of the k nearest training points of each row,
    ordered by distance, then by index (so ties go to the smaller index)."""
    _guard.enter_private(__name__, "_nearest")
    n, m = dists.shape
    if k < m:
        kth = np.partition(dists, k - 1, axis=1)[:, k - 1:k]  # k-th smallest distance
        closer = dists < kth
        at_kth = dists == kth
        mask = closer | at_kth
        need = k - closer.sum(axis=1)
        rows = np.flatnonzero(at_kth.sum(axis=1) > need)  # ties across the k-th distance
        if len(rows):
            keep = np.cumsum(at_kth[rows], axis=1) <= need[rows, None]
            mask[rows] = closer[rows] | (at_kth[rows] & keep)
        cols = np.nonzero(mask)[1].reshape(n, k)  # ascending index within each row
    else:
        cols = np.broadcast_to(np.arange(m), (n, m))
    order = np.argsort(np.take_along_axis(dists, cols, axis=1), axis=1, kind="stable")
    return np.take_along_axis(cols, order, axis=1)


@reference_helper
def _encode(y_train):
    """(classes in increasing order, code of each label in 0..C-1)."""
    _guard.enter_private(__name__, "_encode")
    classes, codes = np.unique(y_train, return_inverse=True)
    return classes, codes.reshape(-1)


@reference_helper
def _counts(neighbor_codes, n_classes):
    """(n, C) votes per class from (n, k) class codes of the neighbours."""
    _guard.enter_private(__name__, "_counts")
    n = len(neighbor_codes)
    flat = (np.arange(n)[:, None] * n_classes + neighbor_codes).ravel()
    return np.bincount(flat, minlength=n * n_classes).reshape(n, n_classes)


@reference_helper
def _vote(dists, y_train, k):
    _guard.enter_private(__name__, "_vote")
    classes, codes = _encode(y_train)
    counts = _counts(codes[_nearest(dists, k)], len(classes))
    return classes[np.argmax(counts, axis=1)]  # first maximum = smallest label


def _check_dists(dists):
    dists = np.asarray(dists, dtype=np.float64)
    if dists.ndim != 2:
        raise ValueError(f"dists must be a 2-D (num_test, num_train) array, got shape {dists.shape}.")
    if not np.all(np.isfinite(dists)):
        raise ValueError("dists contains NaN or infinite values.")
    return dists


@reference
def predict_labels(dists, y_train, k=1):
    """Majority vote of the k nearest training points.

    dists: (num_test, num_train) distances; y_train: (num_train,) integer labels;
    k: 1 <= k <= num_train. Returns (num_test,) labels with the dtype of y_train.

    Tie rule: among labels with the same number of votes the smallest label
    wins; among training points at exactly the k-th distance the smaller index
    in X_train goes first. This is what scikit-learn's KNeighborsClassifier does.
    Raises ValueError for wrong shapes, NaN distances or k out of range.
    """
    _enter("predict_labels")
    dists = _check_dists(dists)
    y_train = _labels(y_train, dists.shape[1])
    k = _k(k, dists.shape[1])
    return _vote(dists, y_train, k)


# --------------------------------------------------------------------------
# Cross-validation and a small classifier
# --------------------------------------------------------------------------

@reference
def cross_validate_k(X, y, k_choices=K_CHOICES, num_folds=5, metric="l2"):
    """k-fold cross-validation of the number of neighbours.

    X: (N, D), y: (N,) integer labels. The data are split, in order and without
    shuffling, into ``num_folds`` contiguous folds (``np.array_split``; the same
    folds as scikit-learn's ``KFold(num_folds)``). Fold f is held out once:
    the classifier "trains" on the other folds and is scored on fold f.

    Returns {k: [accuracy on fold 0, ..., accuracy on fold num_folds-1]} for
    every k in k_choices, accuracies as Python floats in [0, 1].
    Raises ValueError if a k is larger than a training part or num_folds < 2.
    """
    _enter("cross_validate_k")
    X = _points("X", X)
    y = _labels(y, len(X), "y")
    metric = _metric(metric)
    if isinstance(num_folds, bool) or not isinstance(num_folds, (int, np.integer)) \
            or not 2 <= num_folds <= len(X):
        raise ValueError(f"num_folds must be an integer between 2 and the number of "
                         f"points ({len(X)}), got {num_folds!r}.")
    folds = np.array_split(np.arange(len(X)), num_folds)
    smallest_train = len(X) - max(len(f) for f in folds)
    k_choices = list(k_choices)
    if not k_choices:
        raise ValueError("k_choices is empty: give at least one k to try.")
    for k in k_choices:
        _k(k, smallest_train)
    results = {k: [] for k in k_choices}
    classes, codes = _encode(y)
    for held_out in folds:
        train = np.ones(len(X), dtype=bool)
        train[held_out] = False
        dists = _DISTANCES[metric](X[held_out], X[train])
        # Sort the neighbours once per fold; the votes for every k are then
        # running counts over the first k columns.
        nearest = codes[train][_nearest(dists, max(k_choices))]
        one_hot = np.eye(len(classes), dtype=np.int64)[nearest]  # (n, k_max, C)
        running = np.cumsum(one_hot, axis=1)
        for k in k_choices:
            pred = classes[np.argmax(running[:, int(k) - 1], axis=1)]
            results[k].append(float(np.mean(pred == y[held_out])))
    return results


@reference
class KNearestNeighbor:
    """A k-nearest-neighbour classifier: ``train`` memorises, ``predict`` votes.

    >>> clf = KNearestNeighbor(k=5, metric="l1").train(X_train, y_train)
    >>> clf.predict(X_test)          # (num_test,) labels
    """

    def __init__(self, k=1, metric="l2"):
        _enter("KNearestNeighbor")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        self.k = int(k)
        self.metric = _metric(metric)
        self.X_train = self.y_train = None

    def train(self, X, y):
        """Remember the training data. X: (N, D), y: (N,) labels. Returns self."""
        _enter("KNearestNeighbor")
        X = _points("X", X)
        self.y_train = _labels(y, len(X), "y")
        self.X_train = X
        return self

    fit = train  # the scikit-learn name

    def compute_distances(self, X):
        """(num_test, num_train) distances from X to the training points."""
        _enter("KNearestNeighbor")
        if self.X_train is None:
            raise ValueError("call train(X, y) before predict or compute_distances.")
        return _DISTANCES[self.metric](*_pair(X, self.X_train))

    def predict(self, X, k=None):
        """Labels of X by a vote of the k (default: self.k) nearest training points."""
        _enter("KNearestNeighbor")
        dists = self.compute_distances(X)
        return _vote(dists, self.y_train, _k(self.k if k is None else k, dists.shape[1]))


#: The distance references, all blocked while a student's distance function runs.
DISTANCE_REFERENCES = (compute_distances_two_loops, compute_distances_one_loop,
                       compute_distances_no_loops, compute_l1_distances, KNearestNeighbor)
