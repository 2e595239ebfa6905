"""The envelope every domain event travels in, from the outbox to the projections."""

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class EventEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    """One outbox row. `payload` is the event's own fields; `type` and `schema_version` say how
    to decode it. `aggregate_version` lets consumers drop a late, older event."""

    event_id: UUID
    type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    payload: dict[str, Any]
    trace_context: dict[str, str] = msgspec.field(default_factory=dict)
