"""The calls a run rejected: kept as columns, capped in memory, spilled to disk if huge.

A month can reject millions of calls (a file of the wrong month, a numbers
file that lacks a customer). As objects, each rejection would take hundreds
of bytes; as columns, whose reasons many calls share, a few dozen, and past a
cap they go to Arrow files in a temporary folder. They come out in row order,
a block at a time: as :class:`Rejection` objects only to those who ask for
them, and as JSON text for the invoice document without any.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import polars as pl

from tariff.engine.usage.errors import REJECTION_SCHEMA, Rejection, rejection, rejection_frame

# Rejections held in memory before the oldest go to disk: about 40 MB of columns.
IN_MEMORY_ROWS = 1_000_000


@dataclass
class _Part:
    """Rejections added together, by row; in memory, or spilled to ``path``."""

    first_row: int
    height: int
    frame: pl.DataFrame | None
    path: Path | None = None

    def columns(self) -> pl.DataFrame:
        if self.frame is not None:
            return self.frame
        assert self.path is not None, "a spilled part has its file"
        return pl.read_ipc(self.path)


class RejectionLog:
    """Rejections gathered as a month is rated, in any order; :meth:`finished` orders them.

    Past ``in_memory_rows`` rows, the parts held in memory are written to
    Arrow files in a temporary folder, which the finished
    :class:`RejectedCalls` removes when it is itself let go.
    """

    def __init__(self, in_memory_rows: int = IN_MEMORY_ROWS) -> None:
        self.in_memory_rows = in_memory_rows
        self.parts: list[_Part] = []
        self._in_memory = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, frame: pl.DataFrame) -> None:
        """Rejections as columns of :data:`tariff.engine.usage.errors.REJECTION_SCHEMA`."""
        if not frame.height:
            return
        frame = frame.select(REJECTION_SCHEMA.names()).sort("row")
        self.parts.append(_Part(int(frame["row"][0]), frame.height, frame))
        self._in_memory += frame.height
        if self._in_memory > self.in_memory_rows:
            self._spill()

    def add_rejections(self, rejections: Sequence[Rejection]) -> None:
        """Rejections as objects, e.g. those of the rows a reader could not read."""
        if rejections:
            self.add(rejection_frame(rejections))

    def finished(self) -> RejectedCalls:
        """Every rejection added, in row order."""
        return RejectedCalls(tuple(sorted(self.parts, key=lambda p: p.first_row)), self._folder)

    def _spill(self) -> None:
        """Write every part held in memory to its own Arrow file."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="tariff-rejected-")
        for number, part in enumerate(self.parts):
            if part.frame is not None:
                part.path = Path(self._folder.name) / f"part-{number}.arrow"
                part.frame.write_ipc(part.path)
                part.frame = None
        self._in_memory = 0


def month_rejections(read: Sequence[Rejection], rated: pl.DataFrame) -> RejectedCalls:
    """A month's rejections read whole: those of reading it, and those of rating it (as columns)."""
    log = RejectionLog()
    log.add_rejections(read)
    log.add(rated)
    return log.finished()


class RejectedCalls(Sequence[Rejection]):
    """A run's rejected calls in row order: a sequence of :class:`Rejection`, held as columns.

    Iterating makes each rejection as it is reached; :meth:`frames` gives the
    columns a block at a time, and :meth:`json_text` the invoice document's
    JSON of them, neither making any.
    """

    def __init__(
        self,
        parts: tuple[_Part, ...] = (),
        folder: tempfile.TemporaryDirectory[str] | None = None,
    ) -> None:
        self._parts = parts
        # Held so that the spilled files last as long as the rejections do.
        self._folder = folder
        self._count = sum(part.height for part in parts)

    @classmethod
    def of(cls, rejections: Iterable[Rejection]) -> RejectedCalls:
        """Rejections as a sequence, in row order."""
        log = RejectionLog()
        log.add_rejections(list(rejections))
        return log.finished()

    @classmethod
    def joined(cls, runs: Iterable[RejectedCalls]) -> RejectedCalls:
        """The rejections of several runs (of disjoint calls) as one sequence, in row order."""
        log = RejectionLog()
        for rejected in runs:
            for frame in rejected.frames():
                log.add(frame)
        return log.finished()

    def frames(self) -> Iterator[pl.DataFrame]:
        """The rejections as columns, in row order, a block at a time."""
        # Parts come by first row; rows of parts that overlap (calls held back
        # to the end of a month) are merged: those before the next part's
        # first row are in their final order.
        pending: pl.DataFrame | None = None
        for part in self._parts:
            frame = part.columns()
            if pending is not None:
                before = pending.filter(pl.col("row") < part.first_row)
                if before.height:
                    yield before
                later = pending.filter(pl.col("row") >= part.first_row)
                frame = pl.concat([later, frame]).sort("row") if later.height else frame
            pending = frame
        if pending is not None:
            yield pending

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Rejection]:
        for frame in self.frames():
            for file, row, call_id, field, reason in frame.iter_rows():
                yield rejection(file, row, call_id, field, reason)

    @overload
    def __getitem__(self, index: int) -> Rejection: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Rejection, ...]: ...

    def __getitem__(self, index: int | slice) -> Rejection | tuple[Rejection, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if not -self._count <= index < self._count:
            raise IndexError("rejection index out of range")
        index %= self._count
        for frame in self.frames():
            if index < frame.height:
                file, row, call_id, field, reason = frame.row(index)
                return rejection(file, row, call_id, field, reason)
            index -= frame.height
        raise AssertionError("the parts hold every rejection counted")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"RejectedCalls({len(self):,} calls)"

    def json_text(self, indent: int) -> Iterator[str]:
        """The rejections as the items of a JSON array nested ``indent`` spaces deep.

        The text is pydantic's for a tuple of :class:`Rejection` with
        ``indent=2, exclude_none=True``: each item on its own lines, the
        items separated by ``,``, without the brackets.
        """
        first = True
        for frame in self.frames():
            text = frame.select(_item_text(indent).alias("item"))["item"]
            joined = ",\n".join(text.to_list())
            yield joined if first else ",\n" + joined
            first = False


def _item_text(indent: int) -> pl.Expr:
    """One rejection's JSON object, as pydantic indents it ``indent`` spaces deep."""
    outer, inner = " " * indent, " " * (indent + 2)

    def key(name: str) -> str:
        return f',\n{inner}"{name}": '

    def optional(name: str) -> pl.Expr:
        column = pl.col(name)
        return pl.when(column.is_null()).then(pl.lit("")).otherwise(key(name) + _json_string(name))

    return pl.concat_str(
        pl.lit(f'{outer}{{\n{inner}"file": '),
        _json_string("file"),
        pl.lit(key("row")),
        pl.col("row").cast(pl.String),
        optional("call_id"),
        optional("field"),
        pl.lit(key("reason")),
        _json_string("reason"),
        pl.lit(f"\n{outer}}}"),
    )


def _json_string(name: str) -> pl.Expr:
    """A text column as JSON strings, escaped as pydantic escapes them (serde_json's rules)."""
    encoded = pl.struct(pl.col(name).cast(pl.String).alias("s")).struct.json_encode()
    return encoded.str.strip_prefix('{"s":').str.strip_suffix("}")


def validated(value: Any) -> RejectedCalls:
    """A run's ``rejected`` field from what it was given: rejections, or their JSON's dicts."""
    if isinstance(value, RejectedCalls):
        return value
    return RejectedCalls.of(
        item if isinstance(item, Rejection) else Rejection.model_validate(item) for item in value
    )
