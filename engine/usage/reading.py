"""What a file reader gives back: the records as columns, numbered, and those it could not read."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

# The readers number records in a column of this name, which no file's own
# column can take: a file may well have a column called "row".
ROW_INDEX = "\u241frow"
# Enough of a file's start to see its encoding, its header and its line endings.
HEAD_BYTES = 1 << 16
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class TableError(Exception):
    """A whole input file cannot be used: unreadable, wrong format or missing columns."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


class NotInBlocks(Exception):
    """A block of a file that reads otherwise than in the whole file: read the file whole.

    Raised while reading in blocks, for a block that only the careful,
    whole-file reader reads right (such as a record polars refuses).
    """

    def __init__(self, file: str) -> None:
        super().__init__(f"{file}: read the whole file")
        self.file = file


@dataclass(frozen=True)
class MalformedRow:
    """A record that could not be read into columns."""

    row: int
    reason: str
    # The fields that could be read, by column name (a ragged row still names its account).
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadFile:
    """What a reader got from a file: its columns (rows in ``ROW_INDEX``) and bad records.

    ``header`` is the column names as the file writes them, repeats included;
    ``empty`` is a file with nothing in it, not even a header: an empty table;
    ``through`` how much of the file has been read with it (for progress).
    """

    frame: pl.DataFrame
    header: Sequence[str]
    malformed: Sequence[MalformedRow]
    empty: bool = False
    # The share of the file read once this is: 1 for a whole file, less for a block.
    through: float = 1.0
    # The bytes held no quote and no CR, so no field can hold a line break.
    unbroken: bool = False


def empty_file(shown: str, head: bytes, advice: str) -> bool:
    """Whether a text file's start says it is empty; TableError if it is not UTF-8 text.

    UTF-16 and UTF-32 are named by their byte-order mark, or by the NUL bytes
    that they have and UTF-8 text never does; ``advice`` says how to save the
    file as UTF-8.
    """
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            raise TableError(
                shown, f"is {encoding} text (it starts with a byte-order mark); {advice}"
            )
    if b"\x00" in head:
        raise TableError(
            shown, f"has NUL bytes, as UTF-16 text does, so it is not UTF-8 text; {advice}"
        )
    return not head.removeprefix(codecs.BOM_UTF8).strip()


def empty_frame() -> pl.DataFrame:
    """A table without columns or records: what an empty file reads as."""
    return pl.DataFrame({ROW_INDEX: []}, schema={ROW_INDEX: pl.Int64})
