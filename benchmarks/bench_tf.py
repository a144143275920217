"""One training epoch in TensorFlow: lazynb's TFMLP against Keras ``model.fit``.

What is timed: one epoch of plain SGD (lr 0.1, batch 500, cross-entropy) over
60,000 MNIST-shaped samples for a 784-H-10 network (relu hidden layer, softmax
output), H = 300 by default, in float32, in one process:

* ``lazynb`` -- ``TFMLP(...).fit(X, y)`` with ``epochs=1`` and ``monitor="running"``
  (no extra pass over the data).
* ``keras default`` -- ``Sequential([Input, Dense(H, relu), Dense(10, softmax)])``
  compiled with ``SGD(0.1)`` and categorical cross-entropy, ``fit(..., batch_size=500,
  epochs=1, verbose=0)``.
* ``keras tuned`` -- the same with ``compile(jit_compile=True, steps_per_execution=20)``.

Two times for each: ``fit`` is the wall-clock of the whole ``fit`` call (checks,
the copy of the data into tensors, setting up, the epoch), ``epoch`` the epoch
alone (lazynb: ``history_["time"]``; Keras: from ``on_epoch_begin`` to
``on_epoch_end`` of a callback). Ratios are given for both.

The data are random: pixels uniform in [0, 1) and random labels (the speed of
an epoch does not depend on the values; nothing is downloaded). Every variant
is warmed up first (tracing, XLA compilation), then the variants take turns,
``--repeats`` times, so that a busy machine slows them alike; the table shows
medians, and the load average before and after, since a shared machine skews
everything. (A pause and ``gc.collect()`` before each run were tried: every
``fit`` got slower, the epochs did not change.)

The targets (on a CPU): lazynb at least 3x faster than Keras's default and at
least 1.2x faster than the tuned Keras. What bounds it: an epoch is 57.5 GFLOP
of matrix products (the 784x300 layer, forward and weight gradient, 120
batches), about 0.35 s at the ~166 GFLOP/s a 2-core CPU gives a float32
matmul; lazynb's XLA-compiled epoch runs at 100-140 GFLOP/s.

Run from the repository root::

    python benchmarks/bench_tf.py                          # CPU, 784-300-10
    python benchmarks/bench_tf.py --hidden 3000 --device GPU
    python benchmarks/bench_tf.py --repeats 9 out.json     # JSON path (default benchmarks/results_tf.json)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lazynb.repro import import_tensorflow  # noqa: E402

tf = import_tensorflow()
import keras  # noqa: E402

from lazynb.tf_mlp import TFMLP  # noqa: E402

N, D, K = 60_000, 784, 10


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "out",
        nargs="?",
        default=str(ROOT / "benchmarks" / "results_tf.json"),
        help="where to write the JSON results",
    )
    p.add_argument("--hidden", type=int, default=300, help="hidden units H (default 300)")
    p.add_argument("--batch", type=int, default=500, help="batch size (default 500)")
    p.add_argument("--repeats", type=int, default=7, help="timed epochs per variant (default 7)")
    p.add_argument("--device", default="CPU", help="CPU or GPU (default CPU)")
    p.add_argument(
        "--xla",
        choices=["auto", "on", "off"],
        default="auto",
        help="TFMLP's jit_compile (default auto: XLA where it compiles)",
    )
    p.add_argument("--no-keras", action="store_true", help="time lazynb only")
    return p.parse_args(argv)


def keras_model(H: int, *, tuned: bool):
    model = keras.Sequential(
        [
            keras.Input(shape=(D,)),
            keras.layers.Dense(H, activation="relu"),
            keras.layers.Dense(K, activation="softmax"),
        ]
    )
    kw = {"jit_compile": True, "steps_per_execution": 20} if tuned else {}
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy", **kw)
    return model


def main(argv=None) -> dict:
    args = parse_args(argv)
    device = "/" + args.device.upper().lstrip("/") + ("" if ":" in args.device else ":0")
    kind = device.strip("/").split(":")[0]
    if not tf.config.list_logical_devices(kind):
        sys.exit(f"no {kind} visible to TensorFlow")
    rng = np.random.default_rng(0)
    X = rng.random((N, D), dtype=np.float32)  # random pixels in [0, 1)
    y = rng.integers(0, K, N)  # random labels
    T = np.eye(K, dtype=np.float32)[y]

    jit = {"auto": "auto", "on": True, "off": False}[args.xla]
    ours = TFMLP(
        hidden=(args.hidden,),
        lr=0.1,
        epochs=1,
        batch_size=args.batch,
        monitor="running",
        device=device,
        jit_compile=jit,
    )
    epochs = {"lazynb": []}  # the epoch alone, inside each fit call

    def run_ours():
        ours.fit(X, y)
        epochs["lazynb"].append(ours.history_["time"][-1])

    variants = {"lazynb": run_ours}
    if not args.no_keras:

        class EpochTimer(keras.callbacks.Callback):
            def __init__(self, name):
                super().__init__()
                self.name = name

            def on_epoch_begin(self, epoch, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                epochs[self.name].append(time.perf_counter() - self.t0)

        with tf.device(device):
            models = {
                "keras default": keras_model(args.hidden, tuned=False),
                "keras tuned": keras_model(args.hidden, tuned=True),
            }
        for name, model in models.items():
            epochs[name] = []
            timer = EpochTimer(name)

            def run(model=model, timer=timer):
                with tf.device(device):
                    model.fit(X, T, batch_size=args.batch, epochs=1, verbose=0, callbacks=[timer])

            variants[name] = run

    load_before = os.getloadavg()
    for run in variants.values():  # warm-up: tracing and XLA compilation
        run()
    for ts in epochs.values():
        ts.clear()
    fits = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, run in variants.items():
            t0 = time.perf_counter()
            run()
            fits[name].append(time.perf_counter() - t0)
    load_after = os.getloadavg()
    med = {
        name: {"fit": statistics.median(fits[name]), "epoch": statistics.median(epochs[name])}
        for name in variants
    }

    # Matmul FLOPs: forward 2NDH + 2NHK, weight gradients the same again, and the error
    # of the hidden layer 2NHK (no gradient is needed for the inputs).
    flops = 4 * N * D * args.hidden + 6 * N * args.hidden * K
    print(
        f"one epoch, {N} samples, {D}-{args.hidden}-{K} relu/softmax, batch {args.batch}, "
        f"float32, {kind}; median of {args.repeats} (TF {tf.__version__}, Keras {keras.__version__}, "
        f"{os.cpu_count()} CPUs, XLA in lazynb: {ours.jit_compiled_}, "
        f"load average {load_before[0]:.1f} -> {load_after[0]:.1f})"
    )
    print(f"{'variant':<15}{'fit s':>8}{'epoch s':>9}{'epoch GFLOP/s':>15}")
    for name, t in med.items():
        print(f"{name:<15}{t['fit']:>8.3f}{t['epoch']:>9.3f}{flops / t['epoch'] / 1e9:>15.1f}")
    result = {
        "device": kind,
        "hidden": args.hidden,
        "batch": args.batch,
        "samples": N,
        "repeats": args.repeats,
        "median_s": med,
        "fit_s": fits,
        "epoch_s": epochs,
        "load_average": [load_before[0], load_after[0]],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "xla": ours.jit_compiled_,
    }
    if not args.no_keras:
        targets = {"keras default": 3.0, "keras tuned": 1.2}
        ratios = {}
        for name, target in targets.items():
            for what in ("fit", "epoch"):
                r = med[name][what] / med["lazynb"][what]
                ratios[f"{what} vs {name}"] = r
                verdict = "met" if r >= target else "missed"
                print(
                    f"lazynb {what} vs {name} {what}: {r:.2f}x (target >= {target}x on CPU: {verdict})"
                )
        result |= {"speedup": ratios, "targets": targets}
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
