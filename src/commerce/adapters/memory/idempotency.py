"""In-memory twin of the idempotency store.

No method awaits between reading and writing the dict, so each one is atomic on the event
loop: concurrent claims of one key cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from commerce.ports.idempotency import (
    LEASE,
    IdempotencyKeyReusedError,
    RequestInFlightError,
    StoredResponse,
)


@dataclass(frozen=True)
class _Entry:
    fingerprint: str
    created_at: datetime
    lease_until: datetime
    response: StoredResponse | None = None
    completed_at: datetime | None = None


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}

    async def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        entry = self._entries.get((scope, key))
        if entry is None:
            self._entries[scope, key] = _Entry(fingerprint, created_at=now, lease_until=now + LEASE)
            return None
        if entry.fingerprint != fingerprint:
            raise IdempotencyKeyReusedError
        if entry.response is not None:
            return entry.response
        if entry.lease_until > now:
            raise RequestInFlightError
        self._entries[scope, key] = replace(entry, lease_until=now + LEASE)
        return None

    async def complete(self, scope: str, key: str, response: StoredResponse, now: datetime) -> None:
        entry = self._entries.get((scope, key))
        if entry is not None and entry.response is None:
            self._entries[scope, key] = replace(entry, response=response, completed_at=now)

    async def release(self, scope: str, key: str) -> None:
        entry = self._entries.get((scope, key))
        if entry is not None and entry.response is None:
            del self._entries[scope, key]

    async def purge(self, before: datetime) -> int:
        expired = [
            scope_key
            for scope_key, entry in self._entries.items()
            if (entry.completed_at or entry.lease_until) < before
        ]
        for scope_key in expired:
            del self._entries[scope_key]
        return len(expired)
