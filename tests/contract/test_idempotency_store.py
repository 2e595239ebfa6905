"""The idempotency store's contract, held by the in-memory twin and by PostgreSQL alike."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from commerce.adapters.memory.idempotency import InMemoryIdempotencyStore
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.idempotency import PostgresIdempotencyStore
from commerce.ports.idempotency import (
    LEASE,
    IdempotencyKeyReusedError,
    IdempotencyStore,
    RequestInFlightError,
    StoredResponse,
    derived_id,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ADA, BOB = "account-ada", "account-bob"
CREATED = StoredResponse(
    status=201,
    body=b'{"id": "o-1"}',
    media_type="application/json",
    headers={"Location": "/v1/orders/o-1", "Consistency-Token": "t-1"},
)


@pytest.fixture(params=["memory", "postgres"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[IdempotencyStore]:
    if request.param == "memory":
        yield InMemoryIdempotencyStore()
        return
    engine = create_engine(request.getfixturevalue("database_url"))
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM idempotency_keys")
        yield PostgresIdempotencyStore(engine)
    finally:
        await engine.dispose()


async def test_the_first_claim_of_a_key_makes_the_caller_its_owner(
    store: IdempotencyStore,
) -> None:
    assert await store.claim(ADA, "k-1", "fp-1", NOW) is None


async def test_a_key_completed_once_replays_the_stored_response(store: IdempotencyStore) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)
    await store.complete(ADA, "k-1", CREATED, NOW)

    assert await store.claim(ADA, "k-1", "fp-1", NOW + timedelta(seconds=1)) == CREATED
    # Long after the lease, still the same answer: a completed key is never run again.
    assert await store.claim(ADA, "k-1", "fp-1", NOW + timedelta(hours=23)) == CREATED


async def test_a_key_used_with_a_different_request_is_refused_as_invalid(
    store: IdempotencyStore,
) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)

    with pytest.raises(IdempotencyKeyReusedError) as in_flight:
        await store.claim(ADA, "k-1", "fp-2", NOW)
    await store.complete(ADA, "k-1", CREATED, NOW)
    with pytest.raises(IdempotencyKeyReusedError) as completed:
        await store.claim(ADA, "k-1", "fp-2", NOW)

    assert in_flight.value.field == completed.value.field == "Idempotency-Key"
    assert "different request" in completed.value.message


async def test_a_key_still_in_flight_is_a_conflict(store: IdempotencyStore) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)

    with pytest.raises(RequestInFlightError) as error:
        await store.claim(ADA, "k-1", "fp-1", NOW + LEASE - timedelta(seconds=1))

    assert error.value.code == "request_in_flight"


async def test_a_claim_whose_lease_ran_out_is_taken_over_and_leased_again(
    store: IdempotencyStore,
) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)
    later = NOW + LEASE + timedelta(seconds=1)

    assert await store.claim(ADA, "k-1", "fp-1", later) is None
    with pytest.raises(RequestInFlightError):
        await store.claim(ADA, "k-1", "fp-1", later + timedelta(seconds=1))


async def test_a_released_key_may_be_claimed_again_at_once_even_with_another_request(
    store: IdempotencyStore,
) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)

    await store.release(ADA, "k-1")

    assert await store.claim(ADA, "k-1", "fp-2", NOW) is None


async def test_releasing_a_completed_key_keeps_its_response(store: IdempotencyStore) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)
    await store.complete(ADA, "k-1", CREATED, NOW)

    await store.release(ADA, "k-1")

    assert await store.claim(ADA, "k-1", "fp-1", NOW) == CREATED


async def test_the_same_key_of_two_callers_names_two_requests(store: IdempotencyStore) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)
    await store.complete(ADA, "k-1", CREATED, NOW)

    assert await store.claim(BOB, "k-1", "fp-other", NOW) is None
    assert await store.claim(ADA, "k-1", "fp-1", NOW) == CREATED


async def test_of_twenty_concurrent_claims_of_a_fresh_key_exactly_one_owns_it(
    store: IdempotencyStore,
) -> None:
    async def claim() -> str:
        try:
            return "owner" if await store.claim(ADA, "k-1", "fp-1", NOW) is None else "replay"
        except RequestInFlightError:
            return "in flight"

    outcomes = await asyncio.gather(*(claim() for _ in range(20)))

    assert sorted(outcomes) == ["in flight"] * 19 + ["owner"]


async def test_of_concurrent_takeovers_of_an_abandoned_key_exactly_one_owns_it(
    store: IdempotencyStore,
) -> None:
    await store.claim(ADA, "k-1", "fp-1", NOW)
    later = NOW + LEASE + timedelta(seconds=1)

    async def claim() -> str:
        try:
            return "owner" if await store.claim(ADA, "k-1", "fp-1", later) is None else "replay"
        except RequestInFlightError:
            return "in flight"

    outcomes = await asyncio.gather(*(claim() for _ in range(20)))

    assert sorted(outcomes) == ["in flight"] * 19 + ["owner"]


async def test_purging_forgets_old_completed_and_abandoned_keys_but_not_fresh_ones(
    store: IdempotencyStore,
) -> None:
    day = timedelta(hours=24)
    await store.claim(ADA, "old", "fp", NOW)
    await store.complete(ADA, "old", CREATED, NOW)
    await store.claim(ADA, "abandoned", "fp", NOW)
    await store.claim(ADA, "fresh", "fp", NOW + day)
    await store.complete(ADA, "fresh", CREATED, NOW + day)
    await store.claim(ADA, "running", "fp", NOW + day)

    assert await store.purge(NOW + day - timedelta(seconds=1)) == 2

    assert await store.claim(ADA, "old", "fp-new", NOW + day) is None
    assert await store.claim(ADA, "abandoned", "fp-new", NOW + day) is None
    assert await store.claim(ADA, "fresh", "fp", NOW + day) == CREATED
    with pytest.raises(RequestInFlightError):
        await store.claim(ADA, "running", "fp", NOW + day)


def test_a_derived_id_depends_on_the_caller_the_key_and_the_purpose_only() -> None:
    order = derived_id(ADA, "k-1", "order")

    assert derived_id(ADA, "k-1", "order") == order
    assert len({order, derived_id(BOB, "k-1", "order"), derived_id(ADA, "k-1", "payment")}) == 3
    assert derived_id("a", "b\x00c", "d") != derived_id("a", "b", "c\x00d")
