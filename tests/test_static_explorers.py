"""The static explorers (lazynb.explorers): the numbers on the page are the kernel's numbers.

For three grid points of each explorer, the frame embedded in its HTML is compared with a
fresh run of the live explorer (the ipywidgets object, or the Playground the widget drives).
Also: each explorer's HTML stays under 1.5 MB and loads nothing from outside, the
live/static switch picks one of the two, and bad arguments raise clear errors.
"""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("plotly")
pytest.importorskip("ipywidgets")

from lazynb import explorers  # noqa: E402
from lazynb.explorers import (  # noqa: E402
    ENV_VAR,
    decode,
    embedded_frames,
    show_explorer,
    static_explorer,
    static_explorers_enabled,
)
from lazynb.explorers._playground import as_bytes  # noqa: E402
from lazynb.explorers.site import PLOTLY_JS, setup, write_plotlyjs  # noqa: E402

MAX_BYTES = 1_500_000


def J(x):
    return x**2 + x


def dJ(x):
    return 2 * x + 1


# The arguments of the three explorer cells of the book (chapters 3, 5 and Beyond).
LR_ARGS = dict(x0=1.5, lr=0.1, steps=20, x_range=(-2.5, 2.0))
PG_ARGS = dict(activation="tanh", lr=0.03)


@pytest.fixture(scope="module")
def lr_explorer():
    return static_explorer("learning-rate", J, dJ, **LR_ARGS)


@pytest.fixture(scope="module")
def opt_explorer():
    return static_explorer("optimizer")


@pytest.fixture(scope="module")
def pg_explorer():
    return static_explorer("playground", "spiral", "8,8", **PG_ARGS)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _frame(ex, indices):
    """The frame the page shows for these control positions, parsed from the HTML itself."""
    frames = embedded_frames(ex.html)
    return frames[ex.frames["|".join(map(str, indices))]]


# -- the numbers on the page against the kernel ----------------------------------------


@pytest.mark.parametrize("lr, k", [(0.1, 20), (1.0, 7), (1.05, 20)])
def test_learning_rate_frames_match_the_widget(lr_explorer, lr, k):
    ex = lr_explorer
    i = ex.results["lrs"].index(lr)
    frame = _frame(ex, (i, k))
    from lazynb.optim_demo import LearningRateExplorer

    live = LearningRateExplorer(J, dJ, x0=1.5, lr=lr, steps=k, x_range=(-2.5, 2.0))
    x = decode(frame["data"][0]["x"])
    np.testing.assert_array_equal(x, live.path_)
    np.testing.assert_array_equal(decode(frame["data"][0]["y"]), J(live.path_))
    np.testing.assert_array_equal(decode(frame["data"][1]["y"]), J(live.path_))
    assert f"after {k} steps" in frame["layout"]["title"]["text"]


@pytest.mark.parametrize(
    "name, lr, mu", [("Momentum", 0.03, 0.8), ("Adam", 0.3, 0.9), ("Nesterov", 0.1, 0.5)]
)
def test_optimizer_frames_match_the_widget(opt_explorer, name, lr, mu):
    ex = opt_explorer
    from lazynb.optim_explorer import OPTIMIZERS, OptimizerExplorer

    key = (OPTIMIZERS.index(name), ex.results["lrs"].index(lr), ex.results["mus"].index(mu))
    frame = _frame(ex, key)
    live = OptimizerExplorer(name, lr=lr, mu=mu).runs_
    # Trace order: SGD's path, the chosen path, SGD's loss, the chosen loss.
    labels = list(live)
    assert [frame["data"][j]["name"] for j in range(len(labels))] == labels
    for j, (label, tr) in enumerate(live.items()):
        path_x = decode(frame["data"][j]["x"])
        loss = decode(frame["data"][2 + j]["y"])
        if tr is None:  # diverged: named, not drawn
            assert label.endswith("(diverged)") and path_x.size == 0 and loss.size == 0
            continue
        np.testing.assert_array_equal(path_x, tr.x[:, 0])
        np.testing.assert_array_equal(decode(frame["data"][j]["y"]), tr.x[:, 1])
        np.testing.assert_array_equal(loss, np.maximum(tr.f, 1e-16))
    assert any(tr is None for tr in live.values()) == (
        "diverged" in frame["layout"]["title"]["text"]
    )


