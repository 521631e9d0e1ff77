"""Reading a JSON Lines file: one JSON object per line, every value kept as its exact text.

Records are split on LF (and CRLF) only: U+2028, U+0085 and other characters
that Python's ``splitlines`` would break on may stand inside strings. A line
that is not a JSON object, or that gives one key twice, is a malformed record;
the others are read.

Two readers read the same: polars reads the file by columns, while numpy
looks at its bytes for the lines polars might read otherwise than Python's
json (``_read_by_columns``); those lines, and every line of a file the guards
refuse, are parsed one by one by Python's json (``_careful``).
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from tariff.engine.usage.reading import (
    HEAD_BYTES,
    ROW_INDEX,
    MalformedRow,
    ReadFile,
    TableError,
    empty_file,
    empty_frame,
)

_SAVE_AS_UTF8 = "write it as UTF-8 JSON Lines"


class _RepeatedKey(ValueError):
    """An object that gives one key twice: which value is meant cannot be known."""


def read_json_lines(
    path: Path | bytes,
    shown: str,
    repetitive: tuple[str, ...] = (),
    keys: list[str] | None = None,
) -> ReadFile:
    """Every line's object as text columns, in the order keys first appear; bad lines apart.

    Read by columns where the guards allow (see :func:`_read_by_columns`), else
    line by line; both read the same. ``repetitive`` columns are coded as they
    are read by columns (polars categoricals), as the CSV reader codes them.
    ``path`` may also be the bytes of lines, such as one block of a file, and
    ``keys`` the columns that the file's head names, when already known.
    """
    with _opened(path) as file:
        head = file.read(HEAD_BYTES)
    if empty_file(shown, head, _SAVE_AS_UTF8):
        return ReadFile(empty_frame(), (), (), empty=True)
    if not head.startswith(codecs.BOM_UTF8):
        by_columns = _read_by_columns(path, repetitive, keys)
        if by_columns is not None:
            return by_columns
    return _read_by_line(path, shown)


def json_lines_blocks(path: Path, shown: str, block_bytes: int) -> Callable[[], Iterator[ReadFile]]:
    """The file read in blocks of whole lines, of about ``block_bytes``, rows numbered in the file.

    Each block reads as its lines read in the whole file: a line is a record
    on its own, and both readers read it the same (a block's names are the
    keys its own lines give, in the order they first appear there). Text
    columns come as text, as a CSV file's blocks give them.
    """

    def blocks() -> Iterator[ReadFile]:
        lines_before = 0
        size = max(path.stat().st_size, 1)
        keys: list[str] | None = None
        with path.open("rb") as file:
            rest = b""
            while True:
                chunk = file.read(block_bytes)
                cut = chunk.rfind(b"\n") + 1
                if chunk and not cut:  # a line longer than a block: read on
                    rest += chunk
                    continue
                # One copy: what the last chunk left, and this chunk to its last LF.
                data = b"".join((rest, memoryview(chunk)[:cut])) if chunk else rest
                rest = chunk[cut:]
                ended = not chunk
                through = 1.0 if ended else min(file.tell() / size, 1.0)
                # The bytes go once read: only the block's columns wait to be used.
                del chunk
                if data:
                    read = read_json_lines(data, shown, keys=keys)
                    lines = data.count(b"\n")
                    del data
                    # The first block's head names the columns of the rest.
                    keys = keys or list(read.header) or None
                    frame = read.frame.with_columns(pl.col(ROW_INDEX) + lines_before)
                    malformed = [
                        MalformedRow(bad.row + lines_before, bad.reason, bad.fields)
                        for bad in read.malformed
                    ]
                    yield ReadFile(frame, read.header, malformed, read.empty, through)
                    lines_before += lines
                if ended:
                    return

    return blocks


def _opened(source: Path | bytes) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _read_by_line(path: Path | bytes, shown: str) -> ReadFile:
    """The careful reader: each line parsed by Python's json, numbers as their exact text."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise TableError(
            shown, f"is not UTF-8 text (byte {problem.start}); {_SAVE_AS_UTF8}"
        ) from None
    records, rows, malformed = _careful(
        (row, line.removesuffix("\r")) for row, line in enumerate(text.split("\n"), start=1)
    )
    return _read_file(records, rows, malformed)


def _careful(
    lines: Iterable[tuple[int, str]],
) -> tuple[list[dict[str, str | None]], list[int], list[MalformedRow]]:
    malformed: list[MalformedRow] = []
    rows: list[int] = []
    records: list[dict[str, str | None]] = []
    for row, line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_float=Decimal, object_pairs_hook=_object)
        except json.JSONDecodeError as problem:
            malformed.append(MalformedRow(row, f"is not valid JSON ({problem.msg})"))
            continue
        except _RepeatedKey as repeated:
            malformed.append(MalformedRow(row, f"gives the key {repeated} twice"))
            continue
        if not isinstance(record, dict):
            malformed.append(MalformedRow(row, "is not a JSON object"))
            continue
        records.append({str(k): _json_text(v) for k, v in record.items()})
        rows.append(row)
    return records, rows, malformed


