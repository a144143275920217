"""Cost functions (NumPy) and their gradients.

Chapter 1 needs the binary cross-entropy of a logistic unit; chapter 3 adds the
categorical cross-entropy, mean squared error and KL divergence.

Conventions
-----------
* Targets come first, predictions second, as in the e-book's ``cost(T, Y)``.
* A cross-entropy of N samples is the **mean over the samples** of each
  sample's loss (or the sum with ``mean=False``); a sample's loss is summed over
  its K outputs. So for (N, K) arrays ``mean=True`` divides by N, not by N*K.
* Every ``*_grad`` function returns the gradient of the matching loss with
  respect to its **second** argument (the predictions, probabilities or
  logits), with that argument's shape.
* The ``*_with_logits`` versions take the scores before the sigmoid/softmax.
  They never form a probability, so they stay exact where the probability
  would round to 0 or 1, and are stable for scores up to +-1e4 and beyond.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_float_array
from .activations import _check_axis, _log_softmax, _sigmoid, _softmax

__all__ = [
    "EPS",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "categorical_cross_entropy_with_logits",
    "categorical_cross_entropy_with_logits_grad",
    "mean_squared_error",
    "mean_squared_error_grad",
    "kl_divergence",
    "kl_divergence_grad",
]

# Probabilities are clipped this far from 0 and 1 so that log() stays finite.
# (Binary cross-entropy clips to ``_clip_eps(dtype)``: 1 - 1e-12 rounds to 1.0 in float32.)
EPS = 1e-12

# How far rows of probabilities may sum from 1 (float32 softmax outputs are off by ~1e-7).
_SUM_TOL = 1e-3


# --- checks -------------------------------------------------------------------------------


def _pair(t, p, tname: str, pname: str, ndim):
    t = as_float_array(t, tname, ndim=ndim)
    p = as_float_array(p, pname, ndim=ndim)
    if t.shape != p.shape:
        raise ValueError(
            f"{tname} and {pname} must have the same shape, got {t.shape} and {p.shape}"
        )
    return t, p


def _check_unit_interval(x: np.ndarray, name: str, what: str) -> None:
    if np.any((x < 0) | (x > 1)):
        raise ValueError(
            f"{name} must hold {what} in [0, 1]; found values from {x.min():g} to {x.max():g}"
        )


def _check_rows_sum_to_one(x: np.ndarray, name: str, axis: int = -1, hint: str = "") -> None:
    s = x.sum(axis=axis)
    if np.any(np.abs(s - 1) > _SUM_TOL):
        worst = s.flat[np.argmax(np.abs(s - 1))]
        raise ValueError(
            f"each row of {name} must sum to 1 (a distribution over the classes); "
            f"found a row summing to {worst:g}{hint}"
        )


def _check_mean(mean) -> bool:
    if not isinstance(mean, (bool, np.bool_)):
        raise TypeError(f"mean must be True or False, got {type(mean).__name__}")
    return bool(mean)


def _clip_eps(dtype) -> float:
    """How far from 0 and 1 to clip probabilities of ``dtype``: ``EPS``, or the dtype's
    machine epsilon where that is larger, so that ``1 - eps`` is below 1 in that dtype
    (float64: 1e-12; float32: 1.2e-7, since 1 - 1e-12 rounds to exactly 1.0 there)."""
    return max(EPS, float(np.finfo(dtype).eps))


def _reduce(losses: np.ndarray, mean: bool) -> float:
    # losses: (N,) or (N, K): summed over the outputs, then averaged over the N samples.
    total = float(losses.sum())
    return total / losses.shape[0] if mean else total


def _scale(x: np.ndarray, mean: bool) -> float:
    return 1.0 / x.shape[0] if mean else 1.0


# --- binary cross-entropy -----------------------------------------------------------------


def binary_cross_entropy(t, p, *, mean: bool = True) -> float:
    """Binary cross-entropy ``-[t log p + (1 - t) log(1 - p)]``.

    t: (N,) targets in {0, 1} (or soft targets in [0, 1]);
    p: (N,) predicted probabilities P(Y=1|X). (N, K) arrays of K independent
    binary outputs are accepted too: each sample's loss is then summed over K.
    Returns the mean over the N samples (or the sum with ``mean=False``) as a
    Python float. ``p`` is clipped to ``[eps, 1 - eps]`` so the result is finite,
    with ``eps = EPS`` (1e-12) in float64 and float32's machine epsilon (1.2e-7)
    in float32: a confidently wrong p of exactly 0 or 1 then costs ``-log(eps)``
    (27.6 in float64, 15.9 in float32) instead of ``inf``/``nan``.
    """
    mean = _check_mean(mean)
    t, p = _pair(t, p, "t", "p", (1, 2))
    _check_unit_interval(t, "t", "targets")
    _check_unit_interval(p, "p", "probabilities")
    eps = _clip_eps(p.dtype)
    p = np.clip(p, eps, 1.0 - eps)
    losses = -(t * np.log(p) + (1.0 - t) * np.log1p(-p))
    return _reduce(losses, mean)


def binary_cross_entropy_grad(t, p, *, mean: bool = True):
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``.

    t, p: (N,) or (N, K). Returns ``(p - t) / (p (1 - p))``, divided by N when
    ``mean``; shape of ``p``. ``p`` is clipped as in the loss (so the gradient
    stays finite, about ``+-1/eps``, at p = 0 or 1).
    """
    mean = _check_mean(mean)
    t, p = _pair(t, p, "t", "p", (1, 2))
    _check_unit_interval(t, "t", "targets")
    _check_unit_interval(p, "p", "probabilities")
    eps = _clip_eps(p.dtype)
    p = np.clip(p, eps, 1.0 - eps)
    return (p - t) / (p * (1.0 - p)) * _scale(p, mean)


