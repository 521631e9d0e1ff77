"""Portal users: who belongs to which account, with which role, and their Argon2 hashes.

A user belongs to one customer account, as its Administrator (who reaches
Admin → Billing → Invoices for that account) or as one of its other users, or
is billing staff (every account's invoices). Everything is kept in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tariff.engine.billing.ledger import DOCUMENTS, SESSIONS, USERS

ADMINISTRATOR, USER, STAFF = "administrator", "user", "staff"
_HASHER = PasswordHasher()
# Verified against when a name is unknown, so that a wrong name takes as long
# as a wrong password and login never tells which names exist.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class UserProblem(Exception):
    """A user cannot be added or changed as asked; the message says why."""


@dataclass(frozen=True)
class User:
    """A portal user: their id, name, role and account (None for staff)."""

    id: int
    name: str
    role: str
    account_id: str | None

    def may_see(self, account_id: str) -> bool:
        """Whether the user may see this account's invoices: staff, or its Administrators."""
        return self.role == STAFF or (self.role == ADMINISTRATOR and self.account_id == account_id)


def clean_name(name: str) -> str:
    """A user name as it is kept and logged in with: trimmed, never empty."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserProblem("a user needs a name")
    return cleaned


def add_user(
    engine: sa.Engine, name: str, password: str, *, role: str, account_id: str | None = None
) -> User:
    """Create a user of ``account_id`` (an Administrator or user), or staff (no account)."""
    name = clean_name(name)
    if (role == STAFF) != (account_id is None):
        raise UserProblem(
            "staff belong to no account; every other user belongs to one (--account ID)"
        )
    with engine.begin() as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.name == name)).first():
            raise UserProblem(f"a user named {name!r} already exists")
        if (
            account_id is not None
            and not connection.execute(
                sa.select(DOCUMENTS.c.id).where(DOCUMENTS.c.account_id == account_id).limit(1)
            ).first()
        ):
            raise UserProblem(
                f"the ledger has no account {account_id!r}: users belong to accounts that "
                "have been billed (`tariff bill`)"
            )
        result = connection.execute(
            sa.insert(USERS).values(
                name=name,
                password_hash=_HASHER.hash(password),
                role=role,
                account_id=account_id,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
    return User(int(key[0]), name, role, account_id)


def users(engine: sa.Engine) -> list[User]:
    """Every user, by name."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(USERS).order_by(USERS.c.name))
        return [User(row.id, row.name, row.role, row.account_id) for row in rows]


def _user_id(connection: sa.Connection, name: str) -> int:
    user_id = connection.execute(sa.select(USERS.c.id).where(USERS.c.name == name)).scalar()
    if user_id is None:
        raise UserProblem(f"there is no user named {name!r}")
    return int(user_id)


def _end_sessions(connection: sa.Connection, user_id: int) -> None:
    """End every session of a user, in the caller's transaction: a cookie is then worthless."""
    connection.execute(sa.delete(SESSIONS).where(SESSIONS.c.user_id == user_id))


def remove_user(engine: sa.Engine, name: str) -> None:
    """Remove a user and end their sessions; UserProblem if there is none of that name."""
    with engine.begin() as connection:
        user_id = _user_id(connection, name)
        _end_sessions(connection, user_id)
        connection.execute(sa.delete(USERS).where(USERS.c.id == user_id))


def set_password(engine: sa.Engine, name: str, password: str) -> None:
    """Give a user a new password and end their sessions; UserProblem if there is no such user."""
    with engine.begin() as connection:
        user_id = _user_id(connection, name)
        _end_sessions(connection, user_id)
        connection.execute(
            sa.update(USERS)
            .where(USERS.c.id == user_id)
            .values(password_hash=_HASHER.hash(password))
        )


def authenticate(engine: sa.Engine, name: str, password: str) -> User | None:
    """The user if the name and password match, else None (the same work either way)."""
    with engine.connect() as connection:
        wanted = " ".join(name.split())
        row = connection.execute(sa.select(USERS).where(USERS.c.name == wanted)).first()
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row.id, row.name, row.role, row.account_id) if row else None


def user_by_id(engine: sa.Engine, user_id: int) -> User | None:
    """A user by id, or None if there is no such user (any more)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(USERS).where(USERS.c.id == user_id)).first()
    return User(row.id, row.name, row.role, row.account_id) if row else None
