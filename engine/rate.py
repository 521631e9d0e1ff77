"""Rating a month of calls over whole columns (polars), exactly, in integers.

The steps, each a handful of column operations rather than a Python loop per call:

1. **Assign**: join calls to number assignments; a call belongs to the account
   that held its number on the call's date in that account's time zone.
2. **Period**: keep the calls whose local month is the billing month.
3. **Band**: an explicit ``band`` wins; otherwise the destination is read with the
   sheet's dial rules and matched to its longest prefix (on distinct destinations).
4. **Price**: each call's minute charge is ``duration × rate / 60`` rounded to the
   minor unit with the sheet's mode, in integer arithmetic on rates held as
   micro-units; calls are grouped by (account, band, duration) first, so each
   distinct charge is computed once.
5. **Aggregate**: per account the chargeable calls, per band the calls, seconds
   and amount, and per tracking number the calls that count for Fair Usage.

Everything rejected on the way is returned with its row and reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from tariff.dsl.ast import Month
from tariff.dsl.currencies import MINOR_DIGITS, RATE_DECIMALS
from tariff.dsl.diagnostics import did_you_mean
from tariff.engine.models import Rejection
from tariff.engine.money import rate_to_micro
from tariff.engine.plan import SheetVersionTerms
from tariff.engine.terms import AccountTerms
from tariff.engine.usage import CallTable, NumberTable, row_of

# Marks a barred prefix in band lookups; band names cannot contain NUL.
_BARRED = "\x00barred"
_SCHEME = r"^[A-Za-z][A-Za-z0-9+.\-]*:"
_PHONE_PUNCTUATION = r"[\s\-().]"


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


def rate_calls(
    calls: CallTable,
    numbers: NumberTable,
    terms: Mapping[str, AccountTerms],
    month: Month,
) -> RatedCalls:
    """Rate the month's calls of the accounts in ``terms``."""
    rejections: list[Rejection] = []
    held, unheld = _assign_accounts(calls.calls, numbers.frame, terms)
    rejections += _unheld_rejections(calls.file, unheld, numbers)
    in_month = held.filter(pl.col("month_index") == month.index)
    other_period = held.height - in_month.height
    usage: dict[str, AccountUsage] = {}
    rated = 0
    for sheet, accounts in _accounts_by_sheet(terms):
        part = in_month.filter(pl.col("account_id").is_in(accounts))
        banded, rejected = _assign_bands(part, sheet, calls.file)
        rejections += rejected
        rated += banded.height
        _add_charges(usage, banded, {a: terms[a] for a in accounts}, sheet)
    return RatedCalls(usage, tuple(rejections), rated, other_period)


# ------------------------------------------------------------------- assign


