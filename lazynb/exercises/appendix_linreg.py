"""Appendix, "Linear regression": exercises on lines, R^2 and the normal equations.

As in the chapters, the reference answers are plain functions in
:mod:`lazynb.exercises.solutions.appendix_linreg`, under the names the reader uses (so that
``solution()`` shows ``def r_squared(y, y_hat):``); each name is rebound here to the
exercise that wraps it.

- ``predict_line``: the predictions a x + b of a line (the warm-up; the preface uses it
  to show how exercises work);
- ``r_squared``: the coefficient of determination of predictions;
- ``fit_1d``: the least-squares line through 1-D data, in closed form;
- ``fit_multi``: least squares with a bias column, by solving the normal equations.

The references use nothing but NumPy, so that the exercises do not depend on
:mod:`lazynb.linreg`, whose functions the appendix teaches (a test checks they agree).
"""

from __future__ import annotations

import dis
import numbers

import numpy as np

from .core import Case, FunctionExercise, _is_tensor, _type_name
from .solutions.appendix_linreg import fit_1d, fit_multi, predict_line, r_squared

__all__ = ["predict_line", "r_squared", "fit_1d", "fit_multi"]

CHAPTER = "appendix_linreg"


def _close(got, value) -> bool:
    return bool(np.allclose(got, value, rtol=1e-6, atol=1e-9))


def _unless_right(check):
    """Run a mistake-spotting property check only on answers that are not already right.

    A right answer can coincide with a typical wrong formula on some inputs (the squared
    correlation *is* R^2 for a least-squares line's own predictions): it must not fail.
    """

    def guarded(got, expected, args):
        return None if _close(got, expected) else check(got, expected, args)

    guarded.__name__ = check.__name__
    guarded.__doc__ = check.__doc__
    return guarded


def _code_objects(fn):
    """The code of ``fn`` and of every function, lambda or comprehension written inside it."""
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    todo = [code] if code is not None else []
    while todo:
        code = todo.pop()
        yield code
        todo.extend(c for c in code.co_consts if hasattr(c, "co_code"))


def _loops(fn) -> bool:
    """Whether the body of ``fn`` runs a Python loop (a ``for`` or a comprehension)."""
    return any(
        ins.opname == "FOR_ITER" for code in _code_objects(fn) for ins in dis.get_instructions(code)
    )


def _names(fn) -> set:
    """The global and attribute names the body of ``fn`` uses (``np.polyfit`` gives ``polyfit``)."""
    return {name for code in _code_objects(fn) for name in code.co_names}


class _RuleExercise(FunctionExercise):
    """A function exercise whose prompt also forbids a way of computing the answer.

    ``rule(answer) -> message or None`` inspects the reader's function itself (its code,
    not its results); it is applied once the values are right, so that a wrong answer is
    told about its values first.
    """

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule

    def check(self, answer, *, strict: bool = False):
        result = super().check(answer, strict=False)
        message = self.rule(answer) if result.passed else None
        if message:
            result = self._result("failed", message, result.n_cases, strict)
        elif strict:
            result = self._result(result.status, result.message, result.n_cases, strict)
        return result


# ------------------------------------------------------------------ 1. predict_line


def _line_cases(rng):
    # b is large next to a * x, so that forgetting it shows; a != b, so that swapping them shows.
    yield Case(dict(x=np.array([0.0, 1.0, 2.0, 3.0, 4.0]), a=2.0, b=5.0))
    yield Case(dict(x=np.array([-1.5, 0.5, 10.0]), a=-0.5, b=3.0))
    yield Case(dict(x=np.array([7.0]), a=1.5, b=-2.0), "a single sample")
    for _ in range(4):
        n = int(rng.integers(2, 20))
        yield Case(
            dict(
                x=rng.uniform(-10, 10, size=n),
                a=float(rng.normal(scale=3)),
                b=float(rng.normal(scale=10)),
            )
        )


def _forgot_intercept(got, expected, args):
    x, a, b = args["x"], args["a"], args["b"]
    if b != 0 and _close(got, a * x):
        return "every prediction is off by the same amount: the line's intercept b is missing"
    if _close(got, b * x + a):
        return "a and b are swapped: the slope a multiplies x, the intercept b is added"
    return None


