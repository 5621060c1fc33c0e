"""The console's progress line while the suite runs: scenarios done of total, the clause under test, elapsed time and
an estimate of what is left. Only on a terminal; a log (CI, a pipe) gets the lines of scenarios that did not pass and
the clause table, nothing that redraws itself.
"""

from __future__ import annotations

import time
from typing import Any


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"


class Progress:
    """One line, redrawn in place with a carriage return; cleared before any other line is written."""

    def __init__(self, terminal: Any, total: int):
        self.terminal = terminal
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.shown = 0  # width of the line on screen, to blank it

    def starting(self, clauses: list[str]) -> None:
        self._draw(clauses)

    def finished(self) -> None:
        self.done += 1

    def _draw(self, clauses: list[str]) -> None:
        elapsed = time.monotonic() - self.started
        left = f", about {_clock(elapsed / self.done * (self.total - self.done))} left" if self.done else ""
        line = f"[{self.done:>{len(str(self.total))}}/{self.total}] {' '.join(clauses) or '-'}  {_clock(elapsed)} elapsed{left}"
        width = max(self.shown, len(line))
        self.terminal.write("\r" + line.ljust(width), flush=True)
        self.shown = len(line)

    def clear(self) -> None:
        """Blank the line (before another line is written, and at the end)."""
        if self.shown:
            self.terminal.write("\r" + " " * self.shown + "\r", flush=True)
            self.shown = 0


def for_terminal(terminal: Any, total: int) -> Progress | None:
    """A progress line when the console is a terminal that can redraw; None for a log or a pipe."""
    if terminal is None or not getattr(terminal, "isatty", False) or total == 0:
        return None
    return Progress(terminal, total)
