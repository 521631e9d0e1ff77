"""Where the ledger is: a ``--db`` value checked and turned into a SQLAlchemy URL.

A value that can keep nothing (empty, in memory) or that the ledger cannot use
is refused before any work is done, and a URL is shown with its password
masked wherever a message names it.
"""

from __future__ import annotations

import re

_SUPPORTED = "a SQLite file path (or sqlite:///PATH) or a postgresql:// URL"
_IN_MEMORY = (":memory:", "sqlite://", "sqlite:///:memory:")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


class LedgerLocationError(Exception):
    """The ``--db`` value names no ledger that can keep issued documents."""


def redacted(target: str) -> str:
    """A ledger's location as messages show it: any password in its URL as ``***``."""
    return _PASSWORD.sub(r"\1***@", target)


def database_url(target: str) -> str:
    """A SQLAlchemy URL: a ``postgresql://`` URL uses psycopg; a path is a SQLite file.

    LedgerLocationError for an empty value (an unset variable), an in-memory
    database (it keeps nothing) or a scheme the ledger does not support.
    """
    text = target.strip()
    if not text:
        raise LedgerLocationError(f"is empty; give {_SUPPORTED} (is a variable unset?)")
    if text in _IN_MEMORY or "mode=memory" in text:
        raise LedgerLocationError(
            "is an in-memory database, which keeps nothing once the run ends; give " + _SUPPORTED
        )
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    if text.startswith("sqlite:///"):
        return text
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise LedgerLocationError(
            f"is a {scheme}:// URL, which the ledger cannot use; give {_SUPPORTED}"
        )
    return f"sqlite:///{text}"
