"""Failed sign-ins counted in Redis, one fixed window per email and per client address.

A window starts with its first failure and ends `window_seconds` later, when Redis drops the
key. Keys hold a hash of the email or address, not the address itself.
"""

from __future__ import annotations

import hashlib
import math

from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down
from commerce.ports.auth import ThrottlePolicy


class RedisLoginThrottle:
    def __init__(
        self,
        client: Redis,
        policy: ThrottlePolicy | None = None,
        prefix: str = "commerce:login-failures:",
    ) -> None:
        self._client = client
        self._policy = policy or ThrottlePolicy()
        self._prefix = prefix

    async def retry_after(self, email: str, client: str) -> int:
        keys = self._keys(email, client)
        with unavailable_when_down():
            async with self._client.pipeline(transaction=False) as pipe:
                for key, _ in keys:
                    pipe.get(key)
                    pipe.pttl(key)
                replies = await pipe.execute()
        waits = [
            math.ceil(pttl / 1000)
            for (_, limit), count, pttl in zip(keys, replies[::2], replies[1::2], strict=True)
            if count is not None and int(count) >= limit and pttl > 0
        ]
        return max(waits, default=0)

    async def record_failure(self, email: str, client: str) -> None:
        # One transaction: the window starts with the first failure (SET NX keeps its expiry
        # on later ones) and INCR keeps the expiry it finds.
        async with self._client.pipeline(transaction=True) as pipe:
            for key, _ in self._keys(email, client):
                pipe.set(key, 0, ex=self._policy.window_seconds, nx=True)
                pipe.incr(key)
            await pipe.execute()

    async def forgive(self, email: str) -> None:
        await self._client.delete(self._key("email", email))

    def _keys(self, email: str, client: str) -> list[tuple[str, int]]:
        return [
            (self._key("email", email), self._policy.failures_per_email),
            (self._key("client", client), self._policy.failures_per_client),
        ]

    def _key(self, kind: str, value: str) -> str:
        return f"{self._prefix}{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
