"""Hands outbox events to the message broker, and says which consumers applied them."""

from collections.abc import Mapping, Sequence
from typing import Protocol

from commerce.domain.events import EventEnvelope


class EventPublisher(Protocol):
    @property
    def consumers(self) -> Sequence[str]:
        """Everyone a batch goes to (each read model, the order saga)."""
        ...

    async def publish(
        self,
        events: Sequence[EventEnvelope],
        batch_id: int,
        consumers: Sequence[str] | None = None,
    ) -> None:
        """Hand batch `batch_id` to `consumers` (default: all); return only once the broker
        holds it, raise if it does not. Holding is not delivery: see `DeliveryReceipts`."""
        ...

    async def backlog(self, consumers: Sequence[str] | None = None) -> int:
        """The most batches any of `consumers` (default: all) holds in its queue (waiting, in
        hand or to be retried)."""
        ...


class DeliveryReceipts(Protocol):
    """What consumers say they applied. A receipt may be lost (it lives beside the broker);
    a lost receipt only makes the relay send a batch again, which consumers shrug off."""

    async def applied(self, batch_ids: Sequence[int]) -> Mapping[int, set[str]]:
        """For each batch, the consumers known to have applied it."""
        ...

    async def busy(self, consumers: Sequence[str]) -> set[str]:
        """The consumers whose queue still holds messages (waiting, in hand or to be retried):
        a batch they have not applied may be among them, not lost."""
        ...