def _assign_accounts(
    calls: pl.DataFrame, numbers: pl.DataFrame, terms: Mapping[str, AccountTerms]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Calls with the account holding their number at the time, and calls held by nobody."""
    zones = {account_id: t.timezone for account_id, t in terms.items()}
    holders = numbers.filter(pl.col("account_id").is_in(list(zones))).select(
        "number",
        "account_id",
        "assigned_from",
        "released_on",
        pl.col("account_id").replace_strict(zones, return_dtype=pl.String).alias("timezone"),
    )
    candidates = calls.join(holders, on="number", how="inner").with_columns(
        _local_time(set(zones.values())).alias("local")
    )
    local_day = pl.col("local").dt.date()
    held = candidates.filter(
        (pl.col("assigned_from").is_null() | (local_day >= pl.col("assigned_from")))
        & (pl.col("released_on").is_null() | (local_day < pl.col("released_on")))
    )
    if holders["number"].is_duplicated().any():
        # A recycled number: at a hand-over between accounts in different time
        # zones both may hold it; the newer assignment wins.
        held = held.sort("assigned_from", descending=True, nulls_last=True).unique(
            "row", keep="first"
        )
    held = held.with_columns(
        month_index=pl.col("local").dt.year().cast(pl.Int64) * 12
        + pl.col("local").dt.month().cast(pl.Int64)
        - 1
    )
    unheld = calls.join(held.select("row"), on="row", how="anti")
    return held, unheld


def _local_time(zones: Iterable[str]) -> pl.Expr:
    """Each call's wall-clock time in its account's billing time zone."""
    started = pl.col("started_at")
    zones = sorted(zones)

    def in_zone(zone: str) -> pl.Expr:
        return started.dt.convert_time_zone(zone).dt.replace_time_zone(None)

    if len(zones) <= 1:
        return in_zone(zones[0] if zones else "UTC")
    expression = in_zone(zones[0])
    for zone in zones[1:]:
        expression = pl.when(pl.col("timezone") == zone).then(in_zone(zone)).otherwise(expression)
    return expression


def _unheld_rejections(file: str, unheld: pl.DataFrame, numbers: NumberTable) -> list[Rejection]:
    known = {assignment.number for assignment in numbers.assignments}
    rejections = []
    for row, call_id, number, started_at in unheld.select(
        "row", "call_id", "number", "started_at"
    ).iter_rows():
        if number in known:
            reason = (
                f"tracking number {number} was not assigned to any account when the call "
                f"started ({started_at:%Y-%m-%d %H:%M} UTC)"
            )
        else:
            reason = f"unknown tracking number {number}: it is not in the numbers file"
        rejections.append(
            Rejection(file=file, row=row, call_id=call_id, field="number", reason=reason)
        )
    return rejections


def _accounts_by_sheet(
    terms: Mapping[str, AccountTerms],
) -> list[tuple[SheetVersionTerms, list[str]]]:
    """The sheet versions in use, each with the accounts priced by it."""
    sheets: dict[str, SheetVersionTerms] = {}
    accounts: dict[str, list[str]] = {}
    for account_id, account in terms.items():
        sheets[account.sheet.key] = account.sheet
        accounts.setdefault(account.sheet.key, []).append(account_id)
    return [(sheets[key], accounts[key]) for key in sorted(sheets)]


# --------------------------------------------------------------------- band


def _assign_bands(
    calls: pl.DataFrame, sheet: SheetVersionTerms, file: str
) -> tuple[pl.DataFrame, list[Rejection]]:
    """Calls with their band, and the calls whose band cannot be priced."""
    lookup = _destination_bands(calls.filter(pl.col("band").is_null())["destination"], sheet)
    with_band = calls.join(lookup, on="destination", how="left").with_columns(
        pl.col("band").alias("given_band"), pl.coalesce("band", "found").alias("band")
    )
    # A call with no band at all is unknown, not "null": it must be rejected, not lost.
    known = pl.col("band").is_in(list(sheet.bands)).fill_null(False)
    rated = with_band.filter(known)
    problems = with_band.filter(~known)
    rejections = [_band_rejection(file, record, sheet) for record in problems.iter_rows(named=True)]
    return rated.drop("found", "reading", "given_band"), rejections


def _destination_bands(destinations: pl.Series, sheet: SheetVersionTerms) -> pl.DataFrame:
    """Each distinct destination, how it reads after dial rules, and the band it selects."""
    frame = pl.DataFrame({"destination": destinations.unique()})
    text = pl.col("destination")
    phone = text.str.replace_all(_PHONE_PUNCTUATION, "")
    dialled = phone
    for prefix in sorted(sheet.dial, key=len):
        # Applied shortest first, so that the longest matching dial prefix wins.
        replacement = sheet.dial[prefix]
        dialled = (
            pl.when(phone.str.starts_with(prefix))
            .then(pl.lit(replacement) + phone.str.slice(len(prefix)))
            .otherwise(dialled)
        )
    reading = (
        pl.when(text.str.contains(_SCHEME))
        .then(text.str.to_lowercase())
        .when(phone.str.contains(r"^\+?[0-9]+$"))
        .then(dialled)
        .otherwise(None)
    )
    frame = frame.with_columns(reading.alias("reading"))
    by_length: dict[int, dict[str, str]] = {}
    for prefix, band in sheet.prefix_bands().items():
        by_length.setdefault(len(prefix), {})[prefix] = band or _BARRED
    matches = [
        pl.col("reading")
        .str.slice(0, length)
        .replace_strict(table, default=None, return_dtype=pl.String)
        for length, table in sorted(by_length.items(), reverse=True)
    ]
    found = pl.coalesce(matches) if matches else pl.lit(None, dtype=pl.String)
    return frame.with_columns(found.alias("found"))


def _band_rejection(file: str, record: dict[str, object], sheet: SheetVersionTerms) -> Rejection:
    call_id = str(record["call_id"])
    row = row_of(record)
    sheet_name = f"sheet {sheet.sheet} (version {sheet.version})"
    if record["given_band"] is not None:
        band = str(record["given_band"])
        hint = did_you_mean(band, sheet.bands)
        reason = f"unknown band '{band}': {sheet_name} has " + ", ".join(sorted(sheet.bands))
        return Rejection(
            file=file,
            row=row,
            call_id=call_id,
            field="band",
            reason=reason + (f"; {hint}" if hint else ""),
        )
    destination = str(record["destination"])
    reading = record["reading"]
    if reading is None:
        reason = (
            f"destination '{destination}' is not a phone number (such as +441632960000) "
            "or an address (such as sip:desk@example.com)"
        )
    elif record["found"] == _BARRED:
        reason = f"barred destination {reading}"
    else:
        reason = f"unknown destination {reading}: no band of {sheet_name} matches it"
    return Rejection(file=file, row=row, call_id=call_id, field="destination", reason=reason)


# -------------------------------------------------------------------- price


def _add_charges(
    usage: dict[str, AccountUsage],
    calls: pl.DataFrame,
    terms: Mapping[str, AccountTerms],
    sheet: SheetVersionTerms,
) -> None:
    """Add the calls' aggregates, priced per call, to each account's usage."""
    rates = pl.DataFrame(
        [
            {
                "account_id": account_id,
                "band": band,
                "rate": rate_to_micro(priced.amount),
                "divisor": 60 * 10 ** (RATE_DECIMALS - MINOR_DIGITS[account.currency]),
                "chargeable_from": account.package.chargeable_from_seconds,
            }
            for account_id, account in terms.items()
            for band, priced in account.band_rates.items()
        ],
        schema={
            "account_id": pl.String,
            "band": pl.String,
            "rate": pl.Int64,
            "divisor": pl.Int64,
            "chargeable_from": pl.Int64,
        },
    )
    groups = (
        calls.group_by("account_id", "band", "duration_s")
        .agg(pl.len().cast(pl.Int64).alias("calls"))
        .join(rates, on=["account_id", "band"], how="inner")
        .with_columns(per_call=_minor_units(sheet.rounding))
    )
    per_band = groups.group_by("account_id", "band").agg(
        pl.col("calls").sum(),
        (pl.col("duration_s") * pl.col("calls")).sum().alias("seconds"),
        (pl.col("per_call") * pl.col("calls")).sum().alias("amount"),
        pl.col("calls")
        .filter(pl.col("duration_s") >= pl.col("chargeable_from"))
        .sum()
        .alias("chargeable"),
    )
    for account_id, band, count, seconds, amount, chargeable in per_band.iter_rows():
        account = usage.setdefault(account_id, AccountUsage())
        account.calls += count
        account.chargeable_calls += chargeable
        account.bands[band] = BandUsage(count, seconds, amount)
    _add_counted_calls(usage, calls, terms)


def _minor_units(rounding: str) -> pl.Expr:
    """Each call's charge in minor units: duration × rate / divisor, rounded per call.

    The duration is split as ``q × divisor + r`` so that ``q × rate`` is exact and
    only ``r × rate / divisor`` (never near 64-bit overflow) needs rounding.
    """
    duration, rate, divisor = pl.col("duration_s"), pl.col("rate"), pl.col("divisor")
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


def _add_counted_calls(
    usage: dict[str, AccountUsage], calls: pl.DataFrame, terms: Mapping[str, AccountTerms]
) -> None:
    """Count, per account and tracking number, the calls toward the Fair Usage minimum."""
    thresholds = {
        account_id: account.fair_usage.counting_from_seconds
        for account_id, account in terms.items()
        if account.fair_usage is not None
    }
    if not thresholds:
        return
    counted = (
        calls.filter(pl.col("account_id").is_in(list(thresholds)))
        .filter(
            pl.col("duration_s")
            >= pl.col("account_id").replace_strict(thresholds, return_dtype=pl.Int64)
        )
        .group_by("account_id", "number")
        .agg(pl.len().cast(pl.Int64).alias("counted"))
    )
    for account_id, number, count in counted.iter_rows():
        usage.setdefault(account_id, AccountUsage()).counted_calls[number] = count
