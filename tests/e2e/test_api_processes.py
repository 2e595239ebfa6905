"""The API as several processes (`COMMERCE_WORKERS`): one port, and one set of metrics."""

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest

from commerce.settings import Settings
from tests.e2e.conftest import running_service

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
