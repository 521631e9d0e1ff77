"""Rating a month block by block gives the run that reading the whole file gives, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from usage_rows import TARIFFS, generated_month_files

from tariff.engine import load_catalogue, load_usage, rate_month
from tariff.engine.stream import blocks as stream_blocks
from tariff.engine.stream.seen_ids import SeenIds
from tariff.engine.usage import CallBlocks, CallTable, UsageError

ISSUED_ON = dt.date(2026, 11, 1)
FORMATS = ("csv", "jsonl", "parquet")


def _messy_calls(calls: pl.DataFrame) -> pl.DataFrame:
    """The generated calls with repeats far apart: same ids, some of them the same calls."""
    repeats = calls.gather([3, 5, 40, 41, 100, 7]).with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.lit("+441632960999"))
        .otherwise(pl.col("destination"))
        .alias("destination")
    )
    padded = pl.concat([calls, repeats, calls.head(2)], how="vertical")
    # Ids that differ only by the spaces around them are the same id.
    return padded.with_columns(
        pl.when(pl.int_range(pl.len()) == padded.height - 1)
        .then(pl.concat_str(pl.lit("  "), pl.col("call_id"), pl.lit(" ")))
        .otherwise(pl.col("call_id"))
        .alias("call_id")
    )


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated month (recycled numbers, bad rows) with repeats: CSV, JSON Lines, Parquet."""
    directory = generated_month_files(
        tmp_path_factory.mktemp("month"), calls=300, accounts=12, numbers=40, seed=7
    )
    calls = _messy_calls(pl.read_csv(directory / "calls.csv", infer_schema=False))
    calls.write_csv(directory / "calls.csv")
    # A blank line and a quoted field in the middle, as spreadsheets write them.
    lines = (directory / "calls.csv").read_text().splitlines(keepends=True)
    lines.insert(150, "\n")
    lines.insert(120, 'q1,"+441632960001",2026-10-05T10:00:00Z,"6,0",+441632961000\n')
    (directory / "calls.csv").write_text("".join(lines))
    with (directory / "calls.jsonl").open("w") as out:
        for index, record in enumerate(calls.iter_rows(named=True)):
            if index == 210:
                out.write("\n{not json\n")
            out.write(json.dumps({k: v for k, v in record.items() if v is not None}) + "\n")
    calls.with_columns(pl.col("duration_s").cast(pl.Int64, strict=False)).write_parquet(
        directory / "calls.parquet", row_group_size=64
    )
    return directory


@pytest.fixture(scope="module")
def plan():
    return load_catalogue(TARIFFS)


def _run(directory: Path, plan, calls: str, block_bytes: int | None = None) -> str:
    usage = load_usage(
        directory / "accounts.csv",
        directory / "numbers.csv",
        directory / calls,
        block_bytes=block_bytes,
    )
    if block_bytes is not None:
        assert isinstance(usage.calls, CallBlocks)
    return rate_month(plan, "2026-10", usage, issued_on=ISSUED_ON).model_dump_json()


@pytest.fixture(scope="module")
def whole_runs(month: Path, plan) -> dict[str, str]:
    return {kind: _run(month, plan, f"calls.{kind}") for kind in FORMATS}


def test_the_messy_month_has_what_blocks_must_get_right(whole_runs: dict[str, str]) -> None:
    run = json.loads(whole_runs["csv"])
    reasons = [r["reason"] for r in run["rejected"]]
    repeats = [r for r in reasons if r.startswith("repeated call_id")]
    assert len(repeats) == 8, repeats
    assert "repeated call_id 'c000000001' (first at row 2)" in repeats  # written with spaces
    assert "duration_s '6,0' is not a whole number of seconds" in reasons
    # The padded calls and a quoted row; a blank line is no call.
    assert run["summary"]["calls_in"] == 300 + 8 + 1
    assert run["summary"]["calls_rated"] > 250


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(block_bytes=st.integers(256, 20_000), kind=st.sampled_from(FORMATS))
def test_any_block_size_gives_the_whole_files_run(
    month: Path, plan, whole_runs: dict[str, str], block_bytes: int, kind: str
) -> None:
    assert _run(month, plan, f"calls.{kind}", block_bytes) == whole_runs[kind]


@pytest.mark.slow
def test_a_block_of_a_line_each_gives_the_whole_files_run(
    month: Path, plan, whole_runs: dict[str, str]
) -> None:
    for kind in FORMATS:
        assert _run(month, plan, f"calls.{kind}", 1) == whole_runs[kind], kind


