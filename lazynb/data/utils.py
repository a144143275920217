"""Small data utilities: indicator matrices, a seeded train/test split, mini-batches."""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

from .._validate import as_labels, check_positive_int
from ..repro import default_rng

__all__ = ["one_hot", "train_test_split", "minibatches"]


def _rng(seed, name: str = "seed") -> np.random.Generator:
    """Return a Generator from ``seed``: an int >= 0, a Generator, or None.

    None means the package's default generator :func:`lazynb.repro.default_rng`,
    which ``set_seed`` reseeds (fresh entropy here would ignore ``set_seed``).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, None or a numpy Generator, got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def _check_flag(value, name: str) -> bool:
    # A string such as "False" is truthy: refuse it rather than silently do the opposite.
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _as_rows(x, name: str) -> np.ndarray:
    """Return ``x`` as an array with at least one axis (the sample axis), dtype untouched."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a first (sample) axis, got a scalar")
    return arr


def one_hot(y, K: int | None = None, dtype=np.float32) -> np.ndarray:
    """Indicator matrix of integer labels (the e-book's ``y2indicator``).

    Parameters
    ----------
    y : (N,) integer labels in ``0 .. K-1``.
    K : number of classes; defaults to ``max(y) + 1``.
    dtype : dtype of the result.

    Returns
    -------
    T : (N, K) array with ``T[n, y[n]] = 1`` and zeros elsewhere, so that
        ``one_hot(y).argmax(axis=1) == y`` and every row sums to 1.
    """
    labels = as_labels(y, "y")
    top = int(labels.max())
    if K is None:
        K = top + 1
    else:
        K = check_positive_int(K, "K")
        if K <= top:
            raise ValueError(f"K={K} is too small for label {top}: need K >= {top + 1}")
    T = np.zeros((labels.shape[0], K), dtype=dtype)
    T[np.arange(labels.shape[0]), labels] = 1
    return T


def _test_count(test_size, n: int) -> int:
    """Number of test rows for ``test_size`` (a fraction in (0, 1) or a count)."""
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(
            f"test_size must be a fraction in (0, 1) or an int count, "
            f"got {type(test_size).__name__}"
        )
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(
                f"test_size as a count must be in 1..{n - 1} for {n} samples, got {n_test}"
            )
        return n_test
    frac = float(test_size)
    if not 0.0 < frac < 1.0:
        raise ValueError(f"test_size as a fraction must be in (0, 1), got {frac}")
    # Round to the nearest count, but keep both parts non-empty.
    n_test = int(round(frac * n))
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size={frac} of {n} samples leaves an empty train or test set")
    return n_test


def _stratified_test_rows(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices of a test set with each class in proportion to its share of ``y``."""
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    quota = n_test * counts / counts.sum()
    take = np.floor(quota).astype(np.int64)
    # Hand out the remaining rows to the classes with the largest fractional parts.
    left = n_test - int(take.sum())
    order = np.argsort(-(quota - take), kind="stable")
    take[order[:left]] += 1
    rows = [rng.permutation(np.flatnonzero(inverse == k))[: take[k]] for k in range(len(classes))]
    return np.concatenate(rows)


def train_test_split(X, y, test_size=0.2, *, seed=0, stratify: bool = False):
    """Shuffle and split ``X, y`` into train and test parts, reproducibly.

    Parameters
    ----------
    X : (N, ...) samples (any dtype; rows are kept intact).
    y : (N, ...) targets, one per row of ``X``.
    test_size : fraction of the rows in (0, 1) (rounded to the nearest count),
        or an int number of test rows.
    seed : int, None or numpy Generator; the same seed gives the same split.
    stratify : keep each class's share of ``y`` (1-D labels) in both parts.

    Returns
    -------
    X_train, X_test, y_train, y_test : the rows of ``X`` and ``y`` in shuffled order,
        every row in exactly one of the two parts.
    """
    X = _as_rows(X, "X")
    y = _as_rows(y, "y")
    n = X.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"X and y must have the same number of rows, got {n} and {y.shape[0]}")
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    n_test = _test_count(test_size, n)
    stratify = _check_flag(stratify, "stratify")
    rng = _rng(seed)
    if stratify:
        if y.ndim != 1:
            raise ValueError(f"stratify=True needs 1-D class labels y, got shape {y.shape}")
        test = rng.permutation(_stratified_test_rows(y, n_test, rng))
        mask = np.ones(n, dtype=bool)
        mask[test] = False
        train = rng.permutation(np.flatnonzero(mask))
    else:
        perm = rng.permutation(n)
        test, train = perm[:n_test], perm[n_test:]
    return X[train], X[test], y[train], y[test]


def minibatches(
    X,
    Y=None,
    batch_size: int = 500,
    *,
    shuffle: bool = True,
    seed=None,
    rng: np.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator:
    """Iterate once over the data in mini-batches (one epoch).

    Parameters
    ----------
    X : (N, ...) samples.
    Y : optional (N, ...) targets; batches are then ``(Xb, Yb)`` pairs.
    batch_size : rows per batch (500, the e-book's choice); the last batch
        holds the remainder unless ``drop_last``.
    shuffle : visit the rows in random order (otherwise in order, as views).
    seed, rng : seed or Generator for the order (give at most one). Pass the
        same ``rng`` every epoch for a new but reproducible order each time.
        With neither, the order comes from :func:`lazynb.repro.default_rng`,
        so it is reproducible after ``set_seed``.
    drop_last : skip the final batch when it is smaller than ``batch_size``.

    Yields
    ------
    Xb : (B, ...) or ``(Xb, Yb)`` with ``Yb: (B, ...)``; every row appears in
        exactly one batch per pass (except the dropped remainder).
    """
    X = _as_rows(X, "X")
    if Y is not None:
        Y = _as_rows(Y, "Y")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and Y must have the same number of rows, got {X.shape[0]} and {Y.shape[0]}"
            )
    batch_size = check_positive_int(batch_size, "batch_size")
    shuffle = _check_flag(shuffle, "shuffle")
    drop_last = _check_flag(drop_last, "drop_last")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy Generator (np.random.default_rng(...)), "
                f"got {type(rng).__name__}"
            )
        if seed is not None:
            raise ValueError("give either seed or rng, not both")
    n = X.shape[0]
    order = _rng(rng if rng is not None else seed).permutation(n) if shuffle else None
    stop = n - n % batch_size if drop_last else n

    # A separate generator so that the checks above run at call time, not at first next().
    def batches():
        for start in range(0, stop, batch_size):
            end = start + batch_size
            rows = slice(start, end) if order is None else order[start:end]
            yield X[rows] if Y is None else (X[rows], Y[rows])

    return batches()
