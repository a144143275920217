"""The multi-layer perceptron in TensorFlow: the same network as :mod:`lazynb.mlp`, on a second backend.

One model, two backends. For the same spec (layer sizes, activation, output,
seed, dtype) :class:`TFMLP` starts from **the same weights** as
:class:`lazynb.mlp.MLP` (it draws them with :func:`lazynb.mlp.init_params` and
wraps them in ``tf.Variable`` objects), visits the mini-batches in the same order and
takes the same SGD steps, so the two give the same network up to rounding; the
parity tests prove it. What TensorFlow adds: the gradients come from
``tf.GradientTape`` instead of hand-written backpropagation, a whole epoch runs
as one compiled ``tf.function`` (XLA where it compiles), and the same code runs
on a GPU unchanged.

The estimator, exactly like the NumPy one::

    model = TFMLP(hidden=(300,), lr=0.1, epochs=5, batch_size=500, seed=0).fit(X, y)
    model.score(X_test, y_test), model.history_["cost"], model.params_

Functional pieces, for the chapter and the parity tests::

    Y, logits = tf_forward(params, X, activation="relu", output="softmax")
    J = tf_loss(params, X, T)                 # the mean loss lazynb.mlp.loss computes
    grads = tf_gradients(params, X, T)        # [{"W": (D_in, D_out), "b": (D_out,)}, ...]

``params`` are the layers of :func:`lazynb.mlp.init_params` (NumPy arrays) or
the same dicts holding tensors or ``tf.Variable`` objects.

Output layers and their losses are those of :mod:`lazynb.mlp`: ``softmax`` with
categorical cross-entropy (``tf.nn.softmax_cross_entropy_with_logits``),
``sigmoid`` with binary cross-entropy summed over the K outputs
(``tf.nn.sigmoid_cross_entropy_with_logits``) and ``identity`` with half the
squared error summed over the outputs; each averaged over the N samples.

Importing this module imports TensorFlow (quietly, through
:func:`lazynb.repro.import_tensorflow`); ``import lazynb`` does not.
"""

from __future__ import annotations

import contextlib
import time
import warnings

import numpy as np

from . import mlp as _np
from ._validate import as_float_array, check_positive_int
from .activations import ACTIVATIONS, _check_name
from .progress import ProgressBar
from .repro import import_tensorflow
from .tf_activations import _KERNELS

tf = import_tensorflow()

__all__ = ["tf_forward", "tf_loss", "tf_gradients", "TFMLP"]

_CHUNK = 8192  # rows per forward pass when predicting or monitoring, to bound memory


# --- the network as functions of tensors (no checks: these run inside tf.function) ----------


def _logits(layers, X, f):
    """Output-layer scores (N, K) for X: (N, D); ``layers`` is a list of ``(W, b or None)``."""
    Z = X
    for i, (W, b) in enumerate(layers):
        A = tf.matmul(Z, W)
        if b is not None:
            A = A + b
        Z = f(A) if i < len(layers) - 1 else A
    return Z


def _outputs(output: str, logits):
    if output == "softmax":
        return tf.nn.softmax(logits, axis=1)
    if output == "sigmoid":
        return tf.math.sigmoid(logits)
    return logits


def _row_losses(output: str, logits, T):
    """Each row's loss (N,), from the logits, stably (TensorFlow's fused kernels)."""
    if output == "softmax":
        return tf.nn.softmax_cross_entropy_with_logits(labels=T, logits=logits)
    if output == "sigmoid":
        return tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=T, logits=logits), axis=1
        )
    return 0.5 * tf.reduce_sum(tf.square(logits - T), axis=1)


def _loss_sum(output: str, logits, T):
    """The loss summed over the batch (divide by N for the mean)."""
    return tf.reduce_sum(_row_losses(output, logits, T))


