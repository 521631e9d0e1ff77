"""``tariff users``: manage the people who can log in to the Billing portal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from tariff.engine.cli.options import database_option, fail, require_ledger_extra

if TYPE_CHECKING:
    import sqlalchemy as sa

_SHORTEST_PASSWORD = 12


@click.group()
def users() -> None:
    """Manage portal users: each of an account (its Administrators see Billing), or staff."""


def _ledger(command: str, database: str) -> sa.Engine:
    """The existing ledger (only `tariff bill` creates one), or exit 2."""
    require_ledger_extra(f"users {command}", database, "portal")
    from tariff.engine.billing.ledger import open_ledger
    from tariff.engine.billing.ledger_location import LedgerLocationError, redacted

    try:
        return open_ledger(database, create=False)
    except LedgerLocationError as problem:
        fail([f"tariff users {command}: the ledger --db {redacted(database)!r} {problem}"])


def _password(command: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < _SHORTEST_PASSWORD:
        fail(
            [f"tariff users {command}: use a password of at least {_SHORTEST_PASSWORD} characters"]
        )
    return password


_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)


@users.command(name="add")
@click.argument("name")
@click.option(
    "--account", "account_id", metavar="ID", help="The customer account the user belongs to."
)
@click.option("--admin", is_flag=True, help="An Administrator on the account (reaches Billing).")
@click.option("--staff", is_flag=True, help="Billing staff: every account's invoices, no account.")
@_password_stdin
@database_option
def add(
    name: str,
    account_id: str | None,
    admin: bool,
    staff: bool,
    password_stdin: bool,
    database: str,
) -> None:
    """Create user NAME of an account (--account ID, maybe --admin), or --staff."""
    from tariff.engine.billing.users import ADMINISTRATOR, STAFF, USER, UserProblem, add_user

    if staff and (account_id or admin):
        fail(["tariff users add: staff belong to no account: give --staff alone"])
    if not staff and not account_id:
        fail(["tariff users add: give the user's account (--account ID), or --staff"])
    ledger = _ledger("add", database)
    role = STAFF if staff else ADMINISTRATOR if admin else USER
    try:
        user = add_user(
            ledger, name, _password("add", password_stdin), role=role, account_id=account_id
        )
    except UserProblem as problem:
        fail([f"tariff users add: {problem}"])
    where = "" if staff else f" of account {account_id}"
    click.echo(f"added {role} {user.name}{where}")


@users.command(name="list")
@database_option
def list_users(database: str) -> None:
    """Every user: name, account and role."""
    from tariff.engine.billing.users import users as all_users

    for user in all_users(_ledger("list", database)):
        click.echo(f"{user.name}\t{user.account_id or '-'}\t{user.role}")


@users.command(name="remove")
@click.argument("name")
@database_option
def remove(name: str, database: str) -> None:
    """Remove user NAME."""
    from tariff.engine.billing.users import UserProblem, remove_user

    try:
        remove_user(_ledger("remove", database), name)
    except UserProblem as problem:
        fail([f"tariff users remove: {problem}"])
    click.echo(f"removed {name}")


@users.command(name="passwd")
@click.argument("name")
@_password_stdin
@database_option
def passwd(name: str, password_stdin: bool, database: str) -> None:
    """Give user NAME a new password."""
    from tariff.engine.billing.users import UserProblem, set_password

    ledger = _ledger("passwd", database)
    try:
        set_password(ledger, name, _password("passwd", password_stdin))
    except UserProblem as problem:
        fail([f"tariff users passwd: {problem}"])
    click.echo(f"changed the password of {name}")
