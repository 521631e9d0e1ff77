"""``tariff check``: parse and validate tariff files, report every problem."""

from __future__ import annotations

from pathlib import Path

import click

from tariff.dsl import CatalogueNotFound, defined_elsewhere, load_checked
from tariff.dsl.diagnostics import RENDERERS, count_errors
from tariff.engine.cli.options import fail
from tariff.engine.plan.catalogue import catalogue_in_use

CLEAN, PROBLEMS, USAGE_ERROR = 0, 1, 2


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="How to print problems: text for people, json/github/sarif for machines.",
)
@click.option(
    "--accounts",
    "accounts_file",
    type=click.Path(path_type=Path),
    help="Also check that every order form is for an account of this accounts file.",
)
@click.option(
    "--with-catalogue",
    is_flag=True,
    help="Check PATHS together with the catalogue in use, wherever they live (pre-commit).",
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    accounts_file: Path | None,
    with_catalogue: bool,
) -> None:
    """Parse and check tariff files (default: the catalogue in use).

    Files and directories given together are checked as one catalogue, so that
    order forms can refer to packages in other files. With --with-catalogue,
    the catalogue in use (./tariffs or $TARIFF_CATALOG) joins them: a changed
    order form kept in its own folder is checked against the packages it
    names, and the catalogue against it. With --accounts, an order form for an
    account the file lacks is an error (T121). Exits 0 when there are no
    errors (warnings are printed but allowed), 1 when there are errors, 2 on a
    usage error.
    """
    targets = list(paths) or [catalogue_in_use()]
    if with_catalogue and paths:
        targets.append(catalogue_in_use())
    accounts = _account_ids(accounts_file) if accounts_file is not None else None
    try:
        catalogue, diagnostics = load_checked(targets, accounts)
    except CatalogueNotFound as problem:
        fail([f"tariff check: {problem}"], USAGE_ERROR)
    if paths and not with_catalogue:
        context = catalogue_in_use()
        diagnostics, elsewhere = defined_elsewhere(catalogue, diagnostics, [context], accounts)
        if elsewhere:
            names = sorted({d.message.removeprefix("unknown ") for d in elsewhere})
            click.echo(
                f"tariff check: checked alone: the files use {', '.join(names)}, defined "
                f"elsewhere (in {context}); pass the catalogue too to check them together",
                err=True,
            )
    click.echo(RENDERERS[output_format](diagnostics, catalogue.sources), nl=False)
    raise SystemExit(PROBLEMS if count_errors(diagnostics) else CLEAN)


def _account_ids(path: Path) -> set[str]:
    """The ids of an accounts file, or every problem in it reported and exit 2."""
    from tariff.engine.usage import UsageError, read_accounts

    try:
        return {account.account_id for account in read_accounts(path)}
    except UsageError as problem:
        fail([str(p) for p in problem.problems], USAGE_ERROR)
