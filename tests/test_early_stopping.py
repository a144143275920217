"""Dropout and early stopping: MLP's hooks (masks through forward/backward, gradient-checked),
partial_fit, and train_regularized / predict_regularized, thin users of MLP."""

import ast
import inspect
import textwrap

import numpy as np
import pytest

from lazynb.data import make_spiral, one_hot
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.mlp import MLP, backward, forward, init_params, loss
from lazynb.optimizers import Momentum
from lazynb.regularizers import EarlyStopping, predict_regularized, train_regularized


@pytest.fixture(scope="module")
def spiral():
    X, y = make_spiral(300, seed=0)
    return X[:200], y[:200], X[200:], y[200:]


def test_learns_and_is_deterministic(spiral):
    X, y, Xv, yv = spiral
    p1, h1 = train_regularized(
        X,
        y,
        hidden=(50,),
        optimizer=Momentum(0.05),
        epochs=30,
        batch_size=20,
        X_val=Xv,
        y_val=yv,
        seed=1,
    )
    p2, h2 = train_regularized(
        X,
        y,
        hidden=(50,),
        optimizer=Momentum(0.05),
        epochs=30,
        batch_size=20,
        X_val=Xv,
        y_val=yv,
        seed=1,
    )
    h1.pop("time"), h2.pop("time")
    assert h1 == h2 and h1["cost"][-1] < h1["cost"][0]
    P = predict_regularized(p1, X)
    assert P.shape == (200, 2) and np.allclose(P.sum(1), 1)


def test_dropout_trains(spiral):
    X, y, _, _ = spiral
    _, h = train_regularized(
        X,
        y,
        hidden=(50,),
        optimizer=Momentum(0.05),
        epochs=30,
        batch_size=20,
        keep_prob=(0.9, 0.5),
        seed=0,
    )
    assert h["cost"][-1] < h["cost"][0]


def test_early_stopping_restores_best(spiral):
    X, y, Xv, yv = spiral
    stop = EarlyStopping(patience=3)
    params, h = train_regularized(
        X,
        y,
        hidden=(50,),
        optimizer=Momentum(0.05),
        epochs=200,
        batch_size=20,
        X_val=Xv,
        y_val=yv,
        early_stopping=stop,
        seed=0,
    )
    assert stop.stopped and len(h["val_cost"]) < 200
    assert stop.best_epoch == int(np.argmin(h["val_cost"]))
    P = predict_regularized(params, Xv)
    cost = -np.mean(np.log(P[np.arange(len(yv)), yv]))
    assert cost == pytest.approx(min(h["val_cost"]), rel=1e-5)


def test_input_checks(spiral):
    X, y, Xv, yv = spiral
    with pytest.raises(ValueError, match="validation"):
        train_regularized(X, y, early_stopping=EarlyStopping())
    with pytest.raises(TypeError, match="pair"):
        train_regularized(X, y, keep_prob=0.5)
    with pytest.raises(ValueError, match="KEEPING"):
        train_regularized(X, y, keep_prob=(0.8, 0.0))
    with pytest.raises(ValueError, match="integer labels"):
        train_regularized(X, y.astype(float))
    with pytest.raises(ValueError, match="0..K-1, got -1"):  # once trained on as the last class
        train_regularized(X, np.where(y == 1, -1, y))


