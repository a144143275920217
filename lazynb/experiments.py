"""Experiments that stand up to a rerun: several seeds, ``mean ± se``, claims with margins.

A conclusion drawn from one training run is a conclusion about one seed. The
book's rule is: run each arm over several seeds with the same budget, report
the mean and its standard error, and claim "A is lower than B" only when the
difference is larger than a stated multiple of its standard error::

    from lazynb.experiments import over_seeds, assert_lower, table

    def run(seed):                       # one training run -> named numbers
        model = MLP((100,), seed=seed, ...).fit(X, y)
        return {"test error": 1 - model.score(Xte, yte)}

    plain = over_seeds(run, seeds=(0, 1, 2))          # {"test error": Estimate}
    print(plain["test error"])                        # 7.61 ± 0.12 (n=3) style text
    assert_lower(wide["test error"], plain["test error"], k=2)

An :class:`Estimate` keeps its per-seed values, so two arms that share their
randomness seed by seed can be compared *paired* (the variation they share cancels).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate", "estimate", "over_seeds", "fmt", "assert_lower", "table"]


@dataclass(frozen=True)
class Estimate:
    """The mean of a metric over seeds and the standard error of that mean.

    values : the per-seed values, in the order of ``seeds``.
    seeds : the seeds they came from (``None`` where unknown).
    mean : ``np.mean(values)``.
    se : ``std(values, ddof=1) / sqrt(n)``; ``nan`` for a single value.
    """

    values: tuple[float, ...]
    seeds: tuple | None = None

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def se(self) -> float:
        if self.n < 2:
            return math.nan
        return float(np.std(self.values, ddof=1) / math.sqrt(self.n))

    def __str__(self) -> str:
        return fmt(self)


def estimate(values: Iterable[float], seeds: Iterable | None = None) -> Estimate:
    """An :class:`Estimate` from per-seed values ``(n,)`` (finite real numbers, n >= 1)."""
    vals = tuple(_finite(v, "values") for v in values)
    if not vals:
        raise ValueError("values must hold at least one number, got none")
    seeds = None if seeds is None else tuple(seeds)
    if seeds is not None and len(seeds) != len(vals):
        raise ValueError(
            f"seeds must match values one for one, got {len(seeds)} seeds for {len(vals)} values"
        )
    return Estimate(vals, seeds)


def over_seeds(
    run: Callable[[int], Mapping[str, float] | float], seeds: Iterable[int] = (0, 1, 2)
) -> dict[str, Estimate]:
    """Call ``run(seed)`` for each seed; return ``{metric: Estimate}`` over the seeds.

    ``run`` returns a mapping of metric names to numbers (a plain number is
    stored under ``"value"``); every call must return the same names.
    """
    if not callable(run):
        raise TypeError(f"run must be a function of the seed, got {type(run).__name__}")
    seeds = tuple(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, numbers.Integral) for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of integers, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct (a repeated seed repeats a run), got {seeds!r}")
    per_seed = []
    for seed in seeds:
        out = run(seed)
        out = {"value": out} if isinstance(out, numbers.Real) else out
        if not isinstance(out, Mapping) or not out:
            raise TypeError(
                f"run({seed}) must return a number or a mapping of metric names to "
                f"numbers, got {type(out).__name__}"
            )
        if per_seed and set(out) != set(per_seed[0]):
            raise ValueError(
                f"run({seed}) returned metrics {sorted(out)}, the first seed "
                f"returned {sorted(per_seed[0])}"
            )
        per_seed.append(out)
    return {name: estimate([o[name] for o in per_seed], seeds) for name in per_seed[0]}


def fmt(est: Estimate, *, percent: bool = False, digits: int | None = None) -> str:
    """``"mean ± se"`` for a table cell; ``percent=True`` shows fractions as percentages.

    ``digits`` defaults to enough decimals to show the standard error to two
    significant figures (at most 4 decimals).
    """
    if not isinstance(est, Estimate):
        raise TypeError(
            f"fmt expects an Estimate (from over_seeds or estimate), got {type(est).__name__}"
        )
    scale, unit = (100.0, " %") if percent else (1.0, "")
    mean, se = est.mean * scale, est.se * scale
    if digits is None:
        digits = _digits(se)
    if not math.isfinite(se):
        return f"{mean:.{digits}f}{unit} (1 seed)"
    return f"{mean:.{digits}f} ± {se:.{digits}f}{unit}"


def assert_lower(
    a: Estimate, b: Estimate, *, k: float = 2.0, paired: bool = False, what: str = ""
) -> float:
    """Assert that ``a`` is lower than ``b`` by more than ``k`` standard errors.

    The standard error is that of the difference ``b - a``:
    ``sqrt(se_a**2 + se_b**2)`` by default, or, with ``paired=True``, the
    standard error of the per-seed differences. Pair only arms that share their
    randomness seed by seed (the same initial weights and batch order, with and
    without one change); two different architectures on the same seed are not
    paired in any useful sense. Returns the margin in standard
    errors, ``(b.mean - a.mean) / se``. Raises ``AssertionError`` quoting both
    means, the difference and the margin when the claim does not hold, and
    ``ValueError`` when either estimate has fewer than two values (no standard
    error, so no claim can be checked).
    """
    for name, e in (("a", a), ("b", b)):
        if not isinstance(e, Estimate):
            raise TypeError(
                f"{name} must be an Estimate (from over_seeds or estimate), got {type(e).__name__}"
            )
        if e.n < 2:
            raise ValueError(
                f"{name} has {e.n} value: a claim needs at least 2 seeds per arm "
                f"to have a standard error"
            )
    k = _finite(k, "k")
    if k < 0:
        raise ValueError(f"k must be >= 0 standard errors, got {k}")
    if paired:
        if a.n != b.n or a.seeds != b.seeds:
            raise ValueError(
                f"a paired comparison needs the same seeds in a and b, "
                f"got {a.seeds or a.n} and {b.seeds or b.n}"
            )
        diffs = np.subtract(b.values, a.values)
        se = float(np.std(diffs, ddof=1) / math.sqrt(len(diffs)))
    else:
        se = math.hypot(a.se, b.se)
    diff = b.mean - a.mean
    margin = math.inf if se == 0 and diff > 0 else (diff / se if se > 0 else 0.0)
    label = f"{what}: " if what else ""
    if not margin > k:
        raise AssertionError(
            f"{label}expected a < b by more than {k:g} standard errors; got a = {fmt(a)}, "
            f"b = {fmt(b)}, difference b - a = {diff:.4g} with se {se:.2g} "
            f"({'paired' if paired else 'unpaired'}), i.e. {margin:.2f} standard errors"
        )
    return margin


def table(
    rows: Mapping[str, Mapping[str, Estimate]],
    *,
    percent: bool | Iterable[str] = False,
    first: str = "",
) -> str:
    """A plain-text table: one row per arm, one ``mean ± se`` column per metric.

    ``rows`` maps an arm's name to ``{metric: Estimate}`` (what :func:`over_seeds`
    returns). ``percent`` is a bool for every column or the names of the
    columns to show as percentages. ``first`` heads the column of arm names.
    Each column shows as many decimals as its largest standard error needs.
    """
    if not isinstance(rows, Mapping) or not rows:
        raise ValueError("rows must be a non-empty mapping of arm names to {metric: Estimate}")
    metrics = list(next(iter(rows.values())))
    for arm, cells in rows.items():
        if list(cells) != metrics:
            raise ValueError(f"row {arm!r} has metrics {list(cells)}, the first row has {metrics}")
    pct = set(metrics) if percent is True else set() if percent is False else set(percent)
    # One number of decimals per column, set by its largest standard error, so that
    # the means line up and none claims more precision than the noisiest arm has.
    digits = {}
    for m in metrics:
        ses = [c[m].se * (100 if m in pct else 1) for c in rows.values()]
        ses = [s for s in ses if math.isfinite(s) and s > 0]
        digits[m] = _digits(max(ses)) if ses else 2
    body = [
        [str(arm)] + [fmt(cells[m], percent=m in pct, digits=digits[m]) for m in metrics]
        for arm, cells in rows.items()
    ]
    head = [first] + metrics
    widths = [max(len(r[i]) for r in body + [head]) for i in range(len(head))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in [head] + body
    ]
    return "\n".join(lines)


def _digits(se: float) -> int:
    """Decimals that show a standard error to two significant figures (at most 4)."""
    if not math.isfinite(se) or se == 0:
        return 2
    return min(4, max(0, 1 - math.floor(math.log10(se))))


def _finite(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must hold real numbers, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value
