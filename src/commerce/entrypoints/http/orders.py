"""The customer's orders: checkout, the dashboard and detail, paying, cancelling, the address.

Commands answer from the write side, in the same shape as the queries (`order_detail`); the
queries read the `orders` read model and honour `Consistency-Token`. Unsafe POSTs take an
`Idempotency-Key`, from which the id of what they create is derived (`derived_id`), so a
retry finds it instead of creating another.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, JSONBody

from commerce.adapters.prometheus.commands import CHECKOUTS, PAYMENTS, counted
from commerce.application.checkout import PlaceOrder, place_order
from commerce.application.order_queries import (
    PaymentPage,
    get_order,
    list_orders,
    list_payments,
)
from commerce.application.orders import (
    CancelOrder,
    ChangeShippingAddress,
    cancel_order,
    change_shipping_address,
)
from commerce.application.payments import (
    SubmitPayment,
    submit_payment,
)
from commerce.domain.account import CARD_NUMBER_MESSAGE, looks_like_card_number
from commerce.domain.errors import DomainValidationError
from commerce.domain.order import CancelReason
from commerce.domain.values import Address
from commerce.entrypoints.http.auth import requires_role, signed_in
from commerce.entrypoints.http.bodies import MoneyBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.idempotency import Idempotency
from commerce.entrypoints.http.order_responses import (
    Cursor,
    Limit,
    PlacedFrom,
    PlacedTo,
    Q,
    Statuses,
    order_response,
    order_url,
    payment_response,
)
from commerce.entrypoints.http.problems import problem_specs
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery, OrderViews, PaymentView
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.product_search import DEFAULT_LIMIT
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

TOKEN_PATTERN = "^[A-Za-z0-9_]{1,100}$"  # noqa: S105 (a pattern, not a secret)


class CheckoutBody(msgspec.Struct, frozen=True, kw_only=True):
    """Both default to the account's addresses (billing: to the shipping address)."""

    shipping_address: Address | None = None
    billing_address: Address | None = None


class ShippingAddressBody(msgspec.Struct, frozen=True, kw_only=True):
    shipping_address: Address


