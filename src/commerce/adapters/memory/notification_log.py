"""In-memory twin of the sent-log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from commerce.ports.notification_log import Claim


@dataclass
class _Entry:
    claimed_until: datetime | None
    sent_at: datetime | None = None


class InMemoryNotificationLog:
    def __init__(self) -> None:
        self._entries: dict[tuple[UUID, UUID], _Entry] = {}

    async def claim(
        self, event_id: UUID, recipient: UUID, *, now: datetime, lease: timedelta
    ) -> Claim:
        entry = self._entries.setdefault((event_id, recipient), _Entry(claimed_until=None))
        if entry.sent_at is not None:
            return Claim.SENT
        if entry.claimed_until is not None and entry.claimed_until > now:
            return Claim.HELD
        entry.claimed_until = now + lease
        return Claim.TAKEN

    async def mark_sent(self, event_id: UUID, recipient: UUID, *, now: datetime) -> None:
        self._entries[(event_id, recipient)].sent_at = now

    async def release(self, event_id: UUID, recipient: UUID) -> None:
        if (entry := self._entries.get((event_id, recipient))) is not None:
            entry.claimed_until = None