def _no_loop(answer):
    if _loops(answer):
        return (
            "the values are right, but your function runs a Python loop (a `for` or a "
            "comprehension), which the exercise asks you to avoid: NumPy applies `a * x + b` "
            "to every entry at once, and many times faster"
        )
    if _names(answer) & {"vectorize", "frompyfunc", "map"}:
        return (
            "the values are right, but `np.vectorize` and `map` call Python once per entry, "
            "like a loop: write `a * x + b` on the whole array"
        )
    return None


predict_line = _RuleExercise(
    "predict_line",
    predict_line,
    chapter=CHAPTER,
    prompt=(
        "Write `predict_line(x, a, b)`: the predictions a x + b of the line with slope `a` "
        "and intercept `b` for every entry of the array `x` (shape (N,)). Return an array "
        "of shape (N,), without a Python loop."
    ),
    hints=[
        "NumPy applies arithmetic to every entry of an array at once: `2 * x` doubles every "
        "entry of `x`.",
        "The prediction for each x is the slope times x, plus the intercept: `a * x + b`.",
    ],
    cases=_line_cases,
    returns="array",
    shape="(N,)",
    dtype="floating",
    checks=[_unless_right(_forgot_intercept)],
    rule=_no_loop,
)


# ------------------------------------------------------------------ 2. r_squared


def _r2_cases(rng):
    # First: a least-squares line's own predictions, the usual use of R^2.
    x = rng.uniform(0, 10, size=30)
    y = 3.0 * x + 20.0 + rng.normal(scale=4.0, size=30)
    a, b = np.polyfit(x, y, 1)
    yield Case(dict(y=y, y_hat=a * x + b), "the predictions of the least-squares line")
    # Predictions that are not a least-squares fit: biased and too steep.
    yield Case(dict(y=y, y_hat=3.3 * x + 18.0), "predictions of a line that is not the best one")
    # Worse than predicting the mean: R^2 is negative.
    yield Case(dict(y=y, y_hat=-3.0 * x + 50.0), "predictions worse than the mean")
    yield Case(
        dict(y=np.array([1.0, 2.0, 4.0, 8.0]), y_hat=np.array([1.0, 2.0, 4.0, 8.0])),
        "perfect predictions",
    )
    for _ in range(4):
        n = int(rng.integers(3, 40))
        y = rng.normal(loc=rng.uniform(-50, 50), scale=rng.uniform(1, 10), size=n)
        yield Case(dict(y=y, y_hat=y + rng.normal(scale=rng.uniform(0.5, 10), size=n)))


def _r2_mistakes(got, expected, args):
    y, y_hat = args["y"], args["y_hat"]
    ss_res = np.sum((y - y_hat) ** 2)
    ss_tot = np.sum((y - y.mean()) ** 2)
    if expected < 0 and np.isclose(got, 0.0, atol=1e-12):
        return (
            "R^2 is negative when the predictions are worse than predicting the mean; "
            "do not clip it at 0"
        )
    ss_reg = np.sum((y_hat - y.mean()) ** 2)
    if _close(got, ss_res / ss_tot):
        also = (
            " (here it also equals 1 - SS_reg / SS_tot, with SS_reg = sum((y_hat - "
            "mean(y))^2); if that is what you computed, the numerator must be SS_res, "
            "the squared prediction errors)"
            if _close(got, 1 - ss_reg / ss_tot)
            else ""
        )
        return (
            "that is SS_res / SS_tot, the fraction of the spread the predictions leave "
            "unexplained: R^2 is one minus it" + also
        )
    if _close(got, 1 - ss_res / np.sum(y**2)):
        return (
            "the denominator must be the spread of y around its mean, "
            "sum((y - mean(y))^2), not sum(y^2)"
        )
    if _close(got, 1 - ss_res / np.sum((y_hat - y_hat.mean()) ** 2)):
        return (
            "the denominator must measure the spread of the true values y, "
            "not of the predictions y_hat"
        )
    if _close(got, ss_reg / ss_tot):
        return (
            "that is SS_reg / SS_tot, the spread of the predictions around mean(y) over that "
            "of y: it equals R^2 only for a least-squares line's own predictions; compute "
            "1 - SS_res / SS_tot"
        )
    if _close(got, 1 - ss_reg / ss_tot):
        return (
            "that is 1 - SS_reg / SS_tot, with SS_reg = sum((y_hat - mean(y))^2); the "
            "numerator must be SS_res = sum((y - y_hat)^2), the squared prediction errors"
        )
    n = len(y)
    if _close(got, 1 - (ss_res / n) / (ss_tot / (n - 1))) or _close(
        got, 1 - (ss_res / (n - 1)) / (ss_tot / n)
    ):
        return (
            "the two averages divide by different counts, N and N - 1 (`np.var` and "
            "`np.mean` divide by N, `ddof=1` and `np.cov` by N - 1): use the same for both, "
            "or plain sums"
        )
    if _close(got, np.corrcoef(y, y_hat)[0, 1] ** 2):
        return (
            "the squared correlation of y and y_hat equals R^2 only for a least-squares "
            "line's own predictions; compute 1 - SS_res / SS_tot"
        )
    if _close(got, 1 - np.mean(np.abs(y - y_hat)) / np.mean(np.abs(y - y.mean()))):
        return "R^2 uses squared differences, not absolute ones"
    return None


