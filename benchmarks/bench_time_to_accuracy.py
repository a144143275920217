"""Time to accuracy on the full MNIST set: the book's NumPy and TensorFlow MLPs against Keras.

Readers compare libraries by how long they take to train a network to a given
accuracy. Every variant here trains the same network on the same data, in one
process:

* network 784-300-10, ReLU hidden layer, softmax output, cross-entropy, float32;
* Adam with learning rate 0.001, mini-batches of 100, 10 epochs (6,000 updates);
* the full MNIST set: 60,000 training images, the test error measured on all
  10,000 test images after every epoch (not counted in the time);
* seed 0 for the book's models (the same initial weights and batch order in
  NumPy and TensorFlow); Keras draws its own (Glorot) initial weights from seed 0.

The variants:

* ``numpy`` -- ``lazynb.mlp.MLP`` with ``lazynb.optimizers.Adam(1e-3)``;
* ``tensorflow`` -- ``lazynb.tf_mlp.TFMLP`` with ``keras.optimizers.Adam(1e-3)``,
  its epoch compiled with XLA;
* ``keras default`` -- ``Sequential`` + ``compile`` + ``fit`` with defaults;
* ``keras tuned`` -- the same with ``jit_compile=True, steps_per_execution=20``.

What is timed is the epochs alone, from the start of the first to the end of
each (lazynb: ``history_["time"]``; Keras: a callback), the same definition for
all four; the set-up of a ``fit`` call (copying the data, tracing) and the test
evaluations are left out. Each variant first runs once untimed (imports, tracing and compilation that a
second model in the same process does not pay again), then ``--repeats`` fresh
models of each variant train in turn, and the table shows medians: the training
time of the 10 epochs, the time until the test accuracy first reaches
``--target`` (98 % by default), the final test error, and each time as a ratio
to Keras with defaults (above 1: faster than Keras).

Needs the full set (``LAZYNB_DATA`` pointing at the four official files);
refuses to run on the offline sample, whose 1,000 test images cannot show 98 %.

Run from the repository root::

    LAZYNB_DATA=../shared/data/mnist python benchmarks/bench_time_to_accuracy.py
    ... bench_time_to_accuracy.py --repeats 5 --target 0.98 out.json
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

from lazynb.data import load_mnist  # noqa: E402
from lazynb.repro import import_tensorflow  # noqa: E402

tf = import_tensorflow()
import keras  # noqa: E402

from lazynb.mlp import MLP  # noqa: E402
from lazynb.optimizers import Adam  # noqa: E402
from lazynb.tf_mlp import TFMLP  # noqa: E402

HIDDEN, LR, BATCH = 300, 1e-3, 100


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "out",
        nargs="?",
        default=str(ROOT / "benchmarks" / "results_tta.json"),
        help="where to write the JSON results",
    )
    p.add_argument("--epochs", type=int, default=10, help="epochs per run (default 10)")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per variant (default 3)")
    p.add_argument(
        "--target", type=float, default=0.98, help="test accuracy to reach (default 0.98)"
    )
    return p.parse_args(argv)


def curve_from_history(history) -> tuple[list[float], list[float]]:
    """(cumulative training seconds, test error) after each epoch, from a lazynb history."""
    return list(history["time"]), list(history["val_error"])


def run_numpy(X, y, Xte, yte, epochs):
    model = MLP(
        (HIDDEN,), epochs=epochs, batch_size=BATCH, update=Adam(LR), seed=0, monitor="running"
    )
    model.fit(X, y, X_val=Xte, Y_val=yte)
    return curve_from_history(model.history_)


def run_tensorflow(X, y, Xte, yte, epochs):
    model = TFMLP(
        (HIDDEN,),
        epochs=epochs,
        batch_size=BATCH,
        seed=0,
        monitor="running",
        optimizer=keras.optimizers.Adam(LR),
    )
    model.fit(X, y, X_val=Xte, Y_val=yte)
    return curve_from_history(model.history_)


class _Curve(keras.callbacks.Callback):
    """Training time per epoch (the test evaluation after it is not counted) and test error."""

    def __init__(self, Xte, yte):
        super().__init__()
        self.Xte, self.yte = Xte, yte
        self.times, self.errors, self.spent, self.eval_spent = [], [], 0.0, 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.spent += time.perf_counter() - self.t0
        self.times.append(self.spent)
        t0 = time.perf_counter()
        pred = self.model.predict(self.Xte, batch_size=10_000, verbose=0).argmax(axis=1)
        self.errors.append(float(np.mean(pred != self.yte)))
        self.eval_spent += time.perf_counter() - t0


def run_keras(X, y, Xte, yte, epochs, *, tuned: bool):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(X.shape[1],)),
            keras.layers.Dense(HIDDEN, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    kw = {"jit_compile": True, "steps_per_execution": 20} if tuned else {}
    model.compile(optimizer=keras.optimizers.Adam(LR), loss="sparse_categorical_crossentropy", **kw)
    curve = _Curve(Xte, yte)
    model.fit(X, y, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[curve])
    return curve.times, curve.errors


def time_to(times, errors, target_error) -> float | None:
    """Training seconds until the test error first reaches ``target_error`` (None: never)."""
    for t, e in zip(times, errors):
        if e <= target_error:
            return t
    return None


def main(argv=None) -> dict:
    args = parse_args(argv)
    X, y, info = load_mnist("train", warn=False, return_info=True)
    Xte, yte = load_mnist("test", warn=False)
    if info.source != "official":
        sys.exit(
            "needs the full MNIST set: set LAZYNB_DATA to the folder with the four official "
            f"files (found: {info.path_or_note})"
        )
    variants = {
        "numpy": run_numpy,
        "tensorflow": run_tensorflow,
        "keras default": lambda *a: run_keras(*a, tuned=False),
        "keras tuned": lambda *a: run_keras(*a, tuned=True),
    }
    for run in variants.values():  # warm-up: one epoch each, untimed (imports, tracing, XLA)
        run(X, y, Xte, yte, 1)
    runs = {name: [] for name in variants}
    load_before = os.getloadavg()
    for _ in range(args.repeats):
        for name, run in variants.items():
            times, errors = run(X, y, Xte, yte, args.epochs)
            runs[name].append({"times": times, "errors": errors})
    load_after = os.getloadavg()

    target_error = 1 - args.target
    summary = {}
    for name, rs in runs.items():
        reach = [time_to(r["times"], r["errors"], target_error) for r in rs]
        summary[name] = {
            "train_s": statistics.median(r["times"][-1] for r in rs),
            "to_target_s": statistics.median(reach) if None not in reach else None,
            "final_error": statistics.median(r["errors"][-1] for r in rs),
            "best_error": statistics.median(min(r["errors"]) for r in rs),
        }
    ref = summary["keras default"]
    print(
        f"784-{HIDDEN}-10 ReLU, Adam {LR}, batch {BATCH}, {args.epochs} epochs on the full MNIST "
        f"set, test error on 10,000 images; median of {args.repeats} "
        f"(TF {tf.__version__}, Keras {keras.__version__}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.1f} -> {load_after[0]:.1f})"
    )
    print(
        f"{'variant':<15}{'train s':>9}{'x Keras':>9}{f'to {args.target:.0%} s':>11}{'x Keras':>9}"
        f"{'final error':>13}"
    )
    for name, s in summary.items():
        ratio = ref["train_s"] / s["train_s"]
        if s["to_target_s"] is None or ref["to_target_s"] is None:
            reach, rratio = "never" if s["to_target_s"] is None else f"{s['to_target_s']:.1f}", "-"
        else:
            reach = f"{s['to_target_s']:.1f}"
            rratio = f"{ref['to_target_s'] / s['to_target_s']:.2f}"
        s["speedup_vs_keras_default"] = ratio
        print(
            f"{name:<15}{s['train_s']:>9.1f}{ratio:>9.2f}{reach:>11}{rratio:>9}"
            f"{s['final_error']:>12.2%}"
        )
    result = {
        "network": f"784-{HIDDEN}-10",
        "optimizer": f"Adam({LR})",
        "batch": BATCH,
        "epochs": args.epochs,
        "target_accuracy": args.target,
        "repeats": args.repeats,
        "summary": summary,
        "runs": runs,
        "load_average": [load_before[0], load_after[0]],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
