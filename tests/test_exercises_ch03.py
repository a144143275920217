"""Chapter 3's exercises: the references pass, and typical mistakes fail with the right message.

Every wrong answer below is one a reader is likely to write. Each must fail (or error)
with a message that names the problem, and no message may give the expected answer away.
The gradient references are themselves checked against centred differences.
"""

import math
from functools import partial

import numpy as np
import pytest

from lazynb import mlp
from lazynb.activations import sigmoid, softmax
from lazynb.data import load_mnist, one_hot
from lazynb.exercises import ch03
from lazynb.exercises.core import FunctionExercise
from lazynb.gradcheck import numerical_gradient, relative_error

import exercise_helpers as helpers
from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
    expected_texts,
)

OPTIMISERS = [ch03.maximise_log, ch03.maximise_sin, ch03.minimise_on_segment]
GRADIENTS = [ch03.grad_W2, ch03.grad_b2, ch03.grad_W1, ch03.grad_b1]
CALLABLE_EXERCISES = OPTIMISERS + GRADIENTS
ALL_EXERCISES = CALLABLE_EXERCISES + [ch03.mnist_with_biases, ch03.xor_weights]

# What the optimisation exercises must never print: their optima.
OPTIMA_TEXTS = {
    "maximise_log": ["0.5", "1/2", "0.50"],
    "maximise_sin": ["1.57", "pi/2", "π/2", "1.5708"],
    "minimise_on_segment": ["(0, 1)", "(1, 0)", "(0.0, 1.0)", "(1.0, 0.0)", "(1, 0.0)"],
}


def _leak_texts(ex):
    """The reference's outputs on a gradient exercise's cases; an optimiser's optimum."""
    if isinstance(ex, FunctionExercise):
        return expected_texts(ex)
    return OPTIMA_TEXTS.get(ex.name, [])


def assert_no_leak(ex, result):
    helpers.assert_no_leak(ex, result, leak_texts=_leak_texts)


# assert_fails(ex, answer, fragment, *, status="failed"), with this chapter's leak texts
assert_fails = partial(helpers.assert_fails, leak_texts=_leak_texts)


# ----------------------------------------------------------------- every exercise


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "ch03")


@pytest.mark.parametrize("ex", CALLABLE_EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "ch03")


def test_prediction_stub_is_not_attempted():
    ex = ch03.mnist_with_biases
    for stub in (..., None, (..., ..., ..., ...)):
        result = ex.check(stub)
        assert result.status == "not attempted", result
        assert "ch03.mnist_with_biases.hint()" in result.message


@pytest.mark.parametrize("ex", CALLABLE_EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex, leak_texts=_leak_texts)


@pytest.mark.parametrize("ex", CALLABLE_EXERCISES, ids=lambda ex: ex.name)
def test_passing_a_value_instead_of_the_function_fails(ex):
    result = ex.check(0.5)
    assert result.status == "failed" and "your function itself" in result.message


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_solution_shows_the_reference_def(ex):
    params = {
        "maximise_log": "x0, lr, steps",
        "maximise_sin": "x0, lr, steps",
        "minimise_on_segment": "x0, lr, steps",
        "grad_W2": "Z, T, Y",
        "grad_b2": "T, Y",
        "grad_W1": "X, Z, T, Y, W2",
        "grad_b1": "Z, T, Y, W2",
        "mnist_with_biases": "hidden=32, lr=2.0, epochs=80, seed=0",
        "xor_weights": "",
    }[ex.name]
    check_solution_shows_def(ex, params)


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_hints(ex):
    check_hints(ex, "ch03")


# ----------------------------------------------------------------- maximise_log


def _ascent(dJ, sign=1.0, extra=0):
    def f(x0, lr, steps):
        x = x0
        for _ in range(steps + extra):
            x = x + sign * lr * dJ(x)
        return x

    return f


def test_maximise_log_correct_variants_pass():
    ex = ch03.maximise_log

    def descent_on_minus_J(x0, lr, steps):
        x = np.array(x0)
        for _ in range(steps):
            x = x - lr * -(1 / x - 1 / (1 - x))
        return x  # a 0-d array is fine

    def numerical_slope(x0, lr, steps):  # a gradient method with a finite-difference slope
        J = lambda x: math.log(x) + math.log(1 - x)
        x = x0
        for _ in range(steps):
            x += lr * (J(x + 1e-6) - J(x - 1e-6)) / 2e-6
        return x

    for answer in (descent_on_minus_J, numerical_slope):
        assert ex.check(answer), ex.check(answer)


