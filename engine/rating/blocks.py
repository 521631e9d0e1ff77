"""Rating a month of calls over whole columns, exactly, in integers, in blocks.

The stages, each in its own module: ``codes`` turns text into integer codes;
``holdings`` assigns each call to the account that held its number; ``bands``
reads destinations and matches prefixes; ``price`` prices each call; ``totals``
sums per account, band and number; ``rejections`` words what could not be
rated. This module runs them over blocks of about a million calls, whose
temporary arrays are reused from one block to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from tariff.dsl.months import Month
from tariff.engine.plan.terms import AccountTerms
from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.bands import KnownBands, band_position
from tariff.engine.rating.codes import Codes, Flags, Ints, codes_of, joined, lookup
from tariff.engine.rating.holdings import EVER, NEVER_ENDS, Holdings, NumberTries, instants
from tariff.engine.rating.price import CodedCalls, PricedCalls, needs_exact_arithmetic, priced
from tariff.engine.rating.progress import RatingStatus
from tariff.engine.rating.rejections import RejectionReasons
from tariff.engine.rating.totals import AccountUsage, Totals
from tariff.engine.usage.calls import CallTable
from tariff.engine.usage.errors import REJECTION_SCHEMA
from tariff.engine.usage.numbers import NumberTable

# Calls are rated in blocks of this many. A block's temporary arrays (a few
# megabytes each) are reused from one block to the next; arrays the length of
# a 10-million-call month would each be fresh memory from the kernel, which
# costs more than the arithmetic done in them.
_BLOCK = 1 << 20


@dataclass(frozen=True)
class RatedCalls:
    """The month's aggregates by account, and the calls rejected while rating."""

    usage: Mapping[str, AccountUsage]
    # The calls rejected while rating, as tariff.engine.usage.errors.REJECTION_SCHEMA's columns.
    rejections: pl.DataFrame
    rated: int
    other_period: int
    # The priced calls of one account, or of every account, when asked for:
    # account_id, row, call_id, number, destination, started_at, duration_s,
    # band, amount (minor units), chargeable, counts.
    kept_calls: pl.DataFrame | None = None


@dataclass(frozen=True)
class CallColumns:
    """The valid calls as numpy columns of codes, and the tables that decode them.

    Everything here is built once per distinct value (number, destination, band
    name) or per account; :func:`_coded` then applies it to a block of calls.
    """

    frame: pl.DataFrame
    started: Ints
    duration: Ints
    number: Codes
    destination: Codes
    named: Codes | None
    tries: NumberTries
    by_destination: Ints
    by_name: Ints | None
    month_starts: Ints
    month_ends: Ints

    @property
    def size(self) -> int:
        """How many valid calls there are."""
        return len(self.started)


def rate_calls(
    calls: CallTable,
    numbers: NumberTable,
    terms: Mapping[str, AccountTerms],
    month: Month,
    keep_calls_of: str | None = None,
    *,
    keep_all_calls: bool = False,
    on_block: Callable[[RatingStatus], None] | None = None,
) -> RatedCalls:
    """Rate the month's calls of the accounts in ``terms``.

    With ``keep_calls_of``, that account's priced calls are kept, one row each
    (see :attr:`RatedCalls.kept_calls`), for explaining its invoice; with
    ``keep_all_calls``, every account's, for itemising the invoices.
    ``on_block`` hears how far rating has got after each block of calls.
    """
    rating = MonthRating(numbers, terms, month, keep_calls_of, keep_all_calls=keep_all_calls)
    read_rejections = len(calls.rejections)

    def rated(done: int) -> None:
        if on_block is not None:
            # The calls rejected as they were read are counted among those read.
            read = done + read_rejections
            status = RatingStatus(read, done, read_rejections, calls.count)
            on_block(status)

    rating.add(calls, rated)
    return rating.finished()


