"""lazynb.envcheck: the version table, its ranges, and a TensorFlow that is missing or broken."""

import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest

from lazynb import envcheck
from lazynb.envcheck import REQUIREMENTS, Requirement, parse_version, version_status

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["Python", "NumPy", "Matplotlib", "TensorFlow", "Keras", "PyTensor", "ipywidgets"]


@pytest.fixture(autouse=True)
def no_mnist_download(monkeypatch, tmp_path):
    """Look for MNIST in an empty folder: the tests never touch the network or the cache."""
    monkeypatch.setenv("LAZYNB_DATA", str(tmp_path / "mnist"))


def _fake_tf(gpus=(), cuda=True, version="2.21.0"):
    devices = [types.SimpleNamespace(name=f"/physical_device:GPU:{i}") for i in range(len(gpus))]
    details = dict(zip((d.name for d in devices), gpus))
    return types.SimpleNamespace(
        __version__=version,
        config=types.SimpleNamespace(
            list_physical_devices=lambda kind: devices if kind == "GPU" else [],
            experimental=types.SimpleNamespace(
                get_device_details=lambda d: {"device_name": details[d.name]}
            ),
        ),
        test=types.SimpleNamespace(is_built_with_cuda=lambda: cuda),
    )


# ----------------------------------------------------------------- versions


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("2.21.0", (2, 21, 0)),
        ("3", (3,)),
        ("2.21.0rc1", (2, 21, 0)),
        ("1.26.4+cpu", (1, 26, 4)),
        ("v3.0.7", (3, 0, 7)),
        ("2.0.0.dev20240101", (2, 0, 0)),
    ],
)
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed


def test_parse_version_rejects_garbage():
    with pytest.raises(ValueError, match="not a version number"):
        parse_version("unknown")


@pytest.mark.parametrize(
    "version, status",
    [
        ("1.25.2", "too old"),
        ("1.26", "OK"),
        ("1.26.0", "OK"),
        ("2.4.6", "OK"),
        ("2.99", "OK"),
        ("3.0.0", "newer than tested"),
        ("3.0.0rc1", "newer than tested"),
        (None, "not installed"),
    ],
)
def test_version_status(version, status):
    req = Requirement("NumPy", "numpy", "1.26", "3", True, "arrays")
    assert version_status(version, req) == status


def test_needs_text():
    assert Requirement("A", "a", "1.26", "3", True, "").needs == ">= 1.26, < 3"
    assert Requirement("A", "a", None, None, False, "").needs == "any (optional)"
    assert Requirement("A", "a", "3.10", None, True, "").needs == ">= 3.10"


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _declared():
    """{normalized name: (extra or None, packaging Requirement)} from pyproject.toml."""
    from packaging.requirements import Requirement as Req
    from packaging.utils import canonicalize_name

    project = _pyproject()
    groups = [(None, project["dependencies"])] + list(project["optional-dependencies"].items())
    declared = {}
    for extra, specs in groups:
        for spec in specs:
            req = Req(spec)
            declared.setdefault(canonicalize_name(req.name), []).append((extra, req))
    return declared


def _bounds(req):
    """(minimum, below) of a packaging Requirement: ">=a,<b" -> ("a", "b")."""
    ops = {s.operator: s.version for s in req.specifier}
    assert set(ops) <= {">=", "<"}, f"{req}: use a >=,< range"
    return ops.get(">="), ops.get("<")


# Extras for the reader's environment; `book` and `dev` build and test it.
READER_EXTRAS = {None, "widgets", "tf", "pytensor"}


def test_ranges_and_extras_agree_with_pyproject():
    """Each row of the table is declared in pyproject.toml where its `extra` says, with
    the same range; and what is optional in one is optional in the other."""
    declared = _declared()
    for req in REQUIREMENTS:
        if req.module is None:
            continue
        where = declared.get(req.module)
        assert where, f"{req.name}: `{req.module}` is not declared in pyproject.toml"
        extra, spec = next(((e, s) for e, s in where if e in READER_EXTRAS), where[0])
        assert extra == req.extra, (
            f"{req.name}: envcheck says extra {req.extra!r}, pyproject.toml declares it in "
            f"{'the dependencies' if extra is None else f'the extra {extra!r}'}"
        )
        low, high = _bounds(spec)
        assert (low and parse_version(low)) == (req.minimum and parse_version(req.minimum)), (
            req.name,
            req.minimum,
            str(spec),
        )
        assert (high and parse_version(high)) == (req.below and parse_version(req.below)), (
            req.name,
            req.below,
            str(spec),
        )
        # Optional in the table -> an extra in pyproject; a dependency of lazynb itself
        # -> required in the table.
        if not req.required:
            assert req.extra is not None, f"{req.name} is optional but a dependency of lazynb"
        if req.extra is None:
            assert req.required, f"{req.name} is a dependency of lazynb but optional in envcheck"
    # Conversely: every tested range (an upper bound) of the reader's packages has a row.
    rows = {r.module for r in REQUIREMENTS if r.module}
    for name, where in declared.items():
        for extra, spec in where:
            if extra in READER_EXTRAS and _bounds(spec)[1] is not None:
                assert name in rows, f"{spec} (extra {extra!r}) has no row in envcheck"
    python = next(r for r in REQUIREMENTS if r.name == "Python")
    assert _pyproject()["requires-python"] == f">={python.minimum}"