def test_optimizer_grid_holds_a_diverged_run(opt_explorer):
    # lr = 3 is far beyond 2/25, the largest stable lr of plain SGD on this valley
    frame = _frame(opt_explorer, (0, len(opt_explorer.results["lrs"]) - 1, 0))
    assert frame["data"][0]["name"] == "SGD (diverged)"
    assert decode(frame["data"][0]["x"]).size == 0


@pytest.mark.parametrize(
    "dataset, hidden, checkpoint", [("spiral", "8,8", 12), ("xor", "4", 2), ("clouds", "", 6)]
)
def test_playground_frames_match_a_fresh_playground(pg_explorer, dataset, hidden, checkpoint):
    from lazynb.playground import Playground, parse_hidden

    ex = pg_explorer
    d = ex.results["datasets"].index(dataset)
    h = ex.results["hiddens"].index(parse_hidden(hidden))
    frame = _frame(ex, (d, h, checkpoint))
    epoch = 25 * checkpoint
    pg = Playground(dataset, hidden, **PG_ARGS)
    if epoch:
        pg.step(epoch)
    heat = frame["data"][0]
    z = decode(heat["z"])
    R = z.shape[0]
    # The decision regions over the picture Playground.render draws: the data's extent + 0.5.
    X = np.vstack([pg.X_train, pg.X_test])
    gx = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, R)
    gy = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, R)
    assert np.allclose(
        [heat["x0"], heat["dx"], heat["y0"], heat["dy"]],
        [gx[0], gx[1] - gx[0], gy[0], gy[1] - gy[0]],
    )
    P = pg.predict_proba(np.column_stack([np.tile(gx, R), np.repeat(gy, R)]))
    P = P if P.ndim == 1 else P.argmax(1)
    np.testing.assert_array_equal(z, as_bytes(P.reshape(R, R), pg.n_classes))
    assert np.allclose(decode(frame["data"][1]["y"]), pg.history["cost"], rtol=1e-6)
    assert np.allclose(decode(frame["data"][2]["y"]), pg.history["val_cost"], rtol=1e-6)
    acc = pg.score()
    assert (
        f"epoch {epoch}, train acc {acc['train']:.0%}, test acc {acc['test']:.0%}"
        in (frame["layout"]["title"]["text"])
    )


def test_playground_grid_is_the_kernels_run(pg_explorer):
    # The grid itself (before rounding for the page) holds Playground's own probabilities.
    from lazynb.playground import Playground

    run = pg_explorer.results["grid"]["spiral", (8, 8)]
    pg = Playground("spiral", "8,8", **PG_ARGS).step(50)
    R = run["gx"].size
    points = np.column_stack([np.tile(run["gx"], R), np.repeat(run["gy"], R)])
    np.testing.assert_array_equal(run["proba"][2].ravel(), pg.predict_proba(points))


# -- the page --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lr_explorer", "opt_explorer", "pg_explorer"])
def test_html_is_small_and_self_contained(request, name):
    ex = request.getfixturevalue(name)
    html = ex.html
    assert ex.size_bytes < MAX_BYTES, f"{ex.kind}: {ex.size_bytes} bytes"
    # Nothing that could load from elsewhere (the base64 arrays are left out of the search).
    text = re.sub(r'"bdata":"[^"]*"', "", html)
    assert not re.search(r"\bsrc\s*=|https?:|//cdn|require\(", text, re.IGNORECASE)
    assert ex.description in html.replace("&#x27;", "'")
    frames = embedded_frames(html)
    assert set(ex.frames.values()) == set(frames)
    # every control is a labelled form element
    for i in range(len(ex.controls)):
        assert f'<label for="{ex.div_id}-c{i}">' in html and f'id="{ex.div_id}-c{i}"' in html


def test_play_button_only_on_time_axes(lr_explorer, opt_explorer, pg_explorer):
    assert [c.play for c in lr_explorer.controls] == [False, True]
    assert not any(c.play for c in opt_explorer.controls)
    assert [c.name for c in pg_explorer.controls if c.play] == ["epoch"]
    button = '<button type="button" data-play='
    assert button not in opt_explorer.html and button in pg_explorer.html


# -- the live/static switch ------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_environment_variable(value, expected):
    assert static_explorers_enabled({ENV_VAR: value}) is expected
    assert static_explorers_enabled({}) is False


