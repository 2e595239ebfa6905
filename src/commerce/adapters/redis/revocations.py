"""Revoked tokens in Redis: one key per revoked token id, and one per account whose other
tokens were revoked (`<issued until, in µs>:<token kept>`), each kept only until the tokens
it revokes would have expired anyway. One round trip checks both."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RedisTokenRevocations:
    def __init__(
        self,
        client: Redis,
        clock: Clock,
        token_lifetime: int,
        prefix: str = "commerce:revoked:",
    ) -> None:
        self._client = client
        self._clock = clock
        self._lifetime = timedelta(seconds=token_lifetime)
        self._prefix = prefix

    async def revoke(self, token_id: str, until: datetime) -> None:
        await self._remember(self._token_key(token_id), b"1", until)

    async def revoke_others(self, account_id: UUID, keep: str, issued_until: datetime) -> None:
        record = f"{_micros(issued_until)}:{keep}".encode()
        await self._remember(self._account_key(account_id), record, issued_until + self._lifetime)

    async def is_revoked(self, principal: Principal) -> bool:
        keys = [self._token_key(principal.token_id), self._account_key(principal.account_id)]
        with unavailable_when_down():
            token, account = await self._client.mget(keys)
        return _revoked(principal, token, account)

    async def cached_is_revoked(self, principal: Principal) -> bool | None:
        """The answer if this cache was filled from the record lately; None if it was not (a
        Redis restarted without its data, or not filled for `fresh_for` seconds)."""
        keys = [
            self._filled_key,
            self._token_key(principal.token_id),
            self._account_key(principal.account_id),
        ]
        with unavailable_when_down():
            filled, token, account = await self._client.mget(keys)
        return None if filled is None else _revoked(principal, token, account)

    async def fill(
        self,
        tokens: Iterable[tuple[str, datetime]],
        accounts: Iterable[tuple[UUID, str, datetime, datetime]],
        fresh_for: int,
    ) -> None:
        """Write what the record holds (token ids with their expiry; accounts with the token
        kept, the moment up to which others are revoked, and the expiry), then say the cache
        is filled for `fresh_for` seconds."""
        entries = [(self._token_key(token_id), b"1", until) for token_id, until in tokens] + [
            (self._account_key(account_id), f"{_micros(issued_until)}:{keep}".encode(), until)
            for account_id, keep, issued_until, until in accounts
        ]
        async with self._client.pipeline(transaction=False) as pipe:  # one round trip
            for key, value, until in entries:
                if (seconds := self._seconds_until(until)) > 0:
                    pipe.set(key, value, ex=seconds)
            pipe.set(self._filled_key, b"1", ex=fresh_for)
            with unavailable_when_down():
                await pipe.execute()

    @property
    def _filled_key(self) -> str:
        return f"{self._prefix}filled"

    async def _remember(self, key: str, value: bytes, until: datetime) -> None:
        if (seconds := self._seconds_until(until)) > 0:
            with unavailable_when_down():
                await self._client.set(key, value, ex=seconds)

    def _seconds_until(self, until: datetime) -> int:
        return math.ceil((until - self._clock.now()).total_seconds())

    def _token_key(self, token_id: str) -> str:
        return f"{self._prefix}{token_id}"

    def _account_key(self, account_id: UUID) -> str:
        return f"{self._prefix}account:{account_id.hex}"


def _revoked(principal: Principal, token: object, account: object) -> bool:
    if token is not None:
        return True
    if not isinstance(account, str | bytes):
        return False
    record = account if isinstance(account, str) else account.decode()
    issued_until, _, keep = record.partition(":")
    return principal.token_id != keep and _micros(principal.issued_at) <= int(issued_until)


def _micros(moment: datetime) -> int:
    """Exact, unlike a float timestamp: two moments compare as the clock gave them."""
    return (moment - _EPOCH) // timedelta(microseconds=1)