def _read_file(
    records: list[dict[str, str | None]], rows: list[int], malformed: list[MalformedRow]
) -> ReadFile:
    names = list(dict.fromkeys(name for record in records for name in record))
    columns = {name: [record.get(name) for record in records] for name in names}
    schema = {ROW_INDEX: pl.Int64, **dict.fromkeys(names, pl.String)}
    return ReadFile(pl.DataFrame({ROW_INDEX: rows, **columns}, schema=schema), names, malformed)


def _byte_set(members: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(members)] = True
    return table


# Bytes of a whole number; bytes that end a value; blanks (the LF ends every line).
_NUMBER_BYTES = _byte_set(b"-0123456789")
_DELIMITER_BYTES = _byte_set(b",} \t\n")
_BLANK_BYTES = _byte_set(b" \t\n")
_QUOTE, _COLON, _SPACE, _BACKSLASH = b'": \\'
# Whole numbers of up to 64 bits have at most 20 bytes; longer ones are read carefully.
_LONGEST_NUMBER = 22
# Lines whose keys name the columns; keys first met later are read carefully.
_HEAD_LINES = 10_000
# Chunks small enough that numpy's scratch arrays are reused, not fresh memory.
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class _LineFacts:
    """What each line of a file is, from its bytes: where it starts, and what it holds."""

    starts: np.ndarray  # byte offset of each line
    blank: np.ndarray  # nothing but blanks: no record
    plain: np.ndarray  # one flat object of text and whole numbers, no escape
    keys: np.ndarray  # colons outside strings: one per key of a plain line


def _read_by_columns(
    path: Path | bytes, repetitive: tuple[str, ...] = (), keys: list[str] | None = None
) -> ReadFile | None:
    r"""The file read by columns (polars), or None when only the careful reader reads it right.

    The guards keep the two readers' results the same:

    - records are split on LF only: the file must have no CR (nor a byte-order
      mark, checked before);
    - every line is parsed by polars as text columns; invalid JSON anywhere
      (or a line that is not an object) sends the whole file to the careful
      reader, which words each bad line;
    - a line is taken from polars only when its bytes show one flat object of
      strings and whole numbers without a backslash (no escape, so a ``\u``
      surrogate cannot be misread), and its keys (each ``":``) are as many as
      the fields polars found: so no key given twice, no key beyond the
      columns, and no null. Every other line is read carefully, alone.

    The columns are the keys of the head of the file (read carefully), or
    ``keys`` when given (a later block of a file, named by its first block);
    whole numbers come back as the text Python writes.
    """
    if _holds(path, b"\r"):
        return None
    head_records: list[dict[str, str | None]] = []
    head_rows: list[int] = []
    if keys is None:
        try:
            head = _head_lines(path)
        except UnicodeDecodeError:
            return None  # the careful reader says where
        head_records, head_rows, _ = _careful(enumerate(head, start=1))
        keys = list(dict.fromkeys(name for record in head_records for name in record))
    if not keys:
        return None
    schema = {
        key: pl.Categorical(pl.Categories.random())
        if key.strip().lower() in repetitive
        else pl.String
        for key in keys
    }
    # The bytes are looked at on a thread while polars parses: both let go of the GIL.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tariff-jsonl") as looking:
        looked = looking.submit(_line_facts, path)
        try:
            frame = pl.read_ndjson(
                io.BytesIO(path) if isinstance(path, bytes) else path, schema=schema
            )
        except pl.exceptions.PolarsError:
            return None
        facts = looked.result()
    rows = np.flatnonzero(~facts.blank) + 1
    if frame.height != rows.size:
        return None
    present = frame.select(pl.sum_horizontal(pl.col(k).is_not_null() for k in keys)).to_series()
    line = rows - 1
    fast = facts.plain[line] & (facts.keys[line] == present.to_numpy())
    frame = frame.with_columns(pl.Series(ROW_INDEX, rows, pl.Int64))
    if fast.all():
        return _combined(frame, keys, head_records, head_rows, [], [], [])
    records, record_rows, malformed = _careful(_lines_at(path, facts.starts, rows[~fast]))
    return _combined(
        frame.filter(pl.Series(fast)),
        keys,
        head_records,
        head_rows,
        records,
        record_rows,
        malformed,
    )


def _holds(path: Path | bytes, byte: bytes) -> bool:
    """Whether the file holds the byte anywhere, read in bounded chunks."""
    if isinstance(path, bytes):
        return byte in path
    with path.open("rb") as file:
        while block := file.read(_CHUNK_BYTES):
            if byte in block:
                return True
    return False


def _head_lines(path: Path | bytes) -> list[str]:
    with _opened(path) as file:
        return [file.readline().decode("utf-8").removesuffix("\n") for _ in range(_HEAD_LINES)]


