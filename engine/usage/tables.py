"""Input files to columnar tables: CSV, JSON Lines and Parquet, by extension.

Every table comes back with a 1-based ``row`` column (the engine's own count of
records after the header, whatever columns the file has), the requested
columns present (absent ones as nulls), and empty cells as null. Column names
are read without regard to case and surrounding spaces; a column the engine
does not use is ignored, whatever it is called. Records that cannot be read
at all are returned as malformed rows, never dropped. Text is returned as
written; trimming it is the reader of each file's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import polars as pl

from tariff.dsl.catalogue import display_path
from tariff.engine.usage.csv_files import csv_blocks, read_csv
from tariff.engine.usage.json_lines import json_lines_blocks, read_json_lines
from tariff.engine.usage.parquet_files import parquet_blocks, read_parquet
from tariff.engine.usage.reading import ROW_INDEX, MalformedRow, NotInBlocks, ReadFile, TableError

CSV_SUFFIXES = (".csv",)
# Calls are read in blocks of about this much text (some 260,000 calls of CSV):
# big enough that a block's fixed costs stay small, small enough that the few
# in flight (read, checked, rated) keep a 50,000,000-call month under 1 GB.
BLOCK_BYTES = 1 << 24
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Table:
    """The columns of one input file, and the records that could not be read."""

    file: str
    frame: pl.DataFrame
    malformed: tuple[MalformedRow, ...]
    # The share of the file read once this table is (less than 1 for a block).
    through: float = 1.0


def read_table(
    path: Path, columns: Sequence[str], required: Sequence[str], repetitive: Sequence[str] = ()
) -> Table:
    """Read ``columns`` of ``path``; raise TableError if a required column is absent.

    ``repetitive`` names text columns with few distinct values (such as
    tracking numbers): a CSV reader codes them as it reads (polars
    categoricals), which costs less than coding them afterwards.
    """
    shown = display_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            read = read_csv(path, shown, tuple(repetitive))
        elif suffix in JSON_LINES_SUFFIXES:
            read = read_json_lines(path, shown, tuple(repetitive))
        elif suffix in PARQUET_SUFFIXES:
            read = read_parquet(path, shown, columns)
        else:
            raise TableError(shown, f"unknown file type '{suffix}'; use .csv, .jsonl or .parquet")
    except FileNotFoundError:
        raise TableError(shown, "no such file") from None
    except IsADirectoryError:
        raise TableError(shown, "is a directory, not a file") from None
    except PermissionError:
        raise TableError(shown, "permission denied") from None
    return _finished(read, shown, columns, required)


def table_blocks(
    path: Path,
    columns: Sequence[str],
    required: Sequence[str],
    block_bytes: int = BLOCK_BYTES,
) -> Callable[[], Iterator[Table]] | None:
    """The file's tables block by block, of about ``block_bytes`` of text (or as many rows).

    Text columns come as text: coding a block's repetitive columns costs less
    after reading than while reading it, so it is left to the caller.

    Each block's table is what :func:`read_table` gives for those records of
    the whole file, rows numbered as there. None for a file that is read whole
    (an empty one, or a CSV with CR line ends alone). While blocks are read,
    TableError or :class:`NotInBlocks` says to read the whole file instead,
    which words the problem as one reading would.
    """
    shown = display_path(path)
    suffix = path.suffix.lower()
    blocks: Callable[[], Iterator[ReadFile]] | None
    try:
        if suffix in CSV_SUFFIXES:
            blocks = csv_blocks(path, shown, block_bytes)
        elif suffix in JSON_LINES_SUFFIXES:
            # A JSON line names every key: twice a CSV record's bytes, for blocks of as many calls.
            blocks = json_lines_blocks(path, shown, 2 * block_bytes)
        elif suffix in PARQUET_SUFFIXES:
            blocks = parquet_blocks(path, shown, columns, max(1, block_bytes // _ROW_BYTES))
        else:
            return None
    except (TableError, OSError):
        return None  # read whole, which words the problem
    if blocks is None:
        return None
    read_blocks = blocks

    def tables() -> Iterator[Table]:
        spellings: dict[str, set[str]] = {}
        for read in read_blocks():
            for written in read.header:
                spellings.setdefault(written.strip().lower(), set()).add(written)
            if any(len(spellings.get(name, ())) > 1 for name in columns):
                # Blocks that name a column in different ways: the whole file says how.
                raise NotInBlocks(shown)
            yield _finished(read, shown, columns, required)

    return tables


# A call is about this many bytes of CSV: Parquet blocks hold as many calls
# as a text block does.
_ROW_BYTES = 64


def table_from_frame(
    frame: pl.DataFrame, name: str, columns: Sequence[str], required: Sequence[str]
) -> Table:
    """A table from columns already in memory, such as one partition's Arrow table.

    A ``row`` column, if present, keeps each record's row number in its
    original file, so that messages point there; otherwise rows count from 1.
    """
    if "row" in frame.columns:
        frame = frame.rename({"row": ROW_INDEX})
    else:
        frame = frame.with_row_index(ROW_INDEX, offset=1)
    header = [c for c in frame.columns if c != ROW_INDEX]
    return _finished(ReadFile(frame, header, ()), name, columns, required)


def _finished(read: ReadFile, shown: str, columns: Sequence[str], required: Sequence[str]) -> Table:
    by_name: dict[str, list[str]] = {}
    for written in read.header:
        by_name.setdefault(written.strip().lower(), []).append(written)
    for name in columns:
        if len(by_name.get(name, [])) > 1:
            names = " and ".join(f"'{written}'" for written in by_name[name])
            raise TableError(
                shown,
                f"the columns {names} are both column {name} (names ignore case and spaces); "
                "keep one of them",
            )
    frame = read.frame
    present = {
        written.strip().lower(): written for written in frame.columns if written != ROW_INDEX
    }
    missing = [name for name in required if name not in present]
    if missing and not read.empty:
        listed = ", ".join(written for written in read.header) or "no columns"
        raise TableError(
            shown,
            f"missing required {'columns' if len(missing) > 1 else 'column'} "
            + ", ".join(missing)
            + f" (it has: {listed})",
        )
    selected = [pl.col(ROW_INDEX).cast(pl.Int64).alias("row")]
    for name in columns:
        column = present.get(name)
        if column is None:
            selected.append(pl.lit(None, dtype=pl.String).alias(name))
        elif frame.schema[column] == pl.Null:
            selected.append(pl.col(column).cast(pl.String).alias(name))
        else:
            selected.append(pl.col(column).alias(name))
    table = frame.select(selected)
    if not read.unbroken:
        _refuse_merged_rows(table, shown, columns)
    return Table(shown, table, tuple(read.malformed), read.through)


# The one field that may hold several lines: an accounts file's postal address.
MULTI_LINE_FIELDS = frozenset({"address"})


def _refuse_merged_rows(table: pl.DataFrame, shown: str, columns: Sequence[str]) -> None:
    """TableError for a field with a line break: a stray quote merged the rows after it.

    No field the engine reads holds more than one line, but an address, so a
    line break in one is a quote opened in that row and closed only in a later
    one. Coded columns are looked at once per distinct value, the others in one pass.
    """
    breaks = ["\n", "\r"]
    plain: list[str] = []
    for name in columns:
        if name in MULTI_LINE_FIELDS:
            continue
        dtype = table.schema[name]
        if isinstance(dtype, pl.Categorical):
            if dtype.categories.to_series().str.contains_any(breaks).any():
                _merged_rows(table, shown, name)
        elif dtype == pl.String:
            plain.append(name)
    if not plain:
        return
    found = table.select(pl.col(name).str.contains_any(breaks).any() for name in plain).row(0)
    for name, broken in zip(plain, found, strict=True):
        if broken:
            _merged_rows(table, shown, name)


def _merged_rows(table: pl.DataFrame, shown: str, name: str) -> NoReturn:
    broken = table.filter(pl.col(name).cast(pl.String).str.contains_any(["\n", "\r"]))
    raise TableError(
        shown,
        f"row {broken['row'][0]}: field {name} runs over several lines, so the rows "
        'after it were read into it: a quote (") opens there and closes only in a later '
        "line; close or remove the quote",
    )
