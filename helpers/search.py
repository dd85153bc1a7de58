"""Choosing the learning rate and the weight decay by random search (notebook 04).

- :func:`random_search`: ``n_trials`` settings drawn log-uniformly, each
  trained and scored by a given ``train_and_score(lr, reg)``; the best is the
  one with the highest validation accuracy.
- :func:`coarse_to_fine`: a wide random search, then a second one inside the
  ranges spanned by its best few trials.
- :class:`DeepNetTrainer`: the notebook's ``train_and_score``, a small deep
  net (three hidden ReLU layers) trained by SGD with momentum on MNIST-1D for
  a few epochs; it returns the training and the validation accuracy.
- :func:`plot_search`: the trials on log axes, coloured by validation accuracy.

A trial is a dict ``{"lr", "reg", "train_acc", "val_acc"}``. Both search
functions are the course's reference answers (:func:`~helpers.checks.guard.reference`).
"""
from __future__ import annotations

import hashlib

import numpy as np

from . import optim as _optim
from .solver import _blas_limit
from .checks.guard import reference

__all__ = ["random_search", "coarse_to_fine", "DeepNetTrainer", "log_uniform", "plot_search"]


def log_uniform(low, high, rng, size=None):
    """Draw from ``[low, high]`` uniformly on a log scale (0 < low <= high)."""
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


@reference
def random_search(train_and_score, n_trials, lr_range, reg_range, rng):
    """``n_trials`` trials of (lr, reg), each drawn log-uniformly from its range
    with ``rng``; returns ``(trials, best)``, best = the first trial with the
    highest ``val_acc``."""
    trials = []
    for _ in range(n_trials):
        lr = float(log_uniform(*lr_range, rng))
        reg = float(log_uniform(*reg_range, rng))
        scores = train_and_score(lr, reg)
        trials.append({"lr": lr, "reg": reg, "train_acc": float(scores["train_acc"]),
                       "val_acc": float(scores["val_acc"])})
    best = max(trials, key=lambda t: t["val_acc"]) if trials else None
    return trials, best


@reference
def coarse_to_fine(train_and_score, lr_range, reg_range, rng, search, n_coarse=12, n_fine=8, top=3):
    """A coarse ``search`` over the given ranges, then a fine one over the ranges
    spanned by the ``top`` coarse trials with the highest validation accuracy.
    Returns {"coarse", "fine", "fine_lr_range", "fine_reg_range", "best"}."""
    coarse, _ = search(train_and_score, n_coarse, lr_range, reg_range, rng)
    leaders = sorted(coarse, key=lambda t: t["val_acc"], reverse=True)[:top]
    fine_lr = (min(t["lr"] for t in leaders), max(t["lr"] for t in leaders))
    fine_reg = (min(t["reg"] for t in leaders), max(t["reg"] for t in leaders))
    fine, _ = search(train_and_score, n_fine, fine_lr, fine_reg, rng)
    best = max(coarse + fine, key=lambda t: t["val_acc"])
    return {"coarse": coarse, "fine": fine, "fine_lr_range": fine_lr, "fine_reg_range": fine_reg,
            "best": best}


# ---------------------------------------------------------------- the notebook's deep net
_CACHE: dict = {}
_CACHE_SIZE = 512


def _digest(*arrays):
    h = hashlib.sha1()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


