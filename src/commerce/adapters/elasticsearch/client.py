"""The async Elasticsearch client of the API's read models, its bounds and circuit breaker, and
its readiness check."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from elastic_transport import AsyncTransport, TransportApiResponse, TransportError
from elasticsearch import AsyncElasticsearch, Elasticsearch

from commerce.adapters.elasticsearch.breaker import CircuitBreaker, CircuitOpenError
from commerce.adapters.elasticsearch.errors import ELASTICSEARCH, cannot_serve, unavailable
from commerce.adapters.elasticsearch.serializers import msgspec_serializers
from commerce.ports.health import DependencyUnavailableError


def create_client(
    elasticsearch_url: str, request_timeout: float, breaker: CircuitBreaker | None = None
) -> AsyncElasticsearch:
    """Bounded: a timed-out request is not retried (it already spent the whole wait); a broken
    connection is retried once, on a new one (a pooled connection the server closed). With a
    `breaker`, every request goes through it and ends within `request_timeout`, retry included.
    The API's queries get COMMERCE_ELASTICSEARCH_TIMEOUT."""
    transport = AsyncTransport if breaker is None else _guarded(breaker, request_timeout)
    return AsyncElasticsearch(
        elasticsearch_url,
        request_timeout=request_timeout,
        retry_on_timeout=False,
        max_retries=1,
        transport_class=transport,
        serializers=msgspec_serializers(),
    )


def create_sync_client(elasticsearch_url: str, request_timeout: float) -> Elasticsearch:
    """The worker's and the read-model commands' (thread-based) client."""
    return Elasticsearch(
        elasticsearch_url, request_timeout=request_timeout, serializers=msgspec_serializers()
    )


def _guarded(breaker: CircuitBreaker, deadline: float) -> type[AsyncTransport]:
    # The transport, not the client: every request the client sends (search, get, mget, of
    # `options()` copies too, which share it) passes here once, its retry inside.
    class GuardedTransport(AsyncTransport):
        # Typed as the sync Transport's method, which AsyncTransport overrides the same way.
        async def perform_request(  # type: ignore[override]
            self, *args: Any, **kwargs: Any
        ) -> TransportApiResponse:
            parent = super().perform_request
            return await _through(breaker, deadline, lambda: parent(*args, **kwargs))

    return GuardedTransport


async def _through(
    breaker: CircuitBreaker,
    deadline: float,
    request: Callable[[], Awaitable[TransportApiResponse]],
) -> TransportApiResponse:
    try:
        probe = breaker.admit()
    except CircuitOpenError as refused:
        raise unavailable("not asked: circuit breaker open", refused.retry_after) from None
    try:
        async with asyncio.timeout(deadline):
            response = await request()
    except TimeoutError as error:
        breaker.failed(probe)
        raise unavailable(f"no answer within {deadline} s") from error
    except TransportError:
        breaker.failed(probe)
        raise
    except BaseException:  # cancelled, or a bug in the request: nothing learnt of the server
        breaker.abandoned(probe)
        raise
    if cannot_serve(response.meta.status):
        breaker.failed(probe)
    else:
        breaker.succeeded(probe)
    return response


class ElasticsearchCheck:
    """Ready unless the cluster is unreachable or red (a primary shard is missing). Give it a
    client without a breaker: readiness says what the server does now, not what the queries'
    breaker remembers."""

    name = ELASTICSEARCH

    def __init__(self, client: AsyncElasticsearch) -> None:
        self._client = client

    async def check(self) -> None:
        try:
            health = await self._client.options(request_timeout=2, max_retries=0).cluster.health()
        except Exception as error:
            raise DependencyUnavailableError(self.name) from error
        if health["status"] == "red":
            raise DependencyUnavailableError(self.name, "the cluster is red")
