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
gradient descent, in one training loop (``fit`` / ``partial_fit``) with hooks
for the update rule, dropout and early stopping. Each step is :func:`forward` +
:func:`backward` + the update: the functions the chapters show are the ones that
train. (A step written into preallocated buffers saved under 10 % on MNIST-sized
networks, ``benchmarks/bench_fast_path.py``, and was removed.)

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
import warnings

import numpy as np

from ._validate import as_float_array, as_labels, check_positive_float, check_positive_int
from .activations import _KERNELS, ACTIVATIONS, _check_name, _log_softmax, _sigmoid, _softmax
from .data.utils import _rng, one_hot
from .losses import _bce_with_logits
from .progress import ProgressBar

__all__ = ["OUTPUTS", "init_params", "forward", "backward", "loss", "new_history", "MLP"]

OUTPUTS = ("softmax", "sigmoid", "identity")
"""The output layers (each paired with its loss, see the module docstring)."""

_HE = ("relu", "leaky_relu")  # activations that get the He scale sqrt(2 / fan_in)
_CHUNK = 8192  # rows per forward pass when predicting, to bound memory


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
        raise TypeError(
            "params must be a non-empty list of layers, dicts {'W': (D_in, D_out), "
            "'b': (D_out,)} as returned by init_params"
        )
    prev = None
    for i, layer in enumerate(params):
        if not isinstance(layer, dict) or "W" not in layer:
            raise TypeError(
                f"params[{i}] must be a dict with a weight matrix 'W', got {type(layer).__name__}"
            )
        W = layer["W"]
        if not isinstance(W, np.ndarray) or W.dtype not in (np.float32, np.float64):
            raise TypeError(f"params[{i}]['W'] must be a float32 or float64 NumPy array")
        if W.ndim != 2:
            raise ValueError(f"params[{i}]['W'] must be 2-D (D_in, D_out), got shape {W.shape}")
        if prev is not None and W.shape[0] != prev:
            raise ValueError(
                f"params[{i}]['W'] has {W.shape[0]} rows but layer {i - 1} has "
                f"{prev} outputs; the sizes must chain"
            )
        b = layer.get("b")
        if b is not None and (not isinstance(b, np.ndarray) or b.shape != (W.shape[1],)):
            raise ValueError(
                f"params[{i}]['b'] must be an array of shape ({W.shape[1]},), "
                f"got {getattr(b, 'shape', type(b).__name__)}"
            )
        prev = W.shape[1]
    return list(params)


def _check_output(output) -> str:
    return _check_name(output, OUTPUTS, "output")


def _check_targets(T, output: str, shape, name: str = "T") -> np.ndarray:
    """Check (N, K) targets for an output layer: shape, range, and rows summing to 1 for softmax."""
    T = as_float_array(T, name, ndim=(1, 2))
    if T.shape != tuple(shape):
        raise ValueError(
            f"{name} must have shape {tuple(shape)} (N samples, K outputs), got {T.shape}"
            + ("; for integer labels use lazynb.data.one_hot(y, K)" if T.ndim == 1 else "")
        )
    if output in ("softmax", "sigmoid") and np.any((T < 0) | (T > 1)):
        raise ValueError(f"{name} must hold targets in [0, 1] for a {output} output")
    if output == "softmax" and np.any(np.abs(T.sum(axis=1) - 1) > 1e-3):
        raise ValueError(
            f"each row of {name} must sum to 1 (one-hot or a distribution over the "
            "classes) for a softmax output"
        )
    return T


# --- the pieces the chapters show ---------------------------------------------------------


def init_params(
    layer_sizes, *, activation: str = "relu", seed=0, dtype=np.float32, use_bias: bool = True
) -> list:
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
        raise TypeError(
            f"layer_sizes must be a list of ints [D, hidden..., K], "
            f"got {type(layer_sizes).__name__}"
        )
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


