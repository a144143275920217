"""Chapter 2, "Feedforward": the reference solutions of its function exercises.

Plain functions only: the checkers in :mod:`lazynb.exercises.ch02` wrap them, and
``make mutants`` mutates this module (never the checkers) to prove that every
checker rejects small changes to these answers.
"""

from __future__ import annotations

import numpy as np

from lazynb.activations import sigmoid


def y2indicator(y, K):
    """Indicator (one-hot) matrix of integer labels.

    y: (N,) integer labels in 0 .. K-1; K: the number of classes.
    Returns T: (N, K) with T[n, y[n]] = 1 and zeros elsewhere.
    """
    N = len(y)
    T = np.zeros((N, K))
    T[np.arange(N), y] = 1  # row n gets its 1 in column y[n]
    return T


def forward_with_bias(X, W1, b1, W2, b2):
    """Forward pass of a network with one sigmoid hidden layer and a softmax output.

    X: (N, D) one sample per row; W1: (D, M), b1: (M,) input-to-hidden weights and biases;
    W2: (M, K), b2: (K,) hidden-to-output weights and biases.
    Returns Y: (N, K), row n holding sample n's class probabilities (each row sums to 1).
    """
    Z = sigmoid(X @ W1 + b1)  # (N, M): b1 is added to every row (broadcasting)
    A = Z @ W2 + b2  # (N, K): the output activations, one row per sample
    E = np.exp(A - A.max(axis=1, keepdims=True))  # softmax over each row
    return E / E.sum(axis=1, keepdims=True)


def network_output_matrix(X, W, b, v, c):
    """Chapter 1's one-hidden-layer network, for N samples at once.

    X: (N, D) one sample per row; W: (D, M) input-to-hidden weights; b: (M,) hidden biases;
    v: (M,) hidden-to-output weights; c: the output bias (a number).
    Returns y: (N,), where y[n] = sigmoid(v . z_n + c) and z_n = sigmoid(X[n] W + b).
    """
    Z = sigmoid(X @ W + b)  # (N, M): row n holds sample n's hidden layer
    return sigmoid(Z @ v + c)  # (N,): one output per sample


def stable_softmax(A):
    """Softmax of each row of A, without overflow.

    A: (N, K) activations, one row per sample. Returns an (N, K) float array whose row n
    is exp(A[n]) / sum(exp(A[n])). Subtracting the row's largest value first changes
    nothing mathematically and keeps every exponent <= 0, so nothing overflows.
    """
    shifted = A - A.max(axis=1, keepdims=True)  # a new array: A itself is left alone
    E = np.exp(shifted)  # every entry in (0, 1]
    return E / E.sum(axis=1, keepdims=True)


def count_dead_units(X, W, b):
    """Number of dead units in a ReLU layer: units that output 0 for every sample of X.

    X: (N, D) one sample per row; W: (D, M) weights; b: (M,) biases of M ReLU units.
    Returns an int between 0 and M.
    """
    Z = np.maximum(X @ W + b, 0)  # (N, M): column m holds unit m's output for every sample
    dead = np.all(Z == 0, axis=0)  # (M,): True where the whole column is zero
    return int(dead.sum())
