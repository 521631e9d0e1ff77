"""A run's rejections as columns: the same ones in row order, the same JSON, spilled or not."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tariff.engine.invoice.models import InvoiceRun, RunSummary
from tariff.engine.invoice.rejected import RejectedCalls, RejectionLog
from tariff.engine.rating.rejections import RejectionReasons
from tariff.engine.usage import NumberAssignment, NumberTable
from tariff.engine.usage.errors import Rejection, rejection, rejection_frame

# Text as rejections carry it: quotes, backslashes, control characters, any letter.
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
REJECTION = st.builds(
    rejection,
    file=st.sampled_from(["calls.csv", 'odd "name".csv']),
    row=st.integers(1, 10**12),
    call_id=st.none() | TEXT,
    field=st.none() | st.sampled_from(["number", "destination", "call_id"]),
    reason=TEXT,
)


def _log(parts: list[list[Rejection]], in_memory_rows: int) -> RejectionLog:
    log = RejectionLog(in_memory_rows=in_memory_rows)
    for part in parts:
        log.add(rejection_frame(part))
    return log


def _distinct_rows(parts: list[list[Rejection]]) -> list[list[Rejection]]:
    """The parts with each row once, as a run's rejections have it (a call is rejected once)."""
    seen: set[int] = set()
    kept = []
    for part in parts:
        kept.append([r for r in part if r.row not in seen and not seen.add(r.row)])  # type: ignore[func-returns-value]
    return kept


@settings(max_examples=80, deadline=None)
@given(
    parts=st.lists(st.lists(REJECTION, max_size=8), max_size=6),
    in_memory_rows=st.sampled_from([1, 5, 1_000_000]),
)
def test_rejections_come_out_in_row_order_as_pydantic_writes_them(
    parts: list[list[Rejection]], in_memory_rows: int
) -> None:
    parts = _distinct_rows(parts)
    expected = tuple(sorted((r for part in parts for r in part), key=lambda r: r.row))
    rejected = _log(parts, in_memory_rows).finished()

    assert len(rejected) == len(expected)
    assert tuple(rejected) == expected
    assert rejected == expected
    # Runs of disjoint groups join into one (partitioned runs).
    halves = [_log(parts[::2], in_memory_rows).finished(), _log(parts[1::2], 10).finished()]
    assert tuple(RejectedCalls.joined(halves)) == expected
    if expected:
        assert rejected[-1] == expected[-1] and rejected[0] == expected[0]
        assert rejected[:3] == expected[:3]
    # The document's JSON is pydantic's, written without making a Rejection.
    run = InvoiceRun(
        period="2026-10",
        invoices=(),
        rejected=rejected,
        summary=RunSummary(
            calls_in=len(expected), calls_rated=0, calls_other_period=0, calls_rejected=0
        ),
    )
    assert run.to_json() == run.model_dump_json(indent=2, exclude_none=True) + "\n"
    items = TypeAdapter(tuple[Rejection, ...]).dump_json(expected, exclude_none=True)
    assert InvoiceRun.model_validate_json(run.to_json()).rejected == expected
    assert TypeAdapter(tuple[Rejection, ...]).validate_json(items) == expected


def test_a_huge_log_spills_to_disk_and_the_files_go_with_the_rejections() -> None:
    parts = [
        [
            rejection("calls.csv", 20 * block + 2 * row, f"c{row}", "number", "unknown")
            for row in range(10)
        ]
        for block in range(5)
    ]
    held_back = [rejection("calls.csv", 3, "late", "call_id", "repeated")]
    log = _log([*parts, held_back], in_memory_rows=15)
    spilled = [part.path for part in log.parts if part.path is not None]
    assert len(spilled) >= 3 and all(path.exists() for path in spilled)

    rejected = log.finished()
    rows = [r.row for r in rejected]
    assert rows == sorted(rows) and len(rows) == 51 and rows[:4] == [0, 2, 3, 4]
    assert rejected[2].call_id == "late"

    del log, rejected
    gc.collect()
    assert not any(path.exists() for path in spilled)


def _numbers(*numbers: str) -> NumberTable:
    on = dt.date(2026, 10, 1)
    return NumberTable(
        "numbers.csv",
        tuple(NumberAssignment(2, n, "acme", "fixed", on, None) for n in numbers),
    )


def test_unheld_calls_are_worded_once_per_number_and_every_year_as_python_writes_it() -> None:
    reasons = RejectionReasons(_numbers("+441632960001"), None, {"0": "+44"})
    started = [
        dt.datetime(999, 3, 4, 5, 6),
        dt.datetime(2026, 9, 30, 23, 59),
        dt.datetime(2026, 10, 2),
    ]
    unheld = pl.DataFrame(
        {
            "row": [2, 3, 4],
            "call_id": ["a", "b", None],
            "number": ["+441632960001", "+441632960001", "01632960001"],
            "started_at": pl.Series(started).dt.replace_time_zone("UTC"),
        }
    )
    frame = reasons.unheld("calls.csv", unheld)
    assert frame.schema == rejection_frame([]).schema
    assert frame["reason"].cast(pl.String).to_list() == [
        "tracking number +441632960001 was not assigned to any account when the call started "
        "(999-03-04 05:06 UTC)",
        "tracking number +441632960001 was not assigned to any account when the call started "
        "(2026-09-30 23:59 UTC)",
        "unknown tracking number 01632960001: it is not in the numbers file; "
        "did you mean +441632960001, as the numbers file writes it?",
    ]
    assert frame["field"].cast(pl.String).to_list() == ["number"] * 3
    assert frame["call_id"].to_list() == ["a", "b", None]


def test_spilled_parts_are_arrow_files(tmp_path: Path) -> None:
    log = _log([[rejection("calls.csv", 1, None, None, "the row has 3 fields")]], in_memory_rows=0)
    (part,) = log.parts
    assert part.frame is None and part.path is not None
    assert pl.read_ipc(part.path).to_dicts() == [
        {
            "file": "calls.csv",
            "row": 1,
            "call_id": None,
            "field": None,
            "reason": "the row has 3 fields",
        }
    ]
