"""A tiny text progress bar for training loops (no dependency, works in a terminal and in Jupyter).

Usage::

    bar = ProgressBar(10, prefix="epoch")
    for epoch in range(10):
        ...
        bar.update(epoch + 1, cost=0.25, error=0.07)
    bar.close()

prints one line that is redrawn in place (with a carriage return)::

    epoch  7/10 [#####################---------]  cost 0.2500  error 0.0700  1.3s
"""

from __future__ import annotations

import sys
import time

from ._validate import check_positive_int

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line progress bar: ``[####------]`` plus a step count, named numbers and the elapsed time.

    total: number of steps (e.g. epochs); width: characters inside the brackets;
    prefix: text before the count; file: where to write (default ``sys.stdout``,
    so that a rendered notebook shows it as normal output, not as a warning).
    Use as a context manager, or call :meth:`close` at the end.
    """

    def __init__(self, total: int, *, width: int = 30, prefix: str = "", file=None):
        self.total = check_positive_int(total, "total")
        self.width = check_positive_int(width, "width")
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a string, got {type(prefix).__name__}")
        self.prefix = prefix
        self.file = file
        self.step = 0
        self._start = time.perf_counter()
        self._closed = False
        self._last_len = 0

    def render(self, step: int, **values) -> str:
        """The line for ``step`` of ``total`` with ``name value`` pairs (floats shown with 4 decimals)."""
        step = max(0, min(int(step), self.total))
        filled = round(self.width * step / self.total)
        digits = len(str(self.total))
        bar = "#" * filled + "-" * (self.width - filled)
        parts = [f"{self.prefix} " if self.prefix else "", f"{step:>{digits}}/{self.total} [{bar}]"]
        for name, value in values.items():
            parts.append(
                f"  {name} {value:.4f}" if isinstance(value, float) else f"  {name} {value}"
            )
        parts.append(f"  {time.perf_counter() - self._start:.1f}s")
        return "".join(parts)

    def update(self, step: int, **values) -> None:
        """Redraw the bar at ``step`` (1..total), followed by ``values`` such as ``cost=0.25``."""
        self.step = step
        out = self.file if self.file is not None else sys.stdout
        line = self.render(step, **values)
        # Pad with spaces so a shorter line fully covers the previous one.
        out.write("\r" + line.ljust(self._last_len))
        self._last_len = len(line)
        out.flush()

    def close(self) -> None:
        """End the line (once)."""
        if not self._closed:
            self._closed = True
            out = self.file if self.file is not None else sys.stdout
            out.write("\n")
            out.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
