"""Keras 3's variants of the chapter-5 update rules, for step-for-step parity with Keras.

:mod:`lazynb.optimizers` holds the textbook rules that chapter 5 displays. Keras
writes some of them slightly differently (read in ``keras/src/optimizers/*.py``,
Keras 3.15); the subclasses here add the knobs that select Keras's form, with
the textbook form as their default:

* :class:`KerasAdaGrad`: the cache starts at ``initial_accumulator`` (Keras: 0.1)
  and ``eps_inside_sqrt=True`` divides by ``√(c + ε)`` instead of ``√c + ε``;
* :class:`KerasRMSprop`: ``momentum`` μ > 0 accumulates the increment,
  ``m ← μ·m + lr·g / (√c + ε);  w ← w − m`` (TensorFlow's and Keras's form, used in
  the e-book's TensorFlow chapter); ``centered=True`` divides by an estimate of the
  gradient's standard deviation, ``√(c − a²)`` with ``a ← ρ·a + (1 − ρ)·g``;
  ``eps_inside_sqrt`` as for AdaGrad;
* :class:`KerasAdam`: ``eps_hat=True`` adds ε to √v rather than √v̂;
* :class:`KerasAdamW`: Adam with decoupled weight decay (Loshchilov & Hutter,
  2019), ``w ← w − lr·wd·w`` before the Adam step on the data gradient; not the
  same as an L2 penalty in the loss, whose gradient Adam would rescale.

:func:`sgd`, :func:`adagrad`, :func:`rmsprop`, :func:`adam` and :func:`adamw` take the
arguments of ``keras.optimizers.SGD``, ``Adagrad``, ``RMSprop``, ``Adam`` and ``AdamW`` and build the
optimiser that matches it step for step, float32 rounding of the
hyper-parameters included; :func:`keras_schedule` converts a learning-rate
schedule. ``tests/test_optimizers_keras_parity.py`` proves the parity.

This module never imports TensorFlow (only :func:`keras_schedule` imports Keras).
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_positive_float
from .optimizers import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
    Schedule,
    _check_unit_interval,
)

__all__ = [
    "KerasAdaGrad",
    "KerasRMSprop",
    "KerasAdam",
    "KerasAdamW",
    "sgd",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "keras_schedule",
]


def _float32(x: float) -> float:
    """``x`` rounded to float32, as Keras stores its learning rate (a ``floatx`` variable)."""
    return float(np.float32(x))


# ---------------------------------------------------------------- the variants


class KerasAdaGrad(AdaGrad):
    """AdaGrad with Keras's knobs: ``c`` starts at ``initial_accumulator`` (>= 0), and
    ``eps_inside_sqrt=True`` gives ``w ← w − lr·g / √(c + ε)``.

    With the defaults (0 and False) it is :class:`lazynb.optimizers.AdaGrad`.
    ``eps`` may be 0 when ``initial_accumulator`` > 0.
    """

    def __init__(
        self,
        lr,
        eps: float = 1e-10,
        *,
        initial_accumulator: float = 0.0,
        eps_inside_sqrt: bool = False,
        **kw,
    ):
        # Set before AdaGrad's check, which needs eps > 0 only when the cache starts at 0.
        self.initial_accumulator = check_positive_float(
            initial_accumulator, "initial_accumulator", allow_zero=True
        )
        self.eps_inside_sqrt = bool(eps_inside_sqrt)
        super().__init__(lr, eps, **kw)

    def _denominator(self, cache):
        return np.sqrt(cache + self.eps) if self.eps_inside_sqrt else np.sqrt(cache) + self.eps

    def _update(self, key, p, g, lr):
        c = self._slot("cache", key, p, self.initial_accumulator)
        c += g * g
        p -= lr * g / self._denominator(c)

    def _config(self):
        return {
            **super()._config(),
            "initial_accumulator": self.initial_accumulator,
            "eps_inside_sqrt": self.eps_inside_sqrt,
        }


class KerasRMSprop(RMSprop):
    """RMSprop with TensorFlow's and Keras's knobs (see the module docstring).

    momentum: μ in [0, 1), 0 for none; centered: divide by √(c − a²), a the
    running mean of g; eps_inside_sqrt: ``√(· + ε)`` in place of ``√· + ε``.
    With the defaults it is :class:`lazynb.optimizers.RMSprop`.
    """

    def __init__(
        self,
        lr,
        decay: float = 0.9,
        eps: float = 1e-8,
        momentum: float = 0.0,
        *,
        centered: bool = False,
        eps_inside_sqrt: bool = False,
        **kw,
    ):
        super().__init__(lr, decay, eps, **kw)
        self.momentum = _check_unit_interval(momentum, "momentum")
        self.centered = bool(centered)
        self.eps_inside_sqrt = bool(eps_inside_sqrt)

    def _update(self, key, p, g, lr):
        rho = self.decay
        c = self._slot("cache", key, p)
        c *= rho
        c += (1 - rho) * (g * g)
        if self.centered:
            a = self._slot("mean_grad", key, p)
            a *= rho
            a += (1 - rho) * g
            # c − a² >= 0 in exact arithmetic (a variance); clip the rounding error.
            var = np.maximum(c - a * a, 0) if not self.eps_inside_sqrt else c - a * a
        else:
            var = c
        denom = np.sqrt(var + self.eps) if self.eps_inside_sqrt else np.sqrt(var) + self.eps
        increment = lr * g / denom
        if self.momentum > 0:
            m = self._slot("m", key, p)
            m *= self.momentum
            m += increment
            p -= m
        else:
            p -= increment

    def _config(self):
        return {
            **super()._config(),
            "momentum": self.momentum,
            "centered": self.centered,
            "eps_inside_sqrt": self.eps_inside_sqrt,
        }


class KerasAdam(Adam):
    """Adam with Keras's placement of ε (``eps_hat=True``).

    ``w ← w − lr_t·m / (√v + ε)`` with ``lr_t = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)`` (the
    paper's "efficient" ordering, equal to Adam with ``ε / √(1 − β₂ᵗ)`` in place
    of ε: a larger ε in the first steps, about 30·ε at t = 1 with β₂ = 0.999).
    With ``eps_hat=False`` it is :class:`lazynb.optimizers.Adam`.
    """

    def __init__(
        self,
        lr=0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        eps_hat: bool = False,
        **kw,
    ):
        super().__init__(lr, beta1, beta2, eps, **kw)
        self.eps_hat = bool(eps_hat)
        # The β's raised to the power t in the bias corrections; adam() rounds them
        # to float32 because Keras does (ops.cast(beta, dtype) goes through a float32
        # tensor) while it uses the exact Python floats in the m, v updates.
        self._bias_betas = (self.beta1, self.beta2)

    def _update(self, key, p, g, lr):
        m = self._slot("m", key, p)
        v = self._slot("v", key, p)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * (g * g)
        t = self.t + 1  # self.t counts completed steps; the bias correction counts from 1
        b1, b2 = self._bias_betas
        c1 = 1 - b1**t
        c2 = 1 - b2**t
        if self.eps_hat:
            p -= (lr * math.sqrt(c2) / c1) * m / (np.sqrt(v) + self.eps)
        else:
            p -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def _config(self):
        return {**super()._config(), "eps_hat": self.eps_hat}


class KerasAdamW(KerasAdam):
    """AdamW: decoupled weight decay, ``w ← w − lr·wd·w``, then the Adam step on g.

    weight_decay: wd >= 0, applied to every array (biases included, as Keras does
    for variables not excluded with ``exclude_from_weight_decay``). The decay does
    not pass through Adam's division by √v, so every weight shrinks by the same
    factor 1 − lr·wd per step whatever its gradients; adding ``wd/2·Σw²`` to the
    cost instead would not (Loshchilov & Hutter, 2019). With wd = 0 it is
    :class:`KerasAdam`.
    """

    def __init__(self, lr=0.001, weight_decay: float = 0.004, *args, **kw):
        super().__init__(lr, *args, **kw)
        self.weight_decay = check_positive_float(weight_decay, "weight_decay", allow_zero=True)

    def _update(self, key, p, g, lr):
        p -= p * self.weight_decay * lr  # Keras's order of operations: v - v * wd * lr
        super()._update(key, p, g, lr)

    def _config(self):
        return {**super()._config(), "weight_decay": self.weight_decay}


# ---------------------------------------------------------------- builders


def sgd(learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
    """The optimiser that matches ``keras.optimizers.SGD(learning_rate, momentum, nesterov)``.

    Keras's momentum rule is the e-book's (v ← μv − lr·g; w ← w + v) and its
    Nesterov rule is :class:`~lazynb.optimizers.Nesterov`'s, so only the class
    changes; the learning rate and momentum are rounded to float32 as Keras does
    even for float64 variables.
    """
    lr = _float32(learning_rate)
    if momentum == 0:
        return SGD(lr)
    # Keras casts the momentum through a float32 tensor (ops.cast(0.9, dtype)).
    return (Nesterov if nesterov else Momentum)(lr, mu=_float32(momentum))


def adagrad(
    learning_rate: float = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7
) -> KerasAdaGrad:
    """Matches ``keras.optimizers.Adagrad(learning_rate, initial_accumulator_value, epsilon)``."""
    # Keras's Constant initializer makes the 0.1 a float32 before it fills the cache.
    return KerasAdaGrad(
        _float32(learning_rate),
        eps=epsilon,
        initial_accumulator=_float32(initial_accumulator_value),
        eps_inside_sqrt=True,
    )


def rmsprop(
    learning_rate: float = 0.001,
    rho: float = 0.9,
    momentum: float = 0.0,
    epsilon: float = 1e-7,
    centered: bool = False,
) -> KerasRMSprop:
    """Matches ``keras.optimizers.RMSprop(learning_rate, rho, momentum, epsilon, centered)``."""
    return KerasRMSprop(
        _float32(learning_rate),
        decay=rho,
        eps=epsilon,
        momentum=momentum,
        centered=centered,
        eps_inside_sqrt=True,
    )


def adam(
    learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7
) -> KerasAdam:
    """Matches ``keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)`` (amsgrad=False)."""
    opt = KerasAdam(_float32(learning_rate), beta1=beta_1, beta2=beta_2, eps=epsilon, eps_hat=True)
    opt._bias_betas = (_float32(beta_1), _float32(beta_2))
    return opt


def adamw(
    learning_rate: float = 0.001,
    weight_decay: float = 0.004,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
) -> KerasAdamW:
    """Matches ``keras.optimizers.AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon)``."""
    opt = KerasAdamW(
        _float32(learning_rate),
        # Keras casts the decay through a float32 tensor, like the betas.
        _float32(check_positive_float(weight_decay, "weight_decay", allow_zero=True)),
        beta1=beta_1,
        beta2=beta_2,
        eps=epsilon,
        eps_hat=True,
    )
    opt._bias_betas = (_float32(beta_1), _float32(beta_2))
    return opt


def keras_schedule(schedule: Schedule):
    """The ``keras.optimizers.schedules`` object equal to one of our schedules (imports Keras).

    schedule: from :func:`~lazynb.optimizers.step_decay`,
    :func:`~lazynb.optimizers.inverse_decay` or :func:`~lazynb.optimizers.exponential_decay`.
    Keras feeds a schedule the optimiser's iteration count, so use it with ``t``
    meaning iterations. Raises NotImplementedError for any other schedule.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a lazynb.optimizers.Schedule, got {type(schedule).__name__}"
        )
    if schedule.name not in ("step_decay", "inverse_decay", "exponential_decay"):
        raise NotImplementedError(f"{schedule!r} has no Keras equivalent")
    from keras.optimizers.schedules import ExponentialDecay, InverseTimeDecay

    p = schedule.params
    if schedule.name == "step_decay":
        return ExponentialDecay(p["A"], decay_steps=p["k"], decay_rate=p["factor"], staircase=True)
    if schedule.name == "inverse_decay":
        return InverseTimeDecay(p["A"], decay_steps=1, decay_rate=p["k"])
    # exponential_decay: A·exp(−k t) = A·(e^{−k})^{t / 1}
    return ExponentialDecay(p["A"], decay_steps=1, decay_rate=math.exp(-p["k"]))
