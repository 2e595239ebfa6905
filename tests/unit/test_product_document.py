"""The products document, built by pure functions from events or from a write-side snapshot."""

import random
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from commerce.domain.catalog import Variant
from commerce.domain.events import EventEnvelope
from projections.products.document import (
    ProductState,
    category_paths,
    document,
    merge,
    state_from_snapshot,
)
from projections.products.projector import changes_by_product
from tests.product_events import a_product, changes, stock_of
from tests.support import NOW, eur


def build(events: Sequence[EventEnvelope]) -> dict[str, Any]:
    """Apply events one batch each, in the given order, as the projection would."""
    state: ProductState | None = None
    for event in events:
        for product_id, change in changes_by_product([event]).items():
            state = merge(state or ProductState(product_id=product_id), change)
    assert state is not None
    return document(state)


def searchable(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key != "state"}


def test_a_created_product_is_listed_at_its_lowest_price_with_every_category_prefix() -> None:
    _, created = a_product(
        "Steel kettle",
        brand="Acme",
        category="kitchen/kettles/electric",
        variants=[("K-1", 2500, {"color": "Red"}), ("K-2", 1999, {"Color": "blue"})],
        attributes={"material": "Steel"},
    )

    doc = build(created)

    assert (doc["visible"], doc["listed"], doc["archived"]) == (True, True, False)
    assert (doc["price"], doc["effective_price"], doc["sale_price"], doc["on_sale"]) == (
        1999,
        1999,
        None,
        False,
    )
    assert doc["category_paths"] == ["kitchen", "kitchen/kettles", "kitchen/kettles/electric"]
    assert doc["attrs"] == ["color=blue", "color=red", "material=steel"]
    assert (doc["brand"], doc["brand_key"], doc["in_stock"]) == ("Acme", "acme", False)
    assert doc["search"]["name"] == "steel kettl"
    assert doc["rating"] == {"average": 0.0, "count": 0}
    assert doc["sold_count"] == 0
    assert doc["created_at"] == "2026-11-23T10:00:00Z"
    assert "kettle" in doc["suggest"]["input"]
    assert "acme steel kettle" in doc["suggest"]["input"]


def test_category_paths_are_every_prefix() -> None:
    assert category_paths("a/b/c") == ["a", "a/b", "a/b/c"]


def test_stock_before_the_product_makes_a_partial_document_that_is_not_shown() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    _, stock = stock_of(kettle, "K-1", on_hand=2)

    partial = build(stock)
    complete = build([*stock, *created])

    assert (partial["visible"], partial["listed"], partial["in_stock"]) == (False, False, False)
    assert "suggest" not in partial
    assert (complete["listed"], complete["in_stock"]) == (True, True)


def test_an_archived_product_is_a_tombstone_without_suggestions() -> None:
    kettle, created = a_product("Kettle")
    kettle.archive(NOW)

    doc = build([*created, *changes(kettle)])

    assert (doc["archived"], doc["visible"], doc["listed"]) == (True, False, False)
    assert "suggest" not in doc
    assert doc["state"]["catalog_version"] == 2


def test_a_product_whose_variants_are_all_retired_leaves_search_but_keeps_its_detail() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {"color": "red"})])
    kettle.retire_variant("K-1")

    doc = build([*created, *changes(kettle)])

    assert (doc["visible"], doc["listed"], doc["price"]) == (True, False, 1000)
    assert doc["attrs"] == []
    assert doc["display"]["variants"] == []


def test_every_order_of_a_history_builds_the_same_document() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {"color": "red"})])
    kettle.add_variant(Variant(sku="K-2", price=eur(800), attributes={"color": "blue"}), "EUR")
    kettle.reprice_variant("K-2", eur(900), "EUR")
    kettle.retire_variant("K-1")
    kettle.change_details(msgspec.structs.replace(kettle.details, name="Quiet kettle"))
    item, stock = stock_of(kettle, "K-2", on_hand=5)
    item.set_counted(1)
    history = [*created, *changes(kettle), *stock, *changes(item)]

    expected = build(history)
    shuffler = random.Random(7)
    for _ in range(300):
        order = shuffler.sample(history, len(history))
        assert build(order) == expected
    assert build(history[::-1]) == expected

    assert (expected["display"]["name"], expected["price"], expected["in_stock"]) == (
        "Quiet kettle",
        900,
        True,
    )
    assert expected["state"]["stock"]["K-2"] == {"available": 1, "sold": 0, "version": 3}


def test_a_duplicate_or_stale_event_changes_nothing() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    kettle.reprice_variant("K-1", eur(1500), "EUR")
    first = changes(kettle)
    kettle.reprice_variant("K-1", eur(1200), "EUR")
    second = changes(kettle)
    state = ProductState(product_id=str(kettle.id))
    for batch in (created, first, second):
        state = merge(state, changes_by_product(batch)[str(kettle.id)])

    for stale in (created, first, second):
        assert merge(state, changes_by_product(stale)[str(kettle.id)]) == state
    assert document(state)["price"] == 1200


def test_events_this_model_does_not_use_are_ignored() -> None:
    kettle, created = a_product("Kettle")
    unknown = msgspec.structs.replace(created[0], type="SomethingElse", event_id=uuid.uuid4())

    assert changes_by_product([unknown]) == {}
    assert set(changes_by_product([*created, unknown])) == {str(kettle.id)}


def test_a_snapshot_of_the_write_side_builds_what_its_events_build() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {"color": "red"})])
    kettle.add_variant(Variant(sku="K-2", price=eur(800), attributes={"color": "blue"}), "EUR")
    kettle.reprice_variant("K-1", eur(700), "EUR")
    kettle.retire_variant("K-2")
    history = [*created, *changes(kettle)]
    item, stock = stock_of(kettle, "K-1", on_hand=4)

    from_events = build([*history, *stock])
    snapshot = document(state_from_snapshot(kettle, [item]))

    assert searchable(snapshot) == searchable(from_events)


def test_a_snapshot_merged_into_an_event_built_document_changes_nothing_it_already_has() -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    kettle.reprice_variant("K-1", eur(700), "EUR")
    history = [*created, *changes(kettle)]
    state = ProductState(product_id=str(kettle.id))
    for event in history:
        state = merge(state, changes_by_product([event])[str(kettle.id)])

    merged = merge(state, state_from_snapshot(kettle, []))

    assert searchable(document(merged)) == searchable(document(state))
    assert merge(merged, state_from_snapshot(kettle, [])) == merged


def test_sold_units_of_every_sku_add_up_to_the_best_selling_figure_in_any_order() -> None:
    product, created = a_product(variants=[("S-1", 1000, {}), ("S-2", 1200, {})])
    one, stocked_one = stock_of(product, "S-1", 10)
    two, stocked_two = stock_of(product, "S-2", 10)
    one.reserve(3, "order C-000001")
    one.sell_reserved(3, "order C-000001 shipped")
    two.reserve(2, "order C-000002")
    two.sell_reserved(2, "order C-000002 shipped")
    sales = changes(one) + changes(two)
    history = created + stocked_one + stocked_two + sales

    forwards, backwards = build(history), build(history[::-1])

    assert forwards["sold_count"] == backwards["sold_count"] == 5
    assert forwards["state"]["stock"]["S-1"]["sold"] == 3
    assert build(history + sales)["sold_count"] == 5  # redelivered sales count once
