"""Notebook 01's distance tests: every library route to a distance matrix
blocked while a student's distance function runs.

:data:`LIBRARY_DISTANCES` (in :mod:`.blockers`) lists the public functions a
student would reach for (``np.linalg.norm``, scipy's ``cdist``,
scikit-learn's ``euclidean_distances``). :func:`all_distances_blocked` adds
the less obvious ones found by trying: scikit-learn's private
``_euclidean_distances``, ``scipy.spatial.distance_matrix``, ``scipy.linalg.norm``,
the neighbour searches that return distances (``NearestNeighbors``, the KD
trees, ``kneighbors_graph``), numpy's ``vector_norm`` and, when torch is
already imported, torch's norms and pairwise distances. It lives here, not in
the notebook's setup cell, so that an answer cell cannot redefine it.
"""
from __future__ import annotations

import sys

from . import integrity
from .blockers import LIBRARY_DISTANCES, library_blocked

__all__ = ["MORE_LIBRARY_DISTANCES", "all_distances_blocked"]

#: (module, attribute) pairs beyond LIBRARY_DISTANCES that compute distances.
MORE_LIBRARY_DISTANCES = (
    ("numpy.linalg", "vector_norm"),
    ("numpy.linalg", "matrix_norm"),
    ("scipy.linalg", "norm"),
    ("scipy.spatial", "distance_matrix"),
    ("scipy.spatial", "minkowski_distance"),
    ("scipy.spatial", "minkowski_distance_p"),
    ("scipy.spatial", "KDTree"),
    ("scipy.spatial", "cKDTree"),
    ("scipy.spatial.distance", "chebyshev"),
    ("sklearn.metrics.pairwise", "_euclidean_distances"),
    ("sklearn.metrics.pairwise", "_euclidean_distances_upcast"),
    ("sklearn.metrics.pairwise", "nan_euclidean_distances"),
    ("sklearn.metrics.pairwise", "pairwise_distances_chunked"),
    ("sklearn.metrics.pairwise", "paired_distances"),
    ("sklearn.metrics.pairwise", "paired_euclidean_distances"),
    ("sklearn.metrics.pairwise", "paired_manhattan_distances"),
    ("sklearn.metrics", "pairwise_distances_chunked"),
    ("sklearn.metrics", "DistanceMetric"),
    ("sklearn.neighbors", "NearestNeighbors"),
    ("sklearn.neighbors", "KNeighborsClassifier"),
    ("sklearn.neighbors", "KNeighborsRegressor"),
    ("sklearn.neighbors", "KDTree"),
    ("sklearn.neighbors", "BallTree"),
    ("sklearn.neighbors", "kneighbors_graph"),
    ("sklearn.neighbors", "radius_neighbors_graph"),
)

# Only when torch is already imported (importing it takes seconds).
_TORCH_DISTANCES = (
    ("torch", "norm"), ("torch", "dist"), ("torch", "pairwise_distance"),
    ("torch.linalg", "norm"), ("torch.linalg", "vector_norm"),
    ("torch.nn.functional", "pairwise_distance"),
)

_modules = sys.modules


def all_distances_blocked(namespace=None):
    """Like :func:`helpers.checks.library_distances_blocked`, for every
    function in ``LIBRARY_DISTANCES`` and :data:`MORE_LIBRARY_DISTANCES`
    (and torch's when torch is imported): within the block, calling any of
    them (under any name in ``namespace``, the notebook's ``globals()``)
    raises ``CheckFailed``."""
    targets = list(LIBRARY_DISTANCES) + list(MORE_LIBRARY_DISTANCES)
    if "torch" in _modules:
        targets += _TORCH_DISTANCES
    return library_blocked(
        targets, namespace,
        why="compute the distances from their formula with array arithmetic "
            "(-, *, **, np.sum, np.sqrt, @); library distance functions are not allowed")


integrity.lock(sys.modules[__name__])
