"""The Colab set-up cell: one canonical text, written into the first cell of every notebook.

Every chapter notebook starts with a hidden code cell (id ``colab-setup``, tags
``remove-cell`` and ``setup``) that installs ``lazynb`` when the notebook runs on
Google Colab and does nothing anywhere else. Its text is made here, from two
facts written once elsewhere:

- the repository address: pyproject.toml's ``[project.urls] Repository``;
- the release: ``lazynb.__version__`` (the cell installs the tag ``v<version>``,
  never a moving branch, so a reader gets the package the notebook was written for).

It installs ``lazynb[pytensor]``: Colab ships NumPy, Matplotlib, TensorFlow,
ipywidgets and pandas, and PyTensor (chapter 4's Theano listings) is the one thing
the chapters need that Colab lacks. ``tools/run_outside_repo.py`` proves that this
is enough, by installing exactly this line into a fresh environment.

Usage::

    python tools/setup_cell.py --check   # exit 1, listing the notebooks whose cell differs
    python tools/setup_cell.py --write   # rewrite that one cell in every chapters/*/*.ipynb
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL_ID = "colab-setup"
SETUP_TAGS = ["remove-cell", "setup"]
# What the chapters need beyond the package's own dependencies and what Colab ships.
EXTRAS = ("pytensor",)


def repository_url(root: Path = ROOT) -> str:
    """pyproject.toml's ``[project.urls] Repository``."""
    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"]


def package_version(root: Path = ROOT) -> str:
    """``lazynb.__version__``, read from the source without importing the package."""
    tree = ast.parse((root / "lazynb" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError("lazynb/__init__.py defines no __version__ = '...'")


def requirement(url: str | None = None, version: str | None = None) -> str:
    """The pip requirement the cell installs, e.g.
    ``lazynb[pytensor] @ git+https://github.com/o/r@v0.1.0``."""
    url = repository_url() if url is None else url
    version = package_version() if version is None else version
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"expected a https://github.com/owner/name address, got {url!r}")
    if not re.fullmatch(r"\d+(\.\d+)*([ab]|rc)?\d*", version):
        raise ValueError(f"expected a release version such as '0.1.0', got {version!r}")
    return f"lazynb[{','.join(EXTRAS)}] @ git+{url}@v{version}"


def canonical_source(url: str | None = None, version: str | None = None) -> str:
    """The text of the set-up cell (no trailing newline)."""
    return (
        "# Set-up for Google Colab: install the book's helper package `lazynb` (this release,\n"
        "# with PyTensor for chapter 4; Colab ships NumPy, Matplotlib, TensorFlow, ipywidgets).\n"
        "# Anywhere else (local Jupyter, the book's build, the tests) this does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{requirement(url, version)}"'
    )


def pip_requirements(source: str) -> list[str]:
    """The requirements of the ``%pip install`` line in a set-up cell's ``source``
    (options such as ``--quiet`` dropped), e.g. ``['lazynb[pytensor] @ git+...']``."""
    if not isinstance(source, str):
        raise TypeError(f"expected the cell's source as a str, got {type(source).__name__}")
    lines = [ln.strip() for ln in source.splitlines() if ln.strip().startswith("%pip install")]
    if len(lines) != 1:
        raise ValueError(f"expected exactly one `%pip install` line, found {len(lines)}")
    words = shlex.split(lines[0])[2:]
    reqs = [w for w in words if not w.startswith("-")]
    if not reqs:
        raise ValueError(f"the `%pip install` line installs nothing: {lines[0]!r}")
    return reqs


def notebooks(root: Path = ROOT) -> list[Path]:
    """Every chapter notebook, ``chapters/*/*.ipynb``."""
    return sorted(p for p in (root / "chapters").glob("*/*.ipynb"))


def _cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": list(SETUP_TAGS)},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def _is_current(nb: dict, source: str) -> bool:
    first = nb["cells"][0] if nb.get("cells") else None
    return (
        first is not None
        and first["cell_type"] == "code"
        and first.get("id") == CELL_ID
        and "".join(first["source"]) == source
        and set(SETUP_TAGS) <= set(first.get("metadata", {}).get("tags", []))
        and not first.get("outputs")
    )


def stale(paths: list[Path] | None = None) -> list[Path]:
    """The notebooks whose first cell is not the canonical set-up cell."""
    source = canonical_source()
    return [
        p for p in (notebooks() if paths is None else paths) if not _is_current(_read(p), source)
    ]


def _read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(paths: list[Path] | None = None) -> list[Path]:
    """Rewrite the set-up cell of every stale notebook (replacing a first cell with id
    ``colab-setup``, else inserting one); return the notebooks changed."""
    source = canonical_source()
    changed = []
    for path in notebooks() if paths is None else paths:
        nb = _read(path)
        if _is_current(nb, source):
            continue
        cells = nb.setdefault("cells", [])
        if cells and cells[0].get("id") == CELL_ID:
            cells[0] = _cell(source)
        else:
            cells.insert(0, _cell(source))
        Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="list stale notebooks, exit 1 if any")
    mode.add_argument("--write", action="store_true", help="rewrite the stale set-up cells")
    mode.add_argument("--print", action="store_true", help="print the canonical cell")
    args = parser.parse_args(argv)
    if args.print:
        print(canonical_source())
        return 0
    if args.check:
        bad = stale()
        for path in bad:
            print(f"set-up cell differs: {path.relative_to(ROOT)}")
        return 1 if bad else 0
    for path in write():
        print(f"updated: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
