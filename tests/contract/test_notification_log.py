"""The sent-log's contract, held by the in-memory twin and by PostgreSQL alike."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from commerce.adapters.memory.notification_log import InMemoryNotificationLog
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.notification_log import PostgresNotificationLog
from commerce.ports.notification_log import Claim, NotificationLog

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
ADA = uuid.UUID("00000000-0000-4000-8000-00000000000a")


@pytest.fixture(params=["memory", "postgres"])
async def log(request: pytest.FixtureRequest) -> AsyncIterator[NotificationLog]:
    if request.param == "memory":
        yield InMemoryNotificationLog()
        return
    engine = create_engine(request.getfixturevalue("database_url"))
    try:
        yield PostgresNotificationLog(engine)
    finally:
        await engine.dispose()


async def test_the_first_claim_is_taken_and_a_second_one_meanwhile_is_held(
    log: NotificationLog,
) -> None:
    event = uuid.uuid4()

    assert await log.claim(event, ADA, now=NOW, lease=LEASE) is Claim.TAKEN
    assert await log.claim(event, ADA, now=NOW + timedelta(seconds=59), lease=LEASE) is Claim.HELD


async def test_once_marked_sent_a_notification_is_never_claimed_again(
    log: NotificationLog,
) -> None:
    event = uuid.uuid4()
    await log.claim(event, ADA, now=NOW, lease=LEASE)
    await log.mark_sent(event, ADA, now=NOW)

    assert await log.claim(event, ADA, now=NOW, lease=LEASE) is Claim.SENT
    assert await log.claim(event, ADA, now=NOW + timedelta(days=3), lease=LEASE) is Claim.SENT


async def test_a_claim_left_by_a_sender_that_died_is_taken_over_once_its_lease_ran_out(
    log: NotificationLog,
) -> None:
    event = uuid.uuid4()
    await log.claim(event, ADA, now=NOW, lease=LEASE)

    assert await log.claim(event, ADA, now=NOW + LEASE, lease=LEASE) is Claim.TAKEN


async def test_a_released_claim_may_be_taken_at_once(log: NotificationLog) -> None:
    event = uuid.uuid4()
    await log.claim(event, ADA, now=NOW, lease=LEASE)
    await log.release(event, ADA)

    assert await log.claim(event, ADA, now=NOW, lease=LEASE) is Claim.TAKEN


async def test_each_recipient_of_an_event_is_claimed_on_its_own(log: NotificationLog) -> None:
    event = uuid.uuid4()
    await log.claim(event, ADA, now=NOW, lease=LEASE)

    assert await log.claim(event, uuid.uuid4(), now=NOW, lease=LEASE) is Claim.TAKEN


async def test_of_senders_racing_for_one_notification_exactly_one_takes_it(
    log: NotificationLog,
) -> None:
    event = uuid.uuid4()

    claims = await asyncio.gather(*(log.claim(event, ADA, now=NOW, lease=LEASE) for _ in range(8)))

    assert sorted(claims) == sorted([Claim.TAKEN] + [Claim.HELD] * 7)