def _bce_with_logits(t, a):
    # -[t log s(a) + (1-t) log(1-s(a))] = max(a, 0) - a t + log(1 + e^-|a|):
    # the exponent is never positive, and log1p keeps it exact for large |a|.
    return np.maximum(a, 0) - a * t + np.log1p(np.exp(-np.abs(a)))


def binary_cross_entropy_with_logits(t, a, *, mean: bool = True) -> float:
    """Binary cross-entropy from the score ``a`` (before the sigmoid), stably.

    t: (N,) or (N, K) targets in [0, 1]; a: logits of the same shape, any real
    values. Equals ``binary_cross_entropy(t, sigmoid(a))`` but computed as
    ``max(a, 0) - a t + log(1 + exp(-|a|))``, which never overflows and stays
    exact where ``sigmoid(a)`` rounds to 0 or 1 (``|a|`` up to 1e4 and beyond).
    Returns the mean over the N samples (sum over K), or the sum with ``mean=False``.
    """
    mean = _check_mean(mean)
    t, a = _pair(t, a, "t", "a", (1, 2))
    _check_unit_interval(t, "t", "targets")
    return _reduce(_bce_with_logits(t, a), mean)


def binary_cross_entropy_with_logits_grad(t, a, *, mean: bool = True):
    """Gradient of :func:`binary_cross_entropy_with_logits` with respect to ``a``: ``(sigmoid(a) - t) / N``.

    t, a: (N,) or (N, K). Returns an array shaped like ``a`` (not divided by N
    with ``mean=False``).
    """
    mean = _check_mean(mean)
    t, a = _pair(t, a, "t", "a", (1, 2))
    _check_unit_interval(t, "t", "targets")
    return (_sigmoid(a) - t) * _scale(a, mean)


# --- categorical cross-entropy ------------------------------------------------------------


def _check_targets(T: np.ndarray) -> None:
    _check_unit_interval(T, "T", "targets (one-hot rows or soft targets)")
    _check_rows_sum_to_one(T, "T", hint="; for integer labels use lazynb.data.one_hot(y, K)")


def categorical_cross_entropy(T, P, *, mean: bool = True) -> float:
    """Categorical cross-entropy ``-sum_k T[n, k] log P[n, k]``, the e-book's cost J.

    T: (N, K) targets, one-hot rows (an indicator matrix) or soft targets
    (rows in [0, 1] summing to 1); P: (N, K) predicted probabilities, rows
    summing to 1. Returns the mean over the N samples (or the sum over all of
    them with ``mean=False``, exactly the e-book's ``-(T * np.log(Y)).sum()``).
    ``P`` is clipped to ``[EPS, 1]`` so that a zero probability gives a large
    finite cost, not ``inf``.
    """
    mean = _check_mean(mean)
    T, P = _pair(T, P, "T", "P", 2)
    _check_targets(T)
    _check_unit_interval(P, "P", "probabilities")
    _check_rows_sum_to_one(
        P, "P", hint="; for scores (logits) use categorical_cross_entropy_with_logits"
    )
    return _reduce(-(T * np.log(np.maximum(P, EPS))), mean)


