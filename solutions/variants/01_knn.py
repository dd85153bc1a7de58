"""Typical mistakes and alternative answers for notebook 01 (kNN).

Each Mistake must lose exactly the test cells of its own exercise; each
Alternative must keep full marks.
"""
from grader.variants import Alternative, Mistake

TWO = "test_compute_distances_two_loops"
ONE = "test_compute_distances_one_loop"
NONE = "test_compute_distances_no_loops"
L1 = "test_compute_l1_distances"
PREDICT = ("test_predict_labels", "test_predict_labels_ties")
CV = "test_cross_validate_k"

_CV_SCORING = """dists = distance(X_folds[f], X_tr)  # once per fold, reused for every k
        for k in k_choices:
            pred = knn.predict_labels(dists, y_tr, k=k)
            k_to_accuracies[k].append(float(np.mean(pred == y_folds[f])))"""

VARIANTS = [
    # ---- compute_distances_two_loops ------------------------------------
    Mistake("two_loops_forgot_sqrt", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.sum((X_test[i] - X_train[j]) ** 2)", loses=TWO),
    Mistake("two_loops_square_of_sum", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.sqrt(np.sum(X_test[i] - X_train[j]) ** 2)", loses=TWO),
    Mistake("two_loops_linalg_norm", "compute_distances_two_loops",
            "np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
            "np.linalg.norm(X_test[i] - X_train[j])", loses=TWO),
    Alternative("two_loops_plain_python", "compute_distances_two_loops",
                old="np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))",
                new="sum((a - b) ** 2 for a, b in zip(X_test[i], X_train[j])) ** 0.5"),

    # ---- compute_distances_one_loop -------------------------------------
    Mistake("one_loop_sums_over_everything", "compute_distances_one_loop",
            "np.sum((X_train - X_test[i]) ** 2, axis=1)",
            "np.sum((X_train - X_test[i]) ** 2)", loses=ONE),
    Mistake("one_loop_wrong_axis", "compute_distances_one_loop",
            "np.sum((X_train - X_test[i]) ** 2, axis=1)",
            "np.sum((X_train - X_test[i]) ** 2, axis=0)", loses=ONE),
    Alternative("one_loop_full_broadcasting", "compute_distances_one_loop", source='''\
def compute_distances_one_loop(X_test, X_train):
    diff = X_test[:, None, :] - X_train[None, :, :]  # (num_test, num_train, D)
    return np.sqrt((diff ** 2).sum(axis=2))
'''),

    # ---- compute_distances_no_loops -------------------------------------
    Mistake("no_loops_sign_error", "compute_distances_no_loops",
            "test_sq - 2 * X_test @ X_train.T + train_sq",
            "test_sq + 2 * X_test @ X_train.T + train_sq", loses=NONE),
    Mistake("no_loops_no_clip", "compute_distances_no_loops",
            "np.sqrt(np.maximum(squared, 0))", "np.sqrt(squared)", loses=NONE),
    Mistake("no_loops_linalg_norm", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return np.linalg.norm(X_test[:, None, :] - X_train[None, :, :], axis=2)
''', loses=NONE),
    Mistake("no_loops_scipy_cdist", "compute_distances_no_loops", source='''\
from scipy.spatial.distance import cdist

def compute_distances_no_loops(X_test, X_train):
    return cdist(X_test, X_train)
''', loses=NONE),
    Mistake("no_loops_hidden_loop", "compute_distances_no_loops", source='''\
def compute_distances_no_loops(X_test, X_train):
    return np.array([np.sqrt(np.sum((X_train - x) ** 2, axis=1)) for x in X_test])
''', loses=NONE),
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
            "np.sum((X_train - X_test[i]) ** 2, axis=1)", loses=L1),
    Mistake("l1_abs_of_sum", "compute_l1_distances",
            "np.sum(np.abs(X_train - X_test[i]), axis=1)",
            "np.abs(np.sum(X_train - X_test[i], axis=1))", loses=L1),
    Alternative("l1_loop_over_features", "compute_l1_distances",
                old="""    for i in range(num_test):
        dists[i] = np.sum(np.abs(X_train - X_test[i]), axis=1)""",
                new="""    for p in range(X_test.shape[1]):
        dists += np.abs(X_test[:, p, None] - X_train[None, :, p])"""),

    # ---- predict_labels -------------------------------------------------
    Mistake("ties_to_larger_label", "predict_labels",
            "y_pred[i] = np.argmax(votes)",
            "y_pred[i] = np.flatnonzero(votes == votes.max()).max()", loses=PREDICT),
    Mistake("k_ignored", "predict_labels",
            "np.argsort(dists, axis=1)[:, :k]", "np.argsort(dists, axis=1)[:, :1]",
            loses=PREDICT),
    Mistake("farthest_neighbours", "predict_labels",
            "np.argsort(dists, axis=1)[:, :k]", "np.argsort(-dists, axis=1)[:, :k]",
            loses=PREDICT),
    Mistake("ties_to_nearest_neighbour", "predict_labels",  # Counter keeps first-seen order
            "y_pred[i] = np.argmax(votes)",
            "y_pred[i] = __import__('collections').Counter("
            "y_train[nearest[i]].tolist()).most_common(1)[0][0]", loses=PREDICT),
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
            pred = knn.predict_labels(dists, y_tr, k=k)
            k_to_accuracies[k].append(float(np.mean(pred == y_tr)))""", loses=CV),
    Mistake("cv_trains_on_held_out_fold_too", "cross_validate_k",
            """X_tr = np.concatenate(X_folds[:f] + X_folds[f + 1:])
        y_tr = np.concatenate(y_folds[:f] + y_folds[f + 1:])""",
            "X_tr, y_tr = X, y", loses=CV),
    Mistake("cv_ignores_metric", "cross_validate_k",
            '{"l2": knn.compute_distances_no_loops, "l1": knn.compute_l1_distances}[metric]',
            "knn.compute_distances_no_loops", loses=CV),
    Alternative("cv_index_arrays", "cross_validate_k", source='''\
def cross_validate_k(X, y, k_choices, num_folds=5, metric="l2"):
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
