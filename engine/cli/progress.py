"""Progress on standard error for long runs, only where a person is watching."""

from __future__ import annotations

import sys
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
