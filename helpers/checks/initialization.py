"""The steps that notebook 05's tests share.

The initializer tests draw a large matrix with the student's function (the
references of :mod:`helpers.init` blocked), and compare its spread with the
formula and with ``torch.nn.init``; they measure the shape of the
distribution (normal or uniform) and check that the draws come from the
``rng`` given. :func:`torch_fc_grads` is PyTorch's autograd on a
:class:`helpers.nets.FullyConnectedNet`, the oracle of the gradient-norm
test.

The preprocessing tests compare with scikit-learn (``StandardScaler``,
``PCA``, ``PCA(whiten=True)``), up to the sign of each principal direction,
while :func:`libraries_blocked` refuses the library versions (and
``without_reference`` the course's own). The learning-rate tests run a student's ``tune_learning_rate``
on scripted runs (:func:`scripted_tuning`, a probe) and on the real deep
network (:func:`deep_net_trainer`, :func:`deep_net_val_acc`).

The test cells show the inputs, the call to the student's function and
the comparison; the longer hints, the input builders and the multi-step
comparisons (``check_forward_stats``, ``check_gradient_norms``,
``check_tuned``, ...) live here. They live here, not in the notebook's setup
cell, so that an answer cell cannot redefine them.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import init as _init
from .. import preprocessing as _prep
from . import integrity
from .assertions import check_close, check_equal, check_true
from .blockers import library_blocked
from .guard import without_reference
from .trace import probe

__all__ = ["INIT_REFS", "draw", "torch_std", "check_std", "check_normal_shape", "check_uniform_shape",
           "check_uses_rng", "check_like_torch", "XAVIER_NORMAL_HINT", "XAVIER_UNIFORM_HINT", "HE_NORMAL_HINT",
           "HE_UNIFORM_HINT", "STATS_REFS", "ACTIVATIONS", "stats_inputs", "check_forward_stats",
           "torch_fc_grads", "gradient_net", "check_gradient_norms", "PREP_REFS", "libraries_blocked",
           "sklearn_scaled", "scaling_sets", "check_scaled", "sklearn_pca", "pca_data", "check_pca",
           "whiten_data", "check_whitened", "scripted_tuning", "TUNE_TABLE", "check_tuned", "TUNE_REFS",
           "TUNE_LRS", "TUNE_TARGET", "deep_net_trainer", "deep_net_val_acc", "check_tuned_real"]

#: Every initializer reference, blocked while a student's initializer runs.
INIT_REFS = (_init.normal, _init.constant, _init.zeros, _init.lecun_normal, _init.lecun_uniform,
             _init.xavier_normal, _init.xavier_uniform, _init.he_normal, _init.he_uniform,
             _init.gradient_norms)

_default_rng, _asarray, _isfinite, _all, _abs, _mean = (
    np.random.default_rng, np.asarray, np.isfinite, np.all, np.abs, np.mean)
_issubdtype, _floating, _array_equal, _float64 = np.issubdtype, np.floating, np.array_equal, np.float64

_FIX = {
    "normal": "use rng.standard_normal(shape) (or rng.normal(0, std, shape)) times the std.",
    "uniform": "use rng.uniform(-bound, bound, shape).",
}


#: PyTorch's initializers: they would fill the matrix for the student.
TORCH_INIT = tuple(("torch.nn.init", name) for name in (
    "normal_", "uniform_", "trunc_normal_", "xavier_normal_", "xavier_uniform_", "kaiming_normal_",
    "kaiming_uniform_", "orthogonal_"))


def draw(fn, shape, seed=0):
    """``fn(shape, rng)`` with a fresh ``default_rng(seed)``, the references
    and ``torch.nn.init`` blocked; checks that it is a finite float array of
    that shape."""
    with without_reference(*INIT_REFS), library_blocked(
            TORCH_INIT, why="draw the weights from rng with NumPy; torch.nn.init is the oracle here"):
        W = fn(tuple(shape), _default_rng(seed))
    name = getattr(fn, "__name__", "init")
    check_true(W is not None, f"`{name}` returned None.", hint="End the function with `return W`.")
    W = _asarray(W)
    check_true(W.shape == tuple(shape),
               f"`{name}({tuple(shape)}, rng)` returned shape {W.shape}, expected {tuple(shape)}.",
               hint="pass `shape` on to the random generator, e.g. rng.standard_normal(shape).")
    check_true(_issubdtype(W.dtype, _floating) and bool(_all(_isfinite(W))),
               f"`{name}` should return finite floats, got dtype {W.dtype}.")
    return W.astype(_float64)


def torch_std(kind, shape, seed=0):
    """The std of a float64 tensor filled by ``torch.nn.init``, for our weight
    shape ``(fan_in, fan_out)`` (an int n: (n, n)); torch's own layout is
    (fan_out, fan_in). ``kind`` is xavier_normal, xavier_uniform, he_normal or
    he_uniform (kaiming_*_ with mode="fan_in", nonlinearity="relu")."""
    import torch

    fills = {
        "xavier_normal": torch.nn.init.xavier_normal_,
        "xavier_uniform": torch.nn.init.xavier_uniform_,
        "he_normal": lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_in", nonlinearity="relu"),
        "he_uniform": lambda t: torch.nn.init.kaiming_uniform_(t, mode="fan_in", nonlinearity="relu"),
    }
    fan_in, fan_out = (shape, shape) if isinstance(shape, (int, np.integer)) else tuple(shape)
    t = torch.empty((int(fan_out), int(fan_in)), dtype=torch.float64)
    torch.manual_seed(seed)
    fills[kind](t)
    return float(t.std())


def check_std(what, W, std, hint=None):
    """The std of W within about 2% of ``std`` (relative error 1e-2: with
    tens of thousands of draws a right answer lands within 0.5%), and the
    mean near 0."""
    check_close(f"the std of {what}", float(W.std()), std, tol=1e-2, hint=hint)
    check_true(abs(float(W.mean())) < 0.05 * std,
               f"The mean of {what} is {float(W.mean()):.3g}, far from 0 (the std is {std:.3g}).",
               hint="the weights must be centred on 0: a normal N(0, std^2), or uniform in [-a, a].")


def check_normal_shape(what, W):
    """W looks normal: about 4.55% of its values lie beyond 2 std."""
    beyond = float(_mean(_abs(W - W.mean()) > 2 * W.std()))
    check_true(0.038 < beyond < 0.053,
               f"{beyond:.2%} of {what} lie beyond 2 standard deviations; a normal distribution "
               "puts 4.55% there (a uniform one none).", hint=_FIX["normal"])


def check_uniform_shape(what, W, bound):
    """W looks uniform on [-bound, bound]: nothing beyond, the extremes near
    it, half of the values within bound / 2."""
    top = float(_abs(W).max())
    check_true(top <= bound * (1 + 1e-9),
               f"The largest |value| of {what} is {top:.4g}, above the bound {bound:.4g}.",
               hint="U(-a, a) with a = sqrt(3 * variance): " + _FIX["uniform"])
    check_true(top >= 0.98 * bound,
               f"The largest |value| of {what} is {top:.4g}; with so many draws from U(-a, a) it "
               f"should come close to a = {bound:.4g}.", hint=_FIX["uniform"])
    half = float(_mean(_abs(W) < bound / 2))
    check_true(0.48 < half < 0.52,
               f"{half:.1%} of {what} lie within half the bound; a uniform distribution puts 50% there.",
               hint=_FIX["uniform"])


def check_uses_rng(fn, shape=(30, 20)):
    """Two generators with the same seed give the same matrix, two seeds two
    different ones: the draws come from the ``rng`` argument."""
    name = getattr(fn, "__name__", "init")
    a, b, c = draw(fn, shape, 5), draw(fn, shape, 5), draw(fn, shape, 6)
    check_true(_array_equal(a, b) and not _array_equal(a, c),
               f"`{name}(shape, rng)` should draw from the generator `rng` it is given: the same "
               "seed must give the same matrix, another seed another one.",
               hint="write rng.standard_normal(...) or rng.uniform(...), not np.random.randn(...).")


XAVIER_NORMAL_HINT = ("std = sqrt(2 / (fan_in + fan_out)) = sqrt(2 / 1000) = 0.0447 with (fan_in, fan_out) = "
                      "shape; sqrt(1 / fan_in) = 0.0354 is LeCun's fan-in rule, not Glorot's fan average, "
                      "and the std is not sqrt(n).")
XAVIER_UNIFORM_HINT = ("U(-a, a) has variance a^2 / 3: a = sqrt(6 / (fan_in + fan_out)) gives the variance "
                       "2 / (fan_in + fan_out) (a = sqrt(2 / (fan_in + fan_out)) gives a std too small by "
                       "sqrt(3); sqrt(3 / fan_in) is LeCun's fan-in rule).")
HE_NORMAL_HINT = ("std = sqrt(2 / fan_in) = 0.05 for fan_in = shape[0] = 800: the factor 2 makes up "
                  "for the half of its inputs that ReLU sets to 0.")
HE_UNIFORM_HINT = "U(-a, a) has variance a^2 / 3: a = sqrt(6 / fan_in) gives the variance 2 / fan_in."

#: How the tests name PyTorch's initializer of each exercise.
_TORCH_NAMES = {
    "xavier_normal": "torch.nn.init.xavier_normal_",
    "xavier_uniform": "torch.nn.init.xavier_uniform_",
    "he_normal": "torch.nn.init.kaiming_normal_(mode='fan_in', nonlinearity='relu')",
    "he_uniform": "torch.nn.init.kaiming_uniform_(mode='fan_in', nonlinearity='relu')",
}


def check_like_torch(fn, kind, shape, seed=1):
    """The std of ``fn(shape, rng)`` (drawn with ``default_rng(seed)``)
    against the std of ``torch.nn.init``'s initializer ``kind`` on the same shape."""
    check_std(f"{kind}({tuple(shape)}, rng), against {_TORCH_NAMES[kind]}", draw(fn, shape, seed=seed),
              torch_std(kind, shape))


