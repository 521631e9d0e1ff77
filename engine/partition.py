"""Rating a month in partitions of accounts, for companies that outgrow one machine.

:func:`rate_group` is a pure function of the catalogue and one group's accounts,
numbers and calls (Arrow tables or polars frames), returning that group's
invoices; :func:`merge_runs` puts the groups' runs back together exactly as one
run would have produced them. A group must hold every account that ever held
any of its numbers (a recycled number ties its holders together), and every
call to one of its numbers: :func:`group_keys` computes such groups, and
tariff.engine.spark and tariff.engine.dask run them on Apache Spark and Dask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from tariff.dsl.months import Month
from tariff.engine.api import rate_month
from tariff.engine.invoice.models import InvoiceRun, RunSummary
from tariff.engine.invoice.rejected import RejectedCalls
from tariff.engine.plan.model import RatingPlan
from tariff.engine.plan.terms import unmatched_order_forms
from tariff.engine.usage import CALL_COLUMNS, UsageError, usage_from_frames

# Calls to numbers no account holds go to this group, so that each call is
# rated (or rejected) exactly once.
UNHELD_GROUP = 0


def group_keys(numbers: Any, parts: int) -> dict[str, int]:
    """A group (0 to parts - 1) for each account, keeping accounts that share a number together."""
    frame = _frame(numbers)
    parent: dict[str, str] = {}

    def root(account: str) -> str:
        while parent.setdefault(account, account) != account:
            parent[account] = parent[parent[account]]
            account = parent[account]
        return account

    first_holder: dict[str, str] = {}
    for number, account in frame.select("number", "account_id").iter_rows():
        if number in first_holder:
            parent[root(account)] = root(first_holder[number])
        else:
            first_holder[number] = root(account)
    components = sorted({root(account) for account in list(parent)})
    component_group = {component: i % parts for i, component in enumerate(components)}
    return {account: component_group[root(account)] for account in parent}


def split_usage(
    accounts: Any, numbers: Any, calls: Any, parts: int
) -> list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
    """Split a month's usage into ``parts`` groups of (accounts, numbers, calls) frames.

    Each frame keeps a ``row`` column with its records' row numbers in the whole
    file, so that messages from a group point at the same rows as one run would.
    """
    accounts_frame, numbers_frame, calls_frame = (
        _numbered(_frame(accounts)),
        _numbered(_frame(numbers)),
        _numbered(_frame(calls)),
    )
    keys = group_keys(numbers_frame, parts)
    account_group = pl.col("account_id").replace_strict(keys, default=UNHELD_GROUP)
    number_group = numbers_frame.select("number", account_group.alias("group")).unique("number")
    calls_grouped = calls_frame.join(number_group, on="number", how="left").with_columns(
        pl.col("group").fill_null(UNHELD_GROUP)
    )
    accounts_grouped = accounts_frame.with_columns(account_group.alias("group"))
    numbers_grouped = numbers_frame.with_columns(account_group.alias("group"))
    groups = []
    for part in range(parts):
        chosen = pl.col("group") == part
        groups.append(
            (
                accounts_grouped.filter(chosen).drop("group"),
                numbers_grouped.filter(chosen).drop("group"),
                calls_grouped.filter(chosen).drop("group"),
            )
        )
    return groups


def rate_group(
    plan: RatingPlan,
    month: Month | str,
    accounts: Any,
    numbers: Any,
    calls: Any,
    names: tuple[str, str, str] = ("accounts", "numbers", "calls"),
    *,
    issued_on: dt.date | None = None,
) -> InvoiceRun:
    """Invoice one group's accounts: a pure function of the plan, the group's tables and the date.

    Give every group the same ``issued_on``: its default, today, could differ
    between groups rated on either side of midnight.
    """
    usage = usage_from_frames(_frame(accounts), _frame(numbers), _frame(calls), names)
    return rate_month(plan, month, usage, issued_on=issued_on, partition=True)


def check_whole_month(
    plan: RatingPlan,
    month: Month,
    accounts: Any,
    numbers: Any,
    names: tuple[str, str, str] = ("accounts", "numbers", "calls"),
) -> None:
    """Check, on the driver, what needs the whole month, before any group runs.

    Every problem of the accounts and numbers, and every order form in force for
    an account the month lacks, is raised at once (UsageError), as a single run
    raises them.
    """
    usage = usage_from_frames(_frame(accounts), _frame(numbers), no_calls(), names)
    problems = unmatched_order_forms(plan, usage.accounts, month)
    if problems:
        raise UsageError(problems, usage.accounts)


def no_calls() -> pl.DataFrame:
    """A calls table with no calls: for checking, or rating, accounts and numbers alone."""
    return pl.DataFrame({name: pl.Series(name, [], pl.String) for name in CALL_COLUMNS})


def merge_runs(runs: Iterable[InvoiceRun]) -> InvoiceRun:
    """The runs of disjoint groups of one month, as the single run of all of them."""
    runs = list(runs)
    summaries: Sequence[RunSummary] = [run.summary for run in runs]
    totals: Mapping[str, int] = {
        name: sum(getattr(s, name) for s in summaries) for name in RunSummary.model_fields
    }
    return InvoiceRun(
        period=runs[0].period,
        issuer=runs[0].issuer,
        invoices=tuple(sorted((i for r in runs for i in r.invoices), key=lambda i: i.account_id)),
        rejected=RejectedCalls.joined(run.rejected for run in runs),
        summary=RunSummary(**totals),
    )


def _frame(table: Any) -> pl.DataFrame:
    """A polars frame from an Arrow table (zero-copy) or a polars frame."""
    if isinstance(table, pl.DataFrame):
        return table
    converted = pl.from_arrow(table)
    assert isinstance(converted, pl.DataFrame), "an Arrow table, not an array"
    return converted


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame if "row" in frame.columns else frame.with_row_index("row", offset=1)
