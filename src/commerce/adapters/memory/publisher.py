"""In-memory twin of the event publisher and its receipts: remembers what it was given, fails
on demand, and lets a test play the consumers (or lose their messages)."""

from collections.abc import Mapping, Sequence

from commerce.domain.events import EventEnvelope


class BrokerUnavailableError(ConnectionError):
    pass


class InMemoryEventPublisher:
    def __init__(self, consumers: Sequence[str] = ("products", "orders")) -> None:
        self.consumers: Sequence[str] = tuple(consumers)
        self.batches: list[list[EventEnvelope]] = []
        self.sent: list[tuple[int, tuple[str, ...]]] = []  # (batch id, consumers) per publish
        self.receipts: dict[int, set[str]] = {}
        self.behind: set[str] = set()  # consumers a test says still have messages queued
        self.available = True

    async def publish(
        self,
        events: Sequence[EventEnvelope],
        batch_id: int,
        consumers: Sequence[str] | None = None,
    ) -> None:
        if not self.available:
            raise BrokerUnavailableError("broker down")
        if events:
            self.batches.append(list(events))
            self.sent.append((batch_id, tuple(consumers or self.consumers)))

    async def applied(self, batch_ids: Sequence[int]) -> Mapping[int, set[str]]:
        if not self.available:
            raise BrokerUnavailableError("broker down")
        return {batch_id: set(self.receipts.get(batch_id, ())) for batch_id in batch_ids}

    async def busy(self, consumers: Sequence[str]) -> set[str]:
        return self.behind & set(consumers)

    def apply(self, batch_id: int, *consumers: str) -> None:
        """Play consumers that applied the batch (default: every one it was sent to)."""
        self.receipts.setdefault(batch_id, set()).update(consumers or self.consumers)

    @property
    def events(self) -> list[EventEnvelope]:
        return [event for batch in self.batches for event in batch]