def _check_call(params, X, activation: str, output: str, masks=None, check: bool = True):
    """Validate the arguments of :func:`forward` and :func:`loss`; X comes back as an
    (N, D) array in the weights' dtype. ``check=False`` returns them as they are."""
    if not check:
        return params, X, activation, output, masks
    params = _check_params(params)
    activation = _check_name(activation, ACTIVATIONS, "activation")
    output = _check_output(output)
    X = as_float_array(X, "X", ndim=2, dtype=params[0]["W"].dtype)
    if X.shape[1] != params[0]["W"].shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features per sample but the first layer expects "
            f"{params[0]['W'].shape[0]} (X: (N, D), W: (D, M))"
        )
    if masks is not None:
        if not isinstance(masks, (list, tuple)) or len(masks) != len(params):
            raise TypeError(
                f"masks must be None or a list with one entry per layer ({len(params)}): "
                "None or an (N, D_in) array that multiplies the layer's input"
            )
        ins = [X.shape[1]] + [p["W"].shape[1] for p in params[:-1]]
        masks = [
            None if m is None else as_float_array(m, f"masks[{i}]", dtype=X.dtype)
            for i, m in enumerate(masks)
        ]
        for i, m in enumerate(masks):
            if m is not None and m.shape != (X.shape[0], ins[i]):
                raise ValueError(
                    f"masks[{i}] must have shape {(X.shape[0], ins[i])} (N, D_in of "
                    f"layer {i}), got {m.shape}"
                )
    return params, X, activation, output, masks


def _output_fn(output: str, A):
    if output == "softmax":
        return _softmax(A, axis=1)
    if output == "sigmoid":
        return _sigmoid(A)
    return A


def forward(
    params, X, *, activation: str = "relu", output: str = "softmax", masks=None, check: bool = True
):
    """Forward pass of the whole network.

    params: layers from :func:`init_params`; X: (N, D) inputs, one sample per
    row (cast to the weights' dtype); activation: the hidden layers' activation;
    output: ``"softmax"``, ``"sigmoid"`` or ``"identity"``. masks: ``None``, or
    one entry per layer, ``None`` or an (N, D_in) array that multiplies that
    layer's input (dropout: 0 for a dropped unit, 1/p for a kept one).
    check: validate the arguments (``MLP`` checks its data once and passes False).

    Returns ``(Y, cache)``: ``Y: (N, K)`` the outputs (probabilities, or the raw
    scores for ``"identity"``) and ``cache``, a dict with what :func:`backward`
    needs: ``"inputs"`` (each layer's input: X, Z1, ..., one (N, D_in) per
    layer, after its mask), ``"pre"`` (each hidden layer's pre-activation
    ``A = Z_prev @ W + b``), ``"logits"`` (the output layer's pre-activation,
    (N, K)), ``"Y"``, ``"masks"``, and the ``activation`` and ``output`` names.
    """
    params, X, activation, output, masks = _check_call(params, X, activation, output, masks, check)
    f = _KERNELS[activation][0]
    inputs, pre, Z = [], [], X
    for i, layer in enumerate(params):
        if masks is not None and masks[i] is not None:
            Z = Z * masks[i]  # dropout: this layer sees only the kept units
        inputs.append(Z)
        A = Z @ layer["W"]
        if layer.get("b") is not None:
            A += layer["b"]
        if i < len(params) - 1:  # hidden layer: activation; the last A is the logits
            pre.append(A)
            Z = f(A)
    Y = _output_fn(output, A)
    cache = {
        "inputs": inputs,
        "pre": pre,
        "logits": A,
        "Y": Y,
        "masks": masks,
        "activation": activation,
        "output": output,
    }
    return Y, cache


def _check_backward(params, cache, T, activation: str, output: str, check: bool = True):
    """Validate the arguments of :func:`backward`; T comes back as (N, K) in Y's dtype.
    ``check=False`` returns them as they are."""
    if not check:
        return params, T, activation
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
    return params, _check_targets(T, output, Y.shape).astype(Y.dtype, copy=False), activation


