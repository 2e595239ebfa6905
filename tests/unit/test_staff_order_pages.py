"""The staff's order pages over HTTP with in-memory twins: the API's role guards, the list's
filters, and each action's form refusing what the order or the input does not allow with a
message on the page."""

import re
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.order_views import InMemoryOrderViews
from commerce.adapters.memory.payment_gateway import InMemoryPaymentGateway
from commerce.adapters.memory.unit_of_work import InMemoryUnitOfWork
from commerce.application.checkout import OrderChanged
from commerce.application.payments import SubmitPayment, submit_payment
from commerce.container import Container
from commerce.domain.order import Order
from commerce.entrypoints.web.staff_order_filters import staff_order_params, staff_order_query
from tests.shop import check_out, customer_with_cart, order_of, stocked_product, unique_sku
from tests.storefront import browser, csrf_token, storefront_container
from tests.support import NOW, ViewsOfStore, eur


@pytest.fixture
def container() -> Container:
    container = storefront_container(FixedClock(NOW))
    uow = container.uow()
    assert isinstance(uow, InMemoryUnitOfWork)
    container.order_views.override(ViewsOfStore(uow.store, InMemoryOrderViews()))
    return container


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    with browser(container) as client:
        yield client


async def placed(container: Container) -> OrderChanged:
    sku = unique_sku("KT")
    product_id = await stocked_product(container.uow, {sku: 3}, price=1500)
    customer = await customer_with_cart(container.uow, {sku: 2}, product_id)
    return await check_out(container.uow, container.clock(), customer)


async def paid_order(container: Container, *parts: int) -> Order:
    """An order of 30.00 EUR, paid through the app's own gateway twin: in full, or in
    `parts` (minor units)."""
    order = (await placed(container)).order
    for amount in parts or (order.total.amount,):
        command = SubmitPayment(
            order_id=order.id,
            payment_id=uuid.uuid4(),
            customer_id=order.customer_id,
            amount=eur(amount),
            token="tok_visa",
        )
        gateway = container.payment_gateway()
        await submit_payment(command, container.uow(), gateway, container.clock())
    return await order_of(container.uow, order.id)


def signed_in_as(client: TestClient[Litestar], container: Container, *roles: str) -> None:
    token = container.token_issuer().issue(uuid.uuid4(), frozenset(roles))
    client.cookies.set("session", token.access_token)


