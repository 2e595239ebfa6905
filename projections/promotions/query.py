"""The `promotions` read model's query builder: a list of sales or codes as an Elasticsearch
request body (kind, status at an instant, newest first, the cursor), and the response as the
port's pages. The in-memory twin (`projections.promotions.matching`) answers the same query
from the same states by the same rules.

A status is the sale's or code's at the instant asked about, so it is a filter on the instants
the document stores, never a stored value: `active` now may be `ended` an hour later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from commerce.domain.pricing import SaleStatus
from commerce.ports.product_search import InvalidCursorError, Total
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeStatus,
    PromoCodeView,
    SalePage,
    SaleQuery,
    SaleView,
)
from projections import paging
from projections.paging import TRACK_TOTAL_HITS
from projections.promotions.document import PromotionState, decode_state
from projections.promotions.views import code_view, sale_view

SALES, CODES = "sale", "promo_code"
SORT = [{"created_at": "desc"}, {"key": "desc"}]
SOURCE = ["state"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_OURS = "not a cursor this list handed out"


def epoch_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch, as a `date_nanos` field sorts (a naive time is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


# Cursor: the last hit's sort values (created_at in epoch nanos, key) ------------------------


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    kind: str
    created_at: int
    key: str


def encode_cursor(kind: str, created_at: int, key: str) -> str:
    return paging.encode_cursor(_Cursor(kind, created_at, key))


def decode_cursor(cursor: str, kind: str) -> tuple[int, str]:
    decoded = paging.decode_cursor(cursor, _Cursor, _NOT_OURS)
    if (
        decoded.kind != kind
        or not -paging.LONG <= decoded.created_at <= paging.LONG
        or not 0 < len(decoded.key) <= 64
    ):
        raise InvalidCursorError(_NOT_OURS)
    return decoded.created_at, decoded.key


# Status at an instant -----------------------------------------------------------------------


def _range(field: str, op: str, now: str) -> dict[str, Any]:
    return {"range": {field: {op: now}}}


def _all(*clauses: dict[str, Any], must_not: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    return {"bool": {"filter": list(clauses), "must_not": list(must_not)}}


def _sale_status(status: SaleStatus, now: str) -> dict[str, Any]:
    if status == SaleStatus.SCHEDULED:
        return _range("starts_at", "gt", now)
    if status == SaleStatus.ACTIVE:
        return _all(_range("starts_at", "lte", now), _range("ends_at", "gt", now))
    if status == SaleStatus.ENDED:
        return _range("ends_at", "lte", now)
    return {"match_none": {}}  # deleted sales are not listed


_ENABLED = {"term": {"disabled": False}}
_NONE_LEFT = {"range": {"remaining": {"lte": 0}}}


def _code_status(status: PromoCodeStatus, now: str) -> dict[str, Any]:
    """As `PromoCode.status` decides: disabled, then not started, expired, exhausted."""
    running = (_ENABLED, _range("starts_at", "lte", now), _range("ends_at", "gt", now))
    clauses = {
        PromoCodeStatus.DISABLED: {"term": {"disabled": True}},
        PromoCodeStatus.NOT_STARTED: _all(_ENABLED, _range("starts_at", "gt", now)),
        PromoCodeStatus.EXPIRED: _all(_ENABLED, _range("ends_at", "lte", now)),
        PromoCodeStatus.EXHAUSTED: _all(*running, _NONE_LEFT),
        PromoCodeStatus.ACTIVE: _all(*running, must_not=[_NONE_LEFT]),
    }
    return clauses[status]


# Requests -----------------------------------------------------------------------------------


def _list_request(
    kind: str,
    statuses: Sequence[dict[str, Any]],
    limit: int,
    cursor: str | None,
    track_total_hits: int,
) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [{"term": {"kind": kind}}, {"term": {"listed": True}}]
    if statuses:
        filters.append({"bool": {"should": list(statuses), "minimum_should_match": 1}})
    request: dict[str, Any] = {
        "query": {"bool": {"filter": filters}},
        "sort": SORT,
        "size": limit + 1,
        "track_total_hits": track_total_hits,
        "source_includes": SOURCE,
    }
    if cursor is not None:
        request["search_after"] = list(decode_cursor(cursor, kind))
    return request


def sales_request(query: SaleQuery, track_total_hits: int = TRACK_TOTAL_HITS) -> dict[str, Any]:
    now = msgspec.to_builtins(query.now)
    statuses = [_sale_status(status, now) for status in dict.fromkeys(query.statuses)]
    return _list_request(SALES, statuses, query.limit, query.cursor, track_total_hits)


def codes_request(
    query: PromoCodeQuery, track_total_hits: int = TRACK_TOTAL_HITS
) -> dict[str, Any]:
    now = msgspec.to_builtins(query.now)
    statuses = [_code_status(status, now) for status in dict.fromkeys(query.statuses)]
    return _list_request(CODES, statuses, query.limit, query.cursor, track_total_hits)


# Responses -> views -------------------------------------------------------------------------


def state_from_source(source: Mapping[str, Any]) -> PromotionState:
    return decode_state(source["state"])


def _page(
    response: Mapping[str, Any], kind: str, limit: int
) -> tuple[list[PromotionState], Total, str | None]:
    hits = response["hits"]["hits"]
    page = hits[:limit]
    total = response["hits"]["total"]
    next_cursor = None
    if page and len(hits) > limit:
        created_at, key = page[-1]["sort"]
        next_cursor = encode_cursor(kind, created_at, key)
    states = [state_from_source(hit["_source"]) for hit in page]
    return states, Total(value=total["value"], relation=total["relation"]), next_cursor


def sale_page(response: Mapping[str, Any], query: SaleQuery) -> SalePage:
    states, total, next_cursor = _page(response, SALES, query.limit)
    items = [view for state in states if (view := sale_view(state, query.now)) is not None]
    return SalePage(items=items, total=total, next_cursor=next_cursor)


def code_page(response: Mapping[str, Any], query: PromoCodeQuery) -> PromoCodePage:
    states, total, next_cursor = _page(response, CODES, query.limit)
    items = [view for state in states if (view := code_view(state, query.now)) is not None]
    return PromoCodePage(items=items, total=total, next_cursor=next_cursor)


def empty_sales() -> SalePage:
    """The answer while the index does not exist yet (nothing was ever projected)."""
    return SalePage(items=[], total=Total(value=0, relation="eq"), next_cursor=None)


def empty_codes() -> PromoCodePage:
    return PromoCodePage(items=[], total=Total(value=0, relation="eq"), next_cursor=None)


def found_sale(source: Mapping[str, Any], now: datetime) -> SaleView | None:
    return sale_view(state_from_source(source), now)


def found_code(source: Mapping[str, Any], now: datetime) -> PromoCodeView | None:
    return code_view(state_from_source(source), now)
