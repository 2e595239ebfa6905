"""Search benchmark: the service against Elasticsearch itself and against plain PostgreSQL.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/search.py [--products 100000]

It works in a database (`commerce_<target>`), index prefix (`<target>`) and Redis database of
its own, imports N generated products through the write path (`commerce catalog import`, see
`search_catalogue.py`; a later run of the same size may `--reuse` them), waits until the
worker is idle, and copies the very documents Elasticsearch then holds into a PostgreSQL
baseline searched the way a shop on plain PostgreSQL would (`baseline_tables.py`,
`baseline_search.py`). Then, one after the other in one invocation:

1. parity: the baseline and the service answer sampled queries of each kind; how alike;
2. side by side, the same query mix (`search_mix.py`) at `--concurrency` clients for
   `--duration` seconds each: through the HTTP API; the very requests the API builds, sent
   straight to Elasticsearch; the PostgreSQL baseline. Pages/s and p50/p95 per kind of the
   pages served (an error, such as a 503, is counted apart), and the ratios the issue sets
   targets for;
3. one client alone, kind by kind: the API's, Elasticsearch's and the baseline's service
   times (no queueing: what the API adds to Elasticsearch on an idle machine);
4. the mix through the API again while ~`--write-rate` commands a second (price cuts,
   description edits, stock counts) go through the API; search p95 against the quiet run,
   and how long each write took to become searchable (`search_writes.py`);
5. the same, paced: `--paced-rate` searches started a second (an open loop, short of
   saturation), quiet and then under the writes. On a small machine phase 4 mostly measures
   the CPU the writes take from the searches; this one what a write load costs a search.

The machine's load average is printed before and after each phase, with the CPU each process
group used. Results print as tables and as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from baseline_search import PostgresBaselineSearch, connect_pool
from baseline_tables import build_baseline, indexed_documents
from common import (
    CpuMeter,
    Recorder,
    Target,
    asyncpg_dsn,
    bench_settings,
    elasticsearch_pids,
    environment,
    load_average,
    process_groups,
    reset,
    sign_token,
    start_processes,
    stop_processes,
    until_idle,
    wait_until_ready,
)
from elasticsearch import AsyncElasticsearch
from search_catalogue import catalogue_in_place, index_figures, seed_catalogue
from search_drivers import (
    Send,
    run_each_kind,
    run_mix,
    run_paced,
    straight_to_elasticsearch,
    through_api,
    through_search,
)
from search_parity import parity
from search_report import ratios, report
from search_writes import WriteLoad, editable_products

from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.elasticsearch.serializers import msgspec_serializers
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.settings import Settings, load_settings
from projections.products.mapping import alias_name

JWT_SECRET = "bench-only-secret-0123456789-0123456789-abcdef"  # noqa: S105 (local bench)
WARM_UP_S = 3
EDITABLE_PRODUCTS = 2000


def target_of(args: argparse.Namespace) -> Target:
    return Target(
        database=f"commerce_{args.target}",
        index_prefix=args.target,
        jwt_secret=JWT_SECRET,
        redis_db=args.redis_db,
    )


async def measured(
    groups: Mapping[str, list[int]], run: Awaitable[tuple[Recorder, float]]
) -> dict[str, Any]:
    """A run's summary, with the machine's load before and after and the CPU it took."""
    before = load_average()
    meter = CpuMeter(groups)
    rec, elapsed = await run
    return rec.summary(elapsed) | {
        "elapsed_s": round(elapsed, 2),
        "load_average_before": before,
        "load_average_after": load_average(),
        "cpu_cores": meter.cores(),
    }


@dataclass(frozen=True)
class Service:
    """The service under test, as the write phases reach it: the API and its read model."""

    http: httpx.AsyncClient
    es: AsyncElasticsearch
    alias: str


async def under_writes(
    args: argparse.Namespace,
    service: Service,
    searching: Callable[[], Awaitable[tuple[Recorder, float]]],
    groups: Mapping[str, list[int]],
    seed: int,
) -> dict[str, Any]:
    """The searches `searching` makes while ~`--write-rate` commands a second go through the
    API, and how long each write took to become searchable."""
    token = sign_token(JWT_SECRET, {"operator", "stock_operator"})
    products = await editable_products(service.es, service.alias, EDITABLE_PRODUCTS)
    headers = {"Authorization": f"Bearer {token}"}
    load = WriteLoad(service.http, service.es, service.alias, products, headers=headers, seed=seed)
    searched, written = await asyncio.gather(
        measured(groups, searching()), load.run(args.write_rate, args.duration)
    )
    return {"search": searched, "writes": written}


async def paced(
    args: argparse.Namespace, service: Service, send: Send, groups: Mapping[str, list[int]]
) -> dict[str, Any]:
    """Phase 5: the mix at a fixed arrival rate, short of saturation, quiet and then under
    writes. At saturation (phase 4) the writes' CPU is taken from the searches on a small
    machine; here what the writes cost a search shows (refreshes, caches, the worker)."""

    def searching() -> Awaitable[tuple[Recorder, float]]:
        return run_paced(send, args.paced_rate, args.duration, 6)

    print(f"paced, quiet, load average {load_average()}", flush=True)
    await cold_request_cache(service.es, service.alias)
    quiet = await measured(groups, searching())
    print(f"paced, under writes, load average {load_average()}", flush=True)
    await cold_request_cache(service.es, service.alias)
    busy = await under_writes(args, service, searching, groups, seed=7)
    return {
        "rate_per_s": args.paced_rate,
        "quiet": quiet,
        "under_writes": busy,
        "p95_to_quiet": _p95_ratio(busy["search"], quiet),
    }


async def cold_request_cache(es: AsyncElasticsearch, alias: str) -> None:
    """Every contender sends the same queries in the same order: without this, the one after
    the API would find the facets of the API's queries in the shard request cache."""
    await es.indices.clear_cache(index=alias, request=True)


