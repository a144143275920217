"""A multi-layer perceptron in NumPy: initial weights, forward pass, backpropagation, training.

The functions follow the e-book's chapters 3 and 4, generalised to any number of
hidden layers::

    params = init_params([D, M, K], activation="relu", seed=0)
    Y, cache = forward(params, X)               # X: (N, D) -> Y: (N, K) probabilities
    grads = backward(params, cache, T)          # T: (N, K) one-hot targets
    for p, g in zip(params, grads):
        p["W"] -= lr * g["W"]; p["b"] -= lr * g["b"]

:class:`MLP` wraps the same computation in a scikit-learn-like estimator
(``fit`` / ``predict`` / ``score``) with full-batch, stochastic and mini-batch
gradient descent. Its training step is the same algorithm as :func:`backward`
written into preallocated buffers (a test checks that the two agree), so that
a step costs little more than its matrix products.

Loss and output layer go in pairs whose error at the output is simply
``(Y - T) / N``:

=============  ===============================  =======================================
``output``     output ``Y``                     loss (mean over the N samples)
=============  ===============================  =======================================
``softmax``    ``softmax(A)``, rows sum to 1    categorical cross-entropy
``sigmoid``    ``sigmoid(A)``, K independent    binary cross-entropy, summed over the K outputs
``identity``   ``A`` (regression)               half squared error ``0.5 * sum_k (Y - T)**2``
=============  ===============================  =======================================
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from ._validate import (as_float_array, as_labels, check_positive_float,
                        check_positive_int)
from .activations import (ACTIVATIONS, _KERNELS, _check_name, _log_softmax, _sigmoid,
                          _softmax)
from .data.utils import _rng, one_hot
from .losses import _bce_with_logits
from .progress import ProgressBar

__all__ = ["OUTPUTS", "init_params", "forward", "backward", "loss", "new_history", "MLP"]

OUTPUTS = ("softmax", "sigmoid", "identity")
"""The output layers (each paired with its loss, see the module docstring)."""

_HE = ("relu", "leaky_relu")  # activations that get the He scale sqrt(2 / fan_in)
_ALPHA = 0.01                 # slope of leaky ReLU for a <= 0 (the activations module's default)
_CHUNK = 8192                 # rows per forward pass when predicting, to bound memory


# --- checks -------------------------------------------------------------------------------

def _check_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dt}")
    return dt


def _check_params(params) -> list:
    """Check a list of layers ``{"W": (D_in, D_out), "b": (D_out,)}`` whose sizes chain."""
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise TypeError("params must be a non-empty list of layers, dicts {'W': (D_in, D_out), "
                        "'b': (D_out,)} as returned by init_params")
    prev = None
    for i, layer in enumerate(params):
        if not isinstance(layer, dict) or "W" not in layer:
            raise TypeError(f"params[{i}] must be a dict with a weight matrix 'W', "
                            f"got {type(layer).__name__}")
        W = layer["W"]
        if not isinstance(W, np.ndarray) or W.dtype not in (np.float32, np.float64):
            raise TypeError(f"params[{i}]['W'] must be a float32 or float64 NumPy array")
        if W.ndim != 2:
            raise ValueError(f"params[{i}]['W'] must be 2-D (D_in, D_out), got shape {W.shape}")
        if prev is not None and W.shape[0] != prev:
            raise ValueError(f"params[{i}]['W'] has {W.shape[0]} rows but layer {i - 1} has "
                             f"{prev} outputs; the sizes must chain")
        b = layer.get("b")
        if b is not None and (not isinstance(b, np.ndarray) or b.shape != (W.shape[1],)):
            raise ValueError(f"params[{i}]['b'] must be an array of shape ({W.shape[1]},), "
                             f"got {getattr(b, 'shape', type(b).__name__)}")
        prev = W.shape[1]
    return list(params)


def _check_output(output) -> str:
    return _check_name(output, OUTPUTS, "output")


def _check_targets(T, output: str, shape, name: str = "T") -> np.ndarray:
    """Check (N, K) targets for an output layer: shape, range, and rows summing to 1 for softmax."""
    T = as_float_array(T, name, ndim=(1, 2))
    if T.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (N samples, K outputs), got {T.shape}"
                         + ("; for integer labels use lazynb.data.one_hot(y, K)" if T.ndim == 1 else ""))
    if output in ("softmax", "sigmoid") and np.any((T < 0) | (T > 1)):
        raise ValueError(f"{name} must hold targets in [0, 1] for a {output} output")
    if output == "softmax" and np.any(np.abs(T.sum(axis=1) - 1) > 1e-3):
        raise ValueError(f"each row of {name} must sum to 1 (one-hot or a distribution over the "
                         "classes) for a softmax output")
    return T


# --- the pieces the chapters show ---------------------------------------------------------

def init_params(layer_sizes, *, activation: str = "relu", seed=0, dtype=np.float32,
                use_bias: bool = True) -> list:
    """Random initial weights for a network with the given layer sizes.

    layer_sizes: ``[D, M1, ..., K]``, the input size, the hidden sizes and the
    number of outputs (at least two numbers); activation: the hidden layers'
    activation, which picks the scale; seed: int >= 0 or a NumPy ``Generator``.

    Returns a list with one dict per layer ``l``: ``{"W": (D_in, D_out), "b": (D_out,)}``
    (no ``"b"`` key when ``use_bias=False``; read it with ``layer.get("b")``).

    Exact procedure (the TensorFlow chapter reproduces it)::

        rng = np.random.default_rng(seed)
        scale = sqrt(2 / D_in) for "relu" and "leaky_relu" (He), sqrt(1 / D_in) otherwise
        for each layer in order, input to output:
            W = (rng.standard_normal((D_in, D_out)) * scale).astype(dtype)
            b = np.zeros(D_out, dtype)          # draws nothing

    The scale keeps the variance of each layer's pre-activations near that of
    its inputs, so signals neither vanish nor explode through many layers.
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a list of ints [D, hidden..., K], "
                        f"got {type(layer_sizes).__name__}")
    sizes = [check_positive_int(s, "each layer size") for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least the input and output sizes, got {sizes}")
    activation = _check_name(activation, ACTIVATIONS, "activation")
    dtype = _check_dtype(dtype)
    if not isinstance(use_bias, (bool, np.bool_)):
        raise TypeError(f"use_bias must be True or False, got {type(use_bias).__name__}")
    rng = _rng(seed)
    gain = 2.0 if activation in _HE else 1.0
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        layer = {"W": (rng.standard_normal((d_in, d_out)) * np.sqrt(gain / d_in)).astype(dtype)}
        if use_bias:
            layer["b"] = np.zeros(d_out, dtype=dtype)
        params.append(layer)
    return params


def _check_call(params, X, activation: str, output: str):
    """Validate the arguments of :func:`forward` and :func:`loss`; X comes back as an
    (N, D) array in the weights' dtype."""
    params = _check_params(params)
    activation = _check_name(activation, ACTIVATIONS, "activation")
    output = _check_output(output)
    X = as_float_array(X, "X", ndim=2, dtype=params[0]["W"].dtype)
    if X.shape[1] != params[0]["W"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per sample but the first layer expects "
                         f"{params[0]['W'].shape[0]} (X: (N, D), W: (D, M))")
    return params, X, activation, output


def _output_fn(output: str, A):
    if output == "softmax":
        return _softmax(A, axis=1)
    if output == "sigmoid":
        return _sigmoid(A)
    return A


def _forward(params, X, f):
    """Unchecked forward pass; returns (layer inputs, pre-activations, logits)."""
    inputs, pre = [], []
    Z = X
    for layer in params[:-1]:
        inputs.append(Z)
        A = Z @ layer["W"]
        if layer.get("b") is not None:
            A += layer["b"]
        pre.append(A)
        Z = f(A)
    inputs.append(Z)
    logits = Z @ params[-1]["W"]
    if params[-1].get("b") is not None:
        logits += params[-1]["b"]
    return inputs, pre, logits


def forward(params, X, *, activation: str = "relu", output: str = "softmax"):
    """Forward pass of the whole network.

    params: layers from :func:`init_params`; X: (N, D) inputs, one sample per
    row (cast to the weights' dtype); activation: the hidden layers' activation;
    output: ``"softmax"``, ``"sigmoid"`` or ``"identity"``.

    Returns ``(Y, cache)``: ``Y: (N, K)`` the outputs (probabilities, or the raw
    scores for ``"identity"``) and ``cache``, a dict with what :func:`backward`
    needs: ``"inputs"`` (each layer's input: X, Z1, ..., one (N, D_in) per
    layer), ``"pre"`` (each hidden layer's pre-activation ``A = Z_prev @ W + b``),
    ``"logits"`` (the output layer's pre-activation, (N, K)), ``"Y"``, and the
    ``activation`` and ``output`` names.
    """
    params, X, activation, output = _check_call(params, X, activation, output)
    inputs, pre, logits = _forward(params, X, _KERNELS[activation][0])
    Y = _output_fn(output, logits)
    cache = {"inputs": inputs, "pre": pre, "logits": logits, "Y": Y,
             "activation": activation, "output": output}
    return Y, cache


def backward(params, cache, T, *, activation: str = "relu", output: str = "softmax") -> list:
    """Backpropagation: the gradient of the mean loss with respect to every weight and bias.

    params: the layers used in :func:`forward`; cache: its second result;
    T: (N, K) targets (one-hot rows for softmax, values in [0, 1] for sigmoid).
    Returns a list of dicts matching ``params``: ``{"W": (D_in, D_out), "b": (D_out,)}``.

    The error at the output is ``delta = (Y - T) / N`` for each output/loss
    pair (see the module docstring). It then flows backwards, layer by layer::

        dW = Z_prev.T @ delta             # the layer's input times its error
        db = delta.sum(axis=0)
        delta_prev = (delta @ W.T) * f'(A_prev)

    which is the e-book's ``grad_W2 = Z.T.dot(Y - T)`` and
    ``grad_W1 = X.T.dot((Y - T).dot(W2.T) * Z * (1 - Z))``, for any depth.
    """
    params = _check_params(params)
    activation = _check_name(activation, ACTIVATIONS, "activation")
    output = _check_output(output)
    if not isinstance(cache, dict) or not {"inputs", "pre", "Y"} <= cache.keys():
        raise TypeError("cache must be the dict returned by forward(params, X)")
    if len(cache["inputs"]) != len(params):
        raise ValueError(f"cache holds {len(cache['inputs'])} layers but params has {len(params)}")
    for key, given in (("activation", activation), ("output", output)):
        if cache.get(key, given) != given:
            raise ValueError(f"forward used {key}={cache[key]!r} but backward got {key}={given!r}")
    Y = cache["Y"]
    T = _check_targets(T, output, Y.shape)
    f_grad = _KERNELS[activation][1]
    delta = (Y - T.astype(Y.dtype, copy=False)) / Y.shape[0]
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        g = {"W": cache["inputs"][l].T @ delta}
        if params[l].get("b") is not None:
            g["b"] = delta.sum(axis=0)
        grads[l] = g
        if l > 0:
            delta = (delta @ params[l]["W"].T) * f_grad(cache["pre"][l - 1])
    return grads


def _loss_from_logits(output: str, logits, T) -> float:
    """Mean loss over the N rows, from the output layer's pre-activations (stable)."""
    if output == "softmax":
        total = -np.sum(T * _log_softmax(logits, axis=1))
    elif output == "sigmoid":
        total = np.sum(_bce_with_logits(T, logits))
    else:
        d = logits - T
        total = 0.5 * np.sum(d * d)
    return float(total) / logits.shape[0]


def _wrong(output: str, logits, T) -> int:
    """Number of misclassified rows (softmax: argmax; sigmoid: every output on the right side of 0.5)."""
    if output == "softmax":
        return int(np.count_nonzero(logits.argmax(axis=1) != T.argmax(axis=1)))
    return int(np.count_nonzero(np.any((logits >= 0) != (T >= 0.5), axis=1)))


def loss(params, X, T, *, activation: str = "relu", output: str = "softmax") -> float:
    """Mean loss of the network on ``X: (N, D)`` with targets ``T: (N, K)`` (the value :func:`backward` differentiates).

    Computed from the output layer's scores, stably: categorical cross-entropy
    through ``log_softmax``, binary cross-entropy through its with-logits form,
    or ``0.5 * sum_k (Y - T)**2`` averaged over the samples for ``"identity"``.
    """
    params, X, activation, output = _check_call(params, X, activation, output)
    T = _check_targets(T, output, (X.shape[0], params[-1]["W"].shape[1]))
    logits = _forward(params, X, _KERNELS[activation][0])[2]
    return _loss_from_logits(output, logits, T)


# --- the training step, in preallocated buffers -------------------------------------------

class _Workspace:
    """Buffers for one batch size B: per layer the pre-activations (overwritten by the
    activations), a mask / scratch array and the backpropagated error."""

    def __init__(self, B: int, sizes, dtype, gather: bool):
        self.A = [np.empty((B, d), dtype) for d in sizes[1:]]
        self.M = [np.empty((B, d), dtype) for d in sizes[1:-1]]
        self.D = [np.empty((B, d), dtype) for d in sizes[1:-1]]
        self.ones = np.ones(B, dtype)  # db = ones @ delta: a BLAS call, faster than sum(axis=0)
        self.ones_k = np.ones(sizes[-1], dtype)  # softmax row sums, the same way
        self.rowsum = np.empty(B, dtype)
        self.X = np.empty((B, sizes[0]), dtype) if gather else None
        self.T = np.empty((B, sizes[-1]), dtype) if gather else None


def _activate_(act: str, A, M) -> None:
    """A <- f(A) in place; M keeps what the derivative needs (relu: the 0/1 mask)."""
    if act == "relu":
        np.greater(A, 0, out=M)  # 0/1 as floats: one multiply here and one in backward
        A *= M                   # faster than np.maximum(A, 0) here
    elif act == "leaky_relu":
        np.greater(A, 0, out=M)
        M *= 1.0 - _ALPHA
        M += _ALPHA              # M = 1 where A > 0, alpha elsewhere: f(A) = A * M = f'(A) * A
        A *= M
    elif act == "tanh":
        np.tanh(A, out=A)
    elif act == "sigmoid":
        np.copyto(A, _sigmoid(A))


def _derivative_(act: str, D, Z, M) -> None:
    """D <- D * f'(A) in place, from the activations Z = f(A) (or the relu mask M)."""
    if act in ("relu", "leaky_relu"):
        D *= M
    elif act == "tanh":
        np.multiply(Z, Z, out=M)
        np.subtract(1, M, out=M)  # 1 - tanh^2
        D *= M
    elif act == "sigmoid":
        np.subtract(1, Z, out=M)
        M *= Z                    # s (1 - s)
        D *= M


def _train_step(params, grads, ws: _Workspace, Xb, Tb, scale: float, act: str, out: str,
                stats: bool = False):
    """Forward and backward pass on one batch ``Xb: (B, D)``, ``Tb: (B, K)``.

    Writes ``grads[l][k] = scale * B * dLoss/dparams[l][k]``: with ``scale = 1 / B``
    the gradient of the batch's mean loss; with ``scale = lr / B`` already the
    SGD step (which saves a pass over each W). Returns ``(mean cost, number
    wrong)`` of the batch before the update when ``stats``, else None.
    """
    L = len(params)
    Z = Xb
    for l in range(L):
        A = ws.A[l]
        np.matmul(Z, params[l]["W"], out=A)
        b = params[l].get("b")
        if b is not None:
            A += b
        if l < L - 1:
            _activate_(act, A, ws.M[l])
        Z = A
    # Output error (Y - T) * scale, written over the logits.
    delta = ws.A[-1]
    result = None
    if stats and out != "softmax":
        result = (_loss_from_logits(out, delta, Tb),
                  _wrong(out, delta, Tb) if out == "sigmoid" else 0)
    if out == "softmax":
        # Subtracting the batch's largest score (one number) keeps every exponent <= 0, as the
        # row maxima do, at a fraction of the cost of a row-wise max over K columns. It is enough
        # when the scores span less than 80: no exp() then underflows (e^-80 ~ 1e-35 is a normal
        # float32). Otherwise use each row's own maximum.
        hi = delta.max()
        if hi - delta.min() < 80.0:
            delta -= hi
        else:
            delta -= delta.max(axis=1, keepdims=True)
        if stats:  # cross-entropy = log(sum_k e^S) - sum_k T S for the shifted scores S
            wrong = int(np.count_nonzero(delta.argmax(axis=1) != Tb.argmax(axis=1)))
            ts = float(np.vdot(Tb, delta))
        np.exp(delta, out=delta)
        np.matmul(delta, ws.ones_k, out=ws.rowsum)
        if stats:
            result = ((float(np.log(ws.rowsum) @ (Tb @ ws.ones_k)) - ts) / delta.shape[0], wrong)
        delta /= ws.rowsum[:, None]
    elif out == "sigmoid":
        np.copyto(delta, _sigmoid(delta))
    delta -= Tb
    delta *= scale
    for l in range(L - 1, -1, -1):
        Zin = Xb if l == 0 else ws.A[l - 1]
        g = grads[l]
        np.matmul(Zin.T, delta, out=g["W"])
        if "b" in g:
            np.matmul(ws.ones, delta, out=g["b"])
        if l > 0:  # no error is needed for the inputs X
            D = ws.D[l - 1]
            np.matmul(delta, params[l]["W"].T, out=D)
            _derivative_(act, D, ws.A[l - 1], ws.M[l - 1])
            delta = D
    return result


# --- the estimator ------------------------------------------------------------------------

def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)



