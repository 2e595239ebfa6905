"""What delivery tracking costs the outbox, beside the bare statements it replaces.

1. Relaying: `OutboxRelay.relay_once` (claim, publish, mark the rows published in their batch
   and record the batch, one statement) against the bare claim + `UPDATE … SET published_at`
   that the relay did before batches were recorded, over the same events.
2. Retention: the relay's purge (settled batches and their events, in chunks of 200 batches,
   each chunk its own transaction) against one bare `DELETE FROM outbox WHERE published_at <
   cutoff` of the same rows.

The publisher is the in-memory twin: the broker is not what is measured here.

    .venv/bin/python -m devstack run -- .venv/bin/python bench/outbox.py --events 100000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta

from common import Target, bench_settings, reset
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.dramatiq.routing import CONSUMERS
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.publisher import InMemoryEventPublisher
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.adapters.postgres.relay import Delivery, OutboxRelay
from commerce.settings import load_settings

TARGET = Target(database="bench_outbox", index_prefix="bench-outbox", jwt_secret="x" * 32)
BATCH = 200

SEED = """
INSERT INTO outbox (event_id, type, schema_version, aggregate_type, aggregate_id,
                    aggregate_version, occurred_at, payload)
SELECT gen_random_uuid(), 'ProductPriced', 1, 'product', md5(n::text), 1, :at,
       jsonb_build_object('sku', 'SKU-' || n, 'price', jsonb_build_object('amount', n,
                          'currency', 'EUR'), 'note', repeat('x', 300))
FROM generate_series(1, :count) AS n
"""
# What the relay leaves once every consumer applied the events: settled batches of 200.
SETTLE = """
WITH numbered AS (SELECT id, min(id) OVER (PARTITION BY (id - 1) / :batch) AS batch_id
                  FROM outbox),
     marked AS (UPDATE outbox o SET published_at = :at, batch_id = n.batch_id
                FROM numbered n WHERE o.id = n.id RETURNING n.batch_id)
INSERT INTO outbox_batches (id, published_at, consumers, applied_by, check_at, complete)
SELECT DISTINCT batch_id, CAST(:at AS timestamptz), CAST(:consumers AS text[]),
       CAST(:consumers AS text[]),
       CAST(:at AS timestamptz), true
FROM marked
"""
BARE_CLAIM = """
SELECT * FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT :batch
FOR UPDATE SKIP LOCKED
"""
BARE_MARK = "UPDATE outbox SET published_at = :at WHERE id = ANY(:ids)"


async def seed(engine: AsyncEngine, count: int, clock: FixedClock, *, settled: bool) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE outbox, outbox_batches RESTART IDENTITY"))
        await connection.execute(text(SEED), {"count": count, "at": clock.now()})
        if settled:
            old = clock.now() - timedelta(days=8)
            parameters = {"batch": BATCH, "at": old, "consumers": list(CONSUMERS)}
            await connection.execute(text(SETTLE), parameters)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE outbox"))
        await connection.execute(text("VACUUM ANALYZE outbox_batches"))


async def relay_all(relay: OutboxRelay) -> float:
    started = time.perf_counter()
    while await relay.relay_once():
        pass
    return time.perf_counter() - started


async def bare_relay_all(engine: AsyncEngine, clock: FixedClock) -> float:
    started = time.perf_counter()
    while True:
        async with engine.begin() as connection:
            rows = (await connection.execute(text(BARE_CLAIM), {"batch": BATCH})).all()
            if not rows:
                break
            ids = [row.id for row in rows]
            await connection.execute(text(BARE_MARK), {"at": clock.now(), "ids": ids})
    return time.perf_counter() - started


async def purge_all(relay: OutboxRelay) -> float:
    started = time.perf_counter()
    while await relay.purge_once():
        pass
    return time.perf_counter() - started


async def bare_purge(engine: AsyncEngine, clock: FixedClock) -> float:
    started = time.perf_counter()
    async with engine.begin() as connection:
        cutoff = clock.now() - timedelta(days=7)
        await connection.execute(text("DELETE FROM outbox WHERE published_at < :c"), {"c": cutoff})
    return time.perf_counter() - started


async def main(count: int) -> None:
    base = load_settings()
    settings = bench_settings(base, TARGET)
    await reset(base, settings, TARGET)
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = create_engine(settings.database_url)
    clock = FixedClock()
    relay = OutboxRelay(
        engine,
        publisher := InMemoryEventPublisher(CONSUMERS),
        publisher,
        clock,
        batch_size=BATCH,
        max_backlog=sys.maxsize,  # no consumer runs here: nothing would ever drain the queues
        delivery=Delivery(retention=timedelta(days=7)),
    )
    try:
        await seed(engine, count, clock, settled=False)
        relayed = await relay_all(relay)
        publisher.batches.clear()
        await seed(engine, count, clock, settled=False)
        bare_relayed = await bare_relay_all(engine, clock)
        await seed(engine, count, clock, settled=True)
        purged = await purge_all(relay)
        await seed(engine, count, clock, settled=True)
        bare_purged = await bare_purge(engine, clock)
    finally:
        await engine.dispose()
    print(f"{count} events, batches of {BATCH}")
    print("| step | the relay | bare statements | ratio |")
    print("|---|---|---|---|")
    for step, ours, bare in (("relay", relayed, bare_relayed), ("purge", purged, bare_purged)):
        print(
            f"| {step} | {count / ours:,.0f} events/s ({ours:.2f} s) | "
            f"{count / bare:,.0f} events/s ({bare:.2f} s) | {ours / bare:.2f}× the time |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to relay and purge")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.events))
