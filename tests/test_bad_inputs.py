"""Realistic mistakes that used to give a plausible but wrong answer now raise a clear error."""

import warnings

import numpy as np
import pytest

from lazynb.augment import augment_mnist, rotate_images, shift_images
from lazynb.data.utils import minibatches, train_test_split
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.metrics import classification_rate, error_rate
from lazynb.neuron import LogisticUnit, logistic_unit

# --- metrics: == on the wrong kind of labels ---------------------------------------------------

T = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("metric", [classification_rate, error_rate])
def test_metrics_refuse_probabilities_instead_of_labels(metric):
    # Was 0.0 (rate) / 1.0 (error): no probability equals a label.
    with pytest.raises(ValueError, match=r"class labels .*p >= 0.5"):
        metric(T, np.array([0.2, 0.9, 0.7, 0.4]))
    with pytest.raises(ValueError, match="targets must be class labels"):
        metric(np.array([0.2, 0.9, 0.7, 0.4]), T)


@pytest.mark.parametrize("metric", [classification_rate, error_rate])
def test_metrics_refuse_nan_labels(metric):
    # Was 0.75 / 0.25: the NaN silently counted as a wrong prediction.
    with pytest.raises(ValueError, match="NaN"):
        metric(T, np.array([0, 1, np.nan, 0]))


@pytest.mark.parametrize("metric", [classification_rate, error_rate])
def test_metrics_refuse_strings_compared_with_numbers(metric):
    # Was 0.0 / 1.0: "1" != 1.
    with pytest.raises(TypeError, match="both be numeric"):
        metric(np.array(["0", "1", "1", "0"]), T)


def test_metrics_still_accept_whole_floats_bools_and_string_labels():
    assert classification_rate(T.astype(np.float32), T) == 1.0
    assert error_rate(T.astype(bool), np.array([0, 1, 0, 0])) == 0.25
    assert classification_rate(np.array(["cat", "dog"]), np.array(["cat", "cat"])) == 0.5


# --- gradcheck: NaN compares False both ways -----------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_relative_error_refuses_non_finite_gradients(bad):
    # Was nan: `nan < 1e-6` and `nan > 1e-6` are both False, so checks could pass silently.
    with pytest.raises(ValueError, match="NaN or infinity"):
        relative_error(np.array([bad, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="b contains"):
        relative_error(np.array([1.0, 1.0]), np.array([1.0, bad]))


def test_relative_error_refuses_an_infinite_floor():
    # Was 0.0 for any pair: every difference divided by inf.
    with pytest.raises(ValueError, match="floor"):
        relative_error(np.array([1.0]), np.array([2.0]), floor=np.inf)


@pytest.mark.parametrize("order", [2, 4])
def test_numerical_gradient_refuses_a_function_that_is_not_finite_nearby(order):
    # sqrt(-1e-6) is nan: was a gradient of nan with only a RuntimeWarning.
    x = np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"f returned nan at x\[0\]"):
            numerical_gradient(lambda v: np.sqrt(v).sum(), x, order=order)
    np.testing.assert_array_equal(x, [0.0, 1.0])  # restored even after the error


def test_numerical_gradient_accepts_a_numpy_float_step():
    g = numerical_gradient(lambda v: (v**2).sum(), np.array([1.0, -2.0]), h=np.float64(1e-4))
    np.testing.assert_allclose(g, [2.0, -4.0], rtol=1e-8)


# --- neuron ------------------------------------------------------------------------------------


def test_logistic_unit_refuses_a_bool_bias():
    with pytest.raises(TypeError, match="bias"):
        logistic_unit(np.ones((2, 2)), np.ones(2), True)


def test_logistic_unit_score_refuses_labels_it_can_never_predict():
    rng = np.random.default_rng(0)
    unit = LogisticUnit(epochs=3).fit(rng.normal(size=(10, 2)), np.arange(10) % 2)
    # Was 1/3 for labels [0, 2, 1]: a three-class label vector scored as if binary.
    with pytest.raises(ValueError, match="binary labels 0 or 1"):
        unit.score(np.ones((3, 2)), [0, 2, 1])


# --- augment: complex amounts lost their imaginary part --------------------------------------


def test_augment_amounts_must_be_real():
    img = np.eye(4).ravel()
    with pytest.raises(TypeError, match="dx must be a real number"):
        shift_images(img, 1 + 2j, 0)
    with pytest.raises(TypeError, match="degrees must be a real number"):
        rotate_images(img, np.array(10 + 1j))
    assert augment_mnist(img[None], [3])[0].shape == (2, 16)


# --- data: a string flag is truthy -----------------------------------------------------------


def test_minibatch_and_split_flags_must_be_bools():
    X = np.arange(10)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        minibatches(X, batch_size=3, shuffle="False")  # was: shuffled anyway
    with pytest.raises(TypeError, match="drop_last must be True or False"):
        minibatches(X, batch_size=3, drop_last="no")
    with pytest.raises(TypeError, match="stratify must be True or False"):
        train_test_split(X, X % 2, stratify="no")
    # NumPy bools (e.g. from a comparison) are fine.
    assert [
        len(b)
        for b in minibatches(X, batch_size=3, shuffle=np.bool_(False), drop_last=np.bool_(True))
    ] == [3, 3, 3]
    assert len(train_test_split(X, X % 2, stratify=np.bool_(True))[0]) == 8
