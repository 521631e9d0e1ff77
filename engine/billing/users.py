"""Portal users: names, roles and Argon2 password hashes, kept in the ledger's database."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tariff.engine.billing.ledger import USERS

ADMINISTRATOR, USER = "administrator", "user"
_HASHER = PasswordHasher()
# Verified against when a name is unknown, so that a wrong name takes as long
# as a wrong password and login never tells which names exist.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


class UserExists(Exception):
    """A user of that name already exists."""


def add_user(engine: sa.Engine, name: str, password: str, *, admin: bool) -> None:
    """Create a user; UserExists if the name is taken."""
    with engine.begin() as connection:
        if connection.execute(sa.select(USERS.c.id).where(USERS.c.name == name)).first():
            raise UserExists(f"a user named {name!r} already exists")
        connection.execute(
            sa.insert(USERS).values(
                name=name,
                password_hash=_HASHER.hash(password),
                role=ADMINISTRATOR if admin else USER,
            )
        )


def authenticate(engine: sa.Engine, name: str, password: str) -> tuple[int, str] | None:
    """The user's id and role if the name and password match, else None (same work either way)."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(USERS.c.id, USERS.c.password_hash, USERS.c.role).where(USERS.c.name == name)
        ).first()
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return (row.id, row.role) if row else None


def role_of(engine: sa.Engine, user_id: int) -> str | None:
    """The role of a user by id, or None if there is no such user (any more)."""
    with engine.connect() as connection:
        role = connection.execute(sa.select(USERS.c.role).where(USERS.c.id == user_id)).scalar()
    return str(role) if role is not None else None
