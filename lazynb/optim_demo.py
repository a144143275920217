"""Gradient descent on functions of one variable: the path, its pictures and a slider.

Chapter 3 uses these to show what the learning rate does (slow, good, bouncing,
diverging) and how a non-convex function traps descent in a local minimum. The
slider (:class:`LearningRateExplorer`) needs a live kernel; on the static site the
chapter shows :func:`learning_rate_panel`, a fixed figure of a few learning rates.
"""

from __future__ import annotations

import numbers

import matplotlib.pyplot as plt
import numpy as np

from ._validate import check_positive_int
from .plots import CLASS_COLOURS

__all__ = ["descent_path", "plot_descent", "learning_rate_panel", "LearningRateExplorer"]


def _check_function(f, name: str):
    if not callable(f):
        raise TypeError(f"{name} must be a function of one number, got {type(f).__name__}")


def _check_number(x, name: str, *, positive: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    x = float(x)
    if not np.isfinite(x) or (positive and x <= 0):
        raise ValueError(
            f"{name} must be a finite{' positive' if positive else ''} number, got {x}"
        )
    return x


def _check_descent_args(grad, x0, lr, steps):
    """x0 and lr as floats (lr > 0) and steps as an int >= 0, after checking grad is callable."""
    _check_function(grad, "grad")
    return (
        _check_number(x0, "x0"),
        _check_number(lr, "lr", positive=True),
        check_positive_int(steps, "steps", minimum=0),
    )


def descent_path(grad, x0, lr, steps):
    """Gradient descent on a function of one variable; returns every point visited.

    grad: the derivative dJ/dx, a function of one number; x0: the starting point;
    lr: the learning rate (step size), > 0; steps: how many updates to make, >= 0.
    Returns a float array of shape (steps + 1,): x0, then each x after the update
    ``x <- x - lr * dJ/dx``. (To maximise J, pass the derivative of -J.)
    """
    x, lr, steps = _check_descent_args(grad, x0, lr, steps)
    path = [x]
    for _ in range(steps):
        x = x - lr * grad(x)  # one step downhill, in proportion to the slope
        path.append(x)
    return np.array(path, dtype=float)


def _diverged(path, x_range) -> bool:
    lo, hi = x_range
    width = hi - lo
    return not np.all(np.isfinite(path)) or bool(np.any((path < lo - width) | (path > hi + width)))


def plot_descent(
    J, path, ax=None, *, x_range=(-2.0, 2.0), title=None, colour=None, label=None, curve=True
):
    """Draw J over ``x_range`` and the points of a descent ``path`` on it, joined in order.

    J: the function (vectorised over a NumPy array); path: (steps + 1,) points, e.g.
    from :func:`descent_path`. Points outside the range are left out of the picture
    (the title says when the path ran away). ``curve=False`` skips drawing J, to add a
    second path to the same Axes. Returns the Axes.
    """
    _check_function(J, "J")
    path = np.asarray(path, dtype=float)
    if path.ndim != 1 or path.size == 0:
        raise ValueError(f"path must be a non-empty 1-D array of points, got shape {path.shape}")
    lo, hi = (float(v) for v in x_range)
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.0), layout="constrained")
    colour = colour or CLASS_COLOURS[1]
    xs = np.linspace(lo, hi, 400)
    if curve:
        ax.plot(xs, J(xs), color=CLASS_COLOURS[0], lw=2, label="J(x)")
    inside = np.isfinite(path) & (path >= lo) & (path <= hi)
    shown = path[inside]
    # Join consecutive points (in the order visited) while both are inside the picture.
    xs_path = np.where(inside, path, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        ax.plot(xs_path, J(xs_path), "-", color=colour, lw=1, alpha=0.7)
    ax.plot(shown, J(shown), "o", color=colour, ms=4, label=label or "gradient-descent steps")
    if inside[0]:
        ax.plot([path[0]], [J(path[0])], "s", color="black", ms=6, label="start" if curve else None)
    if title is None:
        title = f"{len(path) - 1} steps of gradient descent"
    if _diverged(path, (lo, hi)):
        title += " (diverged)"
    ax.set(title=title, xlabel="x", ylabel="J(x)", xlim=(lo, hi))
    ax.legend(loc="upper center", fontsize="small")
    return ax


def learning_rate_panel(J, grad, x0, lrs, *, steps=20, x_range=(-2.0, 2.0), x_min=None, ncols=None):
    """Small multiples: one :func:`plot_descent` per learning rate, plus the distance to the minimum.

    J, grad: the function and its derivative; x0: the common start; lrs: learning rates;
    steps: updates per run; x_min: the true minimiser, if known: then a last panel plots
    ``|x_k - x_min|`` against the step k on a log scale. Returns the figure.
    """
    lrs = [_check_number(lr, "every learning rate", positive=True) for lr in lrs]
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate")
    n = len(lrs) + (x_min is not None)
    ncols = ncols or min(n, 3)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.8 * ncols, 3.2 * nrows), layout="constrained", squeeze=False
    )
    axes = list(axes.flat)
    paths = []
    for i, (lr, ax) in enumerate(zip(lrs, axes)):
        path = descent_path(grad, x0, lr, steps)
        paths.append(path)
        plot_descent(
            J,
            path,
            ax,
            x_range=x_range,
            colour=CLASS_COLOURS[(i + 1) % len(CLASS_COLOURS)],
            title=f"learning rate {lr:g}",
        )
    if x_min is not None:
        ax = axes[len(lrs)]
        for i, (lr, path) in enumerate(zip(lrs, paths)):
            with np.errstate(over="ignore", invalid="ignore"):
                dist = np.abs(path - x_min)
            ax.semilogy(
                np.arange(len(path)),
                np.maximum(dist, 1e-16),
                "o-",
                ms=3,
                color=CLASS_COLOURS[(i + 1) % len(CLASS_COLOURS)],
                label=f"lr = {lr:g}",
            )
        ax.set(title="Distance to the minimum", xlabel="step k", ylabel="|x_k - x*| (log scale)")
        ax.legend(fontsize="small")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Gradient descent from x0 = {x0:g}, {steps} steps, at {len(lrs)} learning rates")
    return fig


