"""Reading and validating the calls file over whole columns.

Calls are many and independent: each bad call becomes a rejection with its row,
field and reason, and the rest go on to be rated. Every field has a fast path
for the way systems usually write it (one timestamp layout, no stray spaces)
and a careful path that the rows the fast path cannot read fall back to, so
that speed never changes what a call means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import polars as pl

from tariff.engine.usage.errors import Rejection, quoted, rejection
from tariff.engine.usage.reading import MalformedRow
from tariff.engine.usage.tables import Table
from tariff.engine.usage.timestamps import UTC, careful_instant, started_at_utc, timestamp_problem

CALL_COLUMNS = ("call_id", "number", "started_at", "duration_s", "destination", "band")
REQUIRED_CALL_COLUMNS = ("call_id", "number", "started_at", "duration_s")
# Text columns with few distinct values, each coded once per distinct value.
CODED_CALL_COLUMNS = ("number", "destination", "band")

# The longest call the engine accepts, so that sums of seconds stay exact in 64 bits.
MAX_DURATION_SECONDS = 2**31 - 1
# Floats at or beyond this are not cast to 64-bit integers (2**62: exact, and in range).
_FLOAT_CEILING = float(2**62)
# Durations at or beyond this are quoted as written in reasons, not printed whole.
_PRINTED = 10**20


@dataclass(frozen=True)
class CallTable:
    """The calls that passed field validation, and the ones rejected so far.

    ``calls`` holds, once, the valid calls' columns: row, call_id, number,
    started_at (UTC), duration_s, destination, band.
    """

    file: str
    calls: pl.DataFrame
    rejections: tuple[Rejection, ...]
    count: int


@dataclass(frozen=True)
class CallBlocks:
    """A calls file to be read, checked and rated block by block, in bounded memory.

    ``tables()`` reads the file's blocks (:func:`tariff.engine.usage.tables.table_blocks`);
    ``whole()`` reads and checks it whole, as :class:`CallTable`, for a file
    whose blocks say to (raising UsageError if it cannot be used at all).
    """

    file: str
    tables: Callable[[], Iterator[Table]]
    whole: Callable[[], CallTable]


def calls_from(table: Table) -> CallTable:
    """The calls of a table whose fields are valid; every other call becomes a rejection."""
    parsed = parsed_calls(table)
    return checked_calls(
        table.file, parsed, repeats_within(parsed), first_rows_within, table.malformed
    )


def parsed_calls(table: Table) -> pl.DataFrame:
    """The table's calls with every field read: text trimmed, start in UTC, duration as an integer.

    The columns are those of the table, with ``started_utc`` and ``duration``
    (null where unreadable); :func:`checked_calls` then says which are valid.
    """
    raw = _coded(table.frame)
    parsed = (
        raw.lazy()
        .with_columns(
            *_normalised_text(raw),
            started_at_utc(raw).alias("started_utc"),
            _duration(raw.schema["duration_s"]).alias("duration"),
        )
        .collect()
    )
    return _read_carefully(parsed)


def call_ids(table: Table) -> pl.DataFrame:
    """Each call's row and id as :func:`parsed_calls` reads it (trimmed), for finding repeats."""
    return table.frame.select("row", _trimmed(pl.col("call_id").cast(pl.String)).alias("call_id"))


def checked_calls(
    file: str,
    parsed: pl.DataFrame,
    repeated: pl.Expr,
    first_rows: Callable[[pl.DataFrame, pl.DataFrame], Mapping[str, int]],
    malformed: Sequence[MalformedRow] = (),
) -> CallTable:
    """The parsed calls that are valid, and a rejection for each of the others.

    ``repeated`` says which calls repeat an earlier call's id, and
    ``first_rows(bad, parsed)`` gives the row of each repeated id's first
    call; ``malformed`` rows of the file are rejected too, and counted.
    """
    flagged = parsed.lazy().with_columns(repeated.alias("repeated"))
    valid = (
        pl.col("call_id").is_not_null()
        & ~pl.col("repeated")
        & pl.col("number").is_not_null()
        & pl.col("started_utc").is_not_null()
        & pl.col("duration").is_not_null()
        & pl.col("duration").is_between(0, MAX_DURATION_SECONDS)
        & (pl.col("destination").is_not_null() | pl.col("band").is_not_null())
    )
    rejections = [
        rejection(file, bad.row, None, None, f"the row {bad.reason}") for bad in malformed
    ]
    bad = flagged.filter(~valid).collect()
    if bad.height:
        rejections += _field_rejections(file, bad, first_rows(bad, parsed))
    # Filtering copies every column: most files have no call to leave out.
    calls = (
        (flagged.filter(valid) if bad.height else flagged)
        .select(
            "row",
            "call_id",
            "number",
            pl.col("started_utc").alias("started_at"),
            pl.col("duration").alias("duration_s"),
            "destination",
            "band",
        )
        .collect()
    )
    count = parsed.height + len(malformed)
    return CallTable(file, calls, tuple(sorted(rejections, key=lambda r: r.row)), count)


# ----------------------------------------------------------------- text


def _coded(frame: pl.DataFrame) -> pl.DataFrame:
    """Repetitive text columns coded once per distinct value (polars categoricals).

    The CSV reader codes them as it reads; columns from other readers are coded
    here, once, for the checks below and for rating alike. Each column has its
    own categories, so that its codes number only its own values.
    """
    plain = [name for name in CODED_CALL_COLUMNS if frame.schema[name] == pl.String]
    if not plain:
        return frame
    return frame.with_columns(
        pl.col(name).cast(pl.Categorical(pl.Categories.random())) for name in plain
    )


