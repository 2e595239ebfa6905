"""The `orders` read model: the customer's dashboard, the order detail, and the staff list.

Views are shaped as the HTTP contract's (API.md, "Orders" and "Payments"). Ownership is the
query handlers' business: these return any order; the handlers answer 404 for another
customer's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from commerce.domain.order import CancelReason, OrderLine, OrderStatus, PaymentStatus
from commerce.domain.values import Address, Money
from commerce.ports.product_search import DEFAULT_LIMIT, Total


class OrderQuery(msgspec.Struct, frozen=True, kw_only=True):
    """`customer_id` None lists every customer's orders (staff). Newest first."""

    customer_id: UUID | None
    statuses: list[OrderStatus] = []
    q: str | None = None  # a product name (typo tolerant) or an order number
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    customer_email: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class OrderItem(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    name: str
    quantity: int
    image: str | None


class ShipmentView(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    status: str  # "shipped" | "delivered"
    shipped_at: datetime
    delivered_at: datetime | None


class OrderSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    status: OrderStatus
    placed_at: datetime
    subtotal: Money
    promo_code: str | None
    discount: Money
    total: Money
    paid: Money
    item_count: int
    items: list[OrderItem]
    shipment: ShipmentView | None
    customer_email: str


class OrderPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[OrderSummary]
    total: Total
    next_cursor: str | None


class PaymentView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    order_id: UUID
    amount: Money
    status: PaymentStatus
    failure_reason: str | None
    refunded: Money
    created_at: datetime


class OrderLineView(msgspec.Struct, frozen=True, kw_only=True):
    """`unit_price` is what one unit sold at (after a sale), `list_unit_price` its catalogue
    price then."""

    sku: str
    product_id: UUID
    name: str
    image: str | None
    quantity: int
    list_unit_price: Money
    unit_price: Money
    line_total: Money


def line_view(line: OrderLine) -> OrderLineView:
    """A line as sold, for the detail (the write side's and the read model's lines alike)."""
    return OrderLineView(
        sku=line.sku,
        product_id=line.product_id,
        name=line.name,
        image=line.image,
        quantity=line.quantity,
        list_unit_price=line.list_price,
        unit_price=line.unit_price,
        line_total=line.total,
    )


class TimelineLine(msgspec.Struct, frozen=True, kw_only=True):
    status: OrderStatus
    at: datetime
    note: str


class OrderDetail(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    number: str
    status: OrderStatus
    cancel_reason: CancelReason | None
    customer_id: UUID
    customer_email: str
    placed_at: datetime
    payment_due_at: datetime
    lines: list[OrderLineView]
    subtotal: Money  # the lines, after sale prices
    promo_code: str | None
    discount: Money  # the code's
    total: Money
    paid: Money
    refunded: Money
    balance_due: Money
    shipping_address: Address
    billing_address: Address
    payments: list[PaymentView]
    shipment: ShipmentView | None
    timeline: list[TimelineLine]


class OrderViews(Protocol):
    async def list_orders(self, query: OrderQuery) -> OrderPage:
        """Raise `InvalidCursorError` (ports.product_search) for a cursor it did not hand out."""
        ...

    async def get_order(self, order_id: UUID) -> OrderDetail | None: ...

    async def find_payment(self, payment_id: UUID) -> OrderDetail | None:
        """The order that holds this payment, if any."""
        ...