def _row_wrong(output: str, logits, T):
    """Whether each row is misclassified (N,) bool, as :func:`lazynb.mlp._wrong` decides it."""
    if output == "softmax":
        return tf.not_equal(tf.argmax(logits, axis=1), tf.argmax(T, axis=1))
    # sigmoid(a) >= 0.5 exactly when a >= 0; a row is right only if all K outputs are
    return tf.reduce_any(tf.not_equal(logits >= 0, T >= 0.5), axis=1)


def _wrong_count(output: str, logits, T):
    return tf.reduce_sum(tf.cast(_row_wrong(output, logits, T), tf.int32))


# --- the functional API -------------------------------------------------------------------


def _np_dtype(x) -> np.dtype:
    dt = getattr(x, "dtype", None)
    return np.dtype(getattr(dt, "as_numpy_dtype", dt))


def _as_tensor(v):
    """Variables stay variables (training updates them); arrays become constant tensors."""
    return v if isinstance(v, tf.Variable) else tf.convert_to_tensor(v)


def _as_layers(params) -> list:
    """Check ``params`` (NumPy arrays, tensors or variables) and return ``[(W, b or None), ...]``."""
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise TypeError(
            "params must be a non-empty list of layers, dicts {'W': (D_in, D_out), "
            "'b': (D_out,)} as returned by lazynb.mlp.init_params"
        )
    layers, prev, dtype = [], None, None
    for i, layer in enumerate(params):
        if not isinstance(layer, dict) or "W" not in layer:
            raise TypeError(
                f"params[{i}] must be a dict with a weight matrix 'W', got {type(layer).__name__}"
            )
        W, b = layer["W"], layer.get("b")
        if not all(hasattr(v, "shape") and hasattr(v, "dtype") for v in (W, b) if v is not None):
            raise TypeError(
                f"params[{i}] must hold arrays, tensors or variables, got "
                f"{type(W).__name__} / {type(b).__name__}"
            )
        shape = tuple(W.shape)
        if _np_dtype(W) not in (np.float32, np.float64):
            raise TypeError(
                f"params[{i}]['W'] must be a float32 or float64 array, tensor or "
                f"variable, got {type(W).__name__} of dtype {getattr(W, 'dtype', None)}"
            )
        dtype = dtype or _np_dtype(W)
        if _np_dtype(W) != dtype or (b is not None and _np_dtype(b) != dtype):
            b_dtype = _np_dtype(b) if b is not None else "-"
            raise TypeError(
                f"params[{i}] has dtype {_np_dtype(W)} / {b_dtype} "
                f"but params[0]['W'] has {dtype}: use one dtype throughout"
            )
        if len(shape) != 2:
            raise ValueError(f"params[{i}]['W'] must be 2-D (D_in, D_out), got shape {shape}")
        if prev is not None and shape[0] != prev:
            raise ValueError(
                f"params[{i}]['W'] has {shape[0]} rows but layer {i - 1} has "
                f"{prev} outputs; the sizes must chain"
            )
        if b is not None and tuple(getattr(b, "shape", ())) != (shape[1],):
            raise ValueError(
                f"params[{i}]['b'] must have shape ({shape[1]},), "
                f"got {tuple(getattr(b, 'shape', ()))}"
            )
        layers.append((_as_tensor(W), None if b is None else _as_tensor(b)))
        prev = shape[1]
    return layers


def _check_spec(activation, output):
    return (
        _check_name(activation, ACTIVATIONS, "activation"),
        _check_name(output, _np.OUTPUTS, "output"),
    )


def _inputs_for(layers, X) -> np.ndarray:
    """X as an (N, D) array of the weights' dtype, with D checked (as lazynb.mlp.forward does)."""
    W = layers[0][0]
    X = as_float_array(X, "X", ndim=2, dtype=_np_dtype(W))
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features per sample but the first layer expects "
            f"{W.shape[0]} (X: (N, D), W: (D, M))"
        )
    return X


