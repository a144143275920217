"""Tests of lazynb.data.synthetic: shapes, seeds, balance and the geometry of each toy set."""

from __future__ import annotations

import numpy as np
import pytest

from lazynb.data import make_clouds, make_donut, make_spiral, make_xor

MAKERS = [make_xor, make_donut, make_spiral, make_clouds]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [None, 12, 601])
def test_shapes_and_dtypes(make, n):
    X, y = make() if n is None else make(n)
    N = len(y)
    if n is not None:
        assert N == n
    assert X.shape == (N, 2) and X.dtype == np.float64
    assert y.shape == (N,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(
    "make, default_n, classes",
    [(make_xor, 200, 2), (make_donut, 200, 2), (make_spiral, 600, 2), (make_clouds, 300, 3)],
)
def test_defaults_and_label_balance(make, default_n, classes):
    X, y = make()
    assert len(y) == default_n
    counts = np.bincount(y)
    assert len(counts) == classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(seed=4)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", MAKERS)
def test_rows_are_shuffled(make):
    _, y = make()
    # Not sorted by class: labels change many times along the rows.
    assert np.count_nonzero(np.diff(y)) > len(y) // 10


def test_xor_labels_are_the_xor_of_the_signs():
    X, y = make_xor(100, noise=0.0)
    assert set(map(tuple, X)) == {(1.0, 1.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0)}
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0] > 0, X[:, 1] > 0))


def test_xor_truth_table():
    X, y = make_xor(4, noise=0.0)
    table = {tuple((X[i] > 0).astype(int)): y[i] for i in range(4)}
    assert table == {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}


def test_xor_noise_stays_near_the_corners():
    X, y = make_xor(2000, noise=0.3)
    agree = (X[:, 0] * X[:, 1] < 0).astype(np.int64) == y
    assert agree.mean() > 0.99  # only a few points cross an axis
    assert np.all(np.abs(np.abs(X) - 1.0).mean(axis=0) < 0.3)


def test_donut_radii():
    X, y = make_donut(4000)
    r = np.hypot(X[:, 0], X[:, 1])
    assert abs(r[y == 0].mean() - 5.0) < 0.1
    assert abs(r[y == 1].mean() - 10.0) < 0.1
    assert abs(r[y == 0].std() - 1.0) < 0.1


def test_donut_custom_radii_and_no_noise():
    X, y = make_donut(50, radii=(1, 3), noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r, np.where(y == 0, 1.0, 3.0))


def test_spiral_geometry():
    X, y = make_spiral(noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.isclose(r.min(), 1.0) and np.isclose(r.max(), 10.0)
    # Points at radius 1 are the arm starts, at angles 2*pi*i/6 with labels i % 2.
    start = np.isclose(r, 1.0)
    angle = np.mod(np.arctan2(X[start, 1], X[start, 0]), 2 * np.pi)
    arm = np.rint(angle / (np.pi / 3)).astype(int) % 6
    np.testing.assert_array_equal(np.sort(arm), np.arange(6))
    np.testing.assert_array_equal(y[start], arm % 2)


def test_spiral_arms_parameter():
    X, y = make_spiral(40, arms=4, noise=0.0)
    assert X.shape == (40, 2) and np.bincount(y).tolist() == [20, 20]


def test_clouds_centres():
    X, y = make_clouds(3000)
    for k, centre in enumerate([(0, -2), (2, 2), (-2, 2)]):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centre, atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 1.0, atol=0.1)


def test_clouds_custom_centres():
    centres = [[10, 10], [-10, 0], [0, 5], [3, -3]]
    X, y = make_clouds(400, centers=centres, std=0.5)
    assert sorted(set(y.tolist())) == [0, 1, 2, 3]
    for k, centre in enumerate(centres):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centre, atol=0.2)


def test_generator_as_seed():
    X1, _ = make_clouds(seed=np.random.default_rng(1))
    X2, _ = make_clouds(seed=np.random.default_rng(1))
    np.testing.assert_array_equal(X1, X2)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    "n, exc",
    [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError), ("10", TypeError)],
)
def test_bad_n(make, n, exc):
    with pytest.raises(exc, match="n must"):
        make(n)


@pytest.mark.parametrize(
    "make, kw",
    [(make_xor, "noise"), (make_donut, "noise"), (make_spiral, "noise"), (make_clouds, "std")],
)
@pytest.mark.parametrize(
    "value, exc", [(-0.1, ValueError), (float("nan"), ValueError), ("1", TypeError)]
)
def test_bad_noise(make, kw, value, exc):
    with pytest.raises(exc, match=kw):
        make(**{kw: value})


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (1.5, TypeError), ("0", TypeError)])
def test_bad_seed(make, seed, exc):
    with pytest.raises(exc, match="seed"):
        make(seed=seed)


@pytest.mark.parametrize("radii", [(10, 5), (0, 5), (5,), (1, 2, 3), [[1, 2]]])
def test_bad_radii(radii):
    with pytest.raises(ValueError, match="radii"):
        make_donut(radii=radii)


@pytest.mark.parametrize("arms, exc", [(3, ValueError), (0, ValueError), (2.0, TypeError)])
def test_bad_arms(arms, exc):
    with pytest.raises(exc, match="arms"):
        make_spiral(arms=arms)


def test_too_few_points_for_the_groups():
    with pytest.raises(ValueError, match="n must be >= 6"):
        make_spiral(5)
    with pytest.raises(ValueError, match="number of centres"):
        make_clouds(2)
    with pytest.raises(ValueError, match="n must be >= 4"):
        make_xor(3)


@pytest.mark.parametrize("centers", [[[0, 0, 0]], [0, 1], [[0, float("inf")]]])
def test_bad_centres(centers):
    with pytest.raises(ValueError, match="centers"):
        make_clouds(centers=centers)
