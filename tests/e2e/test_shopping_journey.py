"""A customer's whole journey through the running service (API, relay, worker), over real
HTTP, PostgreSQL, Redis and Elasticsearch: find a product, buy it, pay in two parts, and
follow the order in the account until it is delivered."""

import uuid
from typing import Any

import httpx

from tests.support import bearer

ADDRESS = {
    "name": "Grace Hopper",
    "line1": "1 Navy Yard",
    "city": "Arlington",
    "postal_code": "22202",
    "country": "US",
}


def signed_in_customer(http: httpx.Client) -> dict[str, str]:
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "a-long-password", "name": "Grace Hopper"}
    registered = http.post("/v1/accounts", json=body | {"shipping_address": ADDRESS})
    assert registered.status_code == 201, registered.text
    # A token as `POST /v1/auth/token` issues it (signing in is tested on its own): the fuzz
    # of the OpenAPI test may have used up this address's sign-in attempts.
    return bearer("customer", account_id=uuid.UUID(registered.json()["id"]))


def stocked_product(http: httpx.Client, word: str, sku: str) -> tuple[str, list[httpx.Response]]:
    """The product's id, and the two commands (create, stock) whose writes a read awaits."""
    body: dict[str, Any] = {
        "name": f"Walnut {word} board",
        "description": "A cutting board of oiled walnut.",
        "brand": "Boardwright",
        "category": "kitchen/boards",
        "variants": [{"sku": sku, "price": {"amount": 4500, "currency": "EUR"}}],
    }
    created = http.post("/v1/admin/products", json=body, headers=bearer("operator"))
    assert created.status_code == 201, created.text
    stocked = http.put(
        f"/v1/admin/inventory/{sku}", json={"on_hand": 3}, headers=bearer("stock_operator")
    )
    assert stocked.status_code == 200, stocked.text
    return str(created.json()["id"]), [created, stocked]


def read(http: httpx.Client, path: str, after: httpx.Response, **kwargs: Any) -> Any:
    """A query that waits for the read model to reflect the command `after`."""
    headers = kwargs.pop("headers", {}) | {"Consistency-Token": after.headers["consistency-token"]}
    response = http.get(path, headers=headers, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers.get("consistency") != "stale", "the read model did not catch up"
    return response.json()


def pay(http: httpx.Client, me: dict[str, str], order_id: str, amount: int) -> httpx.Response:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"amount": {"amount": amount, "currency": "EUR"}, "token": "tok_visa"}
    paid = http.post(f"/v1/orders/{order_id}/payments", json=body, headers=me | key)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "succeeded"
    return paid


def test_find_buy_pay_in_two_parts_ship_and_deliver_seen_from_the_account(api_url: str) -> None:
    http = httpx.Client(base_url=api_url, timeout=15)
    me = signed_in_customer(http)
    word = f"tray{uuid.uuid4().hex[:6]}"
    sku = f"WB-{uuid.uuid4().hex[:8]}"
    stocked = http.put(
        f"/v1/admin/inventory/{sku}", json={"on_hand": 3}, headers=bearer("stock_operator")
    )
    assert stocked.status_code == 404  # not in the catalogue yet
    product_id, commands = stocked_product(http, word, sku)

    for command in commands:  # each token alone: the worker may project them in any order
        found = read(http, "/v1/products", command, params={"q": word})
    assert [item["id"] for item in found["items"]] == [product_id]
    added = http.put(f"/v1/cart/items/{sku}", json={"quantity": 2}, headers=me)
    assert added.status_code == 200, added.text
    cart = read(http, "/v1/cart", added, headers=me)
    assert cart["items"][0]["name"] == f"Walnut {word} board"
    assert cart["total"] == {"amount": 9000, "currency": "EUR"}

    key = {"Idempotency-Key": str(uuid.uuid4())}
    placed = http.post("/v1/orders", json={}, headers=me | key)
    assert placed.status_code == 201, placed.text
    order_id, number = placed.json()["id"], placed.json()["number"]
    assert read(http, "/v1/cart", placed, headers=me)["items"] == []

    pay(http, me, order_id, 4000)
    second = pay(http, me, order_id, 5000)
    shipped = http.post(
        f"/v1/admin/orders/{order_id}/shipments",
        json={"carrier": "UPS", "tracking_number": "1Z999"},
        headers=bearer("shipping_operator"),
    )
    assert shipped.status_code == 201, shipped.text
    in_transit = read(http, "/v1/orders", shipped, headers=me, params={"q": word})
    delivered = http.post(
        f"/v1/admin/orders/{order_id}/delivered", headers=bearer("shipping_operator")
    )
    assert delivered.status_code == 200, delivered.text

    dashboard = read(http, "/v1/orders", delivered, headers=me)
    detail = read(http, f"/v1/orders/{order_id}", delivered, headers=me)
    (summary,) = dashboard["items"]
    assert (summary["id"], summary["number"], summary["status"]) == (order_id, number, "delivered")
    assert summary["paid"] == summary["total"] == {"amount": 9000, "currency": "EUR"}
    assert summary["shipment"]["tracking_number"] == "1Z999"
    assert [o["status"] for o in in_transit["items"]] == ["shipped"]
    assert second.json()["order_id"] == order_id
    assert [line["status"] for line in detail["timeline"]] == [
        "awaiting_payment",  # placed
        "awaiting_payment",  # first payment started
        "partially_paid",
        "partially_paid",  # second payment started
        "paid",
        "shipped",
        "delivered",
    ]
    assert [p["status"] for p in detail["payments"]] == ["succeeded", "succeeded"]
    product = read(http, f"/v1/products/{product_id}", delivered)
    assert product["in_stock"] is True  # 3 counted, 2 sold
    other = signed_in_customer(http)
    assert http.get(f"/v1/orders/{order_id}", headers=other).status_code == 404
