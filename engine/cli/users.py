"""``tariff users``: manage the people who can log in to the Billing portal."""

from __future__ import annotations

import sys

import click

from tariff.engine.cli.options import database_option, fail, require_ledger_extra


@click.group()
def users() -> None:
    """Manage portal users (only Administrators reach Billing)."""


@users.command(name="add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Give the user the Administrator role.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
@database_option
def add(name: str, admin: bool, password_stdin: bool, database: str) -> None:
    """Create user NAME; the password is asked for twice (or read from stdin)."""
    require_ledger_extra("users add", database, "portal")
    from tariff.engine.billing.ledger import LedgerLocationError, open_ledger, redacted
    from tariff.engine.billing.users import UserExists, add_user

    try:
        ledger = open_ledger(database, create=False)
    except LedgerLocationError as problem:
        fail([f"tariff users add: the ledger --db {redacted(database)!r} {problem}"])

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        fail(["tariff users add: use a password of at least 12 characters"])
    try:
        add_user(ledger, name, password, admin=admin)
    except UserExists as problem:
        fail([f"tariff users add: {problem}"])
    click.echo(f"added {'administrator' if admin else 'user'} {name}")
