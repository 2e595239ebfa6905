"""Staff's catalogue pages (products, stock, sales, promo codes) over HTTP with in-memory twins:
who may open them, what the forms write, and how they refuse bad input on the page."""

import asyncio
import re
import uuid
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.promotion_views import InMemoryPromotionViews
from commerce.adapters.memory.unit_of_work import InMemoryStore
from commerce.application.catalog import ChangeProduct, change_product
from commerce.container import Container
from commerce.domain.catalog import Product
from projections.products import mapping as products
from projections.promotions import mapping as promotions
from tests.storefront import browser, csrf_token, search_index, signed_up, storefront_container
from tests.support import NOW

FORM_PAGE = "/staff/products/new"


@pytest.fixture
def container() -> Container:
    return storefront_container(FixedClock(NOW))


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    with browser(container) as client:
        yield client


def store(container: Container) -> InMemoryStore:
    return container.uow().store  # type: ignore[no-any-return]


def as_staff(container: Container, client: TestClient[Litestar], *roles: str) -> str:
    """Signs the browser in as staff with these roles; the form token of its pages."""
    issued = container.token_issuer().issue(uuid.uuid4(), frozenset(roles or {"operator"}))
    client.cookies.set("session", issued.access_token)
    return csrf_token(client, "/")


def caught_up(container: Container) -> None:
    """The read models have every event of the outbox, as the workers would have done."""
    events = store(container).outbox
    search_index(container).project(events)
    views = container.promotion_views()
    assert isinstance(views, InMemoryPromotionViews)
    views.apply(events)
    ids = [event.event_id for event in events]
    progress = container.projection_progress()
    for name in (products.NAME, promotions.NAME):
        asyncio.run(progress.mark_projected(name, ids))


def board_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": token,
        "name": "Oak board",
        "brand": "Boardwright",
        "category": "kitchen/boards",
        "description": "Oiled oak.",
        "sku-0": "OAK-S",
        "price-0": "29.90",
        "options-0": "size: S",
        "sku-1": "OAK-L",
        "price-1": "45",
        "options-1": "size: L",
        "sku-2": "",
        "price-2": "",
        "options-2": "",
    }
    return form | changes


def created_board(container: Container, client: TestClient[Litestar], token: str) -> Product:
    answer = client.post("/staff/products", data=board_form(token))
    assert answer.status_code == 303, answer.text
    caught_up(container)
    (product,) = store(container).products.values()
    return product


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_from_every_staff_page(
    client: TestClient[Litestar],
) -> None:
    for path in ("/staff/products", "/staff/sales", "/staff/promo-codes", FORM_PAGE):
        answer = client.get(path)

        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/sign-in?next={path.replace('/', '%2F')}"


def test_a_customer_who_opens_a_staff_page_gets_a_forbidden_page_and_no_staff_link(
    client: TestClient[Litestar],
) -> None:
    signed_up(client)

    home = client.get("/")
    answers = [client.get(p) for p in ("/staff/products", "/staff/sales", "/staff/promo-codes")]

    assert 'href="/staff/products"' not in home.text
    for answer in answers:
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")
        assert "needs the role operator" in answer.text


def test_each_staff_page_needs_the_role_its_api_route_needs(
    container: Container, client: TestClient[Litestar]
) -> None:
    as_staff(container, client, "stock_operator")
    products_page = client.get("/staff/products")  # where a stock operator finds a product
    new_product_page = client.get("/staff/products/new")
    stock_page = client.get(f"/staff/stock/{uuid.uuid4()}")
    as_staff(container, client, "operator")
    home = client.get("/")
    stock_for_operator = client.get(f"/staff/stock/{uuid.uuid4()}")

    assert products_page.status_code == 200
    assert new_product_page.status_code == 403
    assert 'href="/cart"' not in new_product_page.text  # staff who do not shop get no cart link
    assert stock_page.status_code == 404  # let in: there is no such product
    assert stock_for_operator.status_code == 403
    assert 'href="/staff">Staff</a>' in home.text


