"""Search benchmark: the API against Elasticsearch itself, and commit-to-searchable lag.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/search.py [--products 100000]

It uses a database (`commerce_bench`) and index prefix (`bench`) of its own, seeds N products
through the real write path (unit of work, outbox, relay, worker), then, at a fixed
concurrency and for a fixed time each:

1. sends a realistic mix of queries through the HTTP API (full text with and without typos,
   filtered, faceted browse, sorted, deep pages by cursor, suggestions);
2. sends the very same Elasticsearch requests the API builds straight to Elasticsearch;
3. measures the lag from a committed price change to the product being findable by that price,
   while the query load of (1) runs.

Both runs happen one after the other on the same machine in one invocation, so the ratio of
(1) to (2) is the service's own overhead. Results print as a table and as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import httpx
from common import (
    Recorder,
    Target,
    bench_settings,
    environment,
    lag_summary,
    reset,
    sign_token,
    start_processes,
    stop_processes,
    wait_for_count,
)
from elasticsearch import AsyncElasticsearch

from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.entrypoints.processes import seed_demo_catalog
from commerce.entrypoints.seed import ADJECTIVES, KINDS, Kind
from commerce.ports.product_search import ProductQuery
from commerce.settings import Settings, load_settings
from projections.products.query import search_requests, suggest_request

BENCH_DATABASE = "commerce_bench"
BENCH_PREFIX = "bench"
JWT_SECRET = "bench-only-secret-0123456789-0123456789-abcdef"  # noqa: S105 (local bench)
TARGET = Target(database=BENCH_DATABASE, index_prefix=BENCH_PREFIX, jwt_secret=JWT_SECRET)


# The query mix ------------------------------------------------------------------------------


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _full_text(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"q": f"{rng.choice(ADJECTIVES).lower()} {rng.choice(kind.nouns)}"}


def _full_text_typo(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"q": _typo(rng.choice(kind.nouns).split()[-1], rng)}


def _filtered(kind: Kind, rng: random.Random) -> dict[str, Any]:
    low = rng.randrange(*kind.price_range)
    return {
        "category": kind.category,
        "brand": rng.sample(kind.brands, 2),
        "price_min": low,
        "price_max": low + 20_000,
        "in_stock": "true",
    }


def _faceted_browse(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"category": kind.category.split("/")[0]}


def _sorted(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"category": kind.category, "sort": rng.choice(["price_asc", "price_desc", "newest"])}


def _deep_pages(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"category": kind.category.split("/")[0], "sort": "price_asc"}


def _suggest(kind: Kind, rng: random.Random) -> dict[str, Any]:
    return {"q": rng.choice(kind.brands)[: rng.randint(3, 5)].lower()}


# (kind, share of requests, parameters)
MIX: list[tuple[str, float, Callable[[Kind, random.Random], dict[str, Any]]]] = [
    ("full_text", 0.25, _full_text),
    ("full_text_typo", 0.10, _full_text_typo),
    ("filtered", 0.20, _filtered),
    ("faceted_browse", 0.15, _faceted_browse),
    ("sorted", 0.15, _sorted),
    ("deep_pages", 0.07, _deep_pages),
    ("suggest", 0.08, _suggest),
]


def query_mix(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One request of the mix as (kind, API query parameters)."""
    name, _, build = rng.choices(MIX, weights=[share for _, share, _ in MIX])[0]
    return name, build(rng.choice(KINDS), rng)


def to_query(params: dict[str, Any]) -> ProductQuery:
    """What the API decodes these parameters into (so the direct run sends the same DSL)."""

    def many(name: str) -> tuple[str, ...]:
        value = params.get(name)
        return tuple(value) if isinstance(value, list) else ((value,) if value else ())

    return ProductQuery(
        q=params.get("q"),
        categories=many("category"),
        brands=many("brand"),
        price_min=params.get("price_min"),
        price_max=params.get("price_max"),
        in_stock=True if params.get("in_stock") == "true" else None,
        sort=params.get("sort"),
        cursor=params.get("cursor"),
    )


# Drivers ------------------------------------------------------------------------------------


async def through_api(
    http: httpx.AsyncClient, kind: str, params: dict[str, Any], *, rec: Recorder
) -> None:
    if kind == "suggest":
        await _timed(rec, kind, lambda: http.get("/v1/products/suggest", params=params))
        return
    pages = 5 if kind == "deep_pages" else 1
    for _ in range(pages):
        response = await _timed(
            rec, kind, lambda params=params: http.get("/v1/products", params=params)
        )
        cursor = response.json().get("next_cursor") if response.status_code == 200 else None
        if not cursor:
            return
        params = params | {"cursor": cursor}


async def straight_to_elasticsearch(
    es: AsyncElasticsearch, alias: str, kind: str, params: dict[str, Any], *, rec: Recorder
) -> None:
    if kind == "suggest":
        suggest = suggest_request(params["q"]) or {}
        await _timed(rec, kind, lambda: es.search(index=alias, **suggest))
        return
    query = to_query(params)
    body, facets = search_requests(query)
    for _ in range(5 if kind == "deep_pages" else 1):
        answers = await _timed(
            rec,
            kind,
            lambda body=body: asyncio.gather(
                es.search(index=alias, **body), es.search(index=alias, **facets)
            ),
        )
        hits = answers[0]["hits"]["hits"] if answers else []
        if len(hits) <= query.limit:
            return
        body = body | {"search_after": hits[query.limit - 1]["sort"]}


async def _timed(rec: Recorder, kind: str, call: Callable[[], Awaitable[Any]]) -> Any:
    started = time.perf_counter()
    try:
        result = await call()
    except Exception:
        rec.errors += 1
        return None
    rec.add(kind, time.perf_counter() - started)
    if isinstance(result, httpx.Response) and result.status_code != 200:
        rec.errors += 1
    return result


