"""Activation functions (NumPy) and their derivatives.

Chapter 1 needs the sigmoid; chapter 2 adds tanh, ReLU, leaky ReLU and softmax
with their derivatives. Every elementwise function takes an array of any shape
and returns an array of the same shape and floating dtype (float32 in, float32
out; integers become float64), computed without overflow warnings even for
inputs as large as +-1e4. ``softmax`` and ``log_softmax`` work along one axis.

Each public function's body is its formula; the checks (numbers, finite, a
valid ``axis`` or ``alpha``) run first, in the one decorator line ``@_checked``
above it. The body without the checks is the function's ``__wrapped__``,
exported as the private kernels ``_sigmoid``, ``_relu``, ``_softmax``, ... that
the training loops in :mod:`lazynb.mlp` and :mod:`lazynb.losses` call on arrays
they have already checked.

``ACTIVATIONS`` maps a name to the pair ``(f, f_grad)``; ``get_activation(name)``
looks one up with a clear error.
"""

from __future__ import annotations

import functools
import inspect
import numbers

import numpy as np

from ._validate import as_float_array

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_branch",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "identity",
    "identity_grad",
    "softmax",
    "softmax_naive",
    "log_softmax",
    "ACTIVATIONS",
    "get_activation",
]


# --- checks -------------------------------------------------------------------------------


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a number, got {type(alpha).__name__}")
    alpha = float(alpha)
    if not (np.isfinite(alpha) and 0.0 <= alpha < 1.0):
        raise ValueError(f"alpha (the slope for a <= 0) must be in [0, 1), got {alpha}")
    return alpha


def _check_axis(A: np.ndarray, axis) -> int:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if A.ndim == 0:
        raise ValueError("A must have at least one axis (the classes), got a scalar")
    if not -A.ndim <= axis < A.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of shape {A.shape}")
    return int(axis)


