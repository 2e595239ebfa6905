"""Back-in-stock requests in PostgreSQL: one row per customer and SKU while they wait."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.tables import back_in_stock_requests as requests


class PostgresBackInStockRequests:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, sku: str, customer_id: UUID, *, stock_version: int, now: datetime) -> bool:
        statement = (
            insert(requests)
            .values(sku=sku, customer_id=customer_id, stock_version=stock_version, requested_at=now)
            .on_conflict_do_nothing()
            .returning(requests.c.sku)
        )
        async with self._engine.begin() as connection:
            return (await connection.execute(statement)).first() is not None

    async def waiting(self, sku: str, *, before_version: int) -> list[UUID]:
        query = (
            select(requests.c.customer_id)
            .where(requests.c.sku == sku, requests.c.stock_version < before_version)
            .order_by(requests.c.requested_at, requests.c.customer_id)
        )
        async with self._engine.connect() as connection:
            return list((await connection.scalars(query)).all())

    async def remove(self, sku: str, customer_id: UUID) -> None:
        statement = delete(requests).where(
            requests.c.sku == sku, requests.c.customer_id == customer_id
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)