# ---------------------------------------------------------------- activations layer by layer

#: Blocked while a student's forward_stats runs.
STATS_REFS = (_init.activation_stats, *INIT_REFS)


def _relu(a):
    return np.maximum(a, 0.0)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


#: The NumPy activations the tests hand to forward_stats, by name.
ACTIVATIONS = {"tanh": np.tanh, "relu": _relu, "sigmoid": _sigmoid}


def stats_inputs():
    """``(X, weights)`` of the visible forward_stats test: X (200, 30) from
    N(0, 1), three weight matrices of std 0.3, (30, 20), (20, 20), (20, 10)."""
    rng = _default_rng(0)
    X = rng.standard_normal((200, 30))
    return X, [0.3 * rng.standard_normal(shape) for shape in [(30, 20), (20, 20), (20, 10)]]


def check_forward_stats(result, X, weights, activation):
    """A student's ``forward_stats(X, weights, ACTIVATIONS[activation])``
    result against PyTorch: (outputs, stds), one output and one std per
    layer, each output after the activation."""
    import torch

    torch_fns = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}
    check_true(isinstance(result, (tuple, list)) and len(result) == 2,
               "forward_stats should return two things, (outputs, stds).",
               hint="end with `return outputs, stds`.")
    outs, stds = result
    L = len(weights)
    check_true(len(outs) == L, f"With {L} weight matrices there are {L} outputs; got {len(outs)}.",
               hint="append h to outputs once per layer, after the activation.")
    h = torch.tensor(X)
    for layer, W in enumerate(weights, start=1):
        h = torch_fns[activation](h @ torch.tensor(W))
        check_close(f"outputs[{layer - 1}] (layer {layer}, {activation})", outs[layer - 1], h.numpy(),
                    hint="h = activation(h @ W): the activation comes after the product, in every layer.")
        check_close(f"stds[{layer - 1}] (layer {layer}, {activation})", _asarray(stds, dtype=float)[layer - 1],
                    float(h.numpy().std()), tol=1e-2,
                    hint="measure np.std of the layer's output after the activation, not of h @ W.")


