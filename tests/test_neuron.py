"""Chapter 1's kernels: sigmoid, the logistic unit, its training loop, cost and error rate."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lazynb.activations import sigmoid, sigmoid_grad
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.losses import binary_cross_entropy
from lazynb.metrics import classification_rate, error_rate
from lazynb.neuron import LogisticUnit, logistic_unit


@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e4, 1e4)))
@settings(max_examples=200, deadline=None)
def test_sigmoid_is_finite_bounded_and_warning_free(a):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(a)
    assert s.shape == a.shape and np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert np.allclose(sigmoid(-a), 1 - s, atol=1e-15)


def test_sigmoid_values_and_dtype():
    assert sigmoid(0.0) == 0.5
    a = np.array([-3.0, 0.5, 2.0])
    assert np.allclose(sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-15)
    assert sigmoid(np.float32([1.0])).dtype == np.float32
    assert sigmoid(np.array([1, 2])).dtype == np.float64


def test_sigmoid_grad_matches_numerical_gradient():
    a = np.random.default_rng(0).normal(size=7) * 3
    num = numerical_gradient(lambda z: sigmoid(z).sum(), a.copy())
    assert relative_error(sigmoid_grad(a), num) < 1e-6


@pytest.mark.parametrize(
    "bad, err",
    [("text", TypeError), ([np.nan], ValueError), (None, TypeError), ([[1, 2], [3]], TypeError)],
)
def test_sigmoid_rejects_bad_input(bad, err):
    with pytest.raises(err):
        sigmoid(bad)


def test_logistic_unit_shapes_and_errors():
    X = np.ones((4, 3))
    assert logistic_unit(X, np.zeros(3)).shape == (4,)
    assert np.all(logistic_unit(X, np.zeros(3)) == 0.5)
    assert logistic_unit(np.ones(3), np.ones(3), -3.0) == 0.5
    with pytest.raises(ValueError, match="features per sample"):
        logistic_unit(X, np.zeros(2))
    with pytest.raises(ValueError, match="1-D"):
        logistic_unit(X, np.zeros((3, 1)))


def test_bias_equals_weight_on_constant_input():
    rng = np.random.default_rng(1)
    X, w, b = rng.normal(size=(10, 2)), rng.normal(size=2), 0.7
    X1 = np.column_stack([np.ones(10), X])
    assert np.allclose(logistic_unit(X, w, b), logistic_unit(X1, np.r_[b, w]))


def _two_blobs(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(-2, 1, (n, 2)), rng.normal(2, 1, (n, 2))])
    return X, np.repeat([0, 1], n)


def test_training_lowers_the_cost_every_epoch_and_separates_blobs():
    X, y = _two_blobs()
    unit = LogisticUnit(lr=0.1, epochs=100).fit(X, y)
    assert np.all(np.diff(unit.history_["cost"]) < 0)
    assert unit.score(X, y) > 0.97
    assert set(np.unique(unit.predict(X))) <= {0, 1} and unit.predict(X).dtype == np.int64


def test_training_gradient_is_the_gradient_of_the_cost():
    # The update in LogisticUnit.fit must be exactly lr * dJ/dw; check dJ/dw numerically.
    X, y = _two_blobs(20)
    unit = LogisticUnit(lr=1e-3, epochs=1, seed=3).fit(X, y)
    w0 = np.random.default_rng(3).normal(0.0, 1.0 / np.sqrt(2), size=2)

    def cost(wb):
        return binary_cross_entropy(y, sigmoid(X @ wb[:2] + wb[2]))

    g = numerical_gradient(cost, np.r_[w0, 0.0])
    step = np.r_[w0 - unit.w_, -unit.b_] / 1e-3
    assert relative_error(step, g) < 1e-6


def test_training_is_deterministic_and_validates():
    X, y = _two_blobs()
    a, b = LogisticUnit(seed=5).fit(X, y), LogisticUnit(seed=5).fit(X, y)
    assert np.array_equal(a.w_, b.w_)
    with pytest.raises(ValueError, match="binary"):
        LogisticUnit().fit(X, y + 1)
    with pytest.raises(ValueError, match="one per row"):
        LogisticUnit().fit(X, y[:-1])
    with pytest.raises(RuntimeError, match="not trained"):
        LogisticUnit().predict(X)
    for bad in ({"lr": 0}, {"lr": "fast"}, {"epochs": 0}, {"epochs": 1.5}, {"seed": -1}):
        with pytest.raises((ValueError, TypeError)):
            LogisticUnit(**bad)


def test_binary_cross_entropy():
    t = np.array([1.0, 0.0, 1.0])
    p = np.array([0.9, 0.2, 0.6])
    expected = -np.mean([np.log(0.9), np.log(0.8), np.log(0.6)])
    assert binary_cross_entropy(t, p) == pytest.approx(expected)
    assert np.isfinite(binary_cross_entropy(np.array([1.0]), np.array([0.0])))
    with pytest.raises(ValueError, match="same shape"):
        binary_cross_entropy(t, p[:2])
    with pytest.raises(ValueError, match="probabilities"):
        binary_cross_entropy(t, p + 1)


def test_rates():
    assert error_rate([0, 1, 1, 0], [0, 1, 0, 0]) == 0.25
    assert classification_rate(np.array([2, 2]), np.array([2, 2])) == 1.0
    with pytest.raises(ValueError, match="same length"):
        error_rate([0, 1], [0])
    with pytest.raises(ValueError, match="empty"):
        error_rate([], [])
