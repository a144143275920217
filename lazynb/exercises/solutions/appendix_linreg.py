"""The appendix, "Linear regression": the reference solutions of its function exercises.

Plain functions only: the checkers in :mod:`lazynb.exercises.appendix_linreg` wrap them, and
``make mutants`` mutates this module (never the checkers) to prove that every
checker rejects small changes to these answers.
"""

from __future__ import annotations

import numpy as np


def predict_line(x, a, b):
    """Predictions of the line y = a x + b for every entry of x.

    x: (N,) inputs; a: the slope and b: the intercept (numbers). Returns (N,).
    """
    return a * x + b  # NumPy applies the formula to every entry at once: no loop


def r_squared(y, y_hat):
    """Coefficient of determination of predictions y_hat for true values y.

    y: (N,) true values (not all equal); y_hat: (N,) predictions. Returns the number
    R^2 = 1 - SS_res / SS_tot, with SS_res = sum((y - y_hat)^2), the squared error of the
    predictions, and SS_tot = sum((y - mean(y))^2), that of always predicting the mean.
    """
    ss_res = np.sum((y - y_hat) ** 2)
    ss_tot = np.sum((y - y.mean()) ** 2)
    return float(1 - ss_res / ss_tot)


def fit_1d(x, y):
    """Slope a and intercept b of the least-squares line y_hat = a x + b.

    x: (N,) inputs, not all equal; y: (N,) targets. Returns the pair (a, b), from the
    closed form written with centred data, which keeps its digits far from 0:
    a = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), b = mean(y) - a mean(x).
    """
    dx, dy = x - x.mean(), y - y.mean()  # centred: the numbers stay small
    a = (dx @ dy) / (dx @ dx)
    b = y.mean() - a * x.mean()
    return a, b


def fit_multi(X, y):
    """Least-squares weights, bias first, for data X: (N, D) and targets y: (N,).

    Returns w of shape (D + 1,): w[0] is the bias and w[1:] the weights of the D features,
    so that the predictions are X @ w[1:] + w[0]. It adds a column of ones in front of X and
    solves the normal equations (Xb^T Xb) w = Xb^T y.
    """
    Xb = np.column_stack([np.ones(len(X)), X])  # (N, D + 1): x0 = 1 carries the bias
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)
