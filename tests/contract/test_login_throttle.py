"""The login throttle's contract, held by the in-memory twin and by Redis alike."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.login_throttle import InMemoryLoginThrottle
from commerce.adapters.redis.login_throttle import RedisLoginThrottle
from commerce.ports.auth import LoginThrottle, ThrottlePolicy

POLICY = ThrottlePolicy(failures_per_email=3, failures_per_client=5, window_seconds=1)


@dataclass
class Throttled:
    throttle: LoginThrottle
    wait_out_the_window: Callable[[], Awaitable[None]]


@pytest.fixture(params=["memory", "redis"])
def throttled(request: pytest.FixtureRequest) -> Throttled:
    # Not async itself, so that it may ask for the async `redis` fixture only when needed.
    if request.param == "memory":
        clock = FixedClock()

        async def advance() -> None:
            clock.advance(timedelta(seconds=POLICY.window_seconds, milliseconds=100))

        return Throttled(InMemoryLoginThrottle(clock, POLICY), advance)
    client = request.getfixturevalue("redis")
    prefix = f"commerce-test:{uuid.uuid4().hex}:"

    async def sleep() -> None:
        await asyncio.sleep(POLICY.window_seconds + 0.1)

    return Throttled(RedisLoginThrottle(client, POLICY, prefix=prefix), sleep)


def email() -> str:
    return f"{uuid.uuid4().hex[:8]}@example.com"


async def fail(throttle: LoginThrottle, address: str, client: str, times: int) -> None:
    """Attempts that are admitted and never forgiven: wrong passwords."""
    for _ in range(times):
        assert await throttle.admit(address, client) == 0


async def test_an_email_is_locked_after_its_allowed_failures_for_the_rest_of_the_window(
    throttled: Throttled,
) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.1", POLICY.failures_per_email)

    assert 0 < await throttle.admit(ada, "10.0.0.1") <= POLICY.window_seconds
    # Locked for everyone: another address cannot keep guessing this email's password.
    assert await throttle.admit(ada, "10.0.0.2") > 0
    assert await throttle.admit(email(), "10.0.0.2") == 0


async def test_concurrent_attempts_are_admitted_no_more_than_the_allowed_number(
    throttled: Throttled,
) -> None:
    throttle, ada = throttled.throttle, email()

    waits = await asyncio.gather(*(throttle.admit(ada, f"10.1.0.{n}") for n in range(10)))

    assert waits.count(0) == POLICY.failures_per_email


async def test_one_client_guessing_across_many_emails_is_locked_for_every_email(
    throttled: Throttled,
) -> None:
    throttle = throttled.throttle
    for _ in range(POLICY.failures_per_client):
        await fail(throttle, email(), "10.0.0.3", 1)

    assert await throttle.admit(email(), "10.0.0.3") > 0
    assert await throttle.admit(email(), "10.0.0.4") == 0


async def test_a_refused_attempt_is_not_counted(throttled: Throttled) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.9", POLICY.failures_per_email)
    for _ in range(POLICY.failures_per_client):
        assert await throttle.admit(ada, "10.0.0.9") > 0

    # Only the admitted attempts count against the client.
    left = POLICY.failures_per_client - POLICY.failures_per_email
    await fail(throttle, email(), "10.0.0.9", left)
    assert await throttle.admit(email(), "10.0.0.9") > 0


async def test_forgiving_clears_the_emails_failures_and_gives_the_client_back_that_attempt(
    throttled: Throttled,
) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.5", POLICY.failures_per_email - 1)
    assert await throttle.admit(ada, "10.0.0.5") == 0  # the right password, this time
    await throttle.forgive(ada, "10.0.0.5")
    assert await throttle.admit(ada, "10.0.0.6") == 0
    await throttle.forgive(ada, "10.0.0.6")

    # The client keeps its earlier failures, but not the two successful attempts.
    await fail(
        throttle, email(), "10.0.0.5", POLICY.failures_per_client - (POLICY.failures_per_email - 1)
    )
    assert await throttle.admit(email(), "10.0.0.5") > 0
    assert await throttle.admit(email(), "10.0.0.6") == 0


async def test_the_lock_lifts_when_the_window_ends(throttled: Throttled) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.7", POLICY.failures_per_email)
    assert await throttle.admit(ada, "10.0.0.7") > 0

    await throttled.wait_out_the_window()

    await fail(throttle, ada, "10.0.0.7", POLICY.failures_per_email)  # a new window
    assert await throttle.admit(ada, "10.0.0.7") > 0
