"""Progress on standard error for long runs, only where a person is watching."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tariff.engine.rating.progress import RatingStatus


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
    """How rating is going: calls read, rated and rejected of all, the rate, and the time left."""

    def __init__(self, progress: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self.progress = progress
        self.clock = clock
        self.started = clock()

    def __call__(self, status: RatingStatus) -> None:
        """Show the line for ``status``: ``total`` is "about" while it is an estimate."""
        elapsed = self.clock() - self.started
        about = "about " if status.estimated else ""
        line = (
            f"read {status.read:,} of {about}{status.total:,} calls: "
            f"{status.rated:,} rated, {status.rejected:,} rejected"
        )
        if elapsed > 0 and status.read:
            rate = status.read / elapsed
            left = max(status.total - status.read, 0) / rate
            line += f" ({_rate(rate)} calls/s"
            line += f", about {left:.0f} s left)" if not status.finished else ")"
        self.progress.show(line)


def _rate(per_second: float) -> str:
    return f"{per_second / 1e6:.1f} M" if per_second >= 1e6 else f"{per_second:,.0f}"
