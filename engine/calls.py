"""Reading and validating the calls file over whole columns.

Calls are many and independent: each bad call becomes a rejection with its row,
field and reason, and the rest go on to be rated. Every field has a fast path
for the way systems usually write it (one timestamp layout, no stray spaces)
and a careful path that the rows the fast path cannot read fall back to, so
that speed never changes what a call means.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from tariff.engine.models import Rejection
from tariff.engine.tables import Table

CALL_COLUMNS = ("call_id", "number", "started_at", "duration_s", "destination", "band")
REQUIRED_CALL_COLUMNS = ("call_id", "number", "started_at", "duration_s")
# Text columns with few distinct values, each coded once per distinct value.
CODED_CALL_COLUMNS = ("number", "destination", "band")

# The longest call the engine accepts, so that sums of seconds stay exact in 64 bits.
MAX_DURATION_SECONDS = 2**31 - 1

# ISO 8601 layouts tried in turn for the rows the fast path cannot read.
_TIMESTAMP_LAYOUTS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
# The fast path: 19 characters of date and time, then an offset.
_DATE_AND_TIME = "%Y-%m-%dT%H:%M:%S"
_OFFSET = re.compile(r"([+-])(\d\d)(?::?(\d\d))?")
# Past this many distinct offsets (fractions of a second make each distinct),
# the fast path does not pay and every row takes the general layouts.
_MAX_FAST_OFFSETS = 64
_UTC = pl.Datetime("us", "UTC")
_MICROSECONDS_PER_MINUTE = 60_000_000


@dataclass(frozen=True)
class CallTable:
    """The calls that passed field validation, and the ones rejected so far.

    ``calls`` is a lazy query over the parsed file (so that rating reads it
    without copying) with: row, call_id, number, started_at (UTC),
    duration_s, destination, band.
    """

    file: str
    calls: pl.LazyFrame
    rejections: tuple[Rejection, ...]
    count: int


def calls_from(table: Table) -> CallTable:
    """The calls of a table whose fields are valid; every other call becomes a rejection."""
    raw = _coded(table.frame)
    parsed = (
        raw.lazy()
        .with_columns(
            *_normalised_text(raw),
            _started_at(raw).alias("started_utc"),
            _duration(raw.schema["duration_s"]).alias("duration"),
        )
        .collect()
    )
    parsed = _read_carefully(parsed)
    flagged = parsed.lazy().with_columns(_repeated(parsed).alias("repeated"))
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
        Rejection.model_construct(
            file=table.file, row=bad.row, call_id=None, reason=f"the row {bad.reason}"
        )
        for bad in table.malformed
    ]
    bad = flagged.filter(~valid).collect()
    rejections += _field_rejections(table.file, bad, parsed)
    # Filtering copies every column: most files have no call to leave out.
    calls = (flagged.filter(valid) if bad.height else flagged).select(
        "row",
        "call_id",
        "number",
        pl.col("started_utc").alias("started_at"),
        pl.col("duration").alias("duration_s"),
        "destination",
        "band",
    )
    count = raw.height + len(table.malformed)
    return CallTable(table.file, calls, tuple(sorted(rejections, key=lambda r: r.row)), count)


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
    """The distinct text of a column (for a categorical, every category it may hold)."""
    dtype = column.dtype
    if isinstance(dtype, pl.Categorical):
        return dtype.categories.to_series()
    return column.cast(pl.String).unique().drop_nulls()


def _trimmed(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


# ------------------------------------------------------------ started_at


def _started_at(frame: pl.DataFrame) -> pl.Expr:
    """Each call's start as a UTC instant, or null where the fast layouts fail."""
    dtype = frame.schema["started_at"]
    column = pl.col("started_at")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return pl.lit(None, dtype=_UTC)
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    text = column.cast(pl.String)
    written = frame["started_at"].cast(pl.String)
    uniform = _uniform_offset(written)
    if uniform is not None:
        offset = pl.lit(uniform, dtype=pl.Int64)
    else:
        offsets = _offset_minutes(written.str.slice(19).unique())
        if offsets is None:
            return pl.coalesce(
                text.str.to_datetime(format=layout, strict=False, time_zone="UTC", time_unit="us")
                for layout in _TIMESTAMP_LAYOUTS
            )
        offset = text.str.slice(19).replace_strict(offsets, default=None, return_dtype=pl.Int64)
    local = text.str.slice(0, 19).str.to_datetime(
        format=_DATE_AND_TIME, strict=False, time_unit="us"
    )
    return (local.cast(pl.Int64) - offset * _MICROSECONDS_PER_MINUTE).cast(_UTC)


