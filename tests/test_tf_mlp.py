"""TFMLP: it learns, it refuses bad input clearly, its options work, and it runs on a GPU unchanged.

(Agreement with the NumPy MLP, step by step, is in test_tf_parity.py.)
"""

import importlib.util

import numpy as np
import pytest

# Not pytest.importorskip("tensorflow"): a plain import would bypass lazynb's quiet start-up,
# and TensorFlow's device set-up would then print its C++ log lines into the test output.
if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("TensorFlow is not installed", allow_module_level=True)

from lazynb.data import load_mnist, make_spiral  # noqa: E402
from lazynb.mlp import MLP  # noqa: E402
from lazynb.tf_mlp import TFMLP, tf  # noqa: E402


@pytest.fixture(scope="module")
def mnist():
    """The 4,000 training and 1,000 test images shipped with the package (or the official files)."""
    X, y = load_mnist("train", warn=False)
    Xt, yt = load_mnist("test", warn=False)
    return X[:4000], y[:4000], Xt[:1000], yt[:1000]


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64)
    return X, y


# --- it learns ----------------------------------------------------------------------------------


def test_learns_the_spiral_with_a_progress_bar(capsys):
    X, y = make_spiral(seed=0)  # 600 points, 6 arms: needs the hidden layer
    m = TFMLP(
        hidden=(64,), activation="tanh", lr=0.5, epochs=100, batch_size=50, seed=0, progress=True
    ).fit(X, y)
    assert m.score(X, y) >= 0.95  # measured 0.983
    cost = m.history_["cost"]
    assert cost[-1] < 0.1 * cost[0]
    out = capsys.readouterr().out  # one line, redrawn with a carriage return every epoch
    assert out.count("\r") == 100 and "100/100" in out and "cost" in out and out.endswith("\n")


def test_learns_mnist_digits(mnist):
    X, y, Xt, yt = mnist
    m = TFMLP(hidden=(100,), lr=0.1, epochs=5, batch_size=100, seed=0).fit(X, y, X_val=Xt, Y_val=yt)
    # Five epochs over 4,000 images: about 91 % on held-out images (measured 0.907).
    assert m.score(Xt, yt) >= 0.88
    assert m.error_rate(Xt, yt) == pytest.approx(1 - m.score(Xt, yt))
    assert m.history_["val_error"][-1] == pytest.approx(m.error_rate(Xt, yt))
    h = m.history_
    assert set(h) == {"cost", "error", "val_cost", "val_error", "iterations", "time"}
    assert h["iterations"] == [40, 80, 120, 160, 200] and m.n_iter_ == 200
    assert all(np.diff(h["cost"]) < 0)  # the training cost falls every epoch here
    assert np.all(np.diff(h["time"]) > 0)
    P = m.predict_proba(Xt)
    assert P.shape == (1000, 10) and P.dtype == np.float32
    np.testing.assert_allclose(P.sum(axis=1), 1, rtol=1e-5)
    assert np.array_equal(m.predict(Xt), P.argmax(axis=1))


# --- options --------------------------------------------------------------------------------


def test_a_keras_optimizer_trains_and_starts_fresh_every_fit(small):
    import keras

    X, y = small
    opt = keras.optimizers.Adam(0.05)
    m = TFMLP(hidden=(16,), epochs=20, batch_size=20, optimizer=opt, seed=1).fit(X, y)
    assert m.history_["cost"][-1] < 0.5 * m.history_["cost"][0]
    first = m.params_
    m.jit_compile = False  # (only to save a second XLA compilation in this test)
    m.fit(X, y)  # a fresh copy of the optimizer: the same run again
    for a, b in zip(first, m.params_):
        np.testing.assert_allclose(a["W"], b["W"], rtol=1e-5, atol=1e-6)
    assert int(opt.iterations.numpy()) == 0  # the caller's optimizer is left untouched
    from lazynb.tf_mlp import _check_optimizer

    assert isinstance(_check_optimizer("rmsprop"), keras.optimizers.RMSprop)  # names work too


