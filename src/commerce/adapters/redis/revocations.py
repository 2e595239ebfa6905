"""Revoked token ids in Redis, each kept only until its token would have expired."""

from __future__ import annotations

import math
from datetime import datetime

from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down
from commerce.ports.clock import Clock


class RedisTokenRevocations:
    def __init__(self, client: Redis, clock: Clock, prefix: str = "commerce:revoked:") -> None:
        self._client = client
        self._clock = clock
        self._prefix = prefix

    async def revoke(self, token_id: str, until: datetime) -> None:
        seconds = math.ceil((until - self._clock.now()).total_seconds())
        if seconds > 0:
            with unavailable_when_down():
                await self._client.set(self._prefix + token_id, b"1", ex=seconds)

    async def is_revoked(self, token_id: str) -> bool:
        with unavailable_when_down():
            return bool(await self._client.exists(self._prefix + token_id))
