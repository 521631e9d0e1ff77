"""Rating a month of calls over whole columns, exactly, in integers.

Text is turned into small integer codes once (polars categoricals: one code per
distinct tracking number, destination and band name), and everything per call
is then numpy arithmetic on those codes, using tables built once per distinct
value, over blocks of about a million calls whose sums are added up:

1. **Assign**: a call belongs to the account that held its number on the call's
   date in that account's time zone. Every date bound (an assignment's start and
   end, the billing month's first and last day) is turned once into a UTC
   instant per account, so each call needs only comparisons, never a time-zone
   conversion. At a hand-over between accounts in different time zones both may
   seem to hold the number; the newer assignment wins.
2. **Period**: the calls that start inside their account's billing month.
3. **Band**: an explicit ``band`` wins; otherwise the destination is read with the
   sheet's dial rules and matched to its longest prefix, once per distinct
   destination and sheet.
4. **Price**: each call's minute charge is ``duration × rate / 60`` rounded to the
   minor unit with the sheet's mode, in integer arithmetic on rates held as
   micro-units.
5. **Aggregate**: per account and band the calls, seconds, charges and
   chargeable calls, and per number assignment the calls that count for Fair
   Usage.

Everything rejected on the way is returned with its row and reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from tariff.dsl.ast import Month
from tariff.dsl.currencies import MINOR_DIGITS, RATE_DECIMALS
from tariff.dsl.diagnostics import did_you_mean
from tariff.engine.calls import CallTable
from tariff.engine.models import Rejection, rejections_of
from tariff.engine.money import rate_to_micro
from tariff.engine.plan import SheetVersionTerms
from tariff.engine.terms import AccountTerms
from tariff.engine.usage import NumberAssignment, NumberTable

Ints = npt.NDArray[np.int64]
# Codes of distinct values, as polars numbers them (half the memory of Ints).
Codes = npt.NDArray[np.uint32]
Flags = npt.NDArray[np.bool_]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?[0-9]+")
# Band codes for calls that select no band.
_BARRED, _NO_BAND, _NOT_A_DESTINATION = -1, -2, -3
# Instants before and after every call: open ends of an assignment.
_EVER, _NEVER_ENDS = np.iinfo(np.int64).min, np.iinfo(np.int64).max
# A threshold no call reaches: accounts without Fair Usage count nothing.
_NEVER = 2**62
_MICROSECONDS = 1_000_000
_ROUNDING_MODES = ("half-up", "up", "down", "half-even")
# Calls are rated in blocks of this many. A block's temporary arrays (a few
# megabytes each) are reused from one block to the next; arrays the length of
# a 10-million-call month would each be fresh memory from the kernel, which
# costs more than the arithmetic done in them.
_BLOCK = 1 << 20


@dataclass(frozen=True)
class BandUsage:
    """One band's calls on one invoice: how many, total seconds, summed rounded charges."""

    calls: int
    seconds: int
    amount_minor: int


@dataclass
class AccountUsage:
    """One account's rated calls in the billing month, aggregated."""

    calls: int = 0
    chargeable_calls: int = 0
    bands: dict[str, BandUsage] = field(default_factory=dict)
    counted_calls: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RatedCalls:
    """The month's aggregates by account, and the calls rejected while rating."""

    usage: Mapping[str, AccountUsage]
    rejections: tuple[Rejection, ...]
    rated: int
    other_period: int


