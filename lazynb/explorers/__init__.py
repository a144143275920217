"""The book's three explorers, live (ipywidgets) or static (Plotly, no kernel needed).

A chapter shows an explorer with one call::

    from lazynb.explorers import show_explorer
    show_explorer("learning-rate", J, dJ, x0=1.5, lr=0.1, steps=20, x_range=(-2.5, 2.0))

In a live kernel this returns the ipywidgets explorer, exactly as before. When the
environment variable ``LAZYNB_STATIC_EXPLORERS`` is ``1`` (the book build sets it:
``make book``), it instead computes the explorer's results over a grid of settings,
with the same kernel code the widget calls, and returns an HTML figure that needs no
kernel: a Plotly figure with one frame per grid point, labelled menus and sliders (and
play/pause where the axis is time) and a text description. Either way the cell shows
exactly one of the two.

- ``"learning-rate"``: live, ``lazynb.optim_demo.LearningRateExplorer``; static, gradient
  descent at 16 learning rates, replayed step by step (``learning_rate_grid``);
- ``"optimizer"``: live, ``lazynb.optim_explorer.OptimizerExplorer``; static, every optimiser
  at a grid of learning rates and momenta (``optimizer_grid``);
- ``"playground"``: live, ``lazynb.playground.Playground``; static, each data set and
  choice of hidden layers trained for 300 epochs, replayed epoch by epoch (``playground_grid``).

The page must load plotly.js once, from the site itself: see ``lazynb.explorers.site``.
"""

from __future__ import annotations

import os

from ._figure import StaticExplorer, decode, embedded_frames
from ._learning_rate import learning_rate_explorer, learning_rate_grid
from ._optimizer import explorer_runs, optimizer_explorer, optimizer_grid
from ._playground import playground_explorer, playground_grid

__all__ = [
    "ENV_VAR",
    "KINDS",
    "static_explorers_enabled",
    "static_explorer",
    "live_explorer",
    "show_explorer",
    "StaticExplorer",
    "decode",
    "embedded_frames",
    "learning_rate_grid",
    "learning_rate_explorer",
    "explorer_runs",
    "optimizer_grid",
    "optimizer_explorer",
    "playground_grid",
    "playground_explorer",
]

# Set to 1 (or true/yes/on) to show the static explorers; anything else, or unset: live.
ENV_VAR = "LAZYNB_STATIC_EXPLORERS"
KINDS = ("learning-rate", "optimizer", "playground")


def static_explorers_enabled(environ=None) -> bool:
    """True when ``LAZYNB_STATIC_EXPLORERS`` asks for the static explorers (the book build)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def _check_kind(kind) -> str:
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a string, one of {KINDS}, got {type(kind).__name__}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def static_explorer(kind: str, *args, **kwargs) -> StaticExplorer:
    """Compute the static explorer of ``kind``; arguments as for the live explorer.

    learning-rate: ``(J, grad, *, x0, lr, steps, x_range)``; optimizer: ``(name, lr, mu,
    decay, steps)``; playground: ``(dataset, hidden, **settings)``.
    """
    kind = _check_kind(kind)
    if kind == "learning-rate":
        return learning_rate_explorer(*args, **kwargs)
    if kind == "optimizer":
        return optimizer_explorer(*args, **kwargs)
    return playground_explorer(*args, **kwargs)


def live_explorer(kind: str, *args, **kwargs):
    """The ipywidgets explorer of ``kind`` (needs a live kernel to respond)."""
    kind = _check_kind(kind)
    if kind == "learning-rate":
        from ..optim_demo import LearningRateExplorer

        return LearningRateExplorer(*args, **kwargs)
    if kind == "optimizer":
        from ..optim_explorer import OptimizerExplorer

        return OptimizerExplorer(*args, **kwargs)
    from ..playground import Playground

    return Playground(*args, **kwargs)


def show_explorer(kind: str, *args, static: bool | None = None, **kwargs):
    """The explorer for this notebook cell: live widgets, or the static figure in the book build.

    kind: one of ``KINDS``; the other arguments go to the explorer (see
    ``static_explorer``); static: force one or the other (default: read
    ``LAZYNB_STATIC_EXPLORERS``). Returns the live explorer object, or an
    ``IPython.display.HTML`` holding the description, the controls and the figure;
    as the last expression of a cell, either displays itself.
    """
    kind = _check_kind(kind)
    if static is None:
        static = static_explorers_enabled()
    if not isinstance(static, bool):
        raise TypeError(f"static must be True, False or None, got {type(static).__name__}")
    if not static:
        return live_explorer(kind, *args, **kwargs)
    from IPython.display import HTML

    return HTML(static_explorer(kind, *args, **kwargs).html)
