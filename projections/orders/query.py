"""What the Elasticsearch order views and their in-memory twin share: the cursor, how `q`
and the filters are read, and the views built from an order's stored state."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from commerce.ports.order_views import (
    OrderDetail,
    OrderItem,
    OrderSummary,
    PaymentView,
    ShipmentView,
    TimelineLine,
    line_view,
)
from commerce.ports.product_search import InvalidCursorError
from projections.orders.document import OrderState, ShipmentState, decode_state
from projections.text import query_terms

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LONG = 2**63 - 1
_CURSOR_TAG = "orders"


# Time: Elasticsearch keeps dates to the millisecond; the twin compares the same way. --------


def epoch_millis(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down as Elasticsearch stores a date (a naive
    datetime is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


# Cursor: the last hit's sort values (placed_at in epoch millis, id) -------------------------


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    tag: str
    placed_at: int
    id: str


def encode_cursor(placed_at: int, order_id: str) -> str:
    raw = msgspec.json.encode(_Cursor(_CURSOR_TAG, placed_at, order_id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = msgspec.json.decode(raw, type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursorError("not a cursor this list handed out") from None
    if (
        decoded.tag != _CURSOR_TAG
        or not -_LONG <= decoded.placed_at <= _LONG
        or not 0 < len(decoded.id) <= 64
    ):
        raise InvalidCursorError("not a cursor this list handed out")
    return decoded.placed_at, decoded.id


# q ------------------------------------------------------------------------------------------


def q_terms(q: str | None) -> list[tuple[str, ...]]:
    """The words of `q`, each with its alternatives (`projections.text.query_terms`); empty
    when `q` has none, and then `q` filters nothing."""
    return query_terms(q) if q else []


def typo_tolerant(term: str) -> bool:
    """A word with a digit (`000123` of an order number, `55` of a model) must match exactly:
    a typo allowance would match the neighbouring numbers."""
    return not any(ch.isdigit() for ch in term)


# Views --------------------------------------------------------------------------------------


def _shipment(shipment: ShipmentState | None) -> ShipmentView | None:
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


def state_from_source(source: dict[str, Any]) -> OrderState:
    return decode_state(source["detail"])
