"""lazynb.linreg: the closed forms agree with NumPy's solvers, and bad input gets a clear error."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lazynb.linreg import LinearRegression, add_bias, fit_line, r_squared


@pytest.fixture
def plane():
    """Noiseless data on the plane y = 2 x1 - 3 x2 + 5."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-10, 10, size=(50, 2))
    return X, X @ np.array([2.0, -3.0]) + 5.0


# ----------------------------------------------------------------- fit_line


def test_fit_line_matches_polyfit():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 100, size=200)
    y = 1.7 * x + 4.0 + rng.normal(scale=8, size=200)
    a, b = fit_line(x, y)
    assert isinstance(a, float) and isinstance(b, float)
    np.testing.assert_allclose((a, b), np.polyfit(x, y, 1), rtol=1e-10)


@settings(max_examples=50, deadline=None)
@given(
    a=st.floats(-100, 100),
    b=st.floats(-1000, 1000),
    x=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30, unique=True),
)
def test_fit_line_recovers_an_exact_line(a, b, x):
    x = np.array(x)
    if np.ptp(x) < 1:  # nearly equal x: the slope is ill-determined
        return
    fa, fb = fit_line(x, a * x + b)
    size = 1 + abs(b) + abs(a) * np.abs(x).max()  # the size of the numbers involved
    assert abs(fa - a) <= 1e-9 * size
    np.testing.assert_allclose(fa * x + fb, a * x + b, rtol=0, atol=1e-9 * size)


def test_fit_line_is_accurate_far_from_the_origin():
    # Sums of squares lose the small spread of x around 1e8; the centred form keeps it.
    x = 1e8 + np.arange(10.0)
    a, b = fit_line(x, 3.0 * (x - 1e8) + 1.0)
    assert a == pytest.approx(3.0, rel=1e-9)


@pytest.mark.parametrize(
    "x, y, error, fragment",
    [
        ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0], ValueError, "all x values are equal"),
        ([1.0], [2.0], ValueError, "need at least 2 samples, got 1"),
        ([1.0, 2.0, 3.0], [1.0, 2.0], ValueError, "same length, got 3 and 2"),
        ([1.0, np.nan, 3.0], [1.0, 2.0, 3.0], ValueError, "x must be finite"),
        ([[1.0, 2.0]], [1.0, 2.0], ValueError, "x must be 1-D, got shape (1, 2)"),
        ("abc", [1.0, 2.0, 3.0], TypeError, "x must be an array of numbers, got str"),
    ],
)
def test_fit_line_rejects_bad_input(x, y, error, fragment):
    with pytest.raises(error) as info:
        fit_line(x, y)
    assert fragment in str(info.value)


# ----------------------------------------------------------------- r_squared


def test_r_squared_values():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert r_squared(y, y) == 1.0
    assert r_squared(y, np.full(4, y.mean())) == 0.0  # predicting the mean
    assert r_squared(y, y[::-1]) < 0  # worse than the mean
    assert r_squared(y, y + 0.5) == pytest.approx(1 - 4 * 0.25 / 5)


def test_r_squared_of_a_least_squares_line_is_the_squared_correlation():
    rng = np.random.default_rng(2)
    x = rng.normal(size=100)
    y = 0.5 * x + rng.normal(size=100)
    a, b = fit_line(x, y)
    r2 = r_squared(y, a * x + b)
    assert 0 <= r2 <= 1
    assert r2 == pytest.approx(np.corrcoef(x, y)[0, 1] ** 2, rel=1e-10)


def test_r_squared_accepts_columns_and_lists():
    y = np.array([1.0, 2.0, 4.0])
    assert r_squared(y[:, None], (y + 1)[:, None]) == r_squared(y, y + 1)
    assert r_squared([1, 2, 4], [1, 2, 3]) == r_squared(y, np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize(
    "y, y_hat, fragment",
    [
        (np.ones(3), np.arange(3.0), "all values of y are equal: R^2 is undefined"),
        (np.arange(3.0), np.arange(3.0)[:, None], "would broadcast to (N, N)"),
        (np.arange(3.0), np.arange(4.0), "same shape, got (3,) and (4,)"),
        (
            np.arange(6.0).reshape(3, 2),
            np.arange(6.0).reshape(3, 2),
            "column (N, 1), got shape (3, 2)",
        ),
        (np.array([1.0]), np.array([1.0]), "at least 2 samples"),
        (np.array([1.0, np.inf]), np.array([1.0, 2.0]), "y must be finite"),
    ],
)
def test_r_squared_rejects_bad_input(y, y_hat, fragment):
    with pytest.raises(ValueError) as info:
        r_squared(y, y_hat)
    assert fragment in str(info.value)


# ----------------------------------------------------------------- add_bias


def test_add_bias():
    X = np.arange(6.0).reshape(3, 2)
    Xb = add_bias(X)
    assert Xb.shape == (3, 3) and np.all(Xb[:, 0] == 1) and np.array_equal(Xb[:, 1:], X)
    w = np.array([0.5, 2.0, -1.0])
    np.testing.assert_allclose(Xb @ w, X @ w[1:] + w[0])
    assert add_bias(np.array([1.0, 2.0])).shape == (2, 2)
    assert add_bias(X.astype(np.float32)).dtype == np.float32
    assert not np.shares_memory(Xb, X)


# ----------------------------------------------------------------- LinearRegression


@pytest.mark.parametrize("solver", LinearRegression.SOLVERS)
def test_recovers_known_coefficients_from_noiseless_data(plane, solver):
    X, y = plane
    model = LinearRegression(solver=solver).fit(X, y)
    np.testing.assert_allclose(model.w_, [2.0, -3.0], rtol=1e-12)
    assert model.b_ == pytest.approx(5.0, rel=1e-12)
    assert isinstance(model.b_, float) and model.w_.shape == (2,)
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-12, atol=1e-12)
    assert model.score(X, y) == pytest.approx(1.0, abs=1e-14)


