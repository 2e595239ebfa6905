"""What the benchmarks share: a target of their own (database, index prefix, JWT secret, and
optionally a Redis database), resetting it, the real processes started against it, signed
tokens, latency recording with percentiles, and CPU accounting from /proc.

Each benchmark runs as a script from the repository root (`python bench/<name>.py`), so this
module is imported as `common`, from the script's own directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import asyncpg
import httpx
import msgspec
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.adapters.system_clock import SystemClock
from commerce.settings import Settings

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Target:
    """What a benchmark owns and resets: never the stack's own database, indices or queues."""

    database: str
    index_prefix: str
    jwt_secret: str
    redis_db: int | None = None  # None: the Redis database of the environment


# Latencies ----------------------------------------------------------------------------------


@dataclass
class Recorder:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # what went wrong, when told

    def add(self, kind: str, seconds: float) -> None:
        self.latencies[kind].append(seconds)

    def fail(self, what: str) -> None:
        self.errors += 1
        self.failures[what] += 1

    def summary(self, duration: float) -> dict[str, Any]:
        every = [x for values in self.latencies.values() for x in values]
        return {
            "requests": len(every),
            "errors": self.errors,
            "errors_by_kind": dict(self.failures),
            "throughput_rps": round(len(every) / duration, 1),
            "all": percentiles(every),
            "by_kind": {kind: percentiles(v) for kind, v in sorted(self.latencies.items())},
        }


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"n": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def lag_summary(lags: list[float]) -> dict[str, float | None]:
    """p50, p95 and max of measured lags, in milliseconds."""
    if not lags:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    # The same percentiles as the latencies' (a p95 under the p50 of a few samples was a
    # median interpolated beside a rank rounded down).
    every = percentiles(lags)
    return {
        "n": len(lags),
        "p50_ms": round(every["p50_ms"], 1),
        "p95_ms": round(every["p95_ms"], 1),
        "max_ms": round(max(lags) * 1000, 1),
    }


# Tokens -------------------------------------------------------------------------------------


def sign_token(
    secret: str, roles: Iterable[str], account_id: uuid.UUID | None = None, ttl: int = 3600
) -> str:
    """An access token as the service signs them, for a service started with `secret`."""
    issuer = JwtTokenIssuer(secret, ttl, SystemClock())
    return issuer.issue(account_id or uuid.uuid4(), frozenset(roles)).access_token


# Set-up -------------------------------------------------------------------------------------


def bench_settings(base: Settings, target: Target) -> Settings:
    url = make_url(base.database_url).set(database=target.database)
    changes: dict[str, Any] = {
        "database_url": url.render_as_string(hide_password=False),
        "index_prefix": target.index_prefix,
        "jwt_secret": target.jwt_secret,
    }
    if target.redis_db is not None:
        changes["redis_url"] = str(httpx.URL(base.redis_url).copy_with(path=f"/{target.redis_db}"))
    return msgspec.structs.replace(base, **changes)


