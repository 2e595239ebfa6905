"""End-to-end tests run the real API process (`commerce serve`) over real HTTP."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch
from httpx import URL
from redis import Redis

from commerce.settings import Settings
from projections.products import products_projection
from tests.databases import fresh_database
from tests.product_events import sample_catalog_events
from tests.support import TEST_JWT_SECRET, free_port


@pytest.fixture(scope="session")
def index_prefix(stack_settings: Settings) -> Iterator[str]:
    """Read models of this session's own, with a few products so searches return items."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    projection = products_projection(prefix)
    projection.ensure_index(client)
    projection.project(client, sample_catalog_events())
    client.indices.refresh(index=projection.alias)
    yield prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(scope="session")
def redis_url(stack_settings: Settings) -> Iterator[str]:
    """A Redis database of the session's own: sign-in throttling, revocations and Dramatiq
    queues of these processes never meet another session's or `make run`'s."""
    url = str(URL(stack_settings.redis_url).copy_with(path="/15"))
    client = Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def e2e_database_url(stack_settings: Settings) -> Iterator[str]:
    """The processes' own database: their relay must not claim the outbox rows that the
    in-process tests of the same session write and assert on."""
    with fresh_database(stack_settings) as url:
        yield url


@pytest.fixture(scope="session")
def api_url(e2e_database_url: str, index_prefix: str, redis_url: str) -> Iterator[str]:
    """The whole service as separate processes: the API, an outbox relay and a worker."""
    port = free_port()
    env = os.environ | {
        "COMMERCE_DATABASE_URL": e2e_database_url,
        "COMMERCE_REDIS_URL": redis_url,
        "COMMERCE_INDEX_PREFIX": index_prefix,
        "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
        "COMMERCE_LOG_LEVEL": "WARNING",
        # A bound, not a delay: generous so a slow CI machine does not answer `stale`.
        "COMMERCE_CONSISTENCY_WAIT": "10",
    }
    commerce = str(Path(sys.executable).with_name("commerce"))
    processes = [
        subprocess.Popen([commerce, "relay"], env=env),
        subprocess.Popen([commerce, "worker", "--threads", "2"], env=env),
    ]
    api = subprocess.Popen([commerce, "serve", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health/live", api)
        yield url
    finally:
        for process in [api, *processes]:
            process.terminate()
        for process in [api, *processes]:
            process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the API exited with {process.returncode} while starting")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the API did not answer {url} within {timeout} s")
