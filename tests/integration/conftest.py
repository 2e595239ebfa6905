"""Fixtures for integration tests that need a server of their own to take down."""

from collections.abc import Iterator

import pytest

from devstack.redis import RedisServer
from tests.event_log import event_log
from tests.private_redis import private_redis
from tests.support import resumed

__all__ = ["event_log", "own_redis"]  # event_log: the shared read model of tests/event_log.py


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test's own, so stopping it disturbs no other test."""
    with private_redis() as redis:
        yield redis.server
        resumed(redis.server)  # a test that failed while the server was frozen
