"""`GET /v1/cart` while PostgreSQL is down (a proxy in front of the real one, cut; Redis and
Elasticsearch answer): the cart still shows, from its read models, estimated at list prices
with its code kept but not checked. Checkout cannot run meanwhile (503), and once PostgreSQL
is back it charges the real price, sale and code included."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from elasticsearch import Elasticsearch
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.integration.test_orders_http import (
    OPERATOR,
    a_customer,
    a_sku_in_stock,
    add_to_cart,
    checkout,
    key,
)
from tests.integration.test_promo_codes_http import a_code
from tests.integration.test_read_models_verify import (
    client,
    engine,
    project_everything,
    settings,
)
from tests.proxy import CuttableProxy, proxy_to
from tests.support import TEST_JWT_SECRET

# The fixtures of the read models' verification: a database and an index prefix of its own
# (the read models are projected from its whole outbox), Elasticsearch, and a direct engine.
__all__ = ["client", "engine", "settings"]

LIST_PRICE = 2999  # 20 % off: 2399 a unit; 10 % off two of those (4798): 480


@pytest.fixture
def proxy(settings: Settings) -> Iterator[CuttableProxy]:
    with proxy_to(settings.database_url) as proxy:
        yield proxy


@pytest.fixture
def api(settings: Settings, proxy: CuttableProxy) -> Iterator[TestClient[Litestar]]:
    """The app, reaching PostgreSQL through the proxy only."""
    proxied = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    app_settings = msgspec.structs.replace(
        settings,
        database_url=proxied.render_as_string(hide_password=False),
        jwt_secret=TEST_JWT_SECRET,
    )
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def a_sale_on_kitchens(api: TestClient[Litestar], percent_off: int) -> None:
    now = datetime.now(UTC)
    body = {
        "name": "Kitchen week",
        "percent_off": percent_off,
        "applies_to": {"categories": ["kitchen"]},
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    }
    created = api.post("/v1/admin/discounts", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text


def shown(cart: dict[str, Any]) -> tuple[Any, ...]:
    amounts = (cart[name]["amount"] for name in ("subtotal", "discount", "total"))
    unit_prices = [item["unit_price"]["amount"] for item in cart["items"]]
    return cart["pricing"], cart["promo_code"], *amounts, unit_prices


async def test_while_postgres_is_down_the_cart_shows_an_estimate_and_checkout_then_the_real_price(
    api: TestClient[Litestar],
    proxy: CuttableProxy,
    client: Elasticsearch,
    engine: AsyncEngine,
    settings: Settings,
) -> None:
    code = a_code(api, percent_off=10)
    a_sale_on_kitchens(api, percent_off=20)
    customer = a_customer(api)
    assert add_to_cart(api, customer, a_sku_in_stock(api, price=LIST_PRICE), 2).is_success
    assert api.put("/v1/cart/promo-code", json={"code": code}, headers=customer).is_success
    await project_everything(engine, settings, client)  # carts and offers: read in real time
    priced = api.get("/v1/cart", headers=customer)

    proxy.cut()
    estimated = api.get("/v1/cart", headers=customer)
    idempotency = key()
    refused = checkout(api, customer, idempotency_key=idempotency["Idempotency-Key"])
    proxy.start()
    placed = checkout(api, customer, idempotency_key=idempotency["Idempotency-Key"])

    assert priced.status_code == 200, priced.text
    assert shown(priced.json()) == ("current", code, 4798, 480, 4318, [2399])
    assert estimated.status_code == 200, estimated.text
    assert shown(estimated.json()) == ("estimated", code, 5998, 0, 5998, [2999])
    assert estimated.json()["promo_code_rejection"] is None
    assert refused.status_code == 503, refused.text
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["promo_code"], order["total"]["amount"]) == (code, 4318)
