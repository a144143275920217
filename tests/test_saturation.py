"""Every loss at the extremes, in float32 and float64: finite, the right limits, NumPy == TF.

Extremes: probabilities of exactly 0 and 1, logits of +-1e4, targets of 0 and 1.
A float32 network's sigmoid or softmax output rounds to exactly 0 or 1 for logits
beyond ~17 (sigmoid) or ~88 (softmax), so these are ordinary values in training.
The clip of a probability must be representable in the input's dtype: ``1 - 1e-12``
is 1.0 in float32, which made ``binary_cross_entropy`` return ``nan``/``inf`` there.
"""

import warnings

import numpy as np
import pytest

from lazynb import losses as npl

DTYPES = [np.float32, np.float64]
IDS = ["f32", "f64"]


def clip_eps(dtype):
    """The documented clip: 1e-12 in float64, float32's machine epsilon in float32."""
    return {np.float32: float(np.finfo(np.float32).eps), np.float64: 1e-12}[dtype]


def _no_warnings(f, *args, **kw):
    # A divide-by-zero or invalid-value RuntimeWarning means an inf or nan was formed.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*args, **kw)


def _cases(dtype):
    """(name, NumPy loss, NumPy grad, targets, predictions, expected total loss) at the extremes."""
    t = np.array([0, 1, 0, 1], dtype)
    p = np.array([0, 1, 1, 0], dtype)  # two right, two confidently wrong
    a = np.array([-1e4, 1e4, 1e4, -1e4], dtype)  # the same as logits
    T = np.eye(3, dtype=dtype)
    P = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1]], dtype)  # row 1 puts 0 on its class
    A = np.array([[1e4, -1e4, 0], [1e4, -1e4, 0], [0, -1e4, 1e4]], dtype)
    big = -np.log(clip_eps(dtype))
    return [
        (
            "binary_cross_entropy",
            npl.binary_cross_entropy,
            npl.binary_cross_entropy_grad,
            t,
            p,
            2 * big,
        ),
        (
            "binary_cross_entropy (N, K)",
            npl.binary_cross_entropy,
            npl.binary_cross_entropy_grad,
            t.reshape(2, 2),
            p.reshape(2, 2),
            2 * big,
        ),
        (
            "binary_cross_entropy_with_logits",
            npl.binary_cross_entropy_with_logits,
            npl.binary_cross_entropy_with_logits_grad,
            t,
            a,
            2e4,
        ),
        (
            "categorical_cross_entropy",
            npl.categorical_cross_entropy,
            npl.categorical_cross_entropy_grad,
            T,
            P,
            -np.log(1e-12),
        ),
        (
            "categorical_cross_entropy_with_logits",
            npl.categorical_cross_entropy_with_logits,
            npl.categorical_cross_entropy_with_logits_grad,
            T,
            A,
            2e4,
        ),
        (
            "mean_squared_error",
            npl.mean_squared_error,
            npl.mean_squared_error_grad,
            t,
            a,
            (2 * 1e4**2 + (1e4 - 1) ** 2 + (1e4 + 1) ** 2) / 4,
        ),
        (
            "kl_divergence",
            lambda P, Q: npl.kl_divergence(P, Q).sum(),
            npl.kl_divergence_grad,
            T,
            P,
            -np.log(1e-12),
        ),
    ]