def test_requirements_txt_installs_every_extra():
    """`make install` (requirements.txt) installs lazynb with all its extras."""
    lines = [
        line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    editable = [line for line in lines if line.startswith("-e .")]
    assert len(editable) == 1, lines
    m = re.fullmatch(r"-e \.\[([\w,-]+)\]", editable[0])
    assert m, editable
    assert set(m.group(1).split(",")) == set(_pyproject()["optional-dependencies"])


def test_missing_extra_says_how_to_install_it(monkeypatch):
    real = envcheck._installed_version
    monkeypatch.setattr(
        envcheck, "_installed_version", lambda m: None if m == "ipywidgets" else real(m)
    )
    env = envcheck.collect(tensorflow=False, mnist=False)
    assert 'pip install "lazynb[widgets]"' in env["ipywidgets"].note


def test_every_name_has_one_requirement():
    assert [r.name for r in REQUIREMENTS] == NAMES


# ----------------------------------------------------------------- collect / report


def test_collect_this_environment_without_tensorflow_import():
    env = envcheck.collect(tensorflow=False, mnist=False)
    assert [item.name for item in env] == NAMES
    assert env.ok, str(env)
    assert env["NumPy"].found == np.__version__ and env["NumPy"].status == "OK"
    assert "Everything the book needs is installed." in str(env)
    with pytest.raises(KeyError, match="no row named 'GPU'"):
        env["GPU"]
    assert env[0].name == "Python"


def test_report_lists_every_row_and_writes_no_stderr(monkeypatch, capsys):
    monkeypatch.setattr(envcheck, "_import_tensorflow", lambda: _fake_tf())
    envcheck.report()
    out, err = capsys.readouterr()
    assert err == ""
    for name in NAMES + ["GPU", "MNIST"]:
        assert re.search(rf"^{name}\s", out, re.M), (name, out)
    assert "offline sample (4,000 + 1,000 images)" in out
    assert "Runtime > Change runtime type > GPU" in out


def test_missing_tensorflow_is_reported_not_raised(monkeypatch):
    def no_tf():
        raise ImportError("No module named 'tensorflow'")

    real = envcheck._installed_version
    monkeypatch.setattr(envcheck, "_import_tensorflow", no_tf)
    monkeypatch.setattr(
        envcheck, "_installed_version", lambda m: None if m in ("tensorflow", "keras") else real(m)
    )
    env = envcheck.collect(mnist=False)
    assert env["TensorFlow"].status == "not installed" and env["TensorFlow"].problem
    assert env["Keras"].status == "not installed"
    assert env["GPU"].status == "unknown"
    assert not env.ok and "To fix: TensorFlow is not installed; Keras is not installed" in str(env)


def test_broken_tensorflow_install_is_reported(monkeypatch):
    def broken():
        raise ImportError("libcudart.so.12: cannot open shared object file")

    monkeypatch.setattr(envcheck, "_import_tensorflow", broken)
    monkeypatch.setattr(
        envcheck, "_installed_version", lambda m: "2.21.0" if m in ("tensorflow", "keras") else None
    )
    env = envcheck.collect(mnist=False)
    row = env["TensorFlow"]
    assert row.status == "import failed" and row.problem and "libcudart" in row.note


def test_gpu_is_named(monkeypatch):
    monkeypatch.setattr(envcheck, "_import_tensorflow", lambda: _fake_tf(gpus=["Tesla T4"]))
    env = envcheck.collect(mnist=False)
    assert env["GPU"].found == "Tesla T4" and env["GPU"].status == "OK"


def test_cpu_only_build_is_explained(monkeypatch):
    monkeypatch.setattr(envcheck, "_import_tensorflow", lambda: _fake_tf(cuda=False))
    env = envcheck.collect(mnist=False)
    assert env["GPU"].status == "CPU only" and "built without GPU support" in env["GPU"].note
    assert not env["GPU"].problem


def test_old_and_new_versions(monkeypatch):
    monkeypatch.setattr(np, "__version__", "1.21.0")
    monkeypatch.setattr(envcheck, "_import_tensorflow", lambda: _fake_tf(version="3.1.0"))
    env = envcheck.collect(mnist=False)
    assert env["NumPy"].status == "too old" and env["NumPy"].problem
    assert env["TensorFlow"].status == "newer than tested" and not env["TensorFlow"].problem
    assert "To fix: NumPy is too old" in str(env)


def test_missing_optional_package_is_not_a_problem(monkeypatch):
    real = envcheck._installed_version
    monkeypatch.setattr(
        envcheck, "_installed_version", lambda m: None if m == "pytensor" else real(m)
    )
    env = envcheck.collect(tensorflow=False, mnist=False)
    assert env["PyTensor"].status == "not installed" and not env["PyTensor"].problem
    assert "optional, for the Theano listings" in env["PyTensor"].note
    assert env.ok


def test_official_mnist_is_recognised(monkeypatch):
    from lazynb.data.mnist import MNISTInfo

    def official(split, **kwargs):
        n = {"train": 60_000, "test": 10_000}[split]
        return None, None, MNISTInfo("official", split, n, "/data/mnist")

    monkeypatch.setattr("lazynb.data.load_mnist", official)
    row = envcheck._mnist_item(download=False)
    assert row.status == "OK" and row.found == "official set (60,000 + 10,000 images)"


@pytest.mark.slow
def test_real_report_in_a_fresh_process_is_quiet():
    """With the real TensorFlow: every row, versions OK, and not one byte on stderr."""
    code = (
        "from lazynb import envcheck; env = envcheck.collect(mnist=False); "
        "print(env); assert env.ok and env['TensorFlow'].status == 'OK', env"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stderr == "", out.stderr
    for name in NAMES + ["GPU"]:
        assert re.search(rf"^{name}\s", out.stdout, re.M), out.stdout
