"""Losses: values, gradients (gradient-checked), stability of the with-logits forms, errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lazynb.activations import sigmoid, softmax
from lazynb.gradcheck import numerical_gradient, relative_error
from lazynb.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    categorical_cross_entropy,
    categorical_cross_entropy_grad,
    categorical_cross_entropy_with_logits,
    categorical_cross_entropy_with_logits_grad,
    kl_divergence,
    kl_divergence_grad,
    mean_squared_error,
    mean_squared_error_grad,
)


def _problem(seed, n=None, k=None):
    """Random (N, K) one-hot targets, logits, and probabilities away from 0 and 1 (so that the
    centred differences, whose error grows like h**2 / P**3, stay accurate)."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(2, 7))
    k = k or int(rng.integers(2, 6))
    T = np.eye(k)[rng.integers(0, k, n)]
    A = rng.normal(size=(n, k)) * 2
    return rng, T, A, softmax(A / 4)


# --- values -------------------------------------------------------------------------------


def test_categorical_cross_entropy_is_the_ebook_cost():
    _, T, A, P = _problem(0)
    assert categorical_cross_entropy(T, P, mean=False) == pytest.approx(-(T * np.log(P)).sum())
    assert categorical_cross_entropy(T, P) == pytest.approx(-(T * np.log(P)).sum() / len(T))
    assert categorical_cross_entropy_with_logits(T, A / 4) == pytest.approx(
        categorical_cross_entropy(T, P)
    )
    assert categorical_cross_entropy(T, T) == 0.0
    assert np.isfinite(categorical_cross_entropy(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))


def test_soft_targets_and_binary_forms_agree():
    rng, T, A, P = _problem(1)
    soft = softmax(rng.normal(size=T.shape))
    assert categorical_cross_entropy_with_logits(soft, A / 4) == pytest.approx(
        categorical_cross_entropy(soft, P)
    )
    t, a = rng.integers(0, 2, 9).astype(float), rng.normal(size=9) * 3
    assert binary_cross_entropy_with_logits(t, a) == pytest.approx(
        binary_cross_entropy(t, sigmoid(a))
    )
    # A 2-class softmax on scores (0, a) is a sigmoid on a.
    T2, A2 = np.column_stack([1 - t, t]), np.column_stack([np.zeros(9), a])
    assert categorical_cross_entropy_with_logits(T2, A2) == pytest.approx(
        binary_cross_entropy_with_logits(t, a)
    )
    # (N, K) binary outputs: summed over K, averaged over N.
    t2, a2 = t.reshape(3, 3), a.reshape(3, 3)
    assert binary_cross_entropy_with_logits(t2, a2) == pytest.approx(
        3 * binary_cross_entropy_with_logits(t, a)
    )
    assert binary_cross_entropy(t2, sigmoid(a2), mean=False) == pytest.approx(
        binary_cross_entropy(t, sigmoid(a), mean=False)
    )


def test_mean_squared_error():
    T, Y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [3.0, 5.0]])
    assert mean_squared_error(T, Y) == pytest.approx(5 / 4)
    assert mean_squared_error([1.0, 2.0], [1.0, 2.0]) == 0.0


def test_kl_divergence():
    P, Q = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])
    assert kl_divergence(P, Q) == pytest.approx(np.log(2))  # the P = 0 term counts 0
    assert isinstance(kl_divergence(P, Q), float) and kl_divergence(P, P) == 0.0
    _, T, A, Pm = _problem(2, n=4, k=3)
    Qm = softmax(A[::-1] / 4)
    kl = kl_divergence(Pm, Qm)
    assert kl.shape == (4,) and np.all(kl >= 0)
    H = -(Pm * np.log(Pm)).sum(axis=1)
    assert np.allclose(kl, -(Pm * np.log(Qm)).sum(axis=1) - H)  # KL = cross-entropy - entropy
    assert np.allclose(kl_divergence(Pm.T, Qm.T, axis=0), kl)
    assert np.all(np.isfinite(kl_divergence(np.eye(3), np.full((3, 3), 1 / 3))))
    assert np.all(kl_divergence(np.eye(3), np.eye(3)) == 0)


