"""Chapter 1's exercises: the reference passes, and typical mistakes fail with the right message.

Every wrong answer below is one a reader is likely to write. Each must fail (or error)
with a message that names the problem, and no message may give the expected output away.
"""

from functools import partial

import numpy as np
import pytest

from lazynb.activations import sigmoid
from lazynb.exercises import ch01
from lazynb.exercises.core import FunctionExercise, ValueExercise

import exercise_helpers as helpers
from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
    expected_texts,
)

FUNCTION_EXERCISES = [ch01.network_output, ch01.stable_sigmoid, ch01.predict_labels]
ALL_EXERCISES = FUNCTION_EXERCISES + [ch01.gate_weights]


def _integer_texts(expected):
    """Integer labels: the whole array, as printed (a single one is too short to search for)."""
    if expected.dtype.kind not in "iub":
        return None
    if expected.size > 1:
        return {str(expected), str(expected.tolist()), str(expected.astype(int))}
    return set()


def _leak_texts(ex):
    if isinstance(ex, ValueExercise):
        return {"10.0", "-15", "-5", "(10"}
    return expected_texts(ex, special=_integer_texts)


# assert_fails(ex, answer, fragment, *, status="failed"), with this chapter's leak texts
assert_fails = partial(helpers.assert_fails, leak_texts=_leak_texts)


# ----------------------------------------------------------------- every exercise


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "ch01")


@pytest.mark.parametrize("ex", FUNCTION_EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "ch01")


def test_value_stub_is_not_attempted():
    stub = {"AND": (..., ..., ...), "OR": (..., ..., ...)}
    assert ch01.gate_weights.check(stub).status == "not attempted"


@pytest.mark.parametrize("ex", FUNCTION_EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex, leak_texts=_leak_texts)


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_solution_shows_the_reference_def(ex):
    params = {
        "network_output": "x, W, b, v, c",
        "stable_sigmoid": "a",
        "gate_weights": "",
        "predict_labels": "X, w, b",
    }[ex.name]
    check_solution_shows_def(ex, params)


@pytest.mark.parametrize("ex", ALL_EXERCISES, ids=lambda ex: ex.name)
def test_hints(ex):
    check_hints(ex, "ch01")


def test_exercise_kinds():
    assert all(isinstance(ex, FunctionExercise) for ex in FUNCTION_EXERCISES)
    assert isinstance(ch01.gate_weights, ValueExercise)
    assert ch01.gate_weights.reference == ch01.gate_weights.build()


# ----------------------------------------------------------------- network_output


def test_network_output_correct_variants_pass():
    ex = ch01.network_output
    assert ex.check(lambda x, W, b, v, c: sigmoid(np.dot(v, sigmoid(np.dot(W.T, x) + b)) + c))
    assert ex.check(lambda x, W, b, v, c: sigmoid(v @ sigmoid(W.T @ x + b) + c))  # W.T @ x == x @ W
    assert ex.check(lambda x, W, b, v, c: np.array(ex.reference(x, W, b, v, c)))  # a 0-d array


def test_network_output_transposed_weights_fail():
    ex = ch01.network_output
    # W @ x treats W as (M, D): on the first case, D = 3 != M = 4, so it cannot multiply.
    result = assert_fails(
        ex,
        lambda x, W, b, v, c: sigmoid(v @ sigmoid(W @ x + b) + c),
        "raised ValueError: matmul",
        status="error",
    )
    assert "with x of shape (3,), W of shape (3, 4)" in result.message
    assert "in your line" in result.message
    # x @ W.T fails the same way.
    assert_fails(
        ex,
        lambda x, W, b, v, c: sigmoid(v @ sigmoid(x @ W.T + b) + c),
        "raised ValueError",
        status="error",
    )

    # A reader whose code runs on square W only is caught there, on the values.
    def transposed_when_square(x, W, b, v, c):
        A = W @ x if W.shape[0] == W.shape[1] else x @ W
        return sigmoid(v @ sigmoid(A + b) + c)

    result = assert_fails(ex, transposed_when_square, "the value differs from the expected one")
    assert "a square W" in result.message


