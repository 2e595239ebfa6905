"""Publishes outbox batches as Dramatiq messages, one per consumer's queue."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import dramatiq
import msgspec
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.routing import CONSUMERS, actor_name, queue_name
from commerce.domain.events import EventEnvelope


class DramatiqEventPublisher:
    def __init__(self, broker: RedisBroker, consumers: Sequence[str] = CONSUMERS) -> None:
        self._broker = broker
        self._consumers = consumers

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        if events:
            await asyncio.to_thread(self._enqueue, msgspec.to_builtins(list(events)))

    def _enqueue(self, batch: list[object]) -> None:
        for consumer in self._consumers:
            message = dramatiq.Message(  # type: ignore[var-annotated]
                queue_name=queue_name(consumer),
                actor_name=actor_name(consumer),
                args=(batch,),
                kwargs={},
                options={},
            )
            self._broker.enqueue(message)
