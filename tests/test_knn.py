"""helpers.knn: distances against scikit-learn, votes and the tie rule against
KNeighborsClassifier and a brute-force definition (hypothesis), k-fold
cross-validation against cross_val_score, input errors, and the two test
utilities of notebook 01."""
from collections import Counter

import numpy as np
import pytest
import scipy.spatial.distance
import sklearn.metrics.pairwise
from hypothesis import given, settings, strategies as st
from sklearn.metrics.pairwise import euclidean_distances, manhattan_distances
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from helpers import knn
from helpers.data import load_mnist1d
from helpers.checks import CheckFailed, library_distances_blocked, python_line_count
from helpers.gradcheck import rel_error
from helpers.checks import ReferenceUsed, without_reference

L2_VERSIONS = [knn.compute_distances_two_loops, knn.compute_distances_one_loop,
               knn.compute_distances_no_loops]
ALL_DISTANCES = L2_VERSIONS + [knn.compute_l1_distances]
ORACLE = {knn.compute_distances_two_loops: euclidean_distances,
          knn.compute_distances_one_loop: euclidean_distances,
          knn.compute_distances_no_loops: euclidean_distances,
          knn.compute_l1_distances: manhattan_distances}
SK_METRIC = {"l2": "euclidean", "l1": "manhattan"}


@pytest.fixture(scope="module")
def mnist1d():
    return load_mnist1d()


def brute_force_vote(dists, y_train, k):
    """The rule written out in plain Python: sort by (distance, index), take k,
    count, most votes wins, ties to the smallest label."""
    out = []
    for row in dists:
        order = sorted(range(len(row)), key=lambda j: (row[j], j))[:k]
        votes = Counter(int(y_train[j]) for j in order)
        best = max(votes.values())
        out.append(min(label for label, n in votes.items() if n == best))
    return np.array(out)


# --------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 7, 5), (13, 4, 40), (6, 30, 2)])
@pytest.mark.parametrize("fn", ALL_DISTANCES, ids=lambda f: f.__name__)
def test_distances_match_sklearn(fn, shape):
    n_test, n_train, d = shape
    rng = np.random.default_rng(sum(shape))
    A, B = rng.standard_normal((n_test, d)), rng.standard_normal((n_train, d))
    out = fn(A, B)
    assert out.shape == (n_test, n_train) and out.dtype == np.float64
    assert rel_error(out, ORACLE[fn](A, B)) < 1e-12


@pytest.mark.parametrize("fn", ALL_DISTANCES, ids=lambda f: f.__name__)
def test_distances_accept_integers_and_lists(fn):
    A = [[0, 0], [3, 4]]
    B = np.array([[0, 0], [1, 1], [-3, -4]], dtype=np.int8)  # int8 would overflow if squared as is
    out = fn(A, B)
    expected = ORACLE[fn](np.asarray(A, float), B.astype(float))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_three_l2_versions_agree_on_mnist1d(mnist1d):
    A, B = mnist1d["X_test"][:20], mnist1d["X_train"][:500]
    two, one, none = (fn(A, B) for fn in L2_VERSIONS)
    assert rel_error(two, one) < 1e-8 and rel_error(two, none) < 1e-8
    assert rel_error(none, euclidean_distances(A, B)) < 1e-12
    assert rel_error(knn.compute_l1_distances(A, B), manhattan_distances(A, B)) < 1e-12


def test_no_loops_clips_rounding_below_zero():
    # Far from the origin |a|^2 - 2ab + |b|^2 cancels badly; identical points
    # can come out slightly negative, which must not turn into NaN.
    rng = np.random.default_rng(3)
    A = 1e4 + rng.standard_normal((50, 8))
    out = knn.compute_distances_no_loops(A, A)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)
    # What is left on the diagonal is sqrt(rounding of |a|^2 ~ 8e8), about 1e-3.
    assert np.max(np.diag(out)) < 1e-2


def test_l1_distances_do_not_need_a_big_3d_array():
    A, B = np.ones((300, 500)), np.zeros((400, 500))  # 60M numbers if broadcast in 3-D
    out = knn.compute_l1_distances(A, B)
    assert out.shape == (300, 400) and np.all(out == 500.0)


