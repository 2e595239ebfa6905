"""The `orders` read model's document, built by pure functions (no Elasticsearch here).

An order's document is built from one source only, the order aggregate: the projector
(`projections.orders.projector`) folds its events, in version order, into an `OrderState`;
a rebuild or a verification takes the same state from the write side (`state_from_order`).
The whole state is stored in the document (`detail`, not indexed); views are built from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.account import canonical_email
from commerce.domain.order import (
    CAPTURED,
    CancelReason,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    Shipment,
    TimelineEntry,
)
from commerce.domain.values import Address, Money
from projections.text import fold_keyword, index_text


class PaymentState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    status: PaymentStatus
    failure_reason: str | None = None
    refunded: Money
    created_at: datetime


class OrderState(msgspec.Struct, frozen=True, kw_only=True):
    """An order as the read side knows it after applying events 1 … `version`."""

    order_id: UUID
    version: int
    number: str
    customer_id: UUID
    customer_email: str
    placed_at: datetime
    payment_due_at: datetime
    status: OrderStatus
    cancel_reason: CancelReason | None = None
    lines: tuple[OrderLine, ...]
    total: Money
    # None in documents written before orders had codes: then nothing came off.
    promo_code: str | None = None
    discount: Money | None = None
    shipping_address: Address
    billing_address: Address
    payments: tuple[PaymentState, ...] = ()
    shipment: Shipment | None = None
    timeline: tuple[TimelineEntry, ...] = ()

    @property
    def code_discount(self) -> Money:
        return self.discount or Money(0, self.total.currency)

    @property
    def subtotal(self) -> Money:
        return self.total + self.code_discount

    @property
    def paid(self) -> Money:
        """Captured so far (a refunded payment was captured; its refund is in `refunded`)."""
        captured = sum(p.amount.amount for p in self.payments if p.status in CAPTURED)
        return Money(captured, self.total.currency)

    @property
    def refunded(self) -> Money:
        return Money(sum(p.refunded.amount for p in self.payments), self.total.currency)

    @property
    def balance_due(self) -> Money:
        return self.total - self.paid

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def decode_state(raw: Any) -> OrderState:
    return msgspec.convert(raw, OrderState)


def state_from_order(order: Order) -> OrderState:
    """The state the write side holds now: what applying every event of the order gives."""
    shipment = order.shipment
    return OrderState(
        order_id=order.id,
        version=order.version,
        number=order.number,
        customer_id=order.customer_id,
        customer_email=order.customer_email,
        placed_at=order.placed_at,
        payment_due_at=order.payment_due_at,
        status=order.status,
        cancel_reason=order.cancel_reason,
        lines=tuple(order.lines),
        total=order.total,
        promo_code=order.promo_code,
        discount=order.discount,
        shipping_address=order.shipping_address,
        billing_address=order.billing_address,
        payments=tuple(
            PaymentState(
                id=p.id,
                amount=p.amount,
                status=p.status,
                failure_reason=p.failure_reason,
                refunded=p.refunded,
                created_at=p.created_at,
            )
            for p in order.payments
        ),
        shipment=shipment,
        timeline=tuple(order.timeline),
    )


# State -> document --------------------------------------------------------------------------


def number_key(number: str) -> str:
    """An order number compared without case or surrounding spaces: `c-000123`."""
    return fold_keyword(number)


def email_key(email: str) -> str:
    return canonical_email(email)


def search_text(state: OrderState) -> str:
    """The words `q` is matched against: the product names, then the order number."""
    names = [index_text(line.name) for line in state.lines]
    return " ".join(text for text in (*names, index_text(state.number)) if text)


def document(state: OrderState) -> dict[str, Any]:
    """The Elasticsearch source of an order: filter and sort fields, the words `q` searches,
    and the whole state (`detail`, stored, not indexed)."""
    return {
        "id": str(state.order_id),
        "version": state.version,
        "number": number_key(state.number),
        "customer_id": str(state.customer_id),
        "customer_email": email_key(state.customer_email),
        "status": state.status.value,
        "payment_ids": [str(p.id) for p in state.payments],
        "skus": sorted({line.sku for line in state.lines}),
        "placed_at": msgspec.to_builtins(state.placed_at),
        "search": search_text(state),
        "detail": msgspec.to_builtins(state),
    }
