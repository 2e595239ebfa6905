"""The scheduler starts and ends sales on time, each once, however often it runs or restarts
(two at once against PostgreSQL: tests/integration/test_sales_in_search.py)."""

from datetime import timedelta

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.sales import start_and_end_due_sales
from tests.pricing import a_sale, percent
from tests.support import NOW

HOUR = timedelta(hours=1)


async def a_store_with_a_sale_from(starts: timedelta, ends: timedelta) -> InMemoryStore:
    store = InMemoryStore()
    async with InMemoryUnitOfWork(store, FixedClock(NOW)) as uow:
        uow.sales.add(a_sale(percent(10), starts_at=NOW + starts, ends_at=NOW + ends))
        await uow.commit()
    return store


def recorded(store: InMemoryStore) -> list[str]:
    return [envelope.type for envelope in store.outbox]


async def test_a_sale_starts_at_the_first_pass_after_its_start_and_ends_after_its_end() -> None:
    store = await a_store_with_a_sale_from(HOUR, 3 * HOUR)
    clock = FixedClock(NOW)

    changed = []
    for offset in (0 * HOUR, HOUR - timedelta(seconds=1), HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR):
        clock.current = NOW + offset
        changed.append(await start_and_end_due_sales(InMemoryUnitOfWork(store, clock), clock))

    assert changed == [0, 0, 1, 0, 1, 0]
    assert recorded(store) == ["SaleCreated", "SaleStarted", "SaleEnded"]
    assert [e.occurred_at - NOW for e in store.outbox[1:]] == [HOUR, 3 * HOUR]


async def test_a_scheduler_restarted_mid_way_records_nothing_twice() -> None:
    store = await a_store_with_a_sale_from(0 * HOUR, 2 * HOUR)
    clock = FixedClock(NOW + HOUR)
    await start_and_end_due_sales(InMemoryUnitOfWork(store, clock), clock)

    restarted = FixedClock(NOW + HOUR + timedelta(seconds=5))
    assert await start_and_end_due_sales(InMemoryUnitOfWork(store, restarted), restarted) == 0

    assert recorded(store) == ["SaleCreated", "SaleStarted"]


async def test_more_sales_due_at_once_than_a_batch_all_start_in_one_pass() -> None:
    store = InMemoryStore()
    async with InMemoryUnitOfWork(store, FixedClock(NOW)) as uow:
        for _ in range(25):
            uow.sales.add(a_sale(percent(10), starts_at=NOW + HOUR, ends_at=NOW + 2 * HOUR))
        await uow.commit()
    clock = FixedClock(NOW + HOUR)

    changed = await start_and_end_due_sales(InMemoryUnitOfWork(store, clock), clock, limit=10)

    assert changed == 25
    assert recorded(store).count("SaleStarted") == 25
