"""An invoice run as readable text: each invoice's document, the rejections, the counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from tariff.dsl.diagnostics import counted
from tariff.engine.invoice.models import InvoiceRun

if TYPE_CHECKING:
    # Documents bring jinja2; the summary line, printed after every run, needs neither.
    from tariff.engine.billing.documents import InvoiceDocuments


def render_run(
    run: InvoiceRun,
    documents: InvoiceDocuments,
    issued_on: dt.date,
    calls_of: Callable[[str], Sequence[Mapping[str, object]] | None] = lambda _: None,
) -> str:
    """Every invoice as a text document, then the rejected calls, then where every call went.

    ``calls_of`` gives an account's itemised calls, to append to its document.
    """
    from tariff.engine.billing.documents import draft_info

    parts = [
        documents.text(
            invoice,
            draft_info(invoice, run.period, issued_on, run.issuer),
            calls_of(invoice.account_id),
        )
        for invoice in run.invoices
    ]
    if run.rejected:
        rejected = [f"Rejected calls ({len(run.rejected)})"]
        rejected += [
            f"  {r.file} row {r.row}" + (f" ({r.call_id})" if r.call_id else "") + f": {r.reason}"
            for r in run.rejected
        ]
        parts.append("\n".join(rejected) + "\n")
    parts.append(summary_line(run) + "\n")
    return "\n".join(parts)


def summary_line(run: InvoiceRun) -> str:
    """``calls: N in, N rated, N in other months, N rejected``."""
    s = run.summary
    return (
        f"{run.period}: {counted(len(run.invoices), 'invoice')}; "
        f"calls: {s.calls_in:,} in, {s.calls_rated:,} rated, "
        f"{s.calls_other_period:,} in other months, {s.calls_rejected:,} rejected"
    )
