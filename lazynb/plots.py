"""Figures the chapters draw, each titled and with labelled axes.

Every function takes an optional Matplotlib ``ax`` to draw into (so figures can
be composed) and returns the ``Axes`` it drew on.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_float_array, as_labels
from .activations import sigmoid

# Colour per class, colour-blind friendly (Okabe-Ito).
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


def _axes(ax, figsize=(5.0, 4.0)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_sigmoid(ax=None, *, a_range=(-8.0, 8.0)):
    """The sigmoid curve with its asymptotes and the point sigmoid(0) = 0.5."""
    ax = _axes(ax)
    a = np.linspace(*a_range, 400)
    ax.plot(a, sigmoid(a), color=CLASS_COLOURS[0], lw=2, label=r"$\sigma(a) = 1/(1+e^{-a})$")
    for level in (0.0, 1.0):
        ax.axhline(level, color="grey", lw=0.8, ls="--")
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.plot([0], [0.5], "o", color=CLASS_COLOURS[1], label=r"$\sigma(0) = 0.5$")
    ax.set(
        title="The sigmoid squashes any input into (0, 1)",
        xlabel="activation a = w·x + b",
        ylabel="output σ(a) = P(Y=1 | x)",
    )
    ax.legend(loc="upper left")
    return ax


def plot_data_2d(X, y, ax=None, *, title="Two-dimensional data set"):
    """Scatter plot of X: (N, 2) coloured by integer labels y: (N,)."""
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n=X.shape[0])
    if X.shape[1] != 2:
        raise ValueError(f"X must have 2 columns to be drawn in the plane, got shape {X.shape}")
    ax = _axes(ax)
    for k in np.unique(y):
        pts = X[y == k]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            s=14,
            alpha=0.8,
            color=CLASS_COLOURS[k % len(CLASS_COLOURS)],
            edgecolor="white",
            linewidth=0.3,
            label=f"class {k}",
        )
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_decision_boundary(
    predict_proba,
    X,
    y,
    ax=None,
    *,
    title="Decision boundary",
    resolution=200,
    margin=0.5,
    colorbar=True,
):
    """Shade P(Y=1|x) over the plane, draw the 0.5 contour and the data.

    predict_proba: callable mapping (M, 2) points to (M,) probabilities;
    X: (N, 2) data; y: (N,) binary labels.
    """
    if not callable(predict_proba):
        raise TypeError(
            "predict_proba must be a callable mapping (M, 2) points to (M,) probabilities"
        )
    X = as_float_array(X, "X", ndim=2)
    ax = _axes(ax)
    (x0, y0), (x1, y1) = X.min(0) - margin, X.max(0) + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    p = np.asarray(predict_proba(grid), dtype=float).reshape(gx.shape)
    mesh = ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
    ax.contour(gx, gy, p, levels=[0.5], colors="black", linewidths=1.5)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="P(Y=1 | x)")
    plot_data_2d(X, y, ax=ax, title=title)
    return ax


def plot_history(
    history, keys=("cost",), ax=None, *, title="Training curve", xlabel="epoch", ylabel=None
):
    """Plot one or more per-epoch curves from a history dict (e.g. ``{"cost": [...], "error": [...]}``)."""
    if not isinstance(history, dict):
        raise TypeError(f"history must be a dict of per-epoch lists, got {type(history).__name__}")
    keys = (keys,) if isinstance(keys, str) else tuple(keys)
    missing = [k for k in keys if k not in history]
    if missing:
        raise ValueError(f"history has no {missing}; available: {sorted(history)}")
    ax = _axes(ax)
    for i, k in enumerate(keys):
        values = np.asarray(history[k], dtype=float)
        ax.plot(
            np.arange(len(values)),
            values,
            color=CLASS_COLOURS[i % len(CLASS_COLOURS)],
            lw=2,
            label=k,
        )
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel or " / ".join(keys))
    if len(keys) > 1:
        ax.legend()
    return ax


def plot_sweep(rows, key, ax=None, *, title=None, xlabel=None):
    """Train and test error against a swept setting, from a table of rows.

    ``rows``: a list of dicts, each with ``key`` (the setting: hidden units, layers, ...),
    ``"train_error"`` and ``"test_error"``; plotted in the order of ``key``, which must be
    a number. The gap between the two curves is the generalisation gap; it signals
    overfitting only where the test error rises as the setting grows.
    """
    if (
        not isinstance(rows, (list, tuple))
        or not rows
        or not all(isinstance(r, dict) for r in rows)
    ):
        raise TypeError(
            f"rows must be a non-empty list of dicts (one per setting), got {type(rows).__name__}"
        )
    for r in rows:
        missing = {key, "train_error", "test_error"} - set(r)
        if missing:
            raise ValueError(
                f"every row needs {key!r}, 'train_error' and 'test_error'; "
                f"a row lacks {sorted(missing)}"
            )
    try:
        x = np.array([float(r[key]) for r in rows])
    except (TypeError, ValueError):
        raise TypeError(
            f"the {key!r} of every row must be a number, got {[r[key] for r in rows]}"
        ) from None
    order = np.argsort(x)
    ax = _axes(ax)
    for i, split in enumerate(("train", "test")):
        y = np.array([float(rows[j][f"{split}_error"]) for j in order])
        ax.plot(x[order], y, "o-", color=CLASS_COLOURS[i], lw=2, label=f"{split} error")
    ax.set_xticks(x[order])
    ax.set(title=title or f"Error against {key}", xlabel=xlabel or key, ylabel="error rate")
    ax.set_ylim(bottom=0)
    ax.legend()
    return ax


def plot_network(layer_sizes, ax=None, *, labels=None, title=None):
    """Draw a fully connected feedforward network: one column of circles per layer.

    layer_sizes: e.g. ``[2, 3, 1]`` for two inputs, three hidden units, one output.
    labels: optional names per layer (default ``x``, ``z`` ..., ``y``).
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"layer_sizes needs at least two layers of >= 1 unit, got {layer_sizes}")
    if labels is None:
        hidden = ["z"] if len(sizes) == 3 else [f"z^{{({i})}}" for i in range(1, len(sizes) - 1)]
        labels = ["x", *hidden, "y"]
    ax = _axes(ax, figsize=(1.8 * len(sizes) + 1, 0.9 * max(sizes) + 1.5))
    top = max(sizes)
    # Each column is centred on y = 0, first unit at the top.
    pos = [[(i, (s - 1) / 2 - j) for j in range(s)] for i, s in enumerate(sizes)]
    for a, b in zip(pos[:-1], pos[1:]):
        for x0, y0 in a:
            for x1, y1 in b:
                ax.plot([x0, x1], [y0, y1], color="grey", lw=0.8, zorder=1)
    for i, col in enumerate(pos):
        colour = (
            CLASS_COLOURS[0]
            if i == 0
            else CLASS_COLOURS[2]
            if i < len(pos) - 1
            else CLASS_COLOURS[1]
        )
        for j, (x, y) in enumerate(col):
            ax.add_patch(plt.Circle((x, y), 0.22, color=colour, zorder=2))
            ax.text(
                x,
                y,
                f"${labels[i]}_{{{j + 1}}}$",
                ha="center",
                va="center",
                color="white",
                fontsize=10,
                zorder=3,
            )
    names = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    for i, name in enumerate(names):
        ax.text(i, (top - 1) / 2 + 0.4, f"{name} ({sizes[i]})", ha="center", va="bottom")
    ax.set_xlim(-0.6, len(sizes) - 0.4)
    ax.set_ylim(-(top - 1) / 2 - 0.5, (top - 1) / 2 + 0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title or "A feedforward network: " + " → ".join(str(s) for s in sizes) + " units")
    return ax
