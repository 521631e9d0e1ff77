"""``tariff diff``: the invoice impact of changing one catalogue into another."""

from __future__ import annotations

from pathlib import Path

import click

from tariff.engine.cli.options import (
    UsageFiles,
    order_forms_option,
    plan_or_fail,
    rated_or_fail,
    usage_options,
)


@click.command()
@usage_options
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
    usage_files: UsageFiles,
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
    from tariff.engine.tools.impact import invoice_impact, render_impact

    old_plan = plan_or_fail("diff", old, order_forms, lambda: _which("old", old))
    new_plan = plan_or_fail("diff", new, order_forms, lambda: _which("new", new))
    impact = rated_or_fail(
        "diff",
        usage_files,
        lambda usage: invoice_impact(old_plan, new_plan, usage_files.month, usage),
        plans=[old_plan, new_plan],
    )
    if output_format == "json":
        click.echo(impact.to_json(), nl=False)
    else:
        click.echo(render_impact(impact, str(old), str(new)), nl=False)


def _which(name: str, path: Path) -> None:
    click.echo(f"tariff diff: the {name} catalogue, {path}:", err=True)
