"""Rating a month with Dask: the partition function as one task per group of accounts.

:func:`rate_month_on_dask` takes the month's accounts, numbers and calls (polars
frames or Arrow tables, in the driver's memory), checks on the driver what
needs the whole month (:func:`~tariff.engine.partition.check_whole_month`),
splits them into groups that keep accounts sharing a number together
(:func:`~tariff.engine.partition.split_usage`), rates each group as a Dask task
(:func:`~tariff.engine.partition.rate_group`) on any scheduler (threads,
processes, or a distributed cluster's client), and merges the groups' runs
into the run one machine would make, byte for byte.

Needs the optional part: ``pip install 'tariff-lang[dask]'``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tariff.dsl.months import Month
from tariff.engine.invoice.models import InvoiceRun
from tariff.engine.partition import check_whole_month, merge_runs, rate_group, split_usage
from tariff.engine.plan.model import RatingPlan

INPUTS = ("accounts", "numbers", "calls")


def rate_month_on_dask(
    plan: RatingPlan,
    month: Month | str,
    accounts: Any,
    numbers: Any,
    calls: Any,
    *,
    issued_on: dt.date,
    parts: int,
    names: tuple[str, str, str] = INPUTS,
    scheduler: str | None = None,
) -> InvoiceRun:
    """The month's invoices, rated by Dask in ``parts`` groups of accounts.

    Frames without a ``row`` column are numbered in their order (1 for the
    first record), as a single run numbers the rows of a file. ``scheduler``
    is Dask's (``"threads"``, ``"processes"``, ``"synchronous"``), or None
    for Dask's default or a distributed client's.
    """
    from dask.base import compute
    from dask.delayed import delayed

    period = month if isinstance(month, Month) else Month.parse(month)
    check_whole_month(plan, period, accounts, numbers, names)
    tasks = [
        delayed(rate_group)(plan, period, *group, names, issued_on=issued_on)
        for group in split_usage(accounts, numbers, calls, parts)
    ]
    runs: tuple[InvoiceRun, ...] = compute(*tasks, scheduler=scheduler)  # type: ignore[no-untyped-call]
    return merge_runs(runs)
