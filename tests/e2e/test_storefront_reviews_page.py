"""Reviews on the product page in Debian's Chromium, against the running service: a customer
whose board was delivered writes a review from the page, and the page then shows it with the
rating and its histogram. Both states of the page pass axe-core's serious and critical checks."""

import re
import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.browser import screenshots
from tests.e2e import test_storefront_journey as journey
from tests.e2e.test_shopping_journey import pay, signed_in_customer, stocked_product
from tests.support import bearer

SHIPPING = bearer("shipping_operator")
# The journey's fixtures: a Chromium for the module, a page that allows no console error.
browser, page = journey.browser, journey.page


def delivered_board(api_url: str) -> tuple[str, str]:
    """A board delivered to a new customer: the product's id and the customer's token."""
    http = httpx.Client(base_url=api_url, timeout=15)
    me = signed_in_customer(http)
    word = f"review{uuid.uuid4().hex[:6]}"
    sku = f"RP-{uuid.uuid4().hex[:8]}"
    product_id, commands = stocked_product(http, word, sku)
    assert http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=me).status_code == 200
    placed = http.post("/v1/orders", json={}, headers=me | {"Idempotency-Key": word})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    pay(http, me, order_id, 4500)
    shipment = {"carrier": "UPS", "tracking_number": "1Z1"}
    shipped = http.post(f"/v1/admin/orders/{order_id}/shipments", json=shipment, headers=SHIPPING)
    assert shipped.is_success, shipped.text
    done = http.post(f"/v1/admin/orders/{order_id}/delivered", headers=SHIPPING)
    assert done.is_success, done.text
    for command in commands:
        journey.searchable(http, word, command.headers["consistency-token"])
    return product_id, me["Authorization"].removeprefix("Bearer ")


def test_a_customer_reviews_a_delivered_board_from_its_page_and_sees_the_histogram(
    page: Page, api_url: str
) -> None:
    product_id, token = delivered_board(api_url)
    # The session cookie holds the API's token (signing in is the journey's part).
    page.context.add_cookies([{"name": "session", "value": token, "url": api_url}])

    page.goto(f"/products/{product_id}")
    expect(page.get_by_text("No reviews yet.")).to_be_visible()
    journey.accessible(page)
    page.get_by_label("4 stars").check()
    page.get_by_label("Title").fill("Sturdy and easy to oil")
    page.get_by_label("Your review").fill("Heavy enough not to slide.\nWorth it.")
    page.get_by_role("button", name="Post review").click()

    expect(page).to_have_url(re.compile(f"/products/{product_id}#reviews$"))
    reviews = page.locator("#reviews")
    expect(reviews.get_by_role("heading", name="Sturdy and easy to oil")).to_be_visible()
    expect(reviews.get_by_text("Rated 4.0 of 5")).to_be_visible()
    expect(reviews.get_by_role("meter", name="4 stars")).to_have_attribute("value", "1")
    expect(reviews.get_by_text("Verified buyer")).to_be_visible()
    journey.accessible(page)
    screenshots(page, "reviews")
