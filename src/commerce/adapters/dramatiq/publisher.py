"""Publishes outbox batches as Dramatiq messages, one per consumer's queue, and reads the
receipts consumers leave beside the broker once they have applied a batch."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import dramatiq
import msgspec
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.dead_letters import parked_counts
from commerce.adapters.dramatiq.receipts import busy_queues, queued, read_receipts
from commerce.adapters.dramatiq.routing import CONSUMERS, actor_name, queue_name
from commerce.adapters.telemetry.context import current_trace_context
from commerce.domain.events import EventEnvelope


class DramatiqEventPublisher:
    def __init__(self, broker: RedisBroker, consumers: Sequence[str] = CONSUMERS) -> None:
        self._broker = broker
        self.consumers: Sequence[str] = tuple(consumers)

    async def publish(
        self,
        events: Sequence[EventEnvelope],
        batch_id: int,
        consumers: Sequence[str] | None = None,
    ) -> None:
        if events:
            batch = msgspec.to_builtins(list(events))
            sender = current_trace_context()  # the relay's span: the worker's batch continues it
            chosen = consumers or self.consumers
            await asyncio.to_thread(self._enqueue, batch, batch_id, chosen, sender)

    async def backlog(self, consumers: Sequence[str] | None = None) -> int:
        held = await asyncio.to_thread(queued, self._broker, consumers or self.consumers)
        return max(held.values(), default=0)

    async def applied(self, batch_ids: Sequence[int]) -> Mapping[int, set[str]]:
        return await asyncio.to_thread(read_receipts, self._broker, batch_ids)

    async def dead_letters(self) -> dict[str, int]:
        """Batches parked per consumer after their last retry."""
        queues = {consumer: queue_name(consumer) for consumer in self.consumers}
        parked = await asyncio.to_thread(parked_counts, self._broker, list(queues.values()))
        return {consumer: parked[queue] for consumer, queue in queues.items()}

    async def busy(self, consumers: Sequence[str]) -> set[str]:
        return await asyncio.to_thread(busy_queues, self._broker, consumers)

    def _enqueue(
        self,
        batch: list[object],
        batch_id: int,
        consumers: Sequence[str],
        trace_context: dict[str, str],
    ) -> None:
        for consumer in consumers:
            message = dramatiq.Message(  # type: ignore[var-annotated]
                queue_name=queue_name(consumer),
                actor_name=actor_name(consumer),
                args=(batch,),
                kwargs={"batch_id": batch_id, "trace_context": trace_context},
                options={},
            )
            self._broker.enqueue(message)
