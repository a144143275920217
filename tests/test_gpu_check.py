"""tools/gpu_check.py (`make gpu-check`): on a CPU-only machine every GPU part is skipped
with its reason and the script exits 0; a part that fails makes it exit 1."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "tools" / "gpu_check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gpu_check = _load()
GPU_PARTS = [name for name, _fn, _limit, needs_gpu in gpu_check.PARTS if needs_gpu]
no_driver = pytest.mark.skipif(
    shutil.which("nvidia-smi") is not None, reason="this machine has an NVIDIA driver"
)


def test_the_parts_cover_the_issue():
    names = [name for name, *_ in gpu_check.PARTS]
    assert names == [
        "nvidia_smi",
        "tf_devices",
        "gpu_tests",
        "tfmlp_parity",
        "bench_300",
        "bench_3000",
        "chapter_4",
        "mixed_precision",
    ]
    assert sum(limit for _n, _f, limit, _g in gpu_check.PARTS) >= gpu_check.BUDGET_S
    assert gpu_check.BUDGET_S <= 8 * 60


@no_driver
def test_without_a_driver_every_gpu_part_is_skipped_with_a_reason(tmp_path):
    out = tmp_path / "gpu.json"
    assert gpu_check.main(["--out", str(out), "--only", "nvidia_smi", *GPU_PARTS]) == 0
    report = json.loads(out.read_text())
    assert report["gpu"] is False and report["failed"] == []
    parts = report["parts"]
    assert parts["nvidia_smi"]["status"] == "skipped"
    assert "nvidia-smi" in parts["nvidia_smi"]["reason"]
    for name in GPU_PARTS:
        assert parts[name]["status"] == "skipped", name
        assert parts[name]["reason"].startswith("no GPU: "), parts[name]


def test_a_failed_part_fails_the_run(tmp_path, monkeypatch):
    def broken(timeout):
        return {"status": "failed", "reason": "exit 1"}

    monkeypatch.setattr(gpu_check, "PARTS", [("nvidia_smi", broken, 5, False)])
    assert gpu_check.main(["--out", str(tmp_path / "r.json")]) == 1
    assert json.loads((tmp_path / "r.json").read_text())["failed"] == ["nvidia_smi"]


def test_parts_past_the_budget_are_skipped(monkeypatch):
    calls = []

    def part(timeout):
        calls.append(timeout)
        return {"status": "ok", "seconds": 0}

    monkeypatch.setattr(gpu_check, "PARTS", [("a", part, 30, False), ("b", part, 30, False)])
    report = gpu_check.run(budget=5)
    assert calls == [] and report["parts"]["a"]["reason"] == "out of the 5 s budget"
    report = gpu_check.run(budget=100)
    assert calls == [30, 30] and report["failed"] == []


def test_unknown_parts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown parts"):
        gpu_check.run(["nvidia-smi"])
    with pytest.raises(SystemExit):
        gpu_check.main(["--out", str(tmp_path / "x.json"), "--only", "gpu"])


@no_driver
@pytest.mark.slow
def test_the_whole_cpu_path_exits_0(tmp_path):
    out = tmp_path / "gpu.json"
    res = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gpu_check.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    report = json.loads(out.read_text())
    assert set(report["parts"]) == {name for name, *_ in gpu_check.PARTS}
    tf = report["parts"]["tf_devices"]
    assert tf["status"] == "skipped" and "CPU only" in tf["reason"], tf
    assert tf["result"]["tensorflow"]
    assert all(report["parts"][n]["status"] == "skipped" for n in GPU_PARTS)
