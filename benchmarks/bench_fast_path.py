"""Is the preallocated fast training step worth its 130 lines? A same-process benchmark.

Two arms, the same ``MLP.fit`` settings, run alternately in one process:

* **fast**: ``lazynb/mlp.py`` as of commit ``FAST_COMMIT``, the last one with the preallocated
  ``_Workspace`` / ``_train_step`` step (and its batches gathered into preallocated buffers),
  loaded from git as a module of today's package;
* **plain**: today's ``lazynb.mlp.MLP``, whose step is ``forward`` + ``backward`` + the update.

(Measured while deciding, with both steps inside today's loop: the same picture.)

Timed: ``history_["time"][-1]``, the training seconds both record (monitoring excluded).
Printed: per workload the median over ``--repeats`` of the ratio fast/plain of each repeat
(below 1: fast is faster) and the median seconds of each arm. The rule the book follows:
keep the fast path only if it is at least 10 % faster (ratio <= 0.90) on the book's workloads.
It was not on the two 60,000-row workloads (ratios 0.89-0.97 over several runs), so it was removed.

    python benchmarks/bench_fast_path.py [--repeats 5] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lazynb  # noqa: E402
from lazynb.data import make_clouds, make_donut, make_spiral  # noqa: E402
from lazynb.mlp import MLP  # noqa: E402

FAST_COMMIT = "96afbd5"  # the last commit with the fast path in lazynb/mlp.py


def load_fast_mlp():
    """The MLP class of lazynb/mlp.py at FAST_COMMIT, imported as lazynb._mlp_fast."""
    src = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{FAST_COMMIT}:lazynb/mlp.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("lazynb._mlp_fast", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "lazynb"  # its relative imports resolve to today's package
    sys.modules[spec.name] = mod
    exec(compile(src, f"{FAST_COMMIT}:lazynb/mlp.py", "exec"), mod.__dict__)
    assert hasattr(mod, "_train_step"), "FAST_COMMIT has no fast path"
    return mod.MLP


def workloads(quick: bool):
    rng = np.random.default_rng(0)
    n = 6000 if quick else 60000
    X = rng.random((n, 784), dtype=np.float32)  # MNIST-shaped rows (the timing ignores values)
    y = rng.integers(0, 10, n)
    Xc, yc = make_clouds(300, seed=1)
    Xd, yd = make_donut(300, seed=2)
    Xs, ys = make_spiral(600, seed=3)
    Xm, ym = X[:4000], y[:4000]
    return [
        (
            f"784-300-10 batch 100, {n} rows, 1 epoch",
            dict(hidden=(300,), batch_size=100, epochs=1),
            X,
            y,
        ),
        (
            f"784-300-10 batch 500, {n} rows, 1 epoch",
            dict(hidden=(300,), batch_size=500, epochs=1),
            X,
            y,
        ),
        (
            "784-100-10 batch 100, 4000 rows, 3 epochs (ch. 3)",
            dict(hidden=(100,), batch_size=100, epochs=3),
            Xm,
            ym,
        ),
        (
            "2-8-8-1 tanh sigmoid batch 10, 300 rows, 30 epochs (ch. 6)",
            dict(hidden=(8, 8), activation="tanh", output="sigmoid", batch_size=10, epochs=30),
            Xd / 10,
            yd,
        ),
        (
            "2-50-50-3 relu batch 32, 600 rows, 30 epochs (spiral)",
            dict(hidden=(50, 50), batch_size=32, epochs=30),
            Xs / 10,
            ys,
        ),
        (
            "2-20-3 tanh full batch, 300 rows, 200 epochs (clouds)",
            dict(hidden=(20,), activation="tanh", lr=0.05, epochs=200),
            Xc,
            yc,
        ),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="6,000 rows instead of 60,000")
    args = ap.parse_args()
    Fast, Plain = load_fast_mlp(), MLP
    print(
        f"lazynb {getattr(lazynb, '__version__', '?')}, NumPy {np.__version__}; "
        f"fast = lazynb/mlp.py at {FAST_COMMIT}, plain = the working tree; {args.repeats} repeats"
    )
    print(f"{'workload':<58}{'fast/plain':>11}{'fast s':>9}{'plain s':>9}")
    for name, kw, X, y in workloads(args.quick):
        kw = {"lr": 0.1, "seed": 0, **kw}  # monitor="full", the default: "time" excludes it
        Fast(**kw).fit(X[:500], y[:500])  # warm up both (BLAS threads, first allocations)
        Plain(**kw).fit(X[:500], y[:500])
        ratios, tf, tp = [], [], []
        for r in range(args.repeats):
            arms = [("fast", Fast), ("plain", Plain)][:: 1 if r % 2 == 0 else -1]  # alternate order
            t = {a: cls(**kw).fit(X, y).history_["time"][-1] for a, cls in arms}
            ratios.append(t["fast"] / t["plain"])
            tf.append(t["fast"])
            tp.append(t["plain"])
        print(
            f"{name:<58}{statistics.median(ratios):>11.3f}{statistics.median(tf):>9.3f}"
            f"{statistics.median(tp):>9.3f}   ratios {' '.join(f'{q:.2f}' for q in ratios)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