def test_staff_create_a_product_with_two_variants_and_find_it_in_their_list(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)

    product = created_board(container, client, token)
    listed = client.get("/staff/products", params={"q": "oak"})
    edit = client.get(f"/staff/products/{product.id}")

    assert [(v.sku, v.price.amount, v.attributes) for v in product.variants] == [
        ("OAK-S", 2990, {"size": "S"}),
        ("OAK-L", 4500, {"size": "L"}),
    ]
    assert set(store(container).stock) == {"OAK-S", "OAK-L"}
    assert f'href="/staff/products/{product.id}">Oak board</a>' in listed.text
    assert edit.status_code == 200
    assert 'value="29.90"' in edit.text
    assert "size: L" in edit.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "name: is required"),
        ({"price-1": "twelve"}, "variant 2 price: must be an amount such as 12.50"),
        ({"price-1": ""}, "variant 2 price: is required"),
        ({"sku-1": "OAK L!"}, "variant 2 sku: holds characters that are not allowed here"),
        ({"options-1": "large"}, "variant 2 options: write options as name: value"),
        (
            {
                "sku-0": "",
                "price-0": "",
                "options-0": "",
                "sku-1": "",
                "price-1": "",
                "options-1": "",
            },
            "variants: ",
        ),
        ({"images": "ftp://example.com/a.png"}, "images[0]: "),
    ],
)
def test_a_product_form_with_bad_input_is_drawn_again_saying_what_to_change_and_writes_nothing(
    container: Container, client: TestClient[Litestar], changes: dict[str, str], message: str
) -> None:
    token = as_staff(container, client)

    answer = client.post("/staff/products", data=board_form(token, **changes))

    assert answer.status_code == 422
    assert message in answer.text
    assert 'value="Boardwright"' in answer.text  # what was typed is kept
    assert store(container).products == {}


def test_a_sku_that_exists_already_is_refused_on_the_form(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    created_board(container, client, token)

    again = client.post("/staff/products", data=board_form(token, name="Another board"))

    assert again.status_code == 409
    assert "OAK-S" in again.text
    assert len(store(container).products) == 1


def test_staff_reprice_retire_and_add_variants_and_archive_a_product(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)
    edit = client.get(f"/staff/products/{product.id}")
    assert 'name="existing-0"' in edit.text
    form = board_form(
        token,
        version=drawn_version(edit.text),
        **{"existing-0": "1", "was-price-0": "29.90", "price-0": "24.50"},
        **{"existing-1": "1", "was-price-1": "45.00", "price-1": "45.00", "retired-1": "1"},
        **{"sku-2": "OAK-XL", "price-2": "60", "options-2": "size: XL"},
    )

    changed = client.post(f"/staff/products/{product.id}", data=form)
    archived = client.post(f"/staff/products/{product.id}/archive", data={"_csrf_token": token})

    assert changed.status_code == 303, changed.text
    assert archived.headers["location"] == "/staff/products"
    saved = store(container).products[product.id]
    assert [(v.sku, v.price.amount, v.retired) for v in saved.variants] == [
        ("OAK-S", 2450, False),
        ("OAK-L", 4500, True),
        ("OAK-XL", 6000, False),
    ]
    assert saved.archived


def test_a_change_that_empties_the_name_is_refused_and_the_product_stays_as_it_was(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)

    form = {"_csrf_token": token, "name": "", "version": str(product.version)}

    answer = client.post(f"/staff/products/{product.id}", data=form)

    assert answer.status_code == 422
    assert "name: must be at least 1 characters" in answer.text
    assert store(container).products[product.id].details.name == "Oak board"


def test_stock_staff_receive_and_write_off_stock_with_a_reason(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client, "operator", "stock_operator")
    product = created_board(container, client, token)
    page = client.get(f"/staff/stock/{product.id}")
    form = {"_csrf_token": token, "sku": "OAK-L", "quantity": "7", "reason": "delivery 4711"}

    received = client.post(f"/staff/stock/{product.id}", data=form | {"kind": "receive"})
    written_off = client.post(
        f"/staff/stock/{product.id}", data=form | {"kind": "write_off", "quantity": "2"}
    )

    caught_up(container)
    after = client.get(f"/staff/stock/{product.id}")

    assert page.status_code == 200
    assert '<td class="num available">0</td>' in page.text
    assert received.status_code == written_off.status_code == 303
    assert received.headers["location"] == f"/staff/stock/{product.id}"
    assert store(container).stock["OAK-L"].on_hand == 5
    assert available(after.text) == {"OAK-S": 0, "OAK-L": 5}


def available(html: str) -> dict[str, int]:
    """The stock page's "Available" column, by SKU."""
    rows = re.findall(r'<th scope="row">([^<]+)</th>.*?class="num available">(\d+)<', html, re.S)
    return {sku: int(count) for sku, count in rows}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "0"}, "quantity: must be at least 1"),
        ({"quantity": "many"}, "quantity: must be a whole number"),
        ({"reason": ""}, "reason: is required"),
        ({"kind": "steal"}, "kind: is not one of the choices"),
        ({"kind": "write_off", "quantity": "3"}, "OAK-L"),  # more than there is
        ({"sku": "NOPE-1"}, "NOPE-1"),
    ],
)
def test_a_stock_adjustment_with_bad_input_is_refused_on_the_page(
    container: Container, client: TestClient[Litestar], changes: dict[str, str], message: str
) -> None:
    token = as_staff(container, client, "operator", "stock_operator")
    product = created_board(container, client, token)
    form = {"_csrf_token": token, "sku": "OAK-L", "kind": "receive", "quantity": "1"}

    answer = client.post(f"/staff/stock/{product.id}", data=form | {"reason": "x"} | changes)

    assert answer.status_code in (404, 409, 422)
    assert message in answer.text
    assert "Adjust stock" in answer.text  # the form again, not an error page
    assert store(container).stock["OAK-L"].on_hand == 0


