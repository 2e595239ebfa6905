"""Search, browse, detail and suggestions over the `products` index (behind its alias).

Facets are disjunctive: the query holds what every facet shares (the words, `in_stock`,
`on_sale`), the facet filters go into `post_filter` for the hits, and each facet's aggregation
re-applies every facet filter except its own.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import answering, index_missing
from commerce.ports.product_search import (
    SUGGESTION_LIMIT,
    Facets,
    FacetValue,
    PriceRange,
    ProductQuery,
    ProductView,
    RatingBucket,
    SearchResult,
    Sort,
    Suggestion,
    Total,
)
from projections.products.mapping import SUGGESTION_INPUT_LENGTH, alias_name
from projections.products.query import (
    ATTRIBUTE_FACET_SIZE,
    BRAND_FACET_SIZE,
    CATEGORY_FACET_SIZE,
    PRICE_RANGES,
    RATING_THRESHOLDS,
    TRACK_TOTAL_HITS,
    Filters,
    allowed_edits,
    decode_cursor,
    effective_sort,
    encode_cursor,
    filters_of,
    highlighted_positions,
    highlights,
    suggestion_from_source,
    summary_from_source,
    view_from_source,
)
from projections.text import suggestion_key

# Where the words are looked for, and how much a match in each counts.
SEARCH_FIELDS = ["search.name^3", "search.brand^2", "search.category^1.5", "search.description"]
HIGHLIGHTED = {"search.name": "name", "search.description": "description"}
_SORTS: dict[Sort, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, {"id": "asc"}],
    "price_asc": [{"effective_price": "asc"}, {"id": "asc"}],
    "price_desc": [{"effective_price": "desc"}, {"id": "asc"}],
    "newest": [{"created_at": "desc"}, {"id": "asc"}],
    "rating": [{"rating.average": "desc"}, {"rating.count": "desc"}, {"id": "asc"}],
    "best_selling": [{"sold_count": "desc"}, {"id": "asc"}],
}
_NOT_INDEXED_FOR_VIEWS = ["state", "search", "suggest"]
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


def _facets(aggs: dict[str, Any], filters: Filters) -> Facets:
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


def search_request(query: ProductQuery, track_total_hits: int = TRACK_TOTAL_HITS) -> dict[str, Any]:
    """The search request body for a query (also what bench/search.py sends straight to
    Elasticsearch, so the service's overhead is measured on identical requests)."""
    sort, terms = effective_sort(query)
    after = decode_cursor(query.cursor, sort) if query.cursor else None
    filters = filters_of(query)
    shared: list[dict[str, Any]] = [{"term": {"listed": True}}]
    if query.in_stock is not None:
        shared.append({"term": {"in_stock": query.in_stock}})
    if query.on_sale is not None:
        shared.append({"term": {"on_sale": query.on_sale}})
    clauses = _facet_filters(query, filters)
    request: dict[str, Any] = {
        "query": {"bool": {"filter": shared, "must": [_word_clause(g) for g in terms]}},
        "post_filter": {"bool": {"filter": list(clauses.values())}},
        "aggs": _aggregations(clauses, filters),
        "sort": _SORTS[sort],
        "size": query.limit + 1,
        "track_total_hits": track_total_hits,
        "source_excludes": _NOT_INDEXED_FOR_VIEWS,
    }
    if after is not None:
        request["search_after"] = after
    if terms:
        request["highlight"] = {
            "fields": {field: {"number_of_fragments": 0} for field in HIGHLIGHTED},
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "max_analyzed_offset": 500_000,
        }
    return request


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


class ElasticsearchProductSearch:
    """Until the read model's index exists (no worker has run yet), every answer is empty."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        index_prefix: str,
        track_total_hits: int = TRACK_TOTAL_HITS,
    ) -> None:
        self._client = client
        self._index = alias_name(index_prefix)
        self._track_total_hits = track_total_hits

    async def search(self, query: ProductQuery) -> SearchResult:
        sort, _ = effective_sort(query)
        filters = filters_of(query)
        request = search_request(query, self._track_total_hits)
        try:
            async with answering():
                response = await self._client.search(index=self._index, **request)
        except NotFoundError as error:
            if index_missing(error):
                return SearchResult(
                    items=[],
                    total=Total(value=0, relation="eq"),
                    next_cursor=None,
                    facets=empty_facets(),
                )
            raise
        hits = response["hits"]["hits"]
        page = hits[: query.limit]
        items = []
        for hit in page:
            matched = {
                HIGHLIGHTED[field]: highlighted_positions(fragments[0])
                for field, fragments in hit.get("highlight", {}).items()
                if field in HIGHLIGHTED and fragments
            }
            items.append(summary_from_source(hit["_source"], highlights(hit["_source"], matched)))
        total = response["hits"]["total"]
        return SearchResult(
            items=items,
            total=Total(value=total["value"], relation=total["relation"]),
            next_cursor=encode_cursor(sort, page[-1]["sort"]) if len(hits) > query.limit else None,
            facets=_facets(response["aggregations"], filters),
        )

    async def get(self, product_id: UUID) -> ProductView | None:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._index, id=str(product_id), source_excludes=_NOT_INDEXED_FOR_VIEWS
                )
        except NotFoundError:
            return None
        source = found["_source"]
        return view_from_source(source) if source.get("visible") else None

    async def suggest(self, text: str) -> list[Suggestion]:
        request = suggest_request(text)
        if request is None:
            return []
        try:
            async with answering():
                response = await self._client.search(index=self._index, **request)
        except NotFoundError as error:
            if index_missing(error):
                return []
            raise
        found: dict[str, Suggestion] = {}
        for name in request["suggest"]:
            for option in response["suggest"][name][0]["options"]:
                source = option["_source"]
                if source.get("listed") and option["_id"] not in found:
                    found[option["_id"]] = suggestion_from_source(source)
        return list(found.values())[:SUGGESTION_LIMIT]