def tf_forward(params, X, *, activation: str = "relu", output: str = "softmax"):
    """Forward pass in TensorFlow: ``(Y, logits)``, both (N, K) tensors.

    params: layers ``[{"W": (D_in, D_out), "b": (D_out,)}, ...]`` (NumPy arrays
    from :func:`lazynb.mlp.init_params`, tensors or variables); X: (N, D),
    cast to the weights' dtype. ``Y`` is the output layer's result
    (probabilities for softmax and sigmoid, the scores themselves for identity)
    and ``logits`` its pre-activation. ``Y`` equals the first result of
    :func:`lazynb.mlp.forward` up to rounding.
    """
    activation, output = _check_spec(activation, output)
    layers = _as_layers(params)
    X = _inputs_for(layers, X)
    logits = _logits(layers, tf.constant(X), _KERNELS[activation])
    return _outputs(output, logits), logits


def _targets_for(layers, X: np.ndarray, T, output: str) -> np.ndarray:
    K = layers[-1][0].shape[1]
    return _np._check_targets(T, output, (X.shape[0], K)).astype(X.dtype, copy=False)


def tf_loss(params, X, T, *, activation: str = "relu", output: str = "softmax"):
    """Mean loss of the network on X: (N, D) with targets T: (N, K), as a scalar tensor.

    The value :func:`lazynb.mlp.loss` computes, through TensorFlow's fused
    cross-entropy-with-logits kernels (or half the squared error for identity).
    """
    activation, output = _check_spec(activation, output)
    layers = _as_layers(params)
    X = _inputs_for(layers, X)
    T = _targets_for(layers, X, T, output)
    logits = _logits(layers, tf.constant(X), _KERNELS[activation])
    return _loss_sum(output, logits, tf.constant(T)) / X.shape[0]


def tf_gradients(params, X, T, *, activation: str = "relu", output: str = "softmax") -> list:
    """Gradient of the mean loss with respect to every weight and bias, by ``tf.GradientTape``.

    Same arguments as :func:`tf_loss`. Returns a list of dicts matching
    ``params``, ``{"W": (D_in, D_out), "b": (D_out,)}`` tensors: what
    :func:`lazynb.mlp.backward` computes by hand, here found by the tape
    walking the recorded computation backwards.
    """
    activation, output = _check_spec(activation, output)
    layers = _as_layers(params)
    X = _inputs_for(layers, X)
    T = _targets_for(layers, X, T, output)
    flat = [v for layer in layers for v in layer if v is not None]
    with tf.GradientTape() as tape:
        tape.watch(flat)  # constant tensors are not watched by default (variables are)
        J = (
            _loss_sum(output, _logits(layers, tf.constant(X), _KERNELS[activation]), tf.constant(T))
            / X.shape[0]
        )
    g = iter(tape.gradient(J, flat))
    return [{"W": next(g)} | ({} if b is None else {"b": next(g)}) for _, b in layers]


# --- compiled training and evaluation, shared by every TFMLP -------------------------------
#
# The weights are arguments, not captured variables: tf.function traces (and XLA compiles)
# once per spec and shapes, and every TFMLP with that spec reuses the result, so trying
# five learning rates in a notebook compiles once, not five times.


