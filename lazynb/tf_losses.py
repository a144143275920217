"""Cost functions in TensorFlow, the twins of :mod:`lazynb.losses`.

Same names, same conventions, so that a chapter can put the two side by side
and the parity tests can compare them value for value and gradient for gradient:

* targets first, predictions second, as in the e-book's ``cost(T, Y)``;
* a cross-entropy is the **mean over the N samples** of each sample's loss,
  which is summed over its K outputs (``mean=False``: the sum over all samples);
* probabilities are clipped exactly as in NumPy (binary cross-entropy to
  ``[eps, 1 - eps]`` with ``eps`` from the dtype: 1e-12 in float64, 1.2e-7 in
  float32, where ``1 - 1e-12`` would round to 1), and the gradient at a clipped
  value is NumPy's ``*_grad`` there (the loss's slope at the clip point), not the
  zero that ``tf.clip_by_value`` alone would give;
* the ``*_with_logits`` versions are TensorFlow's own fused, stable kernels:
  ``tf.nn.sigmoid_cross_entropy_with_logits`` and
  ``tf.nn.softmax_cross_entropy_with_logits``.

Each function returns a scalar tensor (or one value per distribution for
:func:`kl_divergence`) that ``tf.GradientTape`` can differentiate; no ``*_grad``
functions are needed. The inputs' shapes are checked; their values are not
(that would copy them to the host): check them with :mod:`lazynb.losses`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .losses import EPS, _clip_eps
from .repro import import_tensorflow

tf = import_tensorflow()

__all__ = [
    "EPS",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
    "categorical_cross_entropy_with_logits",
    "mean_squared_error",
    "kl_divergence",
]


def _pair(t, p, tname: str, pname: str, ndims=None):
    """Two floating tensors of one shape and dtype (the second one's float dtype wins)."""
    p = tf.convert_to_tensor(p)
    if not p.dtype.is_floating:
        p = tf.cast(p, tf.float64)
    t = tf.cast(tf.convert_to_tensor(t), p.dtype)
    if t.shape != p.shape:
        raise ValueError(
            f"{tname} and {pname} must have the same shape, got {tuple(t.shape)} "
            f"and {tuple(p.shape)}"
        )
    if ndims is not None and p.shape.rank not in ndims:
        want = " or ".join(f"{r}-D" for r in ndims)
        raise ValueError(f"{tname} and {pname} must be {want}, got shape {tuple(p.shape)}")
    return t, p


def _clip(x, lo: float, hi: float):
    """``x`` clipped to ``[lo, hi]`` in the forward pass, with gradient 1 everywhere.

    The loss is then differentiated at the clipped point, exactly as the NumPy
    ``*_grad`` functions evaluate their formula there; a plain ``tf.clip_by_value``
    would give a zero gradient at p = 0 or 1, where the loss is steepest.
    """
    return x + tf.stop_gradient(tf.clip_by_value(x, lo, hi) - x)


def _eps(dtype) -> float:
    """:func:`lazynb.losses._clip_eps` for a TensorFlow dtype (bfloat16 included)."""
    try:
        return _clip_eps(dtype.as_numpy_dtype)
    except ValueError:  # NumPy's finfo does not know ml_dtypes' bfloat16 (eps 2**-7)
        import ml_dtypes

        return max(EPS, float(ml_dtypes.finfo(dtype.as_numpy_dtype).eps))


def _reduce(losses, mean: bool):
    # losses: (N,) or (N, K): summed over everything, divided by N for the mean.
    total = tf.reduce_sum(losses)
    return total / tf.cast(tf.shape(losses)[0], total.dtype) if mean else total


def _check_mean(mean) -> bool:
    if not isinstance(mean, (bool, np.bool_)):
        raise TypeError(f"mean must be True or False, got {type(mean).__name__}")
    return bool(mean)


def binary_cross_entropy(t, p, *, mean: bool = True):
    """``-[t log p + (1 - t) log(1 - p)]``; t, p: (N,) or (N, K). Mean over N (sum over K)."""
    mean = _check_mean(mean)
    t, p = _pair(t, p, "t", "p", (1, 2))
    eps = _eps(p.dtype)  # 1 - 1e-12 is 1.0 in float32: log(0) = -inf
    p = _clip(p, eps, 1.0 - eps)
    return _reduce(-(t * tf.math.log(p) + (1.0 - t) * tf.math.log1p(-p)), mean)


def binary_cross_entropy_with_logits(t, a, *, mean: bool = True):
    """Binary cross-entropy of ``sigmoid(a)`` from the logits a: (N,) or (N, K), stably.

    ``tf.nn.sigmoid_cross_entropy_with_logits`` computes
    ``max(a, 0) - a t + log(1 + exp(-|a|))``, the same formula as the NumPy version.
    """
    mean = _check_mean(mean)
    t, a = _pair(t, a, "t", "a", (1, 2))
    return _reduce(tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=a), mean)


def categorical_cross_entropy(T, P, *, mean: bool = True):
    """``-sum_k T log P`` per sample; T, P: (N, K) one-hot targets and probabilities. Mean over N."""
    mean = _check_mean(mean)
    T, P = _pair(T, P, "T", "P", (2,))
    return _reduce(-(T * tf.math.log(_clip(P, EPS, 1.0))), mean)


def categorical_cross_entropy_with_logits(T, A, *, mean: bool = True):
    """Categorical cross-entropy of ``softmax(A)`` from the logits A: (N, K), stably.

    ``tf.nn.softmax_cross_entropy_with_logits`` returns one loss per row (N,);
    its gradient with respect to A is ``softmax(A) - T`` (rows of T sum to 1).
    """
    mean = _check_mean(mean)
    T, A = _pair(T, A, "T", "A", (2,))
    return _reduce(tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=A), mean)


def mean_squared_error(T, Y):
    """``mean((Y - T)**2)`` over all entries; T, Y: any shape (the same)."""
    T, Y = _pair(T, Y, "T", "Y")
    return tf.reduce_mean(tf.square(Y - T))


def kl_divergence(P, Q, *, axis: int = -1):
    """``KL(P || Q) = sum P log(P / Q)`` along ``axis``: one value per distribution.

    P, Q: the same shape, e.g. (N, K) rows of probabilities. Terms with P = 0
    contribute 0 and Q is clipped to ``[EPS, 1]``, as in :func:`lazynb.losses.kl_divergence`.
    Returns a tensor shaped like the input without ``axis`` (a scalar for 1-D input).
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        # tf.reduce_sum would read axis=True as axis 1
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    P, Q = _pair(P, Q, "P", "Q")
    if P.shape.rank == 0:
        raise ValueError("P and Q must have at least one axis (the classes), got scalars")
    logratio = tf.math.log(tf.maximum(P, EPS)) - tf.math.log(_clip(Q, EPS, 1.0))
    return tf.maximum(tf.reduce_sum(P * logratio, axis=axis), 0.0)  # rounding can give -1e-17
