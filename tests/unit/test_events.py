"""Events decode from their envelopes, old schema versions included."""

import uuid
from typing import Any, ClassVar

import pytest

from commerce.domain.event_types import EVENTS
from commerce.domain.events import (
    DomainEvent,
    EventEnvelope,
    EventRegistry,
    UnknownEventError,
    encode_payload,
)
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
