"""Batch normalisation: gradients by finite differences, and parity with Keras's layer.

The NumPy kernel (:mod:`lazynb.batchnorm`) must agree with
``keras.layers.BatchNormalization`` in both modes: in training mode the output,
the updated moving mean and variance; in inference mode the output from the
moving statistics; and the gradients with respect to x, γ and β that
``tf.GradientTape`` takes through the layer.
"""

import numpy as np
import pytest

from lazynb.batchnorm import BatchNorm, batchnorm_backward, batchnorm_forward
from lazynb.gradcheck import numerical_gradient, relative_error

from tf_helpers import skip_without_tensorflow  # noqa: E402

SHAPES = [(2, 1), (5, 3), (8, 4), (16, 2)]


def _inputs(shape, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    N, D = shape
    x = (rng.normal(size=shape) * rng.uniform(0.5, 3, size=D) + rng.normal(size=D)).astype(dtype)
    gamma = rng.uniform(0.5, 2.0, size=D).astype(dtype)
    beta = rng.normal(size=D).astype(dtype)
    running_mean = rng.normal(size=D).astype(dtype)
    running_var = rng.uniform(0.5, 2.0, size=D).astype(dtype)
    return x, gamma, beta, running_mean, running_var


def _forward(x, gamma, beta, training, rm, rv, **kw):
    """Forward on copies of the running statistics (so finite differences do not move them)."""
    return batchnorm_forward(
        x, gamma, beta, training=training, running_mean=rm.copy(), running_var=rv.copy(), **kw
    )


# ---------------------------------------------------------------- NumPy only


@pytest.mark.parametrize("training", [True, False], ids=["train", "infer"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gradients_match_finite_differences(shape, training):
    x, gamma, beta, rm, rv = _inputs(shape, seed=sum(shape) + training)
    dout = np.random.default_rng(99).normal(size=shape)
    y, cache = _forward(x, gamma, beta, training, rm, rv)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)

    def loss(**over):
        args = {"x": x, "gamma": gamma, "beta": beta, **over}
        return float(
            np.sum(_forward(args["x"], args["gamma"], args["beta"], training, rm, rv)[0] * dout)
        )

    for name, analytic, value in (("x", dx, x), ("gamma", dgamma, gamma), ("beta", dbeta, beta)):
        numeric = numerical_gradient(
            lambda v, n=name: loss(**{n: v}), value.copy(), h=1e-4, order=4
        )
        err = relative_error(analytic, numeric, floor=1e-6)
        assert err < 1e-6, f"d{name} ({'train' if training else 'infer'}, {shape}): {err:.2g}"


def test_training_normalises_each_unit_and_updates_running_stats():
    x, gamma, beta, rm, rv = _inputs((64, 5), seed=3)
    rm0, rv0 = rm.copy(), rv.copy()
    y, _ = batchnorm_forward(
        x, np.ones(5), np.zeros(5), training=True, running_mean=rm, running_var=rv, eps=1e-12
    )
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-9)
    np.testing.assert_allclose(rm, 0.99 * rm0 + 0.01 * x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(rv, 0.99 * rv0 + 0.01 * x.var(axis=0), rtol=1e-14)  # biased


def test_inference_uses_running_stats_and_leaves_them_alone():
    x, gamma, beta, rm, rv = _inputs((6, 3), seed=4)
    rm0, rv0 = rm.copy(), rv.copy()
    y, _ = batchnorm_forward(
        x, gamma, beta, training=False, running_mean=rm, running_var=rv, eps=1e-3
    )
    np.testing.assert_allclose(y, gamma * (x - rm0) / np.sqrt(rv0 + 1e-3) + beta, rtol=1e-13)
    np.testing.assert_array_equal(rm, rm0)
    np.testing.assert_array_equal(rv, rv0)
    # one example at a time gives the same rows: inference does not mix the batch
    y0, _ = batchnorm_forward(x[:1], gamma, beta, training=False, running_mean=rm, running_var=rv)
    np.testing.assert_allclose(y0, y[:1], rtol=1e-13)


def test_float32_stays_float32():
    x, gamma, beta, rm, rv = _inputs((8, 3), seed=5, dtype=np.float32)
    y, cache = batchnorm_forward(x, gamma, beta, training=True, running_mean=rm, running_var=rv)
    assert y.dtype == np.float32 and rm.dtype == np.float32
    assert batchnorm_backward(np.ones_like(y), cache)[0].dtype == np.float32


def test_layer_wraps_the_kernel():
    bn = BatchNorm(3)
    x, *_ = _inputs((10, 3), seed=6)
    y = bn(x, training=True)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(bn.running_mean, 0.01 * x.mean(axis=0), rtol=1e-12)
    dx = bn.backward(np.ones_like(y))
    np.testing.assert_allclose(dx, 0, atol=1e-12)  # a constant dout is absorbed by the mean
    np.testing.assert_allclose(bn.grads["beta"], 10.0)
    assert set(bn.params) == {"gamma", "beta"} and "D=3" in repr(bn)


def test_bad_inputs_raise_clear_errors():
    x, gamma, beta, rm, rv = _inputs((4, 3), seed=7)
    ok = dict(training=True, running_mean=rm, running_var=rv)
    with pytest.raises(ValueError, match="x must be 2-D"):
        batchnorm_forward(x[0], gamma, beta, **ok)
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\)"):
        batchnorm_forward(x, gamma[:2], beta, **ok)
    with pytest.raises(TypeError, match="training must be True or False"):
        batchnorm_forward(x, gamma, beta, training="yes", running_mean=rm, running_var=rv)
    with pytest.raises(TypeError, match="running_mean must be a float ndarray"):
        batchnorm_forward(x, gamma, beta, training=True, running_mean=[0.0] * 3, running_var=rv)
    with pytest.raises(ValueError, match=r"running_var must have shape \(3,\)"):
        batchnorm_forward(x, gamma, beta, training=True, running_mean=rm, running_var=rv[:1])
    with pytest.raises(ValueError, match="running_var must be >= 0"):
        batchnorm_forward(x, gamma, beta, training=True, running_mean=rm, running_var=-rv)
    with pytest.raises(ValueError, match="momentum must be in"):
        batchnorm_forward(x, gamma, beta, momentum=1.5, **ok)
    with pytest.raises(ValueError, match="eps must be"):
        batchnorm_forward(x, gamma, beta, eps=0.0, **ok)
    with pytest.raises(ValueError, match="at least 2 rows"):
        batchnorm_forward(x[:1], gamma, beta, **ok)
    with pytest.raises(ValueError, match="x must be finite"):
        batchnorm_forward(np.full((4, 3), np.nan), gamma, beta, **ok)
    _, cache = batchnorm_forward(x, gamma, beta, **ok)
    with pytest.raises(ValueError, match="dout must have the shape"):
        batchnorm_backward(np.ones((4, 2)), cache)
    with pytest.raises(TypeError, match="cache must be"):
        batchnorm_backward(np.ones((4, 3)), None)
    with pytest.raises(ValueError, match="D must be a positive integer"):
        BatchNorm(0)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=-0.1)
    with pytest.raises(RuntimeError, match="forward before backward"):
        BatchNorm(3).backward(np.ones((2, 3)))


