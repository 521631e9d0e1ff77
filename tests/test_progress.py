"""Progress on standard error: shown on a terminal, silent with --quiet or in a pipe."""

from __future__ import annotations

import io

from tariff.engine.cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_rewrites_one_line_on_a_terminal_and_clears_it():
    stream = Terminal()
    progress = Progress(quiet=False, stream=stream)
    progress.show("read 2,000,000 calls")
    progress.show("rated 1,978,522 of 2,000,000 calls, 20,218 rejected")
    progress.done()
    assert stream.getvalue() == (
        "\rread 2,000,000 calls\x1b[K"
        "\rrated 1,978,522 of 2,000,000 calls, 20,218 rejected\x1b[K"
        "\r\x1b[K"
    )


def test_progress_is_silent_with_quiet_or_off_a_terminal():
    for stream, quiet in ((Terminal(), True), (io.StringIO(), False)):
        progress = Progress(quiet=quiet, stream=stream)
        progress.show("read 2,000,000 calls")
        progress.done()
        assert stream.getvalue() == ""
