"""Chapter 5, "Modern techniques": exercises on optimisers and regularisation.

The reference answers are plain functions in :mod:`lazynb.exercises.solutions.ch05`, under
the names the reader uses; this module imports each one and rebinds its name to the
:class:`Exercise` that wraps it (``.reference`` is the function). Keeping them apart lets
``make mutants`` mutate the answers, never the checkers.

The first five follow a formula given in the prompt:

- ``momentum_update``: one step of classical momentum;
- ``rmsprop_update``: one step of RMSprop;
- ``inverse_decay``: the inverse-decay learning-rate schedule;
- ``l2_gradient``: the gradient of the data cost plus an L2 penalty;
- ``dropout_forward``: inverted dropout with a given mask.

The others are where learners really go wrong, and their checkers name the usual mistakes:

- ``adam_update``: Adam with bias correction (t counted from 1, eps outside the root);
- ``nesterov_update``: Nesterov momentum, the gradient taken at the look-ahead point;
- ``proximal_l1_step``: a gradient step followed by soft thresholding (exact zeros);
- ``fit_with_early_stopping``: a patience loop that restores a *copy* of the best weights;
- ``batchnorm_backward``: the gradients of training-mode batch normalisation;
- ``augmented_epochs``: a fresh augmented copy of the training set every epoch.
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .core import (
    Case,
    Exercise,
    FunctionExercise,
    _check_finite,
    _describe_exception,
    _describe_inputs,
    _Outcome,
    _to_array,
    _type_name,
    _unchanged,
)
from .solutions.ch05 import (
    adam_update,
    augmented_epochs,
    batchnorm_backward,
    dropout_forward,
    fit_with_early_stopping,
    inverse_decay,
    l2_gradient,
    momentum_update,
    nesterov_update,
    proximal_l1_step,
    rmsprop_update,
)

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


# ------------------------------------------------------------- 1. momentum_update


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
                eps=float(rng.choice([1e-8, 1e-3, 0.1])),  # eps must sit in the right place
            )
        )
    yield Case(  # no eps: the default, 1e-8
        dict(
            w=np.array([0.3, -1.0]),
            cache=np.array([0.0, 0.0]),
            g=np.array([1e-3, 0.0]),
            lr=0.1,
            decay=0.9,
        ),
        "eps left at its default",
    )


rmsprop_update = FunctionExercise(
    "rmsprop_update",
    rmsprop_update,
    chapter="ch05",
    prompt=(
        "Write `rmsprop_update(w, cache, g, lr, decay, eps=1e-8)`: cache_new = decay·cache + "
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


# ------------------------------------------------------------- typical mistakes


def _mistakes(*alternatives):
    """A property check naming a typical mistake: alternatives are (compute(args), message).

    It speaks only when the answer matches a wrong formula *and* that formula differs
    from the right one on this case, so a right answer is never blamed.
    """

    def check(got, expected, args):
        for compute, message in alternatives:
            with np.errstate(all="ignore"):  # a wrong formula may divide by 0
                alt = np.asarray(compute(args), dtype=float)
            if (
                alt.shape == got.shape == expected.shape
                and np.all(np.isfinite(alt))
                and np.allclose(got, alt, rtol=1e-7, atol=1e-12)
                and not np.allclose(alt, expected, rtol=1e-7, atol=1e-12)
            ):
                return message
        return None

    return check


# ------------------------------------------------------------- 6. adam_update


def _adam(a, *, t=None, b1=None, b2=None, correct=True, eps_in_root=False, keras=False, m_hat=True):
    """Adam with one deliberate change, for the mistake checks."""
    t = a["t"] if t is None else t
    b1 = a["beta1"] if b1 is None else b1
    b2 = a["beta2"] if b2 is None else b2
    g, lr, eps = a["g"], a["lr"], a["eps"]
    m = b1 * a["m"] + (1 - b1) * g
    v = b2 * a["v"] + (1 - b2) * g * g
    mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
    if keras:
        step = lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    elif eps_in_root:
        step = lr * mh / np.sqrt(vh + eps)
    else:
        step = lr * (mh if m_hat else m) / (np.sqrt(vh) + eps)
    return np.stack([a["w"] - step, m, v])


_ADAM_MISTAKES = _mistakes(
    (
        lambda a: _adam(a, correct=False),
        "no bias correction: m and v start at 0, so in the first steps they are far too "
        "small; divide them by 1 − β₁ᵗ and 1 − β₂ᵗ before the step",
    ),
    (
        lambda a: _adam(a, t=a["t"] + 1),
        "your bias correction uses t + 1: t is already the number of this step, counted "
        "from 1 (the first step has t = 1)",
    ),
    (
        lambda a: _adam(a, t=a["t"] - 1),
        "your bias correction uses t − 1: t is the number of this step, counted from 1, "
        "so the first step corrects by 1 − β₁¹, not by 1 − β₁⁰ = 0",
    ),
    (
        lambda a: _adam(a, eps_in_root=True),
        "ε is inside the square root: this exercise adds ε to √v̂, outside the root",
    ),
    (
        lambda a: _adam(a, keras=True),
        "that is Keras's form, ε added to √v before the bias correction; this exercise "
        "(like the paper and the book's `opt.Adam`) adds ε to √v̂",
    ),
    (
        lambda a: _adam(a, b1=a["beta2"], b2=a["beta1"]),
        "β₁ and β₂ are swapped: β₁ (about 0.9) averages g, β₂ (about 0.999) averages g²",
    ),
    (
        lambda a: _adam(a, m_hat=False),
        "the step uses m, not the bias-corrected m̂ = m / (1 − β₁ᵗ)",
    ),
    (
        lambda a: _corrected_moments(a),
        "w is right, but return the *uncorrected* m and v: the next step updates those, "
        "and corrects them again with its own t",
    ),
)


def _corrected_moments(a):
    w, m, v = _adam(a)
    return np.stack([w, m / (1 - a["beta1"] ** a["t"]), v / (1 - a["beta2"] ** a["t"])])


def _adam_cases(rng):
    w, g = np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0])
    zero = np.zeros(3)
    first = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    yield Case(dict(w=w, m=zero, v=zero, g=g, t=1, **first), "the first step (t = 1)")
    m1, v1 = 0.1 * g, 0.001 * g * g  # the moments after that first step
    yield Case(dict(w=w, m=m1, v=v1, g=-g, t=2, **first), "the second step (t = 2)")
    # a large eps and small gradients: where eps goes matters
    small = rng.normal(size=4) * 0.05
    yield Case(
        dict(
            w=rng.normal(size=4),
            m=zero[:1].repeat(4),
            v=zero[:1].repeat(4),
            g=small,
            t=1,
            lr=0.1,
            beta1=0.8,
            beta2=0.99,
            eps=0.01,
        ),
        "t = 1 with eps = 0.01 and small gradients",
    )
    for t in (3, 10, 100):
        shape = tuple(rng.integers(1, 5, size=rng.integers(1, 3)))
        yield Case(
            dict(
                w=rng.normal(size=shape),
                m=rng.normal(size=shape) * 0.1,
                v=rng.uniform(0.001, 0.1, size=shape),
                g=rng.normal(size=shape),
                t=t,
                lr=float(rng.uniform(0.001, 0.1)),
                beta1=float(rng.uniform(0.8, 0.95)),
                beta2=float(rng.uniform(0.95, 0.999)),
                eps=float(rng.choice([1e-8, 1e-3, 0.1])),
            )
        )


adam_update = FunctionExercise(
    "adam_update",
    adam_update,
    chapter="ch05",
    prompt=(
        "Write `adam_update(w, m, v, g, t, lr, beta1, beta2, eps)`: step number t of Adam "
        "(t = 1 for the very first step, when m and v are still 0), with bias correction. "
        "Update the two running means m and v with the gradient g, correct them for their "
        "zero start, and move w by lr·m̂ / (√v̂ + ε), with ε outside the root (the paper's "
        "form and the book's `opt.Adam`). Return `np.stack([w_new, m_new, v_new])` "
        "(the uncorrected m and v: the next step needs those)."
    ),
    hints=[
        "m and v start at 0, so after one step m = (1 − β₁)·g, ten times too small for "
        "β₁ = 0.9. What factor undoes that at step t?",
        "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ), with the *new* m and v and t counted "
        "from 1; store and return the uncorrected m and v, use the corrected ones for w.",
        "Check your answer on t = 1 by hand: with m = v = 0 before the step, m̂ = g and "
        "v̂ = g², so every weight moves by almost exactly lr in the direction of −g.",
    ],
    cases=_adam_cases,
    shape="(3, *w.shape)",
    checks=[_ADAM_MISTAKES],
    fail_on_warnings=(RuntimeWarning,),
    warning_advice=(
        "At t = 1 neither 1 − β₁ᵗ nor 1 − β₂ᵗ is 0: if you divided by 0, use t itself "
        "(counted from 1), not t − 1"
    ),
    rtol=1e-8,
    atol=1e-12,
)


# ------------------------------------------------------------- 7. nesterov_update


class _Gradient:
    """A seeded, non-quadratic gradient ∇J(w) = A·w + c·tanh(w) (A symmetric): readable in messages."""

    def __init__(self, rng, n):
        B = rng.normal(size=(n, n))
        self.A, self.c = B @ B.T / n + np.eye(n), rng.uniform(0.5, 2.0)

    def __call__(self, w):
        w = np.asarray(w, dtype=float)
        return (self.A @ w.ravel() + self.c * np.tanh(w.ravel())).reshape(w.shape)

    def __repr__(self):
        return "grad_fn"


def _nesterov_cases(rng):
    yield Case(
        dict(
            w=np.array([1.0, -2.0, 0.5]),
            v=np.array([0.3, 0.1, -0.2]),
            grad_fn=_Gradient(rng, 3),
            lr=0.1,
            mu=0.9,
        )
    )
    for _ in range(5):
        n = int(rng.integers(1, 6))
        yield Case(
            dict(
                w=rng.normal(size=n),
                v=rng.normal(size=n) * 0.5,
                grad_fn=_Gradient(rng, n),
                lr=float(rng.uniform(0.01, 0.3)),
                mu=float(rng.uniform(0.5, 0.99)),
            )
        )


def _nag(a, point, *, keep_v=False):
    v_new = a["mu"] * a["v"] - a["lr"] * a["grad_fn"](point)
    return np.stack([a["w"] + v_new, a["v"] if keep_v else v_new])


_NESTEROV_MISTAKES = _mistakes(
    (
        lambda a: _nag(a, a["w"]),
        "that is plain momentum: Nesterov takes the gradient at the look-ahead point "
        "w + mu·v, where the velocity is about to carry the weights, not at w",
    ),
    (
        lambda a: _nag(a, a["w"] - a["mu"] * a["v"]),
        "the look-ahead point has the wrong sign: the velocity carries w to w + mu·v",
    ),
    (
        lambda a: _nag(a, a["w"] + a["v"]),
        "the look-ahead point is w + mu·v: the velocity decays by mu before the step",
    ),
    (
        lambda a: _nag(a, a["w"] + a["mu"] * a["v"], keep_v=True),
        "w is right, but return the *new* velocity: the next step needs it",
    ),
    (
        lambda a: np.stack(
            [
                a["w"] + a["mu"] * (v := _nag(a, a["w"])[1]) - a["lr"] * a["grad_fn"](a["w"]),
                v,
            ]
        ),
        "that is the book's stored look-ahead form (gradient at w, then w + mu·v_new − lr·g): "
        "here w is the weights themselves, so evaluate grad_fn at w + mu·v",
    ),
)


nesterov_update = FunctionExercise(
    "nesterov_update",
    nesterov_update,
    chapter="ch05",
    prompt=(
        "Write `nesterov_update(w, v, grad_fn, lr, mu)`: one step of Nesterov momentum. "
        "`grad_fn(u)` returns the gradient ∇J(u) at any point u of w's shape; Nesterov "
        "takes it where the velocity is about to carry the weights, then updates the "
        "velocity and moves w by it. Return `np.stack([w_new, v_new])`."
    ),
    hints=[
        "Plain momentum uses ∇J(w). Before the gradient step, the velocity alone would "
        "already move w somewhere: where?",
        "Decayed by mu, the velocity carries w to the look-ahead point w + mu·v; the "
        "gradient there replaces ∇J(w) in the momentum rule.",
        "The velocity update is momentum's, mu·v − lr·(gradient), with one change in where "
        "grad_fn is called; w then moves by the new velocity.",
    ],
    cases=_nesterov_cases,
    shape="(2, *w.shape)",
    checks=[_NESTEROV_MISTAKES],
    rtol=1e-8,
    atol=1e-12,
)


# ------------------------------------------------------------- 8. proximal_l1_step


def _soft(z, thr):
    return np.sign(z) * np.maximum(np.abs(z) - thr, 0.0)


_L1_MISTAKES = _mistakes(
    (
        lambda a: a["w"] - a["lr"] * (a["g"] + a["lam"] * np.sign(a["w"])),
        "that is a subgradient step, w − lr·(g + λ·sign(w)): it jumps over 0 instead of "
        "landing on it, so it never gives exact zeros; shrink the gradient step's result "
        "towards 0 and stop at 0",
    ),
    (
        lambda a: _soft(a["w"] - a["lr"] * a["g"], a["lam"]),
        "the threshold is λ; it must be lr·λ, the penalty's share of this one step",
    ),
    (
        lambda a: np.maximum(a["w"] - a["lr"] * a["g"] - a["lr"] * a["lam"], 0.0),
        "negative weights are set to 0: shrink |z| towards 0 and keep z's sign",
    ),
    (
        lambda a: (z := a["w"] - a["lr"] * a["g"]) - a["lr"] * a["lam"] * np.sign(z),
        "weights within lr·λ of 0 cross over to the other sign: they must stop at exactly 0",
    ),
    (
        lambda a: _soft(a["w"], a["lr"] * a["lam"]) - a["lr"] * a["g"],
        "you thresholded before the gradient step: take the step on J first, then shrink",
    ),
    (
        lambda a: a["w"] - a["lr"] * a["g"],
        "no shrinking: after the gradient step, move every weight lr·λ towards 0",
    ),
    (
        lambda a: np.where(np.abs(z := a["w"] - a["lr"] * a["g"]) <= a["lr"] * a["lam"], 0, z),
        "that is hard thresholding: the small weights are 0, but the others must shrink "
        "towards 0 by lr·λ too",
    ),
)


def _exact_zeros(got, expected, args):
    z = args["w"] - args["lr"] * args["g"]
    small = np.abs(z) <= args["lr"] * args["lam"]
    if np.any(got[small] != 0):
        return (
            "where the gradient step lands within lr·λ of 0 the weight must be exactly 0 "
            f"({np.count_nonzero(got[small] != 0)} such weights are not)"
        )
    return None


def _l1_cases(rng):
    yield Case(
        dict(
            w=np.array([0.5, -0.5, 0.02, -0.03, 0.0, 1.0, 0.02]),
            g=np.array([0.1, -0.1, 0.0, 0.1, 0.0, -2.0, 0.5]),  # the last one crosses 0
            lr=0.1,
            lam=0.5,
        ),
        "some weights land within lr·λ of 0",
    )
    for _ in range(5):
        shape = tuple(rng.integers(2, 7, size=2))
        lr, lam = float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.1, 3))
        w = rng.normal(size=shape) * 2 * lr * lam  # about half land inside the threshold
        yield Case(dict(w=w, g=rng.normal(size=shape), lr=lr, lam=lam))


proximal_l1_step = FunctionExercise(
    "proximal_l1_step",
    proximal_l1_step,
    chapter="ch05",
    prompt=(
        "Write `proximal_l1_step(w, g, lr, lam)`: one proximal gradient step on the cost "
        "J + λ·Σ|w|, given g = ∂J/∂w. Take the gradient step on J alone, then apply the "
        "proximal operator of lr·λ·|w| (soft thresholding), so that weights the penalty "
        "should kill become exactly 0. Return w_new, of w's shape."
    ),
    hints=[
        "The plain L1 gradient λ·sign(w) jumps back and forth over 0. The proximal step "
        "splits the update: first the smooth part (J), then the penalty's part.",
        "After z = w − lr·g, the penalty's part minimises ½(u − z)² + lr·λ·|u| for each "
        "weight u: z moves towards 0 by lr·λ, and stops at 0 if it would cross it.",
        "Do it in terms of |z| and sign(z): the new magnitude is |z| − lr·λ, or 0 if that "
        "is negative; the sign stays z's. `np.maximum` handles the 'or 0'.",
    ],
    cases=_l1_cases,
    shape="w.shape",
    checks=[_L1_MISTAKES, _exact_zeros],
    rtol=1e-8,
    atol=1e-12,
)


# ------------------------------------------------------------- 9. fit_with_early_stopping


class ScriptedModel:
    """A stand-in for a network, for checking an early-stopping loop exactly and fast.

    ``params``: a list of NumPy arrays, the live weights. ``step()`` "trains one epoch":
    it overwrites those arrays *in place* with the next epoch's (scripted) weights, as a
    real training loop updates its weights. ``val_loss()`` and ``train_loss()``: the
    losses of the weights now loaded (scripted per epoch; the training loss always falls).
    ``set_params(p)``: copies the arrays of the list ``p`` into ``params``.
    """

    def __init__(self, val_losses: Sequence[float], seed: int = 0, shapes=((3, 2), (2,))):
        rng = np.random.default_rng(seed)
        n = len(val_losses)
        # weights per epoch, 0 being the initial ones; losses per epoch, the initial one high
        self._weights = [[rng.normal(size=s) for s in shapes] for _ in range(n + 1)]
        self._val = [max(val_losses) + 1.0, *map(float, val_losses)]
        self._train = [2.0 / (k + 1) for k in range(n + 1)]
        self.params = [w.copy() for w in self._weights[0]]
        self.epochs_trained = 0
        self.loaded = 0  # the epoch whose weights are in params; -1: none of them
        self.val_calls = self.train_calls = 0
        self.aliased = False  # set_params was handed the live arrays themselves

    def step(self) -> None:
        """Train one more epoch: params now hold that epoch's weights (changed in place)."""
        if self.epochs_trained + 1 >= len(self._weights):
            raise RuntimeError("step() called more than max_epochs times")
        self.epochs_trained += 1
        for p, w in zip(self.params, self._weights[self.epochs_trained]):
            p[...] = w
        self.loaded = self.epochs_trained

    def val_loss(self) -> float:
        """The validation loss of the weights now in params."""
        self.val_calls += 1
        return self._val[self.loaded] if self.loaded >= 0 else math.inf

    def train_loss(self) -> float:
        """The training loss of the weights now in params (it only ever falls)."""
        self.train_calls += 1
        return self._train[self.loaded] if self.loaded >= 0 else math.inf

    def set_params(self, params) -> None:
        """Copy a list of arrays (one per entry of ``self.params``, same shapes) into params."""
        if not isinstance(params, (list, tuple)) or len(params) != len(self.params):
            raise TypeError(
                f"set_params expects a list of {len(self.params)} arrays (like model.params), "
                f"got {_type_name(params)}"
            )
        for p, new in zip(self.params, params):
            new = np.asarray(new)
            if new.shape != p.shape:
                raise ValueError(
                    f"set_params: expected an array of shape {p.shape}, got {new.shape}"
                )
            if np.shares_memory(p, new):
                self.aliased = True
        for p, new in zip(self.params, params):
            p[...] = new
        matches = [
            k
            for k, ws in enumerate(self._weights)
            if all(np.array_equal(p, w) for p, w in zip(self.params, ws))
        ]
        self.loaded = matches[-1] if matches else -1


