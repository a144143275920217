"""Run each chapter notebook outside the repository, the way Colab does.

1. Build the ``lazynb`` wheel from a copy of the checkout's package files
   (pyproject.toml, README.md, lazynb/): what a release ships, nothing more.
2. Create a fresh virtual environment in a temporary folder, outside the
   repository. Install into it what Colab ships and the book relies on (NumPy,
   Matplotlib, TensorFlow, ipywidgets, pandas; ipykernel and nbclient to run the
   notebooks), then exactly what the notebooks' set-up cell installs
   (``tools/setup_cell.py``), with the local wheel in place of the pinned
   ``lazynb @ git+...`` address. Nothing from requirements.txt.
3. Copy each notebook alone into an empty temporary folder and execute it there
   with nbclient, offline (``LAZYNB_DATA`` an empty folder, ``LAZYNB_DOWNLOAD=0``,
   ``HOME`` an empty folder, no ``PYTHONPATH``), hidden checks included.

A notebook fails on any error, and also when a section skips itself because a
package is missing: any output that says "not installed" or "skipped" (chapter 4
prints "PyTensor is not installed: the Theano section is skipped."; the
preface's environment table says "not installed"). A last, added cell checks
that ``lazynb`` was imported from the environment, not from the repository.
Cells tagged ``skip-execution`` (the live widgets) are skipped, as the site build
skips them; ``--run-skipped`` runs them too.

Usage (from the repository root; ``make outside-repo`` runs every notebook)::

    python tools/run_outside_repo.py                                  # every chapter
    python tools/run_outside_repo.py --notebooks chapters/00_preface/preface.ipynb
    python tools/run_outside_repo.py --venv /tmp/colab-env            # keep/reuse the env
    python tools/run_outside_repo.py --json _build/outside_repo.json

Needs the package index (pip installs TensorFlow into the new environment: a few
minutes the first time, less from pip's cache). Exits 1 if any notebook fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import setup_cell  # noqa: E402  (tools/setup_cell.py: the canonical set-up cell)

# What Colab ships that the book relies on, plus what runs a notebook.
COLAB_PACKAGES = ["numpy", "matplotlib", "tensorflow", "ipywidgets", "pandas"]
RUNNER_PACKAGES = ["ipykernel", "nbclient"]
# Output that means a section did not run because something is missing.
SKIP_MARKERS = re.compile(r"not installed|\bskipped\b|\bskipping\b", re.I)
PROBE_TAG = "outside-repo-probe"
PACKAGE_FILES = ["pyproject.toml", "README.md", "LICENSE", "LICENSE.txt", "MANIFEST.in", "lazynb"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")


def log(msg: str) -> None:
    print(msg, flush=True)


def _run(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def build_wheel(workdir: Path, python: str = sys.executable) -> Path:
    """Build ``lazynb-<version>-py3-none-any.whl`` from a copy of the package files
    into ``workdir/dist``; return its path."""
    src = workdir / "src"
    src.mkdir(parents=True)
    for name in PACKAGE_FILES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORE)
        elif path.is_file():
            shutil.copy2(path, src / name)
    dist = workdir / "dist"
    _run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", dist, src])
    wheels = sorted(dist.glob("lazynb-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one lazynb wheel in {dist}, found {wheels}")
    version = setup_cell.package_version()
    if f"lazynb-{version}-" not in wheels[0].name:
        raise RuntimeError(f"the wheel {wheels[0].name} is not version {version}")
    return wheels[0]


def local_requirements(wheel: Path, source: str | None = None) -> list[str]:
    """The set-up cell's requirements, with the local wheel in place of ``lazynb``
    (extras kept): ``lazynb[pytensor] @ git+...`` -> ``lazynb[pytensor] @ file:///...whl``."""
    source = setup_cell.canonical_source() if source is None else source
    out = []
    for req in setup_cell.pip_requirements(source):
        m = re.fullmatch(r"lazynb(\[[\w,-]+\])?\s*(@.*)?", req)
        out.append(f"lazynb{m.group(1) or ''} @ {wheel.resolve().as_uri()}" if m else req)
    if not any(r.startswith("lazynb") for r in out):
        raise ValueError(f"the set-up cell does not install lazynb: {out}")
    return out


def make_env(venv: Path, wheel: Path, colab_packages: list[str], python: str) -> Path:
    """Create (or reuse) the environment; return its python."""
    py = venv / "bin" / "python"
    if not py.exists():
        _run([python, "-m", "venv", venv])
        _run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    pip = [py, "-m", "pip", "install", "--quiet"]
    _run(pip + colab_packages + RUNNER_PACKAGES)  # "preinstalled", as on Colab
    _run(pip + local_requirements(wheel))  # the set-up cell's %pip line
    _run(pip + ["--force-reinstall", "--no-deps", wheel])  # this checkout's build, always
    return py


