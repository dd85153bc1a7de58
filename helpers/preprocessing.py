"""Input preprocessing with statistics of the training set: zero-centring and
scaling, PCA and PCA whitening (notebook 05's references).

- :func:`zero_center_and_scale` subtracts the training set's mean of every
  feature and divides by its standard deviation; the same numbers are applied
  to every other set (validation, test), so nothing leaks from them.
  Features that are constant in the training set are only centred.
- :func:`pca` projects centred data onto its ``k`` directions of largest
  variance (the eigenvectors of the covariance matrix), returned as rows like
  ``sklearn.decomposition.PCA.components_``.
- :func:`whiten` rotates centred data onto all its principal directions and
  divides each coordinate by ``sqrt(variance + eps)``: the covariance becomes
  (nearly) the identity. ``sklearn.decomposition.PCA(whiten=True)`` is the
  same with ``eps = 0``.

The covariance is ``np.cov`` (divided by N - 1), as in scikit-learn. Signs of
principal directions are arbitrary: these functions make the largest
coordinate of each direction positive.
"""
from __future__ import annotations

import numpy as np

from .checks.guard import reference, reference_helper

__all__ = ["zero_center_and_scale", "pca", "whiten"]

#: A training standard deviation below this counts as 0 (a constant feature).
CONSTANT = 1e-8


def _training_set(X, what):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 1:
        raise ValueError(f"{what}: X must have shape (N, D) with N >= 1, got {X.shape}")
    return X


@reference
def zero_center_and_scale(X_train, *others):
    """``(X_train', *others')``: every array minus the training mean of each
    feature, divided by the training standard deviation of that feature (1 for
    a feature that is constant in the training set). Always a tuple; new
    float arrays, the inputs untouched."""
    X_train = _training_set(X_train, "zero_center_and_scale")
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < CONSTANT, 1.0, std)
    out = []
    for i, X in enumerate([X_train, *others]):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != X_train.shape[1]:
            raise ValueError(f"zero_center_and_scale: array {i} has shape {X.shape}, but the training "
                             f"set has {X_train.shape[1]} features")
        out.append((X - mean) / std)
    return tuple(out)


@reference_helper
def _eig(X):
    """Mean, eigenvalues (decreasing) and eigenvectors (columns) of the covariance of X."""
    X = _training_set(X, "pca")
    if len(X) < 2:
        raise ValueError("pca needs at least 2 samples to measure a variance")
    mean = X.mean(axis=0)
    Xc = X - mean
    cov = Xc.T @ Xc / (len(X) - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = np.maximum(values[order], 0.0), vectors[:, order]
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(vectors.shape[1])])
    return Xc, values, vectors * np.where(signs == 0, 1.0, signs)


@reference
def pca(X, k):
    """``(Z, components, variances)`` for data X (N, D) and 1 <= k <= D:
    ``components`` (k, D) the unit directions of largest variance as rows,
    in decreasing order of variance; ``variances`` (k,) the variance of the
    data along each (eigenvalues of the covariance, divided by N - 1);
    ``Z = (X - mean) @ components.T`` (N, k)."""
    Xc, values, vectors = _eig(X)
    if not 1 <= int(k) <= Xc.shape[1]:
        raise ValueError(f"k must be between 1 and D = {Xc.shape[1]}, got {k}")
    components = vectors[:, :int(k)].T
    return Xc @ components.T, components, values[:int(k)]


@reference
def whiten(X, eps=1e-5):
    """PCA whitening of X (N, D): ``(X - mean) @ V / sqrt(variances + eps)``
    with V (D, D) all principal directions as columns, in decreasing order of
    variance. Returns an (N, D) array whose covariance is diagonal with
    entries ``variance / (variance + eps)``."""
    Xc, values, vectors = _eig(X)
    return (Xc @ vectors) / np.sqrt(values + float(eps))
