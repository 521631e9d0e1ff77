"""The calls file's blocks, read and checked ahead of rating, as one reading checks them.

A month streams through three stages, each on its own thread: blocks are
read and parsed; then checked, in the order of the file, against the ids of
the blocks before them; then rated (by the caller). polars and numpy let go
of the interpreter, so the stages overlap and both cores work; with one
block ahead of each stage, at most five blocks are alive at once.
The one thing a block cannot check alone is whether a call id repeats one of
an earlier block: ids whose hash was met before are held back, a few in any
real month, and settled exactly once the whole file has been read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from queue import Empty, Queue
from typing import Generic, TypeVar

import numpy as np
import polars as pl

from tariff.engine.stream.seen_ids import SeenIds
from tariff.engine.usage import CallBlocks, CallTable
from tariff.engine.usage.calls import (
    CODED_CALL_COLUMNS,
    call_ids,
    checked_calls,
    first_rows_within,
    parsed_calls,
    repeats_within,
)
from tariff.engine.usage.tables import Table

T = TypeVar("T")
# A block as read, and its calls parsed (parsed_calls).
Parsed = tuple[Table, pl.DataFrame]


class CheckedBlocks:
    """The blocks of a calls file, checked: their valid calls, and every rejection met.

    Iterate :meth:`tables` first, then :meth:`held_back` once: between them
    they give every valid call of the file exactly once, and each table the
    calls rejected as it was read. ``rejected`` and ``calls_in`` count what
    was read, as the whole file's check counts it.
    """

    def __init__(self, blocks: CallBlocks) -> None:
        self.blocks = blocks
        self.seen = SeenIds()
        self.later: list[pl.DataFrame] = []
        self.rejected = 0
        self.calls_in = 0
        # The share of the file read so far.
        self.through = 0.0

    def tables(
        self, ahead: Callable[[Iterator[Parsed]], Iterator[Parsed]] = iter
    ) -> Iterator[CallTable]:
        """Each block's valid calls, but those whose id's hash an earlier block had.

        ``ahead`` reads and parses the blocks, e.g. on a thread (:func:`read_ahead`);
        they are checked in order here, where ids are met in the order of the file.
        """
        parsed_blocks = ((table, parsed_calls(table)) for table in self.blocks.tables())
        for table, parsed in ahead(parsed_blocks):
            ids = parsed["call_id"]
            hashes = id_hashes(ids).to_numpy()
            present = ids.is_not_null().to_numpy()
            met = self.seen.contains(hashes) & present
            if met.any():
                # Calls of one id share a hash, so all of this block's calls of
                # an id met before are held back together.
                chosen = pl.Series(met)
                self.later.append(_uncoded(parsed.filter(chosen)))
                parsed = parsed.filter(~chosen)
                hashes, present = hashes[~met], present[~met]
                ids = parsed["call_id"]
            known = np.sort(hashes[present])
            if (known[1:] == known[:-1]).any():  # a repeat within the block, or a collision
                repeated = repeats_within(parsed)
                first = present & (ids.is_first_distinct()).to_numpy()
                known = np.sort(hashes[first])
            else:
                repeated = pl.lit(False)
            checked = checked_calls(
                table.file, parsed, repeated, first_rows_within, table.malformed
            )
            self.calls_in += checked.count
            self.through = table.through
            if not self.seen.size and self.through < 1:
                # The first block says about how many ids the month holds.
                self.seen.expect(round(self.calls_in / max(self.through, 1e-9)))
            self.seen.add(known)
            self.rejected += len(checked.rejections)
            yield checked

    def held_back(self) -> CallTable | None:
        """The calls held back, checked against the whole file's ids (None if there were none).

        The file is read once more for the ids of the rows whose hash is one
        of theirs: each held-back call repeats an earlier call exactly when
        an earlier row has its very id.
        """
        if not self.later:
            return None
        later = pl.concat(self.later, how="vertical_relaxed").sort("row")
        wanted = id_hashes(later["call_id"]).unique()
        same_hash = pl.concat(
            [
                ids.filter(id_hashes(ids["call_id"]).is_in(wanted.implode()))
                for ids in map(call_ids, self.blocks.tables())
            ]
        )
        first_rows: Mapping[str, int] = dict(
            same_hash.group_by("call_id").agg(pl.col("row").min()).iter_rows()
        )
        repeated = pl.Series(
            "repeated",
            [first_rows[i] < row for i, row in later.select("call_id", "row").iter_rows()],
        )
        # The coded columns stay text: rating codes a table's text itself.
        checked = checked_calls(
            self.blocks.file,
            later,
            pl.lit(repeated),
            lambda bad, parsed: first_rows,
        )
        self.rejected += len(checked.rejections)
        self.calls_in += checked.count
        return checked

    def forget_ids(self) -> None:
        """Let the ids' hashes go, once every block is checked: the run needs their memory."""
        self.seen = SeenIds()
        self.later = []


def id_hashes(ids: pl.Series) -> pl.Series:
    """Each call id's 64-bit hash (polars' own, stable within a process)."""
    return ids.hash()


def _uncoded(frame: pl.DataFrame) -> pl.DataFrame:
    """Coded columns as text, so that blocks with codes of their own join up."""
    return frame.with_columns(pl.col(name).cast(pl.String) for name in CODED_CALL_COLUMNS)


class _End:
    """The end of the items read ahead."""


class _Failed(Generic[T]):
    def __init__(self, problem: BaseException) -> None:
        self.problem = problem


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items``, produced on a thread up to ``depth`` ahead of the caller.

    The thread starts on an item only when fewer than ``depth`` are made
    and not yet taken, so that besides the one the caller holds at most
    ``depth`` are alive (a block is tens of megabytes; a queue of ``depth``
    would let the thread hold one more, made and waiting to be put). A problem
    raised while producing is raised here, in order; when the caller stops
    early, the thread stops too.
    """
    queue: Queue[T | _End | _Failed[T]] = Queue()
    room = threading.Semaphore(depth)
    stop = threading.Event()

    def wait_for_room() -> bool:
        while not stop.is_set():
            if room.acquire(timeout=0.05):
                return True
        return False

    def produce() -> None:
        try:
            while wait_for_room():
                try:
                    item = next(items)
                except StopIteration:
                    queue.put(_End())
                    return
                queue.put(item)
        except BaseException as problem:  # raised again in the caller's thread
            queue.put(_Failed(problem))

    thread = threading.Thread(target=produce, name="tariff-blocks", daemon=True)
    thread.start()
    try:
        while True:
            try:
                item = queue.get(timeout=0.05)
            except Empty:
                if not thread.is_alive() and queue.empty():
                    raise AssertionError("the reading thread stopped without a word") from None
                continue
            room.release()  # taken: the thread may make the next one
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.problem
            yield item
    finally:
        stop.set()
        thread.join()