def _clean_env(home: Path, data: Path, venv: Path) -> dict[str, str]:
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LAZYNB_DATA": str(data),
        "LAZYNB_DOWNLOAD": "0",
        "VIRTUAL_ENV": str(venv),
    }
    for key in ("LANG", "LC_ALL", "TMPDIR"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def run_notebook(py: Path, venv: Path, notebook: Path, workdir: Path, args) -> dict:
    """Copy ``notebook`` alone into an empty folder and execute it there with the
    environment's python; return its result (see :func:`execute`)."""
    folder = Path(tempfile.mkdtemp(prefix=notebook.stem + "-", dir=workdir))
    home, data = folder / "home", folder / "empty-data"
    run_dir = folder / "run"
    for d in (home, data, run_dir):
        d.mkdir()
    copy = run_dir / notebook.name
    shutil.copy2(notebook, copy)
    result_file = folder / "result.json"
    cmd = [py, "-I", Path(__file__).resolve(), "--execute", copy, "--result", result_file]
    cmd += ["--timeout", str(args.timeout), "--venv", venv]
    if args.run_skipped:
        cmd.append("--run-skipped")
    subprocess.run([str(c) for c in cmd], env=_clean_env(home, data, venv), cwd=run_dir)
    if not result_file.exists():
        return {"notebook": str(notebook), "ok": False, "problems": ["the runner crashed"]}
    result = json.loads(result_file.read_text())
    result["notebook"] = str(
        notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook
    )
    return result


# -- inside the environment ---------------------------------------------------------

PROBE = """\
import sys, lazynb
print("probe", sys.prefix, lazynb.__file__)
assert sys.prefix.startswith({venv!r}), f"kernel runs in {{sys.prefix}}, not the new environment"
assert lazynb.__file__.startswith({venv!r}), f"lazynb imported from {{lazynb.__file__}}"
"""


def _texts(cell) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif "data" in o:
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o["data"]:
                    text = o["data"][mime]
                    out.append(text if isinstance(text, str) else "".join(text))
        elif o.get("output_type") == "error":
            out.append(f"{o.get('ename')}: {o.get('evalue')}")
    return out


def execute(path: Path, timeout: int, venv: str, run_skipped: bool = False) -> dict:
    """Execute the notebook at ``path`` in place with nbclient (the kernel is this
    environment's python3); return ``{"ok", "seconds", "problems", "stderr"}``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    skipped = 0
    if not run_skipped:
        keep = []
        for cell in nb.cells:
            if cell.cell_type == "code" and "skip-execution" in cell.metadata.get("tags", []):
                skipped += 1
                continue
            keep.append(cell)
        nb.cells = keep
    nb.cells.append(
        nbformat.v4.new_code_cell(PROBE.format(venv=venv), metadata={"tags": [PROBE_TAG]})
    )
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    problems = []
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        problems.append("error: " + str(exc).strip().splitlines()[-1][:500])
    except Exception as exc:  # a timeout, a dead kernel
        problems.append(f"{type(exc).__name__}: {str(exc)[:500]}")
    seconds = time.perf_counter() - start
    stderr = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for text in _texts(cell):
            for m in SKIP_MARKERS.finditer(text):
                line = text[: m.end()].rsplit("\n", 1)[-1] + text[m.end() :].split("\n", 1)[0]
                problems.append(f"cell {i} skipped something: {line.strip()[:200]!r}")
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                stderr.append(f"cell {i}: {o['text'].strip()[:300]}")
    problems = list(dict.fromkeys(problems))  # one line per problem, however many markers
    nbformat.write(nb, path)  # the executed copy, for a look afterwards (--keep)
    return {
        "ok": not problems,
        "seconds": round(seconds, 1),
        "problems": problems,
        "stderr": stderr,
        "cells_skipped_by_tag": skipped,
    }


# -- the command line --------------------------------------------------------------


def default_notebooks() -> list[Path]:
    return setup_cell.notebooks()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--notebooks", nargs="+", type=Path, help="default: chapters/*/*.ipynb")
    p.add_argument("--venv", type=Path, help="use (and keep) this environment; made if missing")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    p.add_argument("--run-skipped", action="store_true", help="run skip-execution cells too")
    p.add_argument("--json", type=Path, help="write the results here")
    p.add_argument(
        "--colab-packages",
        nargs="+",
        default=COLAB_PACKAGES,
        help=f"what Colab ships (default: {' '.join(COLAB_PACKAGES)})",
    )
    p.add_argument("--python", default=sys.executable, help="the interpreter for the venv")
    # Internal: run inside the new environment on one copied notebook.
    p.add_argument("--execute", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.execute:
        result = execute(args.execute, args.timeout, str(args.venv), args.run_skipped)
        args.result.write_text(json.dumps(result))
        return 0

    notebooks = [n.resolve() for n in (args.notebooks or default_notebooks())]
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing or not notebooks:
        p.error(f"no such notebooks: {missing or 'none given'}")
    workdir = Path(tempfile.mkdtemp(prefix="lazynb-outside-"))
    if workdir.resolve().is_relative_to(ROOT):
        p.error(f"the temporary folder {workdir} is inside the repository: set TMPDIR")
    results = []
    t0 = time.perf_counter()
    try:
        wheel = build_wheel(workdir / "wheel", args.python)
        log(f"built {wheel.name}")
        venv = (args.venv or workdir / "venv").resolve()
        t_env = time.perf_counter()
        py = make_env(venv, wheel, args.colab_packages, args.python)
        log(f"environment ready in {time.perf_counter() - t_env:.0f} s: {venv}")
        for nb in notebooks:
            r = run_notebook(py, venv, nb, workdir, args)
            results.append(r)
            mark = "ok  " if r["ok"] else "FAIL"
            log(f"{mark} {r.get('seconds', 0):7.1f} s  {r['notebook']}")
            for problem in r["problems"]:
                log(f"       {problem}")
            for line in r.get("stderr", []):
                log(f"       (stderr) {line[:200]}")
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    failed = [r["notebook"] for r in results if not r["ok"]]
    log(
        f"{len(results) - len(failed)}/{len(results)} notebooks passed outside the repository "
        f"({time.perf_counter() - t0:.0f} s in all)"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"results": results, "failed": failed}, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