def backward(
    params, cache, T, *, activation: str = "relu", output: str = "softmax", check: bool = True
) -> list:
    """Backpropagation: the gradient of the mean loss with respect to every weight and bias.

    params: the layers used in :func:`forward`; cache: its second result;
    T: (N, K) targets (one-hot rows for softmax, values in [0, 1] for sigmoid);
    check: validate the arguments (``MLP`` passes False in its training loop).
    Returns a list of dicts matching ``params``: ``{"W": (D_in, D_out), "b": (D_out,)}``.

    The error at the output is ``delta = (Y - T) / N`` for each output/loss
    pair (see the module docstring). It then flows backwards, layer by layer::

        dW = Z_prev.T @ delta             # the layer's input times its error
        db = delta.sum(axis=0)
        delta_prev = (delta @ W.T) * mask * f'(A_prev)

    which is the e-book's ``grad_W2 = Z.T.dot(Y - T)`` and
    ``grad_W1 = X.T.dot((Y - T).dot(W2.T) * Z * (1 - Z))``, for any depth
    (``mask``: the dropout mask of forward's ``masks``, if any).
    """
    params, T, activation = _check_backward(params, cache, T, activation, output, check)
    f_grad = _KERNELS[activation][1]
    masks = cache.get("masks")
    delta = (cache["Y"] - T) / T.shape[0]
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        g = {"W": cache["inputs"][i].T @ delta}
        if params[i].get("b") is not None:
            g["b"] = delta.sum(axis=0)
        grads[i] = g
        if i > 0:
            delta = delta @ params[i]["W"].T
            if masks is not None and masks[i] is not None:
                delta *= masks[i]  # a dropped unit passed nothing on, so gets no error
            delta *= f_grad(cache["pre"][i - 1])
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


def _logits(params, X, activation: str) -> np.ndarray:
    """The output layer's scores (N, K) for checked inputs, in row blocks to bound memory."""
    parts = [
        forward(params, X[i : i + _CHUNK], activation=activation, output="identity", check=False)[0]
        for i in range(0, X.shape[0], _CHUNK)
    ]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def loss(params, X, T, *, activation: str = "relu", output: str = "softmax") -> float:
    """Mean loss of the network on ``X: (N, D)`` with targets ``T: (N, K)``.

    The value :func:`backward` differentiates.

    Computed from the output layer's scores, stably: categorical cross-entropy
    through ``log_softmax``, binary cross-entropy through its with-logits form,
    or ``0.5 * sum_k (Y - T)**2`` averaged over the samples for ``"identity"``.
    """
    params, X, activation, output, _ = _check_call(params, X, activation, output)
    T = _check_targets(T, output, (X.shape[0], params[-1]["W"].shape[1]))
    return _loss_from_logits(output, _logits(params, X, activation), T)


# --- the estimator ------------------------------------------------------------------------


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _check_keep_prob(keep_prob, n_layers: int):
    """None, or a tuple of ``n_layers`` keep probabilities in (0, 1] (None when all are 1)."""
    if keep_prob is None:
        return None
    if isinstance(keep_prob, (str, bytes)) or not hasattr(keep_prob, "__len__"):
        raise TypeError(
            f"keep_prob must be None or a sequence of {n_layers} probabilities (the "
            f"inputs, then each hidden layer), got {type(keep_prob).__name__}"
        )
    if len(keep_prob) != n_layers:
        raise ValueError(
            f"keep_prob needs {n_layers} probabilities (the inputs, then each hidden "
            f"layer), got {len(keep_prob)}"
        )
    keep = []
    for p in keep_prob:
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 < p <= 1:
            raise ValueError(
                f"keep_prob holds the probabilities of KEEPING a unit, each in (0, 1], got {p!r}"
            )
        keep.append(float(p))
    return None if all(p == 1 for p in keep) else tuple(keep)


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


def record_epoch(
    h: dict, epoch: int, *, cost, err, iterations: int, elapsed: float, val=None, lr=None, bar=None
) -> None:
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
        raise FloatingPointError(
            f"training diverged in epoch {epoch + 1}: the cost is {cost}; "
            f"try a smaller learning rate than lr={lr}"
        )
    if bar is not None:
        bar.update(epoch + 1, **({"cost": cost} | ({"error": err} if classify else {})))


