"""Rating a month of calls over whole columns (polars), exactly, in integers.

One lazy query gives every call an account, a period and a band, and polars
runs its branches (the aggregates, the rejections, the counts) together:

1. **Assign**: a call belongs to the account that held its number on the call's
   date in that account's time zone. Every date bound (an assignment's start and
   end, the billing month's first and last day) is turned once into a UTC
   instant per account, so each call needs only comparisons, never a time-zone
   conversion. Numbers held by one account without dates map straight to it.
2. **Period**: the calls that start inside their account's billing month.
3. **Band**: an explicit ``band`` wins; otherwise the destination is read with the
   sheet's dial rules and matched to its longest prefix, once per distinct
   destination, and the result mapped back onto the calls.
4. **Price**: each call's minute charge is ``duration × rate / 60`` rounded to the
   minor unit with the sheet's mode, in integer arithmetic on rates held as
   micro-units, the rate picked from a table by (account, band).
5. **Aggregate**: per account and band the calls, seconds, charges and
   chargeable calls, and per account and tracking number the calls that count
   for Fair Usage.

Everything rejected on the way is returned with its row and reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import polars as pl

from tariff.dsl.ast import Month
from tariff.dsl.currencies import MINOR_DIGITS, RATE_DECIMALS
from tariff.dsl.diagnostics import did_you_mean
from tariff.engine.calls import CallTable
from tariff.engine.models import Rejection
from tariff.engine.money import rate_to_micro
from tariff.engine.plan import SheetVersionTerms
from tariff.engine.terms import AccountTerms
from tariff.engine.usage import NumberAssignment, NumberTable

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"\+?[0-9]+")
# Band codes for calls that select no band.
_BARRED, _NO_BAND, _NOT_A_DESTINATION = -1, -2, -3
# A threshold no call reaches: accounts without Fair Usage count nothing.
_NEVER = 2**62
_MICROSECONDS = 1_000_000


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
    sheet_of: tuple[int, ...]

    @classmethod
    def of(cls, terms: Mapping[str, AccountTerms]) -> _Accounts:
        """The accounts of ``terms`` in id order, and the sheet versions they use."""
        ids = tuple(sorted(terms))
        ordered = tuple(terms[a] for a in ids)
        keys = sorted({t.sheet.key for t in ordered})
        sheets = tuple(next(t.sheet for t in ordered if t.sheet.key == k) for k in keys)
        return cls(ids, ordered, sheets, tuple(keys.index(t.sheet.key) for t in ordered))

    @property
    def index(self) -> dict[str, int]:
        """Each account's position."""
        return {account_id: position for position, account_id in enumerate(self.ids)}

    def column(self, values: Sequence[int], position: pl.Expr) -> pl.Expr:
        """A per-account value picked for each call by its account's position."""
        return pl.lit(pl.Series(values, dtype=pl.Int64)).gather(position)


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
    coded = _coded(calls, numbers, accounts, month)
    held = pl.col("account").is_not_null()
    in_month = held & pl.col("in_month")
    rated = in_month & (pl.col("band_index") >= 0)
    priced = coded.filter(rated).select(*_priced_columns(accounts))
    per_band, counted, unpriced, unheld, totals = pl.collect_all(
        [
            priced.group_by("account", "band_index").agg(
                pl.len().alias("calls"),
                pl.col("duration_s").sum().alias("seconds"),
                pl.col("amount").sum(),
                pl.col("chargeable").sum(),
            ),
            priced.filter(pl.col("counts")).group_by("account", "number").agg(pl.len()),
            coded.filter(in_month & (pl.col("band_index") < 0)).select(
                "row", "call_id", "account", "band", "destination", "band_index"
            ),
            coded.filter(~held).select("row", "call_id", "number", "started_at"),
            coded.select(
                rated.sum().alias("rated"), (held & ~pl.col("in_month")).sum().alias("other")
            ),
        ]
    )
    rejections = _unheld_rejections(calls.file, unheld, numbers)
    rejections += _band_rejections(calls.file, unpriced, accounts)
    return RatedCalls(
        _usage(per_band, counted, accounts),
        tuple(rejections),
        int(totals["rated"][0]),
        int(totals["other"][0]),
    )


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
    bands = list(accounts.sheets[accounts.sheet_of[position]].bands)
    rated = (
        _coded(calls, numbers, accounts, month)
        .filter((pl.col("account") == position) & pl.col("in_month") & (pl.col("band_index") >= 0))
        .select("row", "call_id", "started_at", *_priced_columns(accounts))
        .sort("started_at", "row")
        .collect()
    )
    band_names = pl.Series(bands, dtype=pl.String)
    return rated.select(
        "row",
        "call_id",
        "number",
        "started_at",
        "duration_s",
        band_names.gather(rated["band_index"]).alias("band"),
        "amount",
        "chargeable",
        "counts",
    )


