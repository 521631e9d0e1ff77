"""Progress on standard error for long runs, only where a person is watching."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """One status line, rewritten in place; silent unless the stream is a terminal."""

    def __init__(self, *, quiet: bool, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.shown = False

    def show(self, message: str) -> None:
        """Replace the status line with ``message``."""
        if self.enabled:
            # Carriage return, the message, then clear to the end of the line.
            self.stream.write(f"\r{message}\x1b[K")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        """Clear the status line, so that what follows starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


class RatingProgress:
    """How rating is going: calls rated of all, the rate so far, and the time left at that rate."""

    def __init__(self, progress: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = progress
        self.clock = clock
        self.started = clock()

    def __call__(self, done: int, total: int) -> None:
        """Show the line for ``done`` of ``total`` valid calls rated."""
        elapsed = self.clock() - self.started
        line = f"rating: {done:,} of {total:,} calls"
        if elapsed > 0 and done:
            rate = done / elapsed
            left = (total - done) / rate
            line += f" ({_rate(rate)} calls/s"
            line += f", about {left:.0f} s left)" if done < total else ")"
        self.progress.show(line)


def _rate(per_second: float) -> str:
    return f"{per_second / 1e6:.1f} M" if per_second >= 1e6 else f"{per_second:,.0f}"
