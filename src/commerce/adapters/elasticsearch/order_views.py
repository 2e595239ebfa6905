"""The customer's order list, the staff list, the order detail and payment lookup, over the
`orders` index (behind its alias): the read model's query builder (`projections.orders.query`)
makes each request and reads its response; this adapter sends it. Until the index exists (no
worker has run yet), lists are empty and lookups find nothing."""

from __future__ import annotations

from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

# The same mapping of transport failures to `DependencyUnavailableError` as the product search.
from commerce.adapters.elasticsearch.errors import answering, search_read_model
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery
from projections.orders.mapping import alias_name
from projections.orders.query import (
    SOURCE,
    empty_page,
    found_order,
    list_request,
    order_page,
    payment_request,
    state_from_source,
)
from projections.orders.views import detail_from_state
from projections.paging import TRACK_TOTAL_HITS


class ElasticsearchOrderViews:
    def __init__(
        self,
        client: AsyncElasticsearch,
        index_prefix: str,
        track_total_hits: int = TRACK_TOTAL_HITS,
    ) -> None:
        self._client = client
        self._index = alias_name(index_prefix)
        self._track_total_hits = track_total_hits

    async def list_orders(self, query: OrderQuery) -> OrderPage:
        request = list_request(query, self._track_total_hits)
        body = await search_read_model(self._client, self._index, request)
        return empty_page() if body is None else order_page(body, query)

    async def get_order(self, order_id: UUID) -> OrderDetail | None:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._index, id=str(order_id), source_includes=SOURCE
                )
        except NotFoundError:
            return None
        return detail_from_state(state_from_source(found["_source"]))

    async def find_payment(self, payment_id: UUID) -> OrderDetail | None:
        body = await search_read_model(self._client, self._index, payment_request(payment_id))
        return None if body is None else found_order(body)
