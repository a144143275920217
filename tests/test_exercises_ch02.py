"""Chapter 2's exercises: the reference passes, and typical mistakes fail with the right message.

Every wrong answer below is one a reader is likely to write. Each must fail (or error)
with a message that names the problem, and no message may give the expected output away.
"""

from functools import partial

import numpy as np
import pytest

from lazynb.activations import sigmoid
from lazynb.exercises import ch01, ch02
from lazynb.exercises.core import FunctionExercise

import exercise_helpers as helpers
from exercise_helpers import (
    check_hints,
    check_raising_is_error,
    check_reference_leaves_inputs_alone,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
    expected_texts,
)

EXERCISES = [
    ch02.y2indicator,
    ch02.forward_with_bias,
    ch02.network_output_matrix,
    ch02.stable_softmax,
    ch02.count_dead_units,
]
PARAMS = {
    "y2indicator": "y, K",
    "forward_with_bias": "X, W1, b1, W2, b2",
    "network_output_matrix": "X, W, b, v, c",
    "stable_softmax": "A",
    "count_dead_units": "X, W, b",
}


def _softmax(A, axis=1):
    """The textbook softmax (no max subtracted), over ``axis``."""
    E = np.exp(A)
    return E / E.sum(axis=axis, keepdims=True)


def _leak_texts(ex):
    """Strings that would give away the reference's outputs on the exercise's cases."""

    def special(expected):
        if ex is ch02.y2indicator:
            return {str(expected), str(expected.tolist())}
        if expected.dtype.kind in "iub":  # a count: too short to search for on its own
            return {
                f"expected {expected}",
                f"should be {expected}",
                f"{expected} dead",
                f"answer is {expected}",
            }
        return None

    # The .3f form only from 0.1 up (a "largest difference 0.051" is no leak of an expected
    # 0.0512).
    return expected_texts(ex, special=special, min_abs_for_3f=0.1)


# assert_fails(ex, answer, fragment, *, status="failed"), with this chapter's leak texts
assert_fails = partial(helpers.assert_fails, leak_texts=_leak_texts)


# ----------------------------------------------------------------- every exercise


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "ch02")
    assert isinstance(ex, FunctionExercise)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "ch02")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex, leak_texts=_leak_texts)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_passing_a_result_instead_of_the_function_fails(ex):
    result = ex.check(np.zeros(3))
    assert result.status == "failed" and f"ch02.{ex.name}.check({ex.name})" in result.message


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_shows_the_reference_def(ex):
    check_solution_shows_def(ex, PARAMS[ex.name])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hints(ex):
    check_hints(ex, "ch02")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_references_leave_their_inputs_alone(ex):
    check_reference_leaves_inputs_alone(ex)


# ----------------------------------------------------------------- y2indicator


@pytest.mark.parametrize(
    "answer",
    [
        lambda y, K: np.eye(K)[y],
        lambda y, K: (np.arange(K) == np.asarray(y)[:, None]).astype(int),
        lambda y, K: np.arange(K) == np.asarray(y)[:, None],  # booleans
    ],
    ids=["eye", "int", "bool"],
)
def test_y2indicator_correct_variants_pass(answer):
    assert ch02.y2indicator.check(answer).passed


def test_y2indicator_agrees_with_the_package_one_hot():
    from lazynb.data import one_hot

    for case in ch02.y2indicator.cases(np.random.default_rng(0)):
        np.testing.assert_array_equal(
            ch02.y2indicator.reference(**case.args), one_hot(case.args["y"], case.args["K"])
        )


def test_y2indicator_off_by_one_fails():
    def minus_one(y, K):
        T = np.zeros((len(y), K))
        for i in range(len(y)):
            T[i, y[i] - 1] = 1  # as if labels started at 1
        return T

    assert_fails(ch02.y2indicator, minus_one, "one column to the left of its label")
    assert_fails(
        ch02.y2indicator,
        lambda y, K: np.eye(K)[(y + 1) % K],
        "one column to the right of its label",
    )


def test_y2indicator_classes_from_the_labels_fail_on_shape():
    result = assert_fails(
        ch02.y2indicator,
        lambda y, K: np.eye(y.max() + 1)[y],
        "shape should be (N, K) = (5, 4), got (5, 3)",
    )
    assert "no sample of the last class" in result.message


