"""The exercise framework: prompt, ``check``, ``hint`` and ``solution`` for every chapter.

A chapter's module (``lazynb.exercises.ch01`` ...) defines :class:`Exercise` objects.
In a notebook the reader writes a function (or a value) and passes it explicitly::

    ch01.bce_with_logits.check(bce_with_logits)   # -> CheckResult, rendered as a coloured box
    ch01.bce_with_logits.hint()                  # the next hint; hint(2) shows level 2
    ch01.bce_with_logits.solution()              # the reference answer's source

:class:`FunctionExercise` runs the reader's function on fixed edge cases and seeded random
cases. For each case it calls the function on *copies* of the inputs and checks, stopping
at the first problem: the inputs were not modified; the result's type, then shape, then
dtype; warnings (when the exercise forbids them); finite values; the exercise's own
property checks; and finally the values, against the reference with ``np.allclose``.
Messages say what is wrong and for which input, but never print the expected answer.

:class:`ValueExercise` checks an answer that is data (a dict of weights, say) with a
checker callable that returns an error message or ``None``.

``check`` never raises on a wrong answer (a book whose stubs are untouched must still
build); ``check(answer, strict=True)`` raises :class:`ExerciseFailed` unless it passed.
"""

from __future__ import annotations

import copy
import html
import linecache
import numbers
import os
import re
import sysconfig
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..source import show_source

__all__ = [
    "Case",
    "CheckResult",
    "Exercise",
    "ExerciseFailed",
    "FunctionExercise",
    "Hint",
    "ValueExercise",
]

STATUSES = ("passed", "failed", "error", "not attempted")

# A property check: (reader's result as an array, expected array, the case's inputs)
# -> an error message, or None when the property holds.
PropertyCheck = Callable[[np.ndarray, np.ndarray, Mapping[str, Any]], "str | None"]


class ExerciseFailed(AssertionError):
    """Raised by ``check(..., strict=True)`` when the answer did not pass."""

    def __init__(self, result: CheckResult):
        super().__init__(f"{result.exercise}: {result.status}: {result.message}")
        self.result = result


# --------------------------------------------------------------------------- results

_STYLE = {  # status -> (symbol, border colour, background colour)
    "passed": ("\u2714", "#2e7d32", "#e8f5e9"),
    "failed": ("\u2718", "#c62828", "#ffebee"),
    "error": ("\u26a0", "#ef8f00", "#fff8e1"),
    "not attempted": ("\u2026", "#757575", "#f5f5f5"),
}


def _text_to_html(text: str) -> str:
    """Escape ``text`` for HTML, render `backticks` as code and newlines as line breaks."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return escaped.replace("\n", "<br>")


def _box(border: str, background: str, title: str, body: str) -> str:
    # Inline styles only: the rendered book needs no extra CSS, and the text colour
    # is explicit so the box stays readable under a dark notebook theme.
    return (
        f'<div style="border-left:4px solid {border};background:{background};color:#1b1b1b;'
        f"padding:6px 10px;margin:4px 0;border-radius:3px;font-family:sans-serif;"
        f'line-height:1.4"><strong>{title}</strong> {body}</div>'
    )


@dataclass
class CheckResult:
    """The outcome of ``exercise.check(answer)``.

    status is one of "passed", "failed", "error" (the answer raised) or "not attempted"
    (the stub is untouched). ``bool(result)`` is True only when it passed. ``n_cases``
    counts the cases that were run, up to and including the first that did not pass.
    """

    exercise: str
    status: str
    message: str
    n_cases: int = 0

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        symbol = _STYLE[self.status][0]
        return f"{symbol} {self.exercise}: {self.status} \u2014 {self.message}"

    def _repr_html_(self) -> str:
        symbol, border, background = _STYLE[self.status]
        title = f"{symbol} {html.escape(self.exercise)}: {self.status}"
        return _box(border, background, title, "\u2014 " + _text_to_html(self.message))


@dataclass
class Hint:
    """One level of an exercise's hints; displays itself in a notebook."""

    exercise: str
    level: int
    total: int
    text: str

    def _title(self) -> str:
        last = " (the last one)" if self.level == self.total and self.total > 1 else ""
        return f"Hint {self.level} of {self.total}{last} for {self.exercise}:"

    def __repr__(self) -> str:
        return f"{self._title()} {self.text}"

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return _box("#1565c0", "#e3f2fd", html.escape(self._title()), _text_to_html(self.text))


