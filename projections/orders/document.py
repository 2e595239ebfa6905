"""The `orders` read model's document, built by pure functions (no Elasticsearch here).

An order's document is built from one source only, the order aggregate, whose events have
consecutive versions 1, 2, 3 … So the state remembers the last version applied, and the next
event is applied only if it is exactly the one after: an older or equal version is a duplicate
(skipped), a newer one means its predecessor has not arrived yet (`EventGapError`, and the
worker retries the batch later, by when it has). Applying events is therefore a plain fold,
and the same events in any delivery order give the same document.

The whole state is stored in the document (`detail`, not indexed); views are built from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.account import canonical_email
from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope, UnknownEventError
from commerce.domain.order import (
    CAPTURED,
    CancelReason,
    Order,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderLine,
    OrderPlaced,
    OrderShipped,
    OrderStatus,
    PaymentFailed,
    PaymentStarted,
    PaymentStatus,
    PaymentSucceeded,
    RefundSucceeded,
    ShippingAddressChanged,
    TimelineEntry,
)
from commerce.domain.values import Address, Money
from projections.text import fold_keyword, index_text

AGGREGATE_TYPE = "order"


class EventGapError(RuntimeError):
    """An order's event arrived before its predecessor: retry the batch later."""

    def __init__(self, order_id: str, applied: int, arrived: int) -> None:
        super().__init__(
            f"order {order_id}: event version {arrived} arrived while the read model holds "
            f"version {applied}; waiting for version {applied + 1}"
        )
        self.order_id = order_id
        self.applied = applied
        self.arrived = arrived


class OrderHistoryError(ValueError):
    """An order's first event is not `OrderPlaced`: the history itself is broken."""


class PaymentState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    status: PaymentStatus
    failure_reason: str | None = None
    refunded: Money
    created_at: datetime


