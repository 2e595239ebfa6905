"""Checkout benchmark: checkout-and-pay, bare PostgreSQL stock update, commit-to-dashboard lag.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/checkout.py [--skus 2000 --hot 5
        --hot-share 0.5 --concurrency 8 --duration 20 --lag-samples 30 --promo-code HOT10]

It uses a database (`commerce_bench_checkout`), index prefix (`checkoutbench`) and Redis
database (14) of its own, starts the real processes (API, relay, projection worker), seeds a
catalogue of SKUs through the unit of work (a few hot SKUs, the rest cold, all stocked), and
registers and signs in one customer per client during set-up (argon2 is not in the timed part).
Then, at a fixed concurrency and for a fixed time each, one after the other in one invocation:

1. every virtual customer checks out and pays, again and again: `PUT /v1/cart/items/{sku}`
   (a hot SKU with probability `--hot-share`, else a random cold one, quantity 1), `POST
   /v1/orders` and `POST /v1/orders/{id}/payments` (`tok_visa`, the order total), each POST
   with a fresh `Idempotency-Key`; the three requests are one latency sample. Before that, one
   customer alone for `--solo-duration`: the service time, without queueing. With
   `--promo-code`, twice more right after: every client entering that one code (10 % off, no
   redemption limit) before each order, then each client a code of its own (the same terms).
   `PUT /v1/cart/promo-code` is a fourth request in both, and each order counts a redemption:
   on one hot row, then spread over as many rows as clients. The ratios of the runs;
2. as many asyncpg clients run the bare conditional stock update of a reservation on the same
   table with the same hot/cold mix, each statement its own transaction (what the checkout
   cannot beat); the units it reserved are given back afterwards;
3. while (1) runs again, one more customer places orders and polls its dashboard (`GET
   /v1/orders`, the read model) until each appears: the commit-to-dashboard lag (also
   measured idle, before any load), and what the read models have yet to see at its end.

It also counts the PostgreSQL round trips of one checkout-and-pay (on the wire, the app
answering in this process) and the CPU each process used during (1) and (2).
Results print as a table and as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
from common import (
    CpuMeter,
    Recorder,
    Target,
    asyncpg_dsn,
    bench_settings,
    descendants,
    elasticsearch_pids,
    environment,
    lag_summary,
    on_cpu_ns,
    process_groups,
    reset,
    sign_token,
    start_processes,
    stop_processes,
    wait_for_count,
    wait_until_ready,
)
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from round_trips import RoundTripProxy
from sqlalchemy.engine import make_url

from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.container import build_container, close
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem
from commerce.entrypoints.http.app import create_app
from commerce.entrypoints.seed import generate_products
from commerce.settings import Settings, load_settings

BENCH_DATABASE = "commerce_bench_checkout"
BENCH_PREFIX = "checkoutbench"  # not under search.py's `bench-*`, which it deletes
JWT_SECRET = "checkout-bench-only-secret-0123456789-abcdef"  # noqa: S105 (local bench)
TARGET = Target(
    database=BENCH_DATABASE, index_prefix=BENCH_PREFIX, jwt_secret=JWT_SECRET, redis_db=14
)
PASSWORD = "bench-password-0123"  # noqa: S105 (local bench accounts)
CARD = "tok_visa"  # the sandbox gateway's test token that succeeds
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
BASELINE_SQL = (
    "UPDATE stock_items SET reserved = reserved + 1 WHERE sku = $1 AND on_hand - reserved >= 1"
)

Pick = Callable[[random.Random], tuple[str, str]]  # (sku, "hot" | "cold")


@dataclass(frozen=True)
class Customer:
    id: uuid.UUID
    headers: dict[str, str]


@dataclass
class Outcomes:
    """What became of each checkout attempt besides a completed one."""

    completed: int = 0
    out_of_stock: Counter[str] = field(default_factory=Counter)  # by step
    declined: int = 0
    errors: Counter[str] = field(default_factory=Counter)  # "step status"

    def summary(self) -> dict[str, Any]:
        return {
            "completed": self.completed,
            "out_of_stock": sum(self.out_of_stock.values()),
            "out_of_stock_by_step": dict(self.out_of_stock),
            "declined": self.declined,
            "errors": sum(self.errors.values()),
            "errors_by_kind": dict(self.errors),
        }


# The mix ------------------------------------------------------------------------------------


def picker(hot: list[str], cold: list[str], hot_share: float) -> Pick:
    def pick(rng: random.Random) -> tuple[str, str]:
        if rng.random() < hot_share:
            return rng.choice(hot), "hot"
        return rng.choice(cold), "cold"

    return pick


# Set-up -------------------------------------------------------------------------------------


async def seed_catalogue(
    settings: Settings, *, skus: int, hot: int, hot_stock: int, cold_stock: int, seed: int
) -> tuple[list[str], list[str], int]:
    """Exactly `skus` SKUs of demo products, `hot` of them stocked with `hot_stock` units and
    the others with `cold_stock`, written through the unit of work (events and all). Returns
    (hot SKUs, cold SKUs, products)."""
    clock = SystemClock()
    products: list[Product] = []
    count = 0
    for product, _ in generate_products(
        skus * 4, settings.currency, clock, seed, image_base_url=settings.api_url
    ):
        if count + len(product.variants) <= skus:
            products.append(product)
            count += len(product.variants)
        if count == skus:
            break
    every = [variant.sku for product in products for variant in product.variants]
    hot_skus = random.Random(seed).sample(every, hot)
    chosen = set(hot_skus)
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        for start in range(0, len(products), 250):
            async with PostgresUnitOfWork(engine, clock) as uow:
                for product in products[start : start + 250]:
                    uow.products.add(product)
                    for variant in product.variants:
                        on_hand = hot_stock if variant.sku in chosen else cold_stock
                        uow.stock.add(StockItem.open(variant.sku, product.id, on_hand=on_hand))
                await uow.commit()
    finally:
        await engine.dispose()
    return hot_skus, [sku for sku in every if sku not in chosen], len(products)


async def sign_up(http: httpx.AsyncClient, number: int) -> Customer:
    """Register (argon2 hashing: set-up only) and sign in through the API."""
    email = f"shopper-{number}@example.com"
    account = {
        "email": email,
        "password": PASSWORD,
        "name": f"Shopper {number}",
        "shipping_address": ADDRESS,
    }
    registered = await http.post("/v1/accounts", json=account)
    if registered.status_code != 201:
        raise SystemExit(f"registration: {registered.status_code} {registered.text}")
    signed_in = await http.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    if signed_in.status_code != 200:
        raise SystemExit(f"sign-in: {signed_in.status_code} {signed_in.text}")
    token = signed_in.json()["access_token"]
    return Customer(
        id=uuid.UUID(registered.json()["id"]), headers={"Authorization": f"Bearer {token}"}
    )


async def create_code(http: httpx.AsyncClient, code: str) -> None:
    """A code every client may use as often as it likes: 10 % off, no limits, for a day."""
    now = datetime.now(UTC)
    body = {
        "code": code,
        "percent_off": 10,
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    operator = {"Authorization": f"Bearer {sign_token(JWT_SECRET, ['operator'])}"}
    created = await http.post("/v1/admin/promo-codes", json=body, headers=operator)
    if created.status_code != 201:
        raise SystemExit(f"promo code: {created.status_code} {created.text}")


# The checkout through the API ---------------------------------------------------------------


def _out_of_stock(response: httpx.Response) -> bool:
    if response.status_code != 409:
        return False
    try:
        return str(response.json().get("type", "")).endswith("out_of_stock")
    except ValueError:
        return False


async def checkout_and_pay(
    http: httpx.AsyncClient,
    customer: Customer,
    sku: str,
    kind: str,
    *,
    checkouts: Recorder,
    steps: Recorder,
    outcomes: Outcomes,
    code: str | None = None,
) -> None:
    """Cart PUT, (with `code`: code PUT,) order POST, payment POST: one latency sample when all
    succeed."""
    started = time.perf_counter()
    step = "cart"
    try:
        response = await http.put(
            f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=customer.headers
        )
        placed = time.perf_counter()
        steps.add("1 cart PUT", placed - started)
        if response.status_code == 200 and code is not None:
            step = "code"
            response = await http.put(
                "/v1/cart/promo-code", json={"code": code}, headers=customer.headers
            )
            steps.add("1b code PUT", time.perf_counter() - placed)
            placed = time.perf_counter()
        if response.status_code == 200:
            step = "order"
            key = {"Idempotency-Key": uuid.uuid4().hex}
            response = await http.post("/v1/orders", json={}, headers=customer.headers | key)
            ordered = time.perf_counter()
            steps.add("2 order POST", ordered - placed)
            if response.status_code == 201:
                step = "payment"
                order = response.json()
                key = {"Idempotency-Key": uuid.uuid4().hex}
                body = {"amount": order["total"], "token": CARD}
                response = await http.post(
                    f"/v1/orders/{order['id']}/payments", json=body, headers=customer.headers | key
                )
                paid = time.perf_counter()
                steps.add("3 payment POST", paid - ordered)
                if response.status_code == 201 and response.json()["status"] == "succeeded":
                    checkouts.add(kind, paid - started)
                    outcomes.completed += 1
                    return
                if response.status_code == 201:
                    outcomes.declined += 1
                    return
    except httpx.HTTPError as error:
        outcomes.errors[f"{step} {type(error).__name__}"] += 1
    else:
        if _out_of_stock(response):
            outcomes.out_of_stock[step] += 1
        else:
            outcomes.errors[f"{step} {response.status_code}"] += 1
    # Start the next attempt from an empty cart (not timed).
    try:
        await http.delete("/v1/cart", headers=customer.headers)
    except httpx.HTTPError:
        outcomes.errors["cart DELETE"] += 1


class RequestCpu:
    """The API's CPU per request, by route, while one client runs alone: each request's CPU is
    then its own (as httpx hooks: from sending the request to its response's headers)."""

    ROUTES = (
        ("PUT /v1/cart/items/{sku}", "PUT", re.compile(r"^/v1/cart/items/[^/]+$")),
        ("POST /v1/orders", "POST", re.compile(r"^/v1/orders$")),
        ("POST /v1/orders/{id}/payments", "POST", re.compile(r"^/v1/orders/[^/]+/payments$")),
    )

    def __init__(self, pids: list[int]) -> None:
        self._pids = pids
        self.ns: dict[str, list[int]] = {name: [] for name, _, _ in self.ROUTES}

    def hooks(self) -> dict[str, list[Callable[[Any], Awaitable[None]]]]:
        return {"request": [self._sent], "response": [self._answered]}

    async def _sent(self, request: httpx.Request) -> None:
        request.extensions["api_cpu_ns"] = on_cpu_ns(self._pids)

    async def _answered(self, response: httpx.Response) -> None:
        request = response.request
        for name, method, path in self.ROUTES:
            if request.method == method and path.match(request.url.path):
                self.ns[name].append(on_cpu_ns(self._pids) - request.extensions["api_cpu_ns"])

    def summary(self) -> dict[str, float]:
        """Mean ms per route, and per checkout-and-pay (one of each)."""
        means = {name: statistics.fmean(ns) / 1e6 for name, ns in self.ns.items() if ns}
        return {name: round(ms, 2) for name, ms in means.items()} | {
            "checkout": round(sum(means.values()), 2)
        }


async def run_clients(
    client: Callable[[int, random.Random], Awaitable[None]],
    concurrency: int,
    stop: Callable[[], bool],
    seed: int,
) -> float:
    """`concurrency` clients calling `client(number, rng)` until `stop()`; the elapsed time."""

    async def loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        while not stop():
            await client(number, rng)

    started = time.perf_counter()
    await asyncio.gather(*(loop(n) for n in range(concurrency)))
    return time.perf_counter() - started


def for_seconds(seconds: float) -> Callable[[], bool]:
    deadline = time.perf_counter() + seconds
    return lambda: time.perf_counter() >= deadline


async def service_load(
    http: httpx.AsyncClient,
    customers: list[Customer],
    pick: Pick,
    stop: Callable[[], bool],
    seed: int,
    *,
    codes: list[str] | None = None,
) -> tuple[float, Recorder, Recorder, Outcomes]:
    """`codes`: the code each client (by number) enters before each order, if any."""
    checkouts, steps, outcomes = Recorder(), Recorder(), Outcomes()

    async def client(number: int, rng: random.Random) -> None:
        sku, kind = pick(rng)
        await checkout_and_pay(
            http,
            customers[number],
            sku,
            kind,
            checkouts=checkouts,
            steps=steps,
            outcomes=outcomes,
            code=codes[number] if codes else None,
        )

    elapsed = await run_clients(client, len(customers), stop, seed)
    checkouts.errors = sum(outcomes.errors.values())
    return elapsed, checkouts, steps, outcomes


# The bare PostgreSQL baseline ---------------------------------------------------------------


async def baseline_load(
    connections: list[asyncpg.Connection],
    pick: Pick,
    seconds: float,
    seed: int,
    reserved: Counter[str],
) -> tuple[float, Recorder, int]:
    """The conditional reservation of one unit, each statement its own transaction; counts the
    units reserved per SKU into `reserved` (to give them back). Returns (elapsed, latencies,
    statements that found no stock)."""
    rec = Recorder()
    short = 0

    async def client(number: int, rng: random.Random) -> None:
        nonlocal short
        sku, kind = pick(rng)
        started = time.perf_counter()
        try:
            status = await connections[number].execute(BASELINE_SQL, sku)
        except asyncpg.PostgresError:
            rec.errors += 1
            return
        rec.add(kind, time.perf_counter() - started)
        if status == "UPDATE 1":
            reserved[sku] += 1
        else:
            short += 1

    elapsed = await run_clients(client, len(connections), for_seconds(seconds), seed)
    return elapsed, rec, short


async def give_back(dsn: str, reserved: Counter[str]) -> None:
    """Undo the baseline's reservations, so that stock matches the orders again."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.executemany(
            "UPDATE stock_items SET reserved = reserved - $2 WHERE sku = $1",
            sorted(reserved.items()),
        )
    finally:
        await connection.close()


# Lag ----------------------------------------------------------------------------------------


LAG_LIMIT = 30.0  # seconds a sample waits for the dashboard before it counts as not seen


async def measure_lag(
    http: httpx.AsyncClient, customer: Customer, pick: Pick, samples: int, seed: int
) -> dict[str, Any]:
    """Place an order and time until the customer's dashboard lists it: the lags, how many
    orders could not be placed, and how many the dashboard did not list within `LAG_LIMIT`."""
    rng = random.Random(seed)
    lags: list[float] = []
    failed = unseen = 0
    for _ in range(samples):
        sku, _ = pick(rng)
        await http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=customer.headers)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        response = await http.post("/v1/orders", json={}, headers=customer.headers | key)
        committed = time.perf_counter()
        if response.status_code != 201:
            failed += 1
            await http.delete("/v1/cart", headers=customer.headers)
            continue
        order_id = response.json()["id"]
        while time.perf_counter() - committed < LAG_LIMIT:
            page = await http.get("/v1/orders", params={"limit": 5}, headers=customer.headers)
            if page.status_code == 200 and any(
                item["id"] == order_id for item in page.json()["items"]
            ):
                lags.append(time.perf_counter() - committed)
                break
            await asyncio.sleep(0.005)
        else:
            unseen += 1
        await asyncio.sleep(0.2)
    return lag_summary(lags) | {"orders_not_placed": failed, "not_listed_within_30s": unseen}


async def backlog(settings: Settings, dsn: str) -> dict[str, Any]:
    """What the read models have yet to see: events not yet relayed from the outbox, and
    messages waiting (or being retried) in each worker queue, dead letters apart."""
    connection = await asyncpg.connect(dsn)
    try:
        unpublished = await connection.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
    finally:
        await connection.close()
    queued: dict[str, int] = {}
    redis = Redis.from_url(settings.redis_url)
    try:
        async for key in redis.scan_iter(match="*.msgs", count=1000):
            name = key.decode().removesuffix(".msgs").split(":", 1)[-1]
            queued[name] = int(await redis.hlen(key))
    finally:
        await redis.aclose()
    return {"outbox_unpublished": int(unpublished), "queued_messages": dict(sorted(queued.items()))}


# PostgreSQL round trips of one checkout -----------------------------------------------------


async def round_trips(settings: Settings, customer: Customer, sku: str) -> dict[str, Any]:
    """PostgreSQL round trips per step of one checkout-and-pay, counted on the wire (a proxy in
    front of the server) while the app, in this process, answers the three requests as the
    API does (middleware, idempotency and all). The last of three checkouts counts: the first
    prepares the statements on the connection, and the second still prepares one, the cart's
    UPDATE (a new customer's first cart was an INSERT)."""
    url = make_url(settings.database_url)
    proxy = RoundTripProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    container = build_container(msgspec.structs.replace(settings, database_url=proxied))
    app = create_app(container.settings(), container)
    transport = httpx.ASGITransport(app=app)
    http = httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60)
    steps: dict[str, Any] = {}
    try:
        for _ in range(3):
            proxy.take()
            cart = await http.put(
                f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=customer.headers
            )
            steps["1 cart PUT"] = {"total": proxy.take(), "status": cart.status_code}
            key = {"Idempotency-Key": uuid.uuid4().hex}
            order = await http.post("/v1/orders", json={}, headers=customer.headers | key)
            steps["2 order POST"] = {"total": proxy.take(), "status": order.status_code}
            key = {"Idempotency-Key": uuid.uuid4().hex}
            body = {"amount": order.json()["total"], "token": CARD}
            paid = await http.post(
                f"/v1/orders/{order.json()['id']}/payments",
                json=body,
                headers=customer.headers | key,
            )
            steps["3 payment POST"] = {"total": proxy.take(), "status": paid.status_code}
    except Exception as error:  # the bench reports what it can, whatever the code became
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        await http.aclose()
        await close(container)
        await proxy.stop()
    steps["checkout"] = sum(step["total"] for step in steps.values())
    return steps


# The run ------------------------------------------------------------------------------------


async def pg_transactions(dsn: str, database: str) -> tuple[int, int]:
    """(transactions, of which rolled back) in `database` so far: a lost race (a version check
    or a stock check failing in the commit's statement) is a rollback."""
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            "SELECT xact_commit + xact_rollback, xact_rollback FROM pg_stat_database"
            " WHERE datname = $1",
            database,
        )
        return int(row[0]), int(row[1])
    finally:
        await connection.close()


