"""Wrapping an aggregate's pending events for the outbox (shared by every unit of work)."""

import itertools
import uuid
from datetime import datetime
from operator import itemgetter

from commerce.adapters.telemetry.context import current_trace_context
from commerce.domain.aggregate import Aggregate
from commerce.domain.events import EventEnvelope, encode_payload


def envelopes_for(aggregate: Aggregate, now: datetime) -> list[EventEnvelope]:
    """Pull the aggregate's pending events, each with the version it produced and the trace
    of the command that recorded it."""
    trace_context = current_trace_context()
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
            trace_context=trace_context,
        )
        for version, event in aggregate.pull_events()
    ]


_sightings = itertools.count()


class Sightings:
    """When a unit of work first handed out, or was given, each aggregate: one order across
    all repositories, in which a commit's events leave. So a new product's stock events follow
    the product itself, one relay batch carries both, and the read model writes it once."""

    def __init__(self) -> None:
        self._at: dict[int, int] = {}

    def note(self, aggregate: Aggregate) -> None:
        self._at.setdefault(id(aggregate), next(_sightings))

    def of(self, aggregate: Aggregate) -> int:
        return self._at[id(aggregate)]


def in_sighting_order(pulled: list[tuple[int, list[EventEnvelope]]]) -> list[EventEnvelope]:
    """The envelopes pulled from each aggregate, given with its sighting, in that order."""
    in_order = sorted(pulled, key=itemgetter(0))
    return [envelope for _, envelopes in in_order for envelope in envelopes]