def sale_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": token,
        "name": "Winter sale",
        "kind": "percent",
        "value": "20",
        "product_ids": "",
        "brands": "Boardwright",
        "categories": "",
        "starts_at": "2026-11-22T09:00",  # the day before NOW: in force
        "ends_at": "2026-12-01T09:00",
    }
    return form | changes


def test_staff_start_a_sale_see_it_by_status_then_end_and_cancel_it(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    new = client.get("/staff/sales/new", params={"product": str(uuid.UUID(int=7))})
    created = client.post("/staff/sales", data=sale_form(token))
    caught_up(container)
    (sale,) = store(container).sales.values()
    active = client.get("/staff/sales", params={"status": "active"})
    scheduled = client.get("/staff/sales", params={"status": "scheduled"})
    ended = client.post(f"/staff/sales/{sale.id}/end", data={"_csrf_token": token})
    cancelled = client.post(f"/staff/sales/{sale.id}/delete", data={"_csrf_token": token})

    assert str(uuid.UUID(int=7)) in new.text  # "start a sale on it" fills the product in
    assert created.headers["location"] == "/staff/sales"
    assert sale.terms.discount.percent_off == 20
    assert sale.terms.applies_to.brands == ("Boardwright",)
    assert sale.terms.starts_at.isoformat() == "2026-11-22T09:00:00+00:00"  # read as UTC
    assert "Winter sale" in active.text
    assert "Winter sale" not in scheduled.text
    assert ended.status_code == cancelled.status_code == 303
    assert store(container).sales[sale.id].deleted


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": ""}, "value: is required"),
        ({"value": "150"}, "percent_off: must be"),
        ({"kind": "amount", "value": "5,5x"}, "amount off: must be an amount"),
        ({"ends_at": "2026-11-22T08:00"}, "ends_at"),
        ({"starts_at": "soon"}, "starts_at: must be a date and time"),
        ({"brands": ""}, "applies_to"),
        ({"product_ids": "not-an-id"}, "applies_to.product_ids[0]: is not valid"),
    ],
)
def test_a_sale_form_with_bad_input_says_what_to_change_and_writes_nothing(
    container: Container, client: TestClient[Litestar], changes: dict[str, str], message: str
) -> None:
    token = as_staff(container, client)

    answer = client.post("/staff/sales", data=sale_form(token, **changes))

    assert answer.status_code == 422
    assert message in answer.text
    assert 'value="Winter sale"' in answer.text
    assert store(container).sales == {}


def code_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "_csrf_token": token,
        "code": "winter10",
        "kind": "amount",
        "value": "10",
        "min_subtotal": "50",
        "max_redemptions": "100",
        "per_customer_limit": "",
        "starts_at": "2026-12-01T09:00",  # after NOW: not started yet
        "ends_at": "2026-12-08T09:00",
    }
    return form | changes


