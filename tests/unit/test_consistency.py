"""Consistency tokens: opaque, bounded, and never a reason for a query to fail."""

import asyncio
import uuid

from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.application.consistency import decode_token, encode_token, wait_until_projected


def test_a_token_carries_the_event_ids_of_the_command() -> None:
    event_ids = [uuid.uuid4() for _ in range(3)]

    assert decode_token(encode_token(event_ids)) == event_ids


def test_a_token_that_is_not_ours_is_ignored_rather_than_an_error() -> None:
    assert decode_token("not a token!") is None
    assert decode_token("AAAA") is None
    assert decode_token(encode_token([uuid.uuid4() for _ in range(65)])) is None


def test_a_stray_header_is_not_read_as_event_ids_so_it_never_makes_a_query_wait() -> None:
    """Lenient base64 would skip the characters it does not know and find 16 bytes here."""
    token = encode_token([uuid.uuid4()])

    assert decode_token(f"{token[:5]} {token[5:10]}!{token[10:15]}!!{token[15:]}") is None


async def test_a_query_waits_until_every_event_is_projected() -> None:
    progress = InMemoryProjectionProgress()
    first, second = uuid.uuid4(), uuid.uuid4()

    async def project_later() -> None:
        await progress.mark_projected("products", [first])
        await asyncio.sleep(0.05)
        await progress.mark_projected("products", [second])

    waiting = asyncio.create_task(
        wait_until_projected(progress, "products", encode_token([first, second]), 2)
    )
    await project_later()

    assert await waiting


async def test_a_query_gives_up_after_the_bound_and_says_it_is_stale() -> None:
    progress = InMemoryProjectionProgress()
    event_id = uuid.uuid4()
    await progress.mark_projected("orders", [event_id])  # another read model has it

    assert not await wait_until_projected(progress, "products", encode_token([event_id]), 0.05)


async def test_without_a_token_nothing_is_awaited() -> None:
    assert await wait_until_projected(InMemoryProjectionProgress(), "products", None, 0)
