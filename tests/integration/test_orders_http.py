"""Cart, checkout, payments, shipping and refunds over HTTP, against the real PostgreSQL and the
sandbox payment gateway (which keeps its ledger in PostgreSQL too). The query routes read the
read models, which need the relay and a worker: tests/e2e covers them."""

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.tables import orders, stock_items
from commerce.application.consistency import decode_token
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer

OPERATOR = bearer("operator")
STOCK = bearer("stock_operator")
SHIPPING = bearer("shipping_operator")
PRICE = 2999
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}

Headers = dict[str, str]


@pytest.fixture
def client(stack_settings: Settings, database_url: str) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# Helpers ------------------------------------------------------------------------------------


def a_customer(client: TestClient[Litestar], **changes: Any) -> Headers:
    """A registered customer (with a shipping address unless told otherwise)."""
    body = {
        "email": f"ada-{uuid.uuid4().hex[:10]}@example.com",
        "password": "correct horse battery",
        "name": "Ada Lovelace",
        "shipping_address": ADDRESS,
    } | changes
    response = client.post("/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return bearer("customer", account_id=uuid.UUID(response.json()["id"]))


def a_sku_in_stock(client: TestClient[Litestar], on_hand: int = 10, price: int = PRICE) -> str:
    sku = f"KT-{uuid.uuid4().hex[:10]}"
    product = {
        "name": "Stainless steel kettle",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "variants": [{"sku": sku, "price": {"amount": price, "currency": "EUR"}}],
    }
    assert client.post("/v1/admin/products", json=product, headers=OPERATOR).status_code == 201
    stocked = client.put(f"/v1/admin/inventory/{sku}", json={"on_hand": on_hand}, headers=STOCK)
    assert stocked.status_code == 200, stocked.text
    return sku


def add_to_cart(client: TestClient[Litestar], customer: Headers, sku: str, quantity: int) -> Any:
    return client.put(f"/v1/cart/items/{sku}", json={"quantity": quantity}, headers=customer)


def key(value: str | None = None) -> Headers:
    return {"Idempotency-Key": value or uuid.uuid4().hex}


def checkout(
    client: TestClient[Litestar], customer: Headers, body: Any = None, idempotency_key: str = ""
) -> Any:
    headers = customer | key(idempotency_key or None)
    if body is None:
        return client.post("/v1/orders", headers=headers)
    return client.post("/v1/orders", json=body, headers=headers)


def an_order(client: TestClient[Litestar], customer: Headers, quantity: int = 2) -> dict[str, Any]:
    """A placed order of `quantity` kettles at `PRICE`."""
    assert add_to_cart(client, customer, a_sku_in_stock(client), quantity).status_code == 200
    placed = checkout(client, customer)
    assert placed.status_code == 201, placed.text
    body: dict[str, Any] = placed.json()
    return body


def pay(
    client: TestClient[Litestar],
    customer: Headers,
    order_id: str,
    amount: int,
    card: str = "tok_visa",
    **changes: Any,
) -> Any:
    body = {"amount": {"amount": amount, "currency": "EUR"}, "token": card} | changes
    return client.post(f"/v1/orders/{order_id}/payments", json=body, headers=customer | key())


def a_paid_order(client: TestClient[Litestar], customer: Headers) -> dict[str, Any]:
    order = an_order(client, customer)
    assert pay(client, customer, order["id"], order["total"]["amount"]).status_code == 201
    return order


def ship(client: TestClient[Litestar], order_id: str, headers: Headers = SHIPPING) -> Any:
    body = {"carrier": "DHL", "tracking_number": "JD0001"}
    return client.post(f"/v1/admin/orders/{order_id}/shipments", json=body, headers=headers)


def refund(client: TestClient[Litestar], payment_id: str, amount: int | None = None) -> Any:
    body = {} if amount is None else {"amount": amount}
    return client.post(f"/v1/payments/{payment_id}/refunds", json=body, headers=OPERATOR | key())


async def order_status(engine: AsyncEngine, order_id: str) -> tuple[str, str | None]:
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(orders.c.status, orders.c.cancel_reason).where(orders.c.id == order_id)
            )
        ).one()
    return row.status, row.cancel_reason


async def stock_of(engine: AsyncEngine, sku: str) -> tuple[int, int]:
    """(on hand, reserved)"""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(stock_items.c.on_hand, stock_items.c.reserved).where(
                    stock_items.c.sku == sku
                )
            )
        ).one()
    return row.on_hand, row.reserved


async def orders_of(engine: AsyncEngine, sku: str) -> int:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(orders.c.lines))).scalars().all()
    return sum(1 for lines in rows if any(line["sku"] == sku for line in lines))


