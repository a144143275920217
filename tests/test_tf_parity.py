"""One model, two backends: NumPy and TensorFlow agree on every activation, loss, output and step.

Given the same weights and the same batch, ``lazynb.mlp`` (backpropagation by
hand) and ``lazynb.tf_mlp`` (``tf.GradientTape``) give the same outputs, losses
and gradients, and :class:`MLP` and :class:`TFMLP` take the same SGD steps.

Tolerances. float64: ``rtol=1e-10`` (what is left is a few ulps of rounding,
~1e-15, grown at most a thousandfold). float32: ``rtol=1e-5`` with
``atol=1e-6``. The absolute part is needed because the two libraries sum the
terms of each matrix product in different orders (OpenBLAS vs TensorFlow's
kernels): the difference is a few ulps of the *terms*, ~1e-7 of ``sum |terms|``,
which for an entry that nearly cancels to 0 (a logit or a gradient close to
zero) is a large relative error on a tiny number. With inputs, weights and
targets of order 1 and at most 11 terms per sum, ``1e-6`` bounds it.
"""

import importlib.util

import numpy as np
import pytest

# Not pytest.importorskip("tensorflow"): a plain import would bypass lazynb's quiet start-up,
# and TensorFlow's device set-up would then print its C++ log lines into the test output.
if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("TensorFlow is not installed", allow_module_level=True)

from lazynb import activations as npa  # noqa: E402
from lazynb import losses as npl  # noqa: E402
from lazynb import tf_activations as tfa  # noqa: E402
from lazynb import tf_losses as tfl  # noqa: E402
from lazynb.mlp import MLP, OUTPUTS, backward, forward, init_params, loss  # noqa: E402
from lazynb.tf_mlp import TFMLP, tf, tf_forward, tf_gradients, tf_loss  # noqa: E402

DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-13)}
ACTS = list(npa.ACTIVATIONS)


def close(a, b, dtype, **override):
    a = a.numpy() if hasattr(a, "numpy") else np.asarray(a)
    b = b.numpy() if hasattr(b, "numpy") else np.asarray(b)
    np.testing.assert_allclose(a, b, **(TOL[dtype] | override))