def test_train_regularized_is_mlp_fit(spiral):
    """Without dropout it is MLP.fit with the same settings: the same weights, exactly."""
    X, y, Xv, yv = spiral
    params, h = train_regularized(
        X,
        y,
        hidden=(20,),
        optimizer=Momentum(0.05),
        epochs=5,
        batch_size=20,
        X_val=Xv,
        y_val=yv,
        seed=2,
    )
    m = MLP((20,), epochs=5, batch_size=20, seed=2, update=Momentum(0.05)).fit(
        X, y, X_val=Xv, Y_val=yv
    )
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(params, m.params_))
    assert {k: v for k, v in h.items() if k != "time"} == {
        k: v for k, v in m.history_.items() if k != "time"
    }
    # The listing the chapter shows is short: its body, after the signature.
    func = ast.parse(textwrap.dedent(inspect.getsource(train_regularized))).body[0]
    assert func.end_lineno - func.body[0].lineno < 40


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_backward_through_dropout_masks_is_the_numerical_gradient(activation):
    rng = np.random.default_rng(0)
    params = init_params([4, 6, 5, 3], activation=activation, seed=1, dtype=np.float64)
    X, T = rng.normal(size=(7, 4)), one_hot(rng.integers(0, 3, 7), 3, dtype=np.float64)
    keep = (0.8, 0.5, 0.6)
    masks = [(rng.random((7, p["W"].shape[0])) < k) / k for p, k in zip(params, keep)]
    assert all(np.any(m == 0) for m in masks)  # something is dropped in every layer
    _, cache = forward(params, X, activation=activation, masks=masks)
    grads = backward(params, cache, T, activation=activation)

    def J(_):  # numerical_gradient changes p[k] in place
        Y = forward(params, X, activation=activation, masks=masks)[0]
        return -np.sum(T * np.log(Y)) / len(X)

    for p, g in zip(params, grads):
        for k in p:
            assert relative_error(g[k], numerical_gradient(J, p[k])) < 1e-6
    # all-ones masks are no dropout at all
    ones = [np.ones((7, p["W"].shape[0])) for p in params]
    assert np.allclose(forward(params, X, masks=ones)[0], forward(params, X)[0])
    with pytest.raises(ValueError, match=r"masks\[1\] must have shape \(7, 6\)"):
        forward(params, X, masks=[None, np.ones((7, 5)), None])


def test_mlp_dropout_is_used_in_training_only(spiral):
    X, y, _, _ = spiral
    kw = dict(hidden=(30,), epochs=3, batch_size=20, seed=0, dtype=np.float64)
    plain = MLP(**kw).fit(X, y)
    drop = MLP(**kw, keep_prob=(1.0, 0.5)).fit(X, y)
    assert not np.allclose(plain.params_[1]["W"], drop.params_[1]["W"])  # masks changed the updates
    # prediction uses the whole network, unscaled, and is deterministic
    np.testing.assert_array_equal(drop.predict_proba(X), drop.predict_proba(X))
    np.testing.assert_allclose(drop.predict_proba(X), forward(drop.params_, X)[0], rtol=1e-12)
    assert drop.history_["cost"][-1] == pytest.approx(loss(drop.params_, X, one_hot(y)), rel=1e-9)
    with pytest.raises(ValueError, match="needs 2 probabilities"):
        MLP((30,), keep_prob=(0.5,))
    with pytest.raises(ValueError, match="KEEPING"):
        MLP((30,), keep_prob=(0.5, 0))


def test_partial_fit_continues_where_fit_would(spiral):
    X, y, Xv, yv = spiral
    kw = dict(hidden=(10,), batch_size=16, seed=4, keep_prob=(0.9, 0.8))
    whole = MLP(**kw, epochs=3).fit(X, y, X_val=Xv, Y_val=yv)
    steps = MLP(**kw)
    for _ in range(3):
        steps.partial_fit(X, y, X_val=Xv, Y_val=yv)
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(whole.params_, steps.params_))
    assert whole.history_["val_cost"] == steps.history_["val_cost"] and steps.n_iter_ == 3 * 13
    with pytest.raises(ValueError, match="label 7 but the model has 2 classes"):
        steps.partial_fit(X, np.full(len(X), 7))


def test_mlp_early_stopping_restores_the_best_epoch(spiral):
    X, y, Xv, yv = spiral
    stop = EarlyStopping(patience=2)
    m = MLP((50,), lr=0.5, epochs=300, batch_size=10, seed=0, early_stopping=stop)
    m.fit(X, y, X_val=Xv, Y_val=yv)
    h = m.history_
    assert stop.stopped and len(h["val_cost"]) == stop.best_epoch + 1 + 2
    assert m.score(Xv, yv) == pytest.approx(1 - h["val_error"][stop.best_epoch])
    m.fit(X, y, X_val=Xv, Y_val=yv)  # the stopper starts again with each fit
    assert len(m.history_["val_cost"]) == len(h["val_cost"])
    with pytest.raises(ValueError, match="give X_val and Y_val"):
        m.fit(X, y)
    with pytest.raises(TypeError, match="early_stopping"):
        MLP(early_stopping=3)
