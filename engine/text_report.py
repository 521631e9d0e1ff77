"""An invoice run as a readable plain-text table, for terminals and quick checks."""

from __future__ import annotations

from tariff.engine.models import Invoice, InvoiceLine, InvoiceRun

_WIDTH = 78


def render_invoice(invoice: Invoice, period: str) -> str:
    """One invoice as a text table with its totals."""
    title = f"{invoice.account_id}"
    if invoice.account_name:
        title += f"  {invoice.account_name}"
    header = (
        f"Invoice {period} · {title}\n"
        f"{invoice.package} {invoice.version} · amounts in {invoice.currency}\n"
    )
    rows = [
        f"  {'charge':<44} {'quantity':>10} {'unit price':>10} {'amount':>9}",
        "  " + "-" * (_WIDTH - 4),
    ]
    rows += [_line(line) for line in invoice.lines]
    rows.append("  " + "-" * (_WIDTH - 4))
    for label, amount in (
        ("Subtotal", invoice.subtotal),
        ("Discount", invoice.discount),
        ("Total", invoice.total),
    ):
        rows.append(f"  {label:>66} {amount:>9}")
    return header + "\n".join(rows) + "\n"


def _line(line: InvoiceLine) -> str:
    quantity = f"{line.quantity:,}"
    unit = str(line.unit_price)
    if line.kind == "minutes":
        quantity += " s"
        unit += "/min"
    if line.kind == "discount":
        quantity = unit = ""
    description = line.description
    if len(description) > 44:
        description = description[:43] + "…"
    return f"  {description:<44} {quantity:>10} {unit:>10} {line.amount:>9}"


def render_run(run: InvoiceRun) -> str:
    """Every invoice, then the rejected calls, then where every call went."""
    parts = [render_invoice(invoice, run.period) for invoice in run.invoices]
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
        f"{run.period}: {len(run.invoices)} invoice{'s' if len(run.invoices) != 1 else ''}; "
        f"calls: {s.calls_in:,} in, {s.calls_rated:,} rated, "
        f"{s.calls_other_period:,} in other months, {s.calls_rejected:,} rejected"
    )