def _uniform_offset(text: pl.Series) -> int | None:
    """Minutes east of UTC if every timestamp is date and time then one same offset.

    Most systems write every start the same way (``...T10:00:00Z``): two cheap
    checks over the column then spare finding the distinct offsets, which
    means cutting every value in two.
    """
    first = text.drop_nulls().head(1).to_list()
    suffix = first[0][19:] if first else ""
    offset = _minutes_east(suffix)
    if offset is None:
        return None
    uniform = (text.str.len_bytes() == 19 + len(suffix.encode())) & text.str.ends_with(suffix)
    # Missing values are left to the checks after parsing.
    return offset if uniform.fill_null(True).all() else None


def _offset_minutes(suffixes: pl.Series) -> dict[str, int] | None:
    """Minutes east of UTC for each distinct text after the time, or None if too varied."""
    if suffixes.len() > _MAX_FAST_OFFSETS:
        return None
    minutes = {}
    for suffix in suffixes.drop_nulls().to_list():
        if (offset := _minutes_east(suffix)) is not None:
            minutes[suffix] = offset
    return minutes


def _minutes_east(suffix: str) -> int | None:
    """Minutes east of UTC written after a time (``Z``, ``+01:00``, ``-0400``), or None."""
    if suffix in ("Z", "z"):
        return 0
    if match := _OFFSET.fullmatch(suffix):
        sign = -1 if match.group(1) == "-" else 1
        return sign * (int(match.group(2)) * 60 + int(match.group(3) or 0))
    return None


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
        pl.Series(
            "careful_at", [_careful_instant(v) for v in unread["started_at"].to_list()], _UTC
        ),
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


def _careful_instant(value: object) -> dt.datetime | None:
    """Python's full ISO 8601 reader, for one timestamp the fast layouts missed."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("z"):
        text = text[:-1] + "Z"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else None


# ------------------------------------------------------- duration and id


def _duration(dtype: pl.DataType) -> pl.Expr:
    column = pl.col("duration_s")
    if dtype.is_integer():
        return column.cast(pl.Int64)
    if dtype.is_float():
        return pl.when(column == column.floor()).then(column.cast(pl.Int64))
    return column.cast(pl.String).str.to_integer(strict=False)


def _repeated(frame: pl.DataFrame) -> pl.Expr:
    """Whether each call repeats the id of an earlier row (the first is kept)."""
    ids = frame["call_id"].drop_nulls()
    if ids.hash().n_unique() == ids.len():
        return pl.lit(False)
    return pl.col("call_id").is_not_null() & ~pl.col("call_id").is_first_distinct()


# ------------------------------------------------------------ rejections


def _field_rejections(file: str, bad: pl.DataFrame, frame: pl.DataFrame) -> list[Rejection]:
    if bad.is_empty():
        return []
    repeated_ids = bad.filter(pl.col("repeated"))["call_id"].unique()
    first_rows = dict(
        frame.filter(pl.col("call_id").is_in(repeated_ids.to_list()))
        .group_by("call_id")
        .agg(pl.col("row").min())
        .iter_rows()
    )
    rejections = []
    for record in bad.iter_rows(named=True):
        field, reason = _first_problem(record, first_rows)
        call_id = record["call_id"]
        rejections.append(
            Rejection.model_construct(
                file=file,
                row=record["row"],
                call_id=str(call_id) if call_id is not None else None,
                field=field,
                reason=reason,
            )
        )
    return rejections


def _first_problem(record: dict[str, object], first_rows: dict[str, int]) -> tuple[str, str]:
    call_id = record["call_id"]
    if call_id is None:
        return "call_id", "call_id is missing"
    if record["repeated"]:
        first = first_rows[str(call_id)]
        return "call_id", f"repeated call_id '{call_id}' (first at row {first})"
    if record["number"] is None:
        return "number", "number is missing"
    if record["started_utc"] is None:
        return "started_at", _timestamp_problem(record["started_at"])
    duration = record["duration"]
    if not isinstance(duration, int):
        raw = record["duration_s"]
        if raw is None:
            return "duration_s", "duration_s is missing"
        return "duration_s", f"duration_s '{raw}' is not a whole number of seconds"
    if duration < 0:
        return "duration_s", f"duration_s {duration} is negative"
    if duration > MAX_DURATION_SECONDS:
        return "duration_s", f"duration_s {duration} is longer than any call (over 68 years)"
    return "destination", "destination is missing: give a destination or a band"


def _timestamp_problem(raw: object) -> str:
    if raw is None:
        return "started_at is missing"
    if isinstance(raw, dt.datetime):
        return f"started_at {raw} has no UTC offset; store times with their time zone"
    text = str(raw).strip()
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return (
            f"started_at '{text}' is not an ISO 8601 time; write it as e.g. "
            "2026-10-01T09:30:00+01:00"
        )
    return f"started_at '{text}' has no UTC offset; add one, e.g. {text}+01:00 or {text}Z"
