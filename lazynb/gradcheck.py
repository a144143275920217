"""Numerical gradients by centred differences, to check analytic backward passes."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, *, h: float = 1e-6):
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    f: callable taking an array shaped like ``x`` and returning a scalar;
    x: float64 array of any shape (changed temporarily, restored on return).
    Returns an array shaped like ``x``: ``(f(x + h e_i) - f(x - h e_i)) / 2h``.
    """
    if not callable(f):
        raise TypeError("f must be a callable returning a scalar")
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"x must be a float64 array for an accurate check, got {x.dtype}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = float(f(x))
        x[i] = old - h
        fm = float(f(x))
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def relative_error(a, b) -> float:
    """Largest elementwise ``|a - b| / max(|a| + |b|, tiny)``: 0 for equal arrays, < 1e-6 for a good check."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    denom = np.maximum(np.abs(a) + np.abs(b), 1e-12)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0
