"""The long-running processes besides the API: the outbox relay and the projection worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import subprocess
import sys
from datetime import timedelta

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.dramatiq.routing import PACING
from commerce.adapters.postgres.catalog import catalog_is_empty
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.relay import Delivery, OutboxRelay
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.application.scheduler import run_scheduled_pass
from commerce.container import build_container, close
from commerce.entrypoints.seed import seed_catalog
from commerce.settings import Settings

logger = logging.getLogger(__name__)

# An idle worker asks Redis for work this often (ms); Dramatiq's default is a full second.
WORKER_POLL_MS = "100"


async def seed_demo_catalog(
    settings: Settings, count: int, seed: int | None, *, only_if_empty: bool
) -> int:
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        if only_if_empty:
            async with engine.connect() as connection:
                if not await catalog_is_empty(connection):
                    return 0
        clock = SystemClock()
        return await seed_catalog(
            lambda: PostgresUnitOfWork(engine, clock),
            clock,
            count,
            currency=settings.currency,
            seed=seed if seed is not None else secrets.randbits(32),
        )
    finally:
        await engine.dispose()


def run_all(settings: Settings) -> int:
    """The API in the foreground with a relay, a worker and the scheduler beside it; all stop
    together, on Ctrl-C or SIGTERM (a service manager's stop), or when the API exits."""
    commerce = os.path.join(os.path.dirname(sys.executable), "commerce")
    signal.signal(signal.SIGTERM, _interrupt)
    processes = [
        subprocess.Popen([commerce, "relay"]),
        subprocess.Popen([commerce, "worker", "--threads", "2"]),
        subprocess.Popen([commerce, "scheduler"]),
    ]
    api = subprocess.Popen([commerce, "serve"])
    processes.append(api)
    try:
        return api.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        _stop(processes)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


async def run_relay(settings: Settings) -> None:
    engine = create_engine(settings.database_url, pool_size=2)
    publisher = DramatiqEventPublisher(redis_broker(settings.redis_url))
    delivery = Delivery(
        check_after=timedelta(seconds=settings.redrive_after),
        retention=timedelta(seconds=settings.outbox_retention),
    )
    relay = OutboxRelay(
        engine, publisher, publisher, SystemClock(), delivery=delivery, paced_by=PACING
    )
    stop = _stop_on_signals()
    try:
        await relay.run(stop)
    finally:
        await engine.dispose()


async def run_scheduler(settings: Settings) -> None:
    """A pass every `scheduler_interval` seconds until SIGINT/SIGTERM; a failed pass is
    logged and the next one runs as usual."""
    container = build_container(settings)
    stop = _stop_on_signals()
    try:
        while not stop.is_set():
            try:
                await run_scheduled_pass(
                    container.uow(),
                    container.payment_gateway(),
                    container.idempotency_store(),
                    container.clock(),
                    timedelta(seconds=settings.reconcile_after),
                )
            except Exception:
                logger.exception("a scheduler pass failed; trying again in the next one")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.scheduler_interval)
    finally:
        await close(container)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def exec_worker(processes: int, threads: int) -> None:
    """Replace this process with Dramatiq's worker, tuned for a short pick-up delay (Dramatiq
    reads it when imported: hence a new interpreter, not a call)."""
    os.environ.setdefault("dramatiq_worker_timeout", WORKER_POLL_MS)
    os.execv(  # noqa: S606 (our own interpreter and module)
        sys.executable,
        [
            sys.executable,
            "-m",
            "commerce.entrypoints.worker_main",
            "commerce.entrypoints.worker",
            "--skip-logging",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
            "--worker-shutdown-timeout",
            "30000",
        ],
    )