def test_network_output_missing_hidden_bias_fails():
    assert_fails(
        ch01.network_output,
        lambda x, W, b, v, c: sigmoid(v @ sigmoid(x @ W) + c),
        "the value differs from the expected one by",
    )


def test_network_output_missing_output_sigmoid_fails():
    assert_fails(
        ch01.network_output,
        lambda x, W, b, v, c: v @ sigmoid(x @ W + b) + c,
        "the output y must lie in [0, 1]",
    )


def test_network_output_without_hidden_nonlinearity_fails():
    assert_fails(
        ch01.network_output,
        lambda x, W, b, v, c: sigmoid(v @ (x @ W + b) + c),
        "the value differs from the expected one by",
    )


def test_network_output_returning_the_hidden_layer_fails():
    assert_fails(
        ch01.network_output,
        lambda x, W, b, v, c: sigmoid(x @ W + b),
        "should return a single number (a float or a 0-d array), got an array of shape (4,)",
    )


def test_network_cases_cover_square_and_non_square_weights():
    shapes = [case.args["W"].shape for case in ch01.network_output.cases(np.random.default_rng(0))]
    assert shapes[0][0] != shapes[0][1]
    assert any(d == m for d, m in shapes) and sum(d != m for d, m in shapes) >= 2


# ----------------------------------------------------------------- stable_sigmoid


def _masked_sigmoid(a):
    a = np.asarray(a, dtype=float)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1 / (1 + np.exp(-a[pos]))
    out[~pos] = np.exp(a[~pos]) / (1 + np.exp(a[~pos]))
    return out


@pytest.mark.parametrize(
    "answer",
    [
        _masked_sigmoid,
        lambda a: 0.5 * (1 + np.tanh(np.asarray(a) / 2)),  # cancels to 0 for very negative a: fine
        lambda a: np.exp(-np.logaddexp(0, -np.asarray(a, dtype=float))),
        sigmoid,  # the package's own
    ],
    ids=["masks", "tanh", "logaddexp", "lazynb"],
)
def test_stable_sigmoid_correct_variants_pass(answer):
    assert ch01.stable_sigmoid.check(answer).passed


def test_stable_sigmoid_reference_matches_the_package():
    for case in ch01.stable_sigmoid.cases(np.random.default_rng(0)):
        a = case.args["a"]
        np.testing.assert_array_equal(ch01.stable_sigmoid.reference(a), sigmoid(a))


def test_naive_sigmoid_fails_on_the_overflow_warning():
    def naive(a):
        return 1 / (1 + np.exp(-a))

    result = assert_fails(
        ch01.stable_sigmoid,
        naive,
        "no RuntimeWarning should be raised, but your function warned "
        '"overflow encountered in exp"',
    )
    assert "values from -1e4 to 1e4" in result.message
    assert "in `return 1 / (1 + np.exp(-a))`" in result.message  # the reader's line


def test_where_sigmoid_fails_gently_on_both_branches():
    def where_sigmoid(a):
        return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))

    result = assert_fails(ch01.stable_sigmoid, where_sigmoid, "no RuntimeWarning should be raised")
    assert "evaluates both x and y on every element" in result.message


def test_clipped_sigmoid_fails_on_values():
    def clipped(a):
        a = np.clip(a, -10, 10)  # changes sigmoid(a) visibly for |a| > 10
        return 1 / (1 + np.exp(-a))

    assert_fails(ch01.stable_sigmoid, clipped, "values differ from the expected ones at")


def test_in_place_sigmoid_fails():
    def in_place(a):
        a *= -1
        np.exp(a, out=a)
        return 1 / (1 + a)

    assert_fails(ch01.stable_sigmoid, in_place, "changed its argument `a` in place")


def test_list_sigmoid_fails():
    assert_fails(
        ch01.stable_sigmoid,
        lambda a: [float(sigmoid(t)) for t in np.ravel(a)],
        "should return a NumPy array (or a tensor), got list",
    )


def test_integer_input_needs_a_float_result():
    def empty_like(a):
        out = np.empty_like(a)  # int input -> int output
        out[...] = sigmoid(a)
        return out

    result = assert_fails(ch01.stable_sigmoid, empty_like, "dtype should be floating, got int64")
    assert "dtype int64" in result.message and "integers" in result.message


