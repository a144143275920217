"""Two replicas on one CPU take exactly the step one device takes (lazynb.distribute).

Logical devices can only be configured before TensorFlow's runtime starts, and the
pytest process may have started it already (another test ran an operation), so the
two-replica check runs in a fresh Python process and reports back as JSON.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tf_helpers import quiet_tensorflow, skip_without_tensorflow

skip_without_tensorflow()

# Run in a subprocess: split the CPU, then compare one SGD step on 2 replicas with one on
# one device, for the right loss scaling and for each replica's own mean (the mistake).
_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    from lazynb.distribute import split_cpu, replica_sgd_step, one_device_sgd_step
    from lazynb.repro import import_tensorflow

    names = split_cpu(2)                    # the first TensorFlow call of this process
    tf = import_tensorflow()
    import keras

    def build(seed=0):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input((20,)), keras.layers.Dense(16, activation="tanh"),
                                 keras.layers.Dense(5)])

    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 20)).astype(np.float32)
    y = rng.integers(0, 5, size=32)

    single = build()
    w0 = [v.numpy() for v in single.trainable_variables]
    loss1 = one_device_sgd_step(single, keras.optimizers.SGD(0.5), X, y)
    step1 = [v.numpy() - a for v, a in zip(single.trainable_variables, w0)]

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    out = {"names": names, "replicas": strategy.num_replicas_in_sync, "loss1": loss1}
    for average in (True, False):
        with strategy.scope():
            model, opt = build(), keras.optimizers.SGD(0.5)
        start = [v.numpy() for v in model.trainable_variables]
        loss = replica_sgd_step(strategy, model, opt, X, y, average=average)
        step = [v.numpy() - a for v, a in zip(model.trainable_variables, start)]
        out[str(average)] = {
            "same_start": all(np.array_equal(a, b) for a, b in zip(start, w0)),
            "loss": loss,
            "max_weight_diff": max(float(np.abs(s - t).max()) for s, t in zip(step, step1)),
            "step_ratio": [float(np.abs(s).sum() / np.abs(t).sum()) for s, t in zip(step, step1)],
        }
    try:
        replica_sgd_step(strategy, model, opt, X[:31], y[:31])
        out["odd_batch"] = "accepted"
    except ValueError as exc:
        out["odd_batch"] = str(exc)
    print("RESULT" + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def two_replicas():
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=300
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT") :])


@pytest.mark.slow  # a fresh TensorFlow process: ~10 s
def test_the_cpu_splits_into_two_replicas(two_replicas):
    assert two_replicas["names"] == ["/device:CPU:0", "/device:CPU:1"]
    assert two_replicas["replicas"] == 2


@pytest.mark.slow  # a fresh TensorFlow process: ~10 s
def test_two_replicas_take_the_one_device_step(two_replicas):
    right = two_replicas["True"]
    assert right["same_start"]
    # The same update to float32 rounding (the step itself is about 1e-2 here).
    assert right["max_weight_diff"] < 1e-6, right
    assert right["loss"] == pytest.approx(two_replicas["loss1"], rel=1e-5)


@pytest.mark.slow  # a fresh TensorFlow process: ~10 s
def test_each_replicas_own_mean_doubles_the_step(two_replicas):
    wrong = two_replicas["False"]
    assert wrong["same_start"]
    assert wrong["max_weight_diff"] > 1e-3, wrong  # the check above would catch it
    assert wrong["step_ratio"] == pytest.approx([2.0] * 4, rel=1e-4)
    assert wrong["loss"] == pytest.approx(2 * two_replicas["loss1"], rel=1e-5)


@pytest.mark.slow  # a fresh TensorFlow process: ~10 s
def test_an_uneven_global_batch_is_refused(two_replicas):
    assert "split evenly among 2 replicas" in two_replicas["odd_batch"]


# In this process: input checks, and a one-replica strategy (no split needed).


def test_split_cpu_checks_its_argument():
    from lazynb.distribute import split_cpu

    with pytest.raises(ValueError, match="n"):
        split_cpu(0)
    with pytest.raises(TypeError, match="integer"):
        split_cpu("2")


def test_split_cpu_after_start_says_to_restart():
    tf = quiet_tensorflow()
    from lazynb.distribute import split_cpu

    tf.constant(1.0) + 1.0  # make sure the runtime has started
    have = len(tf.config.list_logical_devices("CPU"))
    assert split_cpu(have) == [d.name for d in tf.config.list_logical_devices("CPU")]
    with pytest.raises(RuntimeError, match="restart the kernel"):
        split_cpu(have + 1)


def _tiny_model(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])


def test_one_replica_is_one_device():
    tf = quiet_tensorflow()
    import keras

    from lazynb.distribute import one_device_sgd_step, replica_sgd_step

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 6)).astype(np.float32), rng.integers(0, 3, size=8)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        a, opt_a = _tiny_model(), keras.optimizers.SGD(0.3)
    b = _tiny_model()
    la = replica_sgd_step(strategy, a, opt_a, X, y)
    lb = one_device_sgd_step(b, keras.optimizers.SGD(0.3), X, y)
    assert la == pytest.approx(lb, rel=1e-6)
    for v, w in zip(a.trainable_variables, b.trainable_variables):
        np.testing.assert_allclose(v.numpy(), w.numpy(), rtol=0, atol=1e-7)


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(6, np.float32), np.zeros(1, int), "2-D float"),
        (np.zeros((4, 6), int), np.zeros(4, int), "2-D float"),
        (np.zeros((4, 6), np.float32), np.zeros(4, np.float32), "integer class labels"),
        (np.zeros((4, 6), np.float32), np.zeros(3, int), "integer class labels"),
        (np.zeros((0, 6), np.float32), np.zeros(0, int), "split evenly"),
    ],
)
def test_bad_batches_are_refused(X, y, match):
    import keras

    from lazynb.distribute import one_device_sgd_step

    with pytest.raises(ValueError, match=match):
        one_device_sgd_step(_tiny_model(), keras.optimizers.SGD(0.1), X, y)
