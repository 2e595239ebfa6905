"""In-memory twin of the event publisher: remembers what it was given, or fails on demand."""

from collections.abc import Sequence

from commerce.domain.events import EventEnvelope


class BrokerUnavailableError(ConnectionError):
    pass


class InMemoryEventPublisher:
    def __init__(self) -> None:
        self.batches: list[list[EventEnvelope]] = []
        self.available = True

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        if not self.available:
            raise BrokerUnavailableError("broker down")
        if events:
            self.batches.append(list(events))

    @property
    def events(self) -> list[EventEnvelope]:
        return [event for batch in self.batches for event in batch]
