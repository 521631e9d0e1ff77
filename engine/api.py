"""The front door for engineers and for the command line.

Three calls rate a month::

    plan = load_catalogue("tariffs")
    usage = load_usage("accounts.csv", "numbers.csv", "calls.csv")
    run = rate_month(plan, "2026-10", usage)   # run.invoices: pydantic Invoice models
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import polars as pl

from tariff.dsl.months import Month
from tariff.engine.invoice.build import Issue, mark_inclusive
from tariff.engine.invoice.itemised import itemised_calls
from tariff.engine.invoice.models import InvoiceRun
from tariff.engine.invoice.rejected import month_rejections
from tariff.engine.invoice.run import invoice_run
from tariff.engine.plan.catalogue import CatalogueError, catalogue_in_use, load_catalogue
from tariff.engine.plan.model import RatingPlan
from tariff.engine.plan.terms import resolve_terms, unmatched_order_forms
from tariff.engine.rating import RatingStatus, rate_calls
from tariff.engine.stream import rate_blocks
from tariff.engine.usage import CallBlocks, CallTable, Usage, load_usage

__all__ = [
    "CatalogueError",
    "catalogue_in_use",
    "load_catalogue",
    "load_usage",
    "rate_month",
    "rate_month_itemised",
    "rate_month_with_calls",
]


def rate_month(
    plan: RatingPlan,
    month: Month | str,
    usage: Usage,
    *,
    issued_on: dt.date | None = None,
    partition: bool = False,
    on_progress: Callable[[RatingStatus], None] | None = None,
) -> InvoiceRun:
    """Invoice every account of ``usage`` for ``month``, issued on ``issued_on`` (default: today).

    The issue date sets each invoice's ``issued_on`` and ``due_on`` (plus the
    issuer's payment terms); nothing else depends on it.

    Raises UsageError when an account cannot be priced (unknown package,
    version or currency), or when an order form in force is for an account
    that ``usage`` lacks (a mistyped id must never bill the list price);
    rejected calls are reported in the result instead. ``partition`` says
    that ``usage`` holds only some of the month's accounts (one group of a
    partitioned run, whose order forms are matched once, by the driver:
    :func:`tariff.engine.plan.terms.unmatched_order_forms`). ``on_progress``
    hears how far rating has got (:class:`tariff.engine.rating.RatingStatus`:
    calls read, rated and rejected, of how many) after each block of calls.
    """
    run, _ = _rate(
        plan,
        month,
        usage,
        keep_calls_of=None,
        issued_on=issued_on,
        partition=partition,
        on_progress=on_progress,
    )
    return run


def rate_month_with_calls(
    plan: RatingPlan,
    month: Month | str,
    usage: Usage,
    account_id: str,
    *,
    issued_on: dt.date | None = None,
) -> tuple[InvoiceRun, pl.DataFrame]:
    """The month's run, and one account's priced calls from the same rating.

    The calls come one row each, in start order, with: row, call_id, number,
    started_at, duration_s, band, amount (minor units), chargeable, counts
    (toward Fair Usage) and inclusive (covered by the allowance).
    """
    run, kept = _rate(plan, month, usage, keep_calls_of=account_id, issued_on=issued_on)
    assert kept is not None, "the account's calls were asked for"
    return run, kept


def rate_month_itemised(
    plan: RatingPlan,
    month: Month | str,
    usage: Usage,
    *,
    issued_on: dt.date | None = None,
    on_progress: Callable[[RatingStatus], None] | None = None,
) -> tuple[InvoiceRun, pl.DataFrame]:
    """The month's run, and every invoice's itemised calls from the same rating.

    The calls come one row each, by account and start, with ``account_id``,
    ``band_name`` and the columns of :data:`tariff.engine.invoice.itemised.ITEMISED_COLUMNS`.
    """
    run, kept = _rate(
        plan,
        month,
        usage,
        keep_calls_of=None,
        issued_on=issued_on,
        keep_all_calls=True,
        on_progress=on_progress,
    )
    assert kept is not None, "every account's calls were asked for"
    return run, kept


def _rate(
    plan: RatingPlan,
    month: Month | str,
    usage: Usage,
    keep_calls_of: str | None,
    issued_on: dt.date | None,
    partition: bool = False,
    keep_all_calls: bool = False,
    on_progress: Callable[[RatingStatus], None] | None = None,
) -> tuple[InvoiceRun, pl.DataFrame | None]:
    period = month if isinstance(month, Month) else Month.parse(month)
    issue = Issue(issued_on or dt.date.today(), plan.payment_terms_days, plan.source_names)
    unmatched = [] if partition else unmatched_order_forms(plan, usage.accounts, period)
    terms = resolve_terms(plan, usage.accounts, period, unmatched)
    if isinstance(usage.calls, CallBlocks):
        if keep_calls_of is None and not keep_all_calls:
            return rate_blocks(plan, period, usage, usage.calls, issue, terms, on_progress), None
        # Calls kept for an invoice's detail are the month's anyway: read it whole.
        usage = dataclasses.replace(usage, calls=usage.calls.whole())
    calls = usage.calls
    assert isinstance(calls, CallTable)
    rated = rate_calls(
        calls,
        usage.numbers,
        terms,
        period,
        keep_calls_of,
        keep_all_calls=keep_all_calls,
        on_block=on_progress,
    )
    rejected = month_rejections(calls.rejections, rated.rejections)
    run = invoice_run(plan, period, issue, terms, usage.numbers, rated, rejected, calls.count)
    if rated.kept_calls is None:
        return run, None
    if keep_all_calls:
        return run, itemised_calls(rated.kept_calls, terms)
    assert keep_calls_of is not None
    return run, mark_inclusive(rated.kept_calls, terms[keep_calls_of].inclusive_calls)
