"""The whole catalogue as the write side holds it now, for rebuilding and verifying read models."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from functools import partial
from typing import Any

from sqlalchemy import not_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.catalog import product_from_rows
from commerce.adapters.postgres.inventory import stock_item_from_row
from commerce.adapters.postgres.reviews import rating_from_row
from commerce.adapters.postgres.sales import sale_from_row
from commerce.adapters.postgres.snapshots import BATCH_SIZE, keyset_pages, snapshot, synchronous
from commerce.adapters.postgres.tables import (
    product_ratings,
    product_variants,
    products,
    sales,
    stock_items,
)
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem
from commerce.domain.pricing import Sale
from commerce.domain.rating import ProductRating

CatalogBatch = list[tuple[Product, list[StockItem], ProductRating | None]]


async def read_catalog(
    engine: AsyncEngine, batch_size: int = BATCH_SIZE
) -> AsyncGenerator[CatalogBatch, None]:
    """Every product with its variants, stock items and rating (None before its first
    review), in batches by product id, from one consistent snapshot (a repeatable-read
    transaction)."""
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
            ratings = await connection.execute(
                select(product_ratings).where(product_ratings.c.product_id.in_(ids))
            )
            stock_of: dict[Any, list[StockItem]] = {}
            for item in stock.mappings():
                stock_of.setdefault(item["product_id"], []).append(stock_item_from_row(item))
            rating_of = {row["product_id"]: rating_from_row(row) for row in ratings.mappings()}
            yield [
                (
                    product_from_rows(row, variants_of.get(row["id"], [])),
                    stock_of.get(row["id"], []),
                    rating_of.get(row["id"]),
                )
                for row in rows
            ]


def catalog_reader(
    database_url: str, batch_size: int = BATCH_SIZE
) -> Callable[[], Generator[CatalogBatch, None, None]]:
    """`read_catalog` for synchronous callers (see `synchronous`)."""
    return synchronous(database_url, partial(read_catalog, batch_size=batch_size))


async def read_started_sales(engine: AsyncEngine) -> AsyncGenerator[list[Sale], None]:
    """The sales the scheduler has started and that have not ended (nor been deleted): what
    search shows. One batch: sales in force at once are few."""
    query = select(sales).where(sales.c.started, not_(sales.c.ended), not_(sales.c.deleted))
    async with engine.connect() as connection:
        rows = await connection.execute(query.order_by(sales.c.id))
        yield [sale_from_row(row) for row in rows.mappings()]


def started_sales_reader(database_url: str) -> Callable[[], Generator[list[Sale], None, None]]:
    """`read_started_sales` for synchronous callers (see `synchronous`)."""
    return synchronous(database_url, read_started_sales)
