"""Regularisation (chapter 5): L1/L2 penalties, early stopping, noise injection, dropout.

Penalties act on the **weights only**. ``params`` is either one array (all of
it counts as weights) or the MLP's list of layers ``{"W": (D_in, D_out), "b": (D_out,)}``,
of which only the ``"W"`` matrices are penalised. The e-book's formula adds
the biases too; we follow common practice (and Keras's ``kernel_regularizer``)
and leave them out: a layer has few biases, and pulling them to 0 only shifts
its units' thresholds without making the model any simpler.

=====================  =============================  =================================
penalty                value added to the cost J       gradient (``*_grad``)
=====================  =============================  =================================
``l1_penalty``         λ Σ ``|W|``                     λ sign(W)   (0 at W = 0)
``l2_penalty``         λ Σ W²                          2 λ W
``elastic_penalty``    λ₁ Σ ``|W|`` + λ₂ Σ W²          λ₁ sign(W) + 2 λ₂ W
=====================  =============================  =================================

(``λ Σ W²`` without a ½ is the e-book's and Keras's ``regularizers.L2``
convention.) The ``*_grad`` functions return arrays in the structure of
``params`` (zeros for the biases), ready to add to ``backward``'s gradients.

Why L1 gives exact zeros and L2 does not: the slope of λ|w| stays λ right down
to w = 0, while the slope of λw² vanishes as w shrinks. But plain (sub)gradient
steps on λ|w| overshoot 0 and jitter around it, so the zeros are only exact
with the **proximal** step, :func:`soft_threshold` (ISTA): after the gradient
step on the data cost, ``w ← sign(w)·max(|w| − lr·λ, 0)``.
:class:`Penalized` wraps any optimiser into an MLP ``update`` hook that does
this (``proximal=True``) or adds the penalty gradients (``proximal=False``).
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np

from ._validate import as_float_array, check_positive_float, check_positive_int
from .data.utils import _rng

__all__ = [
    "l1_penalty",
    "l2_penalty",
    "elastic_penalty",
    "l1_grad",
    "l2_grad",
    "elastic_grad",
    "soft_threshold",
    "l1_proximal_step",
    "Penalized",
    "EarlyStopping",
    "gaussian_noise",
    "dropout_forward",
    "dropout_backward",
    "dropout_predict",
    "tf_dropout_keep",
    "train_regularized",
    "predict_regularized",
]


# ---------------------------------------------------------------- penalties


def _check_lam(lam, name: str = "lam") -> float:
    return check_positive_float(lam, name, allow_zero=True)


def _weight_arrays(params) -> list:
    """The penalised arrays: ``params`` itself, or every layer's ``"W"``."""
    if isinstance(params, (list, tuple)):
        if len(params) == 0:
            raise ValueError("params must hold at least one layer")
        out = []
        for i, layer in enumerate(params):
            if not isinstance(layer, dict) or "W" not in layer:
                raise TypeError(
                    f"params[{i}] must be a dict with a weight matrix 'W', "
                    f"got {type(layer).__name__}"
                )
            out.append(as_float_array(layer["W"], f"params[{i}]['W']"))
        return out
    if isinstance(params, dict):
        raise TypeError("params must be one array or a list of layers {'W': ..., 'b': ...}")
    return [as_float_array(params, "params")]


def _grad_like(params, fn):
    """``fn(W)`` for every weight array, zeros for everything else, in the structure of params."""
    weights = _weight_arrays(params)
    if not isinstance(params, (list, tuple)):
        return fn(weights[0])
    out = []
    for layer, W in zip(params, weights):
        g = {k: np.zeros_like(np.asarray(v)) for k, v in layer.items() if k != "W"}
        g["W"] = fn(W).astype(W.dtype, copy=False)
        out.append(g)
    return out


def l1_penalty(params, lam) -> float:
    """``λ Σ |W|`` over the weights (biases excluded). params: array or list of layers; lam >= 0."""
    lam = _check_lam(lam)
    return lam * float(sum(np.abs(W).sum() for W in _weight_arrays(params)))


def l2_penalty(params, lam) -> float:
    """``λ Σ W²`` over the weights (biases excluded). params: array or list of layers; lam >= 0."""
    lam = _check_lam(lam)
    return lam * float(sum(np.vdot(W, W) for W in _weight_arrays(params)))