def test_fit_returns_self_and_agrees_with_lstsq():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 5))
    y = X @ rng.normal(size=5) + 2.0 + rng.normal(size=40)
    model = LinearRegression()
    assert model.fit(X, y) is model
    w = np.linalg.lstsq(add_bias(X), y, rcond=None)[0]
    np.testing.assert_allclose(np.concatenate([[model.b_], model.w_]), w, rtol=1e-10)
    assert 0 <= model.score(X, y) <= 1


def test_without_intercept():
    X = np.array([[1.0], [2.0], [3.0]])
    model = LinearRegression(fit_intercept=False).fit(X, [2.0, 4.0, 6.1])
    assert model.b_ == 0.0
    np.testing.assert_allclose(model.w_, [(2 + 8 + 18.3) / 14])
    # A constant feature is fine without an intercept: it plays the bias.
    model = LinearRegression(fit_intercept=False).fit(add_bias(X), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(model.w_, [0.0, 1.0], atol=1e-12)


def test_one_dimensional_x_is_one_feature():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    model = LinearRegression().fit(x, 3 * x - 1)
    np.testing.assert_allclose((model.w_[0], model.b_), (3.0, -1.0), atol=1e-12)
    np.testing.assert_allclose(model.predict(np.array([10.0])), [29.0])
    np.testing.assert_allclose(model.predict(x[:, None]), 3 * x - 1, atol=1e-12)


def test_column_targets_are_accepted(plane):
    X, y = plane
    a = LinearRegression().fit(X, y[:, None])
    np.testing.assert_allclose(a.w_, LinearRegression().fit(X, y).w_)


def test_an_exact_fit_with_d_plus_one_samples():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    model = LinearRegression().fit(X, [1.0, 3.0, -2.0])
    np.testing.assert_allclose((model.b_, *model.w_), (1.0, 2.0, -3.0), atol=1e-12)


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda X, y: (X[:2], y[:2]), "need at least 3 samples to fit 2 weights and a bias, got 2"),
        (
            lambda X, y: (np.column_stack([X, np.full(len(X), 7.0)]), y),
            "feature 2 is constant (every sample has 7)",
        ),
        (lambda X, y: (np.column_stack([X, X[:, 0]]), y), "features 0 and 2 are identical"),
        (
            lambda X, y: (np.column_stack([X, X[:, 0] + 2 * X[:, 1]]), y),
            "the 3 features, centred on their means, span only 2 dimensions: some feature "
            "is a linear combination of the others and a constant",
        ),
        (lambda X, y: (X, y[:-1]), "X has 50 samples (rows) but y has 49 targets"),
        (lambda X, y: (X, np.column_stack([y, y])), "y must be 1-D (N,), one target per sample"),
        (lambda X, y: (np.where(X > 9, np.nan, X), y), "X must be finite: it contains NaN"),
        (lambda X, y: (X[None], y), "X must be 1-D or 2-D, got shape (1, 50, 2)"),
    ],
    ids=["too-few", "constant", "duplicate", "collinear", "lengths", "2d-y", "nan", "3d-X"],
)
def test_fit_rejects_bad_input(plane, make, fragment):
    X, y = make(*plane)
    with pytest.raises(ValueError) as info:
        LinearRegression().fit(X, y)
    assert fragment in str(info.value)


def test_predict_checks():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        LinearRegression().predict(np.ones((2, 2)))
    X = np.random.default_rng(4).normal(size=(6, 3))
    model = LinearRegression().fit(X, X.sum(axis=1))
    with pytest.raises(
        ValueError, match="X has 2 features per sample but the model was fitted with 3"
    ):
        model.predict(np.ones((4, 2)))
    with pytest.raises(TypeError, match="must hold numbers"):
        model.predict(np.array([["a", "b", "c"]]))


