"""The unit of work's way to PostgreSQL: a pooled connection in autocommit, taken for the
statements that follow one another and given back after each commit, so that nothing is held
while a handler waits on something else (a payment gateway between recording a payment and
settling it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.postgres.engine import unavailable_when_down


class Session:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        if self._connection is None:
            with unavailable_when_down():
                connection = await self._engine.connect()
                # Each statement is its own transaction: no BEGIN, no COMMIT round trips.
                await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = connection
        return await self._connection.execute(statement, parameters)

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()
