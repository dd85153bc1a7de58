"""Typical mistakes and alternative answers for notebook 01 (kNN).

Each Mistake must lose exactly the test cells of its own exercise; each
Alternative must keep full marks.
"""
from grader.variants import Alternative, Mistake

TWO = "test_compute_distances_two_loops"
ONE = "test_compute_distances_one_loop"
ONE_LOOPS = "test_compute_distances_one_loop_loops"
NONE = "test_compute_distances_no_loops"
NONE_CLIP = "test_compute_distances_no_loops_clip"
NONE_LOOPS = "test_compute_distances_no_loops_no_loops"
NONE_ALL = (NONE, NONE_CLIP, NONE_LOOPS)
L1 = "test_compute_l1_distances"
PREDICT = ("test_predict_labels", "test_predict_labels_ties")
CV = "test_cross_validate_k"
CV_HELD_OUT = "test_cross_validate_k_held_out"
CV_OPTIONS = "test_cross_validate_k_options"
CV_ALL = (CV, CV_HELD_OUT, CV_OPTIONS)

_CV_SCORING = """dists = distance(X_folds[f], X_tr)  # once per fold, reused for every k
        for k in k_choices:
            pred = ref.predict_labels(dists, y_tr, k=k)
            k_to_accuracies[k].append(float(np.mean(pred == y_folds[f])))"""

