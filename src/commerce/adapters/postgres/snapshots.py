"""Whole tables of the write side, read in primary-key order and in batches from one consistent
snapshot, for rebuilding and verifying read models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.postgres.carts import cart_from_row
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.orders import order_from_row
from commerce.adapters.postgres.promo_codes import promo_code_from_row
from commerce.adapters.postgres.reviews import review_from_row
from commerce.adapters.postgres.sales import sale_from_row
from commerce.adapters.postgres.tables import carts, orders, promo_codes, reviews, sales
from commerce.domain.cart import Cart
from commerce.domain.order import Order
from commerce.domain.pricing import PromoCode, Sale
from commerce.domain.review import Review

T = TypeVar("T")
BATCH_SIZE = 500


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a repeatable-read transaction: every query sees the same moment."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            yield connection


async def keyset_pages(
    connection: AsyncConnection, table: Table, batch_size: int, collation: str | None = None
) -> AsyncIterator[list[RowMapping]]:
    """Every row of `table` in primary-key order (a text key compared by `collation`, the
    database's by default), `batch_size` rows at a time."""
    (key,) = table.primary_key.columns
    ordered = key.collate(collation) if collation else key
    last: Any = None
    while True:
        query = select(table).order_by(ordered).limit(batch_size)
        if last is not None:
            query = query.where(ordered > last)
        rows = list((await connection.execute(query)).mappings())
        if not rows:
            return
        yield rows
        last = rows[-1][key.name]


async def read_table(
    engine: AsyncEngine,
    table: Table,
    convert: Callable[[RowMapping], T],
    batch_size: int = BATCH_SIZE,
) -> AsyncGenerator[list[T], None]:
    """Every row of `table`, converted, in batches by primary key, from one snapshot."""
    async with snapshot(engine) as connection:
        async for rows in keyset_pages(connection, table, batch_size):
            yield [convert(row) for row in rows]


async def read_promotions(
    engine: AsyncEngine, batch_size: int = BATCH_SIZE
) -> AsyncGenerator[list[PromoCode | Sale], None]:
    """Every promo code, then every sale, from one snapshot, in the order of their documents'
    ids in the `promotions` read model: `promo_code:<code>` (byte-wise, whatever the
    database's collation) before `sale:<id>`."""
    async with snapshot(engine) as connection:
        async for rows in keyset_pages(connection, promo_codes, batch_size, collation="C"):
            yield [promo_code_from_row(row) for row in rows]
        async for rows in keyset_pages(connection, sales, batch_size):
            yield [sale_from_row(row) for row in rows]


def read_orders(engine: AsyncEngine) -> AsyncGenerator[list[Order], None]:
    return read_table(engine, orders, order_from_row)


def read_carts(engine: AsyncEngine) -> AsyncGenerator[list[Cart], None]:
    return read_table(engine, carts, cart_from_row)


def read_reviews(engine: AsyncEngine) -> AsyncGenerator[list[Review], None]:
    return read_table(engine, reviews, review_from_row)


def synchronous(
    database_url: str, read: Callable[[AsyncEngine], AsyncGenerator[T, None]]
) -> Callable[[], Generator[T, None, None]]:
    """`read` for synchronous callers (the rebuild and verify run with the synchronous
    Elasticsearch client): each call reads afresh on an event loop of its own, so it must not
    be called from a thread that is already running one. Close a reading left unfinished, so
    its connection goes back before the loop is gone."""

    def batches() -> Generator[T, None, None]:
        loop = asyncio.new_event_loop()
        engine = create_engine(database_url, pool_size=1)
        reading = read(engine)
        try:
            while True:
                try:
                    yield loop.run_until_complete(anext(reading))
                except StopAsyncIteration:
                    return
        finally:
            loop.run_until_complete(reading.aclose())
            loop.run_until_complete(engine.dispose())
            loop.close()

    return batches
