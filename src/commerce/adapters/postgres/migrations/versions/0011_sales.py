"""Sales (catalogue discounts): one row per sale, its product ids, categories and brand keys
as JSON arrays the pricing query compares with.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("terms", postgresql.JSONB(), nullable=False),
        sa.Column("product_ids", postgresql.JSONB(), nullable=False),
        sa.Column("categories", postgresql.JSONB(), nullable=False),
        sa.Column("brand_keys", postgresql.JSONB(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started", sa.Boolean(), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("ended_early", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sales"),
    )
    op.create_index(
        "ix_sales_next_due_at",
        "sales",
        ["next_due_at"],
        postgresql_where=sa.text("next_due_at IS NOT NULL"),
    )
    op.create_index(
        "ix_sales_ends_at", "sales", ["ends_at"], postgresql_where=sa.text("NOT deleted")
    )
    op.create_index("ix_sales_created_at_id", "sales", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("sales")
