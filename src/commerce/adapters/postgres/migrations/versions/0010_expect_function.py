"""`commerce_expect(ok, what)`: raises when `ok` is not true. A unit of work commits all its
writes as one statement (data-modifying CTEs); the statement's own SELECT checks each write's
row count with it, so a version check that fails aborts the whole statement (and with it every
other write) instead of being found afterwards, when an autocommitted statement could no
longer be undone.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION commerce_expect(ok boolean, what text) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            IF ok IS NOT TRUE THEN
                RAISE EXCEPTION 'commerce_expect:%', what;
            END IF;
            RETURN true;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION commerce_expect(boolean, text)")
