"""Read-your-writes under a stream of batches, on the real Elasticsearch and Redis: the worker
records a batch's events as projected (what a `Consistency-Token` waits for) only once a search
finds them, and the batches written meanwhile share one refresh instead of one each."""

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
import pytest
from elasticsearch import Elasticsearch
from redis import Redis

from commerce.adapters.redis.client import create_sync_redis
from commerce.adapters.redis.projection_progress import mark_projected_sync, progress_key
from commerce.settings import Settings
from projections.runner import Connections, ProjectionRunner
from tests.event_log import EventLog
from tests.support import NOW

BATCHES = 60


@pytest.fixture
def settings(stack_settings: Settings) -> Settings:
    return msgspec.structs.replace(stack_settings, index_prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def client(settings: Settings, event_log: EventLog) -> Iterator[Elasticsearch]:
    client = Elasticsearch(settings.elasticsearch_url)
    # No scheduled refresh: only the worker's own refreshes make a write searchable here.
    client.indices.create(
        index=event_log.alias, settings={"number_of_replicas": 0, "refresh_interval": "-1"}
    )
    yield client
    client.close()


@pytest.fixture
def redis(settings: Settings) -> Iterator[Redis]:
    client = create_sync_redis(settings.redis_url)
    yield client
    client.close()


def a_batch() -> list[dict[str, Any]]:
    return [
        {
            "event_id": str(uuid.uuid4()),
            "type": "ProductCreated",
            "schema_version": 1,
            "aggregate_type": "product",
            "aggregate_id": str(uuid.uuid4()),
            "aggregate_version": 1,
            "occurred_at": NOW.isoformat(),
            "payload": {},
        }
        for _ in range(3)
    ]


def refreshes(client: Elasticsearch, index: str) -> int:
    stats = client.indices.stats(index=index, metric="refresh")
    return int(stats["_all"]["primaries"]["refresh"]["external_total"])


def test_under_a_stream_of_batches_events_are_recorded_once_searchable_with_few_refreshes(
    client: Elasticsearch, redis: Redis, event_log: EventLog
) -> None:
    recorded: set[str] = set()
    not_yet_searchable: set[str] = set()
    lock = threading.Lock()

    def mark_projected(name: str, event_ids: Sequence[uuid.UUID]) -> None:
        ids = [str(event_id) for event_id in event_ids]
        found = client.search(index=event_log.alias, query={"ids": {"values": ids}}, size=len(ids))
        with lock:
            not_yet_searchable.update(set(ids) - {hit["_id"] for hit in found["hits"]["hits"]})
            recorded.update(ids)
        mark_projected_sync(redis, name, event_ids)

    runner = ProjectionRunner(event_log, lambda: Connections(client, mark_projected), 0.2)
    batches = [a_batch() for _ in range(BATCHES)]
    event_ids = {event["event_id"] for batch in batches for event in batch}
    before = refreshes(client, event_log.alias)

    with ThreadPoolExecutor(max_workers=4) as threads:
        for batch in batches:
            threads.submit(runner, batch)
            time.sleep(0.01)
        deadline = time.monotonic() + 10
        while recorded != event_ids and time.monotonic() < deadline:
            time.sleep(0.05)

    assert recorded == event_ids
    assert not not_yet_searchable
    keys = [progress_key(event_log.name, uuid.UUID(event_id)) for event_id in event_ids]
    assert redis.exists(*keys) == len(keys)
    assert refreshes(client, event_log.alias) - before <= BATCHES // 4