async def measured_service(
    http: httpx.AsyncClient,
    dsn: str,
    customers: list[Customer],
    pick: Pick,
    *,
    seconds: float,
    groups: dict[str, Any],
    codes: list[str] | None = None,
) -> dict[str, Any]:
    """One timed run of the checkouts through the API (each client entering its code of
    `codes` before each order, if given): latencies, steps, outcomes, PostgreSQL transactions
    and rollbacks, and the CPU of each process group."""
    before = await pg_transactions(dsn, BENCH_DATABASE)
    meter = CpuMeter(groups)
    elapsed, checkouts, steps, outcomes = await service_load(
        http, customers, pick, for_seconds(seconds), 1, codes=codes
    )
    cpu = meter.cores()
    await asyncio.sleep(1.5)  # backends report their statistics at most every second
    after = await pg_transactions(dsn, BENCH_DATABASE)
    transactions, rollbacks = after[0] - before[0], after[1] - before[1]
    completed = max(outcomes.completed, 1)
    return checkouts.summary(elapsed) | {
        "steps": steps.summary(elapsed)["by_kind"],
        "outcomes": outcomes.summary(),
        "pg_transactions_per_s": round(transactions / elapsed, 1),
        "pg_transactions_per_checkout": round(transactions / completed, 1),
        "pg_rollbacks_per_checkout": round(rollbacks / completed, 2),
        "cpu_cores": cpu,
        "api_cpu_ms_per_checkout": round(cpu["api"] * elapsed * 1000 / completed, 1),
    }


