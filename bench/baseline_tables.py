"""The PostgreSQL baseline's tables, filled from the very documents Elasticsearch holds.

What a shop searching with plain PostgreSQL would build (Saleor's way): one row per product
with a weighted `tsvector` (name A, brand and category B, description C, a stored generated
column) under a GIN index; B-tree indexes for every sort the mix asks for, with the id as the
tiebreak (keyset pagination); a GIN index on the category paths; the distinct words of the
catalogue (`ts_stat`), indexed by first letter and length, to widen a query word to the words
it could be a typo of; and the suggestion inputs under a prefix (`text_pattern_ops`) and a
trigram (`pg_trgm`) index.

A typo is what the service forgives (`fuzziness: AUTO`, `prefix_length: 1`): the same first
letter, and at most 0, 1 or 2 edits for a word of under 3, 3 to 5, or more letters, a swap of
neighbours counting as one: `fuzzystrmatch`'s Levenshtein distance, of the word or of the word
with one swap. (Trigram similarity alone, `word % term`, was measured on the mix's words: it missed
30 of the 186 words the service matches, swapped short words such as `phnoe`, and added 137 it
does not, such as `pro` -> `product`: the two would not search for the same products.)

The words are the documents' own `search.*` fields: text already folded, stemmed and split by
`projections.text`, so both engines match the same terms and differ only in how they search.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from elasticsearch import AsyncElasticsearch

# Fields a listing does not show (what the API's search request leaves out of `_source`).
_SEARCH_ONLY = ("state", "search", "suggest")
_PAGE = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TABLES = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
-- Whether `word` is `term` typed with at most `edits` typos (see the module's docstring).
CREATE OR REPLACE FUNCTION baseline_typo_of(word text, term text, edits integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT left(word, 1) = left(term, 1) AND (
        levenshtein_less_equal(word, term, edits) <= edits
        OR EXISTS (
            SELECT FROM generate_series(2, length(term) - 1) AS i
            WHERE levenshtein_less_equal(
                overlay(term PLACING substr(term, i + 1, 1) || substr(term, i, 1) FROM i FOR 2),
                word, edits - 1) <= edits - 1))
$$;
DROP TABLE IF EXISTS baseline_products, baseline_words, baseline_suggestions;
CREATE TABLE baseline_products (
    id uuid PRIMARY KEY,
    listed boolean NOT NULL,
    brand text,
    brand_key text,
    category_paths text[] NOT NULL,
    attrs text[] NOT NULL,
    effective_price bigint,
    in_stock boolean NOT NULL,
    on_sale boolean NOT NULL,
    rating_average real NOT NULL,
    rating_count integer NOT NULL,
    sold_count bigint NOT NULL,
    created_ms bigint,  -- what Elasticsearch sorts a date by: epoch milliseconds
    tiebreak bigint NOT NULL,  -- the service's last sort key (products.document.tiebreak)
    name_words text NOT NULL,
    brand_words text NOT NULL,
    category_words text NOT NULL,
    description_words text NOT NULL,
    words tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', name_words), 'A')
        || setweight(to_tsvector('simple', brand_words || ' ' || category_words), 'B')
        || setweight(to_tsvector('simple', description_words), 'C')
    ) STORED,
    listing jsonb NOT NULL
);
CREATE TABLE baseline_suggestions (
    input text NOT NULL,
    product_id uuid NOT NULL,
    weight bigint NOT NULL
);
"""
# Built after the rows are in, as one loads a table.
INDEXES = """
CREATE INDEX ON baseline_products USING gin (words);
CREATE INDEX ON baseline_products USING gin (category_paths);
CREATE INDEX ON baseline_products (brand_key);
CREATE INDEX ON baseline_products (effective_price, tiebreak);
CREATE INDEX ON baseline_products (effective_price DESC, tiebreak);
CREATE INDEX ON baseline_products (created_ms DESC, tiebreak);
-- What facets count, narrow: a browse reads it (index only) instead of the wide rows.
CREATE INDEX ON baseline_products (listed, in_stock)
    INCLUDE (on_sale, brand, brand_key, category_paths, attrs, effective_price, rating_average);
CREATE TABLE baseline_words AS
    SELECT word FROM ts_stat('SELECT words FROM baseline_products');
CREATE INDEX ON baseline_words (left(word, 1), length(word));
CREATE INDEX ON baseline_suggestions (input text_pattern_ops, weight);
CREATE INDEX ON baseline_suggestions USING gin (input gin_trgm_ops);
"""
# Statistics for the planner, and the visibility map that index-only scans need.
VACUUM = "VACUUM ANALYZE baseline_products, baseline_words, baseline_suggestions"
PRODUCT_COLUMNS = [
    "id",
    "listed",
    "brand",
    "brand_key",
    "category_paths",
    "attrs",
    "effective_price",
    "in_stock",
    "on_sale",
    "rating_average",
    "rating_count",
    "sold_count",
    "created_ms",
    "tiebreak",
    "name_words",
    "brand_words",
    "category_words",
    "description_words",
    "listing",
]
SIZES = """
SELECT relname, pg_total_relation_size(oid) AS bytes FROM pg_class
WHERE relname IN ('baseline_products', 'baseline_words', 'baseline_suggestions')
"""


