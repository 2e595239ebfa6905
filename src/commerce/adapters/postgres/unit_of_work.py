"""The PostgreSQL unit of work: aggregates and their outbox events in one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.envelopes import envelopes_for, in_sighting_order
from commerce.adapters.postgres.accounts import PostgresAccountRepository
from commerce.adapters.postgres.carts import PostgresCartRepository
from commerce.adapters.postgres.catalog import PostgresProductRepository
from commerce.adapters.postgres.engine import unavailable_when_down
from commerce.adapters.postgres.inventory import PostgresStockRepository
from commerce.adapters.postgres.orders import PostgresOrderRepository
from commerce.adapters.postgres.outbox import append_events
from commerce.adapters.postgres.repository import TrackingRepository
from commerce.domain.events import EventEnvelope
from commerce.ports.clock import Clock


class PostgresUnitOfWork:
    products: PostgresProductRepository
    stock: PostgresStockRepository
    accounts: PostgresAccountRepository
    carts: PostgresCartRepository
    orders: PostgresOrderRepository

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        with unavailable_when_down():
            self._connection = await self._engine.connect()
            await self._connection.begin()
        self.products = PostgresProductRepository(self._connection)
        self.stock = PostgresStockRepository(self._connection)
        self.accounts = PostgresAccountRepository(self._connection)
        self.carts = PostgresCartRepository(self._connection)
        self.orders = PostgresOrderRepository(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.rollback()  # a no-op after commit
            await connection.close()

    def _repositories(self) -> list[TrackingRepository[Any]]:
        # Parents before children: variants are saved before the stock rows that reference them.
        return [self.products, self.stock, self.accounts, self.carts, self.orders]

    async def commit(self) -> list[UUID]:
        assert self._connection is not None, "commit() outside `async with`"
        now = self._clock.now()
        pulled: list[tuple[int, list[EventEnvelope]]] = []
        for repository in self._repositories():
            changes = [(a, a.persisted_version) for a in _unique(repository.seen) if a.has_changes]
            for aggregate, _ in changes:
                pulled.append((repository.sightings.of(aggregate), envelopes_for(aggregate, now)))
            await repository.save_all(changes)
        envelopes = in_sighting_order(pulled)
        await append_events(self._connection, envelopes)
        await self._connection.commit()
        return [envelope.event_id for envelope in envelopes]


def _unique(aggregates: list[Any]) -> list[Any]:
    return list({id(a): a for a in aggregates}.values())
