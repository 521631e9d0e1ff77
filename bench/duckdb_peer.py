"""The same month in DuckDB SQL, exact, as a data engineer would write it instead of the engine.

    python bench/duckdb_peer.py DIRECTORY MONTH ISSUED_ON > peer.json

The catalogue is compiled once, by the engine (what a data engineer would
reuse rather than parse again): each account's rates, billing increments,
fees and minimums in integer micro-units, its month as UTC instants in its
own time zone, each sheet's prefixes and dial rules, each number's holders as
UTC windows. Every call is then read, checked, held, banded, priced and
summed by DuckDB in one SQL query, in integers (HUGEINT where a product could
pass 64 bits), rounding each call once with its sheet's mode. The sums become
invoices through the engine's invoice rules (licence, inclusive calls, Fair
Usage, discounts, tax: per account, not per call), so that the two runs'
invoices can be compared line for line.

What the SQL does not do, and bench/generate.py's months do not need: read
destinations that are not plain numbers or addresses with a scheme
(punctuation, trunk zeros), test that a number is possible (the engine asks
``phonenumbers``), overlapping holders of one number (the engine refuses
them), and word each rejection (it counts them).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import duckdb
import polars as pl

from tariff.dsl.catalogue import display_path
from tariff.dsl.months import Month
from tariff.dsl.vocabulary import Rounding
from tariff.engine import load_catalogue
from tariff.engine.invoice.build import Issue, assignments_by_account, build_invoice
from tariff.engine.partition import no_calls
from tariff.engine.plan.terms import resolve_terms, unmatched_order_forms
from tariff.engine.rating.accounts import RatingAccounts
from tariff.engine.rating.bands import BARRED
from tariff.engine.rating.holdings import EVER, NEVER_ENDS, Holdings, instants
from tariff.engine.rating.totals import AccountUsage, BandUsage
from tariff.engine.usage.calls import MAX_DURATION_SECONDS
from tariff.engine.usage.load import usage_from_frames

ROOT = Path(__file__).resolve().parent.parent
_ROUNDING_SQL = {
    Rounding.HALF_UP: "(2 * rem + div) // (2 * div)",
    Rounding.UP: "(rem + div - 1) // div",
    Rounding.DOWN: "rem // div",
    Rounding.HALF_EVEN: (
        "rem // div + CASE WHEN 2 * (rem % div) > div"
        " OR (2 * (rem % div) = div AND (rem // div) % 2 = 1) THEN 1 ELSE 0 END"
    ),
}


def lookup_tables(accounts: RatingAccounts, holdings: Holdings, month: Month) -> dict[str, object]:
    """The compiled catalogue as small tables: accounts, slots, prefixes, dial rules, holders."""
    width = accounts.band_width
    zones = [terms.timezone for terms in accounts.terms]
    starts = instants([month.first_day] * len(zones), zones, EVER)
    ends = instants([month.next.first_day] * len(zones), zones, NEVER_ENDS)
    rounding = [accounts.sheets[s].rounding for s in accounts.sheet_of.tolist()]
    account_table = pl.DataFrame(
        {
            "account": range(len(accounts.ids)),
            "sheet": accounts.sheet_of,
            "div": accounts.divisors,
            "chargeable_from": accounts.chargeable_from,
            "counting_from": accounts.counting_from,
            "month_start": starts,
            "month_end": ends,
            "rounding": [str(mode) for mode in rounding],
        }
    )
    slots = pl.DataFrame(
        {
            "account": [p // width for p in range(len(accounts.rates))],
            "band": [p % width for p in range(len(accounts.rates))],
            "rate": accounts.rates,
            "first": accounts.firsts,
            "step": accounts.steps,
            "fee": accounts.connection_fees,
            "minimum": accounts.minimum_charges,
        }
    )
    prefixes = pl.DataFrame(
        [
            {"sheet": s, "prefix": prefix, "length": len(prefix), "band": _band(sheet, band)}
            for s, sheet in enumerate(accounts.sheets)
            for prefix, band in sheet.prefix_bands().items()
        ],
        schema={"sheet": pl.Int64, "prefix": pl.String, "length": pl.Int64, "band": pl.Int64},
    )
    dial = pl.DataFrame(
        [
            {"sheet": s, "prefix": prefix, "replacement": to}
            for s, sheet in enumerate(accounts.sheets)
            for prefix, to in sheet.dial.items()
        ],
        schema={"sheet": pl.Int64, "prefix": pl.String, "replacement": pl.String},
    )
    holders = pl.DataFrame(
        {
            "number": [a.number for a in holdings.assignments],
            "holding": range(len(holdings.assignments)),
            "account": holdings.account,
            "since": holdings.since,
            "until": holdings.until,
        }
    )
    return {
        "account_terms": account_table,
        "slots": slots,
        "prefixes": prefixes,
        "dial": dial,
        "holders": holders,
    }


def _band(sheet, band: str | None) -> int:
    return list(sheet.bands).index(band) if band is not None else BARRED


def month_query(calls_csv: Path, accounts: RatingAccounts) -> str:
    """The SQL of the month: its calls' sums per account and band, and per holder."""
    rounding = " ".join(f"WHEN '{mode}' THEN {sql}" for mode, sql in _ROUNDING_SQL.items())
    per_second = accounts.per_second
    billed = (
        "duration"
        if per_second
        else "CASE WHEN duration > 0 THEN first + (greatest(duration - first, 0) + step - 1)"
        " // step * step ELSE 0 END"
    )
    path = str(calls_csv).replace("'", "''")
    return f"""
    CREATE TEMP TABLE raw AS
      SELECT * FROM read_csv('{path}', all_varchar = true, header = true);
    CREATE TEMP TABLE sums AS
    WITH parsed AS (
      SELECT rowid + 1 AS row,
             nullif(trim(call_id), '') AS call_id,
             nullif(trim(number), '') AS number,
             epoch_us(TRY_CAST(trim(started_at) AS TIMESTAMPTZ)) AS started,
             CASE WHEN regexp_full_match(trim(duration_s), '-?[0-9]{{1,18}}')
                  THEN CAST(trim(duration_s) AS BIGINT) END AS duration,
             nullif(trim(destination), '') AS destination
      FROM raw
    ),
    first_of_id AS (
      SELECT *, row_number() OVER (PARTITION BY call_id ORDER BY row) = 1 AS first
      FROM parsed
    ),
    valid AS (
      SELECT * FROM first_of_id
      WHERE call_id IS NOT NULL AND first AND number IS NOT NULL AND started IS NOT NULL
        AND duration BETWEEN 0 AND {MAX_DURATION_SECONDS} AND destination IS NOT NULL
    ),
    held AS (
      SELECT v.*, h.account, h.holding
      FROM valid v ASOF LEFT JOIN holders h
        ON v.number = h.number AND v.started >= h.since
      WHERE h.account IS NULL OR v.started < h.until
    ),
    in_month AS (
      SELECT held.*, t.sheet, t.div, t.rounding, t.chargeable_from, t.counting_from,
             held.started >= t.month_start AND held.started < t.month_end AS this_month
      FROM held JOIN account_terms t USING (account)
    ),
    readings AS (
      SELECT DISTINCT sheet, destination,
        CASE WHEN regexp_full_match(destination, '\\+?[0-9]+') THEN
               coalesce((SELECT d.replacement || destination[length(d.prefix) + 1:]
                         FROM dial d WHERE d.sheet = m.sheet
                           AND starts_with(destination, d.prefix)
                         ORDER BY length(d.prefix) DESC LIMIT 1), destination)
             WHEN regexp_matches(destination, '^[A-Za-z][A-Za-z0-9+.\\-]*:') THEN
               lower(regexp_extract(destination, '^[A-Za-z][A-Za-z0-9+.\\-]*:'))
               || regexp_replace(destination, '^[A-Za-z][A-Za-z0-9+.\\-]*:', '')
        END AS reading
      FROM in_month m WHERE this_month
    ),
    banded AS (
      SELECT r.sheet, r.destination,
             (SELECT p.band FROM prefixes p
              WHERE p.sheet = r.sheet AND starts_with(r.reading, p.prefix)
              ORDER BY p.length DESC LIMIT 1) AS band
      FROM readings r
    ),
    priced AS (
      SELECT m.account, m.holding, b.band, m.duration, m.div, m.rounding,
             m.duration >= m.chargeable_from AS chargeable,
             m.duration >= m.counting_from AS counts,
             s.rate::HUGEINT AS rate, s.first, s.step, s.fee::HUGEINT AS fee,
             s.minimum::HUGEINT AS minimum
      FROM in_month m
      JOIN banded b USING (sheet, destination)
      JOIN slots s ON s.account = m.account AND s.band = b.band
      WHERE m.this_month AND b.band >= 0
    ),
    billed AS (
      SELECT *, ({billed})::HUGEINT AS billed FROM priced
    ),
    charged AS (
      SELECT *,
        CASE WHEN {per_second} THEN billed % div * rate
             WHEN billed * rate + (CASE WHEN duration > 0 THEN fee ELSE 0 END)
                  < (CASE WHEN duration > 0 THEN minimum ELSE 0 END)
               THEN (CASE WHEN duration > 0 THEN minimum ELSE 0 END)
             ELSE billed % div * rate + (CASE WHEN duration > 0 THEN fee ELSE 0 END)
        END AS rem,
        CASE WHEN {per_second} THEN billed // div * rate
             WHEN billed * rate + (CASE WHEN duration > 0 THEN fee ELSE 0 END)
                  < (CASE WHEN duration > 0 THEN minimum ELSE 0 END) THEN 0
             ELSE billed // div * rate
        END AS whole
      FROM billed
    )
    SELECT account, band, holding,
           count(*) AS calls, sum(duration) AS seconds,
           sum(whole + CASE rounding {rounding} END) AS amount,
           sum(billed) AS billed, count(*) FILTER (WHERE chargeable) AS chargeable,
           count(*) FILTER (WHERE counts) AS counted
    FROM charged GROUP BY ALL
    UNION ALL  -- held calls of another month, counted apart
    SELECT account, {_OTHER_MONTH}, -1, count(*), 0, 0, 0, 0, 0
    FROM in_month WHERE NOT this_month GROUP BY account;
    """


