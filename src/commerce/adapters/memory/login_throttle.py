"""In-memory twin of the login throttle: the same fixed windows, timed by the given clock."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from commerce.ports.auth import ThrottlePolicy
from commerce.ports.clock import Clock


class InMemoryLoginThrottle:
    def __init__(self, clock: Clock, policy: ThrottlePolicy | None = None) -> None:
        self._clock = clock
        self._policy = policy or ThrottlePolicy()
        self._windows: dict[str, tuple[int, datetime]] = {}  # key -> (failures, window ends)

    async def retry_after(self, email: str, client: str) -> int:
        now = self._clock.now()
        waits = [
            math.ceil((ends - now).total_seconds())
            for key, limit in self._keys(email, client)
            for count, ends in [self._windows.get(key, (0, now))]
            if count >= limit and ends > now
        ]
        return max(waits, default=0)

    async def record_failure(self, email: str, client: str) -> None:
        now = self._clock.now()
        window = timedelta(seconds=self._policy.window_seconds)
        for key, _ in self._keys(email, client):
            count, ends = self._windows.get(key, (0, now))
            self._windows[key] = (count + 1, ends) if ends > now else (1, now + window)

    async def forgive(self, email: str) -> None:
        self._windows.pop(f"email:{email}", None)

    def _keys(self, email: str, client: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email}", self._policy.failures_per_email),
            (f"client:{client}", self._policy.failures_per_client),
        ]
