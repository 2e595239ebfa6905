"""Reviews (one per customer and product), each product's rating, and the index by which a
review's author is found to have received the product.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("product_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_reviews_stars_1_to_5"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_reviews_product_id_products"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("product_id", "customer_id", name="uq_reviews_product_id_customer_id"),
    )
    op.create_table(
        "product_ratings",
        sa.Column("product_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("stars", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "count >= 0 AND stars BETWEEN count AND 5 * count",
            name="ck_product_ratings_within_bounds",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_product_ratings_product_id_products"
        ),
        sa.PrimaryKeyConstraint("product_id", name="pk_product_ratings"),
    )
    op.create_index(
        "ix_orders_customer_id_delivered",
        "orders",
        ["customer_id"],
        postgresql_where=sa.text("status = 'delivered'"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_customer_id_delivered", table_name="orders")
    op.drop_table("product_ratings")
    op.drop_table("reviews")
