"""The storefront's pages over HTTP with in-memory twins: sessions and their cookies, CSRF,
the CSP, read-your-writes, and forms that refuse bad input with words a shopper reads."""

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.container import Container
from commerce.domain.catalog import Product
from tests.product_events import a_product, stock_of
from tests.shop import stocked_product
from tests.storefront import (
    PASSWORD,
    browser,
    csrf_token,
    search_index,
    signed_up,
    storefront_container,
)
from tests.support import NOW


@pytest.fixture
def container() -> Container:
    return storefront_container(FixedClock(NOW))


@pytest.fixture
def kettle(container: Container) -> Product:
    product, events = a_product(
        "Stainless steel kettle",
        brand="Acme",
        category="kitchen/kettles",
        variants=[("K-1", 2999, {"color": "red"})],
    )
    _, stock = stock_of(product, "K-1", on_hand=3)
    search_index(container).project([*events, *stock])
    return product


@pytest.fixture
async def for_sale(container: Container) -> str:
    """A SKU the write side sells (the cart and checkout check it there)."""
    await stocked_product(container.uow, {"KT-9": 3}, price=1500)
    return "KT-9"


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    with browser(container) as client:
        yield client


def set_cookies(response: object) -> dict[str, str]:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return {value.split("=", 1)[0]: value for value in headers}


