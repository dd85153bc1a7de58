"""The steps notebook 07's tests of the student's own fully connected net share.

The student's ``FCNet`` calls its layers through ``ops``, a namespace of layer
functions. The tests hand it the course's layers (:func:`course_ops`), so a
slip in the student's batch norm, layer norm or dropout costs those
exercises only; with ``dropout_seed`` its dropout draws fixed masks that
:func:`dropout_mask` rebuilds for the oracle.

PyTorch is the oracle: :func:`torch_fcnet` gives the scores, the loss and every
gradient of the same net by autograd (train mode: batch statistics, the given
dropout masks), :func:`torch_fcnet_eval` its test-mode scores after some
train-mode passes (batch norm's running averages by ``F.batch_norm``).

:func:`overfit_fcnet` trains the student's class in the kernel (a probe: the
grader reads its observations back) with the course's layers and optimizer.
:func:`train_settings` trains the course's ``FullyConnectedNet`` with the
student's choice of normalization and dropout (same initial weights and
dropout masks as the student's FCNet, so the numbers of the student's own
sweep). Only the validation split of MNIST-1D is used for a graded target,
never its test set.

The test cells build the student's net inside :func:`answering`, give it the
parameters of :func:`net_cases` (or let :func:`train_then_test` drive it) and
compare with one ``check_*`` of this module.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from . import integrity
from .assertions import check_close, check_shape, check_true, passed
from .guard import without_reference
from .trace import probe

__all__ = ["LAYER_NAMES", "course_ops", "dropout_mask", "torch_fcnet", "torch_fcnet_eval", "random_params",
           "OVERFIT", "overfit_fcnet", "RECIPE", "SETTING_KEYS", "NORMALIZATIONS", "check_settings",
           "train_settings", "answering", "net_cases", "net_case", "check_loss_and_grads", "train_then_test",
           "check_test_mode", "check_overfit", "check_settings_accuracy", "passed"]

integrity.snapshot()  # torch is imported now: record it

_asarray, _float64, _argmax, _mean, _default_rng = np.asarray, np.float64, np.argmax, np.mean, np.random.default_rng
_tensor, _no_grad = torch.tensor, torch.no_grad

#: The layer functions an FCNet calls through ``ops``.
LAYER_NAMES = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss",
               "batchnorm_forward", "batchnorm_backward", "layernorm_forward", "layernorm_backward",
               "dropout_forward", "dropout_backward")


def course_ops(dropout_seed=None):
    """The course's reference layers as a namespace for ``FCNet(..., ops=...)``.
    With ``dropout_seed``, dropout in train mode draws its mask from that seed
    at every call, whatever seed the net passes (:func:`dropout_mask` rebuilds it)."""
    from .. import layers

    ops = {name: getattr(layers, name) for name in LAYER_NAMES}
    if dropout_seed is not None:
        seed, course_dropout = int(dropout_seed), layers.dropout_forward

        def dropout_forward(x, dropout_param):
            check_true(isinstance(dropout_param, dict) and "p" in dropout_param,
                       "dropout_forward should get a dict with the keys 'p' and 'mode'.",
                       hint="pass self.dropout_param(i, mode).")
            return course_dropout(x, dict(dropout_param, seed=seed))

        ops["dropout_forward"] = dropout_forward
    return SimpleNamespace(**ops)


def dropout_mask(shape, p, seed):
    """The mask of ``course_ops(seed)``'s dropout for an input of ``shape``:
    1 / (1 - p) where ``default_rng(seed).random(shape) >= p``, else 0."""
    return (_default_rng(int(seed)).random(tuple(shape)) >= p) / (1.0 - p)


def random_params(dims, normalization, seed):
    """Parameters of an FCNet with layer sizes ``dims`` (input, hidden...,
    classes): weights of std 1 / sqrt(fan_in), small random biases, and gamma
    around 1 and beta around 0 for every hidden layer when normalized."""
    rng = _default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        params[f"b{i}"] = 0.1 * rng.standard_normal(n_out)
        if normalization is not None and i < len(dims) - 1:
            params[f"gamma{i}"] = 1.0 + 0.3 * rng.standard_normal(n_out)
            params[f"beta{i}"] = 0.3 * rng.standard_normal(n_out)
    return params


def _layer_count(params):
    return sum(1 for k in params if k.startswith("W"))


def _forward(ts, X, normalization, masks, eps, running=None, momentum=0.9, training=True):
    L = _layer_count(ts)
    h = _tensor(_asarray(X, dtype=_float64)).reshape(len(X), -1)
    for i in range(1, L):
        h = h @ ts[f"W{i}"] + ts[f"b{i}"]
        if normalization == "batchnorm":
            rm, rv = running[i - 1] if running is not None else (None, None)
            h = F.batch_norm(h, rm, rv, ts[f"gamma{i}"], ts[f"beta{i}"], training=training,
                             momentum=1.0 - momentum, eps=eps)
        elif normalization == "layernorm":
            h = F.layer_norm(h, (h.shape[1],), ts[f"gamma{i}"], ts[f"beta{i}"], eps=eps)
        h = torch.relu(h)
        if masks is not None and training:
            h = h * _tensor(_asarray(masks[i - 1], dtype=_float64))
    return h @ ts[f"W{L}"] + ts[f"b{L}"]


def torch_fcnet(params, X, y, normalization=None, reg=0.0, masks=None, eps=1e-5):
    """``(scores, loss, grads)`` of ``[affine - norm - relu - (times mask)] x
    (L - 1) - affine - softmax`` in train mode (batch norm with the batch's
    statistics) by autograd; the loss adds ``reg * sum(W**2)`` over the weight
    matrices; ``masks`` holds one dropout mask per hidden layer, or None."""
    integrity.verify()
    ts = {k: _tensor(_asarray(v, dtype=_float64), requires_grad=True) for k, v in params.items()}
    scores = _forward(ts, X, normalization, masks, eps)
    loss = F.cross_entropy(scores, _tensor(_asarray(y, dtype=np.int64)))
    loss = loss + reg * sum((ts[f"W{i}"] ** 2).sum() for i in range(1, _layer_count(ts) + 1))
    loss.backward()
    return scores.detach().numpy(), float(loss.item()), {k: t.grad.numpy() for k, t in ts.items()}


def torch_fcnet_eval(params, train_batches, X, normalization=None, train_masks=None, momentum=0.9, eps=1e-5):
    """Test-mode scores of the same net on ``X`` after one train-mode pass on
    each of ``train_batches`` (with ``train_masks[k]``, the dropout masks of
    pass k, or None): batch norm normalizes with its running averages
    (starting at 0 and 1, ``momentum`` the weight of the old value), no dropout."""
    integrity.verify()
    ts = {k: _tensor(_asarray(v, dtype=_float64)) for k, v in params.items()}
    L = _layer_count(ts)
    running = [(torch.zeros(ts[f"W{i}"].shape[1], dtype=torch.float64),
                torch.ones(ts[f"W{i}"].shape[1], dtype=torch.float64)) for i in range(1, L)]
    with _no_grad():
        for k, Xb in enumerate(train_batches):
            _forward(ts, Xb, normalization, None if train_masks is None else train_masks[k], eps,
                     running, momentum, training=True)
        return _forward(ts, X, normalization, None, eps, running, momentum, training=False).numpy()


# ---------------------------------------------------------------- training the student's net

def _fcnet_refs():
    from .. import nets

    return (nets.FullyConnectedNet,)


def _accuracy(net, X, y):
    return float(_mean(_argmax(_asarray(net.loss(X)), axis=1) == y))


#: How the overfitting test trains: 3 hidden layers, batch norm and dropout, 50 signals.
OVERFIT = {"hidden_dims": [100, 100, 100], "normalization": "batchnorm", "dropout": 0.1, "n": 50,
           "num_epochs": 40, "batch_size": 25, "lr": 1e-2}


@probe
def overfit_fcnet(cls, seed=0):
    """Train the student's class (the course's layers) on the first 50
    MNIST-1D training signals with Adam as :data:`OVERFIT` says. Returns
    ``{"train_acc": [...], "loss": [...]}``, per epoch (accuracy in test mode)."""
    from ..data import load_mnist1d
    from ..optim import Adam, minibatches

    d = load_mnist1d()
    X, y = d["X_train"][:OVERFIT["n"]], d["y_train"][:OVERFIT["n"]]
    out = {"train_acc": [], "loss": []}
    with without_reference(*_fcnet_refs()), np.errstate(all="ignore"):
        net = cls(list(OVERFIT["hidden_dims"]), X.shape[1], 10, normalization=OVERFIT["normalization"],
                  dropout=OVERFIT["dropout"], seed=seed, ops=course_ops())
        opt, rng = Adam(lr=OVERFIT["lr"]), _default_rng(seed)
        for _ in range(OVERFIT["num_epochs"]):
            for Xb, yb in minibatches(X, y, OVERFIT["batch_size"], rng=rng):
                loss, grads = net.loss(Xb, yb)
                opt.update(net.params, grads)
            out["loss"].append(float(loss))
            out["train_acc"].append(_accuracy(net, X, y))
    return out


#: The MNIST-1D run of the settings exercise (the notebook's ``fcnet_run``): the
#: first 3000 training signals, Adam, 20 epochs; the last 1000 training signals
#: are the validation set.
RECIPE = {"hidden_dims": [128, 128], "n_train": 3000, "num_epochs": 20, "batch_size": 100, "lr": 3e-3}
SETTING_KEYS = ("normalization", "dropout")
NORMALIZATIONS = (None, "batchnorm", "layernorm")


def check_settings(settings):
    """The settings dict of the MNIST-1D exercise, checked: ``(normalization, dropout)``."""
    check_true(isinstance(settings, dict),
               f"Return a dict with the keys {list(SETTING_KEYS)}, not a {type(settings).__name__}.")
    missing = [k for k in SETTING_KEYS if k not in settings]
    check_true(not missing, f"The settings dict lacks {missing}; it needs {list(SETTING_KEYS)}.",
               hint='for example {"normalization": "layernorm", "dropout": 0.3}.')
    norm, p = settings["normalization"], settings["dropout"]
    check_true(norm in NORMALIZATIONS, f"normalization must be None, 'batchnorm' or 'layernorm', got {norm!r}.")
    check_true(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p < 1,
               f"dropout is the probability of dropping a unit: a number in [0, 1), got {p!r}.")
    return norm, float(p)


def train_settings(settings, seed=0):
    """Train the course's ``FullyConnectedNet`` with the student's settings
    (a dict with "normalization" and "dropout") as :data:`RECIPE` says, and
    return ``(train_acc, val_acc)``. No student code runs here: the settings
    exercise is graded on the course's net, so a slip in FCNet costs nothing."""
    from ..data import load_mnist1d
    from ..nets import FullyConnectedNet
    from ..optim import Adam, minibatches

    normalization, dropout = check_settings(settings)
    d = load_mnist1d()
    n = RECIPE["n_train"]
    X, y, Xv, yv = d["X_train"][:n], d["y_train"][:n], d["X_train"][3000:], d["y_train"][3000:]
    net = FullyConnectedNet(list(RECIPE["hidden_dims"]), X.shape[1], 10, normalization=normalization,
                            dropout=dropout, seed=seed)
    opt, rng = Adam(lr=RECIPE["lr"]), _default_rng(seed)
    with np.errstate(all="ignore"), _one_blas_thread():
        for _ in range(RECIPE["num_epochs"]):
            for Xb, yb in minibatches(X, y, RECIPE["batch_size"], rng=rng):
                opt.update(net.params, net.loss(Xb, yb)[1])
        return _accuracy(net, X, y), _accuracy(net, Xv, yv)