def test_maximise_log_typical_mistakes_fail():
    ex = ch03.maximise_log
    dJ = lambda x: 1 / x - 1 / (1 - x)
    # Gradient descent where ascent is needed.
    assert_fails(ex, _ascent(dJ, sign=-1.0), "went downhill")
    # The learning rate forgotten.
    assert_fails(
        ex,
        lambda x0, lr, steps: _ascent(dJ)(x0, 1.0, steps) if steps else x0,
        "ignored the learning rate",
    )
    # A wrong derivative (the chain rule's minus sign lost).
    assert_fails(ex, _ascent(lambda x: 1 / x + 1 / (1 - x)), "Check your dJ/dx")
    # One update too many.
    assert_fails(ex, _ascent(dJ, extra=1), "with steps = 0 no update")
    assert_fails(
        ex, lambda x0, lr, steps: _ascent(dJ)(x0, lr, steps + (steps > 0)), "made 2 updates"
    )
    # The answer typed in, no gradient method at all.
    assert_fails(ex, lambda x0, lr, steps: 0.5, "with steps = 0 no update")

    # The whole path returned.
    def path(x0, lr, steps):
        xs = [x0]
        for _ in range(steps):
            xs.append(xs[-1] + lr * dJ(xs[-1]))
        return np.array(xs)

    assert_fails(ex, path, "return its last entry")


def test_maximise_log_leaving_the_domain_is_explained():
    ex = ch03.maximise_log

    def too_far(x0, lr, steps):  # a finite-difference slope with a step h far too large
        J = lambda x: np.log(x) + np.log(1 - x)
        x, h = x0, 1.0
        for _ in range(steps):
            x = x + lr * (J(x + h) - J(x - h)) / (2 * h)  # J outside (0, 1): nan, with a warning
        return x

    result = ex.check(too_far)
    assert result.status == "failed"
    assert "nan" in result.message and "left the interval (0, 1)" in result.message
    assert "NumPy warned" in result.message
    assert_no_leak(ex, result)


# ----------------------------------------------------------------- maximise_sin


def test_maximise_sin_typical_mistakes_fail():
    ex = ch03.maximise_sin
    assert ex.check(_ascent(math.cos))  # plain floats are fine
    assert_fails(ex, _ascent(math.cos, sign=-1.0), "went downhill")
    assert_fails(ex, _ascent(math.sin), "Check your dJ/dx")  # sin for its own derivative
    assert_fails(ex, lambda x0, lr, steps: math.pi / 2, "with steps = 0 no update")
    assert_fails(ex, lambda x0, lr, steps: None, "forget to `return`")
    # Two updates per step (e.g. the update written twice in the loop).
    assert_fails(ex, lambda x0, lr, steps: _ascent(math.cos)(x0, lr, 2 * steps), "made 2 updates")


def test_maximise_sin_does_not_reach_the_maximum():
    ex = ch03.maximise_sin

    def stops_early(x0, lr, steps):  # the loop ends after at most 5 updates
        return _ascent(math.cos)(x0, lr, min(steps, 5))

    result = assert_fails(ex, stops_early, "not the maximum yet")
    assert "slope dJ/dx" in result.message


# ----------------------------------------------------------------- minimise_on_segment


def _segment(sign=-1.0, clip=True):
    def f(x0, lr, steps):
        x = x0
        for _ in range(steps):
            x = x + sign * lr * (2 - 4 * x)
            if clip:
                x = float(np.clip(x, 0, 1))
        return x, 1 - x

    return f


def test_minimise_on_segment_correct_variants_pass():
    ex = ch03.minimise_on_segment

    def chain_rule_2d(x0, lr, steps):  # dJ/dx = dJ/dx + dJ/dy * dy/dx, with y = 1 - x
        x = np.float64(x0)
        for _ in range(steps):
            y = 1 - x
            x = np.clip(x - lr * (-2 * x + 2 * y), 0, 1)
        return np.array([x, 1 - x])

    for answer in (_segment(), chain_rule_2d):
        assert ex.check(answer), ex.check(answer)


def _segment_scaled(slope):
    def f(x0, lr, steps):
        x = x0
        for _ in range(steps):
            x = float(np.clip(x - lr * slope(x), 0, 1))
        return x, 1 - x

    return f


