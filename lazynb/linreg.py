"""Linear regression in closed form: the appendix's line, plane and ``LinearRegression``.

Linear regression predicts a number from features with a weighted sum plus a bias,
``y_hat = X w + b``. Minimising the squared error has a closed-form answer, so no
gradient descent is needed:

- :func:`fit_line`: the best line ``y_hat = a x + b`` through 1-D data;
- :func:`r_squared`: how much better the predictions are than predicting the mean;
- :func:`add_bias`: a column of ones in front of ``X`` (the bias as the weight of x0 = 1);
- :class:`LinearRegression`: any number of features, with the ``fit`` / ``predict`` /
  ``score`` API of the book's networks. It solves the normal equations
  ``(X^T X) w = X^T y`` with ``np.linalg.solve`` (or ``lstsq`` on request).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

__all__ = ["fit_line", "r_squared", "add_bias", "LinearRegression"]


def _same_length_1d(x, y, x_name: str, y_name: str, *, minimum: int):
    """x and y as finite 1-D float arrays of equal length >= minimum, or a clear error."""
    x = as_float_array(x, x_name, ndim=1)
    y = as_float_array(y, y_name, ndim=1)
    if x.shape != y.shape:
        raise ValueError(
            f"{x_name} and {y_name} must have the same length, got {x.shape[0]} and {y.shape[0]}"
        )
    if x.shape[0] < minimum:
        raise ValueError(f"need at least {minimum} samples, got {x.shape[0]}")
    return x, y


def fit_line(x, y):
    """Slope ``a`` and intercept ``b`` of the least-squares line ``y_hat = a x + b``.

    x: (N,) inputs; y: (N,) targets; N >= 2 and x not constant. Returns two floats
    ``(a, b)``. The formula is the closed form of the appendix, written with centred
    data, which loses fewer digits than sums of squares when x is far from 0:
    ``a = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2)``, ``b = mean y - a mean x``.
    """
    x, y = _same_length_1d(x, y, "x", "y", minimum=2)
    dx = x - x.mean()
    spread = dx @ dx
    if spread == 0:
        raise ValueError(
            "all x values are equal: the slope of the best line is undefined "
            "(the line through them would be vertical)"
        )
    a = dx @ (y - y.mean()) / spread
    b = y.mean() - a * x.mean()
    return float(a), float(b)


def r_squared(y, y_hat) -> float:
    """Coefficient of determination R^2 = 1 - SS_res / SS_tot of predictions ``y_hat``.

    y: (N,) true values; y_hat: (N,) predictions, N >= 2. SS_res = sum((y - y_hat)^2)
    is the predictions' squared error, SS_tot = sum((y - mean y)^2) that of predicting
    the mean of y for every sample. R^2 = 1 for perfect predictions, 0 for predictions
    as good as the mean, and negative for worse ones. Raises ValueError when y is
    constant (SS_tot = 0: R^2 is undefined).
    """
    y, y_hat = _pair_for_r2(y, y_hat)
    residual = y - y_hat
    centred = y - y.mean()
    ss_tot = centred @ centred
    if ss_tot == 0:
        raise ValueError(
            "all values of y are equal: R^2 is undefined, because its "
            "denominator, the spread of y around its mean, is 0"
        )
    return float(1.0 - (residual @ residual) / ss_tot)


def _pair_for_r2(y, y_hat):
    y = as_float_array(y, "y", ndim=(1, 2))
    y_hat = as_float_array(y_hat, "y_hat", ndim=(1, 2))
    if y.shape != y_hat.shape:
        raise ValueError(
            f"y and y_hat must have the same shape, got {y.shape} and {y_hat.shape}"
            + (
                "; an (N,) array and an (N, 1) array would broadcast to (N, N): use "
                "`.ravel()` on the column"
                if {y.ndim, y_hat.ndim} == {1, 2}
                else ""
            )
        )
    if y.ndim == 2:
        if y.shape[1] != 1:
            raise ValueError(f"y must be 1-D (N,) or a column (N, 1), got shape {y.shape}")
        y, y_hat = y[:, 0], y_hat[:, 0]
    if y.shape[0] < 2:
        raise ValueError(f"R^2 needs at least 2 samples, got {y.shape[0]}")
    return y, y_hat


def add_bias(X):
    """Return ``X`` with a column of ones in front: (N, D) -> (N, D + 1).

    The first weight of a model on ``add_bias(X)`` is then the bias (the weight of a
    constant input x0 = 1), and ``add_bias(X) @ w`` computes ``X @ w[1:] + w[0]``.
    A 1-D ``x`` of shape (N,) is read as N samples of one feature.
    """
    X = as_float_array(X, "X", ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    return np.column_stack([np.ones(X.shape[0], dtype=X.dtype), X])


class LinearRegression:
    """Least-squares linear regression, ``y_hat = X w + b``, solved in closed form.

    Parameters
    ----------
    fit_intercept : learn a bias ``b`` (default) or force ``b = 0``.
    solver : ``"solve"`` (default) solves the normal equations
        ``(X^T X) w = X^T y`` with ``np.linalg.solve``, as derived in the appendix;
        ``"lstsq"`` uses ``np.linalg.lstsq`` on ``X`` itself, which is slower but
        loses far fewer digits when features are nearly collinear. Either way, with a
        bias the features and targets are centred on their means first.

    After :meth:`fit`: ``w_`` (D,) the weights and ``b_`` (a float) the bias.
    """

    SOLVERS = ("solve", "lstsq")

    def __init__(self, fit_intercept: bool = True, solver: str = "solve"):
        if not isinstance(fit_intercept, (bool, np.bool_)):
            raise TypeError(
                f"fit_intercept must be True or False, got {type(fit_intercept).__name__}"
            )
        if solver not in self.SOLVERS:
            raise ValueError(f"solver must be one of {self.SOLVERS}, got {solver!r}")
        self.fit_intercept = bool(fit_intercept)
        self.solver = solver

    def fit(self, X, y):
        """Find the least-squares weights for X: (N, D) and targets y: (N,). Returns ``self``.

        A 1-D X of shape (N,) is read as N samples of one feature. With a bias, the
        features and targets are first centred on their means: the bias then drops out
        of the equations (it is recovered at the end as ``mean(y) - mean(X) @ w``), and
        data far from 0, such as years or timestamps, keeps its digits. Raises ValueError
        when there are fewer samples than weights to fit (N < D + 1 with a bias), or
        when the design is singular: a constant feature (a copy of the bias), two
        identical features, or any feature that is a combination of the others, so that
        the best weights are not unique.
        """
        X, y = self._check_fit_args(X, y)  # X: (N, D), y: (N,)
        if self.fit_intercept:  # centre: the bias absorbs the means, the rest stays small
            x_mean, y_mean = X.mean(axis=0), y.mean()  # (D,), a number
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), 0.0
        A, y = X - x_mean, y - y_mean  # (N, D) centred features, (N,) centred targets
        self._check_full_rank(X, A)
        if self.solver == "solve":
            w = np.linalg.solve(A.T @ A, A.T @ y)  # the normal equations, (D, D) @ (D,) = (D,)
        else:
            w = np.linalg.lstsq(A, y, rcond=None)[0]
        self.w_, self.b_ = w, float(y_mean - x_mean @ w)  # the line passes through the means
        return self

    def predict(self, X):
        """Predictions ``X @ w_ + b_`` for X: (N, D). Returns (N,)."""
        X = self._check_predict_args(X)
        return X @ self.w_ + self.b_

    def _check_fit_args(self, X, y):
        """X: (N, D), y: (N,) as float arrays; raises when they do not match or there are
        fewer samples than unknowns (D weights, plus the bias if there is one)."""
        X = self._as_design(X, "X")
        y = as_float_array(y, "y", ndim=(1, 2))
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]  # a column of targets is fine; it is the same data
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D (N,), one target per sample, got shape {y.shape}")
        N, D = X.shape
        if y.shape[0] != N:
            raise ValueError(
                f"X has {N} samples (rows) but y has {y.shape[0]} targets; "
                f"they must match (X: (N, D), y: (N,))"
            )
        P = D + 1 if self.fit_intercept else D  # the number of unknowns
        if N < P:
            what = f"{D} weights and a bias" if self.fit_intercept else f"{D} weights"
            raise ValueError(
                f"need at least {P} samples to fit {what}, got {N}: with fewer "
                f"samples than unknowns the best fit is not unique"
            )
        return X, y

    def _check_predict_args(self, X):
        """X: (N, D) as a float array, for a fitted model with D weights."""
        if not hasattr(self, "w_"):
            raise RuntimeError("this LinearRegression is not fitted yet: call fit(X, y) first")
        X = self._as_design(X, "X")
        if X.shape[1] != self.w_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features per sample but the model was fitted "
                f"with {self.w_.shape[0]}"
            )
        return X

    def score(self, X, y) -> float:
        """R^2 of the predictions on X: (N, D) against the targets y: (N,)."""
        return r_squared(y, self.predict(X))

    def __repr__(self) -> str:
        return f"LinearRegression(fit_intercept={self.fit_intercept}, solver={self.solver!r})"

    @staticmethod
    def _as_design(X, name):
        X = as_float_array(X, name, ndim=(1, 2))
        return X[:, None] if X.ndim == 1 else X

    def _check_full_rank(self, X, A):
        """Raise a ValueError naming the problem when the columns of A are dependent.

        X: (N, D) the features as given; A: (N, D) the same features, centred when the
        model has a bias. Each column of A is scaled to unit length before its rank is
        taken, so that features in different units (metres and millimetres) or far from 0
        are not mistaken for dependent ones.
        """
        N, D = X.shape
        norms = np.linalg.norm(A, axis=0)  # (D,)
        rank = np.linalg.matrix_rank(A / np.where(norms > 0, norms, 1.0)) if D else 0
        if rank == D:
            return
        for j in range(D):
            if self.fit_intercept and np.all(X[:, j] == X[0, j]):
                raise ValueError(
                    f"feature {j} is constant (every sample has {X[0, j]:g}): it "
                    f"duplicates the bias, so the weights are not unique. "
                    f"Remove it, or use fit_intercept=False"
                )
            for k in range(j):
                if np.array_equal(X[:, j], X[:, k]):
                    raise ValueError(
                        f"features {k} and {j} are identical, so the weights are "
                        f"not unique (only their sum is): remove one of them"
                    )
        dims = "dimension" if rank == 1 else "dimensions"
        if self.fit_intercept:
            what = (
                f"the {D} features, centred on their means, span only {rank} {dims}: "
                f"some feature is a linear combination of the others and a constant"
            )
        else:
            what = (
                f"the {D} features span only {rank} {dims}: some feature is a "
                f"linear combination of the others"
            )
        raise ValueError(
            f"{what}, so the best weights are not unique (X^T X is singular). "
            f"Remove the redundant feature(s)"
        )
