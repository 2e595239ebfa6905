"""In-memory twin of the password hasher: salted SHA-256, fast and NOT for real passwords."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCHEME = "test-sha256"


class InMemoryPasswordHasher:
    async def hash(self, password: str) -> str:
        salt = secrets.token_hex(8)
        return f"{_SCHEME}${salt}${_digest(salt, password)}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        if password_hash is None:
            return False
        scheme, _, rest = password_hash.partition("$")
        salt, _, digest = rest.partition("$")
        return scheme == _SCHEME and hmac.compare_digest(digest, _digest(salt, password))


def _digest(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()
