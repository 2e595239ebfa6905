"""The API as several processes (`COMMERCE_WORKERS`): one port, and one set of metrics; and
processes that start as fast as the machine allows, never killed for being slow to start."""

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from commerce.settings import Settings
from tests.e2e.conftest import running_service
from tests.support import TEST_JWT_SECRET, free_port

REQUESTS = 60
_LIVE = re.compile(r'^commerce_requests_total\{[^}]*path="/health/live"[^}]*\} (\S+)$', re.M)


@pytest.fixture
def two_processes(stack_settings: Settings) -> Iterator[str]:
    with running_service(stack_settings, redis_db=14, api_processes=2) as service:
        yield service.url


def live_requests_counted(metrics: str) -> float:
    return sum(float(value) for value in _LIVE.findall(metrics))


async def hit_on_fresh_connections(url: str, times: int) -> None:
    """A new connection each, so the processes sharing the port each take some."""

    async def one() -> None:
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/health/live")).status_code == 200

    await asyncio.gather(*(one() for _ in range(times)))


def test_metrics_count_the_requests_every_process_served_whichever_answers(
    two_processes: str,
) -> None:
    before = live_requests_counted(httpx.get(f"{two_processes}/metrics").text)
    asyncio.run(hit_on_fresh_connections(two_processes, REQUESTS))

    readings = [live_requests_counted(httpx.get(f"{two_processes}/metrics").text) for _ in range(8)]

    assert all(reading >= before + REQUESTS for reading in readings), readings


def imports_of(module: str, log: str) -> int:
    """How many processes imported `module`, from Python's `-X importtime` lines."""
    return len(re.findall(rf"^import time:.*\|\s+{re.escape(module)}$", log, re.M))


def test_api_processes_answer_their_parents_health_ping_without_loading_the_whole_cli_first(
    tmp_path: Path,
) -> None:
    # uvicorn kills an API process that does not answer its health ping in time, and a process
    # it spawns runs the parent's main module before it can answer. Run from the `commerce`
    # script, that was the whole CLI (4 s of CPU; 35 s and more on a loaded 2-core box): killed
    # while starting, spawned again, killed again. The CLI is imported once, by the command.
    log_path = tmp_path / "serve.log"
    port = free_port()
    env = os.environ | {
        "COMMERCE_WORKERS": "2",
        "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
        "COMMERCE_LOG_LEVEL": "INFO",  # each process says when it serves
        "PYTHONPROFILEIMPORTTIME": "1",  # every process, spawned ones too, lists its imports
    }
    commerce = str(Path(sys.executable).with_name("commerce"))
    with log_path.open("wb") as log:
        api = subprocess.Popen(
            [commerce, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 120  # a bound for a loaded box, not a figure
        while log_path.read_text().count("Application startup complete") < 2:
            assert api.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the two API processes never started serving"
            time.sleep(0.5)
        answered = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=30).status_code
    finally:
        api.terminate()
        api.wait(timeout=60)

    assert answered == 200
    assert imports_of("commerce.entrypoints.cli", log_path.read_text()) == 1
