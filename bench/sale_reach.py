"""How long a sale over many products takes to reach search: the products projection applying
one `SaleStarted` (then its `SaleEnded`) until a search finds every product on sale (then
none), side by side with the bare Elasticsearch operation on the same documents.

    .venv/bin/python bench/sale_reach.py [--products 10000] [--by category|ids]

It projects N products into two indices of prefixes of its own (`benchsale`, `benchsalebare`,
deleted first; not timed), then times, for a sale picking all of them by category (or by
naming their ids):

- the projection's work on the one event (records, refresh, search for the products, mget and
  guarded bulk a thousand at a time) plus the refresh that makes it searchable, as the worker
  would;
- the alternative a script would use, on the other index: one `_bulk` of partial updates of
  the fields a sale changes (`on_sale`, `sale_price`, `effective_price`, `sale_ids`), the
  product ids known beforehand, plus the refresh.

`ratio` is the projection's time over the bare one. Results print as lines and as JSON.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from common import load_average
from elasticsearch import Elasticsearch

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.events import EventEnvelope
from commerce.domain.pricing import Discount, Sale, SaleTargets
from commerce.domain.values import Money
from commerce.settings import load_settings
from projections.products.projector import ProductsProjection

PREFIX = "benchsale"
BARE_PREFIX = "benchsalebare"
DISCOUNT = Discount(percent_off=10)
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


def bare_fields(product: Product, sale_id: str, discount: Discount | None) -> dict[str, Any]:
    """The fields of the product's document that a sale (or none: its end) changes, as the
    projection writes them, computed the way a script would."""
    price = product.variants[0].price.amount
    sale_price = price - discount.saving_on(price) if discount is not None else None
    return {
        "on_sale": sale_price is not None,
        "sale_price": sale_price,
        "effective_price": price if sale_price is None else sale_price,
        "sale_ids": [] if discount is None else [sale_id],
    }


def bare_update(
    client: Elasticsearch,
    alias: str,
    products: list[Product],
    sale_id: str,
    discount: Discount | None,
) -> float:
    """The same sale put on (or, with no discount, taken off) the same documents by one
    `_bulk` of partial updates, as a script knowing the products would; then the refresh."""
    operations: list[dict[str, Any]] = []
    for product in products:
        fields = bare_fields(product, sale_id, discount)
        operations += [{"update": {"_index": alias, "_id": str(product.id)}}, {"doc": fields}]
    started = time.perf_counter()
    response = client.bulk(operations=operations, refresh=False)
    client.indices.refresh(index=alias)
    seconds = time.perf_counter() - started
    if response["errors"]:
        raise SystemExit("the bare bulk update failed")
    return seconds


def fresh_index(
    client: Elasticsearch, prefix: str, created: list[EventEnvelope]
) -> ProductsProjection:
    """A products index of its own holding the catalogue (not timed)."""
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    projection = ProductsProjection(prefix)
    projection.ensure_index(client)
    for start in range(0, len(created), 1000):
        projection.project(client, created[start : start + 1000])
    client.indices.refresh(index=projection.alias)
    return projection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000, help="Products the sale picks.")
    parser.add_argument("--by", choices=("category", "ids"), default="category")
    args = parser.parse_args()
    settings = load_settings()
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=120)
    products, created = catalogue(args.products)
    projection = fresh_index(client, PREFIX, created)
    bare = fresh_index(client, BARE_PREFIX, created)

    if args.by == "category":
        targets = SaleTargets(categories=(CATEGORY,))
    else:
        targets = SaleTargets(product_ids=frozenset(p.id for p in products))
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name="Bench sale",
        discount=DISCOUNT,
        applies_to=targets,
        starts_at=NOW,
        ends_at=NOW + timedelta(days=1),
        currency="EUR",
        now=NOW,
    )
    sale_id = str(sale.id)
    sale.catch_up(NOW)
    start_seconds = timed(client, projection, envelopes_for(sale, NOW))
    started_count = on_sale(client, projection)
    bare_start = bare_update(client, bare.alias, products, sale_id, DISCOUNT)
    bare_started = on_sale(client, bare)
    sale.end_early(NOW + timedelta(hours=1))
    end_seconds = timed(client, projection, envelopes_for(sale, NOW))
    ended_count = on_sale(client, projection)
    bare_end = bare_update(client, bare.alias, products, sale_id, None)
    bare_ended = on_sale(client, bare)

    result = {
        "products": args.products,
        "by": args.by,
        "start_seconds": round(start_seconds, 2),
        "on_sale_after_start": started_count,
        "bare_start_seconds": round(bare_start, 2),
        "bare_on_sale_after_start": bare_started,
        "start_ratio": round(start_seconds / bare_start, 2),
        "end_seconds": round(end_seconds, 2),
        "on_sale_after_end": ended_count,
        "bare_end_seconds": round(bare_end, 2),
        "bare_on_sale_after_end": bare_ended,
        "end_ratio": round(end_seconds / bare_end, 2),
        "load_average": load_average(),
    }
    print(
        f"sale over {args.products} products by {args.by}: searchable in {start_seconds:.2f} s "
        f"({started_count} on sale), ended in {end_seconds:.2f} s ({ended_count} on sale)"
    )
    print(
        f"bare _bulk of partial updates: {bare_start:.2f} s ({bare_started} on sale), "
        f"{bare_end:.2f} s ({bare_ended} on sale); ratio {result['start_ratio']}x to start, "
        f"{result['end_ratio']}x to end"
    )
    print(json.dumps(result))
    for prefix in (PREFIX, BARE_PREFIX):
        for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
            client.indices.delete(index=name)


if __name__ == "__main__":
    main()
