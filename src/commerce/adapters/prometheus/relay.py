"""The relay's metrics: what waits in the outbox, what the relay hands to the broker, and
what the consumers parked in their dead-letter queues (the relay holds the broker).

Every relay reports the backlog it sees, the same for all of them: aggregate it with `max`,
not `sum`. The published counter and batch sizes are per relay: `sum` them.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

from commerce.adapters.postgres.outbox import Backlog

OUTBOX_BACKLOG = Gauge(
    "commerce_outbox_backlog_events", "Committed events not yet handed to the broker."
)
OUTBOX_OLDEST_AGE = Gauge(
    "commerce_outbox_oldest_age_seconds",
    "Seconds since the oldest event not yet handed to the broker occurred (0: none waits).",
)
DEAD_LETTERS = Gauge(
    "commerce_dead_letters",
    "Batches parked in a consumer's dead-letter queue (commerce events dead-letters).",
    ["consumer"],
)
PUBLISHED = Counter("commerce_relay_events_published", "Events handed to the broker.")
BATCH_SIZE = Histogram(
    "commerce_relay_batch_size_events",
    "Events per batch handed to the broker.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)


def observe_backlog(backlog: Backlog) -> None:
    OUTBOX_BACKLOG.set(backlog.events)
    OUTBOX_OLDEST_AGE.set(backlog.oldest_age)


def observe_dead_letters(counts: Mapping[str, int]) -> None:
    for consumer, count in counts.items():
        DEAD_LETTERS.labels(consumer).set(count)


def observe_published(events: int) -> None:
    PUBLISHED.inc(events)
    BATCH_SIZE.observe(events)
