"""The exercise framework, tested on toy exercises: "double an array" and "sum an array".

A checker that is wrong is worse than none, so every status and message is pinned here:
the reference passes, and each typical mistake gets the right status and a specific
message that never shows the expected values.
"""

import warnings

import numpy as np
import pytest

from lazynb.exercises import (
    Case,
    CheckResult,
    Exercise,
    ExerciseFailed,
    FunctionExercise,
    Hint,
    ValueExercise,
)

X0 = np.array([1.2345, -2.3456, 3.4567])  # the first case; doubled: 2.469, -4.6912, 6.9134
EXPECTED_TEXT = ["2.469", "4.691", "6.913", "2.47", "4.69", "6.91"]


def double(x):
    """Twice x. x: array of any shape; returns a float array of the same shape."""
    return 2.0 * np.asarray(x, dtype=float)


def _double_cases(rng):
    yield Case({"x": X0.copy()})
    yield Case({"x": rng.normal(size=(3, 4))}, "random values")


def _same_sign(got, expected, args):
    if np.any(np.sign(got) != np.sign(args["x"])):
        return "the result must have the sign of x"
    return None


def make_double(**options):
    settings = dict(
        prompt="Double x.",
        hints=["first", "second", "third"],
        cases=_double_cases,
        shape="x.shape",
        rtol=1e-7,
        atol=1e-12,
        checks=[_same_sign],
        chapter="toy",
    )
    settings.update(options)
    return FunctionExercise("double", double, **settings)


def total(x):
    """Sum of the entries of x. x: (N,); returns a number."""
    return float(np.sum(x))


def make_total():
    return FunctionExercise(
        "total",
        total,
        prompt="Sum x.",
        hints=["only hint"],
        returns="scalar",
        cases=lambda rng: [Case({"x": X0.copy()}), Case({"x": rng.normal(size=5)})],
    )


class FakeTensor:
    """Stands in for a TensorFlow tensor: the framework only relies on ``.numpy()``."""

    def __init__(self, value):
        self._value = np.asarray(value)

    def numpy(self):
        return self._value


@pytest.fixture
def ex():
    return make_double()


def assert_no_leak(result):
    for text in EXPECTED_TEXT:
        assert text not in result.message, (text, result.message)


# ----------------------------------------------------------------- passing answers


def test_reference_passes(ex):
    result = ex.check(ex.reference)
    assert result.status == "passed" and bool(result) and result.passed
    assert result.n_cases == 2
    assert result.exercise == "toy.double"
    assert "all 2 cases passed" in result.message
    assert ex.check(ex.reference, strict=True).passed  # strict returns when it passes


def test_other_correct_forms_pass(ex):
    assert ex.check(lambda x: x + x)
    assert ex.check(lambda x: (2 * x).astype(np.float32))  # any floating dtype
    assert ex.check(lambda x: FakeTensor(2 * x))  # a TensorFlow-like tensor


def test_cases_are_seeded_and_inputs_protected(ex):
    seen = []

    def spy(x):
        seen.append(x.copy())
        return 2 * x

    ex.check(spy)
    ex.check(spy)
    assert len(seen) == 4
    np.testing.assert_array_equal(seen[1], seen[3])  # same random case each time
    np.testing.assert_array_equal(seen[0], X0)


