"""helpers.linear: SVM and softmax losses against PyTorch, numerical gradients and
the worked examples of notebook 02; the SGD classifier against scikit-learn."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from helpers import linear
from helpers.checks.oracles import torch_softmax_loss, torch_svm_loss
from helpers.gradcheck import eval_numerical_gradient, rel_error
from helpers.checks import ReferenceUsed, without_reference

SVM_LOSSES = [linear.svm_loss_naive, linear.svm_loss_vectorized]
SOFTMAX_LOSSES = [linear.softmax_loss_naive, linear.softmax_loss_vectorized]
ALL_LOSSES = SVM_LOSSES + SOFTMAX_LOSSES


def problem(seed=0, N=7, D=5, C=4, w_scale=0.5):
    rng = np.random.default_rng(seed)
    W = w_scale * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    return W, X, y


def min_abs_margin(W, X, y, delta=1.0):
    s = X @ W
    m = s - s[np.arange(len(y)), y][:, None] + delta
    m[np.arange(len(y)), y] = np.inf
    return np.abs(m).min()


# --------------------------------------------------------------------------
# Losses against PyTorch
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reg", [0.0, 0.1])
@pytest.mark.parametrize("fn", SVM_LOSSES, ids=lambda f: f.__name__)
def test_svm_matches_torch(fn, reg, seed):
    W, X, y = problem(seed)
    assert min_abs_margin(W, X, y) > 1e-6  # away from kinks, where torch may pick another subgradient
    loss, dW = fn(W, X, y, reg)
    t_loss, t_dW = torch_svm_loss(W, X, y, reg)
    assert rel_error(loss, t_loss) < 1e-10
    assert dW.shape == W.shape
    assert rel_error(dW, t_dW) < 1e-10


def test_multi_margin_relation_to_our_hinge():
    """torch's per-example sum is divided by the number of classes C."""
    scores = torch.tensor([[13.0, -7.0, 11.0]], dtype=torch.float64)
    assert F.multi_margin_loss(scores, torch.tensor([0]), margin=10.0).item() == pytest.approx(8 / 3)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reg", [0.0, 0.1])
@pytest.mark.parametrize("fn", SOFTMAX_LOSSES, ids=lambda f: f.__name__)
def test_softmax_matches_torch(fn, reg, seed):
    W, X, y = problem(seed)
    loss, dW = fn(W, X, y, reg)
    t_loss, t_dW = torch_softmax_loss(W, X, y, reg)
    assert rel_error(loss, t_loss) < 1e-10
    assert rel_error(dW, t_dW) < 1e-10


@pytest.mark.parametrize("fn", ALL_LOSSES, ids=lambda f: f.__name__)
def test_numerical_gradient(fn):
    W, X, y = problem(3)
    assert min_abs_margin(W, X, y) > 1e-3
    _, dW = fn(W, X, y, 0.05)
    num = eval_numerical_gradient(lambda w: fn(w, X, y, 0.05)[0], W.copy())
    assert rel_error(dW, num) < 1e-7


@pytest.mark.parametrize("naive,vectorized", [SVM_LOSSES, SOFTMAX_LOSSES],
                         ids=["svm", "softmax"])
def test_naive_equals_vectorized(naive, vectorized):
    W, X, y = problem(4, N=50, D=12, C=10)
    l1, g1 = naive(W, X, y, 0.01)
    l2, g2 = vectorized(W, X, y, 0.01)
    assert rel_error(l1, l2) < 1e-12
    assert rel_error(g1, g2) < 1e-12


@pytest.mark.parametrize("fn", ALL_LOSSES, ids=lambda f: f.__name__)
def test_regularization_convention(fn):
    W, X, y = problem(5)
    l0, g0 = fn(W, X, y, 0.0)
    l1, g1 = fn(W, X, y, 0.3)
    assert l1 - l0 == pytest.approx(0.3 * np.sum(W * W), rel=1e-12)
    np.testing.assert_allclose(g1 - g0, 2 * 0.3 * W, rtol=1e-10, atol=1e-14)


# --------------------------------------------------------------------------
# Worked examples from the course
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", SVM_LOSSES, ids=lambda f: f.__name__)
def test_hinge_worked_example(fn):
    W = np.array([[13.0, -7.0, 11.0]])  # X = [[1]] makes the scores equal to W's row
    loss, dW = fn(W, np.ones((1, 1)), np.array([0]), 0.0, delta=10.0)
    assert loss == pytest.approx(8.0)
    np.testing.assert_allclose(dW, [[-1.0, 0.0, 1.0]])  # only class 2 violates the margin


