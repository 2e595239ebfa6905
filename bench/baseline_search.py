"""The PostgreSQL baseline's search: the product search port's `search` and `suggest`, answered
from the baseline tables (`baseline_tables.py`) with the same views, facets and cursors.

A search is three statements on one connection: the query's words widened to the catalogue
words they could be typos of (the words table, `baseline_tables.py`); the page, ranked by
`ts_rank` or sorted by an indexed key, keyset-paginated, with `ts_headline` on its rows only;
and the total with every facet in one statement, each facet a `GROUP BY` (or `count(*)
FILTER`) under every filter but its own.
The words are required as the service requires them (each word, or one of its spellings,
synonyms and typo words), so a query asks both engines for the same products; that is an OR
inside an AND, which `websearch_to_tsquery`'s syntax cannot group, so the query is written for
`to_tsquery` from the words `projections.text` made of it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
from baseline_sql import (
    Statement,
    facet_clauses,
    facets_statement,
    keyset_after,
    like_prefix,
    page_statement,
    shared_conditions,
    sort_values,
)

from commerce.ports.product_search import (
    SUGGESTION_LIMIT,
    ProductQuery,
    ProductSummary,
    SearchResult,
    Suggestion,
    Total,
)
from projections.fuzzy import allowed_edits
from projections.paging import TRACK_TOTAL_HITS
from projections.products.mapping import SUGGESTION_INPUT_LENGTH
from projections.products.query import (
    decode_cursor,
    effective_sort,
    encode_cursor,
    facets_from_aggregations,
    filters_of,
)
from projections.products.views import (
    render_highlight,
    suggestion_from_source,
    summary_from_source,
)
from projections.text import suggestion_key

# Each catalogue word a query term could be a typo of (within its allowed edits).
SIMILAR_WORDS = """
SELECT t.term, w.word FROM unnest($1::text[], $2::integer[]) AS t(term, edits)
JOIN baseline_words w ON left(w.word, 1) = left(t.term, 1)
    AND length(w.word) BETWEEN length(t.term) - t.edits AND length(t.term) + t.edits
    AND baseline_typo_of(w.word, t.term, t.edits)
"""
# The products with an input starting with what was typed, the most sold first.
SUGGEST_EXACT = """
SELECT s.product_id, p.listing FROM (
    SELECT product_id, max(weight) AS weight FROM baseline_suggestions
    WHERE input LIKE $1 GROUP BY product_id ORDER BY weight DESC, product_id LIMIT $2
) s JOIN baseline_products p ON p.id = s.product_id AND p.listed
ORDER BY s.weight DESC, s.product_id
"""
SUGGEST_FUZZY = SUGGEST_EXACT.replace("input LIKE $1", "$1 <% input")


async def connect_pool(dsn: str, size: int) -> asyncpg.Pool:
    """Connections as an application would hold them: `jsonb` decoded, statements prepared
    and cached (asyncpg's default)."""

    async def init(connection: asyncpg.Connection) -> None:
        await connection.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )

    # JIT compiling takes longer than these statements run (it starts at a million rows).
    settings = {"jit": "off"}
    pool = await asyncpg.create_pool(
        dsn, min_size=size, max_size=size, init=init, server_settings=settings
    )
    assert pool is not None
    return pool


class PostgresBaselineSearch:
    def __init__(self, pool: asyncpg.Pool, track_total_hits: int = TRACK_TOTAL_HITS) -> None:
        self._pool = pool
        self._track_total_hits = track_total_hits

    async def search(self, query: ProductQuery) -> SearchResult:
        sort, groups = effective_sort(query)
        filters = filters_of(query)
        after = decode_cursor(query.cursor, sort) if query.cursor else None
        async with self._pool.acquire() as connection:
            words = await _tsquery(connection, groups) if groups else None
            statement = Statement()
            shared = shared_conditions(statement, query, words)
            clauses = facet_clauses(statement, query, filters)
            conditions = [*shared, *clauses.values()]
            if after is not None:
                conditions.append(keyset_after(statement, sort, after))
            sql = page_statement(statement, sort, conditions, query.limit, words is not None)
            page = await connection.fetch(sql, *statement.params)
            statement = Statement()
            shared = shared_conditions(statement, query, words)
            clauses = facet_clauses(statement, query, filters)
            sql = facets_statement(statement, shared, clauses, filters, self._track_total_hits)
            aggregations = dict(await connection.fetchrow(sql, *statement.params))
        hits = page[: query.limit]
        total = aggregations.pop("total")
        return SearchResult(
            items=[_summary(row) for row in hits],
            total=Total(value=total, relation="gte" if total >= self._track_total_hits else "eq"),
            next_cursor=encode_cursor(sort, sort_values(sort, hits[-1]))
            if len(page) > query.limit
            else None,
            facets=facets_from_aggregations(aggregations, filters),
        )

    async def suggest(self, text: str) -> list[Suggestion]:
        key = suggestion_key(text)[:SUGGESTION_INPUT_LENGTH]
        if not key:
            return []
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(SUGGEST_EXACT, like_prefix(key), SUGGESTION_LIMIT)
            found = {row["product_id"]: row["listing"] for row in rows}
            # The service's typo-tolerant suggestions only ever fill up a short exact list.
            if len(found) < SUGGESTION_LIMIT and allowed_edits(key):
                for row in await connection.fetch(SUGGEST_FUZZY, key, SUGGESTION_LIMIT):
                    found.setdefault(row["product_id"], row["listing"])
        return [suggestion_from_source(listing) for listing in found.values()][:SUGGESTION_LIMIT]


async def _tsquery(connection: asyncpg.Connection, groups: Sequence[tuple[str, ...]]) -> str:
    """Every group of alternatives required; each of an alternative's terms, or any catalogue
    word it could be a typo of."""
    terms = {term for group in groups for alt in group for term in alt.split()}
    similar: dict[str, set[str]] = defaultdict(set)
    fuzzy = sorted(term for term in terms if allowed_edits(term))
    edits = [allowed_edits(term) for term in fuzzy]
    for row in await connection.fetch(SIMILAR_WORDS, fuzzy, edits):
        similar[row["term"]].add(row["word"])

    def alternative(alt: str) -> str:
        return " & ".join(
            "(" + " | ".join(sorted({term} | similar[term])) + ")" for term in alt.split()
        )

    return " & ".join("(" + " | ".join(alternative(alt) for alt in group) + ")" for group in groups)


def _summary(row: asyncpg.Record) -> ProductSummary:
    listing: dict[str, Any] = row["listing"]
    found = {}
    for field in ("name", "description"):
        headline = row[f"{field}_headline"]
        if headline and "<em>" in headline:
            rendered = render_highlight(
                listing["display"][field] or "", _positions(headline), field == "description"
            )
            if rendered:
                found[field] = rendered
    return summary_from_source(listing, found or None)


def _positions(headline: str) -> set[int]:
    """Which words `ts_headline` marked in a normalised field (one word per term, separated
    by spaces, tags inside the words)."""
    return {i for i, word in enumerate(headline.split()) if "<em>" in word}
