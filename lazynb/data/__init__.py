"""Data for the book: MNIST (official or a shipped real sample), toy 2-D sets, utilities.

    from lazynb.data import load_mnist, make_spiral, one_hot, minibatches

    X, y, info = load_mnist("train", warn=False, return_info=True)
    print(info)   # official files or the 5,000-image sample, and where from

Nothing here touches the network at import time.
"""

from .mnist import (
    DEFAULT_MIRRORS,
    MNISTFileError,
    MNISTInfo,
    MNISTSampleWarning,
    load_mnist,
    read_idx,
)
from .synthetic import make_clouds, make_donut, make_spiral, make_xor
from .utils import minibatches, one_hot, train_test_split

__all__ = [
    "load_mnist",
    "read_idx",
    "MNISTInfo",
    "MNISTFileError",
    "MNISTSampleWarning",
    "DEFAULT_MIRRORS",
    "make_xor",
    "make_donut",
    "make_spiral",
    "make_clouds",
    "one_hot",
    "train_test_split",
    "minibatches",
]