def _normalised_text(frame: pl.DataFrame) -> list[pl.Expr]:
    """Text columns trimmed, with empty text as missing.

    Call ids are nearly all distinct, so they are trimmed outright; the other
    columns repeat a few values many times, so they are only rewritten when
    one of their distinct values needs it.
    """
    columns = [_trimmed(pl.col("call_id").cast(pl.String)).alias("call_id")]
    for name in CODED_CALL_COLUMNS:
        values = _distinct(frame[name])
        if (values.str.strip_chars() != values).any() or (values == "").any():
            columns.append(_trimmed(pl.col(name).cast(pl.String)).alias(name))
        elif isinstance(frame.schema[name], pl.Categorical):
            columns.append(pl.col(name))  # already coded by the reader: keep the codes
        else:
            columns.append(pl.col(name).cast(pl.String))
    return columns


def _distinct(column: pl.Series) -> pl.Series:
    """The distinct text of a column (for a categorical, by its codes)."""
    return column.unique().drop_nulls().cast(pl.String)


def _trimmed(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _read_carefully(frame: pl.DataFrame) -> pl.DataFrame:
    """Give the rows the fast paths could not read a second, careful reading."""
    missed = (pl.col("started_utc").is_null() & pl.col("started_at").is_not_null()) | (
        pl.col("duration").is_null() & pl.col("duration_s").is_not_null()
    )
    if not frame.select(missed.any()).item():
        return frame
    unread = frame.filter(missed)
    patch = unread.select(
        "row",
        pl.Series("careful_at", [careful_instant(v) for v in unread["started_at"].to_list()], UTC),
        pl.col("duration_s")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_integer(strict=False)
        .alias("careful_duration"),
    )
    return (
        frame.join(patch, on="row", how="left")
        .with_columns(
            pl.coalesce("started_utc", "careful_at").alias("started_utc"),
            pl.coalesce("duration", "careful_duration").alias("duration"),
        )
        .drop("careful_at", "careful_duration")
    )


# ------------------------------------------------------- duration and id


def _duration(dtype: pl.DataType) -> pl.Expr:
    """Each call's duration as a 64-bit integer, or null where it is not one.

    Out-of-range values (an unsigned 64-bit maximum, a float of 1e300) become
    null here and are worded from the written value.
    """
    column = pl.col("duration_s")
    if dtype.is_integer():
        return column.cast(pl.Int64, strict=False)
    if dtype.is_float():
        whole = column.is_finite() & (column == column.floor()) & (column.abs() < _FLOAT_CEILING)
        return pl.when(whole).then(column.cast(pl.Int64))
    return column.cast(pl.String).str.to_integer(strict=False)


def _whole_number(raw: object) -> int | None:
    """A written duration that is a whole number too big for the fast readers, else None."""
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    # 1e999999999 is whole, and far too big to turn into an int: any number of
    # 20 digits or more is simply beyond every call.
    if value.adjusted() >= 20:
        return _PRINTED if value > 0 else -_PRINTED
    return int(value)


def repeats_within(frame: pl.DataFrame) -> pl.Expr:
    """Whether each call repeats the id of an earlier row (the first is kept)."""
    ids = frame["call_id"].drop_nulls()
    if ids.hash().n_unique() == ids.len():
        return pl.lit(False)
    return pl.col("call_id").is_not_null() & ~pl.col("call_id").is_first_distinct()


# ------------------------------------------------------------ rejections


def first_rows_within(bad: pl.DataFrame, frame: pl.DataFrame) -> dict[str, int]:
    """The row of the first call of each id that ``bad`` repeats, all of them being in ``frame``."""
    repeated_ids = bad.filter(pl.col("repeated"))["call_id"].unique()
    return dict(
        frame.filter(pl.col("call_id").is_in(repeated_ids.to_list()))
        .group_by("call_id")
        .agg(pl.col("row").min())
        .iter_rows()
    )


def _field_rejections(
    file: str, bad: pl.DataFrame, first_rows: Mapping[str, int]
) -> list[Rejection]:
    rejections = []
    for record in bad.iter_rows(named=True):
        field, reason = _first_problem(record, first_rows)
        call_id = record["call_id"]
        shown_id = str(call_id) if call_id is not None else None
        rejections.append(rejection(file, record["row"], shown_id, field, reason))
    return rejections


def _first_problem(record: dict[str, object], first_rows: Mapping[str, int]) -> tuple[str, str]:
    call_id = record["call_id"]
    if call_id is None:
        return "call_id", "call_id is missing"
    if record["repeated"]:
        first = first_rows[str(call_id)]
        return "call_id", f"repeated call_id {quoted(call_id)} (first at row {first})"
    if record["number"] is None:
        return "number", "number is missing"
    if record["started_utc"] is None:
        return "started_at", timestamp_problem(record["started_at"])
    duration = record["duration"]
    if not isinstance(duration, int):
        raw = record["duration_s"]
        if raw is None:
            return "duration_s", "duration_s is missing"
        duration = _whole_number(raw)
        if duration is None:
            return "duration_s", f"duration_s {quoted(raw)} is not a whole number of seconds"
    # A huge number is quoted, cut short, as written: Python refuses to print an
    # integer of more than 4,300 digits, and a reason should stay readable.
    written = str(duration) if abs(duration) < _PRINTED else quoted(record["duration_s"])
    if duration < 0:
        return "duration_s", f"duration_s {written} is negative"
    if duration > MAX_DURATION_SECONDS:
        return "duration_s", f"duration_s {written} is longer than any call (over 68 years)"
    return "destination", "destination is missing: give a destination or a band"