@dataclass(frozen=True)
class _Accounts:
    """The accounts being rated, by position, and the sheet versions pricing them."""

    ids: tuple[str, ...]
    terms: tuple[AccountTerms, ...]
    sheets: tuple[SheetVersionTerms, ...]
    sheet_of: Ints

    @classmethod
    def of(cls, terms: Mapping[str, AccountTerms]) -> _Accounts:
        """The accounts of ``terms`` in id order, and the sheet versions they use."""
        ids = tuple(sorted(terms))
        ordered = tuple(terms[a] for a in ids)
        keys = sorted({t.sheet.key for t in ordered})
        sheets = tuple(next(t.sheet for t in ordered if t.sheet.key == k) for k in keys)
        sheet_of = np.array([keys.index(t.sheet.key) for t in ordered], dtype=np.int64)
        return cls(ids, ordered, sheets, sheet_of)

    @property
    def index(self) -> dict[str, int]:
        """Each account's position."""
        return {account_id: position for position, account_id in enumerate(self.ids)}

    @property
    def band_width(self) -> int:
        """Bands in the widest sheet: (account, band) is numbered account × width + band."""
        return max(len(sheet.bands) for sheet in self.sheets)

    @functools.cached_property
    def rates(self) -> Ints:
        """Each (account, band) slot's rate in micro-units per minute (0 past a sheet's bands)."""
        width = self.band_width
        rates = []
        for terms, sheet in zip(self.terms, self.sheet_of.tolist(), strict=True):
            row = [_micro(terms.band_rates[b].amount) for b in self.sheets[sheet].bands]
            rates += row + [0] * (width - len(row))
        return _integers(rates)

    @functools.cached_property
    def divisors(self) -> Ints:
        """Per account: micro-units per minute of a rate to minor units per second."""
        return _integers(
            [60 * 10 ** (RATE_DECIMALS - MINOR_DIGITS[t.currency]) for t in self.terms]
        )

    @functools.cached_property
    def chargeable_from(self) -> Ints:
        """Per account: the shortest call, in seconds, that the call fee counts."""
        return _integers([t.package.chargeable_from_seconds for t in self.terms])

    @functools.cached_property
    def counting_from(self) -> Ints:
        """Per account: the shortest call that counts toward Fair Usage (never without it)."""
        return _integers(
            [
                fair_usage.counting_from_seconds if (fair_usage := t.fair_usage) else _NEVER
                for t in self.terms
            ]
        )


@dataclass(frozen=True)
class _Columns:
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
    tries: _NumberTries
    by_destination: Ints
    by_name: Ints | None
    month_starts: Ints
    month_ends: Ints

    @property
    def size(self) -> int:
        """How many valid calls there are."""
        return len(self.started)


@dataclass(frozen=True)
class _CodedCalls:
    """A block of valid calls, and for each its account, assignment, month and band.

    ``first`` is the position of the block's first call among all valid calls.
    ``account`` and ``holding`` are -1 where nobody held the number when the call
    started; ``band`` is a band position in the account's sheet or a negative code.
    """

    first: int
    duration: Ints
    account: Ints
    holding: Ints
    in_month: Flags
    band: Ints

    @property
    def held(self) -> Flags:
        """Calls to a number some account held when they started."""
        return self.account >= 0

    @property
    def rated(self) -> Flags:
        """Calls in the month that have a band: the ones that are priced."""
        return self.in_month & (self.band >= 0)


@dataclass(frozen=True)
class _PricedCalls:
    """The priced calls (positions among all valid calls) and their charges and flags."""

    positions: Ints
    account: Ints
    holding: Ints
    band: Ints
    duration: Ints
    amount: Ints
    chargeable: Flags
    counts: Flags


