"""Is the service ready to take traffic? Every dependency is asked at once, each with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import msgspec

from commerce.ports.health import DependencyCheck, DependencyUnavailableError, PipelineLiveness


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, str]  # dependency name -> "up" | "down"

    @property
    def down(self) -> list[str]:
        return [name for name, state in self.checks.items() if state != "up"]


async def check_readiness(checks: Sequence[DependencyCheck], time_limit: float) -> Readiness:
    results = await asyncio.gather(*(_probe(check, time_limit) for check in checks))
    states = {check.name: "up" if ok else "down" for check, ok in zip(checks, results, strict=True)}
    return Readiness(ready=all(results), checks=states)


async def _probe(check: DependencyCheck, time_limit: float) -> bool:
    try:
        async with asyncio.timeout(time_limit):
            await check.check()
    except Exception:  # any failure to answer in time means "not ready", whatever the driver raised
        return False
    return True


class PipelineHealth(msgspec.Struct, frozen=True):
    alive: bool
    processes: dict[str, int]  # role -> processes alive

    @property
    def missing(self) -> list[str]:
        return [role for role, count in self.processes.items() if not count]


async def check_pipeline(liveness: PipelineLiveness) -> PipelineHealth:
    """Alive when at least one relay and one worker beat lately: with none, commands still
    succeed but their events wait in the outbox or in Redis, and nothing reaches the read
    models. Heartbeats that cannot be read count as no process."""
    try:
        processes = await liveness.alive()
    except DependencyUnavailableError:
        processes = {"relay": 0, "worker": 0}
    return PipelineHealth(alive=all(processes.values()), processes=processes)
