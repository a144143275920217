"""Data parallelism on one machine: two replicas from one CPU, and one exact SGD step.

``tf.distribute.MirroredStrategy`` keeps a copy of the model on every device, gives each
copy (a *replica*) a slice of the global batch, and adds the replicas' gradients
together (an *all-reduce*) before every update. A laptop has no second GPU, but
TensorFlow can split one CPU into several *logical* devices, which is enough to run the
real thing::

    from lazynb.distribute import split_cpu, replica_sgd_step, one_device_sgd_step

    split_cpu(2)                                   # first, before TensorFlow runs anything
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model, opt = build(), keras.optimizers.SGD(0.1)
    replica_sgd_step(strategy, model, opt, X, y)   # == one_device_sgd_step(...) on one copy

The replicas' gradients are *summed*, so each replica must scale its loss by the global
batch size (``tf.nn.compute_average_loss``): each replica's own mean would make the step
``num_replicas`` times too large (``average=False`` shows that mistake).
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive_int
from .repro import import_tensorflow

__all__ = ["split_cpu", "replica_sgd_step", "one_device_sgd_step"]


def split_cpu(n: int = 2) -> list[str]:
    """Split the first physical CPU into ``n`` logical devices; return their names.

    Returns ``["/device:CPU:0", ..., "/device:CPU:{n-1}"]``. TensorFlow fixes its
    devices when its runtime starts (the first operation, or the first look at the
    logical devices), so this must run before that: at the top of a notebook, or in a
    fresh process. Called again after the split with the same ``n`` it returns the names
    (a rerun of the cell is harmless); with another ``n`` it raises ``RuntimeError``.
    """
    n = check_positive_int(n, "n (the number of logical CPUs)", minimum=1)
    tf = import_tensorflow()
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration()] * n
        )
    except RuntimeError as exc:  # the runtime has started: the devices are fixed now
        have = tf.config.list_logical_devices("CPU")
        if len(have) == n:
            return [d.name for d in have]
        raise RuntimeError(
            f"TensorFlow has already started with {len(have)} logical CPU(s), and logical "
            f"devices can only be set before it runs anything: restart the kernel (or use "
            f"a new process) and call split_cpu({n}) before any other TensorFlow call"
        ) from exc
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def _check_batch(X, y, replicas: int):
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"X must be a 2-D float array (N, D), got shape {X.shape}, {X.dtype}")
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must be (N,) integer class labels with N = {X.shape[0]}, "
            f"got shape {y.shape}, {y.dtype}"
        )
    if X.shape[0] == 0 or X.shape[0] % replicas:
        raise ValueError(
            f"the global batch ({X.shape[0]} rows) must split evenly among {replicas} replicas"
        )
    return X.astype(np.float32, copy=False), y


def _cross_entropy(y, logits):
    """Per-example softmax cross-entropy, ``(n,)``, from integer labels and logits."""
    tf = import_tensorflow()
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)


def replica_sgd_step(strategy, model, optimizer, X, y, *, average: bool = True) -> float:
    """One training step on the global batch ``X (N, D)``, ``y (N,)``, split among replicas.

    ``model`` and ``optimizer`` must be created inside ``strategy.scope()``. Replica
    ``r`` of ``R`` gets rows ``r*N/R`` to ``(r+1)*N/R`` (``N`` must divide evenly),
    computes its per-example cross-entropies and scales their sum by the global
    ``N`` (``tf.nn.compute_average_loss``), so that the summed gradients are those of
    the mean over all ``N``: the same step as :func:`one_device_sgd_step` on the whole
    batch. ``average=False`` uses each replica's own mean instead (a common mistake),
    which makes the gradient ``R`` times too large.

    Returns the global loss the replicas computed (the sum of their parts).
    """
    tf = import_tensorflow()
    replicas = strategy.num_replicas_in_sync
    X, y = _check_batch(X, y, replicas)
    n_global, part = X.shape[0], X.shape[0] // replicas

    def slice_for(ctx):
        r = ctx.replica_id_in_sync_group
        return X[r * part : (r + 1) * part], y[r * part : (r + 1) * part]

    xs, ys = strategy.experimental_distribute_values_from_function(slice_for)

    def replica_step(x, t):
        with tf.GradientTape() as tape:
            per_example = _cross_entropy(t, model(x, training=True))
            if average:
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=n_global)
            else:
                loss = tf.reduce_mean(per_example)  # the mistake: this replica's mean only
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))  # all-reduce: a sum
        return loss

    @tf.function  # the replicas run in one graph, as model.fit would run them
    def step(xs, ys):
        return strategy.reduce("SUM", strategy.run(replica_step, args=(xs, ys)), axis=None)

    return float(step(xs, ys))


def one_device_sgd_step(model, optimizer, X, y) -> float:
    """One training step on the whole batch ``X (N, D)``, ``y (N,)`` on one device.

    The loss is the mean softmax cross-entropy over the ``N`` rows; returns it.
    """
    tf = import_tensorflow()
    X, y = _check_batch(X, y, 1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(_cross_entropy(y, model(X, training=True)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return float(loss)