def rate_calls(
    calls: CallTable,
    numbers: NumberTable,
    terms: Mapping[str, AccountTerms],
    month: Month,
) -> RatedCalls:
    """Rate the month's calls of the accounts in ``terms``."""
    if not terms:
        # Nobody holds any number: every call is rejected as unheld.
        unheld = calls.calls.select("row", "call_id", "number", "started_at").collect()
        return RatedCalls({}, tuple(_unheld_rejections(calls.file, unheld, numbers)), 0, 0)
    accounts = _Accounts.of(terms)
    columns = _columns(calls, numbers, accounts, month)
    totals = _Totals.of(accounts, columns.tries.holdings)
    unheld_at: list[Ints] = []
    unpriced_at: list[Ints] = []
    unpriced_account: list[Ints] = []
    unpriced_band: list[Ints] = []
    rated = other_period = 0
    for first in range(0, columns.size, _BLOCK):
        coded = _coded(columns, accounts, first, min(first + _BLOCK, columns.size))
        totals.add(_priced(coded, accounts))
        held, in_month = coded.held, coded.in_month
        unheld_at.append(first + np.flatnonzero(~held))
        unrated = np.flatnonzero(in_month & (coded.band < 0))
        unpriced_at.append(first + unrated)
        unpriced_account.append(coded.account[unrated])
        unpriced_band.append(coded.band[unrated])
        rated += int(np.count_nonzero(in_month)) - len(unrated)
        other_period += int(np.count_nonzero(held & ~in_month))
    frame = columns.frame
    unheld_calls = frame[_joined(unheld_at)].select("row", "call_id", "number", "started_at")
    unpriced_calls = frame[_joined(unpriced_at)].with_columns(
        pl.Series("account", _joined(unpriced_account)),
        pl.Series("band_index", _joined(unpriced_band)),
    )
    rejections = _unheld_rejections(calls.file, unheld_calls, numbers)
    rejections += _band_rejections(calls.file, unpriced_calls, accounts)
    return RatedCalls(totals.usage(), tuple(rejections), rated, other_period)


def rated_calls_of(
    account_id: str,
    calls: CallTable,
    numbers: NumberTable,
    terms: Mapping[str, AccountTerms],
    month: Month,
) -> pl.DataFrame:
    """One account's rated calls, one row each, in start order, for explaining an invoice.

    Columns: row, call_id, number, started_at, duration_s, band, amount (minor
    units), chargeable, counts (toward Fair Usage).
    """
    accounts = _Accounts.of(terms)
    position = accounts.index[account_id]
    columns = _columns(calls, numbers, accounts, month)
    priced = _priced(_coded(columns, accounts, 0, columns.size), accounts)
    mine = priced.account == position
    bands = list(accounts.sheets[int(accounts.sheet_of[position])].bands)
    frame: pl.DataFrame = columns.frame[priced.positions[mine]]
    return frame.select(
        "row",
        "call_id",
        "number",
        "started_at",
        "duration_s",
        pl.Series("band", bands, dtype=pl.String).gather(priced.band[mine]),
        pl.Series("amount", priced.amount[mine]),
        pl.Series("chargeable", priced.chargeable[mine]),
        pl.Series("counts", priced.counts[mine]),
    ).sort("started_at", "row")


def _columns(calls: CallTable, numbers: NumberTable, accounts: _Accounts, month: Month) -> _Columns:
    """The valid calls' columns as codes, and the tables to decode them."""
    frame = calls.calls.collect()
    number, numbers_by_code = _codes(frame["number"])
    destination, destinations = _codes(frame["destination"])
    by_destination = np.array(
        [_destination_bands(destinations, s) for s in accounts.sheets], dtype=np.int64
    )
    named: Codes | None = None
    by_name: Ints | None = None
    if frame["band"].null_count() < frame.height:
        named, names = _codes(frame["band"])
        by_name = np.array(
            [[_band_position(name, s) for name in names.to_list()] for s in accounts.sheets],
            dtype=np.int64,
        )
    zones = [t.timezone for t in accounts.terms]
    return _Columns(
        frame=frame,
        started=frame["started_at"].cast(pl.Int64).to_numpy(),
        duration=frame["duration_s"].to_numpy(),
        number=number,
        destination=destination,
        named=named,
        tries=_Holdings.of(numbers, accounts).tries(numbers_by_code),
        by_destination=by_destination,
        by_name=by_name,
        month_starts=_instants([month.first_day] * len(zones), zones, _EVER),
        month_ends=_instants([month.next.first_day] * len(zones), zones, _NEVER_ENDS),
    )