def _coded(
    calls: CallTable, numbers: NumberTable, accounts: _Accounts, month: Month
) -> pl.LazyFrame:
    """Every call with its account (or null), whether it is in the month, and its band code."""
    assigned = _assign_accounts(calls.calls, numbers, accounts)
    destinations = calls.calls.select(pl.col("destination").unique()).collect()["destination"]
    # Materialised once: several queries read it, and mapping numbers and
    # destinations again for each would cost more.
    return (
        assigned.join(_destination_bands(destinations, accounts), on="destination", how="left")
        .with_columns(
            _within(month, accounts).alias("in_month"),
            _band_index(accounts).alias("band_index"),
        )
        .collect()
        .lazy()
    )


def _usage(
    per_band: pl.DataFrame, counted: pl.DataFrame, accounts: _Accounts
) -> dict[str, AccountUsage]:
    usage: dict[str, AccountUsage] = {}
    for position, band, count, seconds, amount, chargeable in per_band.iter_rows():
        mine = usage.setdefault(accounts.ids[position], AccountUsage())
        mine.calls += count
        mine.chargeable_calls += chargeable
        band_name = list(accounts.sheets[accounts.sheet_of[position]].bands)[band]
        mine.bands[band_name] = BandUsage(count, seconds, amount)
    for position, number, count in counted.iter_rows():
        usage.setdefault(accounts.ids[position], AccountUsage()).counted_calls[number] = count
    return usage


# ------------------------------------------------------------------- assign


def _local_midnight(day: dt.date, zone: str) -> int:
    """The UTC instant (microseconds) at which ``day`` starts in ``zone``."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return int(start.timestamp()) * _MICROSECONDS


def _assign_accounts(
    calls: pl.LazyFrame, numbers: NumberTable, accounts: _Accounts
) -> pl.LazyFrame:
    """The calls with ``account``: the position of the account holding the number then, or null."""
    index = accounts.index
    by_number: dict[str, list[NumberAssignment]] = {}
    for assignment in numbers.assignments:
        by_number.setdefault(assignment.number, []).append(assignment)
    always = {
        number: index[held[0].account_id]
        for number, held in by_number.items()
        if len(held) == 1 and held[0].assigned_from is None and held[0].released_on is None
    }
    holders = pl.LazyFrame(
        {"number": list(always), "account": list(always.values())},
        schema={"number": pl.String, "account": pl.Int32},
    )
    if len(always) == len(by_number):
        return calls.join(holders, on="number", how="left")
    dated_numbers = [number for number in by_number if number not in always]
    zone = {account_id: accounts.terms[i].timezone for account_id, i in index.items()}
    windows = pl.LazyFrame(
        [
            {
                "number": a.number,
                "held_by": index[a.account_id],
                "since": _local_midnight(a.assigned_from, zone[a.account_id])
                if a.assigned_from
                else None,
                "until": _local_midnight(a.released_on, zone[a.account_id])
                if a.released_on
                else None,
            }
            for number in dated_numbers
            for a in by_number[number]
        ],
        schema={"number": pl.String, "held_by": pl.Int32, "since": pl.Int64, "until": pl.Int64},
    )
    started = pl.col("started_at").cast(pl.Int64)
    dated = calls.filter(pl.col("number").is_in(dated_numbers))
    dated_holders = (
        dated.select("row", "number", "started_at")
        .join(windows, on="number", how="inner")
        .filter(
            (pl.col("since").is_null() | (started >= pl.col("since")))
            & (pl.col("until").is_null() | (started < pl.col("until")))
        )
        # At a hand-over between accounts in different time zones both may
        # seem to hold the number; the newer assignment wins.
        .sort("since", descending=True, nulls_last=True)
        .unique("row", keep="first")
        .select("row", pl.col("held_by").alias("account"))
    )
    return pl.concat(
        [
            calls.filter(~pl.col("number").is_in(dated_numbers)).join(
                holders, on="number", how="left"
            ),
            dated.join(dated_holders, on="row", how="left"),
        ]
    )


def _within(month: Month, accounts: _Accounts) -> pl.Expr:
    """Whether each call starts inside its account's billing month, in its time zone."""
    starts = [_local_midnight(month.first_day, t.timezone) for t in accounts.terms]
    ends = [_local_midnight(month.next.first_day, t.timezone) for t in accounts.terms]
    account = pl.col("account")
    started = pl.col("started_at").cast(pl.Int64)
    return (started >= accounts.column(starts, account)) & (
        started < accounts.column(ends, account)
    )


