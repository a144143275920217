"""The GPU checks, in one run of at most 8 minutes, written as JSON (`make gpu-check`).

Parts, each in its own process with its own time limit (a part that would run past
the whole budget is skipped, with that reason):

- ``nvidia_smi``: what ``nvidia-smi`` reports (name, driver, memory, utilisation);
- ``tf_devices``: the devices TensorFlow sees (and its version, and whether it was built with CUDA);
- ``gpu_tests``: ``pytest -m gpu`` (the tests marked ``@pytest.mark.gpu``);
- ``tfmlp_parity``: :class:`lazynb.tf_mlp.TFMLP` on the GPU against the NumPy
  :class:`lazynb.mlp.MLP`, same seed, same SGD steps, float32 tolerance
  (``rtol=1e-5, atol=1e-6``, as tests/test_tf_parity.py; TensorFloat-32 turned off,
  since it keeps 10 bits of mantissa);
- ``bench_300``, ``bench_3000``: ``benchmarks/bench_tf.py --device GPU`` at 300 and
  3,000 hidden units: lazynb against Keras on the same GPU;
- ``chapter_4``: chapter 4's notebook executed (nbclient, a fresh kernel) on the GPU, timed;
- ``mixed_precision``: one Keras epoch (784-3000-10) with the ``mixed_float16`` policy and
  with ``float32``: times and final losses.

On a machine without a GPU every GPU part is skipped with the reason and the script
exits 0; it exits 1 only when a part that ran failed.

Usage::

    python tools/gpu_check.py --out _build/gpu_check.json
    python tools/gpu_check.py --out x.json --only nvidia_smi tf_devices
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 480  # 8 minutes, all parts together

OK, FAILED, SKIPPED = "ok", "failed", "skipped"

# Code run in a fresh python for the TensorFlow parts: each prints one JSON line last.
TF_DEVICES = """
import json
from lazynb.repro import import_tensorflow
tf = import_tensorflow()
gpus = tf.config.list_physical_devices("GPU")
print(json.dumps({"tensorflow": tf.__version__, "built_with_cuda": tf.test.is_built_with_cuda(),
                  "gpus": [g.name for g in gpus],
                  "details": [tf.config.experimental.get_device_details(g) for g in gpus]}))
"""

PARITY = """
import json
import numpy as np
from lazynb.repro import import_tensorflow
tf = import_tensorflow()
tf.config.experimental.enable_tensor_float_32_execution(False)
from lazynb.mlp import MLP
from lazynb.tf_mlp import TFMLP
rng = np.random.default_rng(0)
X = rng.random((2000, 784), dtype=np.float32)
y = rng.integers(0, 10, 2000)
kw = dict(hidden=(300,), lr=0.1, epochs=2, batch_size=500, seed=0, dtype=np.float32)
a = MLP(**kw).fit(X, y)
b = TFMLP(**kw, device="GPU").fit(X, y)
worst = 0.0
for pa, pb in zip(a.params_, b.params_):
    for k in pa:
        np.testing.assert_allclose(pb[k], pa[k], rtol=1e-5, atol=1e-6)
        worst = max(worst, float(np.max(np.abs(pb[k] - pa[k]))))
on_gpu = b.variables_[0]["W"].device
assert on_gpu.endswith("GPU:0"), on_gpu
print(json.dumps({"max_abs_weight_difference": worst, "steps": int(b.n_iter_),
                  "tolerance": "rtol=1e-5, atol=1e-6", "tfmlp_device": on_gpu}))
"""

MIXED = """
import json, time
import numpy as np
from lazynb.repro import import_tensorflow
tf = import_tensorflow()
import keras
rng = np.random.default_rng(0)
X = rng.random((60000, 784), dtype=np.float32)
Y = keras.utils.to_categorical(rng.integers(0, 10, 60000), 10)
out = {}
for policy in ("mixed_float16", "float32"):
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    with tf.device("/GPU:0"):
        model = keras.Sequential([keras.Input(shape=(784,)),
                                  keras.layers.Dense(3000, activation="relu"),
                                  keras.layers.Dense(10),
                                  keras.layers.Activation("softmax", dtype="float32")])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy")
        model.fit(X[:5000], Y[:5000], batch_size=500, epochs=1, verbose=0)   # warm-up
        times = []
        for _ in range(3):
            t = time.perf_counter()
            h = model.fit(X, Y, batch_size=500, epochs=1, verbose=0)
            times.append(time.perf_counter() - t)
    loss = float(h.history["loss"][-1])
    assert np.isfinite(loss), (policy, loss)
    out[policy] = {"epoch_s_median": sorted(times)[1], "loss": loss,
                   "compute_dtype": model.layers[0].compute_dtype}
