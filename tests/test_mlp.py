"""The NumPy MLP: initialisation, forward/backward against the e-book's formulas, the fast
training step against backward, training behaviour, the estimator API and its errors."""

import io
import itertools

import numpy as np
import pytest

from lazynb.activations import ACTIVATIONS, sigmoid, softmax
from lazynb.data import load_mnist, make_clouds, make_donut, make_spiral, one_hot
from lazynb.losses import (
    binary_cross_entropy_with_logits,
    categorical_cross_entropy_with_logits,
    mean_squared_error,
)
from lazynb.mlp import MLP, OUTPUTS, backward, forward, init_params, loss
from lazynb.progress import ProgressBar


def _small(seed=0, n=8, d=3, k=4):
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, d)), one_hot(rng.integers(0, k, n), k, dtype=np.float64)


# --- init_params --------------------------------------------------------------------------


def test_init_params_follows_the_documented_procedure():
    params = init_params([5, 4, 3], activation="relu", seed=7)
    rng = np.random.default_rng(7)
    W1 = (rng.standard_normal((5, 4)) * np.sqrt(2 / 5)).astype(np.float32)
    W2 = (rng.standard_normal((4, 3)) * np.sqrt(2 / 4)).astype(np.float32)
    assert np.array_equal(params[0]["W"], W1) and np.array_equal(params[1]["W"], W2)
    assert (
        params[0]["b"].dtype == np.float32
        and not params[0]["b"].any()
        and params[1]["b"].shape == (3,)
    )
    tanh = init_params([5, 4, 3], activation="tanh", seed=7, dtype=np.float64)
    rng = np.random.default_rng(7)
    assert np.allclose(tanh[0]["W"], rng.standard_normal((5, 4)) * np.sqrt(1 / 5))
    assert tanh[0]["W"].dtype == np.float64
    nob = init_params([5, 4, 3], seed=7, use_bias=False)
    assert all(layer.keys() == {"W"} for layer in nob)
    assert np.array_equal(nob[1]["W"], params[1]["W"])  # biases draw nothing


def test_init_params_scale_keeps_the_signal():
    # He scale: a deep ReLU stack neither vanishes nor explodes on average.
    params = init_params([500] * 6, activation="relu", seed=0, dtype=np.float64)
    X = np.random.default_rng(1).normal(size=(200, 500))
    Y, cache = forward(params, X, activation="relu", output="identity")
    assert 0.3 < Y.std() < 3


