"""Rebuild benchmark: `commerce read-models rebuild products` against a raw `_bulk` script
loading the very same documents, one after the other in one run.

    .venv/bin/python bench/rebuild.py [--products 100000] [--reuse]

It uses a database (`commerce_bench_rebuild`) and index prefix (`benchrb`) of its own and
seeds N products through the write path (skipped with `--reuse` when the database already
holds them). Then:

1. reads the documents of the bench's current index into memory (not timed; a first, untimed
   rebuild makes them when there is none) and loads them with plain sequential `_bulk`
   requests into an index of the same mapping and load-time settings (no replica, no refresh
   until the end): what a hand-written loader that already holds the documents would do;
2. runs the rebuild command as a user would (a new process: read PostgreSQL, build the
   documents, load them, swap the alias, catch up);
3. loads the raw documents again, so that a machine busier during one phase than the other
   (it is shared) shows as two different raw figures rather than a wrong ratio.

The target is rebuild docs/s >= 0.5x raw docs/s (their mean). Results print as a line and as
JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from typing import Any

import asyncpg
from common import BIN, Target, asyncpg_dsn, bench_settings, environment, reset
from elasticsearch import Elasticsearch

from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.entrypoints.processes import seed_demo_catalog
from commerce.settings import Settings, load_settings

TARGET = Target(
    database="commerce_bench_rebuild",
    index_prefix="benchrb",
    jwt_secret="bench-only-secret-0123456789-0123456789-abcdef",  # noqa: S106 (local bench)
)
RAW_BULK_DOCS = 1000


async def catalogue_size(settings: Settings) -> int:
    try:
        connection = await asyncpg.connect(asyncpg_dsn(settings))
    except asyncpg.InvalidCatalogNameError:
        return 0
    try:
        return int(await connection.fetchval("SELECT count(*) FROM products"))
    except asyncpg.UndefinedTableError:
        return 0
    finally:
        await connection.close()


async def prepare(base: Settings, settings: Settings, products: int, reuse: bool) -> float:
    """The catalogue in the bench's database; returns the seconds spent seeding it."""
    if reuse and await catalogue_size(settings) == products:
        return 0.0
    await reset(base, settings, TARGET)
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    started = time.perf_counter()
    await seed_demo_catalog(
        settings, products, 1, only_if_empty=False, image_base_url=settings.api_url
    )
    return time.perf_counter() - started


def timed_rebuild(settings: Settings) -> float:
    env = environment(settings, TARGET, port=8000)  # the port is not used
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "commerce"), "read-models", "rebuild", "products"], env=env, check=True
    )
    return time.perf_counter() - started


def documents_of(es: Elasticsearch, index: str) -> list[bytes]:
    """Every document of `index` as the bulk lines that create it (action, then source)."""
    lines: list[bytes] = []
    page = es.search(index=index, scroll="2m", size=2000, sort=["_doc"])
    try:
        while hits := page["hits"]["hits"]:
            for hit in hits:
                action = {"create": {"_id": hit["_id"]}}
                lines.append(f"{json.dumps(action)}\n{json.dumps(hit['_source'])}\n".encode())
            page = es.scroll(scroll_id=page["_scroll_id"], scroll="2m")
    finally:
        es.clear_scroll(scroll_id=page["_scroll_id"])
    return lines


def timed_raw_bulk(es: Elasticsearch, source: str, lines: list[bytes]) -> float:
    """Load `lines` into a new index with `source`'s mapping, as the rebuild loads: no replica
    and no refresh while loading, then one refresh."""
    index = f"{TARGET.index_prefix}-raw"
    es.indices.delete(index=index, ignore_unavailable=True)
    (mapping,) = (entry["mappings"] for entry in es.indices.get_mapping(index=source).values())
    settings = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"}
    es.indices.create(index=index, settings=settings, mappings=mapping)
    started = time.perf_counter()
    for start in range(0, len(lines), RAW_BULK_DOCS):
        response = es.bulk(index=index, operations=b"".join(lines[start : start + RAW_BULK_DOCS]))
        if response["errors"]:
            raise SystemExit("the raw bulk load failed")
    es.indices.put_settings(index=index, settings={"refresh_interval": "1s"})
    es.indices.refresh(index=index)
    elapsed = time.perf_counter() - started
    es.indices.delete(index=index)
    return elapsed


def main(args: argparse.Namespace) -> dict[str, Any]:
    base = load_settings()
    settings = bench_settings(base, TARGET)
    seeded = asyncio.run(prepare(base, settings, args.products, args.reuse))
    alias = f"{TARGET.index_prefix}-products"
    es = Elasticsearch(settings.elasticsearch_url, request_timeout=300)
    try:
        if not es.indices.exists_alias(name=alias):
            timed_rebuild(settings)
        lines = documents_of(es, next(iter(es.indices.get_alias(name=alias))))
        load_before = os.getloadavg()
        raw_before = timed_raw_bulk(es, alias, lines)
        rebuild_s = timed_rebuild(settings)
        raw_after = timed_raw_bulk(es, alias, lines)
    finally:
        es.close()
    raw_s = (raw_before + raw_after) / 2
    return {
        "machine": f"{os.cpu_count()} cores",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "products": args.products,
        "seed_s": round(seeded, 1),
        "rebuild_s": round(rebuild_s, 1),
        "rebuild_docs_per_s": round(len(lines) / rebuild_s),
        "raw_bulk_s": [round(raw_before, 1), round(raw_after, 1)],
        "raw_bulk_docs_per_s": round(len(lines) / raw_s),
        "rebuild_vs_raw": round(raw_s / rebuild_s, 2),
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\n{result['products']} products: rebuild {result['rebuild_s']} s "
        f"({result['rebuild_docs_per_s']} docs/s), raw _bulk {result['raw_bulk_s']} s before "
        "and after it "
        f"({result['raw_bulk_docs_per_s']} docs/s): rebuild at {result['rebuild_vs_raw']}x "
        f"the raw speed; load average {result['load_average_before']} before, "
        f"{result['load_average_after']} after"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the bench's catalogue when it already holds --products products",
    )
    report(main(parser.parse_args()))
