"""Reading call start times: ISO 8601 with an offset, into UTC instants.

Most systems write every start the same way, so the fast path reads 19
characters of date and time and one offset per distinct suffix, over the whole
column; the rows it cannot read get Python's full ISO 8601 reader, one at a
time, so that speed never changes what a time means.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from tariff.engine.usage.errors import quoted

# ISO 8601 layouts tried in turn for the rows the fast path cannot read.
_TIMESTAMP_LAYOUTS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
# The fast path: 19 characters of date and time, then an offset.
_DATE_AND_TIME = "%Y-%m-%dT%H:%M:%S"
_OFFSET = re.compile(r"([+-])(\d\d)(?::?(\d\d))?")
# Past this many distinct offsets (fractions of a second make each distinct),
# the fast path does not pay and every row takes the general layouts.
_MAX_FAST_OFFSETS = 64
# The widest offset a clock can have: -23:59 to +23:59.
_MAX_OFFSET_HOURS, _MAX_OFFSET_MINUTES = 23, 59
# Date and time, then an offset: what a timestamp with an impossible offset looks like.
_WITH_OFFSET = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?([+-].*)")
UTC = pl.Datetime("us", "UTC")
_MICROSECONDS_PER_MINUTE = 60_000_000
# Every layout writes seconds at characters 17 and 18.
_LAST_SECOND = "59"


def started_at_utc(frame: pl.DataFrame) -> pl.Expr:
    """Each call's start as a UTC instant, or null where the fast layouts fail."""
    dtype = frame.schema["started_at"]
    column = pl.col("started_at")
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return pl.lit(None, dtype=UTC)
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    text = column.cast(pl.String)
    # Polars reads a 60th second (a leap second) as the next minute, where
    # Python's reader refuses it: such rows go to the careful reader, which
    # rejects them, so that the fast path never moves a call.
    in_range = text.str.slice(17, 2) <= _LAST_SECOND
    return pl.when(in_range).then(_fast_instant(frame, text))


def _fast_instant(frame: pl.DataFrame, text: pl.Expr) -> pl.Expr:
    """The fast layouts over text start times, before the range check on seconds."""
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
    return (local.cast(pl.Int64) - offset * _MICROSECONDS_PER_MINUTE).cast(UTC)


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
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        # As Python's own reader: an offset is less than a day, in real minutes.
        if hours > _MAX_OFFSET_HOURS or minutes > _MAX_OFFSET_MINUTES:
            return None
        sign = -1 if match.group(1) == "-" else 1
        return sign * (hours * 60 + minutes)
    return None


def careful_instant(value: object) -> dt.datetime | None:
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


def timestamp_problem(raw: object) -> str:
    """Why a start time cannot be read, in words that say how to write it."""
    if raw is None:
        return "started_at is missing"
    if isinstance(raw, dt.datetime):
        return f"started_at {raw} has no UTC offset; store times with their time zone"
    text = str(raw).strip()
    written = _WITH_OFFSET.fullmatch(text)
    if written and _minutes_east(written.group(1)) is None and _OFFSET.fullmatch(written.group(1)):
        return (
            f"started_at {quoted(text)} has an impossible UTC offset {written.group(1)}; "
            "offsets run from -23:59 to +23:59"
        )
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return (
            f"started_at {quoted(text)} is not an ISO 8601 time; write it as e.g. "
            "2026-10-01T09:30:00+01:00"
        )
    return (
        f"started_at {quoted(text)} has no UTC offset; add one, e.g. "
        f"{quoted(text + '+01:00')[1:-1]} or {quoted(text + 'Z')[1:-1]}"
    )
