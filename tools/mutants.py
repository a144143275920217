"""Mutation testing of the exercise checkers: ``make mutants``.

Every function exercise's reference solution lives in ``lazynb/exercises/solutions/<m>.py``;
its checker, in ``lazynb/exercises/<m>.py``, must reject any small change to it. This script
has mutmut (https://github.com/boxed/mutmut) make those changes (operators swapped,
constants changed, arguments dropped, comparisons flipped ...) in the solutions modules
only, and runs ``tests/test_mutants.py::test_kill`` on each mutant: the exercise's own
``check``, with the pristine reference as the judge. It then prints, per exercise, the
mutants, how many were killed, how many are recorded as equivalent
(``tests/mutants/equivalent.json``, each with its reason and proven by
``test_equivalent_*``), and every survivor with its diff, and writes the table to
``tests/mutants/results.md`` and ``tests/mutants/results.json``.

mutmut runs in a scratch copy (``--workdir``, by default a temporary folder) that holds
``lazynb/``, the kill test and a ``pyproject.toml`` with the mutmut settings, so neither the
project's configuration nor its work tree is touched.

Usage::

    python tools/mutants.py                        # every solutions module
    python tools/mutants.py --modules ch04 ch05    # a subset
    python tools/mutants.py --changed              # modules changed since the recorded run
    python tools/mutants.py --no-write             # print only (CI on a subset)

Exit status 1 when an exercise scores below ``--min-score`` (95 %) of its non-equivalent
mutants, or a mutant timed out or crashed unexplained; 0 otherwise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "lazynb" / "exercises" / "solutions"
RESULTS_DIR = ROOT / "tests" / "mutants"
RESULTS_JSON = RESULTS_DIR / "results.json"
RESULTS_MD = RESULTS_DIR / "results.md"
EQUIVALENT = RESULTS_DIR / "equivalent.json"
KILL_TEST = "tests/test_mutants.py::test_kill"
MUTMUT_CONFIG = """\
[tool.mutmut]
source_paths = ["lazynb"]
only_mutate = {only}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q"]
pytest_add_cli_args_test_selection = ["{kill}"]
use_git_change_detection = false
timeout_multiplier = 20.0
timeout_constant = 5.0
"""


# ----------------------------------------------------------------------------- selection


def all_modules() -> list[str]:
    """Every chapter module with a solutions module, e.g. ["appendix_linreg", "ch01", ...]."""
    return sorted(p.stem for p in SOLUTIONS.glob("*.py") if not p.stem.startswith("_"))


def changed_modules(since: str | None) -> list[str]:
    """The modules whose solutions or checker changed since commit ``since`` (all, if unknown).

    A change to ``lazynb/exercises/core.py`` or to the kill test concerns every module.
    """
    if not since:
        return all_modules()
    out = subprocess.run(
        ["git", "diff", "--name-only", since, "--", "lazynb/exercises", "tests/test_mutants.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:  # the commit is unknown here (a shallow clone): run everything
        return all_modules()
    # files added since then but not committed yet count too
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "lazynb/exercises"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    paths = {Path(p) for p in (out.stdout + untracked).split()}
    if any(p.name in ("core.py", "test_mutants.py", "__init__.py") for p in paths):
        return all_modules()
    stems = {p.stem for p in paths}
    return [m for m in all_modules() if m in stems]


# ----------------------------------------------------------------------------- the run


def _workspace(workdir: Path, modules: list[str]) -> None:
    """A scratch project for mutmut: lazynb, the kill test and the mutmut settings."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "mnist*.npz", "*.gz")
    shutil.copytree(ROOT / "lazynb", workdir / "lazynb", ignore=ignore)
    (workdir / "tests").mkdir()
    shutil.copy2(ROOT / "tests" / "test_mutants.py", workdir / "tests" / "test_mutants.py")
    if EQUIVALENT.exists():
        (workdir / "tests" / "mutants").mkdir()
        shutil.copy2(EQUIVALENT, workdir / "tests" / "mutants" / "equivalent.json")
    only = json.dumps([f"lazynb/exercises/solutions/{m}.py" for m in modules])
    (workdir / "pyproject.toml").write_text(MUTMUT_CONFIG.format(only=only, kill=KILL_TEST))
    # the pristine solutions, for the checker's expected values
    shutil.copytree(SOLUTIONS, workdir / "pristine", ignore=ignore)