async def service_and_baseline(
    http: httpx.AsyncClient,
    dsn: str,
    customers: list[Customer],
    pick: Pick,
    *,
    args: argparse.Namespace,
    processes: dict[str, int],
    es_url: str,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any]]:
    """(1) the checkouts through the API (and with `--promo-code`, with one code for all, then
    a code each), then (2) the bare statement, each for `args.duration` after a warm-up; the
    summaries."""
    # Warm-up: connections, prepared statements, caches.
    await service_load(http, customers, pick, for_seconds(3), 0)
    # One customer alone: the service time of a checkout, without queueing, and the API's CPU
    # for each of its requests.
    request_cpu = RequestCpu(descendants(processes["api"]))
    http.event_hooks = request_cpu.hooks()
    solo_time, solo, solo_steps, _ = await service_load(
        http, customers[:1], pick, for_seconds(args.solo_duration), 3
    )
    http.event_hooks = {}
    reserved: Counter[str] = Counter()
    connections = [await asyncpg.connect(dsn) for _ in range(args.concurrency)]
    try:
        await baseline_load(connections, pick, 2, 0, reserved)
        await asyncio.sleep(1)
        extra = {"bench client": [os.getpid()], "elasticsearch": elasticsearch_pids(es_url)}

        # (1) the service, then with codes
        runs = {"no code": None} | code_runs(args.promo_code, len(customers))
        measured = {
            name: await measured_service(
                http,
                dsn,
                customers,
                pick,
                seconds=args.duration,
                groups=process_groups(processes, BENCH_DATABASE, extra),
                codes=codes,
            )
            for name, codes in runs.items()
        }
        service = measured.pop("no code")

        # (2) the bare statement
        meter = CpuMeter(process_groups(processes, BENCH_DATABASE, extra))
        baseline_time, baseline, short = await baseline_load(
            connections, pick, args.duration, 1, reserved
        )
        baseline_cpu = meter.cores()
    finally:
        for connection in connections:
            await connection.close()
        await give_back(dsn, reserved)

    service["alone"] = solo.summary(solo_time) | {
        "steps": solo_steps.summary(solo_time)["by_kind"],
        "api_cpu_ms": request_cpu.summary(),
    }
    bare = baseline.summary(baseline_time)
    bare["out_of_stock"] = short
    bare["cpu_cores"] = baseline_cpu
    return service, measured, bare


