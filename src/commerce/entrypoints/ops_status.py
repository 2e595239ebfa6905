"""`commerce ops status`: the service's health on one screen, for an operator or a script.

Every figure is read from where it lives (PostgreSQL's outbox, Redis's queues, dead letters
and heartbeats, Elasticsearch's aliases), each bounded by `readiness_timeout`: a server that
is down or stalls shows as unknown (`null` in JSON) and as a problem, never as a hang.

A read model's lag is read from its queue, so it is true from any machine whatever the workers
do: how long ago the oldest event it has not applied yet occurred (waiting, being applied, or
delayed for a retry), 0 when its queue is empty. Events the relay has not handed over yet are
the outbox's oldest age.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.dead_letters import parked_counts
from commerce.adapters.dramatiq.receipts import oldest_held, queued
from commerce.adapters.dramatiq.routing import READ_MODELS, queue_name
from commerce.adapters.postgres.outbox import Backlog, backlog
from commerce.adapters.redis.client import create_sync_redis
from commerce.application.readiness import check_pipeline, check_readiness
from commerce.container import Container, build_container, close
from commerce.settings import Settings
from projections.registry import projections_for

T = TypeVar("T")
Queues = tuple[dict[str, int], dict[str, int], dict[str, datetime | None]]


class ReadModelStatus(msgspec.Struct, frozen=True):
    name: str
    queued_batches: int | None  # batches waiting in its queue: how far behind it is
    lag_seconds: float | None  # since its oldest event not applied yet occurred; 0: none
    dead_letters: int | None
    index: str | None  # the index its alias points to


class OpsStatus(msgspec.Struct, frozen=True, kw_only=True):
    servers: dict[str, str]  # postgres, redis, elasticsearch -> up | down
    processes: dict[str, int]  # relay, worker -> alive
    outbox: Backlog | None
    read_models: list[ReadModelStatus]

    def problems(self, max_outbox_age: float, max_lag: float) -> list[str]:
        found = [f"{name} is down" for name, state in self.servers.items() if state != "up"]
        found += [f"no {role} alive" for role, count in self.processes.items() if not count]
        if self.outbox is None:
            found.append("outbox backlog unknown")
        elif self.outbox.oldest_age > max_outbox_age:
            found.append(f"outbox: oldest event waits {self.outbox.oldest_age:.0f} s")
        for model in self.read_models:
            # Unknown only with Redis, which is named as down above.
            if model.lag_seconds is not None and model.lag_seconds > max_lag:
                found.append(f"{model.name}: {model.lag_seconds:.0f} s behind")
            if model.dead_letters:
                found.append(f"{model.name}: {model.dead_letters} dead letter(s)")
            if model.index is None:
                found.append(f"{model.name}: no index behind its alias")
        return found


async def gather_status(settings: Settings) -> OpsStatus:
    container = build_container(settings)
    try:
        return await _gather(container, settings)
    finally:
        await close(container)


async def _gather(container: Container, settings: Settings) -> OpsStatus:
    limit = settings.readiness_timeout
    readiness, pipeline, outbox, queues, aliases = await asyncio.gather(
        check_readiness(container.dependency_checks(), limit),
        check_pipeline(container.pipeline_liveness()),
        _bounded(_outbox(container), limit),
        _bounded(asyncio.to_thread(_queues, settings), limit * 2),
        _bounded(_aliases(container, settings.index_prefix), limit),
    )
    waiting, parked, oldest = queues or ({}, {}, {})
    now = container.clock().now()
    models = [
        ReadModelStatus(
            name=name,
            queued_batches=waiting.get(name),
            lag_seconds=_lag(oldest, name, now) if queues else None,
            dead_letters=parked.get(name),
            index=(aliases or {}).get(name),
        )
        for name in READ_MODELS
    ]
    return OpsStatus(
        servers=readiness.checks, processes=pipeline.processes, outbox=outbox, read_models=models
    )


def _lag(oldest: dict[str, datetime | None], name: str, now: datetime) -> float:
    occurred = oldest.get(name)
    return 0.0 if occurred is None else max((now - occurred).total_seconds(), 0.0)


async def _bounded(call: Awaitable[T], limit: float) -> T | None:
    try:
        async with asyncio.timeout(limit):
            return await call
    except Exception:  # down, refused, stalled: the figure is unknown, shown as such
        return None


async def _outbox(container: Container) -> Backlog:
    async with container.engine().connect() as connection:
        return await backlog(connection, container.clock().now())


def _queues(settings: Settings) -> Queues:
    client = create_sync_redis(settings.redis_url)
    try:
        broker = redis_broker(settings.redis_url, client=client)
        parked = parked_counts(broker, [queue_name(name) for name in READ_MODELS])
        dead = {name: parked[queue_name(name)] for name in READ_MODELS}
        return queued(broker, READ_MODELS), dead, oldest_held(broker, READ_MODELS)
    finally:
        client.close()


async def _aliases(container: Container, prefix: str) -> dict[str, str]:
    client = container.elasticsearch_unguarded()
    found: dict[str, str] = {}
    for projection in projections_for(prefix):
        answer: Any = await client.indices.get_alias(name=projection.alias, ignore_unavailable=True)
        indices = sorted(answer.body) if hasattr(answer, "body") else sorted(answer)
        if indices:
            found[projection.name] = ", ".join(indices)
    return found


def render(status: OpsStatus, problems: list[str]) -> str:
    servers = "  ".join(f"{name} {state}" for name, state in status.servers.items())
    processes = "  ".join(f"{role} {count}" for role, count in status.processes.items())
    outbox = (
        f"{status.outbox.events} events waiting, oldest {status.outbox.oldest_age:.1f} s"
        if status.outbox
        else "unknown"
    )
    lines = [f"servers     {servers}", f"alive       {processes}", f"outbox      {outbox}"]
    lines.append("read model  queued batches  lag (s)  dead letters  index")
    for model in status.read_models:
        lag = "?" if model.lag_seconds is None else f"{model.lag_seconds:.1f}"
        lines.append(
            f"{model.name:<11} {_shown(model.queued_batches):>14}  {lag:>7}  "
            f"{_shown(model.dead_letters):>12}  {model.index or '-'}"
        )
    lines.append("problems    " + ("; ".join(problems) if problems else "none"))
    return "\n".join(lines)


def _shown(value: int | None) -> str:
    return "?" if value is None else str(value)
