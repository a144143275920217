"""Activation functions in TensorFlow, the twins of :mod:`lazynb.activations`.

Each function takes a tensor (or anything ``tf.convert_to_tensor`` accepts) of
any shape and returns a tensor of the same shape and dtype. TensorFlow
differentiates them itself (``tf.GradientTape``), so there are no ``*_grad``
functions here: :func:`derivative` asks the tape for the elementwise
derivative, which the parity tests compare with the NumPy ``*_grad`` functions.

The derivatives TensorFlow uses at the kinks match the NumPy ones: ReLU has
slope 0 at ``a = 0`` and leaky ReLU slope ``alpha`` there.

Importing this module imports TensorFlow (through
:func:`lazynb.repro.import_tensorflow`, quietly); ``import lazynb`` does not.
"""

from __future__ import annotations

from .activations import ACTIVATIONS as _NUMPY_ACTIVATIONS
from .activations import _check_alpha, _check_name
from .repro import import_tensorflow

tf = import_tensorflow()

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "identity",
    "softmax",
    "log_softmax",
    "TF_ACTIVATIONS",
    "get_tf_activation",
    "derivative",
]

ALPHA = 0.01
"""Leaky ReLU's slope for a <= 0, as in :func:`lazynb.activations.leaky_relu`.

``tf.nn.leaky_relu`` and ``keras.layers.LeakyReLU`` default to 0.2 (Keras 3:
``negative_slope=0.2``), so the slope is always passed explicitly."""


def _float_tensor(a, name: str = "a"):
    """``a`` as a floating tensor; integers become float64 (as in the NumPy module)."""
    a = tf.convert_to_tensor(a)
    if a.dtype.is_integer or a.dtype == tf.bool:
        a = tf.cast(a, tf.float64)
    elif not a.dtype.is_floating:
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype.name}")
    return a


def sigmoid(a):
    """Logistic sigmoid ``1 / (1 + exp(-a))`` (``tf.math.sigmoid``, stable for large ``|a|``)."""
    return tf.math.sigmoid(_float_tensor(a))


def tanh(a):
    """Hyperbolic tangent (``tf.math.tanh``)."""
    return tf.math.tanh(_float_tensor(a))


def relu(a):
    """``max(a, 0)`` (``tf.nn.relu``); its gradient is 0 at ``a = 0``, like ``relu_grad``."""
    return tf.nn.relu(_float_tensor(a))


def _leaky_relu(a, alpha: float = ALPHA):
    if a.dtype == tf.float64:
        # tf.nn.leaky_relu keeps alpha as a float32 attribute: in float64 its slope would be
        # 0.009999999776..., off by 2e-8 relative (the parity tests caught it). Spelled out
        # instead, with alpha in float64; the gradient at a = 0 is alpha, as in NumPy.
        return tf.where(a > 0, a, tf.constant(alpha, a.dtype) * a)
    return tf.nn.leaky_relu(a, alpha=alpha)


def leaky_relu(a, alpha: float = ALPHA):
    """``a`` where ``a > 0``, ``alpha * a`` elsewhere, with the book's default ``alpha=0.01``.

    Passes ``alpha`` explicitly to ``tf.nn.leaky_relu``, whose own default is 0.2
    (in float64, where that op would round alpha to float32, the same formula is
    written out with ``tf.where``). Derivative: 1 where ``a > 0``, ``alpha`` elsewhere.
    """
    return _leaky_relu(_float_tensor(a), _check_alpha(alpha))


def identity(a):
    """The identity, for a linear layer."""
    return tf.identity(_float_tensor(a))


def softmax(A, axis: int = -1):
    """Softmax along ``axis`` (``tf.nn.softmax``, which subtracts the maximum itself).

    A: e.g. (N, K) logits. Returns the same shape; entries in [0, 1] summing to 1 along ``axis``.
    """
    return tf.nn.softmax(_float_tensor(A, "A"), axis=axis)


def log_softmax(A, axis: int = -1):
    """``A - logsumexp(A)`` along ``axis`` (``tf.nn.log_softmax``): finite for any finite A."""
    return tf.nn.log_softmax(_float_tensor(A, "A"), axis=axis)


TF_ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "identity": identity,
}
"""Name -> TensorFlow function, with the same names as :data:`lazynb.activations.ACTIVATIONS`."""

assert TF_ACTIVATIONS.keys() == _NUMPY_ACTIVATIONS.keys(), (
    "the two backends must offer the same names"
)

# Unchecked kernels for compiled code (tensors in, no conversions).
_KERNELS = {
    "sigmoid": tf.math.sigmoid,
    "tanh": tf.math.tanh,
    "relu": tf.nn.relu,
    "leaky_relu": _leaky_relu,
    "identity": lambda a: a,
}


def get_tf_activation(name: str):
    """The TensorFlow activation called ``name`` (one of :data:`TF_ACTIVATIONS`), or a clear ValueError."""
    return TF_ACTIVATIONS[_check_name(name, TF_ACTIVATIONS, "activation")]


def derivative(name: str, a):
    """Elementwise derivative ``f'(a)`` of the activation ``name``, computed by ``tf.GradientTape``.

    a: any shape. Returns a tensor of the same shape; the NumPy ``*_grad``
    function of the same name computes it by hand. (The tape differentiates
    ``sum(f(a))``; since ``f`` acts elementwise, that gradient is ``f'(a)``.)
    """
    f = get_tf_activation(name)
    a = _float_tensor(a)
    with tf.GradientTape() as tape:
        tape.watch(a)
        total = tf.reduce_sum(f(a))
    return tape.gradient(total, a)
