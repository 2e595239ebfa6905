"""How the read-model adapters treat Elasticsearch's failures, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, NotFoundError, TransportError

from commerce.ports.health import DependencyUnavailableError

ELASTICSEARCH = "elasticsearch"  # its public name, in readiness and 503s


def unavailable(reason: str, retry_after: float | None = None) -> DependencyUnavailableError:
    return DependencyUnavailableError(ELASTICSEARCH, reason, retry_after)


def cannot_serve(status: int) -> bool:
    """An answer saying the cluster cannot serve now (down, overloaded), not that the request
    was wrong."""
    return status >= 500 or status == 429


@asynccontextmanager
async def answering() -> AsyncIterator[None]:
    """A cluster that is down, slow or overloaded is a `DependencyUnavailableError`; a request
    it refuses (4xx) is a bug here, and stays one."""
    try:
        yield
    except TransportError as error:  # unreachable, or no answer within the request timeout
        raise unavailable(f"no answer ({type(error).__name__})") from error
    except ApiError as error:
        if cannot_serve(error.meta.status):
            raise unavailable(f"answered {error.meta.status}") from error
        raise


def index_missing(error: NotFoundError) -> bool:
    """The read model's index does not exist yet (nothing was ever projected)."""
    info = error.info if isinstance(error.info, dict) else {}
    cause = info.get("error")
    return isinstance(cause, dict) and cause.get("type") == "index_not_found_exception"


async def search_read_model(
    client: AsyncElasticsearch, index: str, request: dict[str, Any]
) -> dict[str, Any] | None:
    """The response body of a search of a read model; None while its index does not exist yet
    (nothing was ever projected)."""
    try:
        async with answering():
            response = await client.search(index=index, **request)
    except NotFoundError as error:
        if index_missing(error):
            return None
        raise
    body: dict[str, Any] = response.body
    return body
