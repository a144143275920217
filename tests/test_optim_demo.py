"""Gradient descent in one variable: the path is right, the figures are labelled, the slider redraws."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lazynb.optim_demo import LearningRateExplorer, descent_path, learning_rate_panel, plot_descent

J = lambda x: x**2 + x
dJ = lambda x: 2 * x + 1


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _assert_labelled(ax):
    assert ax.get_title(), "every figure needs a title"
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need labels"


def test_descent_path_follows_the_update_rule():
    path = descent_path(dJ, 2.0, 0.1, 5)
    assert path.shape == (6,) and path[0] == 2.0
    expected = [2.0]
    for _ in range(5):
        expected.append(expected[-1] - 0.1 * dJ(expected[-1]))
    assert np.allclose(path, expected, rtol=0, atol=0)
    assert descent_path(dJ, 2.0, 0.1, 0).tolist() == [2.0]


def test_descent_path_regimes_of_the_quadratic():
    # Distance to the minimum -1/2 is multiplied by (1 - 2 lr) at every step.
    for lr in (0.02, 0.3, 0.9, 1.05):
        d = descent_path(dJ, 1.5, lr, 10) + 0.5
        assert np.allclose(d[1:], (1 - 2 * lr) * d[:-1])
    assert descent_path(dJ, 1.5, 0.5, 1)[-1] == -0.5
    assert abs(descent_path(dJ, 3.0, 0.3, 60)[-1] + 0.5) < 1e-12


def test_descent_path_checks_its_inputs():
    with pytest.raises(TypeError, match="function"):
        descent_path("2x+1", 0.0, 0.1, 3)
    with pytest.raises(ValueError, match="positive"):
        descent_path(dJ, 0.0, 0.0, 3)
    with pytest.raises(ValueError, match=">= 0"):
        descent_path(dJ, 0.0, 0.1, -1)
    with pytest.raises(TypeError, match="integer"):
        descent_path(dJ, 0.0, 0.1, 2.5)
    with pytest.raises(TypeError, match="number"):
        descent_path(dJ, "0", 0.1, 2)


def test_plot_descent_is_labelled_and_says_when_it_diverged():
    ax = plot_descent(J, descent_path(dJ, 1.5, 0.3, 10))
    _assert_labelled(ax)
    assert "diverged" not in ax.get_title()
    ax = plot_descent(J, descent_path(dJ, 1.5, 1.05, 40), x_range=(-2.5, 2.0), title="too large")
    assert ax.get_title() == "too large (diverged)"
    # A second path on the same Axes does not draw J again.
    n_lines = len(ax.lines)
    plot_descent(J, descent_path(dJ, -2.0, 0.1, 5), ax, curve=False)
    assert len(ax.lines) == n_lines + 3  # path line, points, start marker
    with pytest.raises(ValueError, match="x_range"):
        plot_descent(J, [0.0], x_range=(1, 0))
    with pytest.raises(ValueError, match="1-D"):
        plot_descent(J, np.zeros((2, 2)))


def test_learning_rate_panel_has_one_panel_per_rate_and_a_distance_plot():
    fig = learning_rate_panel(
        J, dJ, 1.5, [0.02, 0.3, 0.9, 1.05], steps=20, x_min=-0.5, x_range=(-2.5, 2.0)
    )
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5
    for ax in visible:
        _assert_labelled(ax)
    assert visible[-1].get_yscale() == "log"
    assert "diverged" in visible[3].get_title()
    fig = learning_rate_panel(J, dJ, 1.5, [0.1, 0.2])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    with pytest.raises(ValueError, match="at least one"):
        learning_rate_panel(J, dJ, 1.5, [])
    with pytest.raises(ValueError, match="positive"):
        learning_rate_panel(J, dJ, 1.5, [0.1, -0.1])


def test_learning_rate_explorer_redraws_on_slider_change():
    pytest.importorskip("ipywidgets")
    ex = LearningRateExplorer(J, dJ, x0=1.5, lr=0.1, steps=20)
    assert np.allclose(ex.path_, descent_path(dJ, 1.5, 0.1, 20))
    ex.lr.value = 0.9
    assert np.allclose(ex.path_, descent_path(dJ, 1.5, 0.9, 20))
    ex.steps.value = 5
    ex.x0.value = -1.0
    assert np.allclose(ex.path_, descent_path(dJ, -1.0, 0.9, 5))
    ax = plt.figure().add_subplot()
    path = ex.render(ax)
    assert len(path) == 6 and "lr = 0.90" in ax.get_title()
    _assert_labelled(ax)
    with pytest.raises(TypeError, match="function"):
        LearningRateExplorer(J, None)
