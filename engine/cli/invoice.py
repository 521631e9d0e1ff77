"""``tariff invoice``: rate one month of usage into invoices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tariff.dsl.diagnostics import counted
from tariff.engine.cli.options import (
    UsageFiles,
    catalogue_option,
    fail,
    order_forms_option,
    parse_date,
    plan_or_fail,
    rated_or_fail,
    reading_ahead,
    rejected_calls,
    require_extra,
    usage_options,
)
from tariff.engine.cli.progress import Progress, RatingProgress

if TYPE_CHECKING:
    import polars as pl

    from tariff.engine.billing.documents import InvoiceDocuments
    from tariff.engine.invoice.models import InvoiceRun
    from tariff.engine.usage import Usage

OK, REJECTED = 0, 1


@click.command()
@usage_options
@catalogue_option
@order_forms_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html", "pdf", "calls"]),
    default="text",
    show_default=True,
    help="text: readable documents; json: the documented invoice document; "
    "html, pdf: one document per invoice; calls: one CSV of itemised calls per invoice "
    "(html, pdf and calls need --out).",
)
@click.option(
    "--itemise",
    is_flag=True,
    help="Append every invoice's itemised calls to its document (text, html, pdf).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write files into this directory instead of printing.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="A directory of templates overriding the shipped ones, by name.",
)
@click.option(
    "--issue-date",
    metavar="YYYY-MM-DD",
    callback=parse_date,
    help="The date documents are issued on (default: today).",
)
@click.option(
    "--accept-rejections",
    is_flag=True,
    help="Exit 0 even if calls were rejected (they are still reported).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress on standard error (only the counts)."
)
def invoice(
    usage_files: UsageFiles,
    catalogue: str | None,
    order_forms: tuple[str, ...],
    output_format: str,
    out: Path | None,
    accept_rejections: bool,
    quiet: bool,
    templates: Path | None,
    issue_date: dt.date | None,
    itemise: bool,
) -> None:
    """Rate one month of usage into invoices.

    CSV, JSON Lines (.jsonl) and Parquet inputs are read by their extension.
    Exits 0 when every call was rated or belongs to another month, 1 when calls
    were rejected (unless --accept-rejections), 2 on bad input or tariffs.
    """
    from tariff.engine.api import rate_month, rate_month_itemised
    from tariff.engine.billing.text_report import summary_line
    from tariff.engine.usage.tables import BLOCK_BYTES

    if output_format in ("html", "pdf", "calls") and out is None:
        raise click.UsageError(
            f"--format {output_format} writes one file per invoice: add --out DIR"
        )
    if itemise and output_format in ("json", "calls"):
        raise click.UsageError(
            f"--itemise appends calls to documents; --format {output_format} has none "
            "(--format calls writes them on their own)"
        )
    if output_format == "pdf":
        require_extra("invoice", "pdf")
    issued_on = issue_date or dt.date.today()
    # JSON needs no templates: only documents load them (and jinja2), up front
    # so that a broken template fails before a long run, not after it.
    documents = _documents(templates) if output_format not in ("json", "calls") else None
    progress = Progress(quiet=quiet)
    rating = RatingProgress(progress)
    progress.show("checking the catalogue…")
    keep_calls = itemise or output_format == "calls"

    def rate(usage: Usage) -> tuple[InvoiceRun, pl.DataFrame | None]:
        if keep_calls:
            return rate_month_itemised(
                plan, usage_files.month, usage, issued_on=issued_on, on_progress=rating
            )
        run = rate_month(plan, usage_files.month, usage, issued_on=issued_on, on_progress=rating)
        return run, None

    # Without calls to keep, the calls are read and rated block by block.
    block_bytes = None if keep_calls else BLOCK_BYTES
    with reading_ahead(usage_files, block_bytes) as read:
        plan = plan_or_fail("invoice", catalogue, order_forms, progress.done)
        run, calls = rated_or_fail("invoice", usage_files, rate, progress, plans=[plan], read=read)
    summary = run.summary
    progress.show(
        f"rated {summary.calls_rated:,} of {summary.calls_in:,} calls, "
        f"{summary.calls_rejected:,} rejected; writing…"
    )
    progress.done()

    if output_format == "calls":
        assert out is not None and calls is not None
        _write_calls(run, out, calls, issued_on)
    elif documents is None:
        _write_json(run, out)
    else:
        _write_documents(run, out, output_format, documents, issued_on, calls)
    click.echo(summary_line(run), err=True)
    if run.rejected:
        verdict = "accepted" if accept_rejections else "rerun with --accept-rejections to accept"
        click.echo(rejected_calls("invoice", len(run.rejected), f" ({verdict})"), err=True)
        if not accept_rejections:
            raise SystemExit(REJECTED)
    raise SystemExit(OK)


def _documents(templates: Path | None) -> InvoiceDocuments:
    from tariff.engine.billing.documents import InvoiceDocuments, TemplateProblem

    try:
        return InvoiceDocuments(templates)
    except TemplateProblem as problem:
        fail([f"tariff invoice: {problem}"])


def _write_json(run: InvoiceRun, out: Path | None) -> None:
    # In pieces: a month's rejections can be hundreds of megabytes of JSON.
    if out is None:
        for text in run.json_text():
            click.echo(text, nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"invoices-{run.period}.json"
    with path.open("w", encoding="utf-8") as document:
        run.write_json(document)
    click.echo(f"wrote {path}", err=True)


def _file_names(run: InvoiceRun, issued_on: dt.date, output_format: str) -> list[str]:
    """Each invoice's file name; refused (nothing written) when two differ only in case."""
    from tariff.engine.billing.documents import clashing_file_names, draft_info, file_name

    names = [
        file_name(draft_info(one, run.period, issued_on), output_format) for one in run.invoices
    ]
    clashes = clashing_file_names(names)
    if clashes:
        fail(
            [f"tariff invoice: {' and '.join(group)} differ only in case" for group in clashes]
            + [
                "tariff invoice: a file system that ignores case would keep one of each, "
                "so nothing was written; give those accounts ids that differ otherwise"
            ]
        )
    return names


