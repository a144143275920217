"""The project's own conventions: notebooks stored clean, one repository address, set-up cells."""

import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "chapters").glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _load_sync():
    spec = importlib.util.spec_from_file_location("sync_repository", ROOT / "tools" / "sync_repository.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_there_are_chapter_notebooks():
    assert NOTEBOOKS, "no notebooks found under chapters/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"cell {i} of {path.name} is stored with outputs"
        assert cell.get("execution_count") is None, f"cell {i} of {path.name} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_has_title_and_kernel(path):
    nb = json.loads(path.read_text())
    md = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert md and "".join(md[0]["source"]).startswith("# "), "the first markdown cell must be the # title"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_repository_address_is_written_once_and_copied_everywhere():
    sync = _load_sync()
    stale = sync.sync(check=True)
    assert stale == [], f"run `python tools/sync_repository.py`; out of date: {stale}"


def test_repository_address_is_a_github_repository():
    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    assert url.startswith("https://github.com/") and url.count("/") == 4


def test_colab_setup_cell_is_a_no_op_outside_colab():
    sync = _load_sync()
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(sync.setup_cell_source("https://github.com/o/r"))
    # The %pip magic must be transformed, and only run under Colab.
    assert "run_line_magic('pip'" in code
    namespace = {"get_ipython": lambda: pytest.fail("the set-up cell ran %pip outside Colab")}
    exec(compile(code, "<setup>", "exec"), namespace)


def test_requirements_are_ranges_not_pins():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [l for l in lines if l and not l.startswith("-e")]
    assert reqs and not [r for r in reqs if "==" in r], "requirements.txt must hold ranges, not exact pins"
    assert "-e ." in lines
    for name in ("jupyter-book", "numpy", "matplotlib", "tensorflow", "ipywidgets", "nbval", "pytest"):
        assert any(r.startswith(name) for r in reqs), f"{name} missing from requirements.txt"
    jb = next(r for r in reqs if r.startswith("jupyter-book"))
    assert "<2" in jb, "jupyter-book 2.x cannot build offline: keep it below 2"


# Colab readiness: a notebook opened alone (Colab, a download) has only the installed
# package, not the repository around it.
_REPO_COUPLING = re.compile(r"sys\.path|os\.chdir|\.\./|__file__|Path\.cwd\(\)|(?<![\w.])open\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_needs_only_the_installed_package(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        hit = _REPO_COUPLING.search(src)
        assert hit is None, (
            f"cell {i} of {path.name} uses {hit.group(0)!r}: read data and files through lazynb, "
            "so that the notebook runs on Colab after `pip install lazynb` alone"
        )


def test_every_notebook_starts_with_the_same_setup_cell():
    sync = _load_sync()
    want = sync.setup_cell_source(sync.repository_url())
    firsts = {"".join(json.loads(p.read_text())["cells"][0]["source"]) for p in NOTEBOOKS}
    assert firsts == {want}
