"""Gradient-descent update rules and learning-rate schedules (NumPy), chapter 5.

Every optimiser is a small object that owns its state (velocities, caches)
and updates parameters **in place**. The same object works

* standalone, on one array or on a network's parameters::

      opt = Momentum(0.01, mu=0.9)
      opt.step(w, grad_w)                      # w: any-shape float array
      opt.step(params, grads)                  # params: [{"W": (D_in, D_out), "b": (D_out,)}, ...]

* as the NumPy MLP's ``update`` hook, a callable ``(params, grads, state) -> None``::

      MLP(..., update=Adam(1e-3))

The rules, with ``g`` the gradient of the cost J and all operations elementwise:

=============  ===========================================================
``SGD``        w ← w − lr·g
``Momentum``   v ← μ·v − lr·g;  w ← w + v          (the e-book's dw(t) form)
``Nesterov``   v ← μ·v − lr·g;  w ← w + μ·v − lr·g  (look-ahead form)
``AdaGrad``    c ← c + g²;  w ← w − lr·g / (√c + ε)
``RMSprop``    c ← ρ·c + (1 − ρ)·g²;  w ← w − lr·g / (√c + ε)
``Adam``       m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
               w ← w − lr·m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
=============  ===========================================================

``lr`` may be a number or a *schedule*: a callable of the step count ``t``
(0 for the first update) or, with ``schedule_on="epoch"``, of the epoch. The
e-book's three schedules are here: :func:`step_decay`, :func:`inverse_decay`
and :func:`exponential_decay`.

Each class here is the textbook rule and nothing else. Keras 3 writes some of
these rules slightly differently (where ε sits, AdaGrad's initial cache of 0.1,
Adam's ε̂, RMSprop's momentum and centred forms): :mod:`lazynb.keras_parity`
holds those variants, and builds the optimiser that matches
``keras.optimizers.Class(...)`` step for step;
``tests/test_optimizers_keras_parity.py`` proves it.

This module never imports TensorFlow.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_positive_float, check_positive_int

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adam",
    "Schedule",
    "step_decay",
    "inverse_decay",
    "exponential_decay",
    "constant",
    "minimize",
    "Trajectory",
    "quadratic",
]


# ---------------------------------------------------------------- schedules


class Schedule:
    """A learning rate as a function of time: ``schedule(t) -> float`` for t = 0, 1, 2, ...

    rule: the formula, a callable ``t -> rate``; name and params say how the
    schedule prints (``inverse_decay(A=0.1, k=0.5)``) and are what :meth:`to_keras`
    reads. ``t`` counts epochs or iterations, whichever the optimiser is told to
    feed it (``schedule_on``); calling a schedule checks ``t``.
    """

    def __init__(self, rule: Callable, name: str, **params):
        if not callable(rule):
            raise TypeError(
                f"rule must be a callable t -> learning rate, got {type(rule).__name__}"
            )
        self.rule, self.name, self.params = rule, str(name), params

    def __call__(self, t) -> float:
        if isinstance(t, bool) or not isinstance(t, numbers.Real):
            raise TypeError(f"t must be a number (epoch or iteration), got {type(t).__name__}")
        if not math.isfinite(t) or t < 0:
            raise ValueError(f"t must be a finite number >= 0, got {t}")
        return float(self.rule(t))

    def to_keras(self):
        """The equivalent ``keras.optimizers.schedules`` object (imports Keras).

        Keras feeds a schedule the optimiser's iteration count, so use it with
        ``t`` meaning iterations. See :func:`lazynb.keras_parity.keras_schedule`.
        """
        from .keras_parity import keras_schedule

        return keras_schedule(self)

    def __repr__(self):
        return f"{self.name}({', '.join(f'{k}={v:g}' for k, v in self.params.items())})"


def _check_step_decay(A, k, factor):
    """(A, k, factor) for :func:`step_decay`: A > 0, k an integer >= 1, factor in (0, 1]."""
    A, k = check_positive_float(A, "A"), check_positive_int(k, "k")
    factor = check_positive_float(factor, "factor")
    if factor > 1:
        raise ValueError(f"factor must be in (0, 1] so that the rate decays, got {factor}")
    return A, k, factor


def _check_decay(A, k):
    """(A, k) for :func:`inverse_decay` and :func:`exponential_decay`: A > 0, k >= 0."""
    return check_positive_float(A, "A"), check_positive_float(k, "k", allow_zero=True)


def constant(A) -> Schedule:
    """The schedule that is ``A`` at every t (what a plain number means)."""
    A = check_positive_float(A, "A")
    return Schedule(lambda t: A, "constant", A=A)


def step_decay(A, k: int, factor: float = 0.5) -> Schedule:
    """``A · factor^⌊t / k⌋``: the e-book's "halve the learning rate every k epochs".

    A > 0 is the starting rate, k >= 1 an integer period, factor in (0, 1].
    """
    A, k, factor = _check_step_decay(A, k, factor)
    return Schedule(lambda t: A * factor ** (int(t) // k), "step_decay", A=A, k=k, factor=factor)


def inverse_decay(A, k) -> Schedule:
    """``A / (1 + k·t)`` with A > 0, k >= 0."""
    A, k = _check_decay(A, k)
    return Schedule(lambda t: A / (1.0 + k * t), "inverse_decay", A=A, k=k)


def exponential_decay(A, k) -> Schedule:
    """``A · exp(−k·t)`` with A > 0, k >= 0."""
    A, k = _check_decay(A, k)
    return Schedule(lambda t: A * math.exp(-k * t), "exponential_decay", A=A, k=k)


def _check_lr(lr, name: str = "lr"):
    """A positive finite number or a callable schedule."""
    if callable(lr):
        return lr
    return check_positive_float(lr, name)


def _check_unit_interval(value, name: str, *, allow_zero: bool = True) -> float:
    """A float in [0, 1) (or (0, 1)): decay rates, momentum, betas."""
    value = check_positive_float(value, name, allow_zero=True)
    if value >= 1 or (value == 0 and not allow_zero):
        low = "[0" if allow_zero else "(0"
        raise ValueError(f"{name} must be in {low}, 1), got {value}")
    return value


# ---------------------------------------------------------------- parameters


def _leaves(params, grads=None):
    """Flatten ``params`` (and ``grads`` of the same structure) into ``(key, p, g)`` triples.

    Accepted structures: one ndarray; a dict of ndarrays; a list/tuple of dicts
    (one per layer, e.g. ``{"W": (D_in, D_out), "b": (D_out,)}``). The key names
    the array's place (``()``, ``("W",)``, ``(layer, "W")``) and indexes the
    optimiser's state.
    """
    if isinstance(params, np.ndarray):
        pairs = [((), params, grads)]
    elif isinstance(params, dict):
        if grads is not None and (not isinstance(grads, dict) or set(grads) != set(params)):
            raise ValueError(f"grads must be a dict with the keys of params {sorted(params)}")
        pairs = [((k,), params[k], None if grads is None else grads[k]) for k in params]
    elif isinstance(params, (list, tuple)):
        if len(params) == 0:
            raise ValueError("params must hold at least one layer")
        if grads is not None:
            if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
                raise ValueError(
                    f"grads must be a list of {len(params)} dicts, one per layer of params"
                )
        pairs = []
        for i, layer in enumerate(params):
            if not isinstance(layer, dict):
                raise TypeError(
                    f"params[{i}] must be a dict of arrays such as "
                    f"{{'W': ..., 'b': ...}}, got {type(layer).__name__}"
                )
            glayer = None if grads is None else grads[i]
            if grads is not None and (not isinstance(glayer, dict) or set(glayer) != set(layer)):
                raise ValueError(f"grads[{i}] must be a dict with the keys {sorted(layer)}")
            pairs += [((i, k), layer[k], None if glayer is None else glayer[k]) for k in layer]
    else:
        raise TypeError(
            "params must be a float ndarray, a dict of arrays or a list of dicts "
            f"(one per layer), got {type(params).__name__}"
        )
    out = []
    for key, p, g in pairs:
        # Fast path first (this runs on every training step); messages only on failure.
        if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):
            raise TypeError(
                f"{_where('params', key)} must be a float ndarray (it is updated in "
                f"place), got {type(p).__name__}"
                + (f" of dtype {p.dtype}" if isinstance(p, np.ndarray) else "")
            )
        if grads is not None:
            if not (isinstance(g, np.ndarray) and g.dtype.kind == "f"):
                g = as_float_array(g, _where("grads", key), allow_empty=True)
            if g.shape != p.shape:
                raise ValueError(
                    f"{_where('grads', key)} has shape {g.shape} but "
                    f"{_where('params', key)} has shape {p.shape}"
                )
            if not np.isfinite(g).all():
                raise ValueError(
                    f"{_where('grads', key)} contains NaN or infinity: training has "
                    f"probably diverged (try a smaller learning rate)"
                )
        out.append((key, p, g))
    return out


def _where(name: str, key) -> str:
    """``params[0]['W']``: where an array sits, for error messages."""
    return name + "".join(f"[{k!r}]" for k in key)


def _like_params(params, values: dict):
    """Arrange ``{key: array}`` in the structure of ``params`` (the inverse of ``_leaves``)."""
    if isinstance(params, np.ndarray):
        return values[()]
    if isinstance(params, dict):
        return {k: values[(k,)] for k in params}
    return [{k: values[(i, k)] for k in layer} for i, layer in enumerate(params)]


# ---------------------------------------------------------------- optimisers


class Optimizer:
    """Base class: a learning rate (or schedule), a step counter and per-array state.

    Subclasses implement ``_update(key, p, g, lr)``, which changes ``p`` in place
    and keeps whatever it needs in ``self.state[name][key]``.

    Attributes
    ----------
    t : number of updates applied so far (0 before the first).
    epoch : the current epoch, taken from the MLP hook's ``state["epoch"]``
        when present (or set by hand); used when ``schedule_on="epoch"``.
    state : dict of slot name -> {array key -> array}, e.g. ``state["v"]``.
    """

    def __init__(self, lr, *, schedule_on: str = "iteration"):
        self.lr = _check_lr(lr)
        if schedule_on not in ("iteration", "epoch"):
            raise ValueError(f"schedule_on must be 'iteration' or 'epoch', got {schedule_on!r}")
        self.schedule_on = schedule_on
        self.reset()

    def reset(self) -> None:
        """Forget all state (velocities, caches) and set the step counter to 0."""
        self.t = 0
        self.epoch = 0
        self.state: dict[str, dict] = {}

    # --- the learning rate now
    @property
    def learning_rate(self) -> float:
        """The learning rate the next update will use (the schedule's value at t or epoch)."""
        if not callable(self.lr):
            return self.lr
        when = self.t if self.schedule_on == "iteration" else self.epoch
        value = self.lr(when)
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or value <= 0
        ):
            raise ValueError(
                f"the learning-rate schedule returned {value!r} at "
                f"{self.schedule_on} {when}; it must return a finite number > 0"
            )
        return float(value)

    # --- updates
    def step(self, params, grads) -> None:
        """Apply one update to ``params`` in place from ``grads`` (same structure and shapes)."""
        leaves = _leaves(params, grads)
        lr = self.learning_rate
        for key, p, g in leaves:
            self._update(key, p, g.astype(p.dtype, copy=False), lr)
        self.t += 1

    def __call__(self, params, grads, state=None) -> None:
        """The NumPy MLP's ``update`` hook ``(params, grads, state) -> None``: one :meth:`step`.

        ``lazynb.mlp.MLP`` passes ``state = {"lr", "iteration", "epoch"}`` with
        ``iteration`` = 1 for the first update of a ``fit`` and ``epoch`` from 0.
        Iteration 1 resets this optimiser, so one object can serve several fits
        (each starts from fresh weights and needs fresh velocities and caches);
        ``epoch`` drives schedules with ``schedule_on="epoch"``. The MLP's own
        ``lr`` is ignored: this optimiser's ``lr`` (or schedule) decides.
        """
        self._sync(state)
        self.step(params, grads)

    def _sync(self, state) -> None:
        """Follow the MLP hook's ``state``: reset at iteration 1, track the epoch."""
        if isinstance(state, dict):
            if state.get("iteration") == 1:
                self.reset()
            if "epoch" in state:
                self.epoch = int(state["epoch"])

    def _slot(self, name: str, key, p: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """The state array ``name`` for parameter ``key``, created as ``fill`` on first use."""
        slots = self.state.setdefault(name, {})
        s = slots.get(key)
        if s is None or s.shape != p.shape:
            if s is not None:
                raise ValueError(
                    f"the parameter at {key!r} changed shape from {s.shape} to "
                    f"{p.shape}; call reset() before training a new model"
                )
            s = slots[key] = np.full(p.shape, fill, dtype=p.dtype)
        return s

    def _update(self, key, p, g, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"

    def _config(self) -> dict:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Plain gradient descent: ``w ← w − lr·g``."""

    def _update(self, key, p, g, lr):
        p -= lr * g


class Momentum(Optimizer):
    """Classical momentum, the e-book's form: ``v ← μ·v − lr·g;  w ← w + v``.

    ``v`` is the last weight change ``dw``; it starts at 0. μ in [0, 1) (the
    e-book suggests values up to 0.99; 0 gives plain SGD).
    Same rule as ``keras.optimizers.SGD(momentum=μ)``.
    """

    def __init__(self, lr, mu: float = 0.9, **kw):
        super().__init__(lr, **kw)
        self.mu = _check_unit_interval(mu, "mu")

    def _update(self, key, p, g, lr):
        v = self._slot("v", key, p)
        v *= self.mu
        v -= lr * g
        p += v

    def _config(self):
        return {"lr": self.lr, "mu": self.mu}


class Nesterov(Momentum):
    """Nesterov momentum in the look-ahead form: ``v ← μ·v − lr·g;  w ← w + μ·v − lr·g``.

    Nesterov evaluates the gradient at the look-ahead point w + μv. Storing that
    point as the parameters (Sutskever et al., 2013; Bengio et al., 2012) turns
    the rule into the one above, which needs the gradient at the stored
    parameters only, like every other rule here. Same rule as
    ``keras.optimizers.SGD(momentum=μ, nesterov=True)``.
    """

    def _update(self, key, p, g, lr):
        v = self._slot("v", key, p)
        v *= self.mu
        v -= lr * g
        p += self.mu * v - lr * g


class AdaGrad(Optimizer):
    """AdaGrad: ``c ← c + g²;  w ← w − lr·g / (√c + ε)`` (the e-book's form).

    Each weight gets its own effective learning rate ``lr / (√c + ε)``, which
    can only shrink as squared gradients pile up in the cache ``c``
    (:meth:`effective_learning_rate`). Keras's variant (a cache that starts at
    0.1, ε inside the root) is :class:`lazynb.keras_parity.KerasAdaGrad`.
    """

    initial_accumulator = 0.0  # the cache's start (Keras: 0.1, see keras_parity)

    def __init__(self, lr, eps: float = 1e-10, **kw):
        super().__init__(lr, **kw)
        self.eps = check_positive_float(eps, "eps", allow_zero=True)
        if self.eps == 0 and self.initial_accumulator == 0:
            raise ValueError(
                "eps must be > 0 when the cache starts at 0 (initial_accumulator): "
                "the first update would divide by zero wherever a gradient is 0"
            )

    def _update(self, key, p, g, lr):
        cache = self._slot("cache", key, p)
        cache += g * g
        p -= lr * g / (np.sqrt(cache) + self.eps)

    def _denominator(self, cache):
        """``√c + ε``: what the learning rate is divided by (for :meth:`effective_learning_rate`)."""
        return np.sqrt(cache) + self.eps

    def effective_learning_rate(self, params):
        """``lr / (√c + ε)`` per weight, in the structure of ``params``.

        Before any update the cache holds ``initial_accumulator``. Uses the
        learning rate the next update will use (for a schedule, its current value).
        """
        leaves = _leaves(params)
        lr = self.learning_rate
        out = {}
        for key, p, _ in leaves:
            c = self.state.get("cache", {}).get(key)
            if c is None:
                c = np.full(p.shape, self.initial_accumulator, dtype=p.dtype)
            out[key] = lr / self._denominator(c)
        return _like_params(params, out)

    def _config(self):
        return {"lr": self.lr, "eps": self.eps}


class RMSprop(Optimizer):
    """RMSprop, AdaGrad with a leaky cache: ``c ← ρ·c + (1 − ρ)·g²;  w ← w − lr·g / (√c + ε)``.

    ``decay`` is ρ (Keras calls it ``rho``). The cache is a running average of
    g², so old gradients are forgotten and the effective rate can grow again.
    RMSprop with momentum, the centred form and Keras's ε placement are
    :class:`lazynb.keras_parity.KerasRMSprop`.
    """

    def __init__(self, lr, decay: float = 0.9, eps: float = 1e-8, **kw):
        super().__init__(lr, **kw)
        self.decay = _check_unit_interval(decay, "decay")
        self.eps = check_positive_float(eps, "eps")

    def _update(self, key, p, g, lr):
        cache = self._slot("cache", key, p)
        cache *= self.decay
        cache += (1 - self.decay) * (g * g)
        p -= lr * g / (np.sqrt(cache) + self.eps)

    def _config(self):
        return {"lr": self.lr, "decay": self.decay, "eps": self.eps}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum plus an RMSprop cache, both bias-corrected.

    ``m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;``
    ``w ← w − lr·m̂ / (√v̂ + ε)`` with ``m̂ = m / (1 − β₁ᵗ)``, ``v̂ = v / (1 − β₂ᵗ)``, t = 1, 2, ...

    The bias corrections undo the zero start of m and v in the first steps.
    Keras adds ε to √v rather than √v̂: :class:`lazynb.keras_parity.KerasAdam`.
    """

    def __init__(self, lr=0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, **kw):
        super().__init__(lr, **kw)
        self.beta1 = _check_unit_interval(beta1, "beta1")
        self.beta2 = _check_unit_interval(beta2, "beta2")
        self.eps = check_positive_float(eps, "eps")

    def _update(self, key, p, g, lr):
        m, v = self._slot("m", key, p), self._slot("v", key, p)
        m *= self.beta1
        m += (1 - self.beta1) * g  # momentum: a running mean of g
        v *= self.beta2
        v += (1 - self.beta2) * (g * g)  # RMSprop's cache: a running mean of g²
        t = self.t + 1  # self.t counts completed steps; t counts from 1
        m_hat = m / (1 - self.beta1**t)  # bias corrections: m and v start at 0
        v_hat = v / (1 - self.beta2**t)
        p -= lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def _config(self):
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


# ---------------------------------------------------------------- explorer helpers


class Trajectory(NamedTuple):
    """What :func:`minimize` returns: ``x: (steps + 1, D)`` iterates, ``f: (steps + 1,)`` costs."""

    x: np.ndarray
    f: np.ndarray
    optimizer: Optimizer


def minimize(f_grad: Callable, x0, optimizer: Optimizer, steps: int = 100) -> Trajectory:
    """Run ``optimizer`` for ``steps`` updates on a function; return the whole path.

    f_grad: callable ``x -> (f(x), ∇f(x))`` with x: (D,) float64 and ∇f(x): (D,);
    x0: (D,) starting point; optimizer: any :class:`Optimizer` (a fresh copy of
    it is used and returned in the result, so the one passed in is never changed).

    Returns ``Trajectory(x, f, optimizer)``, ``x[0] = x0`` and ``x[i]`` the point
    after i updates. Stops with ValueError if the cost becomes NaN or infinite
    (a learning rate that is too large makes gradient descent diverge).
    """
    if not callable(f_grad):
        raise TypeError("f_grad must be a callable x -> (f(x), grad f(x))")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a lazynb.optimizers.Optimizer, got {type(optimizer).__name__}"
        )
    steps = check_positive_int(steps, "steps", minimum=0)
    x = as_float_array(x0, "x0", ndim=1, dtype=np.float64).copy()
    opt = copy.deepcopy(optimizer)
    opt.reset()
    xs = np.empty((steps + 1, x.size))
    fs = np.empty(steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
        _run(f_grad, x, opt, xs, fs)
    return Trajectory(xs, fs, opt)


def _run(f_grad, x, opt, xs, fs):
    steps = len(fs) - 1
    for i in range(steps + 1):
        out = f_grad(x)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("f_grad must return a pair (f(x), grad f(x))")
        f, g = out
        f = float(f)
        if not math.isfinite(f):
            raise ValueError(
                f"the cost became {f} after {i} steps: the learning rate "
                f"{opt.learning_rate:g} is probably too large"
            )
        xs[i], fs[i] = x, f
        if i < steps:
            try:
                g = np.asarray(g, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError("grad f(x) must be an array of numbers") from None
            if g.shape != x.shape:
                raise ValueError(f"grad f(x) has shape {g.shape}, expected {x.shape}")
            if not np.all(np.isfinite(g)):
                raise ValueError(
                    f"the gradient became NaN or infinite after {i} steps: the "
                    f"learning rate {opt.learning_rate:g} is probably too large"
                )
            opt.step(x, g)


def quadratic(curvatures=(1.0, 10.0)):
    """``f(x) = ½ Σ_i a_i x_i²`` and its gradient ``a ⊙ x``, as an ``f_grad`` for :func:`minimize`.

    curvatures: (D,) positive numbers a_i; their ratio max/min is the condition
    number. An ill-conditioned bowl (e.g. (1, 25)) is a long narrow valley, where
    plain gradient descent zig-zags and momentum shines. The minimum is f(0) = 0.
    """
    a = as_float_array(curvatures, "curvatures", ndim=1, dtype=np.float64)
    if np.any(a <= 0):
        raise ValueError("curvatures must all be > 0")

    def f_grad(x):
        x = np.asarray(x, dtype=np.float64)
        return 0.5 * float(np.sum(a * x * x)), a * x

    return f_grad