def test_minimise_on_segment_wrong_steps_fail():
    ex = ch03.minimise_on_segment
    # Only the sign of the slope: reaches the right end, but no step is a gradient step.
    result = assert_fails(
        ex, _segment_scaled(lambda x: np.sign(2 - 4 * x)), "moved x by exactly lr"
    )
    assert "np.sign" in result.message
    # A derivative half the right size (y's dependence on x forgotten: d/dx of 1 - x^2 - y^2
    # taken as -2x + 1, say), or twice it.
    assert_fails(ex, _segment_scaled(lambda x: 1 - 2 * x), "half as far as lr * dJ/dx")
    assert_fails(ex, _segment_scaled(lambda x: 4 - 8 * x), "twice as far as lr * dJ/dx")

    # The plane's gradient projected onto the line: a gradient method, but half the step in x.
    def projected_2d(x0, lr, steps):
        p = np.array([x0, 1 - x0])
        for _ in range(steps):
            p = p - lr * np.array([-2 * p[0], -2 * p[1]])  # gradient of 1 - x^2 - y^2
            p = p - (p.sum() - 1) / 2  # onto the line x + y = 1
            p = np.clip(p, 0, 1)
            p = p / p.sum()
        return p

    result = assert_fails(ex, projected_2d, "half as far")
    assert "Projecting the plane's gradient" in result.message
    # Only the derivative of the y term, 2(1 - x): downhill here, but the wrong slope.
    assert_fails(ex, _segment_scaled(lambda x: 2 - 2 * x), "Check your dJ/dx")
    # No clip after the step that leaves the segment (only the last one clipped).
    assert_fails(ex, _segment(clip=False), "left the square")


def test_minimise_on_segment_stationary_point_is_rejected():
    ex = ch03.minimise_on_segment
    # Ascent on J along the segment converges to (1/2, 1/2): the maximum.
    result = assert_fails(ex, _segment(sign=+1.0), "ended at (1/2, 1/2)")
    assert "maximum, not the minimum" in result.message
    # Jumping to the stationary point directly, after the start is handled.
    assert_fails(
        ex,
        lambda x0, lr, steps: (0.5, 0.5) if steps else (x0, 1 - x0),
        "a maximum, not the minimum",
    )


def test_minimise_on_segment_typical_mistakes_fail():
    ex = ch03.minimise_on_segment
    # No clipping: x runs past the end of the segment.
    assert_fails(ex, _segment(clip=False), "left the square")

    # Descent in the plane with each coordinate clipped, but never put back on x + y = 1.
    def off_the_line(x0, lr, steps):
        x, y = x0, 1 - x0
        for _ in range(steps):
            x, y = np.clip(x + lr * 2 * x, 0, 1), np.clip(y + lr * 2 * y, 0, 1)
        return x, y

    assert_fails(ex, off_the_line, "off the line x + y = 1")
    # Only x returned.
    assert_fails(ex, lambda x0, lr, steps: _segment()(x0, lr, steps)[0], "two numbers (x, y)")
    # An answer typed in.
    assert_fails(ex, lambda x0, lr, steps: (0.0, 1.0), "with steps = 0 no update")

    # Jumping to the nearer end of the segment: right in the end, but not a gradient method.
    def jump(x0, lr, steps):
        x = x0 if steps == 0 else float(x0 > 0.5)
        return x, 1 - x

    assert_fails(ex, jump, "rather than jumping")
    # A step that raises J (reached directly: ascent from x0 = 0.3 is caught earlier, at (1/2, 1/2)).
    message = ex.judge((0.31, 0.69), ch03.Probe(0.3, 0.01, 1, "step"), [])
    assert "went uphill" in message


# ----------------------------------------------------------------- backpropagation


def _full_network(seed, N=5, D=4, M=3, K=3):
    rng = np.random.default_rng(seed)
    p = dict(
        W1=rng.normal(size=(D, M)),
        b1=rng.normal(size=M),
        W2=rng.normal(size=(M, K)),
        b2=rng.normal(size=K),
    )
    X = rng.normal(size=(N, D))
    T = np.eye(K)[rng.integers(0, K, size=N)]
    return p, X, T


def _cost(p, X, T):
    Y = softmax(sigmoid(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])
    return -np.mean(np.sum(T * np.log(Y), axis=1))


