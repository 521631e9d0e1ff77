"""Options and error reporting shared by several commands."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from tariff.dsl import CatalogueNotFound
from tariff.dsl.diagnostics import render_text
from tariff.dsl.months import Month
from tariff.engine.plan.catalogue import CatalogueError, load_catalogue

if TYPE_CHECKING:
    from tariff.engine.plan.model import RatingPlan
    from tariff.engine.usage import Usage, UsageError

F = TypeVar("F", bound=Callable[..., object])

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


def fail_with_catalogue_errors(error: CatalogueError) -> NoReturn:
    """Report a CatalogueError's diagnostics as text and exit 2."""
    click.echo(render_text(error.diagnostics, error.sources), err=True, nl=False)
    fail(["tariff: the catalogue has errors; fix them (see `tariff check`) and run again"])


def usage_options(command: F) -> F:
    """``--month``, ``--accounts``, ``--numbers`` and ``--calls``: one month of usage."""
    options = [
        click.option(
            "--month",
            required=True,
            metavar="YYYY-MM",
            callback=parse_month,
            help="Billing month.",
        ),
        click.option(
            "--accounts",
            required=True,
            type=click.Path(path_type=Path),
            help="Accounts file (CSV, JSON Lines or Parquet).",
        ),
        click.option(
            "--numbers",
            required=True,
            type=click.Path(path_type=Path),
            help="Tracking numbers file.",
        ),
        click.option("--calls", required=True, type=click.Path(path_type=Path), help="Calls file."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def plan_or_fail(
    command: str,
    catalogue: Path | str | None,
    order_forms: Sequence[str] = (),
    before_failing: Callable[[], None] = lambda: None,
) -> RatingPlan:
    """The compiled catalogue, or every problem reported and exit 2."""
    try:
        return load_catalogue(catalogue, order_forms)
    except CatalogueNotFound as problem:
        before_failing()
        fail([f"tariff {command}: {problem}"])
    except CatalogueError as problem:
        before_failing()
        fail_with_catalogue_errors(problem)


def usage_or_fail(
    command: str,
    accounts: Path,
    numbers: Path,
    calls: Path,
    before_failing: Callable[[], None] = lambda: None,
) -> Usage:
    """The month's usage, or every problem reported (file, row, field) and exit 2."""
    from tariff.engine.usage import UsageError, load_usage

    try:
        return load_usage(accounts, numbers, calls)
    except UsageError as problem:
        before_failing()
        fail_problems(command, problem)


def fail_problems(command: str, problem: UsageError) -> NoReturn:
    """Report every usage problem with its file, row and field, and exit 2."""
    count = len(problem.problems)
    fail(
        [str(p) for p in problem.problems]
        + [f"tariff {command}: {count} problem{'s' if count != 1 else ''} in the input"]
    )
