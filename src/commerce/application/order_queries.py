"""Query handlers of orders and payments: they read the `orders` read model only, and answer
404 for another customer's order (staff see every order).

`order_detail` is the one shape of an order on the wire: queries read it from the read model,
and command responses build it here from the write side's `Order`, so both look the same.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.order import Order, Payment
from commerce.domain.values import Money
from commerce.ports.auth import Principal
from commerce.ports.order_views import (
    OrderDetail,
    OrderPage,
    OrderQuery,
    OrderViews,
    PaymentView,
    ShipmentView,
    TimelineLine,
    line_view,
)
from commerce.ports.product_search import MAX_LIMIT, InvalidCursorError, Total


class PaymentPage(msgspec.Struct, frozen=True, kw_only=True):
    """An order's payments (each with what was refunded of it), in the listing envelope."""

    items: list[PaymentView]
    total: Total
    next_cursor: str | None = None


async def list_orders(query: OrderQuery, views: OrderViews) -> OrderPage:
    """A customer's own orders (`customer_id` set) or, for staff, everyone's; newest first."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise DomainValidationError("limit", f"must be between 1 and {MAX_LIMIT}")
    try:
        return await views.list_orders(query)
    except InvalidCursorError as error:
        raise DomainValidationError("cursor", str(error)) from None


async def get_order(order_id: UUID, viewer: Principal, views: OrderViews) -> OrderDetail:
    return _visible(await views.get_order(order_id), viewer, f"no order {order_id}")


async def list_payments(order_id: UUID, viewer: Principal, views: OrderViews) -> PaymentPage:
    order = await get_order(order_id, viewer, views)
    total = Total(value=len(order.payments), relation="eq")
    return PaymentPage(items=order.payments, total=total)


async def get_payment(payment_id: UUID, viewer: Principal, views: OrderViews) -> PaymentView:
    order = _visible(await views.find_payment(payment_id), viewer, f"no payment {payment_id}")
    for payment in order.payments:
        if payment.id == payment_id:
            return payment
    raise NotFoundError(f"no payment {payment_id}")


def _visible(order: OrderDetail | None, viewer: Principal, missing: str) -> OrderDetail:
    # Another customer's order is answered exactly like one that does not exist.
    if order is None or not (viewer.is_staff or order.customer_id == viewer.account_id):
        raise NotFoundError(missing)
    return order


# Views of the write side's order, for command responses ------------------------------------


def order_detail(order: Order) -> OrderDetail:
    """The order as `GET /v1/orders/{id}` shows it once the read model caught up."""
    currency = order.total.currency
    return OrderDetail(
        id=order.id,
        number=order.number,
        status=order.status,
        cancel_reason=order.cancel_reason,
        customer_id=order.customer_id,
        customer_email=order.customer_email,
        placed_at=order.placed_at,
        payment_due_at=order.payment_due_at,
        lines=[line_view(line) for line in order.lines],
        subtotal=order.subtotal,
        promo_code=order.promo_code,
        discount=order.discount,
        total=order.total,
        paid=order.paid,
        refunded=order.refunded,
        # As the read model states it: what is not captured yet (pending payments included).
        balance_due=Money(order.total.amount - order.paid.amount, currency),
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        payments=[payment_view(order.id, payment) for payment in order.payments],
        shipment=None
        if order.shipment is None
        else ShipmentView(
            carrier=order.shipment.carrier,
            tracking_number=order.shipment.tracking_number,
            status=order.shipment.status,
            shipped_at=order.shipment.shipped_at,
            delivered_at=order.shipment.delivered_at,
        ),
        timeline=[
            TimelineLine(status=entry.status, at=entry.at, note=entry.note)
            for entry in order.timeline
        ],
    )


def payment_view(order_id: UUID, payment: Payment) -> PaymentView:
    """A payment without its gateway token."""
    return PaymentView(
        id=payment.id,
        order_id=order_id,
        amount=payment.amount,
        status=payment.status,
        failure_reason=payment.failure_reason,
        refunded=payment.refunded,
        created_at=payment.created_at,
    )