# ---------------------------------------------------------------- gradients layer by layer

def torch_fc_grads(net, X, y):
    """(loss, {"W1": ..., ...}) of a FullyConnectedNet by PyTorch autograd, float64."""
    import torch
    import torch.nn.functional as F

    acts = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "leaky_relu": lambda t: F.leaky_relu(t, 0.01), "elu": F.elu}
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    h = torch.tensor(X, dtype=torch.float64)
    L = net.num_layers
    for i in range(1, L):
        h = acts[net.activation](h @ params[f"W{i}"] + params[f"b{i}"])
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if scores.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(scores[:, 0], torch.tensor(y, dtype=torch.float64))
    else:
        loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + net.reg * sum((params[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return float(loss.detach()), {k: v.grad.numpy() for k, v in params.items()}


def gradient_net():
    """``(net, X, y)`` of the visible layer_gradient_norms test: a tanh net
    5 -> 8 -> 7 -> 6 -> 4 (Xavier weights, biases 0.1) and 20 examples."""
    from ..nets import FullyConnectedNet

    rng = _default_rng(1)
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 4, 20)
    net = FullyConnectedNet([8, 7, 6], input_dim=5, num_classes=4, activation="tanh",
                            weight_init="xavier_normal", bias_init=0.1, seed=1)
    return net, X, y


def check_gradient_norms(norms, net, X, y, what="the gradient norms (against PyTorch autograd)", hints=True):
    """A student's ``layer_gradient_norms(net, X, y)`` against the norms of
    PyTorch's gradients of W1, ..., WL (with ``hints``: the count first)."""
    norms = _asarray(norms, dtype=float)
    L = net.num_layers
    if hints:
        check_true(norms.shape == (L,), f"The net has {L} weight matrices, so {L} norms; got shape {norms.shape}.",
                   hint="one norm per W1, ..., WL with L = net.num_layers (the output layer counts too).")
    _, grads = torch_fc_grads(net, X, y)
    check_close(what, norms, [np.linalg.norm(grads[f"W{layer}"]) for layer in range(1, L + 1)],
                hint="the norms of the gradients grads['W1'], ..., in that order (not of the weights)."
                if hints else None)


# ---------------------------------------------------------------- preprocessing

#: The course's preprocessing references, blocked while a student's runs.
PREP_REFS = (_prep.zero_center_and_scale, _prep.pca, _prep.whiten)
#: Library functions that do the preprocessing exercises' work.
PREP_LIBRARY = (
    ("sklearn.preprocessing", "StandardScaler"), ("sklearn.preprocessing", "scale"),
    ("sklearn.preprocessing", "RobustScaler"), ("sklearn.preprocessing", "MinMaxScaler"),
    ("sklearn.decomposition", "PCA"), ("sklearn.decomposition", "TruncatedSVD"),
    ("sklearn.decomposition", "IncrementalPCA"), ("scipy.stats", "zscore"),
    ("helpers.data", "standardize"), ("helpers.data", "subtract_mean_image"),
)


def libraries_blocked():
    """scikit-learn's scalers and PCA, scipy's zscore and the course's
    ``standardize`` refused (with ``without_reference(*PREP_REFS)`` around
    a student's preprocessing)."""
    return library_blocked(PREP_LIBRARY, why="write it with NumPy (mean, std, np.cov, np.linalg.eigh or svd); "
                                              "library preprocessing is not allowed in this exercise")


def sklearn_scaled(X_train, *others):
    """``StandardScaler`` fitted on X_train, applied to X_train and each of others."""
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(_asarray(X_train, dtype=_float64))
    return [scaler.transform(_asarray(X, dtype=_float64)) for X in (X_train, *others)]


def scaling_sets():
    """``(X_train, X_val, [copies of both])`` of the visible
    zero_center_and_scale test: 60 and 20 rows of 4 features with means 3,
    -2, 0.5, 10 and stds 1, 0.1, 5, 2; the copies are for the call."""
    rng = _default_rng(51)
    mean, std = [3.0, -2.0, 0.5, 10.0], [1.0, 0.1, 5.0, 2.0]
    X_train, X_val = rng.normal(mean, std, (60, 4)), rng.normal(mean, std, (20, 4))
    return X_train, X_val, [X_train.copy(), X_val.copy()]


def _kept(what, given, originals, names, hint):
    """Each array a student's call was given is still what it was."""
    for i, (name, now, before) in enumerate(zip(names, given, originals)):
        check_equal(f"{name} after {what}", now, before, hint=hint if i == 0 else None)


def check_scaled(result, arrays, what, given=None):
    """A student's ``zero_center_and_scale(*arrays)`` result against
    StandardScaler fitted on ``arrays[0]``: a tuple or list of as many arrays.
    ``given``: the arrays the call was handed, which must still equal ``arrays``."""
    if given is not None:
        _kept(what, given, arrays, ["X_train", "X_val"] + [f"others[{i}]" for i in range(1, len(arrays) - 1)],
              hint="return new arrays (X - mean) / std; `X -= mean` changes the caller's array.")
    check_true(isinstance(result, (tuple, list)),
               f"{what} should return a tuple (X_train, *others), got a {type(result).__name__}.",
               hint="return tuple(out) with the transformed training set first.")
    check_true(len(result) == len(arrays),
               f"{what} returned {len(result)} arrays for {len(arrays)} arrays given: one transformed array "
               "for each, the training set first.")
    names = ["X_train"] + [f"others[{i}]" for i in range(len(arrays) - 1)]
    for name, got, want in zip(names, result, sklearn_scaled(*arrays)):
        check_close(f"{name} transformed by {what}", got, want, tol=1e-9,
                    hint="subtract the mean of each feature (column) of X_train and divide by its std "
                         "(np.std, axis=0), the TRAINING set's numbers for every array; a feature "
                         "constant in the training set (std 0) is only centred.")


def sklearn_pca(X, k):
    """``(Z, components, variances)`` of ``sklearn.decomposition.PCA(k)`` on X."""
    from sklearn.decomposition import PCA

    model = PCA(n_components=int(k), svd_solver="full").fit(_asarray(X, dtype=_float64))
    return model.transform(X), model.components_, model.explained_variance_


def _signs(got, want):
    """+1 or -1 per row of ``want``: the sign that makes ``got``'s row agree best."""
    s = np.sign(np.sum(got * want, axis=1))
    return np.where(s == 0, 1.0, s)


def pca_data():
    """300 correlated points of 4 features, centred far from the origin."""
    rng = _default_rng(53)
    mix = np.array([[3.0, 0.0, 0.0, 0.0], [1.0, 1.5, 0.0, 0.0], [0.5, -0.5, 0.8, 0.0], [0.2, 0.3, -0.1, 0.3]])
    return rng.standard_normal((300, 4)) @ mix + np.array([5.0, -3.0, 2.0, 8.0])


def check_pca(result, X, k, what, given=None):
    """A student's ``pca(X, k)`` result against scikit-learn, up to the sign
    of each component; the variances with N - 1 or N. ``given``: the array
    the call was handed, which must still equal X."""
    if given is not None:
        _kept(what, [given], [X], ["X"], hint="centre a copy: Xc = X - X.mean(axis=0).")
    check_true(isinstance(result, (tuple, list)) and len(result) == 3,
               f"{what} should return three things, (Z, components, variances); got "
               f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".",
               hint="end with `return Z, components, variances`.")
    Z, components, variances = (_asarray(r, dtype=_float64) for r in result)
    n, d = _asarray(X).shape
    want_Z, want_C, want_var = sklearn_pca(X, k)
    check_true(components.shape == (k, d),
               f"components from {what} has shape {components.shape}, expected ({k}, {d}): one direction per ROW.",
               hint="np.linalg.eigh gives the eigenvectors as COLUMNS, in increasing order: take the last k, "
                    "reverse them, and transpose.")
    check_true(Z.shape == (n, k), f"Z from {what} has shape {Z.shape}, expected ({n}, {k}).",
               hint="Z = (X - mean) @ components.T.")
    check_true(variances.shape == (k,), f"variances from {what} has shape {variances.shape}, expected ({k},).")
    signs = _signs(components, want_C)
    check_close(f"components from {what} (up to the sign of each row)", components * signs[:, None], want_C,
                tol=1e-6, hint="the unit eigenvectors of the covariance matrix of the CENTRED data, the one "
                               "with the largest eigenvalue first.")
    check_close(f"variances from {what}", variances, want_var, tol=1e-2,
                hint="the eigenvalues of np.cov(X, rowvar=False), largest first (the variance along each "
                     "direction, not its square root).")
    check_close(f"Z from {what} (up to the sign of each column)", Z * signs[None, :], want_Z, tol=1e-6,
                hint="project the CENTRED data: Z = (X - X.mean(axis=0)) @ components.T.")


def whiten_data():
    """400 correlated points of 3 features, centred away from the origin."""
    rng = _default_rng(55)
    mix = np.array([[2.0, 0.0, 0.0], [1.2, 0.8, 0.0], [-0.4, 0.5, 0.6]])
    return rng.standard_normal((400, 3)) @ mix + np.array([1.0, 4.0, -2.0])


def check_whitened(W, X, eps, what, against_sklearn=False, given=None):
    """A student's ``whiten(X, eps)`` against scikit-learn: without a
    ``against_sklearn`` (well-conditioned X, small eps) the values of
    ``PCA(whiten=True)`` up to the sign of each column; always the
    covariance ``diag(variance / (variance + eps))`` of the columns, in
    decreasing order of variance. Tolerances allow N or N - 1. ``given``: the
    array the call was handed, which must still equal X."""
    if given is not None:
        _kept(what, [given], [X], ["X"], hint="work on a centred copy of X.")
    W = _asarray(W, dtype=_float64) if W is not None else W
    X = _asarray(X, dtype=_float64)
    check_true(W is not None, f"{what} returned None.", hint="end with `return` and the whitened array.")
    check_true(W.ndim == 2, f"{what} returned shape {W.shape}, expected {X.shape}.")
    check_true(W.shape == X.shape, f"{what} returned shape {W.shape}, expected {X.shape} (every sample, "
               "all D principal coordinates).")
    check_true(bool(np.all(_isfinite(W))),
               f"{what} contains inf or nan: a variance of 0 (or a tiny negative one from rounding) "
               "was divided by, or its square root taken.",
               hint="divide by np.sqrt(variances + eps): eps keeps directions without variance at 0.")
    check_close(f"the mean of each column of {what}", W.mean(axis=0), np.zeros(W.shape[1]), tol=1e-4,
                hint="centre X first (X - X.mean(axis=0)): whitened data have mean 0.")
    _, _, variances = sklearn_pca(X, X.shape[1])
    want_cov = np.diag(variances / (variances + eps))
    check_close(f"the covariance of the columns of {what}", np.cov(W, rowvar=False), want_cov, tol=5e-3,
                hint="whitened columns are uncorrelated, with variance lambda / (lambda + eps) in "
                     "decreasing order of lambda: rotate the centred data onto the eigenvectors and "
                     "divide each coordinate by np.sqrt(lambda + eps), the square root of the eigenvalue.")
    if against_sklearn:
        from sklearn.decomposition import PCA

        want = PCA(whiten=True, svd_solver="full").fit_transform(X)
        signs = _signs(W.T, want.T)
        check_close(f"{what} (up to the sign of each column), against sklearn's PCA(whiten=True)",
                    W * signs[None, :], want, tol=2e-3,
                    hint="(X - mean) @ V / np.sqrt(variances + eps), with V the eigenvectors as columns, "
                         "largest eigenvalue first.")


# ---------------------------------------------------------------- choosing the learning rate

class _ScriptedSolver:
    """What the scripted ``train(lr)`` returns: a Solver's histories."""

    def __init__(self, val, train, loss):
        self.val_acc_history = [float(v) for v in val]
        self.train_acc_history = [float(v) for v in train]
        self.loss_history = [float(v) for v in loss]
        self.best_val_acc = max(self.val_acc_history)
        self.best_epoch = self.val_acc_history.index(self.best_val_acc) + 1
        self.epochs_run = len(self.val_acc_history)
        self.diverged = False

    def check_accuracy(self, X, y, *args, **kwargs):
        raise RuntimeError("this scripted run holds histories only: read solver.best_val_acc.")


@probe
def scripted_tuning(fn, table, learning_rates):
    """Run ``fn(train, learning_rates)`` where ``train(lr)`` returns a
    scripted Solver with the histories ``table[i]`` (a dict with "val",
    "train" and "loss") for ``learning_rates[i]``. Returns, as data: ``calls``
    (the learning rates train was called with) and ``result`` (``best_lr``
    and ``val_accs`` as returned, or ``error``)."""
    rates = [float(lr) for lr in learning_rates]
    calls = []

    def train(lr):
        calls.append(float(lr) if isinstance(lr, (int, float, np.integer, np.floating)) else float("nan"))
        if len(calls) > 10 * len(rates):
            raise RuntimeError("train was called far more often than once per learning rate.")
        i = rates.index(float(lr)) if float(lr) in rates else None
        if i is None:
            return _ScriptedSolver([0.0], [0.0], [9.0])
        return _ScriptedSolver(table[i]["val"], table[i]["train"], table[i]["loss"])

    with without_reference(_init.tune_learning_rate):
        result = fn(train, learning_rates)
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        return {"calls": calls, "result": {"error": f"a {type(result).__name__}" + (
            f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")}}
    best, accs = result
    if isinstance(best, bool) or not isinstance(best, (int, float, np.integer, np.floating)):
        return {"calls": calls, "result": {"error": f"best_lr is a {type(best).__name__} ({best!r:.60})"}}
    try:
        accs = [float(a) for a in np.ravel(_asarray(accs, dtype=_float64))]
    except (TypeError, ValueError):
        return {"calls": calls, "result": {"error": f"val_accs is a {type(accs).__name__}, not a list of numbers"}}
    return {"calls": calls, "result": {"best_lr": float(best), "val_accs": accs}}


#: Scripted runs for the learning rates 0.01, 0.03, 0.1, 0.3 and 1.0: the
#: validation and training accuracies after each of 3 epochs, and the losses.
TUNE_TABLE = (
    {"val": [0.30, 0.40, 0.45], "train": [0.35, 0.45, 0.50], "loss": [2.0, 1.6, 1.5]},   # lr 0.01
    {"val": [0.40, 0.58, 0.50], "train": [0.45, 0.60, 0.66], "loss": [1.8, 1.3, 1.2]},   # 0.03: best
    {"val": [0.35, 0.50, 0.55], "train": [0.40, 0.70, 0.80], "loss": [1.9, 1.1, 0.9]},   # 0.1: best last
    {"val": [0.20, 0.30, 0.58], "train": [0.30, 0.80, 0.90], "loss": [2.1, 0.8, 0.6]},   # 0.3: a tie
    {"val": [0.10, 0.12, 0.11], "train": [0.50, 0.90, 0.99], "loss": [1.0, 0.3, 0.1]},   # 1.0
)


def check_tuned(run, calls, val_accs, best_lr):
    """What :func:`scripted_tuning` saw against what the test expects: the
    learning rates train was called with, the val_accs and the best_lr returned."""
    result = run["result"]
    check_true("error" not in result, f"tune_learning_rate should return (best_lr, val_accs), a number and a "
               f"list; got {result.get('error')}.", hint="end with `return best_lr, val_accs`.")
    check_close("the learning rates train was called with, in order", run["calls"], calls, tol=0,
                hint="call train(lr) once for every learning rate, in the order given.")
    check_close("val_accs", result["val_accs"], val_accs, tol=0,
                hint="solver.best_val_acc of each run: its best epoch (not the last epoch, not the "
                     "training accuracy).")
    check_equal("best_lr", result["best_lr"], best_lr,
                hint="the learning rate (not its index) with the highest best_val_acc; lr 0.3 ties with "
                     "0.03 and comes later, so 0.03 (the first) is chosen. The training accuracy and the "
                     "loss choose lr 1.0, which does not generalize.")


#: Blocked while a student's tune_learning_rate runs.
TUNE_REFS = (_init.tune_learning_rate,)

#: The learning rates of the real run, and the validation accuracy its choice must reach.
TUNE_LRS = (0.03, 0.1, 0.3)
TUNE_TARGET = 0.58
_best_val = {}


def _mnist1d_data():
    from ..data import load_mnist1d, train_val_split

    m = load_mnist1d()
    X_train, y_train, X_val, y_val = train_val_split(m["X_train"], m["y_train"], n_val=500, seed=0)
    return dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val)


def deep_net_trainer():
    """``train(lr)``: the notebook's deep ReLU net with the course's He
    initialization, trained on MNIST-1D by :func:`helpers.init.train_deep_relu_net`;
    returns the Solver (and remembers its best validation accuracy)."""
    data = _mnist1d_data()

    def train(lr):
        solver = _init.train_deep_relu_net("he_normal", float(lr), data)
        _best_val[float(lr)] = float(solver.best_val_acc)
        return solver

    return train


def deep_net_val_acc(lr):
    """The best validation accuracy of the course's run at learning rate ``lr``
    (trained now, or remembered from an earlier run in this process)."""
    lr = float(lr)
    if lr not in _best_val:
        deep_net_trainer()(lr)
    return _best_val[lr]


def check_tuned_real(result):
    """A student's ``tune_learning_rate(deep_net_trainer(), TUNE_LRS)``
    result: one of the learning rates, which the test trains again and which
    must reach TUNE_TARGET. Returns ``(best_lr, its validation accuracy)``."""
    check_true(isinstance(result, (tuple, list)) and len(result) == 2,
               "tune_learning_rate should return (best_lr, val_accs).")
    best = result[0]
    check_true(not isinstance(best, bool) and isinstance(best, (int, float, np.integer, np.floating))
               and float(best) in TUNE_LRS,
               f"best_lr is {best!r:.60}, not one of the learning rates {TUNE_LRS}.",
               hint="return the learning rate itself, learning_rates[i], not its index i.")
    acc = deep_net_val_acc(best)  # the test trains the chosen learning rate again
    print(f"chosen learning rate {float(best):g}: validation accuracy {acc:.3f}")
    check_true(acc >= TUNE_TARGET, f"The learning rate you chose, {float(best):g}, reaches a validation "
               f"accuracy of {acc:.3f}; the best of {TUNE_LRS} reaches at least {TUNE_TARGET}.",
               hint="choose by each run's best_val_acc, the highest one.")
    return float(best), acc


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