keras.mixed_precision.set_global_policy("float32")
out["speed-up"] = out["float32"]["epoch_s_median"] / out["mixed_float16"]["epoch_s_median"]
print(json.dumps(out))
"""


def _last_json(text: str):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def _run(cmd: list[str], timeout: float, env: dict | None = None) -> tuple[int, str, float]:
    """(exit code, stdout + stderr, seconds); exit code 124 on a timeout."""
    start = time.perf_counter()
    try:
        res = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
        )
        return res.returncode, res.stdout + res.stderr, time.perf_counter() - start
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return 124, out + f"\n(timed out after {timeout:.0f} s)", time.perf_counter() - start


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def _python(code: str, timeout: float) -> dict:
    rc, out, secs = _run([sys.executable, "-c", code], timeout, _env())
    data = _last_json(out)
    if rc == 0 and data is not None:
        return {"status": OK, "seconds": round(secs, 1), "result": data}
    return {"status": FAILED, "seconds": round(secs, 1), "reason": f"exit {rc}", "log": out[-3000:]}


# -- the parts ---------------------------------------------------------------------------


def part_nvidia_smi(timeout: float) -> dict:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return {"status": SKIPPED, "reason": "no NVIDIA driver: nvidia-smi is not on PATH"}
    query = "name,driver_version,memory.total,memory.used,utilization.gpu,compute_cap"
    rc, out, secs = _run([exe, f"--query-gpu={query}", "--format=csv,noheader"], timeout)
    if rc != 0:
        return {"status": FAILED, "reason": f"nvidia-smi exited {rc}", "log": out[-2000:]}
    gpus = [
        dict(zip(query.split(","), (v.strip() for v in line.split(","))))
        for line in out.strip().splitlines()
        if line.strip()
    ]
    return {"status": OK, "seconds": round(secs, 1), "result": {"gpus": gpus}}


def part_tf_devices(timeout: float) -> dict:
    r = _python(TF_DEVICES, timeout)
    if r["status"] == OK and not r["result"]["gpus"]:
        if shutil.which("nvidia-smi"):  # a GPU machine whose TensorFlow cannot use it
            r["status"], r["reason"] = FAILED, "nvidia-smi is there but TensorFlow sees no GPU"
        else:
            r["status"], r["reason"] = SKIPPED, "TensorFlow sees no GPU (CPU only)"
    return r


def part_gpu_tests(timeout: float) -> dict:
    cmd = [sys.executable, "-m", "pytest", "tests", "-m", "gpu", "-q", "-p", "no:cacheprovider"]
    rc, out, secs = _run(cmd, timeout, _env())
    summary = out.strip().splitlines()[-1] if out.strip() else ""
    counts = {
        k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|skipped|error|deselected)", summary)
    }
    status = OK if rc == 0 and counts.get("passed", 0) > 0 and not counts.get("failed") else FAILED
    return {
        "status": status,
        "seconds": round(secs, 1),
        "result": {"summary": summary, **counts},
        **({"log": out[-3000:]} if status == FAILED else {}),
    }


def part_parity(timeout: float) -> dict:
    return _python(PARITY, timeout)


def _bench(hidden: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "bench.json"
        cmd = [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_tf.py"),
            str(out_json),
            "--device",
            "GPU",
            "--hidden",
            str(hidden),
            "--repeats",
            "3",
        ]
        rc, out, secs = _run(cmd, timeout, _env())
        if rc != 0 or not out_json.exists():
            return {
                "status": FAILED,
                "seconds": round(secs, 1),
                "reason": f"exit {rc}",
                "log": out[-3000:],
            }
        return {
            "status": OK,
            "seconds": round(secs, 1),
            "result": json.loads(out_json.read_text()),
            "table": out[-2000:],
        }


def part_bench_300(timeout: float) -> dict:
    return _bench(300, timeout)


def part_bench_3000(timeout: float) -> dict:
    return _bench(3000, timeout)


def part_chapter_4(timeout: float) -> dict:
    code = (
        "import json, time, nbformat\n"
        "from nbclient import NotebookClient\n"
        f"p = {str(ROOT / 'chapters' / '04_tensorflow' / 'tensorflow.ipynb')!r}\n"
        "nb = nbformat.read(p, as_version=4)\n"
        "t = time.perf_counter()\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3',"
        " resources={'metadata': {'path': str(__import__('pathlib').Path(p).parent)}}).execute()\n"
        "print(json.dumps({'seconds': round(time.perf_counter() - t, 1)}))\n"
    )
    return _python(code, timeout)


def part_mixed_precision(timeout: float) -> dict:
    return _python(MIXED, timeout)


# (name, function, its own time limit in seconds, needs a GPU)
PARTS = [
    ("nvidia_smi", part_nvidia_smi, 30, False),
    ("tf_devices", part_tf_devices, 90, False),
    ("gpu_tests", part_gpu_tests, 120, True),
    ("tfmlp_parity", part_parity, 90, True),
    ("bench_300", part_bench_300, 90, True),
    ("bench_3000", part_bench_3000, 120, True),
    ("chapter_4", part_chapter_4, 150, True),
    ("mixed_precision", part_mixed_precision, 120, True),
]


def run(only: list[str] | None = None, budget: float = BUDGET_S) -> dict:
    """Run the parts (those named in ``only``, default all) within ``budget`` seconds;
    return the report: ``{"machine", "gpu", "parts": {name: {"status", ...}}, ...}``."""
    names = [p[0] for p in PARTS]
    if only is not None:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"unknown parts {unknown}; expected some of {names}")
    start = time.monotonic()
    report = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "budget_s": budget,
        "parts": {},
    }
    have_gpu: bool | None = None
    no_gpu_reason = ""
    for name, fn, limit, needs_gpu in PARTS:
        if only is not None and name not in only:
            continue
        left = budget - (time.monotonic() - start)
        if needs_gpu and have_gpu is None:
            # Decide once, from what ran before (or from nvidia-smi alone when it did not).
            smi = report["parts"].get("nvidia_smi") or part_nvidia_smi(30)
            tfd = report["parts"].get("tf_devices")
            have_gpu = smi["status"] == OK and (tfd is None or tfd["status"] == OK)
            no_gpu_reason = (
                smi.get("reason") if smi["status"] != OK else (tfd or {}).get("reason", "")
            ) or "no GPU"
        if needs_gpu and not have_gpu:
            result = {"status": SKIPPED, "reason": f"no GPU: {no_gpu_reason}"}
        elif left < 10:
            result = {"status": SKIPPED, "reason": f"out of the {budget:.0f} s budget"}
        else:
            print(f"== {name} (at most {min(limit, left):.0f} s)", flush=True)
            result = fn(min(limit, left))
        report["parts"][name] = result
        print(
            f"   {name}: {result['status']}"
            + (f" ({result['reason']})" if result.get("reason") else "")
            + (f" in {result['seconds']} s" if "seconds" in result else ""),
            flush=True,
        )
    report["gpu"] = bool(have_gpu)
    report["seconds"] = round(time.monotonic() - start, 1)
    report["failed"] = [n for n, r in report["parts"].items() if r["status"] == FAILED]
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="where to write the JSON report")
    p.add_argument("--only", nargs="+", metavar="PART", help=f"some of {[n for n, *_ in PARTS]}")
    p.add_argument("--budget", type=float, default=BUDGET_S, help="seconds in all (default 480)")
    args = p.parse_args(argv)
    try:
        report = run(args.only, args.budget)
    except ValueError as exc:
        p.error(str(exc))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"wrote {args.out}: {'GPU' if report['gpu'] else 'no GPU'}, "
        f"{len(report['failed'])} failed, {report['seconds']} s"
    )
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