@pytest.mark.parametrize(
    "kwargs, err, msg",
    [
        ({"layer_sizes": [3]}, ValueError, "at least"),
        ({"layer_sizes": [3, 0]}, ValueError, ">= 1"),
        ({"layer_sizes": [3, 2.5]}, TypeError, "integer"),
        ({"layer_sizes": "34"}, TypeError, "list of ints"),
        ({"layer_sizes": [3, 2], "activation": "softplus"}, ValueError, "valid names"),
        ({"layer_sizes": [3, 2], "dtype": np.int32}, ValueError, "float32 or np.float64"),
        ({"layer_sizes": [3, 2], "seed": -1}, ValueError, ">= 0"),
        ({"layer_sizes": [3, 2], "use_bias": "yes"}, TypeError, "use_bias"),
    ],
)
def test_init_params_rejects_bad_arguments(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        init_params(**kwargs)


# --- forward / backward -------------------------------------------------------------------


def test_forward_is_the_ebook_network():
    rng, X, T = _small()
    params = init_params([3, 5, 4], activation="sigmoid", seed=1, dtype=np.float64)
    params[0]["b"][:] = rng.normal(size=5)
    (W1, b1), (W2, b2) = ((p["W"], p["b"]) for p in params)
    Y, cache = forward(params, X, activation="sigmoid")
    Z = sigmoid(X @ W1 + b1)
    assert np.allclose(Y, softmax(Z @ W2 + b2)) and np.allclose(Y.sum(axis=1), 1)
    assert np.allclose(cache["inputs"][1], Z) and np.allclose(cache["pre"][0], X @ W1 + b1)
    assert np.allclose(cache["logits"], Z @ W2 + b2) and cache["Y"] is Y
    # backward reproduces the e-book's grad_W2 = Z.T (Y - T) and
    # grad_W1 = X.T ((Y - T) W2.T * Z (1 - Z)), divided by N for the mean loss.
    g = backward(params, cache, T, activation="sigmoid")
    N = len(X)
    assert np.allclose(g[1]["W"], Z.T @ (Y - T) / N)
    assert np.allclose(g[0]["W"], X.T @ ((Y - T) @ W2.T * Z * (1 - Z)) / N)
    assert np.allclose(g[1]["b"], (Y - T).sum(axis=0) / N)


def test_loss_matches_the_losses_module():
    rng, X, T = _small(2)
    for act, out in itertools.product(ACTIVATIONS, OUTPUTS):
        params = init_params([3, 6, 4], activation=act, seed=3, dtype=np.float64)
        logits = forward(params, X, activation=act, output=out)[1]["logits"]
        value = loss(params, X, T, activation=act, output=out)
        if out == "softmax":
            assert value == pytest.approx(categorical_cross_entropy_with_logits(T, logits))
        elif out == "sigmoid":
            assert value == pytest.approx(binary_cross_entropy_with_logits(T, logits))
        else:  # half the squared error, summed over the K outputs: K/2 times the MSE
            assert value == pytest.approx(4 / 2 * mean_squared_error(T, logits))


def test_float32_stays_float32():
    _, X, T = _small(3)
    params = init_params([3, 5, 4])
    Y, cache = forward(params, X)  # float64 X is cast to the weights' dtype
    assert Y.dtype == np.float32 and all(
        g["W"].dtype == np.float32 for g in backward(params, cache, T)
    )


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("output", OUTPUTS)
def test_a_training_step_is_forward_backward_and_the_update(activation, output):
    """MLP trains with the functions the chapters show: one full-batch epoch is one step."""
    _, X, T = _small(4, n=6)
    kw = {"activation": activation, "output": output}
    m = MLP((5, 2), lr=0.1, dtype=np.float64, monitor="running", **kw).build(3, 4)
    start = m.params_
    m.partial_fit(X, T)
    grads = backward(start, forward(start, X, **kw)[1], T, **kw)
    for p, q, g in zip(m.params_, start, grads):
        for k in p:
            np.testing.assert_allclose(p[k], q[k] - 0.1 * g[k], rtol=1e-12, atol=1e-15)
    assert m.history_["cost"] == [pytest.approx(loss(start, X, T, **kw))]


@pytest.mark.parametrize("scale", [1.0, 30.0, 300.0])
def test_the_training_step_is_stable_for_any_spread_of_scores(scale):
    _, X, T = _small(5, n=6)
    m = MLP((5,), seed=6, monitor="running").build(3, 4)
    p = m.params_
    p[1]["W"] *= scale
    p[1]["b"][:] = [0.0, 0.0, 0.0, -3 * scale]
    m.params_ = p
    m.partial_fit(X, T)  # scores up to ~1000 apart: a naive softmax would overflow
    assert np.isfinite(m.history_["cost"][0]) and all(
        np.all(np.isfinite(q["W"])) for q in m.params_
    )


def test_forward_backward_loss_reject_bad_input():
    _, X, T = _small()
    params = init_params([3, 5, 4], dtype=np.float64)
    Y, cache = forward(params, X)
    with pytest.raises(ValueError, match="first layer expects 3"):
        forward(params, X[:, :2])
    with pytest.raises(TypeError, match="numbers"):
        forward(params, np.full(X.shape, "x"))
    with pytest.raises(ValueError, match="finite"):
        forward(params, np.full(X.shape, np.nan))
    with pytest.raises(ValueError, match="empty"):
        forward(params, X[:0])
    with pytest.raises(ValueError, match="2-D"):
        forward(params, X[0])
    with pytest.raises(ValueError, match="chain"):
        forward([params[0], params[0]], X)
    with pytest.raises(TypeError, match="list of layers"):
        forward(params[0], X)
    with pytest.raises(ValueError, match="valid names"):
        forward(params, X, output="softmax2")
    with pytest.raises(ValueError, match=r"shape \(8, 4\)"):
        backward(params, cache, T[:, :3])
    with pytest.raises(ValueError, match="one_hot"):
        backward(params, cache, T.argmax(axis=1))
    with pytest.raises(ValueError, match="sum to 1"):
        backward(params, cache, T * 0.5)
    with pytest.raises(ValueError, match="forward used activation='relu'"):
        backward(params, cache, T, activation="tanh")
    with pytest.raises(TypeError, match="cache"):
        backward(params, {"Y": Y}, T)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        loss(params, X, T * 2 - 1, output="sigmoid")


# --- training -----------------------------------------------------------------------------


def test_full_batch_cost_decreases_every_epoch():
    X, y = make_clouds(300, seed=1)
    model = MLP((20,), activation="tanh", lr=0.05, epochs=60).fit(X, y)
    cost = model.history_["cost"]
    assert len(cost) == 60 and np.all(np.diff(cost) < 0)
    assert model.history_["iterations"] == list(range(1, 61)) and model.n_iter_ == 60
    assert np.all(np.diff(model.history_["time"]) >= 0)


def test_learns_the_donut_and_the_spiral():
    X, y = make_donut(400, seed=2)
    donut = MLP((10,), activation="tanh", output="sigmoid", lr=0.3, epochs=100, batch_size=20).fit(
        X / 10, y
    )
    assert donut.score(X / 10, y) > 0.97
    assert donut.predict(X / 10).shape == (400,) and donut.predict_proba(X / 10).shape == (400, 1)
    X, y = make_spiral(seed=3)
    spiral = MLP((50, 50), lr=0.1, epochs=150, batch_size=32).fit(X / 10, y)
    assert spiral.score(X / 10, y) > 0.95


@pytest.mark.parametrize("batch_size, per_epoch", [(None, 1), (1, 50), (7, 8), (50, 1), (500, 1)])
def test_iterations_per_epoch(batch_size, per_epoch):
    X, y = make_clouds(50, seed=0)
    model = MLP((4,), lr=0.01, epochs=3, batch_size=batch_size).fit(X, y)
    assert model.history_["iterations"] == [per_epoch, 2 * per_epoch, 3 * per_epoch]
    assert model.n_iter_ == 3 * per_epoch == model.update_state_["iteration"]


def test_training_is_deterministic_given_the_seed():
    X, y = make_spiral(200, seed=0)
    runs = [MLP((8,), lr=0.1, epochs=3, batch_size=16, seed=s).fit(X, y) for s in (1, 1, 2)]
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(runs[0].params_, runs[1].params_))
    assert runs[0].history_["cost"] == runs[1].history_["cost"]
    assert not np.array_equal(runs[0].params_[0]["W"], runs[2].params_[0]["W"])


