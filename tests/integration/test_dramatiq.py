"""A Dramatiq message travels through the real Redis from a producer to a worker."""

import threading
import uuid
from collections.abc import Iterator

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.settings import Settings


@pytest.fixture
def broker(stack_settings: Settings) -> Iterator[RedisBroker]:
    broker = redis_broker(stack_settings.redis_url, namespace=f"test-{uuid.uuid4().hex[:8]}")
    yield broker
    broker.flush_all()
    broker.close()


def test_a_message_enqueued_while_no_worker_runs_is_consumed_once_one_starts(
    broker: RedisBroker,
) -> None:
    received: list[str] = []
    done = threading.Event()

    @dramatiq.actor(broker=broker, queue_name="greetings", max_retries=0)
    def greet(name: str) -> None:
        received.append(name)
        done.set()

    greet.send("Ada")
    assert broker.client.llen(f"{broker.namespace}:greetings") == 1  # waiting in Redis

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        assert done.wait(timeout=10), "the worker did not receive the message"
    finally:
        worker.stop()

    assert received == ["Ada"]
