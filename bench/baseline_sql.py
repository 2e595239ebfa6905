"""The SQL of the PostgreSQL baseline's search, built per query with numbered parameters.

The facets come back shaped as Elasticsearch's aggregations (`{"values": {"buckets": ...}}`),
so the very function that turns the service's aggregations into facets reads them too.
"""

from __future__ import annotations

from typing import Any

from commerce.ports.product_search import RATING_THRESHOLDS, ProductQuery, Sort
from projections.products.query import (
    ATTRIBUTE_FACET_SIZE,
    BRAND_FACET_SIZE,
    CATEGORY_FACET_SIZE,
    PRICE_RANGES,
    Filters,
)

# ts_rank's weights for D, C, B, A: description 1, brand and category ~1.75, name 3, as the
# service boosts its fields.
RANK = "ts_rank('{{0.1, 0.33, 0.58, 1.0}}', words, to_tsquery('simple', {words}))"
# (expression, direction) of each sort; the tiebreak (a number from the id) breaks ties,
# ascending, as in the service.
SORT_KEYS: dict[Sort, list[tuple[str, str]]] = {
    "relevance": [(RANK, "DESC")],
    "price_asc": [("effective_price", "ASC")],
    "price_desc": [("effective_price", "DESC")],
    "newest": [("created_ms", "DESC")],
    "rating": [("rating_average", "DESC"), ("rating_count", "DESC")],
    "best_selling": [("sold_count", "DESC")],
}
HEADLINE = (
    "ts_headline('simple', {field}_words, to_tsquery('simple', {words}), "
    "'HighlightAll=true, StartSel=<em>, StopSel=</em>') AS {field}_headline"
)


class Statement:
    """Parameters as `$1`, `$2`, … in the order they are asked for; a named one is reused."""

    def __init__(self) -> None:
        self.params: list[Any] = []
        self._named: dict[str, str] = {}

    def param(self, value: Any, name: str | None = None) -> str:
        self.params.append(value)
        placeholder = f"${len(self.params)}"
        if name is not None:
            self._named[name] = placeholder
        return placeholder

    def named(self, name: str) -> str:
        return self._named[name]

    @property
    def names(self) -> set[str]:
        return set(self._named)


# Filters ------------------------------------------------------------------------------------


def shared_conditions(statement: Statement, query: ProductQuery, words: str | None) -> list[str]:
    """What every facet shares (the service's `query`): listed, the flags, the words."""
    shared = ["listed"]
    if query.in_stock is not None:
        shared.append(f"in_stock = {statement.param(query.in_stock)}")
    if query.on_sale is not None:
        shared.append(f"on_sale = {statement.param(query.on_sale)}")
    if words is not None:
        shared.append(f"words @@ to_tsquery('simple', {statement.param(words, 'words')})")
    return shared


def facet_clauses(statement: Statement, query: ProductQuery, filters: Filters) -> dict[str, str]:
    """Each facet's own filter, by facet name (the service's `post_filter` clauses)."""
    clauses: dict[str, str] = {}
    if filters.brands:
        clauses["brand"] = f"brand_key = ANY({statement.param(sorted(filters.brands))}::text[])"
    if filters.categories:
        categories = statement.param(sorted(filters.categories))
        clauses["category"] = f"category_paths && {categories}::text[]"
    bounds = []
    if query.price_min is not None:
        bounds.append(f"effective_price >= {statement.param(query.price_min)}")
    if query.price_max is not None:
        bounds.append(f"effective_price <= {statement.param(query.price_max)}")
    if bounds:
        clauses["price"] = " AND ".join(bounds)
    if query.rating_min is not None:
        clauses["rating"] = f"rating_average >= {statement.param(query.rating_min)}"
    for name, keys in filters.attributes.items():
        clauses[f"attr:{name}"] = f"attrs && {statement.param(sorted(keys))}::text[]"
    return clauses


def _all(conditions: list[str]) -> str:
    return " AND ".join(f"({c})" for c in conditions) or "TRUE"


# The page -----------------------------------------------------------------------------------


def page_statement(
    statement: Statement, sort: Sort, conditions: list[str], limit: int, highlight: bool
) -> str:
    """A page (and one more row: is there a next page?) in the sort's order, its keys as
    `key_0`, `key_1`, …; highlights computed for the page's rows only."""
    words = statement.named("words") if highlight else ""
    keys = ", ".join(
        f"{expr.format(words=words)} AS key_{i}" for i, (expr, _) in enumerate(SORT_KEYS[sort])
    )
    order = ", ".join(
        [f"key_{i} {direction}" for i, (_, direction) in enumerate(SORT_KEYS[sort])] + ["tiebreak"]
    )
    headlines = (
        ", ".join(HEADLINE.format(field=f, words=words) for f in ("name", "description"))
        if highlight
        else "NULL AS name_headline, NULL AS description_headline"
    )
    return f"""
        SELECT page.*, {headlines} FROM (
            SELECT id, tiebreak, listing, name_words, description_words, {keys}
            FROM baseline_products WHERE {_all(conditions)}
            ORDER BY {order} LIMIT {limit + 1}
        ) page ORDER BY {order}"""


