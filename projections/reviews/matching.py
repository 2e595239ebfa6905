"""The in-memory twin of the `reviews` queries: the same query answered from the same documents
(built by the projector's own functions) by the same rules, evaluated in Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from commerce.ports.review_views import ReviewPage, ReviewQuery
from projections.paging import epoch_millis, total_of
from projections.reviews.query import SORTS, decode_cursor, page_of

Doc = dict[str, Any]


def _sort_values(query: ReviewQuery, doc: Doc) -> list[Any]:
    """What Elasticsearch hands back as the hit's `sort` values."""
    updated = epoch_millis(datetime.fromisoformat(doc["updated_at"]))
    return [updated, doc["id"]] if query.sort == "newest" else [doc["stars"], updated, doc["id"]]


def _key(query: ReviewQuery, values: list[Any]) -> tuple[Any, ...]:
    """Ascending: each sort key negated where Elasticsearch sorts it descending."""
    directions = [next(iter(clause.values())) for clause in SORTS[query.sort]]
    *numbers, review_id = values
    keyed = [-n if way == "desc" else n for n, way in zip(numbers, directions, strict=False)]
    return (*keyed, review_id)


def list_reviews(documents: Iterable[Doc], query: ReviewQuery, track_total_hits: int) -> ReviewPage:
    """What Elasticsearch answers to `list_request(query)` over these documents."""
    after = decode_cursor(query)
    listed = [
        doc for doc in documents if doc["product_id"] == str(query.product_id) and not doc["hidden"]
    ]
    ranked = sorted(
        ((_sort_values(query, doc), doc) for doc in listed), key=lambda p: _key(query, p[0])
    )
    if after is not None:
        start = _key(query, after)
        ranked = [pair for pair in ranked if _key(query, pair[0]) > start]
    shown = ranked[: query.limit + 1]
    return page_of(
        [doc for _, doc in shown],
        [values for values, _ in shown],
        total_of(len(listed), track_total_hits),
        Counter(doc["stars"] for doc in listed),
        query,
    )
