"""`commerce dev` as a terminal runs it. The issue's figure: with it running, kill -9 every
process of its worker, then create 60 products. Before, nothing projected them any more while
the API stayed ready (15 of 60 searchable after 120 s); now the supervisor starts a new worker,
`/health/pipeline` says alive again, and all 60 become searchable. And Ctrl-C stops everything
without a restart, also when its launcher left SIGINT ignored (as `make run` did)."""

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
# Its children stop within Dramatiq's and uvicorn's own shutdown: seconds, not the 15 s after
# which a launcher that forwards Ctrl-C as SIGTERM would step in.
STOPS_WITHIN = 12
REDIS_DB = 10
# What the worker's Dramatiq processes run (`commerce worker` execs it): the parent and each
# process it forks.
WORKER = "commerce.entrypoints.worker"


@pytest.fixture
def dev(stack_settings: Settings, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with running_dev(stack_settings, tmp_path / "dev.log") as started:
        yield started


@contextlib.contextmanager
def running_dev(
    stack_settings: Settings, log_path: Path, *, sigint_ignored: bool = False
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`commerce dev` in a process group of its own, as a terminal's foreground job; with
    `sigint_ignored`, started the way a launcher that handles Ctrl-C itself starts it."""
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
        log = log_path.open("wb")
        process = subprocess.Popen(
            [commerce, "dev", "--seed-products", "0"],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_ignore_sigint if sigint_ignored else None,  # noqa: PLW1509 (no threads)
        )
        try:
            yield f"http://127.0.0.1:{port}", process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
            kill_9(group_members(process.pid))
            log.close()
            Redis.from_url(redis_url).flushdb()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def test_ctrl_c_stops_commerce_dev_at_once_without_restarting_anything_even_with_sigint_ignored(
    stack_settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "dev.log"
    with running_dev(stack_settings, log, sigint_ignored=True) as (url, process):
        http = httpx.Client(base_url=url, timeout=15)
        assert until(lambda: status(http, "/health/pipeline") == 200, 90), "pipeline never alive"

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        stopped = until(lambda: process.poll() is not None, STOPS_WITHIN)
        left = group_members(process.pid)

    assert stopped, f"commerce dev still running {STOPS_WITHIN} s after Ctrl-C"
    assert not left, f"processes left after Ctrl-C: {left}"
    assert "restarting" not in log.read_text(), log.read_text()


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


def group_members(group: int) -> list[int]:
    """Processes still alive in process group `group` (read from /proc; zombies excluded)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def kill_9(pids: list[int]) -> list[int]:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids
