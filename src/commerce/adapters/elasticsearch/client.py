"""The async Elasticsearch client of the API's read models, and its readiness check."""

from elasticsearch import AsyncElasticsearch

from commerce.adapters.elasticsearch.errors import ELASTICSEARCH
from commerce.ports.health import DependencyUnavailableError

# A query waits at most this long for an answer (connecting included) before it is a 503.
# Searches take milliseconds; one that takes seconds will not be answered in time anyway.
REQUEST_TIMEOUT_S = 3.0


def create_client(
    elasticsearch_url: str, request_timeout: float = REQUEST_TIMEOUT_S
) -> AsyncElasticsearch:
    """Bounded: a timed-out request is not retried (it already spent the whole wait); a broken
    connection is retried once, on a new one (a pooled connection the server closed)."""
    return AsyncElasticsearch(
        elasticsearch_url,
        request_timeout=request_timeout,
        retry_on_timeout=False,
        max_retries=1,
    )


class ElasticsearchCheck:
    """Ready unless the cluster is unreachable or red (a primary shard is missing)."""

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
