"""The whole catalogue as the write side holds it now, for rebuilding and verifying read models."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.catalog import product_from_rows
from commerce.adapters.postgres.inventory import stock_item_from_row
from commerce.adapters.postgres.snapshots import BATCH_SIZE, keyset_pages, snapshot, synchronous
from commerce.adapters.postgres.tables import product_variants, products, stock_items
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem

CatalogBatch = list[tuple[Product, list[StockItem]]]


async def read_catalog(
    engine: AsyncEngine, batch_size: int = BATCH_SIZE
) -> AsyncGenerator[CatalogBatch, None]:
    """Every product with its variants and stock items, in batches by product id, from one
    consistent snapshot (a repeatable-read transaction)."""
    async with snapshot(engine) as connection:
        async for rows in keyset_pages(connection, products, batch_size):
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


def catalog_reader(
    database_url: str, batch_size: int = BATCH_SIZE
) -> Callable[[], Generator[CatalogBatch, None, None]]:
    """`read_catalog` for synchronous callers (see `synchronous`)."""
    return synchronous(database_url, partial(read_catalog, batch_size=batch_size))
