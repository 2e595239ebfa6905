"""Read-your-writes on queries: honour a `Consistency-Token` request header."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter

from commerce.application.consistency import wait_until_projected
from commerce.ports.consistency import ProjectionProgress

ConsistencyToken = Annotated[
    str | None,
    HeaderParameter(
        name="Consistency-Token",
        description="The `Consistency-Token` of a command response: the answer waits (at most "
        "COMMERCE_CONSISTENCY_WAIT seconds) until it reflects that write, and says "
        "`Consistency: stale` if it could not.",
        max_length=2000,
    ),
]


async def consistency_headers(
    token: str | None, projection: str, progress: ProjectionProgress, time_limit: float
) -> dict[str, str]:
    """Wait (bounded) until the token's events are in `projection`; `Consistency: stale` in the
    response when they are not in time. No token, no wait."""
    if not token:
        return {}
    caught_up = await wait_until_projected(progress, projection, token, time_limit)
    return {} if caught_up else {"Consistency": "stale"}
