"""Portal sessions as records in the ledger: started at login, ended for good.

The session cookie carries only a random token; the ledger keeps its SHA-256,
the user and when it expires. A request is someone's only while the record
exists and has not expired, so logging out, a password change and a user's
removal end a session everywhere, and a copied cookie is then worthless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from tariff.engine.billing.ledger import SESSIONS
from tariff.engine.billing.users import User, user_by_id

SESSION_HOURS = 8


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start_session(engine: sa.Engine, user: User) -> str:
    """A new session for ``user``: the token its cookie carries."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(sa.delete(SESSIONS).where(SESSIONS.c.expires_at <= _now()))
        connection.execute(
            sa.insert(SESSIONS).values(
                token_hash=_hash(token),
                user_id=user.id,
                expires_at=_now() + dt.timedelta(hours=SESSION_HOURS),
            )
        )
    return token


def session_user(engine: sa.Engine, token: object) -> User | None:
    """The user a session token belongs to, while its record lasts; else None."""
    if not isinstance(token, str):
        return None
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(SESSIONS.c.user_id).where(
                SESSIONS.c.token_hash == _hash(token), SESSIONS.c.expires_at > _now()
            )
        ).first()
    return user_by_id(engine, row.user_id) if row is not None else None


def end_session(engine: sa.Engine, token: object) -> None:
    """End one session (logging out)."""
    if isinstance(token, str):
        with engine.begin() as connection:
            connection.execute(sa.delete(SESSIONS).where(SESSIONS.c.token_hash == _hash(token)))
