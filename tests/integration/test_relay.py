"""The outbox relay against the real PostgreSQL: every committed event reaches the broker,
once per successful pass, whatever fails or runs concurrently."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.publisher import InMemoryEventPublisher
from commerce.adapters.postgres.relay import Delivery, OutboxRelay
from commerce.adapters.postgres.tables import outbox, outbox_batches
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from tests.shop import unique_sku
from tests.support import new_product


@pytest.fixture(autouse=True)
async def empty_outbox(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(delete(outbox))
        await connection.execute(delete(outbox_batches))


async def record_products(engine: AsyncEngine, count: int) -> list[str]:
    """Commit `count` products (one event each); return the event ids in commit order."""
    event_ids: list[str] = []
    for _ in range(count):
        async with PostgresUnitOfWork(engine, FixedClock()) as uow:
            # Unique across the session's database: an `id()` is reused once its object is gone.
            product = new_product(unique_sku("RELAY"))
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
    relay = OutboxRelay(engine, publisher, publisher, FixedClock())

    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 0
    assert [str(e.event_id) for e in publisher.events] == expected
    assert await unpublished(engine) == 0


async def test_a_consumer_far_behind_holds_back_new_batches_in_the_outbox_until_it_drains(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 5)
    publisher = InMemoryEventPublisher()
    relay = OutboxRelay(engine, publisher, publisher, FixedClock(), batch_size=1, max_backlog=2)

    assert [await relay.relay_once() for _ in range(4)] == [1, 1, 0, 0]
    assert await unpublished(engine) == 3

    first_batch = publisher.sent[0][0]
    publisher.apply(first_batch, "orders")  # one consumer caught up; the other is still behind
    assert await relay.relay_once() == 0
    publisher.apply(first_batch, "products")
    assert await relay.relay_once() == 1
    for batch_id, _ in publisher.sent:
        publisher.apply(batch_id)
    while await relay.relay_once():
        for batch_id, _ in publisher.sent:
            publisher.apply(batch_id)
    assert [str(e.event_id) for e in publisher.events] == expected
    assert await unpublished(engine) == 0


async def test_a_consumer_the_relay_is_not_paced_by_never_holds_the_others_back(
    engine: AsyncEngine,
) -> None:
    """The emails: with their mail server down, their batches wait in retries while the read
    models carry on."""
    await record_products(engine, 4)
    publisher = InMemoryEventPublisher(consumers=("products", "emails"))
    relay = OutboxRelay(
        engine,
        publisher,
        publisher,
        FixedClock(),
        batch_size=1,
        max_backlog=2,
        paced_by=["products"],
    )

    published = []
    for _ in range(4):
        published.append(await relay.relay_once())
        for batch_id, _ in publisher.sent:
            publisher.apply(batch_id, "products")

    assert published == [1, 1, 1, 1]
    assert await publisher.backlog() == 4  # all four wait for the emails


async def test_while_the_broker_is_down_events_wait_in_the_outbox_and_none_is_lost(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 2)
    publisher = InMemoryEventPublisher()
    publisher.available = False
    relay = OutboxRelay(engine, publisher, publisher, FixedClock())

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
        OutboxRelay(engine, publisher, publisher, FixedClock(), batch_size=7, idle_interval=0.01)
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
    relay = OutboxRelay(engine, publisher, publisher, FixedClock(), idle_interval=0.02)
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


CHECK_AFTER = timedelta(seconds=30)


def delivering_relay(
    engine: AsyncEngine, publisher: InMemoryEventPublisher, clock: FixedClock
) -> OutboxRelay:
    delivery = Delivery(check_after=CHECK_AFTER, retention=timedelta(days=1))
    return OutboxRelay(engine, publisher, publisher, clock, delivery=delivery)


async def one_published_batch(
    engine: AsyncEngine, consumers: tuple[str, ...]
) -> tuple[InMemoryEventPublisher, FixedClock, OutboxRelay, int]:
    """One product's events published to `consumers`: the twin, clock, relay and batch id."""
    await record_products(engine, 1)
    publisher, clock = InMemoryEventPublisher(consumers), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await relay.relay_once()
    ((batch_id, _),) = publisher.sent
    return publisher, clock, relay, batch_id


async def outbox_size(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(outbox))).scalar_one()
        )