def test_blocks_are_read_as_many_as_the_size_says(month: Path) -> None:
    usage = load_usage(
        month / "accounts.csv", month / "numbers.csv", month / "calls.csv", block_bytes=4096
    )
    assert isinstance(usage.calls, CallBlocks)
    tables = list(usage.calls.tables())
    size = (month / "calls.csv").stat().st_size
    assert size // 4096 <= len(tables) <= size // 4096 + 2
    rows = pl.concat([t.frame.select("row") for t in tables])["row"]
    assert rows.is_sorted() and rows.n_unique() == rows.len()


def test_colliding_hashes_are_told_apart_exactly(
    month: Path, plan, whole_runs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hashes of 3 bits: nearly every id collides with an earlier, different one.
    monkeypatch.setattr(
        stream_blocks, "id_hashes", lambda ids: ids.hash() & np.uint64(7), raising=True
    )
    for kind in FORMATS:
        assert _run(month, plan, f"calls.{kind}", 2048) == whole_runs[kind], kind


def _with_line(month: Path, directory: Path, at: int, line: str) -> None:
    """The month in ``directory``, with ``line`` among its calls before line ``at``."""
    lines = (month / "calls.csv").read_text().splitlines(keepends=True)
    lines.insert(at, line + "\n")
    for name in ("accounts.csv", "numbers.csv"):
        (directory / name).write_bytes((month / name).read_bytes())
    (directory / "calls.csv").write_text("".join(lines))


def test_a_file_only_the_careful_reader_reads_is_read_whole(
    tmp_path: Path, month: Path, plan
) -> None:
    # A record with a field too many: polars refuses the block, csv reads the file.
    _with_line(month, tmp_path, 250, "x1,+441632960001,2026-10-05T10:00:00Z,60,+441632961000,x")
    whole = _run(tmp_path, plan, "calls.csv")
    assert "has 6 fields where the header has 5" in whole
    assert _run(tmp_path, plan, "calls.csv", 2048) == whole


def test_a_problem_in_a_late_block_is_worded_as_for_the_whole_file(
    tmp_path: Path, month: Path, plan
) -> None:
    _with_line(month, tmp_path, 280, 'x1,+441632960001,2026-10-05T10:00:00Z,60,"+4416329')
    messages = []
    for block_bytes in (None, 2048):
        with pytest.raises(UsageError) as raised:
            _run(tmp_path, plan, "calls.csv", block_bytes)
        messages.append([str(p) for p in raised.value.problems])
    assert messages[0] == messages[1]
    assert 'a quote (") opens there' in messages[0][0]


def test_files_read_whole_are_read_at_once(tmp_path: Path, month: Path) -> None:
    # Lines ending in CR alone (Excel's "CSV (Macintosh)") are not cut into blocks.
    (tmp_path / "calls.csv").write_bytes((month / "calls.csv").read_bytes().replace(b"\n", b"\r"))
    usage = load_usage(
        month / "accounts.csv", month / "numbers.csv", tmp_path / "calls.csv", block_bytes=4096
    )
    assert isinstance(usage.calls, CallTable)
    assert usage.calls.count == 309


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=300),
        min_size=1,
        max_size=12,
    )
)
def test_seen_ids_is_a_set_of_hashes(blocks: list[list[int]]) -> None:
    seen, reference = SeenIds(), set()
    for block in blocks:
        hashes = np.array(block, dtype=np.uint64)
        found = seen.contains(hashes)
        assert found.tolist() == [h in reference for h in block]
        new = np.unique(hashes[~found])
        seen.add(new)
        reference |= set(new.tolist())
    assert seen.size == len(reference)
    assert seen.nbytes == 8 * len(reference)


def test_a_month_without_calls_reads_the_same_in_blocks(tmp_path: Path, month: Path, plan) -> None:
    for name in ("accounts.csv", "numbers.csv"):
        (tmp_path / name).write_bytes((month / name).read_bytes())
    (tmp_path / "calls.csv").write_text("call_id,number,started_at,duration_s,destination\n")
    (tmp_path / "calls.jsonl").write_text("")
    pl.DataFrame(
        schema={"call_id": pl.String, "number": pl.String, "duration_s": pl.Int64}
    ).with_columns(
        started_at=pl.lit(None, pl.String), destination=pl.lit(None, pl.String)
    ).write_parquet(tmp_path / "calls.parquet")
    for kind in FORMATS:
        whole = _run(tmp_path, plan, f"calls.{kind}")
        assert json.loads(whole)["summary"]["calls_in"] == 0, kind
        usage = load_usage(
            tmp_path / "accounts.csv",
            tmp_path / "numbers.csv",
            tmp_path / f"calls.{kind}",
            block_bytes=1000,
        )
        # An empty file is read at once; the others are read in blocks, alike.
        assert rate_month(plan, "2026-10", usage, issued_on=ISSUED_ON).model_dump_json() == whole
