"""helpers.preprocessing: centring and scaling, PCA and whitening against scikit-learn."""
import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from helpers import preprocessing as pp
from helpers.data import load_digits


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    mix = rng.standard_normal((5, 5)) * np.array([3.0, 2.0, 1.0, 0.5, 0.2])[:, None]
    return rng.standard_normal((300, 5)) @ mix + np.array([5.0, -2.0, 0.0, 10.0, 1.0])


def test_zero_center_and_scale_uses_the_training_set_only(data):
    train, val = data[:200], data[200:]
    scaler = StandardScaler().fit(train)
    out_train, out_val = pp.zero_center_and_scale(train, val)
    np.testing.assert_allclose(out_train, scaler.transform(train), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out_val, scaler.transform(val), rtol=1e-12, atol=1e-12)
    again, _ = pp.zero_center_and_scale(train, val + 100.0)
    np.testing.assert_array_equal(again, out_train)  # another validation set changes nothing
    assert pp.zero_center_and_scale(train)[0].shape == train.shape  # always a tuple


def test_constant_features_are_only_centred():
    X = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 2.0], [5.0, 0.0, 2.0]])
    (out,) = pp.zero_center_and_scale(X)
    np.testing.assert_allclose(out, StandardScaler().fit_transform(X), atol=1e-12)
    assert np.isfinite(out).all()


def _same_up_to_sign(a, b, axis):
    signs = np.sign(np.sum(a * b, axis=axis, keepdims=True))
    np.testing.assert_allclose(a * signs, b, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_pca_equals_sklearn_up_to_sign(data, k):
    Z, components, variances = pp.pca(data, k)
    model = PCA(n_components=k, svd_solver="full").fit(data)
    _same_up_to_sign(components, model.components_, axis=1)
    _same_up_to_sign(Z, model.transform(data), axis=0)
    np.testing.assert_allclose(variances, model.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-12)


def test_whiten_equals_sklearn_whiten_and_has_identity_covariance(data):
    white = pp.whiten(data, eps=0.0)
    _same_up_to_sign(white, PCA(whiten=True, svd_solver="full").fit_transform(data), axis=0)
    np.testing.assert_allclose(np.cov(white, rowvar=False), np.eye(5), atol=1e-10)


def test_whiten_eps_keeps_directions_without_variance_finite():
    X = load_digits()["X_train"]  # a few pixels are blank in every training image
    white = pp.whiten(X, eps=0.1)
    variances = PCA(svd_solver="full").fit(X).explained_variance_
    assert np.isfinite(white).all()
    np.testing.assert_allclose(np.diag(np.cov(white, rowvar=False)), variances / (variances + 0.1),
                               rtol=1e-6, atol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="k must be between 1 and D"):
        pp.pca(np.zeros((4, 3)), 4)
    with pytest.raises(ValueError, match="has shape"):
        pp.zero_center_and_scale(np.zeros((4, 3)), np.zeros((2, 2)))
