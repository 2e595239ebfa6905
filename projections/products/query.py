"""The `products` read model's query builder: a `ProductQuery` as an Elasticsearch request body
(words, filters, sorts, cursors, facets, highlights, suggestions), and the response as the
port's views. The in-memory twin (`projections.products.matching`) answers the same query from
the same documents with the same filters, facet buckets and cursors.

A query is two searches, sent together: the page of hits, and the facets with the total. The
facets' search reads no hits (size 0), so Elasticsearch's request cache answers it again until
the next refresh: the next page, another sort or the same category browsed again skip the
aggregations (docs/adr/0005). Facets are disjunctive: the facets' query holds what every facet
shares (the words, `in_stock`, `on_sale`), the facet filters go into its `post_filter` (for the
total), and each facet's aggregation re-applies every facet filter except its own. The hits'
query holds every filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from commerce.ports.product_search import (
    RATING_THRESHOLDS,
    SUGGESTION_LIMIT,
    Facets,
    FacetValue,
    InvalidCursorError,
    PriceRange,
    ProductQuery,
    RatingBucket,
    SearchResult,
    Sort,
    Suggestion,
    Total,
)
from projections import paging
from projections.fuzzy import allowed_edits
from projections.paging import TRACK_TOTAL_HITS
from projections.products.document import ProductState, attribute_key
from projections.products.mapping import SUGGESTION_INPUT_LENGTH
from projections.products.views import (
    highlights,
    suggestion_from_source,
    summary_from_source,
)
from projections.text import fold_keyword, query_terms, suggestion_key

# Effective-price buckets in minor units: [from, to).
PRICE_RANGES: tuple[tuple[int, int | None], ...] = (
    (0, 1000),
    (1000, 2500),
    (2500, 5000),
    (5000, 10000),
    (10000, 25000),
    (25000, 50000),
    (50000, None),
)
BRAND_FACET_SIZE = 50
CATEGORY_FACET_SIZE = 100
ATTRIBUTE_FACET_SIZE = 500


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """A query's filters in the document's terms."""

    brands: frozenset[str]
    categories: frozenset[str]
    attributes: dict[str, frozenset[str]]  # folded name -> its `name=value` keys


def filters_of(query: ProductQuery) -> Filters:
    attributes: dict[str, set[str]] = {}
    for name, value in query.attributes:
        attributes.setdefault(fold_keyword(name), set()).add(attribute_key(name, value))
    return Filters(
        brands=frozenset(fold_keyword(brand) for brand in query.brands),
        categories=frozenset(c.strip().strip("/").lower() for c in query.categories),
        attributes={name: frozenset(keys) for name, keys in attributes.items()},
    )


def effective_sort(query: ProductQuery) -> tuple[Sort, list[tuple[str, ...]]]:
    """The sort to use and the query's terms: relevance needs words to rank by, so without
    any it orders by newest, like a browse."""
    terms = query_terms(query.q) if query.q else []
    sort = query.sort or ("relevance" if terms else "newest")
    if sort == "relevance" and not terms:
        sort = "newest"
    return sort, terms


# Cursors ------------------------------------------------------------------------------------

_NOT_OURS = "not a cursor this search handed out"
# What each sort's `search_after` values are: the sort keys, then the product's tiebreak.
_CURSOR_SHAPES: dict[Sort, tuple[type, ...]] = {
    "relevance": (float, int),
    "price_asc": (int, int),
    "price_desc": (int, int),
    "newest": (int, int),
    "rating": (float, int, int),
    "best_selling": (int, int),
}


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    sort: str
    after: list[int | float]


def encode_cursor(sort: Sort, after: list[Any]) -> str:
    return paging.encode_cursor(_Cursor(sort, after))


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    decoded = paging.decode_cursor(cursor, _Cursor, _NOT_OURS)
    if decoded.sort != sort:
        raise InvalidCursorError(f"the cursor belongs to sort {decoded.sort!r}, not {sort!r}")
    shape = _CURSOR_SHAPES[sort]
    if len(decoded.after) != len(shape) or not all(
        _fits(value, kind) for value, kind in zip(decoded.after, shape, strict=True)
    ):
        raise InvalidCursorError(_NOT_OURS)
    return [float(v) if kind is float else v for v, kind in zip(decoded.after, shape, strict=True)]


def _fits(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and -paging.LONG - 1 <= value <= paging.LONG
    return isinstance(value, int | float) and math.isfinite(value)


# Requests -----------------------------------------------------------------------------------

# Where the words are looked for, and how much a match in each counts.
SEARCH_FIELDS = ["search.name^3", "search.brand^2", "search.category^1.5", "search.description"]
_TIEBREAK = {"tiebreak": "asc"}
_SORTS: dict[Sort, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, _TIEBREAK],
    "price_asc": [{"effective_price": "asc"}, _TIEBREAK],
    "price_desc": [{"effective_price": "desc"}, _TIEBREAK],
    "newest": [{"created_at": "desc"}, _TIEBREAK],
    "rating": [{"rating.average": "desc"}, {"rating.count": "desc"}, _TIEBREAK],
    "best_selling": [{"sold_count": "desc"}, _TIEBREAK],
}
# A view shows the version of the catalogue it was built from (`ProductView.version`).
NOT_FOR_VIEWS = [
    *(f"state.{name}" for name in ProductState.__struct_fields__ if name != "catalog_version"),
    "search",
    "suggest",
]
# A hit keeps the words of its highlighted fields (views.HIGHLIGHTED): highlights are made here.
_NOT_FOR_HITS = ["state", "suggest", "search.brand", "search.category"]
_REGEXP_RESERVED = re.compile(r'([.?+*|{}\[\]()"\\#@&<>~])')


def _word_clause(alternatives: tuple[str, ...]) -> dict[str, Any]:
    """One word of the query (or any of its synonyms), typo tolerant, in any field."""
    return {
        "bool": {
            "should": [
                {
                    "multi_match": {
                        "query": alternative,
                        "fields": SEARCH_FIELDS,
                        "type": "best_fields",
                        "operator": "and",
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                    }
                }
                for alternative in alternatives
            ],
            "minimum_should_match": 1,
        }
    }


def _facet_filters(query: ProductQuery, filters: Filters) -> dict[str, dict[str, Any]]:
    clauses: dict[str, dict[str, Any]] = {}
    if filters.brands:
        clauses["brand"] = {"terms": {"brand_key": sorted(filters.brands)}}
    if filters.categories:
        clauses["category"] = {"terms": {"category_paths": sorted(filters.categories)}}
    bounds = {
        op: value
        for op, value in (("gte", query.price_min), ("lte", query.price_max))
        if value is not None
    }
    if bounds:
        clauses["price"] = {"range": {"effective_price": bounds}}
    if query.rating_min is not None:
        clauses["rating"] = {"range": {"rating.average": {"gte": query.rating_min}}}
    for name, keys in filters.attributes.items():
        clauses[f"attr:{name}"] = {"terms": {"attrs": sorted(keys)}}
    return clauses


def _aggregations(
    clauses: dict[str, dict[str, Any]], filters: Filters
) -> dict[str, dict[str, Any]]:
    def facet(own: str | None, values: dict[str, Any]) -> dict[str, Any]:
        others = [clause for name, clause in clauses.items() if name != own]
        return {"filter": {"bool": {"filter": others}}, "aggs": {"values": values}}

    ranges = [
        {"from": low} | ({"to": high} if high is not None else {}) for low, high in PRICE_RANGES
    ]
    aggs = {
        "brand": facet("brand", {"terms": {"field": "brand", "size": BRAND_FACET_SIZE}}),
        "category": facet(
            "category", {"terms": {"field": "category_paths", "size": CATEGORY_FACET_SIZE}}
        ),
        "price": facet("price", {"range": {"field": "effective_price", "ranges": ranges}}),
        "rating": facet(
            "rating",
            {
                "filters": {
                    "filters": {
                        str(stars): {"range": {"rating.average": {"gte": stars}}}
                        for stars in RATING_THRESHOLDS
                    }
                }
            },
        ),
        "attributes": facet(None, {"terms": {"field": "attrs", "size": ATTRIBUTE_FACET_SIZE}}),
    }
    for position, name in enumerate(filters.attributes):
        own_values = {
            "terms": {
                "field": "attrs",
                "size": ATTRIBUTE_FACET_SIZE,
                "include": _REGEXP_RESERVED.sub(r"\\\1", name) + "=.*",
            }
        }
        aggs[f"attribute_{position}"] = facet(f"attr:{name}", own_values)
    return aggs


def facets_from_aggregations(aggs: dict[str, Any], filters: Filters) -> Facets:
    def values(name: str) -> list[dict[str, Any]]:
        buckets: list[dict[str, Any]] = aggs[name]["values"]["buckets"]
        return buckets

    attributes: dict[str, list[FacetValue]] = {}
    own = [f"attribute_{i}" for i in range(len(filters.attributes))]
    for agg_name in ["attributes", *own]:
        for bucket in values(agg_name):
            attr, _, value = bucket["key"].partition("=")
            from_own_agg = agg_name != "attributes"
            if (attr in filters.attributes) == from_own_agg:
                attributes.setdefault(attr, []).append(
                    FacetValue(value=value, count=bucket["doc_count"])
                )
    rating = aggs["rating"]["values"]["buckets"]
    return Facets(
        brand=[FacetValue(value=b["key"], count=b["doc_count"]) for b in values("brand")],
        category=[FacetValue(value=b["key"], count=b["doc_count"]) for b in values("category")],
        price=[
            PriceRange(from_=low, to=high, count=bucket["doc_count"])
            for (low, high), bucket in zip(PRICE_RANGES, values("price"), strict=True)
        ],
        rating=[
            RatingBucket(value=stars, count=rating[str(stars)]["doc_count"])
            for stars in RATING_THRESHOLDS
        ],
        attributes=attributes,
    )


def empty_facets() -> Facets:
    return Facets(
        brand=[],
        category=[],
        price=[PriceRange(from_=low, to=high, count=0) for low, high in PRICE_RANGES],
        rating=[RatingBucket(value=stars, count=0) for stars in RATING_THRESHOLDS],
        attributes={},
    )


def search_requests(
    query: ProductQuery, track_total_hits: int = TRACK_TOTAL_HITS
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two search bodies answering a query: its page of hits, and its facets and total
    (also what bench/search.py sends straight to Elasticsearch, so the service's overhead is
    measured on identical requests)."""
    sort, terms = effective_sort(query)
    after = decode_cursor(query.cursor, sort) if query.cursor else None
    filters = filters_of(query)
    shared: list[dict[str, Any]] = [{"term": {"listed": True}}]
    if query.in_stock is not None:
        shared.append({"term": {"in_stock": query.in_stock}})
    if query.on_sale is not None:
        shared.append({"term": {"on_sale": query.on_sale}})
    clauses = _facet_filters(query, filters)
    words = [_word_clause(group) for group in terms]
    matches: dict[str, Any] = {"bool": {"filter": shared + list(clauses.values()), "must": words}}
    hits: dict[str, Any] = {
        "query": _rated(matches) if sort == "relevance" else matches,
        "sort": _SORTS[sort],
        "size": query.limit + 1,
        "track_total_hits": False,
        "source_excludes": _NOT_FOR_HITS,
    }
    if after is not None:
        hits["search_after"] = after
    facets: dict[str, Any] = {
        "query": {"bool": {"filter": shared, "must": words}},
        "aggs": _aggregations(clauses, filters),
        "size": 0,
        "track_total_hits": track_total_hits,
        "request_cache": True,
    }
    if clauses:
        facets["post_filter"] = {"bool": {"filter": list(clauses.values())}}
    return hits, facets