@dataclass
class _Scenario:
    val_losses: tuple
    patience: int
    note: str
    seed: int = 0


def _early_stopping_scenarios(rng) -> Iterable[_Scenario]:
    yield _Scenario(
        (1.0, 0.8, 0.6, 0.55, 0.58, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2),
        3,
        "a validation loss that falls, then rises",
    )
    yield _Scenario(
        (1.0, 0.9, 0.95, 0.85, 0.9, 0.92, 0.8, 0.75, 0.7, 0.7),
        2,
        "a new best would come one epoch after patience runs out",
    )
    yield _Scenario(
        (1.0, 0.7, 0.7, 0.9, 0.9, 0.95, 1.0, 1.0),
        3,
        "a later epoch only ties the best loss",
        seed=1,
    )
    yield _Scenario(
        (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.47),
        5,
        "max_epochs comes before patience runs out",
        seed=2,
    )
    yield _Scenario((0.5, 0.6, 0.4, 0.3, 0.2), 1, "the best epoch is the first", seed=3)
    for k in range(4):
        n = int(rng.integers(8, 25))
        t = np.arange(n)
        curve = 0.3 + (t - rng.uniform(2, n - 2)) ** 2 / n**2 + rng.uniform(0, 0.05, size=n)
        yield _Scenario(
            tuple(np.round(curve, 6)),
            int(rng.integers(1, 6)),
            "a noisy U-shaped validation loss",
            seed=4 + k,
        )


