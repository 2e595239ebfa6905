"""The Redis clients (token revocation, sign-in throttle, projection progress), their bounds,
and their readiness check.

Every command is bounded: a Redis that stops answering costs a request at most
`COMMAND_TIMEOUT` before it becomes a `DependencyUnavailableError("redis")`, instead of
the library's default of 5 s per attempt. A connection found dropped (Redis restarted since it
was pooled) is retried once on a fresh one; a timeout is not retried, or the bound would
double.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry

from commerce.ports.health import DependencyUnavailableError

NAME = "redis"
# Commands here are single keys or a short script: sub-millisecond when Redis is well.
CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 1.0


def create_redis(redis_url: str) -> Redis:
    return Redis.from_url(
        redis_url, retry=Retry(NoBackoff(), 1, (RedisConnectionError,)), **_bounds()
    )


def create_sync_redis(redis_url: str) -> SyncRedis:
    """The same bounds for the projection workers' (thread-based) client."""
    return SyncRedis.from_url(
        redis_url, retry=SyncRetry(NoBackoff(), 1, (RedisConnectionError,)), **_bounds()
    )


def _bounds() -> dict[str, Any]:
    return {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": COMMAND_TIMEOUT}


@contextmanager
def unavailable_when_down() -> Iterator[None]:
    """Redis refusing, dropping or not answering is the port-level `DependencyUnavailableError`
    (a 503 for the caller); any other error is a bug and stays what it is."""
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as error:
        raise DependencyUnavailableError(NAME) from error


class RedisCheck:
    name = NAME

    def __init__(self, client: Redis) -> None:
        self._client = client

    async def check(self) -> None:
        try:
            await self._client.ping()
        except Exception as error:
            raise DependencyUnavailableError(self.name) from error
