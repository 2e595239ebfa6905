"""Carts, orders (with their payments as a document of the row), order numbers, sold stock.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "stock_items", sa.Column("sold", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_check_constraint("sold_not_negative", "stock_items", "sold >= 0")
    op.create_table(
        "carts",
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name="pk_carts"),
    )
    op.execute("CREATE SEQUENCE order_numbers START 1")
    op.create_table(
        "orders",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_email", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("reservation_released", sa.Boolean(), nullable=False),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("shipping_address", postgresql.JSONB(), nullable=False),
        sa.Column("billing_address", postgresql.JSONB(), nullable=False),
        sa.Column("payments", postgresql.JSONB(), nullable=False),
        sa.Column("shipment", postgresql.JSONB(), nullable=True),
        sa.Column("timeline", postgresql.JSONB(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payment_due_at", sa.DateTime(timezone=True), nullable=False),
        # When the oldest payment or refund still waiting for the gateway's answer started.
        sa.Column("unsettled_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("number", name="uq_orders_number"),
    )
    op.create_index(
        "ix_orders_awaiting_payment",
        "orders",
        ["payment_due_at"],
        postgresql_where=sa.text("status IN ('awaiting_payment', 'partially_paid')"),
    )
    op.create_index(
        "ix_orders_unsettled",
        "orders",
        ["unsettled_since"],
        postgresql_where=sa.text("unsettled_since IS NOT NULL"),
    )
    # Which order holds a payment; the key also makes a payment id unique across orders.
    op.create_table(
        "order_payments",
        sa.Column("payment_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("order_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_payments_order_id_orders"
        ),
        sa.PrimaryKeyConstraint("payment_id", name="pk_order_payments"),
    )


def downgrade() -> None:
    op.drop_table("order_payments")
    op.drop_index("ix_orders_unsettled", table_name="orders")
    op.drop_index("ix_orders_awaiting_payment", table_name="orders")
    op.drop_table("orders")
    op.execute("DROP SEQUENCE order_numbers")
    op.drop_table("carts")
    op.drop_constraint("ck_stock_items_sold_not_negative", "stock_items")
    op.drop_column("stock_items", "sold")