# What DuckDB may hold in memory before it spills to disk.
_MEMORY_LIMIT = "8GB"
# The band of the sums' rows that count calls of another month.
_OTHER_MONTH = -100


def main() -> None:
    directory, month_text, issued_text = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    month = Month.parse(month_text)
    plan = load_catalogue(ROOT / "tariffs")
    usage = usage_from_frames(
        pl.read_csv(directory / "accounts.csv", infer_schema=False),
        pl.read_csv(directory / "numbers.csv", infer_schema=False),
        no_calls(),
        (
            display_path(directory / "accounts.csv"),
            display_path(directory / "numbers.csv"),
            "calls",
        ),
    )
    terms = resolve_terms(
        plan, usage.accounts, month, unmatched_order_forms(plan, usage.accounts, month)
    )
    accounts = RatingAccounts.of(terms)
    holdings = Holdings.of(usage.numbers, accounts)
    connection = duckdb.connect()
    # DuckDB spills what does not fit to disk; a bound leaves the machine room.
    connection.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
    for name, table in lookup_tables(accounts, holdings, month).items():
        connection.register(name, table)
    connection.execute(month_query(directory / "calls.csv", accounts))
    everything = connection.sql("SELECT * FROM sums").pl()
    (calls_in,) = connection.execute("SELECT count(*) FROM raw").fetchone() or (0,)
    other = everything.filter(pl.col("band") == _OTHER_MONTH)
    sums = everything.filter(pl.col("band") != _OTHER_MONTH)
    summary = {
        "calls_in": calls_in,
        "calls_rated": int(sums["calls"].sum()),
        "calls_other_period": int(other["calls"].sum()),
    }
    summary["calls_rejected"] = calls_in - summary["calls_rated"] - summary["calls_other_period"]
    usage_by_account = _account_usage(sums, accounts, holdings)
    issue = Issue(dt.date.fromisoformat(issued_text), plan.payment_terms_days, plan.source_names)
    assignments = assignments_by_account(usage.numbers)
    invoices = [
        build_invoice(
            terms[account_id],
            usage_by_account.get(account_id, AccountUsage()),
            assignments.get(account_id, []),
            month,
            issue,
        ).model_dump(mode="json", exclude_none=True)
        for account_id in sorted(terms)
    ]
    json.dump(
        {"invoices": invoices, "summary": summary},
        sys.stdout,
    )


