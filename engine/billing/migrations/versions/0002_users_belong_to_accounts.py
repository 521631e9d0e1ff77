"""0002: a portal user belongs to one account (or is billing staff), and ids are never reused.

Release 0.1's users saw every account's invoices, so they become staff; an
account's Administrators are added with ``tariff users add NAME --account ID
--admin``. On SQLite the table is rebuilt with AUTOINCREMENT, so that a removed
user's id (and any cookie naming it) never belongs to a later user.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    """Add users.account_id, make every existing user staff, and never reuse ids."""
    with op.batch_alter_table(
        "users", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as users:
        users.add_column(sa.Column("account_id", sa.String(200), nullable=True))
    op.execute(sa.text("UPDATE users SET role = 'staff'"))


def downgrade() -> None:
    """Back to users without accounts (staff become Administrators again)."""
    op.execute(sa.text("UPDATE users SET role = 'administrator' WHERE role = 'staff'"))
    with op.batch_alter_table("users") as users:
        users.drop_column("account_id")