def test_out_of_range_sigmoid_fails():
    assert_fails(ch01.stable_sigmoid, lambda a: sigmoid(a) * 2 - 0.5, "outputs must lie in [0, 1]")


# ----------------------------------------------------------------- gate_weights


@pytest.mark.parametrize(
    "answer",
    [
        {"AND": (5, 5, -7.5), "OR": (5, 5, -2.5)},
        {"AND": np.array([20.0, 20.0, -30.0]), "OR": [20, 20, -10], "NOT": (0, 0, 0)},
    ],
)
def test_other_gate_weights_pass(answer):
    assert ch01.gate_weights.check(answer).passed


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (
            {"AND": (10, 10, -5), "OR": (10, 10, -15)},
            "AND: for input (0, 1) the unit outputs 0.99; it should be at most 0.1",
        ),
        (
            {"AND": (10, 10, 0), "OR": (10, 10, 0)},
            "AND: for input (0, 0) the unit outputs 0.50; it should be at most 0.1 (with both inputs 0",
        ),
        ({"AND": (10.0, 10.0, -15.0)}, 'the key "OR" is missing'),
        (
            {"AND": (10.0, 10.0, -15.0), "OR": ("ten", 10, -5)},
            "OR: w1, w2 and b must be numbers, got str for w1",
        ),
        (
            {"AND": (10.0, 10.0, -15.0), "OR": (10, 10)},
            "OR: should be three numbers (w1, w2, b), got 2",
        ),
        ({"AND": 10.0, "OR": (10, 10, -5)}, "AND: should be three numbers (w1, w2, b), got float"),
        ([(10, 10, -15), (10, 10, -5)], 'should be a dict with keys "AND" and "OR", got list'),
        (
            {"AND": (10.0, 10.0, -15.0), "OR": (1, 1, -0.5)},
            "OR: for input (0, 0) the unit outputs 0.38; it should be at most 0.1",
        ),
        (
            {"AND": (10.0, 10.0, -15.0), "OR": (4.39, 4.39, -2.2)},  # 0.8993 would round to "0.90"
            "OR: for input (0, 1) the unit outputs 0.899348; it should be at least 0.9",
        ),
    ],
    ids=[
        "swapped",
        "no-bias",
        "missing-key",
        "non-numeric",
        "too-short",
        "not-a-tuple",
        "not-a-dict",
        "weak",
        "just-below",
    ],
)
def test_wrong_gate_weights(answer, fragment):
    assert_fails(ch01.gate_weights, answer, fragment)


# ----------------------------------------------------------------- predict_labels


@pytest.mark.parametrize(
    "answer",
    [
        lambda X, w, b: X @ w + b >= 0,  # a bool array, no sigmoid
        lambda X, w, b: np.where(sigmoid(X @ w + b) >= 0.5, 1, 0),
        lambda X, w, b: (sigmoid(X @ w + b) >= 0.5).astype(np.int8),
    ],
    ids=["bool", "where", "int8"],
)
def test_predict_labels_correct_variants_pass(answer):
    assert ch01.predict_labels.check(answer).passed


def test_predict_labels_returning_probabilities_fails_on_dtype():
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: sigmoid(X @ w + b),
        "dtype should be integer or bool (class labels 0 and 1, not probabilities), got float64",
    )
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: np.round(sigmoid(X @ w + b)),
        "dtype should be integer or bool",
    )


def test_predict_labels_column_vector_fails_on_shape():
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: (sigmoid(X @ w[:, None] + b) >= 0.5).astype(int),
        "shape should be (N,) = (8,), got (8, 1)",
    )


def test_predict_labels_wrong_side_of_the_threshold_fails():
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: (sigmoid(X @ w + b) < 0.5).astype(int),
        "every label is the opposite of the right one",
    )


def test_predict_labels_without_bias_fails():
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: (sigmoid(X @ w) >= 0.5).astype(int),
        "values differ from the expected ones at",
    )


def test_predict_labels_must_be_0_or_1():
    assert_fails(
        ch01.predict_labels,
        lambda X, w, b: np.sign(X @ w + b).astype(int),
        "predicted classes must be 0 or 1, got -1",
    )
