"""0005: failed logins are records in the ledger, so that every worker throttles alike.

The portal's login throttle kept its failures in memory: a restart forgot
them and each worker process counted its own. Each failure is now a row
(the SHA-256 of what it counts against, and when), so a restart or a second
worker sees the same failures.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"


def upgrade() -> None:
    """Add the login_failures table."""
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key_hash", sa.String(64), nullable=False, index=True),
        sa.Column("failed_at", sa.Float(precision=53), nullable=False, index=True),
    )


def downgrade() -> None:
    """Failed logins back in each process's memory."""
    op.drop_table("login_failures")
