"""Cost functions (NumPy).

Chapter 1 needs the binary cross-entropy of a logistic unit; chapter 3 adds the
categorical cross-entropy, mean squared error and KL divergence.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

# Probabilities are clipped this far from 0 and 1 so that log() stays finite.
EPS = 1e-12


def binary_cross_entropy(t, p, *, mean: bool = True) -> float:
    """Binary cross-entropy ``-[t log p + (1 - t) log(1 - p)]``.

    t: (N,) targets in {0, 1} (or soft targets in [0, 1]);
    p: (N,) predicted probabilities P(Y=1|X). Returns the mean over the N
    samples (or the sum with ``mean=False``) as a Python float.
    """
    t = as_float_array(t, "t", ndim=1)
    p = as_float_array(p, "p", ndim=1)
    if t.shape != p.shape:
        raise ValueError(f"t and p must have the same shape, got {t.shape} and {p.shape}")
    if np.any((t < 0) | (t > 1)):
        raise ValueError("t must hold targets in [0, 1]")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]")
    p = np.clip(p, EPS, 1.0 - EPS)
    losses = -(t * np.log(p) + (1.0 - t) * np.log1p(-p))
    return float(losses.mean() if mean else losses.sum())
