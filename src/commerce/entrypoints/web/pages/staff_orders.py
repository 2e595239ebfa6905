"""The staff's orders: every customer's orders (the `orders` read model, as
`GET /v1/admin/orders`), an order's page, and its actions with the API's commands and role
guards: ship and mark delivered (`shipping_operator`), refund and cancel (`operator`).

A refund form carries a key made when the page was drawn (`attempt`), from which the refund's
id is derived as the API derives it from `Idempotency-Key`: a form sent twice refunds once.
Shipping, delivery and cancelling are moves of the order's state machine: sent twice, the
second is refused by it and the page says why, showing the order as the first left it."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from commerce.application.checkout import OrderChanged
from commerce.application.order_queries import get_order, list_orders
from commerce.application.orders import (
    CancelOrder,
    DeliverOrder,
    ShipOrder,
    cancel_order,
    deliver_order,
    ship_order,
)
from commerce.application.payments import RefundPayment
from commerce.domain.account import STAFF_ROLES
from commerce.domain.errors import DomainError, DomainValidationError
from commerce.domain.order import (
    CANCELLABLE,
    CAPTURED,
    DELIVERABLE,
    SHIPPABLE,
    CancelReason,
    OrderStatus,
)
from commerce.domain.values import Money
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.orders_admin import ShipmentBody
from commerce.entrypoints.http.payments import counted_refund
from commerce.entrypoints.http.problems import domain_problem
from commerce.entrypoints.web.forms import decode, fields
from commerce.entrypoints.web.rendering import after_command, page
from commerce.entrypoints.web.staff_forms import minor_units
from commerce.entrypoints.web.staff_order_filters import staff_order_params, staff_order_query
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.idempotency import derived_id
from commerce.ports.order_views import OrderDetail, OrderViews, PaymentView
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork

# The roles of the API's routes that each page and action stands for.
LISTS, SHIPS, REFUNDS_AND_CANCELS = "operator", "shipping_operator", "operator"


class StaffOrderPages(Controller):
    path = "/staff/orders"

    @get("/", name="staff-orders", guards=[requires_role(LISTS)])
    async def list_all(
        self, request: Request[Any, Any, Any], order_views: Injected[OrderViews]
    ) -> Template:
        query = staff_order_query(request.query_params.multi_items())
        orders = await list_orders(query, order_views)
        older = staff_order_params(query, cursor=orders.next_cursor) if orders.next_cursor else None
        return page(
            "staff/orders.html",
            orders=orders,
            query=query,
            older=older,
            all_statuses=list(OrderStatus),
        )

    @get("/{order_id:uuid}", name="staff-order", guards=[requires_role(*sorted(STAFF_ROLES))])
    async def detail(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> Template:
        return _order_page(await get_order(order_id, principal, order_views), principal)

    @post("/{order_id:uuid}/ship", status_code=303, guards=[requires_role(SHIPS)])
    async def ship(
        self,
        *,
        order_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            body = decode(form, ShipmentBody)
            command = ShipOrder(
                order_id=order_id, carrier=body.carrier, tracking_number=body.tracking_number
            )
            return _after(await ship_order(command, uow, clock))
        except DomainError as error:
            return await _refused(error, order_id, principal, order_views, values=form)

    @post("/{order_id:uuid}/delivered", status_code=303, guards=[requires_role(SHIPS)])
    async def delivered(
        self,
        *,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Template | Redirect:
        try:
            return _after(await deliver_order(DeliverOrder(order_id=order_id), uow, clock))
        except DomainError as error:
            return await _refused(error, order_id, principal, order_views)

    @post("/{order_id:uuid}/cancel", status_code=303, guards=[requires_role(REFUNDS_AND_CANCELS)])
    async def cancel(
        self,
        *,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Template | Redirect:
        command = CancelOrder(order_id=order_id, reason=CancelReason.OPERATOR)
        try:
            return _after(await cancel_order(command, uow, clock))
        except DomainError as error:
            return await _refused(error, order_id, principal, order_views)

    @post(
        "/{order_id:uuid}/payments/{payment_id:uuid}/refund",
        status_code=303,
        guards=[requires_role(REFUNDS_AND_CANCELS)],
    )
    async def refund(
        self,
        *,
        order_id: FromPath[UUID],
        payment_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        payment_gateway: Injected[PaymentGateway],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            command = RefundPayment(
                payment_id=payment_id,
                # One key per drawn page, and a form per payment: the payment is part of it.
                refund_id=derived_id(
                    str(principal.account_id), _attempt(form), f"refund of {payment_id}"
                ),
                amount=minor_units(form, "amount"),
            )
            result = await counted_refund(command, uow, payment_gateway, clock)
        except DomainError as error:
            return await _refused(
                error, order_id, principal, order_views, values=form, refused=payment_id
            )
        return after_command(f"/staff/orders/{result.order.id}", result.event_ids)


async def _refused(
    error: DomainError,
    order_id: UUID,
    principal: Principal,
    order_views: OrderViews,
    **form: Any,
) -> Template:
    """The order's page again, saying why the action was refused."""
    order = await get_order(order_id, principal, order_views)
    return _order_page(order, principal, error, **form)


def _after(result: OrderChanged) -> Redirect:
    return after_command(f"/staff/orders/{result.order.id}", result.event_ids)


def _attempt(form: dict[str, str]) -> str:
    attempt = form.get("attempt", "")
    if not 1 <= len(attempt) <= 255:
        raise DomainValidationError("attempt", "this form has expired: reload the page")
    return attempt


def _order_page(
    order: OrderDetail,
    principal: Principal,
    error: DomainError | None = None,
    values: dict[str, str] | None = None,
    refused: UUID | None = None,
) -> Template:
    """The order, with the actions its state allows and the caller's roles may take; a
    refused action says why above its form, which keeps what was typed."""
    problem = domain_problem(error)[0] if error else None
    may_ship = principal.may_act_as(SHIPS)
    may_refund = principal.may_act_as(REFUNDS_AND_CANCELS)
    return page(
        "staff/order.html",
        problem.status if problem else 200,
        order=order,
        shippable=may_ship and order.status in SHIPPABLE,
        deliverable=may_ship and order.status in DELIVERABLE,
        cancellable=may_refund and order.status in CANCELLABLE,
        refundable=[p for p in order.payments if may_refund and _left(p).amount > 0],
        left=_left,
        attempt=uuid.uuid4().hex,
        error=problem.detail if problem else None,
        bad_field=error.field if isinstance(error, DomainValidationError) else None,
        values=values or {},
        refused=refused,
    )


def _left(payment: PaymentView) -> Money:
    """What the read model shows is left to refund of a payment (the command has the last
    word: it also counts refunds still at the gateway)."""
    if payment.status not in CAPTURED:
        return Money(0, payment.amount.currency)
    return payment.amount - payment.refunded
