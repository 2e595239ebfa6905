"""The `products` index on the real Elasticsearch: creation behind the alias, the mapping
check at start-up, and version-guarded writes racing each other."""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.domain.catalog import Variant
from commerce.domain.events import EventEnvelope
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.product_search import ProductQuery
from commerce.settings import Settings
from projections.indices import IndexMappingError, create_index
from projections.products.mapping import MAPPING, MAPPING_VERSION
from projections.products.projector import ProductsProjection
from tests.product_events import a_product, changes, stock_of
from tests.support import ELASTICSEARCH_TIMEOUT, eur, free_port


@pytest.fixture
def client(stack_settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    yield client
    client.close()


@pytest.fixture
def prefix(client: Elasticsearch) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)


def test_ensure_index_creates_a_versioned_index_behind_the_alias_once(
    client: Elasticsearch, prefix: str
) -> None:
    projection = ProductsProjection(prefix)

    projection.ensure_index(client)
    projection.ensure_index(client)

    aliases = client.indices.get_alias(name=f"{prefix}-products").body
    assert list(aliases) == [f"{prefix}-products-v{MAPPING_VERSION}"]
    settings = client.indices.get_settings(index=f"{prefix}-products-v{MAPPING_VERSION}").body
    index_settings = settings[f"{prefix}-products-v{MAPPING_VERSION}"]["settings"]["index"]
    assert (index_settings["refresh_interval"], index_settings["number_of_replicas"]) == ("1s", "0")


def test_replicas_and_refresh_interval_are_parameters(client: Elasticsearch, prefix: str) -> None:
    ProductsProjection(prefix, replicas=1, refresh_interval="2s").ensure_index(client)

    settings = client.indices.get_settings(index=f"{prefix}-products").body
    (index_settings,) = (entry["settings"]["index"] for entry in settings.values())
    assert (index_settings["refresh_interval"], index_settings["number_of_replicas"]) == ("2s", "1")


def test_a_mapping_the_server_cannot_take_stops_start_up_with_a_clear_message(
    client: Elasticsearch, prefix: str
) -> None:
    needs_a_module = {
        "properties": {**MAPPING["properties"], "name_typed": {"type": "search_as_you_type"}}
    }

    with pytest.raises(IndexMappingError, match=r"search_as_you_type.*mapper-extras"):
        create_index(client, f"{prefix}-products-bad", 0, "1s", mapping=needs_a_module)


def test_an_existing_index_with_a_conflicting_mapping_asks_for_a_rebuild(
    client: Elasticsearch, prefix: str
) -> None:
    client.indices.create(
        index=f"{prefix}-products-old",
        mappings={"properties": {"price": {"type": "keyword"}}},
        aliases={f"{prefix}-products": {}},
    )

    with pytest.raises(IndexMappingError, match="rebuild products"):
        ProductsProjection(prefix).ensure_index(client)


def test_writers_racing_on_one_product_lose_nothing(client: Elasticsearch, prefix: str) -> None:
    projection = ProductsProjection(prefix, max_attempts=50)
    projection.ensure_index(client)
    kettle, created = a_product("Kettle", variants=[("K-0", 1000, {})])
    projection.project(client, created)
    batches: list[list[EventEnvelope]] = []
    for n in range(1, 9):
        kettle.add_variant(Variant(sku=f"K-{n}", price=eur(1000 + n), attributes={}), "EUR")
        batches.append(changes(kettle))
        batches.append(stock_of(kettle, f"K-{n}", on_hand=n)[1])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda batch: projection.project(client, batch), batches))

    source = client.get(index=f"{prefix}-products", id=str(kettle.id))["_source"]
    assert [v["sku"] for v in source["display"]["variants"]] == [f"K-{n}" for n in range(9)]
    assert sorted(source["state"]["stock"]) == [f"K-{n}" for n in range(1, 9)]
    assert source["in_stock"] is True
    assert source["state"]["catalog_version"] == 9


def test_a_batch_already_applied_writes_nothing(client: Elasticsearch, prefix: str) -> None:
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    kettle, created = a_product("Kettle")
    projection.project(client, created)
    before = client.get(index=f"{prefix}-products", id=str(kettle.id))

    projection.project(client, created)
    projection.project(client, [])

    after = client.get(index=f"{prefix}-products", id=str(kettle.id))
    assert (after["_seq_no"], after["_version"]) == (before["_seq_no"], before["_version"])


async def test_an_unreachable_cluster_is_reported_as_elasticsearch_unavailable() -> None:
    client = create_client(f"http://127.0.0.1:{free_port()}", ELASTICSEARCH_TIMEOUT)
    search = ElasticsearchProductSearch(client, "test-nowhere")
    try:
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await search.search(ProductQuery())
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await search.suggest("kettle")
    finally:
        await client.close()


async def test_before_the_index_exists_every_answer_is_empty(
    elasticsearch: AsyncElasticsearch,
) -> None:
    search = ElasticsearchProductSearch(elasticsearch, f"test-{uuid.uuid4().hex[:10]}")

    result = await search.search(ProductQuery(q="kettle"))

    assert (result.items, result.total.value, result.next_cursor) == ([], 0, None)
    assert await search.get(uuid.uuid4()) is None
    assert await search.suggest("kettle") == []
