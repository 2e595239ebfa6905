"""A sale from staff's command to search, on PostgreSQL and Elasticsearch: it shows only once
the scheduler has started it, its end restores the list price, a scheduler restarted (or run
twice at once) records nothing twice, and a rebuild of the products read model shows the same.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.catalog_snapshot import catalog_reader, started_sales_reader
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.sales import CreateSale, create_sale, start_and_end_due_sales
from commerce.domain.pricing import Discount, SaleTargets
from commerce.ports.product_search import ProductQuery
from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from projections.products.rebuild import rebuild
from tests.product_events import unsaved_product

HOUR = timedelta(hours=1)


@dataclass
class Shop:
    engine: AsyncEngine
    clock: FixedClock
    client: Elasticsearch
    projection: ProductsProjection
    search: ElasticsearchProductSearch
    prefix: str
    category: str

    def uow(self) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self.engine, self.clock)

    async def scheduler_pass(self, clock: FixedClock | None = None) -> int:
        clock = clock or self.clock
        return await start_and_end_due_sales(PostgresUnitOfWork(self.engine, clock), clock)

    async def project(self) -> None:
        """Every event of the outbox through the projection, as the worker would (again and
        again: it is idempotent)."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(outbox).order_by(outbox.c.id))
            events = [envelope_from_row(row) for row in rows.mappings()]
        await asyncio.to_thread(self.projection.project, self.client, events)
        await asyncio.to_thread(self.client.indices.refresh, index=self.projection.alias)

    async def prices(self) -> list[tuple[int, int | None, bool]]:
        """(list price, sale price, on sale) of this shop's products, cheapest first."""
        query = ProductQuery(categories=(self.category,), sort="price_asc")
        items = (await self.search.search(query)).items
        return [(i.price.amount, i.sale_price and i.sale_price.amount, i.on_sale) for i in items]

    async def events_of(self, sale_id: UUID) -> list[str]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox.c.type)
                .where(outbox.c.aggregate_id == str(sale_id))
                .order_by(outbox.c.id)
            )
            return list(rows.scalars())


@pytest.fixture
def client(stack_settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
async def shop(
    engine: AsyncEngine, client: Elasticsearch, elasticsearch: AsyncElasticsearch
) -> AsyncIterator[Shop]:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    category = f"sale-{uuid.uuid4().hex[:8]}"
    shop = Shop(
        engine,
        FixedClock(),
        client,
        projection,
        ElasticsearchProductSearch(elasticsearch, prefix),
        prefix,
        category,
    )
    async with shop.uow() as uow:
        for name, price in (("Kettle", 2000), ("Toaster", 3000)):
            product = unsaved_product(
                name, category=f"{category}/goods", variants=[(uuid.uuid4().hex[:12], price, {})]
            )
            uow.products.add(product)
        await uow.commit()
    yield shop
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)


async def a_sale(shop: Shop, starts_in: timedelta, lasts: timedelta) -> UUID:
    now = shop.clock.now()
    command = CreateSale(
        name="Kettle week",
        discount=Discount(percent_off=25),
        applies_to=SaleTargets(categories=(shop.category,)),
        starts_at=now + starts_in,
        ends_at=now + starts_in + lasts,
    )
    return (await create_sale(command, shop.uow(), shop.clock, "EUR")).sale.id


LIST_PRICES = [(2000, None, False), (3000, None, False)]
SALE_PRICES = [(2000, 1500, True), (3000, 2250, True)]


async def test_a_sale_that_starts_later_shows_only_once_the_scheduler_starts_it(
    shop: Shop,
) -> None:
    sale_id = await a_sale(shop, starts_in=HOUR, lasts=2 * HOUR)
    await shop.scheduler_pass()
    await shop.project()
    assert await shop.prices() == LIST_PRICES

    shop.clock.advance(HOUR - timedelta(seconds=1))
    await shop.scheduler_pass()
    await shop.project()
    assert await shop.prices() == LIST_PRICES

    shop.clock.advance(timedelta(seconds=1))
    await shop.scheduler_pass()
    await shop.project()
    assert await shop.prices() == SALE_PRICES
    assert await shop.events_of(sale_id) == ["SaleCreated", "SaleStarted"]


async def test_a_sale_that_ends_restores_the_list_price_in_search(shop: Shop) -> None:
    sale_id = await a_sale(shop, starts_in=0 * HOUR, lasts=HOUR)
    await shop.scheduler_pass()
    await shop.project()
    assert await shop.prices() == SALE_PRICES

    shop.clock.advance(HOUR)
    await shop.scheduler_pass()
    await shop.project()

    assert await shop.prices() == LIST_PRICES
    assert await shop.events_of(sale_id) == ["SaleCreated", "SaleStarted", "SaleEnded"]


async def test_schedulers_restarted_or_run_at_once_record_each_start_once(shop: Shop) -> None:
    sale_id = await a_sale(shop, starts_in=HOUR, lasts=HOUR)
    shop.clock.advance(HOUR)

    await asyncio.gather(*(shop.scheduler_pass(FixedClock(shop.clock.now())) for _ in range(3)))
    restarted = FixedClock(shop.clock.now() + timedelta(seconds=5))
    await shop.scheduler_pass(restarted)
    await shop.project()

    assert await shop.events_of(sale_id) == ["SaleCreated", "SaleStarted"]
    assert await shop.prices() == SALE_PRICES


async def test_a_rebuild_of_the_products_read_model_shows_the_same_sale_prices(
    shop: Shop, database_url: str
) -> None:
    await a_sale(shop, starts_in=0 * HOUR, lasts=HOUR)
    await shop.scheduler_pass()
    await shop.project()
    before = await shop.prices()
    records = shop.projection.sales_alias
    for name in shop.client.indices.get(index=f"{records}-*"):  # lost, say
        shop.client.indices.delete(index=name)

    await asyncio.to_thread(
        rebuild,
        shop.client,
        shop.prefix,
        catalog_reader(database_url),
        read_sales=started_sales_reader(database_url),
    )
    await asyncio.to_thread(shop.client.indices.refresh, index=shop.projection.alias)

    assert before == SALE_PRICES
    assert await shop.prices() == before
    # The sale's record is back: a product created now still gets the sale.
    async with shop.uow() as uow:
        uow.products.add(
            unsaved_product(
                "Kettle XL", category=f"{shop.category}/goods", variants=[("XL-1", 4000, {})]
            )
        )
        await uow.commit()
    await shop.project()
    assert (await shop.prices())[-1] == (4000, 3000, True)
