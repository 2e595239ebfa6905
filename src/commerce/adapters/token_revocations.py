"""Token revocations with PostgreSQL as the record and Redis as its cache.

Writes go to the record first, then to the cache. A check asks the cache, which answers only
if it was filled from the record within the last `FRESH_FOR` seconds (a marker key that
expires); otherwise, or when Redis does not answer, the record answers, and a cold cache is
filled again. So a Redis restarted without its data, or flushed, never lets a revoked token
through, and a revocation whose cache write failed (Redis down at that moment) is in the
cache again within `FRESH_FOR` seconds of Redis answering. Only when neither answers does
the check fail, closed: `DependencyUnavailableError`, a 503.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from uuid import UUID

from commerce.adapters.postgres.revocations import PostgresTokenRevocations
from commerce.adapters.redis.revocations import RedisTokenRevocations
from commerce.ports.auth import Principal
from commerce.ports.health import DependencyUnavailableError

logger = logging.getLogger(__name__)

FRESH_FOR = 60  # seconds the cache answers alone before it is filled from the record again


class CachedTokenRevocations:
    def __init__(
        self,
        record: PostgresTokenRevocations,
        cache: RedisTokenRevocations,
        fresh_for: int = FRESH_FOR,
    ) -> None:
        self._record = record
        self._cache = cache
        self._fresh_for = fresh_for
        self._filling = asyncio.Lock()

    async def revoke(self, token_id: str, until: datetime) -> None:
        await self._record.revoke(token_id, until)
        try:
            await self._cache.revoke(token_id, until)
        except DependencyUnavailableError:
            logger.warning("token revocation recorded; the cache will have it once refilled")

    async def revoke_others(self, account_id: UUID, keep: str, issued_until: datetime) -> None:
        await self._record.revoke_others(account_id, keep, issued_until)
        try:
            await self._cache.revoke_others(account_id, keep, issued_until)
        except DependencyUnavailableError:
            logger.warning("account revocation recorded; the cache will have it once refilled")

    async def is_revoked(self, principal: Principal) -> bool:
        try:
            cached = await self._cache.cached_is_revoked(principal)
        except DependencyUnavailableError:
            return await self._record.is_revoked(principal)
        if cached is not None:
            return cached
        answer = await self._record.is_revoked(principal)
        await self._fill()
        return answer

    async def _fill(self) -> None:
        if self._filling.locked():
            return  # another request of this process is filling it
        async with self._filling:
            tokens, accounts = await self._record.unexpired()
            try:
                await self._cache.fill(
                    [(t.token_id, t.expires_at) for t in tokens],
                    [
                        (a.account_id, a.kept_token_id, a.issued_until, a.expires_at)
                        for a in accounts
                    ],
                    self._fresh_for,
                )
            except DependencyUnavailableError:
                logger.warning("could not refill the revocation cache; the record answers")
