"""Wrapping an aggregate's pending events for the outbox (shared by every unit of work)."""

import uuid
from datetime import datetime

from commerce.domain.aggregate import Aggregate
from commerce.domain.events import EventEnvelope, encode_payload


def envelopes_for(aggregate: Aggregate, now: datetime) -> list[EventEnvelope]:
    """Pull the aggregate's pending events, each with the version it produced."""
    return [
        EventEnvelope(
            event_id=uuid.uuid4(),
            type=event.type_name(),
            schema_version=event.schema_version,
            aggregate_type=aggregate.aggregate_type,
            aggregate_id=aggregate.aggregate_id,
            aggregate_version=version,
            occurred_at=now,
            payload=encode_payload(event),
        )
        for version, event in aggregate.pull_events()
    ]