# Cart ---------------------------------------------------------------------------------------


def test_adding_a_sku_to_the_cart_answers_with_the_priced_cart_and_a_consistency_token(
    client: TestClient[Litestar],
) -> None:
    customer, sku = a_customer(client), a_sku_in_stock(client)

    response = add_to_cart(client, customer, sku, 2)

    assert response.status_code == 200
    cart = response.json()
    assert [(i["sku"], i["quantity"], i["available"]) for i in cart["items"]] == [(sku, 2, True)]
    assert cart["items"][0]["unit_price"] == {"amount": PRICE, "currency": "EUR"}
    assert cart["items"][0]["line_total"]["amount"] == 2 * PRICE
    assert cart["subtotal"] == cart["total"] == {"amount": 2 * PRICE, "currency": "EUR"}
    assert cart["discount"]["amount"] == 0
    assert cart["promo_code"] is None
    assert decode_token(response.headers["consistency-token"])


def test_quantity_zero_removes_the_line_and_delete_empties_the_cart_with_a_200(
    client: TestClient[Litestar],
) -> None:
    customer = a_customer(client)
    first, second = a_sku_in_stock(client), a_sku_in_stock(client)
    add_to_cart(client, customer, first, 1)
    add_to_cart(client, customer, second, 1)

    removed = add_to_cart(client, customer, first, 0)
    emptied = client.delete("/v1/cart", headers=customer)

    assert [item["sku"] for item in removed.json()["items"]] == [second]
    assert emptied.status_code == 200
    assert emptied.json()["items"] == []
    assert emptied.json()["total"]["amount"] == 0
    assert "consistency-token" in emptied.headers


def test_adding_an_unknown_sku_is_a_404(client: TestClient[Litestar]) -> None:
    response = add_to_cart(client, a_customer(client), f"NOPE-{uuid.uuid4().hex[:8]}", 1)

    assert response.status_code == 404


def test_asking_for_more_than_is_available_is_a_409(client: TestClient[Litestar]) -> None:
    response = add_to_cart(client, a_customer(client), a_sku_in_stock(client, on_hand=3), 4)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:commerce:problem:out_of_stock"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/cart/items/bad%20sku", {"quantity": 1}), ("/v1/cart/items/OK-1", {"quantity": -1})],
)
def test_a_bad_sku_or_quantity_is_a_422(
    client: TestClient[Litestar], path: str, body: dict[str, int]
) -> None:
    assert client.put(path, json=body, headers=a_customer(client)).status_code == 422


@pytest.mark.parametrize("quantity", ["1", 1.0])
def test_a_quantity_that_is_not_a_json_integer_is_a_422_naming_it(
    client: TestClient[Litestar], quantity: object
) -> None:
    customer, sku = a_customer(client), a_sku_in_stock(client)

    response = client.put(f"/v1/cart/items/{sku}", json={"quantity": quantity}, headers=customer)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quantity"


# Checkout -----------------------------------------------------------------------------------


async def test_checkout_places_the_order_reserves_the_stock_and_empties_the_cart(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer, sku = a_customer(client), a_sku_in_stock(client, on_hand=10)
    add_to_cart(client, customer, sku, 3)

    response = checkout(client, customer)

    assert response.status_code == 201, response.text
    order = response.json()
    assert response.headers["location"] == f"/v1/orders/{order['id']}"
    assert response.headers["etag"] == '"1"'
    assert decode_token(response.headers["consistency-token"])
    assert order["status"] == "awaiting_payment"
    assert order["number"].startswith("C-")
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [(sku, 3)]
    assert order["total"] == order["balance_due"] == {"amount": 3 * PRICE, "currency": "EUR"}
    assert order["paid"]["amount"] == 0
    assert order["shipping_address"] == order["billing_address"] == ADDRESS | {"line2": None}
    assert order["payments"] == []
    assert order["timeline"][0]["status"] == "awaiting_payment"
    assert await stock_of(engine, sku) == (10, 3)
    assert checkout(client, customer).status_code == 422  # the cart is empty now


def test_checkout_takes_the_addresses_of_the_body_over_the_accounts(
    client: TestClient[Litestar],
) -> None:
    customer = a_customer(client, shipping_address=None)
    add_to_cart(client, customer, a_sku_in_stock(client), 1)
    elsewhere = ADDRESS | {"city": "Paris", "country": "FR", "line2": None}

    without = checkout(client, customer)
    placed = checkout(client, customer, {"shipping_address": elsewhere})

    assert without.status_code == 422
    assert without.json()["errors"][0]["field"] == "shipping_address"
    assert placed.status_code == 201
    assert placed.json()["shipping_address"] == placed.json()["billing_address"] == elsewhere


def test_checkout_without_an_idempotency_key_is_a_400_naming_the_header(
    client: TestClient[Litestar],
) -> None:
    customer = a_customer(client)
    add_to_cart(client, customer, a_sku_in_stock(client), 1)

    response = client.post("/v1/orders", json={}, headers=customer)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]