def keyset_after(statement: Statement, sort: Sort, after: list[Any]) -> str:
    """Rows strictly after a page's last row, in the sort's order (the cursor's values)."""
    *values, last_tiebreak = after
    words = statement.named("words") if sort == "relevance" else ""
    keys = [
        (expr.format(words=words), ">" if direction == "ASC" else "<")
        for expr, direction in SORT_KEYS[sort]
    ]
    placeholders = [statement.param(value) for value in values]
    tiebreak_placeholder = statement.param(last_tiebreak)
    alternatives = []
    for i in range(len(keys) + 1):
        equal = [f"{keys[j][0]} = {placeholders[j]}" for j in range(i)]
        beyond = (
            f"{keys[i][0]} {keys[i][1]} {placeholders[i]}"
            if i < len(keys)
            else f"tiebreak > {tiebreak_placeholder}::bigint"
        )
        alternatives.append("(" + " AND ".join([*equal, beyond]) + ")")
    return " OR ".join(alternatives)


def sort_values(sort: Sort, row: Any) -> list[Any]:
    """A row's values as the service's cursor holds them."""
    return [row[f"key_{i}"] for i in range(len(SORT_KEYS[sort]))] + [row["tiebreak"]]


# Total and facets ---------------------------------------------------------------------------


def facets_statement(
    statement: Statement,
    shared: list[str],
    clauses: dict[str, str],
    filters: Filters,
    track_total_hits: int,
) -> str:
    """The total (counted up to `track_total_hits`) and every facet, in one statement over the
    rows matching what all facets share; each facet under every other facet's filter."""

    def others(own: str | None, *more: str) -> str:
        return _all([c for name, c in clauses.items() if name != own] + list(more))

    ranges = ", ".join(
        "jsonb_build_object('doc_count', count(*) FILTER (WHERE effective_price >= "
        + str(low)
        + (f" AND effective_price < {high}" if high is not None else "")
        + "))"
        for low, high in PRICE_RANGES
    )
    ratings = ", ".join(
        f"'{stars}', jsonb_build_object('doc_count', count(*) FILTER "
        f"(WHERE rating_average >= {stars}))"
        for stars in RATING_THRESHOLDS
    )
    columns = {
        "brand": _terms("brand", "matched", others("brand"), BRAND_FACET_SIZE),
        "category": _terms(
            "value",
            "matched, unnest(category_paths) AS value",
            others("category"),
            CATEGORY_FACET_SIZE,
        ),
        "price": f"(SELECT {_buckets(f'jsonb_build_array({ranges})')} "
        f"FROM matched WHERE {others('price')})",
        "rating": f"(SELECT {_buckets(f'jsonb_build_object({ratings})')} "
        f"FROM matched WHERE {others('rating')})",
        "attributes": _terms(
            "value", "matched, unnest(attrs) AS value", others(None), ATTRIBUTE_FACET_SIZE
        ),
    }
    for position, name in enumerate(filters.attributes):
        prefix = statement.param(_like_escaped(name) + "=%")
        columns[f"attribute_{position}"] = _terms(
            "value",
            "matched, unnest(attrs) AS value",
            others(f"attr:{name}", f"value LIKE {prefix}"),
            ATTRIBUTE_FACET_SIZE,
        )
    total = (
        f"(SELECT count(*) FROM (SELECT FROM matched WHERE {others(None)} "
        f"LIMIT {int(track_total_hits)}) hits) AS total"
    )
    selected = ",\n".join([total] + [f"{sql} AS {name}" for name, sql in columns.items()])
    # The words' matches are found once for every facet; without words, each facet reads only
    # the rows its own filters select, through their indexes.
    materialized = "MATERIALIZED" if "words" in statement.names else "NOT MATERIALIZED"
    return f"""
        WITH matched AS {materialized} (
            SELECT brand, brand_key, category_paths, attrs, effective_price, rating_average
            FROM baseline_products WHERE {_all(shared)}
        )
        SELECT {selected}"""


def _buckets(expression: str) -> str:
    return f"jsonb_build_object('values', jsonb_build_object('buckets', {expression}))"


def _terms(value: str, source: str, where: str, size: int) -> str:
    """The most frequent values (ties by value, bytewise), as a `terms` aggregation."""
    buckets = (
        "coalesce(jsonb_agg(jsonb_build_object('key', v, 'doc_count', n) "
        "ORDER BY n DESC, v COLLATE \"C\"), '[]')"
    )
    return (
        f"(SELECT {_buckets(buckets)} FROM (SELECT {value} AS v, count(*) AS n "
        f"FROM {source} WHERE {where} GROUP BY {value} "
        f'ORDER BY count(*) DESC, {value} COLLATE "C" '
        f"LIMIT {size}) terms)"
    )


def like_prefix(text: str) -> str:
    """A LIKE pattern for values starting with `text`."""
    return _like_escaped(text) + "%"


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
