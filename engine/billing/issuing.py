"""Whether a month's invoices may be issued: numbered, immutable documents need a real month.

An issued invoice can only be cancelled by a credit note, so ``tariff bill``
refuses what is almost always a mistake: a month that has not ended yet in the
billing time zones, an issue date before the month's end, and a run in which
no call belongs to the month (the calls of another month were given). Each
refusal names the flag that accepts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from tariff.dsl.months import Month
from tariff.engine.invoice.models import InvoiceRun


def issue_refusals(
    run: InvoiceRun,
    zones: Iterable[str],
    issued_on: dt.date,
    now: dt.datetime,
    *,
    open_month: bool = False,
    early_issue: bool = False,
    no_calls: bool = False,
) -> list[str]:
    """Why the run should not be issued as it is (empty when it may), each naming its flag."""
    month = Month.parse(run.period)
    refusals = []
    # The month has ended once its next month has begun in every billing time zone.
    ends = max(
        dt.datetime.combine(month.next.first_day, dt.time(), tzinfo=ZoneInfo(zone))
        for zone in {*zones, "Europe/London"}
    )
    if not open_month and now < ends:
        refusals.append(
            f"{month} has not ended yet (it ends {ends:%Y-%m-%d %H:%M %Z}); invoices are issued "
            "for months that are over (--allow-open-month to issue it anyway)"
        )
    if not early_issue and issued_on < month.next.first_day:
        refusals.append(
            f"the issue date {issued_on} is before the end of {month}; issue on "
            f"{month.next.first_day} or later (--allow-early-issue-date to issue it anyway)"
        )
    summary = run.summary
    if not no_calls and summary.calls_in and not summary.calls_rated:
        refusals.append(
            f"no call of the input belongs to {month} ({summary.calls_other_period:,} are in "
            "other months): is it the right month, or the right calls file? "
            "(--allow-no-calls to issue it anyway)"
        )
    return refusals
