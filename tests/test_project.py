"""The project's own conventions: notebooks stored clean, one repository address, set-up cells."""

import ast
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for p in (ROOT / "chapters").glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts
)


def _load_sync():
    spec = importlib.util.spec_from_file_location(
        "sync_repository", ROOT / "tools" / "sync_repository.py"
    )
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
        assert cell.get("execution_count") is None, (
            f"cell {i} of {path.name} has an execution count"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebook_has_title_and_kernel(path):
    nb = json.loads(path.read_text())
    md = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert md and "".join(md[0]["source"]).startswith("# "), (
        "the first markdown cell must be the # title"
    )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_repository_address_is_written_once_and_copied_everywhere():
    sync = _load_sync()
    stale = sync.sync(check=True)
    assert stale == [], f"run `python tools/sync_repository.py`; out of date: {stale}"


def test_repository_address_is_a_github_repository():
    with open(ROOT / "pyproject.toml", "rb") as f:
        url = tomllib.load(f)["project"]["urls"]["Repository"]
    assert url.startswith("https://github.com/") and url.count("/") == 4


def _load_setup_cell():
    spec = importlib.util.spec_from_file_location("setup_cell", ROOT / "tools" / "setup_cell.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_colab_setup_cell_is_a_no_op_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    source = _load_setup_cell().canonical_source("https://github.com/o/r", "1.2.3")
    code = TransformerManager().transform_cell(source)
    # The %pip magic must be transformed, and only run under Colab.
    assert "run_line_magic('pip'" in code
    namespace = {"get_ipython": lambda: pytest.fail("the set-up cell ran %pip outside Colab")}
    exec(compile(code, "<setup>", "exec"), namespace)


def _project():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _declared(groups=None):
    """{normalized distribution name: [specifier strings]} of pyproject's dependencies (group
    None) and extras; `groups` limits it to some of them."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = _project()["project"]
    all_groups = {None: project["dependencies"], **project["optional-dependencies"]}
    declared = {}
    for group, specs in all_groups.items():
        if groups is None or group in groups:
            for spec in specs:
                req = Requirement(spec)
                declared.setdefault(canonicalize_name(req.name), []).append(str(req.specifier))
    return declared


def test_requirements_are_ranges_not_pins():
    lines = [
        line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    lines = [line for line in lines if line]
    extras = re.fullmatch(r"-e \.\[([\w,-]+)\]", lines[0])
    assert extras, "requirements.txt starts with `-e .[extras]`: the ranges live in pyproject.toml"
    reqs = lines[1:]
    assert not [r for r in reqs if "==" in r], "requirements.txt must hold ranges, not exact pins"
    declared = _declared({None, *extras.group(1).split(",")})
    pins = {name: s for name, specs in declared.items() for s in specs if "==" in s}
    assert not pins, f"pyproject.toml must hold ranges, not exact pins: {pins}"
    for name in (
        "jupyter-book",
        "numpy",
        "matplotlib",
        "tensorflow",
        "ipywidgets",
        "nbval",
        "pytest",
        "pygments",
        "ruff",
    ):
        assert name in declared or any(r.startswith(name) for r in reqs), (
            f"{name} is not installed by requirements.txt"
        )
    assert any("<2" in s for s in declared["jupyter-book"]), (
        "jupyter-book 2.x cannot build offline: keep it below 2"
    )


def test_python_floor_is_311():
    """The tests use tomllib (3.11); README and CI use 3.11."""
    assert _project()["project"]["requires-python"] == ">=3.11"
    assert "Python 3.11" in (ROOT / "README.md").read_text()


def test_version_is_written_once():
    """pyproject.toml reads the version from lazynb.__version__; the installed metadata agrees."""
    import importlib.metadata

    from packaging.version import Version

    import lazynb

    data = _project()
    assert "version" not in data["project"] and "version" in data["project"]["dynamic"]
    assert data["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "lazynb.__version__"}
    Version(lazynb.__version__)  # a valid PEP 440 version
    installed = importlib.metadata.version("lazynb")
    assert installed == lazynb.__version__, (
        f"installed lazynb metadata says {installed}, lazynb.__version__ is "
        f"{lazynb.__version__}: reinstall with `pip install -e .`"
    )


def _third_party_imports(folder):
    """{top-level module: first file importing it} for the absolute imports under folder."""
    import ast
    import sys

    found = {}
    for path in sorted((ROOT / folder).glob("**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, path.relative_to(ROOT))
    return found


# What the package may import (lazily, for the extras) and what its tests and tools may.
_PACKAGE_GROUPS = {None, "widgets", "tf", "pytensor", "book"}
_LOCAL = {"lazynb", "exercise_helpers", "tf_helpers", "conftest", "setup_cell", "test_site"}


@pytest.mark.parametrize(
    "folder, groups", [("lazynb", _PACKAGE_GROUPS), ("tests", None), ("tools", None)]
)
def test_every_import_is_declared(folder, groups):
    """Each third-party module imported under lazynb/ (tests/, tools/) is installed by a
    dependency of lazynb or one of its extras (any group, for the tests and tools)."""
    import importlib.metadata

    from packaging.utils import canonicalize_name

    dists = importlib.metadata.packages_distributions()
    declared = _declared(groups)
    missing = {}
    for module, path in _third_party_imports(folder).items():
        if module in _LOCAL:
            continue
        names = {canonicalize_name(d) for d in dists.get(module, [module])}
        if not names & set(declared):
            missing[module] = str(path)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


# Colab readiness: a notebook opened alone (Colab, a download) has only the installed
# package, not the repository around it.
# (`Path("..")` too: a notebook alone in a folder has no sibling chapters to read.)
_REPO_COUPLING = re.compile(
    r"sys\.path|os\.chdir|\.\./|__file__|Path\.cwd\(\)|(?<![\w.])open\(|Path\(\s*[\"']\.\.[\"']\s*\)"
)


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
    """tools/setup_cell.py makes the cell (and `--write` puts it in every notebook)."""
    want = _load_setup_cell().canonical_source()
    firsts = {"".join(json.loads(p.read_text())["cells"][0]["source"]) for p in NOTEBOOKS}
    assert firsts == {want}


def test_api_page_documents_every_public_module():
    """api.md has an automodule for every public module of lazynb (the per-chapter
    exercise modules excepted: their reference answers belong to the chapters)."""
    documented = set(
        re.findall(r"^\.\. automodule:: ([\w.]+)\s*$", (ROOT / "api.md").read_text(), re.M)
    )
    modules = set()
    for path in (ROOT / "lazynb").glob("**/*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(p.startswith("_") for p in parts):
            continue
        if parts[:2] == ("lazynb", "exercises") and len(parts) >= 3 and parts[2] != "core":
            continue
        modules.add(".".join(parts))
    assert modules - documented == set(), "add these modules to api.md"
    assert documented - modules == set(), "api.md documents modules that do not exist"


def test_docstring_entries_are_read_as_descriptions():
    """_ext/docstring_descriptions.py: `name : text` in a NumPy section becomes a name
    with a description (what the package means), outside the sections nothing changes."""
    spec = importlib.util.spec_from_file_location(
        "docstring_descriptions", ROOT / "_ext" / "docstring_descriptions.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lines = [
        "Summary: x : not an entry.",
        "",
        "Parameters",
        "----------",
        "X, y : the data.",
        "    More about it.",
        "lr : learning rate.",
        "",
        "Notes",
        "-----",
        "a : b stays.",
    ]
    assert mod.split_entries(lines) == [
        "Summary: x : not an entry.",
        "",
        "Parameters",
        "----------",
        "X, y",
        "    the data.",
        "    More about it.",
        "lr",
        "    learning rate.",
        "",
        "Notes",
        "-----",
        "a : b stays.",
    ]


WIDGETS = {"NeuronExplorer", "LearningRateExplorer", "OptimizerExplorer", "Playground"}


def _displays_a_widget(source: str) -> bool:
    """The cell's last statement is a bare call of a live widget, e.g. ``Playground(...)``."""
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics
        return False
    last = body[-1] if body else None
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Name)
        and last.value.func.id in WIDGETS
    )


