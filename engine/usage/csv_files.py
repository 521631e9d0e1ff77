"""Reading a CSV file as spreadsheets and systems write it, or saying why it cannot be read.

Before parsing, the file's start is looked at once: an empty file is an empty
table; UTF-16 or UTF-32 text (a byte-order mark, or NUL bytes) is named as
such; a header without commas but with semicolons or tabs sets the delimiter;
and a file whose lines end in CR alone (Excel's "CSV (Macintosh)") is read as
if they ended in LF. polars reads the file; when it refuses, Python's csv
module reads it record by record, so that a bad record costs only itself, and
a quote that never closes stops the file with the row where it opened.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from tariff.engine.usage.reading import (
    HEAD_BYTES,
    ROW_INDEX,
    MalformedRow,
    NotInBlocks,
    ReadFile,
    TableError,
    empty_file,
    empty_frame,
)

_SAVE_AS_UTF8 = "save it as UTF-8 CSV (in Excel: File > Save As > CSV UTF-8)"
_LF, _QUOTE = b'\n"'


@dataclass(frozen=True)
class _Layout:
    """What the file's start says about how to read it."""

    separator: str
    # The file's text with CR line endings turned into LF, when it has no LF at all.
    rewritten: bytes | None
    empty: bool


def read_csv(path: Path, shown: str, repetitive: tuple[str, ...]) -> ReadFile:
    """The file's records as text columns (``repetitive`` ones coded), and the malformed ones."""
    layout = _layout(path, shown)
    if layout.empty:
        return ReadFile(empty_frame(), (), (), empty=True)
    source: Path | io.BytesIO = (
        io.BytesIO(layout.rewritten) if layout.rewritten is not None else path
    )
    header = _header(path, layout)
    try:
        frame = _polars_read(source, layout.separator, repetitive)
    except pl.exceptions.NoDataError:
        return ReadFile(empty_frame(), header, ())
    except pl.exceptions.ComputeError:
        return _read_by_record(path, shown, layout)
    return ReadFile(_without_blank_rows(frame), header, ())


def csv_blocks(path: Path, shown: str, block_bytes: int) -> Callable[[], Iterator[ReadFile]] | None:
    """The file read in blocks of about ``block_bytes``, rows numbered in the whole file.

    Each block is the header and whole records: it is cut only at a line end
    outside quotes (after an even number of ``"``), so that each record reads
    as it does in the whole file, and at most one block is in memory at a
    time. Text columns come as text: coding them is the caller's business.
    None when the file is not read so (empty, or with CR line ends alone); a
    block that polars refuses raises :class:`NotInBlocks`, for the file to be
    read whole, record by record.
    """
    layout = _layout(path, shown)
    if layout.empty or layout.rewritten is not None:
        return None
    header = _header(path, layout)

    def blocks() -> Iterator[ReadFile]:
        rows_before = 0
        size = max(path.stat().st_size, 1)
        with path.open("rb") as file:
            head = _whole_records(file.readline(), file)
            for records in _record_blocks(file, head, block_bytes):
                try:
                    frame = _polars_read(io.BytesIO(records), layout.separator, ())
                except (pl.exceptions.NoDataError, pl.exceptions.ComputeError):
                    raise NotInBlocks(shown) from None
                numbered = frame.with_columns(pl.col(ROW_INDEX) + rows_before)
                rows_before += frame.height
                through = min(file.tell() / size, 1.0)
                # Without a quote or a CR, a field cannot hold a line break:
                # the check for rows merged by a stray quote has nothing to find.
                unbroken = b'"' not in records and b"\r" not in records
                # The bytes go once read: only the block's columns wait to be used.
                del records
                yield ReadFile(
                    _without_blank_rows(numbered), header, (), through=through, unbroken=unbroken
                )

    return blocks


def _record_blocks(file: BinaryIO, head: bytes, block_bytes: int) -> Iterator[bytes]:
    """The header and, after it, the next whole records of about ``block_bytes``, until the end.

    A file of a header alone is one block without records.
    """
    rest = b""
    chunk = file.read(block_bytes)
    if not chunk:
        yield head
        return
    while chunk:
        cut = _last_record_end(chunk, quoted=rest.count(b'"') % 2 == 1)
        if not cut:  # a quoted field longer than a block: read on
            rest += chunk
        else:
            # One copy: the header, what the last chunk left, and this chunk to its cut.
            yield b"".join((head, rest, memoryview(chunk)[:cut]))
            rest = chunk[cut:]
        chunk = file.read(block_bytes)
    if rest:
        yield head + rest


def _whole_records(data: bytes, file: BinaryIO) -> bytes:
    """``data`` and as many more lines of ``file`` as close the quote it leaves open."""
    while data.count(b'"') % 2 and (line := file.readline()):
        data += line
    return data


