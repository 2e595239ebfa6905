"""A shopper's journey through the storefront in Debian's Chromium, against the running
service (API, relay, worker) over real PostgreSQL, Redis and Elasticsearch: search, tick a
facet, open a product, sign up on the way, add to cart, check out, pay with `tok_visa`, and
find the order in "my orders". Then a staff member, in a browser of their own, signs in, finds
the order in the staff list, ships it, and the shopper's order page shows it shipped with the
carrier and tracking number; the staff member marks it delivered and refunds part of it. Every
page passes axe-core's serious and critical checks, and the main ones are photographed at
phone and desktop widths for the README."""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import accessibility_violations, chromium, screenshots
from tests.e2e.test_shopping_journey import ADDRESS
from tests.support import bearer


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@contextmanager
def watched_page(browser: Browser, api_url: str) -> Iterator[Page]:
    """A page in a browser context of its own (its own cookies: another person)."""
    context = browser.new_context(base_url=api_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    # A CSP violation or a script error shows in the console: the journey allows none.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert [e for e in errors if "net::ERR" not in e] == [], "\n".join(errors)


@pytest.fixture
def page(browser: Browser, api_url: str) -> Iterator[Page]:
    with watched_page(browser, api_url) as page:
        yield page


@pytest.fixture
def staff_page(browser: Browser, api_url: str) -> Iterator[Page]:
    with watched_page(browser, api_url) as page:
        yield page


def boards(api_url: str, word: str) -> dict[str, str]:
    """Two boards of two brands, stocked and searchable; their ids by brand."""
    http = httpx.Client(base_url=api_url, timeout=15)
    ids, commands = {}, []
    for brand, price in (("Boardwright", 4500), ("Teakworks", 6200)):
        sku = f"{brand[:2].upper()}-{uuid.uuid4().hex[:8]}"
        body: dict[str, Any] = {
            "name": f"{brand} {word} board",
            "description": "A cutting board of oiled hardwood.",
            "brand": brand,
            "category": "kitchen/boards",
            "variants": [{"sku": sku, "price": {"amount": price, "currency": "EUR"}}],
        }
        created = http.post("/v1/admin/products", json=body, headers=bearer("operator"))
        assert created.status_code == 201, created.text
        stocked = http.put(
            f"/v1/admin/inventory/{sku}", json={"on_hand": 5}, headers=bearer("stock_operator")
        )
        assert stocked.status_code == 200, stocked.text
        ids[brand] = created.json()["id"]
        commands += [created, stocked]
    for command in commands:
        searchable(http, word, command.headers["consistency-token"])
    return ids


def searchable(http: httpx.Client, word: str, token: str, tries: int = 6) -> None:
    """Waits for the command's writes in search: a worker just started may take a while
    to pick up its first messages (each try waits the service's bound, 10 s)."""
    for _ in range(tries):
        found = http.get("/v1/products", params={"q": word}, headers={"Consistency-Token": token})
        if found.headers.get("consistency") != "stale":
            return
    pytest.fail("the products read model did not catch up")


def accessible(page: Page) -> None:
    assert accessibility_violations(page) == [], page.url


def staff_member(api_url: str, password: str) -> str:
    """A staff account that may list, ship and refund orders; its email."""
    email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "email": email,
        "password": password,
        "name": "Sam Shipper",
        "roles": ["operator", "shipping_operator"],
    }
    created = httpx.post(f"{api_url}/v1/admin/staff", json=body, headers=bearer("admin"))
    assert created.status_code == 201, created.text
    return email


