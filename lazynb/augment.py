"""Data augmentation for MNIST-like images (pure NumPy): shifts and small rotations.

Images are rows of ``X: (N, S*S)``, e.g. (N, 784) for 28×28 MNIST, row-major
with row 0 at the top (as ``X[i].reshape(28, 28)`` shows it). A single row
``(S*S,)`` is accepted too and the result has the shape that came in.

A digit stays the same digit when it moves a pixel or two or leans by a few
degrees: that is the invariance we teach the network by adding such copies
to the training set. Not every transformation is label-preserving, though:

* **flips** are wrong for digits: a mirrored 2 or 7 is not a 2 or a 7 (it is a
  glyph no one writes), and a mirrored 3 looks like an ε;
* **large rotations** are wrong: a 6 turned by 180° is a 9, and a 1 or 7
  lying on its side is not a digit. Keep rotations to about ±15°.

(The e-book's "an upside-down dog is still a dog" holds for photographs of
dogs, not for handwriting.)
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_float_array, check_positive_float, check_positive_int
from .data.utils import _rng

__all__ = ["shift_images", "rotate_images", "augment_mnist"]


def _as_images(X):
    """Return ``(X2, S, single)``: X as (N, S*S) float rows, the side S, and whether one row came in."""
    X = as_float_array(X, "X", ndim=(1, 2))
    single = X.ndim == 1
    X2 = X[None, :] if single else X
    D = X2.shape[1]
    S = math.isqrt(D)
    if S * S != D:
        raise ValueError(
            f"each row of X must be a flattened square image (784 = 28×28 for "
            f"MNIST), got {D} pixels per row"
        )
    return X2, S, single


def _per_image(value, n: int, name: str, *, integer: bool) -> np.ndarray:
    """A scalar or an (n,) array of per-image amounts, as an (n,) array."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number or an array of numbers, got bool")
    arr = np.asarray(value)
    if (
        arr.dtype == object
        or not np.issubdtype(arr.dtype, np.number)
        or np.issubdtype(arr.dtype, np.complexfloating)
    ):  # int64 cast drops the imaginary part
        raise TypeError(f"{name} must be a real number or an array of them, got {arr.dtype}")
    if arr.ndim == 0:
        arr = np.full(n, arr)
    elif arr.shape != (n,):
        raise ValueError(
            f"{name} must be a number or one value per image, shape ({n},), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if integer:
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must be a whole number of pixels, got {value}")
        arr = arr.astype(np.int64)
    return arr.astype(np.int64) if integer else arr.astype(np.float64)


def shift_images(X, dx, dy):
    """Translate images by whole pixels, filling the uncovered border with 0.

    X: (N, S*S) or (S*S,); dx: pixels to the right (negative: left); dy:
    pixels down (negative: up). dx and dy are ints or (N,) int arrays (one shift
    per image). Pixels moved past the edge are lost, so shifting back restores
    only the part that stayed inside. Returns a new array shaped like X.
    """
    X2, S, single = _as_images(X)
    N = X2.shape[0]
    dx = _per_image(dx, N, "dx", integer=True)
    dy = _per_image(dy, N, "dy", integer=True)
    r = np.arange(S)[None, :, None]
    c = np.arange(S)[None, None, :]
    # Inverse mapping: output pixel (r, c) comes from (r − dy, c − dx).
    src_r = r - dy[:, None, None]
    src_c = c - dx[:, None, None]
    out = _gather(X2, S, src_r, src_c)
    return out[0] if single else out


def _gather(X2, S, rows, cols):
    """``X2[n, rows*S + cols]`` with 0 outside the image; rows, cols: integer (N, S, S)."""
    N = X2.shape[0]
    inside = (rows >= 0) & (rows < S) & (cols >= 0) & (cols < S)
    idx = (np.clip(rows, 0, S - 1) * S + np.clip(cols, 0, S - 1)).reshape(N, -1)
    vals = np.take_along_axis(X2, idx, axis=1)
    vals *= inside.reshape(N, -1)
    return vals


def _snap(a, tol: float = 1e-9):
    """Round coordinates within ``tol`` of an integer (cos 90° is 6e-17, not 0)."""
    r = np.round(a)
    return np.where(np.abs(a - r) < tol, r, a)


def rotate_images(X, degrees, *, interpolation: str = "bilinear"):
    """Rotate images about their centre by ``degrees``, counter-clockwise as displayed.

    X: (N, S*S) or (S*S,); degrees: a number or an (N,) array (one angle per
    image); interpolation: ``"bilinear"`` (smooth) or ``"nearest"``.

    Inverse mapping: each output pixel looks up where it came from, the point
    rotated by −θ about the centre ((S − 1)/2, (S − 1)/2), and takes the
    (interpolated) value there, 0 outside the image. Rotation by a multiple of
    90° maps the pixel grid onto itself and is exact. Returns a new array.
    """
    if interpolation not in ("bilinear", "nearest"):
        raise ValueError(f"interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
    X2, S, single = _as_images(X)
    N = X2.shape[0]
    deg = _per_image(degrees, N, "degrees", integer=False)
    same = bool(np.all(deg == deg[0]))  # one angle: one set of coordinates for all images
    theta = np.deg2rad(deg[:1] if same else deg)[:, None, None]
    c0 = (S - 1) / 2.0
    r = np.arange(S)[None, :, None]
    c = np.arange(S)[None, None, :]
    # Display coordinates: x to the right, y up (rows grow downwards).
    x = c - c0
    y = c0 - r
    cos, sin = np.cos(theta), np.sin(theta)
    src_c = _snap(cos * x + sin * y + c0)  # R(−θ) applied to (x, y), back to columns
    src_r = _snap(c0 - (-sin * x + cos * y))  # ... and rows
    # Zero-padded copy: 1 pixel above/left, 2 below/right, so that every
    # neighbour of a coordinate clipped to [−1, S] is a valid index and the
    # outside of the image reads as 0 without masks.
    P = S + 3
    padded = np.zeros((N, P, P), dtype=X2.dtype)
    padded[:, 1 : S + 1, 1 : S + 1] = X2.reshape(N, S, S)
    padded = padded.reshape(N, P * P)
    src_r = np.clip(src_r, -1, S).reshape(len(theta), -1)
    src_c = np.clip(src_c, -1, S).reshape(len(theta), -1)

    def take(flat_idx):
        if same:
            return padded[:, flat_idx[0]]
        return np.take_along_axis(padded, flat_idx, axis=1)

    if interpolation == "nearest":
        idx = (np.rint(src_r).astype(np.intp) + 1) * P + np.rint(src_c).astype(np.intp) + 1
        out = take(idx)
    else:
        r0 = np.floor(src_r)
        q0 = np.floor(src_c)
        fr = (src_r - r0).astype(X2.dtype)
        fc = (src_c - q0).astype(X2.dtype)
        idx = (r0.astype(np.intp) + 1) * P + q0.astype(np.intp) + 1
        top = (1 - fc) * take(idx) + fc * take(idx + 1)
        bottom = (1 - fc) * take(idx + P) + fc * take(idx + P + 1)
        out = (1 - fr) * top + fr * bottom
    out = out.astype(X2.dtype, copy=False)
    return out[0] if single else out


def augment_mnist(X, y, rng=None, max_shift: int = 2, max_degrees: float = 10.0, copies: int = 1):
    """The training set plus ``copies`` randomly shifted and rotated versions of every image.

    X: (N, S*S) images; y: (N,) labels (or any (N, ...) targets, copied along);
    rng: Generator, int seed or None (:func:`lazynb.repro.default_rng`, reseeded by
    ``set_seed``); max_shift: each copy is shifted by whole
    pixels dx, dy drawn uniformly from [−max_shift, max_shift]; max_degrees:
    and first rotated (bilinear) by an angle uniform in [−max_degrees, max_degrees].

    Returns ``(X_aug, y_aug)`` of shapes ((copies + 1)·N, S*S) and ((copies + 1)·N, ...):
    the originals first, then copy 1 of every image, then copy 2, ... Shuffle
    (or use a shuffling mini-batch loop) before training. No flips: see the
    module docstring for why a flipped digit is a different symbol.
    """
    X2, S, single = _as_images(X)
    if single:
        raise ValueError("X must be 2-D (N, S*S), one image per row")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X2.shape[0]:
        raise ValueError(
            f"y must have one entry per image: X has {X2.shape[0]} rows, y has shape {y.shape}"
        )
    rng = _rng(rng, "rng")
    max_shift = check_positive_int(max_shift, "max_shift", minimum=0)
    if max_shift >= S:
        raise ValueError(f"max_shift must be smaller than the image side {S}, got {max_shift}")
    max_degrees = check_positive_float(max_degrees, "max_degrees", allow_zero=True)
    if max_degrees > 180:
        raise ValueError(f"max_degrees must be at most 180, got {max_degrees}")
    copies = check_positive_int(copies, "copies", minimum=0)
    N = X2.shape[0]
    parts = [X2.copy()]
    for _ in range(copies):
        angles = rng.uniform(-max_degrees, max_degrees, N)
        dx = rng.integers(-max_shift, max_shift, N, endpoint=True)
        dy = rng.integers(-max_shift, max_shift, N, endpoint=True)
        rotated = rotate_images(X2, angles) if max_degrees > 0 else X2
        parts.append(shift_images(rotated, dx, dy))
    return np.concatenate(parts), np.concatenate([y] * (copies + 1))
