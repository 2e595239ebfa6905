"""What an order is made of: its statuses, lines, shipment and timeline entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from commerce.domain.values import Money


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class CancelReason(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    PAYMENT_EXPIRED = "payment_expired"


AWAITING_PAYMENT = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PARTIALLY_PAID})
CANCELLABLE = AWAITING_PAYMENT | {OrderStatus.PAID}
SHIPPABLE = frozenset({OrderStatus.PAID})
DELIVERABLE = frozenset({OrderStatus.SHIPPED})


def order_number(sequence: int) -> str:
    return f"C-{sequence:06d}"


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    """`unit_price` is what one unit sold at (after a sale); `list_unit_price` its catalogue
    price then, None on lines sold before sales existed (it was `unit_price`)."""

    sku: str
    product_id: UUID
    name: str
    image: str | None
    quantity: int
    unit_price: Money
    list_unit_price: Money | None = None

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)

    @property
    def list_price(self) -> Money:
        return self.list_unit_price or self.unit_price


class Shipment(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None = None

    @property
    def status(self) -> str:
        return "delivered" if self.delivered_at else "shipped"


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    status: OrderStatus
    at: datetime
    note: str
