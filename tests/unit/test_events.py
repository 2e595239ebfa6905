"""Events decode from their envelopes, old schema versions included."""

import uuid
from typing import Any, ClassVar

import pytest

from commerce.domain.cart import CartItemSet
from commerce.domain.event_types import EVENTS
from commerce.domain.events import (
    DomainEvent,
    EventEnvelope,
    EventRegistry,
    UnknownEventError,
    encode_payload,
)
from commerce.domain.order import OrderPlaced
from commerce.domain.pricing import SaleTargets
from tests.pricing import DAY, a_code, a_sale, amount, percent
from tests.support import NOW, eur, new_product


def envelope(type_name: str, payload: dict[str, Any], schema_version: int = 1) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        type=type_name,
        schema_version=schema_version,
        aggregate_type="test",
        aggregate_id="1",
        aggregate_version=1,
        occurred_at=NOW,
        payload=payload,
    )


def test_every_recorded_catalogue_event_decodes_back_to_an_equal_event() -> None:
    product = new_product("KT-1")
    product.archive(NOW)
    for _, event in product.pull_events():
        decoded = EVENTS.decode(envelope(event.type_name(), encode_payload(event)))
        assert decoded == event


class PriceSet(DomainEvent, frozen=True, kw_only=True):
    """Version 2 renamed `cents` to `amount`."""

    schema_version: ClassVar[int] = 2
    amount: int


def test_an_old_schema_version_is_upcast_on_read() -> None:
    registry = EventRegistry()
    registry.register(PriceSet)
    registry.register_upcaster("PriceSet", 1, lambda old: {"amount": old["cents"]})

    assert registry.decode(envelope("PriceSet", {"cents": 250}, schema_version=1)) == PriceSet(
        amount=250
    )
    assert registry.decode(envelope("PriceSet", {"amount": 300}, schema_version=2)) == PriceSet(
        amount=300
    )


def test_an_unknown_event_type_is_reported_by_name() -> None:
    with pytest.raises(UnknownEventError, match="SomethingHappened"):
        EVENTS.decode(envelope("SomethingHappened", {}))


def test_every_recorded_sale_and_promo_code_event_decodes_back_to_an_equal_event() -> None:
    sale = a_sale(percent(20), SaleTargets(product_ids=frozenset({uuid.uuid4()})))
    sale.catch_up(NOW)
    sale.end_early(NOW + DAY / 2)
    sale.delete(NOW + DAY)
    code = a_code(amount(500), min_subtotal=eur(2000), max_redemptions=10)
    code.redeem(
        order_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        subtotal=eur(3000),
        customer_redemptions=0,
        now=NOW,
    )
    code.give_back(order_id=uuid.uuid4(), customer_id=uuid.uuid4(), now=NOW)
    code.disable(NOW)
    events = [event for _, event in (*sale.pull_events(), *code.pull_events())]

    for event in events:
        assert EVENTS.decode(envelope(event.type_name(), encode_payload(event))) == event
    assert len({type(event) for event in events}) == 8


# What the outbox stores as `type`: a renamed class (a moved module is fine) would leave
# stored events undecodable.
STORED_TYPE_NAMES = {
    "OrderPlaced",
    "ShippingAddressChanged",
    "PaymentStarted",
    "PaymentSucceeded",
    "PaymentFailed",
    "OrderCancelled",
    "ReservationReleased",
    "RefundStarted",
    "RefundSucceeded",
    "OrderShipped",
    "OrderDelivered",
    "SaleCreated",
    "SaleStarted",
    "SaleEnded",
    "SaleDeleted",
    "PromoCodeCreated",
    "PromoCodeDisabled",
    "PromoCodeRedeemed",
    "PromoCodeRedemptionReturned",
}


def test_the_order_sale_and_promo_code_events_decode_under_their_stored_type_names() -> None:
    assert {name for name in STORED_TYPE_NAMES if name not in EVENTS} == set()


def test_a_cart_event_stored_before_codes_existed_decodes_without_a_code() -> None:
    line = {"sku": "KT-1", "product_id": str(uuid.uuid4()), "quantity": 2}
    v1 = {"customer_id": str(uuid.uuid4()), "sku": "KT-1", "quantity": 2, "lines": [line]}

    decoded = EVENTS.decode(envelope("CartItemSet", v1, schema_version=1))

    assert isinstance(decoded, CartItemSet)
    assert decoded.promo_code is None
    assert [(entry.sku, entry.quantity) for entry in decoded.lines] == [("KT-1", 2)]


def test_an_order_placed_before_codes_existed_decodes_with_nothing_off() -> None:
    line = {
        "sku": "KT-1",
        "product_id": str(uuid.uuid4()),
        "name": "Kettle",
        "image": None,
        "quantity": 2,
        "unit_price": {"amount": 1500, "currency": "EUR"},
    }
    address = {
        "name": "Ada",
        "line1": "1 Main St",
        "city": "London",
        "postal_code": "N1",
        "country": "GB",
    }
    v1 = {
        "order_id": str(uuid.uuid4()),
        "status": "awaiting_payment",
        "at": "2026-11-23T10:00:00Z",
        "number": "C-000001",
        "customer_id": str(uuid.uuid4()),
        "customer_email": "ada@example.com",
        "lines": [line],
        "total": {"amount": 3000, "currency": "EUR"},
        "shipping_address": address,
        "billing_address": address,
        "payment_due_at": "2026-11-23T10:30:00Z",
    }

    decoded = EVENTS.decode(envelope("OrderPlaced", v1, schema_version=1))

    assert isinstance(decoded, OrderPlaced)
    assert (decoded.subtotal, decoded.promo_code, decoded.discount) == (eur(3000), None, eur(0))
    assert decoded.lines[0].list_price == eur(1500)  # no sale before version 2 either
