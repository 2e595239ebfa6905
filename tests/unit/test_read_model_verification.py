"""`commerce read-models verify`, its pure part: the write side against documents the read
models' own projections build from events (no server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
import pytest

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.cart import Cart
from commerce.domain.catalog import Product, Variant
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.domain.order import CancelReason
from commerce.settings import Settings
from projections.carts import document as cart_document
from projections.carts.projector import newest_by_cart
from projections.expectations import CARTS, MODELS, ORDERS, PRODUCTS
from projections.orders import document as order_document
from projections.orders.projector import apply_events
from projections.products import document as product_document
from projections.products.projector import changes_by_product
from projections.registry import projections_for
from projections.verification import (
    Difference,
    Expected,
    FieldDifference,
    Found,
    ModelCheck,
    Summary,
    UnsortedStreamError,
    compare,
)
from tests.order_events import an_order, minutes_later, pay, refund
from tests.order_events import changes as order_changes
from tests.product_events import a_product, changes, stock_of
from tests.support import NOW, eur

Documents = dict[str, dict[str, Any]]


def product_document_from(events: Iterable[EventEnvelope]) -> dict[str, Any]:
    ((product_id, change),) = changes_by_product(events).items()
    state = product_document.merge(product_document.ProductState(product_id=product_id), change)
    return product_document.document(state)


def verify(
    check: ModelCheck[Any], records: Sequence[Any], documents: Documents
) -> tuple[Summary, list[Difference]]:
    """Both sides sorted by id, as the adapters hand them over: records in batches of two,
    documents as JSON (what Elasticsearch stores)."""
    summary = Summary(check.name)
    ordered = sorted(records, key=lambda record: check.expect(record).id)
    batches = [ordered[start : start + 2] for start in range(0, len(ordered), 2)]
    found = [
        (key, msgspec.json.decode(msgspec.json.encode(doc)))
        for key, doc in sorted(documents.items())
    ]
    return summary, list(check.compare(batches, found, summary))


def a_stocked_product() -> tuple[Product, list[StockItem], list[EventEnvelope]]:
    """A product with a history: a variant added, one repriced, one retired, details changed,
    and stock counted for two SKUs."""
    product, events = a_product(variants=[("P-1", 2500, {"color": "red"}), ("P-2", 1900, {})])
    product.add_variant(Variant(sku="P-3", price=eur(3100)), "EUR")
    product.reprice_variant("P-1", eur(2200), "EUR")
    product.retire_variant("P-2")
    product.change_details(msgspec.structs.replace(product.details, name="Steel jug"))
    events += changes(product)
    first, first_events = stock_of(product, "P-1", on_hand=4)
    third, third_events = stock_of(product, "P-3", on_hand=0)
    return product, [first, third], events + first_events + third_events


# Agreement ----------------------------------------------------------------------------------


def test_a_product_projected_from_its_whole_history_agrees_with_the_write_side() -> None:
    product, stock, events = a_stocked_product()

    summary, differences = verify(
        PRODUCTS, [(product, stock, None)], {str(product.id): product_document_from(events)}
    )

    assert differences == []
    assert str(summary) == "products: 1 checked, 0 missing, 0 divergent, 0 unexpected"


def test_an_order_projected_from_its_whole_history_agrees_with_the_write_side() -> None:
    paid, placed = an_order(("Kettle", 2, 1500))
    payment = pay(paid, 3000, minutes_later(1))
    refund(paid, payment, 1000, minutes_later(2))
    paid.ship("DHL", "JD0001", minutes_later(3))
    paid.deliver(minutes_later(4))
    paid_events = placed + order_changes(paid)
    cancelled, placed = an_order()
    pay(cancelled, 500, succeeded=False, failure_reason="card_declined")
    cancelled.cancel(CancelReason.CUSTOMER, minutes_later(5))
    cancelled_events = placed + order_changes(cancelled)
    documents = {
        str(order.id): order_document.document(apply_events(None, events))
        for order, events in ((paid, paid_events), (cancelled, cancelled_events))
    }

    summary, differences = verify(ORDERS, [paid, cancelled], documents)

    assert differences == []
    assert summary.checked == 2


def test_an_emptied_cart_agrees_with_or_without_a_document_but_a_cart_with_lines_needs_one() -> (
    None
):
    emptied = Cart(customer_id=uuid.uuid4())
    emptied.set_item("P-1", uuid.uuid4(), 2)
    emptied.empty()
    emptied_events = _cart_events(emptied)
    full = Cart(customer_id=uuid.uuid4())
    full.set_item("P-1", uuid.uuid4(), 3)
    full_events = _cart_events(full)
    never_projected = Cart(customer_id=uuid.uuid4())
    never_projected.set_item("P-2", uuid.uuid4(), 1)
    never_projected.empty()
    documents = {
        customer_id: cart_document.document(snapshot)
        for customer_id, snapshot in newest_by_cart(emptied_events + full_events).items()
    }

    summary, differences = verify(CARTS, [emptied, full, never_projected], documents)
    assert (summary.checked, differences) == (3, [])

    del documents[str(full.customer_id)]
    _, differences = verify(CARTS, [emptied, full, never_projected], documents)
    assert [(d.kind, d.id) for d in differences] == [("missing", str(full.customer_id))]


def _cart_events(cart: Cart) -> list[EventEnvelope]:
    return envelopes_for(cart, NOW)


# Differences --------------------------------------------------------------------------------


def test_a_product_document_that_missed_its_last_events_is_divergent_in_version_and_price() -> None:
    product, created = a_product(variants=[("P-1", 2500, {})])
    product.reprice_variant("P-1", eur(1999), "EUR")
    changes(product)  # the repricing never reached the read model

    _, (difference,) = verify(
        PRODUCTS, [(product, [], None)], {str(product.id): product_document_from(created)}
    )

    fields = {field.label: (field.expected, field.found) for field in difference.fields}
    assert difference.kind == "divergent"
    assert (fields["version"], fields["price"]) == ((2, 1), (1999, 2500))
    assert difference.describe().startswith("divergent: version: expected 2, found 1; ")


def test_an_archived_product_without_its_tombstone_is_missing() -> None:
    archived, events = a_product()
    archived.archive(NOW)
    events += changes(archived)
    kept, kept_events = a_product()

    summary, differences = verify(
        PRODUCTS,
        [(archived, [], None), (kept, [], None)],
        {str(kept.id): product_document_from(kept_events)},
    )

    assert [(d.kind, d.id) for d in differences] == [("missing", str(archived.id))]
    assert differences[0].describe() == "missing: expected a document at version 2, found none"
    assert (summary.checked, summary.missing) == (2, 1)


def test_a_document_with_no_record_is_unexpected_and_counted_apart_from_the_checked() -> None:
    known, known_events = a_product()
    stray, stray_events = a_product()
    documents = {
        str(known.id): product_document_from(known_events),
        str(stray.id): product_document_from(stray_events),
    }

    summary, differences = verify(PRODUCTS, [(known, [], None)], documents)

    assert [(d.kind, d.id) for d in differences] == [("unexpected", str(stray.id))]
    assert differences[0].describe() == (
        "unexpected: found a document at version 1, nothing in PostgreSQL"
    )
    assert str(summary) == "products: 1 checked, 0 missing, 0 divergent, 1 unexpected"


def test_an_order_document_whose_status_was_changed_behind_the_projection_is_divergent() -> None:
    order, placed = an_order()
    pay(order, order.total.amount)
    doc = order_document.document(apply_events(None, placed + order_changes(order)))
    doc["status"] = "cancelled"

    _, (difference,) = verify(ORDERS, [order], {str(order.id): doc})

    assert difference.describe() == 'divergent: status: expected "paid", found "cancelled"'


def test_an_order_document_that_lost_its_code_discount_is_divergent() -> None:
    order, placed = an_order()
    doc = order_document.document(apply_events(None, placed))
    doc["detail"]["discount"] = {"amount": 500, "currency": "EUR"}
    doc["detail"]["lines"][0]["unit_price"] = {"amount": 1, "currency": "EUR"}

    _, (difference,) = verify(ORDERS, [order], {str(order.id): doc})

    assert difference.describe().startswith("divergent: lines: expected")
    assert "discount: expected 0, found 500" in difference.describe()


def test_an_order_document_written_before_codes_existed_agrees_with_its_zero_discount() -> None:
    order, placed = an_order()
    doc = order_document.document(apply_events(None, placed))
    doc["detail"]["discount"] = None  # what the dashboard wrote before promo codes

    _, differences = verify(ORDERS, [order], {str(order.id): doc})

    assert differences == []


def test_differences_come_in_id_order_across_both_sides() -> None:
    expected = [Expected(key, {"version": 1}) for key in ("a", "c", "d")]
    found = [Found(key, {"version": 1 if key != "d" else 2}) for key in ("b", "c", "d", "e")]
    summary = Summary("model")

    differences = list(compare(expected, found, summary))

    assert [(d.id, d.kind) for d in differences] == [
        ("a", "missing"),
        ("b", "unexpected"),
        ("d", "divergent"),
        ("e", "unexpected"),
    ]
    assert (summary.checked, summary.differences) == (3, 4)


def test_a_side_out_of_id_order_is_refused_rather_than_reported_as_differences() -> None:
    found = [Found("b", {}), Found("a", {})]

    with pytest.raises(UnsortedStreamError, match="'a' came after 'b'"):
        list(compare([Expected("a", {})], found, Summary("model")))


def test_a_long_value_is_cut_in_the_printed_line() -> None:
    difference = Difference("divergent", "x", {}, (FieldDifference("name", "a" * 300, "b"),))

    line = difference.describe()

    assert len(line) < 200
    assert line.endswith('…, found "b"')


def test_every_read_model_the_worker_keeps_can_be_verified() -> None:
    kept = [projection.name for projection in projections_for(Settings().index_prefix)]

    assert list(MODELS) == kept