def code_runs(code: str | None, clients: int) -> dict[str, list[str] | None]:
    """The code each client enters, by run: one for all, then one each (none without a code)."""
    if code is None:
        return {}
    return {"one code": [code] * clients, "a code each": own_codes(code, clients)}


def own_codes(code: str, clients: int) -> list[str]:
    return [f"{code}-{number}" for number in range(clients)]


async def measure(
    args: argparse.Namespace, settings: Settings, processes: dict[str, int]
) -> dict[str, Any]:
    dsn = asyncpg_dsn(settings)
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}", timeout=60)
    es = AsyncElasticsearch(settings.elasticsearch_url, request_timeout=60)
    load_before = os.getloadavg()
    try:
        await wait_until_ready(http, limit=120)
        started = time.perf_counter()
        hot, cold, products = await seed_catalogue(
            settings,
            skus=args.skus,
            hot=args.hot,
            hot_stock=args.hot_stock,
            cold_stock=args.cold_stock,
            seed=args.seed,
        )
        written = time.perf_counter() - started
        searchable = written + await wait_for_count(
            es, f"{BENCH_PREFIX}-products", products, limit=600
        )
        started = time.perf_counter()
        customers = list(
            await asyncio.gather(*(sign_up(http, n) for n in range(args.concurrency + 2)))
        )
        load_customers, lag_customer, probe_customer = (
            customers[: args.concurrency],
            customers[-2],
            customers[-1],
        )
        signed_up = time.perf_counter() - started
        print(
            f"seeded {len(hot) + len(cold)} SKUs ({products} products): written in "
            f"{written:.1f} s, searchable after {searchable:.1f} s; "
            f"{len(customers)} customers registered and signed in in {signed_up:.1f} s",
            flush=True,
        )
        pick = picker(hot, cold, args.hot_share)
        if args.promo_code is not None:
            for code in [args.promo_code, *own_codes(args.promo_code, args.concurrency)]:
                await create_code(http, code)
        trips = await round_trips(settings, probe_customer, cold[0])
        idle_lag = await measure_lag(http, lag_customer, pick, args.idle_lag_samples, 6)

        service, with_codes, bare = await service_and_baseline(
            http,
            dsn,
            load_customers,
            pick,
            args=args,
            processes=processes,
            es_url=settings.elasticsearch_url,
        )

        # (3) lag while the service load runs
        lag_done = asyncio.Event()
        background = asyncio.ensure_future(
            service_load(http, load_customers, pick, lag_done.is_set, 2)
        )
        lag = await measure_lag(http, lag_customer, pick, args.lag_samples, 7)
        behind = await backlog(settings, dsn)
        lag_done.set()
        _, _, _, background_outcomes = await background

        return {
            "machine": f"{os.cpu_count()} cores",
            "load_average_before": [round(x, 2) for x in load_before],
            "skus": len(hot) + len(cold),
            "hot_skus": len(hot),
            "hot_share": args.hot_share,
            "hot_stock": args.hot_stock,
            "cold_stock": args.cold_stock,
            "concurrency": args.concurrency,
            "api_processes": args.api_processes,
            "duration_s": args.duration,
            "seed_write_s": round(written, 1),
            "seed_searchable_s": round(searchable, 1),
            "service": service,
            "postgres_baseline": bare,
            "service_to_baseline": round(
                service["throughput_rps"] / max(bare["throughput_rps"], 1e-9), 4
            ),
            "service_with_codes": with_codes,
            "pg_round_trips": trips,
            "lag_commit_to_dashboard": lag
            | {"background_checkouts": background_outcomes.completed, "backlog_after": behind},
            "lag_commit_to_dashboard_idle": idle_lag,
        }
    finally:
        await http.aclose()
        await es.close()