r_squared = FunctionExercise(
    "r_squared",
    r_squared,
    chapter=CHAPTER,
    prompt=(
        "Write `r_squared(y, y_hat)`: the coefficient of determination R^2 of the "
        "predictions `y_hat` (shape (N,)) for the true values `y` (shape (N,)), "
        "R^2 = 1 - SS_res / SS_tot, where SS_res is the sum of the squared prediction "
        "errors and SS_tot the sum of the squared differences between y and its mean. "
        "Return a number."
    ),
    hints=[
        "Two sums of squares: the errors `y - y_hat` of the predictions, and the errors "
        "`y - y.mean()` you would make by predicting the mean of y for every sample.",
        "`d1 = y - y_hat` and `d2 = y - y.mean()`; a sum of squares is a dot product of a "
        "vector with itself, `d1 @ d1`.",
        "`1 - (d1 @ d1) / (d2 @ d2)`. It can be negative: do not clip it.",
    ],
    cases=_r2_cases,
    returns="scalar",
    dtype="floating",
    rtol=1e-7,
    atol=1e-10,
    checks=[_unless_right(_r2_mistakes)],
)


# ------------------------------------------------------------------ 3. fit_1d


class _PairExercise(FunctionExercise):
    """A function exercise whose answer is a pair of numbers, such as (a, b)."""

    def _check_type(self, got):
        if got is None:
            return "your function returned None: did you forget to `return a, b`?"
        if isinstance(got, dict) or isinstance(got, (str, bytes)):
            return f"should return the pair (a, b), got {_type_name(got)}"
        if isinstance(got, (numbers.Number, np.generic)) or (
            isinstance(got, np.ndarray) and got.ndim == 0
        ):
            return "should return the pair (a, b), got a single number"
        if isinstance(got, (tuple, list)) or isinstance(got, np.ndarray) or _is_tensor(got):
            try:
                arr = np.asarray(got.numpy() if _is_tensor(got) else got, dtype=float)
            except (TypeError, ValueError):
                return "should return the pair (a, b) of numbers"
            if arr.shape == (2,):
                return None
            if isinstance(got, (tuple, list)) and len(got) != 2:
                return f"should return the pair (a, b): two numbers, got {len(got)} values"
            if arr.ndim > 1 and arr.shape[0] == 2:
                return (
                    f"should return two plain numbers (a, b), but each part is an array "
                    f"of shape {arr.shape[1:]}; convert them, e.g. with `float(a)`"
                )
            return f"should return the pair (a, b): two numbers, got an array of shape {arr.shape}"
        return f"should return the pair (a, b), got {_type_name(got)}"


