"""Sign-in attempts counted in Redis, one fixed window per email and per client address.

A window starts with its first counted attempt and ends `window_seconds` later, when Redis
drops the key. Checking and counting is one Lua script (run by its SHA), so concurrent
attempts cannot all pass the check before any of them is counted. Keys hold a hash of the
email or address, not the address itself.
"""

from __future__ import annotations

import hashlib
import math

from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down
from commerce.ports.auth import ThrottlePolicy

# KEYS: the email's and the client's counters; ARGV: their limits, then the window in ms.
# Answers 0 when the attempt is admitted and counted, else the ms until it would be.
_ADMIT = """
local wait = 0
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then
    wait = math.max(wait, redis.call('PTTL', key))
  end
end
if wait > 0 then return wait end
for _, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[3]) end
end
return 0
"""

# KEYS: as above. The email's count goes; the client's gives back this one attempt, and
# never goes below zero or outlives its window (DECR keeps the expiry).
_FORGIVE = """
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 0
"""


class RedisLoginThrottle:
    def __init__(
        self,
        client: Redis,
        policy: ThrottlePolicy | None = None,
        prefix: str = "commerce:login-failures:",
    ) -> None:
        self._policy = policy or ThrottlePolicy()
        self._prefix = prefix
        self._admit = client.register_script(_ADMIT)
        self._forgive = client.register_script(_FORGIVE)

    async def admit(self, email: str, client: str) -> int:
        policy = self._policy
        limits = [policy.failures_per_email, policy.failures_per_client]
        with unavailable_when_down():
            wait_ms = await self._admit(
                keys=self._keys(email, client), args=[*limits, policy.window_seconds * 1000]
            )
        return math.ceil(int(wait_ms) / 1000)

    async def forgive(self, email: str, client: str) -> None:
        with unavailable_when_down():
            await self._forgive(keys=self._keys(email, client))

    def _keys(self, email: str, client: str) -> list[str]:
        return [self._key("email", email), self._key("client", client)]

    def _key(self, kind: str, value: str) -> str:
        return f"{self._prefix}{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"
