"""Catalogue and stock rules, through the handlers on the in-memory unit of work."""

import uuid

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.catalog import (
    ArchiveProduct,
    ChangeProduct,
    CreateProduct,
    NewVariant,
    VariantChange,
    archive_product,
    change_product,
    create_product,
)
from commerce.application.inventory import AdjustStock, SetStock, adjust_stock, set_stock
from commerce.domain.catalog import ArchivedProductError
from commerce.domain.errors import DomainValidationError, NotFoundError, VersionMismatchError
from commerce.domain.inventory import BelowReservedError
from commerce.domain.values import Money
from tests.support import eur, kettle_details


def uow(store: InMemoryStore, clock: FixedClock) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(store, clock)


async def create(store: InMemoryStore, clock: FixedClock, *skus: str) -> uuid.UUID:
    command = CreateProduct(
        details=kettle_details(), variants=[NewVariant(sku=s, price=eur(2999)) for s in skus]
    )
    return (await create_product(command, uow(store, clock), clock, "EUR")).product.id


async def test_creating_a_product_opens_an_empty_stock_item_for_each_sku(
    store: InMemoryStore, clock: FixedClock
) -> None:
    product_id = await create(store, clock, "KT-1", "KT-2")

    assert {sku: (i.on_hand, i.product_id) for sku, i in store.stock.items()} == {
        "KT-1": (0, product_id),
        "KT-2": (0, product_id),
    }
    assert [e.type for e in store.outbox] == [
        "ProductCreated",
        "StockLevelChanged",
        "StockLevelChanged",
    ]


@pytest.mark.parametrize(
    ("details", "variants", "field"),
    [
        ({"category": "Electronics/Phones"}, [NewVariant(sku="A", price=eur(1))], "category"),
        ({"name": "  "}, [NewVariant(sku="A", price=eur(1))], "name"),
        ({}, [], "variants"),
        ({}, [NewVariant(sku="A", price=eur(1)), NewVariant(sku="A", price=eur(2))], "variants"),
        ({}, [NewVariant(sku="A", price=Money(100, "USD"))], "price.currency"),
        ({}, [NewVariant(sku="A", price=eur(0))], "price.amount"),
        ({}, [NewVariant(sku="no spaces", price=eur(1))], "sku"),
    ],
)
async def test_an_invalid_product_is_refused_naming_the_field_and_nothing_is_stored(
    store: InMemoryStore,
    clock: FixedClock,
    details: dict[str, object],
    variants: list[NewVariant],
    field: str,
) -> None:
    command = CreateProduct(details=kettle_details(**details), variants=variants)

    with pytest.raises(DomainValidationError) as refused:
        await create_product(command, uow(store, clock), clock, "EUR")

    assert refused.value.field == field
    assert store.products == {}
    assert store.outbox == []


async def test_a_change_adds_reprices_and_retires_variants_in_one_version_step_each(
    store: InMemoryStore, clock: FixedClock
) -> None:
    product_id = await create(store, clock, "KT-1")
    command = ChangeProduct(
        product_id=product_id,
        details={"name": "Quiet kettle"},
        variants=[
            VariantChange(sku="KT-1", price=eur(1999), retired=True),
            VariantChange(sku="KT-9", price=eur(3999), attributes={"color": "black"}),
        ],
        expected_version=1,
    )

    changed = (await change_product(command, uow(store, clock), "EUR")).product

    assert changed.details.name == "Quiet kettle"
    assert changed.variant("KT-1").price == eur(1999)
    assert changed.variant("KT-1").retired
    assert changed.variant("KT-9").attributes == {"color": "black"}
    assert "KT-9" in store.stock
    assert changed.version == 5  # created, details, repriced, retired, added


async def test_a_change_against_a_version_that_has_moved_is_refused(
    store: InMemoryStore, clock: FixedClock
) -> None:
    product_id = await create(store, clock, "KT-1")

    with pytest.raises(VersionMismatchError):
        await change_product(
            ChangeProduct(product_id=product_id, details={"brand": "Other"}, expected_version=7),
            uow(store, clock),
            "EUR",
        )

    assert store.products[product_id].details.brand == "Acme"


async def test_a_new_variant_needs_a_price(store: InMemoryStore, clock: FixedClock) -> None:
    product_id = await create(store, clock, "KT-1")

    with pytest.raises(DomainValidationError, match="needs a price"):
        await change_product(
            ChangeProduct(product_id=product_id, details={}, variants=[VariantChange(sku="N")]),
            uow(store, clock),
            "EUR",
        )


async def test_an_archived_product_can_no_longer_be_changed(
    store: InMemoryStore, clock: FixedClock
) -> None:
    product_id = await create(store, clock, "KT-1")
    await archive_product(ArchiveProduct(product_id), uow(store, clock), clock)
    await archive_product(ArchiveProduct(product_id), uow(store, clock), clock)  # idempotent

    with pytest.raises(ArchivedProductError):
        await change_product(
            ChangeProduct(product_id=product_id, details={"name": "New"}),
            uow(store, clock),
            "EUR",
        )
    assert [e.type for e in store.outbox].count("ProductArchived") == 1


async def test_stock_is_counted_received_and_written_off_but_never_below_reserved(
    store: InMemoryStore, clock: FixedClock
) -> None:
    await create(store, clock, "KT-1")
    await set_stock(SetStock(sku="KT-1", on_hand=10), uow(store, clock))
    await adjust_stock(AdjustStock(sku="KT-1", delta=5, reason="received"), uow(store, clock))
    store.stock["KT-1"].reserved = 12  # as if open orders held 12

    with pytest.raises(BelowReservedError):
        await adjust_stock(AdjustStock(sku="KT-1", delta=-4, reason="damaged"), uow(store, clock))
    with pytest.raises(BelowReservedError):
        await set_stock(SetStock(sku="KT-1", on_hand=11), uow(store, clock))

    item = store.stock["KT-1"]
    assert (item.on_hand, item.available) == (15, 3)
    last = store.outbox[-1]
    assert last.payload | {} == {
        "sku": "KT-1",
        "product_id": str(item.product_id),
        "on_hand": 15,
        "reserved": 0,
        "available": 15,
        "sold": 0,
        "reason": "received",
    }


async def test_unknown_skus_and_products_are_not_found(
    store: InMemoryStore, clock: FixedClock
) -> None:
    with pytest.raises(NotFoundError):
        await set_stock(SetStock(sku="NOPE", on_hand=1), uow(store, clock))
    with pytest.raises(NotFoundError):
        await archive_product(ArchiveProduct(uuid.uuid4()), uow(store, clock), clock)
