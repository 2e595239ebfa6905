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
    for _ in range(times):
        await throttle.record_failure(address, client)


async def test_an_email_is_locked_after_its_allowed_failures_for_the_rest_of_the_window(
    throttled: Throttled,
) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.1", POLICY.failures_per_email - 1)
    assert await throttle.retry_after(ada, "10.0.0.1") == 0

    await fail(throttle, ada, "10.0.0.1", 1)

    assert 0 < await throttle.retry_after(ada, "10.0.0.1") <= POLICY.window_seconds
    # Locked for everyone: another address cannot keep guessing this email's password.
    assert await throttle.retry_after(ada, "10.0.0.2") > 0
    assert await throttle.retry_after(email(), "10.0.0.2") == 0


async def test_one_client_guessing_across_many_emails_is_locked_for_every_email(
    throttled: Throttled,
) -> None:
    throttle = throttled.throttle
    for _ in range(POLICY.failures_per_client):
        await throttle.record_failure(email(), "10.0.0.3")

    assert await throttle.retry_after(email(), "10.0.0.3") > 0
    assert await throttle.retry_after(email(), "10.0.0.4") == 0


async def test_forgiving_an_email_clears_its_failures_but_not_the_clients(
    throttled: Throttled,
) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.5", POLICY.failures_per_email)
    await throttle.forgive(ada)
    assert await throttle.retry_after(ada, "10.0.0.6") == 0

    await fail(throttle, ada, "10.0.0.5", POLICY.failures_per_client - POLICY.failures_per_email)

    assert await throttle.retry_after(email(), "10.0.0.5") > 0


async def test_the_lock_lifts_when_the_window_ends(throttled: Throttled) -> None:
    throttle, ada = throttled.throttle, email()
    await fail(throttle, ada, "10.0.0.7", POLICY.failures_per_client)
    assert await throttle.retry_after(ada, "10.0.0.7") > 0

    await throttled.wait_out_the_window()

    assert await throttle.retry_after(ada, "10.0.0.7") == 0
    await throttle.record_failure(ada, "10.0.0.7")
    assert await throttle.retry_after(ada, "10.0.0.7") == 0  # a new window, counted from one
