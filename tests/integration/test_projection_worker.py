"""From the outbox through the relay, Redis and a Dramatiq worker into Elasticsearch, with
retries, the dead-letter queue and replay. The servers are real; the read model here is a
minimal one of the test's own, so these tests pin the pipeline, not a particular projection."""

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import dramatiq
import msgspec
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from elasticsearch import Elasticsearch
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.dramatiq.broker import HEARTBEAT_TIMEOUT_MS, redis_broker
from commerce.adapters.dramatiq.dead_letters import dead_letters, replay
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.dramatiq.routing import queue_name
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.relay import OutboxRelay
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.redis.projection_progress import RedisProjectionProgress
from commerce.entrypoints.actors import declare_actor
from commerce.settings import Settings
from tests.event_log import EventLog, EventLogRunner
from tests.proxy import CuttableProxy
from tests.support import new_product


@pytest.fixture
def settings(stack_settings: Settings) -> Settings:
    return msgspec.structs.replace(stack_settings, index_prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def broker(settings: Settings) -> Iterator[RedisBroker]:
    broker = redis_broker(settings.redis_url, namespace=settings.index_prefix)
    yield broker
    broker.flush_all()
    broker.close()


@pytest.fixture
def worker(broker: RedisBroker) -> Iterator[None]:
    running = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    running.start()
    yield
    running.stop()


async def commit_product(engine: AsyncEngine) -> list[uuid.UUID]:
    async with PostgresUnitOfWork(engine, FixedClock()) as uow:
        uow.products.add(new_product(f"SKU-{uuid.uuid4().hex[:10]}"))
        return await uow.commit()


async def relay_all(engine: AsyncEngine, broker: RedisBroker) -> None:
    publisher = DramatiqEventPublisher(broker, consumers=["eventlog"])
    while await OutboxRelay(engine, publisher, publisher, FixedClock()).relay_once():
        pass


async def wait_projected(settings: Settings, event_ids: list[uuid.UUID], seconds: float) -> bool:
    client = Redis.from_url(settings.redis_url)
    progress = RedisProjectionProgress(client)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if await progress.all_projected("eventlog", event_ids):
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        await client.aclose()


def searchable(settings: Settings, alias: str, event_ids: list[uuid.UUID]) -> set[str]:
    client = Elasticsearch(settings.elasticsearch_url)
    try:
        found = client.search(index=alias, query={"ids": {"values": [str(e) for e in event_ids]}})
        return {hit["_id"] for hit in found["hits"]["hits"]}
    finally:
        client.close()


async def test_a_committed_event_becomes_searchable_and_is_recorded_as_projected(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
    worker: None,
) -> None:
    declare_actor(broker, event_log_runner(settings))
    event_ids = await commit_product(engine)

    await relay_all(engine, broker)

    assert await wait_projected(settings, event_ids, seconds=10)
    assert searchable(settings, event_log.alias, event_ids) == {str(e) for e in event_ids}


async def test_a_read_model_that_fails_for_a_while_catches_up_through_retries(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
    worker: None,
) -> None:
    event_log.failures_left = 3
    declare_actor(broker, event_log_runner(settings), min_backoff=10, max_backoff=50)
    event_ids = await commit_product(engine)

    await relay_all(engine, broker)

    assert await wait_projected(settings, event_ids, seconds=15)
    assert event_log.failures_left == 0


async def test_a_batch_that_keeps_failing_is_parked_with_its_error_and_replay_sends_it_again(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
    worker: None,
) -> None:
    event_log.failures_left = 1_000
    declare_actor(
        broker,
        event_log_runner(settings),
        max_retries=2,
        min_backoff=10,
        max_backoff=20,
    )
    event_ids = await commit_product(engine)
    await relay_all(engine, broker)

    queue = queue_name("eventlog")
    for _ in range(200):
        if dead_letters(broker, queue):
            break
        await asyncio.sleep(0.05)
    (parked,) = dead_letters(broker, queue)
    assert parked.events == len(event_ids)
    assert "elasticsearch is down" in parked.error
    assert not await wait_projected(settings, event_ids, seconds=0.2)

    event_log.failures_left = 0
    assert replay(broker, queue) == 1

    assert await wait_projected(settings, event_ids, seconds=10)
    assert dead_letters(broker, queue) == []


@pytest.fixture
def elasticsearch_proxy(settings: Settings) -> Iterator[CuttableProxy]:
    target = urlsplit(settings.elasticsearch_url)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 9200)
    yield proxy
    proxy.cut()


async def test_while_elasticsearch_is_down_batches_wait_and_are_projected_once_it_returns(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
    worker: None,
    elasticsearch_proxy: CuttableProxy,
) -> None:
    behind_proxy = msgspec.structs.replace(
        settings, elasticsearch_url=elasticsearch_proxy.url("http")
    )
    declare_actor(broker, event_log_runner(behind_proxy), min_backoff=50, max_backoff=500)
    event_ids = await commit_product(engine)  # commands do not need Elasticsearch

    await relay_all(engine, broker)
    assert not await wait_projected(settings, event_ids, seconds=2)

    elasticsearch_proxy.start()
    assert await wait_projected(settings, event_ids, seconds=15)
    assert searchable(settings, event_log.alias, event_ids) == {str(e) for e in event_ids}


async def test_while_redis_is_down_commands_succeed_and_the_relay_catches_up_later(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
    worker: None,
) -> None:
    target = urlsplit(settings.redis_url)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 6379)
    relay_broker = redis_broker(proxy.url("redis", "/0"), namespace=broker.namespace)
    declare_actor(broker, event_log_runner(settings))
    publisher = DramatiqEventPublisher(relay_broker, consumers=["eventlog"])
    relay = OutboxRelay(engine, publisher, publisher, FixedClock())
    try:
        event_ids = await commit_product(engine)
        with pytest.raises(redis.exceptions.ConnectionError):
            await relay.relay_once()

        proxy.start()
        assert await relay.relay_once() == len(event_ids)
        assert await wait_projected(settings, event_ids, seconds=10)
    finally:
        relay_broker.close()
        proxy.cut()


async def test_a_batch_held_by_a_worker_killed_mid_batch_is_delivered_again(
    engine: AsyncEngine,
    settings: Settings,
    broker: RedisBroker,
    event_log: EventLog,
    event_log_runner: EventLogRunner,
) -> None:
    env = os.environ | {
        "COMMERCE_REDIS_URL": settings.redis_url,
        "TEST_NAMESPACE": broker.namespace,
        "dramatiq_worker_timeout": "50",
    }
    dramatiq_cli = Path(sys.executable).with_name("dramatiq")
    doomed = await asyncio.create_subprocess_exec(
        str(dramatiq_cli),
        "tests.workers.stalling",
        "--processes",
        "1",
        "--threads",
        "1",
        env=env,
        start_new_session=True,
    )
    try:
        event_ids = await commit_product(engine)
        await relay_all(engine, broker)
        for _ in range(300):
            if broker.client.get(f"{broker.namespace}:taken"):
                break
            await asyncio.sleep(0.05)
        assert broker.client.get(f"{broker.namespace}:taken") == str(len(event_ids)).encode()
    finally:
        os.killpg(doomed.pid, signal.SIGKILL)
        await doomed.wait()

    declare_actor(broker, event_log_runner(settings))
    survivor = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    survivor.start()
    try:
        # Redelivered once the dead worker's heartbeat is HEARTBEAT_TIMEOUT_MS stale.
        assert await wait_projected(settings, event_ids, seconds=HEARTBEAT_TIMEOUT_MS / 1000 + 20)
    finally:
        survivor.stop()
