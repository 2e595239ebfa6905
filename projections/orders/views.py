"""The `orders` read model's views: an order's stored state as the lists and the detail show it."""

from __future__ import annotations

from commerce.domain.order import Shipment
from commerce.ports.order_views import (
    OrderDetail,
    OrderItem,
    OrderSummary,
    PaymentView,
    ShipmentView,
    TimelineLine,
    line_view,
)
from projections.orders.document import OrderState


def _shipment(shipment: Shipment | None) -> ShipmentView | None:
    if shipment is None:
        return None
    return ShipmentView(
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        status=shipment.status,
        shipped_at=shipment.shipped_at,
        delivered_at=shipment.delivered_at,
    )


def summary_from_state(state: OrderState) -> OrderSummary:
    return OrderSummary(
        id=state.order_id,
        number=state.number,
        status=state.status,
        placed_at=state.placed_at,
        subtotal=state.subtotal,
        promo_code=state.promo_code,
        discount=state.code_discount,
        total=state.total,
        paid=state.paid,
        item_count=state.item_count,
        items=[
            OrderItem(sku=line.sku, name=line.name, quantity=line.quantity, image=line.image)
            for line in state.lines
        ],
        shipment=_shipment(state.shipment),
        customer_email=state.customer_email,
    )


def detail_from_state(state: OrderState) -> OrderDetail:
    return OrderDetail(
        id=state.order_id,
        number=state.number,
        status=state.status,
        cancel_reason=state.cancel_reason,
        customer_id=state.customer_id,
        customer_email=state.customer_email,
        placed_at=state.placed_at,
        payment_due_at=state.payment_due_at,
        lines=[line_view(line) for line in state.lines],
        subtotal=state.subtotal,
        promo_code=state.promo_code,
        discount=state.code_discount,
        total=state.total,
        paid=state.paid,
        refunded=state.refunded,
        balance_due=state.balance_due,
        shipping_address=state.shipping_address,
        billing_address=state.billing_address,
        payments=[
            PaymentView(
                id=payment.id,
                order_id=state.order_id,
                amount=payment.amount,
                status=payment.status,
                failure_reason=payment.failure_reason,
                refunded=payment.refunded,
                created_at=payment.created_at,
            )
            for payment in state.payments
        ],
        shipment=_shipment(state.shipment),
        timeline=[
            TimelineLine(status=entry.status, at=entry.at, note=entry.note)
            for entry in state.timeline
        ],
    )