class EarlyStoppingExercise(Exercise):
    """Checks a reader's early-stopping loop by driving it on :class:`ScriptedModel` s.

    The reader's function gets a fresh model per scenario, plus ``patience`` and
    ``max_epochs``; the reference runs on an identical model. The check compares how many
    epochs were trained, which epoch's weights the model ends with, and the returned
    epoch, and names the usual mistakes (training loss, last weights, aliased copies,
    patience off by one).
    """

    answer_is_function = True  # ``make mutants`` mutates its reference

    def __init__(self, name, reference, *, scenarios, **kw):
        super().__init__(name, reference=reference, **kw)
        self.scenarios = scenarios
        self.seed = 0

    def solution(self):
        """The reference answer's source, highlighted."""
        from ..source import show_source

        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False):
        """Run ``answer(model, patience, max_epochs)`` on every scenario."""
        if (refused := self._not_a_function(answer, strict)) is not None:
            return refused
        n = 0
        for sc in self.scenarios(np.random.default_rng(self.seed)):
            n += 1
            where = f"patience = {sc.patience}, max_epochs = {len(sc.val_losses)}, {sc.note}"
            want = ScriptedModel(sc.val_losses, sc.seed)
            best = self.reference(want, sc.patience, len(sc.val_losses))
            model = ScriptedModel(sc.val_losses, sc.seed)
            try:
                got = answer(model, sc.patience, len(sc.val_losses))
            except NotImplementedError as exc:
                if n == 1:
                    return self._not_attempted(
                        "replace `raise NotImplementedError` with your code", n, strict
                    )
                return self._result(
                    "error", _describe_exception("your function", where, exc), n, strict
                )
            except Exception as exc:
                call = f"`{getattr(answer, '__name__', self.name)}(model, patience, max_epochs)`"
                return self._result("error", _describe_exception(call, where, exc), n, strict)
            message = self._judge(got, best, model, want, sc)
            if message:
                return self._result("failed", f"{message} (for {where})", n, strict)
        return self._result("passed", f"all {n} scenarios passed.", n, strict)

    @staticmethod
    def _judge(got, best, model: ScriptedModel, want: ScriptedModel, sc: _Scenario):
        if model.val_calls == 0 and model.train_calls > 0:
            return (
                "you watched the training loss: it keeps falling as the network memorises "
                "its data; early stopping watches `model.val_loss()`"
            )
        if model.val_calls == 0:
            return "call `model.val_loss()` after every epoch: that is the loss to watch"
        if model.aliased:
            return (
                "the weights you saved as the best were overwritten by later epochs: "
                "`step()` changes the arrays of `model.params` in place, so save copies "
                "(`[p.copy() for p in model.params]`), not the arrays or the list"
            )
        val = sc.val_losses
        if 0 < model.loaded != want.loaded and val[model.loaded - 1] == val[want.loaded - 1]:
            return (
                "a loss equal to the best so far is not an improvement: count only a "
                "strictly lower validation loss as a new best, and keep the first epoch "
                "that reached it"
            )
        if model.epochs_trained != want.epochs_trained:
            diff = model.epochs_trained - want.epochs_trained
            if abs(diff) == 1:
                return (
                    f"you trained one epoch too {'many' if diff > 0 else 'few'}: stop as "
                    f"soon as `patience` epochs in a row have brought no new best"
                )
            return (
                f"you trained {'more' if diff > 0 else 'fewer'} epochs than early stopping "
                f"should: stop once `patience` epochs in a row bring no new best"
            )
        if model.loaded != want.loaded:
            if model.loaded == model.epochs_trained:
                return (
                    "the model ends with the weights of its last epoch: restore the best "
                    "epoch's weights with `model.set_params(...)` before returning"
                )
            return "the model ends with the weights of an epoch that was not the best"
        if got is None:
            return "your function returned None: return the number of the best epoch"
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            return f"return the best epoch as an int, got {_type_name(got)}"
        if got != best:
            if got == best - 1:
                return "count the epochs from 1: the first `step()` trains epoch 1"
            return "the weights are right, but the epoch you returned is not the best one"
        return None


