"""An order: the lines as sold, its payments and refunds, its shipment, and its state machine.

One module per part, as eShop keeps an aggregate folder: `values` (statuses, lines, shipment,
timeline), `payments`, `events`, `errors` and the `aggregate` itself. Everything is importable
from here, so callers need not know the layout.
"""

from commerce.domain.order.aggregate import Order
from commerce.domain.order.errors import EmptyCartError, IllegalTransitionError, OverpaymentError
from commerce.domain.order.events import (
    ORDER_EVENTS,
    ORDER_UPCASTERS,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderShipped,
    PaymentFailed,
    PaymentStarted,
    PaymentSucceeded,
    RefundStarted,
    RefundSucceeded,
    ReservationReleased,
    ShippingAddressChanged,
)
from commerce.domain.order.payments import CAPTURED, Payment, PaymentStatus, Refund
from commerce.domain.order.values import (
    AWAITING_PAYMENT,
    CANCELLABLE,
    DELIVERABLE,
    SHIPPABLE,
    CancelReason,
    OrderLine,
    OrderStatus,
    Shipment,
    TimelineEntry,
    order_number,
)

__all__ = [
    "AWAITING_PAYMENT",
    "CANCELLABLE",
    "CAPTURED",
    "DELIVERABLE",
    "ORDER_EVENTS",
    "ORDER_UPCASTERS",
    "SHIPPABLE",
    "CancelReason",
    "EmptyCartError",
    "IllegalTransitionError",
    "Order",
    "OrderCancelled",
    "OrderDelivered",
    "OrderEvent",
    "OrderLine",
    "OrderPlaced",
    "OrderShipped",
    "OrderStatus",
    "OverpaymentError",
    "Payment",
    "PaymentFailed",
    "PaymentStarted",
    "PaymentStatus",
    "PaymentSucceeded",
    "Refund",
    "RefundStarted",
    "RefundSucceeded",
    "ReservationReleased",
    "Shipment",
    "ShippingAddressChanged",
    "TimelineEntry",
    "order_number",
]