def new_history(output: str, *, validation: bool, every_iteration: bool) -> dict:
    """The empty per-epoch history both backends fill (``MLP`` and ``lazynb.tf_mlp.TFMLP``).

    Keys: "cost", "iterations", "time"; "error" for classification outputs;
    "val_cost" (and "val_error") with validation data; "iter_cost" when every
    iteration's cost is recorded.
    """
    classify = output != "identity"
    h = {"cost": [], "iterations": [], "time": []}
    if classify:
        h["error"] = []
    if validation:
        h["val_cost"] = []
        if classify:
            h["val_error"] = []
    if every_iteration:
        h["iter_cost"] = []
    return h


def record_epoch(h: dict, epoch: int, *, cost, err, iterations: int, elapsed: float,
                 val=None, lr=None, bar=None) -> None:
    """Append one epoch to a history from :func:`new_history` (both backends call this).

    ``err`` is ignored for regression (no "error" key); ``val``: ``(cost, error)`` on the
    validation data or None. Raises FloatingPointError when the cost is not finite (a
    diverging run), naming ``lr``; updates the progress ``bar`` when there is one.
    """
    classify = "error" in h
    h["cost"].append(cost)
    if classify:
        h["error"].append(err)
    h["iterations"].append(iterations)
    h["time"].append(elapsed)
    if val is not None:
        h["val_cost"].append(val[0])
        if classify:
            h["val_error"].append(val[1])
    if not np.isfinite(cost):
        raise FloatingPointError(f"training diverged in epoch {epoch + 1}: the cost is {cost}; "
                                 f"try a smaller learning rate than lr={lr}")
    if bar is not None:
        bar.update(epoch + 1, **({"cost": cost} | ({"error": err} if classify else {})))