def test_a_shopper_buys_a_board_sees_it_in_my_orders_and_then_shipped_by_staff(
    page: Page, staff_page: Page, api_url: str
) -> None:
    word = f"crate{uuid.uuid4().hex[:6]}"
    ids = boards(api_url, word)

    page.goto("/")
    accessible(page)
    page.get_by_label("Search products").fill(word)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(f"2 products for “{word}”"))).to_be_visible()
    accessible(page)
    screenshots(page, "search")

    page.get_by_label(re.compile(r"^Teakworks \(1\)")).check()  # htmx swaps the results in
    expect(page.get_by_role("heading", name=re.compile("1 product for"))).to_be_visible()
    assert "brand=Teakworks" in page.url  # the URL holds the state
    # Disjunctive: the other brand still shows what it would add.
    expect(page.get_by_label(re.compile(r"^Boardwright \(1\)"))).to_be_visible()
    accessible(page)
    page.get_by_role("link", name=f"Teakworks {word} board").click()

    expect(page).to_have_url(re.compile(f"/products/{ids['Teakworks']}$"))
    expect(page.get_by_text("62.00 EUR").first).to_be_visible()
    accessible(page)
    screenshots(page, "product")
    page.get_by_role("link", name="Sign in to buy").click()
    accessible(page)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name").fill("Grace Hopper")
    shopper_email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    page.get_by_label("Email").fill(shopper_email)
    page.get_by_label("Password").fill("a-long-enough-password")
    accessible(page)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(f"/products/{ids['Teakworks']}$"))
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()

    expect(page).to_have_url(re.compile("/cart$"))
    expect(page.get_by_role("row", name=re.compile(f"Teakworks {word} board"))).to_be_visible()
    expect(page.locator(".breakdown .total").last).to_have_text("124.00 EUR")
    accessible(page)
    screenshots(page, "cart")
    page.get_by_role("link", name="Check out").click()

    for field, label in (
        ("name", "Full name"),
        ("line1", "Address"),
        ("city", "City"),
        ("postal_code", "Postal code"),
        ("country", "Country code"),
    ):
        page.get_by_label(label, exact=True).fill(ADDRESS[field])
    page.get_by_label("Card (sandbox token)").fill("tok_visa")
    accessible(page)
    screenshots(page, "checkout")
    page.get_by_role("button", name=re.compile("Place order and pay")).click()

    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    number = page.locator("p[role=status] strong").inner_text()
    assert re.fullmatch(r"C-\d+", number)
    expect(page.get_by_text(f"Order {number} is paid")).to_be_visible()
    accessible(page)
    screenshots(page, "paid")

    page.get_by_role("link", name="My orders", exact=True).click()
    expect(page.get_by_role("link", name=f"Order {number}")).to_be_visible()
    expect(page.locator(".orders .status").first).to_have_text("Paid")
    accessible(page)
    screenshots(page, "orders")
    page.get_by_role("link", name=f"Order {number}").click()
    expect(page.get_by_role("button", name="Cancel this order")).to_be_visible()
    accessible(page)
    screenshots(page, "order")

    staff = staff_page
    password = "a-long-enough-staff-password"
    staff.goto("/sign-in?next=/staff/orders")
    staff.get_by_label("Email").fill(staff_member(api_url, password))
    staff.get_by_label("Password").fill(password)
    staff.get_by_role("button", name="Sign in").click()
    expect(staff.get_by_role("heading", name="Orders")).to_be_visible()
    expect(staff.get_by_role("link", name="Staff", exact=True)).to_be_visible()
    staff.get_by_label("Customer email").fill(shopper_email)
    staff.get_by_label("Paid", exact=True).check()
    staff.get_by_role("button", name="Show").click()
    expect(staff.get_by_role("row", name=re.compile(number))).to_contain_text("124.00 EUR")
    accessible(staff)
    screenshots(staff, "staff-orders", widths=("desktop",))
    staff.get_by_role("link", name=number).click()

    expect(staff.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    expect(staff.get_by_text(shopper_email)).to_be_visible()
    staff.get_by_label("Carrier").fill("DHL")
    staff.get_by_label("Tracking number").fill("JD014600003SE")
    accessible(staff)
    screenshots(staff, "staff-order", widths=("desktop",))
    staff.get_by_role("button", name=f"Ship order {number}").click()
    expect(staff.locator("p .status")).to_have_text("Shipped")
    expect(staff.get_by_text("DHL, tracking number JD014600003SE")).to_be_visible()
    accessible(staff)

    page.reload()
    expect(page.locator("p .status")).to_have_text("Shipped")
    expect(page.get_by_text("DHL, tracking number JD014600003SE")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel this order")).to_have_count(0)
    accessible(page)
    screenshots(page, "shipped", widths=("phone",))

    staff.get_by_role("button", name="Mark delivered").click()
    expect(staff.locator("p .status")).to_have_text("Delivered")
    staff.get_by_label(re.compile("^Amount in EUR")).fill("24.00")
    staff.get_by_role("button", name="Refund").click()
    expect(staff.get_by_text("Partially refunded, 24.00 EUR refunded")).to_be_visible()
    expect(staff.get_by_text("100.00 EUR left to refund")).to_be_visible()
    accessible(staff)
