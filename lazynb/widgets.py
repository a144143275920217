"""Interactive explorers for the notebooks (ipywidgets + Matplotlib).

Widgets need a live kernel: on the static site the chapters show a static
figure next to them (see :func:`neuron_panel`) and hide the widget's output.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._validate import as_float_array, as_labels
from .metrics import error_rate
from .neuron import logistic_unit
from .plots import plot_decision_boundary


def _draw_unit(X, y, w1, w2, b, ax):
    w = np.array([w1, w2], dtype=float)
    p = logistic_unit(X, w, b)
    err = error_rate(y, (p >= 0.5).astype(np.int64))
    plot_decision_boundary(
        lambda P: logistic_unit(P, w, b),
        X,
        y,
        ax=ax,
        colorbar=False,
        resolution=120,
        title=f"w1={w1:+.1f}, w2={w2:+.1f}, b={b:+.1f}: error {err:.0%}",
    )
    return err


def neuron_panel(X, y, settings, *, ncols=3):
    """Static small multiples: one decision-boundary plot per ``(w1, w2, b)`` in ``settings``.

    X: (N, 2); y: (N,) binary labels. Returns the Matplotlib figure.
    """
    X = as_float_array(X, "X", ndim=2)
    y = as_labels(y, "y", n=X.shape[0])
    settings = [tuple(float(v) for v in s) for s in settings]
    if not settings or any(len(s) != 3 for s in settings):
        raise ValueError("settings must be a non-empty list of (w1, w2, b) triples")
    nrows = -(-len(settings) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.2 * ncols, 3.6 * nrows), layout="constrained", squeeze=False
    )
    for ax, (w1, w2, b) in zip(axes.flat, settings):
        _draw_unit(X, y, w1, w2, b, ax)
    for ax in list(axes.flat)[len(settings) :]:
        ax.set_visible(False)
    fig.suptitle("One logistic unit, three settings of its weights and bias")
    return fig


class NeuronExplorer:
    """Sliders for w1, w2 and b of one logistic unit over a 2-D data set.

    X: (N, 2); y: (N,) binary labels. Display the object in a notebook; moving a
    slider redraws the unit's output P(Y=1|x) and its 0.5 boundary.
    ``render()`` draws the current setting and returns its error rate (tests use it).
    """

    def __init__(self, X, y, *, w1=1.0, w2=1.0, b=0.0, limit=10.0):
        import ipywidgets as widgets

        self.X = as_float_array(X, "X", ndim=2)
        self.y = as_labels(y, "y", n=self.X.shape[0])
        if self.X.shape[1] != 2:
            raise ValueError(f"X must have 2 columns, got shape {self.X.shape}")
        slider = dict(min=-limit, max=limit, step=0.1, continuous_update=False)
        self.w1 = widgets.FloatSlider(value=w1, description="w1", **slider)
        self.w2 = widgets.FloatSlider(value=w2, description="w2", **slider)
        self.b = widgets.FloatSlider(value=b, description="b", **slider)
        self.out = widgets.Output()
        for s in (self.w1, self.w2, self.b):
            s.observe(lambda _change: self._redraw(), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.w1, self.w2, self.b]), self.out])
        self._redraw()

    def render(self, ax=None):
        """Draw the current setting into ``ax`` (a new figure if None); return the error rate."""
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
        return _draw_unit(self.X, self.y, self.w1.value, self.w2.value, self.b.value, ax)

    def _redraw(self):
        self.out.clear_output(wait=True)
        with self.out:
            self.error_ = self.render()
            plt.show()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