def test_y2indicator_transposed_fails_on_shape():
    assert_fails(
        ch02.y2indicator, lambda y, K: np.eye(K)[y].T, "shape should be (N, K) = (5, 4), got (4, 5)"
    )


def test_y2indicator_labels_instead_of_ones_fail():
    def labels_in_place(y, K):
        T = np.zeros((len(y), K))
        T[np.arange(len(y)), y] = y  # writes the label, not 1
        return T

    assert_fails(ch02.y2indicator, labels_in_place, "holds only 0s and 1s, got 2")


def test_y2indicator_two_ones_per_row_fails():
    def cumulative(y, K):
        T = np.zeros((len(y), K))
        T[np.arange(len(y)), y] = 1
        T[:, 0] = 1  # e.g. a stray initialisation of the first column
        return T

    assert_fails(ch02.y2indicator, cumulative, "holds 2 ones; every row needs exactly one 1")


def test_y2indicator_scattered_ones_fail():
    rng = np.random.default_rng(1)
    assert_fails(
        ch02.y2indicator,
        lambda y, K: np.eye(K)[rng.permutation(np.asarray(y))],
        "the 1 is not in the column of the sample's label",
    )


def test_y2indicator_missing_return_fails():
    def no_return(y, K):
        T = np.zeros((len(y), K))
        T[np.arange(len(y)), y] = 1

    assert_fails(ch02.y2indicator, no_return, "did you forget to `return` the result?")


# ----------------------------------------------------------------- forward_with_bias


def test_forward_with_bias_naive_softmax_and_loops_pass():
    ex = ch02.forward_with_bias
    assert ex.check(lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1 + b1) @ W2 + b2))

    def looped(X, W1, b1, W2, b2):
        rows = []
        for x in X:
            z = sigmoid(x.dot(W1) + b1)
            a = z.dot(W2) + b2
            rows.append(np.exp(a - a.max()) / np.exp(a - a.max()).sum())
        return np.array(rows)

    assert ex.check(looped)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (
            lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1) @ W2),
            "those of the network without any bias",
        ),
        (
            lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1) @ W2 + b2),
            "without the hidden bias b1",
        ),
        (
            lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1 + b1) @ W2),
            "without the output bias b2",
        ),
    ],
    ids=["no-bias", "no-b1", "no-b2"],
)
def test_forward_with_bias_missing_biases_fail(answer, fragment):
    assert_fails(ch02.forward_with_bias, answer, fragment)


def test_forward_with_bias_softmax_over_the_wrong_axis_fails():
    assert_fails(
        ch02.forward_with_bias,
        lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1 + b1) @ W2 + b2, axis=0),
        "the columns sum to 1 instead of the rows",
    )

    def whole_array(X, W1, b1, W2, b2):
        E = np.exp(sigmoid(X @ W1 + b1) @ W2 + b2)
        return E / E.sum()

    assert_fails(ch02.forward_with_bias, whole_array, "the whole array sums to 1")


def test_forward_with_bias_without_softmax_fails():
    assert_fails(
        ch02.forward_with_bias,
        lambda X, W1, b1, W2, b2: sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2),
        "every row must sum to 1",
    )


def test_forward_with_bias_transposed_weights_fail():
    result = assert_fails(
        ch02.forward_with_bias,
        lambda X, W1, b1, W2, b2: _softmax(sigmoid(X @ W1.T + b1) @ W2 + b2),
        "raised ValueError: matmul",
        status="error",
    )
    assert "in your line" in result.message

    # On square weights a transposed W1 runs, and must fail on the values.
    def transposed_when_square(X, W1, b1, W2, b2):
        W = W1.T if W1.shape[0] == W1.shape[1] else W1
        return _softmax(sigmoid(X @ W + b1) @ W2 + b2)

    result = assert_fails(
        ch02.forward_with_bias, transposed_when_square, "values differ from the expected ones at"
    )
    assert "square weight matrices" in result.message


@pytest.mark.parametrize(
    "hidden, name",
    [(np.tanh, "tanh"), (lambda a: a * (a > 0), "ReLU"), (lambda a: a, "no activation")],
)
def test_forward_with_bias_wrong_hidden_activation_fails(hidden, name):
    assert_fails(
        ch02.forward_with_bias,
        lambda X, W1, b1, W2, b2: _softmax(hidden(X @ W1 + b1) @ W2 + b2),
        f"your hidden layer uses {name}",
    )