def test_live_widgets_are_not_executed_by_the_site_build():
    """A widget needs a live kernel: the site hides its output, and the build skips the cell.

    Executing one under nbclient (the site build) now and then stalls for the whole cell
    timeout after the kernel is idle; nbval still runs these cells, and tests/ covers
    the widgets' code.
    """
    found = []
    for path in sorted(ROOT.glob("chapters/*/*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] != "code" or not _displays_a_widget("".join(cell["source"])):
                continue
            tags = set(cell.get("metadata", {}).get("tags", []))
            found.append(path.name)
            assert {"remove-output", "skip-execution"} <= tags, (path.name, cell.get("id"), tags)
            # Nothing else happens in such a cell: later cells must not depend on it.
            assert len(ast.parse("".join(cell["source"])).body) <= 2, (path.name, cell.get("id"))
    assert len(found) >= 1, found


def test_the_explorers_run_in_the_site_build_as_static_figures():
    """The three explorers go through ``lazynb.explorers.show_explorer``: widgets in a live
    kernel, a static figure computed by the same code in the book build (the Makefile's
    ``book`` target sets LAZYNB_STATIC_EXPLORERS=1), so their cells are executed and shown."""
    kinds = {}
    for path in sorted(ROOT.glob("chapters/*/*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "show_explorer(" not in source:
                continue
            kind = re.search(r'show_explorer\(\s*"([\w-]+)"', source).group(1)
            kinds[kind] = path.parent.name
            tags = set(cell.get("metadata", {}).get("tags", []))
            assert not tags & {"remove-output", "skip-execution"}, (path.name, tags)
    assert kinds == {
        "learning-rate": "03_backprop",
        "optimizer": "05_modern",
        "playground": "06_beyond",
    }, kinds
    book = (ROOT / "Makefile").read_text().split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "LAZYNB_STATIC_EXPLORERS=1" in book


def test_the_explorers_plotly_bundle_is_the_wheels_version_and_small():
    """_config.yml serves the cartesian partial bundle of plotly.js (vendored from npm) on the
    explorer pages: the same plotly.js version the installed plotly wheel writes figures
    for, and a third of the full bundle's size."""
    pytest.importorskip("plotly")
    from plotly.offline import get_plotlyjs_version

    config = (ROOT / "_config.yml").read_text()
    bundle = ROOT / re.search(r"^\s*lazynb_plotlyjs:\s*(\S+)\s*$", config, re.M).group(1)
    head = bundle.read_text(encoding="utf-8")[:200]
    assert f"v{get_plotlyjs_version()}" in head, head
    assert bundle.stat().st_size < 1.6e6
    assert (bundle.parent / "LICENSE").is_file()