def test_an_anonymous_visitor_of_the_staff_orders_is_sent_to_sign_in_and_back(
    client: TestClient[Litestar],
) -> None:
    answer = client.get("/staff/orders", params={"status": "paid"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fstaff%2Forders%3Fstatus%3Dpaid"


async def test_a_customer_who_opens_a_staff_page_or_posts_its_form_gets_a_403_page(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    signed_in_as(client, container, "customer")
    token = csrf_token(client, "/")

    pages = [client.get("/staff/orders"), client.get(f"/staff/orders/{order.id}")]
    ship = client.post(
        f"/staff/orders/{order.id}/ship",
        data={"_csrf_token": token, "carrier": "DHL", "tracking_number": "T1"},
    )

    for answer in [*pages, ship]:
        assert answer.status_code == 403
        assert answer.headers["content-type"].startswith("text/html")
        assert "needs the role" in answer.text
    assert (await order_of(container.uow, order.id)).status == "paid"
    assert 'href="/staff/orders"' not in client.get("/").text  # no staff entry for customers


async def test_staff_find_an_order_by_its_customers_email_and_status(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    other = (await placed(container)).order
    signed_in_as(client, container, "operator")
    email = await _account_email(container, order)

    found = client.get("/staff/orders", params={"customer_email": email.upper(), "status": "paid"})
    unpaid = client.get("/staff/orders", params={"status": "awaiting_payment"})

    assert found.status_code == 200
    assert f'href="/staff/orders/{order.id}"' in found.text
    assert f'href="/staff/orders/{other.id}"' not in found.text
    assert f'href="/staff/orders/{other.id}"' in unpaid.text
    assert 'name="status" value="paid" checked' in found.text  # the filters stay chosen
    assert 'href="/staff">Staff</a>' in found.text  # the navigation's staff entry


async def test_the_days_of_the_date_filters_are_taken_whole(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)  # placed on 23 Nov 2026, 10:00 UTC
    signed_in_as(client, container, "operator")
    link = f'href="/staff/orders/{order.id}"'

    that_day = client.get(
        "/staff/orders", params={"placed_from": "2026-11-23", "placed_to": "2026-11-23"}
    )
    the_day_before = client.get("/staff/orders", params={"placed_to": "2026-11-22"})
    the_day_after = client.get("/staff/orders", params={"placed_from": "2026-11-24"})

    assert link in that_day.text
    assert 'value="2026-11-23"' in that_day.text  # the filter stays in its field
    assert link not in the_day_before.text
    assert link not in the_day_after.text


def test_the_older_orders_link_asks_for_the_same_filters_from_the_cursor_on() -> None:
    query = staff_order_query(
        [
            ("status", "paid"),
            ("status", "shipped"),
            ("customer_email", "ada@example.com"),
            ("q", "kettle"),
            ("placed_from", "2026-11-01"),
            ("placed_to", "2026-11-30"),
        ]
    )

    older = staff_order_query(parse_qsl(staff_order_params(query, cursor="next-page")))

    assert older == msgspec.structs.replace(query, cursor="next-page")


def test_a_filter_the_page_would_not_write_is_a_page_naming_it(
    client: TestClient[Litestar], container: Container
) -> None:
    signed_in_as(client, container, "operator")

    bad_date = client.get("/staff/orders", params={"placed_from": "yesterday"})
    bad_status = client.get("/staff/orders", params={"status": "lost"})

    assert bad_date.status_code == 422
    assert "placed_from: must be a date such as 2026-12-31" in bad_date.text
    assert bad_status.status_code == 422
    assert "status: pick from the list" in bad_status.text


async def test_shipping_a_paid_order_shows_it_shipped_on_the_next_page(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    signed_in_as(client, container, "shipping_operator")
    page = client.get(f"/staff/orders/{order.id}")
    token = csrf_token(client, f"/staff/orders/{order.id}")

    shipped = client.post(
        f"/staff/orders/{order.id}/ship",
        data={"_csrf_token": token, "carrier": "DHL", "tracking_number": "JD0140"},
    )
    after = client.get(shipped.headers["location"])

    assert "Ship this order" in page.text
    assert "Refund" not in page.text  # refunds need the operator role
    assert shipped.status_code == 303
    assert "consistency" in shipped.headers["set-cookie"]  # the next page waits for it
    assert "DHL, tracking number <strong>JD0140</strong>" in after.text
    assert "Mark delivered" in after.text
    assert "Ship this order" not in after.text


async def test_shipping_without_a_carrier_says_so_and_keeps_the_tracking_number(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    signed_in_as(client, container, "shipping_operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")

    answer = client.post(
        f"/staff/orders/{order.id}/ship",
        data={"_csrf_token": token, "carrier": " ", "tracking_number": "JD0140"},
    )

    assert answer.status_code == 422
    assert "carrier: is required" in answer.text
    assert 'value="JD0140"' in answer.text
    assert (await order_of(container.uow, order.id)).status == "paid"


async def test_an_action_the_orders_state_forbids_is_refused_with_the_reason(
    client: TestClient[Litestar], container: Container
) -> None:
    unpaid = (await placed(container)).order
    signed_in_as(client, container, "admin")
    token = csrf_token(client, f"/staff/orders/{unpaid.id}")

    page = client.get(f"/staff/orders/{unpaid.id}")
    ship = client.post(
        f"/staff/orders/{unpaid.id}/ship",
        data={"_csrf_token": token, "carrier": "DHL", "tracking_number": "T1"},
    )
    deliver = client.post(f"/staff/orders/{unpaid.id}/delivered", data={"_csrf_token": token})

    assert "Ship this order" not in page.text  # no form the state would refuse
    assert "Mark delivered" not in page.text
    assert ship.status_code == 409
    assert "cannot ship: the order is awaiting_payment" in ship.text
    assert deliver.status_code == 409
    assert "cannot mark as delivered: the order is awaiting_payment" in deliver.text


async def test_a_refund_larger_than_what_was_paid_is_refused_and_nothing_is_refunded(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    payment = order.payments[0]
    signed_in_as(client, container, "operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")
    path = f"/staff/orders/{order.id}/payments/{payment.id}/refund"

    too_much = client.post(path, data={"_csrf_token": token, "attempt": "r1", "amount": "30.01"})
    not_money = client.post(path, data={"_csrf_token": token, "attempt": "r2", "amount": "ten"})

    assert too_much.status_code == 422
    assert "amount: must be between 0.01 and the 30.00 left to refund" in too_much.text
    assert 'value="30.01"' in too_much.text
    assert not_money.status_code == 422
    assert "amount: must be an amount such as 12.50" in not_money.text
    refunds = (await order_of(container.uow, order.id)).payments[0].refunds
    assert refunds == ()


async def test_a_refund_form_sent_twice_refunds_once(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    payment = order.payments[0]
    signed_in_as(client, container, "operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")
    path = f"/staff/orders/{order.id}/payments/{payment.id}/refund"
    form = {"_csrf_token": token, "attempt": "r1", "amount": "12,5"}

    first, second = client.post(path, data=form), client.post(path, data=form)
    after = client.get(first.headers["location"])

    assert (first.status_code, second.status_code) == (303, 303)
    refunds = (await order_of(container.uow, order.id)).payments[0].refunds
    assert [refund.amount.amount for refund in refunds] == [1250]
    assert "12.50 EUR refunded" in after.text
    assert "17.50 EUR left to refund" in after.text


async def test_refunding_each_payment_from_one_drawn_page_refunds_each_at_the_gateway(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container, 1000, 2000)
    signed_in_as(client, container, "operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")
    form = {"_csrf_token": token, "attempt": "page-1"}  # the key of the page both forms are on

    for payment in order.payments:
        path = f"/staff/orders/{order.id}/payments/{payment.id}/refund"
        assert client.post(path, data=form).status_code == 303

    gateway = container.payment_gateway()
    assert isinstance(gateway, InMemoryPaymentGateway)
    refunded = sorted(refund.amount.amount for refund in (await gateway.ledger()).refunds)
    assert refunded == [1000, 2000]


async def test_a_shipping_operator_may_ship_but_neither_refund_nor_cancel(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    signed_in_as(client, container, "shipping_operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")
    refund_path = f"/staff/orders/{order.id}/payments/{order.payments[0].id}/refund"

    page = client.get(f"/staff/orders/{order.id}")
    refund = client.post(refund_path, data={"_csrf_token": token, "attempt": "r1"})
    cancel = client.post(f"/staff/orders/{order.id}/cancel", data={"_csrf_token": token})

    assert "Ship this order" in page.text
    assert "Refund the payment" not in page.text
    assert "Cancel order" not in page.text
    assert (refund.status_code, cancel.status_code) == (403, 403)
    after = await order_of(container.uow, order.id)
    assert (after.status, after.payments[0].refunds) == ("paid", ())


async def test_an_operator_cancels_a_paid_order_as_the_operator(
    client: TestClient[Litestar], container: Container
) -> None:
    order = await paid_order(container)
    signed_in_as(client, container, "operator")
    token = csrf_token(client, f"/staff/orders/{order.id}")

    cancelled = client.post(f"/staff/orders/{order.id}/cancel", data={"_csrf_token": token})
    after = client.get(cancelled.headers["location"])

    assert cancelled.status_code == 303
    assert "Cancelled</span> (Operator)" in after.text
    assert "Cancel order" not in after.text


async def _account_email(container: Container, order: Order) -> str:
    async with container.uow() as uow:
        return (await uow.accounts.get(order.customer_id)).email


@pytest.mark.parametrize(
    ("roles", "sections"),
    [
        (("operator",), ["Orders", "Products", "Sales", "Promo codes"]),
        (("stock_operator",), ["Products"]),
        (("shipping_operator",), []),
        (("admin",), ["Orders", "Products", "Sales", "Promo codes"]),
    ],
)
def test_the_staff_page_lists_only_the_sections_a_members_roles_open(
    client: TestClient[Litestar], container: Container, roles: tuple[str, ...], sections: list[str]
) -> None:
    signed_in_as(client, container, *roles)

    answer = client.get("/staff")

    listed = re.findall(r'<li><a href="/staff/[a-z-]+">([^<]+)</a>', answer.text)
    assert answer.status_code == 200
    assert listed == sections
    if not sections:
        assert "shipping operators ship" in answer.text


def test_a_customer_who_opens_the_staff_page_gets_a_403_page(
    client: TestClient[Litestar], container: Container
) -> None:
    signed_in_as(client, container, "customer")

    answer = client.get("/staff")

    assert answer.status_code == 403
    assert 'href="/staff"' not in answer.text
