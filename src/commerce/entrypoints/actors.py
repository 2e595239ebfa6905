"""The worker's Dramatiq actors: one per consumer of event batches (a read model's runner, the
order saga), each leaving the receipt by which the relay knows a batch arrived (docs/adr/0007).

A failing batch is retried with exponential backoff for several minutes (Elasticsearch down for
a minute is survived); after that it is parked in the dead-letter queue with its traceback, and
`commerce events replay` sends it again.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any, Protocol

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from opentelemetry.trace import SpanKind

from commerce.adapters.dramatiq.receipts import record_receipt
from commerce.adapters.dramatiq.routing import actor_name, queue_name
from commerce.adapters.elasticsearch.client import create_sync_client
from commerce.adapters.prometheus.projections import observe_applied
from commerce.adapters.redis.client import create_sync_redis
from commerce.adapters.redis.projection_progress import mark_projected_sync
from commerce.adapters.telemetry.context import batch_span
from commerce.settings import Settings
from projections.base import Projection
from projections.runner import Connections, ProjectionRunner

MAX_RETRIES = 25
MIN_BACKOFF_MS = 200
MAX_BACKOFF_MS = 30_000
TIME_LIMIT_MS = 120_000

logger = logging.getLogger(__name__)


class BatchConsumer(Protocol):
    """Anything the worker hands event batches to: a read model's runner, the order saga."""

    @property
    def name(self) -> str: ...

    def __call__(self, batch: list[dict[str, Any]]) -> None: ...


def projection_runner(projection: Projection, settings: Settings) -> ProjectionRunner:
    """A read model's runner on the service's Elasticsearch, marking progress in its Redis."""

    def connect() -> Connections:
        client = create_sync_client(settings.elasticsearch_url, 30)
        redis = create_sync_redis(settings.redis_url)
        return Connections(client, partial(mark_projected_sync, redis))

    return ProjectionRunner(
        projection, connect, settings.projection_refresh_interval, on_applied=observe_applied
    )


def declare_actor(
    broker: RedisBroker,
    consumer: BatchConsumer,
    *,
    max_retries: int = MAX_RETRIES,
    min_backoff: int = MIN_BACKOFF_MS,
    max_backoff: int = MAX_BACKOFF_MS,
) -> dramatiq.Actor[Any, None]:
    """The Dramatiq actor that hands each batch of the consumer's queue to `consumer`, then
    leaves the receipt by which the relay knows the batch arrived."""

    def consume(
        batch: list[dict[str, Any]],
        batch_id: int | None = None,
        trace_context: dict[str, str] | None = None,
    ) -> None:
        # In the relay's trace (the message's sender), linked to the commands' if others.
        with batch_span(
            f"{consumer.name} apply",
            SpanKind.CONSUMER,
            [event.get("trace_context") or {} for event in batch],
            parent=trace_context or {},
            attributes={"messaging.batch.message_count": len(batch)},
        ):
            consumer(batch)
            if batch_id is not None:
                record_receipt(broker, batch_id, consumer.name)
            logger.info("%s applied batch %s (%d events)", consumer.name, batch_id, len(batch))

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
