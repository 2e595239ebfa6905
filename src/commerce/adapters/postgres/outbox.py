"""The outbox: events written in the aggregate's transaction, claimed later by relays.

Claims take unpublished rows with `FOR UPDATE SKIP LOCKED`, so several relays share the work
and a row committed late (with a lower id than rows already published) is still found.
"""

from collections.abc import Sequence
from datetime import datetime

import msgspec
from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.adapters.postgres.tables import outbox
from commerce.domain.events import EventEnvelope


class ClaimedEvent(msgspec.Struct, frozen=True):
    outbox_id: int
    envelope: EventEnvelope


async def append_events(connection: AsyncConnection, envelopes: Sequence[EventEnvelope]) -> None:
    if envelopes:
        await connection.execute(insert(outbox), [_row(envelope) for envelope in envelopes])


async def claim_unpublished(connection: AsyncConnection, limit: int) -> list[ClaimedEvent]:
    """Lock up to `limit` unpublished rows for this transaction, oldest first."""
    query = (
        select(outbox)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await connection.execute(query)).mappings().all()
    return [ClaimedEvent(row["id"], envelope_from_row(row)) for row in rows]


async def mark_published(
    connection: AsyncConnection, outbox_ids: Sequence[int], at: datetime
) -> None:
    if outbox_ids:
        await connection.execute(
            update(outbox).where(outbox.c.id.in_(outbox_ids)).values(published_at=at)
        )


_FIELDS = EventEnvelope.__struct_fields__


def _row(envelope: EventEnvelope) -> dict[str, object]:
    return {name: getattr(envelope, name) for name in _FIELDS}


def envelope_from_row(row: RowMapping) -> EventEnvelope:
    return EventEnvelope(**{name: row[name] for name in _FIELDS})