def test_constructor_checks():
    with pytest.raises(ValueError, match="solver must be one of"):
        LinearRegression(solver="inv")
    with pytest.raises(TypeError, match="fit_intercept must be True or False"):
        LinearRegression(fit_intercept="yes")
    assert repr(LinearRegression()) == "LinearRegression(fit_intercept=True, solver='solve')"


def test_fit_does_not_modify_its_inputs(plane):
    X, y = plane
    X0, y0 = X.copy(), y.copy()
    LinearRegression().fit(X, y)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_lstsq_solver_is_more_accurate_on_an_ill_conditioned_design():
    x = np.linspace(0, 1, 200)
    X = np.vander(x, 11, increasing=True)[:, 1:]  # x, x^2, ..., x^10: nearly collinear
    w = np.random.default_rng(0).normal(size=10)
    y = X @ w + 1.0
    errors = {
        s: np.linalg.norm(LinearRegression(solver=s).fit(X, y).predict(X) - y)
        for s in LinearRegression.SOLVERS
    }
    assert errors["lstsq"] < errors["solve"] / 100


# ----------------------------------------------------------------- data far from 0


def _offset_data():
    """(name, X (N, D), y (N,), true weights, true bias): features far from 0, as in real data."""
    rng = np.random.default_rng(5)
    years = np.arange(1990.0, 2021.0)  # (31,)
    yield "years", years[:, None], 0.8 * (years - 2000) + 12.0, [0.8], 12.0 - 0.8 * 2000
    prices = rng.uniform(150_000, 450_000, size=40)
    rooms = rng.integers(1, 7, size=40).astype(float)
    X = np.column_stack([prices, rooms])
    yield "prices", X, X @ [0.01, 250.0] + 900.0, [0.01, 250.0], 900.0
    stamps = 1.7e9 + 3600.0 * np.arange(48)  # hourly Unix timestamps
    yield "timestamps", stamps[:, None], 2e-4 * (stamps - 1.7e9) + 5.0, [2e-4], 5.0 - 2e-4 * 1.7e9
    x = 1e8 + np.arange(10.0)
    yield "1e8 + arange(10)", x[:, None], 3.0 * (x - 1e8) + 1.0, [3.0], 1.0 - 3e8
    x = 1e6 + np.arange(10.0)
    yield "1e6 + arange(10)", x[:, None], 3.0 * (x - 1e6) + 1.0, [3.0], 1.0 - 3e6


@pytest.mark.parametrize("solver", LinearRegression.SOLVERS)
@pytest.mark.parametrize("case", list(_offset_data()), ids=lambda c: c[0])
def test_features_far_from_zero(case, solver):
    """Centring keeps the digits: no false rank error, and the weights of the true line."""
    name, X, y, w, b = case
    model = LinearRegression(solver=solver).fit(X, y)
    np.testing.assert_allclose(model.w_, w, rtol=1e-9)
    assert model.b_ == pytest.approx(b, rel=1e-9)
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-9, atol=1e-9 * np.abs(y).max())
    if X.shape[1] == 1:
        a, b1 = fit_line(X[:, 0], y)
        assert model.w_[0] == pytest.approx(a, rel=1e-9)
        assert model.b_ == pytest.approx(b1, rel=1e-9)
    # NumPy's lstsq on the same data, with the features centred so that it too keeps its digits
    x_mean = X.mean(axis=0)
    ref = np.linalg.lstsq(add_bias(X - x_mean), y, rcond=None)[0]
    np.testing.assert_allclose(model.w_, ref[1:], rtol=1e-9)
    assert model.b_ == pytest.approx(ref[0] - x_mean @ ref[1:], rel=1e-9)


@pytest.mark.parametrize("solver", LinearRegression.SOLVERS)
def test_noisy_offset_data_matches_lstsq(solver):
    rng = np.random.default_rng(6)
    X = np.column_stack([rng.uniform(1990, 2020, 60), rng.uniform(1e5, 5e5, 60)])
    y = X @ [1.5, 0.002] - 2000.0 + rng.normal(scale=3.0, size=60)
    model = LinearRegression(solver=solver).fit(X, y)
    ref = np.linalg.lstsq(add_bias(X), y, rcond=None)[0]
    np.testing.assert_allclose(model.w_, ref[1:], rtol=1e-7)
    assert model.b_ == pytest.approx(ref[0], rel=1e-7)


def test_a_truly_dependent_offset_feature_is_still_caught():
    x = 1e8 + np.arange(10.0)
    X = np.column_stack([x, 2 * x + 5])  # the second feature is the first, scaled and shifted
    with pytest.raises(ValueError, match="span only 1 dimension:"):
        LinearRegression().fit(X, np.arange(10.0))


def test_features_in_very_different_units_are_not_dependent():
    rng = np.random.default_rng(7)
    X = np.column_stack([rng.normal(size=30) * 1e-6, rng.normal(size=30) * 1e6])
    y = X @ [2e6, 3e-6] + 1.0
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.w_, [2e6, 3e-6], rtol=1e-9)
