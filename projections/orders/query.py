"""The `orders` read model's query builder: an `OrderQuery` as an Elasticsearch request body
(filters, `q`, the cursor), and the response as the port's views. The in-memory twin
(`projections.orders.matching`) answers the same query from the same states by the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery
from commerce.ports.product_search import InvalidCursorError, Total
from projections import paging
from projections.orders.document import OrderState, decode_state, email_key, number_key
from projections.orders.views import detail_from_state, summary_from_state
from projections.paging import TRACK_TOTAL_HITS, epoch_millis
from projections.text import query_terms

_CURSOR_TAG = "orders"
_NOT_OURS = "not a cursor this list handed out"


# Cursor: the last hit's sort values (placed_at in epoch millis, id) -------------------------


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    tag: str
    placed_at: int
    id: str


def encode_cursor(placed_at: int, order_id: str) -> str:
    return paging.encode_cursor(_Cursor(_CURSOR_TAG, placed_at, order_id))


def decode_cursor(cursor: str) -> tuple[int, str]:
    decoded = paging.decode_cursor(cursor, _Cursor, _NOT_OURS)
    if (
        decoded.tag != _CURSOR_TAG
        or not -paging.LONG <= decoded.placed_at <= paging.LONG
        or not 0 < len(decoded.id) <= 64
    ):
        raise InvalidCursorError(_NOT_OURS)
    return decoded.placed_at, decoded.id


# q ------------------------------------------------------------------------------------------


def q_terms(q: str | None) -> list[tuple[str, ...]]:
    """The words of `q`, each with its alternatives (`projections.text.query_terms`); empty
    when `q` has none, and then `q` filters nothing."""
    return query_terms(q) if q else []


def typo_tolerant(term: str) -> bool:
    """A word with a digit (`000123` of an order number, `55` of a model) must match exactly:
    a typo allowance would match the neighbouring numbers."""
    return not any(ch.isdigit() for ch in term)


# Requests -----------------------------------------------------------------------------------

SORT = [{"placed_at": "desc"}, {"id": "asc"}]
SOURCE = ["detail"]  # all a view needs


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
        "source_includes": SOURCE,
    }
    if after is not None:
        request["search_after"] = list(after)
    return request


def payment_request(payment_id: UUID) -> dict[str, Any]:
    """The search for the order holding a payment."""
    return {
        "query": {"bool": {"filter": [{"term": {"payment_ids": str(payment_id)}}]}},
        "size": 1,
        "source_includes": SOURCE,
    }


# Responses -> views -------------------------------------------------------------------------


def state_from_source(source: Mapping[str, Any]) -> OrderState:
    return decode_state(source["detail"])


def order_page(response: Mapping[str, Any], query: OrderQuery) -> OrderPage:
    """The page of a search response to `list_request(query)`."""
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


def empty_page() -> OrderPage:
    """The answer while the index does not exist yet (nothing was ever projected)."""
    return OrderPage(items=[], total=Total(value=0, relation="eq"), next_cursor=None)


def found_order(response: Mapping[str, Any]) -> OrderDetail | None:
    """The order a response to `payment_request` found, if any."""
    hits = response["hits"]["hits"]
    return detail_from_state(state_from_source(hits[0]["_source"])) if hits else None
