"""Staff's catalogue pages in Debian's Chromium, against the running service (API, relay,
worker, and a scheduler to start sales) over real PostgreSQL, Redis and Elasticsearch: a staff
member signs in through the pages, creates a product with two variants, receives stock and
counts it, starts a sale on it and makes a promo code; a shopper then finds the product on the
search page at the sale price, the list price struck through. Every staff page passes
axe-core's serious and critical checks; the product list and edit pages are photographed at
1280 px for the README."""

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import screenshots
from tests.e2e.conftest import Service
from tests.e2e.test_storefront_journey import accessible, browser, page  # noqa: F401 (fixtures)
from tests.support import bearer

PASSWORD = "a-long-enough-password"
SALE_SHOWN_WITHIN = 60_000  # ms: scheduler pass, relay, worker, refresh


@pytest.fixture
def scheduler(service: Service) -> Iterator[None]:
    """The process that starts due sales (the e2e service runs none of its own)."""
    commerce = str(Path(sys.executable).with_name("commerce"))
    env = service.env | {"COMMERCE_SCHEDULER_INTERVAL": "1"}
    process = subprocess.Popen(
        [commerce, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield
    process.terminate()
    process.wait(timeout=15)


def staff_account(api_url: str) -> str:
    """A staff member who runs the catalogue and its stock; their email."""
    email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    body = {
        "email": email,
        "password": PASSWORD,
        "name": "Sam Staff",
        "roles": ["operator", "stock_operator"],
    }
    made = httpx.post(f"{api_url}/v1/admin/staff", json=body, headers=bearer("admin"), timeout=15)
    assert made.status_code == 201, made.text
    return email


def sign_in(tab: Page, email: str) -> None:
    tab.goto("/sign-in?next=/staff/products")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab).to_have_url(re.compile("/staff/products$"))


def create_product(tab: Page, word: str) -> str:
    tab.get_by_role("link", name="New product").click()
    accessible(tab)
    tab.get_by_label("Name", exact=True).fill(f"Walnut {word} board")
    tab.get_by_label("Brand").fill("Boardwright")
    tab.get_by_label(re.compile("^Category")).fill("kitchen/boards")
    tab.get_by_label(re.compile("^Description")).fill("Oiled walnut, end grain.")
    for n, (size, price) in enumerate((("S", "30.00"), ("L", "45.00")), start=1):
        tab.get_by_label(f"Variant {n} SKU").fill(f"WB-{size}-{word}")
        tab.get_by_label(f"Variant {n} list price").fill(price)
        tab.get_by_label(f"Variant {n} options").fill(f"size: {size}")
    tab.get_by_role("button", name="Create product").click()
    expect(tab).to_have_url(re.compile(r"/staff/products/[0-9a-f-]{36}$"))
    expect(tab.get_by_role("heading", name=f"Edit Walnut {word} board")).to_be_visible()
    return tab.url.rsplit("/", 1)[1]


def receive_stock(tab: Page, word: str) -> None:
    tab.get_by_role("link", name="Stock of its variants").click()
    accessible(tab)
    tab.get_by_label("Variant", exact=True).select_option(f"WB-L-{word}")
    tab.get_by_label(re.compile("^Receive")).check()
    tab.get_by_label("Quantity").fill("5")
    tab.get_by_label(re.compile("^Reason")).fill("delivery 4711")
    tab.get_by_role("button", name="Adjust stock").click()
    row = tab.get_by_role("row", name=re.compile(f"WB-L-{word}"))
    expect(row.locator(".available")).to_have_text("5")
    expect(row.locator(".status")).to_have_text("In stock")
    accessible(tab)


def count_stock(tab: Page, word: str) -> None:
    """A stock take: the count on the shelf becomes the level, whatever was received."""
    tab.get_by_label("Variant counted").select_option(f"WB-L-{word}")
    tab.get_by_label("Counted on the shelf").fill("4")
    tab.get_by_role("button", name="Set counted level").click()
    row = tab.get_by_role("row", name=re.compile(f"WB-L-{word}"))
    expect(row.locator(".available")).to_have_text("4")
    accessible(tab)


def start_sale(tab: Page, product_id: str, word: str) -> None:
    tab.goto(f"/staff/products/{product_id}")
    tab.get_by_role("link", name="Start a sale on it").click()
    expect(tab.get_by_label(re.compile("^Product ids"))).to_have_value(product_id)
    accessible(tab)
    tab.get_by_label("Name").fill(f"Walnut week {word}")
    tab.get_by_label("Percent or amount off").fill("20")
    tab.get_by_role("button", name="Create sale").click()
    expect(tab).to_have_url(re.compile("/staff/sales$"))
    row = tab.get_by_role("row", name=re.compile(f"Walnut week {word}"))
    expect(row.locator(".status")).to_have_text("Active")
    accessible(tab)


def make_promo_code(tab: Page, word: str) -> None:
    tab.get_by_role("navigation", name="Staff").get_by_role("link", name="Promo codes").click()
    accessible(tab)
    tab.get_by_role("link", name="New promo code").click()
    tab.get_by_label("Code", exact=True).fill(f"WALNUT{word}")
    tab.get_by_label("Percent or amount off").fill("10")
    accessible(tab)
    tab.get_by_role("button", name="Create promo code").click()
    expect(tab.get_by_role("row", name=re.compile(f"WALNUT{word}", re.I))).to_be_visible()
    accessible(tab)


def test_staff_put_a_new_product_on_sale_and_a_shopper_finds_it_at_the_sale_price(
    browser: Browser,  # noqa: F811 (the journey's fixture)
    page: Page,  # noqa: F811
    api_url: str,
    scheduler: None,
) -> None:
    word = uuid.uuid4().hex[:6].upper()
    sign_in(page, staff_account(api_url))
    expect(page.get_by_role("link", name="Staff")).to_be_visible()
    accessible(page)

    product_id = create_product(page, word)
    accessible(page)
    screenshots(page, "staff-product-edit", widths=("desktop",))
    receive_stock(page, word)
    count_stock(page, word)
    start_sale(page, product_id, word)
    make_promo_code(page, word)
    page.goto(f"/staff/products?q=walnut+{word}")
    expect(page.get_by_role("link", name=f"Walnut {word} board", exact=True)).to_be_visible()
    accessible(page)
    screenshots(page, "staff-products", widths=("desktop",))

    shopper = browser.new_page(base_url=api_url)
    shopper.goto(f"/?q=walnut+{word}")
    card = shopper.locator(".card", has_text=f"Walnut {word} board")
    sale_price = card.locator(".price ins")
    for _ in range(SALE_SHOWN_WITHIN // 2000):  # the page is drawn once: look again
        if sale_price.count():
            break
        shopper.wait_for_timeout(2000)
        shopper.reload()
    expect(sale_price).to_have_text("24.00 EUR")
    expect(card.locator(".price del")).to_contain_text("30.00 EUR")
    shopper.close()
