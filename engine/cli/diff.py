"""``tariff diff``: the invoice impact of changing one catalogue into another."""

from __future__ import annotations

from pathlib import Path

import click

from tariff.engine.cli.options import (
    UsageFiles,
    fail,
    optional_usage_options,
    order_forms_option,
    plan_or_fail,
    rated_or_fail,
)

HIGHER_OR_CHANGED, USAGE_ERROR = 1, 2


@click.command()
@optional_usage_options
@order_forms_option
@click.option(
    "--prices",
    is_flag=True,
    help="Compare the catalogues' prices themselves, with no usage: every change, and a proof.",
)
@click.option(
    "--fail-if-higher",
    is_flag=True,
    help="With --prices: exit 1 if any call, month or account could cost more under NEW.",
)
@click.option(
    "--fail-if-changed",
    is_flag=True,
    help="With --prices: exit 1 unless the two catalogues price everything the same.",
)
@click.option(
    "--bound",
    "bound_seconds",
    type=click.IntRange(1, 31 * 24 * 60 * 60),
    default=24 * 60 * 60,
    show_default=True,
    metavar="SECONDS",
    help="With --prices: prove calls from 1 second up to this long.",
)
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
    usage_files: UsageFiles | None,
    order_forms: tuple[str, ...],
    prices: bool,
    fail_if_higher: bool,
    fail_if_changed: bool,
    bound_seconds: int,
    output_format: str,
    old: Path,
    new: Path,
) -> None:
    """Show what changing catalogue OLD into NEW does to a month's invoices, or to its prices.

    With the month's usage: for each account, old total, new total, the change
    and the lines that moved; then totals by package and currency.

    With --prices (no usage): every price that changed, where it is set, and a
    proof over every account, month, destination and call length up to
    --bound that nothing costs more, or the cheapest call that does. Exits 0;
    1 with --fail-if-higher when something could cost more, or with
    --fail-if-changed when anything is priced differently; 2 on bad input or
    when either catalogue has errors.
    """
    if prices:
        if usage_files is not None:
            fail(
                ["tariff diff: --prices compares the catalogues alone; leave out the usage"],
                USAGE_ERROR,
            )
        _diff_prices(
            old, new, order_forms, output_format, bound_seconds, fail_if_higher, fail_if_changed
        )
        return
    if fail_if_higher or fail_if_changed:
        fail(["tariff diff: --fail-if-higher and --fail-if-changed go with --prices"], USAGE_ERROR)
    if usage_files is None:
        fail(
            [
                "tariff diff: give the month's usage (--month, --accounts, --numbers, --calls), "
                "or --prices to compare the catalogues alone"
            ],
            USAGE_ERROR,
        )
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


def _diff_prices(
    old: Path,
    new: Path,
    order_forms: tuple[str, ...],
    output_format: str,
    bound_seconds: int,
    fail_if_higher: bool,
    fail_if_changed: bool,
) -> None:
    from tariff.engine.tools.price_report import compare_prices, render_json, render_text

    old_plan = plan_or_fail("diff", old, order_forms, lambda: _which("old", old))
    new_plan = plan_or_fail("diff", new, order_forms, lambda: _which("new", new))
    changes, proof = compare_prices(old_plan, new_plan, bound_seconds)
    if output_format == "json":
        click.echo(render_json(changes, proof), nl=False)
    else:
        click.echo(render_text(changes, proof, str(old), str(new)), nl=False)
    if (fail_if_higher and proof.higher) or (fail_if_changed and not proof.same):
        raise SystemExit(HIGHER_OR_CHANGED)
