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


def test_rating_progress_gives_the_rate_and_the_time_left():
    from tariff.engine.cli.progress import RatingProgress

    stream = Terminal()
    ticks = iter([100.0, 101.0, 102.0, 104.0])
    rating = RatingProgress(Progress(quiet=False, stream=stream), clock=lambda: next(ticks))
    rating(2_000_000, 6_000_000)
    rating(4_000_000, 6_000_000)
    rating(6_000_000, 6_000_000)
    assert stream.getvalue().split("\x1b[K") == [
        "\rrating: 2,000,000 of 6,000,000 calls (2.0 M calls/s, about 2 s left)",
        "\rrating: 4,000,000 of 6,000,000 calls (2.0 M calls/s, about 1 s left)",
        "\rrating: 6,000,000 of 6,000,000 calls (1.5 M calls/s)",
        "",
    ]


def test_rating_reports_each_block_up_to_every_valid_call(monkeypatch):
    from usage_rows import EXAMPLES, TARIFFS

    from tariff.engine import load_catalogue, load_usage, rate_month
    from tariff.engine.rating import blocks

    monkeypatch.setattr(blocks, "_BLOCK", 500)
    usage = load_usage(*(EXAMPLES / f"{n}.csv" for n in ("accounts", "numbers", "calls")))
    heard: list[tuple[int, int]] = []
    plan = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    rate_month(plan, "2026-10", usage, on_progress=lambda done, total: heard.append((done, total)))
    total = usage.calls.calls.height
    assert heard == [(min(n, total), total) for n in range(500, total + 500, 500)]
    assert heard[-1] == (total, total) and len(heard) == 4
