"""Chapter 5, "Modern techniques": exercises on optimisers and regularisation.

Each reference answer is a plain function with the name the reader uses; the name is
then rebound to the :class:`FunctionExercise` that wraps it (``.reference`` is the function).

- ``momentum_update``: one step of classical momentum;
- ``rmsprop_update``: one step of RMSprop;
- ``inverse_decay``: the inverse-decay learning-rate schedule;
- ``l2_gradient``: the gradient of the data cost plus an L2 penalty;
- ``dropout_forward``: inverted dropout with a given mask.
"""

from __future__ import annotations

import numpy as np

from .core import Case, FunctionExercise

__all__ = ["momentum_update", "rmsprop_update", "inverse_decay", "l2_gradient", "dropout_forward"]


# ------------------------------------------------------------- 1. momentum_update


def momentum_update(w, v, g, lr, mu):
    """One step of momentum: v_new = mu * v - lr * g; w_new = w + v_new.

    w, v, g: arrays of the same shape (weights, velocity, gradient); lr > 0; 0 <= mu < 1.
    Returns the new weights and velocity stacked as one array ``np.stack([w_new, v_new])``.
    """
    v_new = mu * v - lr * g
    return np.stack([w + v_new, v_new])


def _wv_cases(rng, extra):
    yield Case(
        dict(
            w=np.array([1.0, -2.0, 0.5]),
            v=np.array([0.1, 0.0, -0.3]),
            g=np.array([0.5, -1.0, 2.0]),
            **extra(rng, fixed=True),
        )
    )
    for _ in range(6):
        shape = tuple(rng.integers(1, 5, size=rng.integers(1, 3)))
        yield Case(
            dict(
                w=rng.normal(size=shape),
                v=rng.normal(size=shape) * 0.1,
                g=rng.normal(size=shape),
                **extra(rng),
            )
        )


def _momentum_extra(rng, fixed=False):
    return (
        dict(lr=0.1, mu=0.9)
        if fixed
        else dict(lr=float(rng.uniform(0.01, 0.5)), mu=float(rng.uniform(0.5, 0.99)))
    )


momentum_update = FunctionExercise(
    "momentum_update",
    momentum_update,
    chapter="ch05",
    prompt=(
        "Write `momentum_update(w, v, g, lr, mu)`: one step of classical momentum, "
        "v_new = mu·v − lr·g and w_new = w + v_new. Return `np.stack([w_new, v_new])` "
        "(shape (2, *w.shape)) and do not change the inputs."
    ),
    hints=[
        "The velocity remembers the previous change: shrink it by mu, then add the usual "
        "gradient step −lr·g.",
        "The weights move by the *new* velocity, not the old one.",
        "`v_new = mu * v - lr * g`, then `np.stack([w + v_new, v_new])`.",
    ],
    cases=lambda rng: _wv_cases(rng, _momentum_extra),
    shape="(2, *w.shape)",
)


# ------------------------------------------------------------- 2. rmsprop_update


def rmsprop_update(w, cache, g, lr, decay, eps=1e-8):
    """One step of RMSprop: cache_new = decay·cache + (1 − decay)·g²;
    w_new = w − lr·g / (√cache_new + eps). Returns ``np.stack([w_new, cache_new])``."""
    cache_new = decay * cache + (1 - decay) * g * g
    return np.stack([w - lr * g / (np.sqrt(cache_new) + eps), cache_new])


def _rms_cases(rng):
    yield Case(
        dict(
            w=np.array([1.0, -2.0, 0.5]),
            cache=np.array([0.5, 0.1, 2.0]),
            g=np.array([0.5, -1.0, 2.0]),
            lr=0.01,
            decay=0.9,
            eps=1e-8,
        )
    )
    for _ in range(6):
        shape = tuple(rng.integers(1, 5, size=rng.integers(1, 3)))
        yield Case(
            dict(
                w=rng.normal(size=shape),
                cache=rng.uniform(0.01, 2, size=shape),
                g=rng.normal(size=shape),
                lr=float(rng.uniform(0.001, 0.1)),
                decay=float(rng.uniform(0.8, 0.999)),
                eps=1e-8,
            )
        )


rmsprop_update = FunctionExercise(
    "rmsprop_update",
    rmsprop_update,
    chapter="ch05",
    prompt=(
        "Write `rmsprop_update(w, cache, g, lr, decay, eps)`: cache_new = decay·cache + "
        "(1 − decay)·g² and w_new = w − lr·g / (√cache_new + eps). Return "
        "`np.stack([w_new, cache_new])`."
    ),
    hints=[
        "The cache is a running average of the squared gradient: old cache weighted by decay, "
        "the new g² by 1 − decay.",
        "Update the cache first, then divide the gradient step by the square root of the "
        "*new* cache (plus eps).",
        "`c = decay * cache + (1 - decay) * g**2`; `np.stack([w - lr * g / (np.sqrt(c) + eps), c])`.",
    ],
    cases=_rms_cases,
    shape="(2, *w.shape)",
    rtol=1e-6,
)


# ------------------------------------------------------------- 3. inverse_decay


