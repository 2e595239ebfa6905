"""A promo code through the running service (API, relay, worker): staff create it, a customer
enters it, and the cart read back, the quote, the order and the order's dashboard all show the
same discount; staff then see the code used once."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.test_shopping_journey import read, signed_in_customer, stocked_product
from tests.support import bearer


def test_a_code_entered_in_the_cart_shows_the_same_discount_from_cart_to_dashboard(
    api_url: str,
) -> None:
    http = httpx.Client(base_url=api_url, timeout=15)
    me = signed_in_customer(http)
    sku = f"PC-{uuid.uuid4().hex[:8]}"
    _, commands = stocked_product(http, f"code{uuid.uuid4().hex[:6]}", sku)
    code = f"E2E{uuid.uuid4().hex[:8].upper()}"
    now = datetime.now(UTC)
    body = {
        "code": code,
        "percent_off": 20,
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    created = http.post("/v1/admin/promo-codes", json=body, headers=bearer("operator"))
    assert created.status_code == 201, created.text
    for command in commands:
        read(http, "/v1/products", command)
    assert http.put(f"/v1/cart/items/{sku}", json={"quantity": 2}, headers=me).status_code == 200

    entered = http.put("/v1/cart/promo-code", json={"code": code.lower()}, headers=me)
    assert entered.status_code == 200, entered.text
    cart = read(http, "/v1/cart", entered, headers=me)
    quote = http.post(
        "/v1/pricing/quote", json={"items": [{"sku": sku, "quantity": 2}], "promo_code": code}
    ).json()
    placed = http.post("/v1/orders", headers=me | {"Idempotency-Key": str(uuid.uuid4())})
    assert placed.status_code == 201, placed.text
    detail = read(http, f"/v1/orders/{placed.json()['id']}", placed, headers=me)
    (summary,) = read(http, "/v1/orders", placed, headers=me)["items"]

    expected = (code, 9000, 1800, 7200)
    for shown in (cart, quote, placed.json(), detail, summary):
        assert (
            shown["promo_code"],
            shown["subtotal"]["amount"],
            shown["discount"]["amount"],
            shown["total"]["amount"],
        ) == expected
    assert cart["promo_code_rejection"] is None
    staff_view = read(http, f"/v1/admin/promo-codes/{code}", placed, headers=bearer("operator"))
    assert (staff_view["redeemed"], staff_view["status"]) == (1, "active")
