"""Chaos: the shop keeps writing while Redis, the worker and the relay are each killed with
SIGKILL and started again; afterwards every read model equals the write side, as
`commerce read-models verify` sees it (0 missing, 0 divergent, 0 unexpected)."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.settings import Settings
from tests.databases import fresh_database
from tests.private_redis import PrivateRedis, private_redis
from tests.shop import check_out, customer_with_cart, stocked_product, unique_sku

COMMERCE = str(Path(sys.executable).with_name("commerce"))
WRITE_SECONDS = 18
CONVERGE_SECONDS = 120


@dataclass
class Process:
    """A service process in a process group of its own, so SIGKILL takes all its children."""

    argv: list[str]
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        self.popen = subprocess.Popen(self.argv, env=self.env, start_new_session=True)

    def kill(self) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Service:
    database_url: str
    env: dict[str, str]
    redis: PrivateRedis
    relay: Process
    worker: Process


@pytest.fixture
def service(stack_settings: Settings) -> Iterator[Service]:
    prefix = f"chaos-{uuid.uuid4().hex[:8]}"
    with private_redis() as redis, fresh_database(stack_settings) as database_url:
        env = os.environ | {
            "COMMERCE_DATABASE_URL": database_url,
            "COMMERCE_REDIS_URL": redis.url,
            "COMMERCE_INDEX_PREFIX": prefix,
            "COMMERCE_LOG_LEVEL": "ERROR",
            "COMMERCE_REDRIVE_AFTER": "3",
        }
        relay = Process([COMMERCE, "relay"], env)
        worker = Process([COMMERCE, "worker", "--threads", "2"], env)
        relay.start()
        worker.start()
        try:
            yield Service(database_url, env, redis, relay, worker)
        finally:
            relay.stop()
            worker.stop()
            _delete_indices(stack_settings, prefix)


def _delete_indices(settings: Settings, prefix: str) -> None:
    client = Elasticsearch(settings.elasticsearch_url)
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture
async def engine(service: Service) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(service.database_url)
    yield engine
    await engine.dispose()


async def keep_shopping(engine: AsyncEngine, stop: asyncio.Event) -> int:
    """Products with stock, customers filling carts and checking out, until told to stop;
    returns how many rounds were written. Only PostgreSQL is needed to write."""
    clock = SystemClock()

    def new_uow() -> PostgresUnitOfWork:
        return PostgresUnitOfWork(engine, clock)

    rounds = 0
    while not stop.is_set():
        sku = unique_sku("CHAOS")
        product_id = await stocked_product(new_uow, {sku: 5})
        buyer = await customer_with_cart(new_uow, {sku: 2}, product_id)
        await customer_with_cart(new_uow, {sku: 1}, product_id)  # keeps a full cart
        await check_out(new_uow, clock, buyer)
        rounds += 1
    return rounds


def verify(service: Service) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMERCE, "read-models", "verify"],
        env=service.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_after_redis_the_worker_and_the_relay_are_killed_every_read_model_agrees(
    service: Service, engine: AsyncEngine
) -> None:
    stop = asyncio.Event()
    writing = asyncio.create_task(keep_shopping(engine, stop))
    faults = [
        ("redis", service.redis.kill, service.redis.start),
        ("worker", service.worker.kill, service.worker.start),
        ("relay", service.relay.kill, service.relay.start),
    ]
    for _name, kill, restart in faults:
        await asyncio.sleep(WRITE_SECONDS / 6)
        await asyncio.to_thread(kill)
        await asyncio.sleep(WRITE_SECONDS / 6)
        await asyncio.to_thread(restart)
    stop.set()
    rounds = await writing
    written_at = time.monotonic()

    result = await asyncio.to_thread(verify, service)
    while result.returncode != 0 and time.monotonic() - written_at < CONVERGE_SECONDS:
        await asyncio.sleep(2)
        result = await asyncio.to_thread(verify, service)
    converged = time.monotonic() - written_at

    assert result.returncode == 0, f"read models still differ:\n{result.stdout}{result.stderr}"
    async with engine.connect() as connection:
        events = (await connection.execute(select(func.count()).select_from(outbox))).scalar()
    # The figures the README quotes (run with -s to see them).
    print(
        f"\nchaos: {rounds} rounds, {events} events written in {WRITE_SECONDS} s, "
        f"faults: {', '.join(name for name, _, _ in faults)} (SIGKILL, restarted); "
        f"read models agreed {converged:.1f} s after the last write"
    )
