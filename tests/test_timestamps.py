"""Start times: the fast column readers and Python's careful reader agree on every input."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tariff.engine.usage.calls import calls_from
from tariff.engine.usage.tables import table_from_frame
from tariff.engine.usage.timestamps import careful_instant, timestamp_problem

COLUMNS = ("call_id", "number", "started_at", "duration_s", "destination", "band")

offsets = st.one_of(
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+23:60"]),
    st.builds(
        lambda sign, hours, minutes, colon: f"{sign}{hours:02d}{colon}{minutes:02d}",
        st.sampled_from("+-"),
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from([":", ""]),
    ),
    st.builds(lambda sign, hours: f"{sign}{hours:02d}", st.sampled_from("+-"), st.integers(0, 99)),
)
times = st.builds(
    lambda day, separator, hour, minute, second, fraction, offset: (
        f"{day}{separator}{hour:02d}:{minute:02d}:{second:02d}{fraction}{offset}"
    ),
    st.sampled_from(["2026-10-01", "2026-02-29", "2024-02-29", "2026-13-01", "2026-10-31"]),
    st.sampled_from(["T", " ", "t"]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.sampled_from(["", ".5", ".123456", ".1234567"]),
    offsets,
)


def read(started: list[str]) -> dict[int, dt.datetime | None]:
    """Each row's start as the calls reader sees it (None: rejected for its start)."""
    frame = pl.DataFrame(
        {
            "call_id": [f"c{i}" for i in range(len(started))],
            "number": ["+441632960001"] * len(started),
            "started_at": started,
            "duration_s": ["60"] * len(started),
            "destination": ["+441632961000"] * len(started),
        }
    )
    table = calls_from(table_from_frame(frame, "calls.csv", COLUMNS, COLUMNS[:4]))
    read_ok = dict(zip(table.calls["row"], table.calls["started_at"], strict=True))
    assert len(read_ok) + len(table.rejections) == len(started)
    return {row: read_ok.get(row) for row in range(1, len(started) + 1)}


def careful(text: str) -> dt.datetime | None:
    moment = careful_instant(text)
    return moment.replace(tzinfo=dt.UTC) if moment is not None else None


@settings(max_examples=300, deadline=None)
@given(st.lists(times, min_size=1, max_size=90))
@example(["2026-10-01T00:00:60Z"])
@example(["2026-10-01T00:00:60+01:00", "2026-10-01 00:00:60.5+01:00"])
def test_the_fast_readers_agree_with_the_careful_reader(started):
    seen = read(started)
    for row, text in enumerate(started, start=1):
        expected = careful(text)
        got = seen[row]
        got = got.replace(tzinfo=dt.UTC) if got is not None else None
        assert got == expected, text


def test_an_impossible_offset_is_a_rejected_call_not_a_moved_one():
    started = [
        "2026-11-01T10:00:00+99:99",
        "2026-11-01T10:00:00-9999",
        "2026-11-01T10:00:00+25:00",
        "2026-11-01T10:00:00+24:00",
        "2026-11-01T10:00:00+23:60",
    ]
    assert list(read(started).values()) == [None] * 5
    assert read(["2026-11-01T10:00:00+23:59"])[1] == dt.datetime(2026, 10, 31, 10, 1, tzinfo=dt.UTC)
    assert timestamp_problem("2026-11-01T10:00:00+99:99") == (
        "started_at '2026-11-01T10:00:00+99:99' has an impossible UTC offset +99:99; "
        "offsets run from -23:59 to +23:59"
    )