def test_forward_with_bias_in_place_fails():
    def shifts_b2_in_place(X, W1, b1, W2, b2):
        b2 -= b2.max()  # softmax ignores a constant shift, but this changes the caller's b2
        return _softmax(sigmoid(X @ W1 + b1) @ W2 + b2)

    assert_fails(ch02.forward_with_bias, shifts_b2_in_place, "changed its argument `b2` in place")


# ----------------------------------------------------------------- network_output_matrix


def test_network_output_matrix_correct_variants_pass():
    ex = ch02.network_output_matrix
    assert ex.check(lambda X, W, b, v, c: sigmoid(sigmoid(X.dot(W) + b).dot(v) + c))
    # One sample at a time with chapter 1's reference: slow, but right.
    assert ex.check(
        lambda X, W, b, v, c: np.array([ch01.network_output.reference(x, W, b, v, c) for x in X])
    )
    assert ex.check(lambda X, W, b, v, c: sigmoid(v @ sigmoid(W.T @ X.T + b[:, None]) + c))


def test_network_output_matrix_agrees_with_chapter_1_row_by_row():
    for case in ch02.network_output_matrix.cases(np.random.default_rng(0)):
        X, W, b, v, c = case.args.values()
        got = ch02.network_output_matrix.reference(X, W, b, v, c)
        np.testing.assert_allclose(
            got, [ch01.network_output.reference(x, W, b, v, c) for x in X], rtol=1e-12
        )


def test_network_output_matrix_missing_output_sigmoid_fails():
    assert_fails(
        ch02.network_output_matrix,
        lambda X, W, b, v, c: sigmoid(X @ W + b) @ v + c,
        "the outputs y must lie in [0, 1]",
    )


def test_network_output_matrix_column_vector_fails_on_shape():
    assert_fails(
        ch02.network_output_matrix,
        lambda X, W, b, v, c: sigmoid(sigmoid(X @ W + b) @ v[:, None] + c),
        "shape should be (N,) = (5,), got (5, 1)",
    )


def test_network_output_matrix_sum_over_samples_fails_on_shape():
    assert_fails(
        ch02.network_output_matrix,
        lambda X, W, b, v, c: sigmoid((sigmoid(X @ W + b) * v).sum(axis=0) + c),
        "shape should be (N,) = (5,), got (4,)",
    )


def test_network_output_matrix_chapter_1_orientation_errors():
    # W.T @ X was right for one column vector x; with samples as rows it cannot multiply.
    assert_fails(
        ch02.network_output_matrix,
        lambda X, W, b, v, c: sigmoid(v @ sigmoid(W.T @ X + b) + c),
        "raised ValueError: matmul",
        status="error",
    )


def test_network_output_matrix_missing_hidden_bias_fails():
    assert_fails(
        ch02.network_output_matrix,
        lambda X, W, b, v, c: sigmoid(sigmoid(X @ W) @ v + c),
        "values differ from the expected ones at 5 of 5 positions",
    )


# ----------------------------------------------------------------- stable_softmax


@pytest.mark.parametrize(
    "answer",
    [
        lambda A: np.exp(A - np.logaddexp.reduce(A, axis=1, keepdims=True)),
        lambda A: _softmax(A - A.max(axis=1)[:, None]),
        lambda A: _softmax(A - np.max(A, axis=-1, keepdims=True), axis=-1),
    ],
    ids=["logsumexp", "newaxis", "axis-minus-one"],
)
def test_stable_softmax_correct_variants_pass(answer):
    assert ch02.stable_softmax.check(answer).passed


def test_naive_softmax_fails_on_overflow():
    result = assert_fails(
        ch02.stable_softmax,
        _softmax,
        "no RuntimeWarning should be raised, but your function warned "
        '"overflow encountered in exp"',
    )
    assert "activations of size 1000" in result.message
    assert "subtract each row's own maximum" in result.message


def test_softmax_with_one_global_maximum_fails():
    result = assert_fails(
        ch02.stable_softmax,
        lambda A: _softmax(A - A.max()),
        '"invalid value encountered in divide"',
    )
    assert "rows far apart" in result.message


def test_softmax_that_shifts_its_input_in_place_fails():
    def in_place(A):
        A -= A.max(axis=1, keepdims=True)
        E = np.exp(A)
        return E / E.sum(axis=1, keepdims=True)

    assert_fails(ch02.stable_softmax, in_place, "changed its argument `A` in place")


