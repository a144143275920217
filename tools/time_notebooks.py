"""Time every chapter notebook in both data regimes and record the table on the statistics page.

Each notebook in ``_toc.yml`` runs top to bottom in a fresh kernel, one after
another (so that they do not share the cores), first on the offline sample
(an empty data folder, downloads off) and then on the full MNIST set. The
table of seconds replaces the block between the ``times`` markers in
``exec_stats.md``. Exits 1 when a notebook fails, takes more than 120 s, or the
book takes more than 10 minutes on the full set: the budget of CONTRIBUTING.md.

Run from the repository root, on a quiet machine::

    .venv/bin/python tools/time_notebooks.py --full ../shared/data/mnist
    .venv/bin/python tools/time_notebooks.py --full DIR --dry-run   # print, write nothing
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "exec_stats.md"
START, END = "<!-- times:start -->", "<!-- times:end -->"
NOTEBOOK_BUDGET_S, BOOK_BUDGET_S = 120, 600


def chapter_notebooks() -> list[Path]:
    """The notebooks listed in ``_toc.yml``, in reading order."""
    files = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text())
    return [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").is_file()]


def run(path: Path, env: dict[str, str]) -> float:
    """Seconds to execute ``path`` in a fresh kernel with ``env`` set (raises on an error)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        t0 = time.perf_counter()
        client.execute()
        return time.perf_counter() - t0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", required=True, help="folder holding the full MNIST set")
    p.add_argument("--dry-run", action="store_true", help="print the table, change no file")
    args = p.parse_args(argv)
    full = Path(args.full).resolve()
    if not any(
        (full / n).is_file() for n in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz")
    ):
        sys.exit(f"no full MNIST set in {full}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tempfile.TemporaryDirectory() as empty:
        regimes = {
            "offline sample": {"LAZYNB_DATA": empty, "LAZYNB_DOWNLOAD": "0"},
            "full set": {"LAZYNB_DATA": str(full), "LAZYNB_DOWNLOAD": "0"},
        }
        times = {name: {} for name in regimes}
        for name, env in regimes.items():
            for nb in chapter_notebooks():
                times[name][nb] = run(nb, env)
                print(f"{name:<15} {times[name][nb]:6.1f} s  {nb.relative_to(ROOT)}", flush=True)

    rows = ["| notebook | offline sample (s) | full set (s) |", "| --- | ---: | ---: |"]
    for nb in chapter_notebooks():
        rows.append(
            f"| `{nb.relative_to(ROOT)}` | {times['offline sample'][nb]:.1f} "
            f"| {times['full set'][nb]:.1f} |"
        )
    totals = {name: sum(t.values()) for name, t in times.items()}
    rows.append(
        f"| **the whole book** | **{totals['offline sample']:.0f}** "
        f"| **{totals['full set']:.0f}** |"
    )
    cpu = f"{os.cpu_count()} CPU cores ({platform.machine()})"
    block = "\n".join(
        [
            START,
            f"Measured on {datetime.date.today():%Y-%m-%d} with `tools/time_notebooks.py`, on "
            f"{cpu}, each notebook in a fresh kernel, one at a time:",
            "",
            *rows,
            END,
        ]
    )
    print(block)
    if not args.dry_run:
        text = PAGE.read_text()
        if START not in text or END not in text:
            sys.exit(f"{PAGE.name} has no {START} ... {END} block to replace")
        head, rest = text.split(START, 1)
        PAGE.write_text(head + block + rest.split(END, 1)[1])
        print(f"wrote {PAGE.relative_to(ROOT)}")
    slow = [
        f"{nb.relative_to(ROOT)} ({name}, {t:.0f} s)"
        for name, ts in times.items()
        for nb, t in ts.items()
        if t > NOTEBOOK_BUDGET_S
    ]
    if slow or totals["full set"] > BOOK_BUDGET_S:
        print(
            f"over budget (each notebook <= {NOTEBOOK_BUDGET_S} s, the book <= "
            f"{BOOK_BUDGET_S} s on the full set): {slow or totals}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
