"""The "Modern practice in Keras" page keeps its shape: checks, alt text, no files in the repo.

Executing the page is nbval's and the site build's job; these tests read its JSON
only, so they are fast and catch a section that lost its hidden check, a figure
without alt text, or a callback that writes next to the notebook.
"""

import json
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "05_modern" / "keras_practice.ipynb"


@pytest.fixture(scope="module")
def cells():
    return json.loads(PAGE.read_text(encoding="utf-8"))["cells"]


def _src(cell) -> str:
    return "".join(cell["source"])


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def test_every_section_has_a_hidden_check(cells):
    """Each ``##`` section holds at least one ``remove-cell`` code cell with an assertion."""
    sections, current = {}, None
    for cell in cells:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^## (.+)$", _src(cell), re.M)
            if m:
                current = m.group(1)
                sections[current] = 0
        elif current and "remove-cell" in _tags(cell) and re.search(r"\bassert", _src(cell)):
            sections[current] += 1
    assert len(sections) >= 8, sorted(sections)
    assert all(sections.values()), [s for s, n in sections.items() if not n]


def test_every_figure_has_alt_text(cells):
    figures = [c for c in cells if c["cell_type"] == "code" and "plt.show()" in _src(c)]
    assert len(figures) >= 3
    for cell in figures:
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 12, f"figure without a real alt text: {_src(cell)[:80]!r}"


def test_the_batchnorm_claim_is_measured_over_seeds_and_asserted(cells):
    code = "\n".join(_src(c) for c in cells if c["cell_type"] == "code")
    assert "over_seeds(train())" in code and "over_seeds(train(momentum=0.9))" in code
    assert re.search(r"assert_lower\(results\[\"batch norm\"\].*k=2\)", code)
    assert "show_source(batchnorm_forward" in code


def test_files_go_to_a_temporary_folder(cells):
    code = "\n".join(_src(c) for c in cells if c["cell_type"] == "code")
    assert "ModelCheckpoint(best_file" in code and "tempfile.TemporaryDirectory()" in code
    assert not re.search(r"""ModelCheckpoint\(\s*["']""", code)  # no path in the repository


def test_tensorflow_is_imported_quietly(cells):
    code = "\n".join(_src(c) for c in cells if c["cell_type"] == "code")
    first_tf = code.find("import_tensorflow(")
    assert 0 <= first_tf < code.find("import keras"), "import TensorFlow via lazynb.repro first"
    assert "verbose=0" in code and "verbose=1" not in code
