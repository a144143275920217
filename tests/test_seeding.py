"""``set_seed`` reaches every ``rng=None`` / ``seed=None`` default in lazynb.

Before: these defaults drew fresh OS entropy, so ``set_seed(0)`` at the top of a
chapter did not make a mini-batch order, a dropout mask or an augmented copy repeat.
"""

import numpy as np
import pytest

from lazynb import repro
from lazynb.augment import augment_mnist
from lazynb.data import synthetic
from lazynb.data.utils import minibatches, train_test_split
from lazynb.mlp import init_params
from lazynb.regularizers import dropout_forward, gaussian_noise

X = np.arange(64, dtype=np.float64).reshape(4, 16) / 64  # four 4x4 "images"
Y = np.arange(4)

CALLS = {
    "minibatches": lambda: np.concatenate([b for b, _ in minibatches(X, Y, batch_size=3)]),
    "minibatches(rng=None, seed=None)": lambda: np.concatenate(
        list(minibatches(np.arange(50), batch_size=7, rng=None, seed=None))
    ),
    "gaussian_noise": lambda: gaussian_noise(X, 1.0),
    "dropout_forward": lambda: dropout_forward(np.ones((20, 10)), 0.5)[1],
    "augment_mnist": lambda: augment_mnist(X, Y, max_shift=1, max_degrees=30.0)[0],
    "train_test_split(seed=None)": lambda: train_test_split(
        np.arange(50), np.arange(50), seed=None
    )[0],
    "make_xor(seed=None)": lambda: synthetic.make_xor(20, seed=None)[0],
    "init_params(seed=None)": lambda: init_params([3, 4, 2], seed=None)[0]["W"],
}


@pytest.mark.parametrize("name", list(CALLS))
def test_set_seed_makes_the_default_generator_repeat(name):
    f = CALLS[name]
    repro.set_seed(0)
    first = f()
    repro.set_seed(0)
    again = f()
    np.testing.assert_array_equal(first, again)
    # Without a reset the default generator draws on: a new order, mask or noise.
    assert not np.array_equal(f(), again)
    repro.set_seed(1)
    assert not np.array_equal(f(), first)


def test_default_rng_is_replaced_by_set_seed_and_independent_of_its_return_value():
    before = repro.default_rng()
    assert isinstance(before, np.random.Generator)
    rng = repro.set_seed(3)
    after = repro.default_rng()
    assert after is not before and after is repro.default_rng()
    # The returned generator keeps its documented stream, np.random.default_rng(seed)...
    np.testing.assert_array_equal(rng.random(5), np.random.default_rng(3).random(5))
    # ...and the default generator is a different stream, so the two never repeat each other.
    repro.set_seed(3)
    assert not np.array_equal(repro.default_rng().random(5), np.random.default_rng(3).random(5))


def test_an_explicit_generator_or_seed_still_wins_over_the_default():
    repro.set_seed(0)
    a = gaussian_noise(X, 1.0, rng=np.random.default_rng(5))
    repro.set_seed(1)
    b = gaussian_noise(X, 1.0, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(dropout_forward(X, 0.5, 7)[1], dropout_forward(X, 0.5, 7)[1])
