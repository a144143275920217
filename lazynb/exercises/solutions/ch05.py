"""Reference answers of chapter 5's exercises ("Modern techniques"), as plain functions.

The checkers in :mod:`lazynb.exercises.ch05` wrap them; ``solution()`` shows their source.
"""

from __future__ import annotations

import numpy as np

from ...augment import augment_mnist

__all__ = [
    "momentum_update",
    "rmsprop_update",
    "inverse_decay",
    "l2_gradient",
    "dropout_forward",
    "adam_update",
    "nesterov_update",
    "proximal_l1_step",
    "fit_with_early_stopping",
    "batchnorm_backward",
    "augmented_epochs",
]


def momentum_update(w, v, g, lr, mu):
    """One step of momentum: v_new = mu * v - lr * g; w_new = w + v_new.

    w, v, g: arrays of the same shape (weights, velocity, gradient); lr > 0; 0 <= mu < 1.
    Returns the new weights and velocity stacked as one array ``np.stack([w_new, v_new])``.
    """
    v_new = mu * v - lr * g
    return np.stack([w + v_new, v_new])


def rmsprop_update(w, cache, g, lr, decay, eps=1e-8):
    """One step of RMSprop: cache_new = decay·cache + (1 − decay)·g²;
    w_new = w − lr·g / (√cache_new + eps). Returns ``np.stack([w_new, cache_new])``."""
    cache_new = decay * cache + (1 - decay) * g * g
    return np.stack([w - lr * g / (np.sqrt(cache_new) + eps), cache_new])


def inverse_decay(A, k, t):
    """The inverse-decay schedule: learning rate A / (k·t + 1) at iterations t (array)."""
    return A / (k * t + 1)  # true division: a float array even for integer t


def l2_gradient(grad_W, W, lam):
    """Gradient of J + lam·ΣW² with respect to W, given grad_W = ∂J/∂W: grad_W + 2·lam·W."""
    return grad_W + 2 * lam * W


def dropout_forward(X, mask, keep_prob):
    """Inverted dropout with a given 0/1 mask: ``X * mask / keep_prob``."""
    return X * mask / keep_prob


def adam_update(w, m, v, g, t, lr, beta1, beta2, eps):
    """Step number t (t = 1 for the first step) of Adam, with bias correction.

    w, m, v, g: arrays of one shape (weights, first and second moments, gradient);
    t >= 1 an int; lr > 0; 0 <= beta1, beta2 < 1; eps > 0, added to √v̂ (outside the root).
    Returns ``np.stack([w_new, m_new, v_new])``, shape (3, *w.shape).
    """
    m_new = beta1 * m + (1 - beta1) * g  # a running mean of g ...
    v_new = beta2 * v + (1 - beta2) * g * g  # ... and of g², both started at 0
    m_hat = m_new / (1 - beta1**t)  # undo the pull towards that zero start
    v_hat = v_new / (1 - beta2**t)
    return np.stack([w - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new])


def nesterov_update(w, v, grad_fn, lr, mu):
    """One step of Nesterov momentum, the gradient taken at the look-ahead point w + mu·v.

    w, v: arrays of one shape (weights, velocity); grad_fn: w -> ∇J(w), same shape;
    lr > 0; 0 <= mu < 1. Returns ``np.stack([w_new, v_new])``, shape (2, *w.shape).
    """
    v_new = mu * v - lr * grad_fn(w + mu * v)  # where the velocity is about to carry us
    return np.stack([w + v_new, v_new])


def proximal_l1_step(w, g, lr, lam):
    """A proximal gradient step on J + lam·Σ|w|: a gradient step on J, then soft thresholding.

    w, g: arrays of one shape (weights, ∂J/∂w); lr > 0; lam >= 0. Returns w_new, w's shape:
    z = w − lr·g, then z shrunk towards 0 by lr·lam, and set to exactly 0 where |z| <= lr·lam.
    """
    z = w - lr * g
    return np.sign(z) * np.maximum(np.abs(z) - lr * lam, 0.0)


def fit_with_early_stopping(model, patience, max_epochs):
    """Train ``model`` one epoch at a time; stop after ``patience`` epochs without a new best.

    model: ``step()`` trains one epoch, updating the arrays of the list ``model.params`` in
    place; ``val_loss()`` is the validation loss of the current weights; ``set_params(p)``
    copies a list of arrays into ``model.params``. patience >= 1, max_epochs >= 1.
    Leaves the model with the weights of its best epoch and returns that epoch (1, 2, ...).
    """
    best_loss, best_epoch, best_params = np.inf, None, None
    for epoch in range(1, max_epochs + 1):
        model.step()
        loss = model.val_loss()
        if loss < best_loss:  # only a strictly lower loss is a new best
            best_loss, best_epoch = loss, epoch
            best_params = [p.copy() for p in model.params]  # step() will overwrite them
        elif epoch - best_epoch >= patience:
            break
    model.set_params(best_params)
    return best_epoch


def batchnorm_backward(dout, x, gamma, eps):
    """Gradients of training-mode batch normalisation, y = gamma·x̂ + beta, over the batch.

    x̂ = (x − mean) / √(var + eps), mean and (biased) var over axis 0 of x: (N, D);
    dout: (N, D), ∂J/∂y; gamma: (D,). Returns ``(dx, dgamma, dbeta)``, of shapes
    (N, D), (D,), (D,). Every x[n] moves the mean and the variance too, hence the two
    correction terms in dx.
    """
    N = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dx = inv_std / N * (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def augmented_epochs(X, y, epochs, rng):
    """Yield one training set per epoch: the originals plus a fresh shifted and rotated copy.

    X: (N, 784) images; y: (N,) labels; epochs >= 1; rng: a NumPy Generator. Each epoch
    calls ``augment_mnist(X, y, rng=rng)`` once (its defaults: shifts of up to 2 pixels,
    turns of up to 10 degrees, one copy), so every epoch's copy is new; yields
    ``(X_epoch, y_epoch)`` of shapes (2N, 784), (2N,).
    """
    for _ in range(epochs):
        yield augment_mnist(X, y, rng=rng)  # drawn inside the loop: a new copy every epoch
