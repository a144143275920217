"""tools/run_outside_repo.py: a notebook run outside the repository, as on Colab.

The fast tests check the runner's parts in this environment: the set-up cell's
line with the local wheel in its place, and that a section skipping itself
("... is not installed: ... skipped") or an error counts as a failure. The slow
test runs the whole tool (wheel, fresh venv, the set-up cell's install) on one
tiny notebook; it needs the package index, so it runs only with
LAZYNB_TEST_OUTSIDE_REPO=1 (CI runs the real thing on every chapter with
`make outside-repo`).
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location(
        "run_outside_repo", ROOT / "tools" / "run_outside_repo.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tool = _load()


def _write_notebook(path, *sources, tags=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src)
        if tags and i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def test_the_set_up_cell_line_gets_the_local_wheel(tmp_path):
    wheel = tmp_path / "lazynb-0.1.0-py3-none-any.whl"
    source = (
        'if x:\n    %pip install --quiet "lazynb[pytensor] @ git+https://github.com/o/r@v0.1.0" six'
    )
    reqs = tool.local_requirements(wheel, source)
    assert reqs == [f"lazynb[pytensor] @ {wheel.resolve().as_uri()}", "six"]
    assert tool.local_requirements(wheel, '%pip install "lazynb @ git+https://x/y@v1"') == [
        f"lazynb @ {wheel.resolve().as_uri()}"
    ]
    with pytest.raises(ValueError, match="does not install lazynb"):
        tool.local_requirements(wheel, "%pip install numpy")


def test_the_canonical_cell_is_what_gets_installed(tmp_path):
    reqs = tool.local_requirements(tmp_path / "lazynb-9-py3-none-any.whl")
    assert len(reqs) == 1 and reqs[0].startswith("lazynb[pytensor] @ file://")


def test_requirements_txt_is_not_used():
    text = (ROOT / "tools" / "run_outside_repo.py").read_text()
    assert "requirements.txt" not in text.replace("Nothing from requirements.txt", "")


@pytest.mark.parametrize(
    "source, problem",
    [
        ('print("PyTensor is not installed: the Theano section is skipped.")', "skipped something"),
        ("print('| PyTensor | not installed |')", "skipped something"),
        ("assert 1 + 1 == 3, 'a hidden check'", "error"),
    ],
)
def test_a_skipped_section_or_an_error_fails(tmp_path, source, problem):
    nb = _write_notebook(tmp_path / "x.ipynb", "x = 1", source, "print('after')")
    result = tool.execute(nb, timeout=120, venv=str(ROOT))  # lazynb: the editable install
    assert not result["ok"]
    assert any(p.startswith(problem) or problem in p for p in result["problems"]), result


def test_a_clean_notebook_passes_and_skip_execution_cells_are_left_out(tmp_path):
    nb = _write_notebook(
        tmp_path / "x.ipynb",
        "import lazynb\nprint('fine')",
        "raise SystemExit('a live widget')",
        tags={1: ["skip-execution", "remove-output"]},
    )
    result = tool.execute(nb, timeout=120, venv=str(ROOT))  # lazynb: the editable install
    assert result["ok"], result
    assert result["cells_skipped_by_tag"] == 1


def test_the_probe_catches_a_kernel_outside_the_new_environment(tmp_path):
    nb = _write_notebook(tmp_path / "x.ipynb", "x = 1")
    result = tool.execute(nb, timeout=120, venv="/nonexistent-venv")
    assert not result["ok"] and "AssertionError" in result["problems"][0], result


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("LAZYNB_TEST_OUTSIDE_REPO", "") in ("", "0"),
    reason="needs the package index: set LAZYNB_TEST_OUTSIDE_REPO=1 (CI: make outside-repo)",
)
def test_the_tool_runs_a_notebook_outside_the_repository(tmp_path):
    # Without TensorFlow (minutes to install): the package and its sample data, from the wheel.
    nb = _write_notebook(
        tmp_path / "small.ipynb",
        "from lazynb.data import load_mnist\n"
        "X, y, info = load_mnist('train', warn=False, return_info=True)\n"
        "assert info.source == 'sample', info\n"
        "import pytensor\nprint(len(y), 'images; PyTensor', pytensor.__version__)",
    )
    out = tmp_path / "result.json"
    res = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "run_outside_repo.py"), "--notebooks", str(nb)]
        + ["--colab-packages", "numpy", "matplotlib", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    (result,) = json.loads(out.read_text())["results"]
    assert result["ok"] and not result["problems"], result
