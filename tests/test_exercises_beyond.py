"""The "Beyond" chapter's exercises: references pass (and agree with Keras), mistakes fail."""

import numpy as np
import pytest

from lazynb.exercises import beyond
from lazynb.exercises.solutions import beyond as sol

from exercise_helpers import (
    assert_fails,
    check_hints,
    check_raising_is_error,
    check_reference_leaves_inputs_alone,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
)
from tf_helpers import quiet_tensorflow

EXERCISES = [beyond.conv2d_valid, beyond.rnn_forward]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "beyond")
    check_reference_leaves_inputs_alone(ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "beyond")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hints_and_solution(ex):
    check_hints(ex, "beyond")
    check_solution_shows_def(ex)
    assert "def " not in ex.hints[-1] and "return" not in ex.hints[-1]  # a nudge, not the code


def test_references_come_from_the_solutions_module():
    assert beyond.conv2d_valid.reference is sol.conv2d_valid
    assert beyond.rnn_forward.reference is sol.rnn_forward


# --------------------------------------------------------------- against Keras


def test_conv2d_reference_matches_keras_conv2d():
    quiet_tensorflow()
    import keras

    rng = np.random.default_rng(1)
    X, K = rng.normal(size=(7, 9)), rng.normal(size=(3, 2))
    layer = keras.layers.Conv2D(1, K.shape, use_bias=False, dtype="float64")
    layer.build((1, *X.shape, 1))
    layer.kernel.assign(K[:, :, None, None])
    want = layer(X[None, :, :, None]).numpy()[0, :, :, 0]
    np.testing.assert_allclose(sol.conv2d_valid(X, K), want, rtol=1e-12, atol=1e-12)


def test_rnn_reference_matches_keras_simplernn():
    tf = quiet_tensorflow()
    import keras

    rng = np.random.default_rng(2)
    N, T, D, H = 3, 5, 2, 4
    X = rng.normal(size=(N, T, D))
    Wx, Wh, b = rng.normal(size=(D, H)), rng.normal(size=(H, H)) * 0.5, rng.normal(size=H)
    h0 = rng.normal(size=(N, H)) * 0.5
    layer = keras.layers.SimpleRNN(H, return_sequences=True, dtype="float64")
    layer.build((N, T, D))
    layer.cell.kernel.assign(Wx)
    layer.cell.recurrent_kernel.assign(Wh)
    layer.cell.bias.assign(b)
    want = layer(tf.constant(X), initial_state=[tf.constant(h0)]).numpy()
    np.testing.assert_allclose(sol.rnn_forward(X, Wx, Wh, b, h0), want, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------- typical mistakes


def _correlate(X, K):
    return np.einsum("ijuv,uv->ij", np.lib.stride_tricks.sliding_window_view(X, K.shape), K)


def test_conv2d_wrong_answers():
    ex = beyond.conv2d_valid
    assert_fails(ex, lambda X, K: _correlate(X, K[::-1, ::-1]), "flipped the filter")
    assert_fails(ex, lambda X, K: _correlate(X, K.T), "filter transposed")

    def same_size(X, K):  # zero padding: Keras's padding="same"
        kh, kw = K.shape
        return _correlate(np.pad(X, ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2))), K)

    def one_short(X, K):  # range(H - kh) instead of range(H - kh + 1)
        kh, kw = K.shape
        rows, cols = X.shape[0] - kh, X.shape[1] - kw
        return np.array(
            [[np.sum(K * X[i : i + kh, j : j + kw]) for j in range(cols)] for i in range(rows)]
        )

    def patch_too_small(X, K):  # X[i : i + kh - 1]: the patch misses the filter's last row
        kh, kw = K.shape
        out = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] = np.sum(K[:-1, :-1] * X[i : i + kh - 1, j : j + kw - 1])
        return out

    result = assert_fails(ex, same_size, "shape should be (H - kh + 1, W - kw + 1) = (3, 4)")
    assert "got (5, 6)" in result.message
    assert_fails(ex, one_short, "got (2, 3)")
    assert_fails(ex, lambda X, K: _correlate(X, K).T, "got (4, 3)")  # axes swapped
    assert_fails(ex, patch_too_small, "values differ")
    assert_fails(ex, lambda X, K: _correlate(X, K).sum(), "single number")  # summed it all
    assert_fails(ex, lambda X, K: None, "returned None")

    def square_only(X, K):  # right only when the output is square: swapped axes show there
        Z = _correlate(X, K)
        return Z.T if Z.shape[0] == Z.shape[1] else Z

    assert_fails(ex, square_only, "output are swapped")


def _rnn(X, Wx, Wh, b, h0, *, step):
    h, out = h0, []
    for t in range(X.shape[1]):
        h, keep = step(X[:, t], h, Wx, Wh, b)
        out.append(keep)
    return np.stack(out, axis=1)


def test_rnn_wrong_answers():
    ex = beyond.rnn_forward

    def answer(step):
        return lambda X, Wx, Wh, b, h0: _rnn(X, Wx, Wh, b, h0, step=step)

    def right(x, h, Wx, Wh, b):
        h = np.tanh(x @ Wx + h @ Wh + b)
        return h, h

    assert ex.check(answer(right)).passed
    no_h = answer(lambda x, h, Wx, Wh, b: (h, np.tanh(x @ Wx + b)))
    assert_fails(ex, no_h, "h_{t−1} Wh term is missing")

    def late(x, h, Wx, Wh, b):  # stores the state before the update
        return np.tanh(x @ Wx + h @ Wh + b), h

    assert_fails(ex, answer(late), "one step late")

    def transposed(x, h, Wx, Wh, b):
        h = np.tanh(x @ Wx + h @ Wh.T + b)
        return h, h

    assert_fails(ex, answer(transposed), "Wh is used transposed")

    def linear(x, h, Wx, Wh, b):
        h = x @ Wx + h @ Wh + b
        return h, h

    assert_fails(ex, answer(linear), "tanh is missing")

    def no_bias(x, h, Wx, Wh, b):
        h = np.tanh(x @ Wx + h @ Wh)
        return h, h

    assert_fails(ex, answer(no_bias), "bias b is missing")

    def from_zeros(X, Wx, Wh, b, h0):
        return _rnn(X, Wx, Wh, b, np.zeros_like(h0), step=right)

    assert_fails(ex, from_zeros, "not from zeros")

    def always_h0(X, Wx, Wh, b, h0):  # h_t from h0 every step: the state is never carried
        return np.stack([np.tanh(X[:, t] @ Wx + h0 @ Wh + b) for t in range(X.shape[1])], 1)

    assert_fails(ex, always_h0, "values differ")

    def last_only(X, Wx, Wh, b, h0):
        return _rnn(X, Wx, Wh, b, h0, step=right)[:, -1]

    assert_fails(ex, last_only, "shape should be (N, T, H) = (2, 3, 3), got (2, 3)")

    def time_first(X, Wx, Wh, b, h0):  # stacked along axis 0: (T, N, H)
        return np.swapaxes(_rnn(X, Wx, Wh, b, h0, step=right), 0, 1)

    assert_fails(ex, time_first, "got (3, 2, 3)")

    def loops_over_sequences(X, Wx, Wh, b, h0):  # X[t] is sequence t, not time step t
        h, out = h0, []
        for t in range(X.shape[0]):
            h = np.tanh(X[t] @ Wx + h @ Wh + b)
            out.append(h)
        return np.stack(out, axis=1)

    result = assert_fails(ex, loops_over_sequences, "ValueError", status="error")
    assert "in your line" in result.message
