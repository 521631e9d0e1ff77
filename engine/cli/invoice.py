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
    rejected_calls,
    require_extra,
    usage_options,
)
from tariff.engine.cli.progress import Progress

if TYPE_CHECKING:
    from tariff.engine.billing.documents import InvoiceDocuments
    from tariff.engine.invoice.models import InvoiceRun

OK, REJECTED = 0, 1


@click.command()
@usage_options
@catalogue_option
@order_forms_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html", "pdf"]),
    default="text",
    show_default=True,
    help="text: readable documents; json: the documented invoice document; "
    "html, pdf: one document per invoice (needs --out).",
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
) -> None:
    """Rate one month of usage into invoices.

    CSV, JSON Lines (.jsonl) and Parquet inputs are read by their extension.
    Exits 0 when every call was rated or belongs to another month, 1 when calls
    were rejected (unless --accept-rejections), 2 on bad input or tariffs.
    """
    from tariff.engine.api import rate_month
    from tariff.engine.billing.text_report import summary_line

    if output_format in ("html", "pdf") and out is None:
        raise click.UsageError(
            f"--format {output_format} writes one file per invoice: add --out DIR"
        )
    if output_format == "pdf":
        require_extra("invoice", "pdf")
    issued_on = issue_date or dt.date.today()
    # JSON needs no templates: only documents load them (and jinja2), up front
    # so that a broken template fails before a long run, not after it.
    documents = _documents(templates) if output_format != "json" else None
    progress = Progress(quiet=quiet)
    progress.show("checking the catalogue…")
    plan = plan_or_fail("invoice", catalogue, order_forms, progress.done)
    run = rated_or_fail(
        "invoice",
        usage_files,
        lambda usage: rate_month(plan, usage_files.month, usage),
        progress,
        plans=[plan],
    )
    summary = run.summary
    progress.show(
        f"rated {summary.calls_rated:,} of {summary.calls_in:,} calls, "
        f"{summary.calls_rejected:,} rejected; writing…"
    )
    progress.done()

    if documents is None:
        _write_json(run, out)
    else:
        _write_documents(run, out, output_format, documents, issued_on)
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
    if out is None:
        click.echo(run.to_json(), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"invoices-{run.period}.json"
    path.write_text(run.to_json(), encoding="utf-8")
    click.echo(f"wrote {path}", err=True)


def _write_documents(
    run: InvoiceRun,
    out: Path | None,
    output_format: str,
    documents: InvoiceDocuments,
    issued_on: dt.date,
) -> None:
    from tariff.engine.billing.documents import (
        TemplateProblem,
        clashing_file_names,
        draft_info,
        file_name,
    )
    from tariff.engine.billing.text_report import render_run

    try:
        if out is None:
            click.echo(render_run(run, documents, issued_on), nl=False)
            return
        infos = [draft_info(one, run.period, issued_on) for one in run.invoices]
        names = [file_name(info, output_format) for info in infos]
        clashes = clashing_file_names(names)
        if clashes:
            fail(
                [f"tariff invoice: {' and '.join(group)} differ only in case" for group in clashes]
                + [
                    "tariff invoice: a file system that ignores case would keep one of each, "
                    "so nothing was written; give those accounts ids that differ otherwise"
                ]
            )
        out.mkdir(parents=True, exist_ok=True)
        for one, info, name in zip(run.invoices, infos, names, strict=True):
            (out / name).write_bytes(documents.render(one, info, output_format))
    except TemplateProblem as problem:
        fail([f"tariff invoice: {problem}"])
    written = counted(len(run.invoices), f"{output_format} invoice")
    click.echo(f"wrote {written} to {out}", err=True)