def test_delta_only_sets_the_scale():
    W, X, y = problem(6)
    l1, _ = linear.svm_loss_vectorized(W, X, y, 0.0, delta=1.0)
    l10, _ = linear.svm_loss_vectorized(10 * W, X, y, 0.0, delta=10.0)
    assert l10 == pytest.approx(10 * l1)


def test_delta_and_reg_trade_against_each_other():
    """Delta = 10 at 10 W: the data loss is 10 times larger, the penalty 100 times,
    so it is the problem delta = 1 with 10 times the regularization, scaled by 10."""
    W, X, y = problem(6)
    for fn in SVM_LOSSES:
        l10, dW10 = fn(10 * W, X, y, 0.3, delta=10.0)
        l1, dW1 = fn(W, X, y, 3.0, delta=1.0)
        assert l10 == pytest.approx(10 * l1)
        assert fn(10 * W, X, y, 0.3, delta=10.0)[0] != pytest.approx(10 * fn(W, X, y, 0.3, delta=1.0)[0])
        np.testing.assert_allclose(dW10, dW1)  # and the same slope at corresponding points


@pytest.mark.parametrize("fn", SOFTMAX_LOSSES, ids=lambda f: f.__name__)
def test_softmax_worked_example(fn):
    W = np.array([[1.0, -2.0, 0.0]])
    probs = [math.exp(-fn(W, np.ones((1, 1)), np.array([k]), 0.0)[0]) for k in range(3)]
    np.testing.assert_array_equal(np.round(probs, 3), [0.705, 0.035, 0.259])
    np.testing.assert_allclose(probs, torch.softmax(torch.tensor([1.0, -2.0, 0.0], dtype=torch.float64), 0))


@pytest.mark.parametrize("fn", SOFTMAX_LOSSES, ids=lambda f: f.__name__)
def test_softmax_stable_for_large_scores(fn):
    W = np.array([[1000.0, 1001.0]])
    with np.errstate(all="raise"):
        loss, dW = fn(W, np.ones((1, 1)), np.array([0]), 0.0)
    assert loss == pytest.approx(math.log1p(math.e))
    t_loss, t_dW = torch_softmax_loss(W, np.ones((1, 1)), np.array([0]), 0.0)
    assert rel_error(dW, t_dW) < 1e-12


def test_initial_losses_for_tiny_weights():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 41))
    y = rng.integers(0, 10, size=500)
    W = 1e-4 * rng.standard_normal((41, 10))
    for fn in SOFTMAX_LOSSES:
        assert fn(W, X, y, 0.0)[0] == pytest.approx(math.log(10), abs=0.01)
    for fn in SVM_LOSSES:
        assert fn(W, X, y, 0.0)[0] == pytest.approx(9.0, abs=0.05)


def test_svm_vs_softmax_on_the_seed_scores():
    """[10, -2, 3], [10, 9, 9], [10, -100, -100]: the SVM is satisfied by all
    three; softmax still prefers larger gaps."""
    X = np.ones((1, 1))
    y = np.array([0])
    svm = [linear.svm_loss_vectorized(np.array([s], float), X, y, 0.0)[0]
           for s in ([10, -2, 3], [10, 9, 9], [10, -100, -100])]
    soft = [linear.softmax_loss_vectorized(np.array([s], float), X, y, 0.0)[0]
            for s in ([10, -2, 3], [10, 9, 9], [10, -100, -100])]
    assert svm == [0.0, 0.0, 0.0]
    assert soft[1] > soft[0] > soft[2] >= 0
    assert soft[1] == pytest.approx(math.log(1 + 2 / math.e))


# --------------------------------------------------------------------------
# Errors and guards
# --------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ALL_LOSSES, ids=lambda f: f.__name__)
def test_wrong_shapes_raise(fn):
    W, X, y = problem(0)
    with pytest.raises(ValueError, match="transposed"):
        fn(W.T, X, y, 0.0)  # (C, D) instead of (D, C)
    with pytest.raises(ValueError, match="rows"):
        fn(W, X[:, :3], y, 0.0)
    with pytest.raises(ValueError, match="labels"):
        fn(W, X, y[:-1], 0.0)
    with pytest.raises(ValueError, match="0 .. 3"):
        fn(W, X, np.full_like(y, 4), 0.0)
    with pytest.raises(ValueError, match="integer"):
        fn(W, X, y.astype(float), 0.0)
    with pytest.raises(ValueError, match="2-D"):
        fn(W[0], X, y, 0.0)