@pytest.mark.parametrize("fn", ALL_DISTANCES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("A, B, words", [
    (np.zeros(3), np.zeros((2, 3)), "2-D"),
    (np.zeros((2, 3)), np.zeros((2, 3, 1)), "2-D"),
    (np.zeros((2, 3)), np.zeros((2, 4)), "features"),
    (np.array([["a"]]), np.zeros((1, 1)), "numbers"),
])
def test_distances_reject_bad_shapes(fn, A, B, words):
    with pytest.raises(ValueError, match=words):
        fn(A, B)


# --------------------------------------------------------------------------
# Votes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("k", [1, 5])
def test_predictions_equal_kneighborsclassifier_on_mnist1d(mnist1d, k, metric):
    d = mnist1d
    dist_fn = knn.compute_distances_no_loops if metric == "l2" else knn.compute_l1_distances
    pred = knn.predict_labels(dist_fn(d["X_test"], d["X_train"]), d["y_train"], k=k)
    clf = KNeighborsClassifier(n_neighbors=k, metric=SK_METRIC[metric])
    oracle = clf.fit(d["X_train"], d["y_train"]).predict(d["X_test"])
    np.testing.assert_array_equal(pred, oracle)
    if (k, metric) == (1, "l2"):
        assert np.mean(pred == d["y_test"]) == pytest.approx(0.567)


def test_k1_is_the_nearest_label(mnist1d):
    D = knn.compute_distances_no_loops(mnist1d["X_test"][:100], mnist1d["X_train"])
    np.testing.assert_array_equal(knn.predict_labels(D, mnist1d["y_train"], 1),
                                  mnist1d["y_train"][np.argmin(D, axis=1)])


def test_tie_rule_examples():
    y = np.array([3, 1, 3, 1, 7])
    d = np.array([[0.1, 0.2, 0.3, 0.4, 0.5]])
    assert knn.predict_labels(d, y, k=1)[0] == 3   # nearest
    assert knn.predict_labels(d, y, k=2)[0] == 1   # 1 vote each: smallest label
    assert knn.predict_labels(d, y, k=3)[0] == 3   # 2 votes to 1
    assert knn.predict_labels(d, y, k=4)[0] == 1   # 2 - 2: smallest label
    assert knn.predict_labels(d, y, k=5)[0] == 1   # 2 - 2 - 1


def test_distance_ties_at_the_kth_place_go_to_the_smaller_index():
    y = np.array([5, 2, 9, 0])
    d = np.array([[1.0, 1.0, 1.0, 1.0]])
    assert knn.predict_labels(d, y, k=1)[0] == 5
    assert knn.predict_labels(d, y, k=2)[0] == 2  # {5, 2}: tie, smallest
    d = np.array([[0.5, 1.0, 1.0, 1.0]])
    assert knn.predict_labels(d, y, k=2)[0] == 2  # {5, 2}, not 9 or 0
    assert knn.predict_labels(d, y, k=3)[0] == 2  # {5, 2, 9}


def test_labels_keep_their_values_and_dtype():
    d = np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]])
    for y in (np.array([-4, 10, 10]), np.array([2, 8, 8], dtype=np.uint8)):
        pred = knn.predict_labels(d, y, k=3)
        assert pred.dtype == y.dtype and list(pred) == [y[1], y[1]]


@st.composite
def vote_problems(draw):
    n_train = draw(st.integers(1, 12))
    n_test = draw(st.integers(1, 4))
    k = draw(st.integers(1, n_train))
    n_classes = draw(st.integers(1, 4))
    y = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n_train, max_size=n_train)))
    # Few distinct distance values, so ties of distances and of votes are common.
    values = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    dists = np.array(draw(st.lists(st.lists(values, min_size=n_train, max_size=n_train),
                                   min_size=n_test, max_size=n_test)))
    return dists, y, k


