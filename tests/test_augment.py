"""lazynb.augment: shifts, rotations and the augmented MNIST training set."""

import numpy as np
import pytest

from lazynb.augment import augment_mnist, rotate_images, shift_images
from lazynb.data import load_mnist


@pytest.fixture(scope="module")
def digits():
    X, y = load_mnist("train", download=False, warn=False)  # the shipped real sample
    return X[:200], y[:200]


def _img(X):
    return X.reshape(-1, 28, 28)


def _dot(r, c):
    x = np.zeros(784)
    x[r * 28 + c] = 1.0
    return x


def test_shift_directions_and_zero_fill():
    x = _dot(5, 7)
    assert np.argwhere(_img(shift_images(x, 2, 0))[0]).tolist() == [[5, 9]]  # right
    assert np.argwhere(_img(shift_images(x, 0, 3))[0]).tolist() == [[8, 7]]  # down
    assert np.argwhere(_img(shift_images(x, -1, -1))[0]).tolist() == [[4, 6]]
    assert not shift_images(x, -8, 0).any()  # moved past the left edge: lost
    assert shift_images(x, 1, 0).shape == (784,)


def test_shift_there_and_back_restores_the_interior(digits):
    X, _ = digits
    back = shift_images(shift_images(X, 1, 0), -1, 0)
    np.testing.assert_array_equal(_img(back)[:, :, :27], _img(X)[:, :, :27])
    assert not _img(back)[:, :, 27].any()  # the last column fell off and came back as 0
    back = shift_images(shift_images(X, 0, -2), 0, 2)
    np.testing.assert_array_equal(_img(back)[:, 2:], _img(X)[:, 2:])


def test_per_image_shifts(digits):
    X, _ = digits
    dx = np.arange(len(X)) % 5 - 2
    out = shift_images(X, dx, 1)
    for i in (0, 3, 7):
        np.testing.assert_array_equal(out[i], shift_images(X[i], dx[i], 1))


def test_rotate_by_zero_is_identity_and_four_quarter_turns_return(digits):
    X, _ = digits
    np.testing.assert_array_equal(rotate_images(X, 0), X)
    R = X
    for _ in range(4):
        R = rotate_images(R, 90)
    np.testing.assert_allclose(R, X, atol=1e-6)
    # a quarter turn is counter-clockwise as displayed, like np.rot90
    np.testing.assert_allclose(
        _img(rotate_images(X, 90)), np.rot90(_img(X), 1, axes=(1, 2)), atol=1e-6
    )
    np.testing.assert_allclose(
        rotate_images(X, 90, interpolation="nearest"), rotate_images(X, 90), atol=1e-6
    )


def test_small_rotations_and_shifts_keep_the_pixel_mass(digits):
    X, _ = digits
    mass = X.sum(axis=1)
    for angle in (-10, 5, 15):
        assert np.allclose(rotate_images(X, angle).sum(axis=1), mass, rtol=0.03)
    # Most MNIST digits keep a margin of a few pixels: a 2-pixel shift loses nothing for them,
    # and at most a few per cent of the ink for the few that touch the border.
    shifted = shift_images(X, 2, -2).sum(axis=1)
    assert np.mean(np.isclose(shifted, mass, rtol=1e-5)) > 0.9
    np.testing.assert_allclose(shifted, mass, rtol=0.05)


def test_rotation_values_stay_in_range_and_per_image_angles(digits):
    X, _ = digits
    angles = np.linspace(-15, 15, len(X))
    R = rotate_images(X, angles)
    assert R.dtype == X.dtype and R.min() >= 0 and R.max() <= 1 + 1e-6
    np.testing.assert_allclose(R[17], rotate_images(X[17], angles[17]), atol=1e-6)


def test_augment_mnist_shapes_labels_and_reproducibility(digits):
    X, y = digits
    Xa, ya = augment_mnist(X, y, rng=0, copies=2)
    assert Xa.shape == (3 * len(X), 784) and ya.shape == (3 * len(X),)
    assert Xa.dtype == X.dtype
    np.testing.assert_array_equal(Xa[: len(X)], X)  # originals first
    np.testing.assert_array_equal(ya, np.concatenate([y, y, y]))
    assert not np.array_equal(Xa[len(X) : 2 * len(X)], X)  # the copies differ
    np.testing.assert_allclose(
        Xa.reshape(3, len(X), -1).sum(axis=2), np.tile(X.sum(axis=1), (3, 1)), rtol=0.05
    )
    Xb, _ = augment_mnist(X, y, rng=0, copies=2)
    np.testing.assert_array_equal(Xa, Xb)
    X0, y0 = augment_mnist(X, y, rng=0, copies=0)
    np.testing.assert_array_equal(X0, X)


def test_augment_without_rotation_is_a_pure_shift(digits):
    X, y = digits
    Xa, _ = augment_mnist(X[:20], y[:20], rng=1, max_shift=1, max_degrees=0)
    copies = Xa[20:]
    for i in range(20):  # each copy equals one of the 9 one-pixel shifts of its original
        assert any(
            np.array_equal(copies[i], shift_images(X[i], dx, dy))
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
        )


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: shift_images(np.zeros((2, 780)), 1, 0), ValueError),
        (lambda: shift_images(np.zeros((2, 784)), 1.5, 0), ValueError),
        (lambda: shift_images(np.zeros((2, 784)), [1, 2, 3], 0), ValueError),
        (lambda: shift_images(np.zeros((2, 784)), "1", 0), TypeError),
        (lambda: shift_images(np.zeros((2, 2, 784)), 1, 0), ValueError),
        (lambda: rotate_images(np.full(784, np.nan), 10), ValueError),
        (lambda: rotate_images(np.zeros(784), float("inf")), ValueError),
        (lambda: rotate_images(np.zeros(784), 10, interpolation="cubic"), ValueError),
        (lambda: augment_mnist(np.zeros(784), [1]), ValueError),
        (lambda: augment_mnist(np.zeros((3, 784)), [1, 2]), ValueError),
        (lambda: augment_mnist(np.zeros((3, 784)), [1, 2, 3], max_shift=28), ValueError),
        (lambda: augment_mnist(np.zeros((3, 784)), [1, 2, 3], max_degrees=-5), ValueError),
        (lambda: augment_mnist(np.zeros((3, 784)), [1, 2, 3], copies=1.5), TypeError),
    ],
)
def test_bad_input_is_rejected(call, exc):
    with pytest.raises(exc):
        call()
