"""Chapter 5's optimiser explorer without a kernel: every optimiser at a grid of settings.

Each run is :func:`lazynb.optim_explorer.run_optimizer`, what
:class:`lazynb.optim_explorer.OptimizerExplorer` runs when its widgets change, with the
widget's rule for a diverged run (the cost did not go down, or became infinite).
"""

from __future__ import annotations

import numpy as np

from .. import optim_explorer as ox
from .._validate import check_positive_int
from ..optim_demo import _check_number
from ._figure import Control, StaticExplorer, fmt, frame_key, grid_keys

__all__ = ["LEARNING_RATES", "MOMENTA", "explorer_runs", "optimizer_grid", "optimizer_explorer"]

# Inside the widget's lr slider (10^-3 to 10^0.5); each optimiser's good setting of
# :func:`lazynb.optim_explorer.optimizer_panel` is among them.
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.05, 0.07, 0.1, 0.3, 1.0, 3.0)
# μ for Momentum and Nesterov (the other optimisers have no μ).
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95)
USES_MU = ("Momentum", "Nesterov")


def explorer_runs(name, lr, *, mu=0.9, decay=0.9, steps=100) -> dict:
    """What ``OptimizerExplorer.render`` computes for one setting, without drawing.

    Returns ``{label: Trajectory or None}``: plain SGD and the named optimiser (once, if
    it is SGD), ``"<name> (diverged)": None`` where the cost did not go down.
    Trajectory.x: (steps + 1, 2), Trajectory.f: (steps + 1,).
    """
    shared = getattr(ox, "explorer_runs", None)
    if shared is not None:  # the widget's own function, once optim_explorer exposes it
        return shared(name, lr, mu=mu, decay=decay, steps=steps)
    runs = {}
    for n in dict.fromkeys(["SGD", name]):  # same loop as OptimizerExplorer.render
        try:
            tr = ox.run_optimizer(n, lr, mu=mu, decay=decay, steps=steps)
        except ValueError:
            tr = None
        if tr is None or not tr.f[-1] <= tr.f[0]:
            runs[f"{n} (diverged)"] = None
        else:
            runs[n] = tr
    return runs


def _check_values(values, name):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    out = tuple(_check_number(v, f"every entry of {name}") for v in values)
    if not out or len(set(out)) != len(out):
        raise ValueError(f"{name} must hold at least one value, each once; got {out}")
    return out


def optimizer_grid(names=ox.OPTIMIZERS, lrs=LEARNING_RATES, mus=MOMENTA, *, decay=0.9, steps=100):
    """Every setting's runs: ``{(name, lr, mu): runs}`` with runs as from ``explorer_runs``.

    mu is None for optimisers without momentum (one run serves every μ).
    """
    if isinstance(names, str) or not all(n in ox.OPTIMIZERS for n in names) or not names:
        raise ValueError(f"names must be a non-empty list from {ox.OPTIMIZERS}, got {names!r}")
    lrs = _check_values(lrs, "lrs")
    if any(v <= 0 for v in lrs):
        raise ValueError(f"every learning rate must be > 0, got {lrs}")
    mus = _check_values(mus, "mus")
    steps = check_positive_int(steps, "steps")
    grid = {}
    for name in names:
        for lr in lrs:
            for mu in mus if name in USES_MU else (None,):
                kw = {} if mu is None else {"mu": mu}
                grid[name, lr, mu] = explorer_runs(name, lr, decay=decay, steps=steps, **kw)
    return grid


