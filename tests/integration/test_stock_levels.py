"""`ProductSearch.stock_levels` (what staff's stock page shows) on the real Elasticsearch and
the in-memory twin, fed the same events: the same units per SKU, and none for a product
archived or never heard of."""

import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.domain.events import EventEnvelope
from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from tests.product_events import a_product, changes, stock_of
from tests.support import NOW


@pytest.fixture
def prefix(stack_settings: Settings) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


async def test_both_adapters_tell_staff_the_units_available_of_each_sku(
    stack_settings: Settings, elasticsearch: AsyncElasticsearch, prefix: str
) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {}), ("K-2", 1200, {})])
    _, counted = stock_of(kettle, "K-2", on_hand=7)
    board, board_created = a_product("Board", variants=[("B-1", 900, {})])
    board.archive(NOW)
    events: list[EventEnvelope] = [*created, *counted, *board_created, *changes(board)]
    twin = InMemoryProductSearch()
    twin.project(events)
    with Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30) as client:
        projection = ProductsProjection(prefix)
        projection.ensure_index(client)
        projection.project(client, events)
    real = ElasticsearchProductSearch(elasticsearch, prefix)

    for search in (twin, real):
        assert await search.stock_levels(kettle.id) == {"K-2": 7}
        assert await search.stock_levels(board.id) is None
        assert await search.stock_levels(uuid.uuid4()) is None