def categorical_cross_entropy_grad(T, P, *, mean: bool = True):
    """Gradient of :func:`categorical_cross_entropy` with respect to ``P``.

    ``-T / P``, divided by N when ``mean``.

    T, P: (N, K). Returns (N, K). (It treats the entries of ``P`` as
    independent; the softmax that makes them sum to 1 is differentiated in
    :func:`categorical_cross_entropy_with_logits_grad`.)
    """
    mean = _check_mean(mean)
    T, P = _pair(T, P, "T", "P", 2)
    _check_targets(T)
    _check_unit_interval(P, "P", "probabilities")
    _check_rows_sum_to_one(P, "P")
    return -T / np.maximum(P, EPS) * _scale(P, mean)


def categorical_cross_entropy_with_logits(T, A, *, mean: bool = True) -> float:
    """Categorical cross-entropy of ``softmax(A)``, computed from the logits ``A`` stably.

    T: (N, K) one-hot or soft targets; A: (N, K) scores, any real values.
    Uses ``log_softmax(A) = A - logsumexp(A)``, so it is finite and exact for
    scores up to +-1e4 where ``softmax`` would give probabilities of exactly 0.
    Returns the mean over the N samples (or the sum with ``mean=False``).
    """
    mean = _check_mean(mean)
    T, A = _pair(T, A, "T", "A", 2)
    _check_targets(T)
    return _reduce(-(T * _log_softmax(A, axis=1)), mean)


def categorical_cross_entropy_with_logits_grad(T, A, *, mean: bool = True):
    """Gradient of :func:`categorical_cross_entropy_with_logits` with respect to ``A``.

    T, A: (N, K). Returns (N, K): ``(softmax(A) - T) / N`` (no ``/ N`` with
    ``mean=False``), the "error at the output" ``Y - T`` of the e-book's
    backpropagation. (In general ``softmax(A) * T.sum(1) - T``; the rows of T sum to 1.)
    """
    mean = _check_mean(mean)
    T, A = _pair(T, A, "T", "A", 2)
    _check_targets(T)
    return (_softmax(A, axis=1) * T.sum(axis=1, keepdims=True) - T) * _scale(A, mean)


# --- squared error ------------------------------------------------------------------------


def mean_squared_error(T, Y) -> float:
    """Mean squared error ``mean((Y - T)**2)`` over all entries (the usual definition, as in Keras).

    T: targets, Y: predictions, arrays of the same shape ((N,) or (N, K), any
    shape really). Returns a Python float.

    (The MLP's linear output uses half the squared error summed over the
    outputs, ``0.5 * ((Y - T)**2).sum() / N``, whose gradient is simply
    ``(Y - T) / N``; for one output that is half this MSE.)
    """
    T, Y = _pair(T, Y, "T", "Y", None)
    return float(np.mean((Y - T) ** 2))


def mean_squared_error_grad(T, Y):
    """Gradient of :func:`mean_squared_error` with respect to ``Y``.

    ``2 (Y - T) / Y.size``, shaped like ``Y``.
    """
    T, Y = _pair(T, Y, "T", "Y", None)
    return 2.0 * (Y - T) / Y.size


# --- KL divergence ------------------------------------------------------------------------


def _kl_inputs(P, Q, axis):
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    P, Q = _pair(P, Q, "P", "Q", None)
    axis = _check_axis(P, axis)
    for X, name in ((P, "P"), (Q, "Q")):
        _check_unit_interval(X, name, "probabilities")
        _check_rows_sum_to_one(X, name, axis)
    return P, Q, axis


def kl_divergence(P, Q, *, axis: int = -1):
    """Kullback-Leibler divergence ``KL(P || Q) = sum P log(P / Q)`` along ``axis``.

    P, Q: arrays of the same shape whose slices along ``axis`` are probability
    distributions, e.g. (N, K) rows or a single (K,) vector. Returns one value
    per distribution: the input shape without ``axis`` ((N,) for (N, K)), or a
    Python float for 1-D input. Each value is >= 0, and 0 exactly where P == Q.

    Terms with ``P = 0`` contribute 0 (the limit of ``p log p``), so P may have
    zeros. ``Q`` is clipped to ``[EPS, 1]``: where P > 0 but Q = 0 the true value
    is infinite, and the result is a large finite number instead.
    """
    P, Q, axis = _kl_inputs(P, Q, axis)
    logratio = np.log(np.maximum(P, EPS)) - np.log(np.maximum(Q, EPS))
    kl = np.maximum((P * logratio).sum(axis=axis), 0.0)  # rounding can give -1e-17
    return float(kl) if kl.ndim == 0 else kl


def kl_divergence_grad(P, Q, *, axis: int = -1):
    """Gradient of ``kl_divergence(P, Q).sum()`` with respect to ``Q``: ``-P / Q``, shaped like ``Q``."""
    P, Q, axis = _kl_inputs(P, Q, axis)
    return -P / np.maximum(Q, EPS)
