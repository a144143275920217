"""Checked exercises, one module per chapter.

In a notebook::

    from lazynb.exercises import ch01
    ch01.bce_with_logits.check(bce_with_logits)   # a CheckResult, rendered as a coloured box
    ch01.bce_with_logits.hint()                  # the next hint level
    ch01.bce_with_logits.solution()              # the reference answer's source

The framework lives in :mod:`lazynb.exercises.core`; its public names are re-exported here.
"""

from .core import Case, CheckResult, Exercise, ExerciseFailed, FunctionExercise, Hint, ValueExercise

__all__ = [
    "Case",
    "CheckResult",
    "Exercise",
    "ExerciseFailed",
    "FunctionExercise",
    "Hint",
    "ValueExercise",
]
