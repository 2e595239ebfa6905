"""The migrations and the SQLAlchemy tables describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.adapters.postgres.tables import metadata


def schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_the_migrated_database_matches_the_table_definitions(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(schema_differences)

    assert differences == []


def test_migrating_again_is_a_harmless_no_op(database_url: str) -> None:
    upgrade_to_head(database_url)
    upgrade_to_head(database_url)
