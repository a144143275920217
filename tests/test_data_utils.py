"""Tests of lazynb.data.utils: one_hot, train_test_split, minibatches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazynb.data import minibatches, one_hot, train_test_split

# --------------------------------------------------------------------------- one_hot


@given(st.lists(st.integers(0, 20), min_size=1, max_size=50))
def test_one_hot_round_trip(labels):
    y = np.array(labels)
    T = one_hot(y)
    assert T.shape == (len(y), y.max() + 1) and T.dtype == np.float32
    np.testing.assert_array_equal(T.argmax(axis=1), y)
    np.testing.assert_array_equal(T.sum(axis=1), 1.0)
    assert set(np.unique(T)) <= {0.0, 1.0}


def test_one_hot_with_K_and_dtype():
    T = one_hot([0, 2, 1, 2], K=5, dtype=np.int64)
    assert T.shape == (4, 5) and T.dtype == np.int64
    np.testing.assert_array_equal(T[:, 3:], 0)
    np.testing.assert_array_equal(T, np.eye(5, dtype=np.int64)[[0, 2, 1, 2]])


def test_one_hot_accepts_whole_floats():
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    "y, K, exc, match",
    [
        ([0, -1], None, ValueError, ">= 0"),
        ([0.5, 1], None, ValueError, "whole-number"),
        ([[0, 1], [1, 0]], None, ValueError, "1-D"),
        ([], None, ValueError, "empty"),
        (["a", "b"], None, TypeError, "integer labels"),
        ([0, 5], 3, ValueError, "K=3 is too small for label 5: need K >= 6"),
        ([0, 1], 0, ValueError, "K must be >= 1"),
        ([0, 1], 2.0, TypeError, "K must be an integer"),
    ],
)
def test_one_hot_errors(y, K, exc, match):
    with pytest.raises(exc, match=match):
        one_hot(y, K)


# --------------------------------------------------------------------------- train_test_split


def _data(n=100, classes=4):
    X = np.arange(n * 3, dtype=np.float64).reshape(n, 3)  # row i is unique: X[i, 0] = 3i
    y = np.arange(n) % classes
    return X, y


def test_split_sizes_and_disjointness():
    X, y = _data()
    Xtr, Xte, ytr, yte = train_test_split(X, y, 0.25)
    assert Xtr.shape == (75, 3) and Xte.shape == (25, 3)
    assert ytr.shape == (75,) and yte.shape == (25,)
    rows_tr, rows_te = Xtr[:, 0] // 3, Xte[:, 0] // 3
    assert set(rows_tr).isdisjoint(rows_te)
    assert sorted(np.concatenate([rows_tr, rows_te])) == list(range(100))
    # Rows stay paired with their labels.
    np.testing.assert_array_equal(ytr, rows_tr.astype(int) % 4)
    np.testing.assert_array_equal(yte, rows_te.astype(int) % 4)


def test_split_is_shuffled_and_deterministic():
    X, y = _data()
    a = train_test_split(X, y, seed=7)
    b = train_test_split(X, y, seed=7)
    c = train_test_split(X, y, seed=8)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])
    assert not np.all(np.diff(a[0][:, 0]) > 0)  # not in the original order


def test_split_int_count_and_rounding():
    X, y = _data(10)
    assert len(train_test_split(X, y, 3)[1]) == 3
    assert len(train_test_split(X, y, 0.25)[1]) == 2  # 2.5 rounds to the nearest even count


@pytest.mark.parametrize("seed", range(5))
def test_split_stratified_keeps_class_shares(seed):
    X = np.arange(300).reshape(300, 1)
    y = np.repeat([0, 1, 2], [150, 100, 50])
    Xtr, Xte, ytr, yte = train_test_split(X, y, 0.2, seed=seed, stratify=True)
    assert np.bincount(yte).tolist() == [30, 20, 10]
    assert np.bincount(ytr).tolist() == [120, 80, 40]
    assert set(Xtr[:, 0]).isdisjoint(Xte[:, 0])
    np.testing.assert_array_equal(y[Xte[:, 0]], yte)


def test_split_stratified_uneven_quota_sums_to_the_count():
    y = np.repeat([0, 1, 2], [7, 7, 7])
    X = np.arange(21)
    _, Xte, _, yte = train_test_split(X, y, 5, stratify=True)
    assert len(Xte) == 5 and np.bincount(yte, minlength=3).max() <= 2


def test_split_stratify_with_string_labels():
    y = np.array(["cat", "dog"] * 10)
    _, _, ytr, yte = train_test_split(np.zeros((20, 2)), y, 0.5, stratify=True)
    assert sorted(yte.tolist()) == ["cat"] * 5 + ["dog"] * 5


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"test_size": 0.0}, ValueError, r"in \(0, 1\)"),
        ({"test_size": 1.0}, ValueError, r"in \(0, 1\)"),
        ({"test_size": 0}, ValueError, "1..9"),
        ({"test_size": 10}, ValueError, "1..9"),
        ({"test_size": 0.01}, ValueError, "empty"),
        ({"test_size": "0.2"}, TypeError, "test_size"),
        ({"test_size": True}, TypeError, "test_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 0.5}, TypeError, "seed"),
    ],
)
def test_split_errors(kw, exc, match):
    X, y = _data(10)
    with pytest.raises(exc, match=match):
        train_test_split(X, y, **kw)


def test_split_shape_errors():
    with pytest.raises(ValueError, match="same number of rows, got 10 and 9"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(ValueError, match="at least 2 samples"):
        train_test_split(np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match="1-D class labels"):
        train_test_split(np.zeros((10, 2)), np.zeros((10, 3)), stratify=True)
    with pytest.raises(ValueError, match="scalar"):
        train_test_split(3.0, 1.0)


# --------------------------------------------------------------------------- minibatches


@given(
    n=st.integers(1, 60), batch=st.integers(1, 70), shuffle=st.booleans(), drop_last=st.booleans()
)
def test_minibatches_cover_every_row_once(n, batch, shuffle, drop_last):
    X = np.arange(n * 2).reshape(n, 2)
    Y = np.arange(n)
    batches = list(minibatches(X, Y, batch, shuffle=shuffle, seed=0, drop_last=drop_last))
    seen = np.concatenate([yb for _, yb in batches]) if batches else np.array([], int)
    full = n - n % batch if drop_last else n
    assert len(seen) == full
    assert len(set(seen.tolist())) == full
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(full))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0] // 2, yb)  # rows stay paired
        assert len(xb) == batch or (not drop_last and xb is batches[-1][0])


def test_minibatch_sizes_and_last_batch():
    X = np.zeros((10, 3))
    assert [len(b) for b in minibatches(X, batch_size=4)] == [4, 4, 2]
    assert [len(b) for b in minibatches(X, batch_size=4, drop_last=True)] == [4, 4]
    assert [len(b) for b in minibatches(X, batch_size=20)] == [10]
    assert list(minibatches(X, batch_size=20, drop_last=True)) == []
    assert [len(b) for b in minibatches(np.zeros((1000, 2)))] == [500, 500]  # default size


def test_minibatches_without_Y_yield_arrays():
    batches = list(minibatches(np.arange(5), batch_size=2, shuffle=False))
    assert all(isinstance(b, np.ndarray) for b in batches)
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3], [4]]


def test_minibatches_seed_and_rng():
    X = np.arange(50)
    first = [b.tolist() for b in minibatches(X, batch_size=10, seed=1)]
    again = [b.tolist() for b in minibatches(X, batch_size=10, seed=1)]
    assert first == again and first != [list(range(i, i + 10)) for i in range(0, 50, 10)]
    rng = np.random.default_rng(1)
    epoch1 = np.concatenate(list(minibatches(X, batch_size=10, rng=rng)))
    epoch2 = np.concatenate(list(minibatches(X, batch_size=10, rng=rng)))
    assert not np.array_equal(epoch1, epoch2)  # the shared rng moves on each epoch
    rng = np.random.default_rng(1)
    assert np.array_equal(np.concatenate(list(minibatches(X, batch_size=10, rng=rng))), epoch1)


def test_minibatches_one_hot_targets():
    X = np.random.default_rng(0).normal(size=(7, 4))
    T = one_hot(np.arange(7) % 3)
    for xb, tb in minibatches(X, T, 3, seed=0):
        assert xb.shape[1:] == (4,) and tb.shape[1:] == (3,) and len(xb) == len(tb)


@pytest.mark.parametrize(
    "args, kw, exc, match",
    [
        ((np.zeros((5, 2)), np.zeros(4)), {}, ValueError, "same number of rows, got 5 and 4"),
        ((np.zeros((5, 2)),), {"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ((np.zeros((5, 2)),), {"batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ((np.zeros((5, 2)),), {"seed": 1, "rng": np.random.default_rng()}, ValueError, "not both"),
        ((np.zeros((5, 2)),), {"rng": 3}, TypeError, "numpy Generator"),
        ((np.zeros((5, 2)),), {"seed": "x"}, TypeError, "seed"),
        ((5.0,), {}, ValueError, "scalar"),
    ],
)
def test_minibatches_errors_are_raised_at_call_time(args, kw, exc, match):
    with pytest.raises(exc, match=match):
        minibatches(*args, **kw)  # no next(): the checks run before iteration
