"""Revoked tokens recorded in PostgreSQL (Redis only caches them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("token_id", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name="pk_revoked_tokens"),
    )
    op.create_table(
        "revoked_account_tokens",
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("issued_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kept_token_id", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_revoked_account_tokens"),
    )


def downgrade() -> None:
    op.drop_table("revoked_account_tokens")
    op.drop_table("revoked_tokens")