fit_with_early_stopping = EarlyStoppingExercise(
    "fit_with_early_stopping",
    fit_with_early_stopping,
    chapter="ch05",
    scenarios=_early_stopping_scenarios,
    prompt=(
        "Write `fit_with_early_stopping(model, patience, max_epochs)`. `model.step()` trains "
        "one epoch and changes the arrays of the list `model.params` in place; "
        "`model.val_loss()` is the validation loss of the current weights; "
        "`model.set_params(p)` copies a list of arrays into the model. Train at most "
        "`max_epochs` epochs; stop once `patience` epochs in a row have brought no strictly "
        "lower validation loss; leave the model with the weights of its best epoch and "
        "return that epoch's number (the first epoch is 1)."
    ),
    hints=[
        "Keep three things across the loop: the best validation loss so far, the epoch "
        "where it happened, and that epoch's weights.",
        "`step()` overwrites `model.params` in place, so a saved reference (or a list of "
        "the same arrays) silently turns into the latest weights: store copies.",
        "After each epoch either record a new best or check how many epochs have passed "
        "since the best one; when that reaches `patience`, leave the loop. After the loop, "
        "hand the saved copies to `set_params`.",
    ],
)


# ------------------------------------------------------------- 10. batchnorm_backward


class TupleFunctionExercise(FunctionExercise):
    """A function exercise whose answer returns a tuple of arrays, ``parts`` naming them.

    Each part is checked like a :class:`FunctionExercise` result (type, shape, dtype,
    finite values); then ``mistakes(got_parts, expected_parts, args)`` may name a known
    mistake; then each part is compared with the reference's, and the message names it.
    """

    def __init__(self, name, reference, *, parts: Sequence[str], mistakes=None, **kw):
        super().__init__(name, reference, **kw)
        self.parts = tuple(parts)
        self.mistakes = mistakes

    def _run_case(self, answer: Callable, case: Case, *, first: bool) -> _Outcome:
        expected = tuple(_to_array(e) for e in self.reference(*copy.deepcopy(case.args).values()))
        pristine = copy.deepcopy(case.args)
        given = copy.deepcopy(case.args)
        where = _describe_inputs(case)
        call = f"`{getattr(answer, '__name__', self.name)}({', '.join(case.args)})`"
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            try:
                got = answer(*given.values())
            except NotImplementedError as exc:
                if first:
                    return _Outcome("not attempted")
                return _Outcome(
                    "error", _describe_exception(call, _describe_inputs(case, lead=False), exc)
                )
            except Exception as exc:
                return _Outcome(
                    "error", _describe_exception(call, _describe_inputs(case, lead=False), exc)
                )
        for name in case.args:
            if not _unchanged(given[name], pristine[name]):
                return _Outcome(
                    "failed",
                    f"your function changed its argument `{name}` in place; work on a copy "
                    f"(for {where})",
                )
        names = ", ".join(self.parts)
        if got is None:
            return _Outcome(
                "failed", f"your function returned None: return the tuple ({names}) (for {where})"
            )
        if not isinstance(got, (tuple, list)) or len(got) != len(self.parts):
            what = f"{len(got)} values" if isinstance(got, (tuple, list)) else _type_name(got)
            return _Outcome(
                "failed",
                f"should return a tuple ({names}) of {len(self.parts)} arrays, got "
                f"{what} (for {where})",
            )
        for part, g, e in zip(self.parts, got, expected):
            message = self._check_type(g) or self._check_shape_and_dtype(g, e)
            message = message or _check_finite(_to_array(g), e)
            if message:
                return _Outcome("failed", f"{part}: {message} (for {where})")
        got = tuple(_to_array(g) for g in got)
        if self.mistakes is not None:
            message = self.mistakes(got, expected, pristine)
            if message:
                return _Outcome("failed", f"{message} (for {where})")
        for part, g, e in zip(self.parts, got, expected):
            message = self._compare_values(g, e)
            if message:
                return _Outcome("failed", f"{part}: {message} (for {where})")
        return _Outcome("ok")


