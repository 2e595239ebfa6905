"""Heartbeats of the pipeline's processes: each relay and worker process keeps a Redis key
`commerce:heartbeat:<role>:<host>:<pid>` alive, renewed every `BEAT_EVERY` seconds with a TTL of
`BEAT_TTL`. A process that dies (even by kill -9) stops renewing and its key expires: the count
of keys per role is the number of processes alive, with no record to clean up.

`BEAT_TTL` is three beats, so one slow Redis round trip is not a death; it is also longer than
the worst restart back-off of `commerce dev` before it gives up doubling, so a supervised
process that is being restarted does not flap the pipeline's health.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

from redis import Redis as SyncRedis
from redis.asyncio import Redis

from commerce.adapters.redis.client import unavailable_when_down

PREFIX = "commerce:heartbeat:"
ROLES = ("relay", "worker")
BEAT_EVERY = 5.0
BEAT_TTL = 15


def instance() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(redis: SyncRedis, role: str) -> None:
    redis.set(f"{PREFIX}{role}:{instance()}", "alive", ex=BEAT_TTL)


def beat_in_background(redis: SyncRedis, role: str, stop: threading.Event) -> threading.Thread:
    """A daemon thread that beats until `stop` is set; a failed beat is retried at the next."""

    def loop() -> None:
        while True:
            # Redis down: no beat, which is just what the pipeline's health then reports.
            with contextlib.suppress(Exception):
                beat(redis, role)
            if stop.wait(BEAT_EVERY):
                return

    thread = threading.Thread(target=loop, name=f"{role}-heartbeat", daemon=True)
    thread.start()
    return thread


class RedisPipelineLiveness:
    """The `PipelineLiveness` port read from the heartbeat keys."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def alive(self) -> dict[str, int]:
        counts = dict.fromkeys(ROLES, 0)
        with unavailable_when_down():
            async for key in self._redis.scan_iter(match=f"{PREFIX}*", count=1000):
                role = key.decode().removeprefix(PREFIX).split(":", 1)[0]
                if role in counts:
                    counts[role] += 1
        return counts
