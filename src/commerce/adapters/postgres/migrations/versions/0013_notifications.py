"""Customer emails: the sent-log, back-in-stock requests, the account's communications choice.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications_sent",
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("recipient_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "recipient_id", name="pk_notifications_sent"),
    )
    op.create_table(
        "back_in_stock_requests",
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("stock_version", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["accounts.id"], name="fk_back_in_stock_requests_customer_id_accounts"
        ),
        sa.PrimaryKeyConstraint("sku", "customer_id", name="pk_back_in_stock_requests"),
    )
    op.add_column(
        "accounts",
        sa.Column("communications", sa.Text(), nullable=False, server_default="all"),
    )


def downgrade() -> None:
    op.drop_column("accounts", "communications")
    op.drop_table("back_in_stock_requests")
    op.drop_table("notifications_sent")
