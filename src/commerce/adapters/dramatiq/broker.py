"""The Dramatiq broker on Redis."""

from dramatiq.brokers.redis import RedisBroker


def redis_broker(redis_url: str, namespace: str = "commerce") -> RedisBroker:
    # Redis only carries messages; the outbox keeps them until a worker acknowledges, so the
    # broker's own durability settings are not relied on.
    return RedisBroker(url=redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
