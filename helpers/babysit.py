"""Watching a training run (notebook 04): the update-to-weight ratio and
training curves to diagnose.

- :func:`update_ratio`: per weight matrix, the size of one update relative to
  the size of the weights (Frobenius norms); about 1e-3 is the usual healthy value.
- :class:`Watched`: wraps an optimizer and records a ratio function's
  result at every update; :func:`watch_ratios` trains the notebook's deep net
  with it.
- :func:`plot_ratios`: the ratios per layer during training, on a log scale.
- :func:`diagnosis_runs` and :func:`plot_runs`: four short real training runs
  labelled A to D, each with one of the problems in :data:`PROBLEMS`.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import optim as _optim
from .checks.guard import reference

__all__ = ["update_ratio", "Watched", "watch_ratios", "plot_ratios", "PROBLEMS", "diagnosis_runs",
           "plot_runs", "smooth"]

#: The four diagnoses of the curve exercise.
PROBLEMS = ("lr_too_high", "lr_too_low", "overfitting", "dead_network")


@reference
def update_ratio(params_before, params_after):
    """{key: ||after - before|| / ||before||} for every key that starts with "W"
    (Frobenius norms of the whole arrays)."""
    return {k: float(np.linalg.norm(np.asarray(params_after[k], dtype=np.float64) - w)
                     / np.linalg.norm(w))
            for k, w in ((k, np.asarray(v, dtype=np.float64)) for k, v in params_before.items())
            if k.startswith("W")}


class Watched:
    """An optimizer that also records ``ratio(before, after)`` at every update
    (``ratio`` defaults to the course's :func:`update_ratio`)."""

    def __init__(self, optimizer, ratio=None):
        self.optimizer, self.ratio = optimizer, ratio
        self.history = []

    @property
    def lr(self):
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = value

    def update(self, params, grads):
        before = {k: np.array(v, copy=True) for k, v in params.items()}
        self.optimizer.update(params, grads)
        ratio = self.ratio if self.ratio is not None else update_ratio
        self.history.append(ratio(before, params))


def watch_ratios(trainer, lr, reg=1e-4, ratio=None):
    """Train ``trainer``'s deep net (a :class:`helpers.search.DeepNetTrainer`) with
    Momentum(lr) and record ``ratio`` at every step. Returns {"loss": [...],
    "ratios": {key: array of one ratio per step}, "val_acc": final validation accuracy}."""
    watched = Watched(_optim.Momentum(lr=lr, momentum=trainer.momentum), ratio)
    net, losses = trainer.train(None, reg, optimizer=watched)
    keys = list(watched.history[0]) if watched.history else []
    ratios = {k: np.array([float(h[k]) for h in watched.history]) for k in keys}
    return {"loss": np.array(losses), "ratios": ratios,
            "val_acc": trainer.accuracy(net, trainer.X_val, trainer.y_val)}


def plot_ratios(runs, axes=None):
    """One panel per run ``{title: watch_ratios(...)}``: each layer's ratio per
    step, log scale, with a line at 1e-3."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(runs), figsize=(5 * len(runs), 3.9), sharey=True, squeeze=False)
        axes = axes[0]
    for ax, (title, run) in zip(axes, runs.items()):
        ax.axhline(1e-3, color="k", ls=":", lw=1, label="rule of thumb 1e-3")
        for k, r in run["ratios"].items():
            steps = np.arange(1, len(r) + 1)
            ax.plot(steps, np.clip(r, 1e-8, None), lw=1, label=k)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_title(f"{title}: final val acc {run['val_acc']:.2f}", fontsize=10)
    axes[0].set_ylabel("||update|| / ||W|| (log scale)")
    fig = axes[0].figure
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=9)
    fig.suptitle("update-to-weight ratio of each layer at every step", fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return axes


# ---------------------------------------------------------------- four runs to diagnose
def smooth(values, width=10):
    """Moving average over ``width`` steps (shorter series: unchanged)."""
    values = np.asarray(values, dtype=float)
    if len(values) < width:
        return values
    return np.convolve(values, np.ones(width) / width, mode="valid")


# The settings behind each letter (net, data size, optimizer, epochs).
_SETTINGS = {
    "A": dict(lr=0.4, n_train=None, epochs=12, bias_init=0.0),
    "B": dict(lr=0.1, n_train=200, epochs=60, bias_init=0.0),
    "C": dict(lr=0.001, n_train=None, epochs=12, bias_init=0.0),
    "D": dict(lr=0.1, n_train=None, epochs=12, bias_init=-5.0),
}


def _run(data, lr, n_train, epochs, bias_init):
    from .nets import FullyConnectedNet
    from .solver import Solver

    X, y = data["X_train"], data["y_train"]
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    net = FullyConnectedNet([64, 64, 64], X.shape[1], 10, bias_init=bias_init, seed=0)
    net.params = {k: v.astype(np.float32) for k, v in net.params.items()}
    solver = Solver(net, dict(X_train=X.astype(np.float32), y_train=y,
                              X_val=np.asarray(data["X_val"], dtype=np.float32), y_val=data["y_val"]),
                    optimizer=_optim.Momentum(lr=lr, momentum=0.9), batch_size=100 if n_train is None else 50,
                    num_epochs=epochs, num_train_samples=None, verbose=False, progress=False, seed=0)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        solver.train()
    return {"loss": np.array(solver.loss_history), "train_acc": np.array(solver.train_acc_history),
            "val_acc": np.array(solver.val_acc_history)}


def diagnosis_runs(data):
    """Four real training runs of a deep net on ``data``, {"A": run, ..., "D": run},
    each run {"loss": per step, "train_acc": per epoch, "val_acc": per epoch}."""
    return {letter: _run(data, **settings) for letter, settings in _SETTINGS.items()}


def plot_runs(runs):
    """Training loss per step (top) and accuracies per epoch (bottom) for each run."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(2, len(runs), figsize=(3.6 * len(runs), 6))
    for j, (letter, run) in enumerate(runs.items()):
        top, bottom = axes[0, j], axes[1, j]
        loss = run["loss"]
        top.plot(np.arange(1, len(loss) + 1), loss, color="0.75", lw=0.7, label="each step")
        s = smooth(loss)
        top.plot(np.arange(len(loss) - len(s) + 1, len(loss) + 1), s, color="tab:blue", lw=1.5,
                 label="smoothed")
        top.axhline(np.log(10), color="k", ls=":", lw=1, label="ln 10 (uniform guess)")
        top.set_title(f"run {letter}", fontsize=11)
        top.set_xlabel("step")
        top.set_ylim(0, max(3.0, min(float(np.max(loss)) * 1.05, 8.0)))
        epochs = np.arange(1, len(run["train_acc"]) + 1)
        bottom.plot(epochs, run["train_acc"], "o-", ms=3, label="training")
        bottom.plot(epochs, run["val_acc"], "s-", ms=3, label="validation")
        bottom.axhline(0.1, color="k", ls=":", lw=1, label="chance (0.1)")
        bottom.set_ylim(0, 1)
        bottom.set_xlabel("epoch")
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        top.set_ylabel("training loss")
        bottom.set_ylabel("accuracy")
        if j == 0:
            top.legend(fontsize=8.5, loc="lower left")
            bottom.legend(fontsize=8.5, loc="upper left")
    fig.suptitle("four training runs of the same deep net: what went wrong in each?", fontsize=11)
    fig.tight_layout()
    return axes
