"""Failed portal logins as records in the ledger, shared by every portal process.

Each failure is a row: the SHA-256 of what it counts against (an address, a
name, or the pair) and when, in seconds since the epoch. A restart forgets
nothing and several workers count the same failures; rows past the
throttle's window are deleted as new ones arrive.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from tariff.engine.billing.ledger import LOGIN_FAILURES


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class LedgerFailures:
    """The throttle's failures, kept in the ledger's ``login_failures`` table."""

    def __init__(self, engine: sa.Engine) -> None:
        """Failures in the ledger behind ``engine``."""
        self.engine = engine

    def since(self, key: str, start: float) -> list[float]:
        """When ``key`` failed after ``start``, earliest first."""
        table = LOGIN_FAILURES
        with self.engine.connect() as connection:
            moments = connection.execute(
                sa.select(table.c.failed_at)
                .where(table.c.key_hash == _hash(key), table.c.failed_at > start)
                .order_by(table.c.failed_at)
            ).scalars()
            return [float(moment) for moment in moments]

    def add(self, keys: tuple[str, ...], at: float, *, forget_before: float) -> None:
        """Record one failure against each key, and delete every failure up to ``forget_before``."""
        table = LOGIN_FAILURES
        with self.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.failed_at <= forget_before))
            connection.execute(
                sa.insert(table), [{"key_hash": _hash(key), "failed_at": at} for key in keys]
            )

    def forget(self, keys: tuple[str, ...]) -> None:
        """Drop every failure of these keys."""
        table = LOGIN_FAILURES
        hashes = [_hash(key) for key in keys]
        with self.engine.begin() as connection:
            connection.execute(sa.delete(table).where(table.c.key_hash.in_(hashes)))
