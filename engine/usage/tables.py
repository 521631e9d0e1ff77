"""Input files to columnar tables: CSV, JSON Lines and Parquet, by extension.

Every table comes back with a 1-based ``row`` column (the record's position
after the header), the requested columns present (absent ones as nulls), and
empty cells as null. Records that cannot be read at all are returned
as malformed rows, never dropped: the fast readers of polars are tried first, and
a careful row-by-row reader takes over only when they refuse a file. Text is
returned as written; trimming it is the reader of each file's business.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from tariff.dsl.catalogue import display_path

CSV_SUFFIXES = (".csv",)
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")


class TableError(Exception):
    """A whole input file cannot be used: unreadable, wrong format or missing columns."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True)
class MalformedRow:
    """A record that could not be read into columns."""

    row: int
    reason: str


@dataclass(frozen=True)
class Table:
    """The columns of one input file, and the records that could not be read."""

    file: str
    frame: pl.DataFrame
    malformed: tuple[MalformedRow, ...]


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
            frame, malformed = _read_csv(path, shown, repetitive)
        elif suffix in JSON_LINES_SUFFIXES:
            frame, malformed = _read_json_lines(path, shown)
        elif suffix in PARQUET_SUFFIXES:
            frame, malformed = _read_parquet(path, shown), []
        else:
            raise TableError(shown, f"unknown file type '{suffix}'; use .csv, .jsonl or .parquet")
    except FileNotFoundError:
        raise TableError(shown, "no such file") from None
    except IsADirectoryError:
        raise TableError(shown, "is a directory, not a file") from None
    except PermissionError:
        raise TableError(shown, "permission denied") from None
    return _finished(frame, shown, columns, required, malformed)


def table_from_frame(
    frame: pl.DataFrame, name: str, columns: Sequence[str], required: Sequence[str]
) -> Table:
    """A table from columns already in memory, such as one partition's Arrow table.

    A ``row`` column, if present, keeps each record's row number in its
    original file, so that messages point there; otherwise rows count from 1.
    """
    if "row" not in frame.columns:
        frame = frame.with_row_index("row", offset=1)
    return _finished(frame, name, columns, required, [])


def _finished(
    frame: pl.DataFrame,
    shown: str,
    columns: Sequence[str],
    required: Sequence[str],
    malformed: Sequence[MalformedRow],
) -> Table:
    frame = frame.rename({name: name.strip().lower() for name in frame.columns})
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise TableError(
            shown,
            f"missing required column{'s' if len(missing) > 1 else ''} "
            + ", ".join(missing)
            + f" (it has: {', '.join(c for c in frame.columns if c != 'row') or 'no columns'})",
        )
    return Table(shown, _select(frame, columns), tuple(malformed))


def _select(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """The row column and the requested ones, absent ones as null text."""
    selected = [pl.col("row").cast(pl.Int64)]
    for name in columns:
        if name not in frame.columns:
            selected.append(pl.lit(None, dtype=pl.String).alias(name))
        elif frame.schema[name] == pl.Null:
            selected.append(pl.col(name).cast(pl.String))
        else:
            selected.append(pl.col(name))
    return frame.select(selected)


# ----------------------------------------------------------------------- CSV


def _read_csv(
    path: Path, shown: str, repetitive: Sequence[str]
) -> tuple[pl.DataFrame, list[MalformedRow]]:
    try:
        header = pl.read_csv(path, n_rows=0, infer_schema=False, raise_if_empty=False).columns
        coded = {
            name: pl.Categorical(pl.Categories.random())
            for name in header
            if name.strip().lower() in repetitive
        }
        # The reader numbers the rows itself: a row column added afterwards
        # would be cut into other pieces than the rest, and every later step
        # would pay to realign them.
        frame = pl.read_csv(
            path,
            infer_schema=False,
            schema_overrides=coded,
            raise_if_empty=False,
            row_index_name="row",
            row_index_offset=1,
        )
    except pl.exceptions.NoDataError:
        return pl.DataFrame({"row": []}, schema={"row": pl.Int64}), []
    except pl.exceptions.ComputeError:
        return _read_csv_by_row(path, shown)
    return _without_blank_rows(frame), []


def _read_csv_by_row(path: Path, shown: str) -> tuple[pl.DataFrame, list[MalformedRow]]:
    """Python's csv module, record by record, so a bad record costs only itself."""
    malformed: list[MalformedRow] = []
    records: list[list[str]] = []
    rows: list[int] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, [])
            row = 0
            while True:
                row += 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as problem:
                    malformed.append(MalformedRow(row, f"is not valid CSV ({problem})"))
                    continue
                if not any(record):
                    continue
                if len(record) != len(header):
                    malformed.append(
                        MalformedRow(
                            row,
                            f"has {len(record)} fields where the header has {len(header)}",
                        )
                    )
                    continue
                records.append(record)
                rows.append(row)
    except UnicodeDecodeError as problem:
        raise TableError(
            shown, f"is not UTF-8 text (byte {problem.start}); save it as UTF-8 CSV"
        ) from None
    columns = {name: [record[i] for record in records] for i, name in enumerate(header)}
    frame = pl.DataFrame({"row": rows, **columns}, schema_overrides={"row": pl.Int64})
    return frame, malformed


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop records whose every field is empty: a blank line is not a record."""
    fields = [name for name in frame.columns if name != "row"]
    if not fields:
        return frame
    blank = pl.all_horizontal([pl.col(name).is_null() for name in fields])
    # Filtering copies every column; most files have no blank line to drop.
    if not frame.select(blank.any()).item():
        return frame
    return frame.filter(~blank)


# ---------------------------------------------------------------- JSON Lines


def _read_json_lines(path: Path, shown: str) -> tuple[pl.DataFrame, list[MalformedRow]]:
    # Every field is read as text, so that numbers keep their exact digits.
    malformed: list[MalformedRow] = []
    rows: list[int] = []
    records: list[dict[str, str | None]] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as problem:
        raise TableError(shown, f"is not UTF-8 text (byte {problem.start})") from None
    for row, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as problem:
            malformed.append(MalformedRow(row, f"is not valid JSON ({problem.msg})"))
            continue
        if not isinstance(record, dict):
            malformed.append(MalformedRow(row, "is not a JSON object"))
            continue
        records.append({str(k): _json_text(v) for k, v in record.items()})
        rows.append(row)
    names = sorted({name for record in records for name in record})
    columns = {name: [record.get(name) for record in records] for name in names}
    schema = {"row": pl.Int64, **dict.fromkeys(names, pl.String)}
    return pl.DataFrame({"row": rows, **columns}, schema=schema), malformed


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal):
        return str(value)
    return json.dumps(value)


# ------------------------------------------------------------------- Parquet


def _read_parquet(path: Path, shown: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path, row_index_name="row", row_index_offset=1)
    except (pl.exceptions.ComputeError, OSError) as problem:
        if isinstance(problem, FileNotFoundError | IsADirectoryError | PermissionError):
            raise
        raise TableError(shown, f"is not a readable Parquet file ({problem})") from None
    return frame
