"""The outbox relay: claim unpublished events, hand them to the broker, mark them published;
then make sure every consumer applied them, sending again what the broker lost.

Claims use `FOR UPDATE SKIP LOCKED`, so several relays share the work without a coordinator,
and a row whose transaction commits late is found on a later pass (no high-water mark). The
rows stay locked while the broker call runs; if it fails the transaction rolls back and the
events are claimed again. A crash after the broker took them but before the commit sends them
twice: consumers are idempotent, delivery is at least once.

Handing a batch to the broker is not delivery (a Redis restart loses what its queues held).
Each published batch is recorded in `outbox_batches`; `redrive_once` looks at batches whose
check time has come, settles the ones every consumer has a receipt for, and sends the others
again to the consumers without one whose queue is empty (the message is gone), looking again
later and later (docs/adr/0007).

Backpressure: while any consumer's queue holds `max_backlog` batches the relay hands over
nothing more, so a backlog waits in the outbox, not in the broker's memory.

Polling is the mechanism (no LISTEN/NOTIFY: NOTIFY serialises committing transactions on a
global lock): back-to-back while batches come full, `busy_interval` while there is some work
(long enough that events gather into batches: every batch costs each read model a write and
a refresh, measured with bench/checkout.py), growing to `idle_interval` when there is none.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.postgres.outbox import (
    Batch,
    batch_events,
    batch_id_of,
    claim_due_batches,
    claim_unpublished,
    mark_published,
    purge_applied,
    reschedule,
    settle_complete,
)
from commerce.adapters.telemetry.context import batch_span
from commerce.domain.events import EventEnvelope
from commerce.ports.clock import Clock
from commerce.ports.publisher import DeliveryReceipts, EventPublisher

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """When to look at a published batch, how often after, and how long to keep applied ones."""

    check_after: timedelta = timedelta(seconds=30)
    max_check_after: timedelta = timedelta(hours=1)
    retention: timedelta = timedelta(days=7)
    interval: float = 5.0  # seconds between two redrive-and-purge passes
    batch_limit: int = 200

    @property
    def patience(self) -> timedelta:
        """How long a consumer that keeps a backlog may hold a batch before it is sent again
        all the same (its message may have been lost while others kept arriving)."""
        return 10 * self.check_after

    def next_check(self, redrives: int) -> timedelta:
        """Doubling with each redrive: a consumer that is only slow gets few duplicates."""
        later: timedelta = self.check_after * 2 ** min(redrives, 20)
        return min(later, self.max_check_after)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        receipts: DeliveryReceipts,
        clock: Clock,
        *,
        # Under a backlog (a catalogue import) every batch costs each consumer a message, a
        # read and a write per read model: 500 halves that against 200 (bench/import.py).
        batch_size: int = 500,
        # A consumer holding this many batches is far behind: more would only pile up in
        # Redis (a million-product import put 6 GB of messages there and made it time out);
        # the outbox holds the rest until the queue drains.
        max_backlog: int = 20,
        paced_by: Sequence[str] | None = None,
        busy_interval: float = 0.05,
        idle_interval: float = 0.2,
        delivery: Delivery | None = None,
        on_published: Callable[[int], None] | None = None,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._receipts = receipts
        self._clock = clock
        self._batch_size = batch_size
        self._max_backlog = max_backlog
        self._paced_by = paced_by
        self._busy_interval = busy_interval
        self._idle_interval = idle_interval
        self._delivery = delivery or Delivery()
        self._on_published = on_published

    async def relay_once(self) -> int:
        """Publish one batch; return how many events it held (none while the queue of a
        consumer it is `paced_by`, default all, holds `max_backlog` batches)."""
        if await self._publisher.backlog(self._paced_by) >= self._max_backlog:
            return 0
        async with self._engine.begin() as connection:
            claimed = await claim_unpublished(connection, self._batch_size)
            if not claimed:
                return 0
            now = self._clock.now()
            batch_id = batch_id_of(claimed)
            events = [c.envelope for c in claimed]
            consumers = self._publisher.consumers
            with _publishing(events, batch_id):
                await self._publisher.publish(events, batch_id)
                check_at = now + self._delivery.next_check(0)
                await mark_published(connection, claimed, consumers, now, check_at)
                logger.info("handed batch %d (%d events) to the broker", batch_id, len(events))
        if self._on_published is not None:
            self._on_published(len(claimed))
        return len(claimed)

    async def redrive_once(self) -> int:
        """Settle the batches due for a look that every consumer applied; send the others
        again to the consumers that lost them; return how many batches were looked at."""
        async with self._engine.begin() as connection:
            due = await claim_due_batches(connection, self._clock.now(), self._delivery.batch_limit)
            if not due:
                return 0
            receipts = await self._receipts.applied([batch.id for batch in due])
            applied = {b.id: set(b.applied_by) | receipts.get(b.id, set()) for b in due}
            unsettled = [b for b in due if set(b.consumers) - applied[b.id]]
            await settle_complete(connection, [b.id for b in due if b not in unsettled])
            if unsettled:
                await self._follow_up(connection, unsettled, applied)
        return len(due)

    async def _follow_up(
        self, connection: AsyncConnection, unsettled: list[Batch], applied: dict[int, set[str]]
    ) -> None:
        """Send a batch again to each consumer without a receipt whose queue is empty (the
        message is gone) or that has had it far too long; a consumer that is only behind keeps
        its queue and gets no duplicate."""
        now = self._clock.now()
        missing = {b.id: [c for c in b.consumers if c not in applied[b.id]] for b in unsettled}
        busy = await self._receipts.busy(sorted({c for names in missing.values() for c in names}))
        lost = {
            batch.id: [c for c in missing[batch.id] if c not in busy or self._overdue(batch, now)]
            for batch in unsettled
        }
        events = await batch_events(connection, [b.id for b in unsettled if lost[b.id]])
        for batch in unsettled:
            redrives = batch.redrives
            if lost[batch.id]:
                redrives += 1
                with _publishing(events[batch.id], batch.id):
                    logger.warning(
                        "batch %d (%d events) not applied by %s: sending it again (time %d)",
                        batch.id,
                        len(events[batch.id]),
                        ", ".join(lost[batch.id]),
                        redrives,
                    )
                    await self._publisher.publish(events[batch.id], batch.id, lost[batch.id])
            check_at = now + self._delivery.next_check(redrives)
            await reschedule(connection, batch, sorted(applied[batch.id]), redrives, check_at)

    def _overdue(self, batch: Batch, now: datetime) -> bool:
        return now - batch.published_at >= self._delivery.patience

    async def purge_once(self) -> int:
        """Delete events applied by every consumer and older than the retention; return how
        many."""
        before = self._clock.now() - self._delivery.retention
        async with self._engine.begin() as connection:
            return await purge_applied(connection, before, self._delivery.batch_limit)

    async def run(self, stop: asyncio.Event) -> None:
        pause = self._busy_interval
        next_maintenance = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_maintenance:
                await self._maintain()
                next_maintenance = time.monotonic() + self._delivery.interval
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

    async def _maintain(self) -> None:
        try:
            while await self.redrive_once():
                pass
            while await self.purge_once():
                pass
        except Exception:
            logger.exception("redrive or purge failed; trying again in the next pass")


def _publishing(events: list[EventEnvelope], batch_id: int) -> AbstractContextManager[object]:
    """The span of a batch handed to the broker: in the trace of the command that recorded its
    events (linked to each, when it holds several commands')."""
    return batch_span(
        "outbox publish",
        SpanKind.PRODUCER,
        [event.trace_context for event in events],
        attributes={"messaging.batch.message_count": len(events), "outbox.batch_id": batch_id},
    )