def test_staff_create_a_promo_code_see_it_listed_and_disable_it(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)

    created = client.post("/staff/promo-codes", data=code_form(token))
    caught_up(container)
    listed = client.get("/staff/promo-codes", params={"status": "not_started"})
    disabled = client.post("/staff/promo-codes/winter10/disable", data={"_csrf_token": token})

    assert created.headers["location"] == "/staff/promo-codes"
    promo = store(container).promo_codes["WINTER10"]
    assert promo.terms.discount.amount_off is not None
    assert promo.terms.discount.amount_off.amount == 1000
    assert promo.terms.min_subtotal is not None
    assert promo.terms.min_subtotal.amount == 5000
    assert promo.terms.max_redemptions == 100
    assert "WINTER10" in listed.text
    assert disabled.status_code == 303
    assert store(container).promo_codes["WINTER10"].disabled


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "a!"}, "code: holds characters that are not allowed here"),
        ({"max_redemptions": "0"}, "max_redemptions: must be at least 1"),
        ({"min_subtotal": "lots"}, "minimum subtotal: must be an amount"),
        ({"kind": "percent", "value": "0"}, "percent_off: must be at least 1"),
    ],
)
def test_a_promo_code_form_with_bad_input_says_what_to_change_and_writes_nothing(
    container: Container, client: TestClient[Litestar], changes: dict[str, str], message: str
) -> None:
    token = as_staff(container, client)

    answer = client.post("/staff/promo-codes", data=code_form(token, **changes))

    assert answer.status_code == 422
    assert message in answer.text
    assert store(container).promo_codes == {}


