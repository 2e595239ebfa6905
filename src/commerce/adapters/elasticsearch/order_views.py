"""The customer's order list, the staff list, the order detail and payment lookup, over the
`orders` index (behind its alias). Until the index exists (no worker has run yet), lists are
empty and lookups find nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

# The same mapping of transport failures to `DependencyUnavailableError` as the product search.
from commerce.adapters.elasticsearch.errors import answering, index_missing
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery
from commerce.ports.product_search import Total
from projections.orders.document import email_key, number_key
from projections.orders.mapping import alias_name
from projections.orders.query import (
    decode_cursor,
    detail_from_state,
    encode_cursor,
    epoch_millis,
    q_terms,
    state_from_source,
    summary_from_state,
    typo_tolerant,
)
from projections.products.query import TRACK_TOTAL_HITS

SORT = [{"placed_at": "desc"}, {"id": "asc"}]
_SOURCE = ["detail"]


def _term_clause(term: str) -> dict[str, Any]:
    match: dict[str, Any] = {"query": term}
    if typo_tolerant(term):
        match |= {"fuzziness": "AUTO", "prefix_length": 1}
    return {"match": {"search": match}}


def _word_clause(alternatives: tuple[str, ...]) -> dict[str, Any]:
    """One word of `q`: any of its alternatives, each of whose terms must all match."""
    return {
        "bool": {
            "should": [
                {"bool": {"filter": [_term_clause(term) for term in alternative.split()]}}
                for alternative in alternatives
            ],
            "minimum_should_match": 1,
        }
    }


def _q_clause(q: str, groups: list[tuple[str, ...]]) -> dict[str, Any]:
    """The order number exactly (any case), or every word among the product names."""
    return {
        "bool": {
            "should": [
                {"term": {"number": number_key(q)}},
                {"bool": {"filter": [_word_clause(group) for group in groups]}},
            ],
            "minimum_should_match": 1,
        }
    }


def list_request(query: OrderQuery, track_total_hits: int = TRACK_TOTAL_HITS) -> dict[str, Any]:
    """The search request body for an order list."""
    after = decode_cursor(query.cursor) if query.cursor else None
    filters: list[dict[str, Any]] = []
    if query.customer_id is not None:
        filters.append({"term": {"customer_id": str(query.customer_id)}})
    if query.statuses:
        filters.append({"terms": {"status": sorted({s.value for s in query.statuses})}})
    bounds = {
        op: epoch_millis(moment)
        for op, moment in (("gte", query.placed_from), ("lte", query.placed_to))
        if moment is not None
    }
    if bounds:
        filters.append({"range": {"placed_at": {**bounds, "format": "epoch_millis"}}})
    if query.customer_email is not None:
        filters.append({"term": {"customer_email": email_key(query.customer_email)}})
    groups = q_terms(query.q)
    if query.q and groups:
        filters.append(_q_clause(query.q, groups))
    request: dict[str, Any] = {
        "query": {"bool": {"filter": filters}},
        "sort": SORT,
        "size": query.limit + 1,
        "track_total_hits": track_total_hits,
        "source_includes": _SOURCE,
    }
    if after is not None:
        request["search_after"] = list(after)
    return request


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
        try:
            async with answering():
                response = await self._client.search(index=self._index, **request)
        except NotFoundError as error:
            if index_missing(error):
                return OrderPage(items=[], total=Total(value=0, relation="eq"), next_cursor=None)
            raise
        hits = response["hits"]["hits"]
        page = hits[: query.limit]
        total = response["hits"]["total"]
        next_cursor = None
        if page and len(hits) > query.limit:
            placed_at, order_id = page[-1]["sort"]
            next_cursor = encode_cursor(placed_at, order_id)
        return OrderPage(
            items=[summary_from_state(state_from_source(hit["_source"])) for hit in page],
            total=Total(value=total["value"], relation=total["relation"]),
            next_cursor=next_cursor,
        )

    async def get_order(self, order_id: UUID) -> OrderDetail | None:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._index, id=str(order_id), source_includes=_SOURCE
                )
        except NotFoundError:
            return None
        return detail_from_state(state_from_source(found["_source"]))

    async def find_payment(self, payment_id: UUID) -> OrderDetail | None:
        try:
            async with answering():
                response = await self._client.search(
                    index=self._index,
                    query={"bool": {"filter": [{"term": {"payment_ids": str(payment_id)}}]}},
                    size=1,
                    source_includes=_SOURCE,
                )
        except NotFoundError as error:
            if index_missing(error):
                return None
            raise
        hits = response["hits"]["hits"]
        return detail_from_state(state_from_source(hits[0]["_source"])) if hits else None
