"""0004: a corrected invoice names the invoice it replaces.

A credit note already names the invoice it cancels (``cancels``); the invoice
issued with it, by ``tariff bill --correct``, now names the invoice it
replaces, so that both documents and the portal can say so.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    """Add documents.replaces."""
    with op.batch_alter_table("documents") as documents:
        documents.add_column(sa.Column("replaces", sa.String(32), nullable=True))


def downgrade() -> None:
    """Documents without the link to what they replace."""
    with op.batch_alter_table("documents") as documents:
        documents.drop_column("replaces")