def _bn_parts(a, *, ddof=0, axis=0, simple=False):
    """Batch norm's (dx, dgamma, dbeta) with one deliberate change, for the mistake checks."""
    x, dout, gamma, eps = a["x"], a["dout"], a["gamma"], a["eps"]
    N = x.shape[axis]
    mean = x.mean(axis=axis, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + eps)
    x_hat = (x - mean) * inv_std
    dbeta, dgamma = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
    dxh = dout * gamma
    if simple:
        return dxh * inv_std, dgamma, dbeta
    s1, s2 = dxh.sum(axis=axis, keepdims=True), (dxh * x_hat).sum(axis=axis, keepdims=True)
    # with ddof, var = Σ(x − mean)² / (N − ddof): the x̂ term's factor changes accordingly
    dx = inv_std / N * (N * dxh - s1 - x_hat * s2 * N / (N - ddof))
    return dx, dgamma, dbeta


def _bn_mistakes(got, expected, args):
    def same(a, b):
        return all(
            np.shape(p) == np.shape(q) and np.allclose(p, q, rtol=1e-7, atol=1e-12)
            for p, q in zip(a, b)
        )

    alternatives = [
        (
            _bn_parts(args, simple=True),
            "dx ignores that every x[n] also moves the batch mean and variance: dout·gamma/√(var + "
            "eps) is only the direct path; subtract the two paths through the mean and the variance",
        ),
        (
            _bn_parts(args, ddof=1),
            "you used the unbiased variance (N − 1): batch norm normalises with the biased one, "
            "x.var(axis=0), as Keras does in training",
        ),
        (
            (expected[0], expected[2], expected[1]),
            "dgamma and dbeta are swapped: dbeta = Σ dout, dgamma = Σ dout·x̂",
        ),
        (
            (expected[0], expected[1] / args["x"].shape[0], expected[2] / args["x"].shape[0]),
            "dgamma and dbeta are N times too small: sum over the batch, do not average",
        ),
    ]
    alternatives.append(
        (
            (_bn_parts(args, axis=1)[0], expected[1], expected[2]),
            "dx normalises over the wrong axis: the mean and variance are over the batch "
            "(axis 0), one per feature",
        )
    )
    for alt, message in alternatives:
        if same(got, alt) and not same(alt, expected):
            return message
    return None