class MonthRating:
    """The month's running totals, rated one table of calls at a time.

    Tables may be the whole month or its blocks, in any order: the totals are
    sums, and each table's rejections are its own, so the result is the same.
    """

    def __init__(
        self,
        numbers: NumberTable,
        terms: Mapping[str, AccountTerms],
        month: Month,
        keep_calls_of: str | None = None,
        *,
        keep_all_calls: bool = False,
    ) -> None:
        self.numbers = numbers
        self.accounts = RatingAccounts.of(terms) if terms else None
        self.holdings = Holdings.of(numbers, self.accounts) if self.accounts else None
        self.known_bands = KnownBands(self.accounts.sheets if self.accounts else ())
        self.reasons = RejectionReasons(numbers, self.accounts)
        # Each account's month as UTC instants, in its own time zone (once, not per block).
        zones = [t.timezone for t in self.accounts.terms] if self.accounts else []
        self.month_bounds = (
            instants([month.first_day] * len(zones), zones, EVER),
            instants([month.next.first_day] * len(zones), zones, NEVER_ENDS),
        )
        self.totals: Totals | None = None
        self.kept: _KeptCalls | None = None
        if self.accounts is not None and (keep_calls_of is not None or keep_all_calls):
            self.kept = _KeptCalls(self.accounts, None if keep_all_calls else keep_calls_of)
        self.kept_frames: list[pl.DataFrame] = []
        self.rejections: list[pl.DataFrame] = []
        self.rated = self.other_period = 0
        # The longest call and the number of calls so far, which bound the sums.
        self.longest = self.calls = 0

    def add(self, calls: CallTable, on_block: Callable[[int], None] | None = None) -> None:
        """Rate one table of valid calls into the totals; ``on_block(done)`` after each block.

        ``done`` counts the table's calls rated so far.
        """
        if self.accounts is None or self.holdings is None:
            # Nobody holds any number: every call is rejected as unheld.
            unheld = calls.calls.select("row", "call_id", "number", "started_at")
            self.rejections.append(self.reasons.unheld(calls.file, unheld))
            return
        accounts = self.accounts
        columns = _columns(calls, self.holdings, accounts, self.month_bounds, self.known_bands)
        longest = int(columns.duration.max()) if columns.size else 0
        exact = needs_exact_arithmetic(accounts, longest, columns.size)
        self.longest, self.calls = max(self.longest, longest), self.calls + columns.size
        whole_month_exact = needs_exact_arithmetic(accounts, self.longest, self.calls)
        if self.totals is None:
            self.totals = Totals.of(accounts, self.holdings, exact=whole_month_exact)
        elif whole_month_exact:
            self.totals = self.totals.exact()
        totals = self.totals
        kept = self.kept
        unheld_at: list[Ints] = []
        unpriced_at: list[Ints] = []
        unpriced_account: list[Ints] = []
        unpriced_band: list[Ints] = []
        for first in range(0, columns.size, _BLOCK):
            coded = _coded(columns, accounts, first, min(first + _BLOCK, columns.size))
            block = priced(coded, accounts, exact=exact)
            totals.add(block)
            if kept is not None:
                kept.add(block)
            held, in_month = coded.held, coded.in_month
            unheld_at.append(first + np.flatnonzero(~held))
            unrated = np.flatnonzero(in_month & (coded.band < 0))
            unpriced_at.append(first + unrated)
            unpriced_account.append(coded.account[unrated])
            unpriced_band.append(coded.band[unrated])
            self.rated += int(np.count_nonzero(in_month)) - len(unrated)
            self.other_period += int(np.count_nonzero(held & ~in_month))
            if on_block is not None:
                on_block(min(first + _BLOCK, columns.size))
        frame = columns.frame
        unheld_calls = frame[joined(unheld_at)].select("row", "call_id", "number", "started_at")
        unpriced_calls = frame[joined(unpriced_at)].with_columns(
            pl.Series("account", joined(unpriced_account)),
            pl.Series("band_index", joined(unpriced_band)),
        )
        self.rejections.append(self.reasons.unheld(calls.file, unheld_calls))
        self.rejections.append(self.reasons.unpriced(calls.file, unpriced_calls))
        if kept is not None:
            self.kept_frames.append(kept.frame(frame))
            kept.blocks.clear()

    def finished(self) -> RatedCalls:
        """The month's aggregates and rejections, from every table added."""
        usage = self.totals.usage() if self.totals is not None else {}
        kept_calls = None
        if self.kept is not None:
            assert self.kept_frames, "the calls were kept from at least one table"
            kept_calls = self.kept_frames[0]
            if len(self.kept_frames) > 1:
                kept_calls = pl.concat(self.kept_frames).sort("account_id", "started_at", "row")
        rejections = self.take_rejections()
        return RatedCalls(usage, rejections, self.rated, self.other_period, kept_calls)

    def take_rejections(self) -> pl.DataFrame:
        """The calls rejected since last asked (REJECTION_SCHEMA's columns), let go of here."""
        taken = pl.concat([REJECTION_SCHEMA.to_frame(), *self.rejections])
        self.rejections = []
        return taken


