"""``tariff explain``: every line of one invoice with the rule, source and values behind it."""

from __future__ import annotations

import click

from tariff.engine.cli.options import (
    UsageFiles,
    catalogue_option,
    order_forms_option,
    plan_or_fail,
    rated_or_fail,
    usage_options,
)


@click.command()
@usage_options
@click.option("--account", "account_id", required=True, help="The account to explain.")
@click.option(
    "--call",
    "call_ids",
    multiple=True,
    metavar="CALL_ID",
    help="Also explain this call's price: its seconds, billed seconds, fee and minimum "
    "(repeatable).",
)
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
    usage_files: UsageFiles,
    account_id: str,
    call_ids: tuple[str, ...],
    catalogue: str | None,
    order_forms: tuple[str, ...],
    output_format: str,
) -> None:
    """Explain every line of one account's invoice: rule, source span and values.

    Exits 0, or 2 on bad input or tariffs (including an unknown account).
    """
    from tariff.engine.tools.explain import explain_invoice, render_explanation

    plan = plan_or_fail("explain", catalogue, order_forms)
    explanation = rated_or_fail(
        "explain",
        usage_files,
        lambda usage: explain_invoice(
            plan, usage_files.month, usage, account_id, call_ids=call_ids
        ),
        plans=[plan],
    )
    text = explanation.to_json() if output_format == "json" else render_explanation(explanation)
    click.echo(text, nl=False)
