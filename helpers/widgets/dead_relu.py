"""Notebook 06 demo: which ReLU units die, for a given initial bias and learning rate.

Two moons, rescaled into the unit square [0, 1]^2 (every input is
non-negative, like pixels), and a 2-H-1 network with H ReLU units, He initial
weights and every hidden bias set to ``bias``. It is trained by full-batch
gradient descent with learning rate ``lr`` (binary cross-entropy). The picture
shows

- left: the data (two classes, blue and orange) and, for every hidden unit,
  the line where its pre-activation ``w . x + b`` is 0, with a tick toward
  the side where the unit is active; live units are drawn green, dead ones
  (inactive on every training point) red and dashed, as its legend says. A dead unit's line has all the data on its
  inactive side;
- right: the number of dead units after each step.

A very negative bias kills units before training starts; a large learning
rate kills them during the first steps, by one big jump of w and b. Nothing
here is graded. :func:`draw_dead_units` makes the same picture without
widgets, so a notebook run headless still shows it, and
:func:`dead_relu_demo` returns ``None`` (with a note) instead of failing when
ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["unit_square_moons", "train_units", "draw_dead_units", "dead_relu_demo", "LEARNING_RATES"]

LEARNING_RATES = (0.01, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


def unit_square_moons(n=200, seed=0):
    """(X, y): two moons rescaled into [0, 1]^2, X (n, 2) float, y (n,) 0 or 1."""
    from ..data import make_moons

    X, y = make_moons(n, noise=0.1, seed=seed)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    return X, y


def train_units(bias=0.0, lr=1.0, steps=40, hidden=12, seed=0):
    """Train the 2-H-1 ReLU network by full-batch gradient descent.

    Returns a dict: ``X``, ``y``, ``W`` (2, H) and ``b`` (H,) of the hidden
    layer after training, ``dead`` (H,) bool (inactive on every point),
    ``dead_history`` (steps + 1,) the number of dead units before the first
    step and after each step, ``acc`` the final training accuracy."""
    from ..nets import FullyConnectedNet
    from ..optim import SGD

    X, y = unit_square_moons(seed=seed)
    net = FullyConnectedNet([hidden], 2, 1, activation="relu", bias_init=bias, seed=seed)
    opt = SGD(lr=lr)

    def n_dead():
        a = X @ net.params["W1"] + net.params["b1"]
        return int(np.sum(np.all(a <= 0, axis=0)))

    history = [n_dead()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            loss, grads = net.loss(X, y)
            if not np.isfinite(loss):
                break
            opt.update(net.params, grads)
            history.append(n_dead())
        a = X @ net.params["W1"] + net.params["b1"]
        acc = float(np.mean((net.loss(X) > 0) == y))
    return {"X": X, "y": y, "W": net.params["W1"].copy(), "b": net.params["b1"].copy(),
            "dead": np.all(a <= 0, axis=0), "dead_history": np.array(history), "acc": acc}


def _unit_line(ax, w, b, dead):
    """The line w . x + b = 0 inside [-0.1, 1.1]^2, with a tick toward w."""
    color, style = ("tab:red", "--") if dead else ("tab:green", "-")
    if np.hypot(*w) < 1e-12:
        return
    # two points of the line, far apart, then clipped by the axes limits
    p0 = -b * w / np.dot(w, w)
    d = np.array([-w[1], w[0]]) / np.hypot(*w)
    pts = np.array([p0 - 5 * d, p0 + 5 * d])
    ax.plot(pts[:, 0], pts[:, 1], style, color=color, lw=1.3, alpha=0.9)
    # tick at the point of the line nearest to the centre of the square
    c = np.array([0.5, 0.5])
    q = c - (np.dot(w, c) + b) * w / np.dot(w, w)
    if np.all((q > -0.1) & (q < 1.1)):
        n = 0.06 * w / np.hypot(*w)
        ax.annotate("", xy=q + n, xytext=q, arrowprops=dict(arrowstyle="->", color=color, lw=1.2))


def draw_dead_units(bias=0.0, lr=1.0, steps=40, hidden=12, seed=0, axes=None):
    """Draw the units' lines and the dead count over training; returns the axes."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    r = train_units(bias, lr, steps, hidden, seed)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), gridspec_kw={"width_ratios": [1.1, 1]})
    ax, ax2 = axes
    X, y = r["X"], r["y"]
    for label, color in ((0, "tab:blue"), (1, "tab:orange")):
        ax.scatter(X[y == label, 0], X[y == label, 1], color=color, s=10, alpha=0.6)
    for j in range(r["W"].shape[1]):
        _unit_line(ax, r["W"][:, j], r["b"][j], r["dead"][j])
    ax.set(xlim=(-0.1, 1.1), ylim=(-0.1, 1.1), aspect="equal", xlabel="input $x_1$", ylabel="input $x_2$",
           title=f"bias {bias:g}, lr {lr:g}: {int(r['dead'].sum())} of {hidden} units dead "
                 f"(train acc {r['acc']:.2f})")
    ax.title.set_fontsize(10)
    key = [Line2D([], [], ls="", marker="o", color="tab:blue", label="class 0"),
           Line2D([], [], ls="", marker="o", color="tab:orange", label="class 1"),
           Line2D([], [], color="tab:green", label="alive unit: its line w.x + b = 0, tick to its active side"),
           Line2D([], [], color="tab:red", ls="--", label="dead unit (inactive on all points)")]
    ax.legend(handles=key, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=8.5,
              frameon=False)
    ax2.step(np.arange(len(r["dead_history"])), r["dead_history"], where="post", color="tab:red")
    ax2.set(xlabel="gradient step", ylabel="dead units", ylim=(-0.5, hidden + 0.5),
            title=f"Dead units during training (of {hidden})")
    ax2.title.set_fontsize(10)
    ax2.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.figure.tight_layout()
    return axes


def dead_relu_demo(bias=0.0, lr=1.0):
    """A bias slider and a learning-rate selector redrawing :func:`draw_dead_units`;
    returns the widget box, or None (with a note and a static picture) if
    ipywidgets is not available. Display it as the last expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_dead_units(bias, lr)
        return None

    bias_slider = widgets.FloatSlider(value=bias, min=-3.0, max=1.0, step=0.25,
                                      description="bias", continuous_update=False)
    lr_slider = widgets.SelectionSlider(options=list(LEARNING_RATES), value=lr,
                                        description="lr", continuous_update=False)
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            draw_dead_units(bias_slider.value, lr_slider.value)
            plt.show()

    bias_slider.observe(redraw, names="value")
    lr_slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([bias_slider, lr_slider]), out])
