"""The sandbox payment gateway's ledger: its charges and refunds, one per idempotency key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sandbox_charges",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("charge_id", sa.Text(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_sandbox_charges_amount_positive"),
        sa.PrimaryKeyConstraint("key", name="pk_sandbox_charges"),
    )
    op.create_table(
        "sandbox_refunds",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("refund_id", sa.Text(), nullable=False),
        sa.Column("charge_key", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_sandbox_refunds_amount_positive"),
        sa.ForeignKeyConstraint(
            ["charge_key"],
            ["sandbox_charges.key"],
            name="fk_sandbox_refunds_charge_key_sandbox_charges",
        ),
        sa.PrimaryKeyConstraint("key", name="pk_sandbox_refunds"),
    )
    op.create_index("ix_sandbox_refunds_charge_key", "sandbox_refunds", ["charge_key"])


def downgrade() -> None:
    op.drop_index("ix_sandbox_refunds_charge_key", table_name="sandbox_refunds")
    op.drop_table("sandbox_refunds")
    op.drop_table("sandbox_charges")