def test_keras_sgd_matches_plain_sgd_up_to_its_float32_learning_rate(small):
    import keras

    X, y = small
    kw = dict(
        hidden=(5,), lr=0.1, epochs=3, batch_size=20, seed=2, dtype=np.float64, jit_compile=False
    )
    ours = TFMLP(**kw).fit(X, y).params_
    theirs = TFMLP(**kw, optimizer=keras.optimizers.SGD(0.1)).fit(X, y).params_
    diff = max(np.max(np.abs(a["W"] - b["W"])) for a, b in zip(ours, theirs))
    # Keras keeps lr in float32 (0.10000000149...): a relative change of 1.5e-8 per step.
    assert 0 < diff < 1e-7


def test_without_xla_gives_the_same_network(small):
    X, y = small
    kw = dict(
        hidden=(6,), activation="sigmoid", lr=0.5, epochs=3, batch_size=16, seed=4, dtype=np.float64
    )
    a, b = TFMLP(**kw, jit_compile=True).fit(X, y), TFMLP(**kw, jit_compile=False).fit(X, y)
    assert a.jit_compiled_ is True and b.jit_compiled_ is False
    for pa, pb in zip(a.params_, b.params_):
        np.testing.assert_allclose(pa["W"], pb["W"], rtol=1e-12)


def test_falls_back_from_xla_with_a_warning(small, monkeypatch):
    from lazynb import tf_mlp

    real = tf_mlp._shared_epoch

    def no_xla(activation, output, jit, device):
        if not jit:
            return real(activation, output, jit, device)

        def refuse(*args):
            raise tf.errors.InvalidArgumentError(None, None, "XLA compilation failed (simulated)")

        return refuse

    monkeypatch.setattr(tf_mlp, "_shared_epoch", no_xla)
    X, y = small
    kw = dict(hidden=(4,), epochs=2, batch_size=25, seed=3)
    with pytest.warns(UserWarning, match="XLA could not compile.*simulated"):
        m = TFMLP(**kw).fit(X, y)
    assert m.jit_compiled_ is False and len(m.history_["cost"]) == 2
    with pytest.raises(tf.errors.InvalidArgumentError):  # asked for XLA explicitly: no fallback
        TFMLP(**kw, jit_compile=True).fit(X, y)


def test_refitting_starts_again_and_models_share_their_compilation(small):
    from lazynb import tf_mlp

    X, y = small
    m = TFMLP(hidden=(4,), epochs=2, batch_size=25, seed=3).fit(X, y)
    first = m.params_
    epoch_fn = tf_mlp._shared_epoch("relu", "softmax", True, None)
    traces = epoch_fn.experimental_get_tracing_count()
    m.fit(X, y)
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(first, m.params_))
    TFMLP(hidden=(4,), epochs=1, batch_size=25, seed=8, lr=0.3).fit(
        X, y
    )  # another model, same shapes
    assert epoch_fn.experimental_get_tracing_count() == traces  # nothing traced or compiled again
    m.activation = "tanh"  # a changed spec gets its own compiled epoch
    assert not np.allclose(m.fit(X, y).params_[0]["W"], first[0]["W"])


def test_regression_and_multi_label_outputs_predict_like_the_numpy_mlp(small):
    X, _ = small
    Yr = X[:, 0] - 2 * X[:, 1]  # (N,) targets: predict returns (N,)
    kw = dict(
        hidden=(8,),
        output="identity",
        lr=0.05,
        epochs=50,
        seed=0,
        dtype=np.float64,
        jit_compile=False,
        monitor="running",
    )
    m = TFMLP(**kw).fit(X, Yr)
    assert m.predict(X).shape == (60,) and "error" not in m.history_
    assert m.score(X, Yr) > 0.9
    kw.pop("jit_compile")
    np.testing.assert_allclose(m.predict(X), MLP(**kw).fit(X, Yr).predict(X), rtol=1e-9)
    with pytest.raises(ValueError, match="classification"):
        m.error_rate(X, Yr)
    Yl = (X[:, :2] > 0).astype(np.float32)
    s = TFMLP(hidden=(8,), output="sigmoid", lr=0.5, epochs=30, jit_compile=False).fit(X, Yl)
    assert s.predict(X).shape == (60, 2) and s.predict_proba(X).shape == (60, 2)


