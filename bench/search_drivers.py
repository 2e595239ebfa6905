"""The search bench's clients: one way to send a request of the mix to each contender (the
API, Elasticsearch with the very requests the API builds, the PostgreSQL baseline), and the
loops that drive them. Every page read is one timed sample; a failed request is counted as an
error, never as a page."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
from common import Recorder
from elasticsearch import AsyncElasticsearch
from search_mix import KIND_NAMES, PAGES, Params, query_mix, query_of_kind, to_query

from commerce.ports.product_search import ProductSearch
from projections.products.query import search_requests, suggest_request

# Sends one request of the mix (a kind and its API parameters), recording each page read.
Send = Callable[[str, Params, Recorder], Awaitable[None]]


def through_api(http: httpx.AsyncClient) -> Send:
    async def send(kind: str, params: Params, rec: Recorder) -> None:
        if kind == "suggest":
            await timed(rec, kind, lambda: http.get("/v1/products/suggest", params=params))
            return
        for _ in range(PAGES.get(kind, 1)):
            response = await timed(
                rec, kind, lambda params=params: http.get("/v1/products", params=params)
            )
            cursor = response.json().get("next_cursor") if response.status_code == 200 else None
            if not cursor:
                return
            params = params | {"cursor": cursor}

    return send


def straight_to_elasticsearch(es: AsyncElasticsearch, alias: str) -> Send:
    async def send(kind: str, params: Params, rec: Recorder) -> None:
        if kind == "suggest":
            suggest = suggest_request(params["q"]) or {}
            await timed(rec, kind, lambda: es.search(index=alias, **suggest))
            return
        query = to_query(params)
        body, facets = search_requests(query)
        for _ in range(PAGES.get(kind, 1)):
            answers = await timed(
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

    return send


def through_search(search: ProductSearch) -> Send:
    """A search adapter called in this process (the PostgreSQL baseline's)."""

    async def send(kind: str, params: Params, rec: Recorder) -> None:
        if kind == "suggest":
            await timed(rec, kind, lambda: search.suggest(params["q"]))
            return
        query = to_query(params)
        for _ in range(PAGES.get(kind, 1)):
            result = await timed(rec, kind, lambda query=query: search.search(query))
            if result is None or result.next_cursor is None:
                return
            query = msgspec.structs.replace(query, cursor=result.next_cursor)

    return send


async def timed(rec: Recorder, kind: str, call: Callable[[], Awaitable[Any]]) -> Any:
    started = time.perf_counter()
    try:
        result = await call()
    except Exception as error:
        rec.fail(f"{kind} {type(error).__name__}")
        return None
    if isinstance(result, httpx.Response) and result.status_code != 200:
        # Not a page: a quick refusal (503 from a tripped breaker) must not pass for speed.
        rec.fail(f"{kind} {result.status_code}")
        return result
    rec.add(kind, time.perf_counter() - started)
    return result


async def run_mix(
    send: Send, concurrency: int, duration: float, seed: int
) -> tuple[Recorder, float]:
    """`concurrency` clients, each sending the mix back to back for `duration` seconds."""
    rec = Recorder()
    deadline = time.perf_counter() + duration

    async def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while time.perf_counter() < deadline:
            kind, params = query_mix(rng)
            await send(kind, params, rec)

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return rec, time.perf_counter() - started


async def run_paced(send: Send, rate: float, duration: float, seed: int) -> tuple[Recorder, float]:
    """An open loop: a request of the mix starts every 1/`rate` s whether or not the earlier
    ones have answered, as shoppers arrive; the load a store sees, short of saturation."""
    rec = Recorder()
    rng = random.Random(seed)
    started = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    for due in range(int(rate * duration)):
        await asyncio.sleep(max(0.0, started + due / rate - time.perf_counter()))
        kind, params = query_mix(rng)
        task = asyncio.ensure_future(send(kind, params, rec))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return rec, time.perf_counter() - started


async def run_each_kind(send: Send, samples: int, seed: int) -> tuple[Recorder, float]:
    """One client alone, `samples` requests of each kind in turn: service times, no queueing."""
    rec = Recorder()
    rng = random.Random(seed)
    started = time.perf_counter()
    for kind in KIND_NAMES:
        for _ in range(samples):
            await send(kind, query_of_kind(kind, rng), rec)
    return rec, time.perf_counter() - started
