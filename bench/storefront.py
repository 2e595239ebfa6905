"""Storefront bench: the search page against the JSON API, for the same queries, under the
search bench's load.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/storefront.py [--reuse]

The search bench's target (database `commerce_bench`, index prefix `bench`: `--reuse` takes
the catalogue `bench/search.py` seeded, of the same size), catalogue (`search_catalogue.py`)
and query mix (`search_mix.py`). `--concurrency` clients each draw a request of the mix and
send it three ways, in an order drawn anew each time, so the three share one load:

- `api`: `GET /v1/products?...` (suggestions: `GET /v1/products/suggest`);
- `page`: the search page `GET /?...`, the same query as the page writes it in its URL
  (`search_state.search_params`; suggestions: `GET /suggest`);
- `fragment`: the same with `HX-Request: true`, the results htmx swaps in (for a further
  page, the "load more" items).

Deep pages follow the API's cursor; the page and the fragment are asked for the same page
with it (the cursor the page's "load more" link carries). p50/p95/p99 per kind and way, and
page/API and fragment/API p95: the issue's bar is 1.3. Results print as a table and as one JSON
line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from typing import Any

import httpx
from common import Recorder, load_average, until_idle, wait_until_ready
from elasticsearch import AsyncElasticsearch
from search import service_on_target
from search_catalogue import seed_catalogue
from search_drivers import timed
from search_mix import PAGES, Params, query_mix, to_query

from commerce.entrypoints.web.search_state import search_params
from commerce.settings import Settings

WAYS = ("api", "page", "fragment")
BAR = 1.3
WARM_UP_S = 3
HTMX = {"HX-Request": "true"}


async def send_three_ways(
    http: httpx.AsyncClient, kind: str, params: Params, recs: dict[str, Recorder], rng: Any
) -> None:
    """One request of the mix through the API, the page and the fragment, in a random order;
    deep pages page on with the API's cursor."""
    for _ in range(PAGES.get(kind, 1)):
        calls = _calls(http, kind, params)
        cursor = None
        for way in rng.sample(WAYS, len(WAYS)):
            response = await timed(recs[way], kind, calls[way])
            if way == "api" and response is not None and response.status_code == 200:
                cursor = response.json().get("next_cursor") if kind != "suggest" else None
        if not cursor:
            return
        params = params | {"cursor": cursor}


def _calls(http: httpx.AsyncClient, kind: str, params: Params) -> dict[str, Any]:
    if kind == "suggest":
        return {
            "api": lambda: http.get("/v1/products/suggest", params=params),
            "page": lambda: http.get("/suggest", params=params),
            "fragment": lambda: http.get("/suggest", params=params, headers=HTMX),
        }
    page = page_path(params)
    return {
        "api": lambda: http.get("/v1/products", params=params),
        "page": lambda: http.get(page),
        "fragment": lambda: http.get(page, headers=HTMX),
    }


def page_path(params: Params) -> str:
    """The search page's URL for the API's query parameters, as the page itself writes it."""
    return f"/?{search_params(to_query(params), cursor=params.get('cursor'))}"


async def run(
    http: httpx.AsyncClient, concurrency: int, duration: float, seed: int
) -> tuple[dict[str, Recorder], float]:
    """The search bench's closed loop (`search_drivers.run_mix`), each request sent three ways."""
    recs = {way: Recorder() for way in WAYS}
    deadline = time.perf_counter() + duration

    async def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < deadline:
            kind, params = query_mix(rng)
            await send_three_ways(http, kind, params, recs, rng)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return recs, time.perf_counter() - started


def ratios(side: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """p95 of the page and of the fragment over the API's, overall (`all`) and per kind."""

    def p95(way: str, kind: str) -> float | None:
        figures = side[way]["all"] if kind == "all" else side[way]["by_kind"].get(kind, {})
        return figures.get("p95_ms")

    kinds = ["all", *sorted(side["api"]["by_kind"])]
    return {
        kind: {
            f"{way}_to_api_p95": _ratio(p95(way, kind), p95("api", kind))
            for way in ("page", "fragment")
        }
        for kind in kinds
    }


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return round(numerator / denominator, 2) if numerator and denominator else None


async def measure(
    args: argparse.Namespace, settings: Settings, worker: int, reused: bool
) -> dict[str, Any]:
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=120)
    result: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores",
        "products": args.products,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
    }
    try:
        await wait_until_ready(http, limit=120)
        if not reused:
            result["catalogue"] = await seed_catalogue(settings, es, args.products)
        # As the search bench: what the worker still has to apply must not run meanwhile.
        result["worker_idle_after_s"] = round(await until_idle(worker, limit=1800))
        await run(http, args.concurrency, WARM_UP_S, 0)
        before = load_average()
        recs, elapsed = await run(http, args.concurrency, args.duration, 1)
        side = {way: rec.summary(elapsed) for way, rec in recs.items()}
        return result | {
            "load_average": [before, load_average()],
            "side_by_side": side,
            "ratios": ratios(side),
        }
    finally:
        await http.aclose()
        await es.close()


def report(result: dict[str, Any]) -> None:
    side, ratio = result["side_by_side"], result["ratios"]
    print(
        f"\n{result['products']} products, {result['concurrency']} clients, "
        f"{result['duration_s']} s, {result['machine']}, load average {result['load_average']}"
    )
    header = "".join(f"{way + ' p50/p95/p99 ms':>28}" for way in WAYS)
    print(f"{'kind':<16}{header}{'page/API p95':>14}{'frag/API p95':>14}")
    for kind in ratio:
        cells = ""
        for way in WAYS:
            figures = side[way]["all"] if kind == "all" else side[way]["by_kind"].get(kind, {})
            cells += "/".join(str(figures.get(f"p{n}_ms")) for n in (50, 95, 99)).rjust(28)
        page, fragment = ratio[kind]["page_to_api_p95"], ratio[kind]["fragment_to_api_p95"]
        print(f"{kind:<16}{cells}{page!s:>14}{fragment!s:>14}")
    errors = {way: side[way]["errors_by_kind"] for way in WAYS if side[way]["errors"]}
    print(f"errors: {errors or 'none'}; the bar: page/API p95 <= {BAR}")
    print(json.dumps(result))


def main(args: argparse.Namespace) -> dict[str, Any]:
    with service_on_target(args, "storefront-bench-") as (settings, names, reused):
        return asyncio.run(measure(args, settings, names["worker"], reused))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30, help="seconds measured")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--worker-processes", type=int, default=1)
    parser.add_argument("--target", default="bench", help="the search bench's target")
    parser.add_argument("--redis-db", type=int, default=12, help="the bench's Redis database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the target's catalogue if it holds exactly --products products",
    )
    report(main(parser.parse_args()))
