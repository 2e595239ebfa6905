"""Stock items found by product: the rebuild and the verification read a batch of products'
stock at a time, which without it scans the whole table for every batch.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_stock_items_product_id", "stock_items", ["product_id"])


def downgrade() -> None:
    op.drop_index("ix_stock_items_product_id", table_name="stock_items")
