"""Reading a JSON Lines file: one JSON object per line, every value kept as its exact text.

Records are split on LF (and CRLF) only: U+2028, U+0085 and other characters
that Python's ``splitlines`` would break on may stand inside strings. A line
that is not a JSON object, or that gives one key twice, is a malformed record;
the others are read.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

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


def read_json_lines(path: Path, shown: str) -> ReadFile:
    """Every line's object as text columns, in the order keys first appear; bad lines apart."""
    data = path.read_bytes()
    if empty_file(shown, data[:HEAD_BYTES], _SAVE_AS_UTF8):
        return ReadFile(empty_frame(), (), (), empty=True)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise TableError(
            shown, f"is not UTF-8 text (byte {problem.start}); {_SAVE_AS_UTF8}"
        ) from None
    malformed: list[MalformedRow] = []
    rows: list[int] = []
    records: list[dict[str, str | None]] = []
    for row, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
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
    names = list(dict.fromkeys(name for record in records for name in record))
    columns = {name: [record.get(name) for record in records] for name in names}
    schema = {ROW_INDEX: pl.Int64, **dict.fromkeys(names, pl.String)}
    return ReadFile(pl.DataFrame({ROW_INDEX: rows, **columns}, schema=schema), names, malformed)


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
