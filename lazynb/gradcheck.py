"""Numerical gradients by centred differences, to check analytic backward passes."""

from __future__ import annotations

import numbers

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

    Raises ValueError if ``f`` returns NaN or infinity at a sampled point: the
    difference quotient would be NaN or inf, not a gradient to compare with.
    """
    if not callable(f):
        raise TypeError("f must be a callable returning a scalar")
    if order not in (2, 4):
        raise ValueError(f"order must be 2 (two-point) or 4 (five-point stencil), got {order!r}")
    if not (isinstance(h, numbers.Real) and not isinstance(h, (bool, np.bool_)) and 0 < h < 1):
        raise ValueError(f"h must be a small positive step such as 1e-6, got {h!r}")
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"x must be a float64 array for an accurate check, got {x.dtype}")

    def at(i, old, step):
        x[i] = old + step
        value = float(f(x))
        if not np.isfinite(value):
            raise ValueError(
                f"f returned {value} at x{list(i)} {'+' if step > 0 else '-'} "
                f"{abs(step):g}: f must be finite within {2 * h if order == 4 else h:g} "
                f"of x to take a centred difference"
            )
        return value

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

    a, b: arrays of the same shape, finite: a NaN would make the result NaN, and
    ``nan < 1e-6`` and ``nan > 1e-6`` are both False, so it raises ValueError instead.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    for arr, name in ((a, "a"), (b, "b")):
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"{name} contains NaN or infinity: there is no relative error to "
                f"measure (a gradient with NaN is already wrong)"
            )
    if not (
        isinstance(floor, numbers.Real)
        and not isinstance(floor, (bool, np.bool_))
        and 0 < floor < np.inf
    ):  # an infinite floor would make every error 0
        raise ValueError(f"floor must be a positive finite number, got {floor!r}")
    denom = np.maximum(np.abs(a) + np.abs(b), floor)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0