# ---------------------------------------------------------------- against Keras


@pytest.fixture(scope="module")
def tf():
    skip_without_tensorflow(allow_module_level=False)
    from lazynb.repro import import_tensorflow

    return import_tensorflow()


def _keras_layer(tf, gamma, beta, rm, rv, momentum, eps):
    import keras

    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps)
    layer.build((None, gamma.size))
    layer.set_weights([gamma, beta, rm, rv])  # order: gamma, beta, moving mean, moving var
    return layer


@pytest.mark.parametrize(
    "shape, momentum, eps", [((8, 3), 0.99, 1e-3), ((32, 5), 0.9, 1e-5), ((4, 2), 0.5, 0.1)]
)
def test_matches_keras_in_both_modes(tf, shape, momentum, eps):
    x, gamma, beta, rm, rv = _inputs(shape, seed=shape[0], dtype=np.float32)
    layer = _keras_layer(tf, gamma, beta, rm, rv, momentum, eps)
    ours_rm, ours_rv = rm.copy(), rv.copy()

    y_keras = layer(x, training=True).numpy()
    y_ours, _ = batchnorm_forward(
        x, gamma, beta, training=True, running_mean=ours_rm, running_var=ours_rv,
        momentum=momentum, eps=eps,
    )  # fmt: skip
    np.testing.assert_allclose(y_ours, y_keras, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours_rm, layer.moving_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours_rv, layer.moving_variance.numpy(), rtol=1e-5, atol=1e-6)

    x2 = x[::-1] * 0.5 + 1.0  # another batch, after the update: inference reads the new stats
    y_keras = layer(x2, training=False).numpy()
    y_ours, _ = batchnorm_forward(
        x2, gamma, beta, training=False, running_mean=ours_rm, running_var=ours_rv,
        momentum=momentum, eps=eps,
    )  # fmt: skip
    np.testing.assert_allclose(y_ours, y_keras, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("training", [True, False], ids=["train", "infer"])
def test_gradients_match_gradient_tape(tf, training):
    x, gamma, beta, rm, rv = _inputs((12, 4), seed=11, dtype=np.float32)
    dout = np.random.default_rng(12).normal(size=x.shape).astype(np.float32)
    layer = _keras_layer(tf, gamma, beta, rm, rv, 0.9, 1e-3)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(xv, training=training) * dout)
    kdx, kdgamma, kdbeta = tape.gradient(loss, [xv, layer.gamma.value, layer.beta.value])
    _, cache = batchnorm_forward(
        x, gamma, beta, training=training, running_mean=rm, running_var=rv, momentum=0.9
    )
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    scale = float(np.abs(kdx.numpy()).max())
    np.testing.assert_allclose(dx, kdx.numpy(), atol=1e-5 * scale)
    np.testing.assert_allclose(dgamma, kdgamma.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dbeta, kdbeta.numpy(), rtol=1e-5, atol=1e-5)