class ShipmentState(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None = None

    @property
    def status(self) -> str:
        return "delivered" if self.delivered_at else "shipped"


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
    shipping_address: Address
    billing_address: Address
    payments: tuple[PaymentState, ...] = ()
    shipment: ShipmentState | None = None
    timeline: tuple[TimelineEntry, ...] = ()

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


# Applying one event -------------------------------------------------------------------------


def _placed(event: OrderPlaced, version: int) -> OrderState:
    return OrderState(
        order_id=event.order_id,
        version=version,
        number=event.number,
        customer_id=event.customer_id,
        customer_email=event.customer_email,
        placed_at=event.at,
        payment_due_at=event.payment_due_at,
        status=event.status,
        lines=tuple(event.lines),
        total=event.total,
        shipping_address=event.shipping_address,
        billing_address=event.billing_address,
    )


def _with_payment(
    state: OrderState, payment_id: UUID, change: Callable[[PaymentState], PaymentState]
) -> tuple[PaymentState, ...]:
    return tuple(change(p) if p.id == payment_id else p for p in state.payments)


def _payment_started(state: OrderState, event: PaymentStarted) -> OrderState:
    payment = PaymentState(
        id=event.payment_id,
        amount=event.amount,
        status=PaymentStatus.PENDING,
        refunded=Money(0, event.amount.currency),
        created_at=event.at,
    )
    others = tuple(p for p in state.payments if p.id != event.payment_id)
    return msgspec.structs.replace(state, payments=(*others, payment))


def _payment_succeeded(state: OrderState, event: PaymentSucceeded) -> OrderState:
    def settle(payment: PaymentState) -> PaymentState:
        return msgspec.structs.replace(payment, status=PaymentStatus.SUCCEEDED)

    return msgspec.structs.replace(state, payments=_with_payment(state, event.payment_id, settle))


def _payment_failed(state: OrderState, event: PaymentFailed) -> OrderState:
    def fail(payment: PaymentState) -> PaymentState:
        return msgspec.structs.replace(
            payment, status=PaymentStatus.FAILED, failure_reason=event.failure_reason
        )

    return msgspec.structs.replace(state, payments=_with_payment(state, event.payment_id, fail))


def _refund_succeeded(state: OrderState, event: RefundSucceeded) -> OrderState:
    def refund(payment: PaymentState) -> PaymentState:
        return msgspec.structs.replace(
            payment, status=event.payment_status, refunded=payment.refunded + event.amount
        )

    return msgspec.structs.replace(state, payments=_with_payment(state, event.payment_id, refund))


def _address_changed(state: OrderState, event: ShippingAddressChanged) -> OrderState:
    return msgspec.structs.replace(state, shipping_address=event.shipping_address)


def _cancelled(state: OrderState, event: OrderCancelled) -> OrderState:
    return msgspec.structs.replace(state, cancel_reason=event.reason)


def _shipped(state: OrderState, event: OrderShipped) -> OrderState:
    shipment = ShipmentState(
        carrier=event.carrier, tracking_number=event.tracking_number, shipped_at=event.at
    )
    return msgspec.structs.replace(state, shipment=shipment)


def _delivered(state: OrderState, event: OrderDelivered) -> OrderState:
    if state.shipment is None:
        return state
    shipment = msgspec.structs.replace(state.shipment, delivered_at=event.at)
    return msgspec.structs.replace(state, shipment=shipment)


# Events whose only effect is the status and the timeline line (RefundStarted,
# ReservationReleased, and any order event added later) are not listed.
_HANDLERS: dict[type[OrderEvent], Callable[[OrderState, Any], OrderState]] = {
    ShippingAddressChanged: _address_changed,
    PaymentStarted: _payment_started,
    PaymentSucceeded: _payment_succeeded,
    PaymentFailed: _payment_failed,
    RefundSucceeded: _refund_succeeded,
    OrderCancelled: _cancelled,
    OrderShipped: _shipped,
    OrderDelivered: _delivered,
}


def is_order_event(envelope: EventEnvelope) -> bool:
    return envelope.aggregate_type == AGGREGATE_TYPE


def apply_event(state: OrderState | None, envelope: EventEnvelope) -> OrderState:
    """The state after `envelope`, an event of this order (aggregate type "order").

    A version already applied returns `state` unchanged (a duplicate); a version beyond the
    next raises `EventGapError`. An event of the order that this code cannot decode (a type
    added later) still takes its version, so the events after it are not held up."""
    version = envelope.aggregate_version
    applied = state.version if state is not None else 0
    if version <= applied:
        if state is None:
            raise OrderHistoryError(f"order {envelope.aggregate_id}: version {version}")
        return state
    if version > applied + 1:
        raise EventGapError(envelope.aggregate_id, applied, version)
    try:
        event = EVENTS.decode(envelope)
    except UnknownEventError:
        event = None
    if state is None:
        if not isinstance(event, OrderPlaced):
            raise OrderHistoryError(
                f"order {envelope.aggregate_id}: version 1 is {envelope.type}, not OrderPlaced"
            )
        state = _placed(event, version)
    elif not isinstance(event, OrderEvent):
        return msgspec.structs.replace(state, version=version)
    else:
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            state = handler(state, event)
    line = TimelineEntry(status=event.status, at=event.at, note=event.note())
    return msgspec.structs.replace(
        state, version=version, status=event.status, timeline=(*state.timeline, line)
    )


def advance(
    state: OrderState | None, envelopes: Iterable[EventEnvelope]
) -> tuple[OrderState | None, EventGapError | None]:
    """Apply one order's events in version order as far as they go: the state reached, and
    the gap that stopped it (None when every event was applied or was a duplicate)."""
    for envelope in sorted(envelopes, key=lambda e: e.aggregate_version):
        try:
            state = apply_event(state, envelope)
        except EventGapError as gap:
            return state, gap
    return state, None


def apply_events(state: OrderState | None, envelopes: Iterable[EventEnvelope]) -> OrderState:
    """Every event applied (in version order); raises `EventGapError` on a missing one."""
    reached, gap = advance(state, envelopes)
    if gap is not None:
        raise gap
    if reached is None:
        raise ValueError("no order events to apply")
    return reached


def events_by_order(envelopes: Iterable[EventEnvelope]) -> dict[str, list[EventEnvelope]]:
    """A batch's order events grouped by order, each group in version order, one event per
    version (the batch may hold duplicates); every other event is left out."""
    grouped: dict[str, dict[int, EventEnvelope]] = {}
    for envelope in envelopes:
        if is_order_event(envelope):
            grouped.setdefault(envelope.aggregate_id, {})[envelope.aggregate_version] = envelope
    return {
        order_id: [by_version[v] for v in sorted(by_version)]
        for order_id, by_version in grouped.items()
    }


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
        shipment=ShipmentState(**msgspec.structs.asdict(shipment)) if shipment else None,
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
