"""How the read-model adapters treat Elasticsearch's failures, in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from elasticsearch import ApiError, NotFoundError, TransportError

from commerce.ports.product_search import SearchUnavailableError


@asynccontextmanager
async def answering() -> AsyncIterator[None]:
    """A cluster that is down or overloaded is a `SearchUnavailableError`; a request it
    refuses (4xx) is a bug here, and stays one."""
    try:
        yield
    except TransportError as error:
        raise SearchUnavailableError("elasticsearch is unreachable") from error
    except ApiError as error:
        if error.meta.status >= 500 or error.meta.status == 429:
            raise SearchUnavailableError(f"elasticsearch answered {error.meta.status}") from error
        raise


def index_missing(error: NotFoundError) -> bool:
    """The read model's index does not exist yet (nothing was ever projected)."""
    info = error.info if isinstance(error.info, dict) else {}
    cause = info.get("error")
    return isinstance(cause, dict) and cause.get("type") == "index_not_found_exception"