def main(args: argparse.Namespace) -> dict[str, Any]:
    base = load_settings()
    settings = bench_settings(base, TARGET)
    asyncio.run(reset(base, settings, TARGET))
    upgrade_to_head(settings.database_url)
    with tempfile.NamedTemporaryFile(prefix="checkout-bench-", suffix=".log", delete=False) as log:
        env = environment(settings, TARGET, args.port) | {
            "COMMERCE_WORKERS": str(args.api_processes)
        }
        processes = start_processes(env, log)
        names = dict(zip(["relay", "worker", "api"], (p.pid for p in processes), strict=True))
        try:
            result = asyncio.run(measure(args, settings, names))
        finally:
            stop_processes(processes)
    text = Path(log.name).read_text(errors="replace")
    result["process_log"] = {"path": log.name, "tracebacks": text.count("Traceback")}
    return result


def report(result: dict[str, Any]) -> None:
    service, bare = result["service"], result["postgres_baseline"]
    outcomes = service["outcomes"]
    print(
        f"\n{result['skus']} SKUs ({result['hot_skus']} hot, {result['hot_share']:.0%} of "
        f"picks), concurrency {result['concurrency']}, {result['api_processes']} API "
        f"process(es), {result['duration_s']} s per run, "
        f"{result['machine']}"
    )
    print(f"{'':<26}{'p50/p95/p99 ms':>24}{'n':>8}")
    for kind, p in [("checkout-and-pay", service["all"])] + [
        (f"  {kind}", service["by_kind"][kind]) for kind in service["by_kind"]
    ]:
        print(f"{kind:<26}{_triple(p):>24}{p.get('n', 0):>8}")
    for step, p in service["steps"].items():
        print(f"  {step:<24}{_triple(p):>24}{p.get('n', 0):>8}")
    alone = service["alone"]
    print(f"{'alone (concurrency 1)':<26}{_triple(alone['all']):>24}{alone['requests']:>8}")
    for step, p in alone["steps"].items():
        print(f"  {step:<24}{_triple(p):>24}{p.get('n', 0):>8}")
    print(f"{'bare UPDATE (PostgreSQL)':<26}{_triple(bare['all']):>24}{bare['requests']:>8}")
    for kind, p in bare["by_kind"].items():
        print(f"  {kind:<24}{_triple(p):>24}{p.get('n', 0):>8}")
    print(
        f"throughput: service {service['throughput_rps']} checkouts/s, bare UPDATE "
        f"{bare['throughput_rps']} tx/s; ratio {result['service_to_baseline']:.4f} "
        f"(1 : {1 / max(result['service_to_baseline'], 1e-9):.0f})"
    )
    print(
        f"out of stock: service {outcomes['out_of_stock']} {outcomes['out_of_stock_by_step']}, "
        f"bare UPDATE {bare['out_of_stock']}; declined {outcomes['declined']}; "
        f"errors {outcomes['errors']} {outcomes['errors_by_kind']}"
    )
    trips = result["pg_round_trips"]
    if "error" in trips:
        print(f"PostgreSQL round trips: not counted ({trips['error']})")
    else:
        per_step = ", ".join(
            f"{step.split(' ', 1)[1]} {counts['total']}"
            for step, counts in trips.items()
            if step != "checkout"
        )
        print(
            f"PostgreSQL round trips per checkout-and-pay: {trips['checkout']} ({per_step}); "
            f"PostgreSQL transactions during the run (API, relay, worker): "
            f"{service['pg_transactions_per_s']}/s, "
            f"{service['pg_transactions_per_checkout']} per completed checkout"
        )
    for name, run in (("service", service), ("bare UPDATE", bare)):
        cpu = ", ".join(f"{group} {cores}" for group, cores in run["cpu_cores"].items())
        print(f"CPU cores busy during {name}: {cpu}")
    print(f"API CPU per completed checkout: {service['api_cpu_ms_per_checkout']} ms")
    if result["service_with_codes"]:
        report_codes(service, result["service_with_codes"])
    alone_cpu = service["alone"]["api_cpu_ms"]
    routes = ", ".join(f"{name} {ms}" for name, ms in alone_cpu.items() if name != "checkout")
    print(f"API CPU per request, one client alone (ms): {routes}; checkout {alone_cpu['checkout']}")
    logged = result["process_log"]
    print(f"API, relay and worker output: {logged['path']} ({logged['tracebacks']} tracebacks)")
    for name, lag in (
        ("idle", result["lag_commit_to_dashboard_idle"]),
        ("under load", result["lag_commit_to_dashboard"]),
    ):
        print(
            f"commit to dashboard, {name}: p50 {lag['p50_ms']} ms, p95 {lag['p95_ms']} ms, "
            f"max {lag['max_ms']} ms (n={lag['n']}; not listed within 30 s: "
            f"{lag['not_listed_within_30s']})"
        )
    behind = result["lag_commit_to_dashboard"]["backlog_after"]
    print(
        f"backlog when the lag samples ended: {behind['outbox_unpublished']} events in the "
        f"outbox, queued messages {behind['queued_messages']}"
    )
    print(json.dumps(result))