class MLP:
    """A fully connected network trained by gradient descent, with one ``fit`` / ``predict`` API.

    Parameters
    ----------
    hidden : sizes of the hidden layers, e.g. ``(300,)`` or ``(100, 50)``; an
        int means one layer; ``()`` gives logistic / softmax regression.
    activation : hidden activation, one of ``ACTIVATIONS`` ("relu", "leaky_relu"
        with slope 0.01, "tanh", "sigmoid", "identity").
    output : "softmax" (K classes), "sigmoid" (binary or K independent labels)
        or "identity" (regression), each with its loss (see the module docstring).
    lr : learning rate.
    epochs : passes over the training data.
    batch_size : rows per update. ``None``: full-batch gradient descent (one
        update per epoch); ``1``: stochastic gradient descent (N updates per
        epoch); ``k``: mini-batch (``ceil(N / k)`` updates per epoch, the last
        batch holding the remainder).
    seed : int >= 0. ``np.random.default_rng(seed)`` draws the initial weights
        (exactly as :func:`init_params`) and then, from the same generator, one
        permutation of the rows per epoch when ``batch_size`` is not None.
    dtype : np.float32 (default, fast) or np.float64 (for gradient checks).
    use_bias : give every layer a bias vector.
    shuffle : visit the rows in a new random order every epoch (mini-batch and stochastic).
    monitor : what ``history_["cost"]`` and ``["error"]`` measure each epoch.
        "full": the whole training set after the epoch's updates (one extra
        forward pass, not counted in ``"time"``); "running": the mean over the
        epoch's batches, each measured before its update (free; what Keras reports).
    record_every_iteration : also record ``history_["iter_cost"]``, the batch's
        cost before every update.
    update : ``None`` for plain gradient descent ``p -= lr * g``, or a callable
        ``update(params, grads, state)`` that changes ``params`` in place (the
        optimisers of chapter 5). ``grads`` matches ``params`` and holds the
        gradient of the batch's mean loss (buffers reused by the next step: copy
        what you keep); ``state`` is a dict that persists through training, with
        ``"lr"``, ``"iteration"`` (1 for the first update) and ``"epoch"`` (from 0),
        where the callable may keep its own entries (velocities, caches).
    progress : show a text progress bar, one redraw per epoch.

    Attributes after ``fit``
    ------------------------
    params_ : list of ``{"W": (D_in, D_out), "b": (D_out,)}``, as from :func:`init_params`.
    history_ : dict of per-epoch lists: "cost", "error" (classification outputs),
        "val_cost", "val_error" (with validation data), "iterations" (updates
        so far), "time" (training seconds so far, monitoring excluded), and
        "iter_cost" (per update) when ``record_every_iteration``.
    n_iter_ : number of updates made.
    n_outputs_ : K.
    update_state_ : the ``state`` dict given to ``update`` (also kept for plain SGD).
    """

    def __init__(self, hidden=(300,), *, activation: str = "relu", output: str = "softmax",
                 lr: float = 0.1, epochs: int = 10, batch_size: int | None = None, seed: int = 0,
                 dtype=np.float32, use_bias: bool = True, shuffle: bool = True,
                 monitor: str = "full", record_every_iteration: bool = False, update=None,
                 progress: bool = False):
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise TypeError(f"hidden must be a tuple of layer sizes such as (300,) or (100, 50), "
                            f"got {type(hidden).__name__}")
        self.hidden = tuple(check_positive_int(h, "each hidden layer size") for h in hidden)
        self.activation = _check_name(activation, ACTIVATIONS, "activation")
        self.output = _check_output(output)
        self.lr = check_positive_float(lr, "lr")
        self.epochs = check_positive_int(epochs, "epochs")
        self.batch_size = None if batch_size is None else check_positive_int(batch_size, "batch_size")
        self.seed = check_positive_int(seed, "seed", minimum=0)
        self.dtype = _check_dtype(dtype)
        self.use_bias = _check_bool(use_bias, "use_bias")
        self.shuffle = _check_bool(shuffle, "shuffle")
        self.monitor = _check_name(monitor, ("full", "running"), "monitor")
        self.record_every_iteration = _check_bool(record_every_iteration, "record_every_iteration")
        if update is not None and not callable(update):
            raise TypeError(f"update must be None or a callable update(params, grads, state), "
                            f"got {type(update).__name__}")
        self.update = update
        self.progress = _check_bool(progress, "progress")

    def __repr__(self):
        return (f"MLP(hidden={self.hidden}, activation={self.activation!r}, output={self.output!r}, "
                f"lr={self.lr}, epochs={self.epochs}, batch_size={self.batch_size})")

    # -- targets -------------------------------------------------------------------------

    def _as_targets(self, Y, n: int, name: str, K: int | None = None) -> np.ndarray:
        """Y as an (n, K) float array of this model's dtype (labels one-hot encoded for softmax)."""
        if isinstance(Y, (str, bytes)) or Y is None:
            raise TypeError(f"{name} must be an array of labels (N,) or targets (N, K), "
                            f"got {type(Y).__name__}")
        arr = np.asarray(Y.numpy() if hasattr(Y, "numpy") else Y)
        if arr.ndim not in (1, 2):
            raise ValueError(f"{name} must be labels (N,) or an (N, K) target matrix, got shape {arr.shape}")
        if arr.shape[0] != n:
            raise ValueError(f"{name} has {arr.shape[0]} rows but X has {n}: one target per sample")
        if arr.ndim == 1 and self.output != "identity":
            labels = as_labels(arr, name)
            if self.output == "sigmoid":
                if labels.max() > 1:
                    raise ValueError(f"{name} must hold labels 0 or 1 for a sigmoid output "
                                     f"(got up to {labels.max()}); use output='softmax' for more classes")
                return labels.astype(self.dtype)[:, None]
            K = int(labels.max()) + 1 if K is None else K
            if labels.max() >= K:
                raise ValueError(f"{name} has label {labels.max()} but the model has {K} classes")
            if K < 2:
                raise ValueError(f"{name} holds a single class; a softmax output needs at least 2")
            return one_hot(labels, K, dtype=self.dtype)
        T = as_float_array(arr, name, dtype=self.dtype)
        T = T[:, None] if T.ndim == 1 else T
        if K is not None and T.shape[1] != K:
            raise ValueError(f"{name} has {T.shape[1]} columns but the model has {K} outputs")
        if self.output == "softmax" and T.shape[1] < 2:
            raise ValueError(f"{name} has one column; a softmax output needs K >= 2 classes "
                             "(for a binary problem use output='sigmoid')")
        return _check_targets(T, self.output, T.shape, name)

    def _as_inputs(self, X, name: str = "X") -> np.ndarray:
        X = as_float_array(X, name, ndim=2, dtype=self.dtype)
        if hasattr(self, "params_") and X.shape[1] != self.params_[0]["W"].shape[0]:
            raise ValueError(f"{name} has {X.shape[1]} features per sample but the model was "
                             f"trained on {self.params_[0]['W'].shape[0]}")
        return np.ascontiguousarray(X)

    # -- training ------------------------------------------------------------------------

    def fit(self, X, Y, *, X_val=None, Y_val=None):
        """Train on ``X: (N, D)`` and ``Y``: integer labels (N,) or targets (N, K). Returns ``self``.

        Labels are one-hot encoded for a softmax output (K = largest label + 1)
        and must be 0/1 for a sigmoid output; an (N, K) indicator matrix (or soft
        targets, or regression targets for "identity") is used as it is.
        ``X_val, Y_val``: optional validation data, measured after every epoch.
        Training starts from fresh weights every call.
        """
        for k in [k for k in ("params_", "history_", "n_iter_") if hasattr(self, k)]:
            delattr(self, k)
        X = self._as_inputs(X)
        N, D = X.shape
        if (X_val is None) != (Y_val is None):
            raise ValueError("give both X_val and Y_val, or neither")
        K = None
        if self.output == "softmax":  # the number of classes must cover both label sets
            tops = [int(as_labels(y, name).max()) for y, name in ((Y, "Y"), (Y_val, "Y_val"))
                    if y is not None and np.ndim(y) == 1]
            K = max(tops) + 1 if tops else None
        T = self._as_targets(Y, N, "Y", K)
        K = T.shape[1]
        self.n_outputs_ = K
        self._targets_1d = np.ndim(Y) == 1
        if X_val is not None:
            Xv = as_float_array(X_val, "X_val", ndim=2, dtype=self.dtype)
            if Xv.shape[1] != D:
                raise ValueError(f"X_val has {Xv.shape[1]} features per sample but X has {D}")
            Tv = self._as_targets(Y_val, Xv.shape[0], "Y_val", K)

        rng = np.random.default_rng(self.seed)
        sizes = [D, *self.hidden, K]
        self.params_ = init_params(sizes, activation=self.activation, seed=rng, dtype=self.dtype,
                                   use_bias=self.use_bias)
        grads = [{k: np.empty_like(v) for k, v in p.items()} for p in self.params_]
        h = new_history(self.output, validation=X_val is not None,
                        every_iteration=self.record_every_iteration)
        self.history_ = h
        self.n_iter_ = 0
        state = {"lr": self.lr, "iteration": 0, "epoch": 0}
        self.update_state_ = state

        B = N if self.batch_size is None else min(self.batch_size, N)
        full_batch = B == N
        starts = range(0, N, B)
        gather = not full_batch and self.shuffle
        workspaces = {}  # batch size -> buffers (at most two: B and the remainder)
        running = self.monitor == "running" or self.record_every_iteration
        bar = ProgressBar(self.epochs, prefix="epoch") if self.progress else None
        elapsed = 0.0
        try:
            # Overflow in a diverging run is reported below as a clear error, not as warnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                for epoch in range(self.epochs):
                    t0 = time.perf_counter()
                    order = rng.permutation(N) if gather else None
                    cost_sum, wrong = 0.0, 0
                    for start in starts:
                        stop = min(start + B, N)
                        n = stop - start
                        ws = workspaces.get(n)
                        if ws is None:
                            ws = workspaces[n] = _Workspace(n, sizes, self.dtype, gather)
                        if full_batch:
                            Xb, Tb = X, T
                        elif gather:  # mode="clip" lets take() write straight into the buffer
                            Xb = np.take(X, order[start:stop], axis=0, out=ws.X, mode="clip")
                            Tb = np.take(T, order[start:stop], axis=0, out=ws.T, mode="clip")
                        else:
                            Xb, Tb = X[start:stop], T[start:stop]
                        state["epoch"] = epoch
                        st = self._iteration(ws, grads, Xb, Tb, state, running)
                        if running:
                            c, w = st
                            cost_sum += c * n
                            wrong += w
                            if self.record_every_iteration:
                                h["iter_cost"].append(c)
                    elapsed += time.perf_counter() - t0
                    if self.monitor == "full":
                        cost, err = self._evaluate(X, T)
                    else:
                        cost, err = cost_sum / N, wrong / N
                    record_epoch(h, epoch, cost=cost, err=err, iterations=self.n_iter_,
                                 elapsed=elapsed, lr=self.lr, bar=bar,
                                 val=self._evaluate(Xv, Tv) if X_val is not None else None)
        finally:
            if bar is not None:
                bar.close()
        return self

    def _iteration(self, ws, grads, Xb, Tb, state, stats: bool = False):
        """One update on the batch ``Xb: (B, D)``, ``Tb: (B, K)`` (no checks: the hot path)."""
        n = Xb.shape[0]
        # Plain SGD folds lr into the gradients; an update hook gets the true ones.
        scale = (self.lr if self.update is None else 1.0) / n
        st = _train_step(self.params_, grads, ws, Xb, Tb, scale, self.activation, self.output, stats)
        state["iteration"] += 1
        if self.update is None:
            for p, g in zip(self.params_, grads):
                for k in p:
                    p[k] -= g[k]
        else:
            self.update(self.params_, grads, state)
        self.n_iter_ += 1
        return st

    def _logits(self, X) -> np.ndarray:
        f = _KERNELS[self.activation][0]
        parts = [_forward(self.params_, X[i:i + _CHUNK], f)[2] for i in range(0, X.shape[0], _CHUNK)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _evaluate(self, X, T):
        """Mean cost and error rate (None for regression) on X, T."""
        logits = self._logits(X)
        cost = _loss_from_logits(self.output, logits, T)
        err = _wrong(self.output, logits, T) / X.shape[0] if self.output != "identity" else None
        return cost, err

    # -- prediction ----------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise RuntimeError("this MLP is not trained yet: call fit(X, Y) first")

    def predict_proba(self, X) -> np.ndarray:
        """Network outputs for ``X: (N, D)``: (N, K) probabilities (softmax rows sum to 1;
        sigmoid: P(label k = 1) per column), or the raw (N, K) outputs for "identity"."""
        self._check_fitted()
        return _output_fn(self.output, self._logits(self._as_inputs(X)))

    def predict(self, X) -> np.ndarray:
        """Predictions for ``X: (N, D)``.

        softmax: (N,) int64 class labels (argmax); sigmoid: (N,) int64 0/1 labels
        for one output, (N, K) 0/1 indicators for several; identity: (N,) values
        when trained on (N,) targets, else (N, K).
        """
        self._check_fitted()
        logits = self._logits(self._as_inputs(X))
        if self.output == "softmax":
            return logits.argmax(axis=1).astype(np.int64)
        if self.output == "sigmoid":
            pred = (logits >= 0).astype(np.int64)  # sigmoid(a) >= 0.5 exactly when a >= 0
            return pred[:, 0] if pred.shape[1] == 1 else pred
        return logits[:, 0] if self._targets_1d and logits.shape[1] == 1 else logits

    def score(self, X, y) -> float:
        """Classification rate on ``X: (N, D)`` and labels ``y: (N,)`` (or an (N, K) indicator
        matrix); for a sigmoid output with K > 1 a row counts only if all its labels are right.
        For "identity" the coefficient of determination R^2 = 1 - SS_res / SS_tot."""
        self._check_fitted()
        X = self._as_inputs(X)
        T = self._as_targets(y, X.shape[0], "y", self.n_outputs_)
        logits = self._logits(X)
        if self.output == "identity":
            ss_res = float(np.sum((logits - T) ** 2))
            ss_tot = float(np.sum((T - T.mean(axis=0)) ** 2))
            return 1.0 - ss_res / ss_tot if ss_tot > 0 else float(ss_res == 0)
        return 1.0 - _wrong(self.output, logits, T) / X.shape[0]
