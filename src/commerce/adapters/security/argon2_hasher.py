"""Argon2id password hashing, off the event loop.

One hash costs tens of milliseconds of CPU: run inline it would stall every other request.
Each runs in a worker thread (argon2-cffi releases the GIL), and a semaphore bounds how many run
at once, so a burst of sign-ins queues instead of starving the process.
"""

from __future__ import annotations

import asyncio
import os
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MEMORY_KIB = 19 * 1024  # the OWASP minimum for argon2id, with 2 iterations
ITERATIONS = 2


class Argon2PasswordHasher:
    def __init__(
        self,
        max_concurrent: int | None = None,
        memory_kib: int = MEMORY_KIB,
        iterations: int = ITERATIONS,
    ) -> None:
        self._argon2 = PasswordHasher(
            time_cost=iterations, memory_cost=memory_kib, parallelism=1, type=Type.ID
        )
        self._slots = asyncio.Semaphore(max_concurrent or os.cpu_count() or 1)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            # No account: do the same work against a hash nobody knows the password of.
            self._matches(self._dummy(), password)
            return False
        return self._matches(password_hash, password)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(32))
        return self._dummy_hash
