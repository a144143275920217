"""Activation functions (NumPy).

Chapter 1 needs the sigmoid; chapter 2 adds tanh, ReLU, leaky ReLU and softmax
with their derivatives. Every function takes an array of any shape and returns
an array of the same shape, computed without overflow warnings.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array


def sigmoid(a):
    """Logistic sigmoid, ``1 / (1 + exp(-a))``, elementwise and overflow-free.

    a: array of any shape (or a scalar). Returns an array of the same shape and
    floating dtype, with values in [0, 1]; ``sigmoid(0) == 0.5``.

    ``exp(-a)`` overflows for a < -709 in float64, so each element uses the
    form whose exponent is never positive: for a >= 0 ``1 / (1 + e^-a)``, for
    a < 0 ``e^a / (1 + e^a)``. Both are evaluated on ``-|a|`` only.
    """
    a = as_float_array(a, "a", allow_empty=True)
    e = np.exp(-np.abs(a))  # in (0, 1]: cannot overflow
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(a):
    """Derivative of the sigmoid at ``a``: ``s (1 - s)`` with ``s = sigmoid(a)``. Same shape as ``a``."""
    s = sigmoid(a)
    return s * (1.0 - s)
