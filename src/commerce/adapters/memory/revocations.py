"""In-memory twin of the token revocation list."""

from __future__ import annotations

from datetime import datetime

from commerce.ports.clock import Clock


class InMemoryTokenRevocations:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._until: dict[str, datetime] = {}

    async def revoke(self, token_id: str, until: datetime) -> None:
        if until > self._clock.now():
            self._until[token_id] = until

    async def is_revoked(self, token_id: str) -> bool:
        until = self._until.get(token_id)
        return until is not None and until > self._clock.now()