def run_mutmut(workdir: Path, modules: list[str], jobs: int, log) -> float:
    """Run ``mutmut run`` in ``workdir``; return the wall time in seconds."""
    env = dict(os.environ)
    env["LAZYNB_MUTANTS_PRISTINE"] = str(workdir / "pristine")
    env["LAZYNB_MUTANTS_MODULES"] = ",".join(modules)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # mutmut forks a worker per mutant; TensorFlow's thread pools do not survive a fork
    # (builder mutants of ch04 hung until the timeout), so each worker runs single-threaded.
    for var in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS"):
        env[var] = "1"
    env.pop("PYTHONPATH", None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"mutmut run failed (exit {proc.returncode}); see its log")
    return seconds


def exercise_functions(modules: list[str]) -> dict[str, list[str]]:
    """The function exercises of each module, found as the kill test finds them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_kill_test", ROOT / "tests" / "test_mutants.py")
    kill = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kill)
    return {m: kill.function_exercises(m) for m in modules}


def collect(workdir: Path, modules: list[str]) -> dict:
    """Per exercise: mutants, killed, equivalent, survivors (name, status, diff).

    Mutants of other functions of a solutions module (helpers, the references of exercises
    whose answer is a value) are left out: no kill test calls them.
    """
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    equivalent = _load_equivalent()
    exercises = exercise_functions(modules)
    here = os.getcwd()
    os.chdir(workdir)  # mutmut's paths are relative to its project
    try:
        table = {}
        for module in modules:
            path = Path("lazynb/exercises/solutions") / f"{module}.py"
            data = SourceFileMutationData(path=path)
            data.load()
            for key, code in sorted(data.exit_code_by_key.items(), key=_mutant_order):
                function = key.rsplit(".", 1)[1].split("__mutmut_")[0].removeprefix("x_")
                if function not in exercises[module]:
                    continue
                row = table.setdefault(
                    f"{module}.{function}",
                    {"mutants": 0, "killed": 0, "equivalent": [], "survivors": []},
                )
                row["mutants"] += 1
                status = status_by_exit_code[code]
                if status in ("killed", "caught by type check"):
                    row["killed"] += 1
                    continue
                diff = get_diff_for_mutant(key, path=path)
                before, after = _changed_lines(diff)
                reason = equivalent.get((f"{module}.{function}", before, after))
                mutant = {
                    "mutant": key.rsplit(".", 1)[1],
                    "status": status,
                    "before": before,
                    "after": after,
                    "diff": _short_diff(diff),
                }
                if reason is not None and status == "survived":
                    row["equivalent"].append(dict(mutant, reason=reason))
                else:
                    row["survivors"].append(mutant)
        return table
    finally:
        os.chdir(here)


def _mutant_order(item):
    key = item[0]
    stem, _, n = key.rpartition("__mutmut_")
    return stem, int(n) if n.isdigit() else 0


def _changed_lines(diff: str) -> tuple[str, str]:
    """The removed and the added line of a one-line mutant (joined by ' / ' if more)."""
    minus = [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("-") and not line.startswith("---")
    ]
    plus = [
        line[1:].strip()
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return " / ".join(minus), " / ".join(plus)


def _short_diff(diff: str) -> str:
    return "\n".join(
        line
        for line in diff.splitlines()
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    )


def _load_equivalent() -> dict:
    if not EQUIVALENT.exists():
        return {}
    entries = json.loads(EQUIVALENT.read_text())["equivalent"]
    return {(e["exercise"], e["before"], e["after"]): e["reason"] for e in entries}


# ----------------------------------------------------------------------------- reporting


def score(row: dict) -> float:
    """Killed mutants over the non-equivalent ones (1.0 when every mutant is equivalent)."""
    live = row["mutants"] - len(row["equivalent"])
    return row["killed"] / live if live else 1.0


def format_table(table: dict, *, markdown: bool) -> str:
    head = ["exercise", "mutants", "killed", "equivalent", "survivors", "score"]
    rows = [
        [
            name,
            str(r["mutants"]),
            str(r["killed"]),
            str(len(r["equivalent"])),
            str(len(r["survivors"])),
            f"{score(r):.0%}",
        ]
        for name, r in sorted(table.items())
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(x) for x in col) for col in zip(head, *rows)]
        fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
        lines = [fmt.format(*head)] + [fmt.format(*r) for r in rows]
    return "\n".join(lines)


def format_details(table: dict, *, markdown: bool) -> str:
    out = []
    for name, row in sorted(table.items()):
        for m in row["survivors"]:
            out.append(f"SURVIVED {name} ({m['mutant']}, {m['status']}):")
            out.append(("```diff\n" + m["diff"] + "\n```") if markdown else m["diff"])
        if markdown:
            for m in row["equivalent"]:
                out.append(f"- **{name}** `{m['before']}` -> `{m['after']}`: {m['reason']}")
    return "\n".join(out)


def chapter_scores(table: dict) -> dict:
    """Killed over non-equivalent mutants, per chapter module."""
    by = {}
    for name, row in table.items():
        m = name.split(".")[0]
        k, live = by.get(m, (0, 0))
        by[m] = (k + row["killed"], live + row["mutants"] - len(row["equivalent"]))
    return {m: {"killed": k, "non_equivalent": n} for m, (k, n) in sorted(by.items())}


def _git_head() -> str | None:
    out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def write_results(table: dict, modules: list[str], seconds: float, jobs: int) -> None:
    """Merge this run's exercises into results.json and rewrite results.md from it."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    old = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    exercises = {
        k: v for k, v in old.get("exercises", {}).items() if k.split(".")[0] not in modules
    }
    exercises.update(table)
    data = {
        "tool": "mutmut " + _mutmut_version(),
        "commit": _git_head(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "last_run": {"modules": modules, "seconds": round(seconds, 1), "jobs": jobs},
        "before_fixes": old.get("before_fixes"),
        "exercises": dict(sorted(exercises.items())),
    }
    RESULTS_JSON.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    _write_markdown(data)


def _write_markdown(data: dict) -> None:
    """Only the generated section of results.md is rewritten; the prose above it stays."""
    marker = "<!-- generated by tools/mutants.py: everything below this line -->"
    prose = RESULTS_MD.read_text().split(marker)[0] if RESULTS_MD.exists() else ""
    table = data["exercises"]
    chapters = chapter_scores(table)
    lines = [
        marker,
        "",
        f"## The table (mutmut, commit `{(data['commit'] or '?')[:10]}`, {data['date']})",
        "",
        format_table(table, markdown=True),
        "",
        "Per chapter module, killed / non-equivalent mutants:",
        "",
        "| module | killed | non-equivalent | score |",
        "|---|---|---|---|",
    ]
    for m, c in chapters.items():
        pct = c["killed"] / c["non_equivalent"] if c["non_equivalent"] else 1.0
        lines.append(f"| {m} | {c['killed']} | {c['non_equivalent']} | {pct:.1%} |")
    details = format_details(table, markdown=True)
    lines += ["", "### Survivors and equivalent mutants", "", details or "None.", ""]
    RESULTS_MD.write_text(prose + "\n".join(lines))


def _mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", nargs="+", help="chapter modules, e.g. ch04 ch05")
    parser.add_argument(
        "--changed",
        action="store_true",
        help="only the modules changed since the commit of the recorded run",
    )
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--no-write", action="store_true", help="do not update tests/mutants/")
    parser.add_argument("--min-score", type=float, default=0.95)
    args = parser.parse_args(argv)

    if args.changed:
        recorded = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
        modules = changed_modules(recorded.get("commit"))
        if not modules:
            print("no exercise module changed since the recorded run: nothing to mutate")
            return 0
    else:
        modules = args.modules or all_modules()
    unknown = sorted(set(modules) - set(all_modules()))
    if unknown:
        raise SystemExit(f"no solutions module for {unknown}; have {all_modules()}")

    found = exercise_functions(modules)
    empty = [m for m in modules if not found[m]]
    if empty:
        print(f"no function exercise in {', '.join(empty)}: not mutated")
    modules = [m for m in modules if found[m]]
    if not modules:
        return 0

    temp = None
    workdir = args.workdir
    if workdir is None:
        temp = tempfile.TemporaryDirectory(prefix="lazynb-mutants-")
        workdir = Path(temp.name) / "work"
    workdir = workdir.resolve()
    print(f"mutating {', '.join(modules)} in {workdir} with {args.jobs} worker(s) ...", flush=True)
    _workspace(workdir, modules)
    with open(workdir.parent / "mutmut.log", "w") as log:
        try:
            seconds = run_mutmut(workdir, modules, args.jobs, log)
        except SystemExit:
            log.flush()
            print(Path(log.name).read_text()[-4000:])
            raise
    table = collect(workdir, modules)
    if temp is not None:
        temp.cleanup()

    print(format_table(table, markdown=False))
    details = format_details(table, markdown=False)
    if details:
        print("\n" + details)
    total = sum(r["mutants"] for r in table.values())
    print(f"\n{total} mutants of {len(table)} exercises in {seconds:.0f} s")
    if not args.no_write:
        write_results(table, modules, seconds, args.jobs)
        print(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_JSON.relative_to(ROOT)}")
    low = [n for n, r in table.items() if score(r) < args.min_score]
    odd = [n for n, r in table.items() if any(m["status"] != "survived" for m in r["survivors"])]
    if low:
        print(f"below {args.min_score:.0%} of the non-equivalent mutants: {', '.join(sorted(low))}")
    if odd:
        print(f"mutants that timed out or crashed: {', '.join(sorted(odd))}")
    return 1 if low or odd else 0


if __name__ == "__main__":
    sys.exit(main())