VARIANTS = [
    # ---- compute_distances_two_loops ------------------------------------
    Mistake("two_loops_forgot_sqrt", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.sum((X_test[i] - X_train[j]) ** 2)", loses=TWO,
            why="forget the square root of the summed squared differences"),
    Mistake("two_loops_square_of_sum", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.sqrt(np.sum(X_test[i] - X_train[j]) ** 2)", loses=TWO,
            why="square the sum of the differences instead of summing their squares"),
    Mistake("two_loops_linalg_norm", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.linalg.norm(X_test[i] - X_train[j])", loses=TWO,
            why="call np.linalg.norm instead of computing the distance from its formula"),
    # Ways around the reference guard: each must lose this exercise's points.
    Mistake("two_loops_private_l2", "compute_distances_two_loops", source='''\
from helpers import knn

def compute_distances_two_loops(X_test, X_train):
    return knn._l2(X_test, X_train)
''', loses=TWO,
            why="call the course's hidden distance helper instead of writing the distance"),
    Mistake("two_loops_reference_table", "compute_distances_two_loops", source='''\
import sys

def compute_distances_two_loops(X_test, X_train):
    return sys.modules["helpers.knn"]._DISTANCES["l2"](X_test, X_train)
''', loses=TWO,
            why="fetch the course's distance function from its module instead of writing it"),
    Mistake("two_loops_reference_classifier", "compute_distances_two_loops", source='''\
import helpers.knn

def compute_distances_two_loops(X_test, X_train):
    return helpers.knn.KNearestNeighbor().train(X_train, [0] * len(X_train)).compute_distances(X_test)
''', loses=TWO,
            why="let the course's kNN classifier compute the distances for you"),
    Mistake("two_loops_patches_sklearn_oracle", "compute_distances_two_loops", source='''\
import sklearn.metrics.pairwise

def compute_distances_two_loops(X_test, X_train):
    return X_test @ X_train.T  # wrong

sklearn.metrics.pairwise.euclidean_distances = compute_distances_two_loops
''', loses=TWO,
            why="replace scikit-learn's euclidean_distances from an answer cell to fool the check"),
    # Switching the checks off: the test cells import their own.
    Mistake("two_loops_rebinds_checks", "compute_distances_two_loops", source='''\
def compute_distances_two_loops(X_test, X_train):
    return np.abs(X_test @ X_train.T)  # wrong

check_close = check_true = check_equal = check_shape = lambda *a, **k: None
passed = print
''', loses=TWO,
            why="switch off the checks from an answer cell"),
    Mistake("two_loops_patches_checks_module", "compute_distances_two_loops", source='''\
def compute_distances_two_loops(X_test, X_train):
    return (X_test[:, None, :] - X_train[None, :, :]).sum(axis=2)  # wrong

import helpers.checks as hc
hc.check_close = hc.check_shape = hc.passed = lambda *a, **k: None
''', loses=TWO,
            why="switch off the checks by patching helpers.checks from an answer cell"),
    Alternative("two_loops_plain_python", "compute_distances_two_loops",
                old="np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
                new="sum((a - b) ** 2 for a, b in zip(X_test[i], X_train[j])) ** 0.5"),

    # ---- compute_distances_one_loop -------------------------------------
    Mistake("one_loop_sums_over_everything", "compute_distances_one_loop",
            "np.sum((X_train - X_test[i]) ** 2, axis=1)",
            "np.sum((X_train - X_test[i]) ** 2)", loses=(ONE, ONE_LOOPS),
            why="sum the squared differences over the whole matrix instead of along the features"),
    Mistake("one_loop_wrong_axis", "compute_distances_one_loop",
            "np.sum((X_train - X_test[i]) ** 2, axis=1)",
            "np.sum((X_train - X_test[i]) ** 2, axis=0)", loses=(ONE, ONE_LOOPS),
            why="sum the squared differences over the training points (axis=0) instead of the features"),
    Mistake("one_loop_also_loops_over_features", "compute_distances_one_loop",
            "dists[i, :] = np.sqrt(np.sum((X_train - X_test[i]) ** 2, axis=1))",
            """for p in range(X_test.shape[1]):
            dists[i, :] += (X_train[:, p] - X_test[i, p]) ** 2
        dists[i, :] = np.sqrt(dists[i, :])""", loses=ONE_LOOPS,
            why="keep a second loop, over the features, inside the loop over test points"),
    Mistake("one_loop_calls_two_loops", "compute_distances_one_loop", source='''\
def compute_distances_one_loop(X_test, X_train):
    return compute_distances_two_loops(X_test, X_train)
''', loses=ONE_LOOPS,
            why="call the two-loop version from the one-loop function"),
    Alternative("one_loop_over_features", "compute_distances_one_loop", source='''\
def compute_distances_one_loop(X_test, X_train):
    squared = np.zeros((X_test.shape[0], X_train.shape[0]))
    for p in range(X_test.shape[1]):
        squared += (X_test[:, p, None] - X_train[None, :, p]) ** 2
    return np.sqrt(squared)
'''),
    Alternative("one_loop_full_broadcasting", "compute_distances_one_loop", source='''\
def compute_distances_one_loop(X_test, X_train):
    diff = X_test[:, None, :] - X_train[None, :, :]  # (num_test, num_train, D)
    return np.sqrt((diff ** 2).sum(axis=2))
'''),

    # ---- compute_distances_no_loops -------------------------------------
    Mistake("no_loops_sign_error", "compute_distances_no_loops",
            "test_sq - 2 * X_test @ X_train.T + train_sq",
            "test_sq + 2 * X_test @ X_train.T + train_sq",
            loses=NONE_ALL,
            why="add the cross term 2 * X_test @ X_train.T instead of subtracting it"),  # the clip test also wants 0 from a point to itself; the loop test a right answer
    Mistake("no_loops_no_clip", "compute_distances_no_loops",
            "np.sqrt(np.maximum(squared, 0))", "np.sqrt(squared)", loses=NONE_CLIP,
            why="take the square root without clipping tiny negative squared distances to 0"),
    Mistake("no_loops_linalg_norm", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return np.linalg.norm(X_test[:, None, :] - X_train[None, :, :], axis=2)
''', loses=NONE_ALL,
            why="call np.linalg.norm instead of expanding the square"),
    Mistake("no_loops_scipy_cdist", "compute_distances_no_loops", source='''\
from scipy.spatial.distance import cdist

def compute_distances_no_loops(X_test, X_train):
    return cdist(X_test, X_train)
''', loses=NONE_ALL,
            why="call scipy's cdist instead of computing the distances yourself"),
    Mistake("no_loops_hidden_loop", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return np.array([np.sqrt(np.sum((X_train - x) ** 2, axis=1)) for x in X_test])
''', loses=NONE_LOOPS,
            why="hide a loop over the test points in a list comprehension"),
    Mistake("no_loops_loop_over_features", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    squared = np.zeros((X_test.shape[0], X_train.shape[0]))
    for p in range(X_test.shape[1]):
        squared += (X_test[:, p, None] - X_train[None, :, p]) ** 2
    return np.sqrt(squared)
''', loses=NONE_LOOPS,
            why="loop over the features instead of using one matrix product"),
    Mistake("no_loops_calls_one_loop", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return compute_distances_one_loop(X_test, X_train)
''', loses=NONE_LOOPS,
            why="call the one-loop version, which still loops over the test points"),
    Mistake("no_loops_private_l2", "compute_distances_no_loops", source='''\
from helpers import knn

def compute_distances_no_loops(X_test, X_train):
    return knn._l2(X_test, X_train)
''', loses=NONE_ALL,
            why="call the course's hidden distance helper instead of writing the distance"),
    Mistake("no_loops_wrapped_reference", "compute_distances_no_loops", source='''\
from helpers import knn

def compute_distances_no_loops(X_test, X_train):
    return knn.compute_distances_no_loops.__wrapped__(X_test, X_train)
''', loses=NONE_ALL,
            why="unwrap the course's reference to call it without being caught"),
    Mistake("no_loops_sklearn_module_alias", "compute_distances_no_loops", source='''\
from sklearn.metrics import pairwise

def compute_distances_no_loops(X_test, X_train):
    return pairwise.pairwise_distances(X_test, X_train)
''', loses=NONE_ALL,
            why="call scikit-learn's pairwise_distances through a module alias"),
    Mistake("no_loops_sklearn_private", "compute_distances_no_loops", source='''\
from sklearn.metrics.pairwise import _euclidean_distances

def compute_distances_no_loops(X_test, X_train):
    return _euclidean_distances(X_test, X_train)
''', loses=NONE_ALL,
            why="call scikit-learn's private _euclidean_distances"),
    Mistake("no_loops_scipy_distance_matrix", "compute_distances_no_loops", source='''\
from scipy.spatial import distance_matrix

def compute_distances_no_loops(X_test, X_train):
    return distance_matrix(X_test, X_train)
''', loses=NONE_ALL,
            why="call scipy's distance_matrix instead of computing the distances yourself"),
    Mistake("no_loops_scipy_linalg_norm", "compute_distances_no_loops", source='''\
import scipy.linalg

def compute_distances_no_loops(X_test, X_train):
    return scipy.linalg.norm(X_test[:, None, :] - X_train[None, :, :], axis=2)
''', loses=NONE_ALL,
            why="call scipy.linalg.norm instead of expanding the square"),
    Alternative("no_loops_broadcast_3d", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return np.sqrt(((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2))
'''),
    Alternative("no_loops_clip_with_where", "compute_distances_no_loops",
                old="np.sqrt(np.maximum(squared, 0))",
                new="np.sqrt(np.where(squared < 0, 0.0, squared))"),
    Alternative("no_loops_einsum", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    test_sq = np.einsum("ij,ij->i", X_test, X_test)[:, None]
    train_sq = np.einsum("ij,ij->i", X_train, X_train)[None, :]
    cross = np.einsum("ij,kj->ik", X_test, X_train)
    return np.sqrt(np.clip(test_sq - 2 * cross + train_sq, 0, None))
'''),

    # ---- compute_l1_distances -------------------------------------------
    Mistake("l1_squares_differences", "compute_l1_distances",
            "np.sum(np.abs(X_train - X_test[i]), axis=1)",
            "np.sum((X_train - X_test[i]) ** 2, axis=1)", loses=L1,
            why="square the differences (the L2 formula) instead of taking their absolute values"),
    Mistake("l1_abs_of_sum", "compute_l1_distances",
            "np.sum(np.abs(X_train - X_test[i]), axis=1)",
            "np.abs(np.sum(X_train - X_test[i], axis=1))", loses=L1,
            why="take the absolute value of the summed differences instead of summing absolute values"),
    Mistake("l1_private_helper", "compute_l1_distances", source='''\
from helpers import knn

def compute_l1_distances(X_test, X_train):
    return knn._l1(X_test, X_train)
''', loses=L1,
            why="call the course's hidden L1 helper instead of writing the distance"),
    Mistake("l1_scipy_cityblock", "compute_l1_distances", source='''\
from scipy.spatial.distance import cdist

def compute_l1_distances(X_test, X_train):
    return cdist(X_test, X_train, metric="cityblock")
''', loses=L1,
            why="call scipy's cdist with the cityblock metric instead of computing L1 yourself"),
    Alternative("l1_no_loops", "compute_l1_distances", source='''\
def compute_l1_distances(X_test, X_train):
    return np.abs(X_test[:, None, :] - X_train[None, :, :]).sum(axis=2)
'''),
    Alternative("l1_loop_over_features", "compute_l1_distances",
                old="""    for i in range(num_test):
        dists[i] = np.sum(np.abs(X_train - X_test[i]), axis=1)""",
                new="""    for p in range(X_test.shape[1]):
        dists += np.abs(X_test[:, p, None] - X_train[None, :, p])"""),

    # ---- predict_labels -------------------------------------------------
    Mistake("ties_to_larger_label", "predict_labels",
            "y_pred[i] = np.argmax(votes)",
            "y_pred[i] = np.flatnonzero(votes == votes.max()).max()", loses=PREDICT,
            why="break a tie in the vote toward the larger label instead of the smallest"),
    Mistake("k_ignored", "predict_labels",
            "np.argsort(dists, axis=1)[:, :k]", "np.argsort(dists, axis=1)[:, :1]",
            loses=PREDICT,
            why="let only the nearest neighbour vote, whatever k is"),
    Mistake("farthest_neighbours", "predict_labels",
            "np.argsort(dists, axis=1)[:, :k]", "np.argsort(-dists, axis=1)[:, :k]",
            loses=PREDICT,
            why="sort the distances in decreasing order, so the k farthest points vote"),
    Mistake("ties_to_nearest_neighbour", "predict_labels",  # Counter keeps first-seen order
            "y_pred[i] = np.argmax(votes)",
            "y_pred[i] = __import__('collections').Counter("
            "y_train[nearest[i]].tolist()).most_common(1)[0][0]", loses=PREDICT,
            why="break a tie toward the label seen first (the nearest) instead of the smallest"),
    Mistake("predict_wrapped_reference", "predict_labels", source='''\
from helpers import knn

def predict_labels(dists, y_train, k=1):
    return knn.predict_labels.__wrapped__(dists, y_train, k)
''', loses=PREDICT,
            why="unwrap the course's predict_labels to call it without being caught"),
    Mistake("predict_reference_from_closure", "predict_labels", source='''\
from helpers import knn

def predict_labels(dists, y_train, k=1):
    inner = [c.cell_contents for c in knn.predict_labels.__closure__
             if callable(c.cell_contents) and c.cell_contents.__name__ == "predict_labels"][0]
    return inner(dists, y_train, k)
''', loses=PREDICT,
            why="dig the course's predict_labels out of its closure and call it"),
    Mistake("no_loops_private_from_closure", "compute_distances_no_loops", source='''\
from helpers import knn

def compute_distances_no_loops(X_test, X_train):
    inner = [c.cell_contents for c in knn._l2.__closure__
             if callable(c.cell_contents) and c.cell_contents.__name__ == "_l2"][0]
    return inner(X_test, X_train)
''', loses=NONE_ALL,
            why="dig the course's distance helper out of a closure and call it"),
    Mistake("predict_private_vote", "predict_labels", source='''\
from helpers import knn

def predict_labels(dists, y_train, k=1):
    return knn._vote(dists, y_train, k)
''', loses=PREDICT,
            why="call the course's hidden vote helper instead of counting the votes"),
    Mistake("predict_reference_alias", "predict_labels", source='''\
from helpers.knn import predict_labels as course_vote

def predict_labels(dists, y_train, k=1):
    return course_vote(dists, y_train, k)
''', loses=PREDICT,
            why="import the course's predict_labels under another name and call it"),
    Mistake("predict_sklearn_precomputed", "predict_labels", source='''\
from sklearn.neighbors import KNeighborsClassifier

def predict_labels(dists, y_train, k=1):
    clf = KNeighborsClassifier(n_neighbors=k, metric="precomputed")
    clf.fit(np.zeros((len(y_train), len(y_train))), y_train)
    return clf.predict(dists)
''', loses=PREDICT,
            why="let scikit-learn's KNeighborsClassifier count the votes"),
    Mistake("predict_rebinds_checks", "predict_labels", source='''\
def predict_labels(dists, y_train, k=1):
    return y_train[np.argmin(dists, axis=1)]  # wrong: ignores k

check_close = check_true = check_equal = check_shape = lambda *a, **k: None
''', loses=PREDICT,
            why="switch off the checks from an answer cell"),
    Mistake("predict_patches_checks_module", "predict_labels", source='''\
def predict_labels(dists, y_train, k=1):
    return y_train[np.argmin(dists, axis=1)]  # wrong: ignores k

import helpers.checks as hc
hc.check_equal = lambda *a, **k: None
''', loses=PREDICT,
            why="switch off the checks by patching helpers.checks from an answer cell"),
    Alternative("float_labels", "predict_labels",
                old="y_pred = np.zeros(num_test, dtype=y_train.dtype)",
                new="y_pred = np.zeros(num_test)  # float64: 2.0 for label 2"),
    Alternative("scratch_rebinds_setup_names", "predict_labels",
                old="    return y_pred",
                new="    return y_pred\n\n\nknn = None  # scratch work that reuses names of the setup cell\n"
                    "X_train = y_train = X_test = y_test = mnist = None"),
    Alternative("counter_vote", "predict_labels", source='''\
from collections import Counter

def predict_labels(dists, y_train, k=1):
    y_pred = np.zeros(dists.shape[0], dtype=y_train.dtype)
    for i, row in enumerate(dists):
        closest_y = y_train[np.argsort(row)[:k]]
        counts = Counter(closest_y.tolist())
        best = max(counts.values())
        y_pred[i] = min(label for label, n in counts.items() if n == best)
    return y_pred
'''),
    Alternative("argpartition", "predict_labels",
                old="np.argsort(dists, axis=1)[:, :k]",
                new="np.argpartition(dists, k - 1, axis=1)[:, :k]"),
    Alternative("vectorised_vote", "predict_labels", source='''\
def predict_labels(dists, y_train, k=1):
    nearest = np.argsort(dists, axis=1)[:, :k]
    counts = np.zeros((dists.shape[0], y_train.max() + 1), dtype=int)
    np.add.at(counts, (np.arange(dists.shape[0])[:, None], y_train[nearest]), 1)
    return np.argmax(counts, axis=1)
'''),

    # ---- cross_validate_k -----------------------------------------------
    Mistake("cv_scores_on_training_part", "cross_validate_k", _CV_SCORING, """\
dists = distance(X_tr, X_tr)
        for k in k_choices:
            pred = ref.predict_labels(dists, y_tr, k=k)
            k_to_accuracies[k].append(float(np.mean(pred == y_tr)))""", loses=CV_ALL,
            why="measure accuracy on the training folds instead of the held-out fold"),
    Mistake("cv_trains_on_held_out_fold_too", "cross_validate_k",
            """X_tr = np.concatenate(X_folds[:f] + X_folds[f + 1:])
        y_tr = np.concatenate(y_folds[:f] + y_folds[f + 1:])""",
            "X_tr, y_tr = X, y", loses=CV_ALL,
            why="keep the held-out fold in the training data"),
    Mistake("cv_ignores_metric", "cross_validate_k",
            '{"l2": ref.compute_distances_no_loops, "l1": ref.compute_l1_distances}[metric]',
            "ref.compute_distances_no_loops", loses=CV_OPTIONS,
            why="always use L2 distances, ignoring the metric argument"),
    Mistake("cv_ignores_num_folds", "cross_validate_k",
            "np.array_split(X, num_folds)\n    y_folds = np.array_split(y, num_folds)",
            "np.array_split(X, 5)\n    y_folds = np.array_split(y, 5)", loses=CV_OPTIONS,
            why="always split into 5 folds, ignoring num_folds"),
    Mistake("cv_wrapped_reference", "cross_validate_k", source='''\
def cross_validate_k(X, y, k_choices, num_folds=5, metric="l2"):
    from helpers import knn
    return knn.cross_validate_k.__wrapped__(X, y, k_choices, num_folds, metric)
''', loses=CV_ALL,
            why="unwrap the course's cross_validate_k and call it"),
    Mistake("cv_calls_reference", "cross_validate_k", source='''\
def cross_validate_k(X, y, k_choices, num_folds=5, metric="l2"):
    from helpers.knn import cross_validate_k as course_cv
    return course_cv(X, y, k_choices, num_folds, metric)
''', loses=CV_ALL,
            why="call the course's cross_validate_k instead of splitting the folds yourself"),
    Alternative("cv_index_arrays", "cross_validate_k", source='''\
def cross_validate_k(X, y, k_choices, num_folds=5, metric="l2"):
    from helpers import knn
    distance = {"l2": knn.compute_distances_no_loops, "l1": knn.compute_l1_distances}[metric]
    k_to_accuracies = {k: [] for k in k_choices}
    everything = np.arange(len(X))
    for held_out in np.array_split(everything, num_folds):
        train = np.setdiff1d(everything, held_out)
        dists = distance(X[held_out], X[train])
        for k in k_choices:
            pred = knn.predict_labels(dists, y[train], k=k)
            k_to_accuracies[k].append(np.mean(pred == y[held_out]))
    return k_to_accuracies
'''),
]

DEMO_MISTAKE = "ties_to_larger_label"