def test_labels_and_one_hot_give_the_same_model():
    X, y = make_clouds(120, seed=4)
    a = MLP((6,), lr=0.1, epochs=5, batch_size=10).fit(X, y)
    b = MLP((6,), lr=0.1, epochs=5, batch_size=10).fit(X, one_hot(y))
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(a.params_, b.params_))
    assert a.score(X, y) == b.score(X, one_hot(y))


def test_validation_history_and_monitoring_modes():
    X, y = make_spiral(300, seed=5)
    model = MLP((16,), lr=0.1, epochs=4, batch_size=30, record_every_iteration=True)
    model.fit(X[:200], y[:200], X_val=X[200:], Y_val=y[200:])
    h = model.history_
    assert {k: len(v) for k, v in h.items()} == {
        "cost": 4,
        "error": 4,
        "val_cost": 4,
        "val_error": 4,
        "iterations": 4,
        "time": 4,
        "iter_cost": 28,
    }
    assert h["val_error"][-1] == pytest.approx(1 - model.score(X[200:], y[200:]))
    assert h["cost"][-1] == pytest.approx(
        loss(model.params_, X[:200], one_hot(y[:200]), activation="relu"), rel=1e-5
    )
    # "running": each epoch's mean over its batches before their updates.
    run = MLP(
        (16,), lr=0.1, epochs=4, batch_size=30, monitor="running", record_every_iteration=True
    )
    run.fit(X[:200], y[:200])
    ic = np.array(run.history_["iter_cost"])
    sizes = np.array([30] * 6 + [20])
    assert run.history_["cost"][0] == pytest.approx((ic[:7] * sizes).sum() / 200)
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(run.params_, model.params_))


