"""Liveness and readiness probes for orchestrators and load balancers."""

from collections.abc import Sequence
from typing import Literal

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from commerce.application.readiness import check_readiness
from commerce.entrypoints.http.problems import PROBLEM_MEDIA_TYPE
from commerce.ports.health import DependencyCheck
from commerce.settings import Settings


class Liveness(msgspec.Struct, frozen=True):
    status: str


class Ready(msgspec.Struct, frozen=True):
    status: Literal["ready"]
    checks: dict[str, str]


class NotReady(msgspec.Struct, frozen=True, kw_only=True):
    """Problem details with the state of each dependency as an extension member."""

    type: str = "about:blank"
    title: str = "Service Unavailable"
    status: int = 503
    detail: str
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
