"""Fixtures for integration tests that need a server of their own to take down."""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from commerce.entrypoints.stack.layout import Layout
from commerce.entrypoints.stack.redis import RedisServer
from commerce.entrypoints.stack.system import ensure_service_user
from tests.support import free_port, resumed


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test's own, so stopping it disturbs no other test."""
    base = Layout.from_environment()
    layout = replace(base, state_dir=base.state_dir / "tests" / uuid.uuid4().hex[:8])
    ensure_service_user(layout)
    server = RedisServer(layout, free_port())
    server.start()
    yield server
    resumed(server)  # a test that failed while the server was frozen
    server.stop()
    shutil.rmtree(layout.state_dir, ignore_errors=True)
