"""Figures are titled and labelled; the widget redraws; the source helper shows real source."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lazynb import plots, repro
from lazynb.neuron import LogisticUnit, logistic_unit
from lazynb.source import get_source, show_source


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _blobs():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(-2, 1, (30, 2)), rng.normal(2, 1, (30, 2))]), np.repeat([0, 1], 30)


def _assert_labelled(ax):
    assert ax.get_title(), "every figure needs a title"
    if ax.axison:
        assert ax.get_xlabel() and ax.get_ylabel(), "both axes need labels"


def test_every_plot_is_titled_and_labelled():
    X, y = _blobs()
    unit = LogisticUnit(epochs=20).fit(X, y)
    for ax in (
        plots.plot_sigmoid(),
        plots.plot_data_2d(X, y),
        plots.plot_decision_boundary(unit.predict_proba, X, y),
        plots.plot_history(unit.history_, ["cost", "error"]),
        plots.plot_network([2, 3, 1]),
        plots.plot_sweep([{"units": 10, "train_error": 0.2, "test_error": 0.3}], "units"),
    ):
        _assert_labelled(ax)


def test_plot_sweep_draws_both_errors_in_order_of_the_setting():
    rows = [
        {"layers": 3, "train_error": 0.01, "test_error": 0.07},
        {"layers": 1, "train_error": 0.05, "test_error": 0.09},
    ]
    ax = plots.plot_sweep(rows, "layers")
    train, test = ax.get_lines()
    assert list(train.get_xdata()) == [1, 3] and list(train.get_ydata()) == [0.05, 0.01]
    assert list(test.get_ydata()) == [0.09, 0.07]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train error", "test error"]


def test_plot_errors_are_clear():
    X, y = _blobs()
    with pytest.raises(ValueError, match="2 columns"):
        plots.plot_data_2d(np.ones((3, 3)), [0, 1, 0])
    with pytest.raises(TypeError, match="callable"):
        plots.plot_decision_boundary("not a function", X, y)
    with pytest.raises(ValueError, match="available"):
        plots.plot_history({"cost": [1, 2]}, "loss")
    with pytest.raises(ValueError, match="layer_sizes"):
        plots.plot_network([3])
    with pytest.raises(TypeError, match="list of dicts"):
        plots.plot_sweep({"units": 1}, "units")
    with pytest.raises(ValueError, match="lacks \\['test_error'\\]"):
        plots.plot_sweep([{"units": 1, "train_error": 0.1}], "units")
    with pytest.raises(TypeError, match="must be a number"):
        plots.plot_sweep([{"units": "wide", "train_error": 0.1, "test_error": 0.2}], "units")


def test_neuron_explorer_redraws_on_slider_change():
    pytest.importorskip("ipywidgets")
    from lazynb.widgets import NeuronExplorer, neuron_panel

    X, y = _blobs()
    ex = NeuronExplorer(X, y, w1=1.0, w2=1.0, b=0.0)
    good = ex.error_
    ex.w1.value, ex.w2.value = -1.0, -1.0  # flips the boundary: almost everything wrong
    assert ex.error_ > 0.9 and good < 0.1
    expected = np.mean((logistic_unit(X, [-1.0, -1.0], 0.0) >= 0.5) != y)
    assert ex.error_ == pytest.approx(expected)
    fig = neuron_panel(X, y, [(1, 1, 0), (0, 1, 0)])
    assert all(a.get_title() for a in fig.axes if a.get_visible())
    with pytest.raises(ValueError, match="triples"):
        neuron_panel(X, y, [(1, 2)])


def test_show_source_shows_the_real_code():
    src = show_source(LogisticUnit.fit)
    assert str(src).startswith("def fit(self, X, y):")
    assert "self.w_ -=" in str(src)
    assert "<span" in src._repr_html_()
    no_doc = get_source(LogisticUnit.fit, docstring=False)
    assert '"""' not in no_doc and "self.w_ -=" in no_doc
    with pytest.raises(TypeError, match="function, class"):
        show_source(42)


def test_set_seed_makes_numpy_reproducible():
    a = repro.set_seed(3).normal(size=3), np.random.rand(2)
    b = repro.set_seed(3).normal(size=3), np.random.rand(2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    with pytest.raises(ValueError):
        repro.set_seed(-1)
    with pytest.raises(TypeError):
        repro.set_seed(1.5)


def test_importing_lazynb_does_not_import_tensorflow():
    import subprocess

    code = (
        "import lazynb, lazynb.plots, lazynb.neuron, lazynb.data, lazynb.exercises, sys; "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
