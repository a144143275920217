"""train_regularized / predict_regularized: dropout training and early stopping."""

import numpy as np
import pytest

from lazynb.data import make_spiral
from lazynb.optimizers import Momentum
from lazynb.regularizers import EarlyStopping, predict_regularized, train_regularized


@pytest.fixture(scope="module")
def spiral():
    X, y = make_spiral(300, seed=0)
    return X[:200], y[:200], X[200:], y[200:]


def test_learns_and_is_deterministic(spiral):
    X, y, Xv, yv = spiral
    p1, h1 = train_regularized(X, y, hidden=(50,), optimizer=Momentum(0.05), epochs=30,
                               batch_size=20, X_val=Xv, y_val=yv, seed=1)
    p2, h2 = train_regularized(X, y, hidden=(50,), optimizer=Momentum(0.05), epochs=30,
                               batch_size=20, X_val=Xv, y_val=yv, seed=1)
    assert h1 == h2 and h1["cost"][-1] < h1["cost"][0]
    P = predict_regularized(p1, X)
    assert P.shape == (200, 2) and np.allclose(P.sum(1), 1)


@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_trains(spiral, inverted):
    X, y, _, _ = spiral
    _, h = train_regularized(X, y, hidden=(50,), optimizer=Momentum(0.05), epochs=30,
                             batch_size=20, keep_prob=(0.9, 0.5), inverted=inverted, seed=0)
    assert h["cost"][-1] < h["cost"][0]


def test_early_stopping_restores_best(spiral):
    X, y, Xv, yv = spiral
    stop = EarlyStopping(patience=3)
    params, h = train_regularized(X, y, hidden=(50,), optimizer=Momentum(0.05), epochs=200,
                                  batch_size=20, X_val=Xv, y_val=yv, early_stopping=stop, seed=0)
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
