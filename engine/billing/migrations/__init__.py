"""The ledger's schema changes, as Alembic migrations: a ledger of any release opens in the next.

``upgrade`` brings a ledger to the newest schema. A ledger made before the
migrations existed (release 0.1, tables made directly) is recognised by its
tables and stamped with the first revision, then upgraded like any other.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError as MigrationClash

__all__ = ["FIRST", "SCRIPTS", "MigrationClash", "head", "revision", "upgrade"]

SCRIPTS = Path(__file__).parent
FIRST = "0001"


def upgrade(engine: sa.Engine) -> None:
    """Bring the ledger at ``engine`` to the newest schema, in one transaction."""
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None and sa.inspect(connection).has_table("documents"):
            command.stamp(config, FIRST)
        command.upgrade(config, "head")


def head() -> str:
    """The newest revision: the schema a ledger has once opened."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    newest = ScriptDirectory.from_config(config).get_current_head()
    assert newest is not None
    return newest


def revision(engine: sa.Engine) -> str | None:
    """The ledger's schema revision."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
