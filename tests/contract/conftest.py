"""Each port's contract runs against the in-memory twin and the real adapter."""

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

import msgspec
import pytest
from elasticsearch import Elasticsearch
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.memory.accounts import InMemoryAccountProfiles
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.adapters.postgres.accounts import PostgresAccountProfiles
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.domain.catalog import Product
from commerce.domain.events import EventEnvelope
from commerce.ports.accounts import AccountProfiles
from commerce.ports.product_search import ProductQuery, ProductSearch, SearchResult
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from tests.support import ELASTICSEARCH_TIMEOUT


@dataclass
class Storage:
    """A unit-of-work factory, and a way to read what reached the outbox."""

    new_uow: Callable[[], UnitOfWork]
    outbox: Callable[[], Awaitable[list[EventEnvelope]]]
    clock: FixedClock
    account_profiles: AccountProfiles


def in_memory(clock: FixedClock) -> Storage:
    store = InMemoryStore()

    async def read_outbox() -> list[EventEnvelope]:
        return list(store.outbox)

    return Storage(
        lambda: InMemoryUnitOfWork(store, clock), read_outbox, clock, InMemoryAccountProfiles(store)
    )


async def in_postgres(engine: AsyncEngine, clock: FixedClock) -> Storage:
    async with engine.begin() as connection:
        for table in (
            "outbox",
            "product_ratings",
            "reviews",
            "sales",
            "promo_code_redemptions",
            "promo_codes",
            "order_payments",
            "orders",
            "carts",
            "stock_items",
            "product_variants",
            "products",
            "account_payment_methods",
            "accounts",
        ):
            await connection.exec_driver_sql(f"DELETE FROM {table}")

    async def read_outbox() -> list[EventEnvelope]:
        async with engine.connect() as connection:
            rows = await connection.execute(select(outbox).order_by(outbox.c.id))
            return [envelope_from_row(row) for row in rows.mappings()]

    return Storage(
        lambda: PostgresUnitOfWork(engine, clock),
        read_outbox,
        clock,
        PostgresAccountProfiles(engine),
    )


@pytest.fixture(params=["memory", "postgres"])
async def storage(request: pytest.FixtureRequest) -> AsyncIterator[Storage]:
    clock = FixedClock()
    if request.param == "memory":
        yield in_memory(clock)
        return
    engine = create_engine(request.getfixturevalue("database_url"))
    try:
        yield await in_postgres(engine, clock)
    finally:
        await engine.dispose()


# The product search, fed events (tests of search and of sales in search) -------------------

_counter = itertools.count()


@dataclass
class Catalog:
    search: ProductSearch
    apply: Callable[[Sequence[EventEnvelope]], Awaitable[None]]
    counting_up_to: Callable[[int], ProductSearch]

    async def add(self, *products: tuple[Product, list[EventEnvelope]]) -> list[Product]:
        await self.apply([event for _, events in products for event in events])
        return [product for product, _ in products]

    async def find(self, **query: object) -> SearchResult:
        return await self.search.search(msgspec.convert(query, ProductQuery))

    async def names(self, **query: object) -> list[str]:
        return [item.name for item in (await self.find(**query)).items]


@pytest.fixture(scope="session")
def es_session(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    leftovers = client.indices.get(index=f"{prefix}-*", allow_no_indices=True)
    for name in leftovers:
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["memory", "elasticsearch"])
async def catalog(request: pytest.FixtureRequest) -> AsyncIterator[Catalog]:
    if request.param == "memory":
        twin = InMemoryProductSearch()

        async def apply_to_twin(events: Sequence[EventEnvelope]) -> None:
            twin.project(events)

        yield Catalog(twin, apply_to_twin, twin.counting_up_to)
        return
    sync_client, session_prefix = request.getfixturevalue("es_session")
    settings: Settings = request.getfixturevalue("stack_settings")
    prefix = f"{session_prefix}-{next(_counter)}"
    projection = ProductsProjection(prefix)
    projection.ensure_index(sync_client)
    client = create_client(settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)

    async def apply_to_index(events: Sequence[EventEnvelope]) -> None:
        await asyncio.to_thread(projection.project, sync_client, events)
        await client.indices.refresh(index=projection.alias)

    try:
        yield Catalog(
            ElasticsearchProductSearch(client, prefix),
            apply_to_index,
            lambda limit: ElasticsearchProductSearch(client, prefix, track_total_hits=limit),
        )
    finally:
        await client.close()
        for name in sync_client.indices.get(index=f"{projection.alias}-*"):
            sync_client.indices.delete(index=name)