def _line_mistakes(got, expected, args):
    x, y = args["x"], args["y"]
    a, b = expected
    if _close(got, [b, a]):
        return "the slope and the intercept are swapped: return (a, b), the slope first"
    if _close(got[0], a) and not _close(got[1], b):
        return (
            "the slope a is right but the intercept b is not: the best line passes through "
            "the point (mean(x), mean(y))"
        )
    a_no_b = (x @ y) / (x @ x)
    if _close(got[0], a_no_b):
        return (
            "that slope is the best line through the origin; the intercept changes the "
            "best slope: centre x and y on their means (or use the closed form with sums)"
        )
    if _close(got[0], (x @ y - x.mean() * y.sum()) / (x @ x)):
        return "the denominator of a must be sum(x^2) - mean(x) sum(x), not sum(x^2)"
    if _close(got[0], np.sum((x - x.mean()) * (y - y.mean())) / np.sum((y - y.mean()) ** 2)):
        return "the denominator of a must measure the spread of x, not of y"
    n = len(x)
    if n > 2 and (_close(got[0], a * n / (n - 1)) or _close(got[0], a * (n - 1) / n)):
        return (
            "the slope is off by a factor N / (N - 1): `np.cov` divides by N - 1 by default "
            "and `np.var` by N; give both the same `ddof`"
        )
    sums = (x @ y - x.mean() * y.sum()) / (x @ x - x.mean() * x.sum())
    if abs(x.mean()) > 1e3 * np.std(x) and _close(got[0], sums):
        return (
            "far from 0 the formula with sums loses digits: sum(x^2) and mean(x) sum(x) are "
            "huge and nearly equal, and their difference keeps only a few correct digits. "
            "Centre the data first: dx = x - mean(x), dy = y - mean(y), a = (dx @ dy) / (dx @ dx)"
        )
    return None


_FIT_1D_SHORTCUTS = {"polyfit", "Polynomial", "lstsq", "linregress", "LinearRegression", "fit_line"}


def _closed_form_only(answer):
    used = sorted(_names(answer) & _FIT_1D_SHORTCUTS)
    if used:
        return (
            f"the values are right, but your function calls `{used[0]}`: the exercise asks "
            f"you to write the closed form yourself, from means and dot products"
        )
    return None


def _fit_1d_cases(rng):
    # A clear trend far from the origin, so that a line through the origin is far off.
    x = np.linspace(1.0, 10.0, 12)
    yield Case(dict(x=x, y=1.5 * x + 8.0 + np.sin(3 * x)), "a noisy line")
    yield Case(
        dict(x=np.array([0.0, 1.0, 2.0, 3.0]), y=np.array([1.0, 3.0, 5.0, 7.0])),
        "points exactly on a line",
    )
    yield Case(dict(x=np.array([2.0, 4.0]), y=np.array([5.0, -1.0])), "two points")
    x = 1e6 + np.linspace(0.0, 10.0, 12)  # far from the origin, like years or timestamps
    yield Case(dict(x=x, y=1.5 * (x - 1e6) + 8.0 + np.sin(3 * x)), "x far from 0, around 1e6")
    for _ in range(5):
        n = int(rng.integers(3, 50))
        x = rng.uniform(0, 100, size=n)
        yield Case(
            dict(
                x=x, y=rng.normal(scale=3) * x + rng.normal(scale=20) + rng.normal(scale=10, size=n)
            )
        )


class _PairRuleExercise(_RuleExercise, _PairExercise):
    """A pair-valued exercise with a rule on how it is computed."""


fit_1d = _PairRuleExercise(
    "fit_1d",
    fit_1d,
    chapter=CHAPTER,
    prompt=(
        "Write `fit_1d(x, y)`: the slope `a` and intercept `b` of the line y = a x + b "
        "that minimises the squared error sum((y - (a x + b))^2) on the data `x`, `y` "
        "(two arrays of shape (N,)). Use the closed form, not `np.polyfit`, and return "
        "the pair `(a, b)`."
    ),
    hints=[
        "Setting the derivative of the squared error with respect to b to 0 gives "
        "b = mean(y) - a mean(x): the line passes through the point of means.",
        "Substituting that b, the slope depends only on the data around its means: "
        "a = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2). Centring first keeps "
        "the digits when x is far from 0 (years, timestamps).",
        "With the centred data `dx = x - x.mean()` and `dy = y - y.mean()`: "
        "`a = (dx @ dy) / (dx @ dx)`, then `b = y.mean() - a * x.mean()`; `return a, b`.",
    ],
    cases=_fit_1d_cases,
    returns="array",
    shape="(a, b)",
    dtype="floating",
    rtol=1e-6,
    atol=1e-9,
    checks=[_unless_right(_line_mistakes)],
    rule=_closed_form_only,
)


# ------------------------------------------------------------------ 4. fit_multi