def _p95_ratio(run: dict[str, Any], quiet: dict[str, Any]) -> float:
    return round(float(run["all"]["p95_ms"]) / quiet["all"]["p95_ms"], 2)


async def compare(
    args: argparse.Namespace,
    settings: Settings,
    processes: Mapping[str, int],
    http: httpx.AsyncClient,
    es: AsyncElasticsearch,
) -> dict[str, Any]:
    """Phases 1 to 4 on the seeded catalogue."""
    alias = alias_name(settings.index_prefix)
    dsn = asyncpg_dsn(settings)
    # What the worker still has to apply (other read models' events) must not run meanwhile.
    waited = await until_idle(processes["worker"], limit=1800)
    print(f"the worker is idle (waited {waited:.0f} s)", flush=True)
    connection = await asyncpg.connect(dsn)
    try:
        built = await build_baseline(connection, indexed_documents(es, alias))
    finally:
        await connection.close()
    print(f"PostgreSQL baseline built: {built}", flush=True)
    pool = await connect_pool(dsn, args.concurrency)
    try:
        baseline = PostgresBaselineSearch(pool)
        service = ElasticsearchProductSearch(es, settings.index_prefix)
        alike = await parity(service, baseline, args.parity_samples, seed=5)
        senders = {
            "api": through_api(http),
            "elasticsearch": straight_to_elasticsearch(es, alias),
            "postgres": through_search(baseline),
        }
        for send in senders.values():
            await run_mix(send, args.concurrency, WARM_UP_S, 0)
        extra = {"elasticsearch": elasticsearch_pids(settings.elasticsearch_url)}
        groups = process_groups(processes, target_of(args).database, extra)
        groups["bench"] = [os.getpid()]
        side: dict[str, Any] = {}
        for name, send in senders.items():
            print(f"side by side: {name}, load average {load_average()}", flush=True)
            await cold_request_cache(es, alias)
            side[name] = await measured(groups, run_mix(send, args.concurrency, args.duration, 1))
        solo = {}
        for name, send in senders.items():
            print(f"one client: {name}, load average {load_average()}", flush=True)
            await cold_request_cache(es, alias)
            solo[name] = await measured(groups, run_each_kind(send, args.solo_samples, 2))
        print(f"under writes, load average {load_average()}", flush=True)
        api = Service(http, es, alias)
        writes = await under_writes(
            args,
            api,
            lambda: run_mix(senders["api"], args.concurrency, args.duration, 3),
            groups,
            seed=4,
        )
        writes["p95_to_quiet"] = _p95_ratio(writes["search"], side["api"])
        steady = await paced(args, api, senders["api"], groups)
    finally:
        await pool.close()
    return {
        "baseline": built,
        "parity": alike,
        "side_by_side": side,
        "ratios": ratios(side),
        "one_client": solo,
        "under_writes": writes,
        "paced": steady,
    }


