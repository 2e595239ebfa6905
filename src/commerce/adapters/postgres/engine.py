"""The async SQLAlchemy engine on asyncpg, and what a PostgreSQL that does not answer means."""

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import msgspec
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from commerce.ports.health import DependencyUnavailableError


def asyncpg_url(database_url: str) -> str:
    """Accept the plain `postgresql://` form operators write; SQLAlchemy needs the driver named."""
    url = make_url(database_url)
    return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(database_url: str, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        asyncpg_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping before each use: with asyncpg it costs three round trips (BEGIN, `;`,
        # ROLLBACK) per checkout. A connection that died (PostgreSQL restarted) fails its
        # statement, which is a 503 (`unavailable_when_down`), and the pool then replaces every
        # connection older than the failure. The most recently used connection first: its
        # statements are prepared already, and idle ones age out.
        pool_use_lifo=True,
        # JSONB columns (event payloads, attributes) in msgspec: several times the speed of
        # the standard library's json, which a bulk import measurably waited on.
        json_serializer=json_text,
        json_deserializer=msgspec.json.decode,
    )


def json_text(value: object) -> str:
    return msgspec.json.encode(value).decode()


NAME = "postgres"


# A connection PostgreSQL refuses, drops or never gives: through SQLAlchemy, or asyncpg's own
# errors on a raw connection (the server restarted, shut down, the network cut).
_DOWN = (
    OSError,
    TimeoutError,
    OperationalError,
    InterfaceError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
)


@contextmanager
def unavailable_when_down() -> Iterator[None]:
    """A connection PostgreSQL refuses, drops or never gives is the port-level
    `DependencyUnavailableError` (a 503); an error in a statement is a bug and stays one."""
    try:
        yield
    except _DOWN as error:
        raise DependencyUnavailableError(NAME) from error


class PostgresCheck:
    name = "postgres"

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def check(self) -> None:
        try:
            async with self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            raise DependencyUnavailableError(self.name) from error
