import asyncio

from commerce.adapters.memory.health import InMemoryDependencyCheck
from commerce.application.readiness import check_readiness


class HangingCheck:
    name = "elasticsearch"

    async def check(self) -> None:
        await asyncio.sleep(60)


async def test_ready_when_every_dependency_answers() -> None:
    checks = [InMemoryDependencyCheck("postgres"), InMemoryDependencyCheck("redis")]

    readiness = await check_readiness(checks, time_limit=1)

    assert readiness.ready
    assert readiness.checks == {"postgres": "up", "redis": "up"}


async def test_not_ready_names_exactly_the_dependency_that_is_down() -> None:
    checks = [InMemoryDependencyCheck("postgres"), InMemoryDependencyCheck("redis", up=False)]

    readiness = await check_readiness(checks, time_limit=1)

    assert not readiness.ready
    assert readiness.down == ["redis"]


async def test_a_dependency_that_hangs_counts_as_down_once_the_time_limit_passes() -> None:
    checks = [InMemoryDependencyCheck("postgres"), HangingCheck()]

    readiness = await asyncio.wait_for(check_readiness(checks, time_limit=0.05), timeout=5)

    assert readiness.down == ["elasticsearch"]