# --------------------------------------------------------------------------- exercises


class Exercise:
    """Base class: a named exercise with a prompt, hint levels and a reference answer.

    Subclasses implement ``check`` and ``solution``. ``chapter`` (e.g. "ch01")
    is only used to write ``ch01.name.hint()`` in messages. A subclass whose answer is a
    function (``check(f)``, with ``reference`` that function's right version) sets
    ``answer_is_function = True``: ``make mutants`` then mutates its reference, which must
    live in ``lazynb/exercises/solutions/<chapter>.py``.
    """

    answer_is_function = False

    def __init__(
        self,
        name: str,
        *,
        prompt: str,
        hints: Sequence[str],
        reference: Any,
        chapter: str | None = None,
    ):
        if not hints:
            raise ValueError(f"exercise {name!r} needs at least one hint")
        self.name = name
        self.prompt = prompt
        self.hints = tuple(hints)
        self.reference = reference
        self.chapter = chapter
        self._hint_level = 0  # the level shown last; hint() shows the next one

    @property
    def qualname(self) -> str:
        return f"{self.chapter}.{self.name}" if self.chapter else self.name

    def hint(self, level: int | None = None) -> Hint:
        """Return the next hint level (or ``level``, 1-based); levels past the last clamp to it."""
        if level is None:
            level = self._hint_level + 1
        elif isinstance(level, bool) or not isinstance(level, numbers.Integral) or level < 1:
            raise ValueError(f"hint level must be an integer >= 1, got {level!r}")
        level = min(int(level), len(self.hints))
        self._hint_level = level
        return Hint(self.qualname, level, len(self.hints), self.hints[level - 1])

    def check(self, answer, *, strict: bool = False) -> CheckResult:  # pragma: no cover
        raise NotImplementedError

    def solution(self):  # pragma: no cover
        raise NotImplementedError

    def _not_a_function(self, answer, strict: bool) -> CheckResult | None:
        """The failed result for an answer that is not callable (e.g. the result of calling
        the reader's function), or None when it is a function: every function check starts so."""
        if callable(answer):
            return None
        return self._result(
            "failed",
            f"`check` expects your function itself, as in "
            f"`{self.qualname}.check({self.name})`, not the result of calling it; "
            f"got {_type_name(answer)}",
            0,
            strict,
        )

    def _result(self, status: str, message: str, n_cases: int, strict: bool) -> CheckResult:
        result = CheckResult(self.qualname, status, message, n_cases)
        if strict and not result:
            raise ExerciseFailed(result)
        return result

    def _not_attempted(self, what: str, n_cases: int, strict: bool) -> CheckResult:
        return self._result(
            "not attempted",
            f"{what[0].upper()}{what[1:]} and run the cell again. "
            f"Take your time; `{self.qualname}.hint()` gives a first nudge.",
            n_cases,
            strict,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.qualname!r}): {self.prompt}"

    def _repr_html_(self) -> str:
        return _box(
            "#1565c0",
            "#f5f9ff",
            f"Exercise {html.escape(self.qualname)}:",
            _text_to_html(self.prompt),
        )


@dataclass
class Case:
    """One set of inputs for a function exercise.

    args: the arguments by name, in call order (they are passed positionally, so the
    reader may name the parameters as they like). note: a short description added to
    messages, e.g. "values from -1e4 to 1e4".
    """

    args: dict
    note: str = ""


@dataclass
class _Outcome:
    """Internal: what one case produced."""

    status: str  # "ok", "failed", "error" or "not attempted"
    message: str = ""


_DTYPE_KINDS = {"floating": np.floating, "integer": np.integer, "bool": np.bool_}