def test_a_code_taken_already_is_refused_on_the_form(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    client.post("/staff/promo-codes", data=code_form(token))

    again = client.post("/staff/promo-codes", data=code_form(token, code="WINTER10"))

    assert again.status_code == 409
    assert "New promo code" in again.text


def test_a_bad_new_variant_on_the_edit_page_is_named_by_its_row_and_nothing_changes(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)
    unchanged = {"existing-0": "1", "was-price-0": "29.90", "existing-1": "1", "version": "1"}
    form = board_form(token, **unchanged, **{"was-price-1": "45", "sku-2": "OAK XL!"})

    answer = client.post(f"/staff/products/{product.id}", data=form | {"price-2": "60"})

    assert answer.status_code == 422
    assert "variant 3 sku: holds characters that are not allowed here" in answer.text
    assert len(store(container).products[product.id].variants) == 2


def drawn_version(html: str) -> str:
    """The version an edit form was drawn from (its hidden field)."""
    found = re.search(r'<input type="hidden" name="version" value="(\d+)">', html)
    assert found, "the edit form carries no version"
    return found[1]


def renamed_elsewhere(container: Container, product: Product, name: str) -> None:
    """Another member of staff (or the API) renames the product."""
    command = ChangeProduct(product_id=product.id, details={"name": name})
    asyncio.run(change_product(command, container.uow(), "EUR"))


def test_an_edit_form_drawn_before_someone_elses_change_is_refused_and_drawn_as_it_is_now(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)
    stale = client.get(f"/staff/products/{product.id}")
    renamed_elsewhere(container, product, "Oak board, oiled")
    caught_up(container)
    form = board_form(token, version=drawn_version(stale.text), description="Waxed oak.")

    refused = client.post(f"/staff/products/{product.id}", data=form)
    again = client.post(
        f"/staff/products/{product.id}", data=form | {"version": drawn_version(refused.text)}
    )

    assert drawn_version(stale.text) == "1"
    assert refused.status_code == 412
    assert "Someone changed this product since you opened it" in refused.text
    assert 'value="Oak board, oiled"' in refused.text  # the product as it is now
    assert drawn_version(refused.text) == "2"
    assert again.status_code == 303  # made again from the page as it is now
    saved = store(container).products[product.id].details
    assert (saved.name, saved.description) == ("Oak board", "Waxed oak.")


def test_a_refused_stale_edit_writes_nothing(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)
    stale = drawn_version(client.get(f"/staff/products/{product.id}").text)
    renamed_elsewhere(container, product, "Oak board, oiled")
    events = len(store(container).outbox)

    form = board_form(token, version=stale, name="Walnut board", **{"price-0": "19"})
    answer = client.post(f"/staff/products/{product.id}", data=form)

    saved = store(container).products[product.id]
    assert answer.status_code == 412
    assert saved.details.name == "Oak board, oiled"
    assert saved.variants[0].price.amount == 2990
    assert len(store(container).outbox) == events


def test_an_edit_form_drawn_from_a_read_model_behind_a_change_is_refused(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)
    renamed_elsewhere(container, product, "Oak board, oiled")  # not projected yet
    behind = client.get(f"/staff/products/{product.id}")

    form = board_form(token, version=drawn_version(behind.text), name="Walnut board")
    answer = client.post(f"/staff/products/{product.id}", data=form)

    assert 'value="Oak board"' in behind.text  # the read model has not seen the rename
    assert answer.status_code == 412
    assert store(container).products[product.id].details.name == "Oak board, oiled"


@pytest.mark.parametrize("version", ["", "one", "²"])
def test_an_edit_form_without_the_version_it_was_drawn_from_is_refused(
    container: Container, client: TestClient[Litestar], version: str
) -> None:
    token = as_staff(container, client)
    product = created_board(container, client, token)

    answer = client.post(
        f"/staff/products/{product.id}", data=board_form(token, version=version, name="Walnut")
    )

    assert answer.status_code == 422
    assert "version: is missing: reload the page" in answer.text
    assert store(container).products[product.id].details.name == "Oak board"


def test_stock_staff_set_the_counted_level_and_see_it_after_the_redirect(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client, "operator", "stock_operator")
    product = created_board(container, client, token)
    received = {"sku": "OAK-L", "kind": "receive", "quantity": "7", "reason": "delivery 4711"}
    client.post(f"/staff/stock/{product.id}", data={"_csrf_token": token} | received)
    page = client.get(f"/staff/stock/{product.id}")

    counted = client.post(
        f"/staff/stock/{product.id}/count",
        data={"_csrf_token": token, "sku": "OAK-L", "on_hand": "3"},
    )
    caught_up(container)
    after = client.get(f"/staff/stock/{product.id}")

    assert f'action="/staff/stock/{product.id}/count"' in page.text
    assert counted.status_code == 303
    assert counted.headers["location"] == f"/staff/stock/{product.id}"
    assert "consistency=" in counted.headers["set-cookie"]  # the next page waits for the count
    assert store(container).stock["OAK-L"].on_hand == 3  # the count, not 7 + 3
    assert available(after.text) == {"OAK-S": 0, "OAK-L": 3}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"on_hand": "-1"}, "on_hand: must be at least 0"),
        ({"on_hand": "many"}, "on_hand: must be a whole number"),
        ({"on_hand": "2.5"}, "on_hand: must be a whole number"),
        ({"on_hand": ""}, "on_hand: is required"),
        ({"on_hand": "1000000001"}, "on_hand: must be at most 1000000000"),
        ({"sku": "NOPE-1"}, "NOPE-1 is not a variant of this product"),
    ],
)
def test_a_counted_level_with_bad_input_is_refused_on_its_form_and_writes_nothing(
    container: Container, client: TestClient[Litestar], changes: dict[str, str], message: str
) -> None:
    token = as_staff(container, client, "operator", "stock_operator")
    product = created_board(container, client, token)
    events = len(store(container).outbox)
    form = {"_csrf_token": token, "sku": "OAK-L", "on_hand": "4"}

    answer = client.post(f"/staff/stock/{product.id}/count", data=form | changes)

    assert answer.status_code == 422
    refusal = answer.text.index(message)
    assert answer.text.index("Set the counted level") < refusal  # said above the form sent
    assert f'value="{changes.get("on_hand", "4")}"' in answer.text  # what was typed is kept
    assert store(container).stock["OAK-L"].on_hand == 0
    assert len(store(container).outbox) == events


def test_setting_a_counted_level_needs_the_stock_role_as_its_api_route_does(
    container: Container, client: TestClient[Litestar]
) -> None:
    token = as_staff(container, client, "operator", "stock_operator")
    product = created_board(container, client, token)
    path = f"/staff/stock/{product.id}/count"
    form = {"sku": "OAK-L", "on_hand": "9"}
    as_staff(container, client, "operator")
    operator = client.post(path, data=form | {"_csrf_token": token})
    client.cookies.clear()
    signed_up(client)
    customer = client.post(path, data=form | {"_csrf_token": csrf_token(client, "/")})
    client.cookies.clear()
    visitor = client.post(path, data=form | {"_csrf_token": csrf_token(client)})
    as_staff(container, client, "stock_operator")
    forged = client.post(path, data=form)  # no form token: not sent from our page

    assert operator.status_code == customer.status_code == 403
    assert "needs the role stock_operator" in customer.text
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/sign-in?next=")
    assert forged.status_code == 403
    assert "This form has expired" in forged.text
    assert store(container).stock["OAK-L"].on_hand == 0