async def run_load(
    send: Callable[[str, dict[str, Any]], Awaitable[None]],
    concurrency: int,
    duration: float,
    seed: int,
) -> float:
    deadline = time.perf_counter() + duration

    async def user(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < deadline:
            kind, params = query_mix(rng)
            await send(kind, params)

    started = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(concurrency)))
    return time.perf_counter() - started


# Lag ----------------------------------------------------------------------------------------


async def measure_lag(
    http: httpx.AsyncClient, es: AsyncElasticsearch, alias: str, samples: int
) -> dict[str, float | None]:
    """Re-price a product and time until a search by that price finds it."""
    token = sign_token(JWT_SECRET, {"operator"})
    headers = {"Authorization": f"Bearer {token}"}
    page = (await http.get("/v1/products", params={"limit": 100, "sort": "newest"})).json()
    products = page["items"]
    lags: list[float] = []
    for number in range(samples):
        product = products[number % len(products)]
        price = 100 + number  # below every seeded price: becomes the effective price
        change = {
            "variants": [
                {
                    "sku": product["variants"][0]["sku"],
                    "price": {"amount": price, "currency": "EUR"},
                }
            ]
        }
        response = await http.patch(
            f"/v1/admin/products/{product['id']}", json=change, headers=headers
        )
        committed = time.perf_counter()
        if response.status_code != 200:
            continue
        query = {
            "bool": {
                "filter": [
                    {"ids": {"values": [product["id"]]}},
                    {"term": {"effective_price": price}},
                ]
            }
        }
        while time.perf_counter() - committed < 30:
            found = await es.search(index=alias, query=query, size=0)
            if found["hits"]["total"]["value"]:
                lags.append(time.perf_counter() - committed)
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.2)
    return lag_summary(lags)


# Set-up -------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    alias = f"{BENCH_PREFIX}-products"
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=60)
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
    try:
        started = time.perf_counter()
        await seed_demo_catalog(settings, args.products, 1, only_if_empty=False)
        written = time.perf_counter() - started
        searchable = written + await wait_for_count(es, alias, args.products, limit=3600)
        print(
            f"seeded {args.products} products: written in {written:.1f} s, "
            f"all searchable after {searchable:.1f} s",
            flush=True,
        )

        def api_load(rec: Recorder, seconds: float, seed: int) -> Awaitable[float]:
            send = partial(through_api, http, rec=rec)
            return run_load(send, args.concurrency, seconds, seed)

        def direct_load(rec: Recorder, seconds: float, seed: int) -> Awaitable[float]:
            send = partial(straight_to_elasticsearch, es, alias, rec=rec)
            return run_load(send, args.concurrency, seconds, seed)

        await api_load(Recorder(), 3, 0)  # warm-up: connections, JIT-less caches, ES caches
        await direct_load(Recorder(), 3, 0)
        api, direct = Recorder(), Recorder()
        api_time = await api_load(api, args.duration, 1)
        direct_time = await direct_load(direct, args.duration, 1)
        background = asyncio.ensure_future(api_load(Recorder(), args.duration, 2))
        lag = await measure_lag(http, es, alias, args.lag_samples)
        await background
        return {
            "machine": f"{os.cpu_count()} cores",
            "products": args.products,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "seed_write_s": round(written, 1),
            "seed_searchable_s": round(searchable, 1),
            "api": api.summary(api_time),
            "elasticsearch": direct.summary(direct_time),
            "lag_commit_to_searchable": lag,
        }
    finally:
        await http.aclose()
        await es.close()


def main(args: argparse.Namespace) -> dict[str, Any]:
    base = load_settings()
    settings = bench_settings(base, TARGET)
    asyncio.run(reset(base, settings, TARGET))
    upgrade_to_head(settings.database_url)
    processes = start_processes(environment(settings, TARGET, args.port))
    try:
        return asyncio.run(measure(args, settings))
    finally:
        stop_processes(processes)


def report(result: dict[str, Any]) -> None:
    api, direct = result["api"], result["elasticsearch"]
    print(
        f"\n{result['products']} products, concurrency {result['concurrency']}, "
        f"{result['duration_s']} s per run"
    )
    print(f"{'kind':<16}{'API p50/p95/p99 ms':>26}{'ES p50/p95/p99 ms':>26}{'p50 ratio':>11}")
    for kind in sorted(api["by_kind"]):
        print(_row(kind, api["by_kind"][kind], direct["by_kind"].get(kind, {})))
    print(_row("all", api["all"], direct["all"]))
    ratio = api["throughput_rps"] / direct["throughput_rps"]
    print(
        f"throughput: API {api['throughput_rps']} req/s, Elasticsearch "
        f"{direct['throughput_rps']} req/s ({ratio:.2f}x); "
        f"errors {api['errors']}/{direct['errors']}"
    )
    lag = result["lag_commit_to_searchable"]
    print(
        f"commit to searchable: p50 {lag['p50_ms']} ms, p95 {lag['p95_ms']} ms, "
        f"max {lag['max_ms']} ms (n={lag['n']})"
    )
    print(json.dumps(result))


def _row(kind: str, api: dict[str, float], direct: dict[str, float]) -> str:
    ratio = api["p50_ms"] / direct["p50_ms"] if direct.get("p50_ms") else float("nan")
    return f"{kind:<16}{_triple(api):>26}{_triple(direct):>26}{ratio:>10.2f}x"


def _triple(p: dict[str, float]) -> str:
    return f"{p.get('p50_ms', '-')}/{p.get('p95_ms', '-')}/{p.get('p99_ms', '-')}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--lag-samples", type=int, default=60)
    parser.add_argument("--port", type=int, default=8089)
    report(main(parser.parse_args()))
