"""`commerce read-models rebuild products`: a new index from PostgreSQL, an atomic alias swap,
searches answering throughout."""

import asyncio
import uuid
from collections.abc import Iterator
from uuid import UUID

import pytest
from click.testing import CliRunner
from elasticsearch import AsyncElasticsearch, Elasticsearch
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.catalog_snapshot import CatalogBatch, catalog_reader
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.domain.catalog import Product
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.entrypoints.cli import main
from commerce.ports.product_search import ProductQuery
from commerce.settings import Settings
from projections.products.mapping import MAPPING_VERSION
from projections.products.projector import ProductsProjection
from projections.products.rebuild import rebuild
from tests.product_events import unsaved_product

PRODUCTS = 60


@pytest.fixture
def client(stack_settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def prefix(client: Elasticsearch) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)


@pytest.fixture
async def search(elasticsearch: AsyncElasticsearch, prefix: str) -> ElasticsearchProductSearch:
    return ElasticsearchProductSearch(elasticsearch, prefix)


async def write_catalog(engine: AsyncEngine, brand: str) -> tuple[list[Product], list[UUID]]:
    """Products (each with stock) committed on the write side; their event ids."""
    products = [
        unsaved_product(
            f"Rebuilt kettle {n}", brand=brand, variants=[(f"{brand}-{n}", 1000 + n, {})]
        )
        for n in range(PRODUCTS)
    ]
    async with PostgresUnitOfWork(engine, FixedClock()) as uow:
        for product in products:
            uow.products.add(product)
        event_ids = await uow.commit()
    async with PostgresUnitOfWork(engine, FixedClock()) as uow:
        for product in products:
            item = StockItem.open(product.variants[0].sku, product.id)
            item.set_counted(1)
            uow.stock.add(item)
        event_ids += await uow.commit()
    return products, event_ids


async def outbox_events(engine: AsyncEngine, event_ids: list[UUID]) -> list[EventEnvelope]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(outbox).where(outbox.c.event_id.in_(event_ids)).order_by(outbox.c.id)
        )
        return [envelope_from_row(row) for row in rows.mappings()]


async def brand_total(search: ElasticsearchProductSearch, brand: str) -> int:
    result = await search.search(ProductQuery(brands=(brand,), in_stock=True, limit=1))
    return result.total.value


async def test_a_rebuild_while_searches_run_loses_no_result(
    engine: AsyncEngine,
    database_url: str,
    client: Elasticsearch,
    prefix: str,
    search: ElasticsearchProductSearch,
) -> None:
    brand = f"B{uuid.uuid4().hex[:8]}"
    products, event_ids = await write_catalog(engine, brand)
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    projection.project(client, await outbox_events(engine, event_ids))
    client.indices.refresh(index=f"{prefix}-products")
    assert await brand_total(search, brand) == PRODUCTS

    rebuilding = asyncio.create_task(
        asyncio.to_thread(rebuild, client, prefix, catalog_reader(database_url, batch_size=7))
    )
    totals = []
    while not rebuilding.done():
        totals.append(await brand_total(search, brand))
    index, count = await rebuilding
    totals.append(await brand_total(search, brand))

    assert set(totals) == {PRODUCTS}
    assert len(totals) > 1
    assert count >= PRODUCTS
    assert list(client.indices.get_alias(name=f"{prefix}-products").body) == [index]
    assert not client.indices.exists(index=f"{prefix}-products-v{MAPPING_VERSION}")
    view = await search.get(products[0].id)
    assert view is not None
    assert (view.price.amount, view.in_stock) == (1000, True)


async def test_a_change_committed_while_the_rebuild_loads_is_in_the_rebuilt_index(
    engine: AsyncEngine,
    database_url: str,
    client: Elasticsearch,
    prefix: str,
    search: ElasticsearchProductSearch,
) -> None:
    brand = f"B{uuid.uuid4().hex[:8]}"
    products, _ = await write_catalog(engine, brand)
    loop = asyncio.get_running_loop()
    read = catalog_reader(database_url)
    passes = 0

    async def sell_out_the_first() -> None:
        async with PostgresUnitOfWork(engine, FixedClock()) as uow:
            item = await uow.stock.get(products[0].variants[0].sku)
            item.set_counted(0)
            await uow.commit()

    def read_catalog() -> Iterator[CatalogBatch]:
        nonlocal passes
        passes += 1
        yield from read()
        if passes == 1:  # loaded from the first snapshot; the change comes before the swap
            asyncio.run_coroutine_threadsafe(sell_out_the_first(), loop).result()

    await asyncio.to_thread(rebuild, client, prefix, read_catalog)
    client.indices.refresh(index=f"{prefix}-products")

    view = await search.get(products[0].id)
    assert view is not None
    assert not view.in_stock
    assert await brand_total(search, brand) == PRODUCTS - 1


async def test_after_a_rebuild_events_still_apply_and_archived_products_stay_hidden(
    engine: AsyncEngine,
    database_url: str,
    client: Elasticsearch,
    prefix: str,
    search: ElasticsearchProductSearch,
) -> None:
    brand = f"B{uuid.uuid4().hex[:8]}"
    products, _ = await write_catalog(engine, brand)
    async with PostgresUnitOfWork(engine, FixedClock()) as uow:
        archived = await uow.products.get(products[0].id)
        archived.archive(FixedClock().now())
        await uow.commit()
    async with PostgresUnitOfWork(engine, FixedClock()) as uow:
        item = await uow.stock.get(products[1].variants[0].sku)
        item.set_counted(0)
        later_ids = await uow.commit()

    await asyncio.to_thread(rebuild, client, prefix, catalog_reader(database_url))
    late = await outbox_events(engine, later_ids)
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    projection.project(client, late)
    client.indices.refresh(index=f"{prefix}-products")

    assert await search.get(products[0].id) is None
    assert await brand_total(search, brand) == PRODUCTS - 2


async def test_the_command_line_rebuilds_into_the_configured_prefix(
    engine: AsyncEngine,
    database_url: str,
    client: Elasticsearch,
    prefix: str,
    search: ElasticsearchProductSearch,
) -> None:
    brand = f"B{uuid.uuid4().hex[:8]}"
    await write_catalog(engine, brand)
    environment = {"COMMERCE_DATABASE_URL": database_url, "COMMERCE_INDEX_PREFIX": prefix}

    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["read-models", "rebuild", "products"], env=environment
    )

    assert result.exit_code == 0, result.output
    assert "alias swapped" in result.output
    assert await brand_total(search, brand) == PRODUCTS
