"""Activation functions: values, derivatives (gradient-checked), stability up to +-1e4, dtypes, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from lazynb.activations import (
    ACTIVATIONS,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu_branch,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_naive,
    tanh,
    tanh_grad,
)
from lazynb.gradcheck import numerical_gradient, relative_error

ELEMENTWISE = [
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
    relu,
    relu_branch,
    relu_grad,
    leaky_relu,
    leaky_relu_grad,
    identity,
    identity_grad,
]
PAIRS = [(f, g) for f, g in ACTIVATIONS.values()]


def big_arrays(dtype):
    """Arrays of 1 to 3 axes with values anywhere in [-1e4, 1e4]."""
    return arrays(
        dtype,
        array_shapes(min_dims=1, max_dims=3, max_side=6),
        elements=st.floats(-1e4, 1e4, width=32),
    )


@pytest.mark.parametrize("f", ELEMENTWISE, ids=lambda f: f.__name__)
@given(a=big_arrays(np.float64), b=big_arrays(np.float32))
@settings(max_examples=40, deadline=None)
def test_elementwise_is_finite_warning_free_and_keeps_shape_and_dtype(f, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (a, b):
            y = f(x)
            assert y.shape == x.shape and y.dtype == x.dtype
            assert np.all(np.isfinite(y))


@given(a=big_arrays(np.float64))
@settings(max_examples=100, deadline=None)
def test_the_two_relu_forms_agree(a):
    assert np.array_equal(relu(a), relu_branch(a))
    assert np.array_equal(relu(a), np.maximum(a, 0))


def test_values():
    a = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    assert np.array_equal(relu(a), [0, 0, 0, 0.5, 3])
    assert not np.any(np.signbit(relu(a)))  # no -0.0 in printed output
    assert np.array_equal(relu_grad(a), [0, 0, 0, 1, 1])
    assert np.allclose(leaky_relu(a), [-0.02, -0.005, 0, 0.5, 3])
    assert np.allclose(leaky_relu(a, alpha=0.2), [-0.4, -0.1, 0, 0.5, 3])
    assert np.allclose(leaky_relu_grad(a, 0.2), [0.2, 0.2, 0.2, 1, 1])
    assert np.allclose(leaky_relu(a, alpha=0), relu(a))
    assert np.allclose(tanh(a), np.tanh(a)) and np.allclose(tanh(a), 2 * sigmoid(2 * a) - 1)
    assert np.allclose(tanh_grad(a), 1 / np.cosh(a) ** 2)
    assert np.array_equal(identity(a), a) and np.array_equal(identity_grad(a), np.ones(5))
    assert (
        tanh(1e4) == 1.0
        and relu(3) == 3.0
        and relu(np.array([7], dtype=np.int64)).dtype == np.float64
    )


@pytest.mark.parametrize("f, f_grad", PAIRS, ids=list(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2)])
def test_derivatives_pass_the_gradient_check(f, f_grad, shape):
    rng = np.random.default_rng(sum(shape))
    a = rng.normal(size=shape) * 3
    a[np.abs(a) < 1e-3] = 0.5  # stay off the kink of ReLU at 0
    num = numerical_gradient(lambda z: f(z).sum(), a.copy())
    assert relative_error(f_grad(a), num) < 1e-6


def test_leaky_relu_gradient_check_with_other_slope():
    a = np.random.default_rng(4).normal(size=(5, 3))
    num = numerical_gradient(lambda z: leaky_relu(z, 0.3).sum(), a.copy())
    assert relative_error(leaky_relu_grad(a, 0.3), num) < 1e-6


@given(
    A=arrays(
        np.float64, array_shapes(min_dims=1, max_dims=3, max_side=6), elements=st.floats(-1e4, 1e4)
    ),
    use32=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_softmax_and_log_softmax_are_stable(A, use32):
    A = A.astype(np.float32) if use32 else A
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for axis in range(-A.ndim, A.ndim):
            S, L = softmax(A, axis=axis), log_softmax(A, axis=axis)
            assert S.dtype == L.dtype == A.dtype and S.shape == L.shape == A.shape
            assert np.all(np.isfinite(S)) and np.all(np.isfinite(L))
            assert np.all((S >= 0) & (S <= 1)) and np.all(L <= 0)
            tol = 1e-5 if use32 else 1e-12
            assert np.allclose(S.sum(axis=axis), 1, atol=tol)
            assert np.allclose(np.exp(L), S, atol=tol)


def test_softmax_matches_the_formula_and_ignores_shifts():
    A = np.random.default_rng(0).normal(size=(4, 5))
    assert np.allclose(softmax(A), softmax_naive(A))
    assert np.allclose(softmax(A), np.exp(A) / np.exp(A).sum(axis=1, keepdims=True))
    assert np.allclose(softmax(A + 100.0), softmax(A))
    assert np.allclose(softmax(A, axis=0).sum(axis=0), 1)
    assert np.allclose(log_softmax(A), np.log(softmax(A)))
    assert np.allclose(softmax(np.zeros(4)), 0.25)


def test_naive_softmax_overflows_where_the_stable_one_does_not():
    A = np.array([[1000.0, 0.0], [1.0, 2.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        S = softmax_naive(A)
    assert any("overflow" in str(w.message) for w in caught)
    assert np.isnan(S[0, 0]) and np.allclose(S[1], softmax(A)[1])
    assert np.allclose(softmax(A)[0], [1, 0])
    with np.errstate(over="ignore", invalid="ignore"):  # the documented way to show it quietly
        assert np.isnan(softmax_naive(np.float32([[100.0, 0.0]]))).any()


def test_lookup_by_name():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "identity"}
    assert get_activation("relu") == (relu, relu_grad)
    with pytest.raises(ValueError, match="identity, leaky_relu, relu, sigmoid, tanh"):
        get_activation("softplus")
    with pytest.raises(TypeError, match="name"):
        get_activation(relu)


@pytest.mark.parametrize(
    "f", ELEMENTWISE + [softmax, softmax_naive, log_softmax], ids=lambda f: f.__name__
)
@pytest.mark.parametrize(
    "bad, err, msg",
    [
        ("text", TypeError, "array of numbers"),
        (["a", "b"], TypeError, "numbers"),
        (None, TypeError, "array of numbers"),
        ([[1.0, 2.0], [3.0]], TypeError, "array of numbers"),
        ([1.0, np.nan], ValueError, "finite"),
        ([np.inf], ValueError, "finite"),
        ([1 + 2j], TypeError, "real"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_error(f, bad, err, msg):
    with pytest.raises(err, match=msg):
        f(bad)


def test_empty_input():
    # Elementwise functions map an empty array to an empty array, like NumPy;
    # softmax needs at least one class to normalise over.
    assert relu(np.zeros((0, 3))).shape == (0, 3) and sigmoid([]).shape == (0,)
    with pytest.raises(ValueError, match="empty"):
        softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="scalar"):
        softmax(3.0)


def test_bad_parameters():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        leaky_relu([1.0], alpha=-0.1)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        leaky_relu_grad([1.0], alpha=1.5)
    with pytest.raises(TypeError, match="alpha"):
        leaky_relu([1.0], alpha="0.1")
    with pytest.raises(ValueError, match="out of range"):
        softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        log_softmax(np.zeros((2, 3)), axis=1.0)


def test_the_kernels_are_the_public_bodies_without_the_checks():
    """The training loops' unchecked kernels run the very code the chapters display."""
    from lazynb import activations as act

    for name in (
        "sigmoid",
        "relu",
        "relu_grad",
        "leaky_relu",
        "leaky_relu_grad",
        "softmax",
        "log_softmax",
    ):
        assert getattr(act, "_" + name) is getattr(act, name).__wrapped__, name
    A = np.random.default_rng(0).normal(scale=50, size=(4, 5))
    np.testing.assert_array_equal(act._softmax(A, axis=1), softmax(A, axis=1))
    np.testing.assert_array_equal(act._sigmoid(A), sigmoid(A))
    np.testing.assert_array_equal(act._leaky_relu(A, 0.3), leaky_relu(A, 0.3))
    # the checks run whichever way the arguments are passed
    np.testing.assert_array_equal(softmax(A=A.tolist(), axis=0), act._softmax(A, axis=0))
    np.testing.assert_array_equal(leaky_relu(A, 0.3), leaky_relu(a=A, alpha=0.3))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        leaky_relu(A, 2.0)
    with pytest.raises(TypeError, match="axis"):
        softmax(A, 1.5)
