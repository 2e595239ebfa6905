"""The real Elasticsearch of the stack indexes and finds a document."""

import uuid
from collections.abc import AsyncIterator

import pytest
from elasticsearch import AsyncElasticsearch


@pytest.fixture
async def index(elasticsearch: AsyncElasticsearch) -> AsyncIterator[str]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    await elasticsearch.indices.create(
        index=name,
        settings={"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        mappings={"properties": {"name": {"type": "text"}, "brand": {"type": "keyword"}}},
    )
    yield name
    await elasticsearch.indices.delete(index=name)


async def test_an_indexed_document_is_found_by_full_text_and_keyword(
    elasticsearch: AsyncElasticsearch, index: str
) -> None:
    await elasticsearch.index(
        index=index, id="p-1", document={"name": "Stainless steel kettle", "brand": "Acme"}
    )
    await elasticsearch.index(
        index=index, id="p-2", document={"name": "Cast iron pan", "brand": "Forge"}
    )
    await elasticsearch.indices.refresh(index=index)

    found = await elasticsearch.search(
        index=index,
        query={
            "bool": {"must": {"match": {"name": "kettle"}}, "filter": {"term": {"brand": "Acme"}}}
        },
    )

    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["p-1"]


async def test_the_cluster_is_green_for_an_index_without_replicas(
    elasticsearch: AsyncElasticsearch, index: str
) -> None:
    health = await elasticsearch.cluster.health(index=index, wait_for_status="green", timeout="5s")

    assert health["status"] == "green"
