"""Read-your-writes: a command hands back the ids of the events it recorded; a query that
sends them back waits (bounded) until its read model has projected them."""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Sequence
from uuid import UUID

from commerce.ports.consistency import ProjectionProgress

_MAX_EVENTS = 64


def encode_token(event_ids: Sequence[UUID]) -> str:
    """Opaque to clients: the event ids, packed."""
    return base64.urlsafe_b64encode(b"".join(e.bytes for e in event_ids)).decode().rstrip("=")


def decode_token(token: str) -> list[UUID] | None:
    """None when the token is not one of ours (a client must not turn a query into an error,
    nor a stray header into a wait): strict base64, whole event ids."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) % 16 or len(raw) > 16 * _MAX_EVENTS:
        return None
    return [UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]


async def wait_until_projected(
    progress: ProjectionProgress,
    projection: str,
    token: str | None,
    time_limit: float,
    poll_every: float = 0.02,
) -> bool:
    """True once every event of the token is in the read model (or there is nothing to wait
    for); False if the time limit passed first: the caller answers anyway, marked stale."""
    event_ids = decode_token(token) if token else []
    if not event_ids:
        return True
    deadline = time.monotonic() + time_limit
    while True:
        try:
            if await progress.all_projected(projection, event_ids):
                return True
        except Exception:  # the progress store being down must not fail a read
            return False
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(poll_every)
