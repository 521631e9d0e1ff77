"""The ``tariff`` command line: a thin shell over the Python API.

One module per command; each parses options, calls the API and renders. Exit
statuses are documented in docs/cli.md and never change without a deprecation.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from tariff.engine.cli.bill import bill
from tariff.engine.cli.check import check
from tariff.engine.cli.diff import diff
from tariff.engine.cli.explain import explain
from tariff.engine.cli.fmt import fmt
from tariff.engine.cli.invoice import invoice
from tariff.engine.cli.lsp import lsp
from tariff.engine.cli.serve import serve
from tariff.engine.cli.test import test_command
from tariff.engine.cli.users import users

INTERNAL_ERROR = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tariff", prog_name="tariff")
def cli() -> None:
    """Tariffs as code: check tariff files and rate a month of calls into invoices."""


cli.add_command(bill)
cli.add_command(check)
cli.add_command(diff)
cli.add_command(explain)
cli.add_command(fmt)
cli.add_command(invoice)
cli.add_command(lsp)
cli.add_command(serve)
cli.add_command(test_command)
cli.add_command(users)


def main() -> None:
    """Run the command line; a bug prints one line (and the traceback if TARIFF_DEBUG is set)."""
    try:
        cli.main(standalone_mode=True)
    except Exception as bug:  # a user-caused problem never gets here
        if os.environ.get("TARIFF_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"tariff: internal error: {type(bug).__name__}: {bug}\n"
            "This is a bug in tariff; set TARIFF_DEBUG=1 to see where, and please report it.",
            err=True,
        )
        sys.exit(INTERNAL_ERROR)