def _account_usage(
    sums: pl.DataFrame, accounts: RatingAccounts, holdings: Holdings
) -> dict[str, AccountUsage]:
    """The SQL sums as the invoice rules take them: per account, band and number."""
    usage: dict[str, AccountUsage] = {}
    per_band = (
        sums.group_by("account", "band")
        .agg(pl.col("calls", "seconds", "amount", "billed", "chargeable").sum())
        .sort("account", "band")
    )
    sheet_of = accounts.sheet_of.tolist()
    for account, band, calls, seconds, amount, billed, chargeable in per_band.iter_rows():
        mine = usage.setdefault(accounts.ids[account], AccountUsage())
        mine.calls += calls
        mine.chargeable_calls += chargeable
        name = list(accounts.sheets[sheet_of[account]].bands)[band]
        billed_seconds = seconds if accounts.per_second else int(billed)
        mine.bands[name] = BandUsage(calls, seconds, int(amount), billed_seconds)
    per_holder = sums.group_by("holding").agg(pl.col("counted").sum()).sort("holding")
    for holding, counted in per_holder.iter_rows():
        if counted:
            held = holdings.assignments[holding]
            numbers = usage[held.account_id].counted_calls
            numbers[held.number] = numbers.get(held.number, 0) + counted
    return usage


if __name__ == "__main__":
    main()