# --- stability ----------------------------------------------------------------------------

logits = arrays(
    np.float64, st.tuples(st.integers(1, 6), st.integers(2, 5)), elements=st.floats(-1e4, 1e4)
)


@given(A=logits, seed=st.integers(0, 2**16), use32=st.booleans())
@settings(max_examples=150, deadline=None)
def test_with_logits_losses_are_finite_and_warning_free(A, seed, use32):
    rng = np.random.default_rng(seed)
    A = A.astype(np.float32) if use32 else A
    T = np.eye(A.shape[1], dtype=A.dtype)[rng.integers(0, A.shape[1], A.shape[0])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [
            categorical_cross_entropy_with_logits(T, A),
            binary_cross_entropy_with_logits(T, A),
        ]
        grads = [
            categorical_cross_entropy_with_logits_grad(T, A),
            binary_cross_entropy_with_logits_grad(T, A),
        ]
    assert all(np.isfinite(v) and v >= 0 for v in values)
    assert all(np.all(np.isfinite(g)) and g.dtype == A.dtype and g.shape == A.shape for g in grads)


def test_with_logits_is_exact_where_probabilities_saturate():
    t, a = np.array([1.0, 0.0]), np.array([-1e4, 1e4])  # both confidently wrong
    assert binary_cross_entropy_with_logits(t, a, mean=False) == pytest.approx(2e4)
    T, A = np.array([[1.0, 0.0]]), np.array([[0.0, 1e4]])
    assert categorical_cross_entropy_with_logits(T, A) == pytest.approx(1e4)
    # The probability form can only say "very large": log(EPS) = -27.6.
    assert categorical_cross_entropy(T, softmax(A)) == pytest.approx(-np.log(1e-12))


# --- gradients ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mean", [True, False])
def test_loss_gradients_pass_the_gradient_check(seed, mean):
    rng, T, A, P = _problem(seed)
    soft = softmax(rng.normal(size=T.shape))
    checks = [
        (categorical_cross_entropy, categorical_cross_entropy_grad, T, P),
        (categorical_cross_entropy, categorical_cross_entropy_grad, soft, P),
        (categorical_cross_entropy_with_logits, categorical_cross_entropy_with_logits_grad, T, A),
        (
            categorical_cross_entropy_with_logits,
            categorical_cross_entropy_with_logits_grad,
            soft,
            A,
        ),
        (binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad, T, A),
        (binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad, T[:, 0], A[:, 0]),
        (binary_cross_entropy, binary_cross_entropy_grad, T, sigmoid(A / 4)),
        (binary_cross_entropy, binary_cross_entropy_grad, soft[:, 0], sigmoid(A[:, 0] / 4)),
    ]
    for f, f_grad, t, x in checks:
        num = numerical_gradient(lambda z, f=f, t=t: f(t, z, mean=mean), x.copy())
        assert relative_error(f_grad(t, x, mean=mean), num) < 1e-6, f.__name__


@pytest.mark.parametrize("seed", range(3))
def test_mse_and_kl_gradients_pass_the_gradient_check(seed):
    rng, T, A, P = _problem(seed)
    Y = T + rng.normal(size=T.shape)
    num = numerical_gradient(lambda z: mean_squared_error(T, z), Y.copy())
    assert relative_error(mean_squared_error_grad(T, Y), num) < 1e-6
    Q = softmax(rng.normal(size=T.shape))
    for axis in (-1, 0):
        Pn, Qn = (P, Q) if axis == -1 else (P / P.sum(0), Q / Q.sum(0))
        num = numerical_gradient(
            lambda z, Pn=Pn, axis=axis: kl_divergence(Pn, z, axis=axis).sum(), Qn.copy()
        )
        assert relative_error(kl_divergence_grad(Pn, Qn, axis=axis), num) < 1e-6


def test_logits_gradient_is_the_output_error():
    _, T, A, P = _problem(5)
    P = softmax(A)
    assert np.allclose(categorical_cross_entropy_with_logits_grad(T, A), (P - T) / len(T))
    assert np.allclose(categorical_cross_entropy_with_logits_grad(T, A, mean=False), P - T)
    t, a = T[:, 0], A[:, 0]
    assert np.allclose(binary_cross_entropy_with_logits_grad(t, a), (sigmoid(a) - t) / len(t))


def test_gradients_keep_float32():
    _, T, A, P = _problem(6)
    T32, A32, P32 = T.astype(np.float32), A.astype(np.float32), P.astype(np.float32)
    assert categorical_cross_entropy_with_logits_grad(T32, A32).dtype == np.float32
    assert binary_cross_entropy_with_logits_grad(T32, A32).dtype == np.float32
    assert categorical_cross_entropy_grad(T32, P32).dtype == np.float32
    assert mean_squared_error_grad(T32, A32).dtype == np.float32


# --- bad input ----------------------------------------------------------------------------

_, _T, _A, _P = _problem(7, n=3, k=3)
LOSSES = [
    (binary_cross_entropy, _T[:, 0], sigmoid(_A[:, 0])),
    (binary_cross_entropy_grad, _T[:, 0], sigmoid(_A[:, 0])),
    (binary_cross_entropy_with_logits, _T, _A),
    (binary_cross_entropy_with_logits_grad, _T, _A),
    (categorical_cross_entropy, _T, _P),
    (categorical_cross_entropy_grad, _T, _P),
    (categorical_cross_entropy_with_logits, _T, _A),
    (categorical_cross_entropy_with_logits_grad, _T, _A),
    (mean_squared_error, _T, _A),
    (mean_squared_error_grad, _T, _A),
    (kl_divergence, _T, _P),
    (kl_divergence_grad, _T, _P),
]
IDS = [f.__name__ for f, _, _ in LOSSES]


@pytest.mark.parametrize("f, t, x", LOSSES, ids=IDS)
def test_bad_input_is_rejected_with_a_clear_error(f, t, x):
    with pytest.raises(ValueError, match="same shape"):
        f(t, x[:-1])
    with pytest.raises(TypeError, match="numbers"):
        f(t, np.full(x.shape, "a"))
    with pytest.raises(TypeError, match="array of numbers"):
        f(None, x)
    bad = x.copy()
    bad.flat[0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        f(t, bad)
    with pytest.raises(ValueError, match="empty"):
        f(t[:0], x[:0])


@pytest.mark.parametrize(
    "f",
    [
        binary_cross_entropy,
        binary_cross_entropy_with_logits,
        categorical_cross_entropy,
        categorical_cross_entropy_with_logits,
        categorical_cross_entropy_grad,
    ],
)
def test_mean_must_be_a_bool(f):
    T = np.eye(2)
    with pytest.raises(TypeError, match="mean"):
        f(T, softmax(T), mean="yes")


def test_ranges_and_ranks_are_checked():
    T, P, A = _T, _P, _A
    with pytest.raises(ValueError, match="2-D"):
        categorical_cross_entropy(T[0], P[0])
    with pytest.raises(ValueError, match="1-D or 2-D"):
        binary_cross_entropy_with_logits(T[None], A[None])
    with pytest.raises(ValueError, match="logits"):  # scores passed where probabilities belong
        categorical_cross_entropy(T, A * 0.01 + 0.1)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        categorical_cross_entropy(T, A)
    with pytest.raises(ValueError, match="one-hot rows"):
        categorical_cross_entropy_with_logits(T * 2, A)
    with pytest.raises(ValueError, match="one_hot"):
        categorical_cross_entropy_with_logits(T * 0.5, A)
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        binary_cross_entropy_with_logits(T - 1, A)
    with pytest.raises(ValueError, match="sum to 1"):
        kl_divergence(T, P * 0.5)
    with pytest.raises(ValueError, match="out of range"):
        kl_divergence(T, P, axis=2)
