"""The `reviews` read model's query builder: a `ReviewQuery` as an Elasticsearch request body
(the product's listed reviews in the asked order, the cursor, the histogram) and the response as
the port's page. The in-memory twin (`projections.reviews.matching`) answers the same query from
the same documents by the same rules.

One request: a product's reviews are few enough that the histogram's aggregation (five buckets
of a `terms` over the product's listed reviews) costs nothing next to the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.rating import average_of
from commerce.domain.review import MAX_STARS, MIN_STARS
from commerce.ports.product_search import InvalidCursorError, Rating, Total
from commerce.ports.review_views import ReviewPage, ReviewQuery, ReviewSort, StarCount
from projections import paging
from projections.paging import TRACK_TOTAL_HITS
from projections.reviews.document import view_from_source

_NOT_OURS = "not a cursor this list handed out"
_NEWEST = {"updated_at": "desc"}
_ID = {"id": "asc"}
SORTS: dict[ReviewSort, list[dict[str, str]]] = {
    "newest": [_NEWEST, _ID],
    "rating_desc": [{"stars": "desc"}, _NEWEST, _ID],
    "rating_asc": [{"stars": "asc"}, _NEWEST, _ID],
}
STARS = tuple(range(MAX_STARS, MIN_STARS - 1, -1))


# Cursor: the product, the sort, and the last hit's sort values ------------------------------


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    product_id: str
    sort: str
    after: list[int | str]


def encode_cursor(query: ReviewQuery, after: list[Any]) -> str:
    return paging.encode_cursor(_Cursor(str(query.product_id), query.sort, after))


def decode_cursor(query: ReviewQuery) -> list[int | str] | None:
    """The sort values to continue after; `InvalidCursorError` for a cursor of another
    product or sort, or not ours."""
    if query.cursor is None:
        return None
    decoded = paging.decode_cursor(query.cursor, _Cursor, _NOT_OURS)
    if decoded.product_id != str(query.product_id) or decoded.sort != query.sort:
        raise InvalidCursorError("the cursor belongs to another list of reviews")
    *numbers, review_id = decoded.after
    if (
        len(numbers) != len(SORTS[query.sort]) - 1
        or not all(isinstance(n, int) and abs(n) <= paging.LONG for n in numbers)
        or not isinstance(review_id, str)
        or not 0 < len(review_id) <= 64
    ):
        raise InvalidCursorError(_NOT_OURS)
    return decoded.after


# Request ------------------------------------------------------------------------------------


def listed_filter(product_id: UUID) -> list[dict[str, Any]]:
    return [{"term": {"product_id": str(product_id)}}, {"term": {"hidden": False}}]


def list_request(query: ReviewQuery, track_total_hits: int = TRACK_TOTAL_HITS) -> dict[str, Any]:
    request: dict[str, Any] = {
        "query": {"bool": {"filter": listed_filter(query.product_id)}},
        "sort": SORTS[query.sort],
        "size": query.limit + 1,
        "track_total_hits": track_total_hits,
        "aggs": {"stars": {"terms": {"field": "stars", "size": len(STARS)}}},
    }
    if (after := decode_cursor(query)) is not None:
        request["search_after"] = after
    return request


# Response -> page ---------------------------------------------------------------------------


def page_of(
    hits: list[Mapping[str, Any]],
    sort_values: list[list[Any]],
    total: Total,
    star_counts: Mapping[int, int],
    query: ReviewQuery,
) -> ReviewPage:
    """The page from the hits' sources and sort values (one more than the limit if there is
    a next page) and the count of listed reviews by stars; both adapters end here."""
    page = hits[: query.limit]
    histogram = [StarCount(rating=stars, count=star_counts.get(stars, 0)) for stars in STARS]
    count = sum(bar.count for bar in histogram)
    stars = sum(bar.rating * bar.count for bar in histogram)
    more = len(hits) > query.limit
    return ReviewPage(
        items=[view_from_source(dict(hit)) for hit in page],
        total=total,
        next_cursor=encode_cursor(query, sort_values[len(page) - 1]) if more else None,
        rating=Rating(average=average_of(count, stars), count=count),
        histogram=histogram,
    )


def review_page(response: Mapping[str, Any], query: ReviewQuery) -> ReviewPage:
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]
    buckets = response["aggregations"]["stars"]["buckets"]
    return page_of(
        [hit["_source"] for hit in hits],
        [hit["sort"] for hit in hits],
        Total(value=total["value"], relation=total["relation"]),
        {int(bucket["key"]): bucket["doc_count"] for bucket in buckets},
        query,
    )


def empty_page(query: ReviewQuery) -> ReviewPage:
    """The answer while the index does not exist yet (nothing was ever projected)."""
    return page_of([], [], Total(value=0, relation="eq"), {}, query)
