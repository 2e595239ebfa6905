"""In-memory twin of the event publisher and its receipts: remembers what it was given, holds
each consumer's messages until the test plays that consumer (or makes the broker lose them),
and fails on demand."""

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
        self.queued: dict[str, set[int]] = {}  # consumer -> batches waiting in its queue
        self.available = True

    async def publish(
        self,
        events: Sequence[EventEnvelope],
        batch_id: int,
        consumers: Sequence[str] | None = None,
    ) -> None:
        self._answer()
        if events:
            to = tuple(consumers or self.consumers)
            self.batches.append(list(events))
            self.sent.append((batch_id, to))
            for consumer in to:
                self.queued.setdefault(consumer, set()).add(batch_id)

    async def backlog(self, consumers: Sequence[str] | None = None) -> int:
        self._answer()
        counted = consumers or self.consumers
        return max(
            (len(batches) for name, batches in self.queued.items() if name in counted), default=0
        )

    async def applied(self, batch_ids: Sequence[int]) -> Mapping[int, set[str]]:
        self._answer()
        return {batch_id: set(self.receipts.get(batch_id, ())) for batch_id in batch_ids}

    async def busy(self, consumers: Sequence[str]) -> set[str]:
        self._answer()
        return {consumer for consumer in consumers if self.queued.get(consumer)}

    def apply(self, batch_id: int, *consumers: str) -> None:
        """Play consumers taking the batch from their queue and applying it (default: every
        consumer it was sent to)."""
        for consumer in consumers or self.consumers:
            self.queued.get(consumer, set()).discard(batch_id)
            self.receipts.setdefault(batch_id, set()).add(consumer)

    def lose_messages(self) -> None:
        """The broker loses every message it held (a Redis restarted without its data)."""
        self.queued.clear()

    def _answer(self) -> None:
        if not self.available:
            raise BrokerUnavailableError("broker down")

    @property
    def events(self) -> list[EventEnvelope]:
        return [event for batch in self.batches for event in batch]