def elastic_penalty(params, l1, l2) -> float:
    """Elastic net ``λ₁ Σ |W| + λ₂ Σ W²`` (both penalties at once)."""
    return l1_penalty(params, _check_lam(l1, "l1")) + l2_penalty(params, _check_lam(l2, "l2"))


def l1_grad(params, lam):
    """(Sub)gradient ``λ sign(W)`` of :func:`l1_penalty`, 0 where W = 0 (as the e-book does).

    Returns an array like ``params``, or a list of dicts like it with zero biases.
    """
    lam = _check_lam(lam)
    return _grad_like(params, lambda W: lam * np.sign(W))


def l2_grad(params, lam):
    """Gradient ``2 λ W`` of :func:`l2_penalty`, in the structure of ``params`` (zero biases)."""
    lam = _check_lam(lam)
    return _grad_like(params, lambda W: (2.0 * lam) * W)


def elastic_grad(params, l1, l2):
    """Gradient ``λ₁ sign(W) + 2 λ₂ W`` of :func:`elastic_penalty`."""
    l1, l2 = _check_lam(l1, "l1"), _check_lam(l2, "l2")
    return _grad_like(params, lambda W: l1 * np.sign(W) + (2.0 * l2) * W)


def soft_threshold(x, threshold):
    """The proximal operator of ``threshold·|x|``: ``sign(x)·max(|x| − threshold, 0)``.

    Every entry moves ``threshold`` towards 0 and stops *exactly* at 0 instead
    of crossing it. x: any-shape array; threshold >= 0. Returns a new array.
    """
    x = as_float_array(x, "x", allow_empty=True)
    threshold = check_positive_float(threshold, "threshold", allow_zero=True)
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0)


def l1_proximal_step(params, lr, lam) -> None:
    """Apply the L1 proximal step in place: ``W ← soft_threshold(W, lr·λ)`` for every weight.

    Run it after each gradient step on the *unpenalised* cost (proximal
    gradient descent, ISTA). Biases are left alone. params: a float array or a
    list of layers (changed in place).
    """
    lr = check_positive_float(lr, "lr")
    lam = _check_lam(lam)
    t = lr * lam
    if isinstance(params, (list, tuple)):
        _weight_arrays(params)  # checks
        targets = [layer["W"] for layer in params]
    elif isinstance(params, np.ndarray):
        targets = [params]
    else:
        raise TypeError(
            f"params must be a float ndarray or a list of layers (changed in place), "
            f"got {type(params).__name__}"
        )
    for W in targets:
        if not isinstance(W, np.ndarray) or not np.issubdtype(W.dtype, np.floating):
            raise TypeError("the weights must be float ndarrays (they are changed in place)")
        np.copyto(W, soft_threshold(W, t).astype(W.dtype, copy=False))