# ----------------------------------------------------------------- typical mistakes


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda x: (2 * x).astype(np.int64), "dtype should be floating, got int64"),
        (lambda x: 2 * x[None], "shape should be x.shape = (3,), got (1, 3)"),
        (lambda x: list(2 * x), "should return a NumPy array (or a tensor), got list"),
        (
            lambda x: float(2 * x.sum()),
            "should return a NumPy array (or a tensor), got a single number",
        ),
        (lambda x: None, "did you forget to `return` the result?"),
        (lambda x: -2 * x, "the result must have the sign of x"),
        (lambda x: 2.5 * x, "values differ from the expected ones at 3 of 3 positions"),
        (lambda x: 2 * x * np.array([1, 1, 1.1]), "values differ from the expected ones at 1 of 3"),
        (lambda x: FakeTensor(3 * x), "values differ from the expected ones at 3 of 3 positions"),
        (lambda x: 2 * x / (x - x), "the result contains NaN or infinity at 3 of 3 positions"),
    ],
    ids=[
        "dtype",
        "shape",
        "list",
        "number",
        "none",
        "property",
        "values",
        "one-value",
        "tensor-values",
        "nan",
    ],
)
def test_wrong_answers_fail_with_a_specific_message(ex, answer, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0/0 in the NaN answer
        result = ex.check(answer)
    assert result.status == "failed" and not result
    assert fragment in result.message
    assert "for input x of shape (3,)" in result.message
    assert_no_leak(result)


def test_values_message_gives_the_largest_difference(ex):
    result = ex.check(lambda x: 2.5 * x)
    assert "(largest difference 1.7)" in result.message  # 0.5 * 3.4567


def test_the_first_failing_case_is_reported(ex):
    result = ex.check(lambda x: 2 * x if x.ndim == 1 else 2 * x.T)
    assert result.n_cases == 2
    assert "shape should be x.shape = (3, 4), got (4, 3)" in result.message
    assert "random values" in result.message  # the case's note


def test_type_is_checked_before_shape_before_dtype_before_values(ex):
    assert "got list" in ex.check(lambda x: [1, 2]).message
    assert "shape" in ex.check(lambda x: np.zeros((2, 2), dtype=int)).message
    assert "dtype" in ex.check(lambda x: np.zeros(3, dtype=int)).message


def test_in_place_modification_fails(ex):
    def doubles_in_place(x):
        x *= 2
        return x

    result = ex.check(doubles_in_place)
    assert result.status == "failed"
    assert "changed its argument `x` in place; work on a copy" in result.message
    assert_no_leak(result)


def test_a_raising_answer_is_an_error_with_a_short_message(ex):
    def broken(x):
        raise ValueError("boom\n" + "DETAIL".lower())  # the second line is left out

    result = ex.check(broken)
    assert result.status == "error" and not result
    assert result.n_cases == 1
    assert "`broken(x)` with x of shape (3,) raised ValueError: boom" in result.message
    assert "detail" not in result.message
    assert "in your line" in result.message and 'raise ValueError("boom' in result.message
    assert "Traceback" not in result.message


def test_an_error_inside_a_library_points_at_the_readers_line(ex):
    def singular(x):
        return np.linalg.inv(np.zeros((2, 2))) @ x

    result = ex.check(singular)
    assert result.status == "error"
    assert "LinAlgError: Singular matrix" in result.message
    assert "`return np.linalg.inv(np.zeros((2, 2))) @ x`" in result.message


def test_the_untouched_stub_is_not_attempted(ex):
    def double(x):
        raise NotImplementedError  # your code here

    result = ex.check(double)
    assert result.status == "not attempted" and not result
    assert "raise NotImplementedError" in result.message and "toy.double.hint()" in result.message


def test_not_implemented_after_the_first_case_is_an_error(ex):
    def only_1d(x):
        if x.ndim > 1:
            raise NotImplementedError("2-D input")
        return 2 * x

    result = ex.check(only_1d)
    assert result.status == "error" and "NotImplementedError: 2-D input" in result.message


def test_passing_a_result_instead_of_the_function(ex):
    result = ex.check(np.array([1.0]))
    assert result.status == "failed" and "your function itself" in result.message


# ----------------------------------------------------------------- warnings


def _overflowing(x):
    big = np.exp(np.full(x.shape, 1000.0))  # overflows: RuntimeWarning
    return 2 * x + 0 * np.minimum(big, 0)


def test_forbidden_warnings_fail_and_name_the_line():
    ex = make_double(fail_on_warnings=(RuntimeWarning,), warning_advice="Use a stable formula.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape check()
        result = ex.check(_overflowing)
    assert result.status == "failed"
    assert (
        'no RuntimeWarning should be raised, but your function warned "overflow' in result.message
    )
    assert "`big = np.exp(np.full(x.shape, 1000.0))" in result.message
    assert result.message.endswith("Use a stable formula.")


def test_warnings_are_ignored_unless_forbidden(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ex.check(_overflowing).passed


# ----------------------------------------------------------------- scalar results


@pytest.mark.parametrize(
    "answer",
    [
        lambda x: float(np.sum(x)),
        lambda x: np.sum(x),
        lambda x: np.array(np.sum(x)),
        lambda x: FakeTensor(np.sum(x)),
        lambda x: np.float32(np.sum(x)),
    ],
    ids=["float", "numpy-scalar", "0-d", "tensor", "float32"],
)
def test_scalar_exercise_accepts_numbers(answer):
    assert make_total().check(answer).passed


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (
            lambda x: np.array([np.sum(x)]),
            "single number (a float or a 0-d array), got an array of shape (1,)",
        ),
        (lambda x: [np.sum(x)], "single number (a float or a 0-d array), got list"),
        (
            lambda x: FakeTensor([np.sum(x)]),
            "single number (a float or a 0-d array), got shape (1,)",
        ),
        (lambda x: int(np.sum(x)), "dtype should be floating, got int64"),
        (lambda x: np.sum(x) + 0.01, "the value differs from the expected one by 0.01"),
    ],
)
def test_scalar_exercise_rejects(answer, fragment):
    result = make_total().check(answer)
    assert result.status == "failed" and fragment in result.message
    assert "4.3456" not in result.message and "2.3456" not in result.message  # the sum, 2.3456


# ----------------------------------------------------------------- strict, display


def test_strict_raises_unless_passed(ex):
    with pytest.raises(ExerciseFailed) as info:
        ex.check(lambda x: 3 * x, strict=True)
    assert isinstance(info.value, AssertionError)
    assert "toy.double: failed: values differ" in str(info.value)
    assert info.value.result.status == "failed"
    with pytest.raises(ExerciseFailed, match="not attempted"):
        ex.check(_stub, strict=True)


def _stub(x):
    raise NotImplementedError


@pytest.mark.parametrize(
    "status, symbol, colour",
    [
        ("passed", "\u2714", "#2e7d32"),
        ("failed", "\u2718", "#c62828"),
        ("error", "\u26a0", "#ef8f00"),
        ("not attempted", "\u2026", "#757575"),
    ],
)
def test_result_renders_as_an_inline_styled_box(status, symbol, colour):
    result = CheckResult("toy.double", status, "a < b, see `x`", 3)
    page = result._repr_html_()
    assert page.startswith("<div style=") and colour in page and symbol in page
    assert "a &lt; b" in page and "<code>x</code>" in page  # escaped, code rendered
    assert "<script" not in page and "<link" not in page and "class=" not in page
    assert repr(result) == f"{symbol} toy.double: {status} \u2014 a < b, see `x`"
    assert bool(result) == (status == "passed")


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="status must be one of"):
        CheckResult("x", "ok", "")


