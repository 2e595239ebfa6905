"""The API as several processes (`COMMERCE_WORKERS`): one port, and one set of metrics."""

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
from tests.support import TEST_JWT_SECRET, free_port

REQUESTS = 60
_LIVE = re.compile(r'^commerce_requests_total\{[^}]*path="/health/live"[^}]*\} (\S+)$', re.M)


@pytest.fixture
def two_processes(stack_settings: Settings) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "COMMERCE_DATABASE_URL": stack_settings.database_url,
        "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
        "COMMERCE_WORKERS": "2",
        "COMMERCE_LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    commerce = str(Path(sys.executable).with_name("commerce"))
    api = subprocess.Popen([commerce, "serve", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        api.terminate()
        api.wait(timeout=30)


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
