"""The asyncio Redis client (token revocation, rate limits) and its readiness check."""

from redis.asyncio import Redis

from commerce.ports.health import DependencyUnavailableError


def create_redis(redis_url: str) -> Redis:
    return Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)


class RedisCheck:
    name = "redis"

    def __init__(self, client: Redis) -> None:
        self._client = client

    async def check(self) -> None:
        try:
            await self._client.ping()
        except Exception as error:
            raise DependencyUnavailableError(self.name) from error
