"""The password hasher's contract, held by the in-memory twin and by argon2id alike; and what
only argon2id promises: its parameters, and that it never blocks the event loop."""

import asyncio
import statistics
import time

import pytest

from commerce.adapters.memory.passwords import InMemoryPasswordHasher
from commerce.adapters.security.argon2_hasher import Argon2PasswordHasher
from commerce.ports.auth import PasswordHasher

PASSWORD = "correct horse battery staple"


@pytest.fixture(params=["memory", "argon2"])
def hasher(request: pytest.FixtureRequest) -> PasswordHasher:
    return InMemoryPasswordHasher() if request.param == "memory" else Argon2PasswordHasher()


async def test_a_hash_verifies_its_own_password_and_no_other(hasher: PasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert await hasher.verify(password_hash, PASSWORD)
    assert not await hasher.verify(password_hash, PASSWORD.upper())
    assert not await hasher.verify(password_hash, "")


async def test_hashes_are_salted_and_never_contain_the_password(hasher: PasswordHasher) -> None:
    first, second = await hasher.hash(PASSWORD), await hasher.hash(PASSWORD)

    assert first != second
    assert PASSWORD not in first


async def test_no_hash_and_a_malformed_hash_never_verify(hasher: PasswordHasher) -> None:
    assert not await hasher.verify(None, PASSWORD)
    assert not await hasher.verify("not a hash at all", PASSWORD)


async def test_argon2_hashes_are_argon2id_with_19_mib_and_2_iterations() -> None:
    password_hash = await Argon2PasswordHasher().hash(PASSWORD)

    assert password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


async def test_argon2_work_runs_off_the_event_loop() -> None:
    hasher = Argon2PasswordHasher(max_concurrent=2)
    started = time.perf_counter()
    password_hash = await hasher.hash(PASSWORD)
    one_hash = time.perf_counter() - started
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.gather(*(hasher.verify(password_hash, PASSWORD) for _ in range(6)))
    await asyncio.gather(hasher.verify(None, PASSWORD), hasher.hash(PASSWORD))
    ticker.cancel()

    # Run on the loop, each hash would hold it for about `one_hash` (the ticks would be that
    # far apart); in threads it keeps ticking every millisecond or so. On a busy machine one
    # tick may come late, so the bound is a whole hash, and most ticks must be prompt.
    assert gaps
    assert statistics.median(gaps) < one_hash / 4
    assert max(gaps) < one_hash
