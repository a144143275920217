"""tools/setup_cell.py: the one canonical Colab set-up cell, pinned to this release."""

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load():
    spec = importlib.util.spec_from_file_location("setup_cell", ROOT / "tools" / "setup_cell.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


setup_cell = _load()


def test_the_pin_is_this_release_of_this_repository():
    import lazynb

    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    assert setup_cell.package_version() == lazynb.__version__
    (req,) = setup_cell.pip_requirements(setup_cell.canonical_source())
    assert req == f"lazynb[pytensor] @ git+{url}@v{lazynb.__version__}"
    # A tag, never a moving branch.
    assert not re.search(r"@(main|master|HEAD)\b", req)


def test_the_cell_installs_what_colab_lacks_and_only_on_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    source = setup_cell.canonical_source()
    code = TransformerManager().transform_cell(source)
    assert "run_line_magic('pip'" in code
    ns = {"get_ipython": lambda: pytest.fail("the set-up cell ran %pip outside Colab")}
    exec(compile(code, "<setup>", "exec"), ns)
    # PyTensor (chapter 4) is the extra; the rest ships with Colab or with lazynb.
    assert setup_cell.EXTRAS == ("pytensor",)
    with open(ROOT / "pyproject.toml", "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    assert all(e in extras for e in setup_cell.EXTRAS)


@pytest.mark.parametrize(
    "source, expected",
    [
        ('%pip install --quiet "a[b] @ git+https://x/y@v1"', ["a[b] @ git+https://x/y@v1"]),
        ("if x:\n    %pip install -q numpy 'scipy<2'\n", ["numpy", "scipy<2"]),
    ],
)
def test_pip_requirements(source, expected):
    assert setup_cell.pip_requirements(source) == expected


@pytest.mark.parametrize(
    "source", ["import sys\n", "%pip install --quiet\n", "%pip install a\n%pip install b"]
)
def test_pip_requirements_rejects_a_cell_without_one_install(source):
    with pytest.raises(ValueError, match="pip install"):
        setup_cell.pip_requirements(source)


@pytest.mark.parametrize(
    "url, version",
    [
        ("https://gitlab.com/o/r", "0.1.0"),
        ("https://github.com/o/r", "main"),
        ("https://github.com/o/r", ""),
    ],
)
def test_requirement_rejects_a_moving_or_foreign_address(url, version):
    with pytest.raises(ValueError, match="expected"):
        setup_cell.requirement(url, version)


def _notebook(first_source, cell_id="colab-setup", tags=("remove-cell", "setup")):
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": cell_id,
                "metadata": {"tags": list(tags)},
                "outputs": [],
                "source": first_source,
            },
            {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# Title"},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def test_check_lists_and_write_fixes_stale_cells(tmp_path):
    good = tmp_path / "good.ipynb"
    old = tmp_path / "old.ipynb"
    untagged = tmp_path / "untagged.ipynb"
    missing = tmp_path / "missing.ipynb"
    good.write_text(json.dumps(_notebook(setup_cell.canonical_source())))
    old.write_text(json.dumps(_notebook('%pip install "lazynb @ git+https://github.com/o/r"')))
    untagged.write_text(json.dumps(_notebook(setup_cell.canonical_source(), tags=())))
    nb = _notebook("")
    nb["cells"] = nb["cells"][1:]
    missing.write_text(json.dumps(nb))
    paths = [good, old, untagged, missing]
    assert setup_cell.stale(paths) == [old, untagged, missing]
    assert setup_cell.write(paths) == [old, untagged, missing]
    assert setup_cell.stale(paths) == []
    for path in paths:
        cells = json.loads(path.read_text())["cells"]
        assert cells[0]["id"] == "colab-setup" and "".join(cells[0]["source"]).startswith(
            "# Set-up"
        )
        assert cells[1]["source"] == "# Title", "the rest of the notebook is kept"
    assert len(json.loads(missing.read_text())["cells"]) == 2


def test_every_notebook_has_the_canonical_cell():
    stale = setup_cell.stale()
    assert not stale, (
        "run `python tools/setup_cell.py --write`; these notebooks' set-up cell differs: "
        + ", ".join(str(p.relative_to(ROOT)) for p in stale)
    )
