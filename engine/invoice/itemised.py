"""Itemised calls: every rated call of an invoice, as the customer reconciles it.

One row per call, in start order: ``call_id, started_at`` (in the account's
time zone, with its offset), ``number, destination, band, seconds,
billed_seconds, rate, amount, inclusive``. A row's amount is the call's own
rounded charge, so an invoice's rows add up to its minute lines exactly.
Everything is computed over whole columns; amounts go from integer minor units
to text without passing through floating point.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import polars as pl

from tariff.dsl.vocabulary import MINOR_DIGITS
from tariff.engine.invoice.build import mark_inclusive
from tariff.engine.money import rate_price
from tariff.engine.plan.terms import AccountTerms

ITEMISED_COLUMNS = (
    "call_id",
    "started_at",
    "number",
    "destination",
    "band",
    "seconds",
    "billed_seconds",
    "rate",
    "amount",
    "inclusive",
)


def itemised_calls(kept: pl.DataFrame, terms: Mapping[str, AccountTerms]) -> pl.DataFrame:
    """Every kept priced call as an itemised row, with ``account_id`` and ``band_name`` too.

    ``kept`` is the rating's kept calls (:attr:`RatedCalls.kept_calls`), sorted
    by account and start.
    """
    accounts = pl.DataFrame(
        {
            "account_id": list(terms),
            "timezone": [t.timezone for t in terms.values()],
            "allowance": [t.inclusive_calls for t in terms.values()],
            "digits": [MINOR_DIGITS[t.currency] for t in terms.values()],
        },
        schema={
            "account_id": pl.String,
            "timezone": pl.String,
            "allowance": pl.Int64,
            "digits": pl.Int64,
        },
    )
    rates = pl.DataFrame(
        [
            (
                account_id,
                band,
                str(rate_price(priced.amount, t.currency)),
                t.sheet.bands[band].title,
            )
            for account_id, t in terms.items()
            for band, priced in t.band_rates.items()
        ],
        schema={
            "account_id": pl.String,
            "band": pl.String,
            "rate": pl.String,
            "band_name": pl.String,
        },
        orient="row",
    )
    calls = kept.with_columns(pl.col("number", "destination").cast(pl.String))
    calls = calls.join(accounts, on="account_id", how="left").join(
        rates, on=["account_id", "band"], how="left"
    )
    calls = mark_inclusive(calls, pl.col("allowance"))
    return calls.select(
        "account_id",
        "call_id",
        _local_times(calls),
        "number",
        "destination",
        "band",
        "band_name",
        pl.col("duration_s").alias("seconds"),
        pl.col("billed_s").alias("billed_seconds"),
        "rate",
        _decimal_text(pl.col("amount"), pl.col("digits")).alias("amount"),
        pl.when("inclusive").then(pl.lit("true")).otherwise(pl.lit("false")).alias("inclusive"),
    )


def _local_times(calls: pl.DataFrame) -> pl.Expr:
    """Each call's start in its account's time zone, ISO 8601 with the offset."""
    started = pl.col("started_at")
    shown = pl.lit(None, dtype=pl.String)
    for zone in calls["timezone"].unique().drop_nulls().to_list():
        local = started.dt.convert_time_zone(zone).dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
        shown = pl.when(pl.col("timezone") == zone).then(local).otherwise(shown)
    return shown.alias("started_at")


def _decimal_text(minor: pl.Expr, digits: pl.Expr) -> pl.Expr:
    """Integer minor units as decimal text (341 -> "3.41"), in integers only."""
    scale = pl.lit(10, dtype=pl.Int64).pow(digits)
    whole = (minor.abs() // scale).cast(pl.String)
    fraction = (minor.abs() % scale).cast(pl.String).str.zfill(digits)
    sign = pl.when(minor < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(sign, whole, pl.lit("."), fraction)


def invoice_calls(itemised: pl.DataFrame) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each account's rows, by account id."""
    for (account_id,), rows in itemised.group_by("account_id", maintain_order=True):
        yield str(account_id), rows


def calls_csv(rows: pl.DataFrame) -> bytes:
    """One invoice's itemised calls as CSV, with the documented columns."""
    return rows.select(ITEMISED_COLUMNS).write_csv().encode("utf-8")