class FunctionExercise(Exercise):
    """An exercise whose answer is a function, checked against ``reference`` case by case.

    Parameters
    ----------
    cases : ``cases(rng) -> iterable of Case``, given ``np.random.default_rng(seed)``;
        fixed edge cases first, then random ones.
    returns : "array" (a NumPy array or a tensor; a plain number is also accepted when
        the expected result is 0-d) or "scalar" (a Python/NumPy number or a 0-d array).
    shape : how the prompt writes the result's shape, e.g. "(N,)" or "a.shape"; used in
        messages next to the actual expected shape.
    dtype : the accepted dtype kinds, any of "floating", "integer", "bool" (None: any).
    dtype_note : appended to the dtype message, to say why.
    rtol, atol : tolerances of the final ``np.allclose`` (0 and 0 for exact labels).
    checks : property checks ``f(got, expected, args) -> message or None``, run before
        the values are compared so that messages can be conceptual.
    fail_on_warnings : warning classes (e.g. ``(RuntimeWarning,)``) that fail a case.
    warning_advice : appended to the message when such a warning was raised.
    """

    answer_is_function = True

    def __init__(
        self,
        name: str,
        reference: Callable,
        *,
        prompt: str,
        hints: Sequence[str],
        cases: Callable[[np.random.Generator], Iterable[Case]],
        returns: str = "array",
        shape: str | None = None,
        dtype: str | Sequence[str] | None = "floating",
        dtype_note: str = "",
        rtol: float = 1e-7,
        atol: float = 1e-10,
        checks: Sequence[PropertyCheck] = (),
        fail_on_warnings: tuple[type[Warning], ...] = (),
        warning_advice: str = "",
        seed: int = 0,
        chapter: str | None = None,
    ):
        super().__init__(name, prompt=prompt, hints=hints, reference=reference, chapter=chapter)
        if returns not in ("array", "scalar"):
            raise ValueError(f"returns must be 'array' or 'scalar', got {returns!r}")
        kinds = (dtype,) if isinstance(dtype, str) else tuple(dtype or ())
        unknown = [k for k in kinds if k not in _DTYPE_KINDS]
        if unknown:
            raise ValueError(f"unknown dtype kind(s) {unknown}; use {list(_DTYPE_KINDS)}")
        self.cases = cases
        self.returns = returns
        self.shape = shape
        self.dtype = kinds
        self.dtype_note = dtype_note
        self.rtol, self.atol = rtol, atol
        self.checks = tuple(checks)
        self.fail_on_warnings = tuple(fail_on_warnings)
        self.warning_advice = warning_advice
        self.seed = seed

    def solution(self):
        """The reference answer's source, highlighted."""
        return show_source(self.reference)

    def check(self, answer, *, strict: bool = False) -> CheckResult:
        """Run ``answer`` on every case; return a :class:`CheckResult` (see the class docstring)."""
        if (refused := self._not_a_function(answer, strict)) is not None:
            return refused
        rng = np.random.default_rng(self.seed)
        n = 0
        for case in self.cases(rng):
            n += 1
            outcome = self._run_case(answer, case, first=(n == 1))
            if outcome.status == "not attempted":
                return self._not_attempted(
                    "replace `raise NotImplementedError` with your code", n, strict
                )
            if outcome.status != "ok":
                return self._result(outcome.status, outcome.message, n, strict)
        return self._result(
            "passed", f"all {n} cases passed (edge cases and random inputs).", n, strict
        )

    # -- one case -------------------------------------------------------------------

    def _run_case(self, answer: Callable, case: Case, *, first: bool) -> _Outcome:
        expected = _to_array(self.reference(*copy.deepcopy(case.args).values()))
        pristine = copy.deepcopy(case.args)
        given = copy.deepcopy(case.args)  # the reader's function gets its own copies
        where = _describe_inputs(case)
        with_args = _describe_inputs(case, lead=False)
        call = f"`{_function_name(answer, self.name)}({', '.join(case.args)})`"

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # record every warning, even repeated ones
            try:
                got = answer(*given.values())
            except NotImplementedError as exc:
                if first:  # the untouched stub
                    return _Outcome("not attempted")
                return _Outcome("error", _describe_exception(call, with_args, exc))
            except Exception as exc:  # the reader's code raised: report it, don't crash
                return _Outcome("error", _describe_exception(call, with_args, exc))

        for name in case.args:
            if not _unchanged(given[name], pristine[name]):
                return _Outcome(
                    "failed",
                    f"your function changed its argument `{name}` in "
                    f"place; work on a copy (for {where})",
                )

        message = self._check_type(got) or self._check_shape_and_dtype(got, expected)
        if message:
            return _Outcome("failed", f"{message} (for {where})")
        message = self._check_warnings(caught)
        if message:
            advice = f". {self.warning_advice}" if self.warning_advice else ""
            return _Outcome("failed", f"{message} (for {where}){advice}")
        got = _to_array(got)
        message = _check_finite(got, expected)
        for prop in self.checks:  # the first property that fails speaks
            message = message or prop(got, expected, pristine)
        message = message or self._compare_values(got, expected)
        if message:
            return _Outcome("failed", f"{message} (for {where})")
        return _Outcome("ok")

    def _check_type(self, got) -> str | None:
        if got is None:
            return "your function returned None: did you forget to `return` the result?"
        is_number = isinstance(got, (numbers.Number, np.generic)) and not isinstance(got, bool)
        if self.returns == "scalar":
            if is_number or isinstance(got, bool) or _is_tensor(got):
                return None
            if isinstance(got, np.ndarray):
                return (
                    None
                    if got.ndim == 0
                    else (
                        f"should return a single number (a float or a 0-d array), "
                        f"got an array of shape {got.shape}"
                    )
                )
            return f"should return a single number (a float or a 0-d array), got {_type_name(got)}"
        if isinstance(got, np.ndarray) or _is_tensor(got) or is_number or isinstance(got, bool):
            return None  # numbers are judged by shape: fine only where a 0-d result is expected
        return f"should return a NumPy array (or a tensor), got {_type_name(got)}"

    def _check_shape_and_dtype(self, got, expected: np.ndarray) -> str | None:
        arr = _to_array(got)
        if self.returns == "array" and arr.shape != expected.shape:
            if arr.ndim == 0 and not isinstance(got, np.ndarray) and not _is_tensor(got):
                return (
                    f"should return a NumPy array (or a tensor), got a single number "
                    f"({_type_name(got)})"
                )
            want = f"{self.shape} = {expected.shape}" if self.shape else f"{expected.shape}"
            return f"shape should be {want}, got {arr.shape}"
        if self.returns == "scalar" and arr.ndim != 0:  # e.g. a tensor of shape (1,)
            return f"should return a single number (a float or a 0-d array), got shape {arr.shape}"
        if self.dtype and not any(np.issubdtype(arr.dtype, _DTYPE_KINDS[k]) for k in self.dtype):
            note = f" ({self.dtype_note})" if self.dtype_note else ""
            return f"dtype should be {' or '.join(self.dtype)}{note}, got {arr.dtype}"
        return None

    def _check_warnings(self, caught) -> str | None:
        for w in caught:
            if self.fail_on_warnings and issubclass(w.category, self.fail_on_warnings):
                line = linecache.getline(w.filename, w.lineno).strip()
                at = f" in `{line}`" if line else ""
                return (
                    f"no {w.category.__name__} should be raised, but your function warned "
                    f'"{w.message}"{at}'
                )
        return None

    def _compare_values(self, got: np.ndarray, expected: np.ndarray) -> str | None:
        g, e = _numeric(got), _numeric(expected)
        close = np.isclose(g, e, rtol=self.rtol, atol=self.atol)
        if np.all(close):
            return None
        exact = not np.issubdtype(e.dtype, np.floating)  # labels: a "difference" means nothing
        if e.ndim == 0:
            if exact:
                return "the value differs from the expected one"
            return f"the value differs from the expected one by {_fmt(abs(g - e))}"
        bad = int(np.count_nonzero(~close))
        message = f"values differ from the expected ones at {bad} of {close.size} positions"
        if not exact:
            message += f" (largest difference {_fmt(np.max(np.abs(g - e)[~close]))})"
        return message


