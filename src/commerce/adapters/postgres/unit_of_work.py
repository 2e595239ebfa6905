"""The PostgreSQL unit of work: aggregates and their outbox events, written in one statement.

Loads run on an autocommit connection, each its own round trip and nothing held between them;
`commit()` writes every changed aggregate (version-checked) and its events as one statement of
data-modifying CTEs (`writes.py`), atomic by itself: no BEGIN, no COMMIT, no lock held while
the handler thinks. A lost version check raises `ConcurrencyError` and writes nothing; the
handler is then run again (`retried_on_conflict`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.envelopes import envelopes_for, in_sighting_order
from commerce.adapters.postgres.accounts import PostgresAccountRepository
from commerce.adapters.postgres.carts import PostgresCartRepository
from commerce.adapters.postgres.catalog import PostgresProductRepository
from commerce.adapters.postgres.engine import unavailable_when_down
from commerce.adapters.postgres.inventory import PostgresStockRepository
from commerce.adapters.postgres.orders import PostgresOrderRepository
from commerce.adapters.postgres.outbox import appended
from commerce.adapters.postgres.promo_codes import PostgresPromoCodeRepository
from commerce.adapters.postgres.repository import TrackingRepository
from commerce.adapters.postgres.reviews import (
    PostgresProductRatingRepository,
    PostgresReviewRepository,
)
from commerce.adapters.postgres.sales import PostgresSaleRepository
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.writes import Write, write_atomically
from commerce.domain.events import EventEnvelope
from commerce.ports.clock import Clock


class PostgresUnitOfWork:
    products: PostgresProductRepository
    stock: PostgresStockRepository
    accounts: PostgresAccountRepository
    carts: PostgresCartRepository
    orders: PostgresOrderRepository
    promo_codes: PostgresPromoCodeRepository
    sales: PostgresSaleRepository
    reviews: PostgresReviewRepository
    product_ratings: PostgresProductRatingRepository

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._session: Session | None = None

    async def __aenter__(self) -> Self:
        self._session = session = Session(self._engine)
        self.products = PostgresProductRepository(session)
        self.stock = PostgresStockRepository(session)
        self.accounts = PostgresAccountRepository(session)
        self.carts = PostgresCartRepository(session)
        self.orders = PostgresOrderRepository(session)
        self.promo_codes = PostgresPromoCodeRepository(session)
        self.sales = PostgresSaleRepository(session)
        self.reviews = PostgresReviewRepository(session)
        self.product_ratings = PostgresProductRatingRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.release()  # nothing is written unless commit() ran

    def _repositories(self) -> list[TrackingRepository[Any]]:
        # Parents before children: variants are written before the stock rows that reference
        # them (the statement checks foreign keys at its end either way).
        return [
            self.products,
            self.stock,
            self.accounts,
            self.carts,
            self.orders,
            self.promo_codes,
            self.sales,
            self.reviews,
            self.product_ratings,
        ]

    async def commit(self) -> list[UUID]:
        assert self._session is not None, "commit() outside `async with`"
        now = self._clock.now()
        pulled: list[tuple[int, list[EventEnvelope]]] = []
        writes: list[Write] = []
        for repository in self._repositories():
            changes = [(a, a.persisted_version) for a in _unique(repository.seen) if a.has_changes]
            writes += repository.writes(changes)  # before the events are pulled: some follow them
            for aggregate, _ in changes:
                pulled.append((repository.sightings.of(aggregate), envelopes_for(aggregate, now)))
        envelopes = in_sighting_order(pulled)
        if envelopes:
            writes.append(appended(envelopes))
        try:
            with unavailable_when_down():
                await write_atomically(self._session, writes)
        finally:
            await self._session.release()
        return [envelope.event_id for envelope in envelopes]


def _unique(aggregates: list[Any]) -> list[Any]:
    return list({id(a): a for a in aggregates}.values())
