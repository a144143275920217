"""Classification rate and error rate."""

from __future__ import annotations

import numpy as np


def _as_same_length_labels(t, y):
    t = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    y = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    if t.ndim != 1 or y.ndim != 1:
        raise ValueError(f"targets and predictions must be 1-D label arrays, got shapes {t.shape} and {y.shape}")
    if t.shape != y.shape:
        raise ValueError(f"targets and predictions must have the same length, got {t.shape[0]} and {y.shape[0]}")
    if t.size == 0:
        raise ValueError("targets and predictions must not be empty")
    return t, y


def classification_rate(t, y) -> float:
    """Fraction of predictions ``y`` (N,) equal to the targets ``t`` (N,)."""
    t, y = _as_same_length_labels(t, y)
    return float(np.mean(t == y))


def error_rate(t, y) -> float:
    """Fraction of predictions ``y`` (N,) that differ from the targets ``t`` (N,): ``1 - classification_rate``."""
    t, y = _as_same_length_labels(t, y)
    return float(np.mean(t != y))
