"""`commerce ops status`: the service's health on one screen, for an operator or a script.

Every figure is read from where it lives (PostgreSQL's outbox, Redis's queues, dead letters
and heartbeats, Elasticsearch's aliases), each bounded by `readiness_timeout`: a server that
is down or stalls shows as unknown (`null` in JSON) and as a problem, never as a hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import msgspec

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.dead_letters import parked_counts
from commerce.adapters.dramatiq.receipts import queued
from commerce.adapters.dramatiq.routing import READ_MODELS, queue_name
from commerce.adapters.postgres.outbox import Backlog, backlog
from commerce.adapters.redis.client import create_sync_redis
from commerce.application.readiness import check_pipeline, check_readiness
from commerce.container import Container, build_container, close
from commerce.settings import Settings
from projections.registry import projections_for

T = TypeVar("T")


class ReadModelStatus(msgspec.Struct, frozen=True):
    name: str
    queued_batches: int | None  # batches waiting in its queue: how far behind it is
    dead_letters: int | None
    index: str | None  # the index its alias points to


class OpsStatus(msgspec.Struct, frozen=True, kw_only=True):
    servers: dict[str, str]  # postgres, redis, elasticsearch -> up | down
    processes: dict[str, int]  # relay, worker -> alive
    outbox: Backlog | None
    read_models: list[ReadModelStatus]

    def problems(self, max_outbox_age: float) -> list[str]:
        found = [f"{name} is down" for name, state in self.servers.items() if state != "up"]
        found += [f"no {role} alive" for role, count in self.processes.items() if not count]
        if self.outbox is None:
            found.append("outbox backlog unknown")
        elif self.outbox.oldest_age > max_outbox_age:
            found.append(f"outbox: oldest event waits {self.outbox.oldest_age:.0f} s")
        for model in self.read_models:
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
    waiting, parked = queues or ({}, {})
    models = [
        ReadModelStatus(
            name=name,
            queued_batches=waiting.get(name),
            dead_letters=parked.get(name),
            index=(aliases or {}).get(name),
        )
        for name in READ_MODELS
    ]
    return OpsStatus(
        servers=readiness.checks, processes=pipeline.processes, outbox=outbox, read_models=models
    )


async def _bounded(call: Awaitable[T], limit: float) -> T | None:
    try:
        async with asyncio.timeout(limit):
            return await call
    except Exception:  # down, refused, stalled: the figure is unknown, shown as such
        return None


async def _outbox(container: Container) -> Backlog:
    async with container.engine().connect() as connection:
        return await backlog(connection, container.clock().now())


def _queues(settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
    client = create_sync_redis(settings.redis_url)
    try:
        broker = redis_broker(settings.redis_url, client=client)
        parked = parked_counts(broker, [queue_name(name) for name in READ_MODELS])
        dead = {name: parked[queue_name(name)] for name in READ_MODELS}
        return queued(broker, READ_MODELS), dead
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
    lines.append("read model  queued batches  dead letters  index")
    for model in status.read_models:
        lines.append(
            f"{model.name:<11} {_shown(model.queued_batches):>14}  "
            f"{_shown(model.dead_letters):>12}  {model.index or '-'}"
        )
    lines.append("problems    " + ("; ".join(problems) if problems else "none"))
    return "\n".join(lines)


def _shown(value: int | None) -> str:
    return "?" if value is None else str(value)