def _bn_cases(rng):
    def case(N, D, note=""):
        return Case(
            dict(
                dout=rng.normal(size=(N, D)),
                x=rng.normal(size=(N, D)) * rng.uniform(0.5, 3, size=D) + rng.normal(size=D),
                gamma=rng.uniform(0.5, 2, size=D),
                eps=float(rng.choice([1e-5, 1e-3])),
            ),
            note,
        )

    yield case(4, 3)
    yield case(2, 5, "a batch of two")
    for _ in range(4):
        yield case(int(rng.integers(3, 12)), int(rng.integers(1, 7)))


batchnorm_backward = TupleFunctionExercise(
    "batchnorm_backward",
    batchnorm_backward,
    chapter="ch05",
    parts=("dx", "dgamma", "dbeta"),
    mistakes=_bn_mistakes,
    prompt=(
        "Training-mode batch normalisation maps x: (N, D) to y = gamma·x̂ + beta, with "
        "x̂ = (x − mean) / √(var + eps), mean and var taken over the batch (axis 0, the "
        "biased variance, as Keras). Write `batchnorm_backward(dout, x, gamma, eps)`: "
        "given dout = ∂J/∂y, return the tuple `(dx, dgamma, dbeta)` of shapes (N, D), "
        "(D,), (D,)."
    ),
    hints=[
        "dbeta and dgamma are sums over the batch, as for any bias and scale. dx is the "
        "hard one: x[n] reaches y through x̂[n] directly, and also through the mean and "
        "the variance, which every sample of the batch shares.",
        "With g = dout·gamma (the gradient at x̂), the three paths add up to "
        "(g − mean of g over the batch − x̂ · mean of g·x̂ over the batch) / √(var + eps). "
        "Derive it once for one feature on paper.",
        "Check yourself with a numerical gradient: perturb one x[n, d] by ±1e-5, recompute "
        "J = Σ dout·y with fresh batch statistics, and compare (J₊ − J₋) / 2e-5 to your dx.",
    ],
    cases=_bn_cases,
    rtol=1e-7,
    atol=1e-10,
)