@pytest.mark.parametrize("seed", range(4))
def test_reference_gradients_match_centred_differences(seed):
    p, X, T = _full_network(seed, N=3 + seed, D=2 + seed, M=4, K=3 + seed % 2)
    Z = sigmoid(X @ p["W1"] + p["b1"])
    Y = softmax(Z @ p["W2"] + p["b2"])
    analytic = {
        "W2": ch03.grad_W2.reference(Z, T, Y),
        "b2": ch03.grad_b2.reference(T, Y),
        "W1": ch03.grad_W1.reference(X, Z, T, Y, p["W2"]),
        "b1": ch03.grad_b1.reference(Z, T, Y, p["W2"]),
    }
    for name, grad in analytic.items():
        numeric = numerical_gradient(
            lambda v, name=name: _cost({**p, name: v}, X, T), p[name].copy()
        )
        assert relative_error(grad, numeric) < 1e-6, name


def test_grad_W2_typical_mistakes_fail():
    ex = ch03.grad_W2
    assert ex.check(lambda Z, T, Y: np.dot(Z.T, Y - T) / Z.shape[0])
    assert_fails(ex, lambda Z, T, Y: Z.T @ (Y - T), "N times too large")
    assert_fails(ex, lambda Z, T, Y: Z.T @ (T - Y) / len(T), "wrong sign")
    assert_fails(ex, lambda Z, T, Y: Z.T @ ((Y - T) * Y * (1 - Y)) / len(T), "softmax derivative")
    # (Y - T).T @ Z is the transpose: shape (K, M) on the first case.
    assert_fails(ex, lambda Z, T, Y: (Y - T).T @ Z / len(T), "shape should be (M, K) = (3, 5)")


def test_grad_b2_typical_mistakes_fail():
    ex = ch03.grad_b2
    assert ex.check(lambda T, Y: np.mean(Y - T, axis=0))  # the mean over samples is right
    assert_fails(ex, lambda T, Y: (Y - T).sum(axis=0), "N times too large")
    assert_fails(
        ex, lambda T, Y: (Y - T).sum(axis=1) / len(T), "shape should be (K,) = (5,), got (6,)"
    )
    assert_fails(
        ex,
        lambda T, Y: (Y - T).sum(axis=0, keepdims=True) / len(T),
        "shape should be (K,) = (5,), got (1, 5)",
    )
    assert_fails(ex, lambda T, Y: (T - Y).mean(axis=0), "wrong sign")


def _grad_A1(X, Z, T, Y, W2, deriv=lambda Z: Z * (1 - Z), W=lambda W2: W2.T):
    return (Y - T) @ W(W2) / len(T) * deriv(Z)


def test_grad_W1_typical_mistakes_fail():
    ex = ch03.grad_W1
    assert ex.check(lambda X, Z, T, Y, W2: np.einsum("nd,nm->dm", X, _grad_A1(X, Z, T, Y, W2)))
    assert_fails(
        ex,
        lambda X, Z, T, Y, W2: X.T @ _grad_A1(X, Z, T, Y, W2, deriv=lambda Z: 1),
        "forgot the hidden layer's sigmoid",
    )
    assert_fails(
        ex,
        lambda X, Z, T, Y, W2: (
            X.T @ _grad_A1(X, Z, T, Y, W2, deriv=lambda Z: sigmoid(Z) * (1 - sigmoid(Z)))
        ),
        "Z is already the sigmoid's output",
    )
    assert_fails(
        ex, lambda X, Z, T, Y, W2: X.T @ _grad_A1(X, Z, T, Y, W2) * len(T), "N times too large"
    )
    assert_fails(ex, lambda X, Z, T, Y, W2: -X.T @ _grad_A1(X, Z, T, Y, W2), "wrong sign")
    # W2 where W2.T is needed: cannot multiply on the first case (K = 5, M = 3) ...
    assert_fails(
        ex,
        lambda X, Z, T, Y, W2: X.T @ _grad_A1(X, Z, T, Y, W2, W=lambda W2: W2),
        "raised ValueError",
        status="error",
    )

    # ... and a reader whose code runs only on square W2 is caught there, on the values.
    def transposed_when_square(X, Z, T, Y, W2):
        W = (lambda W2: W2) if W2.shape[0] == W2.shape[1] else (lambda W2: W2.T)
        return X.T @ _grad_A1(X, Z, T, Y, W2, W=W)

    result = assert_fails(ex, transposed_when_square, "W2 transposed")
    assert "square weight matrices" in result.message
    # The product in the wrong order: (M, D) instead of (D, M).
    assert_fails(
        ex,
        lambda X, Z, T, Y, W2: _grad_A1(X, Z, T, Y, W2).T @ X,
        "shape should be (D, M) = (4, 3), got (3, 4)",
    )


