"""The kill test of ``make mutants``, and the proofs that its equivalent mutants are equivalent.

Every function exercise's reference solution lives in ``lazynb/exercises/solutions/<m>.py``
and its checker in ``lazynb/exercises/<m>.py`` (under the same name). ``tools/mutants.py``
has mutmut change the solutions modules one small edit at a time and runs
``test_kill`` on each mutant: the exercise's own ``check`` must reject it. Outside a
mutation run the same test says that every reference passes its own checker.

The checker computes its expected values with ``exercise.reference``, which is the very
function being mutated; so ``test_kill`` points the reference at a pristine copy of the
solutions module (loaded from ``$LAZYNB_MUTANTS_PRISTINE``, the unmutated folder, which the
harness sets) and hands the mutated function in as the reader's answer.

``test_equivalent_*`` rebuild each mutant recorded as equivalent in
``tests/mutants/equivalent.json`` (its one changed line put into the reference's source) and
show, on the exercise's cases and on random inputs from hypothesis, that it computes what
the reference computes. They are not part of the kill run.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lazynb.exercises.core import Exercise

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "lazynb" / "exercises" / "solutions"
EQUIVALENT = Path(__file__).resolve().parent / "mutants" / "equivalent.json"


def solution_modules() -> list[str]:
    """The chapter modules that have a solutions module, e.g. ["appendix_linreg", "ch01"]."""
    return sorted(p.stem for p in SOLUTIONS.glob("*.py") if not p.stem.startswith("_"))


def function_exercises(module: str) -> list[str]:
    """Names of the functions of solutions/<module>.py that an exercise of <module> checks.

    A function counts when the chapter module has an :class:`Exercise` of the same name
    whose answer is a function (``answer_is_function``) and whose reference is a function;
    helpers of the solutions module, and exercises whose answer is a value, are left out.
    """
    solutions = importlib.import_module(f"lazynb.exercises.solutions.{module}")
    chapter = importlib.import_module(f"lazynb.exercises.{module}")
    names = []
    for name, fn in vars(solutions).items():
        if name.startswith("_") or not inspect.isfunction(fn):
            continue
        if getattr(fn, "__module__", None) != solutions.__name__:
            continue  # imported into the module, e.g. sigmoid
        if _function_reference(getattr(chapter, name, None)) is not None:
            names.append(name)
    return names


def _function_reference(ex):
    """The reference of an exercise whose answer is a function (``answer_is_function``)."""
    if not isinstance(ex, Exercise) or not ex.answer_is_function:
        return None
    reference = vars(ex).get("reference")  # not a property that would build it
    return reference if inspect.isfunction(reference) else None


def _pristine(module: str):
    """The unmutated solutions module: from $LAZYNB_MUTANTS_PRISTINE during a mutation run."""
    folder = os.environ.get("LAZYNB_MUTANTS_PRISTINE")
    if not folder:
        return importlib.import_module(f"lazynb.exercises.solutions.{module}")
    cached = _PRISTINE.get(module)
    if cached is None:
        # a name inside the solutions package, so that its relative imports resolve
        spec = importlib.util.spec_from_file_location(
            f"lazynb.exercises.solutions._pristine_{module}", Path(folder) / f"{module}.py"
        )
        cached = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cached)
        _PRISTINE[module] = cached
    return cached


_PRISTINE: dict = {}


def _selected_modules() -> list[str]:
    """The modules of this mutation run ($LAZYNB_MUTANTS_MODULES, comma-separated), or all."""
    chosen = os.environ.get("LAZYNB_MUTANTS_MODULES")
    return chosen.split(",") if chosen else solution_modules()


KILL_CASES = [(m, name) for m in _selected_modules() for name in function_exercises(m)]
ALL_CASES = [(m, name) for m in solution_modules() for name in function_exercises(m)]


@pytest.mark.parametrize("module, name", KILL_CASES, ids=[f"{m}.{n}" for m, n in KILL_CASES])
def test_kill(module, name, monkeypatch):
    """The exercise's own check accepts solutions/<module>.<name> (and rejects its mutants)."""
    chapter = importlib.import_module(f"lazynb.exercises.{module}")
    answer = getattr(importlib.import_module(f"lazynb.exercises.solutions.{module}"), name)
    ex = getattr(chapter, name)
    monkeypatch.setattr(ex, "reference", getattr(_pristine(module), name))
    result = ex.check(answer)
    assert result.passed, result


def test_every_function_exercise_is_mutated():
    """Every exercise of the book whose reference is a function has it in a solutions module,
    so that the mutation run covers it (a reference left in its checker's module is not)."""
    chapters = sorted(
        p.stem
        for p in (ROOT / "lazynb" / "exercises").glob("*.py")
        if p.stem not in ("__init__", "core")
    )
    covered = set(ALL_CASES)
    missing = []
    for module in chapters:
        chapter = importlib.import_module(f"lazynb.exercises.{module}")
        for name, ex in vars(chapter).items():
            fn = _function_reference(ex)
            if fn is not None and (module, name) not in covered:
                missing.append(f"{module}.{name} (its reference is in {fn.__module__})")
    assert not missing, "move these references to lazynb/exercises/solutions/: " + ", ".join(
        missing
    )


