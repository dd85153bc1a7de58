"""Plots every notebook reuses: training curves, weights as images, decision regions.

Each function draws on a given ``ax`` (or a new figure) and returns the axes,
so a notebook cell stays one line and a test can inspect what was drawn.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt


def _axes(ax, figsize=(5, 3.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def smooth(values, window=20):
    """Moving average (valid part) of a noisy curve such as a loss history."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < window:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_loss(loss_history, ax=None, window=20, label=None):
    """Raw loss per iteration (faint) and its moving average."""
    ax = _axes(ax)
    line, = ax.plot(loss_history, alpha=0.25, label=None)
    smoothed = smooth(loss_history, window)
    offset = (len(loss_history) - len(smoothed)) // 2
    ax.plot(np.arange(len(smoothed)) + offset, smoothed, color=line.get_color(), label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    if label:
        ax.legend()
    return ax


def plot_accuracy(train_acc, val_acc, ax=None):
    """Train and validation accuracy per epoch."""
    ax = _axes(ax)
    epochs = np.arange(1, len(train_acc) + 1)
    ax.plot(epochs, train_acc, "o-", label="train")
    ax.plot(epochs, val_acc, "o-", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.legend()
    return ax


def plot_history(solver, window=20):
    """Loss and accuracy side by side for anything with Solver's histories."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    plot_loss(solver.loss_history, ax=ax1, window=window)
    plot_accuracy(solver.train_acc_history, solver.val_acc_history, ax=ax2)
    fig.tight_layout()
    return fig


def show_images(images, titles=None, shape=None, ncols=10, cmap="gray", size=1.2):
    """A grid of images. ``images`` is (N, H, W), (N, H*W) with ``shape``, or
    (N, H, W, 3). Titles (labels, distances) go above each image."""
    images = np.asarray(images)
    if shape is not None:
        images = images.reshape((len(images),) + tuple(shape))
    n = len(images)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    fig.tight_layout()
    return fig


def show_templates(W, shape, class_names=None):
    """Rows (or columns) of a linear classifier's weights as images: each class's
    template, rescaled to the full colour range."""
    W = np.asarray(W, dtype=np.float64)
    n_pixels = int(np.prod(shape))
    if W.shape[0] not in (n_pixels, n_pixels + 1):  # stored as (classes, pixels)
        W = W.T
    if W.shape[0] not in (n_pixels, n_pixels + 1):
        raise ValueError(f"weights of shape {W.shape} do not hold images of shape {tuple(shape)}")
    W = W[:n_pixels]  # drop a bias row added by the bias trick
    lo, hi = W.min(), W.max()
    images = ((W - lo) / (hi - lo + 1e-12)).T.reshape((-1,) + tuple(shape))
    titles = class_names if class_names is not None else range(len(images))
    return show_images(images, titles=titles, cmap="viridis")


def plot_decision_regions(predict, X, y, ax=None, resolution=200, margin=0.5, title=None):
    """Colour the plane by ``predict(points) -> labels`` and scatter (X, y) on top."""
    ax = _axes(ax, figsize=(4.5, 4))
    X = np.asarray(X)
    x0 = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, resolution)
    x1 = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, resolution)
    g0, g1 = np.meshgrid(x0, x1)
    labels = np.asarray(predict(np.c_[g0.ravel(), g1.ravel()])).reshape(g0.shape)
    ax.contourf(g0, g1, labels, alpha=0.3, cmap="coolwarm", levels=np.arange(labels.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax
