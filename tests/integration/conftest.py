"""Fixtures for integration tests that need a server of their own to take down."""

import uuid
from collections.abc import Iterator

import pytest
from dramatiq.brokers.redis import RedisBroker

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.settings import Settings
from devstack.redis import RedisServer
from tests.event_log import event_log, event_log_runner
from tests.private_redis import private_redis
from tests.support import resumed

# The shared read model of tests/event_log.py, and its runners.
__all__ = ["event_log", "event_log_runner", "own_redis"]


@pytest.fixture
def broker(stack_settings: Settings) -> Iterator[RedisBroker]:
    """A Dramatiq broker on the shared Redis, in a namespace of this test's own."""
    broker = redis_broker(stack_settings.redis_url, namespace=f"test-{uuid.uuid4().hex[:8]}")
    yield broker
    broker.flush_all()
    broker.close()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test's own, so stopping it disturbs no other test."""
    with private_redis() as redis:
        yield redis.server
        resumed(redis.server)  # a test that failed while the server was frozen
