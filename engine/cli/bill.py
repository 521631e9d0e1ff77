"""``tariff bill``: issue a month's invoices into the ledger, idempotently."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from tariff.dsl.diagnostics import counted
from tariff.engine.cli.options import (
    UsageFiles,
    catalogue_option,
    database_option,
    fail,
    order_forms_option,
    parse_date,
    plan_or_fail,
    rated_or_fail,
    rejected_calls,
    require_ledger_extra,
    usage_options,
)

if TYPE_CHECKING:
    import polars as pl

    from tariff.engine.invoice.models import InvoiceRun
    from tariff.engine.usage import Usage

OK, NOT_ISSUED = 0, 1


@click.command()
@usage_options
@catalogue_option
@order_forms_option
@database_option
@click.option("--issue-date", metavar="YYYY-MM-DD", callback=parse_date, help="Default: today.")
@click.option(
    "--correct",
    is_flag=True,
    help="Where an issued invoice would change, issue a credit note and a new invoice.",
)
@click.option(
    "--accept-rejections", is_flag=True, help="Issue the invoices even if calls were rejected."
)
@click.option("--allow-open-month", is_flag=True, help="Issue a month that has not ended yet.")
@click.option(
    "--allow-early-issue-date", is_flag=True, help="Issue on a date before the month's end."
)
@click.option("--allow-no-calls", is_flag=True, help="Issue although no call belongs to the month.")
def bill(
    usage_files: UsageFiles,
    catalogue: str | None,
    order_forms: tuple[str, ...],
    database: str,
    issue_date: dt.date | None,
    correct: bool,
    accept_rejections: bool,
    allow_open_month: bool,
    allow_early_issue_date: bool,
    allow_no_calls: bool,
) -> None:
    """Issue a month's invoices into the ledger.

    Re-running the same month is idempotent: unchanged invoices are left as
    issued. An invoice that would change is refused (exit 1) unless --correct,
    which issues a credit note and a corrected invoice. The run is one
    transaction: all of it is issued, or none. Exits 0 when issued (or
    unchanged), 1 when nothing was issued (rejected calls, or changes without
    --correct), 2 on bad input or tariffs, or for a month that should not be
    issued yet (not ended, an issue date before its end, no call of it), each
    of which its --allow-… flag accepts.
    """
    require_ledger_extra("bill", database)
    from sqlalchemy.exc import SQLAlchemyError

    from tariff.engine.api import rate_month_itemised
    from tariff.engine.billing.issuing import issue_refusals
    from tariff.engine.billing.ledger import (
        LedgerBusy,
        LedgerConflict,
        LedgerRefusal,
        issue_run,
        open_ledger,
    )
    from tariff.engine.billing.ledger_location import (
        LedgerLocationError,
        database_url,
        redacted,
    )
    from tariff.engine.billing.text_report import summary_line
    from tariff.engine.invoice.itemised import calls_csv, invoice_calls

    try:
        database_url(database)  # a --db that can keep nothing is refused before a long run
    except LedgerLocationError as problem:
        fail([f"tariff bill: the ledger --db {redacted(database)!r} {problem}"])
    plan = plan_or_fail("bill", catalogue, order_forms)
    issued_on = issue_date or dt.date.today()

    def rate_with_zones(usage: Usage) -> tuple[InvoiceRun, pl.DataFrame, set[str]]:
        # Each invoice is issued with its itemised calls, kept in the ledger beside it.
        run, calls = rate_month_itemised(plan, usage_files.month, usage, issued_on=issued_on)
        return run, calls, {a.timezone for a in usage.accounts}

    run, calls, zones = rated_or_fail("bill", usage_files, rate_with_zones, plans=[plan])
    click.echo(summary_line(run), err=True)
    refusals = issue_refusals(
        run,
        zones,
        issued_on,
        dt.datetime.now(dt.UTC),
        open_month=allow_open_month,
        early_issue=allow_early_issue_date,
        no_calls=allow_no_calls,
    )
    if refusals:
        fail(
            [f"tariff bill: {refusal}" for refusal in refusals]
            + ["tariff bill: nothing was issued"]
        )
    if run.rejected and not accept_rejections:
        fail(
            [f"{r.file} row {r.row}: {r.reason}" for r in run.rejected[:20]]
            + [
                rejected_calls(
                    "bill",
                    len(run.rejected),
                    ", so nothing was issued; fix them or rerun with --accept-rejections",
                )
            ],
            NOT_ISSUED,
        )
    try:
        itemised = {account: calls_csv(rows) for account, rows in invoice_calls(calls)}
        header = calls_csv(calls.clear())
        itemised |= {i.account_id: header for i in run.invoices if i.account_id not in itemised}
        report = issue_run(open_ledger(database), run, issued_on, correct=correct, calls=itemised)
    except LedgerConflict as conflict:
        fail([f"tariff bill: {conflict}"], NOT_ISSUED)
    except (LedgerRefusal, LedgerBusy) as refusal:
        fail([f"tariff bill: {refusal}"])
    except SQLAlchemyError as problem:
        reason = str(problem).splitlines()[0]
        shown = redacted(database)
        fail([f"tariff bill: the ledger at {shown} cannot be used: {redacted(reason)}"])
    click.echo(
        f"{run.period}: issued {counted(len(report.issued), 'invoice')}"
        + (f" ({report.issued[0]} to {report.issued[-1]})" if report.issued else "")
        + f", {counted(len(report.credited), 'credit note')}"
        + f", {len(report.unchanged)} already issued and unchanged"
    )
    if report.departed:
        accounts = ", ".join(report.departed)
        if correct:
            click.echo(f"cancelled with a credit note, no longer in the input: {accounts}")
        else:
            click.echo(
                f"tariff bill: {accounts} no longer in the input, but issued for {run.period}: "
                "their invoices stand (--correct cancels them with credit notes)",
                err=True,
            )
    raise SystemExit(OK)
