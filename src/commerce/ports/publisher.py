"""Hands outbox events to the message broker."""

from collections.abc import Sequence
from typing import Protocol

from commerce.domain.events import EventEnvelope


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Return only once the broker holds the events; raise if it does not."""
        ...
