"""Chapter 1's kernels: step and perceptron, sigmoid, the logistic unit, its training loop,
cost and error rate."""

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
from lazynb.neuron import LogisticUnit, Perceptron, logistic_unit, step


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


# ----------------------------------------------------------------- step and perceptron


def test_step_values_shape_and_dtype():
    a = np.array([[-2.0, -1e-300, 0.0], [1e-300, 3.0, 7.0]])
    out = step(a)
    assert out.dtype == np.int64 and out.shape == a.shape
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 1, 1]])
    assert step(0.0) == 1 and step(-0.5) == 0
    with pytest.raises(TypeError, match="numbers"):
        step("a")
    with pytest.raises(ValueError, match="finite"):
        step([np.nan])


_XOR_TABLE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _separable(n=200, margin=0.1, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(3 * n, 2))
    w, b = np.array([1.0, -2.0]), 0.5
    X = X[np.abs(X @ w + b) / np.linalg.norm(w) > margin][:n]
    return X, (X @ w + b > 0).astype(int), w, b


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_perceptron_converges_on_separable_data_within_novikoffs_bound(seed):
    X, y, w, b = _separable(seed=seed)
    p = Perceptron().fit(X, y)
    assert p.converged_ and p.mistakes_[-1] == 0 and min(p.mistakes_[:-1], default=1) > 0
    assert p.score(X, y) == 1.0
    # At most (R / gamma)^2 updates in all, for any separator (w, b) with margin gamma.
    A = np.column_stack([X, np.ones(len(X))])
    u = np.r_[w, b] / np.linalg.norm(np.r_[w, b])
    R, gamma = np.linalg.norm(A, axis=1).max(), np.abs(A @ u).min()
    assert sum(p.mistakes_) <= (R / gamma) ** 2


@pytest.mark.parametrize(
    "labels", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], ids=["AND", "OR", "NAND"]
)
def test_perceptron_learns_the_separable_gates(labels):
    p = Perceptron(epochs=20).fit(_XOR_TABLE, labels)
    assert p.converged_
    np.testing.assert_array_equal(p.predict(_XOR_TABLE), labels)


def test_perceptron_never_converges_on_xor():
    p = Perceptron(epochs=200).fit(_XOR_TABLE, [0, 1, 1, 0])
    assert not p.converged_ and len(p.mistakes_) == 200 and min(p.mistakes_) > 0


def test_perceptron_update_is_the_rule():
    # One pass over one misclassified sample: w += lr (t - y) x, b += lr (t - y).
    p = Perceptron(lr=0.5, epochs=1).fit(np.array([[-2.0, 1.0]]), [0])
    np.testing.assert_array_equal(p.w_, [1.0, -0.5])  # step(0) = 1, t - y = -1
    assert p.b_ == -0.5 and p.mistakes_ == [1]


def test_perceptron_learning_rate_only_scales_the_weights():
    X, y, _, _ = _separable(seed=2)
    a, b = Perceptron(lr=1.0).fit(X, y), Perceptron(lr=0.01).fit(X, y)
    assert a.mistakes_ == b.mistakes_
    np.testing.assert_allclose(a.w_ * 0.01, b.w_, rtol=1e-12)


def test_perceptron_validates():
    X, y, _, _ = _separable()
    with pytest.raises(ValueError, match="binary"):
        Perceptron().fit(X, y + 1)
    with pytest.raises(ValueError, match="one per row"):
        Perceptron().fit(X, y[:-1])
    with pytest.raises(RuntimeError, match="not trained"):
        Perceptron().predict(X)
    with pytest.raises(ValueError, match="features per sample"):
        Perceptron().fit(X, y).predict(X[:, :1])
    for bad in ({"lr": 0}, {"lr": "fast"}, {"epochs": 0}, {"epochs": 2.5}):
        with pytest.raises((ValueError, TypeError)):
            Perceptron(**bad)
