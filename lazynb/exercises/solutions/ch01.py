"""Chapter 1, "The neuron": the reference solutions of its function exercises.

Plain functions only: the checkers in :mod:`lazynb.exercises.ch01` wrap them, and
``make mutants`` mutates this module (never the checkers) to prove that every
checker rejects small changes to these answers.
"""

from __future__ import annotations

import numpy as np

from lazynb.activations import sigmoid


def network_output(x, W, b, v, c):
    """Output of a network with one hidden layer of logistic units, for one sample.

    x: (D,) the inputs; W: (D, M) input-to-hidden weights; b: (M,) hidden biases;
    v: (M,) hidden-to-output weights; c: scalar output bias.
    Returns the number y = sigmoid(v . z + c), where z = sigmoid(x W + b), shape (M,),
    holds the hidden units' outputs.
    """
    z = sigmoid(x @ W + b)  # M logistic units, one per column of W
    return float(sigmoid(v @ z + c))  # the output unit is one more logistic unit, fed by z


def bce_with_logits(t, a):
    """Mean binary cross-entropy of targets t for a logistic unit with pre-activations a.

    t: (N,) targets, 0.0 or 1.0; a: (N,) logits (pre-activations w . x + b), any finite
    size. Returns the number -mean(t log sigmoid(a) + (1 - t) log(1 - sigmoid(a))),
    computed from a without forming sigmoid(a): no overflow and no log(0).
    """
    # log(1 - sigmoid(a)) = -softplus(a) and log sigmoid(a) = -softplus(a) + a, so each
    # sample's loss is softplus(a) - t a, with softplus(a) = log(1 + e^a) written so
    # that its exponent is never positive.
    softplus = np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))
    return float(np.mean(softplus - t * a))


def predict_labels(X, w, b):
    """Predicted class, 0 or 1, of each row of X for a logistic unit with weights w, bias b.

    X: (N, D) one sample per row; w: (D,) weights; b: the bias (a number).
    Returns an int array of shape (N,): 1 where P(Y=1 | X) = sigmoid(X w + b) >= 0.5.
    """
    p = sigmoid(X @ w + b)  # P(Y=1 | X) for every row, shape (N,)
    return (p >= 0.5).astype(int)  # class 1 wherever it is at least as likely as class 0
