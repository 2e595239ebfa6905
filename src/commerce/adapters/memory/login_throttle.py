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
        self._windows: dict[str, tuple[int, datetime]] = {}  # key -> (attempts, window ends)

    async def admit(self, email: str, client: str) -> int:
        # No await between the check and the count: one step, as Redis runs its script.
        now = self._clock.now()
        keys = self._keys(email, client)
        waits = [
            math.ceil((ends - now).total_seconds())
            for key, limit in keys
            for count, ends in [self._window(key, now)]
            if count >= limit
        ]
        if waits:
            return max(waits)
        for key, _ in keys:
            count, ends = self._window(key, now)
            self._windows[key] = (count + 1, ends)
        return 0

    async def forgive(self, email: str, client: str) -> None:
        (email_key, _), (client_key, _) = self._keys(email, client)
        self._windows.pop(email_key, None)
        count, ends = self._window(client_key, self._clock.now())
        if count > 0:
            self._windows[client_key] = (count - 1, ends)

    def _window(self, key: str, now: datetime) -> tuple[int, datetime]:
        """The key's count and end of window; a window that ended starts afresh now."""
        count, ends = self._windows.get(key, (0, now))
        if ends <= now:
            return 0, now + timedelta(seconds=self._policy.window_seconds)
        return count, ends

    def _keys(self, email: str, client: str) -> list[tuple[str, int]]:
        return [
            (f"email:{email}", self._policy.failures_per_email),
            (f"client:{client}", self._policy.failures_per_client),
        ]
