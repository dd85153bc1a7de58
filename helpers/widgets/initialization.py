"""Notebook 05 demo: how the initial weights shape the activations, layer by layer.

A batch of 1000 standard-normal inputs of size 100 goes through ``depth``
fully connected layers of 100 units (no biases), each followed by the chosen
activation. The picture shows one histogram per layer of the values that
layer outputs. Controls: the activation (sigmoid, tanh, ReLU), the
initialization (a std of 1, a std of 0.01, Xavier, He), a factor that
multiplies the initial weights, and the depth.

- std 1 with sigmoid: the outputs pile up at 0 and 1 (saturated units);
- std 0.01 with tanh or ReLU: the outputs shrink towards 0 by the same
  factor at every layer; with sigmoid the spread of all outputs stays about
  0.012 after the first layer, but it is a spread between units: each unit
  outputs nearly the same value for every input;
- Xavier with sigmoid or tanh, He with ReLU: the spread stays the same
  through the layers.

Everything is computed here, independently of any exercise; nothing here is
graded. :func:`draw_histograms` (one panel per layer) and :func:`draw_grid` (every
activation and initialization in one figure) make the pictures
without widgets, so a notebook run headless still shows them; :func:`init_demo`
returns ``None`` (with a note and a static picture) instead of failing when
ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

__all__ = ["ACTIVATIONS", "INITS", "layer_outputs", "draw_histograms", "draw_grid", "init_demo"]

ACTIVATIONS = {
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, 0.0),
}
# name -> std of the normal initial weights, as a function of fan_in (every layer
# here is square, width x width, so Xavier's 2 / (fan_in + fan_out) is 1 / fan_in)
INITS = {
    "std 1": lambda n: 1.0,
    "std 0.01": lambda n: 0.01,
    "Xavier": lambda n: np.sqrt(1.0 / n),
    "He": lambda n: np.sqrt(2.0 / n),
}
_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, None)}


def layer_outputs(activation="sigmoid", init="Xavier", depth=5, scale=1.0, n=1000, width=100, seed=0):
    """The outputs of each layer, a list of ``depth`` arrays (n, width), for
    inputs N(0, 1) of shape (n, width) and weights N(0, (scale * std)^2)."""
    f, std = ACTIVATIONS[activation], INITS[init](width) * float(scale)
    rng = np.random.default_rng(seed)
    h, out = rng.standard_normal((n, width)), []
    for _ in range(int(depth)):
        h = f(h @ (std * rng.standard_normal((width, width))))
        out.append(h)
    return out


def _short(v):
    """A std in two digits without the exponent's padding: 0.41, 65, 6e2, 2e-6."""
    text = f"{v:.2g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _values(h, activation):
    """The outputs a histogram shows: ReLU's exact zeros (half of them) left out."""
    return h[h != 0] if activation == "relu" else h.ravel()


def _edges(outs, activation, bins):
    """Bin edges shared by every layer of ``outs``, and whether they are
    logarithmic: ReLU outputs whose stds span more than a factor of 100
    (they explode or vanish) get log bins, so every layer stays visible."""
    low, high = _RANGES[activation]
    stds = [float(h.std()) for h in outs]
    if activation == "relu" and min(stds) > 0 and max(stds) > 100 * min(stds):
        positive = np.concatenate([h[h > 0] for h in outs])
        return np.logspace(np.log10(positive.min()), np.log10(positive.max()), bins + 1), True
    if high is None:
        high = max(max(float(h.max()) for h in outs), 1e-12)
    return np.linspace(low, high, bins + 1), False


def _scale_label(init, scale):
    return init + (f" x{scale:.3g}" if scale != 1 else "")  # the slider's own rounding: x1.26


