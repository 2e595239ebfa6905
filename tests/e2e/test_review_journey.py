"""A review's way through the running service (API, relay, worker), over real HTTP: refused
before delivery, posted after it, replaced, then seen in the product's listing and its rating
in search, and hidden by an operator."""

import uuid

import httpx

from tests.e2e.test_shopping_journey import pay, read, signed_in_customer, stocked_product
from tests.support import bearer

SHIPPING = bearer("shipping_operator")


def test_a_delivered_buyers_review_reaches_the_listing_and_the_products_rating(
    api_url: str,
) -> None:
    http = httpx.Client(base_url=api_url, timeout=15)
    me = signed_in_customer(http)
    word = f"review{uuid.uuid4().hex[:6]}"
    sku = f"RJ-{uuid.uuid4().hex[:8]}"
    product_id, _ = stocked_product(http, word, sku)
    reviews = f"/v1/products/{product_id}/reviews"
    assert http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=me).status_code == 200
    placed = http.post("/v1/orders", json={}, headers=me | {"Idempotency-Key": word})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    pay(http, me, order_id, 4500)
    body = {"carrier": "UPS", "tracking_number": "1Z1"}
    assert http.post(f"/v1/admin/orders/{order_id}/shipments", json=body, headers=SHIPPING)

    too_early = http.post(reviews, json={"rating": 5, "title": "Lovely"}, headers=me)
    http.post(f"/v1/admin/orders/{order_id}/delivered", headers=SHIPPING)
    posted = http.post(reviews, json={"rating": 5, "title": "Lovely"}, headers=me)
    replaced = http.post(reviews, json={"rating": 4, "title": "Good", "body": "A\nB"}, headers=me)

    assert too_early.status_code == 403
    assert too_early.json()["reason"] == "not_a_verified_buyer"
    assert (posted.status_code, replaced.status_code) == (201, 200)
    listing = read(http, reviews, replaced)
    assert [(r["rating"], r["author"], r["verified"]) for r in listing["items"]] == [
        (4, "Grace H.", True)
    ]
    assert listing["rating"] == {"average": 4.0, "count": 1}
    product = read(http, f"/v1/products/{product_id}", replaced)
    assert product["rating"] == {"average": 4.0, "count": 1}
    found = read(http, "/v1/products", replaced, params={"q": word, "rating_min": 4})
    assert [item["id"] for item in found["items"]] == [product_id]

    hidden = http.post(f"/v1/admin/reviews/{posted.json()['id']}/hide", headers=bearer("operator"))
    assert hidden.status_code == 200, hidden.text
    assert read(http, reviews, hidden)["items"] == []
    assert read(http, f"/v1/products/{product_id}", hidden)["rating"] == {
        "average": 0.0,
        "count": 0,
    }
