"""The token revocations' contract, held by the in-memory twin and by Redis alike."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.postgres.revocations import PostgresTokenRevocations
from commerce.adapters.redis.revocations import RedisTokenRevocations
from commerce.adapters.token_revocations import CachedTokenRevocations
from commerce.ports.auth import Principal, TokenRevocations

LIFETIME = 1  # seconds: how long any token lives, so the tests can outlive one


@dataclass
class Revocations:
    revocations: TokenRevocations
    clock: FixedClock
    outlive_every_token: Callable[[], Awaitable[None]]

    def token(self, account_id: UUID, issued_ago: timedelta = timedelta()) -> Principal:
        issued_at = self.clock.now() - issued_ago
        return Principal(
            account_id=account_id,
            roles=frozenset({"customer"}),
            token_id=uuid.uuid4().hex,
            issued_at=issued_at,
            expires_at=issued_at + timedelta(seconds=LIFETIME),
        )


@pytest.fixture(params=["memory", "redis", "postgres", "postgres+redis"])
def revoked(request: pytest.FixtureRequest) -> Revocations:
    clock = FixedClock()

    async def advance() -> None:
        clock.advance(timedelta(seconds=LIFETIME, milliseconds=100))

    async def advance_and_sleep() -> None:  # Redis expires keys by its own clock
        await advance()
        await asyncio.sleep(LIFETIME + 0.1)

    if request.param == "memory":
        return Revocations(InMemoryTokenRevocations(clock, LIFETIME), clock, advance)
    record = PostgresTokenRevocations(request.getfixturevalue("engine"), clock, LIFETIME)
    if request.param == "postgres":
        return Revocations(record, clock, advance)
    prefix = f"commerce-test:{uuid.uuid4().hex}:"
    cache = RedisTokenRevocations(request.getfixturevalue("redis"), clock, LIFETIME, prefix)
    if request.param == "redis":
        return Revocations(cache, clock, advance_and_sleep)
    return Revocations(CachedTokenRevocations(record, cache), clock, advance_and_sleep)


async def test_a_revoked_token_is_refused_and_no_other(revoked: Revocations) -> None:
    account = uuid.uuid4()
    signed_out, other = revoked.token(account), revoked.token(account)

    await revoked.revocations.revoke(signed_out.token_id, signed_out.expires_at)

    assert await revoked.revocations.is_revoked(signed_out)
    assert not await revoked.revocations.is_revoked(other)


async def test_revoking_the_others_spares_the_kept_token_later_tokens_and_other_accounts(
    revoked: Revocations,
) -> None:
    account = uuid.uuid4()
    kept, older = revoked.token(account), revoked.token(account, timedelta(milliseconds=300))
    same_moment, elsewhere = revoked.token(account), revoked.token(uuid.uuid4())

    await revoked.revocations.revoke_others(account, kept.token_id, revoked.clock.now())
    revoked.clock.advance(timedelta(microseconds=1))
    later = revoked.token(account)

    assert await revoked.revocations.is_revoked(older)
    assert await revoked.revocations.is_revoked(same_moment)
    assert not await revoked.revocations.is_revoked(kept)
    assert not await revoked.revocations.is_revoked(later)
    assert not await revoked.revocations.is_revoked(elsewhere)


async def test_a_later_revocation_of_the_others_replaces_the_earlier_one(
    revoked: Revocations,
) -> None:
    account = uuid.uuid4()
    first = revoked.token(account)
    await revoked.revocations.revoke_others(account, first.token_id, revoked.clock.now())
    revoked.clock.advance(timedelta(milliseconds=100))
    second = revoked.token(account)

    await revoked.revocations.revoke_others(account, second.token_id, revoked.clock.now())

    assert await revoked.revocations.is_revoked(first)
    assert not await revoked.revocations.is_revoked(second)


async def test_revocations_are_forgotten_once_their_tokens_have_expired(
    revoked: Revocations,
) -> None:
    account = uuid.uuid4()
    signed_out, other = revoked.token(account), revoked.token(account)
    await revoked.revocations.revoke(signed_out.token_id, signed_out.expires_at)
    await revoked.revocations.revoke_others(account, signed_out.token_id, revoked.clock.now())

    await revoked.outlive_every_token()

    # Nothing is kept for tokens that are refused as expired anyway.
    assert not await revoked.revocations.is_revoked(signed_out)
    assert not await revoked.revocations.is_revoked(other)