def _coded(columns: _Columns, accounts: _Accounts, first: int, end: int) -> _CodedCalls:
    """The calls from position ``first`` to ``end``, with their account, month and band."""
    started = columns.started[first:end]
    account, holding = columns.tries.assign(columns.number[first:end], started)
    known = np.maximum(account, 0)
    in_month = (account >= 0) & (started >= _lookup(columns.month_starts, known))
    in_month &= started < _lookup(columns.month_ends, known)
    band = _bands(columns, _lookup(accounts.sheet_of, known), first, end)
    return _CodedCalls(first, columns.duration[first:end], account, holding, in_month, band)


def _joined(parts: Sequence[Ints]) -> Ints:
    """The blocks' positions or codes as one array (empty when there are none)."""
    return np.concatenate([np.empty(0, dtype=np.int64), *parts])


def _integers(values: Sequence[int]) -> Ints:
    """Integers as an array, e.g. one per account by position."""
    return np.array(values, dtype=np.int64)


def _lookup(table: Ints, key: Ints) -> Ints | np.int64:
    """``table[key]`` for every call, or the one value when the table holds only one.

    Most months have one time zone, one sheet and one currency: a single value
    spares a gather over every call.
    """
    if table.size and bool((table == table[0]).all()):
        return np.int64(table[0])
    return table[key]


def _codes(column: pl.Series) -> tuple[Codes, pl.Series]:
    """Each value's code and the distinct values by code; a missing value gets the last code."""
    if isinstance(column.dtype, pl.Categorical):
        categorical, categories = column, column.dtype.categories
    else:
        categories = pl.Categories.random()
        categorical = column.cast(pl.Categorical(categories))
    # The categories live only as long as a column uses them: read them first.
    distinct = categories.to_series()
    missing = distinct.len()
    codes = categorical.to_physical().fill_null(missing).to_numpy()
    return codes, distinct.extend_constant(None, 1)


# ------------------------------------------------------------------- assign


def _local_midnight(day: dt.date, zone: str) -> int:
    """The UTC instant (microseconds) at which ``day`` starts in ``zone``."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return int(start.timestamp()) * _MICROSECONDS


def _instants(days: Sequence[dt.date | None], zones: Sequence[str], open_end: int) -> Ints:
    """Each day's local midnight as a UTC instant, or ``open_end`` where there is no day."""
    return _integers(
        [
            _local_midnight(day, zone) if day else open_end
            for day, zone in zip(days, zones, strict=True)
        ]
    )


@dataclass(frozen=True)
class _Holdings:
    """The numbers file as instants: who held each number, from when and until when."""

    assignments: tuple[NumberAssignment, ...]
    account: Ints
    since: Ints
    until: Ints

    @classmethod
    def of(cls, numbers: NumberTable, accounts: _Accounts) -> _Holdings:
        """The assignments of the accounts being rated, bounds as UTC instants."""
        index = accounts.index
        held = tuple(a for a in numbers.assignments if a.account_id in index)
        positions = [index[a.account_id] for a in held]
        zones = [accounts.terms[p].timezone for p in positions]
        return cls(
            held,
            _integers(positions),
            _instants([a.assigned_from for a in held], zones, _EVER),
            _instants([a.released_on for a in held], zones, _NEVER_ENDS),
        )

    def tries(self, numbers: pl.Series) -> _NumberTries:
        """For each distinct number (by code), the assignments that may hold it.

        A number held by one account for good needs no comparison; the others
        try their assignments newest first (latest start).
        """
        by_number: dict[str, list[int]] = {}
        for position, assignment in enumerate(self.assignments):
            by_number.setdefault(assignment.number, []).append(position)
        tries = [
            sorted(by_number.get(number, []), key=lambda p: int(self.since[p]), reverse=True)
            if number is not None
            else []
            for number in numbers.to_list()
        ]
        always = np.array(
            [t[0] if len(t) == 1 and self._open(t[0]) else -1 for t in tries], dtype=np.int64
        )
        dated = np.array([bool(t) for t in tries], dtype=np.bool_) & (always < 0)
        # Oldest first, so that a newer assignment that holds the number overwrites it.
        candidates = tuple(
            np.array([t[attempt] if attempt < len(t) else -1 for t in tries], dtype=np.int64)
            for attempt in reversed(range(max(map(len, tries), default=0)))
        )
        return _NumberTries(self, always, dated, candidates)

    def _open(self, position: int) -> bool:
        """Whether an assignment has neither a start nor an end."""
        return bool(self.since[position] == _EVER and self.until[position] == _NEVER_ENDS)