# ------------------------------------------------------------- 11. augmented_epochs


def _digit_like(rng, n: int) -> np.ndarray:
    """n 28×28 images, flattened to (n, 784): random strokes, so that shifts and turns show."""
    X = np.zeros((n, 28, 28))
    for img in X:
        r, c = rng.integers(6, 22, size=2)
        img[r - 4 : r + 4, c - 1 : c + 1] = 1.0  # a bar ...
        img[r - 4 : r - 2, c - 5 : c + 5] = rng.uniform(0.5, 1.0)  # ... with a cap
    return X.reshape(n, 784)


class AugmentationExercise(Exercise):
    """Checks a per-epoch augmentation generator against the reference, epoch by epoch.

    The reader's function and the reference each get a fresh ``np.random.default_rng``
    with the same seed, so a right answer matches exactly; the usual mistakes (one copy
    for every epoch, no transform, labels that do not follow their images) are named.
    """

    answer_is_function = True  # ``make mutants`` mutates its reference

    def __init__(self, name, reference, **kw):
        super().__init__(name, reference=reference, **kw)
        self.seed = 0

    def solution(self):
        """The reference answer's source, highlighted."""
        from ..source import show_source

        return show_source(self.reference)

    def _cases(self):
        rng = np.random.default_rng(self.seed)
        for n, epochs in ((5, 3), (8, 2), (3, 4)):
            yield _digit_like(rng, n), rng.integers(0, 10, size=n), epochs, int(rng.integers(1000))

    def check(self, answer, *, strict: bool = False):
        """Run ``answer(X, y, epochs, rng)`` on a few small sets; compare every epoch."""
        if (refused := self._not_a_function(answer, strict)) is not None:
            return refused
        n = 0
        for X, y, epochs, seed in self._cases():
            n += 1
            where = f"X of shape {X.shape}, epochs = {epochs}"
            want = list(self.reference(X.copy(), y.copy(), epochs, np.random.default_rng(seed)))
            X_in, y_in = X.copy(), y.copy()
            try:
                got = answer(X_in, y_in, epochs, np.random.default_rng(seed))
                if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], np.ndarray):
                    got = "one pair"
                elif got is not None:
                    got = list(itertools.islice(iter(got), epochs + 1))
            except NotImplementedError as exc:
                if n == 1:
                    return self._not_attempted(
                        "replace `raise NotImplementedError` with your code", n, strict
                    )
                return self._result(
                    "error", _describe_exception("your function", where, exc), n, strict
                )
            except Exception as exc:
                call = f"`{getattr(answer, '__name__', self.name)}(X, y, epochs, rng)`"
                return self._result("error", _describe_exception(call, where, exc), n, strict)
            message = self._judge(got, want, X, y, X_in, y_in)
            if message:
                return self._result("failed", f"{message} (for {where})", n, strict)
        return self._result("passed", f"all {n} cases passed.", n, strict)

    @staticmethod
    def _judge(got, want, X, y, X_in, y_in):
        if not (np.array_equal(X, X_in) and np.array_equal(y, y_in)):
            return "your function changed X or y in place; work on copies"
        if got is None:
            return "your function returned None: `yield` one (X_epoch, y_epoch) pair per epoch"
        if isinstance(got, str):
            return (
                "your function returned one (X, y) pair: `yield` a fresh pair in every "
                "epoch instead (a generator, or a list of one pair per epoch)"
            )
        if len(got) != len(want):
            return f"it produced {len(got)} epochs' sets; one per epoch, `epochs` in all"
        for k, item in enumerate(got):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                return (
                    "each epoch must give a pair (X_epoch, y_epoch); "
                    f"epoch {k + 1} gave {_type_name(item)}"
                )
        N = X.shape[0]
        for k, ((Xg, _), (Xw, _)) in enumerate(zip(got, want)):
            Xg = np.asarray(Xg)
            if Xg.shape != Xw.shape:
                return (
                    f"epoch {k + 1}: X_epoch should hold the originals and one copy, "
                    f"shape {Xw.shape}, got {Xg.shape}"
                )
            if np.allclose(Xg[N:], X):
                return (
                    "the copies are the originals unchanged: shift and rotate them "
                    "(`augment_mnist` does both)"
                )
            if k > 0 and np.allclose(Xg, np.asarray(got[0][0])):
                return (
                    "every epoch yields the same augmented copy: it was drawn once (or "
                    "from a fixed seed); draw a fresh one inside the loop, with `rng`"
                )
        for k, ((Xg, yg), (Xw, yw)) in enumerate(zip(got, want)):
            Xg, yg = np.asarray(Xg), np.asarray(yg)
            if not np.allclose(Xg, Xw, rtol=1e-12, atol=1e-12):
                return (
                    f"epoch {k + 1}'s images differ from the expected ones: call "
                    "`augment_mnist(X, y, rng=rng)` "
                    "exactly once per epoch, with the rng you were given"
                )
            if yg.shape != yw.shape:
                return (
                    f"epoch {k + 1}: y_epoch must hold one label per image of X_epoch, "
                    f"shape {yw.shape}, got {yg.shape}"
                )
            if not np.array_equal(yg, yw):
                return (
                    "the labels do not follow their images: the copy of image n keeps "
                    "label y[n]; never shuffle images and labels separately"
                )
        return None


augmented_epochs = AugmentationExercise(
    "augmented_epochs",
    augmented_epochs,
    chapter="ch05",
    prompt=(
        "Write a generator `augmented_epochs(X, y, epochs, rng)` that yields, for each of "
        "the `epochs` epochs, the training set `(X_epoch, y_epoch)`: the originals plus a "
        "*fresh* shifted and rotated copy of every image, made with "
        "`augment_mnist(X, y, rng=rng)` "
        "(from `lazynb.augment`)."
    ),
    hints=[
        "A copy drawn once before training is just a bigger fixed training set: the point "
        "is that the network never sees the same version of an image twice.",
        "A generator function uses `yield` inside a loop over the epochs; what it yields "
        "each time must be made inside that loop, from the same `rng` (which moves on "
        "with every draw).",
        "`augment_mnist` already returns the originals first and keeps every label next "
        "to its image; do not shuffle or re-draw the labels yourself.",
    ],
)
