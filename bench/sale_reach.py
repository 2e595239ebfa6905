"""How long a sale over many products takes to reach search: the products projection applying
one `SaleStarted` (then its `SaleEnded`) until a search finds every product on sale (then
none).

    .venv/bin/python bench/sale_reach.py [--products 10000] [--by category|ids]

It projects N products into indices of a prefix of its own (`benchsale`, deleted first; not
timed), then times, for a sale picking all of them by category (or by naming their ids):
the projection's work on the one event (records, refresh, search for the products, mget and
guarded bulk a thousand at a time) plus the refresh that makes it searchable, as the worker
would. Results print as a line and as JSON.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from elasticsearch import Elasticsearch

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.events import EventEnvelope
from commerce.domain.pricing import Discount, Sale, SaleTargets
from commerce.domain.values import Money
from commerce.settings import load_settings
from projections.products.projector import ProductsProjection

PREFIX = "benchsale"
CATEGORY = "bench/sale"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def catalogue(count: int) -> tuple[list[Product], list[EventEnvelope]]:
    products, events = [], []
    for n in range(count):
        product = Product.create(
            product_id=uuid.uuid4(),
            details=ProductDetails(
                name=f"Bench kettle {n}",
                description="",
                brand="Bench",
                category=f"{CATEGORY}/k{n % 10}",
                images=[],
                attributes={},
            ),
            variants=[Variant(sku=f"BS-{n}", price=Money(1000 + n, "EUR"))],
            currency="EUR",
            now=NOW,
        )
        products.append(product)
        events += envelopes_for(product, NOW)
    return products, events


def on_sale(client: Elasticsearch, projection: ProductsProjection) -> int:
    found = client.count(index=projection.alias, query={"term": {"on_sale": True}})
    return int(found["count"])


def timed(
    client: Elasticsearch, projection: ProductsProjection, events: list[EventEnvelope]
) -> float:
    started = time.perf_counter()
    projection.project(client, events)
    client.indices.refresh(index=projection.alias)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000, help="Products the sale picks.")
    parser.add_argument("--by", choices=("category", "ids"), default="category")
    args = parser.parse_args()
    settings = load_settings()
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=120)
    for name in client.indices.get(index=f"{PREFIX}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    projection = ProductsProjection(PREFIX)
    projection.ensure_index(client)
    products, created = catalogue(args.products)
    for start in range(0, len(created), 1000):
        projection.project(client, created[start : start + 1000])
    client.indices.refresh(index=projection.alias)

    if args.by == "category":
        targets = SaleTargets(categories=(CATEGORY,))
    else:
        targets = SaleTargets(product_ids=frozenset(p.id for p in products))
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name="Bench sale",
        discount=Discount(percent_off=10),
        applies_to=targets,
        starts_at=NOW,
        ends_at=NOW + timedelta(days=1),
        currency="EUR",
        now=NOW,
    )
    sale.catch_up(NOW)
    start_seconds = timed(client, projection, envelopes_for(sale, NOW))
    started_count = on_sale(client, projection)
    sale.end_early(NOW + timedelta(hours=1))
    end_seconds = timed(client, projection, envelopes_for(sale, NOW))
    ended_count = on_sale(client, projection)

    result = {
        "products": args.products,
        "by": args.by,
        "start_seconds": round(start_seconds, 2),
        "on_sale_after_start": started_count,
        "end_seconds": round(end_seconds, 2),
        "on_sale_after_end": ended_count,
    }
    print(
        f"sale over {args.products} products by {args.by}: searchable in {start_seconds:.2f} s "
        f"({started_count} on sale), ended in {end_seconds:.2f} s ({ended_count} on sale)"
    )
    print(json.dumps(result))
    for name in client.indices.get(index=f"{PREFIX}-*", allow_no_indices=True):
        client.indices.delete(index=name)


if __name__ == "__main__":
    main()