def test_grad_b1_typical_mistakes_fail():
    ex = ch03.grad_b1
    X = None
    assert ex.check(lambda Z, T, Y, W2: _grad_A1(X, Z, T, Y, W2).sum(axis=0))
    assert_fails(
        ex,
        lambda Z, T, Y, W2: _grad_A1(X, Z, T, Y, W2, deriv=lambda Z: 1).sum(axis=0),
        "forgot the hidden layer's sigmoid",
    )
    assert_fails(
        ex,
        lambda Z, T, Y, W2: _grad_A1(X, Z, T, Y, W2).sum(axis=1),
        "shape should be (M,) = (3,), got (6,)",
    )
    assert_fails(
        ex, lambda Z, T, Y, W2: _grad_A1(X, Z, T, Y, W2).sum(axis=0) * len(T), "N times too large"
    )
    assert_fails(
        ex,
        lambda Z, T, Y, W2: _grad_A1(
            X, Z, T, Y, W2, deriv=lambda Z: sigmoid(Z) * (1 - sigmoid(Z))
        ).sum(axis=0),
        "Z is already the sigmoid's output",
    )


# ----------------------------------------------------------------- mnist_with_biases


@pytest.fixture(scope="module")
def mnist():
    X, y = load_mnist("train", warn=False)
    X_test, y_test = load_mnist("test", warn=False)
    return X, y, X_test, y_test


def _random_params(rng, M=32, bias=0.1):
    return (
        rng.normal(size=(784, M)).astype(np.float32) / 28,
        (rng.normal(size=M) * bias).astype(np.float32),
        rng.normal(size=(M, 10)).astype(np.float32) / np.sqrt(M),
        (rng.normal(size=10) * bias).astype(np.float32),
    )


def _softmax_regression(X, y, epochs=60, lr=2.0):
    """The wrong model: one weight matrix, no hidden layer, no biases (about 90 % right)."""
    W = np.zeros((X.shape[1], 10), dtype=np.float32)
    T = one_hot(y, 10)
    for _ in range(epochs):
        W -= lr * X.T @ (softmax(X @ W) - T) / len(X)
    return W


def test_mnist_reference_passes_with_its_rate(mnist):
    ex = ch03.mnist_with_biases
    W1, b1, W2, b2 = ex.reference
    assert W1.shape == (784, 32) and b1.shape == (32,) and W2.shape == (32, 10)
    result = ex.check(ex.reference)
    assert result and "784-32-10 network with biases" in result.message
    assert ex.check(list(ex.reference))  # a list is fine
    assert ex.check(dict(zip(("W1", "b1", "W2", "b2"), ex.reference)))  # and a dict
    assert ex.check(tuple(np.asarray(p, dtype=np.float64) for p in ex.reference))


def test_mnist_no_hidden_layer_fails(mnist):
    ex = ch03.mnist_with_biases
    X, y, _, _ = mnist
    W = _softmax_regression(X, y)
    # Handed in alone, or with its (untrained) bias: no hidden layer.
    assert_fails(ex, (W,), "no hidden layer")
    assert_fails(ex, (W, np.zeros(10)), "no hidden layer")
    # Dressed up as four parameters, with an identity "hidden layer" and no biases: it scores
    # well as predictions, but the biases were never trained.
    fake = (W, np.zeros(10), np.eye(10), np.zeros(10))
    assert_fails(ex, fake, "b1 is all zeros")
    # ... and with biases that are not zero: sigmoid keeps the order of the scores, so this
    # one-layer model scores about 90 %; its diagonal W2 gives it away (make mutants, #15).
    rng = np.random.default_rng(1)
    fake = (W, rng.normal(scale=0.01, size=10), 5 * np.eye(10), rng.normal(scale=0.01, size=10))
    assert_fails(ex, fake, "W2 is diagonal")


