"""Options and error reporting shared by several commands."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from tariff.dsl.ast import Month
from tariff.dsl.diagnostics import render_text

BAD_INPUT = 2


def parse_month(ctx: click.Context, param: click.Parameter, value: str) -> Month:
    """Click callback: a ``YYYY-MM`` billing month, or a usage error."""
    try:
        return Month.parse(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem), ctx, param) from None


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback: an optional ``YYYY-MM-DD`` date, or a usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date: write it as YYYY-MM-DD", ctx, param
        ) from None


catalogue_option = click.option(
    "--catalog",
    "catalogue",
    type=click.Path(path_type=str),
    help="Catalogue directory (default: $TARIFF_CATALOG, else ./tariffs, else the bundled one).",
)

order_forms_option = click.option(
    "--order-forms",
    "order_forms",
    multiple=True,
    type=click.Path(exists=True, path_type=str),
    help="Order-form files or directories to add to the catalogue (repeatable).",
)


def fail(lines: Sequence[str], status: int = BAD_INPUT) -> NoReturn:
    """Print problems to standard error and exit with ``status``."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(status)


def fail_with_catalogue_errors(error: Exception) -> NoReturn:
    """Report a CatalogueError's diagnostics as text and exit 2."""
    diagnostics = getattr(error, "diagnostics", [])
    sources = getattr(error, "sources", {})
    click.echo(render_text(diagnostics, sources), err=True, nl=False)
    fail(["tariff: the catalogue has errors; fix them (see `tariff check`) and run again"])
