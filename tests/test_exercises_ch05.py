"""Chapter 5's exercises: the reference passes, stubs and crashes are reported, typical mistakes fail."""

import numpy as np
import pytest

from lazynb.exercises import ch05

from exercise_helpers import (
    assert_fails,
    check_hints,
    check_raising_is_error,
    check_reference_passes,
    check_solution_shows_def,
    check_stub_not_attempted,
)

EXERCISES = [
    ch05.momentum_update,
    ch05.rmsprop_update,
    ch05.inverse_decay,
    ch05.l2_gradient,
    ch05.dropout_forward,
]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_reference_passes(ex):
    check_reference_passes(ex, "ch05")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_stub_is_not_attempted(ex):
    check_stub_not_attempted(ex, "ch05")


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_raising_answer_is_an_error(ex):
    check_raising_is_error(ex)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_hints_and_solution(ex):
    check_hints(ex, "ch05")
    check_solution_shows_def(ex)


# --------------------------------------------------------------- typical mistakes


def test_momentum_wrong_answers():
    ex = ch05.momentum_update
    assert_fails(ex, lambda w, v, g, lr, mu: np.stack([w + v, mu * v - lr * g]), "values differ")
    assert_fails(
        ex, lambda w, v, g, lr, mu: np.stack([w - lr * g, mu * v - lr * g]), "values differ"
    )
    assert_fails(ex, lambda w, v, g, lr, mu: w + mu * v - lr * g, "shape")  # forgot the velocity


def test_rmsprop_wrong_answers():
    ex = ch05.rmsprop_update

    def no_one_minus(w, c, g, lr, d, eps=1e-8):
        c = d * c + g * g
        return np.stack([w - lr * g / (np.sqrt(c) + eps), c])

    def old_cache(w, c, g, lr, d, eps=1e-8):
        return np.stack([w - lr * g / (np.sqrt(c) + eps), d * c + (1 - d) * g * g])

    def no_sqrt(w, c, g, lr, d, eps=1e-8):
        c = d * c + (1 - d) * g * g
        return np.stack([w - lr * g / (c + eps), c])

    for wrong in (no_one_minus, old_cache, no_sqrt):
        assert_fails(ex, wrong, "values differ")


def test_inverse_decay_wrong_answers():
    ex = ch05.inverse_decay
    assert_fails(ex, lambda A, k, t: A / (k * t), "NaN or infinity")  # no + 1 (t = 0 -> inf)
    assert_fails(ex, lambda A, k, t: A / (k * (t + 1)), "initial rate A")
    assert_fails(ex, lambda A, k, t: A * (k * t + 1), "must not grow")
    assert_fails(ex, lambda A, k, t: A * np.exp(-k * t), "values differ")  # exponential decay


def test_l2_wrong_answers():
    ex = ch05.l2_gradient
    assert_fails(ex, lambda gW, W, lam: gW + lam * W, "values differ")  # the 1/2 convention
    assert_fails(ex, lambda gW, W, lam: 2 * lam * W, "values differ")  # forgot the data term
    assert_fails(ex, lambda gW, W, lam: gW + lam * np.sign(W), "values differ")  # that is L1


def test_dropout_wrong_answers():
    ex = ch05.dropout_forward
    assert_fails(ex, lambda X, m, p: X * m, "values differ")  # not inverted
    assert_fails(ex, lambda X, m, p: X * m * p, "values differ")  # scaled the wrong way
    assert_fails(ex, lambda X, m, p: X * (1 - m) / p, "exactly 0")  # mask inverted
    assert_fails(ex, lambda X, m, p: X / p, "exactly 0")  # ignored the mask


def test_answers_must_not_change_inputs():
    def in_place(w, v, g, lr, mu):
        v *= mu
        v -= lr * g
        return np.stack([w + v, v])

    result = ch05.momentum_update.check(in_place)
    assert result.status == "failed"
    assert "modif" in result.message.lower() or "chang" in result.message.lower(), result.message