def _make_epoch(activation: str, output: str, optimizer=None):
    """The Python function of one training epoch, for tf.function to trace."""
    f = _KERNELS[activation]

    def step(layers, Xb, Tb, lr, mask, n):
        # One update on the batch Xb: (B, D), Tb: (B, K) whose rows with mask == 1 are real
        # (n of them; the others pad the last batch to the shape of the rest). Returns the
        # batch's mean cost and number wrong before the update (monitor="running").
        flat = [v for layer in layers for v in layer if v is not None]
        with tf.GradientTape() as tape:
            logits = _logits(layers, Xb, f)
            # Padding rows get weight 0, so they add exact zeros to every sum: the update is
            # the one for the n real rows alone (a mask of ones changes nothing at all).
            cost = tf.reduce_sum(_row_losses(output, logits, Tb) * mask) / n
        grads = tape.gradient(cost, flat)
        if optimizer is None:
            for v, g in zip(flat, grads):
                v.assign_sub(lr * g)
        else:
            optimizer.apply_gradients(zip(grads, flat))
        if output == "identity":
            return cost, tf.constant(0, tf.int32)
        wrong = tf.logical_and(_row_wrong(output, logits, Tb), mask > 0)
        return cost, tf.reduce_sum(tf.cast(wrong, tf.int32))

    def epoch(layers, X, T, order, last, lr):
        # All the updates of one epoch in one call, so that Python runs once per epoch, not
        # once per batch. order: (n_batches, B) row indices, batch i in row i; the last batch
        # holds `last` real rows (its row is padded): one shape per fit, one XLA compilation.
        # Returns the per-batch costs (n_batches,) and error counts (n_batches,).
        n_batches, B = tf.shape(order)[0], tf.shape(order)[1]
        costs = tf.TensorArray(X.dtype, size=n_batches)
        wrongs = tf.TensorArray(tf.int32, size=n_batches)
        for i in tf.range(n_batches):
            n = tf.where(i == n_batches - 1, last, B)
            mask = tf.cast(tf.range(B) < n, X.dtype)
            idx = order[i]
            c, w = step(layers, tf.gather(X, idx), tf.gather(T, idx), lr, mask, tf.cast(n, X.dtype))
            costs = costs.write(i, c)
            wrongs = wrongs.write(i, w)
        return costs.stack(), wrongs.stack()

    return epoch


_SHARED = {}  # (kind, activation, output, jit, device) -> tf.function


def _shared_epoch(activation: str, output: str, jit: bool, device):
    key = ("epoch", activation, output, jit, device)
    if key not in _SHARED:
        _SHARED[key] = tf.function(_make_epoch(activation, output), jit_compile=jit)
    return _SHARED[key]


def _shared_eval(kind: str, activation: str, output: str, device):
    """Compiled evaluation on a chunk of rows: "logits" (N, K), or "stats" (loss sum, number
    wrong). Any number of rows, one trace (reduce_retracing); no XLA, which would compile
    again for every new number of rows."""
    key = (kind, activation, output, False, device)
    if key not in _SHARED:
        f = _KERNELS[activation]
        if kind == "logits":

            def fn(layers, Xc):
                return _logits(layers, Xc, f)
        else:

            def fn(layers, Xc, Tc):
                logits = _logits(layers, Xc, f)
                return _loss_sum(output, logits, Tc), _wrong_count(output, logits, Tc)

        _SHARED[key] = tf.function(fn, reduce_retracing=True)
    return _SHARED[key]


# --- the estimator ------------------------------------------------------------------------


def _check_jit(jit_compile):
    if jit_compile not in (True, False, "auto"):
        raise ValueError(f"jit_compile must be True, False or 'auto', got {jit_compile!r}")
    return jit_compile


def _check_device(device):
    """None (TensorFlow's choice: the first GPU if there is one) or a device name such as "GPU"."""
    if device is None:
        return None
    if not isinstance(device, str):
        raise TypeError(
            f"device must be None or a name such as 'CPU', 'GPU' or '/GPU:1', "
            f"got {type(device).__name__}"
        )
    name = device.strip().lstrip("/").upper()
    name = name.replace("DEVICE:", "")
    kind = name.split(":")[0]
    if kind not in ("CPU", "GPU"):
        raise ValueError(
            f"device must name a CPU or a GPU ('CPU', 'GPU', '/GPU:0'), got {device!r}"
        )
    name = name if ":" in name else f"{name}:0"
    visible = [d.name.split("device:")[-1] for d in tf.config.list_logical_devices(kind)]
    if name not in visible:
        raise ValueError(
            f"device {device!r} is not visible to TensorFlow; visible {kind} devices: "
            f"{visible or 'none'}"
        )
    return "/" + name