def test_update_hook():
    X, y = make_clouds(60, seed=6)
    seen = []

    def sgd(params, grads, state):
        seen.append((state["iteration"], state["epoch"]))
        for p, g in zip(params, grads):
            for k in p:
                p[k] -= state["lr"] * g[k]

    kw = dict(lr=0.1, epochs=2, batch_size=25, dtype=np.float64)
    hooked = MLP((5,), update=sgd, **kw).fit(X, y)
    plain = MLP((5,), **kw).fit(X, y)
    assert seen == [(1, 0), (2, 0), (3, 0), (4, 1), (5, 1), (6, 1)]
    assert all(
        np.allclose(p["W"], q["W"], rtol=1e-12) for p, q in zip(hooked.params_, plain.params_)
    )

    def momentum(params, grads, state):  # a chapter-5 optimiser keeps its own state
        vel = state.setdefault("v", [{k: np.zeros_like(v) for k, v in p.items()} for p in params])
        for p, g, v in zip(params, grads, vel):
            for k in p:
                v[k] = 0.9 * v[k] - state["lr"] * g[k]
                p[k] += v[k]

    m = MLP((5,), update=momentum, lr=0.05, epochs=20, batch_size=10).fit(X, y)
    assert m.history_["cost"][-1] < m.history_["cost"][0] and "v" in m.update_state_


def test_other_outputs_and_depths():
    X, y = make_clouds(200, seed=7)
    logreg = MLP((), lr=0.5, epochs=50).fit(X, y)  # no hidden layer: softmax regression
    assert len(logreg.params_) == 1 and logreg.score(X, y) > 0.9
    multi = np.column_stack([y == 0, X[:, 0] > 0]).astype(int)  # two independent labels
    ml = MLP((16,), output="sigmoid", lr=0.5, epochs=60, batch_size=20).fit(X, multi)
    assert ml.predict(X).shape == (200, 2) and ml.score(X, multi) > 0.9
    t = X @ np.array([1.5, -2.0]) + 0.5
    reg = MLP((), output="identity", lr=0.1, epochs=100).fit(X, t)
    assert (
        reg.predict(X).shape == (200,) and reg.score(X, t) > 0.999 and "error" not in reg.history_
    )
    # Without biases, a column of ones lets the first layer learn them (the e-book's x0 = 1).
    X1 = np.column_stack([np.ones(len(X)), X])
    deep = MLP(
        (8, 8, 8), activation="leaky_relu", lr=0.1, epochs=20, batch_size=20, use_bias=False
    ).fit(X1, y)
    assert all("b" not in p for p in deep.params_) and deep.score(X1, y) > 0.95
    P = deep.predict_proba(X1)
    assert P.dtype == np.float32 and np.allclose(P.sum(axis=1), 1, atol=1e-5)


def test_divergence_is_reported():
    X, y = make_spiral(100, seed=8)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        MLP((32, 32), lr=1e4, epochs=30, batch_size=10).fit(X * 100, y)


