"""Chapter 3's learning-rate explorer without a kernel: gradient descent at a grid of rates.

Every path is computed by :func:`lazynb.optim_demo.descent_path`, the function
:class:`lazynb.optim_demo.LearningRateExplorer` calls when its sliders move.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_positive_int
from ..optim_demo import _check_function, _check_number, _diverged, descent_path
from ..plots import CLASS_COLOURS
from ._figure import Control, StaticExplorer, fmt, frame_key, grid_keys

__all__ = ["LEARNING_RATES", "learning_rate_grid", "learning_rate_explorer"]

# Slow, good, one-step (0.5), bouncing, the 2-cycle at exactly 1, and diverging; all
# inside the widget's lr slider (0.01 to 1.2), so each can be replayed live.
LEARNING_RATES = (
    0.02,
    0.05,
    0.1,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    0.95,
    1.0,
    1.02,
    1.05,
    1.1,
)


def learning_rate_grid(grad, *, x0=1.5, lrs=LEARNING_RATES, steps=20) -> dict:
    """The descent path for every learning rate: ``{lr: path}``, path of shape (steps + 1,).

    grad: dJ/dx; x0: the start; lrs: learning rates > 0; steps: updates per path (>= 1).
    The path after k steps is ``path[: k + 1]`` (descent is deterministic).
    """
    x0 = _check_number(x0, "x0")
    steps = check_positive_int(steps, "steps")
    if isinstance(lrs, (str, bytes)) or not hasattr(lrs, "__iter__"):
        raise TypeError(f"lrs must be a sequence of learning rates, got {type(lrs).__name__}")
    lrs = [_check_number(lr, "every learning rate", positive=True) for lr in lrs]
    if not lrs or len(set(lrs)) != len(lrs):
        raise ValueError(f"lrs must hold at least one learning rate, each once; got {lrs}")
    return {lr: descent_path(grad, x0, lr, steps) for lr in lrs}


def learning_rate_explorer(
    J, grad, *, x0=1.5, lr=0.1, steps=20, x_range=(-2.0, 2.0), lrs=LEARNING_RATES
) -> StaticExplorer:
    """The static explorer: a slider for the learning rate, a slider (with play) for the step.

    J: the function (vectorised); grad: its derivative; x0: the start; lr: the rate shown
    first (added to ``lrs`` if missing); steps: the last step; x_range: (low, high) of the
    picture. Frame ``"i|k"``: rate ``lrs[i]`` after k steps. Returns a ``StaticExplorer``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    _check_function(J, "J")
    lr = _check_number(lr, "lr", positive=True)
    if isinstance(lrs, (str, bytes)) or not hasattr(lrs, "__iter__"):
        raise TypeError(f"lrs must be a sequence of learning rates, got {type(lrs).__name__}")
    lrs = tuple(
        sorted({_check_number(v, "every learning rate", positive=True) for v in lrs} | {lr})
    )
    lo, hi = (_check_number(v, "x_range") for v in x_range)
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    paths = learning_rate_grid(grad, x0=x0, lrs=lrs, steps=steps)
    steps = len(next(iter(paths.values()))) - 1

    xs = np.linspace(lo, hi, 200)
    js = np.asarray(J(xs), dtype=float)
    pad = 0.08 * (js.max() - js.min())
    y_range = [float(js.min() - pad), float(js.max() + pad)]
    controls = (
        Control("lr", "learning rate", tuple(fmt(v) for v in lrs)),
        Control("step", "step", tuple(str(k) for k in range(steps + 1)), play=True),
    )

    def traces(i, k):
        path = paths[lrs[i]][: k + 1]
        with np.errstate(over="ignore", invalid="ignore"):
            jp = np.asarray(J(path), dtype=float)
        return [
            go.Scatter(x=path, y=jp, name="gradient-descent steps"),
            go.Scatter(x=np.arange(k + 1, dtype=float), y=jp, name="J(x_k)"),
        ]

    def title(i, k):
        path = paths[lrs[i]][: k + 1]
        t = f"lr = {lrs[i]:.2f}: x = {path[-1]:.4g} after {k} steps"
        return t + (" (diverged)" if _diverged(path, (lo, hi)) else "")

    keys = grid_keys(controls)
    frames = [
        go.Frame(
            name=frame_key(key),
            data=traces(*key),
            traces=[1, 3],
            layout={"title": {"text": title(*key)}},
        )
        for key in keys
    ]
    initial = (lrs.index(lr), steps)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.1)
    path_now, curve_now = traces(*initial)
    fig.add_trace(
        go.Scatter(
            x=xs, y=js, name="J(x)", mode="lines", line=dict(width=2, color=CLASS_COLOURS[0])
        ),
        1,
        1,
    )
    fig.add_trace(
        path_now.update(
            mode="lines+markers", marker=dict(size=6), line=dict(width=1, color=CLASS_COLOURS[1])
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=[x0],
            y=[float(J(np.array([x0]))[0])],
            name="start",
            mode="markers",
            marker=dict(symbol="square", size=9, color="black"),
        ),
        1,
        1,
    )
    fig.add_trace(
        curve_now.update(
            mode="lines+markers",
            marker=dict(size=5),
            line=dict(color=CLASS_COLOURS[1]),
            showlegend=False,
        ),
        1,
        2,
    )
    fig.frames = frames
    fig.update_layout(
        template="simple_white",
        height=440,
        margin=dict(l=60, r=20, t=60, b=50),
        title=dict(text=title(*initial)),
        legend=dict(orientation="h", y=-0.18),
    )
    fig.update_xaxes(title_text="x", range=[lo, hi], row=1, col=1)
    fig.update_yaxes(title_text="J(x)", range=y_range, row=1, col=1)
    fig.update_xaxes(title_text="step k", range=[-0.5, steps + 0.5], row=1, col=2)
    fig.update_yaxes(title_text="J(x_k)", range=y_range, row=1, col=2)
    description = (
        f"Gradient descent on J from x0 = {x0:g}, computed by the book's descent_path at "
        f"{len(lrs)} learning rates from {lrs[0]:g} to {lrs[-1]:g}. Left: the curve J(x) and the "
        f"points visited; right: the cost J(x_k) after each step. The learning-rate slider picks "
        f"the rate; the step slider (or its Play button) shows the path after 0 to {steps} steps. "
        f"Small rates creep down one side of the valley; larger ones bounce from side to side, "
        f"and too large a rate makes the path run away (the title then says diverged)."
    )
    return StaticExplorer(
        kind="learning-rate",
        figure=fig,
        controls=controls,
        frames={frame_key(k): frame_key(k) for k in keys},
        initial=initial,
        description=description,
        height=440,
        results={"lrs": lrs, "paths": paths, "steps": steps},
    )