class ValueExercise(Exercise):
    """An exercise whose answer is data (numbers, a dict of weights ...), not a function.

    build: the zero-argument function that makes the reference value (``solution()``
        shows its source). checker: ``checker(answer) -> message or None``; it must
        handle any answer (wrong types included) and name what is wrong without giving
        the answer away. An answer that is None or still holds ``...`` placeholders
        counts as not attempted.
    """

    def __init__(
        self,
        name: str,
        build: Callable[[], Any],
        *,
        checker: Callable[[Any], str | None],
        prompt: str,
        hints: Sequence[str],
        chapter: str | None = None,
    ):
        super().__init__(name, prompt=prompt, hints=hints, reference=build(), chapter=chapter)
        self.build = build
        self.checker = checker

    def solution(self):
        """The source of the function that builds the reference value."""
        return show_source(self.build)

    def check(self, answer, *, strict: bool = False) -> CheckResult:
        """Check the value ``answer`` with the exercise's checker."""
        if answer is None or _holds_ellipsis(answer):
            return self._not_attempted("replace the `...` placeholders with your values", 0, strict)
        if callable(answer):
            return self._result(
                "failed", "pass your value itself, not a function that makes it", 1, strict
            )
        try:
            message = self.checker(copy.deepcopy(answer))
        except Exception as exc:  # a shape of answer the checker did not foresee
            return self._result(
                "error", f"could not check this answer: {_one_line(exc)}", 1, strict
            )
        if message:
            return self._result("failed", message, 1, strict)
        return self._result("passed", "correct.", 1, strict)


