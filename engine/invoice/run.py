"""A month's invoice run: every account's invoice, the rejected calls and the count of calls.

The last step of rating a month, whether its calls were rated whole or block
by block: the checks here (no call lost, no money lost) hold for either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from tariff.dsl.months import Month
from tariff.dsl.vocabulary import Charge
from tariff.engine.invoice.build import Issue, assignments_by_account, build_invoice
from tariff.engine.invoice.models import Invoice, InvoiceRun, Issuer, RunSummary
from tariff.engine.invoice.rejected import RejectedCalls
from tariff.engine.money import exact_sum, to_minor
from tariff.engine.plan.model import RatingPlan
from tariff.engine.plan.terms import AccountTerms
from tariff.engine.rating import AccountUsage, RatedCalls
from tariff.engine.usage import NumberTable


def invoice_run(
    plan: RatingPlan,
    period: Month,
    issue: Issue,
    terms: Mapping[str, AccountTerms],
    numbers: NumberTable,
    rated: RatedCalls,
    rejected: RejectedCalls,
    calls_in: int,
) -> InvoiceRun:
    """The run of the accounts in ``terms``, from their rated calls.

    ``rejected`` are every call rejected, as the file was read and as it
    was rated, and ``calls_in`` every call of the file: each is rated, of
    another month or rejected, or the run fails loudly.
    """
    assignments = assignments_by_account(numbers)
    invoices = tuple(
        build_invoice(
            terms[account_id],
            rated.usage.get(account_id, AccountUsage()),
            assignments.get(account_id, []),
            period,
            issue,
        )
        for account_id in sorted(terms)
    )
    summary = RunSummary(
        calls_in=calls_in,
        calls_rated=rated.rated,
        calls_other_period=rated.other_period,
        calls_rejected=len(rejected),
    )
    if (
        summary.calls_rated + summary.calls_other_period + summary.calls_rejected
        != summary.calls_in
    ):
        raise AssertionError(f"calls were lost between input and invoices: {summary}")
    _check_money(invoices, rated.usage)
    return InvoiceRun(
        period=str(period),
        issuer=Issuer.model_validate(dataclasses.asdict(plan.issuer)) if plan.issuer else None,
        invoices=invoices,
        rejected=rejected,
        summary=summary,
    )


def _check_money(invoices: Sequence[Invoice], usage: Mapping[str, AccountUsage]) -> None:
    """No money is lost either: what rating summed is what the invoices charge and total.

    The twin of the count of calls: each invoice's minute lines add up to the
    charges its calls were rated at, and its lines add up to its total.
    """
    for invoice in invoices:
        rated = sum(
            band.amount_minor
            for band in usage.get(invoice.account_id, AccountUsage()).bands.values()
        )
        minutes = [line.amount for line in invoice.lines if line.kind == Charge.MINUTES]
        lines = exact_sum(line.amount for line in invoice.lines)
        if to_minor(exact_sum(minutes), invoice.currency) != rated or lines != invoice.total:
            raise AssertionError(
                f"money was lost between rating and the invoice of {invoice.account_id}: "
                f"rated {rated} minor units, minute lines {exact_sum(minutes)}, "
                f"lines {lines}, total {invoice.total}"
            )
