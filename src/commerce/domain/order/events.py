"""The order's events. Each carries the order's status after the change, and is also a line
of the order's timeline (`OrderEvent.note`), on the write side and in the read model alike.
Type names (class names) are what the outbox stores: renaming one breaks decoding."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from commerce.domain.events import DomainEvent
from commerce.domain.order.payments import PaymentStatus
from commerce.domain.order.values import CancelReason, OrderLine, OrderStatus
from commerce.domain.values import Address, Money


class OrderEvent(DomainEvent, frozen=True, kw_only=True):
    """What every order event carries: the order, its status after the change, and when."""

    order_id: UUID
    status: OrderStatus
    at: datetime

    def note(self) -> str:
        """The line the timeline shows for this event (write side and read model alike)."""
        return type(self).__name__


class OrderPlaced(OrderEvent, frozen=True, kw_only=True):
    """Version 2 added the breakdown it was sold at: `subtotal` (the lines, after sale
    prices), the `promo_code` and its `discount`; `total` is the subtotal less the discount.
    An order with nothing to pay is placed `paid`."""

    schema_version: ClassVar[int] = 2

    number: str
    customer_id: UUID
    customer_email: str
    lines: list[OrderLine]
    subtotal: Money
    promo_code: str | None
    discount: Money
    total: Money
    shipping_address: Address
    billing_address: Address
    payment_due_at: datetime

    def note(self) -> str:
        if self.total.amount == 0:
            return f"order {self.number} placed, nothing to pay"
        return f"order {self.number} placed, {self.total.formatted()} to pay"


def _upcast_order_placed_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Before version 2 there were no codes: the total was the subtotal, nothing off."""
    total = payload["total"]
    return {
        **payload,
        "subtotal": total,
        "promo_code": None,
        "discount": {"amount": 0, "currency": total["currency"]},
    }


class ShippingAddressChanged(OrderEvent, frozen=True, kw_only=True):
    shipping_address: Address

    def note(self) -> str:
        return "shipping address changed"


class PaymentStarted(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money

    def note(self) -> str:
        return f"payment of {self.amount.formatted()} started"


class PaymentSucceeded(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money
    paid: Money  # captured on the order so far

    def note(self) -> str:
        return f"payment of {self.amount.formatted()} succeeded"


class PaymentFailed(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money
    failure_reason: str

    def note(self) -> str:
        return f"payment of {self.amount.formatted()} failed: {self.failure_reason}"


class OrderCancelled(OrderEvent, frozen=True, kw_only=True):
    reason: CancelReason

    def note(self) -> str:
        return f"cancelled ({self.reason})"


class ReservationReleased(OrderEvent, frozen=True, kw_only=True):
    lines: list[OrderLine]

    def note(self) -> str:
        return "reserved stock released"


class RefundStarted(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    refund_id: UUID
    amount: Money

    def note(self) -> str:
        return f"refund of {self.amount.formatted()} started"


class RefundSucceeded(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    refund_id: UUID
    amount: Money
    payment_status: PaymentStatus

    def note(self) -> str:
        return f"refund of {self.amount.formatted()} succeeded"


class OrderShipped(OrderEvent, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    lines: list[OrderLine]

    def note(self) -> str:
        return f"shipped with {self.carrier}, tracking {self.tracking_number}"


class OrderDelivered(OrderEvent, frozen=True, kw_only=True):
    def note(self) -> str:
        return "delivered"


ORDER_UPCASTERS = ((OrderPlaced.type_name(), 1, _upcast_order_placed_v1),)

ORDER_EVENTS = (
    OrderPlaced,
    ShippingAddressChanged,
    PaymentStarted,
    PaymentSucceeded,
    PaymentFailed,
    OrderCancelled,
    ReservationReleased,
    RefundStarted,
    RefundSucceeded,
    OrderShipped,
    OrderDelivered,
)
