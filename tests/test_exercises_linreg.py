"""The appendix's exercises: the reference passes, and typical mistakes fail with the right message.

Every wrong answer below is one a reader is likely to write. Each must fail (or error)
with a message that names the problem, and no message may give the expected output away.
"""

from functools import partial

import numpy as np
import pytest

from lazynb import linreg
from lazynb.exercises import appendix_linreg as ex_mod
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

EXERCISES = [ex_mod.predict_line, ex_mod.r_squared, ex_mod.fit_1d, ex_mod.fit_multi]
PARAMS = {"predict_line": "x, a, b", "r_squared": "y, y_hat", "fit_1d": "x, y", "fit_multi": "X, y"}


def _bias_first(X):
    return np.column_stack([np.ones(len(X)), X])


def _leak_texts(ex):
    """Strings that would give away the reference's outputs on the exercise's cases."""
    return expected_texts(ex, dtype=float)


# assert_fails(ex, answer, fragment, *, status="failed"), with this chapter's leak texts
assert_fails = partial(helpers.assert_fails, leak_texts=_leak_texts)


# ----------------------------------------------------------------- every exercise


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    result = check_reference_passes(ex, "appendix_linreg")
    assert result.n_cases >= 5


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "appendix_linreg")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex, leak_texts=_leak_texts)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_solution_shows_the_reference_def(ex):
    check_solution_shows_def(ex, PARAMS[ex.name])


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hints_and_prompt(ex):
    check_hints(ex, "appendix_linreg")
    assert isinstance(ex, FunctionExercise)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_answers_do_not_modify_the_cases(ex):
    """The references never change their inputs (the checker would blame the reader's copy)."""
    check_reference_leaves_inputs_alone(ex, seed=0)


def test_references_agree_with_the_package():
    rng = np.random.default_rng(0)
    for case in ex_mod.r_squared.cases(rng):
        assert ex_mod.r_squared.reference(**case.args) == pytest.approx(
            linreg.r_squared(**case.args), rel=1e-12, abs=1e-12
        )
    for case in ex_mod.fit_1d.cases(rng):
        np.testing.assert_allclose(
            ex_mod.fit_1d.reference(**case.args), linreg.fit_line(**case.args), rtol=1e-9, atol=1e-9
        )
    for case in ex_mod.fit_multi.cases(rng):
        model = linreg.LinearRegression().fit(**case.args)
        # Normal equations lose about cond(Xb)^2 * 1e-16 of relative accuracy, in both solvers.
        rtol = max(1e-8, 1e3 * np.linalg.cond(_bias_first(case.args["X"])) ** 2 * 1e-16)
        np.testing.assert_allclose(
            ex_mod.fit_multi.reference(**case.args),
            np.concatenate([[model.b_], model.w_]),
            rtol=rtol,
            atol=1e-9,
        )


# ----------------------------------------------------------------- predict_line


def test_predict_line_correct_variants_pass():
    ex = ex_mod.predict_line
    assert ex.check(lambda x, a, b: x * a + b)
    assert ex.check(lambda x, a, b: np.polyval([a, b], x))
    assert ex.check(lambda x, a, b: np.multiply(x, a) + b)


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, a, b: np.array([a * t + b for t in x]),
        lambda x, a, b: np.fromiter((a * t + b for t in x), dtype=float),
    ],
    ids=["list-comprehension", "generator"],
)
def test_predict_line_comprehension_fails(answer):
    assert_fails(ex_mod.predict_line, answer, "runs a Python loop")


def test_predict_line_for_loop_fails():
    def looped(x, a, b):
        out = np.empty_like(x)
        for i in range(len(x)):
            out[i] = a * x[i] + b
        return out

    assert_fails(ex_mod.predict_line, looped, "runs a Python loop")
    assert ex_mod.predict_line.check(looped).n_cases >= 5  # the values were all checked first


def test_predict_line_vectorize_fails():
    assert_fails(
        ex_mod.predict_line,
        lambda x, a, b: np.vectorize(lambda t: a * t + b)(x),
        "call Python once per entry",
    )


def test_predict_line_without_intercept_fails():
    assert_fails(ex_mod.predict_line, lambda x, a, b: a * x, "the line's intercept b is missing")


def test_predict_line_swapped_fails():
    assert_fails(ex_mod.predict_line, lambda x, a, b: b * x + a, "a and b are swapped")


def test_predict_line_list_fails():
    assert_fails(
        ex_mod.predict_line,
        lambda x, a, b: [a * t + b for t in x],
        "should return a NumPy array (or a tensor), got list",
    )


def test_predict_line_summed_fails():
    assert_fails(
        ex_mod.predict_line,
        lambda x, a, b: a * x.sum() + b,
        "should return a NumPy array (or a tensor), got a single number",
    )


# ----------------------------------------------------------------- r_squared


def _r2(y, y_hat):
    d1, d2 = y - y_hat, y - y.mean()
    return 1 - (d1 @ d1) / (d2 @ d2)