def test_show_explorer_picks_one(monkeypatch):
    from IPython.display import HTML

    from lazynb.optim_demo import LearningRateExplorer

    monkeypatch.setenv(ENV_VAR, "1")
    shown = show_explorer("learning-rate", J, dJ, **LR_ARGS)
    assert isinstance(shown, HTML) and 'class="lazynb-explorer"' in shown.data
    monkeypatch.delenv(ENV_VAR)
    live = show_explorer("learning-rate", J, dJ, **LR_ARGS)
    assert isinstance(live, LearningRateExplorer)
    assert isinstance(
        show_explorer("learning-rate", J, dJ, static=False, **LR_ARGS), LearningRateExplorer
    )


def test_show_explorer_live_kinds():
    from lazynb.optim_explorer import OptimizerExplorer
    from lazynb.playground import Playground

    assert isinstance(explorers.live_explorer("optimizer"), OptimizerExplorer)
    assert isinstance(explorers.live_explorer("playground", "spiral", "8,8", **PG_ARGS), Playground)


# -- bad arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: show_explorer("sliders"), ValueError),
        (lambda: show_explorer(3), TypeError),
        (lambda: show_explorer("optimizer", static="yes"), TypeError),
        (lambda: static_explorer("learning-rate", J, dJ, lr=-0.1), ValueError),
        (lambda: static_explorer("learning-rate", "J", dJ), TypeError),
        (lambda: static_explorer("learning-rate", J, dJ, lrs="0.1"), TypeError),
        (lambda: static_explorer("learning-rate", J, dJ, x_range=(2, 1)), ValueError),
        (lambda: static_explorer("learning-rate", J, dJ, steps=0), ValueError),
        (lambda: static_explorer("optimizer", "sgd"), ValueError),
        (lambda: static_explorer("optimizer", lrs=[0.1, -1.0]), ValueError),
        (lambda: static_explorer("playground", "moons"), ValueError),
        (lambda: static_explorer("playground", hidden="8,x"), ValueError),
        (lambda: static_explorer("playground", epochs=100, every=30), ValueError),
        (lambda: static_explorer("playground", activation="nope"), ValueError),
        (lambda: embedded_frames(b"<div>"), TypeError),
        (lambda: embedded_frames("<div></div>"), ValueError),
        (lambda: write_plotlyjs(3), TypeError),
    ],
)
def test_bad_arguments(call, error):
    with pytest.raises(error):
        call()


# -- plotly.js from the site -----------------------------------------------------------


def test_write_plotlyjs(tmp_path):
    import plotly

    path = write_plotlyjs(tmp_path / "_static")
    assert path.name == PLOTLY_JS and path.stat().st_size > 1_000_000
    text = path.read_text(encoding="utf-8")
    assert "plotly" in text.lower() and plotly.offline.get_plotlyjs_version() in text
    mtime = path.stat().st_mtime_ns
    assert write_plotlyjs(tmp_path / "_static") == path and path.stat().st_mtime_ns == mtime
    with pytest.raises(ValueError):
        write_plotlyjs(path)  # a file, not a folder
    other = tmp_path / "small.js"
    other.write_text("/* a smaller plotly.js build */", encoding="utf-8")
    assert (
        write_plotlyjs(tmp_path / "_static", other).read_text(encoding="utf-8") == other.read_text()
    )
    with pytest.raises(ValueError):
        write_plotlyjs(tmp_path, tmp_path / "missing.js")


def test_sphinx_hook_adds_plotly_to_explorer_pages_only(tmp_path):
    class App:
        def __init__(self):
            self.handlers, self.js = {}, []
            self.outdir = self.srcdir = tmp_path
            self.builder = type("B", (), {"format": "html"})()
            self.config = type("C", (), {"lazynb_plotlyjs": None})()

        def add_config_value(self, name, default, rebuild):
            assert name == "lazynb_plotlyjs" and default is None

        def connect(self, event, fn):
            self.handlers[event] = fn

        def add_js_file(self, name, **kw):
            self.js.append(name)

    app = App()
    assert setup(app)["parallel_read_safe"]
    page = app.handlers["html-page-context"]
    page(app, "a", "page.html", {"body": '<div class="lazynb-explorer" id="x">'}, None)
    page(app, "b", "page.html", {"body": "<p>no explorer</p>"}, None)
    assert app.js == [PLOTLY_JS]
    app.handlers["build-finished"](app, None)
    assert (tmp_path / "_static" / PLOTLY_JS).is_file()