def _multi_cases(rng):
    # D = 3 with a large bias, so that leaving it out, or putting it last, shows.
    X = rng.uniform(-5, 5, size=(20, 3))
    yield Case(dict(X=X, y=X @ np.array([2.0, -1.0, 0.5]) + 10.0 + rng.normal(size=20)))
    X = rng.uniform(0, 10, size=(6, 1))
    yield Case(dict(X=X, y=4.0 * X[:, 0] - 3.0 + rng.normal(size=6)), "one feature")
    X = rng.normal(size=(5, 4))
    yield Case(dict(X=X, y=rng.normal(size=5)), "exactly D + 1 samples")
    t = rng.uniform(-1, 1, size=30)  # two nearly equal features: Xb has condition number ~1e5
    X = np.column_stack([t, t + 1e-5 * rng.normal(size=30), rng.normal(size=30)])
    yield Case(
        dict(X=X, y=X @ np.array([1.0, 2.0, -1.0]) + 3.0 + 0.1 * rng.normal(size=30)),
        "two nearly collinear features (condition number about 1e5)",
    )
    for _ in range(4):
        D = int(rng.integers(1, 6))
        N = int(rng.integers(D + 3, 40))
        X = rng.normal(scale=rng.uniform(1, 5), size=(N, D))
        yield Case(
            dict(
                X=X, y=X @ rng.normal(size=D) + rng.normal(scale=5) + rng.normal(scale=0.5, size=N)
            )
        )


def _multi_mistakes(got, expected, args):
    if _close(got, np.roll(expected, -1)):
        return "the bias should come first, in w[0], and the feature weights after it"
    return None


def _normal_equation_residual(Xb, y, w) -> float:
    """|Xb^T (y - Xb w)| relative to |Xb|^2 |w|: about 1e-16 for a backward-stable solve."""
    return float(
        np.linalg.norm(Xb.T @ (y - Xb @ w)) / (np.linalg.norm(Xb, 2) ** 2 * np.linalg.norm(w))
    )


def _lost_digits(got, expected, args):
    """Right to a few digits, but the normal equations hold only loosely: an inverse."""
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-3, atol=1e-6):
        return None  # far off: the value comparison speaks
    X, y = args["X"], args["y"]
    Xb = np.column_stack([np.ones(len(X)), X])
    residual = _normal_equation_residual(Xb, y, got)
    if residual > 1e-12:
        return (
            f"your weights satisfy the normal equations only to a relative residual of "
            f"{residual:.0e}, where np.linalg.solve reaches about 1e-16: on nearly collinear "
            f"features, computing the inverse of Xb^T Xb (np.linalg.inv) loses digits that "
            f"solving the system keeps. Use np.linalg.solve(Xb.T @ Xb, Xb.T @ y)"
        )
    return None


class _BiasFirstExercise(FunctionExercise):
    """A function exercise whose result is (D + 1,) weights: a (D,) result lacks the bias."""

    def _check_shape_and_dtype(self, got, expected):
        message = super()._check_shape_and_dtype(got, expected)
        if message and np.shape(got) == (expected.shape[0] - 1,):
            message += ": the weight of the column of ones, the bias, is missing"
        return message


fit_multi = _BiasFirstExercise(
    "fit_multi",
    fit_multi,
    chapter=CHAPTER,
    prompt=(
        "Write `fit_multi(X, y)`: the least-squares weights for data `X` (shape (N, D)) "
        "and targets `y` (shape (N,)), with a bias. Add a column of ones in front of X and "
        "solve the normal equations with `np.linalg.solve`. Return w of shape (D + 1,): "
        "w[0] the bias, w[1:] the weights of the D features."
    ),
    hints=[
        "The bias is the weight of a constant input x0 = 1: `np.column_stack([np.ones(len(X)), "
        "X])` has shape (N, D + 1), and its first column is that input.",
        "Minimising |y - Xb w|^2 gives the normal equations (Xb^T Xb) w = Xb^T y: a square "
        "(D + 1) x (D + 1) system.",
        "`np.linalg.solve(Xb.T @ Xb, Xb.T @ y)` solves it without computing an inverse.",
    ],
    cases=_multi_cases,
    returns="array",
    shape="(D + 1,)",
    dtype="floating",
    rtol=1e-5,  # on the nearly collinear case, exact solvers differ from solve by ~1e-6
    atol=1e-8,
    checks=[_unless_right(_multi_mistakes), _lost_digits],
)