@pytest.mark.parametrize(
    "answer",
    [
        _r2,
        lambda y, y_hat: 1 - np.mean((y - y_hat) ** 2) / np.var(y),
        lambda y, y_hat: np.asarray(_r2(y, y_hat)),  # a 0-d array
        linreg.r_squared,
    ],
    ids=["dot", "mse-over-var", "0d", "lazynb"],
)
def test_r_squared_correct_variants_pass(answer):
    assert ex_mod.r_squared.check(answer).passed


def test_r_squared_without_centring_fails():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: 1 - np.sum((y - y_hat) ** 2) / np.sum(y**2),
        "not sum(y^2)",
    )


def test_r_squared_without_one_minus_fails():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: np.sum((y - y_hat) ** 2) / np.sum((y - y.mean()) ** 2),
        "R^2 is one minus it",
    )


def test_r_squared_clipped_fails_on_negative_values():
    result = assert_fails(
        ex_mod.r_squared, lambda y, y_hat: max(0.0, _r2(y, y_hat)), "do not clip it at 0"
    )
    assert "predictions worse than the mean" in result.message


def test_r_squared_as_squared_correlation_fails_on_a_line_that_is_not_the_best():
    result = assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: np.corrcoef(y, y_hat)[0, 1] ** 2,
        "equals R^2 only for a least-squares line's own predictions",
    )
    assert "not the best one" in result.message  # it passed the least-squares case before


def test_r_squared_spread_of_predictions_fails():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: 1 - np.sum((y - y_hat) ** 2) / np.sum((y_hat - y_hat.mean()) ** 2),
        "not of the predictions y_hat",
    )


def test_r_squared_absolute_differences_fail():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: 1 - np.sum(np.abs(y - y_hat)) / np.sum(np.abs(y - y.mean())),
        "squared differences, not absolute ones",
    )


def test_r_squared_ss_reg_over_ss_tot_fails():
    result = assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: np.sum((y_hat - y.mean()) ** 2) / np.sum((y - y.mean()) ** 2),
        "that is SS_reg / SS_tot",
    )
    assert "not the best one" in result.message  # right on the least-squares line's own


def test_r_squared_one_minus_ss_reg_fails():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: 1 - np.sum((y_hat - y.mean()) ** 2) / np.sum((y - y.mean()) ** 2),
        "the numerator must be SS_res",
    )


@pytest.mark.parametrize(
    "answer",
    [
        lambda y, y_hat: 1 - np.mean((y - y_hat) ** 2) / np.var(y, ddof=1),
        lambda y, y_hat: 1 - np.sum((y - y_hat) ** 2) / (len(y) - 1) / np.var(y),
    ],
    ids=["mean-over-var-ddof1", "ddof1-over-var"],
)
def test_r_squared_ddof_mismatch_fails(answer):
    assert_fails(ex_mod.r_squared, answer, "divide by different counts, N and N - 1")


def test_r_squared_array_result_fails():
    assert_fails(
        ex_mod.r_squared,
        lambda y, y_hat: np.array([_r2(y, y_hat)]),
        "should return a single number (a float or a 0-d array), got an array of shape (1,)",
    )


# ----------------------------------------------------------------- fit_1d


def _centred_1d(x, y):
    dx = x - x.mean()
    a = dx @ (y - y.mean()) / (dx @ dx)
    return a, y.mean() - a * x.mean()


@pytest.mark.parametrize(
    "answer",
    [
        _centred_1d,
        lambda x, y: np.array(_centred_1d(x, y)),  # an array of two is fine too
        lambda x, y: [float(v) for v in _centred_1d(x, y)],
        lambda x, y: (
            np.cov(x, y)[0, 1] / np.var(x, ddof=1),
            y.mean() - np.cov(x, y)[0, 1] / np.var(x, ddof=1) * x.mean(),
        ),
    ],
    ids=["centred-tuple", "array", "list", "covariance"],
)
def test_fit_1d_correct_variants_pass(answer):
    assert ex_mod.fit_1d.check(answer).passed


@pytest.mark.parametrize(
    "answer, name",
    [
        (lambda x, y: tuple(np.polyfit(x, y, 1)), "polyfit"),
        (lambda x, y: np.polynomial.Polynomial.fit(x, y, 1).convert().coef[::-1], "Polynomial"),
        (lambda x, y: np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y)[0], "lstsq"),
        (lambda x, y: linreg.fit_line(x, y), "fit_line"),
    ],
    ids=["polyfit", "Polynomial", "lstsq", "lazynb"],
)
def test_fit_1d_library_fits_fail(answer, name):
    assert_fails(ex_mod.fit_1d, answer, f"your function calls `{name}`")


def test_fit_1d_sums_formula_fails_far_from_zero():
    def sums(x, y):
        a = (x @ y - x.mean() * y.sum()) / (x @ x - x.mean() * x.sum())
        return a, y.mean() - a * x.mean()

    result = assert_fails(ex_mod.fit_1d, sums, "far from 0 the formula with sums loses digits")
    assert "around 1e6" in result.message


