"""Notebook 01 demo: k and the metric of a k-nearest-neighbour classifier,
and the decision regions they draw on the two moons.

A slider sets k, buttons set the metric (L2 or L1); the picture shows the
plane coloured by the predicted class, the training points, and the accuracy
on the training points and on a fresh validation sample of the same moons.
With k = 1 every training point is classified correctly (it is its own
nearest neighbour) and outliers make islands; a larger k smooths them away,
and a very large k washes out the moons' shape.

The classifier is the course's reference (:class:`helpers.knn.KNearestNeighbor`),
never the student's code, and nothing here is graded. :func:`draw` makes the
same picture without widgets, so a notebook run headless still shows it;
:func:`knn_demo` returns ``None`` (with a note) instead of failing when
ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from ..knn import KNearestNeighbor
from ..plots import plot_decision_regions

METRIC_NAMES = {"l2": "L2 (Euclidean)", "l1": "L1 (Manhattan)"}


def moons_problem(n_train=200, n_val=400, noise=0.35):
    """(X_train, y_train, X_val, y_val): noisy moons, two different seeds."""
    from ..data import make_moons

    X_train, y_train = make_moons(n_train, noise=noise, seed=0)
    X_val, y_val = make_moons(n_val, noise=noise, seed=1)
    return X_train, y_train, X_val, y_val


def draw(X_train, y_train, k=1, metric="l2", X_val=None, y_val=None, ax=None, resolution=150):
    """Decision regions of a k-NN classifier trained on (X_train, y_train),
    with the training (and, if given, validation) accuracy in the title.
    Returns the axes."""
    clf = KNearestNeighbor(k=k, metric=metric).train(X_train, y_train)
    title = f"{k}-NN, {METRIC_NAMES[metric]}\ntrain acc {np.mean(clf.predict(X_train) == y_train):.0%}"
    if X_val is not None:
        title += f", validation acc {np.mean(clf.predict(X_val) == y_val):.0%}"
    ax = plot_decision_regions(clf.predict, X_train, y_train, ax=ax, resolution=resolution, title=title)
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    # The colour key, beside the plane (the moons fill it).
    cmap = plt.get_cmap("coolwarm")
    ax.legend(handles=[Patch(color=cmap(0.0), label="class 0"), Patch(color=cmap(1.0), label="class 1")],
              loc="upper left", bbox_to_anchor=(1.02, 1.0), title="colour = class\n(shading: predicted)")
    return ax


def knn_demo(X_train=None, y_train=None, X_val=None, y_val=None, k_max=100):
    """A k slider and a metric toggle redrawing the decision regions; returns
    the widget box, or None (with a note) if ipywidgets is not available.
    Without data it uses :func:`moons_problem`. Display it as the last
    expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        return None

    if X_train is None:
        X_train, y_train, X_val, y_val = moons_problem()
    k_max = int(min(k_max, len(X_train)))
    k = widgets.IntSlider(value=1, min=1, max=k_max, description="k", continuous_update=False)
    metric = widgets.ToggleButtons(options=[("L2", "l2"), ("L1", "l1")], value="l2",
                                   description="metric")
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            fig, ax = plt.subplots(figsize=(6.2, 4.5), layout="constrained")
            draw(X_train, y_train, k.value, metric.value, X_val, y_val, ax=ax)
            plt.show()

    k.observe(redraw, names="value")
    metric.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([k, metric]), out])