def test_signing_up_signs_in_with_an_http_only_same_site_session_cookie(
    client: TestClient[Litestar],
) -> None:
    token = csrf_token(client, "/sign-up")
    form = {"_csrf_token": token, "name": "Ada", "email": "ada@example.com", "password": PASSWORD}
    answer = client.post("/sign-up", data=form | {"next": "/cart"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/cart"
    session = set_cookies(answer)["session"].lower()
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "secure" not in session  # plain HTTP: a Secure cookie would never come back
    assert client.get("/cart").status_code == 200


def test_over_tls_every_cookie_of_the_pages_is_secure(container: Container) -> None:
    with browser(container, base_url="https://shop.local") as client:
        page = client.get("/sign-up")
        token = csrf_token(client, "/sign-up")
        form = {"_csrf_token": token, "name": "Ada", "email": "ada@example.com"}
        answer = client.post("/sign-up", data=form | {"password": PASSWORD})

    assert "secure" in set_cookies(page)["csrftoken"].lower()
    assert "secure" in set_cookies(answer)["session"].lower()


def test_a_form_without_its_csrf_token_is_refused_with_a_page_that_says_why(
    client: TestClient[Litestar],
) -> None:
    csrf_token(client, "/sign-up")  # the cookie alone is not enough
    form = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}

    refused = client.post("/sign-up", data=form)
    forged = client.post("/sign-up", data=form | {"_csrf_token": "0" * 128})

    for answer in (refused, forged):
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")
        assert "Reload the page and send it again" in answer.text
        assert "session" not in set_cookies(answer)


def test_pages_forbid_inline_script_and_the_json_api_keeps_its_own_policy(
    client: TestClient[Litestar], kettle: Product
) -> None:
    home = client.get("/")
    api = client.get("/v1/products")

    policy = home.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    images = next(part.split()[1:] for part in policy.split(";") if "img-src" in part)
    assert {"'self'", "https:", "http:"} <= set(images), "the catalogue's image addresses show"
    assert "<script>" not in home.text
    assert " style=" not in home.text
    assert home.headers["cache-control"] == "no-store"
    assert api.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_shop_pages_show_a_search_with_facets_and_prices(
    client: TestClient[Litestar], kettle: Product
) -> None:
    page = client.get("/", params={"q": "kettle", "brand": "Acme"})

    assert page.status_code == 200
    assert "1 product for “kettle”" in page.text
    assert 'name="brand" value="Acme" checked' in page.text
    assert "29.99 EUR" in page.text
    fragment = client.get("/", params={"q": "kettle"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="results"')
    suggestions = client.get("/suggest", params={"q": "stainl"})
    assert '<option value="Stainless steel kettle">' in suggestions.text


def test_a_search_url_the_page_would_not_write_is_a_page_naming_the_parameter(
    client: TestClient[Litestar],
) -> None:
    answer = client.get("/", params={"price": "cheap"})

    assert answer.status_code == 422
    assert "price: pick one of the price ranges" in answer.text


def test_a_shopper_who_is_not_signed_in_is_sent_to_sign_in_and_back(
    client: TestClient[Litestar],
) -> None:
    answer = client.get("/orders", params={"q": "kettle"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Forders%3Fq%3Dkettle"


def test_a_wrong_password_shows_the_form_again_with_the_reason_and_no_session(
    client: TestClient[Litestar],
) -> None:
    signed_up(client)
    client.cookies.delete("session")
    token = csrf_token(client)
    form = {"_csrf_token": token, "email": "ada@example.com", "password": "not-the-password"}

    answer = client.post("/sign-in", data=form | {"next": "//elsewhere.example"})

    assert answer.status_code == 401
    assert "The email or password is wrong." in answer.text
    assert 'value="ada@example.com"' in answer.text
    assert "session" not in set_cookies(answer)
    right = client.post("/sign-in", data=form | {"password": PASSWORD, "next": "//evil.example"})
    assert right.headers["location"] == "/"  # never to another site


def test_signing_out_revokes_the_token_the_cookie_held(client: TestClient[Litestar]) -> None:
    signed_up(client)
    old_session = client.cookies["session"]

    signed_out = client.post("/sign-out", data={"_csrf_token": csrf_token(client, "/")})
    client.cookies.set("session", old_session)
    again = client.get("/cart")

    assert signed_out.status_code == 303
    assert (
        set_cookies(signed_out)["session"].startswith('session=""')
        or "Max-Age=0" in (set_cookies(signed_out)["session"])
    )
    assert again.status_code == 303  # the replayed cookie signs nobody in: sign in first
    assert "session" in set_cookies(again)  # and it is removed


def test_a_sign_up_with_bad_input_says_what_to_change(client: TestClient[Litestar]) -> None:
    token = csrf_token(client, "/sign-up")
    short = {"_csrf_token": token, "name": "Ada", "email": "ada@example.com", "password": "short"}
    bad_email = short | {"email": "not-an-email", "password": PASSWORD}

    too_short = client.post("/sign-up", data=short)
    wrong = client.post("/sign-up", data=bad_email)

    assert too_short.status_code == 422
    assert "password: must be at least 10 characters" in too_short.text
    assert 'aria-invalid="true"' in too_short.text
    assert wrong.status_code == 422
    assert "email:" in wrong.text
    assert 'value="not-an-email"' in wrong.text


def test_adding_to_the_cart_shows_the_cart_after_the_write_and_refuses_bad_quantities(
    client: TestClient[Litestar], for_sale: str
) -> None:
    signed_up(client)
    token = csrf_token(client, "/")
    form = {"_csrf_token": token, "sku": for_sale}

    bad = client.post("/cart/items", data=form | {"quantity": "two"})
    added = client.post("/cart/items", data=form | {"quantity": "2"})
    cart = client.get(added.headers["location"])

    assert bad.status_code == 422
    assert "quantity: must be a whole number" in bad.text
    assert added.status_code == 303
    assert "consistency" in set_cookies(added)  # the next page waits for this write
    assert cart.status_code == 200
    assert "consistency" in set_cookies(cart)  # read once, then forgotten
    assert "Max-Age=0" in set_cookies(cart)["consistency"]


def test_a_card_number_at_checkout_is_refused_and_never_shown_again(
    client: TestClient[Litestar], for_sale: str
) -> None:
    signed_up(client)
    token = csrf_token(client, "/checkout")
    client.post("/cart/items", data={"_csrf_token": token, "sku": for_sale, "quantity": "1"})
    address = {
        "name": "Ada",
        "line1": "1 Square",
        "city": "London",
        "postal_code": "SW1",
        "country": "GB",
    }
    form = {"_csrf_token": token, "attempt": "a1"} | address

    card_number = client.post("/checkout", data=form | {"token": "4242 4242 4242 4242"})
    bad_country = client.post("/checkout", data=form | {"country": "Britain", "token": "tok_visa"})

    assert card_number.status_code == 422
    assert "4242" not in card_number.text
    assert bad_country.status_code == 422
    assert "country: must be a two-letter country code" in bad_country.text
    assert 'value="1 Square"' in bad_country.text  # what was typed stays