async def test_the_same_key_twice_replays_the_first_order_and_places_only_one(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer, sku = a_customer(client), a_sku_in_stock(client)
    add_to_cart(client, customer, sku, 2)
    idempotency_key = uuid.uuid4().hex

    first = checkout(client, customer, {}, idempotency_key)
    retry = checkout(client, customer, {}, idempotency_key)

    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"]
    assert await orders_of(engine, sku) == 1
    assert await stock_of(engine, sku) == (10, 2)


def test_the_same_key_with_another_body_is_a_422(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    add_to_cart(client, customer, a_sku_in_stock(client), 1)
    idempotency_key = uuid.uuid4().hex
    checkout(client, customer, {}, idempotency_key)

    reused = checkout(client, customer, {"billing_address": ADDRESS}, idempotency_key)

    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_misspelt_field_is_a_422_naming_it_and_places_no_order(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer, sku = a_customer(client), a_sku_in_stock(client)
    add_to_cart(client, customer, sku, 1)

    response = checkout(client, customer, {"shipping_adress": ADDRESS})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "shipping_adress"
    assert await orders_of(engine, sku) == 0


def test_checkout_of_an_empty_cart_is_a_422(client: TestClient[Litestar]) -> None:
    response = checkout(client, a_customer(client))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cart"


async def test_checkout_short_of_stock_is_a_409_out_of_stock_naming_the_sku_and_reserves_nothing(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    plenty, short = a_sku_in_stock(client, on_hand=5), a_sku_in_stock(client, on_hand=3)
    add_to_cart(client, customer, plenty, 1)
    add_to_cart(client, customer, short, 3)
    client.put(f"/v1/admin/inventory/{short}", json={"on_hand": 1}, headers=STOCK)

    response = checkout(client, customer)

    assert response.status_code == 409
    assert response.json()["type"] == "urn:commerce:problem:out_of_stock"
    assert short in response.json()["detail"]
    assert plenty not in response.json()["detail"]
    assert await stock_of(engine, plenty) == (5, 0)


# Payments -----------------------------------------------------------------------------------


async def test_an_order_paid_in_two_parts_is_partially_paid_then_paid(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)

    first = pay(client, customer, order["id"], 1000)
    after_first = await order_status(engine, order["id"])
    second = pay(client, customer, order["id"], 2 * PRICE - 1000)

    assert first.status_code == second.status_code == 201
    payment = first.json()
    assert first.headers["location"] == f"/v1/payments/{payment['id']}"
    assert decode_token(first.headers["consistency-token"])
    assert payment["order_id"] == order["id"]
    assert payment["amount"] == {"amount": 1000, "currency": "EUR"}
    assert payment["status"] == "succeeded"
    assert payment["failure_reason"] is None
    assert payment["refunded"] == {"amount": 0, "currency": "EUR"}
    assert "token" not in payment
    assert after_first == ("partially_paid", None)
    assert await order_status(engine, order["id"]) == ("paid", None)


def test_a_payment_with_a_saved_card_succeeds(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    card = {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    saved = client.post(
        "/v1/accounts/me/payment-methods", json=card | {"token": "tok_visa"}, headers=customer
    )
    assert saved.status_code == 201, saved.text
    body = {"amount": {"amount": 100, "currency": "EUR"}, "payment_method_id": saved.json()["id"]}

    response = client.post(
        f"/v1/orders/{order['id']}/payments", json=body, headers=customer | key()
    )

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "succeeded"


def test_the_same_payment_key_twice_charges_once(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    body = {"amount": {"amount": 1000, "currency": "EUR"}, "token": "tok_visa"}
    headers = customer | key()
    url = f"/v1/orders/{order['id']}/payments"

    first = client.post(url, json=body, headers=headers)
    retry = client.post(url, json=body, headers=headers)
    rest = pay(client, customer, order["id"], 2 * PRICE - 1000)

    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert rest.status_code == 201  # only 1000 was taken, so the rest is still due


def test_paying_more_than_the_balance_due_is_a_422(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    pay(client, customer, order["id"], 1000)

    response = pay(client, customer, order["id"], 2 * PRICE - 999)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"


async def test_a_declined_card_is_a_failed_payment_and_the_order_still_awaits_payment(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)

    response = pay(client, customer, order["id"], 2 * PRICE, card="tok_declined")

    assert response.status_code == 201
    assert response.json()["status"] == "failed"
    assert response.json()["failure_reason"] == "card_declined"
    assert await order_status(engine, order["id"]) == ("awaiting_payment", None)


def test_a_gateway_timeout_leaves_the_payment_pending(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)

    response = pay(client, customer, order["id"], 2 * PRICE, card="tok_timeout")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"token": "4111111111111111"}, "token"),
        ({"token": None}, "token"),
        ({"payment_method_id": str(uuid.uuid4())}, "token"),
        ({"amount": {"amount": 100, "currency": "USD"}}, "amount.currency"),
        ({"token": "tok visa"}, "token"),
    ],
)
def test_a_payment_body_that_breaks_a_rule_is_a_422_that_never_echoes_a_card_number(
    client: TestClient[Litestar], changes: dict[str, Any], field: str
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    body = {"amount": {"amount": 100, "currency": "EUR"}, "token": "tok_visa"} | changes

    response = client.post(
        f"/v1/orders/{order['id']}/payments", json=body, headers=customer | key()
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert "4111" not in response.text


async def test_an_amount_sent_as_a_string_is_a_422_and_charges_nothing(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    total = order["total"]["amount"]

    body = {"amount": {"amount": "100", "currency": "EUR"}, "token": "tok_visa"}

    response = client.post(
        f"/v1/orders/{order['id']}/payments", json=body, headers=customer | key()
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount.amount"
    assert await order_status(engine, order["id"]) == ("awaiting_payment", None)
    assert pay(client, customer, order["id"], total).status_code == 201  # all still due


def test_paying_a_cancelled_order_is_a_409(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    client.post(f"/v1/orders/{order['id']}/cancel", headers=customer)

    assert pay(client, customer, order["id"], 100).status_code == 409


# Another customer's order -------------------------------------------------------------------


def test_another_customers_order_is_a_404_to_read_cancel_change_or_pay(
    client: TestClient[Litestar],
) -> None:
    order = an_order(client, a_customer(client))
    intruder = a_customer(client)
    url = f"/v1/orders/{order['id']}"

    assert client.get(url, headers=intruder).status_code == 404
    assert client.get(f"{url}/payments", headers=intruder).status_code == 404
    assert client.post(f"{url}/cancel", headers=intruder).status_code == 404
    assert (
        client.patch(url, json={"shipping_address": ADDRESS}, headers=intruder).status_code == 404
    )
    assert pay(client, intruder, order["id"], 100).status_code == 404


def test_an_unknown_order_or_payment_is_a_404(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)

    assert pay(client, customer, str(uuid.uuid4()), 100).status_code == 404
    assert client.get(f"/v1/payments/{uuid.uuid4()}", headers=customer).status_code == 404
    assert refund(client, str(uuid.uuid4())).status_code == 404
    assert ship(client, str(uuid.uuid4())).status_code == 404


# Changing and cancelling --------------------------------------------------------------------


def test_the_owner_changes_the_shipping_address(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    elsewhere = ADDRESS | {"line1": "1 Rue de Rivoli", "city": "Paris", "country": "FR"}

    response = client.patch(
        f"/v1/orders/{order['id']}", json={"shipping_address": elsewhere}, headers=customer
    )

    assert response.status_code == 200
    assert response.json()["shipping_address"]["city"] == "Paris"
    assert response.json()["billing_address"]["city"] == "London"
    assert response.headers["etag"] == '"2"'


async def test_the_owner_cancels_with_reason_customer_and_an_operator_with_reason_operator(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    mine, theirs = an_order(client, customer), an_order(client, customer)

    by_customer = client.post(f"/v1/orders/{mine['id']}/cancel", headers=customer)
    by_operator = client.post(f"/v1/orders/{theirs['id']}/cancel", headers=OPERATOR)

    assert by_customer.status_code == by_operator.status_code == 200
    assert by_customer.json()["status"] == "cancelled"
    assert by_customer.json()["cancel_reason"] == "customer"
    assert by_operator.json()["cancel_reason"] == "operator"
    assert await order_status(engine, theirs["id"]) == ("cancelled", "operator")
    again = client.post(f"/v1/orders/{mine['id']}/cancel", headers=customer)
    assert again.status_code == 409


# Shipping -----------------------------------------------------------------------------------


async def test_an_order_ships_only_once_paid_then_is_delivered_and_can_no_longer_be_cancelled(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    sku = order["lines"][0]["sku"]

    unpaid = ship(client, order["id"])
    pay(client, customer, order["id"], order["total"]["amount"])
    shipped = ship(client, order["id"])
    cancelled = client.post(f"/v1/orders/{order['id']}/cancel", headers=customer)
    delivered = client.post(f"/v1/admin/orders/{order['id']}/delivered", headers=SHIPPING)

    assert unpaid.status_code == 409
    assert unpaid.json()["type"] == "urn:commerce:problem:illegal_transition"
    assert shipped.status_code == 201
    assert shipped.headers["location"] == f"/v1/orders/{order['id']}"
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["shipment"]["carrier"] == "DHL"
    assert shipped.json()["shipment"]["status"] == "shipped"
    assert await stock_of(engine, sku) == (8, 0)  # the reserved units left the shelf
    assert cancelled.status_code == 409
    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"
    assert delivered.json()["shipment"]["status"] == "delivered"


# Refunds ------------------------------------------------------------------------------------


def test_an_operator_refunds_in_parts_but_never_more_than_was_captured(
    client: TestClient[Litestar],
) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    payment = pay(client, customer, order["id"], 1000).json()

    too_much = refund(client, payment["id"], 1001)
    part = refund(client, payment["id"], 400)
    rest_too_much = refund(client, payment["id"], 601)
    rest = refund(client, payment["id"])
    nothing_left = refund(client, payment["id"])

    assert too_much.status_code == 422
    assert too_much.json()["errors"][0]["field"] == "amount"
    assert part.status_code == 201
    assert part.headers["location"] == f"/v1/payments/{payment['id']}"
    assert part.json()["status"] == "partially_refunded"
    assert part.json()["refunded"] == {"amount": 400, "currency": "EUR"}
    assert rest_too_much.status_code == 422
    assert rest.status_code == 201
    assert rest.json()["status"] == "refunded"
    assert rest.json()["refunded"]["amount"] == 1000
    assert nothing_left.status_code == 422


def test_refunding_a_failed_payment_is_a_409(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    failed = pay(client, customer, order["id"], 1000, card="tok_declined").json()

    assert refund(client, failed["id"]).status_code == 409


def test_a_refund_retried_with_the_same_key_refunds_once(client: TestClient[Litestar]) -> None:
    customer = a_customer(client)
    order = an_order(client, customer)
    payment = pay(client, customer, order["id"], 1000).json()
    url, headers = f"/v1/payments/{payment['id']}/refunds", OPERATOR | key()

    first = client.post(url, json={"amount": 300}, headers=headers)
    retry = client.post(url, json={"amount": 300}, headers=headers)

    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert refund(client, payment["id"]).json()["refunded"]["amount"] == 1000


# Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/admin/orders"),
        ("POST", "/v1/admin/orders/{id}/shipments"),
        ("POST", "/v1/admin/orders/{id}/delivered"),
        ("POST", "/v1/payments/{id}/refunds"),
    ],
)
def test_a_customer_on_a_staff_route_is_a_403(
    client: TestClient[Litestar], method: str, path: str
) -> None:
    response = client.request(
        method,
        path.format(id=uuid.uuid4()),
        json={"carrier": "DHL", "tracking_number": "1"},
        headers=bearer("customer") | key(),
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/cart"),
        ("PUT", "/v1/cart/items/K-1"),
        ("DELETE", "/v1/cart"),
        ("POST", "/v1/orders"),
        ("GET", "/v1/orders"),
        ("GET", "/v1/orders/{id}"),
        ("POST", "/v1/orders/{id}/cancel"),
        ("PATCH", "/v1/orders/{id}"),
        ("POST", "/v1/orders/{id}/payments"),
        ("GET", "/v1/orders/{id}/payments"),
        ("GET", "/v1/payments/{id}"),
        ("GET", "/v1/admin/orders"),
        ("POST", "/v1/admin/orders/{id}/shipments"),
        ("POST", "/v1/payments/{id}/refunds"),
    ],
)
def test_an_anonymous_caller_is_a_401(client: TestClient[Litestar], method: str, path: str) -> None:
    response = client.request(method, path.format(id=uuid.uuid4()), headers=key())

    assert response.status_code == 401


def test_staff_without_the_customer_role_cannot_shop_and_without_shipping_cannot_ship(
    client: TestClient[Litestar],
) -> None:
    customer = a_customer(client)
    paid = a_paid_order(client, customer)

    assert add_to_cart(client, OPERATOR, "K-1", 1).status_code == 403
    assert ship(client, paid["id"], headers=OPERATOR).status_code == 403
    assert ship(client, paid["id"], headers=bearer("admin")).status_code == 201
