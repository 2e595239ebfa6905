"""The async Elasticsearch client and its readiness check."""

from elasticsearch import AsyncElasticsearch

from commerce.adapters.elasticsearch.errors import ELASTICSEARCH
from commerce.ports.health import DependencyUnavailableError


def create_client(elasticsearch_url: str) -> AsyncElasticsearch:
    return AsyncElasticsearch(elasticsearch_url, request_timeout=10, retry_on_timeout=True)


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