@dataclass(frozen=True)
class _NumberTries:
    """Per distinct number (by code) the assignments to try, built once for all blocks.

    ``always`` is the one assignment holding a number for good (or -1),
    ``dated`` marks the numbers whose assignments have dates, and
    ``candidates`` holds one assignment per number for each attempt, oldest first.
    """

    holdings: _Holdings
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


def _unheld_rejections(file: str, unheld: pl.DataFrame, numbers: NumberTable) -> list[Rejection]:
    known = {assignment.number for assignment in numbers.assignments}
    records: list[dict[str, object]] = []
    for row, call_id, number, started_at in unheld.iter_rows():
        if number in known:
            reason = (
                f"tracking number {number} was not assigned to any account when the call "
                f"started ({started_at:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            reason = f"unknown tracking number {number}: it is not in the numbers file"
        records.append(
            {"file": file, "row": row, "call_id": call_id, "field": "number", "reason": reason}
        )
    return rejections_of(records)


# --------------------------------------------------------------------- band


def _bands(columns: _Columns, sheet: Ints | np.int64, first: int, end: int) -> Ints:
    """Each call's band position in its sheet, or a negative code; ``sheet`` per call."""
    band: Ints = columns.by_destination[sheet, columns.destination[first:end]]
    if columns.named is None or columns.by_name is None:
        return band
    named = columns.named[first:end]
    explicit = named < columns.by_name.shape[1] - 1
    sheet_of_explicit = sheet[explicit] if isinstance(sheet, np.ndarray) else sheet
    band[explicit] = columns.by_name[sheet_of_explicit, named[explicit]]
    return band


def _band_position(name: str | None, sheet: SheetVersionTerms) -> int:
    return list(sheet.bands).index(name) if name is not None and name in sheet.bands else _NO_BAND


def read_destination(destination: str, sheet: SheetVersionTerms) -> str | None:
    """How the sheet reads a destination: lower-case address, or E.164 after dial rules."""
    if _SCHEME.match(destination):
        return destination.lower()
    phone = _PHONE_PUNCTUATION.sub("", destination)
    if not _PHONE.fullmatch(phone):
        return None
    for prefix in sorted(sheet.dial, key=len, reverse=True):
        if phone.startswith(prefix):
            return sheet.dial[prefix] + phone[len(prefix) :]
    return phone


def _destination_bands(destinations: pl.Series, sheet: SheetVersionTerms) -> pl.Series:
    """The band position (or a negative code) of each distinct destination on one sheet.

    Plain phone numbers (ASCII digits, maybe a leading +), nearly all of them,
    are read and matched over the whole column; anything else is read by
    :func:`read_destination` one at a time.
    """
    text = pl.col("destination")
    plain = text.str.contains(r"^\+?[0-9]+$")
    dialled: pl.Expr = text
    for prefix in sorted(sheet.dial, key=len):
        replaced = pl.lit(sheet.dial[prefix]) + text.str.slice(len(prefix))
        dialled = pl.when(text.str.starts_with(prefix)).then(replaced).otherwise(dialled)
    frame = destinations.to_frame("destination")
    readings = frame.select(pl.when(plain).then(dialled).alias("reading"))["reading"]
    others = frame.with_row_index().filter(text.is_not_null() & ~plain)
    if others.height:
        careful = [read_destination(d, sheet) for d in others["destination"]]
        readings = readings.scatter(others["index"], pl.Series(careful, dtype=pl.String))
    bands = list(sheet.bands)
    table = {
        prefix: (bands.index(band) if band is not None else _BARRED)
        for prefix, band in sheet.prefix_bands().items()
    }
    reading = pl.col("reading")
    # Longest prefix first: the first that matches decides.
    matches = [
        reading.str.slice(0, length).replace_strict(table, default=None, return_dtype=pl.Int64)
        for length in sorted({len(prefix) for prefix in table}, reverse=True)
    ]
    return (
        readings.to_frame()
        .select(
            pl.when(reading.is_null())
            .then(_NOT_A_DESTINATION)
            .otherwise(pl.coalesce(*matches, pl.lit(_NO_BAND)))
        )
        .to_series()
    )


def _band_rejections(file: str, unpriced: pl.DataFrame, accounts: _Accounts) -> list[Rejection]:
    # Many calls share a destination: explain each distinct problem once.
    reasons: dict[tuple[int, str | None, str | None, int], tuple[str, str]] = {}
    records: list[dict[str, object]] = []
    rows = unpriced.select("row", "call_id", "account", "band", "destination", "band_index")
    sheet_of = accounts.sheet_of.tolist()
    for row, call_id, position, band, destination, code in rows.iter_rows():
        key = (sheet_of[position], band, destination, code)
        if key not in reasons:
            reasons[key] = _band_problem(band, destination, code, accounts.sheets[key[0]])
        field_name, reason = reasons[key]
        records.append(
            {"file": file, "row": row, "call_id": call_id, "field": field_name, "reason": reason}
        )
    return rejections_of(records)


def _band_problem(
    band: str | None, destination: str | None, code: int, sheet: SheetVersionTerms
) -> tuple[str, str]:
    """The field at fault and the reason a call's band or destination cannot be priced."""
    sheet_name = f"sheet {sheet.sheet} (version {sheet.version})"
    if band is not None:
        hint = did_you_mean(band, sheet.bands)
        reason = f"unknown band '{band}': {sheet_name} has " + ", ".join(sorted(sheet.bands))
        return "band", reason + (f"; {hint}" if hint else "")
    reading = read_destination(str(destination), sheet)
    if reading is None:
        return "destination", (
            f"destination '{destination}' is not a phone number (such as +441632960000) "
            "or an address (such as sip:desk@example.com)"
        )
    if code == _BARRED:
        return "destination", f"barred destination {reading}"
    return "destination", f"unknown destination {reading}: no band of {sheet_name} matches it"


# -------------------------------------------------------------------- price


def _priced(coded: _CodedCalls, accounts: _Accounts) -> _PricedCalls:
    """The rated calls: charges in minor units, whether chargeable, whether they count."""
    positions = np.flatnonzero(coded.rated)
    account, band = coded.account[positions], coded.band[positions]
    duration = coded.duration[positions]
    rate = accounts.rates[account * accounts.band_width + band]
    divisor = _lookup(accounts.divisors, account)
    # duration = q × divisor + r: q × rate is exact, only r × rate / divisor is rounded.
    amount, remainder = np.divmod(duration, divisor)
    amount *= rate
    remainder *= rate
    modes = [sheet.rounding for sheet in accounts.sheets]
    distinct_modes = sorted(set(modes))
    if len(distinct_modes) == 1:
        amount += _rounded_division(remainder, divisor, modes[0])
    else:
        sheet_mode = np.array([distinct_modes.index(m) for m in modes])[accounts.sheet_of[account]]
        for index, mode in enumerate(distinct_modes):
            chosen = sheet_mode == index
            divisor_chosen = divisor[chosen] if isinstance(divisor, np.ndarray) else divisor
            amount[chosen] += _rounded_division(remainder[chosen], divisor_chosen, mode)
    return _PricedCalls(
        coded.first + positions,
        account,
        coded.holding[positions],
        band,
        duration,
        amount,
        duration >= _lookup(accounts.chargeable_from, account),
        duration >= _lookup(accounts.counting_from, account),
    )


@functools.cache
def _micro(rate: Decimal) -> int:
    """A rate in micro-units, once per distinct rate: accounts share a handful of rates."""
    return rate_to_micro(rate)


def _rounded_division(numerator: Ints, divisor: Ints | np.int64, rounding: str) -> Ints:
    """``numerator / divisor`` for numerator ≥ 0, rounded with a tariff rounding mode."""
    if rounding == "half-up":
        return (2 * numerator + divisor) // (2 * divisor)
    if rounding == "up":
        return (numerator + divisor - 1) // divisor
    if rounding == "down":
        return numerator // divisor
    if rounding == "half-even":
        quotient = numerator // divisor
        twice_remainder = 2 * (numerator - quotient * divisor)
        round_up = (twice_remainder > divisor) | (
            (twice_remainder == divisor) & (quotient % 2 == 1)
        )
        rounded: Ints = quotient + round_up
        return rounded
    raise ValueError(f"unknown rounding mode {rounding!r}")


# ---------------------------------------------------------------- aggregate


@dataclass(frozen=True)
class _Totals:
    """Running sums over the blocks, per (account, band) slot and per number assignment.

    A slot is numbered account × band width + band.
    """

    accounts: _Accounts
    holdings: _Holdings
    calls: Ints
    seconds: Ints
    amount: Ints
    chargeable: Ints
    counted: Ints

    @classmethod
    def of(cls, accounts: _Accounts, holdings: _Holdings) -> _Totals:
        """Zero totals for every slot and every assignment."""
        size = len(accounts.ids) * accounts.band_width

        def zeros(length: int) -> Ints:
            return np.zeros(length, dtype=np.int64)

        return cls(
            accounts,
            holdings,
            zeros(size),
            zeros(size),
            zeros(size),
            zeros(size),
            zeros(len(holdings.assignments)),
        )

    def add(self, priced: _PricedCalls) -> None:
        """Add one block's priced calls."""
        key = priced.account * self.accounts.band_width + priced.band
        size = len(self.calls)
        self.calls[:] += np.bincount(key, minlength=size)
        np.add.at(self.seconds, key, priced.duration)
        np.add.at(self.amount, key, priced.amount)
        self.chargeable[:] += np.bincount(key[priced.chargeable], minlength=size)
        self.counted[:] += np.bincount(
            priced.holding[priced.counts], minlength=len(self.holdings.assignments)
        )

    def usage(self) -> dict[str, AccountUsage]:
        """Per account: calls, chargeable calls, and per band and per number what it used."""
        accounts = self.accounts
        width = accounts.band_width
        usage: dict[str, AccountUsage] = {}
        band_names = [list(sheet.bands) for sheet in accounts.sheets]
        sheet_of = accounts.sheet_of.tolist()
        used = np.flatnonzero(self.calls)
        for slot, count, used_seconds, charged, chargeable_calls in zip(
            used.tolist(),
            self.calls[used].tolist(),
            self.seconds[used].tolist(),
            self.amount[used].tolist(),
            self.chargeable[used].tolist(),
            strict=True,
        ):
            position, band = divmod(slot, width)
            account_id = accounts.ids[position]
            mine = usage.get(account_id)
            if mine is None:
                mine = usage[account_id] = AccountUsage()
            mine.calls += count
            mine.chargeable_calls += chargeable_calls
            band_name = band_names[sheet_of[position]][band]
            mine.bands[band_name] = BandUsage(count, used_seconds, charged)
        for position in np.flatnonzero(self.counted).tolist():
            held = self.holdings.assignments[position]
            numbers = usage[held.account_id].counted_calls
            numbers[held.number] = numbers.get(held.number, 0) + int(self.counted[position])
        return usage
