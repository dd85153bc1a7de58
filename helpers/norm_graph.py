"""The computational graph of batch normalization, drawn for notebook 07.

:func:`draw_batchnorm_graph` draws the nodes of one feature's batch norm
(x, the mean, the centred x, the variance, the standard deviation s, x_hat and
the output y) and colours the three ways x reaches the output: directly
through x - mu, through the mean mu, and through the variance. It shows the
graph only: the derivatives are the student's to find.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

__all__ = ["BN_NODES", "BN_EDGES", "PATHS", "draw_batchnorm_graph"]

#: node -> (x, y, label) in drawing units
BN_NODES = {
    "x": (0.0, 1.0, "$x$\n(N values)"),
    "mu": (2.0, 2.2, r"$\mu = \frac{1}{N}\sum_i x_i$"),
    "xc": (4.0, 1.0, r"$x_c = x - \mu$"),
    "var": (6.0, 2.2, r"$\sigma^2 = \frac{1}{N}\sum_i x_{c,i}^2$"),
    "s": (8.6, 2.2, r"$s = \sqrt{\sigma^2 + \epsilon}$"),
    "xhat": (8.6, 1.0, r"$\hat x = x_c\,/\,s$"),
    "y": (11.0, 1.0, r"$y = \gamma\,\hat x + \beta$"),
    "gamma": (11.0, 2.2, r"$\gamma,\ \beta$"),
}
#: (from, to, path): path is "direct", "mean", "variance" or None (not a path from x)
BN_EDGES = [
    ("x", "xc", "direct"), ("xc", "xhat", "direct"), ("xhat", "y", "direct"),
    ("x", "mu", "mean"), ("mu", "xc", "mean"),
    ("xc", "var", "variance"), ("var", "s", "variance"), ("s", "xhat", "variance"),
    ("gamma", "y", None),
]
#: path -> (colour, legend text)
PATHS = {
    "direct": ("tab:blue", r"direct: $x \to x_c \to \hat x$"),
    "mean": ("tab:orange", r"through the mean: $x \to \mu \to x_c$"),
    "variance": ("tab:green", r"through the variance: $x_c \to \sigma^2 \to s \to \hat x$"),
}


def draw_batchnorm_graph(ax=None):
    """Draw batch norm's graph for one feature (every box is a vector over
    the batch or one number per feature); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 3.4))
    box = dict(boxstyle="round,pad=0.4", facecolor="white", edgecolor="0.3")
    texts = {name: ax.text(x, y, label, ha="center", va="center", fontsize=11, bbox=box, zorder=3)
             for name, (x, y, label) in BN_NODES.items()}
    for a, b, path in BN_EDGES:
        (x0, y0, _), (x1, y1, _) = BN_NODES[a], BN_NODES[b]
        colour = PATHS[path][0] if path else "0.5"
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=4,
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=2.2, shrinkA=2, shrinkB=2,
                                    patchA=texts[a].get_bbox_patch(), patchB=texts[b].get_bbox_patch()))
    handles = [Line2D([], [], color=c, lw=2.5, label=t) for c, t in PATHS.values()]
    ax.legend(handles=handles, loc="lower right", fontsize=9, frameon=False, title="three ways from x to y",
              title_fontsize=9)
    ax.set_xlim(-1.0, 12.4)
    ax.set_ylim(-0.4, 2.8)
    ax.axis("off")
    ax.set_title("Batch norm as a graph, one feature: x reaches the output along three paths", fontsize=11)
    return ax