NAMES = [c[0] for c in _cases(np.float64)]


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("case", range(len(NAMES)), ids=NAMES)
def test_numpy_losses_are_finite_with_the_right_value_at_the_extremes(case, dtype):
    name, loss, grad, t, p, expected = _cases(dtype)[case]
    kw = {"mean": False} if "cross_entropy" in name else {}
    value = _no_warnings(loss, t, p, **kw)
    assert np.isfinite(value)
    # rel=1e-6: float32 keeps ~7 digits, and in float64 1 - (1 - 1e-12) is 1.00009e-12.
    assert value == pytest.approx(expected, rel=1e-6)
    g = _no_warnings(grad, t, p, **kw)
    assert g.shape == p.shape and g.dtype == p.dtype
    assert np.all(np.isfinite(g)), g


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_binary_cross_entropy_limits_per_sample(dtype):
    eps = clip_eps(dtype)
    t = np.array([0, 1, 0, 1], dtype)
    p = np.array([0, 1, 1, 0], dtype)
    each = [npl.binary_cross_entropy(t[i : i + 1], p[i : i + 1]) for i in range(4)]
    # Right and certain: ~0 (at most -log(1 - eps)); wrong and certain: -log(eps), the same
    # at both ends (27.6 in float64, 15.9 in float32), never inf or nan.
    assert each[0] == pytest.approx(0, abs=2 * eps) and each[1] == pytest.approx(0, abs=2 * eps)
    assert each[2] == pytest.approx(-np.log(eps), rel=1e-6)
    assert each[3] == pytest.approx(-np.log(eps), rel=1e-6)
    g = npl.binary_cross_entropy_grad(t, p, mean=False)
    # The gradient points back towards the target: up where p = 0 < t, down where p = 1 > t.
    assert g[3] < -1 / (2 * eps) and g[2] > 1 / (2 * eps)
    assert g[0] == pytest.approx(1, rel=1e-6) and g[1] == pytest.approx(-1, rel=1e-6)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_binary_cross_entropy_of_a_saturated_float32_sigmoid_matches_with_logits(dtype):
    # What a float32 network really produces: sigmoid(20) rounds to exactly 1 in float32.
    a = np.array([20.0, -20.0, 3.0], dtype)
    p = (1 / (1 + np.exp(-a.astype(np.float64)))).astype(dtype)
    t = np.array([0.0, 1.0, 1.0], dtype)
    value = _no_warnings(npl.binary_cross_entropy, t, p, mean=False)
    exact = npl.binary_cross_entropy_with_logits(t, a, mean=False)  # 20 + 20 + 0.049
    assert np.isfinite(value)
    # float64 resolves sigmoid(+-20) (2e-9 from 1): exact. float32 clips at -log(eps) = 15.9.
    if dtype == np.float64:
        assert value == pytest.approx(exact, rel=1e-6)
    else:
        assert value == pytest.approx(2 * -np.log(clip_eps(dtype)) + 0.04858735, rel=1e-5)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_with_logits_grads_are_exact_at_the_extremes(dtype):
    t = np.array([0, 1, 0, 1], dtype)
    a = np.array([-1e4, 1e4, 1e4, -1e4], dtype)
    np.testing.assert_array_equal(
        npl.binary_cross_entropy_with_logits_grad(t, a, mean=False), [0, 0, 1, -1]
    )
    T = np.eye(2, dtype=dtype)
    A = np.array([[1e4, -1e4], [1e4, -1e4]], dtype)
    np.testing.assert_array_equal(
        npl.categorical_cross_entropy_with_logits_grad(T, A, mean=False), [[0, 0], [1, -1]]
    )
    assert npl.categorical_cross_entropy_with_logits(T, A, mean=False) == pytest.approx(2e4)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_kl_divergence_is_zero_for_equal_saturated_distributions(dtype):
    P = np.eye(3, dtype=dtype)
    np.testing.assert_array_equal(npl.kl_divergence(P, P), np.zeros(3))
    assert np.all(np.isfinite(npl.kl_divergence_grad(P, P)))


# --- TensorFlow: the same values and gradients at the extremes -----------------------------


@pytest.fixture(scope="module")
def tfl():
    from tf_helpers import quiet_tensorflow

    quiet_tensorflow()  # skips when TensorFlow is missing; imports it quietly otherwise
    from lazynb import tf_losses

    return tf_losses


def _tf_twin(tfl, name):
    base = name.split(" ")[0]
    if base == "kl_divergence":
        return lambda P, Q: tfl.tf.reduce_sum(tfl.kl_divergence(P, Q))
    return getattr(tfl, base)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("case", range(len(NAMES)), ids=NAMES)
def test_tensorflow_agrees_with_numpy_at_the_extremes(tfl, case, dtype):
    tf = tfl.tf
    name, np_loss, np_grad, t, p, _ = _cases(dtype)[case]
    tf_loss = _tf_twin(tfl, name)
    kw = {"mean": False} if "cross_entropy" in name else {}
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-13)
    x = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = tf_loss(t, x, **kw)
    g = tape.gradient(value, x).numpy()
    assert np.isfinite(value.numpy())
    np.testing.assert_allclose(value.numpy(), np_loss(t, p, **kw), **tol)
    # A plain clip_by_value would give 0 here; the gradient is the loss's slope at the clip.
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, np_grad(t, p, **kw), **tol)


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_tf_binary_cross_entropy_is_finite_in_float32(tfl, dtype):
    # The original bug: tf.clip_by_value(p, 1e-12, 1 - 1e-12) left float32 p = 1 at 1.
    value = tfl.binary_cross_entropy(np.array([0.0], dtype), np.array([1.0], dtype)).numpy()
    assert value == pytest.approx(-np.log(clip_eps(dtype)), rel=1e-6)


def test_tf_binary_cross_entropy_clips_within_bfloat16(tfl):
    # bfloat16 has 8 bits of precision: its own eps (2**-7), not float32's, keeps 1 - eps < 1.
    tf = tfl.tf
    value = tfl.binary_cross_entropy(np.array([0.0, 1.0]), tf.constant([1.0, 0.0], tf.bfloat16))
    assert float(value) == pytest.approx(-np.log(2.0**-7), rel=1e-2)


def test_tf_kl_divergence_refuses_a_bool_axis(tfl):
    # tf.reduce_sum(..., axis=True) sums along axis 1; NumPy's twin already refused it.
    P = np.array([[0.5, 0.5], [0.9, 0.1]])
    with pytest.raises(TypeError, match="axis must be an integer"):
        tfl.kl_divergence(P, P[::-1], axis=True)
    assert float(
        tfl.binary_cross_entropy([0.0, 1.0], [0.5, 0.5], mean=np.bool_(True))
    ) == pytest.approx(np.log(2))