def _checked(kernel):
    """Decorator: check and convert the arguments, then run ``kernel`` (kept as ``__wrapped__``).

    The first argument becomes a finite float array (``as_float_array``): of any
    shape, empty allowed, for an elementwise function; with at least one axis,
    not empty, for one that takes an ``axis`` (softmax), whose ``axis`` must then
    be valid (``_check_axis``). An ``alpha`` must be a slope in [0, 1)
    (``_check_alpha``, checked first). The kernel then sees clean arguments only.
    """
    signature = inspect.signature(kernel)
    name = next(iter(signature.parameters))
    along_axis = "axis" in signature.parameters

    @functools.wraps(kernel)
    def checked(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arg = bound.arguments
        if "alpha" in arg:
            arg["alpha"] = _check_alpha(arg["alpha"])
        arg[name] = as_float_array(arg[name], name, allow_empty=not along_axis)
        if along_axis:
            arg["axis"] = _check_axis(arg[name], arg["axis"])
        return kernel(*bound.args, **bound.kwargs)

    return checked


# --- elementwise activations --------------------------------------------------------------


@_checked
def sigmoid(a):
    """Logistic sigmoid, ``1 / (1 + exp(-a))``, elementwise and overflow-free.

    a: array of any shape (or a scalar). Returns an array of the same shape and
    floating dtype, with values in [0, 1]; ``sigmoid(0) == 0.5``.

    ``exp(-a)`` overflows for a < -709 in float64, so each element uses the
    form whose exponent is never positive: for a >= 0 ``1 / (1 + e^-a)``, for
    a < 0 ``e^a / (1 + e^a)``. Both are evaluated on ``-|a|`` only.
    """
    e = np.exp(-np.abs(a))  # e^-|a| is in (0, 1]: cannot overflow
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(a):
    """Derivative of the sigmoid at ``a``: ``s (1 - s)`` with ``s = sigmoid(a)``. Same shape as ``a``."""
    s = sigmoid(a)
    return s * (1.0 - s)


@_checked
def tanh(a):
    """Hyperbolic tangent, elementwise: values in [-1, 1], ``tanh(a) = 2 sigmoid(2a) - 1``.

    a: array of any shape. Returns the same shape and floating dtype.
    ``np.tanh`` saturates to +-1 for large ``|a|`` without overflowing.
    """
    return np.tanh(a)


def tanh_grad(a):
    """Derivative of tanh at ``a``: ``1 - tanh(a)**2``. Same shape and dtype as ``a``."""
    t = tanh(a)
    return 1.0 - t * t


@_checked
def relu(a):
    """Rectified linear unit, ``max(a, 0)``, written as ``a * (a > 0)``.

    a: array of any shape. Returns the same shape and floating dtype.
    The e-book uses this product form because an autodiff library can
    differentiate it (the comparison is a constant 0/1 factor). :func:`relu_branch` is the
    explicit "if a < 0 then 0 else a" form; the two agree everywhere.
    """
    r = a * (a > 0)
    r += 0.0  # turns the -0.0 of negative inputs into 0.0 (they compare equal; this prints nicer)
    return r


@_checked
def relu_branch(a):
    """ReLU as an explicit branch: ``a`` where ``a > 0``, else 0 (``np.where``).

    a: array of any shape. Returns the same shape and floating dtype; equal to
    :func:`relu` for every input.
    """
    return np.where(a > 0, a, 0)


@_checked
def relu_grad(a):
    """Derivative of ReLU: 1 where ``a > 0``, 0 where ``a <= 0`` (the choice at 0 is a convention).

    a: array of any shape. Returns a 0/1 array of the same shape and floating dtype.
    """
    return (a > 0).astype(a.dtype)


@_checked
def leaky_relu(a, alpha: float = 0.01):
    """Leaky ReLU: ``a`` where ``a > 0``, ``alpha * a`` elsewhere.

    a: array of any shape; alpha: slope for a <= 0, in [0, 1) (``alpha=0`` is ReLU).
    Returns the same shape and floating dtype. The small slope keeps a
    gradient flowing through units whose input is negative, so they cannot
    "die" the way ReLU units can.
    """
    return np.where(a > 0, a, alpha * a)


@_checked
def leaky_relu_grad(a, alpha: float = 0.01):
    """Derivative of leaky ReLU: 1 where ``a > 0``, ``alpha`` where ``a <= 0``.

    Same shape and dtype as ``a``.
    """
    return np.where(a > 0, 1.0, alpha).astype(a.dtype)


@_checked
def identity(a):
    """The identity, ``a`` itself (a copy): the "activation" of a linear output layer."""
    return a.copy()


@_checked
def identity_grad(a):
    """Derivative of the identity: an array of ones shaped like ``a``."""
    return np.ones_like(a)


# --- softmax ------------------------------------------------------------------------------


@_checked
def softmax(A, axis: int = -1):
    """Softmax along ``axis``: ``exp(A) / sum(exp(A))``, computed stably.

    A: array with at least one axis, e.g. (N, K) scores (logits) for N samples
    and K classes. Returns an array of the same shape and floating dtype whose
    entries are in [0, 1] and sum to 1 along ``axis``.

    The maximum along ``axis`` is subtracted first: softmax does not change
    when a constant is subtracted from every score, and afterwards every
    exponent is <= 0, so ``exp`` cannot overflow (compare :func:`softmax_naive`).
    """
    # exp(A - max) <= 1: no overflow; the factor exp(-max) cancels in the division.
    E = np.exp(A - A.max(axis=axis, keepdims=True))
    E /= E.sum(axis=axis, keepdims=True)
    return E


@_checked
def softmax_naive(A, axis: int = -1):
    """Softmax exactly as the formula reads, ``exp(A) / exp(A).sum()``: for teaching only.

    A: array with at least one axis; returns the same shape and floating dtype.

    It is correct for moderate scores but **overflows** for large ones:
    ``exp(710)`` is inf in float64 (``exp(89)`` in float32), and inf / inf is
    NaN, so a row with a score above about 709 (88 in float32) comes out as NaN,
    with NumPy's ``RuntimeWarning: overflow encountered in exp``. Very negative
    scores underflow to 0 / 0 the same way. To show the failure without the
    warning, wrap the call in ``with np.errstate(over="ignore", invalid="ignore"):``.
    Use :func:`softmax` for real work.
    """
    expA = np.exp(A)
    return expA / expA.sum(axis=axis, keepdims=True)


@_checked
def log_softmax(A, axis: int = -1):
    """Logarithm of the softmax along ``axis``, without ever taking ``log(0)``.

    A: array with at least one axis, e.g. (N, K) logits. Returns the same shape
    and floating dtype: ``A - logsumexp(A)``, entries <= 0, finite for finite A.
    This is what a cross-entropy needs: ``log(softmax(A))`` would give
    ``log(0) = -inf`` once a probability underflows.
    """
    S = A - A.max(axis=axis, keepdims=True)
    # The largest entry of S is 0, so the sum is >= 1 and its log is finite.
    return S - np.log(np.exp(S).sum(axis=axis, keepdims=True))


# --- the same functions without the checks, for callers whose arrays are already checked -------

_sigmoid, _relu, _relu_grad = sigmoid.__wrapped__, relu.__wrapped__, relu_grad.__wrapped__
_leaky_relu, _leaky_relu_grad = leaky_relu.__wrapped__, leaky_relu_grad.__wrapped__
_softmax, _log_softmax = softmax.__wrapped__, log_softmax.__wrapped__


# --- lookup by name -----------------------------------------------------------------------

ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "identity": (identity, identity_grad),
}
"""Name -> ``(f, f_grad)`` for the hidden-layer activations the book uses."""

# The same pairs as unchecked kernels, for the training loops (leaky ReLU at its default slope).
_KERNELS = {
    "sigmoid": (_sigmoid, lambda a: _sigmoid(a) * (1.0 - _sigmoid(a))),
    "tanh": (np.tanh, lambda a: 1.0 - np.tanh(a) ** 2),
    "relu": (_relu, _relu_grad),
    "leaky_relu": (lambda a: _leaky_relu(a, 0.01), lambda a: _leaky_relu_grad(a, 0.01)),
    "identity": (lambda a: a, np.ones_like),
}


def _check_name(name, valid, what: str) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"{what} must be a name (a string), one of {sorted(valid)}; got {type(name).__name__}"
        )
    if name not in valid:
        raise ValueError(f"unknown {what} {name!r}: valid names are {', '.join(sorted(valid))}")
    return name


def get_activation(name: str):
    """Return the pair ``(f, f_grad)`` for an activation name (see :data:`ACTIVATIONS`).

    Raises ValueError listing the valid names when ``name`` is unknown.
    """
    return ACTIVATIONS[_check_name(name, ACTIVATIONS, "activation")]
