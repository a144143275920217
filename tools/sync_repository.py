"""Copy the repository address from pyproject.toml to every place that needs it.

pyproject.toml's ``[project.urls] Repository`` is the one place the address is
written. This script rewrites ``_config.yml``'s ``repository.url`` (which feeds
the repository and launch buttons) and the first cell of every chapter notebook
(the Colab set-up cell, which installs ``lazynb`` from that repository).

Usage: python tools/sync_repository.py [--check]
With --check it changes nothing and exits 1 if anything is out of date
(tests/test_project.py runs the same check).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP_TAGS = ["remove-cell", "setup"]


def repository_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["urls"]["Repository"]


def setup_cell_source(url: str) -> str:
    """The Colab set-up cell every notebook starts with (hidden on the site).

    Its text lives in ``tools/setup_cell.py`` (pinned to this release of ``lazynb``);
    this script only supplies the address.
    """
    spec = importlib.util.spec_from_file_location(
        "setup_cell", Path(__file__).with_name("setup_cell.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.canonical_source(url)


def notebooks() -> list[Path]:
    return sorted(
        p for p in (ROOT / "chapters").glob("**/*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def _config_with_url(text: str, url: str) -> str:
    return re.sub(r"(?m)^(repository:\n  url: ).*$", lambda m: m.group(1) + url, text)


def sync(check: bool = False) -> list[str]:
    """Bring every copy of the address up to date; return what was (or would be) changed."""
    url = repository_url()
    stale = []
    cfg_path = ROOT / "_config.yml"
    cfg = cfg_path.read_text()
    new_cfg = _config_with_url(cfg, url)
    if new_cfg != cfg:
        stale.append("_config.yml")
        if not check:
            cfg_path.write_text(new_cfg)
    want = setup_cell_source(url)
    for path in notebooks():
        nb = json.loads(path.read_text())
        first = nb["cells"][0] if nb["cells"] else None
        ok = (
            first is not None
            and first["cell_type"] == "code"
            and "".join(first["source"]) == want
            and all(t in first.get("metadata", {}).get("tags", []) for t in SETUP_TAGS)
        )
        if ok:
            continue
        stale.append(str(path.relative_to(ROOT)))
        if check:
            continue
        cell = {
            "cell_type": "code",
            "execution_count": None,
            "id": "colab-setup",
            "metadata": {"tags": SETUP_TAGS},
            "outputs": [],
            "source": want.splitlines(keepends=True),
        }
        if first is not None and first.get("id") == "colab-setup":
            nb["cells"][0] = cell
        else:
            nb["cells"].insert(0, cell)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv
    changed = sync(check=check)
    for name in changed:
        print(("out of date: " if check else "updated: ") + name)
    sys.exit(1 if (check and changed) else 0)