def _amounts(amounts: Ints | Flags) -> pl.Series:
    """Charges in minor units; beyond 64 bits (exact arithmetic) as 128-bit integers."""
    if amounts.dtype == object:
        return pl.Series("amount", amounts.tolist(), dtype=pl.Int128)
    return pl.Series("amount", amounts)


class _KeptCalls:
    """The priced calls of one account (or of all, for None), gathered block by block."""

    def __init__(self, accounts: RatingAccounts, account_id: str | None) -> None:
        self.accounts = accounts
        self.position = accounts.index[account_id] if account_id is not None else None
        # A band is a position in its account's sheet: sheet s's bands start at offsets[s].
        sizes = [len(sheet.bands) for sheet in accounts.sheets]
        self.offsets = np.cumsum([0, *sizes[:-1]], dtype=np.int64)
        self.band_names = [name for sheet in accounts.sheets for name in sheet.bands]
        self.blocks: list[PricedCalls] = []

    def add(self, block: PricedCalls) -> None:
        """Keep the kept accounts' calls of one block."""
        self.blocks.append(block if self.position is None else block.of_account(self.position))

    def frame(self, calls: pl.DataFrame) -> pl.DataFrame:
        """The kept calls, one row each, in start order (by account first, keeping all)."""

        def column(name: str) -> Ints | Flags:
            if not self.blocks:  # a month without calls
                return np.zeros(0, dtype=bool if name in ("chargeable", "counts") else np.int64)
            return np.concatenate([getattr(b, name) for b in self.blocks])

        account = column("account")
        band = self.offsets[self.accounts.sheet_of[account]] + column("band")
        ids = pl.Series("account_id", self.accounts.ids, dtype=pl.String)
        names = pl.Series("band", self.band_names, dtype=pl.String)
        return (
            calls[column("positions")]
            .select("row", "call_id", "number", "destination", "started_at", "duration_s")
            .with_columns(
                ids.gather(account),
                names.gather(band),
                _amounts(column("amount")),
                pl.Series("chargeable", column("chargeable")),
                pl.Series("counts", column("counts")),
                pl.Series("billed_s", column("billed")),
            )
            .sort("account_id", "started_at", "row")
        )


def _columns(
    calls: CallTable,
    holdings: Holdings,
    accounts: RatingAccounts,
    month_bounds: tuple[Ints, Ints],
    known_bands: KnownBands,
) -> CallColumns:
    """The valid calls' columns as codes, and the tables to decode them."""
    frame = calls.calls
    number, numbers_by_code = codes_of(frame["number"])
    destination, destinations = codes_of(frame["destination"])
    by_destination = np.array(known_bands.of(destinations), dtype=np.int64)
    named: Codes | None = None
    by_name: Ints | None = None
    if frame["band"].null_count() < frame.height:
        named, names = codes_of(frame["band"])
        by_name = np.array(
            [[band_position(name, s) for name in names.to_list()] for s in accounts.sheets],
            dtype=np.int64,
        )
    return CallColumns(
        frame=frame,
        started=frame["started_at"].cast(pl.Int64).to_numpy(),
        duration=frame["duration_s"].to_numpy(),
        number=number,
        destination=destination,
        named=named,
        tries=holdings.tries(numbers_by_code),
        by_destination=by_destination,
        by_name=by_name,
        month_starts=month_bounds[0],
        month_ends=month_bounds[1],
    )


def _coded(columns: CallColumns, accounts: RatingAccounts, first: int, end: int) -> CodedCalls:
    """The calls from position ``first`` to ``end``, with their account, month and band."""
    started = columns.started[first:end]
    account, holding = columns.tries.assign(columns.number[first:end], started)
    known = np.maximum(account, 0)
    in_month = (account >= 0) & (started >= lookup(columns.month_starts, known))
    in_month &= started < lookup(columns.month_ends, known)
    band = _bands(columns, lookup(accounts.sheet_of, known), first, end)
    return CodedCalls(first, columns.duration[first:end], account, holding, in_month, band)


def _bands(columns: CallColumns, sheet: Ints | np.int64, first: int, end: int) -> Ints:
    """Each call's band position in its sheet, or a negative code; ``sheet`` per call."""
    band: Ints = columns.by_destination[sheet, columns.destination[first:end]]
    if columns.named is None or columns.by_name is None:
        return band
    named = columns.named[first:end]
    explicit = named < columns.by_name.shape[1] - 1
    sheet_of_explicit = sheet[explicit] if isinstance(sheet, np.ndarray) else sheet
    band[explicit] = columns.by_name[sheet_of_explicit, named[explicit]]
    return band
