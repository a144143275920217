"""Reference answers of the "Beyond" chapter's exercises, as plain functions.

The checkers in :mod:`lazynb.exercises.beyond` wrap them; ``solution()`` shows their source.
"""

from __future__ import annotations

import numpy as np

__all__ = ["conv2d_valid", "rnn_forward"]


def conv2d_valid(X, K):
    """A 'valid' 2-D convolution as deep-learning libraries define it (no kernel flip).

    X: (H, W) image; K: (kh, kw) filter. Returns Z: (H - kh + 1, W - kw + 1) with
    Z[i, j] = sum over u, v of K[u, v] * X[i + u, j + v].
    """
    kh, kw = K.shape
    rows, cols = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    Z = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            Z[i, j] = np.sum(K * X[i : i + kh, j : j + kw])  # the patch under the filter
    return Z


def rnn_forward(X, Wx, Wh, b, h0):
    """A simple (Elman) RNN over time: h_t = tanh(x_t Wx + h_{t-1} Wh + b).

    X: (N, T, D) sequences; Wx: (D, H); Wh: (H, H); b: (H,); h0: (N, H) the state
    before the first step. Returns all states h_1 ... h_T as an array (N, T, H).
    """
    h = h0
    states = []
    for t in range(X.shape[1]):  # time is axis 1
        h = np.tanh(X[:, t] @ Wx + h @ Wh + b)
        states.append(h)
    return np.stack(states, axis=1)
