"""Shared checks for the exercise test files (``tests/test_exercises_*.py``).

Every chapter's exercises share one contract: the reference passes (strictly too), an
untouched stub (``raise NotImplementedError``) is "not attempted" with a pointer to the
exercise's ``.hint()``, an answer that raises is an "error" that quotes the reader's line,
``solution()`` shows the reference's ``def`` line, the hints work, and no failure message
gives the expected output away. The helpers below make those checks; each test file calls
them from its own (parametrized) tests and keeps its exercise-specific checks to itself.

Imported as ``from exercise_helpers import ...``: pytest's default ("prepend") import mode
puts this directory on ``sys.path`` for the test files here, which have no ``__init__.py``.

Leak texts: wherever a helper takes ``leak_texts``, it may be ``None`` (the strings of
:func:`expected_texts` for the exercise), a callable ``ex -> texts``, or the texts themselves
(an empty collection checks nothing).
"""

import numpy as np
import pytest

from lazynb.exercises.core import ExerciseFailed, Hint


def _float_texts(value, *, min_abs_for_3f=None):
    """How a number could show up in a message, where long enough not to appear by chance."""
    forms = [f"{value:.4g}", repr(float(value))]
    if min_abs_for_3f is None or abs(value) >= min_abs_for_3f:
        forms.append(f"{value:.3f}")
    return {text for text in forms if len(text.lstrip("-")) >= 5}


def expected_texts(ex, *, dtype=None, special=None, min_abs_for_3f=None):
    """Strings that would give away the reference's outputs on the exercise's cases.

    Every number of every expected output, in a few printed forms (three significant digits
    at least). ``dtype`` converts the output first (``np.asarray(out, dtype=dtype)``).
    ``special(expected)`` may return the texts for one expected output instead (a set), or
    ``None`` to fall back to its numbers. ``min_abs_for_3f`` drops the ``.3f`` form of smaller
    numbers (a "largest difference 0.051" is no leak of an expected 0.0512).
    """
    texts = set()
    for case in ex.cases(np.random.default_rng(ex.seed)):
        expected = np.asarray(ex.reference(*case.args.values()), dtype=dtype)
        if special is not None:
            own = special(expected)
            if own is not None:
                texts |= own
                continue
        for value in expected.ravel():
            texts |= _float_texts(value, min_abs_for_3f=min_abs_for_3f)
    return texts


def _leak_texts(ex, leak_texts):
    if leak_texts is None:
        return expected_texts(ex)
    if callable(leak_texts):
        return leak_texts(ex)
    return leak_texts


def assert_no_leak(ex, result, *, leak_texts=None):
    """The result's message contains none of the texts that would give the answer away."""
    leaked = [t for t in _leak_texts(ex, leak_texts) if t in result.message]
    assert not leaked, (leaked, result.message)


def assert_fails(ex, answer, fragment, *, status="failed", leak_texts=None):
    """Checking ``answer`` gives ``status``, a message with ``fragment``, and no leak."""
    result = ex.check(answer)
    assert result.status == status, result
    assert fragment in result.message, result.message
    assert_no_leak(ex, result, leak_texts=leak_texts)
    return result


# ----------------------------------------------------------------- the shared contract


def check_reference_passes(ex, chapter):
    """The reference passes, strictly too, under the exercise's qualified name."""
    result = ex.check(ex.reference, strict=True)
    assert result.status == "passed" and bool(result)
    assert result.exercise == f"{chapter}.{ex.name}"
    assert ex.qualname == f"{chapter}.{ex.name}"
    return result


def check_stub_not_attempted(ex, chapter):
    """The notebook's untouched stub is "not attempted", points to the hint, fails strictly."""

    def stub(*args):
        raise NotImplementedError  # your code here

    result = ex.check(stub)
    assert result.status == "not attempted" and not result
    assert f"{chapter}.{ex.name}.hint()" in result.message
    with pytest.raises(ExerciseFailed):
        ex.check(stub, strict=True)
    return result


def check_raising_is_error(ex, *, leak_texts=None):
    """An answer that raises is an "error" that names the exception and quotes its line."""

    def typo(*args):
        return args[0] @ undefined_name  # noqa: F821

    result = ex.check(typo)
    assert result.status == "error", result
    assert "NameError: name 'undefined_name' is not defined" in result.message
    assert "`return args[0] @ undefined_name" in result.message
    assert_no_leak(ex, result, leak_texts=leak_texts)
    return result


def check_solution_shows_def(ex, params=None):
    """``solution()`` shows the reference function itself (with ``params``, where given)."""
    code = str(ex.solution())
    if params is None:
        assert f"def {ex.name}(" in code
    else:
        assert f"def {ex.name}({params}):" in code
    assert '"""' in code  # the docstring with shapes
    assert "FunctionExercise" not in code and "Exercise(" not in code  # not its wrapping
    return code


def check_hints(ex, chapter):
    """Two or three hints, by level; the exercise shows its name and prompt."""
    assert 2 <= len(ex.hints) <= 3
    first = ex.hint(1)
    assert isinstance(first, Hint) and first.level == 1 and first.text == ex.hints[0]
    assert ex.hint().level == 2
    assert ex.hint(10).level == len(ex.hints)
    assert "Hint" in first._repr_html_()
    assert ex.prompt and f"{chapter}.{ex.name}" in repr(ex) and ex.prompt in repr(ex)
    assert f"Exercise {chapter}.{ex.name}" in ex._repr_html_()


def check_reference_leaves_inputs_alone(ex, seed=None):
    """The reference never changes its inputs (the checker would blame the reader's copy)."""
    for case in ex.cases(np.random.default_rng(ex.seed if seed is None else seed)):
        before = {k: np.copy(v) for k, v in case.args.items()}
        ex.reference(*case.args.values())
        for k, v in case.args.items():
            np.testing.assert_array_equal(v, before[k])