def _line_facts(path: Path | bytes) -> _LineFacts:
    """Each line's facts, from the file's bytes, a bounded chunk at a time (numpy)."""
    parts: list[tuple[np.ndarray, ...]] = []
    offset = 0
    rest = b""
    with _opened(path) as file:
        while True:
            block = file.read(_CHUNK_BYTES)
            data = rest + block
            if not block and data:
                data += b"\n"  # the last line, without its LF
            cut = data.rfind(b"\n") + 1
            rest = data[cut:]
            if cut:
                starts, blank, plain, keys = _chunk_facts(data[:cut])
                parts.append((starts + offset, blank, plain, keys))
                offset += cut
            if not block:
                break
    if not parts:
        nothing = np.zeros(0, dtype=bool)
        return _LineFacts(np.zeros(0, np.int64), nothing, nothing, np.zeros(0, np.int32))
    return _LineFacts(*(np.concatenate(column) for column in zip(*parts, strict=True)))


def _chunk_facts(data: bytes) -> tuple[np.ndarray, ...]:
    """The facts of whole lines (each ending in LF) in one chunk of bytes, in numpy.

    A line without a backslash has no quote inside a string, so each ``":`` in
    it closes a key: counting them counts its keys. The value after each key
    must be text (``"``) or a whole number (digits up to the next ``,``, ``}``
    or blank); any other value, or a backslash, leaves the line to the careful
    reader. Only two passes go over every byte (LFs, colons); the rest looks at
    the few bytes after each key.
    """
    array = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(array == 10)
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    colons = np.flatnonzero(array == _COLON)
    key_colons = colons[(colons > 0) & (array[colons - 1] == _QUOTE)]
    keys = np.bincount(np.searchsorted(ends, key_colons), minlength=ends.size).astype(np.int32)
    values = key_colons + 1
    values += array[values] == _SPACE  # one blank after the colon, as json.dumps writes
    first = array[values]
    number = _NUMBER_BYTES[first]
    unplain = [values[~(number | (first == _QUOTE))]]
    # A number runs to the next delimiter; a dot or an exponent in it makes it a
    # float, whose text polars would rewrite. Numbers longer than this are looked
    # at by the careful reader too.
    at = values[number]
    for step in range(1, _LONGEST_NUMBER):
        following = array[np.minimum(at + step, array.size - 1)]
        ended = _DELIMITER_BYTES[following]
        unplain.append(at[~ended & ~_NUMBER_BYTES[following]])
        at = at[~ended & _NUMBER_BYTES[following]]  # the numbers still running
        if not at.size:
            break
    unplain.append(at)
    if b"\\" in data:
        unplain.append(np.flatnonzero(array == _BACKSLASH))
    plain = np.ones(ends.size, dtype=bool)
    for positions in unplain:
        if positions.size:
            plain[np.searchsorted(ends, positions)] = False
    blank = np.zeros(ends.size, dtype=bool)
    # Blank lines are empty or start with a blank; the few that start so are looked at.
    suspect = (ends == starts) | _BLANK_BYTES[array[starts]]
    for line in np.flatnonzero(suspect).tolist():
        blank[line] = not data[starts[line] : ends[line]].strip()
    return starts, blank, plain, keys


def _lines_at(
    path: Path | bytes, starts: np.ndarray, rows: np.ndarray
) -> Iterator[tuple[int, str]]:
    """The text of the given lines (numbered from 1), read where they start."""
    with _opened(path) as file:
        for row in rows.tolist():
            file.seek(int(starts[row - 1]))
            yield row, file.readline().decode("utf-8").removesuffix("\n")


def _combined(
    fast: pl.DataFrame,
    keys: list[str],
    head_records: list[dict[str, str | None]],
    head_rows: list[int],
    records: list[dict[str, str | None]],
    rows: list[int],
    malformed: list[MalformedRow],
) -> ReadFile:
    """The columnar rows and the careful ones, by row, keys in the order they first appear.

    Every column polars read is a key of the head, which was read carefully; a
    key met later is only in lines read carefully. So each key's first row, and
    its place in that row, are known exactly.
    """
    first_seen: dict[str, tuple[int, int]] = {}
    for row, record in zip([*head_rows, *rows], [*head_records, *records], strict=True):
        for place, name in enumerate(record):
            if name not in first_seen or (row, place) < first_seen[name]:
                first_seen[name] = (row, place)
    names = sorted(first_seen, key=first_seen.__getitem__)
    if not head_rows:
        # Columns named by the caller: theirs first, then keys met in careful lines.
        names = [*keys, *(name for name in names if name not in keys)]
    columns = fast.select(ROW_INDEX, *keys)
    if records or malformed or names != keys:
        # Careful rows join in the columns' own types (a coded column keeps its codes).
        careful = _read_file(records, rows, malformed).frame
        careful = careful.with_columns(
            pl.col(n).cast(columns.schema[n]) for n in careful.columns if n in columns.columns
        )
        together = pl.concat([columns, careful], how="diagonal")
        missing = [pl.lit(None, pl.String).alias(n) for n in names if n not in together.columns]
        columns = together.with_columns(missing).select(ROW_INDEX, *names).sort(ROW_INDEX)
    return ReadFile(columns, names, malformed)


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    record: dict[str, object] = {}
    for key, value in pairs:
        if key in record:
            raise _RepeatedKey(json.dumps(key))
        record[key] = value
    return record


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal):
        return str(value)
    return json.dumps(value, default=str)