# ------------------------------------------------------------------ equivalent mutants


def load_equivalent() -> list[dict]:
    """The recorded equivalent mutants: exercise, before/after line, reason."""
    if not EQUIVALENT.exists():
        return []
    return json.loads(EQUIVALENT.read_text())["equivalent"]


def build_mutant(entry: dict):
    """The reference of ``entry["exercise"]`` with its line ``before`` replaced by ``after``."""
    module, name = entry["exercise"].split(".")
    solutions = importlib.import_module(f"lazynb.exercises.solutions.{module}")
    source = textwrap.dedent(inspect.getsource(getattr(solutions, name)))
    lines = source.splitlines()
    hits = [i for i, line in enumerate(lines) if line.strip() == entry["before"]]
    assert len(hits) == 1, f"{entry['exercise']}: the line {entry['before']!r} is not in the source"
    indent = lines[hits[0]][: len(lines[hits[0]]) - len(lines[hits[0]].lstrip())]
    lines[hits[0]] = indent + entry["after"]
    namespace = dict(vars(solutions))
    exec(compile("\n".join(lines), f"<mutant of {entry['exercise']}>", "exec"), namespace)
    return namespace[name]


EQUIVALENT_ENTRIES = load_equivalent()


def _same(a, b, rtol=1e-12):
    a, b = (np.asarray(x, dtype=float) for x in (a, b))
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize(
    "entry", EQUIVALENT_ENTRIES, ids=[f"{e['exercise']}:{e['after']}" for e in EQUIVALENT_ENTRIES]
)
def test_equivalent_on_the_exercise_cases(entry):
    """An equivalent mutant gives the reference's result on every case its checker uses."""
    module, name = entry["exercise"].split(".")
    ex = getattr(importlib.import_module(f"lazynb.exercises.{module}"), name)
    mutant = build_mutant(entry)
    rtol = entry.get("rtol", 1e-12)
    assert entry["reason"].strip()
    if hasattr(ex, "cases"):
        for case in ex.cases(np.random.default_rng(ex.seed)):
            args = list(case.args.values())
            assert _same(mutant(*args), ex.reference(*args), rtol)
    else:  # a gradient method: its probes
        for p in ex.probes:
            assert _same(mutant(p.x0, p.lr, p.steps), ex.reference(p.x0, p.lr, p.steps), rtol)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(data=st.data())
def test_equivalent_on_random_inputs(data):
    """... and on random inputs of the shapes the exercise's prompt allows."""
    for entry in EQUIVALENT_ENTRIES:
        strategy = RANDOM_INPUTS.get(entry["exercise"])
        if strategy is None:
            continue
        args = data.draw(strategy, label=entry["exercise"])
        module, name = entry["exercise"].split(".")
        ex = getattr(importlib.import_module(f"lazynb.exercises.{module}"), name)
        rtol = entry.get("rtol", 1e-12)
        assert _same(build_mutant(entry)(*args), ex.reference(*args), rtol), entry


def _floats(lo=-5.0, hi=5.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _array(shape, lo=-5.0, hi=5.0):
    return st.lists(
        _floats(lo, hi), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))
    ).map(lambda v: np.array(v, dtype=float).reshape(shape))


@st.composite
def _line_data(draw):
    n = draw(st.integers(2, 30))
    x = draw(_array((n,), -100.0, 100.0))
    y = draw(_array((n,), -100.0, 100.0))
    dx = x - x.mean()
    assume(dx @ dx > 1e-3 * max(1.0, float(x @ x)))  # x not (nearly) all equal
    return x, y


# Inputs for the exercises that have equivalent mutants (added with each entry).
RANDOM_INPUTS = {
    "appendix_linreg.fit_1d": _line_data(),
}


# ------------------------------------------------------------------ the harness itself


def _harness():
    spec = importlib.util.spec_from_file_location("_mutants_tool", ROOT / "tools" / "mutants.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_harness_reads_a_one_line_mutant_and_scores_it():
    tool = _harness()
    diff = "--- a\n+++ a\n def f(x):\n-    return x - 1\n+    return x + 1"
    assert tool._changed_lines(diff) == ("return x - 1", "return x + 1")
    assert tool._short_diff(diff) == "-    return x - 1\n+    return x + 1"
    row = {"mutants": 20, "killed": 18, "equivalent": [{}], "survivors": [{}]}
    assert tool.score(row) == 18 / 19
    assert tool.score({"mutants": 1, "killed": 0, "equivalent": [{}], "survivors": []}) == 1.0
    text = tool.format_table({"ch01.f": row}, markdown=True)
    assert "| ch01.f | 20 | 18 | 1 | 1 | 95% |" in text


def test_harness_selects_modules():
    tool = _harness()
    assert tool.all_modules() == solution_modules()
    assert tool.changed_modules(None) == solution_modules()  # no recorded run: all of them
    assert tool.changed_modules("not-a-commit") == solution_modules()


def test_every_equivalent_mutant_has_a_reason_and_its_line():
    for entry in EQUIVALENT_ENTRIES:
        assert len(entry["reason"]) > 40, entry  # an argument, not a word
        build_mutant(entry)  # its line is still in the reference
