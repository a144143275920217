"""Seeded 2-D toy data sets for the early chapters: XOR, donut, spiral, clouds.

Every function returns ``X: (N, 2)`` float64 and ``y: (N,)`` int64, with the
rows in shuffled order (ready for stochastic gradient descent), and gives the
same data for the same ``seed``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validate import as_float_array, check_positive_float, check_positive_int
from .utils import _rng

__all__ = ["make_xor", "make_donut", "make_spiral", "make_clouds"]


def _sizes(n: int, k: int) -> np.ndarray:
    """Split ``n`` points into ``k`` groups whose sizes differ by at most one."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def make_xor(n: int = 200, *, noise: float = 0.3, seed=0):
    """Four noisy clusters at the corners (+-1, +-1); label = XOR of the signs.

    A point near (1, 1) or (-1, -1) is class 0, near (1, -1) or (-1, 1) class 1,
    so no straight line separates the classes. Corner ``c`` gets Gaussian noise
    of standard deviation ``noise`` per axis; the label is the corner's, so with
    ``noise=0`` every point sits on its corner and ``y == (x0 * x1 < 0)``.
    ``n=4, noise=0`` is the e-book's four-row XOR truth table (with -1 for 0).

    Returns ``X: (n, 2)`` float64 and ``y: (n,)`` int64, classes balanced.
    """
    n = check_positive_int(n, "n", minimum=4)
    noise = check_positive_float(noise, "noise", allow_zero=True)
    rng = _rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.repeat(np.arange(4), _sizes(n, 4))
    X = corners[which] + noise * rng.standard_normal((n, 2))
    y = (which >= 2).astype(np.int64)  # the last two corners have signs that differ
    return _shuffled(X, y, rng)


def make_donut(n: int = 200, *, radii=(5.0, 10.0), noise: float = 1.0, seed=0):
    """Two noisy concentric rings: inner ring label 0, outer ring label 1.

    Each point has a uniform random angle and a radius drawn from
    ``Normal(radius, noise)``; half the points go to each ring (the inner ring
    gets the extra one when ``n`` is odd). A linear model fails here; a
    hidden layer (or the feature ``x0**2 + x1**2``) succeeds.

    Returns ``X: (n, 2)`` float64 and ``y: (n,)`` int64.
    """
    n = check_positive_int(n, "n", minimum=2)
    noise = check_positive_float(noise, "noise", allow_zero=True)
    r = as_float_array(radii, "radii", ndim=1)
    if r.shape != (2,) or not (0 < r[0] < r[1]):
        raise ValueError(f"radii must be two numbers 0 < inner < outer, got {list(r)}")
    rng = _rng(seed)
    which = np.repeat(np.arange(2), _sizes(n, 2))
    radius = r[which] + noise * rng.standard_normal(n)
    theta = rng.uniform(0.0, 2.0 * np.pi, n)
    X = np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    return _shuffled(X, which, rng)


def make_spiral(n: int = 600, *, arms: int = 6, noise: float = 0.5, seed=0):
    """Spiral arms around the origin with alternating labels 0, 1, 0, 1, ...

    Arm ``i`` starts at angle ``2*pi*i/arms`` and turns a quarter circle while
    its radius grows from 1 to 10; points are spaced evenly along the arm and
    moved by Gaussian noise of standard deviation ``noise``. With the defaults
    (6 arms, 600 points, noise 0.5) this is the e-book series' classic spiral,
    which needs a network with a hidden layer to separate.

    ``arms`` must be even so that neighbouring arms always differ in label.
    Returns ``X: (n, 2)`` float64 and ``y: (n,)`` int64.
    """
    arms = check_positive_int(arms, "arms", minimum=2)
    if arms % 2:
        raise ValueError(
            f"arms must be even so that labels alternate around the circle, got {arms}"
        )
    n = check_positive_int(n, "n", minimum=arms)
    noise = check_positive_float(noise, "noise", allow_zero=True)
    rng = _rng(seed)
    parts, labels = [], []
    for i, m in enumerate(_sizes(n, arms)):
        t = np.linspace(0.0, 1.0, m)  # position along the arm
        radius = 1.0 + 9.0 * t
        theta = 2.0 * np.pi * i / arms + 0.5 * np.pi * t
        parts.append(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]))
        labels.append(np.full(m, i % 2))
    X = np.concatenate(parts) + noise * rng.standard_normal((n, 2))
    return _shuffled(X, np.concatenate(labels), rng)


def make_clouds(n: int = 300, *, centers=None, std: float = 1.0, seed=0):
    """Gaussian clouds, one per centre, labelled 0, 1, 2, ... (the e-book's ch. 3 data).

    ``centers`` is a (K, 2) array; it defaults to the e-book's three centres
    (0, -2), (2, 2) and (-2, 2). Each cloud gets ``n // K`` points (the first
    ``n % K`` clouds one more) drawn from ``Normal(center, std**2 * I)``.

    Returns ``X: (n, 2)`` float64 and ``y: (n,)`` int64 with labels ``0 .. K-1``.
    """
    if centers is None:
        C = np.array([[0.0, -2.0], [2.0, 2.0], [-2.0, 2.0]])
    else:
        C = as_float_array(centers, "centers", ndim=2)
        if C.shape[1] != 2:
            raise ValueError(f"centers must have shape (K, 2), got {C.shape}")
    if isinstance(n, numbers.Integral) and not isinstance(n, bool) and n < len(C):
        raise ValueError(f"n must be >= the number of centres ({len(C)}), got {n}")
    n = check_positive_int(n, "n")
    std = check_positive_float(std, "std", allow_zero=True)
    rng = _rng(seed)
    which = np.repeat(np.arange(len(C)), _sizes(n, len(C)))
    X = C[which] + std * rng.standard_normal((n, 2))
    return _shuffled(X, which, rng)
