"""The search bench's catalogue: seeded once per target through the write path, reused by later
runs that ask for the same size, and measured (documents, bytes, segments, heap)."""

from __future__ import annotations

import time
from typing import Any

import asyncpg
from common import asyncpg_dsn, wait_for_count
from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.memory.clock import FixedClock
from commerce.entrypoints.catalog_import import import_catalog, product_line
from commerce.entrypoints.seed import generate_products
from commerce.settings import Settings
from projections.products.mapping import MAPPING_VERSION, alias_name

SEED = 1  # the generator's seed: every run of a size gets the same catalogue
# The relay and worker index at least this many products a second (the wait's limit).
SLOWEST_INDEXING = 50


async def seed_catalogue(settings: Settings, es: AsyncElasticsearch, count: int) -> dict[str, Any]:
    """Import `count` products of the demo generator (`commerce seed`'s) through the write path
    (`commerce catalog import`: products, stock and their events in the outbox, in batched
    transactions), and wait until the relay and worker made every one searchable."""
    products = generate_products(
        count, settings.currency, FixedClock(), SEED, image_base_url=settings.api_url
    )
    started = time.perf_counter()
    report = await import_catalog(settings, (product_line(p, stock) for p, stock in products))
    written = time.perf_counter() - started
    if report.imported != count:
        raise SystemExit(f"imported {report.imported} of {count} products: {report.rejected[:3]}")
    limit = max(600, count / SLOWEST_INDEXING)
    searchable = written + await wait_for_count(
        es, alias_name(settings.index_prefix), count, limit=limit
    )
    return {
        "products": count,
        "generated_and_imported_s": round(written, 1),
        "searchable_s": round(searchable, 1),
        "products_per_s": round(count / searchable, 1),
    }


async def catalogue_in_place(settings: Settings, es: AsyncElasticsearch, count: int) -> bool:
    """Whether an earlier run left exactly `count` products, all searchable, in an index of the
    current mapping (documents of an older one may lack fields the searches use)."""
    try:
        connection = await asyncpg.connect(asyncpg_dsn(settings))
    except asyncpg.InvalidCatalogNameError:
        return False
    try:
        written = await connection.fetchval("SELECT count(*) FROM products")
    except asyncpg.UndefinedTableError:
        return False
    finally:
        await connection.close()
    alias = alias_name(settings.index_prefix)
    try:
        indices = await es.indices.get_alias(name=alias)
        found = await es.count(index=alias, query={"term": {"listed": True}})
    except NotFoundError:
        return False
    current = all(name.startswith(f"{alias}-v{MAPPING_VERSION}") for name in indices)
    return bool(current and written == count == found["count"])


async def index_figures(es: AsyncElasticsearch, alias: str) -> dict[str, Any]:
    """The products index on disk and the node's heap, as `_stats` and `_nodes/stats` say."""
    stats = (await es.indices.stats(index=alias, metric="docs,store,segments"))["_all"]
    primaries = stats["primaries"]
    nodes = (await es.nodes.stats(node_id="_local", metric="jvm"))["nodes"]
    heap = next(iter(nodes.values()))["jvm"]["mem"]
    return {
        "documents": primaries["docs"]["count"],
        "deleted_documents": primaries["docs"]["deleted"],
        "store_mb": round(primaries["store"]["size_in_bytes"] / 2**20, 1),
        "segments": primaries["segments"]["count"],
        "heap_max_mb": round(heap["heap_max_in_bytes"] / 2**20),
        "heap_used_mb": round(heap["heap_used_in_bytes"] / 2**20),
    }