async def build_baseline(
    connection: asyncpg.Connection, documents: AsyncIterator[list[dict[str, Any]]]
) -> dict[str, Any]:
    """Create the baseline's tables from pages of documents (sources as Elasticsearch holds
    them), index and analyse them; return how long that took and their size."""
    started = time.perf_counter()
    await connection.execute(TABLES)
    count = 0
    async for page in documents:
        await connection.copy_records_to_table(
            "baseline_products", records=[product_row(doc) for doc in page], columns=PRODUCT_COLUMNS
        )
        suggestions = [row for doc in page for row in suggestion_rows(doc)]
        await connection.copy_records_to_table("baseline_suggestions", records=suggestions)
        count += len(page)
    loaded = time.perf_counter() - started
    await connection.execute(INDEXES)
    await connection.execute(VACUUM)
    sizes = {row["relname"]: row["bytes"] for row in await connection.fetch(SIZES)}
    return {
        "products": count,
        "load_s": round(loaded, 1),
        "load_and_index_s": round(time.perf_counter() - started, 1),
        "size_mb": round(sum(sizes.values()) / 2**20, 1),
        "words": await connection.fetchval("SELECT count(*) FROM baseline_words"),
    }


async def indexed_documents(es: AsyncElasticsearch, alias: str) -> AsyncIterator[list[dict]]:  # type: ignore[type-arg]
    """Every document behind `alias`, page by page, without its stored state: one point in
    time read in index order (a sort by id would sort every document again for each page)."""
    await es.indices.refresh(index=alias)
    pit = (await es.open_point_in_time(index=alias, keep_alive="5m"))["id"]
    after: list[Any] | None = None
    try:
        while True:
            response = await es.search(
                pit={"id": pit, "keep_alive": "5m"},
                sort=["_shard_doc"],
                size=_PAGE,
                source_excludes=["state"],
                search_after=after,
                track_total_hits=False,
            )
            pit = response["pit_id"]
            hits = response["hits"]["hits"]
            if hits:
                yield [hit["_source"] for hit in hits]
            if len(hits) < _PAGE:
                return
            after = hits[-1]["sort"]
    finally:
        await es.close_point_in_time(id=pit)


def product_row(doc: dict[str, Any]) -> tuple[Any, ...]:
    words = doc["search"]
    created = doc["created_at"]
    listing = {key: value for key, value in doc.items() if key not in _SEARCH_ONLY}
    return (
        uuid.UUID(doc["id"]),
        doc["listed"],
        doc["brand"],
        doc["brand_key"],
        doc["category_paths"],
        doc["attrs"],
        doc["effective_price"],
        doc["in_stock"],
        doc["on_sale"],
        doc["rating"]["average"],
        doc["rating"]["count"],
        doc["sold_count"],
        _epoch_millis(created) if created else None,
        doc["tiebreak"],
        words["name"],
        words["brand"],
        words["category"],
        words["description"],
        msgspec.json.encode(listing).decode(),
    )


def suggestion_rows(doc: dict[str, Any]) -> list[tuple[str, uuid.UUID, int]]:
    suggest = doc.get("suggest")
    if not suggest:
        return []
    product_id = uuid.UUID(doc["id"])
    return [(text, product_id, suggest["weight"]) for text in suggest["input"]]


def _epoch_millis(value: str) -> int:
    """As Elasticsearch stores a date: whole milliseconds since the epoch, truncated."""
    return (datetime.fromisoformat(value) - _EPOCH) // timedelta(milliseconds=1)
