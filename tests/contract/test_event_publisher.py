"""The event publisher's and its receipts' contract, held by the in-memory twin and by Dramatiq
on the real Redis alike: what the relay's redrive relies on (ADR 0007)."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.dramatiq.routing import queue_name
from commerce.adapters.memory.publisher import InMemoryEventPublisher
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.actors import declare_actor
from commerce.settings import Settings
from tests.support import NOW

CONSUMERS = ("products", "orders")
Publisher = DramatiqEventPublisher | InMemoryEventPublisher


@dataclass
class Broker:
    publisher: Publisher
    consume: Callable[[str], Awaitable[None]]  # the consumer applies what its queue holds
    lose_messages: Callable[[], None]  # the broker loses what it held, receipts included


class Applying:
    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        pass


@pytest.fixture(params=["memory", "dramatiq"])
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    if request.param == "memory":
        twin = InMemoryEventPublisher(CONSUMERS)

        async def consume_twin(consumer: str) -> None:
            for batch_id in sorted(twin.queued.get(consumer, set())):
                twin.apply(batch_id, consumer)

        def lose_all() -> None:
            twin.lose_messages()
            twin.receipts.clear()

        yield Broker(twin, consume_twin, lose_all)
        return
    settings: Settings = request.getfixturevalue("stack_settings")
    real = redis_broker(settings.redis_url, namespace=f"contract-{uuid.uuid4().hex[:8]}")
    for name in CONSUMERS:
        declare_actor(real, Applying(name))
    yield Broker(DramatiqEventPublisher(real, CONSUMERS), _worker_of(real), _forget(real))
    _forget(real)()
    real.close()


def _forget(real: RedisBroker) -> Callable[[], None]:
    """Everything of the broker's namespace gone, as from a Redis restarted without its data."""

    def forget() -> None:
        for key in real.client.scan_iter(f"{real.namespace}:*"):
            real.client.delete(key)

    return forget


def _worker_of(real: RedisBroker) -> Callable[[str], Awaitable[None]]:
    async def consume(consumer: str) -> None:
        worker = dramatiq.Worker(real, queues={queue_name(consumer)}, worker_timeout=50)
        worker.start()
        try:
            publisher = DramatiqEventPublisher(real, CONSUMERS)
            for _ in range(200):
                if consumer not in await publisher.busy([consumer]):
                    return
                await asyncio.sleep(0.05)
        finally:
            worker.stop()

    return consume


def events() -> list[EventEnvelope]:
    return [
        EventEnvelope(
            event_id=uuid.uuid4(),
            type="ProductCreated",
            schema_version=1,
            aggregate_type="product",
            aggregate_id="p-1",
            aggregate_version=1,
            occurred_at=NOW,
            payload={},
            trace_context={},
        )
    ]


async def test_a_published_batch_keeps_its_consumers_busy_until_each_applies_it(
    broker: Broker,
) -> None:
    publisher = broker.publisher
    await publisher.publish(events(), batch_id=7)

    assert await publisher.busy(CONSUMERS) == set(CONSUMERS)
    assert await publisher.applied([7]) == {7: set()}

    await broker.consume("products")

    assert await publisher.busy(CONSUMERS) == {"orders"}
    assert await publisher.applied([7]) == {7: {"products"}}


async def test_the_backlog_is_the_most_batches_any_consumer_still_holds(broker: Broker) -> None:
    publisher = broker.publisher
    assert await publisher.backlog() == 0

    await publisher.publish(events(), batch_id=11)
    await publisher.publish(events(), batch_id=12)
    await broker.consume("products")

    assert await publisher.backlog() == 2  # orders holds both; products applied them
    assert await publisher.backlog(["products"]) == 0


async def test_a_batch_sent_again_goes_to_the_named_consumers_only(broker: Broker) -> None:
    publisher = broker.publisher
    await publisher.publish(events(), batch_id=8, consumers=["orders"])

    assert await publisher.busy(CONSUMERS) == {"orders"}
    await broker.consume("orders")
    assert await publisher.applied([8, 9]) == {8: {"orders"}, 9: set()}


async def test_what_the_broker_lost_leaves_no_consumer_busy_and_no_receipt(
    broker: Broker,
) -> None:
    publisher = broker.publisher
    await publisher.publish(events(), batch_id=10)
    await broker.consume("products")

    broker.lose_messages()

    assert await publisher.busy(CONSUMERS) == set()
    assert await publisher.applied([10]) == {10: set()}
