"""The outbox table in the real PostgreSQL: what commits is claimable, once, by one relay."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.outbox import append_events, claim_unpublished, mark_published
from commerce.adapters.postgres.tables import outbox
from commerce.domain.events import EventEnvelope

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def envelope(aggregate_id: str = "p-1", version: int = 1) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        type="ProductCreated",
        schema_version=1,
        aggregate_type="product",
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=NOW,
        payload={"name": "Kettle", "price": {"amount": 1999, "currency": "EUR"}},
        trace_context={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )


@pytest.fixture(autouse=True)
async def empty_outbox(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(delete(outbox))


async def claim_all(engine: AsyncEngine) -> list[EventEnvelope]:
    async with engine.begin() as connection:
        return [claimed.envelope for claimed in await claim_unpublished(connection, 100)]


async def test_a_committed_event_reads_back_exactly_as_written(engine: AsyncEngine) -> None:
    written = envelope()
    async with engine.begin() as connection:
        await append_events(connection, [written])

    assert await claim_all(engine) == [written]


async def test_events_of_a_rolled_back_transaction_never_reach_the_outbox(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await append_events(connection, [envelope()])
        await transaction.rollback()

    assert await claim_all(engine) == []


async def test_published_events_are_not_claimed_again(engine: AsyncEngine) -> None:
    first, second = envelope(version=1), envelope(version=2)
    async with engine.begin() as connection:
        await append_events(connection, [first, second])
    async with engine.begin() as connection:
        claimed = await claim_unpublished(connection, 1)
        await mark_published(connection, claimed, ["products"], NOW, NOW)

    assert [c.envelope for c in claimed] == [first]
    assert await claim_all(engine) == [second]


async def test_two_relays_claiming_at_once_get_disjoint_events(engine: AsyncEngine) -> None:
    events = [envelope(version=v) for v in range(1, 7)]
    async with engine.begin() as connection:
        await append_events(connection, events)

    async with engine.connect() as relay_a, engine.connect() as relay_b:
        await relay_a.begin()
        await relay_b.begin()
        claimed_a = await claim_unpublished(relay_a, 4)
        claimed_b = await claim_unpublished(relay_b, 4)  # skips the rows relay A has locked
        await relay_a.rollback()
        await relay_b.rollback()

    ids_a = {c.envelope.event_id for c in claimed_a}
    ids_b = {c.envelope.event_id for c in claimed_b}
    assert len(ids_a) == 4
    assert len(ids_b) == 2
    assert ids_a.isdisjoint(ids_b)
    assert ids_a | ids_b == {e.event_id for e in events}


async def test_an_event_committed_after_a_newer_one_was_published_is_still_claimed(
    engine: AsyncEngine,
) -> None:
    """Ids become visible in commit order: a relay tracking "the last id seen" would skip
    the slow transaction's event forever."""
    slow, fast = envelope("slow"), envelope("fast")
    async with engine.connect() as slow_writer:
        await slow_writer.begin()
        await append_events(slow_writer, [slow])  # takes the lower id, commits last
        async with engine.begin() as fast_writer:
            await append_events(fast_writer, [fast])
        async with engine.begin() as relay:
            claimed = await claim_unpublished(relay, 100)
            await mark_published(relay, claimed, ["products"], NOW, NOW)
        assert [c.envelope for c in claimed] == [fast]
        await slow_writer.commit()

    assert await claim_all(engine) == [slow]


async def test_every_claim_is_a_new_batch_even_of_the_same_events(engine: AsyncEngine) -> None:
    """A relay that dies after handing a batch to the broker but before committing leaves
    receipts under that batch's id: the next claim of the same events must not share it."""
    async with engine.begin() as connection:
        await append_events(connection, [envelope()])
    async with engine.connect() as relay:
        await relay.begin()
        first = await claim_unpublished(relay, 10)
        await relay.rollback()
    async with engine.begin() as relay:
        second = await claim_unpublished(relay, 10)

    assert [c.envelope for c in first] == [c.envelope for c in second]
    assert first[0].batch_id != second[0].batch_id
