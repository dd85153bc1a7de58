"""Notebook 02 demo: move the weights of one class and watch scores and losses.

A 2-D toy problem with three classes (three points each) and a linear
classifier ``scores = [x1, x2, 1] @ W``, ``W`` of shape (3, 3): rows are
``w1, w2, b``, one column per class. Sliders set the column of one class
(the seed's "row of W" in its K x D layout); the picture shows

- left: the points and, for every class, the line where its score is 0, with
  an arrow toward larger scores (the chosen class drawn thick);
- right: the scores of one chosen point, its hinge loss and softmax loss, and
  the mean of both losses over the nine points.

:func:`draw` makes the same picture without widgets, so a notebook run headless
(autograding, CI) still shows it; :func:`weight_row_demo` never computes a
graded value and returns ``None`` instead of failing when widgets are missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

CLASS_COLORS = ["tab:red", "tab:green", "tab:blue"]


def toy_problem():
    """(W, X, y): W (3, 3) float, X (9, 2) float, y (9,) int in 0..2."""
    W = np.array([[1.0, 2.0, 3.0],     # weight of x1, per class
                  [2.0, -4.0, -1.0],   # weight of x2
                  [0.0, 0.5, -0.5]])   # bias
    X = np.array([[0.5, 0.4], [0.8, 0.3], [0.3, 0.8],
                  [-0.4, 0.3], [-0.3, 0.7], [-0.7, 0.2],
                  [0.7, -0.4], [0.5, -0.6], [-0.4, -0.5]])
    y = np.repeat(np.arange(3), 3)
    return W, X, y


def per_example_losses(W, X, y, delta=1.0):
    """Scores (N, C), hinge losses (N,) and softmax losses (N,) for points X (N, 2)."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    scores = Xb @ W
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + delta)
    margins[rows, y] = 0.0
    shifted = scores - scores.max(axis=1, keepdims=True)
    softmax = np.log(np.exp(shifted).sum(axis=1)) - shifted[rows, y]
    return scores, margins.sum(axis=1), softmax


def draw(W, X, y, cls=0, point=0, fig=None):
    """The demo's picture for class ``cls`` and point ``point``; returns the figure."""
    W = np.asarray(W, dtype=np.float64)
    if fig is None:
        fig = plt.figure(figsize=(9.5, 4.4), layout="constrained")
    fig.clf()
    ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    scores, hinge, soft = per_example_losses(W, X, y)

    # Left: the plane, colored by the winning class.
    g = np.linspace(-1, 1, 200)
    g1, g2 = np.meshgrid(g, g)
    grid = np.c_[g1.ravel(), g2.ravel(), np.ones(g1.size)]
    win = np.argmax(grid @ W, axis=1).reshape(g1.shape)
    ax.contourf(g1, g2, win, levels=[-0.5, 0.5, 1.5, 2.5], colors=CLASS_COLORS, alpha=0.12)
    for k in range(W.shape[1]):
        w1, w2, b = W[:, k]
        norm = np.hypot(w1, w2)
        if norm < 1e-9:
            continue
        # Points on the line w1 x1 + w2 x2 + b = 0 along its direction (-w2, w1).
        p0 = -b * np.array([w1, w2]) / norm ** 2
        d = np.array([-w2, w1]) / norm
        seg = p0 + np.outer([-3, 3], d)
        ax.plot(seg[:, 0], seg[:, 1], color=CLASS_COLORS[k], lw=3 if k == cls else 1)
        tip = p0 + 0.3 * np.array([w1, w2]) / norm
        ax.annotate("", tip, p0, arrowprops=dict(arrowstyle="->", color=CLASS_COLORS[k]))
    ax.scatter(X[:, 0], X[:, 1], c=[CLASS_COLORS[k] for k in y], edgecolors="k", s=50, zorder=3)
    ax.scatter(*X[point], s=250, facecolors="none", edgecolors="k", lw=2, zorder=4)
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=f"where each score is 0 (class {cls} thick)")
    # The colour key, below the plane (the points and lines fill it).
    ax.legend(handles=[Patch(color=CLASS_COLORS[k], label=f"class {k}") for k in range(W.shape[1])],
              loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=W.shape[1], frameon=False,
              title="colour: the class (shading: the winning class)")

    # Right: the scores of the chosen point and its losses.
    bars = bx.bar(range(W.shape[1]), scores[point], color=CLASS_COLORS)
    bars[y[point]].set_edgecolor("k")
    bars[y[point]].set_linewidth(3)
    correct = scores[point, y[point]]
    bx.axhline(correct - 1.0, color="gray", ls="--", lw=1)
    bx.axhline(0, color="k", lw=0.5)
    bx.set_xticks(range(W.shape[1]))
    bx.set_xticklabels([f"class {k}" + (" (correct)" if k == y[point] else "")
                        for k in range(W.shape[1])], fontsize=9)
    bx.set_ylabel(f"score of point {point}")
    bx.set_title(f"point {point} (circled): hinge {hinge[point]:.2f}, softmax {soft[point]:.2f}")
    bx.set_xlabel(f"mean over all points: hinge {hinge.mean():.3f}, softmax {soft.mean():.3f}\n"
                  "dashed: correct score - 1 (a bar above it violates the margin)",
                  fontsize=9)
    return fig


def weight_row_demo(W=None, X=None, y=None):
    """Sliders for the weights (w1, w2, b) of one class; returns the widget box,
    or None (with a note) if ipywidgets is not available. Display it as the
    last expression of a cell."""
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:  # pragma: no cover - the course environment has both
        print("ipywidgets is not installed: the interactive demo is not available.")
        return None

    W0, X0, y0 = toy_problem()
    W = np.array(W0 if W is None else W, dtype=np.float64)
    X = X0 if X is None else np.asarray(X, dtype=np.float64)
    y = y0 if y is None else np.asarray(y)
    W_start = W.copy()

    cls = widgets.Dropdown(options=[(f"class {k}", k) for k in range(W.shape[1])], value=0,
                           description="weights of")
    point = widgets.Dropdown(options=[(f"point {i} (class {y[i]})", i) for i in range(len(y))],
                             value=0, description="scores of")
    sliders = [widgets.FloatSlider(value=float(W[r, 0]), min=-5, max=5, step=0.1,
                                   description=name, continuous_update=False)
               for r, name in enumerate(["w1", "w2", "b"])]
    reset = widgets.Button(description="reset")
    out = widgets.Output()
    state = {"busy": False}

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            draw(W, X, y, cls.value, point.value)
            plt.show()

    def on_slider(_):
        if state["busy"]:
            return
        W[:, cls.value] = [s.value for s in sliders]
        redraw()

    def on_class(_):
        state["busy"] = True  # moving the sliders to the new class is not an edit
        for r, s in enumerate(sliders):
            s.value = float(W[r, cls.value])
        state["busy"] = False
        redraw()

    def on_reset(_):
        W[...] = W_start
        on_class(None)

    for s in sliders:
        s.observe(on_slider, names="value")
    cls.observe(on_class, names="value")
    point.observe(redraw, names="value")
    reset.on_click(on_reset)
    redraw()
    return widgets.VBox([widgets.HBox([cls, point, reset]), widgets.HBox(sliders), out])