def test_references_are_guarded():
    W, X, y = problem(0)
    with without_reference(linear.svm_loss_vectorized):
        linear.svm_loss_naive(W, X, y, 0.0)  # only the named reference is blocked
        with pytest.raises(ReferenceUsed):
            linear.svm_loss_vectorized(W, X, y, 0.0)
    with without_reference(linear.LinearClassifier.train):
        clf = linear.Softmax()
        with pytest.raises(ReferenceUsed):
            clf.train(X, y, num_iters=1)
    with without_reference(linear.LinearClassifier):
        with pytest.raises(ReferenceUsed):
            linear.LinearSVM()
    linear.svm_loss_vectorized(W, X, y, 0.0)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def blobs(seed=0, n=600, C=4, D=6):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((C, D))
    y = rng.integers(0, C, size=n)
    X = centers[y] + rng.standard_normal((n, D))
    return np.hstack([X, np.ones((n, 1))]), y


@pytest.mark.parametrize("cls", [linear.LinearSVM, linear.Softmax], ids=lambda c: c.__name__)
def test_training_reduces_loss_and_predicts(cls):
    X, y = blobs()
    Xtr, ytr, Xte, yte = X[:400], y[:400], X[400:], y[400:]
    clf = cls()
    hist = clf.train(Xtr, ytr, learning_rate=1e-2, reg=1e-4, num_iters=300, batch_size=64, seed=0)
    assert len(hist) == 300 and all(isinstance(h, float) for h in hist)
    assert np.mean(hist[-20:]) < 0.3 * hist[0]
    pred = clf.predict(Xte)
    assert pred.shape == yte.shape and np.issubdtype(pred.dtype, np.integer)
    from sklearn.linear_model import LogisticRegression
    sk = LogisticRegression(max_iter=1000).fit(Xtr, ytr).score(Xte, yte)
    assert np.mean(pred == yte) > sk - 0.05


def test_training_is_deterministic_and_continues():
    X, y = blobs(1)
    a, b = linear.Softmax(), linear.Softmax()
    ha = a.train(X, y, num_iters=20, seed=3)
    hb = b.train(X, y, num_iters=20, seed=3)
    assert ha == hb and np.array_equal(a.W, b.W)
    W = a.W.copy()
    a.train(X, y, num_iters=5, seed=4)
    assert a.W.shape == W.shape and not np.array_equal(a.W, W)