class PaymentBody(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of a saved card (`payment_method_id`) and a gateway `token`."""

    amount: MoneyBody
    payment_method_id: UUID | None = None
    token: Annotated[str, msgspec.Meta(pattern=TOKEN_PATTERN)] | None = None


class OrdersController(Controller):
    path = "/v1/orders"
    tags = ["orders"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @post(
        "/",
        operation_id="placeOrder",
        summary="Place an order from the cart",
        guards=[requires_role("customer")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def place(
        self,
        *,
        principal: Injected[Principal],
        idempotency: Injected[Idempotency],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
        data: JSONBody[CheckoutBody | None] = None,
    ) -> Response[OrderDetail]:
        """The cart's lines are priced now (sales in force, the cart's promo code) and their
        stock reserved, all or nothing; the code is redeemed; the cart is emptied. An order
        with nothing to pay is `paid` at once. The body may be left out. 409 `out_of_stock`
        names every SKU short; 422 for an empty cart, no shipping address here nor in the
        account, or a code that no longer applies (with its `reason`, as
        `PUT /v1/cart/promo-code` gives it: remove the code, or check out again)."""
        body = data or CheckoutBody()
        command = PlaceOrder(
            order_id=idempotency.derived_id("order"),
            customer_id=principal.account_id,
            shipping_address=body.shipping_address,
            billing_address=body.billing_address,
        )
        window = timedelta(seconds=settings.payment_window)
        placing = place_order(command, uow, clock, window, settings.currency)
        result = await counted(CHECKOUTS, placing, lambda _: "placed")
        return order_response(result, status_code=201, location=order_url(result))

    @get(
        "/",
        operation_id="listOwnOrders",
        summary="The customer's own orders, newest first",
        guards=[requires_role("customer")],
        cache=False,
        responses=problem_specs(400, 401, 403, 422, 503),
    )
    async def list_own(
        self,
        *,
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        status: Statuses = None,
        q: Q = None,
        placed_from: PlacedFrom = None,
        placed_to: PlacedTo = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> OrderPage:
        query = OrderQuery(
            customer_id=principal.account_id,
            statuses=list(status or []),
            q=q,
            placed_from=placed_from,
            placed_to=placed_to,
            limit=limit,
            cursor=cursor,
        )
        return await list_orders(query, order_views)

    @get(
        "/{order_id:uuid}",
        operation_id="getOrder",
        summary="An order's detail (its owner or staff)",
        guards=[signed_in],
        cache=False,
        responses=problem_specs(400, 401, 404, 422, 503),
    )
    async def detail(
        self,
        *,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> OrderDetail:
        return await get_order(order_id, principal, order_views)

    @post(
        "/{order_id:uuid}/cancel",
        operation_id="cancelOrder",
        summary="Cancel an order before it ships (its owner or an operator)",
        status_code=200,
        guards=[signed_in],
        responses=problem_specs(401, 404, 409),
    )
    async def cancel(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Response[OrderDetail]:
        """An operator cancels any order (reason `operator`), a customer their own (reason
        `customer`). The stock is released and captured payments refunded right after. 409
        once shipped."""
        if principal.may_act_as("operator"):
            command = CancelOrder(order_id=order_id, reason=CancelReason.OPERATOR)
        else:
            command = CancelOrder(
                order_id=order_id,
                reason=CancelReason.CUSTOMER,
                customer_id=principal.account_id,
            )
        return order_response(await cancel_order(command, uow, clock))

    @patch(
        "/{order_id:uuid}",
        operation_id="changeOrderShippingAddress",
        summary="Change the shipping address until the order ships",
        guards=[requires_role("customer")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def change(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[ShippingAddressBody],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Response[OrderDetail]:
        command = ChangeShippingAddress(
            order_id=order_id,
            customer_id=principal.account_id,
            shipping_address=data.shipping_address,
        )
        return order_response(await change_shipping_address(command, uow, clock))

    @post(
        "/{order_id:uuid}/payments",
        operation_id="payOrder",
        summary="Pay an order, in full or in part",
        guards=[requires_role("customer")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def pay(
        self,
        *,
        order_id: FromPath[UUID],
        data: JSONBody[PaymentBody],
        principal: Injected[Principal],
        idempotency: Injected[Idempotency],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
        payment_gateway: Injected[PaymentGateway],
    ) -> Response[PaymentView]:
        """With a saved card (`payment_method_id`) or a gateway `token`, never a card number
        (a 422 that does not echo it). A declined card is a 201 with the payment `failed`; a
        gateway that does not answer leaves it `pending` until it is asked again. 422 for more
        than the balance due; 409 unless the order awaits payment."""
        _check_payment(data, settings.currency)
        command = SubmitPayment(
            order_id=order_id,
            payment_id=idempotency.derived_id("payment"),
            customer_id=principal.account_id,
            amount=data.amount.to_money(),
            payment_method_id=data.payment_method_id,
            token=data.token,
        )
        paying = submit_payment(command, uow, payment_gateway, clock)
        result = await counted(PAYMENTS, paying, lambda done: str(done.payment.status))
        return payment_response(result, status_code=201)

    @get(
        "/{order_id:uuid}/payments",
        operation_id="listOrderPayments",
        summary="An order's payments and what was refunded of each (its owner or staff)",
        guards=[signed_in],
        cache=False,
        responses=problem_specs(400, 401, 404, 422, 503),
    )
    async def payments(
        self,
        *,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> PaymentPage:
        return await list_payments(order_id, principal, order_views)


def _check_payment(data: PaymentBody, currency: str) -> None:
    if data.token is not None and looks_like_card_number(data.token):
        raise DomainValidationError("token", CARD_NUMBER_MESSAGE)
    if (data.payment_method_id is None) == (data.token is None):
        raise DomainValidationError("token", "give exactly one of payment_method_id and token")
    if data.amount.currency != currency:
        raise DomainValidationError("amount.currency", f"must be {currency}, the store's currency")