def optimizer_explorer(
    name="Momentum", lr=0.03, mu=0.8, decay=0.9, steps=100, *, lrs=LEARNING_RATES, mus=MOMENTA
) -> StaticExplorer:
    """The static explorer: a menu for the optimiser, sliders for lr and μ.

    Same arguments as ``OptimizerExplorer`` (its values are shown first and added to
    the grid); decay (RMSprop's) and steps are fixed. Returns a ``StaticExplorer``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    if name not in ox.OPTIMIZERS:
        raise ValueError(f"name must be one of {ox.OPTIMIZERS}, got {name!r}")
    lr = _check_number(lr, "lr", positive=True)
    mu = _check_number(mu, "mu")
    lrs = tuple(sorted(set(_check_values(lrs, "lrs")) | {lr}))
    mus = tuple(sorted(set(_check_values(mus, "mus")) | {mu}))
    grid = optimizer_grid(ox.OPTIMIZERS, lrs, mus, decay=decay, steps=steps)
    controls = (
        Control("optimizer", "optimiser", ox.OPTIMIZERS, kind="select"),
        Control("lr", "learning rate", tuple(fmt(v) for v in lrs)),
        Control("mu", "momentum μ (Momentum, Nesterov)", tuple(fmt(v) for v in mus)),
    )
    a = np.asarray(ox.CURVATURES, float)

    def setting(key):
        n, i, j = key
        name = ox.OPTIMIZERS[n]
        return name, lrs[i], (mus[j] if name in USES_MU else None)

    def traces(runs):
        """Four traces (SGD path, chosen path, SGD loss, chosen loss) from a runs dict."""
        items = list(runs.items()) + [(None, None)] * (2 - len(runs))
        out = []
        for part in ("path", "loss"):
            for label, tr in items:
                show = label is not None and part == "path"
                if tr is None:
                    xy = dict(x=np.empty(0), y=np.empty(0))
                elif part == "path":
                    xy = dict(x=tr.x[:, 0], y=tr.x[:, 1])
                else:  # as plot_runs draws it, floored at 1e-16 for the log scale; x: step 0, 1, ...
                    xy = dict(x0=0, dx=1, y=np.maximum(tr.f, 1e-16))
                out.append(go.Scatter(**xy, name=label or "", showlegend=show))
        return out

    def title(key):
        name, lr_, mu_ = setting(key)
        extra = "" if mu_ is None else f", μ = {mu_:g}"
        gone = [
            label[: -len(" (diverged)")] for label in grid[name, lr_, mu_] if label.endswith(")")
        ]
        tail = f"; diverged: {', '.join(gone)}" if gone else ""
        return f"{name}, lr = {lr_:g}{extra} (and SGD, same lr){tail}"

    # One frame per distinct run; the grid points that ignore μ share it.
    keys = grid_keys(controls)
    names = {k: "{}|{}|{}".format(*setting(k)) for k in keys}
    frames, seen = [], set()
    for k in keys:
        if names[k] not in seen:
            seen.add(names[k])
            frames.append(
                go.Frame(
                    name=names[k],
                    data=traces(grid[setting(k)]),
                    traces=[2, 3, 4, 5],
                    layout={"title": {"text": title(k)}},
                )
            )
    initial = (ox.OPTIMIZERS.index(name), lrs.index(lr), mus.index(mu))
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1)
    g1, g2 = np.meshgrid(np.linspace(-4.5, 4.5, 61), np.linspace(-2.5, 2.5, 41))
    fig.add_trace(
        go.Contour(
            x=g1[0],
            y=g2[:, 0],
            z=np.log10(0.5 * (a[0] * g1**2 + a[1] * g2**2) + 1e-3),
            showscale=False,
            contours=dict(coloring="lines"),
            colorscale=[[0, "#bbb"], [1, "#bbb"]],
            hoverinfo="skip",
            name="contours of f",
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            name="minimum",
            marker=dict(symbol="star", size=12, color="black"),
        ),
        1,
        1,
    )
    colours = ("#0072B2", "#D55E00")
    for t, (trace, row_col) in enumerate(
        zip(traces(grid[setting(initial)]), [(1, 1)] * 2 + [(1, 2)] * 2)
    ):
        trace.update(
            mode="lines+markers" if t < 2 else "lines",
            marker=dict(size=3),
            line=dict(width=1.5, color=colours[t % 2]),
        )
        fig.add_trace(trace, *row_col)
    fig.frames = frames
    fig.update_layout(
        template="simple_white",
        height=460,
        margin=dict(l=60, r=20, t=60, b=50),
        title=dict(text=title(initial)),
        legend=dict(orientation="h", y=-0.2),
    )
    fig.update_xaxes(title_text="x1", range=[-4.5, 4.5], row=1, col=1)
    fig.update_yaxes(title_text="x2", range=[-2.5, 2.5], row=1, col=1)
    fig.update_xaxes(title_text="step", range=[0, steps], row=1, col=2)
    fig.update_yaxes(
        title_text="f (log scale)", type="log", range=[-16, 2], exponentformat="power", row=1, col=2
    )
    description = (
        f"Optimisers on the narrow valley f = ½({a[0]:g}·x1² + {a[1]:g}·x2²) from "
        f"({ox.X0[0]:g}, {ox.X0[1]:g}), {steps} steps each, computed by the book's run_optimizer. "
        f"Left: the path over the contours of f; right: the cost against the step, on a log "
        f"scale. Plain SGD at the same learning rate is always drawn for comparison; a run whose "
        f"cost did not go down is marked diverged in the legend and not drawn. The menu picks "
        f"the optimiser; the sliders pick the learning rate ({len(lrs)} values from {lrs[0]:g} "
        f"to {lrs[-1]:g}) and the momentum μ (used by Momentum and Nesterov only)."
    )
    return StaticExplorer(
        kind="optimizer",
        figure=fig,
        controls=controls,
        frames={frame_key(k): names[k] for k in keys},
        initial=initial,
        description=description,
        height=460,
        results={"grid": grid, "lrs": lrs, "mus": mus, "steps": steps, "decay": decay},
    )
