"""Numerical gradients by centred differences, to check analytic backward passes."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, *, h: float = 1e-6, order: int = 2):
    """Centred-difference gradient of a scalar function ``f`` at ``x``.

    f: callable taking an array shaped like ``x`` and returning a scalar;
    x: float64 array of any shape (changed temporarily, restored on return).
    Returns an array shaped like ``x``: ``(f(x + h e_i) - f(x - h e_i)) / 2h``.

    ``order=4`` uses the five-point stencil
    ``(f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / 12h``, whose error
    shrinks like ``h**4`` instead of ``h**2``: with ``h=1e-3`` it is accurate to
    about 1e-13, which a relative error of 1e-6 needs on gradient entries as
    small as 1e-7 (two-point differences are limited to about 1e-10 by
    rounding). It samples ``f`` up to ``2h`` away, so keep ``x`` that far from
    kinks such as ReLU's at 0.
    """
    if not callable(f):
        raise TypeError("f must be a callable returning a scalar")
    if order not in (2, 4):
        raise ValueError(f"order must be 2 (two-point) or 4 (five-point stencil), got {order!r}")
    if not (isinstance(h, (int, float)) and not isinstance(h, bool) and 0 < h < 1):
        raise ValueError(f"h must be a small positive step such as 1e-6, got {h!r}")
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"x must be a float64 array for an accurate check, got {x.dtype}")

    def at(i, old, step):
        x[i] = old + step
        return float(f(x))

    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            if order == 2:
                grad[i] = (at(i, old, h) - at(i, old, -h)) / (2 * h)
            else:
                # Differences first: a flat direction then gives exactly 0.
                near = at(i, old, h) - at(i, old, -h)
                far = at(i, old, 2 * h) - at(i, old, -2 * h)
                grad[i] = (8 * near - far) / (12 * h)
        finally:
            x[i] = old
    return grad


def relative_error(a, b, *, floor: float = 1e-12) -> float:
    """Largest elementwise ``|a - b| / max(|a| + |b|, floor)``: 0 for equal arrays, < 1e-6 for a good check.

    ``floor`` sets the scale below which entries are compared absolutely. A
    true gradient entry can be tiny (1e-9, say, where contributions cancel), and
    no finite difference resolves it to 6 significant digits in float64; with
    ``floor=1e-6`` such an entry must still agree to 1e-12 in absolute terms,
    while every larger entry is held to the full relative tolerance.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if not (isinstance(floor, (int, float)) and not isinstance(floor, bool) and floor > 0):
        raise ValueError(f"floor must be a positive number, got {floor!r}")
    denom = np.maximum(np.abs(a) + np.abs(b), floor)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0
