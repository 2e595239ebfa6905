"""Order events made by the real aggregate, for read-model tests."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.events import EventEnvelope
from commerce.domain.order import Order, OrderLine, order_number
from tests.support import NOW, an_address, eur

# (name, quantity, unit price in cents)
LineSpec = tuple[str, int, int]

_numbers = itertools.count(1)


def an_order(
    *lines: LineSpec,
    customer_id: uuid.UUID | None = None,
    customer_email: str = "ada@example.com",
    number: str | None = None,
    placed_at: datetime = NOW,
) -> tuple[Order, list[EventEnvelope]]:
    """A new order and its `OrderPlaced` envelope (version 1)."""
    order = Order.place(
        order_id=uuid.uuid4(),
        number=number or order_number(next(_numbers)),
        customer_id=customer_id or uuid.uuid4(),
        customer_email=customer_email,
        lines=[
            OrderLine(
                sku=f"SKU-{n}-{uuid.uuid4().hex[:6]}",
                product_id=uuid.uuid4(),
                name=name,
                image=f"https://img.example/{n}.jpg",
                quantity=quantity,
                unit_price=eur(price),
            )
            for n, (name, quantity, price) in enumerate(
                lines or [("Stainless steel kettle", 1, 2999)]
            )
        ],
        shipping_address=an_address(),
        billing_address=an_address(name="Ada Billing"),
        now=placed_at,
        payment_due_at=placed_at + timedelta(minutes=30),
    )
    return order, envelopes_for(order, placed_at)


def changes(order: Order, at: datetime = NOW) -> list[EventEnvelope]:
    """The envelopes of whatever was done to `order` since it was last saved."""
    return envelopes_for(order, at)


def pay(
    order: Order,
    amount: int,
    at: datetime = NOW,
    *,
    succeeded: bool = True,
    failure_reason: str | None = None,
) -> uuid.UUID:
    """Start a payment and settle it (two events)."""
    payment_id = uuid.uuid4()
    order.start_payment(payment_id, eur(amount), "tok_visa", at)
    order.settle_payment(
        payment_id,
        succeeded=succeeded,
        charge_id="ch_1" if succeeded else None,
        failure_reason=failure_reason,
        now=at,
    )
    return payment_id


def refund(order: Order, payment_id: uuid.UUID, amount: int | None, at: datetime = NOW) -> None:
    """Start a refund and complete it (two events)."""
    refund_id = uuid.uuid4()
    order.start_refund(payment_id, refund_id, amount, at)
    order.complete_refund(payment_id, refund_id, at)


def minutes_later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)