def _unheld_rejections(file: str, unheld: pl.DataFrame, numbers: NumberTable) -> list[Rejection]:
    known = {assignment.number for assignment in numbers.assignments}
    rejections = []
    for row, call_id, number, started_at in unheld.iter_rows():
        if number in known:
            reason = (
                f"tracking number {number} was not assigned to any account when the call "
                f"started ({started_at:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            reason = f"unknown tracking number {number}: it is not in the numbers file"
        rejections.append(
            Rejection.model_construct(
                file=file, row=row, call_id=call_id, field="number", reason=reason
            )
        )
    return rejections


# --------------------------------------------------------------------- band


def _band_index(accounts: _Accounts) -> pl.Expr:
    """Each call's band position in its account's sheet, or a negative code."""
    by_sheet = []
    for position, sheet in enumerate(accounts.sheets):
        named = {name: index for index, name in enumerate(sheet.bands)}
        by_sheet.append(
            pl.when(pl.col("band").is_not_null())
            .then(pl.col("band").replace_strict(named, default=_NO_BAND, return_dtype=pl.Int32))
            .otherwise(pl.col(f"destination_band_{position}"))
        )
    if len(by_sheet) == 1:
        return by_sheet[0]
    sheet_position = accounts.column(accounts.sheet_of, pl.col("account"))
    chosen = by_sheet[0]
    for position, expression in enumerate(by_sheet[1:], start=1):
        chosen = pl.when(sheet_position == position).then(expression).otherwise(chosen)
    return chosen


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


def _destination_bands(destinations: pl.Series, accounts: _Accounts) -> pl.LazyFrame:
    """Each distinct destination and, per sheet, its band position (or a negative code)."""
    distinct = destinations.drop_nulls().to_list()
    columns: dict[str, list[object]] = {"destination": list(distinct)}
    for position, sheet in enumerate(accounts.sheets):
        bands = list(sheet.bands)
        table = {
            prefix: (bands.index(band) if band is not None else _BARRED)
            for prefix, band in sheet.prefix_bands().items()
        }
        lengths = sorted({len(prefix) for prefix in table}, reverse=True)
        codes: list[object] = []
        for destination in distinct:
            reading = read_destination(destination, sheet)
            if reading is None:
                codes.append(_NOT_A_DESTINATION)
                continue
            codes.append(
                next(
                    (table[reading[:n]] for n in lengths if reading[:n] in table),
                    _NO_BAND,
                )
            )
        columns[f"destination_band_{position}"] = codes
    schema: dict[str, pl.DataType] = {name: pl.Int32() for name in columns}
    schema["destination"] = pl.String()
    return pl.LazyFrame(columns, schema=schema)


def _band_rejections(file: str, unpriced: pl.DataFrame, accounts: _Accounts) -> list[Rejection]:
    # Many calls share a destination: explain each distinct problem once.
    reasons: dict[tuple[int, str | None, str | None, int], tuple[str, str]] = {}
    rejections = []
    for row, call_id, position, band, destination, code in unpriced.iter_rows():
        key = (accounts.sheet_of[position], band, destination, code)
        if key not in reasons:
            reasons[key] = _band_problem(band, destination, code, accounts.sheets[key[0]])
        field_name, reason = reasons[key]
        rejections.append(
            Rejection.model_construct(
                file=file, row=row, call_id=call_id, field=field_name, reason=reason
            )
        )
    return rejections


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


def _priced_columns(accounts: _Accounts) -> list[pl.Expr]:
    """Account, band, number, duration, and each call's charge and flags."""
    width = max(len(sheet.bands) for sheet in accounts.sheets)
    rates = []
    for position, terms in enumerate(accounts.terms):
        bands = list(accounts.sheets[accounts.sheet_of[position]].bands)
        row = [rate_to_micro(terms.band_rates[band].amount) for band in bands]
        rates += row + [0] * (width - len(row))
    divisors = [60 * 10 ** (RATE_DECIMALS - MINOR_DIGITS[t.currency]) for t in accounts.terms]
    chargeable_from = [t.package.chargeable_from_seconds for t in accounts.terms]
    counting_from = [
        fair_usage.counting_from_seconds if (fair_usage := t.fair_usage) else _NEVER
        for t in accounts.terms
    ]
    account = pl.col("account")
    duration = pl.col("duration_s")
    rate = accounts.column(rates, account * width + pl.col("band_index"))
    divisor = accounts.column(divisors, account)
    rounding = [sheet.rounding for sheet in accounts.sheets]
    amount = _minor_units(duration, rate, divisor, rounding[0])
    if len(set(rounding)) > 1:
        sheet = accounts.column(accounts.sheet_of, account)
        for position, mode in enumerate(rounding[1:], start=1):
            amount = (
                pl.when(sheet == position)
                .then(_minor_units(duration, rate, divisor, mode))
                .otherwise(amount)
            )
    return [
        account,
        pl.col("band_index"),
        pl.col("number"),
        duration,
        amount.alias("amount"),
        (duration >= accounts.column(chargeable_from, account)).alias("chargeable"),
        (duration >= accounts.column(counting_from, account)).alias("counts"),
    ]


def _minor_units(duration: pl.Expr, rate: pl.Expr, divisor: pl.Expr, rounding: str) -> pl.Expr:
    """Each call's charge in minor units: duration × rate / divisor, rounded per call.

    The duration is split as ``q × divisor + r`` so that ``q × rate`` is exact and
    only ``r × rate / divisor`` (never near 64-bit overflow) needs rounding.
    """
    whole = (duration // divisor) * rate
    numerator = (duration % divisor) * rate
    return whole + _rounded_division(numerator, divisor, rounding)


def _rounded_division(numerator: pl.Expr, divisor: pl.Expr, rounding: str) -> pl.Expr:
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
        return quotient + round_up.cast(pl.Int64)
    raise ValueError(f"unknown rounding mode {rounding!r}")
