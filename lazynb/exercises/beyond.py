"""The "Beyond" chapter: exercises on the two new kinds of layer, convolution and recurrence.

The reference answers are plain functions in :mod:`lazynb.exercises.solutions.beyond`, under
the names the reader uses; this module imports each one and rebinds its name to the
:class:`FunctionExercise` that wraps it (``.reference`` is the function). Keeping them apart
lets ``make mutants`` mutate the answers, never the checkers.

- ``conv2d_valid``: a single-channel 'valid' convolution as deep-learning libraries compute
  it (a cross-correlation: the filter is not flipped); the checker names a flipped or
  transposed filter and swapped output axes;
- ``rnn_forward``: a SimpleRNN's forward pass over time, returning every state; the checker
  names a missing recurrence, states one step late, a transposed ``Wh``, a start from zeros
  instead of ``h0``, a missing ``tanh`` and a missing bias.
"""

from __future__ import annotations

import numpy as np

from .core import Case, FunctionExercise
from .solutions.beyond import conv2d_valid, rnn_forward

__all__ = ["conv2d_valid", "rnn_forward"]


def _mistakes(*alternatives):
    """A property check naming typical mistakes: alternatives are (compute(args), message).

    It speaks only when the answer matches a wrong formula *and* that formula differs from
    the right one on this case, so a right answer is never blamed.
    """

    def check(got, expected, args):
        for compute, message in alternatives:
            try:
                alt = np.asarray(compute(args), dtype=float)
            except ValueError:  # the wrong formula does not fit this case (a filter too wide)
                continue
            if (
                alt.shape == got.shape == expected.shape
                and np.allclose(got, alt, rtol=1e-7, atol=1e-10)
                and not np.allclose(alt, expected, rtol=1e-7, atol=1e-10)
            ):
                return message
        return None

    return check


# ------------------------------------------------------------- 1. conv2d_valid


def _correlate(X, K):
    """Every 'valid' position at once (the checker's own, independent of the reference)."""
    patches = np.lib.stride_tricks.sliding_window_view(X, K.shape)
    return np.einsum("ijuv,uv->ij", patches, K)


def _conv_cases(rng):
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    yield Case(dict(X=rng.uniform(0, 1, size=(5, 6)), K=sobel), "a vertical-edge filter")
    yield Case(dict(X=rng.normal(size=(4, 7)), K=np.array([[1.0, 2.0], [3.0, 4.0]])))
    yield Case(dict(X=rng.normal(size=(3, 5)), K=np.array([[-1.5]])), "a 1x1 filter")
    yield Case(dict(X=rng.normal(size=(3, 4)), K=rng.normal(size=(3, 4))), "filter as big as X")
    yield Case(dict(X=rng.normal(size=(6, 5)), K=rng.normal(size=(3, 2))), "a square output")
    for kh, kw in ((3, 3), (2, 3), (3, 2), (1, 4), (4, 2)):
        H, W = int(rng.integers(kh + 1, 9)), int(rng.integers(kw + 2, 10))
        yield Case(dict(X=rng.normal(size=(H, W)), K=rng.normal(size=(kh, kw))))


conv2d_valid = FunctionExercise(
    "conv2d_valid",
    conv2d_valid,
    chapter="beyond",
    prompt=(
        "Write `conv2d_valid(X, K)` for a 2-D image X (H, W) and a filter K (kh, kw): "
        "slide K over every position where it fits entirely inside X and return the map "
        "Z (H − kh + 1, W − kw + 1) with Z[i, j] = Σ_u Σ_v K[u, v]·X[i + u, j + v], as "
        "Keras's Conv2D computes it (without bias and activation). Use NumPy, not a library "
        "convolution."
    ),
    hints=[
        "Count the positions first: along the rows the filter's top edge can sit at rows "
        "0, 1, …, H − kh, which is H − kh + 1 places (and the same along the columns).",
        "At position (i, j) the filter covers the patch X[i : i + kh, j : j + kw]; the output "
        "is the sum of the patch multiplied element by element by K, with K as it is: a "
        "textbook convolution would flip K, deep-learning libraries do not.",
    ],
    cases=_conv_cases,
    shape="(H - kh + 1, W - kw + 1)",
    checks=[
        _mistakes(
            (
                lambda a: _correlate(a["X"], a["K"][::-1, ::-1]),
                "you flipped the filter: that is the textbook convolution; Conv2D (and this "
                "exercise) multiplies K[u, v] with X[i + u, j + v], K unflipped",
            ),
            (
                lambda a: _correlate(a["X"], a["K"].T),
                "you used the filter transposed: K[u, v] goes with X[i + u, j + v], u counting "
                "rows (down) and v columns (across)",
            ),
            (
                lambda a: _correlate(a["X"], a["K"]).T,
                "the rows and columns of the output are swapped: Z[i, j] is the patch whose top "
                "left corner is row i, column j of X",
            ),
        )
    ],
)