def test_one_sgd_step_matches_torch():
    """All examples identical: every mini-batch has the same gradient, so one
    step is exactly torch.optim.SGD's, whatever the sampling."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(5)
    X, y = np.tile(x, (30, 1)), np.full(30, 2)
    W0 = 0.1 * rng.standard_normal((5, 3))
    clf = linear.Softmax()
    clf.W = W0.copy()
    hist = clf.train(X, y, learning_rate=0.5, reg=0.01, num_iters=1, batch_size=8, seed=0)
    Wt = torch.tensor(W0, requires_grad=True)
    opt = torch.optim.SGD([Wt], lr=0.5)
    loss = F.cross_entropy(torch.tensor(X[:8]) @ Wt, torch.tensor(y[:8])) + 0.01 * (Wt ** 2).sum()
    loss.backward()
    opt.step()
    assert hist[0] == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(clf.W, Wt.detach().numpy(), rtol=1e-12)


def test_linear_svm_accuracy_near_sklearn_on_digits():
    from sklearn.datasets import load_digits
    from sklearn.svm import LinearSVC
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X = np.hstack([X - X[:1200].mean(0), np.ones((len(X), 1))])
    clf = linear.LinearSVM()
    clf.train(X[:1200], y[:1200], learning_rate=0.05, reg=1e-3, num_iters=1500, batch_size=100, seed=0)
    acc = np.mean(clf.predict(X[1200:]) == y[1200:])
    sk = LinearSVC(max_iter=5000).fit(X[:1200], y[:1200]).score(X[1200:], y[1200:])
    assert acc > sk - 0.05, (acc, sk)


def test_train_and_predict_errors():
    clf = linear.Softmax()
    with pytest.raises(ValueError, match="train"):
        clf.predict(np.zeros((2, 3)))
    X, y = blobs()
    with pytest.raises(ValueError, match="learning_rate"):
        clf.train(X, y, learning_rate=0)
    with pytest.raises(ValueError, match=r"\(N, D\)"):
        clf.train(X, y[:-1])
    clf.train(X, y, num_iters=2)
    with pytest.raises(ValueError, match="shape"):
        clf.predict(X[:, :3])


# --------------------------------------------------------------------------
# Random search
# --------------------------------------------------------------------------

class _Fake:
    """Accuracy is a known function of (lr, reg); column 0 of X marks the training set."""

    def train(self, X, y, learning_rate, reg, num_iters=1, batch_size=1, seed=None, verbose=False):
        self.lr, self.reg = learning_rate, reg

    def predict(self, X):
        centre = -1 if X[0, 0] == 1 else -2
        q = np.exp(-((np.log10(self.lr) - centre) ** 2 + (np.log10(self.reg) + 4) ** 2) / 8)
        return (np.arange(len(X)) >= round(q * len(X))).astype(int)


def test_random_search_is_log_uniform_and_picks_by_validation():
    Xtr, Xva = np.column_stack([np.ones(300), np.arange(300)]), np.column_stack([np.zeros(200), np.arange(200)])
    ytr, yva = np.zeros(300, int), np.zeros(200, int)
    results, best, model = linear.random_search(_Fake, Xtr, ytr, Xva, yva, (1e-6, 1.0), (1e-7, 1e-1),
                                                num_trials=300, seed=0)
    lrs = np.array([k[0] for k in results])
    assert len(results) == 300 and lrs.min() >= 1e-6 and lrs.max() <= 1.0
    assert 0.4 < np.mean(lrs < 1e-3) < 0.6
    assert results[best][1] == max(v[1] for v in results.values())
    assert (model.lr, model.reg) == best
    again = linear.random_search(_Fake, Xtr, ytr, Xva, yva, (1e-6, 1.0), (1e-7, 1e-1), num_trials=300, seed=0)
    assert list(again[0]) == list(results)
    with pytest.raises(ValueError, match="lr_range"):
        linear.random_search(_Fake, Xtr, ytr, Xva, yva, (0.0, 1.0), (1e-7, 1e-1))


def test_random_search_on_real_classifiers():
    X, y = blobs(2)
    results, best, model = linear.random_search(linear.Softmax, X[:400], y[:400], X[400:], y[400:],
                                                (1e-3, 1e-1), (1e-5, 1e-2), num_trials=3, num_iters=100, seed=0)
    assert len(results) == 3 and isinstance(model, linear.Softmax)
    assert np.mean(model.predict(X[400:]) == y[400:]) == results[best][1] > 0.8


# --------------------------------------------------------------------------
# The notebook's widget works headless
# --------------------------------------------------------------------------

def test_widget_draws_and_builds_headless():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from helpers.widgets import linear as demo

    W, X, y = demo.toy_problem()
    scores, hinge, soft = demo.per_example_losses(W, X, y)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    assert hinge.mean() == pytest.approx(linear.svm_loss_vectorized(W, Xb, y, 0.0)[0])
    assert soft.mean() == pytest.approx(linear.softmax_loss_vectorized(W, Xb, y, 0.0)[0])
    fig = demo.draw(W, X, y, cls=2, point=5)
    assert len(fig.axes) == 2
    plt.close(fig)
    box = demo.weight_row_demo()
    (cls, point, reset), sliders = box.children[0].children, box.children[1].children
    cls.value = 1
    assert [s.value for s in sliders] == pytest.approx(list(W[:, 1]))
    sliders[2].value = 3.0  # redraws; reset restores the starting weights
    reset.click()
    assert [s.value for s in sliders] == pytest.approx(list(W[:, 1]))
    plt.close("all")


# --------------------------------------------------------------------------
# The notebook's test steps (helpers.checks.losses)
# --------------------------------------------------------------------------

def _log_uniform_search(make_model, X_train, y_train, X_val, y_val, lr_range, reg_range,
                        num_trials=10, num_iters=500, batch_size=200, seed=0):
    rng = np.random.default_rng(seed)
    results, best = {}, None
    for trial in range(num_trials):
        lr = 10 ** rng.uniform(np.log10(lr_range[0]), np.log10(lr_range[1]))
        reg = 10 ** rng.uniform(np.log10(reg_range[0]), np.log10(reg_range[1]))
        model = make_model()
        model.train(X_train, y_train, learning_rate=lr, reg=reg, num_iters=num_iters, seed=seed + trial)
        results[(lr, reg)] = (np.mean(model.predict(X_train) == y_train), np.mean(model.predict(X_val) == y_val))
        if best is None or results[(lr, reg)][1] > results[best[0]][1]:
            best = ((lr, reg), model)
    return results, best[0], best[1]


def test_log_spread_tells_random_draws_from_grids():
    from helpers.checks.losses import log_spread
    for seed in range(300):  # the notebook's thresholds: 0.35 < below < 0.65, ks < 0.16, gap > 2 / 200
        values = 10 ** np.random.default_rng(seed).uniform(-6, 0, 200)
        below, ks, gap = log_spread(values, 1e-6, 1.0)
        assert 0.35 < below < 0.65 and ks < 0.16 and gap > 2 / 200, seed
    grid = np.logspace(-6, 0, 200)
    assert log_spread(grid, 1e-6, 1.0)[2] < 2 / 200
    assert log_spread(np.random.default_rng(0).permutation(grid), 1e-6, 1.0)[2] < 2 / 200
    linear_scale = np.random.default_rng(0).uniform(1e-6, 1.0, 200)
    below, ks, _ = log_spread(linear_scale, 1e-6, 1.0)
    assert below < 0.01 and ks > 0.5


def test_fake_search_runs_a_search_with_known_accuracies():
    from helpers.checks.losses import fake_accuracies, fake_search
    (results, best, model), trained = fake_search(_log_uniform_search)
    assert len(results) == 200 and len(trained) == 200
    assert all(n == 500 for _, _, n in trained)
    assert sorted(t[:2] for t in trained) == sorted(results)
    for key, accuracies in results.items():
        assert accuracies == pytest.approx(fake_accuracies(*key))
    assert model == best  # the FakeModel trained with best_params, as its (lr, reg)
    # Validation accuracy peaks at lr = 1e-2, reg = 1e-4; training accuracy elsewhere.
    assert fake_accuracies(1e-2, 1e-4)[1] == 1.0 > fake_accuracies(1e-1, 1e-6)[1]
    assert fake_accuracies(1e-1, 1e-6)[0] == 1.0 > fake_accuracies(1e-2, 1e-4)[0]
    with pytest.raises(ReferenceUsed):
        fake_search(linear.random_search)


def _loops_over_examples(W, X, y, reg, delta=1.0):
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(X.shape[0]):
        s = X[i] @ W
        m = np.maximum(0, s - s[y[i]] + delta)
        m[y[i]] = 0
        loss += m.sum()
    return loss / X.shape[0] + reg * np.sum(W * W), dW


def _vectorized(W, X, y, reg, delta=1.0):
    return linear.svm_loss_vectorized(W, X, y, reg, delta)


def test_no_loops_check_on_the_notebook_sizes():
    from helpers.checks import CheckFailed, check_no_loops
    from helpers.checks.losses import small_problem
    W, X, y = small_problem(104, N=500, D=300, C=200, scale=1e-3)
    loss, _ = check_no_loops("vectorized", _vectorized, W, X, y, 1e-3, max_lines=100)
    assert loss == pytest.approx(torch_svm_loss(W, X, y, 1e-3)[0])
    with pytest.raises(CheckFailed, match="lines of Python"):
        check_no_loops("looping", _loops_over_examples, W, X, y, 1e-3, max_lines=100)
    with pytest.raises(CheckFailed, match="lines of Python"):
        check_no_loops("lambda", lambda W, X, y, reg: _loops_over_examples(W, X, y, reg), W, X, y, 1e-3,
                       max_lines=100)


def test_loss_steps_module_refuses_assignment():
    import helpers.checks.losses as steps
    from helpers.checks import ChecksLocked
    with pytest.raises((ChecksLocked, AttributeError, TypeError)):
        steps.run_loss = lambda *a, **k: (0.0, None)
    assert steps.run_loss.__module__ == "helpers.checks.losses"
