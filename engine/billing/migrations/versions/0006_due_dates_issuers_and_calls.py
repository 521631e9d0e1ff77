"""0006: an issued document keeps its due date and its issuer; an invoice keeps its calls.

Invoices now carry tax, a seller and a due date. The ledger keeps, beside each
document, the due date (for the portal's list), the issuer as it was when the
document was issued (a later change of address must not rewrite old
invoices), and each invoice's itemised calls, compressed, so that a download
gives exactly what was billed even if the usage files change. Documents issued
before this revision have none of these.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    """Add documents.due_on and documents.issuer, and the itemised_calls table."""
    op.add_column("documents", sa.Column("due_on", sa.Date, nullable=True))
    op.add_column("documents", sa.Column("issuer", sa.Text, nullable=True))
    op.create_table(
        "itemised_calls",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("csv_gzip", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    """Documents without due dates, issuers or calls."""
    op.drop_table("itemised_calls")
    with op.batch_alter_table("documents") as documents:
        documents.drop_column("issuer")
        documents.drop_column("due_on")
