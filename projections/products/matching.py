"""The in-memory twin of the `products` queries: the same query answered from the same documents
(built by the projector's own functions) by the same rules, evaluated in Python. Relevance
scores are simpler than BM25 (a match in the name outranks one in the description, an exact
word outranks a typo), weighed by the product's rating as in Elasticsearch (`rank_boost`);
everything else answers exactly alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from commerce.ports.product_search import (
    RATING_THRESHOLDS,
    SUGGESTION_LIMIT,
    Facets,
    FacetValue,
    PriceRange,
    ProductQuery,
    RatingBucket,
    SearchResult,
    Sort,
    Suggestion,
)
from projections.fuzzy import fuzzy_equal, fuzzy_prefix
from projections.paging import total_of
from projections.products.mapping import SUGGESTION_INPUT_LENGTH
from projections.products.query import (
    ATTRIBUTE_FACET_SIZE,
    BRAND_FACET_SIZE,
    CATEGORY_FACET_SIZE,
    PRICE_RANGES,
    Filters,
    decode_cursor,
    effective_sort,
    encode_cursor,
    filters_of,
)
from projections.products.views import highlights, suggestion_from_source, summary_from_source
from projections.text import suggestion_key

Doc = dict[str, Any]
Predicate = Callable[[Doc], bool]
FIELD_BOOSTS = {"name": 3.0, "brand": 2.0, "category": 1.5, "description": 1.0}


def _fields(doc: Doc) -> dict[str, list[str]]:
    return {field: doc["search"][field].split() for field in FIELD_BOOSTS}


def _alternative_score(alternative: str, fields: dict[str, list[str]]) -> float:
    """All the alternative's terms in one field; the best field counts."""
    best = 0.0
    for field, words in fields.items():
        score = 0.0
        for term in alternative.split():
            if term in words:
                score += FIELD_BOOSTS[field]
            elif any(fuzzy_equal(term, word) for word in words):
                score += FIELD_BOOSTS[field] / 2
            else:
                break
        else:
            best = max(best, score)
    return best


def _score(groups: list[tuple[str, ...]], doc: Doc) -> float | None:
    fields = _fields(doc)
    total = 0.0
    for alternatives in groups:
        score = max(_alternative_score(alt, fields) for alt in alternatives)
        if score == 0:
            return None
        total += score
    return total


def _epoch_millis(value: str) -> int:
    return round(datetime.fromisoformat(value).timestamp() * 1000)


def _sort_values(sort: Sort, doc: Doc, score: float) -> list[Any]:
    """What Elasticsearch would return as the hit's `sort` values."""
    rating = doc["rating"]
    values: dict[Sort, list[Any]] = {
        "relevance": [score],
        "price_asc": [doc["effective_price"]],
        "price_desc": [doc["effective_price"]],
        "newest": [_epoch_millis(doc["created_at"])],
        "rating": [float(rating["average"]), rating["count"]],
        "best_selling": [doc["sold_count"]],
    }
    return [*values[sort], doc["tiebreak"]]


def _sort_key(sort: Sort, values: list[Any]) -> tuple[Any, ...]:
    """Ascending key: descending sort values negated, the tiebreak last."""
    *keys, tiebreak = values
    if sort != "price_asc":
        keys = [-key for key in keys]
    return (*keys, tiebreak)


def _has_any(field: str, keys: frozenset[str]) -> Predicate:
    return lambda doc: bool(keys & set(doc[field]))


def _predicates(query: ProductQuery, filters: Filters) -> dict[str, Predicate]:
    """The facet filters, by facet name (as `search_request` puts in its `post_filter`)."""
    predicates: dict[str, Predicate] = {}
    if brands := filters.brands:
        predicates["brand"] = lambda d: d["brand_key"] in brands
    if filters.categories:
        predicates["category"] = _has_any("category_paths", filters.categories)
    low, high = query.price_min, query.price_max
    if low is not None or high is not None:
        predicates["price"] = lambda d: (
            (low is None or d["effective_price"] >= low)
            and (high is None or d["effective_price"] <= high)
        )
    if (rating_min := query.rating_min) is not None:
        predicates["rating"] = lambda d: d["rating"]["average"] >= rating_min
    for name, keys in filters.attributes.items():
        predicates[f"attr:{name}"] = _has_any("attrs", keys)
    return predicates


def _top(counter: Counter[str], size: int) -> list[FacetValue]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:size]
    return [FacetValue(value=value, count=count) for value, count in ranked]


