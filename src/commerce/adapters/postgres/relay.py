"""The outbox relay: claim unpublished events, hand them to the broker, mark them published.

Claims use `FOR UPDATE SKIP LOCKED`, so several relays share the work without a coordinator,
and a row whose transaction commits late is found on a later pass (no high-water mark). The
rows stay locked while the broker call runs; if it fails the transaction rolls back and the
events are claimed again. A crash after the broker took them but before the commit sends them
twice: consumers are idempotent, delivery is at least once.

Polling is the mechanism (no LISTEN/NOTIFY: NOTIFY serialises committing transactions on a
global lock): back-to-back while batches come full, `busy_interval` while there is some work
(long enough that events gather into batches: every batch costs each read model a write and
a refresh, measured with bench/checkout.py), growing to `idle_interval` when there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.outbox import claim_unpublished, mark_published
from commerce.ports.clock import Clock
from commerce.ports.publisher import EventPublisher

logger = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        clock: Clock,
        *,
        batch_size: int = 200,
        busy_interval: float = 0.05,
        idle_interval: float = 0.2,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._clock = clock
        self._batch_size = batch_size
        self._busy_interval = busy_interval
        self._idle_interval = idle_interval

    async def relay_once(self) -> int:
        """Publish one batch; return how many events it held."""
        async with self._engine.begin() as connection:
            claimed = await claim_unpublished(connection, self._batch_size)
            if not claimed:
                return 0
            await self._publisher.publish([c.envelope for c in claimed])
            await mark_published(connection, [c.outbox_id for c in claimed], self._clock.now())
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        pause = self._busy_interval
        while not stop.is_set():
            try:
                published = await self.relay_once()
            except Exception:
                logger.exception("relay pass failed; the events stay in the outbox")
                published = 0
                pause = self._idle_interval
            if published >= self._batch_size:
                continue
            pause = self._busy_interval if published else min(pause * 2, self._idle_interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