def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# ---------------------------------------------------------------- the test cells of the student's FCNet

def answering():
    """The block in which a test runs the student's FCNet: the course's
    ``FullyConnectedNet`` and PyTorch refuse to run."""
    integrity.verify()
    return without_reference(*_fcnet_refs())


HINT_PAIR = "With labels y, loss(X, y) must return the pair (loss, grads)."

# kind -> (seed, [(layer sizes, normalization, reg, params seed, X loc)], what, hints of the loss and the
# gradients, dropout masks (p, seed) or None, strict: the pair and the keys of grads are checked)
_NET_SPECS = {
    "plain": (781, [([5, 7, 6, 4], None, 0.0, 784, 0.0), ([5, 6, 4], None, 0.1, 783, 0.0)],
              "{layers} hidden layer{s}, no normalization, reg = {reg}",
              ("the softmax loss of the scores plus reg * sum(W**2) over W1..WL (not the biases).",
               "go backward through the layers in reverse order with the caches of the forward pass; every "
               "weight gradient gains 2 * reg * W (biases none)."), None, True),
    "batchnorm": (784, [([6, 7, 6, 5, 4], "batchnorm", 0.05, 785, 1.0)], "3 hidden layers, batch norm, reg = 0.05",
                  ("affine - batchnorm - relu in every hidden layer, in train mode (the batch's statistics).",
                   "batch norm comes between the affine layer and the ReLU, forward and backward; gamma and beta "
                   "are not decayed."), None, True),
    "layernorm": (786, [([6, 8, 7, 3], "layernorm", 0.0, 787, 0.0)], "2 hidden layers, layer norm",
                  ('with normalization="layernorm" call ops.layernorm_forward between the affine layer and the '
                   "ReLU.", "go back through ops.layernorm_backward where the forward pass used layer norm."),
                  None, True),
    "dropout": (788, [([5, 8, 6, 3], "batchnorm", 0.0, 789, 0.0)], "batch norm and dropout 0.3",
                ("dropout comes after the ReLU of every hidden layer, in train mode: "
                 "ops.dropout_forward(h, self.dropout_param(i, mode)).",
                 "the backward pass goes through ops.dropout_backward with the dropout cache, before the "
                 "ReLU's backward."), (0.3, 21), False),
}


