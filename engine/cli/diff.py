"""``tariff diff``: the invoice impact of changing one catalogue into another."""

from __future__ import annotations

from pathlib import Path

import click

from tariff.dsl import CatalogueNotFound
from tariff.dsl.ast import Month
from tariff.engine.cli.options import (
    fail,
    fail_with_catalogue_errors,
    order_forms_option,
    parse_month,
)


@click.command()
@click.option(
    "--month", required=True, metavar="YYYY-MM", callback=parse_month, help="Billing month."
)
@click.option("--accounts", required=True, type=click.Path(path_type=Path), help="Accounts file.")
@click.option("--numbers", required=True, type=click.Path(path_type=Path), help="Numbers file.")
@click.option("--calls", required=True, type=click.Path(path_type=Path), help="Calls file.")
@order_forms_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
def diff(
    month: Month,
    accounts: Path,
    numbers: Path,
    calls: Path,
    order_forms: tuple[str, ...],
    output_format: str,
    old: Path,
    new: Path,
) -> None:
    """Show what changing catalogue OLD into NEW does to a month's invoices.

    For each account: old total, new total, the change and the lines that
    moved; then totals by package and currency. Exits 0; 2 on bad input or
    when either catalogue has errors.
    """
    from tariff.engine.catalogue import CatalogueError, load_catalogue
    from tariff.engine.impact import invoice_impact, render_impact
    from tariff.engine.usage import UsageError, load_usage

    plans = []
    for name, path in (("old", old), ("new", new)):
        try:
            plans.append(load_catalogue(path, order_forms))
        except CatalogueNotFound as problem:
            fail([f"tariff diff: the {name} catalogue: {problem}"])
        except CatalogueError as problem:
            click.echo(f"tariff diff: the {name} catalogue {path} has errors:", err=True)
            fail_with_catalogue_errors(problem)
    try:
        impact = invoice_impact(plans[0], plans[1], month, load_usage(accounts, numbers, calls))
    except UsageError as problem:
        fail([str(p) for p in problem.problems])
    if output_format == "json":
        click.echo(impact.to_json(), nl=False)
    else:
        click.echo(render_impact(impact, str(old), str(new)), nl=False)
