"""Batch normalisation (Ioffe & Szegedy, 2015) in NumPy, with Keras's conventions.

For a batch ``x`` of shape (N, D), every unit (column) is normalised over the
batch and then scaled and shifted by learned parameters γ and β, shape (D,)::

    μ = mean(x, axis=0);  σ² = mean((x − μ)², axis=0)      # the biased variance
    x̂ = (x − μ) / √(σ² + ε);  y = γ·x̂ + β

In training mode μ and σ² are the batch's, and running averages are kept for
inference, in Keras's form ``running ← momentum·running + (1 − momentum)·batch``
(momentum 0.99 and ε = 1e-3 are Keras's defaults). In inference mode the running
statistics replace the batch's, so a prediction does not depend on the other
examples in its batch. These are the rules of ``keras.layers.BatchNormalization``
(``tests/test_batchnorm.py`` checks outputs, running statistics and gradients
against it).

:func:`batchnorm_forward` and :func:`batchnorm_backward` are the kernel;
:class:`BatchNorm` wraps them into a layer that owns γ, β and the running
statistics. This module never imports TensorFlow.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_float_array, check_positive_float

__all__ = ["batchnorm_forward", "batchnorm_backward", "BatchNorm"]


def _check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _check_running(arr, name: str, D: int) -> np.ndarray:
    """A running statistic: a float ndarray (D,), updated in place, so never a copy."""
    if not (isinstance(arr, np.ndarray) and arr.dtype.kind == "f"):
        raise TypeError(
            f"{name} must be a float ndarray of shape ({D},) (it is updated in place), "
            f"got {type(arr).__name__}"
            + (f" of dtype {arr.dtype}" if hasattr(arr, "dtype") else "")
        )
    if arr.shape != (D,):
        raise ValueError(f"{name} must have shape ({D},), one entry per unit, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite: it contains NaN or infinity")
    return arr


def _check_forward(x, gamma, beta, training, running_mean, running_var, momentum, eps):
    """Validated ``(x, gamma, beta, training, momentum, eps)`` for :func:`batchnorm_forward`."""
    x = as_float_array(x, "x", ndim=2)
    N, D = x.shape
    gamma = as_float_array(gamma, "gamma", ndim=1).astype(x.dtype, copy=False)
    beta = as_float_array(beta, "beta", ndim=1).astype(x.dtype, copy=False)
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.shape != (D,):
            raise ValueError(
                f"{name} must have shape ({D},) for x of shape {x.shape}, got {p.shape}"
            )
    training = _check_flag(training, "training")
    _check_running(running_mean, "running_mean", D)
    _check_running(running_var, "running_var", D)
    if np.any(running_var < 0):
        raise ValueError("running_var must be >= 0: it is a variance")
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"momentum must be a number in [0, 1], got {type(momentum).__name__}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1] (Keras's default is 0.99), got {momentum}")
    eps = check_positive_float(eps, "eps")
    if training and N < 2:
        raise ValueError(
            f"training mode needs a batch of at least 2 rows to estimate a variance, got N = {N}"
        )
    return x, gamma, beta, training, float(momentum), eps


def batchnorm_forward(
    x, gamma, beta, *, training, running_mean, running_var, momentum=0.99, eps=1e-3
):
    """Batch normalisation of x (N, D) over the batch axis; returns ``(y, cache)``.

    gamma, beta: (D,) scale and shift. training: True uses the batch's mean and
    biased variance and updates ``running_mean`` and ``running_var`` ((D,) float
    arrays) **in place**, ``running ← momentum·running + (1 − momentum)·batch``;
    False uses the running statistics and leaves them alone. eps > 0 is added to
    the variance. Returns y (N, D) in x's float dtype and the cache that
    :func:`batchnorm_backward` needs.
    """
    x, gamma, beta, training, momentum, eps = _check_forward(
        x, gamma, beta, training, running_mean, running_var, momentum, eps
    )
    if training:
        mean = x.mean(axis=0)
        var = x.var(axis=0)  # biased (divides by N), as Keras and the paper use
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        running_var *= momentum
        running_var += (1 - momentum) * var
    else:
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    y = gamma * x_hat + beta
    return y, (x_hat, gamma, inv_std, training)


def batchnorm_backward(dout, cache):
    """Gradients of :func:`batchnorm_forward`: returns ``(dx, dgamma, dbeta)``.

    dout: (N, D), the gradient of the loss with respect to y; cache: the second
    value :func:`batchnorm_forward` returned. dx is (N, D), dgamma and dbeta (D,).
    In training mode the batch mean and variance depend on every row, which
    adds the two terms that centre dx̂ and remove its component along x̂.
    """
    if not (isinstance(cache, tuple) and len(cache) == 4):
        raise TypeError("cache must be the second value returned by batchnorm_forward")
    x_hat, gamma, inv_std, training = cache
    dout = as_float_array(dout, "dout", ndim=2)
    if dout.shape != x_hat.shape:
        raise ValueError(
            f"dout must have the shape of the forward output {x_hat.shape}, got {dout.shape}"
        )
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if not training:  # running statistics are constants: y is affine in x
        return dx_hat * inv_std, dgamma, dbeta
    N = dout.shape[0]
    dx = (inv_std / N) * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


class BatchNorm:
    """A batch-normalisation layer over D units: γ = 1, β = 0, running mean 0 and variance 1 at start.

    ``forward(x, training)`` maps x (N, D) to y (N, D); ``backward(dout)`` returns
    dx (N, D) and stores ``dgamma`` and ``dbeta`` (D,) for an optimiser. Defaults
    (momentum 0.99, eps 1e-3) and starting values are Keras's.
    """

    def __init__(self, D: int, *, momentum: float = 0.99, eps: float = 1e-3, dtype=np.float64):
        if isinstance(D, bool) or not isinstance(D, numbers.Integral) or D < 1:
            raise ValueError(f"D must be a positive integer (the number of units), got {D!r}")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a float type such as float32, got {dtype}")
        self.gamma = np.ones(D, dtype)
        self.beta = np.zeros(D, dtype)
        self.running_mean = np.zeros(D, dtype)
        self.running_var = np.ones(D, dtype)
        # The same checks as batchnorm_forward, now rather than at the first call.
        _check_forward(
            np.zeros((2, D), dtype),
            self.gamma,
            self.beta,
            True,
            self.running_mean,
            self.running_var,
            momentum,
            eps,
        )
        self.momentum, self.eps = float(momentum), float(eps)
        self._cache = None
        self.dgamma = self.dbeta = None

    def forward(self, x, training: bool = False):
        """y (N, D) for x (N, D); ``training=True`` also updates the running statistics."""
        y, self._cache = batchnorm_forward(
            x,
            self.gamma,
            self.beta,
            training=training,
            running_mean=self.running_mean,
            running_var=self.running_var,
            momentum=self.momentum,
            eps=self.eps,
        )
        return y

    __call__ = forward

    def backward(self, dout):
        """dx (N, D) for dout (N, D), the gradient at the last forward's output."""
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        dx, self.dgamma, self.dbeta = batchnorm_backward(dout, self._cache)
        return dx

    @property
    def params(self) -> dict:
        """``{"gamma": (D,), "beta": (D,)}``, the arrays an optimiser updates in place."""
        return {"gamma": self.gamma, "beta": self.beta}

    @property
    def grads(self) -> dict:
        """``{"gamma": dgamma, "beta": dbeta}`` from the last :meth:`backward`."""
        if self.dgamma is None:
            raise RuntimeError("call backward before reading grads")
        return {"gamma": self.dgamma, "beta": self.dbeta}

    def __repr__(self):
        return f"BatchNorm(D={self.gamma.size}, momentum={self.momentum}, eps={self.eps})"