# ------------------------------------------------------------- 2. rnn_forward


def _rnn(args, *, recurrent=True, shift=False, Wh_T=False, zero_start=False, act=np.tanh, bias=1):
    """The recurrence with one thing changed, to recognise the usual mistakes."""
    X, Wx, Wh, b, h0 = (args[k] for k in ("X", "Wx", "Wh", "b", "h0"))
    Wh = Wh.T if Wh_T else Wh
    h = np.zeros_like(h0) if zero_start else h0
    states = []
    for t in range(X.shape[1]):
        before = h
        h = act(X[:, t] @ Wx + (h @ Wh if recurrent else 0) + bias * b)
        states.append(before if shift else h)
    return np.stack(states, axis=1)


def _rnn_case(rng, N, T, D, H, *, zero_h0=False, note=""):
    scale = 1 / np.sqrt(H)
    return Case(
        dict(
            X=rng.normal(size=(N, T, D)),
            Wx=rng.normal(size=(D, H)),
            Wh=rng.normal(size=(H, H)) * 1.5 * scale,
            b=rng.normal(size=H) * 0.5,
            h0=np.zeros((N, H)) if zero_h0 else rng.normal(size=(N, H)) * 0.5,
        ),
        note,
    )


def _rnn_cases(rng):
    yield _rnn_case(rng, 2, 3, 2, 3)
    yield _rnn_case(rng, 1, 1, 1, 2, note="one step")
    yield _rnn_case(rng, 3, 5, 1, 4, zero_h0=True, note="h0 = 0")
    for N, T, D, H in ((4, 6, 3, 5), (5, 2, 2, 3), (2, 7, 4, 2), (3, 4, 1, 6)):
        yield _rnn_case(rng, N, T, D, H)


rnn_forward = FunctionExercise(
    "rnn_forward",
    rnn_forward,
    chapter="beyond",
    prompt=(
        "Write `rnn_forward(X, Wx, Wh, b, h0)`: the forward pass of a simple RNN, "
        "h_t = tanh(x_t Wx + h_{t−1} Wh + b) for t = 1 … T, starting from h0. X is (N, T, D) "
        "(N sequences of T steps of D numbers, as Keras stores them), Wx (D, H), Wh (H, H), "
        "b (H,), h0 (N, H). Return every state h_1 … h_T as one array (N, T, H), as "
        "`SimpleRNN(H, return_sequences=True)` does."
    ),
    hints=[
        "Loop over time, which is axis 1 of X: X[:, t] is the (N, D) batch of inputs at step t. "
        "Keep the current state h in a variable that starts as h0.",
        "At every step compute the new state from x_t and the *previous* state, overwrite h "
        "with it, and only then store it; at the end stack the T stored states along axis 1.",
    ],
    cases=_rnn_cases,
    shape="(N, T, H)",
    checks=[
        _mistakes(
            (
                lambda a: _rnn(a, recurrent=False),
                "each state must also depend on the previous one: the h_{t−1} Wh term is missing",
            ),
            (
                lambda a: _rnn(a, shift=True),
                "your states are one step late: position t must hold the state after reading "
                "x_t (h_1 … h_T), not the one before it (h_0 … h_{T−1})",
            ),
            (
                lambda a: _rnn(a, Wh_T=True),
                "Wh is used transposed: the row index of Wh is the previous state's unit, so "
                "write h_{t−1} @ Wh (not Wh @ h or h @ Wh.T)",
            ),
            (
                lambda a: _rnn(a, zero_start=True),
                "start from the given h0, not from zeros",
            ),
            (
                lambda a: _rnn(a, act=lambda z: z),
                "the tanh is missing: the state is the tanh of the weighted sum",
            ),
            (
                lambda a: _rnn(a, bias=0),
                "the bias b is missing from the weighted sum",
            ),
        )
    ],
)