class Penalized:
    """Wrap an optimiser so that it minimises ``J + penalty``; usable as the MLP ``update`` hook.

    ``Penalized(Momentum(0.05), l2=1e-3)`` adds ``2 λ₂ W`` (and ``λ₁ sign(W)``) to
    the weight gradients before each step. With ``proximal=True`` the L1 part is
    applied instead as :func:`l1_proximal_step` after the step, with the step's
    learning rate; that is exact proximal gradient descent for :class:`~lazynb.optimizers.SGD`
    and a common heuristic for the others. Either way it yields exact zeros
    only with ``proximal=True``.

    optimizer: a :class:`lazynb.optimizers.Optimizer`; l1, l2 >= 0.
    Call it as ``hook(params, grads, state)`` or ``hook.step(params, grads)``.
    """

    def __init__(self, optimizer, *, l1: float = 0.0, l2: float = 0.0, proximal: bool = False):
        from .optimizers import Optimizer

        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be a lazynb.optimizers.Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.l1 = _check_lam(l1, "l1")
        self.l2 = _check_lam(l2, "l2")
        if not isinstance(proximal, (bool, np.bool_)):
            raise TypeError(f"proximal must be True or False, got {type(proximal).__name__}")
        self.proximal = bool(proximal)

    def _penalized_grads(self, params, grads):
        l1 = 0.0 if self.proximal else self.l1
        if l1 == 0 and self.l2 == 0:
            return grads
        extra = elastic_grad(params, l1, self.l2)
        if isinstance(params, (list, tuple)):
            if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
                raise ValueError(f"grads must be a list of {len(params)} dicts, like params")
            # New arrays: the MLP reuses its gradient buffers, and callers may keep theirs.
            return [
                {k: g[k] + e["W"] if k == "W" else g[k] for k in g} for g, e in zip(grads, extra)
            ]
        return as_float_array(grads, "grads") + extra

    def step(self, params, grads) -> None:
        """One penalised update of ``params`` in place."""
        lr = self.optimizer.learning_rate  # the rate this step will use
        self.optimizer.step(params, self._penalized_grads(params, grads))
        if self.proximal and self.l1 > 0:
            l1_proximal_step(params, lr, self.l1)

    def __call__(self, params, grads, state=None) -> None:
        self.optimizer._sync(state)  # reset at a new fit, follow the epoch
        self.step(params, grads)

    def penalty(self, params) -> float:
        """The value added to the cost: ``elastic_penalty(params, l1, l2)``."""
        return elastic_penalty(params, self.l1, self.l2)

    def __repr__(self):
        return (
            f"Penalized({self.optimizer!r}, l1={self.l1:g}, l2={self.l2:g}, "
            f"proximal={self.proximal})"
        )


# ---------------------------------------------------------------- early stopping


