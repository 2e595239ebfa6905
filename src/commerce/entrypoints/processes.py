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
import threading
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.dramatiq.routing import PACING
from commerce.adapters.postgres.catalog import catalog_is_empty
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.outbox import backlog
from commerce.adapters.postgres.relay import Delivery, OutboxRelay
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.prometheus.exposition import serve_metrics, worker_metrics_environment
from commerce.adapters.prometheus.relay import (
    observe_backlog,
    observe_dead_letters,
    observe_published,
)
from commerce.adapters.redis.client import create_sync_redis
from commerce.adapters.redis.heartbeats import beat_in_background
from commerce.adapters.system_clock import SystemClock
from commerce.application.scheduler import PassResult, run_scheduled_pass
from commerce.container import build_container, close
from commerce.entrypoints.seed import seed_catalog
from commerce.entrypoints.supervisor import Child, Shutdown, stop_all, supervise
from commerce.entrypoints.tracing import scheduler_pass_span
from commerce.settings import Settings

logger = logging.getLogger(__name__)

# An idle worker asks Redis for work this often (ms); Dramatiq's default is a full second.
WORKER_POLL_MS = "100"
# How often the relay measures the outbox's backlog (a count over a partial index).
BACKLOG_EVERY = 5.0


async def seed_demo_catalog(
    settings: Settings, count: int, seed: int | None, *, only_if_empty: bool, image_base_url: str
) -> int:
    """Seed `count` demo products, their pictures under `image_base_url` (where shoppers reach
    this service); with `only_if_empty`, only into an empty catalogue."""
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
            image_base_url=image_base_url,
        )
    finally:
        await engine.dispose()


def run_all(settings: Settings) -> int:
    """The API in the foreground with a relay, a worker and the scheduler beside it, each
    restarted when it dies (entrypoints/supervisor.py); all stop together, on Ctrl-C or
    SIGTERM (a service manager's stop), or when the API exits."""
    commerce = os.path.join(os.path.dirname(sys.executable), "commerce")
    shutdown = Shutdown()
    shutdown.on_signals()
    children = [
        Child("relay", [commerce, "relay"]),
        Child("worker", [commerce, "worker", "--threads", "2"]),
        Child("scheduler", [commerce, "scheduler"]),
    ]
    for child in children:
        child.start()
    api = subprocess.Popen([commerce, "serve"])
    try:
        return supervise(api, children, shutdown)
    finally:
        stop_all([child.process for child in children] + [api])


async def run_relay(settings: Settings) -> None:
    engine = create_engine(settings.database_url, pool_size=2)
    publisher = DramatiqEventPublisher(redis_broker(settings.redis_url))
    delivery = Delivery(
        check_after=timedelta(seconds=settings.redrive_after),
        retention=timedelta(seconds=settings.outbox_retention),
    )
    relay = OutboxRelay(
        engine,
        publisher,
        publisher,
        SystemClock(),
        delivery=delivery,
        paced_by=PACING,
        on_published=observe_published,
    )
    stop = _stop_on_signals()
    heartbeat = beat_in_background(create_sync_redis(settings.redis_url), "relay", _as_thread(stop))
    # Served once measured: a scrape never reads a backlog of 0 that nobody measured.
    await _measure_backlog(engine, publisher)
    serve_metrics(settings.metrics_host, settings.relay_metrics_port, "relay")
    watch = asyncio.create_task(_watch_backlog(engine, publisher, stop))
    try:
        await relay.run(stop)
    finally:
        await watch
        heartbeat.join(timeout=1)
        await engine.dispose()


async def _watch_backlog(
    engine: AsyncEngine, publisher: DramatiqEventPublisher, stop: asyncio.Event
) -> None:
    """Measure the outbox's backlog and the dead letters every few seconds for the relay's
    `/metrics`."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), BACKLOG_EVERY)
        await _measure_backlog(engine, publisher)


async def _measure_backlog(engine: AsyncEngine, publisher: DramatiqEventPublisher) -> None:
    try:
        async with engine.connect() as connection:
            observe_backlog(await backlog(connection, SystemClock().now()))
        observe_dead_letters(await publisher.dead_letters())
    except Exception:
        logger.warning("outbox backlog or dead letters not measured", exc_info=True)


def _as_thread(stop: asyncio.Event) -> threading.Event:
    """A threading.Event set when `stop` is (the heartbeat beats on a thread)."""
    event = threading.Event()
    asyncio.get_running_loop().create_task(_relay_stop(stop, event))
    return event


async def _relay_stop(stop: asyncio.Event, event: threading.Event) -> None:
    await stop.wait()
    event.set()


async def run_scheduler(settings: Settings) -> None:
    """A pass every `scheduler_interval` seconds until SIGINT/SIGTERM; a failed pass is
    logged and the next one runs as usual."""
    container = build_container(settings)
    stop = _stop_on_signals()
    try:
        while not stop.is_set():
            try:
                with scheduler_pass_span() as span:
                    done = await run_scheduled_pass(
                        container.uow(),
                        container.payment_gateway(),
                        container.idempotency_store(),
                        container.clock(),
                        timedelta(seconds=settings.reconcile_after),
                    )
                    span.set_attributes(_pass_attributes(done))
            except Exception:
                logger.exception("a scheduler pass failed; trying again in the next one")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.scheduler_interval)
    finally:
        await close(container)


def _pass_attributes(done: PassResult) -> dict[str, int]:
    """What a pass changed, on its span: a tracing backend can then leave out empty passes."""
    return {f"commerce.scheduler.{name}": count for name, count in asdict(done).items()}


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def exec_worker(settings: Settings, processes: int, threads: int) -> None:
    """Replace this process with Dramatiq's worker, tuned for a short pick-up delay (Dramatiq
    reads it when imported: hence a new interpreter, not a call), its processes' metrics summed
    on `worker_metrics_port`."""
    os.environ.setdefault("dramatiq_worker_timeout", WORKER_POLL_MS)
    if settings.worker_metrics_port:
        port = settings.worker_metrics_port
        os.environ.update(worker_metrics_environment(settings.metrics_host, port))
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
