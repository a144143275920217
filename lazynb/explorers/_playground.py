"""The Beyond chapter's playground without a kernel: training at a grid of settings, replayed.

Every run is a :class:`lazynb.playground.Playground` (the object behind the widget)
trained with its own ``run`` method; at each checkpoint its ``predict_proba`` gives the
decision regions and its ``history`` the loss curves.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_positive_int
from ..playground import DATASETS, Playground, parse_hidden
from ..plots import CLASS_COLOURS
from ._figure import Control, StaticExplorer, frame_key, grid_keys

__all__ = ["HIDDEN", "playground_grid", "playground_explorer"]

# Hidden layers offered: none (logistic regression), one small layer, two, two wider.
HIDDEN = ("", "4", "8,8", "16,16")
RESOLUTION = 32  # decision regions on a 32 x 32 grid (smoothed when drawn): 1.4 kB a frame


def _label(hidden: tuple) -> str:
    return ",".join(map(str, hidden)) if hidden else "none"


def playground_grid(
    datasets=tuple(DATASETS),
    hidden=HIDDEN,
    *,
    epochs=300,
    every=25,
    resolution=RESOLUTION,
    **settings,
) -> dict:
    """Train one ``Playground`` per (data set, hidden layers); record checkpoints.

    settings: the other Playground arguments (activation, lr, l2, optimizer, seed, ...).
    Returns ``{(dataset, hidden tuple): run}``, run a dict with ``epochs`` (C,) checkpoint
    epochs 0, every, ..., epochs; ``proba`` (C, R, R): P(class 1) for two classes, else the
    predicted class, on the R x R grid ``gx`` (R,) x ``gy`` (R,); ``cost``, ``val_cost``:
    (epochs + 1,) losses per epoch; ``train_acc``, ``test_acc`` (C,); and the data
    ``X_train, y_train, X_test, y_test`` and ``describe``.
    """
    if isinstance(datasets, str) or not datasets or any(d not in DATASETS for d in datasets):
        raise ValueError(
            f"datasets must be a non-empty list from {list(DATASETS)}, got {datasets!r}"
        )
    if isinstance(hidden, str) or not hidden:
        raise TypeError(
            f"hidden must be a list of layer settings such as ['', '8,8'], got {hidden!r}"
        )
    hidden = [parse_hidden(h) for h in hidden]
    epochs = check_positive_int(epochs, "epochs")
    every = check_positive_int(every, "every")
    if epochs % every:
        raise ValueError(f"epochs ({epochs}) must be a multiple of every ({every})")
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    return {
        (ds, h): _train(Playground(ds, h, **settings), epochs, every, resolution)
        for ds in datasets
        for h in hidden
    }


def _train(pg: Playground, epochs: int, every: int, resolution: int) -> dict:
    """Train ``pg`` with its own ``run``, recording a checkpoint every ``every`` epochs."""
    X = np.vstack([pg.X_train, pg.X_test])
    (x0, y0), (x1, y1) = X.min(0) - 0.5, X.max(0) + 0.5  # as Playground.render
    gx, gy = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    points = np.column_stack([np.tile(gx, resolution), np.repeat(gy, resolution)])
    proba, train_acc, test_acc = [], [], []

    def checkpoint(p):
        P = p.predict_proba(points)
        P = P if P.ndim == 1 else P.argmax(1).astype(float)
        proba.append(P.reshape(resolution, resolution))  # rows: y, columns: x
        s = p.score()
        train_acc.append(s["train"])
        test_acc.append(s["test"])

    checkpoint(pg)
    pg.run(epochs, chunk=every, callback=checkpoint)
    return {
        "epochs": np.arange(0, epochs + 1, every),
        "proba": np.array(proba),
        "gx": gx,
        "gy": gy,
        "cost": np.array(pg.history["cost"], float),
        "val_cost": np.array(pg.history["val_cost"], float),
        "train_acc": np.array(train_acc),
        "test_acc": np.array(test_acc),
        "X_train": pg.X_train,
        "y_train": pg.y_train,
        "X_test": pg.X_test,
        "y_test": pg.y_test,
        "n_classes": pg.n_classes,
        "describe": pg.describe(),
    }


def _class_scale(k: int) -> list:
    """A Plotly colour scale giving class i of k its book colour (values 0 .. k - 1)."""
    return [[i / max(k - 1, 1), CLASS_COLOURS[i % len(CLASS_COLOURS)]] for i in range(max(k, 2))]


def as_bytes(proba: np.ndarray, n_classes: int) -> np.ndarray:
    """Decision regions as uint8 for the page: round(255 P) for two classes, the class index
    otherwise. (R, R) -> (R, R) uint8; tests compare with this same rounding."""
    if n_classes == 2:
        return np.rint(255 * np.asarray(proba)).astype(np.uint8)
    return np.asarray(proba).astype(np.uint8)


def playground_explorer(
    dataset="spiral",
    hidden="8,8",
    *,
    datasets=tuple(DATASETS),
    hiddens=HIDDEN,
    epochs=300,
    every=25,
    **settings,
) -> StaticExplorer:
    """The static explorer: menus for the data set and the hidden layers, an epoch slider with play.

    dataset, hidden: shown first (added to the grid if missing); settings: activation, lr,
    l2, optimizer, seed... (as ``Playground``), the same for every run. Returns a
    ``StaticExplorer``.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    hidden = parse_hidden(hidden)
    hiddens = list(dict.fromkeys([parse_hidden(h) for h in hiddens] + [hidden]))
    hiddens.sort(key=lambda h: (len(h), h))
    datasets = tuple(dict.fromkeys([*datasets, dataset]))
    grid = playground_grid(datasets, hiddens, epochs=epochs, every=every, **settings)
    checkpoints = next(iter(grid.values()))["epochs"]
    controls = (
        Control("dataset", "data set", datasets, kind="select"),
        Control("hidden", "hidden layers", tuple(_label(h) for h in hiddens), kind="select"),
        Control("epoch", "epoch", tuple(str(int(e)) for e in checkpoints), play=True),
    )
    n_point_traces = 2 * len(datasets)
    two = [[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]]  # P(class 1): blue, white, red

    def frame_data(key):
        d, h, c = key
        run = grid[datasets[d], hiddens[h]]
        binary = run["n_classes"] == 2
        gx, gy, e = run["gx"], run["gy"], int(checkpoints[c])
        visible = [i // 2 == d for i in range(n_point_traces)]
        return (
            [
                go.Heatmap(
                    z=as_bytes(run["proba"][c], run["n_classes"]),
                    x0=float(gx[0]),
                    dx=float(gx[1] - gx[0]),
                    y0=float(gy[0]),
                    dy=float(gy[1] - gy[0]),
                    zmin=0,
                    zmax=255 if binary else run["n_classes"] - 1,
                    colorscale=two if binary else _class_scale(run["n_classes"]),
                    opacity=0.45,
                    zsmooth="best",
                ),
                # float32: half the bytes; the curve is drawn, not read off to many digits
                go.Scatter(
                    x0=0, dx=1, y=run["cost"][: e + 1].astype(np.float32)
                ),  # x: epoch 0, 1, ...
                go.Scatter(x0=0, dx=1, y=run["val_cost"][: e + 1].astype(np.float32)),
                *[go.Scatter(visible=v) for v in visible],
            ],
            {
                "title": {
                    "text": f"{run['describe']}: epoch {e}, train acc {run['train_acc'][c]:.0%}, "
                    f"test acc {run['test_acc'][c]:.0%}"
                },
                "xaxis": {"range": [float(gx[0]), float(gx[-1])]},
                "yaxis": {"range": [float(gy[0]), float(gy[-1])]},
            },
        )

    keys = grid_keys(controls)
    traces_updated = [0, 1, 2, *range(3, 3 + n_point_traces)]
    frames = []
    for k in keys:
        data, layout = frame_data(k)
        frames.append(go.Frame(name=frame_key(k), data=data, traces=traces_updated, layout=layout))
    initial = (datasets.index(dataset), hiddens.index(hidden), len(checkpoints) - 1)
    data, layout = frame_data(initial)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.52, 0.48], horizontal_spacing=0.1)
    heat, cost, val = data[:3]
    fig.add_trace(heat.update(showscale=False, hoverinfo="skip", name="decision regions"), 1, 1)
    fig.add_trace(
        cost.update(name="train loss", mode="lines", line=dict(color=CLASS_COLOURS[0], width=2)),
        1,
        2,
    )
    fig.add_trace(
        val.update(
            name="test loss", mode="lines", line=dict(color=CLASS_COLOURS[1], width=2, dash="dash")
        ),
        1,
        2,
    )
    k_max = max(run["n_classes"] for run in grid.values())
    point_scale = _class_scale(k_max)
    for d, ds in enumerate(datasets):
        run = grid[ds, hiddens[0]]  # the data depend on the data set only
        for part, symbol in (("train", "circle"), ("test", "triangle-up")):
            fig.add_trace(
                go.Scatter(
                    x=run[f"X_{part}"][:, 0].astype(np.float32),
                    y=run[f"X_{part}"][:, 1].astype(np.float32),
                    mode="markers",
                    name=f"{part} points",
                    visible=d == initial[0],
                    showlegend=d == 0,
                    legendgroup=part,
                    marker=dict(
                        size=6,
                        symbol=symbol,
                        color=run[f"y_{part}"].astype(np.uint8),
                        cmin=0,
                        cmax=max(k_max - 1, 1),
                        colorscale=point_scale,
                        line=dict(color="white", width=0.5),
                    ),
                ),
                1,
                1,
            )
    fig.frames = frames
    fig.update_layout(
        template="simple_white",
        height=480,
        margin=dict(l=60, r=20, t=60, b=50),
        legend=dict(orientation="h", y=-0.18),
        **layout,
    )
    fig.update_xaxes(title_text="x1", row=1, col=1)
    fig.update_yaxes(title_text="x2", row=1, col=1)
    fig.update_xaxes(title_text="epoch", range=[0, epochs], row=1, col=2)
    top = max(float(max(r["cost"].max(), r["val_cost"].max())) for r in grid.values())
    fig.update_yaxes(title_text="cross-entropy", range=[0, 1.05 * top], row=1, col=2)
    s = next(iter(grid.values()))["describe"].split(": ", 1)[1]
    description = (
        f"The playground's network trained on {len(datasets)} data sets with "
        f"{len(hiddens)} choices of hidden layers ({', '.join(_label(h) for h in hiddens)}), "
        f"every run by the book's Playground class ({s.split(' ', 1)[1]}), with checkpoints every "
        f"{every} epochs up to {epochs}. Left: the decision regions (shading: the predicted "
        f"class, pale where the network is unsure) with the training points (circles) and the "
        f"test points (triangles); right: the training and test loss up to the chosen epoch. "
        f"The menus pick the data set and the hidden layers; the epoch slider (or its Play "
        f"button) replays the training."
    )
    return StaticExplorer(
        kind="playground",
        figure=fig,
        controls=controls,
        frames={frame_key(k): frame_key(k) for k in keys},
        initial=initial,
        description=description,
        height=480,
        results={"grid": grid, "datasets": datasets, "hiddens": hiddens, "settings": settings},
    )