def draw_histograms(activation="sigmoid", init="Xavier", depth=5, scale=1.0):
    """One histogram per layer of the outputs (five panels a row), on bins
    shared by every layer so that a shrinking or growing spread shows.
    Returns the figure."""
    outs = layer_outputs(activation, init, depth, scale)
    edges, log = _edges(outs, activation, 30)
    cols = min(int(depth), 5)
    rows = -(-int(depth) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.3 * cols, 2.3 * rows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    for i, ax in enumerate(axes.flat, start=1):
        if i > len(outs):
            fig.delaxes(ax)
            continue
        h = outs[i - 1]
        counts, _ = np.histogram(_values(h, activation), bins=edges)
        ax.stairs(counts / h.size, edges, fill=True, alpha=0.8)
        ax.set_title(f"layer {i}: std {_short(h.std())}", fontsize=9)
        ax.tick_params(labelsize=8)
        if log:
            ax.set_xscale("log")
        if i > len(outs) - cols:  # the lowest panel of its column
            ax.set_xlabel("output value" + (" (log scale)" if log else ""), fontsize=9)
            ax.xaxis.set_tick_params(labelbottom=True)
        if (i - 1) % cols == 0:
            ax.set_ylabel("share of the outputs", fontsize=9)
    zeros = "; ReLU's zeros left out" if activation == "relu" else ""
    fig.suptitle(f"{activation}, {_scale_label(init, scale)}: the outputs of each of {depth} layers "
                 f"(1000 inputs x 100 units{zeros})", fontsize=10)
    fig.tight_layout()
    return fig


def draw_grid(activations=tuple(ACTIVATIONS), inits=tuple(INITS), depth=5):
    """One panel per (initialization, activation): the histograms of the
    ``depth`` layers' outputs drawn over each other, darker for deeper
    layers, with the layers' stds as the panel's title (ReLU's exact zeros,
    half of its outputs, are left out of its histograms; ReLU panels whose
    spread explodes or vanishes have a log x axis). Returns the figure."""
    from matplotlib.lines import Line2D

    fig, axes = plt.subplots(len(inits), len(activations),
                             figsize=(3.8 * len(activations), 2.45 * len(inits) + 0.8), squeeze=False)
    colors = plt.cm.viridis(np.linspace(0.9, 0.0, depth))
    for r, init in enumerate(inits):
        for c, activation in enumerate(activations):
            ax, outs = axes[r, c], layer_outputs(activation, init, depth)
            edges, log = _edges(outs, activation, 40)
            peak = 0.0
            for h, color in zip(outs, colors):
                counts, _ = np.histogram(_values(h, activation), bins=edges)
                ax.stairs(counts / h.size, edges, color=color, lw=1.3)
                peak = max(peak, float(counts.max()) / h.size)
            if log:
                ax.set_xscale("log")
            ax.set_ylim(0, 1.1 * peak if peak > 0 else 1)
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
            stds = "std by layer: " + "  ".join(_short(h.std()) for h in outs)
            ax.set_title(f"{activation}\n{stds}" if r == 0 else stds, fontsize=9)
            ax.set_xlabel("output value" + (" (log scale)" if log else ""), fontsize=8.5, labelpad=1)
            if c == 0:
                ax.set_ylabel(init, fontsize=11)
    key = [Line2D([], [], color=color, lw=2, label=f"layer {i}") for i, color in enumerate(colors, start=1)]
    fig.legend(handles=key, loc="upper center", ncol=depth, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.965))
    fig.suptitle(f"Outputs of each of {depth} layers, one row per initialization (1000 inputs x 100 units; "
                 "height: share of the outputs; ReLU's zeros left out)", fontsize=10.5, y=0.995)
    fig.tight_layout(rect=(0, 0, 1, 0.945), h_pad=0.6, w_pad=0.8)
    return fig


def init_demo(activation="sigmoid", init="Xavier", depth=5):
    """Controls for the activation, the initialization, a scale factor and
    the depth, redrawing the histograms; returns the widget box, or None
    (with a note and a static picture) if ipywidgets is not available.
    Display it as the last expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_histograms(activation, init, depth)
        return None

    act = widgets.ToggleButtons(options=list(ACTIVATIONS), value=activation, description="activation")
    ini = widgets.ToggleButtons(options=list(INITS), value=init, description="init")
    scale = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.1,
                                   description="x factor", continuous_update=False)
    deep = widgets.IntSlider(value=depth, min=2, max=10, description="depth", continuous_update=False)
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            draw_histograms(act.value, ini.value, deep.value, scale.value)
            plt.show()

    for w in (act, ini, scale, deep):
        w.observe(redraw, names="value")
    redraw()
    return widgets.VBox([act, ini, widgets.HBox([scale, deep]), out])