def net_cases(kind):
    """The cases of one FCNet gradient test ("plain", "batchnorm",
    "layernorm", "dropout"): random parameters (biases, gamma and beta too;
    ``params`` is a fresh copy for the net), a batch ``X``, ``y`` and
    PyTorch's loss and gradients of the same net (with the masks of
    ``course_ops(dropout_seed)`` for dropout)."""
    seed, nets, what, hints, dropout, strict = _NET_SPECS[kind]
    rng = _default_rng(seed)
    for dims, normalization, reg, params_seed, loc in nets:
        params = random_params(dims, normalization, seed=params_seed)
        n = {"plain": 8, "batchnorm": 10, "layernorm": 9, "dropout": 12}[kind]
        X = rng.standard_normal((n, dims[0])) if loc == 0.0 else loc + rng.standard_normal((n, dims[0]))
        y = rng.integers(0, dims[-1], n)
        masks = None
        if dropout is not None:
            masks = [dropout_mask((n, h), dropout[0], dropout[1]) for h in dims[1:-1]]
        _, loss, grads = torch_fcnet(params, X, y, normalization, reg, masks=masks)
        layers = len(dims) - 2
        label = what.format(layers=layers, s="s" if layers > 1 else "", reg=reg)
        yield SimpleNamespace(hidden_dims=list(dims[1:-1]), reg=reg, params={k: v.copy() for k, v in params.items()},
                              X=X, y=y, loss=loss, grads=grads, strict=strict, hints=hints,
                              loss_what=label + (", fixed masks" if dropout is not None else ""), grads_what=label)