class DeepNetTrainer:
    """``train_and_score(lr, reg)`` for a deep net on ``data``.

    Each call builds ``FullyConnectedNet(hidden_dims, D, C, reg=reg, seed=seed)``
    (He initialisation), trains it in float32 with SGD + momentum
    (``helpers.optim.Momentum(lr, momentum)``) for ``num_epochs`` epochs of
    shuffled mini-batches of ``batch_size`` (the same batches for every
    setting), and returns ``{"train_acc", "val_acc"}``: the accuracies of the
    final weights on the whole training and validation sets. A run whose loss
    becomes inf or nan stops there and scores as its weights then predict
    (about chance).

    Training is deterministic, so results are remembered: the same (lr, reg)
    on the same data and settings is trained once per process. ``calls``
    counts the calls of this trainer (remembered ones included).
    """

    def __init__(self, data, hidden_dims=(64, 64, 64), num_epochs=6, batch_size=250, momentum=0.9,
                 seed=0):
        self.X_train = np.asarray(data["X_train"], dtype=np.float32)
        self.y_train = np.asarray(data["y_train"])
        self.X_val = np.asarray(data["X_val"], dtype=np.float32)
        self.y_val = np.asarray(data["y_val"])
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        self.num_epochs, self.batch_size = int(num_epochs), int(batch_size)
        self.momentum, self.seed = float(momentum), int(seed)
        self.num_classes = int(max(self.y_train.max(), self.y_val.max())) + 1
        self._key = (_digest(self.X_train, self.y_train, self.X_val, self.y_val), self.hidden_dims,
                     self.num_epochs, self.batch_size, self.momentum, self.seed)
        self.calls = 0

    def __repr__(self):
        return (f"DeepNetTrainer(hidden_dims={list(self.hidden_dims)}, num_epochs={self.num_epochs}, "
                f"batch_size={self.batch_size}, momentum={self.momentum})")

    def net(self, reg):
        """A fresh float32 FullyConnectedNet with weight decay ``reg``."""
        from .nets import FullyConnectedNet

        net = FullyConnectedNet(list(self.hidden_dims), self.X_train.shape[1], self.num_classes,
                                reg=reg, seed=self.seed)
        net.params = {k: v.astype(np.float32) for k, v in net.params.items()}
        return net

    def train(self, lr, reg, optimizer=None, on_step=None):
        """Train a fresh net; returns ``(net, losses)`` (the loss of every step).
        ``optimizer`` replaces Momentum(lr, momentum) (give lr=None then);
        ``on_step(step, net)`` is called after every update."""
        net = self.net(reg)
        opt = optimizer if optimizer is not None else _optim.Momentum(lr=lr, momentum=self.momentum)
        rng = np.random.default_rng(self.seed)
        losses, step = [], 0
        with np.errstate(all="ignore"), _blas_limit(1):  # small matrices: one BLAS thread is fastest
            for _ in range(self.num_epochs):
                for X, y in _optim.minibatches(self.X_train, self.y_train, self.batch_size, rng,
                                               drop_last=True):
                    loss, grads = net.loss(X, y)
                    if not np.isfinite(loss):
                        return net, losses
                    opt.update(net.params, grads)
                    losses.append(float(loss))
                    step += 1
                    if on_step is not None:
                        on_step(step, net)
        return net, losses

    @staticmethod
    def accuracy(net, X, y):
        with np.errstate(all="ignore"), _blas_limit(1):
            return float(np.mean(np.argmax(net.loss(X), axis=1) == y))

    def __call__(self, lr, reg):
        self.calls += 1
        lr, reg = float(lr), float(reg)
        key = self._key + (lr, reg)
        if key not in _CACHE:
            net, _ = self.train(lr, reg)
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = {"train_acc": self.accuracy(net, self.X_train, self.y_train),
                           "val_acc": self.accuracy(net, self.X_val, self.y_val)}
        return dict(_CACHE[key])


# ---------------------------------------------------------------- picture
def plot_search(result, ax=None, title=None):
    """The trials of a :func:`coarse_to_fine` result (or a list of trials) on
    log axes (lr across, reg up), coloured by validation accuracy, the fine
    ranges as a box and the best trial as a star; returns the axes."""
    import matplotlib.pyplot as plt

    if isinstance(result, dict):
        rounds = [("coarse", result.get("coarse", []), "o"), ("fine", result.get("fine", []), "s")]
        best = result.get("best")
    else:
        rounds = [("trials", list(result), "o")]
        best = max(result, key=lambda t: t["val_acc"]) if result else None
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5.2))
    accs = [t["val_acc"] for _, trials, _ in rounds for t in trials]
    vmin, vmax = (min(accs), max(accs)) if accs else (0.0, 1.0)
    sc = None
    for label, trials, marker in rounds:
        if trials:
            sc = ax.scatter([t["lr"] for t in trials], [t["reg"] for t in trials],
                            c=[t["val_acc"] for t in trials], cmap="viridis", vmin=vmin, vmax=vmax,
                            marker=marker, s=46, edgecolors="k", linewidths=0.5,
                            label=f"{label} ({len(trials)} trials)")
    if isinstance(result, dict) and "fine_lr_range" in result:
        (l0, l1), (r0, r1) = result["fine_lr_range"], result["fine_reg_range"]
        ax.add_patch(plt.Rectangle((l0, r0), l1 - l0, r1 - r0, fill=False, ls="--", color="tab:red",
                                   label="fine ranges"))
    if best is not None:
        ax.plot(best["lr"], best["reg"], "*", color="tab:red", ms=16, mec="k",
                label=f"best: val acc {best['val_acc']:.3f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("weight decay reg (log scale)")
    ax.set_title(title or "random search: each point one training, coloured by validation accuracy",
                 fontsize=10)
    if sc is not None:
        ax.figure.colorbar(sc, ax=ax, label="validation accuracy")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    ax.figure.tight_layout()
    return ax