async def test_a_batch_every_consumer_applied_is_settled_and_never_sent_again(
    engine: AsyncEngine,
) -> None:
    await record_products(engine, 3)
    publisher, clock = InMemoryEventPublisher(), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await relay.relay_once()
    ((batch_id, _),) = publisher.sent
    publisher.apply(batch_id)

    clock.advance(CHECK_AFTER)
    assert await relay.redrive_once() == 1
    clock.advance(timedelta(days=30))
    assert await relay.redrive_once() == 0
    assert len(publisher.sent) == 1


async def test_a_batch_the_broker_lost_is_sent_again_to_the_consumers_without_a_receipt(
    engine: AsyncEngine,
) -> None:
    expected = await record_products(engine, 3)
    publisher, clock = InMemoryEventPublisher(("products", "orders")), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await relay.relay_once()
    ((batch_id, _),) = publisher.sent
    publisher.apply(batch_id, "products")
    publisher.lose_messages()  # the orders queue died with the broker

    clock.advance(CHECK_AFTER - timedelta(seconds=1))
    await relay.redrive_once()
    assert len(publisher.sent) == 1  # not before its time
    clock.advance(timedelta(seconds=1))
    await relay.redrive_once()

    assert publisher.sent[1] == (batch_id, ("orders",))
    assert [str(e.event_id) for e in publisher.batches[1]] == expected


async def test_a_consumer_that_stays_silent_is_sent_the_batch_at_doubling_intervals(
    engine: AsyncEngine,
) -> None:
    await record_products(engine, 1)
    publisher, clock = InMemoryEventPublisher(("products",)), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await relay.relay_once()
    sends_at = []
    for second in range(1, 8 * 30 + 1):
        clock.advance(timedelta(seconds=1))
        before = len(publisher.sent)
        publisher.lose_messages()  # whatever it is sent never arrives
        await relay.redrive_once()
        if len(publisher.sent) > before:
            sends_at.append(second)

    assert sends_at == [30, 90, 210]  # 30 s, then 60 s and 120 s later


async def test_who_applied_a_batch_is_remembered_in_postgres_when_receipts_are_lost(
    engine: AsyncEngine,
) -> None:
    publisher, clock, relay, batch_id = await one_published_batch(engine, ("products", "orders"))
    publisher.apply(batch_id, "products")
    publisher.lose_messages()
    clock.advance(CHECK_AFTER)
    await relay.redrive_once()  # products settled, orders sent again

    publisher.receipts.clear()  # Redis restarted without its data
    publisher.lose_messages()
    clock.advance(2 * CHECK_AFTER)
    await relay.redrive_once()

    assert [consumers for _, consumers in publisher.sent] == [
        ("products", "orders"),
        ("orders",),
        ("orders",),
    ]


async def test_receipts_unreadable_leave_the_batch_due_for_the_next_pass(
    engine: AsyncEngine,
) -> None:
    await record_products(engine, 1)
    publisher, clock = InMemoryEventPublisher(("products",)), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await relay.relay_once()
    publisher.lose_messages()
    clock.advance(CHECK_AFTER)
    publisher.available = False

    with pytest.raises(ConnectionError):
        await relay.redrive_once()
    publisher.available = True
    await relay.redrive_once()

    assert len(publisher.sent) == 2


async def test_applied_events_leave_the_outbox_after_the_retention_and_unapplied_ones_stay(
    engine: AsyncEngine,
) -> None:
    publisher, clock = InMemoryEventPublisher(("products",)), FixedClock()
    relay = delivering_relay(engine, publisher, clock)
    await record_products(engine, 2)
    await relay.relay_once()
    await record_products(engine, 3)
    await relay.relay_once()
    (applied_batch, _), _unapplied = publisher.sent
    publisher.apply(applied_batch)
    clock.advance(CHECK_AFTER)
    await relay.redrive_once()

    clock.advance(timedelta(hours=23))
    assert await relay.purge_once() == 0
    clock.advance(timedelta(hours=1))
    assert await relay.purge_once() == 2
    assert await relay.purge_once() == 0
    assert await outbox_size(engine) == 3


async def test_a_consumer_that_is_only_behind_gets_no_duplicate_until_patience_runs_out(
    engine: AsyncEngine,
) -> None:
    publisher, clock, relay, batch_id = await one_published_batch(engine, ("products", "orders"))
    publisher.apply(batch_id, "products")  # orders still has it queued: only behind

    for _ in range(9):
        clock.advance(CHECK_AFTER)
        await relay.redrive_once()
    assert len(publisher.sent) == 1
    clock.advance(CHECK_AFTER)  # ten checks: the batch may have been lost meanwhile
    await relay.redrive_once()

    assert publisher.sent[1:] == [(batch_id, ("orders",))]