def search(documents: Iterable[Doc], query: ProductQuery, track_total_hits: int) -> SearchResult:
    """What Elasticsearch answers to `search_request(query)` over these documents."""
    sort, groups = effective_sort(query)
    after = decode_cursor(query.cursor, sort) if query.cursor else None
    filters = filters_of(query)
    scored: list[tuple[Doc, float]] = []
    for doc in documents:
        if not doc["listed"]:
            continue
        if query.in_stock is not None and doc["in_stock"] != query.in_stock:
            continue
        if query.on_sale is not None and doc["on_sale"] != query.on_sale:
            continue
        score = _score(groups, doc) if groups else 1.0
        if score is not None:
            scored.append((doc, score * doc.get("rank_boost", 1.0) if groups else score))

    predicates = _predicates(query, filters)

    def passing(own: str | None) -> list[Doc]:
        return [
            doc
            for doc, _ in scored
            if all(check(doc) for name, check in predicates.items() if name != own)
        ]

    hits = [(doc, score) for doc, score in scored if all(p(doc) for p in predicates.values())]
    ranked = sorted(
        ((_sort_values(sort, doc, score), doc) for doc, score in hits),
        key=lambda pair: _sort_key(sort, pair[0]),
    )
    if after is not None:
        start = _sort_key(sort, after)
        ranked = [pair for pair in ranked if _sort_key(sort, pair[0]) > start]
    page = ranked[: query.limit]
    items = [
        summary_from_source(doc, highlights(doc, groups) if groups else None) for _, doc in page
    ]
    return SearchResult(
        items=items,
        total=total_of(len(hits), track_total_hits),
        next_cursor=encode_cursor(sort, page[-1][0]) if len(ranked) > query.limit else None,
        facets=_facets(passing, filters.attributes),
    )


def _facets(
    passing: Callable[[str | None], list[Doc]], filtered: dict[str, frozenset[str]]
) -> Facets:
    attributes: dict[str, list[FacetValue]] = {}
    every = Counter(key for doc in passing(None) for key in doc["attrs"])
    for value in _top(every, ATTRIBUTE_FACET_SIZE):
        name, _, attr_value = value.value.partition("=")
        if name not in filtered:
            attributes.setdefault(name, []).append(FacetValue(value=attr_value, count=value.count))
    for name in filtered:
        own = Counter(
            key
            for doc in passing(f"attr:{name}")
            for key in doc["attrs"]
            if key.startswith(f"{name}=")
        )
        for value in _top(own, ATTRIBUTE_FACET_SIZE):
            attributes.setdefault(name, []).append(
                FacetValue(value=value.value.partition("=")[2], count=value.count)
            )
    price_docs, rating_docs = passing("price"), passing("rating")
    return Facets(
        brand=_top(Counter(doc["brand"] for doc in passing("brand")), BRAND_FACET_SIZE),
        category=_top(
            Counter(path for doc in passing("category") for path in doc["category_paths"]),
            CATEGORY_FACET_SIZE,
        ),
        price=[
            PriceRange(
                from_=low,
                to=high,
                count=sum(
                    low <= doc["effective_price"]
                    and (high is None or doc["effective_price"] < high)
                    for doc in price_docs
                ),
            )
            for low, high in PRICE_RANGES
        ],
        rating=[
            RatingBucket(
                value=stars, count=sum(doc["rating"]["average"] >= stars for doc in rating_docs)
            )
            for stars in RATING_THRESHOLDS
        ],
        attributes=attributes,
    )


def suggest(documents: Iterable[Doc], text: str) -> list[Suggestion]:
    """What Elasticsearch's completion suggester answers to `suggest_request(text)`."""
    key = suggestion_key(text)[:SUGGESTION_INPUT_LENGTH]
    if not key:
        return []
    exact: list[tuple[int, Doc]] = []
    fuzzy: list[tuple[int, Doc]] = []
    for doc in documents:
        suggest = doc.get("suggest")
        if not suggest:
            continue
        inputs = suggest["input"]
        if any(entry.startswith(key) for entry in inputs):
            exact.append((suggest["weight"], doc))
        elif any(fuzzy_prefix(key, entry) for entry in inputs):
            fuzzy.append((suggest["weight"], doc))
    ranked = [
        doc
        for matches in (exact, fuzzy)
        for _, doc in sorted(matches, key=lambda m: (-m[0], m[1]["display"]["name"], m[1]["id"]))
    ]
    return [suggestion_from_source(doc) for doc in ranked[:SUGGESTION_LIMIT]]
