"""``tariff invoice``: rate one month of usage into invoices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tariff.dsl import CatalogueNotFound
from tariff.dsl.ast import Month
from tariff.engine.cli.options import (
    catalogue_option,
    fail,
    fail_with_catalogue_errors,
    order_forms_option,
    parse_month,
)
from tariff.engine.cli.progress import Progress

if TYPE_CHECKING:
    from tariff.engine.models import InvoiceRun

OK, REJECTED = 0, 1


@click.command()
@click.option(
    "--month", required=True, metavar="YYYY-MM", callback=parse_month, help="Billing month."
)
@click.option("--accounts", required=True, type=click.Path(path_type=Path), help="Accounts file.")
@click.option(
    "--numbers", required=True, type=click.Path(path_type=Path), help="Tracking numbers file."
)
@click.option("--calls", required=True, type=click.Path(path_type=Path), help="Calls file.")
@catalogue_option
@order_forms_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: readable tables; json: the documented invoice document.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write files into this directory instead of printing.",
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
    month: Month,
    accounts: Path,
    numbers: Path,
    calls: Path,
    catalogue: str | None,
    order_forms: tuple[str, ...],
    output_format: str,
    out: Path | None,
    accept_rejections: bool,
    quiet: bool,
) -> None:
    """Rate one month of usage into invoices.

    CSV, JSON Lines (.jsonl) and Parquet inputs are read by their extension.
    Exits 0 when every call was rated or belongs to another month, 1 when calls
    were rejected (unless --accept-rejections), 2 on bad input or tariffs.
    """
    from tariff.engine.api import rate_month
    from tariff.engine.catalogue import CatalogueError, load_catalogue
    from tariff.engine.text_report import render_run, summary_line
    from tariff.engine.usage import UsageError, load_usage

    progress = Progress(quiet=quiet)
    try:
        progress.show("checking the catalogue…")
        plan = load_catalogue(catalogue, order_forms)
        progress.show(f"reading {calls}…")
        usage = load_usage(accounts, numbers, calls)
        progress.show(
            f"read {usage.calls.count:,} calls, {len(usage.calls.rejections):,} rejected; rating…"
        )
        run = rate_month(plan, month, usage)
        summary = run.summary
        progress.show(
            f"rated {summary.calls_rated:,} of {summary.calls_in:,} calls, "
            f"{summary.calls_rejected:,} rejected; writing…"
        )
    except (CatalogueNotFound, CatalogueError, UsageError) as problem:
        progress.done()
        if isinstance(problem, CatalogueNotFound):
            fail([f"tariff invoice: {problem}"])
        if isinstance(problem, CatalogueError):
            fail_with_catalogue_errors(problem)
        fail([str(p) for p in problem.problems] + [_bad_input_footer(len(problem.problems))])
    progress.done()

    if out is None:
        text = run.to_json() if output_format == "json" else render_run(run)
        click.echo(text, nl=False)
    else:
        _write_files(run, out, output_format)
    click.echo(summary_line(run), err=True)
    if run.rejected:
        verdict = "accepted" if accept_rejections else "rerun with --accept-rejections to accept"
        click.echo(
            f"tariff invoice: {len(run.rejected)} call"
            f"{'s were' if len(run.rejected) != 1 else ' was'} rejected ({verdict})",
            err=True,
        )
        if not accept_rejections:
            raise SystemExit(REJECTED)
    raise SystemExit(OK)


def _bad_input_footer(count: int) -> str:
    problems = f"{count} problem{'s' if count != 1 else ''}"
    return f"tariff invoice: {problems} in the input; nothing was invoiced"


def _write_files(run: InvoiceRun, out: Path, output_format: str) -> None:
    from tariff.engine.text_report import render_invoice

    out.mkdir(parents=True, exist_ok=True)
    if output_format == "json":
        path = out / f"invoices-{run.period}.json"
        path.write_text(run.to_json(), encoding="utf-8")
        click.echo(f"wrote {path}", err=True)
        return
    for one in run.invoices:
        path = out / f"{run.period}-{_file_safe(one.account_id)}.txt"
        path.write_text(render_invoice(one, run.period), encoding="utf-8")
    click.echo(f"wrote {len(run.invoices)} invoices to {out}", err=True)


def _file_safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
