"""Assigning calls to accounts: who held each tracking number when a call started.

Every date bound (an assignment's start and end, the billing month's first and
last day) is turned once into a UTC instant per account, so each call needs
only comparisons, never a time-zone conversion. At a hand-over between
accounts in different time zones both may seem to hold the number; the newer
assignment wins.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.codes import Codes, Flags, Ints, integers
from tariff.engine.usage.numbers import NumberAssignment, NumberTable

# Instants before and after every call: open ends of an assignment.
EVER, NEVER_ENDS = np.iinfo(np.int64).min, np.iinfo(np.int64).max
_MICROSECONDS = 1_000_000


def _local_midnight(day: dt.date, zone: str) -> int:
    """The UTC instant (microseconds) at which ``day`` starts in ``zone``."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return int(start.timestamp()) * _MICROSECONDS


def instants(days: Sequence[dt.date | None], zones: Sequence[str], open_end: int) -> Ints:
    """Each day's local midnight as a UTC instant, or ``open_end`` where there is no day."""
    return integers(
        [
            _local_midnight(day, zone) if day else open_end
            for day, zone in zip(days, zones, strict=True)
        ]
    )


@dataclass(frozen=True)
class Holdings:
    """The numbers file as instants: who held each number, from when and until when."""

    assignments: tuple[NumberAssignment, ...]
    account: Ints
    since: Ints
    until: Ints

    @classmethod
    def of(cls, numbers: NumberTable, accounts: RatingAccounts) -> Holdings:
        """The assignments of the accounts being rated, bounds as UTC instants."""
        index = accounts.index
        held = tuple(a for a in numbers.assignments if a.account_id in index)
        positions = [index[a.account_id] for a in held]
        zones = [accounts.terms[p].timezone for p in positions]
        return cls(
            held,
            integers(positions),
            instants([a.assigned_from for a in held], zones, EVER),
            instants([a.released_on for a in held], zones, NEVER_ENDS),
        )

    def tries(self, numbers: pl.Series) -> NumberTries:
        """For each distinct number (by code), the assignments that may hold it.

        A number held by one account for good needs no comparison; the others
        try their assignments newest first (latest start). The tries of every
        held number are built once; a table of codes picks its numbers' rows.
        """
        every, held = self._every_number
        unknown = held.len()  # the last row: a number nobody holds
        position = numbers.replace_strict(
            held, pl.int_range(0, held.len(), eager=True), default=unknown, return_dtype=pl.Int64
        ).to_numpy()
        return NumberTries(
            self,
            every.always[position],
            every.dated[position],
            tuple(candidate[position] for candidate in every.candidates),
        )

    @functools.cached_property
    def _every_number(self) -> tuple[NumberTries, pl.Series]:
        """The tries of every number held, in the order of the series, and a row for no one."""
        by_number: dict[str, list[int]] = {}
        for position, assignment in enumerate(self.assignments):
            by_number.setdefault(assignment.number, []).append(position)
        since = self.since.tolist()
        tries = [
            sorted(positions, key=lambda p: since[p], reverse=True)
            for positions in by_number.values()
        ] + [[]]
        always = np.array(
            [t[0] if len(t) == 1 and self._open(t[0]) else -1 for t in tries], dtype=np.int64
        )
        dated = np.array([bool(t) for t in tries], dtype=np.bool_) & (always < 0)
        # Oldest first, so that a newer assignment that holds the number overwrites it.
        candidates = tuple(
            np.array([t[attempt] if attempt < len(t) else -1 for t in tries], dtype=np.int64)
            for attempt in reversed(range(max(map(len, tries), default=0)))
        )
        held = pl.Series("number", list(by_number), dtype=pl.String)
        return NumberTries(self, always, dated, candidates), held

    def _open(self, position: int) -> bool:
        """Whether an assignment has neither a start nor an end."""
        return bool(self.since[position] == EVER and self.until[position] == NEVER_ENDS)


@dataclass(frozen=True)
class NumberTries:
    """Per distinct number (by code) the assignments to try, built once for all blocks.

    ``always`` is the one assignment holding a number for good (or -1),
    ``dated`` marks the numbers whose assignments have dates, and
    ``candidates`` holds one assignment per number for each attempt, oldest first.
    """

    holdings: Holdings
    always: Ints
    dated: Flags
    candidates: tuple[Ints, ...]

    def assign(self, codes: Codes, started: Ints) -> tuple[Ints, Ints]:
        """Each call's account and assignment positions (-1: nobody held the number then)."""
        since, until = self.holdings.since, self.holdings.until
        holding = self.always[codes]
        dated = np.flatnonzero(self.dated[codes])
        for candidate in self.candidates:
            tried = dated[candidate[codes[dated]] >= 0]
            window = candidate[codes[tried]]
            holds = (started[tried] >= since[window]) & (started[tried] < until[window])
            holding[tried[holds]] = window[holds]
        account = np.full(len(started), -1, dtype=np.int64)
        held = holding >= 0
        account[held] = self.holdings.account[holding[held]]
        return account, holding
