"""The playground.

Deterministic resets, learning, rebuilds on new settings, clear errors, labelled figures.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lazynb.playground import Playground, parse_hidden, playground_snapshot


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _weights(pg):
    return [p["W"].copy() for p in pg.params]


def test_reset_is_deterministic_per_seed():
    a, b = Playground("xor", "4,4", seed=3), Playground("xor", "4,4", seed=3)
    assert all(np.array_equal(u, v) for u, v in zip(_weights(a), _weights(b)))
    a.run(20)
    b.run(20)
    assert {k: v for k, v in a.history.items() if k != "time"} == {
        k: v for k, v in b.history.items() if k != "time"
    }
    start = _weights(Playground("xor", "4,4", seed=3))
    a.reset()
    assert a.epoch == 0 and len(a.history["cost"]) == 1 and a.history["iterations"] == [0]
    assert all(np.array_equal(u, v) for u, v in zip(_weights(a), start))
    c = Playground("xor", "4,4", seed=4)
    assert not np.array_equal(_weights(c)[0], start[0])


def test_step_reduces_the_loss_on_xor():
    pg = Playground("xor", "4,4", activation="tanh", lr=0.03)
    before = pg.loss()["train"]
    pg.step()
    assert pg.epoch == 1 and pg.loss()["train"] < before
    pg.step(50)
    assert pg.epoch == 51 and pg.loss()["train"] < 0.5 * before


@pytest.mark.parametrize("optimizer", ["adam", "momentum"])
def test_run_trains_two_hidden_layers_on_the_donut(optimizer):
    pg = Playground(
        "donut",
        "8,8",
        activation="tanh",
        optimizer=optimizer,
        lr=0.03 if optimizer == "adam" else 0.1,
    )
    assert pg.layer_sizes == [2, 8, 8, 1] and pg.output == "sigmoid"
    calls = []
    pg.run(300, chunk=50, callback=lambda p: calls.append(p.epoch))
    assert calls == [50, 100, 150, 200, 250, 300]
    assert pg.score()["train"] > 0.9 and pg.score()["test"] > 0.9
    assert np.mean(pg.predict(pg.X_test) == pg.y_test) == pytest.approx(pg.score()["test"])


def test_no_hidden_layer_cannot_learn_the_donut():
    pg = Playground("donut", "", lr=0.03).run(200)
    assert pg.layer_sizes == [2, 1] and pg.score()["train"] < 0.7


def test_clouds_use_a_softmax_output():
    pg = Playground("clouds", "8").run(100)
    assert pg.output == "softmax" and pg.layer_sizes == [2, 8, 3]
    P = pg.predict_proba(pg.X_test)
    assert P.shape == (len(pg.X_test), 3) and np.allclose(P.sum(1), 1, atol=1e-5)
    assert pg.score()["test"] > 0.9


def test_changing_controls_rebuilds_the_model():
    pg = Playground("xor", "4,4").run(30)
    pg.configure(hidden="8,8,8")
    assert pg.epoch == 0 and pg.layer_sizes == [2, 8, 8, 8, 1]
    assert [p["W"].shape for p in pg.params] == [(2, 8), (8, 8), (8, 8), (8, 1)]
    pg.configure(dataset="clouds")
    assert pg.layer_sizes == [2, 8, 8, 8, 3] and set(np.unique(pg.y_train)) == {0, 1, 2}
    pg.configure(activation="relu", lr=0.01, l2=1e-3)
    assert (pg.activation, pg.lr, pg.l2, pg.epoch) == ("relu", 0.01, 1e-3, 0)


def test_l2_shrinks_the_weights():
    plain = Playground("spiral", "16,16").run(150)
    penal = Playground("spiral", "16,16", l2=1e-2).run(150)
    norm = lambda pg: sum(float(np.sum(p["W"] ** 2)) for p in pg.params)
    assert norm(penal) < 0.5 * norm(plain)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"hidden": "8,,x"}, ValueError, "'' is not a positive integer"),
        ({"hidden": "8,x"}, ValueError, "'x' is not a positive integer"),
        ({"hidden": "0"}, ValueError, "positive"),
        ({"hidden": 2.5}, TypeError, "hidden must be"),
        ({"lr": 0}, ValueError, "lr .*> 0"),
        ({"lr": -0.1}, ValueError, "lr .*> 0"),
        ({"l2": -1}, ValueError, "l2"),
        ({"dataset": "moons"}, ValueError, "unknown dataset 'moons'.*clouds, donut, spiral, xor"),
        ({"activation": "gelu"}, ValueError, "unknown activation"),
        ({"optimizer": "lbfgs"}, ValueError, "unknown optimizer"),
        ({"test_fraction": 1.0}, ValueError, "test_fraction"),
    ],
)
def test_bad_settings_give_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        Playground(**kwargs)
    pg = Playground("xor", "4")
    with pytest.raises(error, match=match):
        pg.configure(**kwargs)
    assert pg.hidden == (4,) and pg.dataset == "xor"  # a rejected change leaves it as it was


def test_parse_hidden_forms():
    assert (
        parse_hidden("8,8")
        == parse_hidden(" 8, 8 ")
        == parse_hidden("8 8")
        == parse_hidden((8, 8))
        == (8, 8)
    )
    assert parse_hidden(5) == (5,) and parse_hidden("") == parse_hidden(()) == ()


def test_bad_run_arguments():
    pg = Playground()
    with pytest.raises(ValueError, match="epochs"):
        pg.step(0)
    with pytest.raises(TypeError, match="callback"):
        pg.run(5, callback="redraw")
    with pytest.raises(ValueError, match=r"\(M, 2\)"):
        pg.predict_proba(np.zeros((3, 3)))


def test_divergence_is_reported():
    pg = Playground("donut", "8,8", activation="relu", optimizer="sgd", lr=1e5)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        pg.run(50)


def test_figures_are_titled_and_labelled():
    for fig in (
        Playground("xor", "4").run(5).render(),
        playground_snapshot("clouds", "8", epochs=20),
    ):
        assert fig.get_suptitle()
        axes = fig.get_axes()
        assert len(axes) == 2
        for ax in axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    fig, pg = playground_snapshot("donut", "8,8", epochs=10, return_playground=True)
    assert pg.epoch == 10 and "epoch 10" in fig.get_axes()[0].get_title()


def test_widget_controls_drive_the_playground():
    pytest.importorskip("ipywidgets")
    pg = Playground("xor", "4")
    box = pg.widget
    assert box is pg.widget  # built once
    pg._controls["hidden"].value = "6,6"
    assert pg.hidden == (6, 6)
    pg._controls["hidden"].value = "6,,x"  # shown as an error, the model is unchanged
    assert pg.hidden == (6, 6) and "not a positive integer" in pg._status.value
    pg._controls["dataset"].value = "clouds"
    assert pg.output == "softmax" and pg._status.value == ""
    pg._epochs_box.value = 20
    run_button = box.children[2].children[2]
    run_button.click()
    assert pg.epoch == 20
    box.children[2].children[1].click()  # step: ten epochs
    assert pg.epoch == 30
    box.children[2].children[0].click()  # reset
    assert pg.epoch == 0