class _Estimator:
    """What both backends' estimators share (:class:`MLP` here, ``lazynb.tf_mlp.TFMLP``):
    inputs, targets and class labels, the fitted-state check, and predict / predict_proba / score.

    A subclass provides ``_predict_logits(X)`` ((N, K) NumPy scores for checked X),
    ``_has_weights()``, ``_n_features()`` and ``_model_dtype``; and the attributes
    ``output``, ``n_outputs_``, ``classes_`` and ``_targets_1d`` once fitted.
    """

    # -- inputs and targets ----------------------------------------------------------------

    def _as_inputs(self, X, name: str = "X", *, check_features: bool = True) -> np.ndarray:
        """X: (N, D) as a C-contiguous array of the model's dtype (the same policy in both backends:
        integer and boolean X are converted, with a warning when they look like raw pixels)."""
        given = getattr(X, "dtype", None)
        X = as_float_array(X, name, ndim=2, dtype=self._model_dtype)
        given = np.dtype(getattr(given, "as_numpy_dtype", given)) if given is not None else X.dtype
        if np.issubdtype(given, np.integer) and np.abs(X).max() > 1:
            warnings.warn(
                f"{name} holds integers (up to {np.abs(X).max():g}), converted to "
                f"{X.dtype} as they are; scale raw pixel values first, e.g. X / 255",
                UserWarning,
                stacklevel=3,
            )
        if check_features and self._has_weights() and X.shape[1] != self._n_features():
            raise ValueError(
                f"{name} has {X.shape[1]} features per sample but the model expects "
                f"{self._n_features()} (X: (N, D))"
            )
        return np.ascontiguousarray(X)

    def _as_targets(self, Y, n: int, name: str, K: int | None = None, classes=None) -> np.ndarray:
        """Y as an (n, K) float array of the model's dtype.

        (N,) labels are one-hot encoded for softmax against ``classes`` (sorted labels: column k
        is label ``classes[k]``) and must be 0/1 for sigmoid; an (N, K) matrix (indicators, soft
        or regression targets) is used as it is, with K columns when K is given.
        """
        if isinstance(Y, (str, bytes)) or Y is None:
            raise TypeError(
                f"{name} must be an array of labels (N,) or targets (N, K), got {type(Y).__name__}"
            )
        arr = np.asarray(Y.numpy() if hasattr(Y, "numpy") else Y)
        if arr.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be labels (N,) or an (N, K) target matrix, got shape {arr.shape}"
            )
        if arr.shape[0] != n:
            raise ValueError(f"{name} has {arr.shape[0]} rows but X has {n}: one target per sample")
        dtype = self._model_dtype
        if arr.ndim == 1 and self.output != "identity":
            labels = as_labels(arr, name)
            if self.output == "sigmoid":
                if labels.max() > 1:
                    raise ValueError(
                        f"{name} must hold labels 0 or 1 for a sigmoid output "
                        f"(got up to {labels.max()}); use output='softmax' for more classes"
                    )
                return labels.astype(dtype)[:, None]
            classes = np.unique(labels) if classes is None else classes
            idx = np.minimum(np.searchsorted(classes, labels), len(classes) - 1)
            unknown = classes[idx] != labels
            if np.any(unknown):
                raise ValueError(
                    f"{name} has label {labels[unknown][0]} but the model has "
                    f"{len(classes)} classes {classes.tolist()[:20]}"
                )
            if len(classes) < 2:
                raise ValueError(f"{name} holds a single class; a softmax output needs at least 2")
            return one_hot(idx, len(classes), dtype=dtype)
        T = as_float_array(arr, name, dtype=dtype)
        T = T[:, None] if T.ndim == 1 else T
        if K is not None and T.shape[1] != K:
            raise ValueError(f"{name} has {T.shape[1]} columns but the model has {K} outputs")
        if self.output == "softmax" and T.shape[1] < 2:
            raise ValueError(
                f"{name} has one column; a softmax output needs K >= 2 classes "
                "(for a binary problem use output='sigmoid')"
            )
        return _check_targets(T, self.output, T.shape, name)

    def _prepare(self, X, Y, X_val, Y_val, *, new: bool):
        """Checked training data ``(X, T, X_val, T_val)`` (None, None without validation data).

        ``new``: a fresh model, which takes its classes from the labels (``classes_``, the
        sorted labels of Y and Y_val, as scikit-learn) and sets ``n_outputs_``; otherwise the
        data must fit the model's features and classes.
        """
        X = self._as_inputs(X, check_features=not new)
        if (X_val is None) != (Y_val is None):
            raise ValueError("give both X_val and Y_val, or neither")
        if new:
            classes = None
            if self.output == "softmax":
                labels = [
                    as_labels(y, name)
                    for y, name in ((Y, "Y"), (Y_val, "Y_val"))
                    if y is not None and np.ndim(y) == 1
                ]
                classes = np.unique(np.concatenate(labels)) if labels else None
            T = self._as_targets(Y, X.shape[0], "Y", classes=classes)
            self.n_outputs_ = T.shape[1]
            if classes is None and self.output != "identity":
                classes = np.arange(max(T.shape[1], 2))  # indicator columns; sigmoid: 0 and 1
            self.classes_ = classes
            self._targets_1d = np.ndim(Y) == 1
        else:
            T = self._as_targets(Y, X.shape[0], "Y", self.n_outputs_, self._label_classes())
        if X_val is None:
            return X, T, None, None
        Xv = self._as_inputs(X_val, "X_val", check_features=False)
        if Xv.shape[1] != X.shape[1]:
            raise ValueError(f"X_val has {Xv.shape[1]} features per sample but X has {X.shape[1]}")
        return (
            X,
            T,
            Xv,
            self._as_targets(Y_val, Xv.shape[0], "Y_val", self.n_outputs_, self._label_classes()),
        )

    def _label_classes(self):
        return self.classes_ if self.output == "softmax" else None

    # -- prediction ------------------------------------------------------------------------

    def _check_fitted(self):
        kind = type(self).__name__
        if getattr(self, "diverged_", None):
            raise RuntimeError(
                f"this {kind} has no usable weights: its last fit diverged "
                f"({self.diverged_}). Call fit again, e.g. with a smaller lr"
            )
        if not self._has_weights():
            raise RuntimeError(f"this {kind} is not trained yet: call fit(X, Y) first")

    def predict_proba(self, X) -> np.ndarray:
        """Network outputs for ``X: (N, D)``: (N, K) probabilities (softmax rows sum to 1,
        column k for ``classes_[k]``; sigmoid: P(label k = 1) per column), or the raw (N, K)
        outputs for "identity". A NumPy array."""
        self._check_fitted()
        return _output_fn(self.output, self._predict_logits(self._as_inputs(X)))

    def predict(self, X) -> np.ndarray:
        """Predictions for ``X: (N, D)``.

        softmax: (N,) class labels (``classes_[argmax]``, the labels fit saw); sigmoid: (N,)
        int64 0/1 labels for one output, (N, K) 0/1 indicators for several; identity: (N,)
        values when trained on (N,) targets, else (N, K).
        """
        self._check_fitted()
        logits = self._predict_logits(self._as_inputs(X))
        if self.output == "softmax":
            return self.classes_[logits.argmax(axis=1)]
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
        T = self._as_targets(y, X.shape[0], "y", self.n_outputs_, self._label_classes())
        logits = self._predict_logits(X)
        if self.output == "identity":
            ss_res = float(np.sum((logits - T) ** 2))
            ss_tot = float(np.sum((T - T.mean(axis=0)) ** 2))
            return 1.0 - ss_res / ss_tot if ss_tot > 0 else float(ss_res == 0)
        return 1.0 - _wrong(self.output, logits, T) / X.shape[0]

    def error_rate(self, X, y) -> float:
        """Fraction misclassified on X: (N, D), y: (N,): ``1 - score(X, y)`` (classification only)."""
        if self.output == "identity":
            raise ValueError(
                "error_rate is for classification (softmax or sigmoid outputs); "
                "for output='identity' use score (R^2)"
            )
        return 1.0 - self.score(X, y)


