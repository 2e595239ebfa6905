"""The orders document, built by a pure fold of an order's events (no Elasticsearch)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
import pytest

from commerce.domain.events import EventEnvelope
from commerce.domain.order import (
    CancelReason,
    Order,
    OrderStatus,
    PaymentStatus,
)
from projections.orders.document import OrderState, decode_state, document, state_from_order
from projections.orders.projector import (
    EventGapError,
    OrderHistoryError,
    advance,
    apply_event,
    apply_events,
    events_by_order,
)
from tests.order_events import an_order, changes, minutes_later, pay, refund
from tests.product_events import a_product
from tests.support import NOW, an_address, eur


def history(order: Order, placed: list[EventEnvelope]) -> list[EventEnvelope]:
    return [*placed, *changes(order)]


def build(events: Sequence[EventEnvelope]) -> OrderState:
    return apply_events(None, events)


def test_order_placed_creates_the_state_awaiting_payment_with_one_timeline_line() -> None:
    order, placed = an_order(("Stainless steel kettle", 2, 2999), ("Cast iron pan", 1, 1500))

    state = build(placed)

    assert (state.order_id, state.version, state.number) == (order.id, 1, order.number)
    assert (state.customer_id, state.customer_email) == (order.customer_id, "ada@example.com")
    assert (state.status, state.cancel_reason) == (OrderStatus.AWAITING_PAYMENT, None)
    assert [(line.name, line.quantity) for line in state.lines] == [
        ("Stainless steel kettle", 2),
        ("Cast iron pan", 1),
    ]
    assert (state.total, state.paid, state.refunded, state.balance_due) == (
        eur(7498),
        eur(0),
        eur(0),
        eur(7498),
    )
    assert (state.placed_at, state.payment_due_at) == (NOW, order.payment_due_at)
    assert state.item_count == 3
    assert (state.payments, state.shipment) == ((), None)
    assert [(e.status, e.at, e.note) for e in state.timeline] == [
        (OrderStatus.AWAITING_PAYMENT, NOW, f"order {order.number} placed, 74.98 EUR to pay")
    ]


def test_a_duplicate_event_changes_nothing() -> None:
    order, placed = an_order()
    pay(order, 1000)
    events = history(order, placed)
    state = build(events)

    for event in events:
        assert apply_event(state, event) is state
    assert apply_events(state, [*events, *events]) is state


def test_an_event_ahead_of_its_predecessor_raises_a_gap() -> None:
    order, placed = an_order()
    pay(order, 1000)
    started, succeeded = changes(order)
    state = build(placed)

    with pytest.raises(EventGapError) as raised:
        apply_event(state, succeeded)

    assert (raised.value.order_id, raised.value.applied, raised.value.arrived) == (
        str(order.id),
        1,
        3,
    )
    assert apply_events(state, [succeeded, started]).version == 3


def test_an_event_arriving_before_the_order_was_placed_raises_a_gap() -> None:
    order, _ = an_order()
    order.cancel(CancelReason.CUSTOMER, NOW)

    with pytest.raises(EventGapError):
        apply_event(None, changes(order)[0])


def test_a_first_event_that_is_not_order_placed_is_a_broken_history() -> None:
    order, _ = an_order()
    order.cancel(CancelReason.CUSTOMER, NOW)
    (cancelled,) = changes(order)

    with pytest.raises(OrderHistoryError):
        apply_event(None, msgspec.structs.replace(cancelled, aggregate_version=1))


def test_advance_applies_up_to_the_gap_and_names_it() -> None:
    order, placed = an_order()
    pay(order, 1000)
    started, succeeded = changes(order)

    state, gap = advance(None, [succeeded, placed[0]])

    assert state is not None
    assert state.version == 1
    assert gap is not None
    assert (gap.applied, gap.arrived) == (1, 3)
    assert advance(state, [started, succeeded])[1] is None


def test_a_successful_partial_payment_makes_the_order_partially_paid() -> None:
    order, placed = an_order(("Kettle", 1, 3000))
    payment_id = uuid.uuid4()
    order.start_payment(payment_id, eur(1000), "tok_visa", minutes_later(1))
    pending = build(history(order, placed))
    order.settle_payment(
        payment_id, succeeded=True, charge_id="ch", failure_reason=None, now=minutes_later(2)
    )
    settled = apply_events(pending, changes(order))

    (payment,) = pending.payments
    assert (payment.id, payment.amount, payment.status) == (
        payment_id,
        eur(1000),
        PaymentStatus.PENDING,
    )
    assert (payment.created_at, payment.refunded) == (minutes_later(1), eur(0))
    assert (pending.status, pending.paid) == (OrderStatus.AWAITING_PAYMENT, eur(0))
    assert settled.payments[0].status == PaymentStatus.SUCCEEDED
    assert (settled.status, settled.paid, settled.balance_due) == (
        OrderStatus.PARTIALLY_PAID,
        eur(1000),
        eur(2000),
    )


def test_a_failed_payment_keeps_its_reason_and_pays_nothing() -> None:
    order, placed = an_order(("Kettle", 1, 3000))
    pay(order, 3000, succeeded=False, failure_reason="card_declined")

    state = build(history(order, placed))

    (payment,) = state.payments
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "card_declined")
    assert (state.status, state.paid, state.balance_due) == (
        OrderStatus.AWAITING_PAYMENT,
        eur(0),
        eur(3000),
    )


def test_refunds_add_up_and_set_the_payments_status() -> None:
    order, placed = an_order(("Kettle", 1, 3000))
    payment_id = pay(order, 3000)
    refund(order, payment_id, 1000)
    partly = build(history(order, placed))
    refund(order, payment_id, None)
    fully = apply_events(partly, changes(order))

    assert (partly.payments[0].status, partly.payments[0].refunded) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        eur(1000),
    )
    assert (partly.status, partly.paid, partly.refunded) == (
        OrderStatus.PAID,
        eur(3000),
        eur(1000),
    )
    assert (fully.payments[0].status, fully.payments[0].refunded) == (
        PaymentStatus.REFUNDED,
        eur(3000),
    )
    assert (fully.paid, fully.refunded, fully.balance_due) == (eur(3000), eur(3000), eur(0))


def test_a_cancellation_records_its_reason_and_the_released_stock_only_in_the_timeline() -> None:
    order, placed = an_order()
    order.cancel(CancelReason.PAYMENT_EXPIRED, minutes_later(30))
    order.release_reservation(minutes_later(30))

    state = build(history(order, placed))

    assert (state.status, state.cancel_reason) == (
        OrderStatus.CANCELLED,
        CancelReason.PAYMENT_EXPIRED,
    )
    assert [e.note for e in state.timeline][1:] == [
        "cancelled (payment_expired)",
        "reserved stock released",
    ]


def test_a_changed_shipping_address_replaces_the_old_one() -> None:
    order, placed = an_order()
    order.change_shipping_address(an_address(city="Paris", country="FR"), NOW)

    state = build(history(order, placed))

    assert (state.shipping_address.city, state.billing_address.name) == ("Paris", "Ada Billing")


def test_shipping_and_delivery_fill_the_shipment() -> None:
    order, placed = an_order(("Kettle", 1, 3000))
    pay(order, 3000)
    order.ship("DHL", "TRACK-1", minutes_later(60))
    shipped = build(history(order, placed))
    order.deliver(minutes_later(120))
    delivered = apply_events(shipped, changes(order))

    assert shipped.shipment is not None
    assert (shipped.status, shipped.shipment.status) == (OrderStatus.SHIPPED, "shipped")
    assert (shipped.shipment.carrier, shipped.shipment.tracking_number) == ("DHL", "TRACK-1")
    assert (shipped.shipment.shipped_at, shipped.shipment.delivered_at) == (minutes_later(60), None)
    assert delivered.shipment is not None
    assert (delivered.status, delivered.shipment.status) == (OrderStatus.DELIVERED, "delivered")
    assert delivered.shipment.delivered_at == minutes_later(120)


def test_the_timeline_is_the_write_sides_own_timeline() -> None:
    order, placed = an_order(("Kettle", 2, 1500))
    first = pay(order, 1000, minutes_later(1))
    pay(order, 500, minutes_later(2), succeeded=False, failure_reason="card_declined")
    pay(order, 2000, minutes_later(3))
    refund(order, first, 400, minutes_later(4))
    order.ship("UPS", "1Z", minutes_later(5))
    order.deliver(minutes_later(6))

    state = build(history(order, placed))

    assert list(state.timeline) == order.timeline
    assert state.version == order.version == len(order.timeline)
    assert [e.note for e in state.timeline] == [
        f"order {order.number} placed, 30.00 EUR to pay",
        "payment of 10.00 EUR started",
        "payment of 10.00 EUR succeeded",
        "payment of 5.00 EUR started",
        "payment of 5.00 EUR failed: card_declined",
        "payment of 20.00 EUR started",
        "payment of 20.00 EUR succeeded",
        "refund of 4.00 EUR started",
        "refund of 4.00 EUR succeeded",
        "shipped with UPS, tracking 1Z",
        "delivered",
    ]


def test_an_order_event_of_an_unknown_type_still_takes_its_version() -> None:
    order, placed = an_order()
    state = build(placed)
    unknown = msgspec.structs.replace(
        placed[0], type="OrderNoteAdded", aggregate_version=2, payload={}
    )
    order.cancel(CancelReason.CUSTOMER, NOW)
    (cancelled,) = changes(order)
    cancelled = msgspec.structs.replace(cancelled, aggregate_version=3)

    after = apply_events(state, [unknown, cancelled])

    assert (after.version, after.status, len(after.timeline)) == (3, OrderStatus.CANCELLED, 2)


def test_a_batch_is_grouped_by_order_in_version_order_without_duplicates_or_other_events() -> None:
    first, first_placed = an_order()
    pay(first, 1000)
    first_events = history(first, first_placed)
    second, second_placed = an_order()
    _, product_events = a_product()

    grouped = events_by_order(
        [*reversed(first_events), *product_events, *second_placed, *first_events]
    )

    assert list(grouped) == [str(first.id), str(second.id)]
    assert [e.aggregate_version for e in grouped[str(first.id)]] == [1, 2, 3]
    assert [e.event_id for e in grouped[str(second.id)]] == [second_placed[0].event_id]


def test_the_document_holds_keys_for_filters_the_search_words_and_the_whole_state() -> None:
    order, placed = an_order(
        ("Stainless Steel Kettles", 1, 3000),
        ("Café grinder", 1, 1000),
        customer_email="Ada@Example.COM",
        number="C-000123",
    )
    payment_id = pay(order, 1000)

    state = build(history(order, placed))
    doc = document(state)

    assert (doc["id"], doc["version"], doc["number"]) == (str(order.id), 3, "c-000123")
    assert (doc["customer_id"], doc["customer_email"]) == (
        str(order.customer_id),
        "ada@example.com",
    )
    assert (doc["status"], doc["payment_ids"]) == ("partially_paid", [str(payment_id)])
    assert doc["skus"] == sorted(line.sku for line in order.lines)
    assert doc["placed_at"] == "2026-11-23T10:00:00Z"
    assert doc["search"] == "stainless steel kettl cafe grinder c 000123"
    assert decode_state(doc["detail"]) == state
    assert state.customer_email == "Ada@Example.COM"


def test_an_order_state_read_from_the_write_side_equals_the_one_its_events_build() -> None:
    refunded, refunded_placed = an_order(("Kettle", 1, 2999))
    payment = pay(refunded, 2999, minutes_later(1))
    refunded.cancel(CancelReason.OPERATOR, minutes_later(2))
    refunded.release_reservation(minutes_later(2))
    refund(refunded, payment, None, minutes_later(3))
    delivered, delivered_placed = an_order(("Kettle", 2, 1000))
    pay(delivered, 500, minutes_later(1), succeeded=False, failure_reason="card_declined")
    pay(delivered, 2000, minutes_later(2))
    delivered.ship("DHL", "JD0001", minutes_later(3))
    delivered.deliver(minutes_later(4))

    for order, placed in ((refunded, refunded_placed), (delivered, delivered_placed)):
        assert state_from_order(order) == apply_events(None, placed + changes(order))
