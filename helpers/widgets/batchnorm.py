"""Notebook 07 demos: weight decay and dropout against over-fitting.

The set-up is :data:`helpers.regularization.OVERFIT`: a network with two
hidden layers of 128 ReLU units learns 500 MNIST-1D signals by SGD with
momentum (30 epochs, batches of 50), with dropout probability ``p`` and
weight decay ``reg``. :func:`draw_regularization` draws the accuracy on the
500 training signals and on 1000 validation signals after every epoch, and
the gap between them at the end; :func:`regularization_demo` puts two
selectors in front of it; :func:`draw_sweep` draws the result of a sweep
(the gain of each setting over no regularization, with its standard error).
Nothing here is graded. Everything draws without widgets, so a notebook run
headless still shows the pictures, and :func:`regularization_demo` returns
``None`` (with a note and a static picture) when ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

__all__ = ["train_curves", "draw_regularization", "regularization_demo", "draw_sweep", "setting_label",
           "DROPOUTS", "REGS"]

DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
REGS = (0.0, 1e-3, 3e-3, 1e-2, 2e-2, 3e-2, 1e-1)


def train_curves(p=0.0, reg=0.0, seed=0):
    """One run of the over-fitting set-up; returns ``(epochs, train_acc, val_acc)``
    lists, epoch 0 being the initial net."""
    from ..regularization import train_and_validate

    run = train_and_validate({"reg": float(reg), "dropout": float(p)}, int(seed), history=True)
    return run["epochs"], run["train_history"], run["val_history"]


def draw_regularization(p=0.0, reg=0.0, ax=None, seed=0):
    """Draw the train and validation curves for one setting; returns the axes."""
    epochs, tr, va = train_curves(p, reg, seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.4))
    ax.plot(epochs, tr, "o-", ms=3, label="train (500 signals)")
    ax.plot(epochs, va, "s-", ms=3, label="validation (1000 signals)")
    ax.fill_between(epochs, va, tr, color="tab:red", alpha=0.1, label="the gap")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02),
           title=f"dropout p = {p:g}, weight decay reg = {reg:g}: final train {tr[-1]:.3f}, "
                 f"validation {va[-1]:.3f}, gap {tr[-1] - va[-1]:.2f}")
    ax.title.set_fontsize(9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # outside: the curves fill the axes
    ax.figure.tight_layout()
    return ax


def _nearest(options, value):
    return min(options, key=lambda o: abs(np.log10(o + 1e-4) - np.log10(float(value) + 1e-4)))


def regularization_demo(p=0.0, reg=0.0):
    """Dropout and weight-decay selectors redrawing :func:`draw_regularization`
    (starting at the options nearest to ``p`` and ``reg``); returns the widget
    box, or None (with a note and a static picture) if ipywidgets is not
    available. Display it as the last expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_regularization(p, reg)
        return None

    p_slider = widgets.SelectionSlider(options=list(DROPOUTS), value=_nearest(DROPOUTS, p),
                                       description="dropout p", continuous_update=False)
    reg_slider = widgets.SelectionSlider(options=list(REGS), value=_nearest(REGS, reg), description="reg",
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


def setting_label(setting):
    """"reg 0.01", "dropout 0.2", "reg 0.01 + dropout 0.2" or "none"."""
    reg, p = float(setting["reg"]), float(setting["dropout"])
    parts = ([f"reg {reg:g}"] if reg else []) + ([f"dropout {p:g}"] if p else [])
    return " + ".join(parts) or "none"


def draw_sweep(settings, val_acc, best, ax=None):
    """The gain of each setting over no regularization (``{"reg": 0,
    "dropout": 0}``, which must be among ``settings``): the mean over the
    seeds of the paired differences, with error bars of one and of three
    standard errors; the chosen setting ``best`` in red. Returns the axes."""
    val_acc = np.asarray(val_acc, dtype=float)
    labels = [setting_label(s) for s in settings]
    base = labels.index("none")
    diff = val_acc - val_acc[base]
    k = diff.shape[1]
    gain = diff.mean(axis=1)
    se = diff.std(axis=1, ddof=1) / np.sqrt(k) if k > 1 else np.zeros(len(gain))
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.4))
    x = np.arange(len(labels))
    colors = ["tab:red" if i == best else "tab:blue" for i in x]
    ax.errorbar(x, gain, yerr=3 * se, fmt="none", ecolor="lightgray", elinewidth=6, label="± 3 SE")
    ax.errorbar(x, gain, yerr=se, fmt="none", ecolor="black", capsize=4, label="± 1 SE")
    ax.scatter(x, gain, c=colors, zorder=3, s=30)
    ax.scatter([], [], c="tab:red", s=30, label="chosen (best mean)")
    ax.axhline(0, color="gray", lw=0.8)
    top = max(0.02, float((gain + 3 * se).max())) + 0.01
    bottom = min(-0.02, float((gain - 3 * se).min())) - 0.01
    if bottom < -0.1:  # far-off losers would squash the others: show them at the bottom edge
        bottom = -0.1
        for i in np.flatnonzero(gain < bottom):
            ax.annotate(f"{gain[i]:+.2f}\n(off the chart)", (x[i], bottom), xytext=(0, 16),
                        textcoords="offset points", ha="center", fontsize=8,
                        arrowprops={"arrowstyle": "->", "color": "gray"})
    ax.set_ylim(bottom, top)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=20, ha="right", fontsize=8)
    ax.set(xlabel="setting", ylabel="validation accuracy gain",
           title=f"Gain over no regularization, paired over {k} seeds: "
                 f"the chosen setting is {gain[best] / se[best] if se[best] > 0 else float('inf'):.1f} SE above 0")
    ax.title.set_fontsize(9)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.figure.tight_layout()
    return ax
