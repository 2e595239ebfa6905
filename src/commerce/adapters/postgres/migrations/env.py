"""Alembic environment: runs migrations on the async engine, one migrator at a time."""

import asyncio

from alembic import context
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from commerce.adapters.postgres.engine import asyncpg_url
from commerce.adapters.postgres.tables import metadata

# Several API processes may start at once; the lock makes the others wait, then find nothing
# left to do.
_MIGRATION_LOCK = 7_301_001


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        context.run_migrations()


async def _run_online() -> None:
    url = asyncpg_url(context.config.get_main_option("sqlalchemy.url") or "")
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