def _rated(query: dict[str, Any]) -> dict[str, Any]:
    """The words' score times the product's `rank_boost`: one doc value read per match, no
    script (docs/adr/0017)."""
    return {
        "function_score": {
            "query": query,
            "field_value_factor": {"field": "rank_boost", "missing": 1},
            "boost_mode": "multiply",
        }
    }


def suggest_request(text: str) -> dict[str, Any] | None:
    """The completion request for what a shopper typed; None when there is nothing to ask."""
    key = suggestion_key(text)[:SUGGESTION_INPUT_LENGTH]
    if not key:
        return None
    completion = {"field": "suggest", "size": SUGGESTION_LIMIT}
    suggesters: dict[str, Any] = {"exact": {"prefix": key, "completion": completion}}
    if edits := allowed_edits(key):
        fuzzy = completion | {"fuzzy": {"fuzziness": edits}}
        suggesters["fuzzy"] = {"prefix": key, "completion": fuzzy}
    return {
        "size": 0,
        "source_includes": ["id", "brand", "listed", "display.name", "display.images"],
        "suggest": suggesters,
    }


# Responses -> views -------------------------------------------------------------------------


def search_result(
    hits_response: Mapping[str, Any], facets_response: Mapping[str, Any], query: ProductQuery
) -> SearchResult:
    """The page answering the two searches of `search_requests(query)`."""
    sort, groups = effective_sort(query)
    hits = hits_response["hits"]["hits"]
    page = hits[: query.limit]
    items = [
        summary_from_source(hit["_source"], highlights(hit["_source"], groups) if groups else None)
        for hit in page
    ]
    total = facets_response["hits"]["total"]
    return SearchResult(
        items=items,
        total=Total(value=total["value"], relation=total["relation"]),
        next_cursor=encode_cursor(sort, page[-1]["sort"]) if len(hits) > query.limit else None,
        facets=facets_from_aggregations(facets_response["aggregations"], filters_of(query)),
    )


def empty_result() -> SearchResult:
    """The answer while the index does not exist yet (nothing was ever projected)."""
    return SearchResult(
        items=[], total=Total(value=0, relation="eq"), next_cursor=None, facets=empty_facets()
    )


def suggestions(response: Mapping[str, Any], request: Mapping[str, Any]) -> list[Suggestion]:
    """The listed products of a response to `suggest_request`: exact prefixes before fuzzy
    ones, each product once."""
    found: dict[str, Suggestion] = {}
    for name in request["suggest"]:
        for option in response["suggest"][name][0]["options"]:
            source = option["_source"]
            if source.get("listed") and option["_id"] not in found:
                found[option["_id"]] = suggestion_from_source(source)
    return list(found.values())[:SUGGESTION_LIMIT]