async def reset(base: Settings, settings: Settings, target: Target) -> None:
    """Drop and create the target's database, delete its indices, empty its Redis database."""
    dsn = (
        make_url(base.database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{target.database}"')
    finally:
        await admin.close()
    es = AsyncElasticsearch(settings.elasticsearch_url)
    try:
        names = await es.indices.get(index=f"{target.index_prefix}-*", allow_no_indices=True)
        for name in names:
            await es.indices.delete(index=name)
    finally:
        await es.close()
    if target.redis_db is not None:
        redis = Redis.from_url(settings.redis_url)
        try:
            await redis.flushdb()
        finally:
            await redis.aclose()


def asyncpg_dsn(settings: Settings) -> str:
    """The target database's URL as asyncpg takes it."""
    url = make_url(settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def environment(settings: Settings, target: Target, port: int) -> dict[str, str]:
    env = os.environ | {
        "COMMERCE_DATABASE_URL": settings.database_url,
        "COMMERCE_INDEX_PREFIX": target.index_prefix,
        "COMMERCE_JWT_SECRET": target.jwt_secret,
        "COMMERCE_PORT": str(port),
        "COMMERCE_LOG_LEVEL": "WARNING",
    }
    if target.redis_db is not None:
        env["COMMERCE_REDIS_URL"] = settings.redis_url
    return env


def start_processes(
    env: dict[str, str], log: IO[bytes] | None = None, worker_processes: int = 1
) -> list[subprocess.Popen[bytes]]:
    """The relay, a projection worker (of `worker_processes` processes) and the API, in this
    order; their output goes to `log` (default: this process's own)."""
    commerce = str(BIN / "commerce")
    worker = [commerce, "worker", "--processes", str(worker_processes), "--threads", "4"]
    return [
        subprocess.Popen([commerce, "relay"], env=env, stdout=log, stderr=log),
        subprocess.Popen(worker, env=env, stdout=log, stderr=log),
        subprocess.Popen([commerce, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log),
    ]


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


async def wait_until_ready(http: httpx.AsyncClient, limit: float) -> None:
    """Until the API answers `GET /health/ready` with 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            if (await http.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"the API was not ready after {limit:.0f} s")


async def wait_for_count(es: AsyncElasticsearch, alias: str, expected: int, limit: float) -> float:
    """Until `expected` listed products are searchable under `alias`; returns the wait."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            await es.indices.refresh(index=alias)
            count = (await es.count(index=alias, query={"term": {"listed": True}}))["count"]
        except Exception:
            count = 0
        if count >= expected:
            return time.perf_counter() - started
        await asyncio.sleep(1)
    raise SystemExit(f"only {count} of {expected} products searchable after {limit:.0f} s")


# CPU accounting -----------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def on_cpu_ns(pids: Iterable[int]) -> int:
    """Nanoseconds the threads of `pids` have run on a CPU (the scheduler's own count, exact,
    where `cpu_seconds` moves in clock ticks of 10 ms)."""
    total = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[0])
            except (OSError, IndexError, ValueError):
                continue  # a thread that just ended
    return total


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[parent].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def backends_of(database: str) -> list[int]:
    """The PostgreSQL backends serving `database` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres: ") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def elasticsearch_pids(url: str) -> list[int]:
    """The process of the Elasticsearch node at `url` (another stack's node on the same
    machine is not counted)."""
    address = f"{url}/_nodes/_local/process?filter_path=nodes.*.process.id"
    with urllib.request.urlopen(address, timeout=10) as response:  # noqa: S310 (our URL)
        nodes = json.load(response)["nodes"]
    return [node["process"]["id"] for node in nodes.values()]


def process_groups(
    processes: Mapping[str, int], database: str, extra: Mapping[str, list[int]]
) -> dict[str, list[int] | Callable[[], list[int]]]:
    """CPU groups: each started process with its children, the PostgreSQL backends of
    `database`, and `extra`."""
    groups = {name: descendants(pid) for name, pid in processes.items()}
    return groups | {"postgres": lambda: backends_of(database)} | dict(extra)


async def until_idle(pid: int, limit: float, below: float = 0.2) -> float:
    """Until `pid` and its children use less than `below` of a core over two seconds (a worker
    that has applied everything); returns the wait. An idle Dramatiq worker is not at zero: its
    consumer threads poll Redis, about 0.08 of a core."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        meter = CpuMeter({"process": descendants(pid)})
        await asyncio.sleep(2)
        if meter.cores()["process"] < below:
            break
    return time.perf_counter() - started


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (other users of the machine show here)."""
    return [round(value, 2) for value in os.getloadavg()]


def _fixed(pids: list[int]) -> Callable[[], list[int]]:
    return lambda: pids


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


class CpuMeter:
    """CPU seconds spent by named groups of processes over a window, as cores busy. A group
    given as a function is asked again at the end, and a process it names then that was not
    there at the start counts from its own start (PostgreSQL backends come and go: a fixed
    list lost the CPU of those that ended, and went below zero)."""

    def __init__(self, groups: Mapping[str, Iterable[int] | Callable[[], Iterable[int]]]) -> None:
        self._groups = {
            name: pids if callable(pids) else _fixed(list(pids)) for name, pids in groups.items()
        }
        self._start = self._read()
        self._started = time.perf_counter()
        self._machine = machine_busy()

    def _read(self) -> dict[str, dict[int, float]]:
        return {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self._groups.items()
        }

    def _spent(self, name: str, now: dict[int, float]) -> float:
        start = self._start[name]
        return sum(max(cpu - start.get(pid, 0.0), 0.0) for pid, cpu in now.items())

    def cores(self) -> dict[str, float]:
        """Average cores busy per group since the meter started, by every other process
        ("others"), and by the whole machine."""
        elapsed = time.perf_counter() - self._started
        now = self._read()
        busy, total = machine_busy()
        spent = {
            name: sum(
                max(cpu - self._start[name].get(pid, 0.0), 0.0) for pid, cpu in now[name].items()
            )
            for name in now
        }
        used = {name: round(seconds / elapsed, 2) for name, seconds in spent.items()}
        share = (busy - self._machine[0]) / max(total - self._machine[1], 1e-9)
        machine = round(share * (os.cpu_count() or 1), 2)
        others = round(max(machine - sum(used.values()), 0), 2)
        return used | {"others": others, "machine": machine}