def _write_calls(run: InvoiceRun, out: Path, calls: pl.DataFrame, issued_on: dt.date) -> None:
    from tariff.engine.invoice.itemised import calls_csv, invoice_calls

    names = _file_names(run, issued_on, "calls")
    by_account = dict(invoice_calls(calls))
    empty = calls.clear()
    out.mkdir(parents=True, exist_ok=True)
    for one, name in zip(run.invoices, names, strict=True):
        (out / name).write_bytes(calls_csv(by_account.get(one.account_id, empty)))
    written = counted(len(run.invoices), "file")
    click.echo(f"wrote {written} of itemised calls to {out}", err=True)


def _write_documents(
    run: InvoiceRun,
    out: Path | None,
    output_format: str,
    documents: InvoiceDocuments,
    issued_on: dt.date,
    calls: pl.DataFrame | None,
) -> None:
    from tariff.engine.billing.documents import TemplateProblem, draft_info
    from tariff.engine.billing.text_report import render_run
    from tariff.engine.invoice.itemised import invoice_calls

    by_account = dict(invoice_calls(calls)) if calls is not None else {}

    def rows_of(account_id: str) -> list[dict[str, object]] | None:
        if calls is None:
            return None
        rows = by_account.get(account_id)
        return rows.to_dicts() if rows is not None else []

    try:
        if out is None:
            click.echo(render_run(run, documents, issued_on, rows_of), nl=False)
            return
        names = _file_names(run, issued_on, output_format)
        out.mkdir(parents=True, exist_ok=True)
        for one, name in zip(run.invoices, names, strict=True):
            info = draft_info(one, run.period, issued_on, run.issuer)
            rendered = documents.render(one, info, output_format, rows_of(one.account_id))
            (out / name).write_bytes(rendered)
    except TemplateProblem as problem:
        fail([f"tariff invoice: {problem}"])
    written = counted(len(run.invoices), f"{output_format} invoice")
    click.echo(f"wrote {written} to {out}", err=True)
