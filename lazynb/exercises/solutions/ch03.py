"""Chapter 3, "Backpropagation": the reference solutions of its function exercises.

Plain functions only: the checkers in :mod:`lazynb.exercises.ch03` wrap them, and
``make mutants`` mutates this module (never the checkers) to prove that every
checker rejects small changes to these answers.
"""

from __future__ import annotations

import numpy as np


def maximise_log(x0, lr, steps):
    """Gradient ascent on J(x) = log(x) + log(1 - x), 0 < x < 1.

    x0: the start, in (0, 1); lr: the learning rate; steps: how many updates.
    Returns x after ``steps`` updates ``x <- x + lr * dJ/dx``, where
    dJ/dx = 1/x - 1/(1 - x). It climbs to the maximum at x = 1/2.
    """
    x = x0
    for _ in range(steps):
        x = x + lr * (1 / x - 1 / (1 - x))  # ascent: a step along the slope
    return x


def maximise_sin(x0, lr, steps):
    """Gradient ascent on J(x) = sin(x), 0 < x < pi.

    x0: the start, in (0, pi); lr: the learning rate; steps: how many updates.
    Returns x after ``steps`` updates ``x <- x + lr * cos(x)``; it climbs to the
    maximum at x = pi/2.
    """
    x = x0
    for _ in range(steps):
        x = x + lr * np.cos(x)  # d sin(x) / dx = cos(x)
    return float(x)


def minimise_on_segment(x0, lr, steps):
    """Projected gradient descent on J(x, y) = 1 - x^2 - y^2 over x + y = 1, 0 <= x, y <= 1.

    x0: the start's x, in [0, 1] (its y is 1 - x0); lr: the learning rate; steps: how
    many updates. Returns the point (x, y) reached.

    On the segment y = 1 - x, so J is a function of x alone: J(x) = 2x - 2x^2, with
    dJ/dx = 2 - 4x. Descent moves x away from 1/2 (where J is *largest*), and
    clipping x to [0, 1] keeps the point on the segment. It ends at (0, 1) or (1, 0),
    where J = 0.
    """
    x = x0
    for _ in range(steps):
        x = x - lr * (2 - 4 * x)  # a descent step along the segment
        x = min(max(x, 0.0), 1.0)  # stay inside 0 <= x <= 1 (then 0 <= y <= 1 too)
    return x, 1 - x


def grad_W2(Z, T, Y):
    """Gradient of the mean cross-entropy J with respect to W2.

    Z: (N, M) hidden outputs; T: (N, K) one-hot targets; Y: (N, K) softmax outputs.
    Returns (M, K). The error at the output, (Y - T) / N, times the hidden values.
    """
    N = T.shape[0]
    return Z.T @ (Y - T) / N


def grad_b2(T, Y):
    """Gradient of the mean cross-entropy J with respect to b2.

    T: (N, K) one-hot targets; Y: (N, K) softmax outputs. Returns (K,): the output
    error (Y - T) / N summed over the samples (axis 0).
    """
    N = T.shape[0]
    return (Y - T).sum(axis=0) / N


def grad_W1(X, Z, T, Y, W2):
    """Gradient of the mean cross-entropy J with respect to W1 (sigmoid hidden layer).

    X: (N, D) inputs; Z: (N, M) hidden outputs; T, Y: (N, K) targets and outputs;
    W2: (M, K). Returns (D, M). The output error flows back through W2 (transposed)
    and through the sigmoid, whose derivative is Z (1 - Z).
    """
    N = T.shape[0]
    dZ = (Y - T) @ W2.T / N  # (N, M): the error at the hidden layer's outputs
    dA = dZ * Z * (1 - Z)  # (N, M): ... and before its sigmoid
    return X.T @ dA


def grad_b1(Z, T, Y, W2):
    """Gradient of the mean cross-entropy J with respect to b1 (sigmoid hidden layer).

    Z: (N, M) hidden outputs; T, Y: (N, K) targets and outputs; W2: (M, K).
    Returns (M,): the hidden error, summed over the samples.
    """
    N = T.shape[0]
    dA = (Y - T) @ W2.T / N * Z * (1 - Z)
    return dA.sum(axis=0)
