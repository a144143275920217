"""Input checks shared by the public functions: clear errors that say what was expected."""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(
    x,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_empty: bool = False,
    dtype=None,
) -> np.ndarray:
    """Return ``x`` as a finite floating-point array, or raise a clear error.

    ``ndim`` may be an int or a tuple of accepted ranks. Integer and boolean
    input is converted to float64 (or ``dtype``); float input keeps its
    precision unless ``dtype`` is given.
    """
    if hasattr(x, "numpy") and callable(x.numpy):  # a TensorFlow tensor
        x = x.numpy()
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if dtype is not None:
        with np.errstate(over="ignore"):  # an overflow is reported below, as a clear error
            arr = arr.astype(dtype, copy=False)
    elif not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in ranks:
            want = " or ".join(f"{r}-D" for r in ranks)
            raise ValueError(f"{name} must be {want}, got shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        src = np.asarray(x)
        # A finite float64 beyond float32's range becomes inf in the cast: say so, not "NaN".
        if (
            arr.dtype != src.dtype
            and np.issubdtype(src.dtype, np.number)
            and np.all(np.isfinite(src))
        ):
            raise ValueError(
                f"{name} does not fit in {arr.dtype}: its values overflow (the largest "
                f"{arr.dtype} is about {np.finfo(arr.dtype).max:.1e}, the largest "
                f"|value| given is {float(np.max(np.abs(src))):.3g}); rescale it"
            )
        raise ValueError(f"{name} must be finite: it contains NaN or infinity")
    return arr


def as_labels(y, name: str = "y", *, n: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of class labels (non-negative integers)."""
    if hasattr(y, "numpy") and callable(y.numpy):
        y = y.numpy()
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of integer labels, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold whole-number labels, got non-integer values")
    elif not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
        raise TypeError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.min() < 0:
        raise ValueError(f"{name} labels must be >= 0, got {arr.min()}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} labels (one per row of X), got {arr.shape[0]}")
    return arr


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum`` or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0) or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return value
