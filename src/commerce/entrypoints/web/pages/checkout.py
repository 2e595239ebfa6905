"""Checkout and payment: the same handlers as `POST /v1/orders` and its payments. A checkout
form carries a key made when the page was drawn (`attempt`), from which the order's and the
payment's ids are derived as the API derives them from `Idempotency-Key`: a form sent twice
(a double click, a reload) finds the order and the charge of the first, never makes more."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from commerce.adapters.payments.ledger import DECLINING_TOKENS, SUCCEEDING_TOKENS, TIMEOUT_TOKEN
from commerce.application.cart import get_cart
from commerce.application.checkout import PlaceOrder, place_order
from commerce.application.order_queries import get_order, list_orders, order_detail
from commerce.application.payments import SubmitPayment, submit_payment
from commerce.domain.account import CARD_NUMBER_MESSAGE, looks_like_card_number
from commerce.domain.errors import DomainError, DomainValidationError
from commerce.domain.values import Address, Money
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.orders import TOKEN_PATTERN
from commerce.entrypoints.http.problems import domain_problem
from commerce.entrypoints.web.forms import decode, fields
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.accounts import AccountProfiles
from commerce.ports.auth import Principal
from commerce.ports.cart_views import CartViews
from commerce.ports.clock import Clock
from commerce.ports.idempotency import derived_id
from commerce.ports.order_views import OrderQuery, OrderViews
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country")
# The sandbox gateway's test tokens, as the checkout explains them (from its own rules).
TEST_TOKENS = [
    *((token, "the payment succeeds") for token in sorted(SUCCEEDING_TOKENS - {TIMEOUT_TOKEN})),
    *(
        (token, f"declined: {reason.replace('_', ' ')}")
        for token, reason in DECLINING_TOKENS.items()
    ),
    (
        TIMEOUT_TOKEN,
        "the gateway does not answer: the payment stays pending until it is asked again",
    ),
]


class CardForm(msgspec.Struct, frozen=True, kw_only=True):
    token: Annotated[str, msgspec.Meta(pattern=TOKEN_PATTERN)]
    attempt: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class PayForm(CardForm, frozen=True, kw_only=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000_000)]


def card(form: dict[str, str], kind: type[CardForm]) -> Any:
    """The card's gateway token; a card number typed in is refused and never shown again."""
    if looks_like_card_number(form.get("token", "")):
        raise DomainValidationError("token", CARD_NUMBER_MESSAGE)
    return decode(form, kind)


class CheckoutPages(Controller):
    path = "/"
    guards = [requires_role("customer")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/checkout", name="checkout")
    async def checkout_page(
        self,
        *,
        principal: Injected[Principal],
        cart_views: Injected[CartViews],
        order_views: Injected[OrderViews],
        account_profiles: Injected[AccountProfiles],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Template:
        cart = await get_cart(principal.account_id, cart_views, uow, clock, settings.currency)
        address = await _last_address(principal, order_views, account_profiles)
        values = msgspec.structs.asdict(address) if address else {}
        return _checkout(cart, values)

    @post("/checkout", status_code=303)
    async def checkout(
        self,
        *,
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        cart_views: Injected[CartViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
        payment_gateway: Injected[PaymentGateway],
    ) -> Template | Redirect:
        form = fields(await request.form())
        scope = str(principal.account_id)
        try:
            address = decode({k: form.get(k, "") for k in ADDRESS_FIELDS}, Address)
            data = card(form, CardForm)
            command = PlaceOrder(
                order_id=derived_id(scope, data.attempt, "order"),
                customer_id=principal.account_id,
                shipping_address=address,
            )
            window = timedelta(seconds=settings.payment_window)
            placed = await place_order(command, uow, clock, window, settings.currency)
        except DomainError as error:
            cart = await get_cart(principal.account_id, cart_views, uow, clock, settings.currency)
            values = {k: form.get(k, "") for k in ADDRESS_FIELDS}
            return _checkout(cart, values, error)
        due = order_detail(placed.order).balance_due
        if due.amount == 0:  # a free order is paid already
            return after_command(f"/orders/{placed.order.id}", placed.event_ids)
        payment = SubmitPayment(
            order_id=placed.order.id,
            payment_id=derived_id(scope, data.attempt, "payment"),
            customer_id=principal.account_id,
            amount=due,
            token=data.token,
        )
        paid = await submit_payment(payment, uow, payment_gateway, clock)
        path = f"/orders/{placed.order.id}/payments/{paid.payment.id}"
        return after_command(path, [*placed.event_ids, *paid.event_ids])

    @post("/orders/{order_id:uuid}/pay", status_code=303)
    async def pay(
        self,
        *,
        order_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
        payment_gateway: Injected[PaymentGateway],
    ) -> Redirect:
        """Pay what is left, after a declined card: from the order page."""
        data = card(fields(await request.form()), PayForm)
        payment = SubmitPayment(
            order_id=order_id,
            payment_id=derived_id(str(principal.account_id), data.attempt, "payment"),
            customer_id=principal.account_id,
            amount=Money(data.amount, settings.currency),
            token=data.token,
        )
        paid = await submit_payment(payment, uow, payment_gateway, clock)
        return after_command(f"/orders/{order_id}/payments/{paid.payment.id}", paid.event_ids)

    @get("/orders/{order_id:uuid}/payments/{payment_id:uuid}", name="payment-result")
    async def payment_result(
        self,
        order_id: FromPath[UUID],
        payment_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> Template:
        order = await get_order(order_id, principal, order_views)
        payment = next((p for p in order.payments if p.id == payment_id), None)
        return page("payment.html", order=order, payment=payment, attempt=uuid.uuid4().hex)


def _checkout(cart: Any, values: dict[str, Any], error: DomainError | None = None) -> Template:
    problem = domain_problem(error)[0] if error else None
    return page(
        "checkout.html",
        problem.status if problem else 200,
        cart=cart,
        values=values,
        tokens=TEST_TOKENS,
        attempt=uuid.uuid4().hex,
        error=problem.detail if problem else None,
        bad_field=error.field if isinstance(error, DomainValidationError) else None,
    )


async def _last_address(
    principal: Principal, order_views: OrderViews, account_profiles: AccountProfiles
) -> Address | None:
    """Where the last order went; else the account's shipping address."""
    last = await list_orders(OrderQuery(customer_id=principal.account_id, limit=1), order_views)
    if last.items:
        return (await get_order(last.items[0].id, principal, order_views)).shipping_address
    return (await account_profiles.get(principal.account_id)).shipping_address
