"""0003: portal sessions are records in the ledger, so that ending one ends it everywhere.

The session cookie only names a record (by a random token, kept here as its
SHA-256): logging out, a password change and a user's removal delete the
records, and a copied cookie is then worthless. Records expire after 8 hours.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    """Add the sessions table."""
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    """Sessions back in the cookie alone."""
    op.drop_table("sessions")