@settings(max_examples=300, deadline=None)
@given(vote_problems())
def test_vote_equals_the_rule_written_out(problem):
    dists, y, k = problem
    np.testing.assert_array_equal(knn.predict_labels(dists, y, k), brute_force_vote(dists, y, k))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_vote_equals_sklearn_when_distances_are_distinct(data):
    n_train = data.draw(st.integers(2, 15))
    k = data.draw(st.integers(1, n_train))
    y = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n_train, max_size=n_train)))
    seed = data.draw(st.integers(0, 2**31 - 1))
    dists = np.random.default_rng(seed).permuted(
        np.tile(np.arange(1.0, n_train + 1), (5, 1)), axis=1)  # distinct in each row
    clf = KNeighborsClassifier(n_neighbors=k, metric="precomputed")
    clf.fit(np.zeros((n_train, n_train)), y)  # precomputed fit only needs the shape
    np.testing.assert_array_equal(knn.predict_labels(dists, y, k), clf.predict(dists))


@settings(max_examples=100, deadline=None)
@given(vote_problems(), st.integers(0, 10**6))
def test_vote_ignores_the_order_of_training_points_without_distance_ties(problem, seed):
    dists, y, k = problem
    dists = dists + np.arange(dists.shape[1]) * 1e-3  # make every distance distinct
    perm = np.random.default_rng(seed).permutation(len(y))
    np.testing.assert_array_equal(knn.predict_labels(dists, y, k),
                                  knn.predict_labels(dists[:, perm], y[perm], k))


def test_k_equal_to_n_train_is_the_majority_label():
    y = np.array([4, 4, 1, 1, 1, 2])
    d = np.random.default_rng(0).random((3, 6))
    assert list(knn.predict_labels(d, y, k=6)) == [1, 1, 1]


@pytest.mark.parametrize("dists, y, k, words", [
    (np.zeros((2, 3)), np.zeros(3, int), 4, "larger than the number of training points"),
    (np.zeros((2, 3)), np.zeros(3, int), 0, "at least 1"),
    (np.zeros((2, 3)), np.zeros(3, int), 2.0, "positive integer"),
    (np.zeros((2, 3)), np.zeros(3, int), True, "positive integer"),
    (np.zeros((2, 3)), np.zeros(4, int), 1, "one label per training point"),
    (np.zeros(3), np.zeros(3, int), 1, "2-D"),
    (np.full((1, 2), np.nan), np.zeros(2, int), 1, "NaN"),
    (np.zeros((1, 2)), np.array([0.5, 1.0]), 1, "integer class labels"),
])
def test_predict_labels_errors(dists, y, k, words):
    with pytest.raises(ValueError, match=words):
        knn.predict_labels(dists, y, k)


# --------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("num_folds", [5, 3])
def test_cross_validation_equals_sklearn(mnist1d, metric, num_folds):
    X, y = mnist1d["X_train"][:1003], mnist1d["y_train"][:1003]  # folds of unequal size
    ks = [1, 3, 8, 50]
    result = knn.cross_validate_k(X, y, ks, num_folds=num_folds, metric=metric)
    assert list(result) == ks
    for k in ks:
        oracle = cross_val_score(KNeighborsClassifier(k, metric=SK_METRIC[metric]), X, y,
                                 cv=KFold(num_folds))
        assert len(result[k]) == num_folds and all(isinstance(a, float) for a in result[k])
        np.testing.assert_allclose(result[k], oracle, rtol=0, atol=1e-12)


def test_cross_validation_on_all_of_mnist1d(mnist1d):
    result = knn.cross_validate_k(mnist1d["X_train"], mnist1d["y_train"], knn.K_CHOICES)
    means = {k: np.mean(v) for k, v in result.items()}
    assert list(result) == list(knn.K_CHOICES)
    assert 0.5 < means[1] < 0.65 and means[100] < means[1]


def test_cross_validation_holds_out_each_fold_once():
    # Labels equal to the fold number: a point's neighbours in the other folds
    # never share its label, so every fold must score exactly 0 with k=1. A
    # version that also trains on the held-out fold would score 1.
    X = np.arange(10.0)[:, None]
    y = np.repeat(np.arange(5), 2)
    result = knn.cross_validate_k(X, y, [1, 2], num_folds=5)
    assert result == {1: [0.0] * 5, 2: [0.0] * 5}