# --------------------------------------------------------------------------- helpers


def _is_tensor(x) -> bool:
    """Anything with a callable ``.numpy()`` (TensorFlow, PyTorch) counts as a tensor."""
    return not isinstance(x, np.ndarray) and callable(getattr(x, "numpy", None))


def _to_array(x) -> np.ndarray:
    if _is_tensor(x):
        x = x.numpy()
    return np.asarray(x)


def _numeric(x: np.ndarray) -> np.ndarray:
    return x.astype(np.int64) if x.dtype == bool else x


def _type_name(x) -> str:
    t = type(x)
    if isinstance(x, np.generic):
        return f"a NumPy scalar ({t.__name__})"
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _fmt(x) -> str:
    return f"{float(x):.2g}"


def _function_name(fn, default: str) -> str:
    name = getattr(fn, "__name__", "")
    return name if name.isidentifier() else default


def _describe_value(value) -> str:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        kind = "" if value.dtype == np.float64 else f", dtype {value.dtype}"
        return f"of shape {value.shape}{kind}"
    if isinstance(value, (numbers.Real, np.generic, np.ndarray)):
        value = np.asarray(value)
        text = f"{float(value):.4g}" if np.issubdtype(value.dtype, np.floating) else str(value)
        return f"= {text}"
    return f"of type {type(value).__name__}"


def _describe_inputs(case: Case, *, lead: bool = True) -> str:
    """E.g. "inputs x of shape (3,) and c = 0.5, large values" (without "inputs" if not lead)."""
    parts = [f"{name} {_describe_value(value)}" for name, value in case.args.items()]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    if lead:
        text = ("input " if len(parts) == 1 else "inputs ") + text
    return f"{text}, {case.note}" if case.note else text


def _unchanged(after, before) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")
        )
    return True  # numbers cannot be modified in place


def _check_finite(got: np.ndarray, expected: np.ndarray) -> str | None:
    if not np.issubdtype(got.dtype, np.number) or np.issubdtype(got.dtype, np.integer):
        return None
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if np.any(bad):
        where = "" if got.ndim == 0 else f" at {np.count_nonzero(bad)} of {got.size} positions"
        return f"the result contains NaN or infinity{where}"
    return None


def _holds_ellipsis(x) -> bool:
    if x is Ellipsis:
        return True
    if isinstance(x, Mapping):
        return any(_holds_ellipsis(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return any(_holds_ellipsis(v) for v in x)
    return False


def _one_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > limit:
        first = first[: limit - 3] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple(
    sorted(
        {
            os.path.realpath(p) + os.sep
            for key in ("stdlib", "platstdlib", "purelib", "platlib")
            if (p := sysconfig.get_paths().get(key))
        }
        | {os.path.realpath(_PACKAGE_DIR) + os.sep}
    )
)


def _is_library(filename: str) -> bool:
    if filename.startswith("<frozen"):
        return True
    if filename.startswith("<"):  # <string>, <ipython-input-...>: the reader's code
        return False
    return os.path.realpath(filename).startswith(_LIBRARY_DIRS)


def _reader_line(exc: BaseException) -> str | None:
    """The last line of the traceback that is in the reader's code (not a library's)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not _is_library(frame.filename):
            line = (frame.line or "").strip()
            return f"line {frame.lineno}: `{line}`" if line else None
    return None


def _describe_exception(call: str, where: str, exc: BaseException) -> str:
    message = f"{call} with {where} raised {_one_line(exc)}"
    line = _reader_line(exc)
    return f"{message}\nin your {line}" if line else message
