"""Promo codes over HTTP against the real PostgreSQL: the cart's answer, the quote and the
order placed agree to the cent, and an order the code makes free is paid at once."""

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.integration.test_orders_http import (
    OPERATOR,
    a_customer,
    a_sku_in_stock,
    add_to_cart,
    checkout,
    client,
)
from tests.shop import unique_sku

__all__ = ["client"]  # the fixture, shared with the orders' HTTP tests


def a_code(client: TestClient[Litestar], **terms: Any) -> str:
    code = unique_sku("CODE").replace("-", "")[:20].upper()
    now = datetime.now(UTC)
    body = {
        "code": code,
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
    } | terms
    created = client.post("/v1/admin/promo-codes", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    return code


def breakdown(priced: dict[str, Any]) -> tuple[Any, ...]:
    return priced["promo_code"], priced["subtotal"], priced["discount"], priced["total"]


def test_the_cart_the_quote_and_the_order_agree_to_the_cent(client: TestClient[Litestar]) -> None:
    code = a_code(client, percent_off=15, max_redemptions=10)
    customer = a_customer(client)
    kettle, pan = a_sku_in_stock(client, price=1999), a_sku_in_stock(client, price=4550)
    add_to_cart(client, customer, kettle, 3)
    add_to_cart(client, customer, pan, 1)

    cart = client.put("/v1/cart/promo-code", json={"code": code.lower()}, headers=customer)
    quote = client.post(
        "/v1/pricing/quote",
        json={
            "items": [{"sku": kettle, "quantity": 3}, {"sku": pan, "quantity": 1}],
            "promo_code": code,
        },
    )
    placed = checkout(client, customer)

    assert cart.status_code == 200, cart.text
    assert quote.status_code == 200, quote.text
    assert placed.status_code == 201, placed.text
    order = placed.json()
    expected = (code, _eur(10547), _eur(1582), _eur(8965))  # 15 % of 105.47 is 15.8205
    assert breakdown(cart.json()) == breakdown(quote.json()) == breakdown(order) == expected
    assert [(line["unit_price"], line["list_unit_price"]) for line in order["lines"]] == [
        (_eur(1999), _eur(1999)),
        (_eur(4550), _eur(4550)),
    ]


def test_an_order_the_code_makes_free_is_paid_at_once(client: TestClient[Litestar]) -> None:
    code = a_code(client, amount_off={"amount": 10_000, "currency": "EUR"})
    customer = a_customer(client)
    add_to_cart(client, customer, a_sku_in_stock(client, price=2500), 2)
    client.put("/v1/cart/promo-code", json={"code": code}, headers=customer)

    placed = checkout(client, customer)

    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["status"], order["total"], order["discount"]) == ("paid", _eur(0), _eur(5000))
    assert order["balance_due"] == _eur(0)


def _eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}
