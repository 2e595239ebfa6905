"""Domain events, the envelope they travel in, and their registry with upcasting.

An event is a frozen, keyword-only msgspec Struct named in the past tense. Its class name is its
`type`; `schema_version` says which shape its payload has. When a shape changes, the version
goes up and an upcaster turns old payloads into the new shape on read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import msgspec


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True):
    schema_version: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


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


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventError(LookupError):
    """An envelope names an event type this code does not know."""


class EventRegistry:
    """Every event type by name, and the upcasters from each old schema version."""

    def __init__(self) -> None:
        self._types: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}

    def register(self, *event_types: type[DomainEvent]) -> None:
        for event_type in event_types:
            self._types[event_type.type_name()] = event_type

    def register_upcaster(self, type_name: str, from_version: int, upcast: Upcaster) -> None:
        self._upcasters[(type_name, from_version)] = upcast

    def decode(self, envelope: EventEnvelope) -> DomainEvent:
        try:
            event_type = self._types[envelope.type]
        except KeyError:
            raise UnknownEventError(envelope.type) from None
        payload, version = envelope.payload, envelope.schema_version
        while version < event_type.schema_version:
            payload = self._upcasters[(envelope.type, version)](payload)
            version += 1
        return msgspec.convert(payload, event_type)

    def __contains__(self, type_name: str) -> bool:
        return type_name in self._types


def encode_payload(event: DomainEvent) -> dict[str, Any]:
    payload: dict[str, Any] = msgspec.to_builtins(event)
    return payload
