"""Classification rate and error rate."""

from __future__ import annotations

import numpy as np


def _as_same_length_labels(t, y):
    t = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
    y = np.asarray(y.numpy() if hasattr(y, "numpy") else y)
    if t.ndim != 1 or y.ndim != 1:
        raise ValueError(
            f"targets and predictions must be 1-D label arrays, got shapes {t.shape} and {y.shape}"
        )
    if t.shape != y.shape:
        raise ValueError(
            f"targets and predictions must have the same length, got {t.shape[0]} and {y.shape[0]}"
        )
    if t.size == 0:
        raise ValueError("targets and predictions must not be empty")
    # Comparing labels with == turns a wrong kind of input into a plausible rate
    # (probabilities give 0.0, a NaN counts as an error, "1" != 1): refuse it instead.
    numeric = [np.issubdtype(a.dtype, np.number) or a.dtype == bool for a in (t, y)]
    if numeric[0] != numeric[1]:
        raise TypeError(
            f"targets and predictions must both be numeric labels or both not, "
            f"got dtypes {t.dtype} and {y.dtype}"
        )
    for a, name in ((t, "targets"), (y, "predictions")):
        if np.issubdtype(a.dtype, np.complexfloating):
            raise TypeError(f"{name} must be real class labels, got dtype {a.dtype}")
        if np.issubdtype(a.dtype, np.floating):
            if not np.all(np.isfinite(a)):
                raise ValueError(f"{name} must be class labels, but contain NaN or infinity")
            if np.any(a != np.round(a)):
                raise ValueError(
                    f"{name} must be class labels (whole numbers), got values such "
                    f"as {a[a != np.round(a)][0]:g}: for probabilities take "
                    f"(p >= 0.5) or argmax(P, axis=1) first"
                )
    return t, y


def classification_rate(t, y) -> float:
    """Fraction of predictions ``y`` (N,) equal to the targets ``t`` (N,).

    Both are 1-D arrays of class labels: integers (or whole-number floats, bools),
    or both non-numeric such as strings. Probabilities, NaN, and a numeric array
    compared with a string one raise instead of giving a meaningless rate.
    """
    t, y = _as_same_length_labels(t, y)
    return float(np.mean(t == y))


def error_rate(t, y) -> float:
    """Fraction of predictions ``y`` (N,) that differ from the targets ``t`` (N,).

    The same as ``1 - classification_rate(t, y)``.
    """
    t, y = _as_same_length_labels(t, y)
    return float(np.mean(t != y))