def report_codes(service: dict[str, Any], with_codes: dict[str, dict[str, Any]]) -> None:
    one, each = with_codes["one code"], with_codes["a code each"]
    print(
        f"promo codes: {one['throughput_rps']} checkouts/s with one code for every client, "
        f"{each['throughput_rps']} with a code each, {service['throughput_rps']} without; "
        f"one code / without {_ratio(one, service)}, one code / a code each "
        f"{_ratio(one, each)}"
    )
    for name, run in ({"without": service} | with_codes).items():
        steps = ", ".join(f"{step} {_triple(p)}" for step, p in run["steps"].items())
        outcomes = run["outcomes"]
        print(
            f"  {name}: checkout-and-pay {_triple(run['all'])} ms; {steps}; PostgreSQL "
            f"rollbacks per checkout {run['pg_rollbacks_per_checkout']}; API CPU per "
            f"checkout {run['api_cpu_ms_per_checkout']} ms; errors {outcomes['errors']} "
            f"{outcomes['errors_by_kind']}"
        )


def _ratio(run: dict[str, Any], other: dict[str, Any]) -> float:
    return round(run["throughput_rps"] / max(other["throughput_rps"], 1e-9), 3)


def _triple(p: dict[str, float]) -> str:
    return f"{p.get('p50_ms', '-')}/{p.get('p95_ms', '-')}/{p.get('p99_ms', '-')}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--hot", type=int, default=5, help="How many of the SKUs are hot.")
    parser.add_argument(
        "--hot-share", type=float, default=0.5, help="Share of picks that go to a hot SKU."
    )
    parser.add_argument("--hot-stock", type=int, default=1_000_000, help="Units per hot SKU.")
    parser.add_argument("--cold-stock", type=int, default=10_000, help="Units per cold SKU.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--lag-samples", type=int, default=30)
    parser.add_argument(
        "--idle-lag-samples", type=int, default=5, help="Lag samples before any load."
    )
    parser.add_argument(
        "--solo-duration", type=float, default=5, help="Seconds of one customer alone."
    )
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument(
        "--api-processes", type=int, default=1, help="COMMERCE_WORKERS of the API under test"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--promo-code",
        metavar="CODE",
        help="Run the checkouts again with every client entering this one code, then each "
        "its own (CODE-0, CODE-1, ...; created, 10 %% off, no limits), and compare the runs.",
    )
    report(main(parser.parse_args()))
