"""`GET /v1/cart` while PostgreSQL is down (a proxy in front of the real one, cut; Redis and
Elasticsearch answer): the cart still shows, from its read models, estimated at list prices
with its code kept but not checked. Checkout cannot run meanwhile (503), and once PostgreSQL
is back it charges the real price, sale and code included."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from elasticsearch import Elasticsearch
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from projections.registry import projections_for
from tests.databases import fresh_database
from tests.integration.test_orders_http import (
    OPERATOR,
    a_customer,
    a_sku_in_stock,
    add_to_cart,
    checkout,
    key,
)
from tests.integration.test_promo_codes_http import a_code
from tests.proxy import CuttableProxy
from tests.support import TEST_JWT_SECRET

LIST_PRICE = 2999  # 20 % off: 2399 a unit; 10 % off two of those (4798): 480


@pytest.fixture
def database_url(stack_settings: Settings) -> Iterator[str]:
    """A database of its own: the read models are projected from its whole outbox."""
    with fresh_database(stack_settings) as url:
        yield url


@pytest.fixture
def proxy(database_url: str) -> Iterator[CuttableProxy]:
    url = make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    yield proxy
    proxy.cut()


@pytest.fixture
def settings(stack_settings: Settings, database_url: str, proxy: CuttableProxy) -> Settings:
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    return msgspec.structs.replace(
        stack_settings,
        database_url=proxied.render_as_string(hide_password=False),
        index_prefix=f"test-cart-{uuid.uuid4().hex[:10]}",
        jwt_secret=TEST_JWT_SECRET,
    )


@pytest.fixture
def elasticsearch(settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=30)
    yield client
    for name in client.indices.get(index=f"{settings.index_prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


async def outbox_events(database_url: str) -> list[EventEnvelope]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(outbox).order_by(outbox.c.id))
            return [envelope_from_row(row) for row in rows.mappings()]
    finally:
        await engine.dispose()


def project_everything(database_url: str, settings: Settings, client: Elasticsearch) -> None:
    """Every outbox event through every read model's projection, as the worker would."""
    events = asyncio.run(outbox_events(database_url))
    for projection in projections_for(settings.index_prefix):
        projection.ensure_index(client)
        projection.project(client, events)
        client.indices.refresh(index=projection.alias)


def a_sale_on_kitchens(client: TestClient[Litestar], percent_off: int) -> None:
    now = datetime.now(UTC)
    body = {
        "name": "Kitchen week",
        "percent_off": percent_off,
        "applies_to": {"categories": ["kitchen"]},
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    created = client.post("/v1/admin/discounts", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text


def shown(cart: dict[str, Any]) -> tuple[Any, ...]:
    amounts = (cart[name]["amount"] for name in ("subtotal", "discount", "total"))
    unit_prices = [item["unit_price"]["amount"] for item in cart["items"]]
    return cart["pricing"], cart["promo_code"], *amounts, unit_prices


def test_with_postgres_down_the_cart_shows_estimated_and_checkout_later_charges_the_real_price(
    client: TestClient[Litestar],
    proxy: CuttableProxy,
    elasticsearch: Elasticsearch,
    database_url: str,
    settings: Settings,
) -> None:
    code = a_code(client, percent_off=10)
    a_sale_on_kitchens(client, percent_off=20)
    customer = a_customer(client)
    assert add_to_cart(client, customer, a_sku_in_stock(client, price=LIST_PRICE), 2).is_success
    assert client.put("/v1/cart/promo-code", json={"code": code}, headers=customer).is_success
    project_everything(database_url, settings, elasticsearch)
    priced = client.get("/v1/cart", headers=customer)

    proxy.cut()
    estimated = client.get("/v1/cart", headers=customer)
    idempotency = key()
    refused = checkout(client, customer, idempotency_key=idempotency["Idempotency-Key"])
    proxy.start()
    placed = checkout(client, customer, idempotency_key=idempotency["Idempotency-Key"])

    assert priced.status_code == 200, priced.text
    assert shown(priced.json()) == ("current", code, 4798, 480, 4318, [2399])
    assert estimated.status_code == 200, estimated.text
    assert shown(estimated.json()) == ("estimated", code, 5998, 0, 5998, [2999])
    assert estimated.json()["promo_code_rejection"] is None
    assert refused.status_code == 503, refused.text
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["promo_code"], order["total"]["amount"]) == (code, 4318)