def test_fit_1d_ddof_mismatch_fails():
    def mixed(x, y):
        a = np.cov(x, y)[0, 1] / np.var(x)  # N - 1 over N
        return a, y.mean() - a * x.mean()

    assert_fails(ex_mod.fit_1d, mixed, "off by a factor N / (N - 1)")


def test_fit_1d_swapped_fails():
    assert_fails(
        ex_mod.fit_1d,
        lambda x, y: _centred_1d(x, y)[::-1],
        "the slope and the intercept are swapped",
    )


def test_fit_1d_line_through_the_origin_fails():
    assert_fails(
        ex_mod.fit_1d,
        lambda x, y: ((x @ y) / (x @ x), 0.0),
        "that slope is the best line through the origin",
    )


def test_fit_1d_wrong_intercept_fails():
    assert_fails(
        ex_mod.fit_1d,
        lambda x, y: (_centred_1d(x, y)[0], y.mean()),
        "the slope a is right but the intercept b is not",
    )


def test_fit_1d_wrong_denominator_fails():
    def sums_only(x, y):
        a = (x @ y - x.mean() * y.sum()) / (x @ x)
        return a, y.mean() - a * x.mean()

    assert_fails(ex_mod.fit_1d, sums_only, "not sum(x^2)")


def test_fit_1d_spread_of_y_fails():
    def over_y(x, y):
        dx, dy = x - x.mean(), y - y.mean()
        a = (dx @ dy) / (dy @ dy)
        return a, y.mean() - a * x.mean()

    assert_fails(ex_mod.fit_1d, over_y, "must measure the spread of x, not of y")


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda x, y: _centred_1d(x, y)[0], "should return the pair (a, b), got a single number"),
        (lambda x, y: (1.0, 2.0, 3.0), "two numbers, got 3 values"),
        (lambda x, y: (np.array([1.0]), np.array([2.0])), "each part is an array of shape (1,)"),
        (lambda x, y: {"a": 1.0, "b": 2.0}, "should return the pair (a, b), got dict"),
        (lambda x, y: None, "did you forget to `return a, b`?"),
    ],
    ids=["number", "three", "arrays", "dict", "none"],
)
def test_fit_1d_wrong_shapes(answer, fragment):
    assert_fails(ex_mod.fit_1d, answer, fragment)


# ----------------------------------------------------------------- fit_multi


@pytest.mark.parametrize(
    "answer",
    [
        lambda X, y: np.linalg.lstsq(_bias_first(X), y, rcond=None)[0],
        lambda X, y: np.linalg.pinv(_bias_first(X)) @ y,
        lambda X, y: (lambda m: np.concatenate([[m.b_], m.w_]))(
            linreg.LinearRegression().fit(X, y)
        ),
    ],
    ids=["lstsq", "pinv", "lazynb"],
)
def test_fit_multi_correct_variants_pass(answer):
    assert ex_mod.fit_multi.check(answer).passed


@pytest.mark.parametrize(
    "answer",
    [
        lambda X, y: np.linalg.inv(_bias_first(X).T @ _bias_first(X)) @ _bias_first(X).T @ y,
        lambda X, y: np.linalg.inv(_bias_first(X).T @ _bias_first(X)) @ (_bias_first(X).T @ y),
    ],
    ids=["inv-left-to-right", "inv-times-vector"],
)
def test_fit_multi_inverse_fails_on_the_ill_conditioned_case(answer):
    result = assert_fails(ex_mod.fit_multi, answer, "computing the inverse of Xb^T Xb")
    assert "condition number about 1e5" in result.message


def test_fit_multi_ill_conditioned_case():
    case = [c for c in ex_mod.fit_multi.cases(np.random.default_rng(0)) if "1e5" in c.note][0]
    Xb = _bias_first(case.args["X"])
    assert 5e4 < np.linalg.cond(Xb) < 5e5
    w = ex_mod.fit_multi.reference(**case.args)
    assert ex_mod._normal_equation_residual(Xb, case.args["y"], w) < 1e-14


def test_fit_multi_without_bias_fails():
    assert_fails(
        ex_mod.fit_multi,
        lambda X, y: np.linalg.solve(X.T @ X, X.T @ y),
        "shape should be (D + 1,) = (4,), got (3,): the weight of the column of ones, "
        "the bias, is missing",
    )


def test_fit_multi_bias_last_fails():
    def bias_last(X, y):
        Xb = np.column_stack([X, np.ones(len(X))])
        return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)

    assert_fails(ex_mod.fit_multi, bias_last, "the bias should come first, in w[0]")


def test_fit_multi_outer_product_fails():
    def outer(X, y):
        Xb = _bias_first(X)
        return np.linalg.lstsq(Xb @ Xb.T, y, rcond=None)[0]

    assert_fails(ex_mod.fit_multi, outer, "shape should be (D + 1,) = (4,), got (20,)")


def test_fit_multi_ones_column_ignored_fails():
    def ones_but_unused(X, y):
        w = np.linalg.solve(X.T @ X, X.T @ y)
        return np.concatenate([[0.0], w])

    assert_fails(ex_mod.fit_multi, ones_but_unused, "values differ from the expected ones at")
