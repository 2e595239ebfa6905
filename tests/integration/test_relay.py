"""The outbox relay against the real PostgreSQL: every committed event reaches the broker,
once per successful pass, whatever fails or runs concurrently."""

import asyncio

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.publisher import InMemoryEventPublisher
from commerce.adapters.postgres.relay import OutboxRelay
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from tests.support import new_product


@pytest.fixture(autouse=True)
async def empty_outbox(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(delete(outbox))


async def record_products(engine: AsyncEngine, count: int) -> list[str]:
    """Commit `count` products (one event each); return the event ids in commit order."""
    event_ids: list[str] = []
    for _ in range(count):
        async with PostgresUnitOfWork(engine, FixedClock()) as uow:
            product = new_product(f"SKU-{len(event_ids)}-{id(uow)}")
            uow.products.add(product)
            event_ids += [str(e) for e in await uow.commit()]
    return event_ids


async def unpublished(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(outbox.c.published_at.is_(None))
        return int((await connection.execute(query)).scalar_one())


async def test_committed_events_are_published_in_order_and_then_marked(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 3)
    publisher = InMemoryEventPublisher()
    relay = OutboxRelay(engine, publisher, FixedClock())

    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 0
    assert [str(e.event_id) for e in publisher.events] == expected
    assert await unpublished(engine) == 0


async def test_while_the_broker_is_down_events_wait_in_the_outbox_and_none_is_lost(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 2)
    publisher = InMemoryEventPublisher()
    publisher.available = False
    relay = OutboxRelay(engine, publisher, FixedClock())

    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert await unpublished(engine) == 2

    publisher.available = True
    assert await relay.relay_once() == 2
    assert [str(e.event_id) for e in publisher.events] == expected


async def test_relays_running_side_by_side_publish_every_event_exactly_once(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 60)
    publisher = InMemoryEventPublisher()
    relays = [
        OutboxRelay(engine, publisher, FixedClock(), batch_size=7, idle_interval=0.01)
        for _ in range(4)
    ]
    stop = asyncio.Event()
    running = [asyncio.create_task(relay.run(stop)) for relay in relays]
    for _ in range(200):
        if await unpublished(engine) == 0:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.gather(*running)

    published = [str(e.event_id) for e in publisher.events]
    assert sorted(published) == sorted(expected)
    assert len(set(published)) == len(published)


async def test_a_relay_loop_keeps_going_after_a_failed_pass(engine: AsyncEngine) -> None:
    await record_products(engine, 1)
    publisher = InMemoryEventPublisher()
    publisher.available = False
    relay = OutboxRelay(engine, publisher, FixedClock(), idle_interval=0.02)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    await asyncio.sleep(0.1)
    publisher.available = True
    for _ in range(100):
        if publisher.events:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await running

    assert len(publisher.events) == 1
