"""The read models' metrics, recorded by the worker's processes (multiprocess mode: the
worker's `/metrics` sums them).

The lag is observed when a batch is written, from each event's `occurred_at`: the document is
visible to searches at the next refresh, at most `projection_refresh_interval` later.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from commerce.domain.events import EventEnvelope

APPLIED = Counter(
    "commerce_projection_events_applied", "Events applied to a read model.", ["read_model"]
)
LAG = Histogram(
    "commerce_projection_lag_seconds",
    "Seconds from an event's occurred_at to its read model writing it.",
    ["read_model"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600),
)


def observe_applied(read_model: str, events: Sequence[EventEnvelope]) -> None:
    now = datetime.now(UTC)
    APPLIED.labels(read_model).inc(len(events))
    lag = LAG.labels(read_model)
    for event in events:
        lag.observe(max((now - event.occurred_at).total_seconds(), 0.0))
