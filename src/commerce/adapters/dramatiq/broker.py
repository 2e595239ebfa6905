"""The Dramatiq broker on Redis."""

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from redis import Redis as SyncRedis

from commerce.adapters.dramatiq.encoder import MsgspecJSONEncoder

# A worker that stops sending heartbeats for this long is presumed dead and its unacknowledged
# messages go back to the queue (Dramatiq's default is a full minute).
HEARTBEAT_TIMEOUT_MS = 10_000
# Out of a million broker commands, how many also run that recovery (default: 1000).
MAINTENANCE_CHANCE = 50_000


def redis_broker(
    redis_url: str, namespace: str = "commerce", client: SyncRedis | None = None
) -> RedisBroker:
    """`client`: one of our own (bounded, adapters/redis/client.py) for a caller that must not
    hang on a Redis that stops answering (`commerce ops status`)."""
    dramatiq.set_encoder(MsgspecJSONEncoder())  # process-wide in Dramatiq
    # Redis only carries messages; the outbox keeps them until a worker acknowledges, so the
    # broker's own durability settings are not relied on.
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=redis_url,
        namespace=namespace,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
        client=client,
    )
