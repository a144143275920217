"""How fast is lazynb's NumPy MLP? Against its own matrix products, and against Keras.

    python benchmarks/bench_mlp.py [results.json] [--quick]
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_mlp.py results_1thread.json

Prints a table and writes the numbers as JSON (default ``benchmarks/results.json``).
What is measured (all float32, 784-300-10, ReLU hidden layer, softmax output):

1. ``gemm``: GFLOP/s of one 1024 x 1024 x 1024 matrix product (the machine's BLAS).
2. ``step``: one training iteration of :class:`lazynb.mlp.MLP` on a batch of 500
   (forward, backward, SGD update: ``MLP._step``, the code ``fit`` runs),
   against ``matmuls``: the five matrix products of that iteration alone, with
   the same shapes and output buffers (X W1, Z W2, Z^T delta, delta W2^T, X^T delta1).
   Their ratio is the distance to the "roofline" on this machine: everything
   that is not a matrix product (bias, ReLU, softmax, updates, Python) costs
   ``ratio - 1`` of a step.
3. ``epoch``: one pass over 60,000 MNIST-shaped samples at batch size 500
   (random bytes / 255, random labels: the speed does not depend on the
   values), shuffled every epoch, plain SGD: ``MLP.fit`` (``monitor="running"``,
   Keras' running-mean loss, so neither does an extra pass) against
   ``keras.Model.fit`` with default settings and with ``jit_compile=True,
   steps_per_execution=20``. Each time is the epoch alone: history ``"time"``
   for the MLP, an ``on_epoch_begin``/``on_epoch_end`` callback for Keras.

Every time is the median of several repeats after a warm-up that is not counted
(for Keras: tracing and XLA compilation); the epoch variants take turns, and the
step and its matmuls alternate, so that a busy spell slows both sides alike.
This is a benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lazynb.mlp import MLP  # noqa: E402

D, M, K, B, N = 784, 300, 10, 500, 60_000
F32 = np.float32


def timings(fn, *, number: int, repeat: int, cpu: bool = False) -> np.ndarray:
    """``repeat`` measurements of the mean time of ``number`` calls (after one warm-up call).

    Wall-clock seconds, or with ``cpu=True`` this process's CPU seconds (all its
    threads): with one BLAS thread, a measure that other processes on the
    machine barely disturb.
    """
    clock = time.process_time if cpu else time.perf_counter
    fn()
    times = []
    for _ in range(repeat):
        t0 = clock()
        for _ in range(number):
            fn()
        times.append((clock() - t0) / number)
    return np.array(times)


def bench_gemm(repeat: int) -> dict:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((1024, 1024), dtype=F32)
    C = rng.standard_normal((1024, 1024), dtype=F32)
    out = np.empty_like(A)
    t = float(np.median(timings(lambda: np.matmul(A, C, out=out), number=10, repeat=repeat)))
    return {"seconds": t, "gflops": 2 * 1024**3 / t / 1e9}


def bench_step(repeat: int) -> dict:
    rng = np.random.default_rng(0)
    X = (rng.integers(0, 256, (B, D)) / 255).astype(F32)
    y = rng.integers(0, K, B)
    T = np.eye(K, dtype=F32)[y]
    model = MLP((M,), lr=0.01, epochs=1, batch_size=B).fit(X, y)  # builds params_

    def step():
        model._step(X, T)

    W1, W2 = model.params_[0]["W"], model.params_[1]["W"]
    A1, A2 = np.empty((B, M), F32), np.empty((B, K), F32)
    G1, G2, D1 = np.empty((D, M), F32), np.empty((M, K), F32), np.empty((B, M), F32)
    delta = rng.standard_normal((B, K), dtype=F32) * 1e-3

    def matmuls():
        np.matmul(X, W1, out=A1)
        np.matmul(A1, W2, out=A2)
        np.matmul(A1.T, delta, out=G2)
        np.matmul(delta, W2.T, out=D1)
        np.matmul(X.T, D1, out=G1)

    # Interleave the two so that a burst of load on the machine hits both alike.
    s_times, m_times, s_cpu, m_cpu = [], [], [], []
    for _ in range(repeat):
        s_times.append(timings(step, number=20, repeat=1)[0])
        m_times.append(timings(matmuls, number=20, repeat=1)[0])
        s_cpu.append(timings(step, number=20, repeat=1, cpu=True)[0])
        m_cpu.append(timings(matmuls, number=20, repeat=1, cpu=True)[0])
    step_t, mm_t = float(np.median(s_times)), float(np.median(m_times))
    flops = 2 * B * (2 * D * M + 3 * M * K)
    return {
        "step_seconds": step_t,
        "matmul_seconds": mm_t,
        "ratio": step_t / mm_t,
        "ratio_of_best": min(s_times) / min(m_times),
        "matmul_gflops": flops / mm_t / 1e9,
        "step_cpu_seconds": float(np.median(s_cpu)),
        "matmul_cpu_seconds": float(np.median(m_cpu)),
        "cpu_ratio": float(np.median(s_cpu) / np.median(m_cpu)),
    }


def mnist_shaped(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = (rng.integers(0, 256, (N, D), dtype=np.uint8) / 255).astype(F32)
    return X, rng.integers(0, K, N)


def numpy_epoch(X, y):
    """Seconds of one training epoch of the NumPy MLP (its history's "time": the epoch alone)."""
    model = MLP((M,), lr=0.01, epochs=1, batch_size=B, monitor="running").fit(X, y)
    return model.history_["time"][-1]


def keras_epoch_runner(X, y, *, tuned: bool):
    """A function that runs one Keras epoch and returns its seconds (measured by a callback)."""
    from lazynb.repro import import_tensorflow

    import_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(D,)),
            keras.layers.Dense(M, activation="relu"),
            keras.layers.Dense(K, activation="softmax"),
        ]
    )
    extra = {"jit_compile": True, "steps_per_execution": 20} if tuned else {}
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy", **extra)
    T = np.eye(K, dtype=F32)[y]
    times = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    def run():
        model.fit(X, T, batch_size=B, epochs=1, shuffle=True, verbose=0, callbacks=[EpochTimer()])
        return times[-1]

    return run, extra