# ----------------------------------------------------------------- hints, solution


def test_hints_go_to_the_next_level_and_clamp_at_the_last(ex):
    levels = [ex.hint() for _ in range(4)]
    assert [h.level for h in levels] == [1, 2, 3, 3]
    assert [str(h) for h in levels] == ["first", "second", "third", "third"]
    assert all(isinstance(h, Hint) and h.total == 3 for h in levels)
    assert repr(levels[0]) == "Hint 1 of 3 for toy.double: first"
    assert "the last one" in repr(levels[2])
    assert "second" in levels[1]._repr_html_()


def test_hint_with_a_level(ex):
    assert ex.hint(2).text == "second"
    assert ex.hint().level == 3  # the one after the level asked for
    assert ex.hint(1).level == 1
    assert ex.hint(99).level == 3  # clamped
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="hint level"):
            ex.hint(bad)


def test_solution_shows_the_reference_source(ex):
    source = ex.solution()
    assert "def double(x):" in str(source)
    assert "<div" in source._repr_html_()


def test_exercise_displays_its_prompt(ex):
    assert isinstance(ex, Exercise)
    assert "Double x." in repr(ex) and "Double x." in ex._repr_html_()


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="returns"):
        make_double(returns="list")
    with pytest.raises(ValueError, match="dtype kind"):
        make_double(dtype="float")
    with pytest.raises(ValueError, match="hint"):
        make_double(hints=[])


# ----------------------------------------------------------------- value exercises


def positive_number():
    """The reference value: any number above 0."""
    return 3.0


def _check_positive(answer):
    if not isinstance(answer, (int, float)):
        return f"should be a number, got {type(answer).__name__}"
    if answer <= 0:
        return f"should be above 0, got {answer}"
    return None


@pytest.fixture
def value_ex():
    return ValueExercise(
        "positive",
        positive_number,
        checker=_check_positive,
        prompt="Pick a positive number.",
        hints=["above 0"],
        chapter="toy",
    )


def test_value_exercise(value_ex):
    assert value_ex.reference == 3.0
    assert value_ex.check(value_ex.reference).passed
    assert value_ex.check(0.5).passed
    failed = value_ex.check(-1.0)
    assert failed.status == "failed" and failed.message == "should be above 0, got -1.0"
    assert value_ex.check("3").message == "should be a number, got str"
    for stub in (None, ..., [1, ...], {"a": (..., 2)}):
        assert value_ex.check(stub).status == "not attempted"
    assert "your value itself" in value_ex.check(positive_number).message
    assert "def positive_number():" in str(value_ex.solution())
    with pytest.raises(ExerciseFailed):
        value_ex.check(-1.0, strict=True)


def test_value_checker_that_raises_is_an_error(value_ex):
    value_ex.checker = lambda answer: answer["key"]
    result = value_ex.check(1.0)
    assert result.status == "error" and "TypeError" in result.message


def test_value_checker_gets_a_copy(value_ex):
    def mutating(answer):
        answer.append(1)
        return None

    value_ex.checker = mutating
    answer = [1.0]
    value_ex.check(answer)
    assert answer == [1.0]


def test_answer_is_function_marks_the_exercises_make_mutants_mutates():
    """FunctionExercise (and the gradient methods) take a function; a ValueExercise does not."""
    from lazynb.exercises import ch01, ch03
    from lazynb.exercises.core import Exercise, FunctionExercise, ValueExercise

    assert FunctionExercise.answer_is_function and not ValueExercise.answer_is_function
    assert not Exercise.answer_is_function
    assert ch03.maximise_log.answer_is_function and not ch01.gate_weights.answer_is_function
    assert not ch03.mnist_with_biases.answer_is_function
