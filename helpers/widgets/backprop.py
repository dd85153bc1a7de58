"""Notebook 03 demo: forward values and gradients on the circuit
f = 2 * (x*y + max(z, w)).

Four sliders set x, y, z and w; the picture shows the computational graph
with every wire's forward value (green, above the wire) and the gradient of
f with respect to it (red, below). Watch the gate patterns:

- the add gate hands its upstream gradient unchanged to both inputs;
- the max gate routes it to the larger input only (the other gets 0);
- the multiply gate swaps its inputs: dx = y * upstream, dy = x * upstream.

The values come from :func:`circuit`, written here independently of any
exercise; nothing here is graded. :func:`draw_circuit` makes the same picture
without widgets, so a notebook run headless still shows it, and
:func:`circuit_demo` returns ``None`` (with a note) instead of failing when
ipywidgets is missing.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle

__all__ = ["circuit", "draw_circuit", "circuit_demo"]


def circuit(x, y, z, w):
    """Forward values and gradients of f = 2 * (x*y + max(z, w)).

    Returns two dicts keyed by wire name ("x", "y", "z", "w", "xy", "max",
    "sum", "f"): the values, and df/d(wire). At a tie z == w the max gate
    sends the whole gradient to z.
    """
    x, y, z, w = float(x), float(y), float(z), float(w)
    value = {"x": x, "y": y, "z": z, "w": w}
    value["xy"] = x * y
    value["max"] = max(z, w)
    value["sum"] = value["xy"] + value["max"]
    value["f"] = 2.0 * value["sum"]
    grad = {"f": 1.0}
    grad["sum"] = 2.0 * grad["f"]
    grad["xy"] = grad["sum"]
    grad["max"] = grad["sum"]
    grad["x"] = y * grad["xy"]
    grad["y"] = x * grad["xy"]
    grad["z"] = grad["max"] if z >= w else 0.0
    grad["w"] = grad["max"] if w > z else 0.0
    return value, grad


# Layout: (x position, y position) of inputs, gates and the output.
_NODES = {
    "x": (0.0, 3.3), "y": (0.0, 1.9), "z": (0.0, 1.1), "w": (0.0, -0.3),
    "*": (2.4, 2.6), "max": (2.4, 0.4), "+": (4.4, 1.5), "*2": (6.6, 1.5), "f": (8.4, 1.5),
}
# wire name -> (from node, to node)
_WIRES = {
    "x": ("x", "*"), "y": ("y", "*"), "z": ("z", "max"), "w": ("w", "max"),
    "xy": ("*", "+"), "max": ("max", "+"), "sum": ("+", "*2"), "f": ("*2", "f"),
}


def draw_circuit(x=3.0, y=-4.0, z=2.0, w=-1.0, ax=None):
    """Draw the circuit with forward values (green) and gradients (red).
    Returns the axes."""
    value, grad = circuit(x, y, z, w)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 3.9))
    for name, (a, b) in _WIRES.items():
        (x0, y0), (x1, y1) = _NODES[a], _NODES[b]
        ax.annotate("", xy=(x1 - 0.32, y1 + (y0 - y1) * 0.32 / max(x1 - x0, 1e-9)),
                    xytext=(x0 + (0.05 if a in "xyzw" else 0.32), y0),
                    arrowprops=dict(arrowstyle="->", color="0.35", lw=1.2))
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        if a in "xyzw":
            mx, my = x0 + 0.6, y0 + (y1 - y0) * 0.6 / (x1 - x0)
        ax.text(mx, my + 0.13, f"{value[name]:.4g}", color="green", ha="center",
                va="bottom", fontsize=10, fontweight="bold")
        ax.text(mx, my - 0.13, f"{grad[name]:.4g}", color="crimson", ha="center",
                va="top", fontsize=10)
    for node, (px, py) in _NODES.items():
        if node in "xyzw":
            ax.text(px - 0.15, py, node, ha="right", va="center", fontsize=13)
        elif node == "f":
            ax.text(px - 0.2, py, "f", ha="left", va="center", fontsize=13)
        else:
            ax.add_patch(Circle((px, py), 0.32, facecolor="white", edgecolor="0.2", lw=1.5))
            ax.text(px, py, node, ha="center", va="center", fontsize=12)
    ax.set_xlim(-0.8, 9.0)
    ax.set_ylim(-0.8, 3.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"f = 2(xy + max(z, w)) = {value['f']:.4g}    "
                 "green: value    red: df/d(wire)", fontsize=10)
    return ax


def circuit_demo(x=3.0, y=-4.0, z=2.0, w=-1.0, limit=5.0):
    """Sliders for x, y, z, w redrawing the circuit; returns the widget box,
    or None (with a note) if ipywidgets is not available. Display it as the
    last expression of a cell."""
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: the interactive demo is not available.")
        draw_circuit(x, y, z, w)
        return None

    sliders = {name: widgets.FloatSlider(value=v, min=-limit, max=limit, step=0.5,
                                         description=name, continuous_update=False)
               for name, v in zip("xyzw", (x, y, z, w))}
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            draw_circuit(*(s.value for s in sliders.values()))
            plt.show()

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(list(sliders.values())[:2]),
                         widgets.HBox(list(sliders.values())[2:]), out])
