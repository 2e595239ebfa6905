"""The outbox: events written in the aggregate's transaction, claimed later by relays.

Claims take unpublished rows with `FOR UPDATE SKIP LOCKED`, so several relays share the work
and a row committed late (with a lower id than rows already published) is still found.
Each published batch is recorded in `outbox_batches` until every consumer it went to is known
to have applied it (docs/adr/0007); applied batches are purged after the retention period.
"""

from collections.abc import Sequence
from datetime import datetime

import msgspec
from sqlalchemy import RowMapping, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.adapters.postgres.bulk import InsertRows, as_arrays, insert_from_arrays
from commerce.adapters.postgres.tables import outbox, outbox_batch_ids, outbox_batches
from commerce.adapters.postgres.writes import Write, fails_with
from commerce.domain.events import EventEnvelope


class ClaimedEvent(msgspec.Struct, frozen=True):
    outbox_id: int
    envelope: EventEnvelope
    batch_id: int  # the same for every event of one claim


async def append_events(connection: AsyncConnection, envelopes: Sequence[EventEnvelope]) -> None:
    if envelopes:
        await connection.execute(_APPEND, as_arrays([_row(envelope) for envelope in envelopes]))


def appended(envelopes: Sequence[EventEnvelope]) -> Write:
    """The events as one write of a unit of work's commit."""
    rows = [_row(envelope) for envelope in envelopes]
    failure = fails_with(lambda: AssertionError("events not written"))
    return Write(_APPENDED, _APPENDED.values(rows), len(rows), failure)


async def claim_unpublished(connection: AsyncConnection, limit: int) -> list[ClaimedEvent]:
    """Lock up to `limit` unpublished rows for this transaction, oldest first."""
    # An uncorrelated subquery runs once per query: one new batch id per claim, no round trip.
    batch_id = select(outbox_batch_ids.next_value()).scalar_subquery().label("new_batch_id")
    query = (
        select(outbox, batch_id)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await connection.execute(query)).mappings().all()
    return [ClaimedEvent(row["id"], envelope_from_row(row), row["new_batch_id"]) for row in rows]


class Batch(msgspec.Struct, frozen=True):
    """A published batch whose delivery is not settled yet."""

    id: int
    published_at: datetime
    consumers: list[str]
    applied_by: list[str]
    redrives: int


def batch_id_of(claimed: Sequence[ClaimedEvent]) -> int:
    return claimed[0].batch_id


async def mark_published(
    connection: AsyncConnection,
    claimed: Sequence[ClaimedEvent],
    consumers: Sequence[str],
    at: datetime,
    check_at: datetime,
) -> None:
    """Mark the events published in their batch and record the batch, in one statement."""
    if not claimed:
        return
    batch_id = batch_id_of(claimed)
    marked = (
        update(outbox)
        .where(outbox.c.id.in_([event.outbox_id for event in claimed]))
        .values(published_at=at, batch_id=batch_id)
        .cte("marked")
    )
    record = insert(outbox_batches).values(
        id=batch_id, published_at=at, consumers=list(consumers), check_at=check_at
    )
    await connection.execute(record.add_cte(marked))


async def claim_due_batches(connection: AsyncConnection, now: datetime, limit: int) -> list[Batch]:
    """Lock up to `limit` unsettled batches whose time to be checked has come."""
    query = (
        select(
            outbox_batches.c.id,
            outbox_batches.c.published_at,
            outbox_batches.c.consumers,
            outbox_batches.c.applied_by,
            outbox_batches.c.redrives,
        )
        .where(~outbox_batches.c.complete, outbox_batches.c.check_at <= now)
        .order_by(outbox_batches.c.check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await connection.execute(query)).all()
    return [
        Batch(row.id, row.published_at, list(row.consumers), list(row.applied_by), row.redrives)
        for row in rows
    ]


async def batch_events(
    connection: AsyncConnection, batch_ids: Sequence[int]
) -> dict[int, list[EventEnvelope]]:
    query = select(outbox).where(outbox.c.batch_id.in_(batch_ids)).order_by(outbox.c.id)
    events: dict[int, list[EventEnvelope]] = {batch_id: [] for batch_id in batch_ids}
    for row in (await connection.execute(query)).mappings():
        events[row["batch_id"]].append(envelope_from_row(row))
    return events


async def settle_complete(connection: AsyncConnection, batch_ids: Sequence[int]) -> None:
    if batch_ids:
        await connection.execute(
            update(outbox_batches)
            .where(outbox_batches.c.id.in_(batch_ids))
            .values(complete=True, applied_by=outbox_batches.c.consumers)
        )


async def reschedule(
    connection: AsyncConnection,
    batch: Batch,
    applied_by: Sequence[str],
    redrives: int,
    check_at: datetime,
) -> None:
    """Remember who applied `batch` so far, how often it was sent again, and when to look
    again."""
    await connection.execute(
        update(outbox_batches)
        .where(outbox_batches.c.id == batch.id)
        .values(applied_by=list(applied_by), redrives=redrives, check_at=check_at)
    )


async def purge_applied(connection: AsyncConnection, before: datetime, limit: int) -> int:
    """Delete up to `limit` batches applied by every consumer and published before `before`,
    with their events; return how many events went."""
    old = (
        select(outbox_batches.c.id)
        .where(outbox_batches.c.complete, outbox_batches.c.published_at < before)
        .order_by(outbox_batches.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("old")
    )
    gone = delete(outbox).where(outbox.c.batch_id.in_(select(old.c.id))).returning(outbox.c.id)
    dropped = delete(outbox_batches).where(outbox_batches.c.id.in_(select(old.c.id)))
    gone_cte = gone.cte("gone")
    count = select(func.count()).select_from(gone_cte).add_cte(dropped.cte("dropped"))
    return int((await connection.execute(count)).scalar_one())


_FIELDS = EventEnvelope.__struct_fields__
_APPEND = insert_from_arrays(outbox, _FIELDS)
_APPENDED = InsertRows(outbox, _FIELDS, "id")


def _row(envelope: EventEnvelope) -> dict[str, object]:
    return {name: getattr(envelope, name) for name in _FIELDS}


def envelope_from_row(row: RowMapping) -> EventEnvelope:
    return EventEnvelope(**{name: row[name] for name in _FIELDS})


class Backlog(msgspec.Struct, frozen=True):
    events: int  # committed, not yet handed to the broker
    oldest_age: float  # seconds since the oldest of them occurred (0 when none)


async def backlog(connection: AsyncConnection, now: datetime) -> Backlog:
    """Read from the partial index of unpublished rows: cheap while the backlog is small."""
    query = select(func.count(), func.min(outbox.c.occurred_at)).where(
        outbox.c.published_at.is_(None)
    )
    count, oldest = (await connection.execute(query)).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return Backlog(events=count, oldest_age=max(age, 0.0))
