"""Runs batches of events through a read model, as a Dramatiq actor per read model.

A batch is applied idempotently, made searchable (a refresh, when it wrote anything), and then
recorded as projected for read-your-writes. A failing batch is retried with exponential backoff
for several minutes (Elasticsearch down for a minute is survived); after that it is parked in
the dead-letter queue with its traceback, and `commerce events replay` sends it again.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import dramatiq
import msgspec
from dramatiq.brokers.redis import RedisBroker
from elasticsearch import Elasticsearch
from redis import Redis

from commerce.adapters.dramatiq.receipts import record_receipt
from commerce.adapters.dramatiq.routing import actor_name, queue_name
from commerce.adapters.redis.client import create_sync_redis
from commerce.adapters.redis.projection_progress import mark_projected_sync
from commerce.domain.events import EventEnvelope
from commerce.settings import Settings
from projections.base import Projection

MAX_RETRIES = 25
MIN_BACKOFF_MS = 200
MAX_BACKOFF_MS = 30_000
TIME_LIMIT_MS = 120_000


class ProjectionRunner:
    """Applies batches to one read model; the index is checked once per process."""

    def __init__(self, projection: Projection, settings: Settings) -> None:
        self.projection = projection
        self._settings = settings
        self._lock = threading.Lock()
        self._client: Elasticsearch | None = None
        self._redis: Redis | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    @property
    def alias(self) -> str:
        return f"{self._settings.index_prefix}-{self.projection.name}"

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        events = msgspec.convert(batch, list[EventEnvelope])
        client, redis = self._connect()
        if self.projection.project(client, events):
            client.indices.refresh(index=self.alias)
        mark_projected_sync(redis, self.projection.name, [event.event_id for event in events])

    def _connect(self) -> tuple[Elasticsearch, Redis]:
        with self._lock:
            if self._client is None or self._redis is None:
                client = Elasticsearch(self._settings.elasticsearch_url, request_timeout=30)
                self.projection.ensure_index(client)
                self._client = client
                self._redis = create_sync_redis(self._settings.redis_url)
            return self._client, self._redis


class BatchConsumer(Protocol):
    """Anything the worker hands event batches to: a read model's runner, the order saga."""

    @property
    def name(self) -> str: ...

    def __call__(self, batch: list[dict[str, Any]]) -> None: ...


def declare_actor(
    broker: RedisBroker,
    consumer: BatchConsumer,
    *,
    max_retries: int = MAX_RETRIES,
    min_backoff: int = MIN_BACKOFF_MS,
    max_backoff: int = MAX_BACKOFF_MS,
) -> dramatiq.Actor[Any, None]:
    """The Dramatiq actor that hands each batch of the consumer's queue to `consumer`, then
    leaves the receipt by which the relay knows the batch arrived (docs/adr/0007)."""

    def consume(batch: list[dict[str, Any]], batch_id: int | None = None) -> None:
        consumer(batch)
        if batch_id is not None:
            record_receipt(broker, batch_id, consumer.name)

    decorate = dramatiq.actor(
        actor_name=actor_name(consumer.name),
        queue_name=queue_name(consumer.name),
        broker=broker,
        max_retries=max_retries,
        min_backoff=min_backoff,
        max_backoff=max_backoff,
        time_limit=TIME_LIMIT_MS,
    )
    return decorate(consume)
