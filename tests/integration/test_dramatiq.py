"""A Dramatiq message travels through the real Redis from a producer to a worker."""

import threading

import dramatiq
from dramatiq.brokers.redis import RedisBroker


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