def _check_optimizer(optimizer):
    """None (plain SGD), a Keras optimizer, or a name Keras knows ("adam", "rmsprop", ...)."""
    if optimizer is None:
        return None
    import keras

    try:
        opt = keras.optimizers.get(optimizer)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"optimizer must be None (plain SGD), a keras.optimizers.Optimizer or "
            f"the name of one such as 'adam': {exc}"
        ) from None
    if not isinstance(opt, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer must be a keras.optimizers.Optimizer, got {type(opt).__name__}")
    return opt


class TFMLP(_np._Estimator):
    """:class:`lazynb.mlp.MLP` on TensorFlow: the same spec, the same weights, the same API.

    Parameters
    ----------
    hidden, activation, output, lr, epochs, batch_size, seed, dtype, use_bias,
    shuffle, monitor, record_every_iteration, progress :
        exactly as in :class:`lazynb.mlp.MLP` (and checked by it). In
        particular ``np.random.default_rng(seed)`` draws the initial weights,
        through :func:`lazynb.mlp.init_params`, and then one permutation of the
        rows per epoch: given the same data, both models see the same batches.
    optimizer : ``None`` for plain SGD, ``W <- W - lr * g`` with ``lr`` in the
        model's dtype (what ``keras.optimizers.SGD(lr)`` does, except that Keras
        keeps the learning rate in float32 even for float64 weights). Or a Keras
        optimizer (or its name, e.g. ``"adam"``): each ``fit`` trains with a
        fresh copy of it (``from_config``), so its state starts empty; ``lr`` is
        then ignored in favour of the optimizer's own learning rate.
    jit_compile : compile the training epoch with XLA: True, False, or "auto"
        (try XLA and fall back, with a warning, where it cannot compile).
    device : None (TensorFlow's default: the first GPU if one is visible, else
        the CPU) or a device name such as "CPU", "GPU" or "/GPU:1".

    Attributes after ``fit`` (or :meth:`build`)
    -------------------------------------------
    params_ : the weights as NumPy arrays, ``[{"W": (D_in, D_out), "b": (D_out,)}, ...]``
        (a fresh copy on every access), comparable with ``MLP.params_``.
    variables_ : the same weights as the ``tf.Variable`` objects that training updates.
    history_ : per-epoch lists with the same keys as ``MLP.history_``: "cost",
        "error" (classification), "val_cost", "val_error" (with validation
        data), "iterations", "time" (training seconds so far, monitoring
        excluded) and "iter_cost" with ``record_every_iteration``. The first
        epoch's time includes tracing and XLA compilation (about a second on a
        CPU), unless a TFMLP with the same spec and shapes was trained before
        in this session: the compiled epoch is shared between models.
    n_iter_, n_outputs_ : updates made, K.
    classes_ : the class labels, as ``MLP.classes_`` (predict returns them).
    diverged_ : set (to the error message) when the last fit diverged; the model then has no
        weights, and predict raises (as MLP).
    jit_compiled_ : whether the training epoch ran under XLA.
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
        optimizer=None,
        progress: bool = False,
        jit_compile="auto",
        device=None,
    ):
        self.hidden = hidden
        self.activation = activation
        self.output = output
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.dtype = dtype
        self.use_bias = use_bias
        self.shuffle = shuffle
        self.monitor = monitor
        self.record_every_iteration = record_every_iteration
        self.optimizer = optimizer
        self.progress = progress
        self.jit_compile = jit_compile
        self.device = device
        self._spec()  # check everything now, as MLP does, so that mistakes show at once
        _check_optimizer(optimizer)
        _check_jit(jit_compile)
        _check_device(device)

    def __repr__(self):
        return (
            f"TFMLP(hidden={tuple(np.atleast_1d(self.hidden).tolist())}, "
            f"activation={self.activation!r}, output={self.output!r}, lr={self.lr}, "
            f"epochs={self.epochs}, batch_size={self.batch_size})"
        )

    def _spec(self) -> _np.MLP:
        """The NumPy MLP with this model's spec: it checks the hyper-parameters and converts the
        targets, so that both backends accept and reject the same things."""
        return _np.MLP(
            self.hidden,
            activation=self.activation,
            output=self.output,
            lr=self.lr,
            epochs=self.epochs,
            batch_size=self.batch_size,
            seed=self.seed,
            dtype=self.dtype,
            use_bias=self.use_bias,
            shuffle=self.shuffle,
            monitor=self.monitor,
            record_every_iteration=self.record_every_iteration,
            progress=self.progress,
        )

    def _scope(self):
        return tf.device(self._device) if self._device else contextlib.nullcontext()

    def _to_device(self, arr: np.ndarray):
        """``arr`` as a tensor on the model's device, copied there once (not once per epoch).

        ``tf.convert_to_tensor`` makes the host copy (half the time ``tf.constant`` takes
        for MNIST-sized arrays); on a GPU ``tf.identity`` under the device scope then
        moves it across, so that the compiled epoch never reads from the host.
        """
        t = tf.convert_to_tensor(arr)
        gpu = (self._device or "").startswith("/GPU") or (
            self._device is None and tf.config.list_logical_devices("GPU")
        )
        if not gpu:
            return t
        with self._scope():
            return tf.identity(t)

    # -- inputs --------------------------------------------------------------------------

    @property
    def _np_dtype(self) -> np.dtype:
        return _np._check_dtype(self.dtype)

    _model_dtype = _np_dtype  # the name the shared estimator code (lazynb.mlp._Estimator) reads

    def _has_weights(self) -> bool:
        return "variables_" in self.__dict__

    def _n_features(self) -> int:
        return int(self.variables_[0]["W"].shape[0])

    # -- weights -------------------------------------------------------------------------

    def build(self, n_features: int, n_outputs: int) -> TFMLP:
        """Create the weights for D = ``n_features`` inputs and K = ``n_outputs`` outputs, untrained.

        They are ``lazynb.mlp.init_params([D, *hidden, K], seed=np.random.default_rng(seed), ...)``,
        the weights ``MLP(seed=seed).fit`` starts from. Returns ``self``.
        """
        self._spec()
        D = check_positive_int(n_features, "n_features")
        K = check_positive_int(n_outputs, "n_outputs")
        self._device = _check_device(self.device)
        self.__dict__.pop("diverged_", None)
        self._build(D, K, np.random.default_rng(self.seed))
        self.classes_ = None if self.output == "identity" else np.arange(max(K, 2))
        self._targets_1d = True
        return self

    def _build(self, D: int, K: int, rng: np.random.Generator) -> None:
        sizes = [D, *self._spec().hidden, K]
        params = _np.init_params(
            sizes,
            activation=self.activation,
            seed=rng,
            dtype=self._np_dtype,
            use_bias=self.use_bias,
        )
        with self._scope():
            self.variables_ = [
                {k: tf.Variable(v, name=f"{k}{i + 1}") for k, v in p.items()}
                for i, p in enumerate(params)
            ]
        self._layers = tuple((p["W"], p.get("b")) for p in self.variables_)
        self._flat = [v for p in self.variables_ for v in p.values()]
        self.n_outputs_ = K

    @property
    def params_(self) -> list:
        """The weights as NumPy arrays ``[{"W": (D_in, D_out), "b": (D_out,)}, ...]``: a copy, as
        ``MLP.params_``. Editing it leaves the model alone; ``model.params_ = params`` sets them."""
        if not self._has_weights():
            raise AttributeError(
                "params_: this TFMLP has no weights yet: call fit(X, Y) or build(D, K)"
            )
        return [{k: v.numpy() for k, v in p.items()} for p in self.variables_]

    @params_.setter
    def params_(self, params):
        if not self._has_weights():
            raise AttributeError("params_: build(D, K) or fit the model first, then assign weights")
        params = _np._check_params(params)
        if [{k: v.shape for k, v in p.items()} for p in params] != [
            {k: tuple(v.shape) for k, v in p.items()} for p in self.variables_
        ]:
            raise ValueError(
                "params_ must have the shapes of the model's layers "
                f"{[tuple(p['W'].shape) for p in self.variables_]}"
            )
        for var, p in zip(self.variables_, params):
            for k, v in var.items():
                v.assign(np.asarray(p[k], dtype=self._np_dtype))
        self.__dict__.pop("diverged_", None)

    def to_numpy(self) -> _np.MLP:
        """A :class:`lazynb.mlp.MLP` with this model's spec and a copy of its weights (ready to predict)."""
        self._check_fitted()
        m = self._spec()
        m.params_ = self.params_
        m.n_outputs_ = self.n_outputs_
        m.classes_ = self.classes_
        m._targets_1d = self._targets_1d
        return m

    # -- the compiled training epoch --------------------------------------------------------

    def _epoch_fn(self):
        if self._optimizer is None:
            return _shared_epoch(self.activation, self.output, self._use_jit, self._device)
        # A Keras optimizer's state is captured by the trace: one function per optimizer.
        if self._opt_fn is None or self._opt_fn[0] != self._use_jit:
            self._opt_fn = (
                self._use_jit,
                tf.function(
                    _make_epoch(self.activation, self.output, self._optimizer),
                    jit_compile=self._use_jit,
                ),
            )
        return self._opt_fn[1]

    def _run_epoch(self, *args):
        """Run the compiled epoch; under jit_compile="auto", fall back from XLA once."""
        try:
            return self._epoch_fn()(self._layers, *args)
        except (
            tf.errors.InvalidArgumentError,
            tf.errors.UnimplementedError,
            tf.errors.NotFoundError,
            tf.errors.InternalError,
        ) as exc:
            if not (self._use_jit and self.jit_compile == "auto"):
                raise
            # XLA refused before anything ran (compilation precedes execution), so the
            # weights are untouched and the same call can run without it.
            warnings.warn(
                f"XLA could not compile the training epoch; running without it "
                f"({type(exc).__name__}: {str(exc).splitlines()[0][:200]})",
                UserWarning,
                stacklevel=3,
            )
            self._use_jit = False
            return self._epoch_fn()(self._layers, *args)

    def _chunks(self, X, T) -> list:
        """Device tensors X: (N, D), T: (N, K) cut once into row blocks of at most _CHUNK rows
        (slicing an eager tensor costs about a millisecond: not something to redo every epoch)."""
        N = int(X.shape[0])
        if N <= _CHUNK:
            return [(X, T)]
        with self._scope():
            return [(X[s : s + _CHUNK], T[s : s + _CHUNK]) for s in range(0, N, _CHUNK)]

    def _stats(self, chunks) -> tuple:
        """Mean cost and error rate (None for identity) over the row blocks of :meth:`_chunks`."""
        fn = _shared_eval("stats", self.activation, self.output, self._device)
        N, total, wrong = 0, 0.0, 0
        with self._scope():
            for Xc, Tc in chunks:
                c, w = fn(self._layers, Xc, Tc)
                N += int(Xc.shape[0])
                total += float(c)
                wrong += int(w)
        return total / N, (wrong / N if self.output != "identity" else None)

    # -- training ------------------------------------------------------------------------

    def fit(self, X, Y, *, X_val=None, Y_val=None):
        """Train on X: (N, D) and Y: labels (N,) or targets (N, K). Returns ``self``.

        Inputs, targets and classes are handled exactly as by :meth:`lazynb.mlp.MLP.fit`
        (the same code: labels one-hot encoded for softmax against ``classes_``, 0/1 for
        sigmoid; integer X converted). ``X_val, Y_val``: optional validation data,
        measured after every epoch. Training starts from fresh weights every call; a fit
        that diverges raises FloatingPointError and leaves no weights to predict with.
        """
        spec = self._spec()
        optimizer = _check_optimizer(self.optimizer)
        self._use_jit = bool(_check_jit(self.jit_compile))
        self._device = _check_device(self.device)
        for k in (
            "variables_",
            "history_",
            "n_iter_",
            "diverged_",
        ):  # as MLP: a failed fit leaves no model
            self.__dict__.pop(k, None)
        # The same checks, classes and targets as MLP (shared code: lazynb.mlp._Estimator).
        X, T, Xv, Tv = self._prepare(X, Y, X_val, Y_val, new=True)
        (N, D), K = X.shape, T.shape[1]

        rng = np.random.default_rng(spec.seed)
        self._build(D, K, rng)  # the weights MLP(seed=seed) starts from: same generator, same draws
        self._optimizer, self._opt_fn = None, None
        if optimizer is not None:
            # A fresh copy per fit: its slots are built for these variables and start empty.
            self._optimizer = optimizer.__class__.from_config(optimizer.get_config())
            self._optimizer.build(self._flat)
        self.jit_compiled_ = None

        h = _np.new_history(
            self.output, validation=X_val is not None, every_iteration=spec.record_every_iteration
        )
        self.history_ = h
        self.n_iter_ = 0

        B = N if spec.batch_size is None else min(spec.batch_size, N)
        gather = B < N and spec.shuffle  # when MLP draws a permutation, so do we (same rng)
        n_batches = -(-N // B)
        pad = n_batches * B - N
        with self._scope():
            Xt, Tt = self._to_device(X), self._to_device(T)
            train_chunks = self._chunks(Xt, Tt) if spec.monitor == "full" else None
            val_chunks = (
                self._chunks(self._to_device(Xv), self._to_device(Tv))
                if X_val is not None
                else None
            )
            lr = tf.constant(spec.lr, dtype=Xt.dtype)
            last = tf.constant(B - pad, tf.int32)
        bar = ProgressBar(spec.epochs, prefix="epoch") if spec.progress else None
        try:
            self._train(
                spec,
                rng,
                bar,
                N,
                B,
                gather,
                n_batches,
                pad,
                Xt,
                Tt,
                train_chunks,
                val_chunks,
                lr,
                last,
            )
        except FloatingPointError as exc:
            # NaN or infinite weights: drop them, so that predict says so (as MLP does).
            for k in ("variables_", "_layers", "_flat"):
                self.__dict__.pop(k, None)
            self.diverged_ = str(exc)
            raise
        finally:
            if bar is not None:
                bar.close()
        return self

    def _train(
        self,
        spec,
        rng,
        bar,
        N,
        B,
        gather,
        n_batches,
        pad,
        Xt,
        Tt,
        train_chunks,
        val_chunks,
        lr,
        last,
    ) -> None:
        """The epochs of :meth:`fit`: each one compiled call, then its entry in ``history_``."""
        h, elapsed = self.history_, 0.0
        for epoch in range(spec.epochs):
            t0 = time.perf_counter()
            order = (rng.permutation(N) if gather else np.arange(N)).astype(np.int32)
            order = np.concatenate([order, np.zeros(pad, np.int32)]).reshape(n_batches, B)
            with self._scope():
                c, w = self._run_epoch(Xt, Tt, order, last, lr)
                # Fetching the costs waits for the device, so the time is the real one.
                costs, wrong = c.numpy().astype(np.float64), int(w.numpy().sum())
            elapsed += time.perf_counter() - t0
            self.jit_compiled_ = self._use_jit
            self.n_iter_ += len(costs)
            if spec.record_every_iteration:
                h["iter_cost"].extend(costs.tolist())
            if spec.monitor == "full":
                cost, err = self._stats(train_chunks)
            else:
                sizes = np.full(n_batches, B)
                sizes[-1] = B - pad
                cost, err = float(costs @ sizes) / N, wrong / N
            _np.record_epoch(
                h,
                epoch,
                cost=cost,
                err=err,
                iterations=self.n_iter_,
                elapsed=elapsed,
                lr=spec.lr,
                bar=bar,
                val=self._stats(val_chunks) if val_chunks is not None else None,
            )

    # -- prediction ----------------------------------------------------------------------

    def _predict_logits(self, X) -> np.ndarray:
        """Logits (N, K) as a NumPy array, computed in chunks of rows on the model's device."""
        fn = _shared_eval("logits", self.activation, self.output, self._device)
        with self._scope():
            parts = [
                fn(self._layers, tf.convert_to_tensor(X[s : s + _CHUNK])).numpy()
                for s in range(0, X.shape[0], _CHUNK)
            ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)
