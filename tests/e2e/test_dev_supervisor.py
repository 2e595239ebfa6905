"""The issue's figure: with `commerce dev` running, kill -9 every process of its worker, then
create 60 products. Before, nothing projected them any more while the API stayed ready (15 of
60 searchable after 120 s); now the supervisor starts a new worker, `/health/pipeline` says
alive again, and all 60 become searchable."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from httpx import URL
from redis import Redis

from commerce.settings import Settings
from tests.databases import fresh_database
from tests.support import TEST_JWT_SECRET, bearer, free_port

PRODUCTS = 60
REDIS_DB = 10
# What the worker's Dramatiq processes run (`commerce worker` execs it): the parent and each
# process it forks.
WORKER = "commerce.entrypoints.worker"


@pytest.fixture
def dev(stack_settings: Settings, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    redis_url = str(URL(stack_settings.redis_url).copy_with(path=f"/{REDIS_DB}"))
    Redis.from_url(redis_url).flushdb()
    with fresh_database(stack_settings) as database_url:
        env = os.environ | {
            "COMMERCE_DATABASE_URL": database_url,
            "COMMERCE_REDIS_URL": redis_url,
            "COMMERCE_INDEX_PREFIX": f"test-dev-{uuid.uuid4().hex[:8]}",
            "COMMERCE_JWT_SECRET": TEST_JWT_SECRET,
            "COMMERCE_PORT": str(port),
            "COMMERCE_RELAY_METRICS_PORT": str(free_port()),
            "COMMERCE_WORKER_METRICS_PORT": str(free_port()),
            "COMMERCE_LOG_LEVEL": "WARNING",
        }
        commerce = str(Path(sys.executable).with_name("commerce"))
        log = (tmp_path / "dev.log").open("wb")
        process = subprocess.Popen(
            [commerce, "dev", "--seed-products", "0"], env=env, stdout=log, stderr=log
        )
        try:
            yield f"http://127.0.0.1:{port}", process
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            log.close()
            Redis.from_url(redis_url).flushdb()


def test_a_worker_killed_under_commerce_dev_is_restarted_and_every_new_product_appears(
    dev: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, process = dev
    http = httpx.Client(base_url=url, timeout=15)
    assert until(lambda: status(http, "/health/pipeline") == 200, 90), "pipeline never alive"

    killed = kill_9(descendants_running(process.pid, WORKER))
    assert killed, "no worker process found under commerce dev"
    word = f"kiln{uuid.uuid4().hex[:6]}"
    for n in range(PRODUCTS):
        created = http.post("/v1/admin/products", json=product(word, n), headers=bearer("operator"))
        assert created.status_code == 201, created.text

    assert until(lambda: searchable(http, word) == PRODUCTS, 120), (
        f"{searchable(http, word)} of {PRODUCTS} searchable"
    )
    assert status(http, "/health/pipeline") == 200
    assert not set(killed) & set(descendants_running(process.pid, WORKER))


def product(word: str, n: int) -> dict[str, object]:
    return {
        "name": f"Stoneware {word} mug {n}",
        "brand": "Kilnworks",
        "category": "kitchen/mugs",
        "variants": [{"sku": f"KM-{word}-{n}", "price": {"amount": 1200, "currency": "EUR"}}],
    }


def searchable(http: httpx.Client, word: str) -> int:
    found = http.get("/v1/products", params={"q": word, "limit": 100})
    return len(found.json()["items"]) if found.status_code == 200 else 0


def status(http: httpx.Client, path: str) -> int:
    try:
        return http.get(path).status_code
    except httpx.TransportError:
        return 0


def until(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def descendants_running(root: int, word: str) -> list[int]:
    """Processes under `root` whose command line names `word` (read from /proc)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue

    def under(pid: int) -> bool:
        while pid in parents and pid != root:
            pid = parents[pid]
        return pid == root

    return [pid for pid in parents if pid != root and under(pid) and word in commands[pid]]


def kill_9(pids: list[int]) -> list[int]:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids
