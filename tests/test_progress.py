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


def test_rating_progress_gives_read_rated_rejected_the_rate_and_the_time_left():
    from tariff.engine.cli.progress import RatingProgress
    from tariff.engine.rating import RatingStatus

    stream = Terminal()
    ticks = iter([100.0, 101.0, 102.0, 104.0])
    rating = RatingProgress(Progress(quiet=False, stream=stream), clock=lambda: next(ticks))
    rating(RatingStatus(2_000_000, 1_990_000, 10_000, 6_000_000, estimated=True))
    rating(RatingStatus(4_000_000, 3_980_000, 20_000, 6_000_000, estimated=True))
    rating(RatingStatus(6_000_000, 5_970_000, 30_000, 6_000_000))
    assert stream.getvalue().split("\x1b[K") == [
        "\rread 2,000,000 of about 6,000,000 calls: 1,990,000 rated, 10,000 rejected"
        " (2.0 M calls/s, about 2 s left)",
        "\rread 4,000,000 of about 6,000,000 calls: 3,980,000 rated, 20,000 rejected"
        " (2.0 M calls/s, about 1 s left)",
        "\rread 6,000,000 of 6,000,000 calls: 5,970,000 rated, 30,000 rejected (1.5 M calls/s)",
        "",
    ]


def test_rating_reports_each_block_up_to_every_call(monkeypatch):
    from usage_rows import EXAMPLES, TARIFFS

    from tariff.engine import load_catalogue, load_usage, rate_month
    from tariff.engine.rating import RatingStatus, blocks
    from tariff.engine.usage import CallTable

    monkeypatch.setattr(blocks, "_BLOCK", 500)
    usage = load_usage(*(EXAMPLES / f"{n}.csv" for n in ("accounts", "numbers", "calls")))
    heard: list[RatingStatus] = []
    plan = load_catalogue(TARIFFS, [EXAMPLES / "order-forms"])
    rate_month(plan, "2026-10", usage, on_progress=heard.append)
    assert isinstance(usage.calls, CallTable)  # read whole: no block_bytes
    valid, rejected = usage.calls.calls.height, len(usage.calls.rejections)
    assert [(s.rated, s.read, s.total) for s in heard] == [
        (min(n, valid), min(n, valid) + rejected, valid + rejected)
        for n in range(500, valid + 500, 500)
    ]
    assert len(heard) == 4 and heard[-1].finished and not heard[0].finished


def test_reading_in_blocks_estimates_the_total_and_ends_exact(tmp_path):
    from usage_rows import TARIFFS, generated_month_files

    from tariff.engine import load_catalogue, load_usage, rate_month
    from tariff.engine.rating import RatingStatus

    month = generated_month_files(tmp_path, calls=4000, accounts=20, numbers=60, seed=3)
    files = [month / f"{n}.csv" for n in ("accounts", "numbers", "calls")]
    heard: list[RatingStatus] = []
    run = rate_month(
        load_catalogue(TARIFFS),
        "2026-10",
        load_usage(*files, block_bytes=40_000),
        on_progress=heard.append,
    )
    assert len(heard) >= 6
    reads = [s.read for s in heard]
    assert reads == sorted(reads) and heard[-1].read == run.summary.calls_in == 4000
    # Estimated from the share of the file read: near the truth from the first block on.
    assert all(abs(s.total - 4000) < 400 for s in heard)
    assert heard[0].estimated and not heard[-1].estimated
    assert heard[-1].rejected <= run.summary.calls_rejected
