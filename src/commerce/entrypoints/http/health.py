"""Liveness and readiness probes for orchestrators and load balancers."""

from collections.abc import Sequence
from typing import Literal

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from commerce.application.readiness import check_pipeline, check_readiness
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import PROBLEM_MEDIA_TYPE
from commerce.ports.health import DependencyCheck, PipelineLiveness
from commerce.settings import Settings


class Liveness(msgspec.Struct, frozen=True):
    status: str


class Ready(msgspec.Struct, frozen=True):
    status: Literal["ready"]
    checks: dict[str, str]


class PipelineAlive(msgspec.Struct, frozen=True):
    status: Literal["alive"]
    processes: dict[str, int]


class Unavailable(msgspec.Struct, frozen=True, kw_only=True):
    """Problem details of a 503 health answer; each kind adds its extension member."""

    type: str = "about:blank"
    title: str = "Service Unavailable"
    status: int = 503
    detail: str


class PipelineDown(Unavailable, frozen=True, kw_only=True):
    """With the processes alive per role."""

    processes: dict[str, int]


class NotReady(Unavailable, frozen=True, kw_only=True):
    """With the state of each dependency."""

    checks: dict[str, str]


@get("/health/live", operation_id="live", tags=["health"], cache=False)
async def live() -> Liveness:
    """The process is up and serving HTTP."""
    return Liveness(status="ok")


@get(
    "/health/ready",
    operation_id="ready",
    tags=["health"],
    cache=False,
    responses={
        503: ResponseSpec(
            NotReady, description="A dependency is down", media_type=PROBLEM_MEDIA_TYPE
        )
    },
)
async def ready(
    dependency_checks: NamedDependency[Sequence[DependencyCheck]],
    settings: NamedDependency[Settings],
) -> Response[Ready | NotReady]:
    """PostgreSQL, Redis and Elasticsearch all answer; a 503 names each one that does not."""
    readiness = await check_readiness(dependency_checks, settings.readiness_timeout)
    if readiness.ready:
        return Response(Ready(status="ready", checks=readiness.checks))
    report = NotReady(detail=f"not reachable: {', '.join(readiness.down)}", checks=readiness.checks)
    return Response(report, status_code=503, media_type=PROBLEM_MEDIA_TYPE)


@get(
    "/health/pipeline",
    operation_id="pipeline",
    tags=["health"],
    cache=False,
    responses={
        503: ResponseSpec(
            PipelineDown, description="No relay or no worker alive", media_type=PROBLEM_MEDIA_TYPE
        )
    },
)
async def pipeline(
    pipeline_liveness: Injected[PipelineLiveness],
) -> Response[PipelineAlive | PipelineDown]:
    """At least one relay and one worker sent a heartbeat in the last 15 s. A 503 here is for
    an operator's alert, not a load balancer's: the API still serves reads and takes orders,
    whose events wait (nothing is lost) until a relay and a worker run again. `/health/ready`
    does not include it for that reason."""
    health = await check_pipeline(pipeline_liveness)
    if health.alive:
        return Response(PipelineAlive(status="alive", processes=health.processes))
    report = PipelineDown(
        detail=f"none alive: {', '.join(health.missing)}", processes=health.processes
    )
    return Response(report, status_code=503, media_type=PROBLEM_MEDIA_TYPE)