class LearningRateExplorer:
    """Sliders for the learning rate, the number of steps and the start of gradient descent.

    J, grad: a function of one variable (vectorised) and its derivative. Display the
    object in a notebook; moving a slider redraws the path. ``render()`` draws the
    current setting and returns the path (tests use it); ``path_`` holds the last one.
    """

    def __init__(
        self, J, grad, *, x0=1.5, lr=0.1, steps=20, x_range=(-2.0, 2.0), lr_max=1.2, max_steps=50
    ):
        import ipywidgets as widgets

        _check_function(J, "J")
        _check_function(grad, "grad")
        self.J, self.grad = J, grad
        self.x_range = tuple(float(v) for v in x_range)
        lo, hi = self.x_range
        self.lr = widgets.FloatSlider(
            value=_check_number(lr, "lr", positive=True),
            min=0.01,
            max=float(lr_max),
            step=0.01,
            description="lr",
            continuous_update=False,
            readout_format=".2f",
        )
        self.steps = widgets.IntSlider(
            value=check_positive_int(steps, "steps", minimum=0),
            min=0,
            max=int(max_steps),
            description="steps",
            continuous_update=False,
        )
        self.x0 = widgets.FloatSlider(
            value=_check_number(x0, "x0"),
            min=lo,
            max=hi,
            step=0.05,
            description="x0",
            continuous_update=False,
        )
        self.out = widgets.Output()
        for s in (self.lr, self.steps, self.x0):
            s.observe(lambda _change: self._redraw(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.lr, self.steps, self.x0]), self.out])
        self._redraw()

    def render(self, ax=None):
        """Draw the current setting into ``ax`` (a new figure if None); return the path."""
        path = descent_path(self.grad, self.x0.value, self.lr.value, self.steps.value)
        plot_descent(
            self.J,
            path,
            ax,
            x_range=self.x_range,
            title=f"lr = {self.lr.value:.2f}: x = {path[-1]:.4g} after {len(path) - 1} steps",
        )
        return path

    def _redraw(self):
        self.out.clear_output(wait=True)
        with self.out:
            self.path_ = self.render()
            plt.show()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
