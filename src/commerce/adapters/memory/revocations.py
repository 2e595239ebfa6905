"""In-memory twin of the token revocations."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from commerce.ports.auth import Principal
from commerce.ports.clock import Clock


class InMemoryTokenRevocations:
    def __init__(self, clock: Clock, token_lifetime: int) -> None:
        self._clock = clock
        self._lifetime = timedelta(seconds=token_lifetime)
        self._tokens: dict[str, datetime] = {}  # token id -> remembered until
        # account id -> (issued until, token kept, remembered until)
        self._accounts: dict[UUID, tuple[datetime, str, datetime]] = {}

    async def revoke(self, token_id: str, until: datetime) -> None:
        if until > self._clock.now():
            self._tokens[token_id] = until

    async def revoke_others(self, account_id: UUID, keep: str, issued_until: datetime) -> None:
        until = issued_until + self._lifetime
        if until > self._clock.now():
            self._accounts[account_id] = (issued_until, keep, until)

    async def is_revoked(self, principal: Principal) -> bool:
        now = self._clock.now()
        if self._tokens.get(principal.token_id, now) > now:
            return True
        issued_until, keep, until = self._accounts.get(principal.account_id, (now, "", now))
        return until > now and principal.token_id != keep and principal.issued_at <= issued_until
