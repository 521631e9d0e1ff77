"""Reading a Parquet file: typed columns, kept when they mean what the engine reads.

Text columns may be text or integers (an integer is its decimal text);
durations may be integers, floats or decimals (whole values are seconds, the
others are refused row by row, like a fractional duration in a CSV); start
times may be text or time-zone-aware timestamps; dates may be dates. A column
of any other type, such as a list or a duration type, is refused whole, with
the type found and the type wanted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import polars as pl

from tariff.engine.usage.reading import ROW_INDEX, NotInBlocks, ReadFile, TableError, empty_frame

# The kind of value each column that is not text holds, as the messages say it.
_DURATION, _INSTANT, _DATE, _NUMBER = (
    "whole seconds (an integer)",
    "a time with its UTC offset (text, or a time-zone-aware timestamp)",
    "a date",
    "a number",
)
_WANTED = {
    "duration_s": _DURATION,
    "started_at": _INSTANT,
    "assigned_from": _DATE,
    "released_on": _DATE,
    "discount_percent": _NUMBER,
}
_TEXT = "text (or an integer)"


def read_parquet(path: Path, shown: str, columns: Sequence[str]) -> ReadFile:
    """The file's columns; TableError for a column of a type the engine cannot read."""
    if path.stat().st_size == 0:
        return ReadFile(empty_frame(), (), (), empty=True)
    return _read(
        shown,
        columns,
        lambda: pl.read_parquet(path, row_index_name=ROW_INDEX, row_index_offset=1),
    )


def parquet_blocks(
    path: Path, shown: str, columns: Sequence[str], block_rows: int
) -> Callable[[], Iterator[ReadFile]] | None:
    """The file read ``block_rows`` rows at a time by polars' streaming reader (None if empty).

    A file polars cannot read raises :class:`NotInBlocks`, for the whole
    file's reading to say why.
    """
    if path.stat().st_size == 0:
        return None

    def blocks() -> Iterator[ReadFile]:
        scan = pl.scan_parquet(path, row_index_name=ROW_INDEX, row_index_offset=1)
        read_any = False
        try:
            rows = max(scan.select(pl.len()).collect().item(), 1)  # from the metadata
            for batch in scan.collect_batches(chunk_size=block_rows):
                if not batch.height:
                    continue
                read_any = True
                read = _read(shown, columns, lambda: batch)  # noqa: B023 - called at once
                yield dataclasses.replace(read, through=min(batch[ROW_INDEX][-1] / rows, 1.0))
        except (pl.exceptions.PolarsError, OSError):
            raise NotInBlocks(shown) from None
        if not read_any:  # a file without rows is one block of its columns
            yield _read(shown, columns, scan.head(0).collect)

    return blocks


def _read(shown: str, columns: Sequence[str], read: Callable[[], pl.DataFrame]) -> ReadFile:
    try:
        frame = read()
    except (pl.exceptions.PolarsError, OSError) as problem:
        if isinstance(problem, FileNotFoundError | IsADirectoryError | PermissionError):
            raise
        reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise TableError(shown, f"is not a readable Parquet file ({reason})") from None
    wanted = set(columns)
    converted = []
    for written, dtype in frame.schema.items():
        name = written.strip().lower()
        if written == ROW_INDEX or name not in wanted:
            continue
        converted.append(_column(shown, written, name, dtype))
    return ReadFile(frame.with_columns(converted), list(frame.columns[1:]), ())


def _column(shown: str, written: str, name: str, dtype: pl.DataType) -> pl.Expr:
    """The column as the engine reads it, or TableError saying the type found and wanted."""
    column = pl.col(written)
    kind = _WANTED.get(name, _TEXT)
    if dtype == pl.Null or dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return column
    if kind == _DURATION and (dtype.is_integer() or dtype.is_float()):
        return column
    if kind == _DURATION and isinstance(dtype, pl.Decimal):
        # Exact decimal text without the fraction's trailing zeros: 30.00 is 30.
        text = column.cast(pl.String)
        return text.str.replace(r"\.0*$", "").str.replace(r"(\.\d*?)0+$", "$1")
    if kind == _INSTANT and isinstance(dtype, pl.Datetime):
        return column
    if kind == _DATE and isinstance(dtype, pl.Date | pl.Datetime):
        return column
    if kind in (_TEXT, _NUMBER) and dtype.is_integer():
        return column.cast(pl.String)
    if kind == _NUMBER and (dtype.is_float() or isinstance(dtype, pl.Decimal)):
        return column.cast(pl.String)
    raise TableError(
        shown,
        f"column {written} holds {dtype} values; it should hold {kind}. Write it as such, "
        "or export the file as CSV",
    )
