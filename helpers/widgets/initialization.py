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
graded. :func:`draw_histograms` (one row of histograms) and :func:`draw_grid` (every
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


def draw_histograms(activation="sigmoid", init="Xavier", depth=5, scale=1.0, axes=None, label=True):
    """One histogram per layer on ``axes`` (a row of ``depth`` axes, made if
    None). Returns the axes."""
    outs = layer_outputs(activation, init, depth, scale)
    if axes is None:
        _, axes = plt.subplots(1, depth, figsize=(1.9 * depth, 1.9), sharey=True, squeeze=False)
        axes = axes[0]
    low, high = _RANGES[activation]
    for i, (ax, h) in enumerate(zip(axes, outs), start=1):
        top = high if high is not None else max(float(h.max()), 1e-12)
        counts, edges = np.histogram(h, bins=30, range=(low, top))
        ax.stairs(counts / h.size, edges, fill=True, alpha=0.8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.set_title(f"layer {i}: std {h.std():.2g}", fontsize=8)
    if label:
        axes[0].set_ylabel(f"{init}" + (f" x{scale:g}" if scale != 1 else ""), fontsize=9)
    return axes


def draw_grid(activations=tuple(ACTIVATIONS), inits=tuple(INITS), depth=5):
    """One panel per (initialization, activation): the histograms of the
    ``depth`` layers' outputs drawn over each other, darker for deeper
    layers, with the layers' stds on top (ReLU's exact zeros, half of its
    outputs, are left out of its histograms). Returns the figure."""
    fig, axes = plt.subplots(len(inits), len(activations),
                             figsize=(3.6 * len(activations), 2.0 * len(inits)), squeeze=False)
    colors = plt.cm.viridis(np.linspace(0.9, 0.0, depth))
    for r, init in enumerate(inits):
        for c, activation in enumerate(activations):
            ax, outs = axes[r, c], layer_outputs(activation, init, depth)
            low, high = _RANGES[activation]
            top = high if high is not None else max(max(float(h.max()) for h in outs), 1e-12)
            peak = 0.0
            for h, color in zip(outs, colors):
                values = h[h != 0] if activation == "relu" else h  # ReLU: the zeros left out
                counts, edges = np.histogram(values, bins=40, range=(low, top))
                ax.stairs(counts / h.size, edges, color=color, lw=1.2)
                peak = max(peak, float(counts.max()) / h.size)
            ax.set_ylim(0, 1.3 * peak if peak > 0 else 1)
            ax.text(0.5, 0.97, "std " + "  ".join(f"{h.std():.1g}" for h in outs), transform=ax.transAxes,
                    ha="center", va="top", fontsize=7)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            if r == 0:
                ax.set_title(activation, fontsize=10)
            if c == 0:
                ax.set_ylabel(init, fontsize=10)
    fig.suptitle(f"Outputs of each of {depth} layers (1000 inputs x 100 units; light: layer 1, "
                 f"dark: layer {depth}; ReLU's zeros left out)", fontsize=10)
    fig.subplots_adjust(hspace=0.35, wspace=0.08, top=0.92, bottom=0.04, left=0.05, right=0.99)
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
