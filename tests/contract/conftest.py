"""Each port's contract runs against the in-memory twin and the real adapter."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.accounts import InMemoryAccountProfiles
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.adapters.postgres.accounts import PostgresAccountProfiles
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.domain.events import EventEnvelope
from commerce.ports.accounts import AccountProfiles
from commerce.ports.unit_of_work import UnitOfWork


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