def grad_tf(f, x):
    """Gradient of the scalar ``sum(f(x))`` with respect to the tensor ``x``."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(f(x))
    return tape.gradient(y, x)


# --- activations ---------------------------------------------------------------------------

# Both signs, the kink at 0 (where the derivative conventions must agree) and large values.
POINTS = np.array([-1e4, -30.0, -3.0, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.3, 1.0, 3.0, 30.0, 1e4])


def test_the_backends_offer_the_same_activations():
    assert list(tfa.TF_ACTIVATIONS) == ACTS


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", ACTS)
def test_activation_values_and_derivatives_agree(name, dtype):
    a = np.concatenate([POINTS, np.random.default_rng(0).normal(size=20) * 4]).astype(dtype)
    f, f_grad = npa.get_activation(name)
    y = tfa.get_tf_activation(name)(a)
    assert y.dtype == tf.as_dtype(dtype) and y.shape == a.shape
    close(y, f(a), dtype)
    d = tfa.derivative(name, a)  # tf.GradientTape on the elementwise function
    close(d, f_grad(a), dtype)
    close(d, grad_tf(tfa.get_tf_activation(name), a), dtype)


def test_leaky_relu_uses_the_books_slope_not_tensorflows_default():
    a = np.array([-2.0, 3.0])
    assert np.allclose(tfa.leaky_relu(a), [-0.02, 3.0])
    assert np.allclose(tfa.derivative("leaky_relu", a), [0.01, 1.0])
    assert np.allclose(tf.nn.leaky_relu(a), [-0.4, 3.0])  # why the slope is passed explicitly
    assert np.allclose(tfa.leaky_relu(a, alpha=0.2), npa.leaky_relu(a, alpha=0.2))


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_softmax_and_log_softmax_agree(dtype):
    A = (np.random.default_rng(1).normal(size=(6, 4)) * 5).astype(dtype)
    A[0] = [1e4, -1e4, 0.0, 3.0]  # far beyond exp's range: both subtract the maximum
    for axis in (-1, 0):
        close(tfa.softmax(A, axis=axis), npa.softmax(A, axis=axis), dtype)
        close(tfa.log_softmax(A, axis=axis), npa.log_softmax(A, axis=axis), dtype)


# --- losses --------------------------------------------------------------------------------


def _loss_cases(dtype):
    """(name, NumPy loss, NumPy gradient, TF loss, targets, predictions) for every loss."""
    rng = np.random.default_rng(2)
    N, K = 9, 4
    t01 = rng.integers(0, 2, size=(N, K)).astype(dtype)
    p01 = rng.uniform(0.02, 0.98, size=(N, K)).astype(dtype)
    logits = (rng.normal(size=(N, K)) * 3).astype(dtype)
    T = np.eye(K, dtype=dtype)[rng.integers(0, K, N)]
    P = npa.softmax(rng.normal(size=(N, K))).astype(dtype)
    Q = npa.softmax(rng.normal(size=(N, K))).astype(dtype)
    return [
        (
            "binary_cross_entropy",
            npl.binary_cross_entropy,
            npl.binary_cross_entropy_grad,
            tfl.binary_cross_entropy,
            t01,
            p01,
        ),
        (
            "binary_cross_entropy (N,)",
            npl.binary_cross_entropy,
            npl.binary_cross_entropy_grad,
            tfl.binary_cross_entropy,
            t01[:, 0],
            p01[:, 0],
        ),
        (
            "binary_cross_entropy_with_logits",
            npl.binary_cross_entropy_with_logits,
            npl.binary_cross_entropy_with_logits_grad,
            tfl.binary_cross_entropy_with_logits,
            t01,
            logits,
        ),
        (
            "categorical_cross_entropy",
            npl.categorical_cross_entropy,
            npl.categorical_cross_entropy_grad,
            tfl.categorical_cross_entropy,
            T,
            P,
        ),
        (
            "categorical_cross_entropy_with_logits",
            npl.categorical_cross_entropy_with_logits,
            npl.categorical_cross_entropy_with_logits_grad,
            tfl.categorical_cross_entropy_with_logits,
            T,
            logits,
        ),
        (
            "mean_squared_error",
            npl.mean_squared_error,
            npl.mean_squared_error_grad,
            tfl.mean_squared_error,
            logits[:, ::-1].copy(),
            logits,
        ),
        (
            "kl_divergence",
            lambda P, Q: npl.kl_divergence(P, Q).sum(),
            npl.kl_divergence_grad,
            lambda P, Q: tf.reduce_sum(tfl.kl_divergence(P, Q)),
            P,
            Q,
        ),
    ]


LOSS_NAMES = [c[0] for c in _loss_cases(np.float64)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("case", range(len(LOSS_NAMES)), ids=LOSS_NAMES)
def test_loss_values_and_gradients_agree(case, dtype):
    name, np_loss, np_grad, tf_loss_fn, t, p = _loss_cases(dtype)[case]
    close(tf_loss_fn(t, p), np_loss(t, p), dtype)
    close(grad_tf(lambda x: tf_loss_fn(t, x), p), np_grad(t, p), dtype)
    if "cross_entropy" in name:  # the sum instead of the mean
        close(tf_loss_fn(t, p, mean=False), np_loss(t, p, mean=False), dtype)
        close(grad_tf(lambda x: tf_loss_fn(t, x, mean=False), p), np_grad(t, p, mean=False), dtype)


def test_kl_divergence_per_row_and_zero_for_equal_distributions():
    P = npa.softmax(np.random.default_rng(3).normal(size=(5, 3)))
    Q = P[::-1].copy()
    close(tfl.kl_divergence(P, Q), npl.kl_divergence(P, Q), np.float64)
    close(tfl.kl_divergence(P.T, Q.T, axis=0), npl.kl_divergence(P.T, Q.T, axis=0), np.float64)
    assert np.all(tfl.kl_divergence(P, P).numpy() == 0)


def test_tf_losses_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        tfl.categorical_cross_entropy_with_logits(np.eye(3), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="2-D"):
        tfl.categorical_cross_entropy(np.ones(3) / 3, np.ones(3) / 3)


# --- the network: forward, loss, gradients ---------------------------------------------------


def _targets(output, N, K, rng, dtype):
    if output == "softmax":
        return np.eye(K, dtype=dtype)[rng.integers(0, K, N)]
    if output == "sigmoid":
        return rng.integers(0, 2, size=(N, K)).astype(dtype)
    return rng.normal(size=(N, K)).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ACTS)
def test_forward_loss_and_gradients_agree(activation, output, dtype):
    rng = np.random.default_rng(4)
    N, sizes = 11, [5, 7, 6, 3]  # two hidden layers: the error flows through an activation twice
    params = init_params(sizes, activation=activation, seed=5, dtype=dtype)
    for layer in params[:-1]:  # non-zero biases, so that their gradients are exercised too
        layer["b"] += rng.normal(size=layer["b"].shape).astype(dtype) * 0.1
    X = rng.normal(size=(N, sizes[0])).astype(dtype)
    T = _targets(output, N, sizes[-1], rng, dtype)
    spec = dict(activation=activation, output=output)

    Y, cache = forward(params, X, **spec)
    Y_tf, logits_tf = tf_forward(params, X, **spec)
    assert Y_tf.dtype == tf.as_dtype(dtype) and Y_tf.shape == Y.shape
    close(Y_tf, Y, dtype)
    close(logits_tf, cache["logits"], dtype)
    close(tf_loss(params, X, T, **spec), loss(params, X, T, **spec), dtype)
    grads, grads_tf = backward(params, cache, T, **spec), tf_gradients(params, X, T, **spec)
    assert [g.keys() for g in grads] == [g.keys() for g in grads_tf]
    for g, g_tf in zip(grads, grads_tf):
        for k in g:
            assert g_tf[k].shape == g[k].shape
            close(g_tf[k], g[k], dtype)


def test_gradients_without_biases_and_from_variables():
    rng = np.random.default_rng(6)
    params = init_params([4, 5, 2], seed=1, dtype=np.float64, use_bias=False)
    X, T = rng.normal(size=(8, 4)), np.eye(2)[rng.integers(0, 2, 8)]
    grads = backward(params, forward(params, X)[1], T)
    as_vars = [{k: tf.Variable(v) for k, v in p.items()} for p in params]
    for ps in (params, as_vars):
        g_tf = tf_gradients(ps, X, T)
        assert [set(g) for g in g_tf] == [{"W"}, {"W"}]
        for g, gt in zip(grads, g_tf):
            close(gt["W"], g["W"], np.float64)


# --- training: the same weights, the same batches, the same steps -----------------------------


def test_tfmlp_starts_from_init_params_weights():
    for kw in (
        dict(hidden=(6, 4), activation="relu", seed=3),
        dict(hidden=(5,), activation="tanh", seed=0, dtype=np.float64, use_bias=False),
        dict(hidden=(), seed=9),
    ):
        m = TFMLP(**kw).build(7, 3)
        want = init_params(
            [7, *kw["hidden"], 3],
            activation=kw["activation"] if "activation" in kw else "relu",
            seed=np.random.default_rng(kw["seed"]),
            dtype=kw.get("dtype", np.float32),
            use_bias=kw.get("use_bias", True),
        )
        got = m.params_
        assert [p.keys() for p in got] == [p.keys() for p in want]
        for g, w in zip(got, want):
            for k in w:
                assert g[k].dtype == w[k].dtype and np.array_equal(g[k], w[k])


def _data(N=100, D=4, seed=7):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 1)
    return X, y


def _targets_for(output, X, y):
    if output == "softmax":
        return y
    if output == "sigmoid":
        return np.column_stack([y == 1, X[:, 0] > 0]).astype(np.float64)  # two independent labels
    return np.column_stack([X[:, 0] - X[:, 1], np.sin(X[:, 2])])


# Every activation and every output, in both dtypes, with full batches (5 steps) and with
# mini-batches of 32 out of 100 rows (3 full batches and a remainder of 4, shuffled: 8 steps).
TRAIN_CASES = [
    ("relu", "softmax", None, np.float64),
    ("tanh", "sigmoid", None, np.float32),
    ("identity", "identity", None, np.float64),
    ("leaky_relu", "softmax", 32, np.float32),
    ("sigmoid", "sigmoid", 32, np.float64),
    ("relu", "identity", 32, np.float32),
    ("tanh", "softmax", 32, np.float64),
]


@pytest.mark.parametrize(
    "activation, output, batch_size, dtype",
    TRAIN_CASES,
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_mlp_and_tfmlp_take_the_same_sgd_steps(activation, output, batch_size, dtype):
    X, y = _data()
    Y = _targets_for(output, X, y)
    kw = dict(
        hidden=(8, 5),
        activation=activation,
        output=output,
        lr=0.2,
        epochs=5 if batch_size is None else 2,
        batch_size=batch_size,
        seed=11,
        dtype=dtype,
    )
    a = MLP(**kw).fit(X, Y, X_val=X[:30], Y_val=Y[:30])
    b = TFMLP(**kw).fit(X, Y, X_val=X[:30], Y_val=Y[:30])
    assert b.n_iter_ == a.n_iter_ == (5 if batch_size is None else 8)
    # float32: every step adds rounding of the order of float32's epsilon (6e-8) and later
    # steps carry it along; after these 5 to 8 steps the weights (of order 0.1 to 1) differ
    # by at most 7.5e-8 (measured over all cases): atol=1e-6 leaves a tenfold margin.
    # float64: at most 1.1e-16 measured.
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for pa, pb in zip(a.params_, b.params_):
        for k in pa:
            np.testing.assert_allclose(pb[k], pa[k], **tol)
    assert a.history_.keys() == b.history_.keys()
    for key in ("cost", "error", "val_cost", "val_error"):
        if key in a.history_:
            np.testing.assert_allclose(b.history_[key], a.history_[key], **tol)
    assert b.history_["iterations"] == a.history_["iterations"]


def test_running_monitor_and_per_iteration_costs_agree():
    X, y = _data()
    kw = dict(
        hidden=(6,),
        activation="tanh",
        lr=0.3,
        epochs=2,
        batch_size=30,
        seed=2,
        dtype=np.float64,
        monitor="running",
        record_every_iteration=True,
    )
    a, b = MLP(**kw).fit(X, y), TFMLP(**kw).fit(X, y)
    assert a.history_.keys() == b.history_.keys()
    for key in ("cost", "error", "iter_cost"):
        np.testing.assert_allclose(b.history_[key], a.history_[key], rtol=1e-10)
    assert len(b.history_["iter_cost"]) == 8


def test_predictions_agree():
    X, y = _data()
    kw = dict(hidden=(8,), lr=0.2, epochs=3, batch_size=25, seed=1, dtype=np.float64)
    a, b = MLP(**kw).fit(X, y), TFMLP(**kw).fit(X, y)
    np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=1e-10)
    assert np.array_equal(b.predict(X), a.predict(X))
    assert b.score(X, y) == a.score(X, y)
    np.testing.assert_allclose(b.to_numpy().predict_proba(X), a.predict_proba(X), rtol=1e-10)


def test_functional_pieces_refuse_bad_input_like_numpy():
    params = init_params([3, 4, 2], seed=0)
    X, T = np.ones((5, 3), np.float32), np.eye(2, dtype=np.float32)[[0, 1, 0, 1, 1]]
    with pytest.raises(
        ValueError, match="X has 4 features per sample but the first layer expects 3"
    ):
        tf_forward(params, np.ones((5, 4)))
    with pytest.raises(ValueError, match=r"T must have shape \(5, 2\)"):
        tf_loss(params, X, T[:, :1])
    with pytest.raises(ValueError, match="sum to 1"):
        tf_gradients(params, X, T * 0.5)
    with pytest.raises(TypeError, match="list of layers"):
        tf_forward(params[0], X)
    with pytest.raises(ValueError, match="sizes must chain"):
        tf_forward([params[0], params[0]], X)
    with pytest.raises(TypeError, match="arrays, tensors or variables"):
        tf_forward([{"W": [[1.0]]}], X)
    with pytest.raises(ValueError, match="unknown activation"):
        tf_forward(params, X, activation="swish")
