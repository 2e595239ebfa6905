"""End-to-end tests run the real API process (`commerce serve`) over real HTTP."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from elasticsearch import Elasticsearch
from httpx import URL
from redis import Redis

from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from tests.databases import fresh_database
from tests.product_events import sample_catalog_events
from tests.support import TEST_JWT_SECRET, free_port


class Service(NamedTuple):
    url: str  # the API's
    database_url: str
    env: dict[str, str]  # the processes' environment: a test may start more of them
    relay_metrics: str  # the relay's /metrics URL
    worker_metrics: str  # the worker's


@contextmanager
def running_service(
    settings: Settings,
    redis_db: int,
    consistency_wait: float = 10,
    api_processes: int = 1,
    relay: bool = True,
) -> Iterator[Service]:
    """The whole service as separate processes (the API, an outbox relay unless `relay` is
    False, and a worker) with data of its own: a database, read models with a few products, and
    a Redis database (so sign-in throttling, revocations and Dramatiq queues never meet
    another's). Each process serves its metrics on a free port."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=30)
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    projection.project(client, sample_catalog_events())
    client.indices.refresh(index=projection.alias)
    redis_url = str(URL(settings.redis_url).copy_with(path=f"/{redis_db}"))
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    try:
        with fresh_database(settings) as database_url:
            yield from _processes(
                database_url, prefix, redis_url, consistency_wait, api_processes, relay
            )
    finally:
        redis.flushdb()
        redis.close()
        for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
            client.indices.delete(index=name)
        client.close()


@pytest.fixture(scope="session")
def service(stack_settings: Settings) -> Iterator[Service]:
    with running_service(stack_settings, redis_db=15) as running:
        yield running


@pytest.fixture(scope="session")
def api_url(service: Service) -> str:
    return service.url


@pytest.fixture(scope="session")
def fuzzed_api_url(stack_settings: Settings) -> Iterator[str]:
    """A service of its own for the schemathesis fuzz: what it creates (products, accounts,
    events to project) never changes what the other end-to-end tests see, nor delays it."""
    # A fuzzed `Consistency-Token` may name events that never happen: the query waits out the
    # bound, which must stay well inside the fuzzer's 10 s read timeout.
    with running_service(stack_settings, redis_db=13, consistency_wait=2) as running:
        yield running.url


def _processes(
    database_url: str,
    index_prefix: str,
    redis_url: str,
    consistency_wait: float,
    api_processes: int,
    relay: bool,
) -> Iterator[Service]:
    port, relay_port, worker_port = free_port(), free_port(), free_port()
    env = os.environ | {
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_REDIS_URL": redis_url,
        "COMMERCE_INDEX_PREFIX": index_prefix,
        "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
        "COMMERCE_LOG_LEVEL": "WARNING",
        # A bound, not a delay: generous so a slow CI machine does not answer `stale`.
        "COMMERCE_CONSISTENCY_WAIT": str(consistency_wait),
        "COMMERCE_WORKERS": str(api_processes),
        "COMMERCE_RELAY_METRICS_PORT": str(relay_port),
        "COMMERCE_WORKER_METRICS_PORT": str(worker_port),
    }
    commerce = str(Path(sys.executable).with_name("commerce"))
    processes = [subprocess.Popen([commerce, "worker", "--threads", "2"], env=env)]
    if relay:
        processes.append(subprocess.Popen([commerce, "relay"], env=env))
    api = subprocess.Popen([commerce, "serve", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health/live", api)
        yield Service(
            url,
            database_url,
            env,
            f"http://127.0.0.1:{relay_port}/metrics",
            f"http://127.0.0.1:{worker_port}/metrics",
        )
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
