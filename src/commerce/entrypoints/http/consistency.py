"""Read-your-writes on queries: honour a `Consistency-Token` request header."""

from __future__ import annotations

from typing import Any

from litestar import Request

from commerce.application.consistency import wait_until_projected
from commerce.ports.consistency import ProjectionProgress
from commerce.settings import Settings

TOKEN_HEADER = "Consistency-Token"  # noqa: S105 (a header name, not a secret)


async def consistency_headers(
    request: Request[Any, Any, Any],
    projection: str,
    progress: ProjectionProgress,
    settings: Settings,
) -> dict[str, str]:
    """Wait (bounded) until the token's events are in `projection`; `Consistency: stale` in the
    response when they are not in time. No token, no wait."""
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        return {}
    caught_up = await wait_until_projected(progress, projection, token, settings.consistency_wait)
    return {} if caught_up else {"Consistency": "stale"}