async def measure(
    args: argparse.Namespace, settings: Settings, processes: Mapping[str, int], reused: bool
) -> dict[str, Any]:
    # The API's JSON decoding (msgspec) for the direct client too: a like-for-like comparison.
    es = AsyncElasticsearch(
        settings.elasticsearch_url, request_timeout=120, serializers=msgspec_serializers()
    )
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
    result: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores",
        "products": args.products,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "load_average_at_start": load_average(),
    }
    try:
        await wait_until_ready(http, limit=120)
        if reused:
            result["catalogue"] = {"products": args.products, "reused": True}
        else:
            result["catalogue"] = await seed_catalogue(settings, es, args.products)
        print(f"catalogue: {result['catalogue']}", flush=True)
        result["index"] = await index_figures(es, alias_name(settings.index_prefix))
        if not args.seed_only:
            result |= await compare(args, settings, processes, http, es)
        return result
    finally:
        await http.aclose()
        await es.close()


def main(args: argparse.Namespace) -> dict[str, Any]:
    with service_on_target(args, "search-bench-") as (settings, names, reused):
        return asyncio.run(measure(args, settings, names, reused))


@contextmanager
def service_on_target(
    args: argparse.Namespace, log_prefix: str
) -> Iterator[tuple[Settings, dict[str, int], bool]]:
    """The target's settings with its relay, worker and API running (their pids by name), and
    whether its catalogue was reused (`--reuse`); otherwise the target is reset first."""
    target = target_of(args)
    base = load_settings()
    settings = bench_settings(base, target)
    reused = args.reuse and asyncio.run(in_place(settings, args.products))
    if not reused:
        asyncio.run(reset(base, settings, target))
    upgrade_to_head(settings.database_url)
    with tempfile.NamedTemporaryFile(prefix=log_prefix, suffix=".log", delete=False) as log:
        print(f"the processes' output: {log.name}", flush=True)
        processes = start_processes(
            environment(settings, target, args.port), log, args.worker_processes
        )
        names = dict(zip(["relay", "worker", "api"], (p.pid for p in processes), strict=True))
        try:
            yield settings, names, reused
        finally:
            stop_processes(processes)


async def in_place(settings: Settings, products: int) -> bool:
    es = AsyncElasticsearch(settings.elasticsearch_url)
    try:
        return await catalogue_in_place(settings, es, products)
    finally:
        await es.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20, help="seconds per run")
    parser.add_argument(
        "--solo-samples", type=int, default=30, help="one client: requests of each kind"
    )
    parser.add_argument(
        "--parity-samples", type=int, default=20, help="queries of each kind compared"
    )
    parser.add_argument("--write-rate", type=float, default=30, help="commands per second")
    parser.add_argument(
        "--paced-rate", type=float, default=15, help="phase 5: searches started per second"
    )
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument(
        "--target",
        default="bench",
        help="names the bench's database (commerce_TARGET) and index prefix (TARGET)",
    )
    parser.add_argument("--redis-db", type=int, default=12, help="the bench's Redis database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the target's catalogue if it holds exactly --products products, all "
        "searchable (it then carries the edits of the last run's write phase)",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (or reuse) the catalogue and stop"
    )
    report(main(parser.parse_args()))
