"""Redis is a transport, never the record: events handed to it and then lost with it still
reach the read model, re-sent from the outbox. The Redis here is a real server of the test's
own, killed with SIGKILL and started again."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import dramatiq
import msgspec
import pytest
from dramatiq.brokers.redis import RedisBroker
from elasticsearch import ApiError, Elasticsearch
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.postgres.relay import Delivery, OutboxRelay
from commerce.adapters.system_clock import SystemClock
from commerce.entrypoints.actors import declare_actor
from commerce.settings import Settings
from tests.event_log import EventLog, EventLogRunner
from tests.integration.test_projection_worker import commit_product
from tests.private_redis import PrivateRedis, private_redis

PRODUCTS = 20


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    with private_redis() as server:
        yield server


@pytest.fixture
def settings(stack_settings: Settings, redis_server: PrivateRedis) -> Settings:
    return msgspec.structs.replace(
        stack_settings,
        index_prefix=f"test-{uuid.uuid4().hex[:8]}",
        redis_url=redis_server.url,
    )


@pytest.fixture
def broker(
    settings: Settings, event_log: EventLog, event_log_runner: EventLogRunner
) -> Iterator[RedisBroker]:
    broker = redis_broker(settings.redis_url, namespace=settings.index_prefix)
    declare_actor(broker, event_log_runner(settings))
    yield broker
    broker.close()


@pytest.fixture
async def running_relay(engine: AsyncEngine, broker: RedisBroker) -> AsyncIterator[None]:
    """The relay as `commerce relay` runs it, looking for lost batches after one second."""
    publisher = DramatiqEventPublisher(broker, consumers=["eventlog"])
    delivery = Delivery(check_after=timedelta(seconds=1), interval=0.2)
    relay = OutboxRelay(engine, publisher, publisher, SystemClock(), delivery=delivery)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    yield
    stop.set()
    await task


async def created_while_the_worker_is_paused(engine: AsyncEngine) -> list[uuid.UUID]:
    event_ids = [event for _ in range(PRODUCTS) for event in await commit_product(engine)]
    await asyncio.sleep(0.5)  # the relay hands them to Redis meanwhile
    return event_ids


async def wait_searchable(
    settings: Settings, event_log: EventLog, event_ids: list[uuid.UUID], seconds: float
) -> set[str]:
    found: set[str] = set()
    for _ in range(int(seconds * 4)):
        found = await asyncio.to_thread(searchable, settings, event_log.alias, event_ids)
        if len(found) == len(event_ids):
            break
        await asyncio.sleep(0.25)
    return found


def searchable(settings: Settings, alias: str, event_ids: list[uuid.UUID]) -> set[str]:
    client = Elasticsearch(settings.elasticsearch_url)
    ids = [str(event_id) for event_id in event_ids]
    try:
        found = client.search(index=alias, query={"ids": {"values": ids}}, size=len(ids))
    except ApiError as error:  # the worker has not created the index, or it is not ready yet
        if error.meta.status in (404, 503):
            return set()
        raise
    finally:
        client.close()
    return {hit["_id"] for hit in found["hits"]["hits"]}


@pytest.mark.parametrize("lose_data", [False, True], ids=["restarted", "restarted-empty"])
async def test_events_waiting_in_redis_when_it_is_killed_all_reach_the_read_model(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    redis_server: PrivateRedis,
    running_relay: None,
    lose_data: bool,
) -> None:
    event_ids = await created_while_the_worker_is_paused(engine)

    redis_server.kill(lose_data=lose_data)
    redis_server.start()
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        found = await wait_searchable(settings, event_log, event_ids, seconds=30)
    finally:
        worker.stop()

    assert found == {str(event_id) for event_id in event_ids}
