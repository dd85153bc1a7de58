"""Notebook 07 demo: dropout rate and weight decay against over-fitting.

A network with two hidden layers of 200 ReLU units learns 300 MNIST-1D
signals by minibatch SGD (60 epochs, batch 50, lr 0.1) with dropout
probability ``p`` and weight decay ``reg``; the accuracy on the 300 training
signals and on 1000 validation signals is measured every few epochs. The
picture shows both curves and the gap between them at the end. Nothing here
is graded. :func:`draw_regularization` makes the picture without widgets, so a
notebook run headless still shows it, and :func:`regularization_demo`
returns ``None`` (with a note) instead of failing when ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["train_curves", "draw_regularization", "regularization_demo", "DROPOUTS", "REGS"]

DROPOUTS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9)
REGS = (0.0, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


def train_curves(p=0.0, reg=0.0, num_epochs=60, every=5, hidden=(200, 200), lr=0.1, seed=0):
    """Train as described above; returns ``(epochs, train_acc, val_acc)`` lists."""
    from ..checks.batchnorm import small_split
    from ..nets import FullyConnectedNet
    from ..optim import SGD, minibatches

    X, y, Xv, yv = small_split()
    net = FullyConnectedNet(list(hidden), X.shape[1], 10, dropout=p, reg=reg, seed=seed)
    opt, rng = SGD(lr=lr), np.random.default_rng(seed)
    epochs, tr, va = [0], [], []

    def accuracy(A, b):
        return float(np.mean(np.argmax(net.loss(A), axis=1) == b))

    tr.append(accuracy(X, y))
    va.append(accuracy(Xv, yv))
    from threadpoolctl import threadpool_limits

    # Small matrices: one BLAS thread is several times faster than many on a busy machine.
    with np.errstate(all="ignore"), threadpool_limits(limits=1, user_api="blas"):
        for epoch in range(1, num_epochs + 1):
            for Xb, yb in minibatches(X, y, 50, rng=rng):
                opt.update(net.params, net.loss(Xb, yb)[1])
            if epoch % every == 0 or epoch == num_epochs:
                epochs.append(epoch)
                tr.append(accuracy(X, y))
                va.append(accuracy(Xv, yv))
    return epochs, tr, va


def draw_regularization(p=0.0, reg=0.0, ax=None):
    """Draw the train and validation curves for one setting; returns the axes."""
    epochs, tr, va = train_curves(p, reg)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.plot(epochs, tr, "o-", ms=3, label="train (300 signals)")
    ax.plot(epochs, va, "s-", ms=3, label="validation (1000 signals)")
    ax.fill_between(epochs, va, tr, color="tab:red", alpha=0.1)
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
           title=f"dropout p = {p:g}, weight decay reg = {reg:g}: final gap {tr[-1] - va[-1]:.2f}, "
                 f"val acc {va[-1]:.3f}")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8, loc="upper left")
    return ax


def regularization_demo(p=0.0, reg=0.0):
    """Dropout and weight-decay selectors redrawing :func:`draw_regularization`;
    returns the widget box, or None (with a note and a static picture) if
    ipywidgets is not available. Display it as the last expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_regularization(p, reg)
        return None

    p_slider = widgets.SelectionSlider(options=list(DROPOUTS), value=p, description="dropout p",
                                       continuous_update=False)
    reg_slider = widgets.SelectionSlider(options=list(REGS), value=reg, description="reg",
                                         continuous_update=False)
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            draw_regularization(p_slider.value, reg_slider.value)
            plt.show()

    p_slider.observe(redraw, names="value")
    reg_slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([p_slider, reg_slider]), out])
