"""The unit of work's way to PostgreSQL: a pooled connection in autocommit, taken for the
statements that follow one another and given back after each commit, so that nothing is held
while a handler waits on something else (a payment gateway between recording a payment and
settling it).

Statements are `Prepared` (compiled once) and run on the asyncpg connection itself, taken from
the engine's pool as a raw connection: a quarter of the CPU of an `AsyncConnection` (ADR 0014)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from commerce.adapters.postgres.engine import unavailable_when_down
from commerce.adapters.postgres.prepared import Prepared
from commerce.ports.health import DependencyUnavailableError

_NO_VALUES: Mapping[str, Any] = {}


class Session:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._pooled: PoolProxiedConnection | None = None

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def fetch(
        self, statement: Prepared, values: Mapping[str, Any] = _NO_VALUES
    ) -> list[asyncpg.Record]:
        """The rows `statement` returns, given the values of its parameters."""
        connection = await self._connection()
        try:
            with unavailable_when_down():
                return await connection.fetch(statement.sql, *statement.arguments(values))
        except DependencyUnavailableError:
            await self._lost()
            raise

    async def fetch_one(
        self, statement: Prepared, values: Mapping[str, Any] = _NO_VALUES
    ) -> asyncpg.Record | None:
        rows = await self.fetch(statement, values)
        return rows[0] if rows else None

    async def _connection(self) -> asyncpg.Connection:
        if self._pooled is None:
            with unavailable_when_down():
                self._pooled = await self._engine.raw_connection()
        # Not in a transaction: each statement commits by itself (no BEGIN, no COMMIT).
        connection = self._pooled.driver_connection
        assert isinstance(connection, asyncpg.Connection)
        return connection

    async def _lost(self) -> None:
        """The server dropped the connection (restarted, most likely): this one is discarded,
        and so is every other the pool holds, opened before the failure, as SQLAlchemy does
        when its own statement finds a connection gone."""
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            await greenlet_spawn(pooled.invalidate)
        await self._engine.dispose(close=False)

    async def release(self) -> None:
        pooled, self._pooled = self._pooled, None
        if pooled is not None:
            # Back to the pool, which closes it (awaiting asyncpg) when the pool is full.
            await greenlet_spawn(pooled.close)