def inverse_decay(A, k, t):
    """The inverse-decay schedule: learning rate A / (k·t + 1) at iterations t (array)."""
    return A / (k * np.asarray(t, dtype=float) + 1)


def _decay_cases(rng):
    yield Case(dict(A=0.1, k=0.5, t=np.arange(6)))
    yield Case(dict(A=1.0, k=2.0, t=np.array([0, 1, 10, 100])))
    for _ in range(5):
        yield Case(
            dict(
                A=float(rng.uniform(0.01, 1)),
                k=float(rng.uniform(0.01, 3)),
                t=rng.integers(0, 1000, size=rng.integers(2, 8)),
            )
        )


def _starts_at_A(got, expected, args):
    t = np.asarray(args["t"])
    if np.any(t == 0) and not np.allclose(got[t == 0], args["A"]):
        return "at t = 0 the learning rate should be the initial rate A"
    if np.any(np.diff(got[np.argsort(t)]) > 1e-15):
        return "the learning rate must not grow as t grows"
    return None


inverse_decay = FunctionExercise(
    "inverse_decay",
    inverse_decay,
    chapter="ch05",
    prompt=(
        "Write `inverse_decay(A, k, t)`: the learning rate A / (k·t + 1) for every "
        "iteration in the integer array t (return a float array of t's shape)."
    ),
    hints=[
        "At t = 0 the rate is A; it then falls like 1/t.",
        "The 1 in the denominator is what makes the rate A at t = 0.",
        "`A / (k * t + 1)` (make sure the division is a float division).",
    ],
    cases=_decay_cases,
    shape="t.shape",
    checks=[_starts_at_A],
)


# ------------------------------------------------------------- 4. l2_gradient


def l2_gradient(grad_W, W, lam):
    """Gradient of J + lam·ΣW² with respect to W, given grad_W = ∂J/∂W: grad_W + 2·lam·W."""
    return grad_W + 2 * lam * W


def _l2_cases(rng):
    yield Case(
        dict(
            grad_W=np.array([[0.5, -1.0], [0.0, 2.0]]),
            W=np.array([[1.0, -2.0], [3.0, 0.5]]),
            lam=0.1,
        )
    )
    for _ in range(6):
        shape = tuple(rng.integers(1, 6, size=2))
        yield Case(
            dict(
                grad_W=rng.normal(size=shape),
                W=rng.normal(size=shape),
                lam=float(rng.uniform(0.001, 1)),
            )
        )


l2_gradient = FunctionExercise(
    "l2_gradient",
    l2_gradient,
    chapter="ch05",
    prompt=(
        "The L2-regularised cost is J + λ·ΣW² (no ½, the e-book's and Keras's "
        "convention). Write `l2_gradient(grad_W, W, lam)` that returns its gradient "
        "with respect to W, given grad_W = ∂J/∂W."
    ),
    hints=[
        "Differentiate λ·w² for one weight w.",
        "The derivative of λ·w² is 2λw: it pulls each weight towards 0 in proportion to its size.",
        "`grad_W + 2 * lam * W`.",
    ],
    cases=_l2_cases,
    shape="W.shape",
)


# ------------------------------------------------------------- 5. dropout_forward


def dropout_forward(X, mask, keep_prob):
    """Inverted dropout with a given 0/1 mask: ``X * mask / keep_prob``."""
    return X * mask / keep_prob


def _dropout_cases(rng):
    yield Case(
        dict(
            X=np.array([[1.0, 2.0, 3.0, 4.0]]), mask=np.array([[1.0, 0.0, 1.0, 0.0]]), keep_prob=0.5
        )
    )
    yield Case(
        dict(
            X=np.array([[1.0, -1.0], [2.0, 0.5]]),
            mask=np.array([[1.0, 1.0], [0.0, 1.0]]),
            keep_prob=0.8,
        )
    )
    for _ in range(6):
        p = float(rng.choice([0.5, 0.8, 0.9, rng.uniform(0.2, 0.95)]))
        shape = tuple(rng.integers(1, 7, size=2))
        yield Case(
            dict(X=rng.normal(size=shape), mask=(rng.random(shape) < p).astype(float), keep_prob=p)
        )


def _dropped_are_zero(got, expected, args):
    if np.any(got[args["mask"] == 0] != 0):
        return "units where the mask is 0 are dropped: their output must be exactly 0"
    return None


dropout_forward = FunctionExercise(
    "dropout_forward",
    dropout_forward,
    chapter="ch05",
    prompt=(
        "Write `dropout_forward(X, mask, keep_prob)`: inverted dropout at training time. "
        "`mask` has X's shape, 1 for a kept unit and 0 for a dropped one (drawn as "
        "`rng.random(X.shape) < keep_prob`); kept units are scaled so that the expected "
        "output equals X."
    ),
    hints=[
        "Dropped units output 0; the others pass through, scaled.",
        "A unit is kept with probability keep_prob; to keep E[output] = X, divide by it.",
        "`X * mask / keep_prob`.",
    ],
    cases=_dropout_cases,
    shape="X.shape",
    checks=[_dropped_are_zero],
)
