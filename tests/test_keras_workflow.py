"""The Keras-workflow page of chapter 4: the shape its distribution section depends on.

The page splits the CPU into two logical devices, which TensorFlow allows only before
its runtime starts; these static checks keep that call first, and keep every figure
described and every hidden check asserting something. (nbval runs the page itself.)
"""

import ast
import json
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "04_tensorflow" / "keras_workflow.ipynb"


@pytest.fixture(scope="module")
def cells():
    return json.loads(PAGE.read_text())["cells"]


def _code(cells):
    return [c for c in cells if c["cell_type"] == "code"]


def _src(cell):
    return "".join(cell["source"])


def test_the_page_starts_with_the_setup_cell_then_the_title(cells):
    assert cells[0]["id"] == "colab-setup"
    assert cells[0]["metadata"]["tags"] == ["remove-cell", "setup"]
    assert _src(cells[1]).startswith("# The Keras workflow, and two replicas on one machine")


def test_the_cpu_is_split_before_tensorflow_runs_anything(cells):
    code = _code(cells)
    first = _src(code[1])  # the first cell after the set-up cell
    assert "set_logical_device_configuration" in first
    # Before the split, TensorFlow is only imported and asked for its physical devices.
    before = first[: first.index("tf.config.set_logical_device_configuration")]
    calls = set(re.findall(r"\btf\.[\w.]+", before))
    assert calls <= {
        "tf.config.list_physical_devices",
        "tf.config.set_logical_device_configuration",
    }, calls
    for cell in code[:1]:
        assert "tensorflow" not in _src(cell) and "keras" not in _src(cell).replace("lazynb", "")


def test_two_replicas_are_asserted(cells):
    hidden = [_src(c) for c in _code(cells) if "remove-cell" in c["metadata"].get("tags", [])]
    assert any("num_replicas_in_sync == 2" in s for s in hidden)
    assert any("compute_average_loss" in _src(c) for c in _code(cells))


def _makes_a_figure(source):
    return bool(re.search(r"plt\.(show|subplots|figure)\(", source))


def test_every_figure_has_alt_text(cells):
    figures = [c for c in _code(cells) if _makes_a_figure(_src(c))]
    assert len(figures) >= 2
    for c in figures:
        alt = c["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 10 and alt.lower() not in {"figure", "plot"}, (c["id"], alt)


def test_every_hidden_check_asserts(cells):
    for c in _code(cells):
        tags = c["metadata"].get("tags", [])
        if "remove-cell" in tags and "setup" not in tags:
            tree = ast.parse(_src(c))
            assert any(isinstance(n, ast.Assert) for n in ast.walk(tree)), c["id"]


def test_files_go_to_a_temporary_folder(cells):
    code = "\n".join(_src(c) for c in _code(cells))
    assert "tempfile.TemporaryDirectory()" in code
    for call in re.findall(r"(?:\.save|ModelCheckpoint)\(([^,)]*)", code):
        assert call.strip() in {"path", "best_path"}, call
    assert code.count("Path(workdir.name)") == 2