def test_softmax_over_columns_fails():
    assert_fails(
        ch02.stable_softmax,
        lambda A: _softmax(A - A.max(axis=0), axis=0),
        "the columns sum to 1 instead of the rows",
    )


def test_softmax_max_without_keepdims_errors():
    result = assert_fails(
        ch02.stable_softmax,
        lambda A: _softmax(A - A.max(axis=1)),
        "could not be broadcast",
        status="error",
    )
    assert "A of shape (2, 3)" in result.message


def test_softmax_clipped_logits_fail_on_values():
    assert_fails(
        ch02.stable_softmax,
        lambda A: _softmax(np.clip(A, -50, 50)),
        "values differ from the expected ones at",
    )


# ----------------------------------------------------------------- count_dead_units


def _outputs(X, W, b):
    return np.maximum(X @ W + b, 0)


@pytest.mark.parametrize(
    "answer",
    [
        lambda X, W, b: np.sum((X @ W + b).max(axis=0) <= 0),
        lambda X, W, b: sum(int(np.all(_outputs(X, W, b)[:, m] == 0)) for m in range(W.shape[1])),
        lambda X, W, b: np.count_nonzero(~_outputs(X, W, b).any(axis=0)),
    ],
    ids=["max", "loop", "count_nonzero"],
)
def test_count_dead_units_correct_variants_pass(answer):
    assert ch02.count_dead_units.check(answer).passed


def test_first_dead_units_case_tells_the_mistakes_apart():
    case = next(iter(ch02.count_dead_units.cases(np.random.default_rng(0))))
    Z = _outputs(*case.args.values())
    dead = int(np.all(Z == 0, axis=0).sum())
    some = int(np.any(Z == 0, axis=0).sum())
    rows = int(np.all(Z == 0, axis=1).sum())
    assert len({dead, some, Z.shape[1] - dead, rows}) == 4, (dead, some, rows)
    assert int((Z == 0).sum()) > Z.shape[1]


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (
            lambda X, W, b: int(np.any(_outputs(X, W, b) == 0, axis=0).sum()),
            "units that output 0 for *some* sample",
        ),
        (
            lambda X, W, b: int((~np.all(_outputs(X, W, b) == 0, axis=0)).sum()),
            "you counted the units that are alive",
        ),
        (
            lambda X, W, b: int(np.all(_outputs(X, W, b) == 0, axis=1).sum()),
            "you counted samples (rows)",
        ),
        (lambda X, W, b: int((_outputs(X, W, b) == 0).sum()), "You seem to count zero outputs"),
        (
            lambda X, W, b: int(np.all(np.maximum(X @ W, 0) == 0, axis=0).sum()),
            "the layer without its biases",
        ),
    ],
    ids=["any", "alive", "rows", "entries", "no-bias"],
)
def test_count_dead_units_wrong_counts_fail(answer, fragment):
    assert_fails(ch02.count_dead_units, answer, fragment)


def test_count_dead_units_returning_the_mask_fails():
    assert_fails(
        ch02.count_dead_units,
        lambda X, W, b: np.all(_outputs(X, W, b) == 0, axis=0),
        "should return a single number",
    )


def test_count_dead_units_float_count_fails_on_dtype():
    assert_fails(
        ch02.count_dead_units,
        lambda X, W, b: float(np.all(_outputs(X, W, b) == 0, axis=0).sum()),
        "dtype should be integer (a count of units), got float64",
    )


# ----------------------------------------------------------------- pinned by make mutants


@pytest.mark.parametrize(
    "shift",
    [
        lambda A: A + A.max(axis=1, keepdims=True),
        lambda A: A - A.max(),
        lambda A: A - A.max(keepdims=True),
    ],
    ids=["plus-row-max", "global-max", "global-max-keepdims"],
)
def test_forward_with_bias_softmax_shift_by_the_wrong_maximum_fails(shift):
    """mutmut's survivors: the softmax shifted by the whole array's maximum, or by plus the
    row's; right for small activations, NaN once a row's activations reach a few hundred."""

    def answer(X, W1, b1, W2, b2):
        A = sigmoid(X @ W1 + b1) @ W2 + b2
        E = np.exp(shift(A))
        return E / E.sum(axis=1, keepdims=True)

    assert_fails(
        ch02.forward_with_bias, answer, "output activations of a few hundred", status="failed"
    )