@pytest.mark.parametrize("kwargs, words", [
    (dict(k_choices=[1, 9]), "larger than the number of training points"),
    (dict(k_choices=[]), "empty"),
    (dict(k_choices=[1], num_folds=1), "num_folds"),
    (dict(k_choices=[1], num_folds=11), "num_folds"),
    (dict(k_choices=[1], metric="cosine"), "metric"),
])
def test_cross_validation_errors(kwargs, words):
    X, y = np.random.default_rng(0).random((10, 2)), np.arange(10) % 3
    with pytest.raises(ValueError, match=words):
        knn.cross_validate_k(X, y, **kwargs)


# --------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["l2", "l1"])
def test_classifier_equals_sklearn(mnist1d, metric):
    d = mnist1d
    clf = knn.KNearestNeighbor(k=5, metric=metric).train(d["X_train"], d["y_train"])
    oracle = KNeighborsClassifier(5, metric=SK_METRIC[metric]).fit(d["X_train"], d["y_train"])
    np.testing.assert_array_equal(clf.predict(d["X_test"][:300]), oracle.predict(d["X_test"][:300]))
    oracle1 = KNeighborsClassifier(1, metric=SK_METRIC[metric]).fit(d["X_train"], d["y_train"])
    np.testing.assert_array_equal(clf.predict(d["X_test"][:300], k=1),
                                  oracle1.predict(d["X_test"][:300]))


def test_classifier_errors():
    with pytest.raises(ValueError, match="metric"):
        knn.KNearestNeighbor(metric="cosine")
    with pytest.raises(ValueError, match="positive integer"):
        knn.KNearestNeighbor(k=0)
    with pytest.raises(ValueError, match="train"):
        knn.KNearestNeighbor().predict(np.zeros((1, 2)))
    clf = knn.KNearestNeighbor(k=3).fit(np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="larger than"):
        clf.predict(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((1, 3)), k=1)


# --------------------------------------------------------------------------
# The guard and the notebook's test utilities
# --------------------------------------------------------------------------

@pytest.mark.parametrize("ref", [knn.compute_distances_no_loops, knn.predict_labels,
                                 knn.cross_validate_k, knn.KNearestNeighbor])
def test_references_refuse_inside_without_reference(ref):
    with without_reference(ref):
        with pytest.raises(ReferenceUsed):
            if ref is knn.KNearestNeighbor:
                ref(k=1)
            elif ref is knn.predict_labels:
                ref(np.zeros((1, 1)), [0])
            elif ref is knn.cross_validate_k:
                ref(np.zeros((4, 1)), [0, 1, 0, 1], [1], num_folds=2)
            else:
                ref(np.zeros((1, 1)), np.zeros((1, 1)))
    knn.predict_labels(np.zeros((1, 1)), [0])  # works again outside


def _original_in_closure(guarded, name):
    """What an answer could dig out of a guard's wrapper: the unguarded original."""
    return [c.cell_contents for c in guarded.__closure__
            if callable(c.cell_contents) and getattr(c.cell_contents, "__name__", "") == name][0]


def test_references_refuse_when_reached_through_the_wrappers_closure():
    D, y, A = np.zeros((1, 2)), np.array([0, 1]), np.ones((2, 3))
    raw_predict = _original_in_closure(knn.predict_labels, "predict_labels")
    raw_l2 = _original_in_closure(knn._l2, "_l2")
    raw_vote = _original_in_closure(knn._vote, "_vote")
    raw_method = _original_in_closure(knn.KNearestNeighbor.compute_distances, "compute_distances")
    clf = knn.KNearestNeighbor().train(A, [0, 1])
    with without_reference(knn.predict_labels):
        for call in (lambda: raw_predict(D, y, 1), lambda: raw_vote(D, y, 1)):
            with pytest.raises(ReferenceUsed):
                call()
    with without_reference(*knn.DISTANCE_REFERENCES):
        for call in (lambda: raw_l2(A, A), lambda: raw_method(clf, A)):
            with pytest.raises(ReferenceUsed):
                call()
    # Outside the block, and for the module's own calls inside it, all is as before.
    assert raw_predict(D, y, 1).tolist() == [0] and raw_l2(A, A).shape == (2, 2)
    with without_reference(knn.cross_validate_k):  # the references it may call keep working
        assert knn.compute_distances_no_loops(A, A).shape == (2, 2)
        assert knn.predict_labels(D, y, 1).tolist() == [0]


