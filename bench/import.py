"""Catalogue import: `commerce catalog import` against the bare multi-row INSERT of its rows.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/import.py --products 100000

1. Generates N products with the demo generator (`commerce seed`'s) as import lines.
2. Imports them with `import_catalog` (the function behind `commerce catalog import`) into a
   database of the bench's own, timed. With `--searchable`, a relay, a worker and the API run
   against it meanwhile, and the bench times how long after the import every product is
   searchable.
3. Reads back the rows the import wrote (products, variants, stock, outbox) and inserts the very
   same rows into a second, empty database with bare multi-row INSERTs (asyncpg, no checks, no
   events made, one transaction per batch of the same size): the floor PostgreSQL sets.

The ratio of (2) to (3) is what validation, the aggregates and the events cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import defaultdict
from typing import Any

import asyncpg
from common import (
    CpuMeter,
    Target,
    asyncpg_dsn,
    backends_of,
    bench_settings,
    descendants,
    elasticsearch_pids,
    environment,
    process_groups,
    reset,
    start_processes,
    stop_processes,
    wait_for_count,
)
from elasticsearch import AsyncElasticsearch

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.application.catalog_import import ImportReport
from commerce.entrypoints.catalog_import import BATCH_SIZE, import_catalog, product_line
from commerce.entrypoints.seed import generate_products
from commerce.settings import Settings, load_settings

# A Redis database of its own: the relay and worker it starts never meet another's queues.
TARGET = Target(
    database="bench_import", index_prefix="bench-import", jwt_secret="x" * 40, redis_db=10
)
BARE = Target(database="bench_import_bare", index_prefix="bench-import-bare", jwt_secret="x" * 40)
TABLES = ("products", "product_variants", "stock_items", "outbox")
MAX_PARAMETERS = 32_767


def generate_lines(settings: Settings, count: int, seed: int) -> list[bytes]:
    products = generate_products(
        count, settings.currency, FixedClock(), seed, image_base_url=settings.api_url
    )
    return [product_line(product, stock) for product, stock in products]


async def import_run(
    settings: Settings, lines: list[bytes], batch_size: int, processes: dict[str, int]
) -> dict[str, Any]:
    """Import `lines`; with `processes` (a relay, a worker and the API running), also wait
    until all is searchable. Says which processes were busy in each phase."""
    known = set(backends_of(TARGET.database))
    extra = {
        "import": [os.getpid()],
        "elasticsearch": elasticsearch_pids(settings.elasticsearch_url),
    }
    meters: list[CpuMeter] = []
    cores: list[dict[str, float]] = []

    def progress(report: ImportReport) -> None:
        # Read while the import's backend is still there: it leaves with the connection.
        if meters:
            cores.append(meters[0].cores())

    started = time.perf_counter()
    importing = asyncio.ensure_future(
        import_catalog(settings, lines, batch_size=batch_size, on_progress=progress)
    )
    while set(backends_of(TARGET.database)) <= known and not importing.done():
        await asyncio.wait([importing], timeout=0.05)  # till the import has its connection
    meters.append(CpuMeter(process_groups(processes, TARGET.database, extra)))
    report = await importing
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "imported": report.imported,
        "rejected": len(report.rejected),
        "seconds": round(seconds, 2),
        "products_per_s": round(report.imported / seconds),
        "cpu_cores": cores[-1] if cores else {},
    }
    if processes:
        meter = CpuMeter(process_groups(processes, TARGET.database, extra))
        es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=60)
        try:
            alias = f"{TARGET.index_prefix}-products"
            waited = await wait_for_count(es, alias, report.imported, limit=1800)
        finally:
            await es.close()
        result["searchable_after_s"] = round(waited, 1)
        result["cpu_cores_until_searchable"] = meter.cores()
    return result


def ready(processes: dict[str, int], limit: float = 120) -> None:
    """Until the worker has forked its process and the relay has its connection."""
    deadline = time.monotonic() + limit
    while len(descendants(processes["worker"])) < 2 or not backends_of(TARGET.database):
        if time.monotonic() > deadline:
            raise SystemExit(f"the relay and the worker were not up after {limit:.0f} s")
        time.sleep(0.2)


async def written_rows(settings: Settings) -> dict[str, list[asyncpg.Record]]:
    connection = await asyncpg.connect(asyncpg_dsn(settings))
    try:
        return {
            table: await connection.fetch(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            for table in TABLES
        }
    finally:
        await connection.close()


def batches_of(rows: dict[str, list[asyncpg.Record]], size: int) -> list[dict[str, list[Any]]]:
    """The rows grouped as the import wrote them: `size` products per batch, each with its
    variants, stock items and events (published state cleared)."""
    number = {str(row["id"]): i // size for i, row in enumerate(rows["products"])}
    batches: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for table in ("products", "product_variants", "stock_items"):
        for row in rows[table]:
            product_id = row["id"] if table == "products" else row["product_id"]
            batches[number[str(product_id)]][table].append(dict(row))
    for row in rows["outbox"]:
        event = dict(row) | {"published_at": None, "batch_id": None}
        batches[number[json.loads(event["payload"])["product_id"]]]["outbox"].append(event)
    return [batches[i] for i in sorted(batches)]


async def bare_run(settings: Settings, batches: list[dict[str, list[Any]]]) -> dict[str, Any]:
    connection = await asyncpg.connect(asyncpg_dsn(settings))
    products = sum(len(batch["products"]) for batch in batches)
    try:
        started = time.perf_counter()
        for batch in batches:
            async with connection.transaction():
                for table in TABLES:
                    await _insert(connection, table, batch[table])
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    return {"seconds": round(seconds, 2), "products_per_s": round(products / seconds)}


async def _insert(connection: asyncpg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = [name for name in rows[0] if name != "id" or table != "outbox"]
    per_statement = MAX_PARAMETERS // len(columns)
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = ", ".join(
            "(" + ", ".join(f"${r * len(columns) + c + 1}" for c in range(len(columns))) + ")"
            for r in range(len(chunk))
        )
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"  # noqa: S608
        await connection.execute(sql, *(row[name] for row in chunk for name in columns))


def main(args: argparse.Namespace) -> dict[str, Any]:
    base = load_settings()
    settings, bare = bench_settings(base, TARGET), bench_settings(base, BARE)
    for target, target_settings in ((TARGET, settings), (BARE, bare)):
        asyncio.run(reset(base, target_settings, target))
        upgrade_to_head(target_settings.database_url)
    started = time.perf_counter()
    lines = generate_lines(settings, args.products, args.seed)
    print(f"generated {len(lines)} lines in {time.perf_counter() - started:.1f} s", flush=True)
    load_before = os.getloadavg()
    processes = (
        start_processes(
            environment(settings, TARGET, args.port), worker_processes=args.worker_processes
        )
        if args.searchable
        else []
    )
    try:
        named = dict(zip(("relay", "worker", "api"), (p.pid for p in processes), strict=False))
        if named:
            ready(named)
        imported = asyncio.run(import_run(settings, lines, args.batch_size, named))
    finally:
        stop_processes(processes)
    rows = asyncio.run(written_rows(settings))
    baseline = asyncio.run(bare_run(bare, batches_of(rows, args.batch_size)))
    return {
        "machine": f"{os.cpu_count()} cores",
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "products": args.products,
        "batch_size": args.batch_size,
        "import": imported,
        "bare_insert": baseline,
        "ratio": round(imported["products_per_s"] / baseline["products_per_s"], 2),
    }


def report(result: dict[str, Any]) -> None:
    imported, bare = result["import"], result["bare_insert"]
    print(
        f"\n{result['products']} products, batches of {result['batch_size']}, "
        f"load {result['load_before']} -> {result['load_after']}"
    )
    for name, run in (("commerce catalog import", imported), ("bare multi-row INSERT", bare)):
        print(f"{name:<24} {run['products_per_s']} products/s ({run['seconds']} s)")
    print(f"ratio: {result['ratio']}x")
    print(f"cores busy while importing: {imported['cpu_cores']}")
    if "searchable_after_s" in imported:
        print(f"all searchable {imported['searchable_after_s']} s after the import ended")
        print(f"cores busy until then: {imported['cpu_cores_until_searchable']}")
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--searchable",
        action="store_true",
        help="Run a relay, a worker and the API meanwhile; time until all is searchable.",
    )
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument(
        "--worker-processes", type=int, default=1, help="with --searchable: the worker's"
    )
    report(main(parser.parse_args()))
