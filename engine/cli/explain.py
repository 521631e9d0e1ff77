"""``tariff explain``: every line of one invoice with the rule, source and values behind it."""

from __future__ import annotations

from pathlib import Path

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


@click.command()
@click.option(
    "--month", required=True, metavar="YYYY-MM", callback=parse_month, help="Billing month."
)
@click.option("--account", "account_id", required=True, help="The account to explain.")
@click.option("--accounts", required=True, type=click.Path(path_type=Path), help="Accounts file.")
@click.option("--numbers", required=True, type=click.Path(path_type=Path), help="Numbers file.")
@click.option("--calls", required=True, type=click.Path(path_type=Path), help="Calls file.")
@catalogue_option
@order_forms_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def explain(
    month: Month,
    account_id: str,
    accounts: Path,
    numbers: Path,
    calls: Path,
    catalogue: str | None,
    order_forms: tuple[str, ...],
    output_format: str,
) -> None:
    """Explain every line of one account's invoice: rule, source span and values.

    Exits 0, or 2 on bad input or tariffs (including an unknown account).
    """
    from tariff.engine.catalogue import CatalogueError, load_catalogue
    from tariff.engine.explain import explain_invoice, render_explanation
    from tariff.engine.usage import UsageError, load_usage

    try:
        plan = load_catalogue(catalogue, order_forms)
        explanation = explain_invoice(plan, month, load_usage(accounts, numbers, calls), account_id)
    except CatalogueNotFound as problem:
        fail([f"tariff explain: {problem}"])
    except CatalogueError as problem:
        fail_with_catalogue_errors(problem)
    except UsageError as problem:
        fail([str(p) for p in problem.problems])
    text = explanation.to_json() if output_format == "json" else render_explanation(explanation)
    click.echo(text, nl=False)