class MLP(_Estimator):
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
        gradient of the batch's mean loss (arrays the hook may change or keep);
        ``state`` is a dict that persists through training, with
        ``"lr"``, ``"iteration"`` (1 for the first update) and ``"epoch"`` (from 0),
        where the callable may keep its own entries (velocities, caches).
    progress : show a text progress bar, one redraw per epoch.
    keep_prob : ``None`` (no dropout) or one probability in (0, 1] per layer input
        (``len(hidden) + 1``: the inputs X, then each hidden layer's outputs), the
        chance of *keeping* a unit during training (the e-book's 0.8 for inputs, 0.5
        for hidden units). Inverted dropout: kept units are scaled by 1/p, so that
        prediction uses the network as it is. forward/backward apply the masks.
    early_stopping : ``None`` or an object such as
        :class:`lazynb.regularizers.EarlyStopping` (``update(cost, params) -> stop``,
        ``restore(params)``, optionally ``reset()``): ``fit`` shows it the validation
        cost after every epoch, stops when it says so, and restores its best weights.

    Attributes after ``fit``
    ------------------------
    params_ : list of ``{"W": (D_in, D_out), "b": (D_out,)}``, as from :func:`init_params`:
        a copy (as ``TFMLP.params_``); assign ``model.params_ = params`` to set the weights.
    classes_ : the class labels, sorted (softmax: the distinct labels of Y and Y_val;
        column k of ``predict_proba`` is ``classes_[k]``); None for "identity".
    diverged_ : set (to the error message) when the last fit diverged; the model then has no
        weights, and predict raises.
    history_ : dict of per-epoch lists: "cost", "error" (classification outputs),
        "val_cost", "val_error" (with validation data), "iterations" (updates
        so far), "time" (training seconds so far, monitoring excluded), and
        "iter_cost" (per update) when ``record_every_iteration``.
    n_iter_ : number of updates made.
    n_outputs_ : K.
    update_state_ : the ``state`` dict given to ``update`` (also kept for plain SGD).
    """

    def __init__(
        self,
        hidden=(300,),
        *,
        activation: str = "relu",
        output: str = "softmax",
        lr: float = 0.1,
        epochs: int = 10,
        batch_size: int | None = None,
        seed: int = 0,
        dtype=np.float32,
        use_bias: bool = True,
        shuffle: bool = True,
        monitor: str = "full",
        record_every_iteration: bool = False,
        update=None,
        progress: bool = False,
        keep_prob=None,
        early_stopping=None,
    ):
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
            raise TypeError(
                f"hidden must be a tuple of layer sizes such as (300,) or (100, 50), "
                f"got {type(hidden).__name__}"
            )
        self.hidden = tuple(check_positive_int(h, "each hidden layer size") for h in hidden)
        self.activation = _check_name(activation, ACTIVATIONS, "activation")
        self.output = _check_output(output)
        self.lr = check_positive_float(lr, "lr")
        self.epochs = check_positive_int(epochs, "epochs")
        self.batch_size = (
            None if batch_size is None else check_positive_int(batch_size, "batch_size")
        )
        self.seed = check_positive_int(seed, "seed", minimum=0)
        self.dtype = _check_dtype(dtype)
        self.use_bias = _check_bool(use_bias, "use_bias")
        self.shuffle = _check_bool(shuffle, "shuffle")
        self.monitor = _check_name(monitor, ("full", "running"), "monitor")
        self.record_every_iteration = _check_bool(record_every_iteration, "record_every_iteration")
        if update is not None and not callable(update):
            raise TypeError(
                f"update must be None or a callable update(params, grads, state), "
                f"got {type(update).__name__}"
            )
        self.update = update
        self.progress = _check_bool(progress, "progress")
        self.keep_prob = _check_keep_prob(keep_prob, len(self.hidden) + 1)
        if early_stopping is not None and not all(
            callable(getattr(early_stopping, m, None)) for m in ("update", "restore")
        ):
            raise TypeError(
                "early_stopping must be None or an object with update(cost, params) "
                "-> bool and restore(params), such as lazynb.regularizers.EarlyStopping"
            )
        self.early_stopping = early_stopping

    def __repr__(self):
        return (
            f"MLP(hidden={self.hidden}, activation={self.activation!r}, output={self.output!r}, "
            f"lr={self.lr}, epochs={self.epochs}, batch_size={self.batch_size})"
        )

    # -- weights -------------------------------------------------------------------------

    @property
    def _model_dtype(self) -> np.dtype:
        return self.dtype

    def _has_weights(self) -> bool:
        return "_params" in self.__dict__

    def _n_features(self) -> int:
        return self._params[0]["W"].shape[0]

    @property
    def params_(self) -> list:
        """The weights ``[{"W": (D_in, D_out), "b": (D_out,)}, ...]``: a copy, as ``TFMLP.params_``.

        Editing the copy leaves the model alone; to change the weights, assign a whole list:
        ``model.params_ = params`` (checked, and copied in).
        """
        if not self._has_weights():
            raise AttributeError(
                "params_: this MLP has no weights yet: call fit(X, Y) or build(D, K)"
            )
        return [{k: v.copy() for k, v in p.items()} for p in self._params]

    @params_.setter
    def params_(self, params):
        params = _check_params(params)
        if self._has_weights() and [{k: v.shape for k, v in p.items()} for p in params] != [
            {k: v.shape for k, v in p.items()} for p in self._params
        ]:
            raise ValueError(
                "params_ must have the shapes of the model's layers "
                f"{[p['W'].shape for p in self._params]}"
            )
        self._params = [{k: np.array(v, dtype=self.dtype) for k, v in p.items()} for p in params]
        self.__dict__.pop("diverged_", None)

    def build(self, n_features: int, n_outputs: int) -> MLP:
        """Create the weights for D = ``n_features`` inputs and K = ``n_outputs`` outputs, untrained.

        They are the weights ``fit`` starts from; :meth:`partial_fit` then trains from them
        (classes 0..K-1 for softmax). Returns ``self``.
        """
        D = check_positive_int(n_features, "n_features")
        K = check_positive_int(n_outputs, "n_outputs")
        self._start(D, K, validation=False)
        self.n_outputs_ = K
        self.classes_ = None if self.output == "identity" else np.arange(max(K, 2))
        self._targets_1d = True
        return self

    def _start(self, D: int, K: int, validation: bool) -> None:
        """Fresh weights from ``default_rng(seed)`` (which then shuffles the batches), history and state."""
        for k in ("_params", "history_", "n_iter_", "diverged_"):
            self.__dict__.pop(k, None)
        self._rng = np.random.default_rng(self.seed)
        self._params = init_params(
            [D, *self.hidden, K],
            activation=self.activation,
            seed=self._rng,
            dtype=self.dtype,
            use_bias=self.use_bias,
        )
        if self.keep_prob is not None and len(self.keep_prob) != len(self._params):
            raise ValueError(
                f"keep_prob has {len(self.keep_prob)} entries but the network has "
                f"{len(self._params)} layers (one keep probability per layer input)"
            )
        self.history_ = new_history(
            self.output, validation=validation, every_iteration=self.record_every_iteration
        )
        self.n_iter_ = 0
        self._epochs_done, self._elapsed = 0, 0.0
        self.update_state_ = {"lr": self.lr, "iteration": 0, "epoch": 0}

    # -- training ------------------------------------------------------------------------

    def fit(self, X, Y, *, X_val=None, Y_val=None):
        """Train on ``X: (N, D)`` and ``Y``: labels (N,) or targets (N, K) for ``epochs`` epochs.

        Returns ``self``.

        Labels are one-hot encoded for a softmax output, one column per distinct label
        (``classes_``: the sorted labels of Y and Y_val; predict returns them); they must
        be 0/1 for a sigmoid output; an (N, K) matrix (indicators, soft targets, regression
        targets for "identity") is used as it is. ``X_val, Y_val``: validation data, measured
        after every epoch (needed by ``early_stopping``, which may end training early and
        then restores the best epoch's weights). Training starts from fresh weights every call;
        a fit that diverges raises FloatingPointError and leaves no weights to predict with.
        """
        for k in ("_params", "history_", "n_iter_", "diverged_"):  # a failed fit leaves no model
            self.__dict__.pop(k, None)
        X, T, Xv, Tv = self._prepare(X, Y, X_val, Y_val, new=True)
        stopper = self.early_stopping
        if stopper is not None and Xv is None:
            raise ValueError("early_stopping watches the validation cost: give X_val and Y_val")
        self._start(X.shape[1], T.shape[1], validation=Xv is not None)
        if stopper is not None and hasattr(stopper, "reset"):
            stopper.reset()
        bar = ProgressBar(self.epochs, prefix="epoch") if self.progress else None
        try:
            for _ in range(self.epochs):
                self._epoch(X, T, Xv, Tv, bar)
                if stopper is not None and stopper.update(
                    self.history_["val_cost"][-1], self._params
                ):
                    break
        finally:
            if bar is not None:
                bar.close()
        if stopper is not None:
            stopper.restore(self._params)  # the best epoch's weights
        return self

    def partial_fit(self, X, Y, *, X_val=None, Y_val=None):
        """One more epoch on ``X: (N, D)``, ``Y`` from the current weights (scikit-learn's partial_fit).

        A model without weights starts as ``fit`` does (the same weights, classes from Y);
        afterwards the data must have the model's features and classes. The epoch is appended
        to ``history_`` exactly as in ``fit`` (so ``epochs`` calls give fit's model and history;
        early stopping is left to the caller). Returns ``self``.
        """
        if getattr(self, "diverged_", None):
            self._check_fitted()  # raises: a diverged model does not silently carry on
        new = not self._has_weights()
        X, T, Xv, Tv = self._prepare(X, Y, X_val, Y_val, new=new)
        if new:
            self._start(X.shape[1], T.shape[1], validation=Xv is not None)
        self._epoch(X, T, Xv, Tv)
        return self

    def _epoch(self, X, T, Xv=None, Tv=None, bar=None) -> None:
        """One pass over ``X: (N, D)``, ``T: (N, K)`` in mini-batches, then its entry in ``history_``."""
        h, N = self.history_, X.shape[0]
        B = N if self.batch_size is None else min(self.batch_size, N)
        order = self._rng.permutation(N) if B < N and self.shuffle else None
        running = self.monitor == "running" or self.record_every_iteration
        epoch = self._epochs_done
        self.update_state_["epoch"] = epoch
        cost_sum, wrong = 0.0, 0
        try:
            # Overflow in a diverging run is reported below as a clear error, not as warnings.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                t0 = time.perf_counter()
                for start in range(0, N, B):
                    rows = slice(start, start + B) if order is None else order[start : start + B]
                    stats = self._step(X[rows], T[rows], running)
                    if running:
                        cost_sum += stats[0] * min(B, N - start)
                        wrong += stats[1]
                        if self.record_every_iteration:
                            h["iter_cost"].append(stats[0])
                self._elapsed += time.perf_counter() - t0
                cost, err = (
                    self._evaluate(X, T) if self.monitor == "full" else (cost_sum / N, wrong / N)
                )
                val = self._evaluate(Xv, Tv) if Xv is not None else None
                if val is not None and "val_cost" not in h:  # validation data from this epoch on
                    for key in ("val_cost", "val_error") if "error" in h else ("val_cost",):
                        h[key] = [float("nan")] * len(h["cost"])
                self._epochs_done += 1
                record_epoch(
                    h,
                    epoch,
                    cost=cost,
                    err=err,
                    iterations=self.n_iter_,
                    elapsed=self._elapsed,
                    lr=self.lr,
                    bar=bar,
                    val=val,
                )
        except FloatingPointError as exc:
            # The weights are NaN or infinite: drop them, so that predict says so instead of
            # answering class 0 everywhere.
            self.__dict__.pop("_params", None)
            self.diverged_ = str(exc)
            raise

    def _masks(self, n: int):
        """Inverted-dropout masks for a batch of n rows: per layer None (keep all) or an
        (n, D_in) array, 0 for a dropped input and 1/p for a kept one (kept with probability p)."""
        if self.keep_prob is None:
            return None
        return [
            None
            if p == 1
            else (self._rng.random((n, layer["W"].shape[0]), dtype=self.dtype) < p)
            / self.dtype.type(p)
            for p, layer in zip(self.keep_prob, self._params)
        ]

    def _step(self, Xb, Tb, stats: bool = False):
        """One update on the batch ``Xb: (B, D)``, ``Tb: (B, K)``: forward, backward, update rule.
        Returns the batch's (mean cost, number wrong) before the update when ``stats``."""
        _, cache = forward(
            self._params,
            Xb,
            activation=self.activation,
            output=self.output,
            masks=self._masks(Xb.shape[0]),
            check=False,
        )
        grads = backward(
            self._params, cache, Tb, activation=self.activation, output=self.output, check=False
        )
        result = None
        if stats:
            logits = cache["logits"]
            result = (
                _loss_from_logits(self.output, logits, Tb),
                _wrong(self.output, logits, Tb) if self.output != "identity" else 0,
            )
        state = self.update_state_
        state["iteration"] += 1
        if self.update is None:
            for p, g in zip(self._params, grads):
                for k in p:
                    g[k] *= self.lr
                    p[k] -= g[k]
        else:
            self.update(self._params, grads, state)
        self.n_iter_ += 1
        return result

    def _predict_logits(self, X) -> np.ndarray:
        return _logits(self._params, X, self.activation)

    def _evaluate(self, X, T):
        """Mean cost and error rate (None for regression) on X, T."""
        logits = self._predict_logits(X)
        cost = _loss_from_logits(self.output, logits, T)
        err = _wrong(self.output, logits, T) / X.shape[0] if self.output != "identity" else None
        return cost, err
