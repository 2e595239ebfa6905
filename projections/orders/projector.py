"""The `orders` projector: each order event applied to the order's state (one small function
per event type), and the writes that put a batch's orders into their documents.

An order's events have consecutive versions 1, 2, 3 … So the state remembers the last version
applied, and the next event is applied only if it is exactly the one after: an older or equal
version is a duplicate (skipped), a newer one means its predecessor has not arrived yet
(`EventGapError`, and the worker retries the batch later, by when it has). Applying events is
therefore a plain fold, and the same events in any delivery order give the same document.

Writes are guarded by `if_seq_no`/`if_primary_term` (or `create`), so two workers applying the
same order's events at once cannot lose one another's work.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope, UnknownEventError
from commerce.domain.order import (
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderShipped,
    PaymentFailed,
    PaymentStarted,
    PaymentStatus,
    PaymentSucceeded,
    RefundSucceeded,
    Shipment,
    ShippingAddressChanged,
    TimelineEntry,
)
from commerce.domain.values import Money
from projections.indices import IndexedProjection, ProjectionWriteError
from projections.orders.document import (
    OrderState,
    PaymentState,
    decode_state,
    document,
)
from projections.orders.mapping import MAPPING, NAME

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


# Applying events ----------------------------------------------------------------------------


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
        promo_code=event.promo_code,
        discount=event.discount,
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
    shipment = Shipment(
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


# The projection -----------------------------------------------------------------------------

# How often, and how long (doubling), a batch waits for an order's missing earlier event:
# mostly another thread is writing it this very moment, so the first waits are short.
GAP_WAITS = 7
GAP_WAIT_S = 0.01


class OrdersProjection(IndexedProjection):
    name = NAME
    mapping = MAPPING

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        """Apply the batch's order events. When an order's event arrived before its
        predecessor, wait briefly for it (another worker thread is most likely applying it at
        this moment, and a broker retry would cost far more), then raise `EventGapError`
        (after writing whatever could be applied) so the batch is retried later."""
        grouped = events_by_order(events)
        if not grouped:
            return False
        for attempt in range(1, GAP_WAITS + 1):
            try:
                write_orders(client, self.alias, grouped, self.max_attempts)
                return True
            except EventGapError:
                if attempt == GAP_WAITS:
                    raise
                time.sleep(GAP_WAIT_S * 2 ** (attempt - 1))  # mget reads in real time
        return True


# Versioned read-modify-write ----------------------------------------------------------------


def write_orders(
    client: Elasticsearch,
    index: str,
    events: Mapping[str, Sequence[EventEnvelope]],
    max_attempts: int = 8,
) -> None:
    """For each order: read its document, apply the events not in it yet, and write it back
    guarded by `if_seq_no`/`if_primary_term` (`create` for a new order). A document someone
    else wrote in between is read and applied to again. Raises the first `EventGapError`
    once everything that could be applied is written."""
    pending = dict(events)
    gaps: dict[str, EventGapError] = {}
    for attempt in range(max_attempts):
        operations, found_gaps = _operations(client, index, pending)
        gaps = {order_id: gap for order_id, gap in gaps.items() if order_id not in pending}
        gaps |= found_gaps
        conflicts: set[str] = set()
        if operations:
            response = client.bulk(operations=operations, refresh=False)
            for item in response["items"]:
                (action,) = item.values()
                if action["status"] == 409:
                    conflicts.add(action["_id"])
                elif action["status"] >= 300:
                    raise ProjectionWriteError(f"{index}/{action['_id']}: {action.get('error')}")
        pending = {order_id: pending[order_id] for order_id in conflicts}
        if not pending:
            if gaps:
                raise next(iter(gaps.values()))
            return
        time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter, not security
    raise ProjectionWriteError(
        f"{len(pending)} {NAME} documents kept conflicting after {max_attempts} attempts"
    )


def _operations(
    client: Elasticsearch, index: str, events: Mapping[str, Sequence[EventEnvelope]]
) -> tuple[list[dict[str, Any]], dict[str, EventGapError]]:
    found = client.mget(index=index, ids=list(events), source=["detail"])
    operations: list[dict[str, Any]] = []
    gaps: dict[str, EventGapError] = {}
    for doc in found["docs"]:
        if "error" in doc:
            raise ProjectionWriteError(f"{index}/{doc['_id']}: {doc['error']}")
        order_id = doc["_id"]
        current: OrderState | None = None
        if doc.get("found"):
            current = decode_state(doc["_source"]["detail"])
        state, gap = advance(current, events[order_id])
        if gap is not None:
            gaps[order_id] = gap
        if state is None or state is current:
            continue
        if current is None:
            operations.append({"create": {"_index": index, "_id": order_id}})
        else:
            guard = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
            operations.append({"index": {"_index": index, "_id": order_id, **guard}})
        operations.append(document(state))
    return operations, gaps
