"""The whole catalogue as the write side holds it now, for rebuilding read models."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.catalog import product_from_rows
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.inventory import stock_item_from_row
from commerce.adapters.postgres.tables import product_variants, products, stock_items
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem

CatalogBatch = list[tuple[Product, list[StockItem]]]


async def read_catalog(
    engine: AsyncEngine, batch_size: int = 500
) -> AsyncGenerator[CatalogBatch, None]:
    """Every product with its variants and stock items, in batches by product id, from one
    consistent snapshot (a repeatable-read transaction)."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="REPEATABLE READ")
        async with connection.begin():
            last_id: Any = None
            while True:
                query = select(products).order_by(products.c.id).limit(batch_size)
                if last_id is not None:
                    query = query.where(products.c.id > last_id)
                rows = list((await connection.execute(query)).mappings())
                if not rows:
                    return
                ids = [row["id"] for row in rows]
                variants = await connection.execute(
                    select(product_variants)
                    .where(product_variants.c.product_id.in_(ids))
                    .order_by(product_variants.c.product_id, product_variants.c.position)
                )
                stock = await connection.execute(
                    select(stock_items).where(stock_items.c.product_id.in_(ids))
                )
                variants_of: dict[Any, list[Any]] = {}
                for variant in variants.mappings():
                    variants_of.setdefault(variant["product_id"], []).append(variant)
                stock_of: dict[Any, list[StockItem]] = {}
                for item in stock.mappings():
                    stock_of.setdefault(item["product_id"], []).append(stock_item_from_row(item))
                yield [
                    (
                        product_from_rows(row, variants_of.get(row["id"], [])),
                        stock_of.get(row["id"], []),
                    )
                    for row in rows
                ]
                last_id = ids[-1]


def catalog_reader(
    database_url: str, batch_size: int = 500
) -> Callable[[], Iterator[CatalogBatch]]:
    """`read_catalog` for synchronous callers (the rebuild runs with the synchronous
    Elasticsearch client): each call reads the catalogue afresh on an event loop of its own,
    so it must not be called from a thread that is already running one."""

    def batches() -> Iterator[CatalogBatch]:
        loop = asyncio.new_event_loop()
        engine = create_engine(database_url, pool_size=1)
        reading = read_catalog(engine, batch_size)
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