def net_case(kind):
    """The one case of an FCNet test with a single net (:func:`net_cases`)."""
    return next(net_cases(kind))


def check_loss_and_grads(result, case):
    """``result`` of ``net.loss(X, y)``: the loss and every gradient against PyTorch's."""
    if case.strict:
        check_true(isinstance(result, tuple) and len(result) == 2, HINT_PAIR)
    loss, grads = result
    check_close(f"the loss ({case.loss_what})", loss, case.loss, hint=case.hints[0])
    if case.strict:
        check_true(isinstance(grads, dict) and sorted(grads) == sorted(case.grads),
                   f"grads must hold one gradient per parameter, the keys {sorted(case.grads)}.")
    for k in case.grads:
        check_close(f"grads['{k}'] ({case.grads_what})", grads[k], case.grads[k], hint=case.hints[1])


def _test_mode_inputs(seed=791):
    rng = _default_rng(seed)
    params = random_params([6, 9, 7, 4], "batchnorm", seed=792)
    batches = [1.0 + rng.standard_normal((10, 6)) for _ in range(2)]
    labels = [rng.integers(0, 4, 10) for _ in range(2)]
    X_test = rng.standard_normal((5, 6))
    return params, batches, labels, X_test, random_params([6, 8, 4], "layernorm", seed=793)


