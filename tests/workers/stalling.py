"""A Dramatiq worker module for the crash test: its event-log actor takes a batch, says so in
Redis, and hangs until the test kills the process (a worker dying mid-batch)."""

import os
import time

import dramatiq
from redis import Redis

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.routing import actor_name, queue_name

broker = redis_broker(os.environ["COMMERCE_REDIS_URL"], namespace=os.environ["TEST_NAMESPACE"])
dramatiq.set_broker(broker)
_redis = Redis.from_url(os.environ["COMMERCE_REDIS_URL"])


@dramatiq.actor(actor_name=actor_name("eventlog"), queue_name=queue_name("eventlog"))
def take_and_hang(
    batch: list[dict[str, object]],
    batch_id: int | None = None,
    trace_context: dict[str, str] | None = None,
) -> None:
    _redis.set(f"{os.environ['TEST_NAMESPACE']}:taken", len(batch))
    time.sleep(3600)