class EarlyStopping:
    """Stop when the validation cost has not improved for ``patience`` checks; keep the best weights.

    patience: checks without improvement to tolerate (>= 1); min_delta >= 0:
    how much lower than the best a cost must be to count as an improvement.

    Usage, once per epoch::

        stopper = EarlyStopping(patience=5)
        for epoch in range(max_epochs):
            train_one_epoch(params)
            if stopper.update(val_cost(params), params):
                break
        stopper.restore(params)        # the weights of the best epoch, in place

    Attributes: ``best_cost``, ``best_epoch`` (index of the best check, from 0),
    ``best_params`` (a deep copy), ``wait`` (checks since the best),
    ``stopped`` (True once :meth:`update` has said stop), ``n_checks``.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0):
        self.patience = check_positive_int(patience, "patience")
        self.min_delta = check_positive_float(min_delta, "min_delta", allow_zero=True)
        self.reset()

    def reset(self) -> None:
        """Forget every check (``MLP.fit`` calls this when it starts, so a stopper can be reused)."""
        self.best_cost = math.inf
        self.best_epoch = None
        self.best_params = None
        self.wait = 0
        self.n_checks = 0
        self.stopped = False

    def update(self, cost, params=None) -> bool:
        """Record this epoch's validation ``cost``; return True when training should stop.

        params: the current weights (any structure of arrays); deep-copied when
        ``cost`` is a new best. A NaN or infinite cost (diverged training) never
        counts as an improvement.
        """
        if isinstance(cost, bool) or not isinstance(cost, (numbers.Real, np.floating)):
            raise TypeError(f"cost must be a number, got {type(cost).__name__}")
        cost = float(cost)
        if cost < self.best_cost - self.min_delta:
            self.best_cost = cost
            self.best_epoch = self.n_checks
            self.best_params = copy.deepcopy(params) if params is not None else None
            self.wait = 0
        else:
            self.wait += 1
        self.n_checks += 1
        if self.wait >= self.patience:
            self.stopped = True
        return self.stopped

    __call__ = update

    def restore(self, params):
        """Copy the best weights into ``params`` in place (same structure) and return it."""
        if self.best_params is None:
            raise RuntimeError(
                "no best weights recorded: call update(cost, params) with params "
                "at least once (and with a finite cost)"
            )
        _copy_into(params, self.best_params)
        return params


def _copy_into(dst, src, where: str = "params") -> None:
    if isinstance(dst, np.ndarray):
        src = np.asarray(src)
        if src.shape != dst.shape:
            raise ValueError(
                f"{where} has shape {dst.shape} but the saved weights have {src.shape}"
            )
        np.copyto(dst, src)
    elif isinstance(dst, dict):
        if not isinstance(src, dict) or set(src) != set(dst):
            raise ValueError(f"{where} does not have the structure of the saved weights")
        for k in dst:
            _copy_into(dst[k], src[k], f"{where}[{k!r}]")
    elif isinstance(dst, (list, tuple)):
        if not isinstance(src, (list, tuple)) or len(src) != len(dst):
            raise ValueError(f"{where} does not have the structure of the saved weights")
        for i, (d, s) in enumerate(zip(dst, src)):
            _copy_into(d, s, f"{where}[{i}]")
    else:
        raise TypeError(
            f"{where} must be arrays (in a list/dict) to restore into, got {type(dst).__name__}"
        )


# ---------------------------------------------------------------- noise and dropout


def gaussian_noise(X, std, rng=None):
    """Noise injection: ``X + ε`` with ε ~ N(0, std²) drawn independently for every entry.

    X: (N, D) (any shape) inputs; std >= 0; rng: a NumPy Generator, an int
    seed or None. Returns a new array of X's float dtype; X is not changed.
    Use it on the training batches only, never on validation or test data.
    """
    X = as_float_array(X, "X")
    std = check_positive_float(std, "std", allow_zero=True)
    rng = _rng(rng, "rng")
    return X + (std * rng.standard_normal(X.shape)).astype(X.dtype, copy=False)


def _check_keep_prob(keep_prob) -> float:
    if isinstance(keep_prob, bool) or not isinstance(keep_prob, (numbers.Real, np.floating)):
        raise TypeError(f"keep_prob must be a number in (0, 1], got {type(keep_prob).__name__}")
    p = float(keep_prob)
    if not (0 < p <= 1):
        raise ValueError(
            f"keep_prob is the probability of KEEPING a unit and must be in (0, 1], got {keep_prob}"
        )
    return p


def dropout_forward(X, keep_prob, rng=None, *, inverted: bool = True):
    """Dropout at training time: multiply by a random 0/1 mask; returns ``(out, mask)``.

    X: (N, D) activations (any shape); keep_prob: p in (0, 1], the probability
    of *keeping* a unit (the e-book uses 0.8 for inputs, 0.5 for hidden
    layers); rng: Generator, int seed or None. ``mask`` has X's shape and
    dtype, 1 where the unit is kept, drawn as ``rng.random(X.shape) < p``.

    * ``inverted=True`` (modern practice, Keras, ``tf.nn.dropout``):
      ``out = X·mask / p``, so E[out] = X and the network is used as it is at test time.
    * ``inverted=False`` (the e-book): ``out = X·mask``, E[out] = p·X, and at
      test time the activations (equivalently the outgoing weights) are scaled
      by p, see :func:`dropout_predict`.

    Both give a test-time output equal to the training output's expectation.
    """
    X = as_float_array(X, "X")
    p = _check_keep_prob(keep_prob)
    rng = _rng(rng, "rng")
    mask = (rng.random(X.shape) < p).astype(X.dtype)
    out = X * mask
    if inverted and p < 1:
        out /= X.dtype.type(p)
    return out, mask


def dropout_backward(dout, mask, keep_prob, *, inverted: bool = True):
    """Gradient through dropout: ``dout·mask`` (divided by p when ``inverted``).

    dout: gradient with respect to the dropout's output, same shape as ``mask``.
    """
    dout = as_float_array(dout, "dout")
    mask = as_float_array(mask, "mask")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape} but mask has shape {mask.shape}")
    p = _check_keep_prob(keep_prob)
    d = dout * mask
    return d / p if inverted and p < 1 else d


def dropout_predict(X, keep_prob, *, inverted: bool = True):
    """Dropout at test time: nothing is dropped. ``X`` unchanged (inverted) or ``p·X`` (e-book).

    Scaling a layer's activations by p is the same as scaling its outgoing
    weights by p, which is how the e-book phrases it.
    """
    X = as_float_array(X, "X")
    p = _check_keep_prob(keep_prob)
    return X.copy() if inverted else X * X.dtype.type(p)


def tf_dropout_keep(x, keep_prob, *, seed=None):
    """``tf.nn.dropout`` called with a *keep* probability, as TF1 code meant it.

    TensorFlow 1's ``tf.nn.dropout(x, keep_prob)`` took the probability of
    keeping a unit; TensorFlow 2's second argument is ``rate``, the probability
    of *dropping* it. TF1 code such as ``tf.nn.dropout(x, 0.8)`` therefore
    still runs under TF2 but drops 80 % of the units instead of 20 %. This
    helper spells the conversion out: ``tf.nn.dropout(x, rate=1 - keep_prob)``.
    Kept units are scaled by ``1 / keep_prob`` (inverted dropout).

    x: a tensor or array; keep_prob in (0, 1]; seed: optional int op seed.
    Returns a tensor. Imports TensorFlow (quietly) on first use.
    """
    p = _check_keep_prob(keep_prob)
    from .repro import import_tensorflow

    tf = import_tensorflow()
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise TypeError(f"x must be a floating-point tensor, got {x.dtype.name}")
    if p == 1:
        return tf.identity(x)  # rate 0: nothing to drop
    return tf.nn.dropout(x, rate=1.0 - p, seed=seed)


# ---------------------------------------------------------------- training with dropout and early stopping


def train_regularized(
    X,
    y,
    *,
    hidden=(100,),
    optimizer=None,
    epochs: int = 20,
    batch_size: int = 100,
    keep_prob=(1.0, 1.0),
    X_val=None,
    y_val=None,
    early_stopping=None,
    seed: int = 0,
    dtype=np.float32,
):
    """Mini-batch training of a ReLU/softmax :class:`lazynb.mlp.MLP` with dropout and early stopping.

    X: (N, D) inputs; y: (N,) integer labels 0..K-1; hidden: hidden layer sizes;
    optimizer: a :class:`lazynb.optimizers.Optimizer` (or :class:`Penalized`, for L1/L2),
    default ``SGD(0.1)``; keep_prob: ``(p_input, p_hidden)``, the probabilities of
    *keeping* an input and a hidden unit during training (the e-book's 0.8 and 0.5;
    ``(1, 1)`` is no dropout), inverted dropout as :func:`dropout_forward`;
    X_val, y_val: validation data, measured every epoch; early_stopping: an
    :class:`EarlyStopping` (needs validation data): training stops when it says so
    and the best epoch's weights are restored.

    Returns ``(params, history)``: the network's layers ``{"W", "b"}`` (output column k
    for the k-th smallest label: label k when every class occurs; usable with
    :func:`predict_regularized`) and ``MLP.history_``: per-epoch "cost", "error" (on the
    training set, no dropout), "val_cost", "val_error", "iterations", "time".
    """
    from .mlp import MLP
    from .optimizers import SGD

    y, keep = _check_labels_and_keep(y, keep_prob, hidden)
    model = MLP(
        hidden,
        activation="relu",
        output="softmax",
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        dtype=dtype,
        update=SGD(0.1) if optimizer is None else optimizer,
        keep_prob=keep,  # dropout: (p_input, p_hidden, p_hidden, ...)
        early_stopping=early_stopping,
    )  # watches history_["val_cost"] every epoch
    model.fit(X, y, X_val=X_val, Y_val=y_val)
    return model.params_, model.history_


def _check_labels_and_keep(y, keep_prob, hidden):
    """y as (N,) labels >= 0 (integers only), and one keep probability per layer input."""
    arr = np.asarray(y)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"y must be (N,) integer labels 0..K-1, got dtype {arr.dtype}, shape {arr.shape}"
        )
    if arr.size and arr.min() < 0:
        raise ValueError(f"y must hold labels 0..K-1, got {arr.min()}")
    if not isinstance(keep_prob, (tuple, list)) or len(keep_prob) != 2:
        raise TypeError("keep_prob must be a pair (p_input, p_hidden)")
    p_in, p_hid = (_check_keep_prob(p) for p in keep_prob)
    n_hidden = 1 if isinstance(hidden, numbers.Integral) else len(tuple(hidden))
    return arr, (p_in,) + (p_hid,) * n_hidden


def predict_regularized(params, X):
    """Test-time class probabilities (N, K) of a network from :func:`train_regularized`.

    params: its layers; X: (N, D). With inverted dropout nothing is dropped or rescaled at
    test time: the network is used as it is (``lazynb.mlp.forward``).
    """
    from .mlp import forward

    return forward(params, X, activation="relu", output="softmax")[0]