def test_all_distances_blocked_catches_the_less_obvious_routes_and_restores():
    from scipy.spatial import distance_matrix
    import scipy.linalg
    import sklearn.metrics.pairwise as pairwise
    from helpers.checks.distances import all_distances_blocked

    namespace = {"dm": distance_matrix}
    A = np.ones((2, 3))
    with all_distances_blocked(namespace):
        for call in (lambda: namespace["dm"](A, A), lambda: pairwise._euclidean_distances(A, A),
                     lambda: scipy.linalg.norm(A), lambda: np.linalg.norm(A),
                     lambda: sklearn.neighbors.NearestNeighbors()):
            with pytest.raises(CheckFailed, match="library distance functions"):
                call()
        assert knn.compute_distances_no_loops(A, A).shape == (2, 2)
    assert namespace["dm"] is distance_matrix and scipy.spatial.distance_matrix is distance_matrix
    assert scipy.linalg.norm(np.array([3.0, 4.0])) == 5.0


def test_library_distances_blocked_catches_aliases_and_restores():
    from numpy.linalg import norm as my_norm
    from scipy.spatial.distance import cdist as my_cdist
    namespace = {"my_norm": my_norm, "my_cdist": my_cdist, "other": len}
    A = np.ones((2, 3))
    with library_distances_blocked(namespace):
        for call in (lambda: np.linalg.norm(A), lambda: scipy.spatial.distance.cdist(A, A),
                     lambda: namespace["my_norm"](A), lambda: namespace["my_cdist"](A, A),
                     lambda: sklearn.metrics.pairwise.euclidean_distances(A, A)):
            with pytest.raises(CheckFailed, match="library distance functions"):
                call()
        assert namespace["other"] is len
        assert knn.compute_distances_no_loops(A, A).shape == (2, 2)  # arithmetic still works
    assert namespace["my_norm"] is my_norm and np.linalg.norm is my_norm
    assert scipy.spatial.distance.cdist is my_cdist and namespace["my_cdist"] is my_cdist


def test_library_distances_blocked_restores_after_an_error():
    with pytest.raises(RuntimeError):
        with library_distances_blocked():
            raise RuntimeError("boom")
    assert np.linalg.norm(np.array([3.0, 4.0])) == 5.0


def looped(A, B):
    return np.array([[np.sum((a - b) ** 2) for b in B] for a in A])


def vectorised(A, B):
    return np.sum((A[:, None] - B[None]) ** 2, axis=2)


def test_python_line_count_tells_loops_from_vectorised_code():
    A, B = np.ones((30, 2)), np.zeros((20, 2))
    out1, n1 = python_line_count(looped, A, B)
    out2, n2 = python_line_count(vectorised, A, B)
    np.testing.assert_array_equal(out1, out2)
    assert n1 >= 600 and n2 <= 3
    # References count as library code from another file: only their own lines.
    assert python_line_count(knn.compute_distances_no_loops, A, B)[1] < 30


# --------------------------------------------------------------------------
# The widget (headless) and the benchmark (tiny sizes)
# --------------------------------------------------------------------------

def test_widget_draws_headless():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from helpers.widgets import knn as knn_widget

    X, y, X_val, y_val = knn_widget.moons_problem(n_train=60, n_val=40)
    ax = knn_widget.draw(X, y, k=1, metric="l1", X_val=X_val, y_val=y_val, resolution=30)
    assert "1-NN, L1" in ax.get_title() and "train acc 100%" in ax.get_title()
    box = knn_widget.knn_demo(X, y, X_val, y_val, k_max=500)
    slider, metric = box.children[0].children
    assert slider.max == 60  # k cannot exceed the number of training points
    slider.value, metric.value = 7, "l1"  # redraws without error
    plt.close("all")


def test_bench_runs_on_tiny_arrays(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "knn_distances.py"
    spec = importlib.util.spec_from_file_location("bench_knn_distances", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.run(n_test=12, n_train=50, dim=8, two_loop_rows=3, one_loop_rows=6, repeat=1)
    assert [r["scaled"] for r in rows] == [True, True, False, False]
    out = capsys.readouterr().out
    assert "two loops / no loops" in out and "scaled linearly" in out
