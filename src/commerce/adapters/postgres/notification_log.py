"""The sent-log in PostgreSQL. A claim is one upsert that takes the row only when it is neither
sent nor held under a live lease: concurrent claimers queue on the row, and one wins."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.tables import notifications_sent as log
from commerce.ports.notification_log import Claim


class PostgresNotificationLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self, event_id: UUID, recipient: UUID, *, now: datetime, lease: timedelta
    ) -> Claim:
        fresh = {"event_id": event_id, "recipient_id": recipient}
        new = insert(log).values(**fresh, claimed_until=now + lease, attempts=1)
        statement = new.on_conflict_do_update(
            index_elements=[log.c.event_id, log.c.recipient_id],
            set_={
                "claimed_until": new.excluded.claimed_until,
                "attempts": log.c.attempts + 1,
            },
            where=and_(
                log.c.sent_at.is_(None),
                or_(log.c.claimed_until.is_(None), log.c.claimed_until <= now),
            ),
        ).returning(log.c.attempts)
        async with self._engine.begin() as connection:
            if (await connection.execute(statement)).first() is not None:
                return Claim.TAKEN
            sent_at = await connection.scalar(select(log.c.sent_at).where(_of(event_id, recipient)))
        return Claim.HELD if sent_at is None else Claim.SENT

    async def mark_sent(self, event_id: UUID, recipient: UUID, *, now: datetime) -> None:
        await self._update(event_id, recipient, sent_at=now, claimed_until=None)

    async def release(self, event_id: UUID, recipient: UUID) -> None:
        await self._update(event_id, recipient, claimed_until=None)

    async def _update(self, event_id: UUID, recipient: UUID, **values: object) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(update(log).where(_of(event_id, recipient)).values(values))


def _of(event_id: UUID, recipient: UUID) -> ColumnElement[bool]:
    return and_(log.c.event_id == event_id, log.c.recipient_id == recipient)
