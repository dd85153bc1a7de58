"""Notebook 08 demo: a filter's feature map on a handwritten digit.

Hand-made 3x3 filters (vertical and horizontal edges, blur, sharpen) and, on
request, the filters a small ConvNet learns on the digits in about a second,
applied to an 8x8 digit with stride 1 and padding 1 (so the map is 8x8 too)
by the course's :func:`helpers.conv.conv_forward_fast`. Red is positive, blue
negative, as the colour bars say. Nothing here is graded. :func:`draw_feature_maps` makes the picture
without widgets, so a notebook run headless still shows it, and
:func:`filter_demo` returns ``None`` (with a note) instead of failing when
ipywidgets is missing.
"""
from __future__ import annotations

import functools

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["FILTERS", "feature_map", "learned_filters", "draw_feature_maps", "draw_filter", "filter_demo"]

FILTERS = {
    "vertical edge": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]),
    "horizontal edge": np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]),
    "blur": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
}


def feature_map(image, kernel):
    """The (H, W) feature map of one 3x3 ``kernel`` on an (H, W) ``image``
    (stride 1, padding 1, no bias)."""
    from ..conv import conv_forward_fast

    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    out, _ = conv_forward_fast(image[None, None], kernel[None, None], np.zeros(1), {"stride": 1, "pad": 1})
    return out[0, 0]


@functools.lru_cache(maxsize=1)
def learned_filters(num_filters=4, seed=0):
    """First-layer 3x3 filters of a ConvNet (one block of ``num_filters``)
    trained for a few epochs on the digits; a tuple of (3, 3) arrays."""
    from ..data import load_digits
    from ..nets import ConvNet
    from ..optim import Adam
    from ..solver import Solver

    d = load_digits()
    net = ConvNet((1, 8, 8), num_filters=(num_filters,), filter_size=3, pool_size=2, seed=seed)
    Solver(net, {k: d[k] for k in ("X_train", "y_train", "X_val", "y_val")}, optimizer=Adam(lr=1e-2),
           batch_size=50, num_epochs=5, verbose=False, progress=False).train()
    return tuple(w[0] for w in net.params["W1"])


def _all_filters(learned):
    filters = dict(FILTERS)
    for i, w in enumerate(learned or ()):
        filters[f"learned {i + 1}"] = w
    return filters


def _signed(ax, values, label):
    """``values`` in red (positive) and blue (negative), 0 white, with a colour bar."""
    lim = np.abs(values).max() or 1.0
    image = ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=label)
    ax.axis("off")


def draw_filter(image, kernel, name="", axes=None):
    """Three panels: the image, the 3x3 kernel and its feature map (colour
    bars: red positive, blue negative)."""
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(9, 2.8))
    fmap = feature_map(image, kernel)
    axes[0].imshow(image, cmap="gray_r")
    axes[0].set_title("digit", fontsize=9)
    axes[0].axis("off")
    _signed(axes[1], kernel, "weight")
    axes[1].set_title(f"filter: {name}", fontsize=9)
    _signed(axes[2], fmap, "response")
    axes[2].set_title("feature map (red: the filter responds)", fontsize=9)
    axes[0].figure.tight_layout()
    return axes


def draw_feature_maps(image, learned=None, title=""):
    """Every hand-made (and learned) filter (top row) and its feature map on
    one image (bottom row). Each panel is scaled by its own largest |value|,
    so one colour bar serves them all: red +1, white 0, blue -1."""
    filters = _all_filters(learned)
    fig, axes = plt.subplots(2, len(filters) + 1, figsize=(1.8 * (len(filters) + 1) + 1.2, 3.9))
    axes[0, 0].imshow(image, cmap="gray_r")
    axes[0, 0].set_title(title or "image", fontsize=9)
    fig.delaxes(axes[1, 0])
    for col, (name, kernel) in enumerate(filters.items(), start=1):
        axes[0, col].imshow(kernel / (np.abs(kernel).max() or 1.0), cmap="RdBu_r", vmin=-1, vmax=1)
        axes[0, col].set_title(name, fontsize=9)
        fmap = feature_map(image, kernel)
        shown = axes[1, col].imshow(fmap / (np.abs(fmap).max() or 1.0), cmap="RdBu_r", vmin=-1, vmax=1)
        axes[1, col].set_title("its feature map", fontsize=8)
    for ax in axes[0]:
        ax.axis("off")
    for ax in axes[1, 1:]:
        ax.axis("off")
    fig.suptitle("Each 3x3 filter (top) slid over the digit: its feature map (bottom) is red where the pattern "
                 "is, blue where its opposite is", fontsize=10)
    fig.tight_layout()
    fig.colorbar(shown, ax=list(axes[:, 1:].ravel()), fraction=0.02, pad=0.01,
                 label="value / the panel's largest |value|")
    return axes


def filter_demo(digits, learned=True):
    """A filter selector and a digit slider redrawing :func:`draw_filter`;
    ``digits`` is the dict of ``helpers.data.load_digits``. Returns the widget
    box, or None (with a note and a static picture) if ipywidgets is missing."""
    images, labels = digits["X_train"].reshape(-1, 8, 8), digits["y_train"]
    filters = _all_filters(learned_filters() if learned else None)
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_feature_maps(images[0], learned_filters() if learned else None)
        return None

    choice = widgets.Dropdown(options=list(filters), value="vertical edge", description="filter")
    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="digit",
                              continuous_update=False)
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            axes = draw_filter(images[index.value], filters[choice.value], choice.value)
            axes[0].set_title(f"digit {labels[index.value]}", fontsize=9)
            plt.show()

    choice.observe(redraw, names="value")
    index.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([choice, index]), out])
