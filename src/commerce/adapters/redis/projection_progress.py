"""Projected event ids in Redis, one short-lived key per (read model, event)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from redis import Redis as SyncRedis
from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down

# Long enough for any client to come back with its token; the outbox, not Redis, is the record.
TTL_SECONDS = 3600


def progress_key(projection: str, event_id: UUID) -> str:
    return f"commerce:projected:{projection}:{event_id.hex}"


class RedisProjectionProgress:
    def __init__(self, client: Redis) -> None:
        self._client = client

    async def all_projected(self, projection: str, event_ids: Sequence[UUID]) -> bool:
        keys = [progress_key(projection, event_id) for event_id in event_ids]
        if not keys:
            return False
        with unavailable_when_down():
            return bool(await self._client.exists(*keys) == len(keys))

    async def mark_projected(self, projection: str, event_ids: Sequence[UUID]) -> None:
        with unavailable_when_down():
            async with self._client.pipeline(transaction=False) as pipe:
                for event_id in event_ids:
                    pipe.set(progress_key(projection, event_id), b"1", ex=TTL_SECONDS)
                await pipe.execute()


def mark_projected_sync(client: SyncRedis, projection: str, event_ids: Sequence[UUID]) -> None:
    """The worker's (thread-based) way of saying the same thing."""
    with unavailable_when_down(), client.pipeline(transaction=False) as pipe:
        for event_id in event_ids:
            pipe.set(progress_key(projection, event_id), b"1", ex=TTL_SECONDS)
        pipe.execute()