def _last_record_end(data: bytes, *, quoted: bool) -> int:
    """Where the last whole record of ``data`` ends: after its last LF outside quotes (or 0).

    ``quoted`` says that ``data`` starts inside a quoted field.
    """
    if b'"' not in data:
        return 0 if quoted else data.rfind(b"\n") + 1
    array = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(array == _LF)
    quotes_before = np.searchsorted(np.flatnonzero(array == _QUOTE), ends) + quoted
    outside = np.flatnonzero(quotes_before % 2 == 0)
    return int(ends[outside[-1]]) + 1 if outside.size else 0


def _polars_read(
    source: Path | io.BytesIO, separator: str, repetitive: tuple[str, ...]
) -> pl.DataFrame:
    """The records as text columns, numbered from 1; NoDataError or ComputeError as polars says."""
    coded = {}
    if repetitive:  # the header's names say which columns to code as they are read
        if isinstance(source, io.BytesIO):
            source.seek(0)
        header = pl.read_csv(source, n_rows=0, separator=separator, infer_schema=False)
        coded = {
            name: pl.Categorical(pl.Categories.random())
            for name in header.columns
            if name.strip().lower() in repetitive
        }
    if isinstance(source, io.BytesIO):
        source.seek(0)
    # The reader numbers the rows itself: a row column added afterwards would
    # be cut into other pieces than the rest, and every later step would pay
    # to realign them.
    return pl.read_csv(
        source,
        separator=separator,
        infer_schema=False,
        schema_overrides=coded,
        raise_if_empty=False,
        row_index_name=ROW_INDEX,
        row_index_offset=1,
    )


def _layout(path: Path, shown: str) -> _Layout:
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if empty_file(shown, head, _SAVE_AS_UTF8):
        return _Layout(",", None, empty=True)
    text = head.removeprefix(codecs.BOM_UTF8)
    first_line = text.replace(b"\r", b"\n").split(b"\n", 1)[0]
    separator = ","
    if b"," not in first_line:
        separator = next((s for s in (";", "\t") if s.encode() in first_line), ",")
    rewritten = None
    if b"\r" in text and b"\n" not in text:
        rewritten = path.read_bytes().replace(b"\r", b"\n")
    return _Layout(separator, rewritten, empty=False)


def _header(path: Path, layout: _Layout) -> tuple[str, ...]:
    """The header's names as written (polars renames repeated ones; this does not)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return tuple(next(csv.reader(handle, delimiter=layout.separator), []))
    except (UnicodeDecodeError, csv.Error):
        return ()


def _read_by_record(path: Path, shown: str, layout: _Layout) -> ReadFile:
    """Python's csv module, record by record, so a bad record costs only itself."""
    malformed: list[MalformedRow] = []
    records: list[list[str]] = []
    rows: list[int] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=layout.separator, strict=True)
            header = next(reader, [])
            row = 0
            while True:
                row += 1
                first_line = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as problem:
                    if "unexpected end of data" in str(problem):
                        raise _unclosed_quote(shown, row, first_line) from None
                    malformed.append(MalformedRow(row, f"is not valid CSV ({problem})"))
                    continue
                if not any(record):
                    continue
                if len(record) != len(header):
                    if reader.line_num > first_line:
                        # A record over several lines with the wrong number of
                        # fields is rows merged by a stray quote, not a record.
                        raise _unclosed_quote(shown, row, first_line)
                    malformed.append(
                        MalformedRow(
                            row,
                            f"has {len(record)} fields where the header has {len(header)}",
                            dict(zip(header, record, strict=False)),
                        )
                    )
                    continue
                records.append(record)
                rows.append(row)
    except UnicodeDecodeError as problem:
        raise TableError(
            shown, f"is not UTF-8 text (byte {problem.start}); {_SAVE_AS_UTF8}"
        ) from None
    columns = {name: [record[i] for record in records] for i, name in enumerate(header)}
    frame = pl.DataFrame(
        {ROW_INDEX: rows, **columns},
        schema={ROW_INDEX: pl.Int64, **dict.fromkeys(columns, pl.String)},
    )
    return ReadFile(frame, tuple(header), tuple(malformed))


def _unclosed_quote(shown: str, row: int, line: int) -> TableError:
    return TableError(
        shown,
        f'row {row} (line {line}): a quote (") opens there and is not closed before the '
        "next record, so the rows after it would be read into it; close or remove the quote",
    )


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop records whose every field is empty: a blank line is not a record."""
    fields = [name for name in frame.columns if name != ROW_INDEX]
    if not fields:
        return frame
    blank = pl.all_horizontal([pl.col(name).is_null() for name in fields])
    # Filtering copies every column; most files have no blank line to drop.
    if not frame.select(blank.any()).item():
        return frame
    return frame.filter(~blank)
