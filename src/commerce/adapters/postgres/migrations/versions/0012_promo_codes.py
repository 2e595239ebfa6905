"""Promo codes and their redemptions; the cart's code; the order's code and discount.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "promo_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", postgresql.JSONB(), nullable=False),
        sa.Column("max_redemptions", sa.Integer(), nullable=True),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "redeemed >= 0 AND (max_redemptions IS NULL OR redeemed <= max_redemptions)",
            name="ck_promo_codes_redeemed_within_limits",
        ),
        sa.PrimaryKeyConstraint("code", name="pk_promo_codes"),
    )
    op.create_index("ix_promo_codes_created_at_code", "promo_codes", ["created_at", "code"])
    op.create_table(
        "promo_code_redemptions",
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"], ["promo_codes.code"], name="fk_promo_code_redemptions_code_promo_codes"
        ),
        sa.PrimaryKeyConstraint("order_id", name="pk_promo_code_redemptions"),
    )
    op.create_index(
        "ix_promo_code_redemptions_code_customer_id",
        "promo_code_redemptions",
        ["code", "customer_id"],
    )
    op.add_column("carts", sa.Column("promo_code", sa.Text(), nullable=True))
    op.add_column(
        "orders",
        sa.Column("discount_amount", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column("orders", sa.Column("promo_code", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("orders", "promo_code")
    op.drop_column("orders", "discount_amount")
    op.drop_column("carts", "promo_code")
    op.drop_index("ix_promo_code_redemptions_code_customer_id", table_name="promo_code_redemptions")
    op.drop_table("promo_code_redemptions")
    op.drop_index("ix_promo_codes_created_at_code", table_name="promo_codes")
    op.drop_table("promo_codes")