def test_mnist_typical_mistakes_fail(mnist):
    ex = ch03.mnist_with_biases
    _, _, _, y_test = mnist
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = ex.reference
    # The biases never updated (initialised to zero and left there).
    assert_fails(ex, (W1, np.zeros_like(b1), W2, b2), "b1 is all zeros")
    assert_fails(ex, (W1, b1, W2, np.zeros_like(b2)), "b2 is all zeros")
    # Weights stored the other way round.
    assert_fails(ex, (W1.T, b1, W2, b2), "W1 has shape (32, 784): transposed")
    assert_fails(ex, (W1, b1, W2.T, b2), "W2 has shape (10, 32): transposed")
    assert_fails(ex, (W1, b2, W2, b2), "b1 should have shape (32,)")
    # Predictions handed in, as the exercise used to ask.
    assert_fails(ex, y_test.copy(), "looks like predicted digits")
    # An untrained network: about one in ten right.
    result = assert_fails(ex, _random_params(rng), "asks for at least 85%")
    assert "Train for more epochs" in result.message
    # Diverged training, a function, a string, a wrong count.
    assert_fails(ex, (W1 * np.nan, b1, W2, b2), "training diverged")
    assert_fails(ex, lambda X: y_test, "not a function")
    assert_fails(ex, "seven", "as a tuple")
    assert_fails(ex, (W1, b1, W2), "got 3 item(s)")
    assert_fails(ex, {"W1": W1, "b1": b1}, "W2, b2 missing")


def test_mnist_relu_network_is_told_about_the_sigmoid(mnist):
    ex = ch03.mnist_with_biases
    X, y, _, _ = mnist
    model = mlp.MLP(hidden=(32,), activation="relu", lr=0.1, epochs=3, batch_size=100, seed=0)
    (l1, l2) = model.fit(X[:4000], y[:4000]).params_
    assert_fails(ex, (l1["W"], l1["b"], l2["W"], l2["b"]), "*sigmoid* hidden layer")


def test_mnist_reference_is_trained_lazily_and_kept():
    ex = ch03.TrainedNetworkExercise(
        "demo",
        lambda: (np.zeros((784, 2)), np.ones(2), np.zeros((2, 10)), np.ones(10)),
        min_rate=0.5,
        prompt="p",
        hints=["h"],
        chapter="ch03",
    )
    assert ex._reference is None
    first = ex.reference
    assert ex.reference is first and first[0].shape == (784, 2)


# ----------------------------------------------------------------- xor_weights

OR, NOT_AND, AND = (10.0, 10.0, -5.0), (-10.0, -10.0, 15.0), (10.0, 10.0, -15.0)


def _xor(hidden, output):
    return {"hidden": list(hidden), "output": output}


def test_xor_reference_and_variants_pass():
    ex = ch03.xor_weights
    assert ex.check(ex.reference, strict=True)
    assert ex.check(_xor([NOT_AND, OR], AND))  # the hidden units in either order
    assert ex.check(_xor([(20, 20, -10), (-20, -20, 30)], (20, 20, -30)))  # larger weights
    assert ex.check(_xor([np.array(OR), np.array(NOT_AND)], np.array(AND)))  # arrays


def test_xor_typical_mistakes_fail():
    ex = ch03.xor_weights
    # AND where OR belongs: AND and NOT AND are each other's opposite.
    result = assert_fails(ex, _xor([AND, NOT_AND], AND), "compute AND and NOT AND")
    assert "XOR needs OR" in result.message
    # Swapped signs: a hidden unit that is NOT OR, or an output unit that is NOT AND.
    assert_fails(ex, _xor([(-10, -10, 5), NOT_AND], AND), "hidden unit 1 computes NOT OR")
    assert_fails(ex, _xor([OR, AND], AND), "hidden unit 2 computes AND, the opposite of NOT AND")
    assert_fails(ex, _xor([OR, NOT_AND], (-10, -10, 15)), "computes NOT XOR")
    # A single unit, as a bare (w1, w2, b) or as the only hidden unit.
    assert_fails(ex, OR, "single logistic unit")
    assert_fails(ex, _xor([OR], AND), "one hidden unit is not enough")
    assert_fails(ex, _xor(OR, AND), "one hidden unit is not enough")
    # The right logic with weights too small to be decisive.
    result = assert_fails(ex, _xor([(1, 1, -0.5), (-1, -1, 1.5)], (1, 1, -1.5)), "larger")
    assert "the output unit is an AND" in result.message
    # An OR where the AND belongs at the output.
    assert_fails(ex, _xor([OR, NOT_AND], OR), "should compute their AND")
    # Malformed answers.
    assert_fails(ex, {"hidden": [OR, NOT_AND]}, 'the key "output" is missing')
    assert_fails(ex, _xor([OR, NOT_AND], (10, 10)), "output unit: should be three numbers")
    assert_fails(ex, _xor([OR, NOT_AND, AND], AND), "should hold two units")
    assert_fails(ex, "xor", "should be a dict")
    result = ex.check({"hidden": [..., ...], "output": ...})
    assert result.status == "not attempted" and "ch03.xor_weights.hint()" in result.message