def bench_epochs(X, y, repeat: int) -> dict:
    """The three variants take turns, so that a busy spell on the machine slows them alike."""
    keras_default, _ = keras_epoch_runner(X, y, tuned=False)
    keras_tuned, settings = keras_epoch_runner(X, y, tuned=True)
    runs = {
        "numpy_mlp": lambda: numpy_epoch(X, y),
        "keras_default": keras_default,
        "keras_tuned": keras_tuned,
    }
    for run in runs.values():  # warm-up: tracing and XLA compilation, first-touch of buffers
        run()
    times = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(run())
    res = {name: {"seconds": float(np.median(t)), "all": t} for name, t in times.items()}
    res["keras_tuned"]["settings"] = settings
    return res


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "(unset: all cores)"),
    }
    try:
        import keras
        import tensorflow as tf

        info |= {"tensorflow": tf.__version__, "keras": keras.__version__}
    except ImportError:
        pass
    return info


def main(argv=None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in argv
    paths = [a for a in argv if not a.startswith("--")]
    out = Path(paths[0]) if paths else ROOT / "benchmarks" / "results.json"
    repeat, epoch_repeats = (3, 2) if quick else (15, 5)
    load = os.getloadavg()

    res = {"gemm_1024": bench_gemm(repeat), "step_784_300_10_b500": bench_step(repeat)}
    X, y = mnist_shaped()
    res["epoch_60k_b500"] = bench_epochs(X, y, epoch_repeats)
    e = res["epoch_60k_b500"]
    e["speedup_vs_keras_default"] = e["keras_default"]["seconds"] / e["numpy_mlp"]["seconds"]
    e["speedup_vs_keras_tuned"] = e["keras_tuned"]["seconds"] / e["numpy_mlp"]["seconds"]
    res["machine"] = machine() | {
        "load_average_at_start": load,
        "load_average_at_end": os.getloadavg(),
    }
    res["data"] = "random uint8 pixels / 255 and random labels, 60,000 x 784 float32"

    g, s = res["gemm_1024"], res["step_784_300_10_b500"]
    rows = [
        ("float32 1024^3 matmul", f"{g['seconds'] * 1e3:.2f} ms", f"{g['gflops']:.0f} GFLOP/s"),
        (
            "MLP step 784-300-10, B=500",
            f"{s['step_seconds'] * 1e3:.2f} ms",
            f"{s['ratio']:.2f} x its matmuls (target <= 1.15; best runs {s['ratio_of_best']:.2f})",
        ),
        (
            "  its 5 matmuls alone",
            f"{s['matmul_seconds'] * 1e3:.2f} ms",
            f"{s['matmul_gflops']:.0f} GFLOP/s",
        ),
        (
            "  in CPU time (step, matmuls)",
            f"{s['step_cpu_seconds'] * 1e3:.2f} ms",
            f"{s['matmul_cpu_seconds'] * 1e3:.2f} ms: {s['cpu_ratio']:.2f} x "
            "(robust to other load with OPENBLAS_NUM_THREADS=1)",
        ),
        ("epoch 60k, NumPy MLP", f"{e['numpy_mlp']['seconds']:.3f} s", ""),
        (
            "epoch 60k, Keras default",
            f"{e['keras_default']['seconds']:.3f} s",
            f"NumPy {e['speedup_vs_keras_default']:.2f} x faster (target >= 2.5)",
        ),
        (
            "epoch 60k, Keras XLA + spe=20",
            f"{e['keras_tuned']['seconds']:.3f} s",
            f"NumPy {e['speedup_vs_keras_tuned']:.2f} x as fast (target >= 0.9)",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"machine: {res['machine']['cpu']}, {res['machine']['cores']} cores, "
        f"OPENBLAS_NUM_THREADS={res['machine']['OPENBLAS_NUM_THREADS']}, "
        f"load average {load[0]:.1f} at start"
    )
    for name, t, note in rows:
        print(f"{name:<{width}}  {t:>10}  {note}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(f"wrote {out}")
    return res


if __name__ == "__main__":
    main()
