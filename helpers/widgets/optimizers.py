"""Notebook 04 demo: optimizers on the elongated bowl f(x, y) = x**2 / 20 + y**2.

Choose an optimizer, its learning rate and the number of steps; the picture
shows the contour lines of f and the path from (-7, 2), with the final
distance to the minimum and how often y changed sign (the zig-zag), in its
title. Choosing another optimizer resets the learning rate to that
optimizer's classic one.

The paths come from the course's reference optimizers in
:mod:`helpers.optim`; nothing here is graded. :func:`draw_paths` makes the
picture without widgets, so a notebook run headless still shows it, and
:func:`optimizer_demo` draws the static picture and returns ``None`` when
ipywidgets is missing.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt

from .. import optim
from ..checks.guard import reference

__all__ = ["CLASSIC_LR", "bowl", "bowl_path", "sign_flips", "draw_paths", "optimizer_demo"]

#: The learning rates of the classic figure (RMSProp, not in it, 0.1).
CLASSIC_LR = {"SGD": 0.95, "Momentum": 0.1, "Nesterov": 0.1, "AdaGrad": 1.5, "RMSProp": 0.1, "Adam": 0.3}
COLORS = {"SGD": "tab:red", "Momentum": "tab:blue", "Nesterov": "tab:cyan", "AdaGrad": "tab:green",
          "RMSProp": "tab:purple", "Adam": "tab:orange"}


def bowl(x, y):
    """f(x, y) = x**2 / 20 + y**2 (works on arrays)."""
    return x ** 2 / 20.0 + y ** 2


@reference
def bowl_path(optimizer, start=(-7.0, 2.0), num_steps=30):
    """(num_steps + 1, 2) positions of ``optimizer`` on the bowl, start included."""
    params = {"xy": np.array(start, dtype=np.float64)}
    path = [params["xy"].copy()]
    for _ in range(num_steps):
        x, y = params["xy"]
        optimizer.update(params, {"xy": np.array([x / 10.0, 2.0 * y])})
        path.append(params["xy"].copy())
    return np.array(path)


def sign_flips(path):
    """How many times the y coordinate of a path changes sign."""
    y = np.asarray(path)[:, 1]
    return int(np.sum(np.sign(y[1:]) * np.sign(y[:-1]) < 0))


def _summary(path):
    path = np.asarray(path)
    return f"{sign_flips(path)} sign flips of y, ends {np.hypot(*path[-1]):.2f} from the minimum (+)"


def draw_paths(paths, ax=None, title=None):
    """Contour lines of the bowl and the paths ``{label: (n, 2) array}``;
    returns the axes. One path: its label and what it did make the title;
    several: a legend below the axes says it for each."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.2))
    gx, gy = np.meshgrid(np.linspace(-10, 10, 161), np.linspace(-5, 5, 81))
    ax.contour(gx, gy, bowl(gx, gy), levels=np.geomspace(0.02, 30, 14), colors="0.75", linewidths=0.8)
    lines = []
    for label, path in paths.items():
        path = np.asarray(path)
        color = COLORS.get(str(label).split()[0].rstrip(","))
        lines += ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color=color, label=f"{label}: {_summary(path)}")
    first = np.asarray(next(iter(paths.values())))[0] if paths else np.array([-7.0, 2.0])
    key = [ax.plot(*first, "ks", ms=5, label=f"start ({first[0]:g}, {first[1]:g})")[0],
           ax.plot(0, 0, "k+", ms=12, mew=2, label="minimum (0, 0)")[0],
           plt.Line2D([], [], color="0.75", lw=0.8, label="contour lines of f")]
    ax.set_xlim(-10, 10)
    ax.set_ylim(-5, 5)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    steps = max((len(p) - 1 for p in paths.values()), default=0)
    if title is None and len(paths) == 1:
        (label, path), = paths.items()
        title = f"{label}, {steps} steps:\n{_summary(path)}"
    elif title is None:
        title = f"f(x, y) = x²/20 + y², {steps} steps from ({first[0]:g}, {first[1]:g})"
    if len(paths) > 1:
        ax.legend(handles=lines + key, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    else:  # the key, in the corner no path goes to
        ax.legend(handles=key, fontsize=8.5, loc="lower right")
    ax.set_title(title, fontsize=10)
    return ax


def _path_of(name, lr, num_steps):
    return bowl_path(optim.get(name, lr=lr), num_steps=num_steps)


def optimizer_demo(name="SGD", lr=None, num_steps=30):
    """A dropdown (optimizer), a log-slider (learning rate) and a slider
    (steps) redrawing the path on the bowl; returns the widget box, or None
    after drawing the static picture if ipywidgets is not available."""
    lr = CLASSIC_LR[name] if lr is None else lr
    try:
        import ipywidgets as widgets
    except ImportError:  # pragma: no cover - the course environment has it
        print("ipywidgets is not installed: showing a static picture instead.")
        draw_paths({f"{name}, lr {lr:g}": _path_of(name, lr, num_steps)})
        return None

    choice = widgets.Dropdown(options=list(CLASSIC_LR), value=name, description="optimizer")
    rate = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.05, description="lr",
                                  readout_format=".3g", continuous_update=False)
    steps = widgets.IntSlider(value=num_steps, min=1, max=200, description="steps",
                              continuous_update=False)
    classic = widgets.Button(description="classic lr")
    out = widgets.Output()

    def redraw(*_):
        out.clear_output(wait=True)
        with out:
            path = _path_of(choice.value, rate.value, steps.value)
            if not np.all(np.isfinite(path)) or np.abs(path).max() > 1e6:
                print(f"{choice.value} with lr {rate.value:.3g} diverges: the path leaves the picture.")
            draw_paths({f"{choice.value}, lr {rate.value:.3g}": np.clip(path, -1e6, 1e6)})
            plt.show()

    def to_classic(*_):
        """Another optimizer starts at its own classic rate (SGD's 0.95 would
        throw Momentum around); the button brings it back after moving lr."""
        if rate.value == CLASSIC_LR[choice.value]:
            redraw()
        else:
            rate.value = CLASSIC_LR[choice.value]  # redraws through its observer

    choice.observe(to_classic, names="value")
    for w in (rate, steps):
        w.observe(redraw, names="value")
    classic.on_click(to_classic)
    redraw()
    return widgets.VBox([widgets.HBox([choice, classic]), widgets.HBox([rate, steps]), out])
