"""The long-running processes besides the API: the outbox relay and the projection worker."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.relay import OutboxRelay
from commerce.adapters.system_clock import SystemClock
from commerce.settings import Settings

# An idle worker asks Redis for work this often (ms); Dramatiq's default is a full second.
WORKER_POLL_MS = "100"


async def run_relay(settings: Settings) -> None:
    engine = create_engine(settings.database_url, pool_size=2)
    publisher = DramatiqEventPublisher(redis_broker(settings.redis_url))
    relay = OutboxRelay(engine, publisher, SystemClock())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await relay.run(stop)
    finally:
        await engine.dispose()


def exec_worker(processes: int, threads: int) -> None:
    """Replace this process with Dramatiq's worker, tuned for a short pick-up delay."""
    dramatiq = os.path.join(os.path.dirname(sys.executable), "dramatiq")
    os.environ.setdefault("dramatiq_worker_timeout", WORKER_POLL_MS)
    os.execv(  # noqa: S606 (a fixed program from our own virtualenv)
        dramatiq,
        [
            dramatiq,
            "projections.worker",
            "--processes",
            str(processes),
            "--threads",
            str(threads),
            "--worker-shutdown-timeout",
            "30000",
        ],
    )