def train_then_test(net, normalization):
    """Drive the test-mode test on ``net``: give it random parameters; with
    "batchnorm", one ``loss(X, y)`` on each of two training batches of 10,
    then ``loss(X_test)`` twice (returns both); with "layernorm",
    ``loss(X_test)`` once (returns it). X_test holds 5 samples."""
    bn_params, batches, labels, X_test, ln_params = _test_mode_inputs()
    if normalization == "layernorm":
        net.params = {k: v.copy() for k, v in ln_params.items()}
        return net.loss(X_test)
    net.params = {k: v.copy() for k, v in bn_params.items()}
    for Xb, yb in zip(batches, labels):
        net.loss(Xb, yb)
    return net.loss(X_test), net.loss(X_test)


def check_test_mode(bn_scores, ln_scores):
    """What :func:`train_then_test` returned against PyTorch's test-mode scores."""
    bn_params, batches, _, X_test, ln_params = _test_mode_inputs()
    scores, again = bn_scores
    masks = [[dropout_mask((10, 9), 0.25, 17), dropout_mask((10, 7), 0.25, 17)]] * 2
    check_shape("loss(X) without y", scores, (5, 4), hint="with y=None, loss returns the scores, one row per sample.")
    check_close("the test-mode scores after two training steps (batch norm, dropout 0.25)", scores,
                torch_fcnet_eval(bn_params, batches, X_test, "batchnorm", masks),
                hint="with y=None everything runs in test mode: norm_params[i]['mode'] = 'test' (batch norm "
                     "uses its running averages) and dropout_param(i, 'test') (no mask).")
    check_close("a second test-mode call", again, scores, tol=0, hint="test mode must not update the running averages.")
    check_close("the test-mode scores with layer norm and dropout 0.5", ln_scores,
                torch_fcnet_eval(ln_params, [], X_test, "layernorm"),
                hint="layer norm computes the same at test time; dropout in test mode is the identity.")


def check_overfit(run):
    """The run of :func:`overfit_fcnet` reached 100% training accuracy."""
    check_true(max(run["train_acc"]) == 1.0,
               f"Trained on {OVERFIT['n']} signals ({len(OVERFIT['hidden_dims'])} hidden layers, batch norm, "
               f"dropout {OVERFIT['dropout']}, Adam, {OVERFIT['num_epochs']} epochs), your net reaches a training "
               f"accuracy of {max(run['train_acc']):.2f} at best; a correct net learns them all.",
               hint="the loss should fall toward 0: check the gradient test cells above first.")


def check_settings_accuracy(settings, train_acc, val_acc, target=0.60):
    """The validation accuracy :func:`train_settings` measured reaches ``target``."""
    check_true(val_acc >= target,
               f"With {settings} the validation accuracy is {val_acc:.3f} (training {train_acc:.3f}); the "
               f"target is {target:.2f}.",
               hint="choose by the VALIDATION accuracy of your runs, not the training accuracy: the setting that "
                    "learns the training set best over-fits most.")


integrity.snapshot(extra=[__name__])
integrity.lock(sys.modules[__name__])
