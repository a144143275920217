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
from lazynb.losses import binary_cross_entropy_with_logits

import exercise_helpers as helpers
from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
    expected_texts,
)

FUNCTION_EXERCISES = [ch01.network_output, ch01.bce_with_logits, ch01.predict_labels]
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
        "bce_with_logits": "t, a",
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


# ----------------------------------------------------------------- bce_with_logits


def _naive_bce(t, a):
    p = 1 / (1 + np.exp(-a))
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))


def _softplus(z):
    return np.logaddexp(0, z)


def _where_bce(t, a):
    softplus = np.where(a >= 0, a + np.log1p(np.exp(-a)), np.log1p(np.exp(a)))
    return np.mean(softplus - t * a)


@pytest.mark.parametrize(
    "answer",
    [
        lambda t, a: np.mean(np.logaddexp(0, a) - t * a),
        lambda t, a: -np.mean(t * -_softplus(-a) + (1 - t) * -_softplus(a)),  # the two logs
        lambda t, a: np.array(np.mean(_softplus(a) - t * a)),  # a 0-d array
        binary_cross_entropy_with_logits,  # the package's own
    ],
    ids=["logaddexp", "two-logs", "0-d", "lazynb"],
)
def test_bce_correct_variants_pass(answer):
    assert ch01.bce_with_logits.check(answer).passed


def test_bce_reference_matches_the_package_and_the_naive_formula():
    for case in ch01.bce_with_logits.cases(np.random.default_rng(0)):
        t, a = case.args["t"], case.args["a"]
        got = ch01.bce_with_logits.reference(t, a)
        assert got == pytest.approx(binary_cross_entropy_with_logits(t, a), rel=1e-12)
        if np.max(np.abs(a)) < 30:  # where the naive formula is still exact enough
            assert got == pytest.approx(_naive_bce(t, a), rel=1e-9)


def test_bce_cases_reach_where_sigmoid_rounds_to_0_or_1():
    cases = list(ch01.bce_with_logits.cases(np.random.default_rng(0)))
    assert any(sigmoid(np.max(c.args["a"])) == 1.0 for c in cases)
    assert any(np.max(np.abs(c.args["a"])) >= 1e4 for c in cases)
    assert np.max(np.abs(cases[0].args["a"])) < 30  # the first case: a naive formula is right


def test_naive_bce_fails_on_log_of_zero():
    result = assert_fails(
        ch01.bce_with_logits,
        _naive_bce,
        'no RuntimeWarning should be raised, but your function warned "divide by zero '
        'encountered in log"',
    )
    assert "logits of +-40, where sigmoid(a) rounds to exactly 1 or 0" in result.message
    assert "Write the loss in terms of a" in result.message


def test_naive_bce_with_silenced_warnings_fails_on_infinity():
    def silenced(t, a):
        with np.errstate(all="ignore"):
            p = 1 / (1 + np.exp(-a))
            return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))

    result = assert_fails(ch01.bce_with_logits, silenced, "the result contains NaN or infinity")
    assert "sigmoid(a) rounds to exactly 1 or 0 in float64 and log(0) is -inf" in result.message


def test_where_softplus_fails_on_the_overflow_warning():
    result = assert_fails(ch01.bce_with_logits, _where_bce, '"overflow encountered in exp"')
    assert "logits up to 1e4 in size" in result.message
    assert "computes both x and y on every element" in result.message


@pytest.mark.parametrize(
    "clip",
    [
        lambda a: np.clip(sigmoid(a), 1e-12, 1 - 1e-12),  # the probability clipped
        lambda a: 1 / (1 + np.exp(-np.clip(a, -30, 30))),  # the logit clipped
    ],
    ids=["clip-p", "clip-a"],
)
def test_clipped_bce_fails_where_the_loss_has_no_ceiling(clip):
    def clipped(t, a):
        p = clip(a)
        return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))

    result = assert_fails(ch01.bce_with_logits, clipped, "the loss is too small where |a| is large")
    assert "logits of +-40" in result.message  # it is right for the small logits before


def test_overall_sign_error_fails_as_negative():
    assert_fails(
        ch01.bce_with_logits,
        lambda t, a: np.mean(t * -_softplus(-a) + (1 - t) * -_softplus(a)),
        "the loss came out negative",
    )


def test_sign_error_on_a_fails_as_swapped_targets():
    assert_fails(
        ch01.bce_with_logits,
        lambda t, a: np.mean(t * _softplus(a) + (1 - t) * _softplus(-a)),
        "this is the loss for the opposite targets (1 - t): a sign error on a",
    )


def test_sum_instead_of_mean_fails():
    assert_fails(
        ch01.bce_with_logits,
        lambda t, a: np.sum(_softplus(a) - t * a),
        "the result is N = 6 times too large: return the mean over the samples, not the sum",
    )


def test_returning_the_sigmoid_fails():
    assert_fails(
        ch01.bce_with_logits,
        lambda t, a: sigmoid(a),
        "should return a single number (a float or a 0-d array), got an array of shape (6,)",
    )
    assert_fails(
        ch01.bce_with_logits,
        lambda t, a: np.mean(sigmoid(a)),
        "that is the mean of sigmoid(a), the predicted probabilities, not the loss",
    )


def test_in_place_bce_fails():
    def in_place(t, a):
        a *= -1  # a = -a, in the caller's array
        return np.mean(_softplus(-a) - t * -a)

    assert_fails(ch01.bce_with_logits, in_place, "changed its argument `a` in place")


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


# ----------------------------------------------------------------- pinned by make mutants


def test_predict_labels_strict_threshold_fails_on_the_boundary():
    """mutmut's survivor `(p > 0.5)`: a sample exactly on the boundary is class 1."""
    for strict in (
        lambda X, w, b: (sigmoid(X @ w + b) > 0.5).astype(int),
        lambda X, w, b: X @ w + b > 0,
    ):
        assert_fails(ch01.predict_labels, strict, "exactly on the boundary")


def test_bce_naive_formula_with_warnings_silenced_fails():
    """Issue #15: the naive formula passed once its RuntimeWarnings were silenced."""
    import warnings

    def silenced_errstate(t, a):
        with np.errstate(all="ignore"):
            return _naive_bce(t, a)

    def silenced_warnings(t, a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _naive_bce(t, a)

    def clipped(t, a):  # no warning at all: the logs are capped
        p = np.clip(1 / (1 + np.exp(-np.clip(a, -500, 500))), 1e-12, 1 - 1e-12)
        return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)))

    for answer in (silenced_errstate, silenced_warnings):
        result = ch01.bce_with_logits.check(answer)
        assert result.status == "failed" and "NaN or infinity" in result.message, result
    assert_fails(ch01.bce_with_logits, clipped, "without a ceiling")
