"""Is the service ready to take traffic? Every dependency is asked at once, each with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import msgspec

from commerce.ports.health import DependencyCheck


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
