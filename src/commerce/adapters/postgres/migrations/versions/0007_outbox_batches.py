"""Published batches and what each consumer applied: the relay re-sends what a broker lost.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("batch_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_outbox_batch_id", "outbox", ["batch_id"])
    op.execute(sa.schema.CreateSequence(sa.Sequence("outbox_batch_ids")))
    op.create_table(
        "outbox_batches",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumers", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "applied_by",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            server_default=sa.text("'{}'"),
        ),
        sa.Column("redrives", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_batches"),
    )
    op.create_index(
        "ix_outbox_batches_due",
        "outbox_batches",
        ["check_at"],
        postgresql_where=sa.text("NOT complete"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_batches_due", table_name="outbox_batches")
    op.drop_table("outbox_batches")
    op.execute(sa.schema.DropSequence(sa.Sequence("outbox_batch_ids")))
    op.drop_index("ix_outbox_batch_id", table_name="outbox")
    op.drop_column("outbox", "batch_id")