def test_build_and_to_numpy(small):
    X, y = small
    m = TFMLP(hidden=(4,), seed=5).build(3, 2)
    assert [p["W"].shape for p in m.params_] == [(3, 4), (4, 2)]
    assert [v["W"].__class__.__name__ for v in m.variables_] == ["ResourceVariable"] * 2
    np.testing.assert_allclose(
        m.to_numpy().predict_proba(X), m.predict_proba(X), rtol=1e-5, atol=1e-7
    )


# --- bad input ------------------------------------------------------------------------------


def test_bad_input_raises_clear_errors(small):
    X, y = small
    m = TFMLP(
        hidden=(4,), epochs=1, batch_size=25
    )  # the shapes of the refit test: no new compilation
    # Integer X: converted, as by MLP (one policy, tested for both in test_both_backends.py).
    with pytest.raises(TypeError, match="numbers"):
        m.fit(X.astype(str), y)
    with pytest.raises(ValueError, match="2-D"):
        m.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="59 rows but X has 60"):
        m.fit(X, y[:-1])
    with pytest.raises(ValueError, match="finite"):
        m.fit(np.full_like(X, np.nan), y)
    with pytest.raises(ValueError, match="give both"):
        m.fit(X, y, X_val=X)
    with pytest.raises(RuntimeError, match="not trained"):
        m.predict(X)
    with pytest.raises(AttributeError, match="no weights yet"):
        _ = m.params_
    m.fit(X, y)
    with pytest.raises(ValueError, match="2 features per sample but the model expects 3"):
        m.predict(X[:, :2])
    with pytest.raises(ValueError, match="X_val has 2 features"):
        m.fit(X, y, X_val=X[:, :2], Y_val=y)


def test_bad_settings_raise_at_construction():
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        TFMLP(activation="relu6")
    with pytest.raises(ValueError, match="unknown output"):
        TFMLP(output="linear")
    with pytest.raises(ValueError, match="dtype"):
        TFMLP(dtype=np.float16)
    with pytest.raises(ValueError, match="lr"):
        TFMLP(lr=-1)
    with pytest.raises(ValueError, match="jit_compile"):
        TFMLP(jit_compile="yes")
    with pytest.raises(ValueError, match="CPU or a GPU"):
        TFMLP(device="TPU")
    with pytest.raises(ValueError, match="optimizer"):
        TFMLP(optimizer="no-such-optimizer")
    if not tf.config.list_physical_devices("GPU"):
        with pytest.raises(ValueError, match="not visible"):
            TFMLP(device="GPU")


# --- GPU ------------------------------------------------------------------------------------


@pytest.mark.gpu
def test_trains_on_the_gpu_like_on_the_cpu(mnist):
    X, y, Xt, yt = (a[:1000] for a in mnist)
    kw = dict(hidden=(64,), lr=0.1, epochs=3, batch_size=100, seed=0)
    runs = {d: TFMLP(**kw, dtype=np.float64, device=d).fit(X, y) for d in ("CPU", "GPU")}
    for a, b in zip(runs["CPU"].params_, runs["GPU"].params_):
        np.testing.assert_allclose(b["W"], a["W"], rtol=1e-9, atol=1e-12)
    # float32 matrix products on recent GPUs use TensorFloat-32 (10-bit mantissa) by default
    # in TensorFlow, so float32 runs agree in accuracy, not to the last digit.
    acc = {d: TFMLP(**kw, device=d).fit(X, y).score(Xt, yt) for d in ("CPU", "GPU")}
    assert abs(acc["CPU"] - acc["GPU"]) <= 0.02
    assert runs["GPU"].variables_[0]["W"].device.endswith("GPU:0")
