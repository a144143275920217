"""Reference solutions of chapter 4's exercises (plain functions; the checkers are in ``ch04``).

- :func:`train_step`: one gradient-descent step of a ReLU network with biases;
- :func:`hidden_unit_sweep` and :func:`depth_sweep`: the networks the width and the depth
  sweeps train (model builders: one call, one fresh uncompiled Keras model);
- :func:`depth_finding`: what a depth table says, read off with the standard errors.

Each function is named after the exercise that checks it (``ch04.<name>``).
"""

from __future__ import annotations

import math

import numpy as np

from ...repro import import_tensorflow

tf = import_tensorflow()


def train_step(params, X, T, lr):
    """One gradient-descent step on the mean softmax cross-entropy of a ReLU network.

    params: ``[W1 (D, M), b1 (M,), W2 (M, K), b2 (K,)]`` as ``tf.Variable``s, updated in
    place; X: (N, D) inputs; T: (N, K) one-hot targets; lr: the learning rate.
    Returns the loss before the step, a scalar tensor.
    """
    W1, b1, W2, b2 = params
    with tf.GradientTape() as tape:
        Z = tf.nn.relu(tf.matmul(X, W1) + b1)
        logits = tf.matmul(Z, W2) + b2
        J = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits))
    grads = tape.gradient(J, params)
    for v, g in zip(params, grads):
        v.assign_sub(lr * g)
    return J


def hidden_unit_sweep(units):
    """The width sweep's network with one hidden layer of ``units`` ReLU units, for 784-pixel images.

    Input (N, 784) -> Dense(units, relu) -> Dense(10) logits (N, 10); not compiled.
    """
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10),
        ]
    )


def depth_sweep(layers, units=128):
    """The depth sweep's network with ``layers`` hidden layers of ``units`` ReLU units each.

    Input (N, 784) -> ``layers`` x Dense(units, relu) -> Dense(10) logits (N, 10);
    not compiled.
    """
    import keras

    hidden = [keras.layers.Dense(units, activation="relu") for _ in range(layers)]
    return keras.Sequential([keras.Input(shape=(784,)), *hidden, keras.layers.Dense(10)])


def _trend(first, last, k=2.0, least=0.01):
    """'falls', 'flat' or 'rises': how an error moves from ``first`` to ``last``.

    first, last: the per-seed errors (n,) of two settings, n >= 2 each. The mean moves
    only when the change exceeds ``k`` standard errors of the difference *and* ``least``
    (one percentage point: on a 1,000-image test set one network's error rate is itself
    uncertain by about a point, which the spread over seeds does not show).
    """
    a, b = np.asarray(first), np.asarray(last)
    se = math.hypot(np.std(a, ddof=1) / math.sqrt(len(a)), np.std(b, ddof=1) / math.sqrt(len(b)))
    change = b.mean() - a.mean()
    if abs(change) <= k * se or abs(change) < least:
        return "flat"
    return "falls" if change < 0 else "rises"


def depth_finding(rows):
    """What a depth table says from 1 to 3 hidden layers, for each split.

    rows: one dict per (depth, seed), with ``"layers"``, ``"train_error"`` and
    ``"test_error"``. Returns ``{"train": trend, "test": trend}`` with each trend read by
    :func:`_trend` from the per-seed errors of 1 and of 3 layers.
    """
    found = {}
    for split in ("train", "test"):
        one = [r[f"{split}_error"] for r in rows if r["layers"] == 1]
        three = [r[f"{split}_error"] for r in rows if r["layers"] == 3]
        found[split] = _trend(one, three)
    return found