def test_progress_bar(capsys):
    X, y = make_clouds(40, seed=9)
    MLP((4,), lr=0.1, epochs=3, progress=True).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("\r") == 3 and "3/3 [" in out and "cost" in out and out.endswith("\n")
    buf = io.StringIO()
    with ProgressBar(4, width=8, prefix="epoch", file=buf) as bar:
        bar.update(2, cost=0.5)
    assert buf.getvalue().startswith(
        "\repoch 2/4 [####----]  cost 0.5000"
    ) and buf.getvalue().endswith("\n")
    with pytest.raises(ValueError, match=">= 1"):
        ProgressBar(0)


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, err, msg",
    [
        ({"hidden": "300"}, TypeError, "tuple of layer sizes"),
        ({"hidden": (300, 0)}, ValueError, ">= 1"),
        ({"activation": "softplus"}, ValueError, "valid names are identity, leaky_relu"),
        ({"output": "softmax2"}, ValueError, "valid names are identity, sigmoid, softmax"),
        ({"lr": 0}, ValueError, "lr"),
        ({"lr": "fast"}, TypeError, "lr"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"dtype": np.float16}, ValueError, "float32 or np.float64"),
        ({"dtype": "banana"}, TypeError, "dtype"),
        ({"monitor": "some"}, ValueError, "full, running"),
        ({"update": "adam"}, TypeError, "callable"),
        ({"progress": 1}, TypeError, "progress"),
    ],
)
def test_bad_hyper_parameters(kwargs, err, msg):
    with pytest.raises(err, match=msg):
        MLP(**kwargs)


def test_bad_data():
    X, y = make_clouds(30, seed=10)
    m = MLP((4,), epochs=1)
    with pytest.raises(RuntimeError, match="not trained"):
        m.predict(X)
    cases = [
        ((X, y[:-1]), {}, ValueError, "29 rows but X has 30"),
        ((X[:, 0], y), {}, ValueError, "2-D"),
        ((np.full(X.shape, "a"), y), {}, TypeError, "numbers"),
        ((np.where(X > 1, np.nan, X), y), {}, ValueError, "finite"),
        ((X * 1e39, y), {}, ValueError, "overflow .*largest float32 is about 3.4e\\+38"),
        ((X[:0], y[:0]), {}, ValueError, "empty"),
        ((X, y + 0.5), {}, ValueError, "whole-number"),
        ((X, -y), {}, ValueError, ">= 0"),
        ((X, np.zeros(30, int)), {}, ValueError, "at least 2"),
        ((X, y.astype(str)), {}, TypeError, "integer labels"),
        ((X, one_hot(y) * 0.5), {}, ValueError, "sum to 1"),
        ((X, y), {"X_val": X}, ValueError, "both X_val and Y_val"),
        ((X, y), {"X_val": X[:, :1], "Y_val": y}, ValueError, "X_val has 1 features"),
        ((X, y), {"X_val": X, "Y_val": one_hot(y, 5)}, ValueError, "5 columns"),
        ((X, None), {}, TypeError, "labels"),
    ]
    for args, kw, err, msg in cases:
        with pytest.raises(err, match=msg):
            m.fit(*args, **kw)
    with pytest.raises(ValueError, match="labels 0 or 1"):
        MLP((4,), output="sigmoid").fit(X, y + 1)
    m.fit(X, y)
    with pytest.raises(ValueError, match="the model expects 2"):
        m.predict(X[:, :1])
    with pytest.raises(ValueError, match="label 5 but the model has 3"):
        m.score(X, np.full(30, 5))


# --- real data ----------------------------------------------------------------------------


def test_mnist_784_100_10():
    """A few epochs on real MNIST digits reach a low test error (measured 7.3% on the shipped sample)."""
    X, y = load_mnist("train", download=False, warn=False)
    Xt, yt = load_mnist("test", download=False, warn=False)
    X, y, Xt, yt = (
        X[:4000],
        y[:4000],
        Xt[:1000],
        yt[:1000],
    )  # the sample's sizes, even with the full set
    model = MLP((100,), lr=0.5, epochs=5, batch_size=100, seed=0).fit(X, y)
    assert model.params_[0]["W"].shape == (784, 100) and model.params_[0]["W"].dtype == np.float32
    assert model.history_["error"][-1] < model.history_["error"][0]
    assert 1 - model.score(Xt, yt) < 0.12
