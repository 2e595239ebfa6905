"""End-to-end tests run the real API process (`commerce serve`) over real HTTP."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, NamedTuple

import httpx
import pytest
from elasticsearch import Elasticsearch
from httpx import URL
from redis import Redis

from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from tests.databases import fresh_database
from tests.mail_sink import MailSink, private_mail_sink
from tests.product_events import sample_catalog_events
from tests.support import TEST_JWT_SECRET, free_port


class Service(NamedTuple):
    url: str  # the API's
    database_url: str
    mail: MailSink  # where its emails land
    env: dict[str, str]  # the processes' environment: a test may start more of them
    relay_metrics: str  # the relay's /metrics URL
    worker_metrics: str  # the worker's


@contextmanager
def running_service(
    settings: Settings,
    redis_db: int,
    consistency_wait: float = 10,
    api_processes: int = 1,
    environment: Mapping[str, str] | None = None,
    output: Path | None = None,
    relay: bool = True,
) -> Iterator[Service]:
    """The whole service as separate processes (the API, an outbox relay unless `relay` is
    False, and a worker) with data of its own: a database, read models with a few products, a
    Redis database (so sign-in throttling, revocations and Dramatiq queues never meet
    another's), and a mail sink of its own. Each process serves its metrics on a free port.
    `environment` adds to the processes' variables; with `output`, each writes its log there
    (`api.log`, ...) and its standard output beside it (`api.out`)."""
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
        with fresh_database(settings) as database_url, private_mail_sink() as mail:
            env = {
                "COMMERCE_DATABASE_URL": database_url,
                "COMMERCE_REDIS_URL": redis_url,
                "COMMERCE_SMTP_URL": mail.url,
                "COMMERCE_INDEX_PREFIX": prefix,
                "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
                "COMMERCE_LOG_LEVEL": "WARNING",
                # A bound, not a delay: generous so a slow CI machine does not answer `stale`.
                "COMMERCE_CONSISTENCY_WAIT": str(consistency_wait),
                "COMMERCE_WORKERS": str(api_processes),
                "COMMERCE_RELAY_METRICS_PORT": str(free_port()),
                "COMMERCE_WORKER_METRICS_PORT": str(free_port()),
            } | dict(environment or {})
            yield from _processes(database_url, mail, env, output, relay)
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
    mail: MailSink,
    variables: dict[str, str],
    output: Path | None,
    relay: bool,
) -> Iterator[Service]:
    port = free_port()
    env = os.environ | variables
    commerce = str(Path(sys.executable).with_name("commerce"))
    commands = {
        "relay": [commerce, "relay"],
        "worker": [commerce, "worker", "--threads", "2"],
        "api": [commerce, "serve", "--port", str(port)],
    }
    if not relay:
        del commands["relay"]
    with ExitStack() as files:

        def file(name: str) -> IO[bytes] | None:
            return files.enter_context((output / name).open("wb")) if output else None

        started = {
            name: subprocess.Popen(
                argv, env=env, stdout=file(f"{name}.out"), stderr=file(f"{name}.log")
            )
            for name, argv in commands.items()
        }
        service = Service(
            f"http://127.0.0.1:{port}",
            database_url,
            mail,
            dict(variables),
            f"http://127.0.0.1:{variables['COMMERCE_RELAY_METRICS_PORT']}/metrics",
            f"http://127.0.0.1:{variables['COMMERCE_WORKER_METRICS_PORT']}/metrics",
        )
        yield from _serving(service, started["api"], list(started.values()))


def _serving(
    service: Service, api: subprocess.Popen[bytes], every: list[subprocess.Popen[bytes]]
) -> Iterator[Service]:
    try:
        _wait_for(f"{service.url}/health/live", api)
        yield service
    finally:
        for process in every:
            process.terminate()
        for process in every:
            process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    # A bound, not a figure: the API starts in 5-9 s alone, but took 35-39 s on this 2-core
    # box at a load average of 7-10 (its imports compete with other test sessions).
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
